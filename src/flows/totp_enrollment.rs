//! Enrolling an authenticator app (API.md §4 "TOTP enrollment", Mosaic "Register TOTP"), for
//! the account page, the JSON setup endpoints and a sign-in that must enroll: start creates a
//! pending authenticator and its verification; confirm activates it with a correct code, whose
//! time-step is recorded so that code cannot then sign anyone in. During a sign-in, only the
//! sign-in state machine's `EnrollTicket` lets an adapter get here (see `flows::sign_in`).

use super::{AppState, FlowError};
use crate::crypto::random_bytes;
use crate::domain::totp;
use crate::domain::user::User;
use crate::domain::verification::{
    Authenticator, EXCHANGE_TTL, LoginTrack, Method, State, UsageType, Verification,
};
use crate::store;

/// The label an authenticator app shows when the user gives none.
pub const DEFAULT_LABEL: &str = "Authenticator app";

/// A new pending authenticator and its verification, as shown to the user.
pub struct Enrollment {
    pub verification: Verification,
    pub secret_base32: String,
    pub uri: String,
    pub label: String,
}

/// What a user is told when no more authenticators may be added.
pub fn limit_message(max: u32) -> String {
    if max == 1 {
        "Only one authenticator app is allowed. Remove it before adding another.".into()
    } else {
        format!("You already have {max} authenticator apps. Remove one before adding another.")
    }
}

/// Why an enrollment cannot start.
pub enum EnrollRefusal {
    LimitReached(u32),
}

/// Starts enrolling a TOTP for `user` (shared by the JSON API and the account page).
pub async fn start_enrollment(
    state: &AppState,
    user: &User,
    label: Option<&str>,
    track: Option<&LoginTrack>,
) -> Result<Result<Enrollment, EnrollRefusal>, FlowError> {
    let user_id = user.id.clone();
    let existing = state
        .store
        .run(move |c| store::authenticators::list_user_authenticators(c, &user_id))
        .await?;
    let active = existing.iter().filter(|a| a.active).count() as u32;
    let max = match state.live().config.totp_mode.as_str() {
        "single_block" => 1,
        "single_override" => u32::MAX, // the new one replaces the old on confirmation
        _ => state.live().config.totp_max_per_user,
    };
    if active >= max {
        return Ok(Err(EnrollRefusal::LimitReached(max)));
    }
    let label = label
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .unwrap_or(DEFAULT_LABEL)
        .chars()
        .take(64)
        .collect::<String>();
    let secret = random_bytes::<20>(); // 160 bits, RFC 4226 §4 recommendation
    // validate() checked these at start; the default only guards against an impossible error.
    let params = state.live().config.totp_params().unwrap_or_default();
    let now = state.now();
    let authenticator = Authenticator {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: user.id.clone(),
        label: label.clone(),
        sealed_secret: state.sealer.seal(&secret),
        params,
        active: false,
        last_used_step: None,
        failure_count: 0,
        locked_until: None,
        recent_offsets: Vec::new(),
        created_at: now,
        last_used_at: None,
    };
    let verification = Verification {
        status_id: uuid::Uuid::new_v4().to_string(),
        exchange_id: uuid::Uuid::new_v4().to_string(),
        exchange_expires_at: now + EXCHANGE_TTL,
        // During a login (a track), the enrollment is the second factor of that login.
        request_id: track.map(|t| t.request_id.clone()),
        user_id: Some(user.id.clone()),
        alias: track
            .map(|t| t.alias.clone())
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        method: Method::Totp,
        usage_type: UsageType::Setup,
        medium_id: Some(authenticator.id.clone()),
        state: State::Initiated,
        created_at: now,
        expires_at: now + EXCHANGE_TTL,
    };
    let (a, v) = (authenticator.clone(), verification.clone());
    state
        .store
        .run(move |c| {
            store::authenticators::insert_authenticator(c, &a)?;
            store::verifications::insert_verification(c, &v)
        })
        .await?;
    let issuer = state.live().config.totp_issuer.clone();
    Ok(Ok(Enrollment {
        uri: totp::provisioning_uri(
            &secret,
            params,
            &issuer,
            &format!("{} ({label})", user.email),
        ),
        secret_base32: totp::secret_base32(&secret),
        verification,
        label,
    }))
}

/// What confirming an enrollment did.
pub enum Confirmation {
    /// Active now; the verification carries the status_id (and alias) of the enrollment.
    Enrolled(Box<(Authenticator, Verification)>),
    WrongCode,
    Expired,
}

/// Confirms an enrollment with a code from the app (shared by the JSON API and the account page).
pub async fn confirm_enrollment(
    state: &AppState,
    user: &User,
    exchange_id: &str,
    code: &str,
    label: Option<&str>,
) -> Result<Confirmation, FlowError> {
    let now = state.now();
    let lookup = exchange_id.to_owned();
    let found = state
        .store
        .run(move |c| store::verifications::find_by_exchange(c, &lookup))
        .await?;
    let Some(v) = found.filter(|v| {
        v.exchange_usable(now)
            && v.usage_type == UsageType::Setup
            && v.user_id.as_deref() == Some(user.id.as_str())
    }) else {
        return Ok(Confirmation::Expired);
    };
    let Some(medium) = v.medium_id.clone() else {
        return Ok(Confirmation::Expired);
    };
    let Some(authenticator) = state
        .store
        .run(move |c| store::authenticators::find_authenticator(c, &medium))
        .await?
        .filter(|a| !a.active)
    else {
        return Ok(Confirmation::Expired);
    };
    let secret = state
        .sealer
        .open(&authenticator.sealed_secret)
        .map_err(|e| FlowError::Internal(e.into()))?;
    let Some(matched) = totp::verify(
        &secret,
        authenticator.params,
        code,
        now,
        state.live().config.totp_window,
        None,
    ) else {
        return Ok(Confirmation::WrongCode);
    };
    let (id, exchange, new_exchange) = (
        authenticator.id.clone(),
        exchange_id.to_owned(),
        uuid::Uuid::new_v4().to_string(),
    );
    let label = label
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.chars().take(64).collect::<String>());
    let user_id = user.id.clone();
    let replace_others = state.live().config.totp_mode == "single_override";
    // Bound to a login: it stays verified until /login-srv/precheck/continue consumes it.
    let finished_state = if v.request_id.is_some() {
        State::Verified
    } else {
        State::Consumed
    };
    let activated = state
        .store
        .run(move |c| {
            store::write_transaction(c, |c| {
                if !store::verifications::advance(
                    c,
                    &exchange,
                    State::Initiated,
                    finished_state,
                    &new_exchange,
                    now,
                    now,
                )? {
                    return Ok(false);
                }
                if let Some(label) = &label {
                    store::authenticators::rename_authenticator(c, &id, &user_id, label)?;
                }
                if replace_others {
                    store::authenticators::delete_other_authenticators(c, &user_id, &id)?;
                }
                store::authenticators::activate_authenticator(c, &id, matched.step)
            })
        })
        .await?;
    if !activated {
        return Ok(Confirmation::Expired);
    }
    let id = authenticator.id.clone();
    let enrolled = state
        .store
        .run(move |c| store::authenticators::find_authenticator(c, &id))
        .await?
        .unwrap_or(authenticator);
    Ok(Confirmation::Enrolled(Box::new((enrolled, v))))
}
