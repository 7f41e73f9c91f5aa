//! Configuration: built-in defaults → optional TOML file → `GATEHOUSE_*` environment variables,
//! then [`Config::validate`]. Every key is documented in README.md.

use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::domain::oauth::Lifetimes;

mod derived;
mod limits;
mod validate;

use validate::decode_key;

/// The whole configuration. Keys are flat so that each maps to one `GATEHOUSE_<KEY>` variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// `sqlite://FILE` (created on start) or `postgres://…`.
    pub database_url: String,
    /// Socket address to listen on; port 0 picks a free port.
    pub listen: String,
    /// The issuer and base of every URL we emit; defaults to `http://<listen>`.
    pub public_url: Option<String>,
    /// SMTP server for mail in lettre's URL form; unset → mail goes to the outbox folder.
    pub smtp_url: Option<String>,
    /// The sender of our mail, e.g. `Example Login <login@example.com>`.
    pub mail_from: String,
    /// Where mail is written as `.eml` files when no SMTP server is configured.
    pub outbox_dir: String,
    /// A folder of message templates that replace the built-in ones per channel:
    /// `code_email.txt`, `code_email.html`, `code_email.subject`, `code_sms.txt`, `code_push.txt`.
    pub message_dir: Option<String>,
    /// SMS connector: `none`, `webhook` (JSON post to sms_url) or `twilio` (sms_username = account
    /// SID, sms_password = auth token, sms_url = API base, default https://api.twilio.com).
    pub sms_provider: String,
    pub sms_url: Option<String>,
    pub sms_username: Option<String>,
    pub sms_password: Option<String>,
    pub sms_from: Option<String>,
    /// Push connector: `none`, `webhook` (JSON post to push_url) or `ntfy` (push_url = server).
    pub push_provider: String,
    pub push_url: Option<String>,
    pub push_token: Option<String>,
    /// One-time codes by email, SMS and push: digits, lifetime, wrong codes before a lock (the
    /// lock tiers are lockout_first_seconds / lockout_second_seconds), resend cooldown.
    pub otp_digits: u8,
    pub otp_ttl: i64,
    pub otp_attempts: u32,
    pub otp_resend_seconds: i64,
    /// The same four rules per channel; unset takes the `otp_*` value above.
    pub otp_email_digits: Option<u8>,
    pub otp_email_ttl: Option<i64>,
    pub otp_email_attempts: Option<u32>,
    pub otp_email_resend_seconds: Option<i64>,
    pub otp_sms_digits: Option<u8>,
    pub otp_sms_ttl: Option<i64>,
    pub otp_sms_attempts: Option<u32>,
    pub otp_sms_resend_seconds: Option<i64>,
    pub otp_push_digits: Option<u8>,
    pub otp_push_ttl: Option<i64>,
    pub otp_push_attempts: Option<u32>,
    pub otp_push_resend_seconds: Option<i64>,
    /// Sign-in methods switched off everywhere: any of password, totp, email, sms, push,
    /// backupcode.
    pub disabled_methods: Vec<String>,
    /// The shortest new password accepted (NIST SP 800-63B: at least 8).
    pub password_min_length: usize,
    /// Wrong passwords in a row, per sign-in name, before it is locked for
    /// password_lock_seconds; each further run doubles the lock, up to an hour. Never permanent.
    pub password_attempts: u32,
    pub password_lock_seconds: i64,
    /// Days the audit log keeps an event (1–3650).
    pub audit_retention_days: i64,
    /// Days the delivery log keeps a message attempt (1–3650).
    pub delivery_retention_days: i64,
    /// HTTP worker threads; defaults to the number of cores.
    pub workers: Option<usize>,
    /// Maximum database connections; unset: the backend's own default
    /// ([`crate::store::Backend::default_connections`]: 10 on PostgreSQL, 1 on SQLite).
    pub db_pool_size: Option<u32>,
    /// Argon2id cost (OWASP defaults).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    /// How long a password check may wait for a free hashing slot before answering 429.
    pub hash_queue_wait_ms: u64,
    /// Base64 of 32 bytes: the key that seals secrets at rest. Unset → generated on first start
    /// and stored in the database.
    pub encryption_key: Option<String>,
    /// Login session lifetime in seconds.
    pub session_ttl: i64,
    /// Lifetimes in seconds (API.md §6).
    pub request_ttl: i64,
    pub code_ttl: i64,
    pub access_token_ttl: i64,
    pub id_token_ttl: i64,
    pub refresh_token_ttl: i64,
    /// TOTP: steps accepted either side of the current one, and authenticators per user.
    pub totp_window: i64,
    pub totp_max_per_user: u32,
    /// `multiple` (up to totp_max_per_user), `single_block` (a second one is refused) or
    /// `single_override` (a new one replaces the old once confirmed) — Mosaic's TOTP modes.
    pub totp_mode: String,
    /// The issuer name authenticator apps show next to the account.
    pub totp_issuer: String,
    /// The language of pages and messages when neither the authorization request
    /// (`ui_locales`), the visitor's own choice nor `Accept-Language` names a shipped one.
    pub default_locale: String,
    /// Parameters given to newly enrolled authenticators (SHA1/SHA256/SHA512, 6 or 8 digits,
    /// 30 or 60 s). Each authenticator keeps the ones it was enrolled with.
    pub totp_algorithm: String,
    pub totp_digits: u8,
    pub totp_period: u64,
    /// Lockout per authenticator: this many consecutive failures lock it for the first duration,
    /// as many more for the second, as many more until an administrator unlocks it.
    pub lockout_failures: u32,
    pub lockout_first_seconds: i64,
    pub lockout_second_seconds: i64,
    /// Log filter (`info`, `gatehouse=debug,actix_web=info`, …) and format (`text` or `json`).
    pub log: String,
    pub log_format: String,
    /// Abuse limits (README "Abuse limits"): anonymous POSTs per client IP per minute, password
    /// posts per sign-in name per minute, and the proxies whose `X-Forwarded-For` is believed.
    pub rate_ip_per_minute: u32,
    pub rate_name_per_minute: u32,
    pub trusted_proxies: Vec<String>,
    /// Client addresses or networks the per-IP rate does not apply to (default: loopback —
    /// health checks, benchmarks, and a local proxy not yet listed in `trusted_proxies`, whose
    /// clients would otherwise all share one bucket). Budgets and per-name limits still apply.
    pub rate_exempt: Vec<String>,
    /// Hashing slots one client IP may hold at once; 0 = half the slots, rounded up.
    pub hash_slots_per_ip: usize,
    /// Budgets shared by every instance (per hour): SMS per number, per IP and in all; code
    /// mails per address; and how often one code may be sent (the first send included).
    pub sms_per_number_per_hour: u32,
    pub sms_per_ip_per_hour: u32,
    pub sms_per_hour: u32,
    pub mail_codes_per_address_per_hour: u32,
    pub otp_max_sends: u32,
    /// Calling codes SMS may go to, separated by commas (`+49,+33`); empty = every country.
    pub sms_countries: String,
    /// Days a self-registered account whose email was never confirmed is kept (1–3650).
    pub unconfirmed_signup_days: i64,
    /// Bearer token (at least 16 characters) that may read `/metrics`; unset → only loopback
    /// callers without proxy headers may.
    pub metrics_token: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        let lifetimes = Lifetimes::default();
        Config {
            database_url: "sqlite://gatehouse.db".into(),
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            smtp_url: None,
            mail_from: "Gatehouse <gatehouse@localhost>".into(),
            outbox_dir: "outbox".into(),
            message_dir: None,
            sms_provider: "none".into(),
            sms_url: None,
            sms_username: None,
            sms_password: None,
            sms_from: None,
            push_provider: "none".into(),
            push_url: None,
            push_token: None,
            otp_digits: 6,
            otp_ttl: 5 * 60,
            otp_attempts: 5,
            otp_resend_seconds: 30,
            otp_email_digits: None,
            otp_email_ttl: None,
            otp_email_attempts: None,
            otp_email_resend_seconds: None,
            otp_sms_digits: None,
            otp_sms_ttl: None,
            otp_sms_attempts: None,
            otp_sms_resend_seconds: None,
            otp_push_digits: None,
            otp_push_ttl: None,
            otp_push_attempts: None,
            otp_push_resend_seconds: None,
            disabled_methods: Vec::new(),
            password_min_length: 8,
            password_attempts: 10,
            password_lock_seconds: 5 * 60,
            audit_retention_days: 365,
            delivery_retention_days: 30,
            workers: None,
            db_pool_size: None,
            argon2_memory_kib: 19456,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            hash_queue_wait_ms: 2000,
            encryption_key: None,
            session_ttl: 8 * 3600,
            request_ttl: lifetimes.request,
            code_ttl: lifetimes.code,
            access_token_ttl: lifetimes.access_token,
            id_token_ttl: lifetimes.id_token,
            refresh_token_ttl: lifetimes.refresh_token,
            totp_window: 1,
            totp_max_per_user: 5,
            totp_mode: "multiple".into(),
            totp_issuer: "Gatehouse".into(),
            default_locale: "en".into(),
            totp_algorithm: "SHA1".into(),
            totp_digits: 6,
            totp_period: 30,
            lockout_failures: 5,
            lockout_first_seconds: 5 * 60,
            lockout_second_seconds: 30 * 60,
            log: "info".into(),
            log_format: "text".into(),
            rate_ip_per_minute: 1200,
            rate_name_per_minute: 300,
            trusted_proxies: Vec::new(),
            rate_exempt: vec!["127.0.0.0/8".into(), "::1".into()],
            hash_slots_per_ip: 0,
            sms_per_number_per_hour: 5,
            sms_per_ip_per_hour: 20,
            sms_per_hour: 1000,
            mail_codes_per_address_per_hour: 20,
            otp_max_sends: 5,
            sms_countries: String::new(),
            unconfirmed_signup_days: 7,
            metrics_token: None,
        }
    }
}

/// A configuration problem, worded as one line that names the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Loads defaults, then `file` (if any), then `GATEHOUSE_*` variables, and validates.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(ConfigError(format!(
                    "config file {} does not exist",
                    file.display()
                )));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        figment = figment.merge(Env::prefixed("GATEHOUSE_").ignore(&["config"]));
        let config: Config = figment.extract().map_err(|e| {
            let first = e
                .into_iter()
                .next()
                .map(|e| e.to_string())
                .unwrap_or_default();
            ConfigError(format!("invalid configuration: {first}"))
        })?;
        config.validate()?;
        Ok(config)
    }

    /// The configured at-rest key, if one is set.
    pub fn encryption_key_bytes(&self) -> Option<[u8; 32]> {
        self.encryption_key.as_deref().and_then(decode_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Config::default().validate(), Ok(()));
    }

    #[test]
    fn invalid_values_name_their_key() {
        let cases: Vec<(Config, &str)> = vec![
            (
                Config {
                    listen: "nonsense".into(),
                    ..Config::default()
                },
                "listen",
            ),
            (
                Config {
                    database_url: "mysql://x".into(),
                    ..Config::default()
                },
                "database_url",
            ),
            (
                Config {
                    public_url: Some("ftp://x".into()),
                    ..Config::default()
                },
                "public_url",
            ),
            (
                Config {
                    encryption_key: Some("c2hvcnQ=".into()),
                    ..Config::default()
                },
                "encryption_key",
            ),
            (
                Config {
                    public_url: Some("https://login.example.com".into()),
                    ..Config::default()
                },
                "encryption_key",
            ),
            (
                Config {
                    code_ttl: 0,
                    ..Config::default()
                },
                "code_ttl",
            ),
            (
                Config {
                    password_attempts: 2,
                    ..Config::default()
                },
                "password_attempts",
            ),
            (
                Config {
                    password_lock_seconds: 86_401,
                    ..Config::default()
                },
                "password_lock_seconds",
            ),
            (
                Config {
                    argon2_iterations: 0,
                    ..Config::default()
                },
                "argon2",
            ),
        ];
        for (config, key) in cases {
            let err = config.validate().unwrap_err().0;
            assert!(err.contains(key), "{err:?} should name {key}");
            assert!(!err.contains('\n'));
        }
    }
}
