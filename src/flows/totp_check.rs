//! Checking a TOTP code against a user's active authenticators: replay protection, lockout
//! counting and drift samples, each decided atomically by the store.

use super::AppState;
use super::FlowError;
use crate::domain::totp;
use crate::domain::verification::Authenticator;
use crate::store::{self, authenticators::FailureCount};

/// The result of one code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TotpOutcome {
    /// The code was right and had not been used: this authenticator accepted it.
    Accepted { authenticator_id: String },
    /// Wrong code (counted towards the lockout of every authenticator it was checked against).
    Rejected,
    /// The code was right but its step was already used (a replay): refused, not counted.
    Replayed,
    /// Every authenticator it could be checked against is locked; nothing was checked.
    Locked { until: i64 },
    /// The user has no active authenticator (or there is no such user).
    NoAuthenticator,
}

/// Checks `code` for `user_id`, against the one authenticator `medium_id` when given.
pub async fn check(
    state: &AppState,
    user_id: Option<&str>,
    medium_id: Option<&str>,
    code: &str,
) -> Result<TotpOutcome, FlowError> {
    let Some(user_id) = user_id.map(str::to_owned) else {
        return Ok(TotpOutcome::NoAuthenticator);
    };
    let all = state
        .store
        .run(move |c| store::authenticators::list_user_authenticators(c, &user_id))
        .await?;
    let candidates: Vec<Authenticator> = all
        .into_iter()
        .filter(|a| a.active && medium_id.is_none_or(|m| m == a.id))
        .collect();
    if candidates.is_empty() {
        return Ok(TotpOutcome::NoAuthenticator);
    }
    let now = state.now();
    let window = state.live().config.totp_window;
    let (locked, open): (Vec<Authenticator>, Vec<Authenticator>) =
        candidates.into_iter().partition(|a| a.is_locked(now));
    if open.is_empty() {
        let until = locked
            .iter()
            .filter_map(|a| a.locked_until)
            .min()
            .unwrap_or(now);
        return Ok(TotpOutcome::Locked { until });
    }

    for authenticator in &open {
        let secret = state
            .sealer
            .open(&authenticator.sealed_secret)
            .map_err(|e| FlowError::Internal(e.into()))?;
        // Checked without the replay floor first, so a replayed code is told apart from a wrong
        // one and does not count towards the lockout.
        let Some(matched) = totp::verify(&secret, authenticator.params, code, now, window, None)
        else {
            continue;
        };
        if authenticator
            .last_used_step
            .is_some_and(|last| matched.step <= last)
        {
            return Ok(TotpOutcome::Replayed);
        }
        let offsets = totp::push_offset(&authenticator.recent_offsets, matched.offset);
        let id = authenticator.id.clone();
        let won = state
            .store
            .run(move |c| {
                store::authenticators::record_success(c, &id, matched.step, &offsets, now)
            })
            .await?;
        return Ok(if won {
            TotpOutcome::Accepted {
                authenticator_id: authenticator.id.clone(),
            }
        } else {
            TotpOutcome::Replayed
        });
    }

    let policy = state.live().lockout.clone();
    let mut counted = false;
    let mut earliest_lock: Option<i64> = None;
    for authenticator in open {
        let policy = policy.clone();
        let id = authenticator.id.clone();
        match state
            .store
            .run(move |c| store::authenticators::record_failure(c, &id, &policy, now))
            .await?
        {
            FailureCount::Counted { locked_until, .. } => {
                counted = true;
                if let Some(until) = locked_until {
                    earliest_lock = Some(earliest_lock.map_or(until, |e| e.min(until)));
                }
            }
            FailureCount::AlreadyLocked => {
                earliest_lock = Some(earliest_lock.unwrap_or(now));
            }
        }
    }
    Ok(match (counted, earliest_lock) {
        (false, Some(until)) => TotpOutcome::Locked { until },
        _ => TotpOutcome::Rejected,
    })
}
