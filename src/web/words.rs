//! What the pages and the JSON answers say when something is locked — every such sentence in
//! the catalogs (`locales/*/errors.ftl`, keys `lock-*`), so they stay consistent and a
//! translator finds them. Each says it is locked and what to do, never whether the code or
//! password was right. JSON answers pass [`english`]: their documented text stays English.

use super::iso8601;
use crate::domain::policy::LOCKED_UNTIL_UNLOCKED;
use crate::i18n::Tr;

/// A time for people in UTC, to the second: `2026-11-23 10:15:00`.
pub fn utc(unix: i64) -> String {
    iso8601(unix)
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_owned()
}

/// The translator of the JSON answers, whose texts API.md documents in English.
pub fn english() -> Tr {
    Tr::new("en")
}

/// The text of the given `key` when only an administrator can lift the lock, the text of
/// `<key>-until` with the time otherwise.
fn locked(tr: &Tr, until: i64, key: &str) -> String {
    if until == LOCKED_UNTIL_UNLOCKED {
        tr.t(key)
    } else {
        tr.a(&format!("{key}-until"), "at", utc(until))
    }
}

/// An authenticator app locked after wrong codes.
pub fn totp_locked(tr: &Tr, until: i64) -> String {
    locked(tr, until, "lock-totp")
}

/// Sign-in codes of one channel (email, SMS, push) locked after wrong codes.
pub fn channel_locked(tr: &Tr, until: i64) -> String {
    locked(tr, until, "lock-channel")
}

/// Emailed codes (sign-up, password reset) locked for an address.
pub fn address_locked(tr: &Tr, until: i64) -> String {
    locked(tr, until, "lock-address")
}

/// Codes confirming a new address or number on the account page, locked.
pub fn account_code_locked(tr: &Tr, until: i64) -> String {
    locked(tr, until, "lock-account-code")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_reads_the_same_in_json_as_before_and_in_german_on_pages() {
        assert_eq!(
            totp_locked(&english(), 1_796_479_380),
            "This authenticator is locked after too many wrong codes until 2026-12-05 14:03:00 UTC. Choose another way to sign in, or try again then."
        );
        assert!(
            channel_locked(&Tr::new("de"), LOCKED_UNTIL_UNLOCKED)
                .starts_with("Zu viele falsche Codes.")
        );
    }
}
