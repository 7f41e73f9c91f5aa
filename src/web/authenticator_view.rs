//! How authenticators are described to people (account page now, admin pages later).

use crate::domain::totp;
use crate::domain::verification::Authenticator;

/// One authenticator as the account page lists it.
pub struct AuthenticatorView {
    pub id: String,
    pub label: String,
    pub added: String,
    pub last_used: String,
    pub locked: bool,
    pub drift: Option<String>,
}

/// Describes drift for people: "runs about 30 s ahead".
pub fn drift_text(a: &Authenticator) -> Option<String> {
    totp::drift_seconds(&a.recent_offsets, a.params).map(|s| {
        let direction = if s > 0 { "ahead" } else { "behind" };
        format!("This authenticator's clock runs about {} s {direction}. Set the phone's time to automatic.", s.abs())
    })
}

/// A time for people: `2026-11-23 10:15:00 UTC`, or "never".
pub fn when(t: Option<i64>) -> String {
    t.map(|t| super::words::utc(t) + " UTC")
        .unwrap_or_else(|| "never".into())
}

pub fn authenticator_views(list: &[Authenticator], now: i64) -> Vec<AuthenticatorView> {
    list.iter()
        .filter(|a| a.active)
        .map(|a| AuthenticatorView {
            id: a.id.clone(),
            label: a.label.clone(),
            added: when(Some(a.created_at)),
            last_used: when(a.last_used_at),
            locked: a.is_locked(now),
            drift: drift_text(a),
        })
        .collect()
}

/// One authenticator as the admin's user page lists it: what the management API reports
/// (`routes::management::list`), in words.
pub struct AdminAuthenticatorView {
    pub id: String,
    pub label: String,
    pub added: String,
    pub last_used: String,
    /// "Active", "Locked until 2026-01-01 10:05:00 UTC" or "Locked until an administrator
    /// unlocks it".
    pub status: String,
    pub locked: bool,
    pub failures: u32,
    /// "about 30 s ahead", when the app's clock runs off.
    pub drift: Option<String>,
    /// `SHA1, 6 digits, 30 s`.
    pub params: String,
}

/// The confirmed authenticators for the admin's user page.
pub fn admin_authenticator_views(list: &[Authenticator], now: i64) -> Vec<AdminAuthenticatorView> {
    list.iter()
        .filter(|a| a.active)
        .map(|a| {
            let locked = a.is_locked(now);
            AdminAuthenticatorView {
                id: a.id.clone(),
                label: a.label.clone(),
                added: when(Some(a.created_at)),
                last_used: when(a.last_used_at),
                status: lock_status(a.locked_until, now).unwrap_or_else(|| "Active".into()),
                locked,
                failures: a.failure_count,
                drift: totp::drift_seconds(&a.recent_offsets, a.params).map(|s| {
                    let direction = if s > 0 { "ahead" } else { "behind" };
                    format!("about {} s {direction}", s.abs())
                }),
                params: format!(
                    "{}, {} digits, {} s",
                    a.params.algorithm.as_str(),
                    a.params.digits,
                    a.params.period
                ),
            }
        })
        .collect()
}

/// A time for admin pages: `2026-01-01 10:05:00 UTC`, or "never".
pub fn admin_time(t: Option<i64>) -> String {
    when(t)
}

/// "Locked until 2026-01-01 10:05:00 UTC" or "Locked until an administrator unlocks it" for a
/// lock (of an authenticator or a code channel) in force at `now`; `None` when not locked.
pub fn lock_status(locked_until: Option<i64>, now: i64) -> Option<String> {
    match locked_until.filter(|_| crate::domain::policy::is_locked(locked_until, now))? {
        crate::domain::policy::LOCKED_UNTIL_UNLOCKED => {
            Some("Locked until an administrator unlocks it".into())
        }
        until => Some(format!("Locked until {}", when(Some(until)))),
    }
}
