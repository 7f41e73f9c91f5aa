//! How authenticators are described to people (account page now, admin pages later).

use crate::domain::totp;
use crate::domain::verification::Authenticator;
use crate::i18n::Tr;

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
pub fn drift_text(tr: &Tr, a: &Authenticator) -> Option<String> {
    totp::drift_seconds(&a.recent_offsets, a.params).map(|s| {
        let key = if s > 0 {
            "acct-drift-ahead"
        } else {
            "acct-drift-behind"
        };
        tr.n(key, "seconds", s.abs())
    })
}

/// A time for admin pages: `2026-11-23 10:15:00 UTC`, or "never".
pub fn when(t: Option<i64>) -> String {
    t.map(|t| super::words::utc(t) + " UTC")
        .unwrap_or_else(|| "never".into())
}

/// A time for the user's own pages, the way their language writes it: "5 December 2026,
/// 14:03 UTC" / "5. Dezember 2026, 14:03 UTC", or "never".
pub fn when_in(tr: &Tr, t: Option<i64>) -> String {
    match t {
        Some(t) => format!("{} UTC", tr.date_time(t)),
        None => tr.t("time-never"),
    }
}

pub fn authenticator_views(tr: &Tr, list: &[Authenticator], now: i64) -> Vec<AuthenticatorView> {
    list.iter()
        .filter(|a| a.active)
        .map(|a| AuthenticatorView {
            id: a.id.clone(),
            label: a.label.clone(),
            added: when_in(tr, Some(a.created_at)),
            last_used: when_in(tr, a.last_used_at),
            locked: a.is_locked(now),
            drift: drift_text(tr, a),
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
