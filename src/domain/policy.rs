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

/// When a run of failures locks, whatever the tiers look like; the store counts failures
/// atomically and asks this.
pub trait LockRule {
    /// After the `failures`-th consecutive failure at `now`: until when the subject is locked,
    /// if this failure completes a tier.
    fn lock_after(&self, failures: u32, now: i64) -> Option<i64>;
}

impl LockRule for LockoutPolicy {
    fn lock_after(&self, failures: u32, now: i64) -> Option<i64> {
        LockoutPolicy::lock_after(self, failures, now)
    }
}

/// The `code_lockouts` channel that counts wrong passwords (beside `email`, `sms`, `push`).
pub const PASSWORD_LOCK_CHANNEL: &str = "password";

/// The longest a password lock lasts: guessing stays slow, but a lock is never a lever to keep
/// the owner out for long (OWASP ASVS 2.2.1, NIST SP 800-63B §5.2.2).
pub const PASSWORD_LOCK_CAP_SECONDS: i64 = 3600;

/// Throttling of password guesses per sign-in name: every `attempts` consecutive wrong passwords
/// lock it for `first_seconds`, doubled with each further tier up to an hour (or up to
/// `first_seconds` when that is longer). Never permanent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordLockoutPolicy {
    pub attempts: u32,
    pub first_seconds: i64,
}

impl Default for PasswordLockoutPolicy {
    fn default() -> Self {
        PasswordLockoutPolicy {
            attempts: 10,
            first_seconds: 5 * 60,
        }
    }
}

impl PasswordLockoutPolicy {
    /// How long the lock of tier `tier` (0 = the first) lasts.
    pub fn lock_seconds(&self, tier: u32) -> i64 {
        let cap = PASSWORD_LOCK_CAP_SECONDS.max(self.first_seconds);
        // 2^20 × 30 s is far past any cap: stop doubling before it could overflow.
        let factor = 1i64 << tier.min(20);
        self.first_seconds.saturating_mul(factor).min(cap)
    }
}

impl LockRule for PasswordLockoutPolicy {
    fn lock_after(&self, failures: u32, now: i64) -> Option<i64> {
        if self.attempts == 0 || failures == 0 || !failures.is_multiple_of(self.attempts) {
            return None;
        }
        let tier = failures / self.attempts - 1;
        Some(now.saturating_add(self.lock_seconds(tier)))
    }
}

/// Whole minutes left of a lock until `until` at `now`, at least 1 (for "try again in N minutes").
pub fn minutes_left(until: i64, now: i64) -> i64 {
    ((until - now + 59) / 60).max(1)
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
    fn ten_wrong_passwords_lock_five_minutes_then_doubling_up_to_an_hour() {
        let p = PasswordLockoutPolicy::default();
        let now = 1000;
        assert_eq!((1..10).filter_map(|n| p.lock_after(n, now)).count(), 0);
        assert_eq!(p.lock_after(10, now), Some(1300));
        assert_eq!((11..20).filter_map(|n| p.lock_after(n, now)).count(), 0);
        assert_eq!(p.lock_after(20, now), Some(1600));
        assert_eq!(p.lock_after(30, now), Some(2200));
        assert_eq!(p.lock_after(40, now), Some(3400));
        assert_eq!(p.lock_after(50, now), Some(4600), "capped at an hour");
        assert_eq!(p.lock_after(10 * 4000, now), Some(4600), "never permanent");
    }

    #[test]
    fn a_first_password_lock_longer_than_an_hour_is_kept_but_not_doubled() {
        let p = PasswordLockoutPolicy {
            attempts: 3,
            first_seconds: 86_400,
        };
        assert_eq!(p.lock_after(3, 0), Some(86_400));
        assert_eq!(p.lock_after(6, 0), Some(86_400));
        assert_eq!(p.lock_after(3 * 1_000_000, 0), Some(86_400));
    }

    #[test]
    fn minutes_left_round_up_and_are_at_least_one() {
        assert_eq!(minutes_left(1300, 1000), 5);
        assert_eq!(minutes_left(1001, 1000), 1);
        assert_eq!(minutes_left(1000, 1000), 1);
        assert_eq!(minutes_left(1061, 1000), 2);
    }

    #[test]
    fn a_lock_ends_at_its_time_except_the_permanent_one() {
        assert!(is_locked(Some(1300), 1299));
        assert!(!is_locked(Some(1300), 1300));
        assert!(!is_locked(None, 0));
        assert!(is_locked(Some(LOCKED_UNTIL_UNLOCKED), i64::MAX - 1));
    }
}
