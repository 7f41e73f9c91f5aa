//! What went wrong in a request ([`WebError`]), and the HTML error pages (every one shows the
//! request id).
//!
//! A handler returns [`WebError`]; its response carries an [`ErrorPage`] extension (a title and
//! a message for a person, never the cause) and no body. The app's error middleware
//! (`web::error_shape::render_error`) then renders it in the shape of the path's area: on pages
//! [`render_error_page`] turns it into HTML together with the request id, as it does for
//! responses the framework makes on its own (404, 405, payload errors); JSON endpoints get the
//! same message in their JSON error shape. Error bodies a handler builds itself are left alone.

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use askama::Template;
use tracing_actix_web::RequestId;

use crate::crypto::password::HashError;
use crate::store::StoreError;

/// What went wrong, for a person.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("too many requests")]
    Busy,
    /// A rate limit or budget is used up: 429 with `Retry-After: retry_after`.
    #[error("{message}")]
    Limited { retry_after: u64, message: String },
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl From<crate::flows::FlowError> for WebError {
    fn from(e: crate::flows::FlowError) -> Self {
        match e {
            crate::flows::FlowError::Busy => WebError::Busy,
            crate::flows::FlowError::Limited {
                retry_after,
                budget,
            } => WebError::Limited {
                retry_after,
                message: super::limits::message(retry_after, budget),
            },
            crate::flows::FlowError::Refused(message) => WebError::BadRequest(message),
            crate::flows::FlowError::Internal(e) => WebError::Internal(e),
        }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        WebError::Internal(e.into())
    }
}

impl From<HashError> for WebError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy => WebError::Busy,
            other => WebError::Internal(other.into()),
        }
    }
}

/// The title and message an error page shows; attached to the response by [`WebError`].
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub title: &'static str,
    pub message: String,
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Busy | WebError::Limited { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (title, message) = match self {
            WebError::BadRequest(m) => ("This request cannot be completed", m.clone()),
            WebError::Forbidden(m) => ("Not allowed", m.clone()),
            WebError::NotFound(m) => ("Not found", m.clone()),
            WebError::Busy => (
                "Please try again",
                "We are handling many sign-ins right now. Wait a moment and try again.".to_owned(),
            ),
            WebError::Limited { message, .. } => ("Please slow down", message.clone()),
            WebError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "request failed");
                (
                    "Something went wrong",
                    "An unexpected error occurred on our side. Please try again.".to_owned(),
                )
            }
        };
        let mut response = error_response(self.status_code(), title, message);
        if matches!(self, WebError::Busy) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        if let WebError::Limited { retry_after, .. } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        response
    }
}

/// A bodiless error response with `status` whose page (or JSON error body) shows `title` and
/// `message`: for errors that are not a [`WebError`], e.g. a body an extractor refused.
pub fn error_response(status: StatusCode, title: &'static str, message: String) -> HttpResponse {
    let mut response = HttpResponse::build(status).finish();
    response
        .extensions_mut()
        .insert(ErrorPage { title, message });
    response
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPageView<'a> {
    tr: crate::i18n::Tr,
    status: u16,
    title: &'a str,
    message: &'a str,
    request_id: String,
}

/// Renders an HTML error page for any 4xx/5xx that is not already a JSON or HTML body.
pub fn render_error_page<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let has_own_body =
        content_type.starts_with("application/json") || content_type.starts_with("text/html");
    let page = res.response().extensions().get::<ErrorPage>().cloned();
    if has_own_body && page.is_none() {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let request_id = res
        .request()
        .extensions()
        .get::<RequestId>()
        .map(|id| id.to_string())
        .unwrap_or_default();
    let tr = super::extract::Lang::of(res.request()).tr();
    let page = page.unwrap_or_else(|| default_page(status));
    // In the visitor's language where the catalog has the words (`locales/*/errors.ftl`);
    // a message made with particular values stays English.
    let title = tr
        .from_english(page.title)
        .unwrap_or_else(|| page.title.to_owned());
    let message = tr
        .from_english(&page.message)
        .unwrap_or_else(|| page.message.clone());
    let html = ErrorPageView {
        tr,
        status: status.as_u16(),
        title: &title,
        message: &message,
        request_id,
    }
    .render()
    .unwrap_or_else(|_| format!("{} {}", status.as_u16(), page.title));
    Ok(ErrorHandlerResponse::Response(with_body(
        res,
        "text/html; charset=utf-8",
        html,
    )))
}

/// `res` with `body` of `content_type` in place of its own; status and headers stay.
pub fn with_body<B>(
    res: ServiceResponse<B>,
    content_type: &'static str,
    body: String,
) -> ServiceResponse<EitherBody<B>> {
    let (req, mut res) = res.into_parts();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.remove(header::CONTENT_LENGTH);
    let res = res.set_body(BoxBody::new(body));
    ServiceResponse::new(req, res).map_into_right_body()
}

/// What an error page says when no [`WebError`] described the error.
pub fn default_page(status: StatusCode) -> ErrorPage {
    match status {
        StatusCode::NOT_FOUND => ErrorPage {
            title: "Page not found",
            message: "There is nothing at this address.".into(),
        },
        StatusCode::METHOD_NOT_ALLOWED => ErrorPage {
            title: "Not allowed",
            message: "This address does not accept that kind of request.".into(),
        },
        s if s.is_server_error() => ErrorPage {
            title: "Something went wrong",
            message: "An unexpected error occurred on our side. Please try again.".into(),
        },
        _ => ErrorPage {
            title: "This request cannot be completed",
            message: "The request was not understood.".into(),
        },
    }
}
