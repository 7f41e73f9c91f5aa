//! `usage_type=TRANSACTION` in the verification service (issue 15): a custom UI approves a
//! transaction with an authenticator code the cidaas way — initiate TOTP with the
//! `approval_id` (answering the `approval_data` to show), then authenticate with the
//! `exchange_id` and the code. The approval itself is the flow's ([`approvals`]): one code
//! approves one approval once, with the TOTP replay and lockout rules. Whoever holds the
//! approval id guesses anonymously, so wrong codes here never lock the authenticator for good.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value, json};

use crate::domain::approval::ApprovalState;
use crate::domain::verification::{
    EXCHANGE_TTL, Method, State, UsageType, Verification, mask_email,
};
use crate::flows::AppState;
use crate::flows::approvals::{self, DecideOutcome};
use crate::flows::login_codes::{self, Opening};
use crate::flows::totp_check::{Guesser, TotpOutcome};
use crate::store;
use crate::web::audit::meta;
use crate::web::envelope;
use crate::web::error::WebError;
use crate::web::iso8601;

use super::started;

fn refused(req: &HttpRequest, status: StatusCode, code: &str, message: &str) -> HttpResponse {
    envelope::error(req, status, code, "ValidationError", message)
}

/// Starts the code check of approval `approval_id` (TOTP only).
pub async fn initiate(
    state: &AppState,
    req: &HttpRequest,
    method: Method,
    approval_id: Option<&str>,
) -> Result<HttpResponse, WebError> {
    if method != Method::Totp {
        return Ok(refused(
            req,
            StatusCode::BAD_REQUEST,
            "invalid_usage_type",
            "A TRANSACTION is approved with an authenticator app code: use the type TOTP.",
        ));
    }
    let not_pending = || {
        refused(
            req,
            StatusCode::BAD_REQUEST,
            "invalid_approval_id",
            "approval_id is unknown, already decided or expired.",
        )
    };
    let Some(id) = approval_id.filter(|id| !id.is_empty()) else {
        return Ok(not_pending());
    };
    let Some(approval) = approvals::find(state, &meta(req), id)
        .await?
        .filter(|a| a.state == ApprovalState::Pending)
    else {
        return Ok(not_pending());
    };
    let user_id = approval.user_id.clone();
    let Some(user) = state
        .store
        .run(move |c| store::users::find_user(c, &user_id))
        .await?
        .filter(|u| u.can_sign_in())
    else {
        return Ok(not_pending());
    };
    let verification = login_codes::open(
        state,
        Opening {
            request_id: Some(&approval.id),
            user: Some(&user),
            alias: uuid::Uuid::new_v4().to_string(),
            method,
            usage: UsageType::Transaction,
            medium_id: None,
        },
    );
    let mut shown = Map::new();
    shown.insert("approval_id".into(), json!(approval.id));
    shown.insert("approval_data".into(), Value::Object(approval.data.clone()));
    shown.insert(
        "approval_expires_at".into(),
        json!(iso8601(approval.expires_at)),
    );
    started(state, verification, &mask_email(&user.email), shown).await
}

/// Checks `code` for the approval that `verification` was started for, and approves it.
pub async fn verify(
    state: &AppState,
    req: &HttpRequest,
    verification: &Verification,
    code: &str,
) -> Result<HttpResponse, WebError> {
    let gone = || {
        refused(
            req,
            StatusCode::BAD_REQUEST,
            "invalid_exchange_id",
            "exchange_id is unknown, used or expired. Start again.",
        )
    };
    let (Some(approval_id), Some(user_id)) = (&verification.request_id, &verification.user_id)
    else {
        return Ok(gone());
    };
    let Some(approval) = approvals::find(state, &meta(req), approval_id).await? else {
        return Ok(gone());
    };
    let lookup = user_id.clone();
    let Some(user) = state
        .store
        .run(move |c| store::users::find_user(c, &lookup))
        .await?
        .filter(|u| u.can_sign_in() && u.id == approval.user_id)
    else {
        return Ok(gone());
    };
    let outcome = approvals::approve(
        state,
        &meta(req),
        &approval,
        &user,
        code,
        Guesser::Anonymous,
    )
    .await?;
    let artifact = match outcome {
        DecideOutcome::Approved { artifact } => artifact,
        DecideOutcome::Code(TotpOutcome::Locked { until } | TotpOutcome::LockedNow { until }) => {
            return Ok(envelope::error(
                req,
                StatusCode::TOO_MANY_REQUESTS,
                "authenticator_locked",
                "AuthenticatorLocked",
                &crate::web::words::totp_locked(&crate::web::words::english(), until),
            ));
        }
        DecideOutcome::Code(_) => {
            return Ok(envelope::error(
                req,
                StatusCode::UNAUTHORIZED,
                "invalid_code",
                "VerificationFailed",
                "The code is not correct.",
            ));
        }
        DecideOutcome::NotPending(now) => {
            return Ok(refused(
                req,
                StatusCode::CONFLICT,
                "approval_not_pending",
                &format!("This approval is already {now}."),
            ));
        }
        DecideOutcome::Declined => return Ok(gone()),
    };
    // The exchange is spent with the approval: nothing finishes a login with it.
    let (exchange, now) = (verification.exchange_id.clone(), state.now());
    let spent = uuid::Uuid::new_v4().to_string();
    state
        .store
        .run(move |c| {
            store::verifications::advance(
                c,
                &exchange,
                State::Initiated,
                State::Consumed,
                &spent,
                now + EXCHANGE_TTL,
                now,
            )
        })
        .await?;
    Ok(envelope::ok(json!({
        "sub": verification.alias,
        "status_id": verification.status_id,
        "approval_id": approval_id,
        "state": "approved",
        "artifact": artifact,
    })))
}
