//! The route table: every path the service answers, by area; which error shape each area
//! answers in ([`error_shape`]); and how malformed query strings, forms and JSON bodies are
//! answered.

use actix_web::error::JsonPayloadError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};

use super::error::{self, WebError};
use super::error_shape::ErrorShape;

mod account;
mod admin;
mod hosted;
mod oauth;
mod verification;

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::QueryConfig::default().error_handler(|e, _| bad_input(e.to_string())))
        .app_data(
            web::FormConfig::default()
                .limit(64 * 1024)
                .error_handler(|e, _| bad_input(e.to_string())),
        )
        .app_data(
            web::JsonConfig::default()
                .limit(64 * 1024)
                .error_handler(json_error),
        )
        .app_data(web::PayloadConfig::default().limit(64 * 1024));
    oauth::routes(cfg);
    hosted::routes(cfg);
    verification::routes(cfg);
    account::routes(cfg);
    admin::routes(cfg);
    admin::management_routes(cfg);
}

/// The areas whose errors are JSON, by path prefix; every other path answers with HTML pages.
/// The one place that decides the shape of an error (see `web::error_shape`), so a new route in
/// a JSON area, an unknown path or a wrong method there can never get an HTML page.
const JSON_AREAS: &[(&str, ErrorShape)] = &[
    ("/verification-srv", ErrorShape::Envelope),
    ("/verification-actions-srv", ErrorShape::Envelope),
    ("/v1", ErrorShape::Envelope),
    ("/authz-srv/authrequest", ErrorShape::Envelope),
    ("/public-srv", ErrorShape::Envelope),
    ("/token-srv", ErrorShape::OAuth),
    ("/approvals", ErrorShape::OAuth),
    ("/users-srv", ErrorShape::OAuth),
];

/// The error shape of `path`: the cidaas envelope where API.md documents it, RFC 6749 JSON on the
/// token endpoints and userinfo, HTML for everything else.
pub fn error_shape(path: &str) -> ErrorShape {
    JSON_AREAS
        .iter()
        .find(|(prefix, _)| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .map_or(ErrorShape::Page, |(_, shape)| *shape)
}

/// Registers `route` as the only route of its own resource at `path`, for JSON endpoints:
/// another method then gets 405 with `Allow` (rendered in the area's error shape), not the 404
/// of an unknown path.
fn endpoint(cfg: &mut web::ServiceConfig, path: &str, route: actix_web::Route) {
    cfg.service(web::resource(path).route(route));
}

/// A malformed query string or form: 400 with what was wrong.
pub(crate) fn bad_input(message: String) -> actix_web::Error {
    WebError::BadRequest(format!("The request is malformed: {message}")).into()
}

/// A JSON body the extractor refused: 400 (413 when too large) with a message naming the
/// problem, rendered in the path's error shape.
fn json_error(e: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let bad = |message: String| {
        error::error_response(
            StatusCode::BAD_REQUEST,
            "This request cannot be completed",
            message,
        )
    };
    let response = match &e {
        JsonPayloadError::ContentType => {
            bad("The body must be JSON sent with Content-Type: application/json.".into())
        }
        JsonPayloadError::Deserialize(cause) => {
            bad(format!("The JSON body is malformed: {cause}."))
        }
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => error::error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "This request cannot be completed",
            format!("The JSON body is larger than the limit of {limit} bytes."),
        ),
        other => bad(format!("The JSON body cannot be read: {other}.")),
    };
    actix_web::error::InternalError::from_response(e, response).into()
}
