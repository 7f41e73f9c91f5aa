//! The cidaas JSON envelope (API.md §4): `{"success", "status", "data"}` on success and
//! `{"success": false, "status", "error": {"code", "type", "error", "referenceNumber"}}` on failure.

use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::json;
use tracing_actix_web::RequestId;

/// A successful envelope with `data`.
pub fn ok<T: Serialize>(data: T) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "success": true, "status": 200, "data": data }))
}

/// An error envelope; `referenceNumber` is the request id that also appears in our logs.
pub fn error(
    req: &HttpRequest,
    status: StatusCode,
    code: impl Serialize,
    kind: &str,
    message: &str,
) -> HttpResponse {
    HttpResponse::build(status).json(error_body(req, status, code, kind, message))
}

/// The body of an error envelope (see [`error`]); also used for errors no handler answered
/// itself (`web::error_shape`).
pub fn error_body(
    req: &HttpRequest,
    status: StatusCode,
    code: impl Serialize,
    kind: &str,
    message: &str,
) -> serde_json::Value {
    let reference = req
        .extensions()
        .get::<RequestId>()
        .map(|id| id.to_string())
        .unwrap_or_default();
    json!({
        "success": false,
        "status": status.as_u16(),
        "error": { "code": code, "type": kind, "error": message, "referenceNumber": reference },
    })
}
