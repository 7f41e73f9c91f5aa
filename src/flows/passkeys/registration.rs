//! Registering a passkey for a signed-in user: options for `navigator.credentials.create`, then
//! the browser's answer checked by webauthn-rs (origin, challenge, user verification,
//! signature) and stored with its counter and backup flags. Discoverable credentials are asked
//! for (resident key required), so the passkey can later sign in without an email typed.

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use webauthn_rs::prelude::{
    CredentialID, Passkey as WebauthnPasskey, PasskeyRegistration, RegisterPublicKeyCredential,
    Uuid,
};

use super::super::audit::{self, Audit};
use super::super::{AppState, FlowError, RequestMeta};
use super::{Started, relying_party, save_ceremony, take_ceremony};
use crate::domain::passkey::{CeremonyKind, Passkey, clean_name};
use crate::domain::user::User;
use crate::store;

/// At most this many passkeys per user.
pub const MAX_PER_USER: usize = 10;

/// Why a registration was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterRefusal {
    /// The name is empty, too long or has control characters (the text says which).
    Name(&'static str),
    /// The ceremony is unknown, used, expired or another user's.
    UnknownCeremony,
    /// The answer is not a WebAuthn credential, or does not verify.
    Invalid,
    /// This credential is registered already.
    Duplicate,
    /// The user has [`MAX_PER_USER`] passkeys.
    TooMany,
}

/// The WebAuthn user handle of `user`: their id (a UUID) as bytes.
pub fn user_handle(user_id: &str) -> Result<Uuid, FlowError> {
    Ok(Uuid::parse_str(user_id).context("user id is not a UUID")?)
}

/// Starts registering a passkey for `user`: `None` when they have [`MAX_PER_USER`] already.
pub async fn start(state: &AppState, user: &User) -> Result<Option<Started>, FlowError> {
    let existing = super::list(state, &user.id).await?;
    if existing.len() >= MAX_PER_USER {
        return Ok(None);
    }
    let exclude = existing
        .iter()
        .filter_map(|p| URL_SAFE_NO_PAD.decode(&p.credential_id).ok())
        .map(CredentialID::from)
        .collect::<Vec<_>>();
    let display = user.name.clone().unwrap_or_else(|| user.email.clone());
    let (options, ceremony) = relying_party(state)?
        .start_passkey_registration(user_handle(&user.id)?, &user.email, &display, Some(exclude))
        .context("passkey registration options")?;
    let mut options = serde_json::to_value(&options).context("registration options")?;
    // A discoverable credential, so "Sign in with a passkey" needs no email. webauthn-rs asks
    // for none by default; its registration check does not depend on it.
    if let Some(selection) = options
        .pointer_mut("/publicKey/authenticatorSelection")
        .and_then(serde_json::Value::as_object_mut)
    {
        selection.insert("residentKey".into(), "required".into());
        selection.insert("requireResidentKey".into(), true.into());
    }
    let ceremony_id =
        save_ceremony(state, Some(&user.id), CeremonyKind::Register, &ceremony).await?;
    Ok(Some(Started {
        ceremony_id,
        options,
    }))
}

/// Finishes the registration `ceremony_id` of `user` with the browser's `credential` (JSON of a
/// `PublicKeyCredential` from `navigator.credentials.create`), named `name`.
pub async fn finish(
    state: &AppState,
    meta: &RequestMeta,
    user: &User,
    ceremony_id: &str,
    credential: &str,
    name: &str,
) -> Result<Result<Passkey, RegisterRefusal>, FlowError> {
    let name = match clean_name(name) {
        Ok(name) => name,
        Err(why) => return Ok(Err(RegisterRefusal::Name(why))),
    };
    let Some((owner, ceremony)) =
        take_ceremony::<PasskeyRegistration>(state, ceremony_id, CeremonyKind::Register).await?
    else {
        return Ok(Err(RegisterRefusal::UnknownCeremony));
    };
    if owner.as_deref() != Some(user.id.as_str()) {
        return Ok(Err(RegisterRefusal::UnknownCeremony));
    }
    let Ok(answer) = serde_json::from_str::<RegisterPublicKeyCredential>(credential) else {
        return Ok(Err(RegisterRefusal::Invalid));
    };
    let made: WebauthnPasskey =
        match relying_party(state)?.finish_passkey_registration(&answer, &ceremony) {
            Ok(made) => made,
            Err(e) => {
                let event = Audit::failure("passkey.register")
                    .by_owner(&user.id)
                    .detail(format!("not verified: {e}"));
                audit::record(state, meta, event).await;
                return Ok(Err(RegisterRefusal::Invalid));
            }
        };
    // The flags and counter the authenticator reported at registration (the library keeps them
    // in its credential and offers no accessor).
    let credential = serde_json::to_value(&made).context("passkey credential")?;
    let flag = |name: &str| credential.pointer(&format!("/cred/{name}")) == Some(&true.into());
    let counter = credential
        .pointer("/cred/counter")
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(0);
    let now = state.now();
    let passkey = Passkey {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: user.id.clone(),
        name,
        credential_id: URL_SAFE_NO_PAD.encode(made.cred_id().as_ref()),
        credential: credential.to_string(),
        counter,
        backup_eligible: flag("backup_eligible"),
        backup_state: flag("backup_state"),
        created_at: now,
        last_used_at: None,
    };
    let (row, user_id) = (passkey.clone(), user.id.clone());
    let stored = state
        .store
        .run(move |c| {
            if store::passkeys::count_user_passkeys(c, &user_id)? >= MAX_PER_USER as i64 {
                return Ok(Err(RegisterRefusal::TooMany));
            }
            match store::passkeys::insert_passkey(c, &row) {
                Ok(()) => Ok(Ok(())),
                Err(store::StoreError::Conflict(_)) => Ok(Err(RegisterRefusal::Duplicate)),
                Err(e) => Err(e),
            }
        })
        .await?;
    if let Err(refusal) = stored {
        return Ok(Err(refusal));
    }
    let event = Audit::success("passkey.register")
        .by_owner(&user.id)
        .detail(format!(
            "passkey {} named {:?}{}",
            passkey.id,
            passkey.name,
            if passkey.backup_eligible {
                ", synced"
            } else {
                ""
            }
        ));
    audit::record(state, meta, event).await;
    Ok(Ok(passkey))
}
