//! [`Config::validate`]: values that parse but make no sense are refused with the key they
//! belong to (the admin settings pages show the message next to that key's field).

use std::net::SocketAddr;

use super::{Config, ConfigError};

impl Config {
    /// Checks values that parse but make no sense.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, why: String| {
            Err(ConfigError(format!("invalid configuration: {key}: {why}")))
        };
        if crate::store::Backend::from_url(&self.database_url).is_none() {
            return bad(
                "database_url",
                "must start with sqlite:// or postgres://".into(),
            );
        }
        if let Err(e) = self.listen.parse::<SocketAddr>() {
            return bad(
                "listen",
                format!(
                    "{:?} is not a socket address like 127.0.0.1:8080 ({e})",
                    self.listen
                ),
            );
        }
        if let Some(url) = &self.public_url {
            match url::Url::parse(url) {
                Ok(u)
                    if matches!(u.scheme(), "http" | "https")
                        && u.query().is_none()
                        && u.fragment().is_none() => {}
                _ => {
                    return bad(
                        "public_url",
                        format!("{url:?} must be an http(s) URL without query or fragment"),
                    );
                }
            }
        }
        if let Some(smtp) = &self.smtp_url
            && !(smtp.starts_with("smtp://") || smtp.starts_with("smtps://"))
        {
            return bad("smtp_url", "must start with smtp:// or smtps://".into());
        }
        if !crate::i18n::is_shipped(&self.default_locale) {
            return bad(
                "default_locale",
                format!(
                    "{:?} is not a shipped language ({})",
                    self.default_locale,
                    crate::i18n::SHIPPED.join(", ")
                ),
            );
        }
        if self.workers == Some(0) {
            return bad("workers", "must be at least 1".into());
        }
        if self.db_pool_size == Some(0) {
            return bad("db_pool_size", "must be at least 1".into());
        }
        if argon2::Params::new(
            self.argon2_memory_kib,
            self.argon2_iterations,
            self.argon2_parallelism,
            None,
        )
        .is_err()
        {
            return bad("argon2_memory_kib", "argon2 parameters out of range (memory ≥ 8×parallelism KiB, iterations ≥ 1, parallelism ≥ 1)".into());
        }
        // In production (https) the key that seals TOTP secrets and connector credentials must
        // not live in the same database as what it seals.
        if self
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
            && self.encryption_key.is_none()
        {
            return bad(
                "encryption_key",
                "is required when public_url is https (generate one with: openssl rand -base64 32)"
                    .into(),
            );
        }
        if let Some(key) = &self.encryption_key
            && decode_key(key).is_none()
        {
            return bad(
                "encryption_key",
                "must be the base64 encoding of exactly 32 bytes".into(),
            );
        }
        for (key, value) in [
            ("session_ttl", self.session_ttl),
            ("request_ttl", self.request_ttl),
            ("code_ttl", self.code_ttl),
            ("access_token_ttl", self.access_token_ttl),
            ("id_token_ttl", self.id_token_ttl),
            ("refresh_token_ttl", self.refresh_token_ttl),
            ("lockout_first_seconds", self.lockout_first_seconds),
            ("lockout_second_seconds", self.lockout_second_seconds),
            ("otp_ttl", self.otp_ttl),
        ] {
            if value <= 0 {
                return bad(key, "must be a positive number of seconds".into());
            }
        }
        if !(0..=3).contains(&self.totp_window) {
            return bad("totp_window", "must be between 0 and 3 steps".into());
        }
        if self.totp_max_per_user == 0 {
            return bad("totp_max_per_user", "must be at least 1".into());
        }
        if self.lockout_failures == 0 {
            return bad("lockout_failures", "must be at least 1".into());
        }
        if !matches!(
            self.totp_mode.as_str(),
            "multiple" | "single_block" | "single_override"
        ) {
            return bad(
                "totp_mode",
                "must be multiple, single_block or single_override".into(),
            );
        }
        // A channel's own rules, where set, follow the general ones' limits.
        for (channel, digits, ttl, attempts, resend) in [
            (
                "email",
                self.otp_email_digits,
                self.otp_email_ttl,
                self.otp_email_attempts,
                self.otp_email_resend_seconds,
            ),
            (
                "sms",
                self.otp_sms_digits,
                self.otp_sms_ttl,
                self.otp_sms_attempts,
                self.otp_sms_resend_seconds,
            ),
            (
                "push",
                self.otp_push_digits,
                self.otp_push_ttl,
                self.otp_push_attempts,
                self.otp_push_resend_seconds,
            ),
        ] {
            let key = |rule: &str| format!("otp_{channel}_{rule}");
            if digits.is_some_and(|d| !(4..=10).contains(&d)) {
                return bad(&key("digits"), "must be between 4 and 10".into());
            }
            if ttl.is_some_and(|t| t <= 0) {
                return bad(&key("ttl"), "must be a positive number of seconds".into());
            }
            if attempts == Some(0) {
                return bad(&key("attempts"), "must be at least 1".into());
            }
            if resend.is_some_and(|r| r < 0) {
                return bad(&key("resend_seconds"), "must not be negative".into());
            }
        }
        if !(4..=10).contains(&self.otp_digits) {
            return bad("otp_digits", "must be between 4 and 10".into());
        }
        if self.otp_attempts == 0 {
            return bad("otp_attempts", "must be at least 1".into());
        }
        if self.otp_resend_seconds < 0 {
            return bad("otp_resend_seconds", "must not be negative".into());
        }
        if let Some(m) = self
            .disabled_methods
            .iter()
            .find(|m| m.parse::<crate::domain::verification::Method>().is_err())
        {
            return bad(
                "disabled_methods",
                format!("{m:?} is not one of password, totp, email, sms, push, backupcode"),
            );
        }
        if !(8..=64).contains(&self.password_min_length) {
            return bad(
                "password_min_length",
                "must be between 8 and 64 (NIST SP 800-63B)".into(),
            );
        }
        if !(3..=100).contains(&self.password_attempts) {
            return bad("password_attempts", "must be between 3 and 100".into());
        }
        if !(30..=86_400).contains(&self.password_lock_seconds) {
            return bad(
                "password_lock_seconds",
                "must be between 30 and 86400 seconds (one day)".into(),
            );
        }
        for (key, days) in [
            ("audit_retention_days", self.audit_retention_days),
            ("delivery_retention_days", self.delivery_retention_days),
            ("unconfirmed_signup_days", self.unconfirmed_signup_days),
        ] {
            if !(1..=3650).contains(&days) {
                return bad(key, "must be between 1 and 3650 days".into());
            }
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return bad(
                "mail_from",
                format!(
                    "{:?} is not an address like Name <login@example.com>",
                    self.mail_from
                ),
            );
        }
        if let Err(e) = crate::channels::SmsConnector::check(&self.sms_settings()) {
            return bad("sms_provider", e.to_string());
        }
        if let Err(e) = crate::channels::PushConnector::check(&self.push_settings()) {
            return bad("push_provider", e.to_string());
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return bad("log_format", "must be text or json".into());
        }
        self.validate_limits()?;
        if self
            .metrics_token
            .as_ref()
            .is_some_and(|t| t.trim().chars().count() < 16)
        {
            return bad("metrics_token", "must be at least 16 characters".into());
        }
        Ok(())
    }
}

pub(super) fn decode_key(key: &str) -> Option<[u8; 32]> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(key.trim())
        .ok()?;
    bytes.try_into().ok()
}
