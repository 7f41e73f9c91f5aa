//! Validation of the abuse-limit keys (rates, budgets, trusted proxies, SMS countries).

use super::{Config, ConfigError};

impl Config {
    pub(super) fn validate_limits(&self) -> Result<(), ConfigError> {
        let bad =
            |key: &str, why: &str| Err(ConfigError(format!("invalid configuration: {key}: {why}")));
        for (key, value) in [
            ("rate_ip_per_minute", self.rate_ip_per_minute),
            ("rate_name_per_minute", self.rate_name_per_minute),
            ("sms_per_number_per_hour", self.sms_per_number_per_hour),
            ("sms_per_ip_per_hour", self.sms_per_ip_per_hour),
            ("sms_per_hour", self.sms_per_hour),
            (
                "mail_codes_per_address_per_hour",
                self.mail_codes_per_address_per_hour,
            ),
            ("otp_max_sends", self.otp_max_sends),
        ] {
            if !(1..=10_000_000).contains(&value) {
                return bad(key, "must be between 1 and 10000000");
            }
        }
        if let Some(entry) = self
            .trusted_proxies
            .iter()
            .find(|e| crate::domain::client_ip::parse_trusted(e).is_none())
        {
            return Err(ConfigError(format!(
                "invalid configuration: trusted_proxies: {entry:?} is not an address or network like 10.0.0.0/8"
            )));
        }
        if let Some(entry) = self
            .rate_exempt
            .iter()
            .find(|e| crate::domain::client_ip::parse_trusted(e).is_none())
        {
            return Err(ConfigError(format!(
                "invalid configuration: rate_exempt: {entry:?} is not an address or network like 127.0.0.0/8"
            )));
        }
        if let Some(code) = self
            .sms_country_list()
            .iter()
            .find(|c| crate::domain::limits::calling_code(c).is_none())
        {
            return Err(ConfigError(format!(
                "invalid configuration: sms_countries: {code:?} is not a calling code like +49"
            )));
        }
        Ok(())
    }

    /// The SMS allow-list as calling codes (empty = every country).
    pub fn sms_country_list(&self) -> Vec<String> {
        self.sms_countries
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The trusted proxies as networks (validated: unreadable entries were refused at start).
    pub fn trusted_networks(&self) -> Vec<ipnet::IpNet> {
        networks(&self.trusted_proxies)
    }

    /// The networks exempt from the per-IP rate (validated like the trusted proxies).
    pub fn rate_exempt_networks(&self) -> Vec<ipnet::IpNet> {
        networks(&self.rate_exempt)
    }
}

fn networks(entries: &[String]) -> Vec<ipnet::IpNet> {
    entries
        .iter()
        .filter_map(|e| crate::domain::client_ip::parse_trusted(e))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_proxies_countries_and_zero_rates_name_their_key() {
        let cases = [
            (
                Config {
                    trusted_proxies: vec!["10.0.0.0/8".into(), "proxy.local".into()],
                    ..Config::default()
                },
                "trusted_proxies",
            ),
            (
                Config {
                    sms_countries: "+49, 33".into(),
                    ..Config::default()
                },
                "sms_countries",
            ),
            (
                Config {
                    rate_exempt: vec!["localhost".into()],
                    ..Config::default()
                },
                "rate_exempt",
            ),
            (
                Config {
                    rate_ip_per_minute: 0,
                    ..Config::default()
                },
                "rate_ip_per_minute",
            ),
        ];
        for (config, key) in cases {
            let err = config.validate().unwrap_err().0;
            assert!(err.contains(key), "{err}");
        }
        let ok = Config {
            trusted_proxies: vec!["10.0.0.0/8".into(), "::1".into()],
            sms_countries: "+49, +33".into(),
            ..Config::default()
        };
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(ok.sms_country_list(), vec!["+49", "+33"]);
        assert_eq!(ok.trusted_networks().len(), 2);
    }
}
