//! Lockout of an authenticator after consecutive failures (API.md §6): 5 failures lock it for
//! 5 minutes, 5 more for 30 minutes, 5 more until an administrator unlocks it. A success resets
//! the count. While locked, no code is checked at all.

/// The configurable tiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Consecutive failures per tier.
    pub failures_per_tier: u32,
    /// Lock durations of the tiers in seconds; after the last tier the lock is permanent
    /// (until an administrator unlocks).
    pub tier_seconds: Vec<i64>,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            failures_per_tier: 5,
            tier_seconds: vec![5 * 60, 30 * 60],
        }
    }
}

/// `locked_until` value meaning "until an administrator unlocks".
pub const LOCKED_UNTIL_UNLOCKED: i64 = i64::MAX;

impl LockoutPolicy {
    /// After the `failures`-th consecutive failure at `now`: when the authenticator is locked
    /// until, if this failure completes a tier.
    pub fn lock_after(&self, failures: u32, now: i64) -> Option<i64> {
        if self.failures_per_tier == 0
            || failures == 0
            || !failures.is_multiple_of(self.failures_per_tier)
        {
            return None;
        }
        let tier = (failures / self.failures_per_tier) as usize - 1;
        Some(match self.tier_seconds.get(tier) {
            Some(seconds) => now.saturating_add(*seconds),
            None => LOCKED_UNTIL_UNLOCKED,
        })
    }
}

/// Whether an authenticator with `locked_until` is locked at `now`.
pub fn is_locked(locked_until: Option<i64>, now: i64) -> bool {
    locked_until.is_some_and(|until| now < until)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_lock_for_five_then_thirty_minutes_then_until_unlocked() {
        let p = LockoutPolicy::default();
        let now = 1000;
        assert_eq!((1..5).filter_map(|n| p.lock_after(n, now)).count(), 0);
        assert_eq!(p.lock_after(5, now), Some(1300));
        assert_eq!((6..10).filter_map(|n| p.lock_after(n, now)).count(), 0);
        assert_eq!(p.lock_after(10, now), Some(2800));
        assert_eq!(p.lock_after(15, now), Some(LOCKED_UNTIL_UNLOCKED));
        assert_eq!(p.lock_after(20, now), Some(LOCKED_UNTIL_UNLOCKED));
    }

    #[test]
    fn a_lock_ends_at_its_time_except_the_permanent_one() {
        assert!(is_locked(Some(1300), 1299));
        assert!(!is_locked(Some(1300), 1300));
        assert!(!is_locked(None, 0));
        assert!(is_locked(Some(LOCKED_UNTIL_UNLOCKED), i64::MAX - 1));
    }
}
