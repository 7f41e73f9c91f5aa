//! Signing in (or confirming a second factor) with a passkey: options for
//! `navigator.credentials.get`, then the browser's assertion checked by webauthn-rs (origin,
//! challenge, user verification, signature) against the stored credential it names.
//!
//! Checks in order: the ceremony is live and unused (taken once); the credential is registered
//! (a removed passkey is unknown); it is the ceremony's user's (and, for a discoverable sign-in,
//! the user handle names its owner); the signature verifies; the signature counter grew
//! (W3C WebAuthn §7.2 step 21 — a counter that goes back is refused and audited as
//! `passkey.counter_regression`); the new counter is stored compare-and-set, so two uses of one
//! counter value cannot both succeed.

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, Passkey as WebauthnPasskey, PasskeyAuthentication,
    PublicKeyCredential, WebauthnError,
};

use super::super::audit::{self, Audit};
use super::super::{AppState, FlowError, RequestMeta};
use super::{Started, relying_party, save_ceremony, take_ceremony};
use crate::domain::passkey::{CeremonyKind, Passkey, counter_may_follow};
use crate::domain::sign_in::PasskeyFacts;
use crate::store;

/// A passkey assertion that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asserted {
    pub user_id: String,
    pub passkey_id: String,
    pub facts: PasskeyFacts,
}

/// Why an assertion was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssertRefusal {
    /// The ceremony is unknown, used or expired (a replayed answer lands here).
    UnknownCeremony,
    /// Not a WebAuthn assertion, or it does not verify.
    Invalid,
    /// No passkey is registered under the credential it names (or it was removed).
    UnknownCredential,
    /// The credential is another user's than the one signing in.
    AnotherUser,
    /// The signature counter did not grow: a cloned authenticator, or a replay.
    CounterRegression,
}

/// Options for an assertion by one of `user_id`'s passkeys; `None` when they have none.
pub async fn start_for_user(state: &AppState, user_id: &str) -> Result<Option<Started>, FlowError> {
    let passkeys = super::list(state, user_id).await?;
    if passkeys.is_empty() {
        return Ok(None);
    }
    let creds = passkeys
        .iter()
        .map(|p| serde_json::from_str::<WebauthnPasskey>(&p.credential))
        .collect::<Result<Vec<_>, _>>()
        .context("stored passkey credential")?;
    let (options, ceremony) = relying_party(state)?
        .start_passkey_authentication(&creds)
        .context("passkey assertion options")?;
    let ceremony_id =
        save_ceremony(state, Some(user_id), CeremonyKind::Authenticate, &ceremony).await?;
    Ok(Some(Started {
        ceremony_id,
        options: serde_json::to_value(&options).context("assertion options")?,
    }))
}

/// Options for a discoverable assertion: the authenticator offers the passkeys it holds for this
/// site, and the one chosen names its user (no email typed).
pub async fn start_discoverable(state: &AppState) -> Result<Started, FlowError> {
    let (mut options, ceremony) = relying_party(state)?
        .start_discoverable_authentication()
        .context("discoverable assertion options")?;
    // A button press, not the autofill (conditional) prompt: the page asks when the user does.
    options.mediation = None;
    let ceremony_id = save_ceremony(state, None, CeremonyKind::Discover, &ceremony).await?;
    Ok(Started {
        ceremony_id,
        options: serde_json::to_value(&options).context("assertion options")?,
    })
}

/// Finishes the assertion ceremony `ceremony_id` with the browser's `credential` (JSON of a
/// `PublicKeyCredential` from `navigator.credentials.get`). A ceremony started for a user takes
/// only that user's passkeys; a discoverable one takes the passkey's owner.
pub async fn finish(
    state: &AppState,
    meta: &RequestMeta,
    ceremony_id: &str,
    credential: &str,
) -> Result<Result<Asserted, AssertRefusal>, FlowError> {
    let answer = serde_json::from_str::<PublicKeyCredential>(credential).ok();
    // Both kinds are tried by id; an id names one row, whose kind decides how it is checked.
    let by_user =
        take_ceremony::<PasskeyAuthentication>(state, ceremony_id, CeremonyKind::Authenticate)
            .await?;
    let discover = match by_user {
        Some(_) => None,
        None => {
            take_ceremony::<DiscoverableAuthentication>(state, ceremony_id, CeremonyKind::Discover)
                .await?
        }
    };
    if by_user.is_none() && discover.is_none() {
        return Ok(Err(AssertRefusal::UnknownCeremony));
    }
    let Some(answer) = answer else {
        return Ok(Err(AssertRefusal::Invalid));
    };
    let credential_id = URL_SAFE_NO_PAD.encode(answer.get_credential_id());
    let lookup = credential_id.clone();
    let Some(passkey) = state
        .store
        .run(move |c| store::passkeys::find_by_credential_id(c, &lookup))
        .await?
    else {
        let event = Audit::failure("login.passkey").detail("unknown or removed passkey".into());
        audit::record(state, meta, event).await;
        return Ok(Err(AssertRefusal::UnknownCredential));
    };
    let rp = relying_party(state)?;
    let stored: WebauthnPasskey =
        serde_json::from_str(&passkey.credential).context("stored passkey credential")?;
    let checked = match (by_user, discover) {
        (Some((owner, ceremony)), _) => {
            if owner.as_deref() != Some(passkey.user_id.as_str()) {
                return refuse(state, meta, &passkey, AssertRefusal::AnotherUser).await;
            }
            rp.finish_passkey_authentication(&answer, &ceremony)
        }
        (None, Some((_, ceremony))) => {
            let handle_owner = rp
                .identify_discoverable_authentication(&answer)
                .ok()
                .map(|(handle, _)| handle.to_string());
            if handle_owner.as_deref() != Some(passkey.user_id.as_str()) {
                return refuse(state, meta, &passkey, AssertRefusal::AnotherUser).await;
            }
            let key = DiscoverableKey::from(&stored);
            rp.finish_discoverable_authentication(&answer, ceremony, &[key])
        }
        (None, None) => return Ok(Err(AssertRefusal::UnknownCeremony)),
    };
    let result = match checked {
        Ok(result) => result,
        Err(WebauthnError::CredentialPossibleCompromise) => {
            return refuse(state, meta, &passkey, AssertRefusal::CounterRegression).await;
        }
        Err(e) => {
            tracing::info!(error = %e, "passkey assertion not verified");
            return refuse(state, meta, &passkey, AssertRefusal::Invalid).await;
        }
    };
    let reported = i64::from(result.counter());
    if !counter_may_follow(passkey.counter, reported) {
        return refuse(state, meta, &passkey, AssertRefusal::CounterRegression).await;
    }
    let mut updated_cred = stored;
    updated_cred.update_credential(&result);
    let updated = Passkey {
        counter: reported,
        credential: serde_json::to_string(&updated_cred).context("passkey credential")?,
        backup_state: result.backup_state(),
        last_used_at: Some(state.now()),
        ..passkey.clone()
    };
    let expected = passkey.counter;
    let row = updated.clone();
    if !state
        .store
        .run(move |c| store::passkeys::record_use(c, &row, expected))
        .await?
    {
        // Another assertion moved the counter first: this one is no longer the newest.
        return refuse(state, meta, &passkey, AssertRefusal::CounterRegression).await;
    }
    Ok(Ok(Asserted {
        user_id: passkey.user_id.clone(),
        passkey_id: passkey.id.clone(),
        facts: PasskeyFacts {
            user_verified: result.user_verified(),
            backup_eligible: result.backup_eligible() || passkey.backup_eligible,
        },
    }))
}

async fn refuse(
    state: &AppState,
    meta: &RequestMeta,
    passkey: &Passkey,
    why: AssertRefusal,
) -> Result<Result<Asserted, AssertRefusal>, FlowError> {
    let event = match why {
        AssertRefusal::CounterRegression => Audit::failure("passkey.counter_regression").detail(
            format!(
                "passkey {} ({:?}): the signature counter did not grow past {} — a cloned authenticator?",
                passkey.id, passkey.name, passkey.counter
            ),
        ),
        AssertRefusal::AnotherUser => Audit::failure("login.passkey")
            .detail(format!("passkey {} used for another account", passkey.id)),
        _ => Audit::failure("login.passkey").detail(format!("passkey {} not verified", passkey.id)),
    };
    audit::record(state, meta, event.user(&passkey.user_id)).await;
    Ok(Err(why))
}
