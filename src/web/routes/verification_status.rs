//! Cancel and status of a verification (API.md §4), both path families.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::domain::verification::State;
use crate::flows::AppState;
use crate::store;
use crate::web::envelope;
use crate::web::error::WebError;
use crate::web::iso8601;

#[derive(Deserialize)]
pub struct CancelBody {
    exchange_id: Option<String>,
}

/// `POST …/authentication/{type}/cancel` and `…/v2/authenticate/cancel/{type}`.
pub async fn cancel(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<CancelBody>,
) -> Result<HttpResponse, WebError> {
    let Some(exchange_id) = body.exchange_id.clone().filter(|e| !e.is_empty()) else {
        return Ok(envelope::error(
            &req,
            StatusCode::BAD_REQUEST,
            "invalid_exchange_id",
            "ValidationError",
            "exchange_id is required.",
        ));
    };
    let now = state.now();
    let closed = uuid::Uuid::new_v4().to_string();
    let next = closed.clone();
    let cancelled = state
        .store
        .run(move |c| {
            let Some(v) = store::verifications::find_by_exchange(c, &exchange_id)? else {
                return Ok(None);
            };
            let done = store::verifications::advance(
                c,
                &exchange_id,
                State::Initiated,
                State::Cancelled,
                &next,
                now,
                now,
            )?;
            Ok(done.then_some(v))
        })
        .await?;
    let Some(v) = cancelled else {
        return Ok(envelope::error(
            &req,
            StatusCode::BAD_REQUEST,
            "invalid_exchange_id",
            "ValidationError",
            "exchange_id is unknown, used or expired.",
        ));
    };
    // The cidaas answer: whose verification it was, and its (now closed) exchange.
    Ok(envelope::ok(json!({
        "cancelled": true,
        "sub": v.alias,
        "status_id": v.status_id,
        "exchange_id": { "exchange_id": closed, "expires_at": iso8601(now) },
    })))
}

/// `GET …/verificationstatus/{status_id}` and `POST …/v2/notification/status/{status_id}`.
pub async fn status(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let status_id = path.into_inner();
    let now = state.now();
    let found = state
        .store
        .run(move |c| store::verifications::find_by_status(c, &status_id))
        .await?;
    let Some(v) = found.filter(|v| now < v.expires_at) else {
        return Ok(envelope::error(
            &req,
            StatusCode::NOT_FOUND,
            "status_not_found",
            "NotFound",
            "status_id is unknown or has expired.",
        ));
    };
    Ok(envelope::ok(json!({
        "status_id": v.status_id,
        "status": v.state.as_str().to_uppercase(),
        "type": v.method.as_str(),
        "usage_type": v.usage_type.as_str(),
        "sub": v.alias,
        "expires_at": iso8601(v.expires_at),
    })))
}
