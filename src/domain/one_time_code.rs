//! One-time codes sent by email, SMS or push (API.md §6, Mosaic "Generic OTP"): a short code,
//! valid for a few minutes, single use, re-sent unchanged on request after a cooldown, with
//! consecutive wrong codes counted per person and channel and locked out in tiers.

use std::fmt;
use std::str::FromStr;

use crate::domain::policy::LockoutPolicy;
use crate::domain::verification::Method;

/// How a code reaches its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Email,
    Sms,
    Push,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Push => "push",
        }
    }

    /// The channel behind a verification type, if it sends codes.
    pub fn for_method(method: Method) -> Option<Channel> {
        match method {
            Method::Email => Some(Channel::Email),
            Method::Sms => Some(Channel::Sms),
            Method::Push => Some(Channel::Push),
            _ => None,
        }
    }

    pub fn method(self) -> Method {
        match self {
            Channel::Email => Method::Email,
            Channel::Sms => Method::Sms,
            Channel::Push => Method::Push,
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "email" => Ok(Channel::Email),
            "sms" => Ok(Channel::Sms),
            "push" => Ok(Channel::Push),
            other => Err(format!("unknown channel {other:?}")),
        }
    }
}

/// What a code is for; a code for one purpose never serves another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Login,
    Register,
    Reset,
    /// Confirms a new email address of a signed-in account; the code goes to the new address.
    EmailChange,
    /// Confirms a new phone number for SMS codes; the code goes to the new number.
    PhoneConfirm,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Login => "login",
            Purpose::Register => "register",
            Purpose::Reset => "reset",
            Purpose::EmailChange => "email_change",
            Purpose::PhoneConfirm => "phone_confirm",
        }
    }
}

impl FromStr for Purpose {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "login" => Ok(Purpose::Login),
            "register" => Ok(Purpose::Register),
            "reset" => Ok(Purpose::Reset),
            "email_change" => Ok(Purpose::EmailChange),
            "phone_confirm" => Ok(Purpose::PhoneConfirm),
            other => Err(format!("unknown code purpose {other:?}")),
        }
    }
}

/// The configurable rules (API.md §6: 6 digits, 5 minutes, 5 attempts, resend after 30 s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodePolicy {
    pub digits: u8,
    /// Seconds a login code stays valid.
    pub ttl: i64,
    /// Seconds before the same code may be sent again.
    pub resend_after: i64,
    /// Consecutive wrong codes per person and channel, then a lock (tiers as for authenticators).
    pub lockout: LockoutPolicy,
}

impl Default for CodePolicy {
    fn default() -> Self {
        CodePolicy {
            digits: 6,
            ttl: 5 * 60,
            resend_after: 30,
            lockout: LockoutPolicy::default(),
        }
    }
}

/// A password-reset code lives longer than a login code: the mail may take a while to be read.
pub const RESET_TTL: i64 = 15 * 60;

/// A code of `digits` decimal digits drawn uniformly from `random` (rejection sampling, so no
/// digit is more likely than another). `None` when `random` runs out before enough digits.
pub fn code_from_random(random: &[u8], digits: u8) -> Option<String> {
    let mut code = String::with_capacity(usize::from(digits));
    // 250 = 25 × 10: bytes at or above it would bias the digits.
    for digit in random.iter().filter(|b| **b < 250).map(|b| b % 10) {
        if code.len() == usize::from(digits) {
            break;
        }
        code.push(char::from(b'0' + digit));
    }
    (code.len() == usize::from(digits)).then_some(code)
}

/// Drops the spaces and dashes people type inside a code.
pub fn normalize(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// Whom lockouts count against: a known user, or the name that was typed (hashed), so that
/// unknown identifiers behave exactly like known ones.
pub fn subject_for_user(user_id: &str) -> String {
    format!("user:{user_id}")
}

pub fn subject_for_name(name_hash: &str) -> String {
    format!("name:{name_hash}")
}

/// `+49 ••• ••• 5678`: the last digits, enough to recognise a number.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let tail: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    format!("•••• {tail}")
}

/// A code that was sent (or, for an unknown identifier, pretended to be sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeCode {
    pub id: String,
    pub purpose: Purpose,
    pub subject: String,
    pub user_id: Option<String>,
    pub channel: Channel,
    /// Masked, for the page.
    pub destination: String,
    pub code_hash: String,
    pub sealed_code: Vec<u8>,
    pub sent_at: i64,
    pub send_count: u32,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub created_at: i64,
    /// For [`Purpose::EmailChange`] and [`Purpose::PhoneConfirm`]: the new address or number
    /// the code went to, set on the account once the code is right. `None` for other codes.
    pub target: Option<String>,
}

impl OneTimeCode {
    pub fn is_live(&self, now: i64) -> bool {
        self.used_at.is_none() && now < self.expires_at
    }

    /// Seconds until it may be sent again (0: now).
    pub fn resend_wait(&self, policy: &CodePolicy, now: i64) -> i64 {
        (self.sent_at + policy.resend_after - now).max(0)
    }

    /// Minutes it stays valid from `now`, rounded up, for messages ("valid for 5 minutes").
    pub fn minutes_left(&self, now: i64) -> i64 {
        ((self.expires_at - now).max(0) + 59) / 60
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_configured_length_and_only_digits() {
        let random: Vec<u8> = (0..=255).collect();
        let code = code_from_random(&random, 6).unwrap();
        assert_eq!(code, "012345");
        assert_eq!(code_from_random(&random, 8).unwrap().len(), 8);
    }

    #[test]
    fn biased_bytes_are_skipped_and_shortage_is_reported() {
        assert_eq!(
            code_from_random(&[250, 255, 1, 2, 3, 4, 5, 6], 6).unwrap(),
            "123456"
        );
        assert_eq!(code_from_random(&[1, 2, 250], 6), None);
    }

    #[test]
    fn digits_are_uniform_over_all_byte_values() {
        let mut counts = [0u32; 10];
        for b in 0..=255u8 {
            if let Some(code) = code_from_random(&[b], 1) {
                counts[usize::from(code.as_bytes()[0] - b'0')] += 1;
            }
        }
        assert!(counts.iter().all(|c| *c == 25), "{counts:?}");
    }

    #[test]
    fn purposes_round_trip_through_their_names() {
        for purpose in [
            Purpose::Login,
            Purpose::Register,
            Purpose::Reset,
            Purpose::EmailChange,
            Purpose::PhoneConfirm,
        ] {
            assert_eq!(purpose.as_str().parse::<Purpose>(), Ok(purpose));
        }
        assert!("email".parse::<Purpose>().is_err());
    }

    #[test]
    fn typed_codes_are_normalised() {
        assert_eq!(normalize(" 123 456 "), "123456");
        assert_eq!(normalize("123-456"), "123456");
    }

    #[test]
    fn phones_are_masked_to_their_last_digits() {
        assert_eq!(mask_phone("+4915112345678"), "•••• 5678");
        assert_eq!(mask_phone("+12"), "•••• 12");
    }

    #[test]
    fn resend_waits_for_the_cooldown_and_minutes_round_up() {
        let code = OneTimeCode {
            id: "c".into(),
            purpose: Purpose::Login,
            subject: subject_for_user("u"),
            user_id: Some("u".into()),
            channel: Channel::Email,
            destination: "a***@example.com".into(),
            code_hash: "h".into(),
            sealed_code: vec![],
            sent_at: 1000,
            send_count: 1,
            expires_at: 1300,
            used_at: None,
            created_at: 1000,
            target: None,
        };
        let policy = CodePolicy::default();
        assert_eq!(code.resend_wait(&policy, 1010), 20);
        assert_eq!(code.resend_wait(&policy, 1030), 0);
        assert_eq!(code.minutes_left(1000), 5);
        assert_eq!(code.minutes_left(1241), 1);
        assert!(code.is_live(1299));
        assert!(!code.is_live(1300));
    }
}
