//! Passkeys (WebAuthn credentials) as the rest of the app sees them. The credential itself (public
//! key, algorithm, flags) is kept as the WebAuthn library's JSON, opaque here. Pure: no IO.

/// How long a registration or assertion may take between its options and its answer.
pub const CEREMONY_TTL: i64 = 5 * 60;

/// The longest name a user may give a passkey.
pub const NAME_MAX: usize = 64;

/// One registered passkey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passkey {
    pub id: String,
    pub user_id: String,
    pub name: String,
    /// base64url credential id (what a discoverable assertion names).
    pub credential_id: String,
    /// The WebAuthn library's credential, as JSON.
    pub credential: String,
    /// The signature counter last seen (W3C WebAuthn §6.1.1); 0 for authenticators without one.
    pub counter: i64,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// What a ceremony is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CeremonyKind {
    /// Registering a new passkey for a signed-in user.
    Register,
    /// An assertion by one of a known user's passkeys (second factor, or a named user).
    Authenticate,
    /// A discoverable assertion: the passkey names the user (no email typed).
    Discover,
}

impl CeremonyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CeremonyKind::Register => "register",
            CeremonyKind::Authenticate => "authenticate",
            CeremonyKind::Discover => "discover",
        }
    }
}

/// What one passkey assertion showed (W3C WebAuthn §6.1 authenticator data flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasskeyFacts {
    /// UV: the authenticator verified the user (PIN, biometric), not only their presence.
    pub user_verified: bool,
    /// BE: the credential may be backed up / synced to other devices (a "software" key).
    pub backup_eligible: bool,
}

impl PasskeyFacts {
    /// RFC 8176 values: `swk` for a key that may leave the device, `hwk` for one bound to it;
    /// `user` when the user was verified on the authenticator.
    pub fn amr(self) -> Vec<String> {
        let key = if self.backup_eligible { "swk" } else { "hwk" };
        let mut amr = vec![key.to_owned()];
        if self.user_verified {
            amr.push("user".to_owned());
        }
        amr
    }
}

/// A ceremony in progress: the library's state (with its challenge) as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ceremony {
    pub id: String,
    pub user_id: Option<String>,
    pub kind: CeremonyKind,
    pub state: String,
    pub expires_at: i64,
}

/// A passkey name as typed: trimmed, not empty, at most [`NAME_MAX`] characters, no control
/// characters.
pub fn clean_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Give the passkey a name.");
    }
    if name.chars().count() > NAME_MAX {
        return Err("The name is too long (at most 64 characters).");
    }
    if name.chars().any(char::is_control) {
        return Err("The name may not contain control characters.");
    }
    Ok(name.to_owned())
}

/// Whether a signature counter reported by an assertion may follow the stored one: authenticators
/// without a counter report 0 for ever; otherwise it must grow (W3C WebAuthn §7.2 step 21, a
/// counter that does not grow is a sign of a cloned authenticator).
pub fn counter_may_follow(stored: i64, reported: i64) -> bool {
    (stored == 0 && reported == 0) || reported > stored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_must_grow_unless_the_authenticator_has_none() {
        assert!(counter_may_follow(0, 0));
        assert!(counter_may_follow(0, 1));
        assert!(counter_may_follow(5, 6));
        assert!(!counter_may_follow(5, 5));
        assert!(!counter_may_follow(5, 4));
        assert!(!counter_may_follow(5, 0));
    }

    #[test]
    fn passkey_names_are_trimmed_and_bounded() {
        assert_eq!(clean_name("  Laptop "), Ok("Laptop".to_owned()));
        assert!(clean_name("   ").is_err());
        assert!(clean_name(&"x".repeat(65)).is_err());
        assert!(clean_name("a\u{0}b").is_err());
    }
}
