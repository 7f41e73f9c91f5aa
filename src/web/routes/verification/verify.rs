//! Checking what the user typed against an exchange: a TOTP, backup or one-time code, or a
//! password; each exchange is verified at most once.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::domain::policy::Guesser;
use crate::domain::verification::{EXCHANGE_TTL, Method, State, UsageType, Verification};
use crate::flows::AppState;
use crate::flows::backup_codes;
use crate::flows::password_check::PasswordOutcome;
use crate::flows::totp_check::{self, TotpOutcome};
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::envelope;
use crate::web::error::WebError;
use crate::web::iso8601;
use crate::web::routes::{verification_codes, verification_password};

#[derive(Deserialize)]
pub struct VerifyBody {
    exchange_id: Option<String>,
    pass_code: Option<String>,
    passcode: Option<String>,
    password: Option<String>,
    /// For `FIDO2`: the `PublicKeyCredential` of `navigator.credentials.get`, as JSON (an object
    /// or a string holding one).
    credential: Option<serde_json::Value>,
}

/// `POST …/authentication/{type}/verification` and `…/v2/authenticate/authenticate/{type}`.
pub async fn verify(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<VerifyBody>,
) -> Result<HttpResponse, WebError> {
    let invalid_exchange = |req: &HttpRequest| {
        envelope::error(
            req,
            StatusCode::BAD_REQUEST,
            "invalid_exchange_id",
            "ValidationError",
            "exchange_id is unknown, used or expired. Start again.",
        )
    };
    let Ok(method) = path.parse::<Method>() else {
        return Ok(envelope::error(
            &req,
            StatusCode::NOT_FOUND,
            "unknown_type",
            "NotFound",
            "Unknown verification type.",
        ));
    };
    let Some(exchange_id) = body.exchange_id.clone().filter(|e| !e.is_empty()) else {
        return Ok(invalid_exchange(&req));
    };
    let now = state.now();
    let lookup = exchange_id.clone();
    let found = state
        .store
        .run(move |c| store::verifications::find_by_exchange(c, &lookup))
        .await?;
    let Some(verification) = found.filter(|v| v.exchange_usable(now) && v.method == method) else {
        return Ok(invalid_exchange(&req));
    };
    let code = body
        .pass_code
        .as_deref()
        .or(body.passcode.as_deref())
        .or(body.password.as_deref())
        .unwrap_or("");
    if method == Method::Passkey && verification.usage_type != UsageType::Transaction {
        return super::passkey::verify(&state, &req, &verification, body.credential.as_ref()).await;
    }
    if verification.usage_type == UsageType::Transaction {
        return super::transaction::verify(&state, &req, &verification, code).await;
    }
    let wrong = |req: &HttpRequest| {
        envelope::error(
            req,
            StatusCode::UNAUTHORIZED,
            "invalid_code",
            "VerificationFailed",
            "The code is not correct.",
        )
    };

    let accepted = match method {
        Method::Totp => match totp_check::check(
            &state,
            verification.user_id.as_deref(),
            verification.medium_id.as_deref(),
            code,
            guesser(&state, &verification).await?,
        )
        .await?
        {
            TotpOutcome::Accepted { .. } => true,
            // The wrong code that sets the lock says so already, not only the next request.
            outcome @ (TotpOutcome::Locked { until } | TotpOutcome::LockedNow { until }) => {
                let why = match outcome {
                    TotpOutcome::LockedNow { .. } => "wrong code",
                    _ => "locked",
                };
                audit_failure(&state, &req, &verification, why).await;
                let message = crate::web::words::totp_locked(&crate::web::words::english(), until);
                return Ok(envelope::error(
                    &req,
                    StatusCode::TOO_MANY_REQUESTS,
                    "authenticator_locked",
                    "AuthenticatorLocked",
                    &message,
                ));
            }
            TotpOutcome::Rejected | TotpOutcome::Replayed | TotpOutcome::NoAuthenticator => false,
        },
        Method::Password => {
            match verification_password::verify(&state, &req, &verification, code).await? {
                PasswordOutcome::Right => true,
                PasswordOutcome::Wrong => false,
                PasswordOutcome::Locked { until } => {
                    audit_failure(&state, &req, &verification, "locked").await;
                    // Minutes from now, not from the request start: the hash took time.
                    return Ok(verification_password::locked(&req, until, state.now()));
                }
            }
        }
        Method::BackupCode => match &verification.user_id {
            Some(user_id) => backup_codes::redeem(&state, user_id, code).await?,
            None => false,
        },
        // Answered above: an assertion, not a code.
        Method::Passkey => false,
        Method::Email | Method::Sms | Method::Push => {
            let by = guesser(&state, &verification).await?;
            match verification_codes::verify(&state, &req, &verification, code, by).await? {
                None => true,
                Some(refused) => {
                    audit_failure(&state, &req, &verification, "wrong code").await;
                    return Ok(refused);
                }
            }
        }
    };
    if !accepted {
        audit_failure(&state, &req, &verification, "wrong code").await;
        return Ok(wrong(&req));
    }
    let next_exchange = uuid::Uuid::new_v4().to_string();
    let next = next_exchange.clone();
    let mut event = Audit::success(&format!("verification.{}", method.as_str().to_lowercase()));
    if let Some(user_id) = &verification.user_id {
        event = event.user(user_id);
    }
    let row = crate::flows::audit::stamped(&state, &audit::meta(&req), event);
    // The step to verified and its audit row: one trip, one transaction.
    let stepped = state
        .store
        .run(move |c| {
            store::write_transaction(c, |c| {
                let stepped = store::verifications::advance(
                    c,
                    &exchange_id,
                    State::Initiated,
                    State::Verified,
                    &next,
                    now + EXCHANGE_TTL,
                    now,
                )?;
                if stepped {
                    crate::flows::audit::write(c, &row);
                }
                Ok(stepped)
            })
        })
        .await?;
    if !stepped {
        return Ok(invalid_exchange(&req));
    }
    Ok(envelope::ok(json!({
        "exchange_id": { "exchange_id": next_exchange, "expires_at": iso8601(now + EXCHANGE_TTL) },
        "sub": verification.alias,
        "status_id": verification.status_id,
    })))
}

/// Who is guessing on `v`: someone past a first factor only when `v` is the second step of a
/// login waiting for it — a MULTIFACTOR verification whose alias is that of a live login track
/// (handed out once the first factor, the password, was proven) of the same user. Any other
/// alias proves nothing (a passwordless verification hands its alias to whoever typed the
/// address), so guesses through it are anonymous and cannot lock the account for good.
async fn guesser(state: &AppState, v: &Verification) -> Result<Guesser, WebError> {
    if v.usage_type != UsageType::MultifactorAuthentication {
        return Ok(Guesser::Anonymous);
    }
    let (alias, now) = (v.alias.clone(), state.now());
    let track = state
        .store
        .run(move |c| store::tracks::find_track_by_alias(c, &alias))
        .await?;
    Ok(match track {
        Some(track) if track.is_live(now) && v.user_id.as_deref() == Some(&track.user_id) => {
            Guesser::Proven
        }
        _ => Guesser::Anonymous,
    })
}

async fn audit_failure(state: &AppState, req: &HttpRequest, v: &Verification, why: &str) {
    let event = Audit::sign_in_failure(v.method, "verification service", why)
        .maybe_user(v.user_id.as_deref());
    audit::record(state, req, event).await;
}
