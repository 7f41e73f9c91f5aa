//! Which shape an error answer takes — an HTML page, the cidaas envelope or an RFC 6749 error —
//! decided once per path, never per handler.
//!
//! Handlers and extractors only say what went wrong: a [`WebError`](super::error::WebError) or
//! an error of the framework (unknown path, wrong method, a body it could not read), carrying an
//! [`ErrorPage`] message for a person and never the cause. [`render_error`], the app's one error
//! middleware, renders every such 4xx/5xx in the shape the path's area documents
//! ([`route_table::error_shape`]): a JSON endpoint cannot answer with an HTML page whatever a
//! handler returns, and pages keep their HTML error page. Error bodies a handler built itself
//! (a documented envelope error, an OAuth error) pass through unchanged.

use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpMessage, HttpRequest};
use serde_json::Value;
use tracing_actix_web::RequestId;

use super::error::{self, ErrorPage};
use super::{envelope, oauth_json, route_table};

/// How the errors of a path's area look (API.md §2–§5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorShape {
    /// The HTML error page with the request id: hosted pages, account, admin, the OAuth
    /// redirects.
    Page,
    /// The cidaas envelope `{"success": false, "status", "error": {code, type, error,
    /// referenceNumber}}`: the verification service and the management API.
    Envelope,
    /// RFC 6749 §5.2 `{"error", "error_description"}`: token, introspection, revocation and
    /// userinfo.
    OAuth,
}

/// The error middleware of the whole app: renders a 4xx/5xx in its path's [`ErrorShape`].
pub fn render_error<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    match route_table::error_shape(res.request().path()) {
        ErrorShape::Page => error::render_error_page(res),
        shape => render_json(res, shape),
    }
}

fn render_json<B>(
    res: ServiceResponse<B>,
    shape: ErrorShape,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let page = res.response().extensions().get::<ErrorPage>().cloned();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if page.is_none() && is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let message = match page {
        Some(page) => page.message,
        None => message_for(status, res.response().error()),
    };
    let body = match shape {
        ErrorShape::OAuth => oauth_body(res.request(), status, &message),
        _ => envelope_body(res.request(), status, &message),
    };
    let mut res = error::with_body(res, "application/json", body.to_string());
    if shape == ErrorShape::OAuth {
        // RFC 6749 §5.1: token endpoint answers must not be cached.
        let headers = res.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    Ok(ErrorHandlerResponse::Response(res))
}

/// The message of an error no [`WebError`](super::error::WebError) described: what the
/// framework says about a request it refused (never about a server error), or the page text.
fn message_for(status: StatusCode, error: Option<&actix_web::Error>) -> String {
    match (status, error) {
        (StatusCode::PAYLOAD_TOO_LARGE, _) => "The request body is too large.".into(),
        (StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED, _) => {
            error::default_page(status).message
        }
        (s, Some(e)) if s.is_client_error() => e.to_string(),
        _ => error::default_page(status).message,
    }
}

fn envelope_body(req: &HttpRequest, status: StatusCode, message: &str) -> Value {
    let (code, kind) = match status {
        StatusCode::UNAUTHORIZED => ("unauthorized", "Unauthorized"),
        StatusCode::FORBIDDEN => ("forbidden", "Forbidden"),
        StatusCode::NOT_FOUND => ("not_found", "NotFound"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "MethodNotAllowed"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "ValidationError"),
        StatusCode::TOO_MANY_REQUESTS => ("too_many_requests", "TooManyRequests"),
        s if s.is_server_error() => ("internal_error", "InternalError"),
        _ => ("invalid_request", "ValidationError"),
    };
    envelope::error_body(req, status, code, kind, message)
}

fn oauth_body(req: &HttpRequest, status: StatusCode, message: &str) -> Value {
    match status {
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
            oauth_json::error_body("temporarily_unavailable", message)
        }
        s if s.is_server_error() => {
            // RFC 6749 has no reference field; the request id goes into the description.
            let reference = req
                .extensions()
                .get::<RequestId>()
                .map(|id| id.to_string())
                .unwrap_or_default();
            oauth_json::error_body(
                "server_error",
                &format!("{message} (reference {reference})"),
            )
        }
        _ => oauth_json::error_body("invalid_request", message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_area_has_its_documented_shape() {
        use route_table::error_shape;
        for path in [
            "/verification-srv/authentication/totp/initiation",
            "/verification-srv/anything/else",
            "/verification-actions-srv/setup/totp/initiation",
            "/v1/users/x/authenticators",
            "/authz-srv/authrequest/authz/generate",
            "/public-srv/public/x",
        ] {
            assert_eq!(error_shape(path), ErrorShape::Envelope, "{path}");
        }
        for path in [
            "/token-srv/token",
            "/token-srv/introspect",
            "/token-srv/revoke",
            "/users-srv/userinfo",
        ] {
            assert_eq!(error_shape(path), ErrorShape::OAuth, "{path}");
        }
        for path in [
            "/",
            "/login",
            "/login-srv/verification/login",
            "/authz-srv/authz",
            "/account/totp",
            "/admin/users",
            "/v1x",
            "/verification-srvx",
        ] {
            assert_eq!(error_shape(path), ErrorShape::Page, "{path}");
        }
    }

    #[test]
    fn server_errors_never_show_the_framework_error_text() {
        let error: actix_web::Error =
            actix_web::error::ErrorInternalServerError("secret cause text");
        let message = message_for(StatusCode::INTERNAL_SERVER_ERROR, Some(&error));
        assert!(!message.contains("secret"), "{message}");
    }
}
