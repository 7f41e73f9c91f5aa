//! The HTTP layer (actix-web only): the route table (`route_table/`), the extractors that
//! check who may do what (`extract/`), middleware, security headers, request spans.
//! Handlers reach the database only through `store` functions run by `Store::run`.

pub mod account_view;
pub mod audit;
pub mod authenticator_view;
pub mod bearer;
pub mod brand;
pub mod browser;
pub mod current_user;
pub mod envelope;
pub mod error;
pub mod error_shape;
pub mod extract;
pub mod hosted;
pub mod issue;
pub mod limits;
pub mod login_flow;
pub mod login_session;
pub mod login_ui;
pub mod notices;
pub mod oauth_json;
pub mod qr;
pub mod request_metrics;
pub mod route_table;
pub mod routes;
pub mod session_store;
pub mod words;

pub use route_table::configure;

use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::DefaultHeaders;
use actix_web::{HttpMessage, HttpResponse};
use tracing_actix_web::{RequestId, RootSpanBuilder};

/// Security headers for every response (DESIGN.md): a CSP without inline script, no framing,
/// no sniffing, no referrer (login URLs carry request ids), and no caching unless a handler
/// says otherwise.
pub fn security_headers(https: bool) -> DefaultHeaders {
    let mut headers = DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ))
        .add((header::CACHE_CONTROL, "no-store"));
    if https {
        headers = headers.add((
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    headers
}

/// Request spans without query strings: they can carry hints and tokens
/// (`id_token_hint`), which must never reach the logs.
pub struct RedactedSpans;

impl RootSpanBuilder for RedactedSpans {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            method = %request.method(),
            path = %request.path(),
            request_id = %request_id,
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        let status = match outcome {
            Ok(response) => response.status().as_u16(),
            Err(e) => e.as_response_error().status_code().as_u16(),
        };
        span.record("status", status);
    }
}

/// ISO-8601 UTC text for a unix time (API.md: times in JSON are ISO-8601 strings).
pub fn iso8601(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// A plain 404 for routes that match nothing.
pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().finish()
}
