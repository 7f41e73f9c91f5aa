//! Checking a TOTP code against a user's active authenticators: the lockout claim, the check,
//! replay protection and drift samples are decided in one store transaction
//! (`store::authenticators::attempt_code`), so parallel guesses are checked no more often than
//! the lockout allows.

use super::AppState;
use super::FlowError;
pub use crate::domain::policy::Guesser;
use crate::domain::totp;
use crate::store::{
    self, StoreError,
    authenticators::{CodeCheck, TotpAttempt},
};

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
    /// Wrong, and this failure completed a lockout tier: locked from now until `until`.
    LockedNow { until: i64 },
    /// The user has no active authenticator (or there is no such user).
    NoAuthenticator,
}

/// Checks `code` for `user_id`, against the one authenticator `medium_id` when given. `by`
/// says who is guessing: only guesses after a proven first factor can lock for good.
pub async fn check(
    state: &AppState,
    user_id: Option<&str>,
    medium_id: Option<&str>,
    code: &str,
    by: Guesser,
) -> Result<TotpOutcome, FlowError> {
    let Some(user_id) = user_id.map(str::to_owned) else {
        return Ok(TotpOutcome::NoAuthenticator);
    };
    let now = state.now();
    let window = state.live().config.totp_window;
    let policy = state.live().lockout.clone();
    let (sealer, medium_id, code) = (
        state.sealer.clone(),
        medium_id.map(str::to_owned),
        code.to_owned(),
    );
    let attempt = state
        .store
        .run(move |c| {
            store::authenticators::attempt_code(
                c,
                &user_id,
                medium_id.as_deref(),
                &policy.for_guesser(by),
                now,
                |authenticator| {
                    let secret = sealer
                        .open(&authenticator.sealed_secret)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    // Checked without the replay floor first, so a replayed code is told apart
                    // from a wrong one and does not count towards the lockout.
                    let Some(matched) =
                        totp::verify(&secret, authenticator.params, &code, now, window, None)
                    else {
                        return Ok(CodeCheck::Wrong);
                    };
                    if authenticator
                        .last_used_step
                        .is_some_and(|last| matched.step <= last)
                    {
                        return Ok(CodeCheck::Replayed);
                    }
                    Ok(CodeCheck::Right {
                        step: matched.step,
                        recent_offsets: totp::push_offset(
                            &authenticator.recent_offsets,
                            matched.offset,
                        ),
                    })
                },
            )
        })
        .await?;
    Ok(match attempt {
        TotpAttempt::Accepted { authenticator_id } => TotpOutcome::Accepted { authenticator_id },
        TotpAttempt::Wrong {
            locked_until: Some(until),
        } => TotpOutcome::LockedNow { until },
        TotpAttempt::Wrong { locked_until: None } => TotpOutcome::Rejected,
        TotpAttempt::Replayed => TotpOutcome::Replayed,
        TotpAttempt::Locked { until } => TotpOutcome::Locked { until },
        TotpAttempt::NoAuthenticator => TotpOutcome::NoAuthenticator,
    })
}
