//! The management API (API.md §5): a user's authenticators, unlock, TOTP revocation. Callers
//! present a Bearer token from the client_credentials grant of a `--management` client.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::domain::client::Client;
use crate::domain::totp;
use crate::flows::AppState;
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::{bearer, envelope, iso8601};

/// The management client behind the request's Bearer token, or the error response to send.
async fn management_client(
    state: &AppState,
    req: &HttpRequest,
) -> Result<Result<Client, HttpResponse>, WebError> {
    let unauthorized = |message: &str| {
        let mut response = envelope::error(
            req,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
            message,
        );
        response.headers_mut().insert(
            actix_web::http::header::WWW_AUTHENTICATE,
            actix_web::http::header::HeaderValue::from_static("Bearer realm=\"gatehouse\""),
        );
        response
    };
    let Some(token) = bearer::from_header(req) else {
        return Ok(Err(unauthorized(
            "A Bearer token from a management client is required.",
        )));
    };
    let Some(access) = bearer::resolve(state, &token).await? else {
        return Ok(Err(unauthorized(
            "The access token is invalid, expired or revoked.",
        )));
    };
    let client_id = access.client_id.clone();
    let client = state
        .store
        .run(move |c| store::clients::find_client(c, &client_id))
        .await?;
    match client {
        Some(c)
            if c.is_management
                && access.user_id.is_none()
                && access.scope.split_whitespace().any(|s| s == "management") =>
        {
            Ok(Ok(c))
        }
        _ => Ok(Err(envelope::error(
            req,
            StatusCode::FORBIDDEN,
            "forbidden",
            "Forbidden",
            "This token may not use the management API.",
        ))),
    }
}

fn not_found(req: &HttpRequest, what: &str) -> HttpResponse {
    envelope::error(
        req,
        StatusCode::NOT_FOUND,
        "not_found",
        "NotFound",
        &format!("No such {what}."),
    )
}

/// `GET /v1/users/{sub}/authenticators`.
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    if let Err(refusal) = management_client(&state, &req).await? {
        return Ok(refusal);
    }
    let user_id = path.into_inner();
    let lookup = user_id.clone();
    let found = state
        .store
        .run(move |c| {
            let Some(user) = store::users::find_user(c, &lookup)? else {
                return Ok(None);
            };
            Ok(Some((
                user,
                store::authenticators::list_user_authenticators(c, &lookup)?,
                store::passkeys::list_user_passkeys(c, &lookup)?,
            )))
        })
        .await?;
    let Some((_, authenticators, passkeys)) = found else {
        return Ok(not_found(&req, "user"));
    };
    let now = state.now();
    let mut list: Vec<_> = authenticators
        .iter()
        .filter(|a| a.active)
        .map(|a| {
            json!({
                "id": a.id,
                "type": "TOTP",
                "label": a.label,
                "created": iso8601(a.created_at),
                "last_used": a.last_used_at.map(iso8601),
                "locked": a.is_locked(now),
                "locked_until": a.locked_until.filter(|_| a.is_locked(now)).map(|u| {
                    if u == crate::domain::policy::LOCKED_UNTIL_UNLOCKED { "until_unlocked".to_owned() } else { iso8601(u) }
                }),
                "consecutive_failures": a.failure_count,
                "algorithm": a.params.algorithm.as_str(),
                "digits": a.params.digits,
                "period": a.params.period,
                "clock_drift_seconds": totp::drift_seconds(&a.recent_offsets, a.params),
            })
        })
        .collect();
    // Passkeys never lock: a wrong signature is no guess at a secret.
    list.extend(passkeys.iter().map(|p| {
        json!({
            "id": p.id,
            "type": "FIDO2",
            "label": p.name,
            "created": iso8601(p.created_at),
            "last_used": p.last_used_at.map(iso8601),
            "locked": false,
            "locked_until": null,
            "synced": p.backup_eligible,
        })
    }));
    Ok(envelope::ok(
        json!({ "sub": user_id, "authenticators": list }),
    ))
}

/// `POST /v1/users/{sub}/authenticators/{id}/unlock`.
pub async fn unlock(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let client = match management_client(&state, &req).await? {
        Ok(c) => c,
        Err(refusal) => return Ok(refusal),
    };
    let (user_id, id) = path.into_inner();
    let (u, a) = (user_id.clone(), id.clone());
    let unlocked = state
        .store
        .run(
            move |c| match store::authenticators::find_authenticator(c, &a)? {
                Some(found) if found.user_id == u => {
                    store::authenticators::unlock_authenticator(c, &a)
                }
                _ => Ok(false),
            },
        )
        .await?;
    if !unlocked {
        return Ok(not_found(&req, "authenticator for this user"));
    }
    audit::record(
        &state,
        &req,
        Audit::success("totp.unlock")
            .user(&user_id)
            .actor(&client.id)
            .client(&client.id)
            .detail(format!("authenticator {id}")),
    )
    .await;
    Ok(envelope::ok(
        json!({ "unlocked": true, "authenticator_id": id }),
    ))
}

#[derive(Deserialize)]
pub struct RevokeBody {
    authenticator_id: Option<String>,
}

/// `POST /v1/users/{sub}/totp/revoke` with `{authenticator_id}`.
pub async fn revoke(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<RevokeBody>,
) -> Result<HttpResponse, WebError> {
    let client = match management_client(&state, &req).await? {
        Ok(c) => c,
        Err(refusal) => return Ok(refusal),
    };
    let Some(id) = body.authenticator_id.clone().filter(|i| !i.is_empty()) else {
        return Ok(envelope::error(
            &req,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "ValidationError",
            "authenticator_id is required.",
        ));
    };
    let user_id = path.into_inner();
    let (u, a) = (user_id.clone(), id.clone());
    if !state
        .store
        .run(move |c| store::authenticators::delete_authenticator(c, &a, &u))
        .await?
    {
        return Ok(not_found(&req, "authenticator for this user"));
    }
    audit::record(
        &state,
        &req,
        Audit::success("totp.revoke")
            .user(&user_id)
            .actor(&client.id)
            .client(&client.id)
            .detail(format!("authenticator {id} revoked by management API")),
    )
    .await;
    Ok(envelope::ok(
        json!({ "revoked": true, "authenticator_id": id }),
    ))
}

#[derive(Deserialize)]
pub struct DeliveriesQuery {
    /// `true`: failures only.
    failed: Option<bool>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /v1/deliveries?failed=&limit=&offset=`: the delivery log, newest first. Destinations
/// are masked; the provider's answer or error is shown as it came.
pub async fn deliveries(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<DeliveriesQuery>,
) -> Result<HttpResponse, WebError> {
    if let Err(refusal) = management_client(&state, &req).await? {
        return Ok(refusal);
    }
    let failed_only = query.failed.unwrap_or(false);
    let limit = query.limit.unwrap_or(50).clamp(1, 500);
    let offset = query.offset.unwrap_or(0).max(0);
    let rows = state
        .store
        .run(move |c| store::deliveries::list_deliveries(c, failed_only, limit, offset))
        .await?;
    let list: Vec<_> = rows
        .iter()
        .map(|d| {
            json!({
                "id": d.id,
                "at": iso8601(d.created_at),
                "channel": d.channel,
                "destination": d.destination,
                "purpose": d.purpose,
                "sub": d.user_id,
                "provider": d.provider,
                "status": d.status,
                "detail": d.detail,
            })
        })
        .collect();
    Ok(envelope::ok(json!({ "deliveries": list })))
}
