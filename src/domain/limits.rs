//! Pure rules of the abuse budgets: fixed hourly windows, the counter keys (destinations only
//! as hashes), and the SMS country allow-list. No IO; time is a parameter.

/// The length of a budget window.
pub const HOUR: i64 = 3600;

/// The start of the hourly window `now` falls in.
pub fn window_start(now: i64) -> i64 {
    now - now.rem_euclid(HOUR)
}

/// Seconds until the window of `now` ends (at least 1): the `Retry-After` of an exhausted
/// budget.
pub fn retry_after(now: i64) -> u64 {
    (window_start(now) + HOUR - now).max(1) as u64
}

/// The budgets, by the name audit events and errors use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    SmsPerNumber,
    SmsPerIp,
    SmsGlobal,
    MailPerAddress,
    RegisterNotice,
}

impl Budget {
    pub fn name(self) -> &'static str {
        match self {
            Budget::SmsPerNumber => "sms_per_number",
            Budget::SmsPerIp => "sms_per_ip",
            Budget::SmsGlobal => "sms_global",
            Budget::MailPerAddress => "mail_codes_per_address",
            Budget::RegisterNotice => "register_notice_per_address",
        }
    }

    /// The counter key for `hashed` (a hash of the destination or IP, never the value itself;
    /// empty for the global budget).
    pub fn key(self, hashed: &str) -> String {
        format!("{}:{hashed}", self.name())
    }
}

/// A calling code as configured (`+49`, `+1`, `+351`): its digits, or `None` when it is not one.
pub fn calling_code(code: &str) -> Option<&str> {
    let digits = code.trim().strip_prefix('+')?;
    (!digits.is_empty() && digits.len() <= 4 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

/// Whether SMS may go to `number` under the allow-list `countries` (empty = anywhere). A
/// number without a leading `+` has no country that can be told, and is refused by a list.
pub fn sms_country_allowed(number: &str, countries: &[String]) -> bool {
    if countries.is_empty() {
        return true;
    }
    let compact: String = number.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(digits) = compact.strip_prefix('+') else {
        return false;
    };
    countries
        .iter()
        .filter_map(|c| calling_code(c))
        .any(|code| digits.starts_with(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_whole_hours_and_retry_after_counts_to_the_next() {
        assert_eq!(window_start(7200 + 59), 7200);
        assert_eq!(retry_after(7200 + 3599), 1);
        assert_eq!(retry_after(7200), 3600);
    }

    #[test]
    fn the_country_list_admits_only_its_calling_codes() {
        let list = vec!["+49".to_owned(), "+33".to_owned()];
        assert!(sms_country_allowed("+49 151 1234567", &list));
        assert!(sms_country_allowed("+33612345678", &list));
        assert!(!sms_country_allowed("+4412345678", &list));
        assert!(!sms_country_allowed("0049151", &list), "no + → no country");
        assert!(sms_country_allowed("+4412345678", &[]), "empty list = all");
    }

    #[test]
    fn calling_codes_are_a_plus_and_up_to_four_digits() {
        assert_eq!(calling_code("+49"), Some("49"));
        assert_eq!(calling_code("49"), None);
        assert_eq!(calling_code("+4x"), None);
        assert_eq!(calling_code("+"), None);
    }
}
