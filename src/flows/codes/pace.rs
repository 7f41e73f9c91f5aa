//! Codes for nobody — an unknown name, or an address that belongs to another account — are never
//! sent. So that neither the time an answer takes nor a failing provider tells them apart from
//! real ones, they take as long as one of the channel's recent real deliveries, and "fail" while
//! the channel's latest real delivery failed (OWASP ASVS 2.2 / authentication cheat sheet:
//! responses must not reveal whether an account exists).
//!
//! Both are read from the delivery log in the database, which records how long each real
//! delivery took: every instance imitates the recent deliveries of all instances, so a code for
//! nobody answered by an idle instance is as slow as real ones sent by a busy one.

use std::time::Duration;

use crate::domain::one_time_code::Channel;
use crate::flows::{AppState, FlowError};
use crate::store::deliveries::RecentDelivery;

/// How many recent deliveries an imitation picks its time from.
const KEPT: i64 = 16;
/// A failure older than this (seconds) no longer makes imitations fail.
const FAILING_FOR: i64 = 10 * 60;

/// Waits as long as one of the recent real deliveries on `channel` took (picked at random), and
/// answers false when a real delivery would be failing now.
pub async fn imitate(state: &AppState, channel: Channel, now: i64) -> Result<bool, FlowError> {
    let name = channel.as_str();
    let recent = state
        .store
        .run(move |c| crate::store::deliveries::recent_on_channel(c, name, KEPT))
        .await?;
    let pick = usize::from(crate::crypto::random_bytes::<1>()[0]);
    let (wait, failing) = imitation(&recent, now, pick);
    tokio::time::sleep(wait).await;
    Ok(!failing)
}

/// How long to wait and whether to fail, given the channel's recent deliveries (newest first)
/// and a random `pick`.
fn imitation(recent: &[RecentDelivery], now: i64, pick: usize) -> (Duration, bool) {
    let timed: Vec<i64> = recent.iter().filter_map(|d| d.took_ms).collect();
    let wait = match timed.len() {
        0 => Duration::ZERO,
        n => Duration::from_millis(u64::try_from(timed[pick % n]).unwrap_or(0)),
    };
    let failing = recent
        .first()
        .is_some_and(|latest| latest.failed && now - latest.at < FAILING_FOR);
    (wait, failing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(failed: bool, at: i64, took_ms: Option<i64>) -> RecentDelivery {
        RecentDelivery {
            failed,
            at,
            took_ms,
        }
    }

    #[test]
    fn an_imitation_takes_as_long_as_a_recent_delivery_and_fails_while_the_latest_failed() {
        assert_eq!(
            imitation(&[], 0, 7),
            (Duration::ZERO, false),
            "nothing known"
        );

        let recent = [
            delivery(false, 100, Some(60)),
            delivery(false, 90, None), // a notice, not a code: not timed
            delivery(false, 80, Some(900)),
        ];
        assert_eq!(
            imitation(&recent, 100, 0),
            (Duration::from_millis(60), false)
        );
        assert_eq!(
            imitation(&recent, 100, 1),
            (Duration::from_millis(900), false)
        );

        let failing = [delivery(true, 200, Some(5)), delivery(false, 100, Some(60))];
        assert!(imitation(&failing, 200, 0).1, "the provider fails");
        assert!(
            !imitation(&failing, 200 + FAILING_FOR, 0).1,
            "an old failure no longer counts"
        );
        let recovered = [delivery(false, 300, Some(1)), delivery(true, 200, Some(5))];
        assert!(!imitation(&recovered, 300, 0).1, "recovered");
    }
}
