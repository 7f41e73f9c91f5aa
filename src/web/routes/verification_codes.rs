//! The code-sending types of the verification service (`email`, `sms`, `push`): what the
//! configured list shows for them, initiate (send a code), verify (check it) and resend (the
//! same code again after the cooldown). The rest of the flow is shared with TOTP in
//! `verification.rs`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::domain::one_time_code::{Channel, Purpose, mask_phone};
use crate::domain::user::User;
use crate::domain::verification::{Verification, mask_email};
use crate::store;
use crate::web::codes::{self, Checked, Destination, Recipient, Resent, Sent};
use crate::web::envelope;
use crate::web::error::WebError;
use crate::web::iso8601;
use crate::web::routes::verification;
use crate::web::state::AppState;

/// The configured-list entries for the code channels. Every identifier, known or not, gets
/// EMAIL (every account has an address); SMS and PUSH appear for accounts that have them.
pub async fn configured_entries(
    state: &AppState,
    user: Option<&User>,
    typed_name: Option<&str>,
) -> Result<Vec<Value>, WebError> {
    let mut list = Vec::new();
    let email = user.map(|u| u.email.as_str()).or(typed_name);
    if let Some(email) =
        email.filter(|e| e.contains('@') && codes::channel_enabled(state, Channel::Email))
    {
        list.push(json!({"type": "EMAIL", "mediums": [{"id": "email", "key_name": mask_email(email.trim())}]}));
    }
    let Some(user) = user else {
        return Ok(list);
    };
    if codes::channel_enabled(state, Channel::Sms)
        && let Some(number) = user.sms_number()
    {
        list.push(
            json!({"type": "SMS", "mediums": [{"id": "sms", "key_name": mask_phone(number)}]}),
        );
    }
    if codes::channel_enabled(state, Channel::Push) {
        let id = user.id.clone();
        let devices = state
            .store
            .run(move |c| store::push_devices::list_user_devices(c, &id))
            .await?;
        if !devices.is_empty() {
            let mediums: Vec<Value> = devices
                .iter()
                .map(|d| json!({"id": d.id, "key_name": d.label}))
                .collect();
            list.push(json!({"type": "PUSH", "mediums": mediums}));
        }
    }
    Ok(list)
}

/// The name of the application a login request is for, for the messages.
pub async fn app_name(state: &AppState, request_id: Option<&str>) -> Result<String, WebError> {
    let Some(request_id) = request_id.map(str::to_owned) else {
        return Ok(state.live().config.totp_issuer.clone());
    };
    let name = state
        .store
        .run(move |c| {
            let Some(request) = store::requests::find_request(c, &request_id)? else {
                return Ok(None);
            };
            Ok(store::clients::find_client(c, &request.request.client_id)?.map(|c| c.name))
        })
        .await?;
    Ok(name.unwrap_or_else(|| state.live().config.totp_issuer.clone()))
}

/// Why a code could not be sent, as the JSON error.
fn not_sent(req: &HttpRequest, sent: &Sent) -> HttpResponse {
    match sent {
        Sent::Locked { until } => envelope::error(
            req,
            StatusCode::TOO_MANY_REQUESTS,
            "code_locked",
            "VerificationLocked",
            &locked_message(*until),
        ),
        Sent::TooSoon { wait, .. } => envelope::error(
            req,
            StatusCode::TOO_MANY_REQUESTS,
            "resend_too_soon",
            "TooManyRequests",
            &format!(
                "A code was sent moments ago and is still valid: use it, or ask again in {wait} seconds."
            ),
        ),
        Sent::Unavailable => envelope::error(
            req,
            StatusCode::BAD_REQUEST,
            "method_not_available",
            "ValidationError",
            "This verification type is not available for this account. Choose another way to sign in.",
        ),
        Sent::Failed | Sent::Sent(_) => envelope::error(
            req,
            StatusCode::EXPECTATION_FAILED,
            "delivery_failed",
            "DeliveryFailed",
            "We could not send the code just now. Choose another way to sign in, or try again in a few minutes.",
        ),
    }
}

/// "Too many wrong codes …", the same for every channel.
pub fn locked_message(until: i64) -> String {
    if until == crate::domain::policy::LOCKED_UNTIL_UNLOCKED {
        "Too many wrong codes. Codes by this channel stay blocked until an administrator unlocks them: choose another way to sign in.".into()
    } else {
        format!(
            "Too many wrong codes. Codes by this channel are blocked until {} UTC: choose another way to sign in, or try again then.",
            iso8601(until).replace('T', " ").trim_end_matches('Z')
        )
    }
}

/// Sends the code of a new verification. On success the verification is stored and the
/// initiate answer returned; on failure nothing is stored.
pub async fn initiate(
    state: &AppState,
    req: &HttpRequest,
    channel: Channel,
    verification: Verification,
    user: Option<&User>,
    typed_name: &str,
) -> Result<HttpResponse, WebError> {
    let app = app_name(state, verification.request_id.as_deref()).await?;
    let to = Recipient {
        user,
        typed_name,
        device_id: verification.medium_id.as_deref(),
        destination: Destination::Account,
    };
    let sent = codes::send_new(
        state,
        &verification.status_id,
        Purpose::Login,
        channel,
        &to,
        &app,
        state.live().code_policy_for(channel).ttl,
    )
    .await?;
    let Sent::Sent(code) = sent else {
        return Ok(not_sent(req, &sent));
    };
    let resend_after = code.sent_at + state.live().code_policy_for(code.channel).resend_after;
    verification::started(
        state,
        verification,
        &code.destination,
        Map::from_iter([
            (
                "code_expires_at".to_owned(),
                json!(iso8601(code.expires_at)),
            ),
            ("resend_after".to_owned(), json!(iso8601(resend_after))),
        ]),
    )
    .await
}

/// Checks a typed code for a verification, guessed `by`; `Ok(None)` means accepted,
/// `Ok(Some(answer))` is the error answer to give.
pub async fn verify(
    state: &AppState,
    req: &HttpRequest,
    verification: &Verification,
    typed: &str,
    by: codes::Guesser,
) -> Result<Option<HttpResponse>, WebError> {
    let checked = codes::check(state, &verification.status_id, Purpose::Login, typed, by).await?;
    Ok(match checked {
        Checked::Accepted { user_id } if verification.user_id.as_deref() == Some(&user_id) => None,
        Checked::Accepted { .. } | Checked::Wrong => Some(envelope::error(
            req,
            StatusCode::UNAUTHORIZED,
            "invalid_code",
            "VerificationFailed",
            "The code is not correct.",
        )),
        Checked::Locked { until } => Some(envelope::error(
            req,
            StatusCode::TOO_MANY_REQUESTS,
            "code_locked",
            "VerificationLocked",
            &locked_message(until),
        )),
        Checked::Expired => Some(envelope::error(
            req,
            StatusCode::BAD_REQUEST,
            "code_expired",
            "ValidationError",
            "The code has expired or was already used. Ask for a new code.",
        )),
    })
}

#[derive(Deserialize)]
pub struct ResendBody {
    exchange_id: Option<String>,
}

/// `POST …/authentication/{type}/resend` and `…/v2/authenticate/resend/{type}`: the same code
/// again, to the same place, once the cooldown has passed. The exchange stays as it was.
pub async fn resend(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<ResendBody>,
) -> Result<HttpResponse, WebError> {
    let method = path.parse().ok();
    let now = state.now();
    let exchange_id = body.exchange_id.clone().unwrap_or_default();
    let found = state
        .store
        .run(move |c| store::verifications::find_by_exchange(c, &exchange_id))
        .await?
        .filter(|v| v.exchange_usable(now) && Some(v.method) == method);
    let Some(verification) = found.filter(|v| Channel::for_method(v.method).is_some()) else {
        return Ok(envelope::error(
            &req,
            StatusCode::BAD_REQUEST,
            "invalid_exchange_id",
            "ValidationError",
            "exchange_id is unknown, used or expired, or its type sends no code. Start again.",
        ));
    };
    let app = app_name(&state, verification.request_id.as_deref()).await?;
    Ok(
        match codes::resend(&state, &verification.status_id, &app).await? {
            Resent::Sent(code) => envelope::ok(json!({
                "exchange_id": { "exchange_id": verification.exchange_id, "expires_at": iso8601(verification.exchange_expires_at) },
                "status_id": verification.status_id,
                "sub": verification.alias,
                "medium_text": code.destination,
                "code_expires_at": iso8601(code.expires_at),
                "resend_after": iso8601(code.sent_at + state.live().code_policy_for(code.channel).resend_after),
            })),
            Resent::TooSoon { wait } => envelope::error(
                &req,
                StatusCode::TOO_MANY_REQUESTS,
                "resend_too_soon",
                "TooManyRequests",
                &format!(
                    "The code was sent moments ago. You can ask for it again in {wait} seconds."
                ),
            ),
            Resent::Gone => envelope::error(
                &req,
                StatusCode::BAD_REQUEST,
                "code_expired",
                "ValidationError",
                "The code has expired or was already used. Start again for a new code.",
            ),
            Resent::Failed => envelope::error(
                &req,
                StatusCode::EXPECTATION_FAILED,
                "delivery_failed",
                "DeliveryFailed",
                "We could not send the code again just now. The code sent before still works; or choose another way to sign in.",
            ),
        },
    )
}
