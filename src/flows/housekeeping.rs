//! Keeping every table an anonymous caller can grow bounded: expired sign-in state goes at once,
//! logs after their retention, sign-ups never confirmed after
//! `unconfirmed_signup_days`, idle lockout counters of unknown names after a day. Runs every
//! five minutes (`app::cleanup_forever`) and in tests directly.

use super::{AppState, FlowError};
use crate::store;

/// Codes and tokens are kept a day past expiry, so that a late replay is still recognised and
/// answered with revocation; idle lockout counters go after a day too.
const GRACE: i64 = 86_400;
/// Approvals stay readable by their application this long after their answer was due.
const APPROVAL_RETENTION: i64 = 90 * 86_400;

/// Deletes what has outlived its use; how many rows went.
pub async fn clean(state: &AppState) -> Result<usize, FlowError> {
    let now = state.now();
    let refresh_ttl = state.lifetimes.refresh_token;
    let (audit_days, delivery_days, signup_days) = {
        let live = state.live();
        (
            live.config.audit_retention_days,
            live.config.delivery_retention_days,
            live.config.unconfirmed_signup_days,
        )
    };
    state.limits.forget_idle();
    Ok(state
        .store
        .run(move |c| {
            let counts = [
                store::sessions::delete_expired_sessions(c, now)?,
                store::requests::delete_expired_requests(c, now)?,
                store::grants::delete_expired_grants(c, now - GRACE)?,
                store::grants::delete_old_revocations(c, now - refresh_ttl - GRACE)?,
                store::verifications::delete_expired_verifications(c, now)?,
                store::tracks::delete_expired_tracks(c, now)?,
                store::authenticators::delete_stale_pending(c, now - 3600)?,
                store::one_time_codes::delete_expired_codes(c, now - GRACE)?,
                store::code_lockouts::delete_idle(c, now, now - GRACE)?,
                store::approvals::delete_older_than(c, now - APPROVAL_RETENTION)?,
                store::deliveries::delete_older_than(c, now - delivery_days * 86_400)?,
                store::audit::delete_older_than(c, now - audit_days * 86_400)?,
                store::rate_counters::delete_older_than(
                    c,
                    crate::domain::limits::window_start(now) - crate::domain::limits::HOUR,
                )?,
                store::users::delete_unconfirmed_before(c, now - signup_days * 86_400)?,
                store::passkeys::delete_expired_ceremonies(c, now)?,
            ];
            Ok(counts.iter().sum())
        })
        .await?)
}
