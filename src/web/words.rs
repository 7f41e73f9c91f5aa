//! What the pages and the JSON answers say when something is locked — every such sentence in
//! one place, so they stay consistent and a translator finds them. Each says it is locked and
//! what to do, never whether the code or password was right.

use super::iso8601;
use crate::domain::policy::LOCKED_UNTIL_UNLOCKED;

/// A time for people in UTC, to the second: `2026-11-23 10:15:00`.
pub fn utc(unix: i64) -> String {
    iso8601(unix)
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_owned()
}

/// One lock message: `permanent` when only an administrator can lift it, `until` otherwise.
fn locked(until: i64, permanent: &str, timed: impl FnOnce(String) -> String) -> String {
    if until == LOCKED_UNTIL_UNLOCKED {
        permanent.to_owned()
    } else {
        timed(utc(until))
    }
}

/// An authenticator app locked after wrong codes.
pub fn totp_locked(until: i64) -> String {
    locked(
        until,
        "This authenticator is locked after too many wrong codes. Ask an administrator to unlock it, or choose another way to sign in.",
        |at| {
            format!(
                "This authenticator is locked after too many wrong codes until {at} UTC. Choose another way to sign in, or try again then."
            )
        },
    )
}

/// Sign-in codes of one channel (email, SMS, push) locked after wrong codes.
pub fn channel_locked(until: i64) -> String {
    locked(
        until,
        "Too many wrong codes. Codes by this channel stay blocked until an administrator unlocks them: choose another way to sign in.",
        |at| {
            format!(
                "Too many wrong codes. Codes by this channel are blocked until {at} UTC: choose another way to sign in, or try again then."
            )
        },
    )
}

/// Emailed codes (sign-up, password reset) locked for an address.
pub fn address_locked(until: i64) -> String {
    locked(
        until,
        "Too many wrong codes were entered for this email address. Ask an administrator to unlock it.",
        |at| {
            format!(
                "Too many wrong codes were entered for this email address. Try again after {at} UTC."
            )
        },
    )
}

/// Codes confirming a new address or number on the account page, locked.
pub fn account_code_locked(until: i64) -> String {
    locked(
        until,
        "Too many wrong codes were entered. Ask an administrator to unlock your account.",
        |at| format!("Too many wrong codes were entered. Try again after {at} UTC."),
    )
}
