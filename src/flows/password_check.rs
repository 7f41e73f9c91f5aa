//! Every password check (hosted sign-in, the verification service, the account page) goes
//! through here: claim an attempt → verify → reset the count when right. The claim is made
//! BEFORE Argon2, by the store in one statement with the lock check: it counts the attempt as
//! a failure and sets the lock when it completes a tier, so a locked name costs no hash, and
//! however many guesses run in parallel, no more are hashed than the policy allows and none
//! once the lock is set (a right password that comes later is refused like any other). Unknown
//! names are counted under a hash of the name and behave exactly like accounts.

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
    // Per sign-in name, whoever sends it (many IPs guessing one account), before any count.
    state.limits.check_name(&attempt.subject)?;
    let now = state.now();
    let policy = state.live().config.password_lockout_policy();
    let subject = attempt.subject.clone();
    let claimed = state
        .store
        .run(move |c| {
            store::code_lockouts::claim_attempt(c, &subject, PASSWORD_LOCK_CHANNEL, &policy, now)
        })
        .await?;
    let locked_until = match claimed {
        FailureCount::AlreadyLocked { until } => return Ok(PasswordOutcome::Locked { until }),
        FailureCount::Counted { locked_until, .. } => locked_until,
    };
    let verified = state
        .hashing
        .verify_for(meta.ip.as_deref(), password, attempt.stored_hash)
        .await;
    let subject = attempt.subject.clone();
    let right = match verified {
        Ok(right) => right,
        Err(e) => {
            // Not checked (the hasher was busy): the attempt is given back.
            state
                .store
                .run(move |c| {
                    store::code_lockouts::release_attempt(
                        c,
                        &subject,
                        PASSWORD_LOCK_CHANNEL,
                        claimed,
                        now,
                    )
                })
                .await?;
            return Err(e.into());
        }
    };
    if right {
        state
            .store
            .run(move |c| store::code_lockouts::reset(c, &subject, PASSWORD_LOCK_CHANNEL))
            .await?;
        return Ok(PasswordOutcome::Right);
    }
    let (Some(until), FailureCount::Counted { failures, .. }) = (locked_until, claimed) else {
        return Ok(PasswordOutcome::Wrong);
    };
    let mut event = Audit::failure("login.password_locked").detail(format!(
        "{failures} wrong passwords in a row ({}); password sign-in locked for {} minute(s)",
        attempt.place,
        minutes_left(until, now)
    ));
    if let Some(user_id) = attempt.user_id {
        event = event.user(user_id);
    }
    audit::record(state, meta, event).await;
    Ok(PasswordOutcome::Locked { until })
}
