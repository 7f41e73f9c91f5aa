//! Checking a typed code: right codes are used once, wrong ones count towards the lockout of
//! the person and channel.

use crate::domain::ids::constant_time_eq;
use crate::domain::one_time_code::{self, Purpose};
use crate::flows::AppState;
use crate::flows::FlowError;
use crate::store;
use crate::store::authenticators::FailureCount;

use super::{Checked, code_hash};

/// Checks `typed` against code `id` of `purpose`. Wrong codes count towards the lockout of the
/// person and channel; the lock that ends a run of failures also voids the code.
pub async fn check(
    state: &AppState,
    id: &str,
    purpose: Purpose,
    typed: &str,
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
    let (subject, channel) = (row.subject.clone(), row.channel.as_str());
    if let Some(until) = state
        .store
        .run(move |c| store::code_lockouts::locked_until(c, &subject, channel, now))
        .await?
    {
        return Ok(Checked::Locked { until });
    }
    let hash = code_hash(state, id, &one_time_code::normalize(typed));
    let right = constant_time_eq(&hash, &row.code_hash);
    if right && let Some(user_id) = row.user_id.clone() {
        let (id, subject) = (id.to_owned(), row.subject.clone());
        let used = state
            .store
            .run(move |c| {
                let used = store::one_time_codes::use_code(c, &id, purpose, &hash, now)?;
                if used {
                    store::code_lockouts::reset(c, &subject, channel)?;
                }
                Ok(used)
            })
            .await?;
        // A right code that lost the race (or came late) is not a guess: not counted.
        return Ok(if used {
            Checked::Accepted { user_id }
        } else {
            Checked::Expired
        });
    }
    if !row.is_live(now) {
        return Ok(Checked::Expired);
    }
    let (id, subject, policy) = (
        id.to_owned(),
        row.subject.clone(),
        state.live().code_policy_for(row.channel).lockout.clone(),
    );
    let counted = state
        .store
        .run(move |c| {
            let counted = store::code_lockouts::record_failure(c, &subject, channel, &policy, now)?;
            if let FailureCount::Counted {
                locked_until: Some(_),
                ..
            } = counted
            {
                store::one_time_codes::void_code(c, &id, now)?;
            }
            Ok(counted)
        })
        .await?;
    Ok(match counted {
        FailureCount::Counted {
            locked_until: Some(until),
            ..
        } => Checked::Locked { until },
        FailureCount::Counted { .. } => Checked::Wrong,
        FailureCount::AlreadyLocked => Checked::Locked {
            until: now
                + state
                    .live()
                    .code_policy_for(row.channel)
                    .lockout
                    .tier_seconds
                    .first()
                    .copied()
                    .unwrap_or(300),
        },
    })
}
