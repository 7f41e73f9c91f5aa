//! What the rest of the program derives from the configuration: TOTP parameters, lockout and
//! code policies (general and per channel), connector settings, token lifetimes.

use super::Config;
use crate::domain::oauth::Lifetimes;

impl Config {
    /// The TOTP parameters for new enrollments.
    pub fn totp_params(&self) -> Result<crate::domain::totp::TotpParams, String> {
        let params = crate::domain::totp::TotpParams {
            algorithm: self.totp_algorithm.parse()?,
            digits: self.totp_digits,
            period: self.totp_period,
        };
        params.validate()?;
        Ok(params)
    }

    pub fn lockout_policy(&self) -> crate::domain::policy::LockoutPolicy {
        crate::domain::policy::LockoutPolicy {
            failures_per_tier: self.lockout_failures,
            tier_seconds: vec![self.lockout_first_seconds, self.lockout_second_seconds],
        }
    }

    /// The throttling of password guesses per sign-in name.
    pub fn password_lockout_policy(&self) -> crate::domain::policy::PasswordLockoutPolicy {
        crate::domain::policy::PasswordLockoutPolicy {
            attempts: self.password_attempts,
            first_seconds: self.password_lock_seconds,
        }
    }

    pub fn code_policy(&self) -> crate::domain::one_time_code::CodePolicy {
        self.policy_from(
            self.otp_digits,
            self.otp_ttl,
            self.otp_attempts,
            self.otp_resend_seconds,
        )
    }

    /// The code rules of one channel (`email`, `sms`, `push`): its own values where set.
    pub fn channel_code_policy(&self, channel: &str) -> crate::domain::one_time_code::CodePolicy {
        let (digits, ttl, attempts, resend) = self.channel_code_rules(channel);
        self.policy_from(digits, ttl, attempts, resend)
    }

    pub(super) fn channel_code_rules(&self, channel: &str) -> (u8, i64, u32, i64) {
        let (digits, ttl, attempts, resend) = match channel {
            "email" => (
                self.otp_email_digits,
                self.otp_email_ttl,
                self.otp_email_attempts,
                self.otp_email_resend_seconds,
            ),
            "sms" => (
                self.otp_sms_digits,
                self.otp_sms_ttl,
                self.otp_sms_attempts,
                self.otp_sms_resend_seconds,
            ),
            "push" => (
                self.otp_push_digits,
                self.otp_push_ttl,
                self.otp_push_attempts,
                self.otp_push_resend_seconds,
            ),
            _ => (None, None, None, None),
        };
        (
            digits.unwrap_or(self.otp_digits),
            ttl.unwrap_or(self.otp_ttl),
            attempts.unwrap_or(self.otp_attempts),
            resend.unwrap_or(self.otp_resend_seconds),
        )
    }

    fn policy_from(
        &self,
        digits: u8,
        ttl: i64,
        attempts: u32,
        resend_after: i64,
    ) -> crate::domain::one_time_code::CodePolicy {
        crate::domain::one_time_code::CodePolicy {
            digits,
            ttl,
            resend_after,
            lockout: crate::domain::policy::LockoutPolicy {
                failures_per_tier: attempts,
                tier_seconds: vec![self.lockout_first_seconds, self.lockout_second_seconds],
            },
        }
    }

    pub fn mail_settings(&self) -> crate::channels::MailSettings {
        crate::channels::MailSettings {
            smtp_url: self.smtp_url.clone(),
            from: self.mail_from.clone(),
            outbox_dir: self.outbox_dir.clone().into(),
        }
    }

    pub fn sms_settings(&self) -> crate::channels::SmsSettings {
        crate::channels::SmsSettings {
            provider: self.sms_provider.clone(),
            url: self.sms_url.clone(),
            username: self.sms_username.clone(),
            password: self.sms_password.clone(),
            from: self.sms_from.clone(),
        }
    }

    pub fn push_settings(&self) -> crate::channels::PushSettings {
        crate::channels::PushSettings {
            provider: self.push_provider.clone(),
            url: self.push_url.clone(),
            token: self.push_token.clone(),
        }
    }

    pub fn lifetimes(&self) -> Lifetimes {
        Lifetimes {
            request: self.request_ttl,
            code: self.code_ttl,
            access_token: self.access_token_ttl,
            id_token: self.id_token_ttl,
            refresh_token: self.refresh_token_ttl,
        }
    }
}
