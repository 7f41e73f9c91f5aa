//! A user renaming or removing their own authenticator apps and push devices — ONE copy for the
//! account page and the end-user JSON API (`/verification-srv/v2/setup/totp/…`,
//! `…/push/devices/…`). Who may call is the caller's business (a fresh sign-in or the factors
//! scope); here: only the owner's own factor changes, and every change is audited as theirs.

use super::audit::{self, Audit};
use super::{AppState, FlowError, RequestMeta};
use crate::store;

/// The longest name of an authenticator or device (characters).
pub const MAX_LABEL_CHARS: usize = 64;

/// Which kind of factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Totp,
    PushDevice,
}

impl Kind {
    fn audit_name(self, what: &str) -> String {
        match self {
            Kind::Totp => format!("totp.{what}"),
            Kind::PushDevice => format!("push_device.{what}"),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Totp => "authenticator",
            Kind::PushDevice => "device",
        }
    }
}

/// What a change came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Done,
    /// Not the owner's (or no such factor): the same answer for both, so ids of other users'
    /// factors cannot be probed.
    NotFound,
    /// The new name is empty once trimmed.
    EmptyName,
}

/// A name as typed: trimmed, on one line, at most [`MAX_LABEL_CHARS`].
pub fn clean_label(label: &str) -> String {
    label
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_LABEL_CHARS)
        .collect()
}

/// The current name of the owner's active factor `id`.
async fn own_label(
    state: &AppState,
    kind: Kind,
    owner: &str,
    id: &str,
) -> Result<Option<String>, FlowError> {
    let (owner, id) = (owner.to_owned(), id.to_owned());
    Ok(state
        .store
        .run(move |c| {
            Ok(match kind {
                Kind::Totp => store::authenticators::find_authenticator(c, &id)?
                    .filter(|a| a.user_id == owner && a.active)
                    .map(|a| a.label),
                Kind::PushDevice => store::push_devices::find_device(c, &id)?
                    .filter(|d| d.user_id == owner)
                    .map(|d| d.label),
            })
        })
        .await?)
}

pub async fn rename(
    state: &AppState,
    meta: &RequestMeta,
    kind: Kind,
    owner: &str,
    id: &str,
    label: &str,
) -> Result<Change, FlowError> {
    let label = clean_label(label);
    let Some(before) = own_label(state, kind, owner, id).await? else {
        return Ok(Change::NotFound);
    };
    if label.is_empty() {
        return Ok(Change::EmptyName);
    }
    let (lookup, user_id, new_label) = (id.to_owned(), owner.to_owned(), label.clone());
    let renamed = state
        .store
        .run(move |c| match kind {
            Kind::Totp => {
                store::authenticators::rename_authenticator(c, &lookup, &user_id, &new_label)
            }
            Kind::PushDevice => {
                store::push_devices::rename_device(c, &lookup, &user_id, &new_label)
            }
        })
        .await?;
    if !renamed {
        return Ok(Change::NotFound);
    }
    let event = Audit::success(&kind.audit_name("rename"))
        .by_owner(owner)
        .detail(format!(
            "{} {id}: {}",
            kind.noun(),
            audit::changes(&[("label", before, label)])
        ));
    audit::record(state, meta, event).await;
    Ok(Change::Done)
}

pub async fn remove(
    state: &AppState,
    meta: &RequestMeta,
    kind: Kind,
    owner: &str,
    id: &str,
) -> Result<Change, FlowError> {
    let Some(label) = own_label(state, kind, owner, id).await? else {
        return Ok(Change::NotFound);
    };
    let (lookup, user_id) = (id.to_owned(), owner.to_owned());
    let removed = state
        .store
        .run(move |c| match kind {
            Kind::Totp => store::authenticators::delete_authenticator(c, &lookup, &user_id),
            Kind::PushDevice => store::push_devices::delete_device(c, &lookup, &user_id),
        })
        .await?;
    if !removed {
        return Ok(Change::NotFound);
    }
    let (action, noun) = match kind {
        // Mosaic calls removing an authenticator its revocation.
        Kind::Totp => (kind.audit_name("revoke"), kind.noun()),
        Kind::PushDevice => (kind.audit_name("remove"), kind.noun()),
    };
    let event = Audit::success(&action)
        .by_owner(owner)
        .detail(format!("{noun} {id} ({label}) removed by its owner"));
    audit::record(state, meta, event).await;
    Ok(Change::Done)
}
