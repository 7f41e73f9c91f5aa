//! The cidaas verification flow (API.md §4): a verification is initiated for a method, verified
//! with a code under a single-use `exchange_id`, and consumed once by finishing a login.

use std::fmt;
use std::str::FromStr;

use crate::domain::totp::TotpParams;

/// How long one exchange_id may be used (API.md §4).
pub const EXCHANGE_TTL: i64 = 5 * 60;
/// How long a verified status may wait to be used to finish a login.
pub const STATUS_TTL: i64 = 10 * 60;

/// A way to prove who you are. Parsed case-insensitively (`{type}` in the paths).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Password,
    Totp,
    Email,
    Sms,
    Push,
    BackupCode,
    /// A WebAuthn credential (passkey or security key); cidaas calls the type `FIDO2`.
    Passkey,
}

impl Method {
    /// The upper-case name used in JSON (`"TOTP"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Password => "PASSWORD",
            Method::Totp => "TOTP",
            Method::Email => "EMAIL",
            Method::Sms => "SMS",
            Method::Push => "PUSH",
            Method::BackupCode => "BACKUPCODE",
            Method::Passkey => "FIDO2",
        }
    }

    /// RFC 8176 authentication method reference.
    pub fn amr(self) -> &'static str {
        match self {
            Method::Password => "pwd",
            // A code typed from a push notification is a one-time password (RFC 8176 §2).
            Method::Totp | Method::BackupCode | Method::Push => "otp",
            Method::Email => "mail",
            Method::Sms => "sms",
            // The key kind is known only per credential (see `sign_in::PasskeyFacts::amr`);
            // a key bound to hardware is the default.
            Method::Passkey => "hwk",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "password" => Ok(Method::Password),
            "totp" => Ok(Method::Totp),
            "email" => Ok(Method::Email),
            "sms" => Ok(Method::Sms),
            "push" => Ok(Method::Push),
            "backupcode" | "backup_code" => Ok(Method::BackupCode),
            "fido2" | "passkey" | "webauthn" => Ok(Method::Passkey),
            other => Err(format!("unknown verification type {other:?}")),
        }
    }
}

/// Why a verification is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageType {
    InitialAuthentication,
    PasswordlessAuthentication,
    MultifactorAuthentication,
    /// Confirming a newly enrolled authenticator (not a login).
    Setup,
    /// Approving a transaction with an authenticator code; its `request_id` names the approval.
    Transaction,
}

impl UsageType {
    pub fn as_str(self) -> &'static str {
        match self {
            UsageType::Setup => "SETUP",
            UsageType::InitialAuthentication => "INITIAL_AUTHENTICATION",
            UsageType::PasswordlessAuthentication => "PASSWORDLESS_AUTHENTICATION",
            UsageType::MultifactorAuthentication => "MULTIFACTOR_AUTHENTICATION",
            UsageType::Transaction => "TRANSACTION",
        }
    }
}

impl FromStr for UsageType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "INITIAL_AUTHENTICATION" => Ok(UsageType::InitialAuthentication),
            "PASSWORDLESS_AUTHENTICATION" => Ok(UsageType::PasswordlessAuthentication),
            "MULTIFACTOR_AUTHENTICATION" => Ok(UsageType::MultifactorAuthentication),
            "SETUP" => Ok(UsageType::Setup),
            "TRANSACTION" => Ok(UsageType::Transaction),
            other => Err(format!("unknown usage_type {other:?}")),
        }
    }
}

/// Where a verification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Initiated,
    Verified,
    Consumed,
    Cancelled,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Initiated => "initiated",
            State::Verified => "verified",
            State::Consumed => "consumed",
            State::Cancelled => "cancelled",
        }
    }
}

impl FromStr for State {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "initiated" => Ok(State::Initiated),
            "verified" => Ok(State::Verified),
            "consumed" => Ok(State::Consumed),
            "cancelled" => Ok(State::Cancelled),
            other => Err(format!("unknown verification state {other:?}")),
        }
    }
}

/// One verification flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub status_id: String,
    pub exchange_id: String,
    pub exchange_expires_at: i64,
    pub request_id: Option<String>,
    /// `None` when the identifier matched nobody: the flow runs on and fails at verification,
    /// so the answers do not reveal whether an account exists.
    pub user_id: Option<String>,
    pub alias: String,
    pub method: Method,
    pub usage_type: UsageType,
    pub medium_id: Option<String>,
    pub state: State,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Verification {
    /// Whether its exchange may be used for the next step at `now`.
    pub fn exchange_usable(&self, now: i64) -> bool {
        self.state == State::Initiated && now < self.exchange_expires_at
    }
}

/// A TOTP authenticator as the rest of the app sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticator {
    pub id: String,
    pub user_id: String,
    pub label: String,
    /// The secret sealed with the at-rest key.
    pub sealed_secret: Vec<u8>,
    pub params: TotpParams,
    pub active: bool,
    pub last_used_step: Option<i64>,
    pub failure_count: u32,
    pub locked_until: Option<i64>,
    pub recent_offsets: Vec<i64>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl Authenticator {
    pub fn is_locked(&self, now: i64) -> bool {
        crate::domain::policy::is_locked(self.locked_until, now)
    }
}

/// `a***@example.com`: enough for a person to recognise their address, not to learn it.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_parse_case_insensitively() {
        assert_eq!("TOTP".parse::<Method>(), Ok(Method::Totp));
        assert_eq!("totp".parse::<Method>(), Ok(Method::Totp));
        assert_eq!("BackupCode".parse::<Method>(), Ok(Method::BackupCode));
        assert!("fax".parse::<Method>().is_err());
        assert_eq!("FIDO2".parse::<Method>(), Ok(Method::Passkey));
        assert_eq!("passkey".parse::<Method>(), Ok(Method::Passkey));
        assert_eq!(Method::Passkey.as_str(), "FIDO2");
        assert_eq!(
            "multifactor_authentication".parse::<UsageType>(),
            Ok(UsageType::MultifactorAuthentication)
        );
    }

    #[test]
    fn emails_are_masked() {
        assert_eq!(mask_email("ada@example.com"), "a***@example.com");
        assert_eq!(mask_email("nonsense"), "***");
    }
}

/// How long a login may wait for its second factor (API.md §4: a track_id lives 1 hour).
pub const TRACK_TTL: i64 = 3600;

/// A login that passed its first factor and waits for a second one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginTrack {
    pub id: String,
    pub request_id: String,
    pub user_id: String,
    pub alias: String,
    /// Factors passed so far (RFC 8176).
    pub amr: Vec<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub completed_at: Option<i64>,
}

impl LoginTrack {
    pub fn is_live(&self, now: i64) -> bool {
        self.completed_at.is_none() && now < self.expires_at
    }
}
