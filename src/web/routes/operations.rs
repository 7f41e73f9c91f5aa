//! Endpoints for operators: `/metrics` (Prometheus text format) and `/openapi.json` (the
//! OpenAPI 3.1 document of the JSON API, kept by hand in `docs/openapi.json`).
//!
//! `/metrics` answers only a caller with the `metrics_token` as a Bearer token, or — when no
//! token is configured — a caller on the loopback interface whose request carries no proxy
//! header (a reverse proxy on the same host would otherwise make every visitor "local").
//! Everyone else gets the plain 404 of an unknown path: the endpoint's existence is not told.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use subtle::ConstantTimeEq;

use crate::flows::AppState;
use crate::store;
use crate::web::error::WebError;

/// The document, as kept in the repository (checked against real answers by the tests).
const OPENAPI: &str = include_str!("../../../docs/openapi.json");

/// Headers a reverse proxy adds: with any of them the peer address is the proxy's, not the
/// caller's.
const PROXY_HEADERS: &[&str] = &[
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-real-ip",
    "via",
];

/// `GET /metrics`.
pub async fn metrics(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, WebError> {
    if !may_read_metrics(&state, &req) {
        return Ok(HttpResponse::NotFound().finish());
    }
    let m = &state.metrics;
    let queue = state.hashing.queue();
    m.hash_waiting.set(gauge(queue.waiting));
    m.hash_in_use.set(gauge(queue.in_use));
    m.hash_slots.set(gauge(queue.slots));
    let now = state.now();
    let (authenticators, names) = state
        .store
        .run(move |c| {
            Ok((
                store::authenticators::count_locked(c, now)?,
                store::code_lockouts::count_locked(c, now)?,
            ))
        })
        .await?;
    m.lockouts
        .with_label_values(&["authenticator"])
        .set(authenticators);
    m.lockouts.with_label_values(&["sign_in_name"]).set(names);
    // After the trip above, so the connection it used is counted as idle again.
    let pool = state.store.pool_state();
    m.db_connections
        .with_label_values(&["idle"])
        .set(i64::from(pool.idle));
    m.db_connections
        .with_label_values(&["in_use"])
        .set(i64::from(pool.connections.saturating_sub(pool.idle)));
    m.db_max_connections.set(i64::from(pool.max));
    m.db_trips(state.store.trips());
    let text = m
        .render()
        .map_err(|e| WebError::Internal(anyhow::anyhow!(e)))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}

fn gauge(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The access rule of `/metrics` (module docs).
fn may_read_metrics(state: &AppState, req: &HttpRequest) -> bool {
    match state.config.metrics_token.as_deref() {
        Some(token) => req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|sent| bool::from(sent.trim().as_bytes().ct_eq(token.trim().as_bytes()))),
        None => {
            let local = req.peer_addr().is_some_and(|a| a.ip().is_loopback());
            let proxied = PROXY_HEADERS.iter().any(|h| req.headers().contains_key(*h));
            local && !proxied
        }
    }
}

/// `GET /openapi.json`: the document with this instance's public URL as its server.
pub async fn openapi(state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    let mut doc: serde_json::Value = serde_json::from_str(OPENAPI)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("docs/openapi.json: {e}")))?;
    doc["servers"] = serde_json::json!([{ "url": state.issuer.as_ref() }]);
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(doc))
}
