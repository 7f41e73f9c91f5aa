//! The code-sending types of the verification service (`email`, `sms`, `push`): what the
//! configured list shows for them, initiate (send a code), verify (check it) and resend (the
//! same code again after the cooldown). The rest of the flow is shared with TOTP in
//! `verification.rs`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, json};

use crate::domain::one_time_code::Channel;
use crate::domain::user::User;
use crate::domain::verification::Verification;
use crate::flows::AppState;
use crate::flows::codes::{Resent, Sent};
use crate::flows::login_codes::{self, CodeCheck, Started};
use crate::store;
use crate::web::envelope;
use crate::web::error::WebError;
use crate::web::iso8601;
use crate::web::routes::verification;

/// Why a code could not be sent, as the JSON error.
fn not_sent(req: &HttpRequest, sent: &Sent) -> HttpResponse {
    match sent {
        Sent::Locked { until } => envelope::error(
            req,
            StatusCode::TOO_MANY_REQUESTS,
            "code_locked",
            "VerificationLocked",
            &crate::web::words::channel_locked(&crate::web::words::english(), *until),
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
    // The message speaks the sign-in's `ui_locales`, else the caller's Accept-Language.
    let tr = crate::web::extract::Lang::of(req)
        .for_request_id(state, verification.request_id.as_deref())
        .await?;
    let (verification, code) = match login_codes::start(
        state,
        verification,
        channel,
        user,
        typed_name,
        tr.lang(),
    )
    .await?
    {
        // Again within the cooldown: the same live exchange, nothing sent twice.
        Started::Sent { verification, code } | Started::Again { verification, code } => {
            (verification, code)
        }
        Started::NotSent(sent) => return Ok(not_sent(req, &sent)),
    };
    let resend_after = code.sent_at + state.live().code_policy_for(code.channel).resend_after;
    Ok(verification::answer_started(
        verification,
        &code.destination,
        Map::from_iter([
            (
                "code_expires_at".to_owned(),
                json!(iso8601(code.expires_at)),
            ),
            ("resend_after".to_owned(), json!(iso8601(resend_after))),
        ]),
    ))
}

/// Checks a typed code for a verification, guessed `by`; `Ok(None)` means accepted,
/// `Ok(Some(answer))` is the error answer to give.
pub async fn verify(
    state: &AppState,
    req: &HttpRequest,
    verification: &Verification,
    typed: &str,
    by: crate::domain::policy::Guesser,
) -> Result<Option<HttpResponse>, WebError> {
    Ok(
        match login_codes::check(state, verification, typed, by).await? {
            CodeCheck::Accepted(_) => None,
            CodeCheck::Wrong => Some(envelope::error(
                req,
                StatusCode::UNAUTHORIZED,
                "invalid_code",
                "VerificationFailed",
                "The code is not correct.",
            )),
            CodeCheck::Locked { until } => Some(envelope::error(
                req,
                StatusCode::TOO_MANY_REQUESTS,
                "code_locked",
                "VerificationLocked",
                &crate::web::words::channel_locked(&crate::web::words::english(), until),
            )),
            CodeCheck::Expired => Some(envelope::error(
                req,
                StatusCode::BAD_REQUEST,
                "code_expired",
                "ValidationError",
                "The code has expired or was already used. Ask for a new code.",
            )),
        },
    )
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
    let tr = crate::web::extract::Lang::of(&req)
        .for_request_id(&state, verification.request_id.as_deref())
        .await?;
    Ok(
        match login_codes::resend(&state, &verification, tr.lang()).await? {
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
