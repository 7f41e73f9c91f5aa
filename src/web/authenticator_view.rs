//! How authenticators are described to people (account page now, admin pages later).

use crate::domain::totp;
use crate::domain::verification::Authenticator;
use crate::web::iso8601;

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
    t.map(|t| {
        iso8601(t)
            .replace('T', " ")
            .trim_end_matches('Z')
            .to_owned()
            + " UTC"
    })
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
