//! Live settings: the configuration (defaults → file → environment) with the values changed on
//! the admin pages laid over it. A change takes effect without a restart: the instance that
//! saved it reloads at once, every other instance within [`RELOAD_EVERY`] (it polls the
//! settings revision in the database).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::channels::Channels;
use crate::config::{Config, ConfigError};
use crate::crypto::seal::Sealer;
use crate::domain::one_time_code::CodePolicy;
use crate::domain::policy::LockoutPolicy;
use crate::store::{self, Store};

/// How often other instances look for changed settings.
pub const RELOAD_EVERY: Duration = Duration::from_secs(5);

/// The keys the admin pages may change. Everything else (database, listen address, keys…)
/// stays with the file and the environment.
pub const EDITABLE: [&str; 47] = [
    "totp_issuer",
    "totp_algorithm",
    "totp_digits",
    "totp_period",
    "totp_window",
    "totp_max_per_user",
    "totp_mode",
    "lockout_failures",
    "lockout_first_seconds",
    "lockout_second_seconds",
    "otp_digits",
    "otp_ttl",
    "otp_attempts",
    "otp_resend_seconds",
    "otp_email_digits",
    "otp_email_ttl",
    "otp_email_attempts",
    "otp_email_resend_seconds",
    "otp_sms_digits",
    "otp_sms_ttl",
    "otp_sms_attempts",
    "otp_sms_resend_seconds",
    "otp_push_digits",
    "otp_push_ttl",
    "otp_push_attempts",
    "otp_push_resend_seconds",
    "disabled_methods",
    "password_min_length",
    "password_attempts",
    "password_lock_seconds",
    "smtp_url",
    "mail_from",
    "sms_provider",
    "sms_url",
    "sms_username",
    "sms_password",
    "sms_from",
    "push_provider",
    "push_url",
    "push_token",
    "sms_per_number_per_hour",
    "sms_per_ip_per_hour",
    "sms_per_hour",
    "mail_codes_per_address_per_hour",
    "otp_max_sends",
    "sms_countries",
    "default_locale",
];

/// The editable settings that are credentials (an SMTP URL may carry a user and password):
/// sealed at rest with the encryption key, like TOTP secrets, so a copy of the database alone
/// does not give them away.
pub const SEALED: [&str; 3] = ["smtp_url", "sms_password", "push_token"];
const SEALED_PREFIX: &str = "sealed:v1:";

/// What the running instance uses now.
pub struct Live {
    pub config: Config,
    pub code_policy: CodePolicy,
    pub lockout: LockoutPolicy,
    pub channels: Channels,
    /// Per channel (email, SMS, push), in that order.
    pub channel_code_policies: [CodePolicy; 3],
    /// The settings revision these values come from.
    pub revision: i64,
}

impl Live {
    /// Must run inside the Tokio runtime (the SMTP pool starts there).
    pub fn build(config: Config, revision: i64) -> Result<Live, ConfigError> {
        let channels = Channels::new(
            &config.mail_settings(),
            &config.sms_settings(),
            &config.push_settings(),
        )
        .map_err(|e| ConfigError(format!("invalid configuration: {e}")))?;
        Ok(Live {
            code_policy: config.code_policy(),
            channel_code_policies: [
                config.channel_code_policy("email"),
                config.channel_code_policy("sms"),
                config.channel_code_policy("push"),
            ],
            lockout: config.lockout_policy(),
            channels,
            revision,
            config,
        })
    }
}

impl Live {
    /// The code rules of `channel`.
    pub fn code_policy_for(&self, channel: crate::domain::one_time_code::Channel) -> &CodePolicy {
        use crate::domain::one_time_code::Channel;
        &self.channel_code_policies[match channel {
            Channel::Email => 0,
            Channel::Sms => 1,
            Channel::Push => 2,
        }]
    }
}

/// `base` with the stored `overrides` (key → JSON) laid over it, validated. A stored value that
/// no longer fits (an older version wrote it) is reported, not silently used.
pub fn effective(base: &Config, overrides: &[(String, String)]) -> Result<Config, ConfigError> {
    let mut merged = serde_json::to_value(base)
        .map_err(|e| ConfigError(format!("invalid configuration: {e}")))?;
    if let Some(object) = merged.as_object_mut() {
        for (key, value) in overrides {
            if !EDITABLE.contains(&key.as_str()) {
                continue;
            }
            let value: serde_json::Value = serde_json::from_str(value)
                .map_err(|e| ConfigError(format!("invalid stored setting {key}: {e}")))?;
            if !value.is_null() {
                object.insert(key.clone(), value);
            }
        }
    }
    let config: Config = serde_json::from_value(merged)
        .map_err(|e| ConfigError(format!("invalid stored setting: {e}")))?;
    config.validate()?;
    Ok(config)
}

/// The shared, swappable current settings.
pub struct LiveSettings {
    base: Config,
    sealer: Sealer,
    current: RwLock<Arc<Live>>,
}

impl LiveSettings {
    pub fn new(base: Config, sealer: Sealer, first: Live) -> LiveSettings {
        LiveSettings {
            base,
            sealer,
            current: RwLock::new(Arc::new(first)),
        }
    }

    /// The stored settings (key → JSON text), credentials opened, and their revision.
    pub async fn stored(&self, store: &Store) -> anyhow::Result<(i64, Vec<(String, String)>)> {
        stored(store, &self.sealer).await
    }

    /// The JSON text of `key` as it is to be stored: sealed when it is a credential.
    pub fn to_store(&self, key: &str, json: String) -> String {
        if !SEALED.contains(&key) || json == "null" {
            return json;
        }
        let sealed = STANDARD.encode(self.sealer.seal(json.as_bytes()));
        serde_json::Value::String(format!("{SEALED_PREFIX}{sealed}")).to_string()
    }

    /// The file/environment configuration under the stored settings.
    pub fn base(&self) -> &Config {
        &self.base
    }

    pub fn current(&self) -> Arc<Live> {
        match self.current.read() {
            Ok(live) => Arc::clone(&live),
            // A writer panicked mid-swap; the value inside is still a whole Arc.
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn replace(&self, live: Live) {
        match self.current.write() {
            Ok(mut current) => *current = Arc::new(live),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(live),
        }
    }

    /// Reloads from the database if the revision moved (or always, with `force`).
    pub async fn reload(&self, store: &Store, force: bool) -> anyhow::Result<bool> {
        let (revision, overrides) = self.stored(store).await?;
        if !force && revision == self.current().revision {
            return Ok(false);
        }
        let config = effective(&self.base, &overrides)?;
        self.replace(Live::build(config, revision)?);
        tracing::info!(revision, "settings reloaded");
        Ok(true)
    }
}

/// The stored settings with their credentials opened (values stored before sealing existed
/// are read as they are, and sealed at their next save).
async fn stored(store: &Store, sealer: &Sealer) -> anyhow::Result<(i64, Vec<(String, String)>)> {
    let (revision, rows) = store
        .run(|c| {
            Ok((
                store::settings::revision(c)?,
                store::settings::list_settings(c)?,
            ))
        })
        .await?;
    let opened = rows
        .into_iter()
        .map(|(key, json)| {
            let sealed = serde_json::from_str::<String>(&json)
                .ok()
                .and_then(|text| text.strip_prefix(SEALED_PREFIX).map(str::to_owned));
            let Some(sealed) = sealed else {
                return Ok((key, json));
            };
            let open = STANDARD
                .decode(sealed)
                .ok()
                .and_then(|bytes| sealer.open(&bytes).ok())
                .and_then(|plain| String::from_utf8(plain).ok())
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "stored setting {key} cannot be opened: was encryption_key changed?"
                    )
                })?;
            Ok((key, open))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok((revision, opened))
}

/// Loads the settings at start.
pub async fn load(base: Config, store: &Store, sealer: Sealer) -> anyhow::Result<LiveSettings> {
    let (revision, overrides) = stored(store, &sealer).await?;
    let config = match effective(&base, &overrides) {
        Ok(config) => config,
        Err(e) => {
            // Never refuse to start over a stored value: fall back to the file and say so.
            tracing::error!(error = %e, "stored settings are invalid; using the configuration file and environment");
            base.clone()
        }
    };
    let live = Live::build(config, revision)?;
    Ok(LiveSettings::new(base, sealer, live))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_override_the_file_and_null_goes_back_to_it() {
        let base = Config::default();
        let config = effective(
            &base,
            &[
                ("otp_digits".into(), "8".into()),
                ("totp_issuer".into(), "\"Acme\"".into()),
                ("otp_ttl".into(), "null".into()),
                ("database_url".into(), "\"postgres://elsewhere\"".into()),
            ],
        )
        .unwrap();
        assert_eq!(config.otp_digits, 8);
        assert_eq!(config.totp_issuer, "Acme");
        assert_eq!(config.otp_ttl, base.otp_ttl);
        assert_eq!(
            config.database_url, base.database_url,
            "only editable keys are taken"
        );
    }

    #[test]
    fn an_invalid_stored_value_is_an_error_naming_it() {
        let e = effective(&Config::default(), &[("otp_digits".into(), "99".into())]).unwrap_err();
        assert!(e.to_string().contains("otp_digits"), "{e}");
        assert!(effective(&Config::default(), &[("otp_digits".into(), "\"x\"".into())]).is_err());
    }
}
