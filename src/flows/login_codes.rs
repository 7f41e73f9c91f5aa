//! Sign-in codes by email, SMS or push — ONE copy for the hosted pages ("Email me a code", the
//! code choices of /mfa) and the JSON verification service (initiate, verify, resend): a
//! verification is opened and its code sent, a typed code is checked into a [`Proof`] of the
//! verification's user, the same code is sent again. What the proof is worth (first factor,
//! second factor, nothing) is the sign-in state machine's to say, not this module's.

use super::branding::Sender;
use super::codes::{self, Checked, Destination, Recipient, Resent, Sent};
use super::{AppState, FlowError};
use crate::domain::one_time_code::{Channel, OneTimeCode, Purpose};
use crate::domain::policy::Guesser;
use crate::domain::sign_in::Proof;
use crate::domain::user::User;
use crate::domain::verification::{EXCHANGE_TTL, Method, State, UsageType, Verification};
use crate::store;

/// What a new verification is for.
pub struct Opening<'a> {
    /// The authorization request it belongs to (`None` outside a sign-in).
    pub request_id: Option<&'a str>,
    /// `None` when the name matched nobody: the flow runs on alike and fails at the check.
    pub user: Option<&'a User>,
    /// The `sub`/`q` the client knows the sign-in by (the track's alias for a second step).
    pub alias: String,
    pub method: Method,
    pub usage: UsageType,
    pub medium_id: Option<String>,
}

/// The one place a verification is made: ids, exchange and lifetimes.
pub fn open(state: &AppState, opening: Opening<'_>) -> Verification {
    let now = state.now();
    Verification {
        status_id: uuid::Uuid::new_v4().to_string(),
        exchange_id: uuid::Uuid::new_v4().to_string(),
        exchange_expires_at: now + EXCHANGE_TTL,
        request_id: opening.request_id.map(str::to_owned),
        user_id: opening.user.map(|u| u.id.clone()),
        alias: opening.alias,
        method: opening.method,
        usage_type: opening.usage,
        medium_id: opening.medium_id,
        state: State::Initiated,
        created_at: now,
        expires_at: now + state.lifetimes.request,
    }
}

/// What starting a code came to.
pub enum Started {
    /// The code went out and the verification is stored.
    Sent {
        verification: Verification,
        code: OneTimeCode,
    },
    /// A code for the same request, user, channel and step went out moments ago: nothing new
    /// was sent or stored; the live verification it belongs to is the one to continue (the
    /// cidaas way to resend is to initiate again).
    Again {
        verification: Verification,
        code: OneTimeCode,
    },
    /// Nothing was stored: why (too soon, locked, unavailable, failed).
    NotSent(Sent),
}

/// Sends the code of `verification` by `channel` and stores the verification when it went out.
/// `typed_name` is what the person typed (for an unknown name the code goes nowhere, at the
/// same pace as real deliveries).
pub async fn start(
    state: &AppState,
    verification: Verification,
    channel: Channel,
    user: Option<&User>,
    typed_name: &str,
    lang: &str,
) -> Result<Started, FlowError> {
    let app = request_sender(state, verification.request_id.as_deref()).await?;
    let to = Recipient {
        user,
        typed_name,
        device_id: verification.medium_id.as_deref(),
        destination: Destination::Account,
        lang,
    };
    let ttl = state.live().code_policy_for(channel).ttl;
    let sent = codes::send_new(
        state,
        &verification.status_id,
        Purpose::Login,
        channel,
        &to,
        &app,
        ttl,
    )
    .await?;
    let code = match sent {
        Sent::Sent(code) => code,
        Sent::TooSoon { existing, wait } => {
            return Ok(
                match same_exchange(state, &verification, &existing).await? {
                    Some(live) => Started::Again {
                        verification: live,
                        code: existing,
                    },
                    None => Started::NotSent(Sent::TooSoon { existing, wait }),
                },
            );
        }
        other => return Ok(Started::NotSent(other)),
    };
    let row = verification.clone();
    state
        .store
        .run(move |c| store::verifications::insert_verification(c, &row))
        .await?;
    Ok(Started::Sent { verification, code })
}

/// The verification of the code `existing` (sent moments ago) when it is the same step as the
/// new one `wanted`: the same request, user, method and use (and, for a second step, the same
/// login track), still waiting for its code with a live exchange.
async fn same_exchange(
    state: &AppState,
    wanted: &Verification,
    existing: &OneTimeCode,
) -> Result<Option<Verification>, FlowError> {
    if wanted.request_id.is_none() {
        return Ok(None);
    }
    let (id, now) = (existing.id.clone(), state.now());
    Ok(state
        .store
        .run(move |c| store::verifications::find_by_status(c, &id))
        .await?
        .filter(|v| {
            v.request_id == wanted.request_id
                && v.user_id == wanted.user_id
                && v.method == wanted.method
                && v.usage_type == wanted.usage_type
                && (v.usage_type != UsageType::MultifactorAuthentication || v.alias == wanted.alias)
                && v.medium_id == wanted.medium_id
                && v.state == State::Initiated
                && v.exchange_usable(now)
        }))
}

/// What checking a typed code came to.
#[derive(Debug, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right, and now used: a proof of the verification's user (never of anyone else).
    Accepted(Proof),
    Wrong,
    Locked {
        until: i64,
    },
    /// Used already, or expired.
    Expired,
}

/// Checks `typed` against the code of `verification`, guessed `by` (an anonymous guesser
/// never locks the channel for good).
pub async fn check(
    state: &AppState,
    verification: &Verification,
    typed: &str,
    by: Guesser,
) -> Result<CodeCheck, FlowError> {
    Ok(
        match codes::check(state, &verification.status_id, Purpose::Login, typed, by).await? {
            Checked::Accepted { user_id } if verification.user_id.as_deref() == Some(&user_id) => {
                CodeCheck::Accepted(Proof::new(&user_id, verification.method, state.now()))
            }
            Checked::Accepted { .. } | Checked::Wrong => CodeCheck::Wrong,
            Checked::Locked { until } => CodeCheck::Locked { until },
            Checked::Expired => CodeCheck::Expired,
        },
    )
}

/// The same code again, to the same place, once the cooldown has passed.
pub async fn resend(
    state: &AppState,
    verification: &Verification,
    lang: &str,
) -> Result<Resent, FlowError> {
    let app = request_sender(state, verification.request_id.as_deref()).await?;
    codes::resend(state, &verification.status_id, &app, lang).await
}

/// Who the messages of a sign-in request are from: its application's name and logo (our own
/// name outside a sign-in).
pub async fn request_sender(
    state: &AppState,
    request_id: Option<&str>,
) -> Result<Sender, FlowError> {
    let Some(request_id) = request_id.map(str::to_owned) else {
        return Ok(Sender::installation(state));
    };
    let client_id = state
        .store
        .run(move |c| store::requests::find_request(c, &request_id))
        .await?
        .map(|request| request.request.client_id);
    Ok(super::branding::sender(state, client_id.as_deref()).await?)
}
