//! Passkeys (WebAuthn, W3C Level 3) with `webauthn-rs`: registering one on the account page
//! ([`registration`]), signing in or confirming a second factor with one ([`assertion`]), and the
//! list, rename and removal the account and admin pages share.
//!
//! The relying party is the public URL: its host is the RP id, its origin the only origin
//! accepted. Browsers refuse IP addresses as RP ids, so an issuer on a loopback address
//! (`http://127.0.0.1:8080`, the default) uses `localhost` on the same port instead.
//!
//! Ceremony state (the challenge and what the library needs to check the answer) is serialised
//! into `passkey_ceremonies` and taken once, so any instance can finish a ceremony and no answer
//! can be used twice. HTTP-free: no actix or askama here.

pub mod assertion;
pub mod registration;

use anyhow::Context;
use serde::Serialize;
use serde::de::DeserializeOwned;
use webauthn_rs::prelude::Url;
use webauthn_rs::{Webauthn, WebauthnBuilder};

use super::audit::{self, Audit};
use super::{AppState, FlowError, RequestMeta};
use crate::domain::passkey::{CEREMONY_TTL, Ceremony, CeremonyKind, Passkey, clean_name};
use crate::store;

/// The relying party: RP id and origin from the public URL (see the module docs).
pub fn relying_party(state: &AppState) -> Result<Webauthn, FlowError> {
    let mut origin = Url::parse(&state.issuer).context("public URL")?;
    let loopback = matches!(
        origin.host(),
        Some(url::Host::Ipv4(ip)) if ip.is_loopback()
    ) || matches!(origin.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback());
    if loopback {
        origin
            .set_host(Some("localhost"))
            .context("loopback public URL")?;
    }
    origin.set_path("");
    let rp_id = origin.host_str().unwrap_or("localhost").to_owned();
    let builder = WebauthnBuilder::new(&rp_id, &origin)
        .context("relying party")?
        .rp_name("Gatehouse");
    Ok(builder.build().context("relying party")?)
}

/// The origin pages must be served from for passkeys to work (see the module docs).
pub fn origin(state: &AppState) -> Result<String, FlowError> {
    let rp = relying_party(state)?;
    let origins = rp.get_allowed_origins();
    Ok(origins
        .first()
        .map(|o| o.as_str().trim_end_matches('/').to_owned())
        .unwrap_or_default())
}

/// Options for the browser (`navigator.credentials.create/get`) and the ceremony that checks
/// the answer.
#[derive(Debug, Clone)]
pub struct Started {
    pub ceremony_id: String,
    /// The `publicKey` options wrapped as WebAuthn's JSON (`{"publicKey": {…}}`).
    pub options: serde_json::Value,
}

/// Keeps a ceremony's state for [`CEREMONY_TTL`]; returns its id.
async fn save_ceremony(
    state: &AppState,
    user_id: Option<&str>,
    kind: CeremonyKind,
    value: &impl Serialize,
) -> Result<String, FlowError> {
    let ceremony = Ceremony {
        id: crate::crypto::random_token(32),
        user_id: user_id.map(str::to_owned),
        kind,
        state: serde_json::to_string(value).context("ceremony state")?,
        expires_at: state.now() + CEREMONY_TTL,
    };
    let id = ceremony.id.clone();
    state
        .store
        .run(move |c| store::passkeys::insert_ceremony(c, &ceremony))
        .await?;
    Ok(id)
}

/// Takes the ceremony `id` of `kind` (once): its user and state, `None` when it is unknown,
/// used or expired.
async fn take_ceremony<T: DeserializeOwned>(
    state: &AppState,
    id: &str,
    kind: CeremonyKind,
) -> Result<Option<(Option<String>, T)>, FlowError> {
    let (id, now) = (id.to_owned(), state.now());
    let Some(ceremony) = state
        .store
        .run(move |c| store::passkeys::take_ceremony(c, &id, kind, now))
        .await?
    else {
        return Ok(None);
    };
    let value = serde_json::from_str(&ceremony.state).context("stored ceremony state")?;
    Ok(Some((ceremony.user_id, value)))
}

/// A user's passkeys, oldest first.
pub async fn list(state: &AppState, user_id: &str) -> Result<Vec<Passkey>, FlowError> {
    let id = user_id.to_owned();
    Ok(state
        .store
        .run(move |c| store::passkeys::list_user_passkeys(c, &id))
        .await?)
}

/// Renames one of `user_id`'s passkeys: `Err` with what to tell the user for a bad name, or
/// `Ok(false)` when they have no passkey by that id.
pub async fn rename(
    state: &AppState,
    meta: &RequestMeta,
    user_id: &str,
    id: &str,
    name: &str,
) -> Result<Result<bool, &'static str>, FlowError> {
    let name = match clean_name(name) {
        Ok(name) => name,
        Err(why) => return Ok(Err(why)),
    };
    let (user, pid, new_name) = (user_id.to_owned(), id.to_owned(), name.clone());
    let renamed = state
        .store
        .run(move |c| store::passkeys::rename_passkey(c, &user, &pid, &new_name))
        .await?;
    if renamed {
        let event = Audit::success("passkey.rename")
            .by_owner(user_id)
            .detail(format!("passkey {id} named {name:?}"));
        audit::record(state, meta, event).await;
    }
    Ok(Ok(renamed))
}

/// Removes one of `user_id`'s passkeys; `actor` is who did it (the user, or an administrator).
/// False when they have no passkey by that id.
pub async fn remove(
    state: &AppState,
    meta: &RequestMeta,
    user_id: &str,
    id: &str,
    actor: &str,
) -> Result<bool, FlowError> {
    let (user, pid) = (user_id.to_owned(), id.to_owned());
    let removed = state
        .store
        .run(move |c| store::passkeys::delete_passkey(c, &user, &pid))
        .await?;
    if removed {
        let event = Audit::success("passkey.remove")
            .user(user_id)
            .actor(actor)
            .detail(format!("passkey {id}"));
        audit::record(state, meta, event).await;
    }
    Ok(removed)
}

/// What a verified passkey exchange keeps in its `medium_id`: the passkey and whether the user
/// was verified (`uv:<id>`, or `up:<id>` for user presence only).
pub fn verified_medium(asserted: &assertion::Asserted) -> String {
    let flag = if asserted.facts.user_verified {
        "uv"
    } else {
        "up"
    };
    format!("{flag}:{}", asserted.passkey_id)
}

/// The proof a verified verification `v` of `user_id` gives at `at`, for the sign-in core: for
/// a passkey, with what its assertion showed (see [`verified_medium`]) — `None` when the passkey
/// has been removed since, or is not the user's. Other methods prove just their method.
pub async fn verified_proof(
    state: &AppState,
    v: &crate::domain::verification::Verification,
    user_id: &str,
    at: i64,
) -> Result<Option<crate::domain::sign_in::Proof>, FlowError> {
    use crate::domain::sign_in::{PasskeyFacts, Proof};
    use crate::domain::verification::Method;
    if v.method != Method::Passkey {
        return Ok(Some(Proof::new(user_id, v.method, at)));
    }
    let Some((flag, passkey_id)) = v.medium_id.as_deref().and_then(|m| m.split_once(':')) else {
        return Ok(None);
    };
    let user_verified = flag == "uv";
    let (owner, pid) = (user_id.to_owned(), passkey_id.to_owned());
    let passkey = state
        .store
        .run(move |c| store::passkeys::list_user_passkeys(c, &owner))
        .await?
        .into_iter()
        .find(|p| p.id == pid);
    Ok(passkey.map(|p| {
        let facts = PasskeyFacts {
            user_verified,
            backup_eligible: p.backup_eligible,
        };
        Proof::passkey(user_id, facts, at)
    }))
}
