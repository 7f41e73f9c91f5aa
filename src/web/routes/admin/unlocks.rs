//! Clearing a lock, as the Lockouts page and a user's page both do: an authenticator app, or a
//! run of wrong codes or passwords (`code_lockouts`). Each returns what was locked, for the
//! audit trail's before → after; `None` when there was no such lock.

use super::changes;
use super::user_detail::channel_name;
use crate::domain::one_time_code::subject_for_user;
use crate::flows::AppState;
use crate::store;
use crate::web::authenticator_view::lock_status;
use crate::web::error::WebError;

/// What an unlock cleared.
pub(super) struct Unlocked {
    /// The account, or `None` for a name that matches no account.
    pub user_id: Option<String>,
    /// What it was, in words ("authenticator … (Pixel)", "Password sign-in").
    pub what: String,
    pub locked_until: Option<i64>,
    pub failures: i64,
}

impl Unlocked {
    /// `what: lock: … → Not locked; consecutive failures: n → 0`.
    pub fn audit_detail(&self, now: i64) -> String {
        let lock =
            |until: Option<i64>| lock_status(until, now).unwrap_or_else(|| "Not locked".into());
        format!(
            "{}: {}",
            self.what,
            changes(&[
                ("lock", lock(self.locked_until), lock(None)),
                (
                    "consecutive failures",
                    self.failures.to_string(),
                    "0".into()
                ),
            ])
        )
    }
}

/// The account id in a lockout subject (`user:{id}`); `None` for an unknown name.
pub(super) fn subject_user(subject: &str) -> Option<&str> {
    subject.strip_prefix(subject_for_user("").as_str())
}

/// Unlocks authenticator `id` (only if it belongs to `owner`, when given).
pub(super) async fn unlock_authenticator(
    state: &AppState,
    id: String,
    owner: Option<String>,
) -> Result<Option<Unlocked>, WebError> {
    let found = state
        .store
        .run(
            move |c| match store::authenticators::find_authenticator(c, &id)? {
                Some(found) if owner.as_ref().is_none_or(|o| *o == found.user_id) => {
                    store::authenticators::unlock_authenticator(c, &id)?;
                    Ok(Some(found))
                }
                _ => Ok(None),
            },
        )
        .await?;
    Ok(found.map(|a| Unlocked {
        what: format!("authenticator {} ({})", a.id, a.label),
        user_id: Some(a.user_id),
        locked_until: a.locked_until,
        failures: a.failure_count.into(),
    }))
}

/// Clears the run of wrong codes or passwords of `subject` on `channel`.
pub(super) async fn unlock_channel(
    state: &AppState,
    subject: String,
    channel: String,
) -> Result<Option<Unlocked>, WebError> {
    let found = state
        .store
        .run(move |c| {
            let found = store::code_lockouts::find_lockout(c, &subject, &channel)?;
            if found.is_some() {
                store::code_lockouts::unlock_channel(c, &subject, &channel)?;
            }
            Ok(found)
        })
        .await?;
    Ok(found.map(|l| {
        let user_id = subject_user(&l.subject).map(str::to_owned);
        let whose = if user_id.is_some() {
            ""
        } else {
            " of an address with no account"
        };
        Unlocked {
            what: format!("{}{whose}", channel_name(&l.channel)),
            user_id,
            locked_until: l.locked_until,
            failures: l.failure_count.into(),
        }
    }))
}
