//! Push devices (Mosaic: "a push token must be registered so the user's device can accept
//! them"): a signed-in user's app registers the device's push token, lists and removes devices.
//! A device receives sign-in codes, so registering or removing one is a change to how the
//! account signs in: like TOTP enrollment it needs a fresh sign-in (session cookie) or a Bearer
//! token with the `gatehouse:factors` scope ([`factor_user`]); listing takes any token of the
//! user. Tokens are sealed at rest and never shown again.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::domain::one_time_code::Channel;
use crate::flows::AppState;
use crate::store;
use crate::store::push_devices::PushDevice;
use crate::web::audit::{self, Audit};
use crate::web::current_user::{current_user, factor_user};
use crate::web::envelope;
use crate::web::error::WebError;
use crate::web::iso8601;
use crate::web::routes::enroll::unauthorized;

/// Devices per user: enough for a phone, a tablet and a few replacements.
pub const MAX_DEVICES: i64 = 10;

#[derive(Deserialize)]
pub struct RegisterBody {
    push_token: Option<String>,
    device_name: Option<String>,
}

fn invalid(req: &HttpRequest, message: &str) -> HttpResponse {
    envelope::error(
        req,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "ValidationError",
        message,
    )
}

fn view(device: &PushDevice) -> serde_json::Value {
    json!({
        "device_id": device.id,
        "device_name": device.label,
        "created_at": iso8601(device.created_at),
        "last_used_at": device.last_used_at.map(iso8601),
    })
}

/// `POST /verification-srv/v2/setup/push/register` `{push_token, device_name?}` (fresh sign-in
/// or the factors scope).
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    body: web::Json<RegisterBody>,
) -> Result<HttpResponse, WebError> {
    let user = match factor_user(&state, &req, &session).await? {
        Ok(user) => user,
        Err(refusal) => return Ok(refusal.response(&req)),
    };
    if !crate::flows::codes::channel_enabled(&state, Channel::Push) {
        return Ok(envelope::error(
            &req,
            StatusCode::BAD_REQUEST,
            "method_not_available",
            "ValidationError",
            "Push is not configured on this server.",
        ));
    }
    let token = body.push_token.as_deref().unwrap_or("").trim().to_owned();
    if token.is_empty() || token.len() > 4096 || !token.chars().all(|c| c.is_ascii_graphic()) {
        return Ok(invalid(
            &req,
            "push_token is required: the device's push token, up to 4096 printable characters.",
        ));
    }
    let label: String = body
        .device_name
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .unwrap_or("My device")
        .chars()
        .take(64)
        .collect();
    let device = PushDevice {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: user.id.clone(),
        label,
        sealed_token: state.sealer.seal(token.as_bytes()),
        created_at: state.now(),
        last_used_at: None,
    };
    let row = device.clone();
    let stored = state
        .store
        .run(move |c| {
            if store::push_devices::count_user_devices(c, &row.user_id)? >= MAX_DEVICES {
                return Ok(false);
            }
            store::push_devices::insert_device(c, &row)?;
            Ok(true)
        })
        .await?;
    if !stored {
        return Ok(envelope::error(
            &req,
            StatusCode::CONFLICT,
            "device_limit",
            "Conflict",
            &format!("You already have {MAX_DEVICES} devices. Remove one first."),
        ));
    }
    audit::record(
        &state,
        &req,
        Audit::success("push_device.register")
            .user(&user.id)
            .detail(device.label.clone()),
    )
    .await;
    Ok(envelope::ok(view(&device)))
}

/// `GET /verification-srv/v2/setup/push/devices` (any sign-in or token of the user).
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
) -> Result<HttpResponse, WebError> {
    let Some(user) = current_user(&state, &req, &session).await? else {
        return Ok(unauthorized(&req));
    };
    let devices = state
        .store
        .run(move |c| store::push_devices::list_user_devices(c, &user.id))
        .await?;
    Ok(envelope::ok(
        json!({ "devices": devices.iter().map(view).collect::<Vec<_>>() }),
    ))
}
