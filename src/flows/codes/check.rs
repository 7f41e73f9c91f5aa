//! Checking a typed code: right codes are used once, wrong ones count towards the lockout of
//! the person and channel — claimed, checked and recorded in one store transaction
//! (`store::one_time_codes::attempt_code`), so parallel guesses are checked no more often than
//! the lockout allows and none once the lock is set.

use crate::domain::one_time_code::{self, Purpose};
use crate::domain::policy::Guesser;
use crate::flows::AppState;
use crate::flows::FlowError;
use crate::store;
use crate::store::one_time_codes::CodeAttempt;

use super::{Checked, code_hash};

/// Checks `typed` against code `id` of `purpose`. Wrong codes count towards the lockout of the
/// person and channel; the lock that ends a run of failures also voids the code. `by` says who
/// is guessing: only guesses by someone past a first factor (or signed in) can lock for good.
pub async fn check(
    state: &AppState,
    id: &str,
    purpose: Purpose,
    typed: &str,
    by: Guesser,
) -> Result<Checked, FlowError> {
    let now = state.now();
    let lookup = id.to_owned();
    let Some(row) = state
        .store
        .run(move |c| store::one_time_codes::find_code(c, &lookup))
        .await?
        .filter(|r| r.purpose == purpose)
    else {
        return Ok(Checked::Wrong);
    };
    // A look before any work: a locked channel answers at once, whatever the code.
    let (subject, channel) = (row.subject.clone(), row.channel.as_str());
    if let Some(until) = state
        .store
        .run(move |c| store::code_lockouts::locked_until(c, &subject, channel, now))
        .await?
    {
        return Ok(Checked::Locked { until });
    }
    if !row.is_live(now) {
        return Ok(Checked::Expired);
    }
    let hash = code_hash(state, id, &one_time_code::normalize(typed));
    let policy = state.live().code_policy_for(row.channel).lockout.clone();
    let attempt = state
        .store
        .run(move |c| {
            store::one_time_codes::attempt_code(c, &row, &hash, &policy.for_guesser(by), now)
        })
        .await?;
    Ok(match attempt {
        CodeAttempt::Accepted { user_id } => Checked::Accepted { user_id },
        CodeAttempt::Wrong {
            locked_until: Some(until),
        }
        | CodeAttempt::Locked { until } => Checked::Locked { until },
        CodeAttempt::Wrong { locked_until: None } => Checked::Wrong,
        // A right code that lost the race (or came late) is not a guess: not counted.
        CodeAttempt::Expired => Checked::Expired,
    })
}
