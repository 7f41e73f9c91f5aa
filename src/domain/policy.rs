//! Lockout of an authenticator after consecutive failures (API.md §6): 5 failures lock it for
//! 5 minutes, 5 more for 30 minutes, 5 more until an administrator unlocks it. A success resets
//! the count. While locked, no code is checked at all. The last, permanent tier applies only to
//! guesses by someone who proved a first factor ([`Guesser`]): a stranger who only typed a name
//! can keep an account's owner out for a while, never for good.

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
        Some(match self.tier_completed(failures)? {
            Some(seconds) => now.saturating_add(seconds),
            None => LOCKED_UNTIL_UNLOCKED,
        })
    }

    /// The lock rule for guesses by `guesser`.
    pub fn for_guesser(&self, guesser: Guesser) -> GuessRule<'_> {
        GuessRule {
            policy: self,
            guesser,
        }
    }

    /// `None` when the `failures`-th failure completes no tier; otherwise the completed tier's
    /// lock in seconds, `Some(None)` for the permanent one.
    fn tier_completed(&self, failures: u32) -> Option<Option<i64>> {
        if self.failures_per_tier == 0
            || failures == 0
            || !failures.is_multiple_of(self.failures_per_tier)
        {
            return None;
        }
        let tier = (failures / self.failures_per_tier) as usize - 1;
        Some(self.tier_seconds.get(tier).copied())
    }

    /// The lock an anonymous guess gets where the policy says "until an administrator
    /// unlocks": the last time-limited tier again.
    fn last_timed_seconds(&self) -> i64 {
        self.tier_seconds
            .last()
            .copied()
            .unwrap_or(ANONYMOUS_FALLBACK_LOCK_SECONDS)
    }
}

/// The lock of an anonymous guess completing a permanent tier when the policy has no
/// time-limited tier at all.
pub const ANONYMOUS_FALLBACK_LOCK_SECONDS: i64 = 30 * 60;

/// Who is guessing a code, as far as the lockout goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guesser {
    /// Typed nothing but a name or address: passwordless sign-in (TOTP, email / SMS / push
    /// code), a password-reset or sign-up code. Only the time-limited tiers apply, so nobody
    /// can lock a stranger's account until an administrator steps in.
    Anonymous,
    /// Proved a first factor of this sign-in (the password) and is on the second step, or is
    /// signed in: every tier applies, the permanent one too.
    Proven,
}

/// [`LockoutPolicy`] as it applies to one [`Guesser`].
#[derive(Debug, Clone, Copy)]
pub struct GuessRule<'a> {
    policy: &'a LockoutPolicy,
    guesser: Guesser,
}

impl LockRule for GuessRule<'_> {
    fn lock_after(&self, failures: u32, now: i64) -> Option<i64> {
        let seconds = match (self.policy.tier_completed(failures)?, self.guesser) {
            (Some(seconds), _) => seconds,
            (None, Guesser::Proven) => return Some(LOCKED_UNTIL_UNLOCKED),
            (None, Guesser::Anonymous) => self.policy.last_timed_seconds(),
        };
        Some(now.saturating_add(seconds))
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
    fn anonymous_guesses_get_the_time_limited_tiers_and_then_the_last_one_again() {
        let p = LockoutPolicy::default();
        let anonymous = p.for_guesser(Guesser::Anonymous);
        let now = 1000;
        assert_eq!(
            (1..5).filter_map(|n| anonymous.lock_after(n, now)).count(),
            0
        );
        assert_eq!(anonymous.lock_after(5, now), Some(1300));
        assert_eq!(anonymous.lock_after(10, now), Some(2800));
        assert_eq!(anonymous.lock_after(14, now), None);
        assert_eq!(anonymous.lock_after(15, now), Some(2800), "never permanent");
        assert_eq!(anonymous.lock_after(20, 5000), Some(6800));
        assert_eq!(anonymous.lock_after(5 * 1000, now), Some(2800));
    }

    #[test]
    fn guesses_after_a_proven_first_factor_get_every_tier_the_permanent_one_too() {
        let p = LockoutPolicy::default();
        let proven = p.for_guesser(Guesser::Proven);
        let now = 1000;
        for failures in 1..=30 {
            assert_eq!(
                proven.lock_after(failures, now),
                p.lock_after(failures, now),
                "{failures}"
            );
        }
        assert_eq!(proven.lock_after(15, now), Some(LOCKED_UNTIL_UNLOCKED));
    }

    #[test]
    fn who_completes_a_tier_decides_whatever_made_the_earlier_failures() {
        // Ten anonymous failures, then the fifteenth by someone past the password: permanent.
        // Fourteen after the password, then the fifteenth anonymous: only for a while.
        let p = LockoutPolicy::default();
        assert_eq!(
            p.for_guesser(Guesser::Proven).lock_after(15, 0),
            Some(LOCKED_UNTIL_UNLOCKED)
        );
        assert_eq!(
            p.for_guesser(Guesser::Anonymous).lock_after(15, 0),
            Some(1800)
        );
    }

    #[test]
    fn a_policy_without_time_limited_tiers_still_locks_anonymous_guesses_only_for_a_while() {
        let p = LockoutPolicy {
            failures_per_tier: 3,
            tier_seconds: vec![],
        };
        assert_eq!(
            p.for_guesser(Guesser::Proven).lock_after(3, 100),
            Some(LOCKED_UNTIL_UNLOCKED)
        );
        assert_eq!(
            p.for_guesser(Guesser::Anonymous).lock_after(3, 100),
            Some(100 + ANONYMOUS_FALLBACK_LOCK_SECONDS)
        );
        assert_eq!(p.for_guesser(Guesser::Anonymous).lock_after(4, 100), None);
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
