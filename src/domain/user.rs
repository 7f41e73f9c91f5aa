//! Users and the parsed forms of what identifies them.

use std::fmt;

/// An email address, trimmed and lower-cased so that one mailbox maps to one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a valid email address")]
pub struct InvalidEmail(pub String);

impl Email {
    /// Accepts `local@domain` with a dotted domain, no spaces, at most 254 characters (RFC 5321).
    pub fn parse(input: &str) -> Result<Email, InvalidEmail> {
        let email = input.trim().to_lowercase();
        let valid = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && local.len() <= 64
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if valid {
            Ok(Email(email))
        } else {
            Err(InvalidEmail(input.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A user account as the rest of the app sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub email_verified: bool,
    pub name: Option<String>,
    pub password_hash: Option<String>,
    pub is_admin: bool,
    pub disabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// E.164 phone number for SMS codes, and whether it was confirmed.
    pub phone_number: Option<String>,
    pub phone_verified: bool,
}

impl User {
    /// Whether the account may sign in at all.
    pub fn can_sign_in(&self) -> bool {
        // A self-registered account signs in only once its email is confirmed.
        !self.disabled && self.email_verified
    }

    /// The phone number SMS codes go to: only a confirmed one.
    pub fn sms_number(&self) -> Option<&str> {
        self.phone_number.as_deref().filter(|_| self.phone_verified)
    }
}

/// A phone number in E.164 form (`+` then 8 to 15 digits); spaces, dashes, dots and brackets
/// people type are dropped.
pub fn normalize_phone(input: &str) -> Result<String, String> {
    let kept: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let digits = kept.strip_prefix('+').unwrap_or("");
    if (8..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
    {
        Ok(kept)
    } else {
        Err("enter the number in international form, like +49 151 12345678".into())
    }
}

/// An account an operator creates (`gatehouse user create` or the admin's "Create user" page),
/// after [`OperatorUser::check`]. The password itself is not kept here: the caller hashes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorUser {
    pub email: Email,
    pub name: Option<String>,
    pub phone_number: Option<String>,
    pub is_admin: bool,
}

/// What is wrong with an operator's new account, field by field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperatorUserProblems {
    pub email: Option<InvalidEmail>,
    pub password: Option<crate::domain::password_policy::PasswordProblem>,
    pub phone: Option<String>,
}

impl OperatorUser {
    /// Checks what the operator typed: a valid email, a password (if any) that follows the
    /// rules for new passwords, a phone number (if any) in international form. An empty or
    /// blank name counts as none.
    pub fn check(
        email: &str,
        name: Option<String>,
        password: Option<&str>,
        phone: Option<&str>,
        is_admin: bool,
    ) -> Result<OperatorUser, OperatorUserProblems> {
        let parsed = Email::parse(email);
        let context = match &parsed {
            Ok(email) => email.as_str().to_owned(),
            Err(_) => email.trim().to_lowercase(),
        };
        let problems = OperatorUserProblems {
            email: parsed.as_ref().err().cloned(),
            password: password.and_then(|p| {
                crate::domain::password_policy::check_new_password(p, &context).err()
            }),
            phone: phone.and_then(|p| normalize_phone(p).err()),
        };
        match parsed {
            Ok(email) if problems.password.is_none() && problems.phone.is_none() => {
                Ok(OperatorUser {
                    email,
                    name: name.filter(|n| !n.trim().is_empty()),
                    phone_number: phone.and_then(|p| normalize_phone(p).ok()),
                    is_admin,
                })
            }
            _ => Err(problems),
        }
    }

    /// The new account. Its email counts as confirmed (the operator vouches for the address),
    /// and so does its phone number.
    pub fn into_user(self, id: String, password_hash: Option<String>, now: i64) -> User {
        User {
            id,
            email: self.email.to_string(),
            email_verified: true,
            name: self.name,
            password_hash,
            is_admin: self.is_admin,
            disabled: false,
            created_at: now,
            updated_at: now,
            phone_verified: self.phone_number.is_some(),
            phone_number: self.phone_number,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_normalised_to_e164() {
        assert_eq!(
            normalize_phone("+49 (151) 123-456.78").unwrap(),
            "+4915112345678"
        );
        for bad in [
            "015112345678",
            "+0151",
            "+49151abc",
            "+1234567",
            "+1234567890123456",
        ] {
            assert!(normalize_phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_operator_user_is_checked_field_by_field() {
        let problems = OperatorUser::check("nope", None, Some("short"), Some("0151"), false)
            .expect_err("three problems");
        assert!(
            problems.email.is_some() && problems.password.is_some() && problems.phone.is_some()
        );
        let ok = OperatorUser::check(
            " Ada@Example.com ",
            Some("  ".into()),
            Some("correct horse battery"),
            Some("+49 151 12345678"),
            true,
        )
        .expect("valid");
        let user = ok.into_user("id".into(), Some("hash".into()), 7);
        assert_eq!(user.email, "ada@example.com");
        assert_eq!(
            (user.name, user.phone_number.as_deref()),
            (None, Some("+4915112345678"))
        );
        assert!(user.email_verified && user.phone_verified && user.is_admin && !user.disabled);
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse("  Alice@Example.COM ").unwrap().as_str(),
            "alice@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "alice@example",
            "a b@example.com",
            "a@b@c.com",
            "alice@.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
