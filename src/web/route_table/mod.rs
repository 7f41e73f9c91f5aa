//! The route table: every path the service answers, by area, and how malformed query strings,
//! forms and JSON bodies are answered.

use actix_web::{HttpRequest, web};

use super::{envelope, error};

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

/// A malformed query string or form: 400 with what was wrong.
pub(crate) fn bad_input(message: String) -> actix_web::Error {
    error::WebError::BadRequest(format!("The request is malformed: {message}")).into()
}

/// Malformed JSON gets the cidaas error envelope, not an HTML page.
fn json_error(e: actix_web::error::JsonPayloadError, req: &HttpRequest) -> actix_web::Error {
    let response = envelope::error(
        req,
        actix_web::http::StatusCode::BAD_REQUEST,
        "invalid_request",
        "ValidationError",
        &format!("The JSON body is malformed: {e}"),
    );
    actix_web::error::InternalError::from_response(e, response).into()
}
