//! Every password check (hosted sign-in, the verification service, the account page) goes
//! through here: is the sign-in name locked → verify → count the failure or reset the count.
//! The lock is looked at BEFORE Argon2, so a locked name costs no hash; failures are counted
//! AFTER, atomically by the store, so parallel guesses are counted exactly. Unknown names are
//! counted under a hash of the name and behave exactly like accounts.

use super::AppState;
use super::audit::{self, Audit};
use super::{FlowError, RequestMeta};
use crate::domain::policy::{PASSWORD_LOCK_CHANNEL, minutes_left};
use crate::store::{self, authenticators::FailureCount};

/// One password to check.
pub struct Attempt<'a> {
    /// The lockout subject (`codes::lockout_subject`).
    pub subject: String,
    /// The account, when the name matched one (for the audit trail).
    pub user_id: Option<&'a str>,
    /// The stored hash; `None` (unknown name, no password, disabled) still costs a full hash.
    pub stored_hash: Option<String>,
    /// Where the password was typed, for the audit trail ("hosted sign-in", …).
    pub place: &'a str,
}

/// What checking came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordOutcome {
    Right,
    Wrong,
    /// Too many wrong passwords: refused until `until` (nothing was hashed when it was
    /// already locked).
    Locked {
        until: i64,
    },
}

/// Checks `password` for `attempt`, applying the password lockout.
pub async fn check(
    state: &AppState,
    meta: &RequestMeta,
    attempt: Attempt<'_>,
    password: String,
) -> Result<PasswordOutcome, FlowError> {
    let now = state.now();
    let subject = attempt.subject.clone();
    if let Some(until) = state
        .store
        .run(move |c| store::code_lockouts::locked_until(c, &subject, PASSWORD_LOCK_CHANNEL, now))
        .await?
    {
        return Ok(PasswordOutcome::Locked { until });
    }
    let right = state.hashing.verify(password, attempt.stored_hash).await?;
    let subject = attempt.subject.clone();
    if right {
        state
            .store
            .run(move |c| store::code_lockouts::reset(c, &subject, PASSWORD_LOCK_CHANNEL))
            .await?;
        return Ok(PasswordOutcome::Right);
    }
    let policy = state.live().config.password_lockout_policy();
    let now = state.now();
    let counted = state
        .store
        .run(move |c| {
            let counted = store::code_lockouts::record_failure(
                c,
                &subject,
                PASSWORD_LOCK_CHANNEL,
                &policy,
                now,
            )?;
            // Locked by a parallel guess between our look and our count: report its lock.
            let until = match counted {
                FailureCount::AlreadyLocked => {
                    store::code_lockouts::locked_until(c, &subject, PASSWORD_LOCK_CHANNEL, now)?
                }
                _ => None,
            };
            Ok((counted, until))
        })
        .await?;
    Ok(match counted {
        (
            FailureCount::Counted {
                failures,
                locked_until: Some(until),
            },
            _,
        ) => {
            let mut event = Audit::failure("login.password_locked").detail(format!(
                "{failures} wrong passwords in a row ({}); password sign-in locked for {} minute(s)",
                attempt.place,
                minutes_left(until, now)
            ));
            if let Some(user_id) = attempt.user_id {
                event = event.user(user_id);
            }
            audit::record(state, meta, event).await;
            PasswordOutcome::Locked { until }
        }
        (FailureCount::Counted { .. }, _) => PasswordOutcome::Wrong,
        (FailureCount::AlreadyLocked, Some(until)) => PasswordOutcome::Locked { until },
        // Unlocked again in between (an administrator): the guess simply was wrong.
        (FailureCount::AlreadyLocked, None) => PasswordOutcome::Wrong,
    })
}
