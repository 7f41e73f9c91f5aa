//! Middleware that counts every answered request for `/metrics`: by the matched route pattern
//! (never the raw path, which would make one series per id), method and status, with its
//! latency. Only actix and [`crate::metrics`]; no store, no flows.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, web};

use crate::flows::AppState;
use crate::metrics::UNMATCHED_ROUTE;

/// Times the request and counts its answer (use with `actix_web::middleware::from_fn`).
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.metrics.clone());
    let method = method_label(req.method());
    let started = Instant::now();
    let outcome = next.call(req).await;
    if let Some(metrics) = metrics {
        let seconds = started.elapsed().as_secs_f64();
        match &outcome {
            Ok(res) => {
                let route = res.request().match_pattern();
                let route = route.as_deref().unwrap_or(UNMATCHED_ROUTE);
                metrics.request(route, method, res.status().as_u16(), seconds);
            }
            Err(e) => {
                let status = e.as_response_error().status_code().as_u16();
                metrics.request(UNMATCHED_ROUTE, method, status, seconds);
            }
        }
    }
    outcome
}

/// The method as a label; anything outside the standard ones is `other` (a caller can send any
/// token as a method, and each would otherwise be a new series).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}
