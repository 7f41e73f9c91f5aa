//! Codes for nobody — an unknown name, or an address that belongs to another account — are never
//! sent. So that neither the time an answer takes nor a failing provider tells them apart from
//! real ones, they take as long as one of the channel's recent real deliveries, and "fail" while
//! the channel's latest real delivery failed (OWASP ASVS 2.2 / authentication cheat sheet:
//! responses must not reveal whether an account exists).
//!
//! Whether the provider is failing is read from the delivery log in the database
//! ([`imitate_shared`]), so every instance imitates the latest real delivery of any instance;
//! how long a delivery takes is this instance's own recent experience, in memory.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::domain::one_time_code::Channel;

/// How many recent delivery times are kept per channel.
const KEPT: usize = 16;
/// A failure older than this (seconds) no longer makes imitations fail.
const FAILING_FOR: i64 = 10 * 60;

#[derive(Default)]
pub struct DeliveryPace {
    by_channel: Mutex<HashMap<Channel, Recent>>,
}

#[derive(Default)]
struct Recent {
    took: VecDeque<Duration>,
    /// When the latest real delivery failed, if it did.
    failed_at: Option<i64>,
}

impl DeliveryPace {
    /// Notes how a real delivery on `channel` went.
    pub fn record(&self, channel: Channel, took: Duration, delivered: bool, now: i64) {
        let mut all = self
            .by_channel
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let recent = all.entry(channel).or_default();
        if recent.took.len() == KEPT {
            recent.took.pop_front();
        }
        recent.took.push_back(took);
        recent.failed_at = (!delivered).then_some(now);
    }

    /// Waits as long as a real delivery on `channel` took lately, and answers `!failing`: for
    /// when the outcome is known from the shared delivery log.
    pub async fn imitate_with(&self, channel: Channel, failing: bool) -> bool {
        let _ = self.imitate(channel, 0).await;
        !failing
    }

    /// Waits as long as a real delivery on `channel` took lately (one picked at random); false
    /// when a real delivery would be failing now.
    pub async fn imitate(&self, channel: Channel, now: i64) -> bool {
        let (wait, failing) = {
            let all = self
                .by_channel
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match all.get(&channel) {
                Some(recent) => {
                    let pick = usize::from(crate::crypto::random_bytes::<1>()[0]);
                    let wait = recent
                        .took
                        .get(pick % recent.took.len().max(1))
                        .copied()
                        .unwrap_or_default();
                    let failing = recent.failed_at.is_some_and(|at| now - at < FAILING_FOR);
                    (wait, failing)
                }
                None => (Duration::ZERO, false),
            }
        };
        tokio::time::sleep(wait).await;
        !failing
    }
}

/// [`DeliveryPace::imitate`] with the outcome of the latest real delivery on `channel` of any
/// instance (the delivery log): a code for nobody fails exactly while real ones fail, whichever
/// instance answers.
pub async fn imitate_shared(
    state: &crate::flows::AppState,
    channel: Channel,
    now: i64,
) -> Result<bool, crate::flows::FlowError> {
    let name = channel.as_str();
    let latest = state
        .store
        .run(move |c| crate::store::deliveries::latest_on_channel(c, name))
        .await?;
    let failing = latest.is_some_and(|(failed, at)| failed && now - at < FAILING_FOR);
    Ok(state.delivery_pace.imitate_with(channel, failing).await)
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    #[tokio::test]
    async fn an_imitation_takes_as_long_as_the_real_deliveries_and_fails_while_they_fail() {
        let pace = DeliveryPace::default();
        assert!(pace.imitate(Channel::Email, 0).await, "nothing known yet");

        pace.record(Channel::Email, Duration::from_millis(60), true, 100);
        let started = Instant::now();
        assert!(pace.imitate(Channel::Email, 100).await);
        assert!(started.elapsed() >= Duration::from_millis(60));

        pace.record(Channel::Email, Duration::from_millis(60), false, 200);
        assert!(
            !pace.imitate(Channel::Email, 200).await,
            "the provider fails"
        );
        assert!(pace.imitate(Channel::Sms, 200).await, "per channel");
        assert!(
            pace.imitate(Channel::Email, 200 + FAILING_FOR).await,
            "an old failure no longer counts"
        );
        pace.record(Channel::Email, Duration::from_millis(1), true, 300);
        assert!(pace.imitate(Channel::Email, 300).await, "recovered");
    }

    #[test]
    fn only_the_latest_deliveries_are_kept() {
        let pace = DeliveryPace::default();
        for ms in 0..40 {
            pace.record(Channel::Sms, Duration::from_millis(ms), true, 0);
        }
        let all = pace
            .by_channel
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let kept = &all[&Channel::Sms].took;
        assert_eq!(kept.len(), KEPT);
        assert_eq!(kept.front(), Some(&Duration::from_millis(40 - KEPT as u64)));
    }
}
