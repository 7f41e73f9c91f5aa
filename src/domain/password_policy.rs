//! Rules for choosing a new password, after NIST SP 800-63B §5.1.1.2 ("Memorized Secret
//! Verifiers"): a minimum length of 8, a maximum of at least 64 (we take 256), no composition
//! rules (no "one digit and one symbol"), and no value that is known to be common or breached
//! or that is built from context-specific words (the user's email, the service's name).
//!
//! The list of common passwords is compiled into the binary from `data/common-passwords.txt`
//! (its sources and licences are in `data/README.md`). Pure: no IO, no clock, no randomness, and
//! no dependency on actix, diesel, lettre, askama, tokio or any other layer of this crate.

use std::collections::HashSet;
use std::sync::LazyLock;

/// The fewest characters a new password may have (SP 800-63B: at least 8).
pub const MIN_CHARS: usize = 8;

/// The most characters a new password may have (SP 800-63B: at least 64 must be allowed).
/// Bounded so that hashing an absurdly long input cannot be used to burn server time.
pub const MAX_CHARS: usize = 256;

/// Context-specific words that no password may contain, whoever the user is.
const SERVICE_WORDS: &[&str] = &["gatehouse"];

/// Parts of the email shorter than this are only refused as the whole password, not as a
/// substring: "al" inside a long passphrase says nothing about the user.
const MIN_CONTEXT_PART_CHARS: usize = 4;

/// One password a line, lower-case, at least 8 characters, sorted (see `data/README.md`).
const COMMON_PASSWORDS_TXT: &str = include_str!("../../data/common-passwords.txt");

static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    COMMON_PASSWORDS_TXT
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect()
});

/// Why a new password was refused. [`PasswordProblem::message`] is the sentence to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    /// Fewer than `min` characters (at least [`MIN_CHARS`]; admins may ask for more).
    #[error("the password has fewer than {min} characters")]
    TooShort { min: usize },
    /// More than [`MAX_CHARS`] characters.
    #[error("the password has more than {MAX_CHARS} characters")]
    TooLong,
    /// On the shipped list of common and leaked passwords (compared case-insensitively).
    #[error("the password is on the list of common passwords")]
    Common,
    /// Is or contains the user's email address or a part of it.
    #[error("the password contains the user's email address or a part of it")]
    ContainsEmail,
    /// Is or contains the name of the service.
    #[error("the password contains the name of the service")]
    ContainsServiceName,
}

impl PasswordProblem {
    /// A helpful sentence for the person choosing the password.
    pub fn message(&self) -> String {
        match self {
            PasswordProblem::TooShort { min } => format!(
                "Use at least {min} characters. A few unrelated words make a password \
                 that is long and easy to remember."
            ),
            PasswordProblem::TooLong => {
                format!("Use at most {MAX_CHARS} characters.")
            }
            PasswordProblem::Common => "This password is too common: it appears in lists of \
                                        leaked passwords. Choose a longer phrase."
                .to_owned(),
            PasswordProblem::ContainsEmail => "Don't build your password from your email \
                                               address: it is the first thing an attacker tries."
                .to_owned(),
            PasswordProblem::ContainsServiceName => "Don't use the name of this service in \
                                                     your password: it is easy to guess."
                .to_owned(),
        }
    }
}

/// Checks a password someone wants to set for the account with this email address.
///
/// Characters are Unicode scalar values. Any character is allowed, spaces included; there are
/// no composition rules. The email is compared case-insensitively, as is the common list.
pub fn check_new_password(password: &str, email: &str) -> Result<(), PasswordProblem> {
    check_new_password_min(password, email, MIN_CHARS)
}

/// [`check_new_password`] with a longer minimum length set by an administrator (never below
/// [`MIN_CHARS`]).
pub fn check_new_password_min(
    password: &str,
    email: &str,
    min: usize,
) -> Result<(), PasswordProblem> {
    let min = min.max(MIN_CHARS);
    let chars = password.chars().count();
    if chars < min {
        return Err(PasswordProblem::TooShort { min });
    }
    if chars > MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    if contains_email(&lower, email) {
        return Err(PasswordProblem::ContainsEmail);
    }
    if SERVICE_WORDS.iter().any(|word| lower.contains(word)) {
        return Err(PasswordProblem::ContainsServiceName);
    }
    if is_common(password) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

/// Whether the password is on the shipped list of common and leaked passwords.
pub fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON_PASSWORDS.contains(lower.trim())
}

/// `lower` is the lower-cased password. Refused: the email, its local part, or a word of the
/// local part (split at `.`, `_`, `-`, `+` …) as the whole password, or inside it when the word
/// has at least [`MIN_CONTEXT_PART_CHARS`] characters.
fn contains_email(lower: &str, email: &str) -> bool {
    let email = email.trim().to_lowercase();
    let local = match email.rsplit_once('@') {
        Some((local, _domain)) => local,
        None => email.as_str(),
    };
    let words = local.split(|c: char| !c.is_alphanumeric());
    [email.as_str(), local]
        .into_iter()
        .chain(words)
        .filter(|word| !word.is_empty())
        .any(|word| {
            lower == word
                || (word.chars().count() >= MIN_CONTEXT_PART_CHARS && lower.contains(word))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "alice.smith@example.com";

    fn check(password: &str) -> Result<(), PasswordProblem> {
        check_new_password(password, EMAIL)
    }

    #[test]
    fn password_is_refused_as_common() {
        assert_eq!(check("password"), Err(PasswordProblem::Common));
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for password in [
            "Password1",
            "PASSWORD1",
            "pAsSwOrD1",
            "Qwerty123",
            "ILoveYou",
        ] {
            assert_eq!(check(password), Err(PasswordProblem::Common), "{password}");
        }
    }

    #[test]
    fn seven_characters_are_too_few() {
        assert_eq!(
            check("xk3#vq9"),
            Err(PasswordProblem::TooShort { min: MIN_CHARS })
        );
        assert_eq!(check(""), Err(PasswordProblem::TooShort { min: MIN_CHARS }));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // 7 characters, 14 bytes
        assert_eq!(
            check("ñöçüéàß"),
            Err(PasswordProblem::TooShort { min: MIN_CHARS })
        );
        // 8 characters
        assert_eq!(check("ñöçüéàßx"), Ok(()));
    }

    #[test]
    fn long_passwords_are_accepted_up_to_the_maximum() {
        let unit = "violet river ";
        for length in [64, 200, MAX_CHARS] {
            let password: String = unit.chars().cycle().take(length).collect();
            assert_eq!(password.chars().count(), length);
            assert_eq!(check(&password), Ok(()), "{length} characters");
        }
    }

    #[test]
    fn more_than_the_maximum_is_refused() {
        let password: String = "violet river ".chars().cycle().take(300).collect();
        assert_eq!(check(&password), Err(PasswordProblem::TooLong));
        let password: String = "x".repeat(MAX_CHARS + 1);
        assert_eq!(check(&password), Err(PasswordProblem::TooLong));
    }

    #[test]
    fn a_password_containing_the_email_local_part_is_refused() {
        for password in [
            "alice.smith",
            "alice.smith2024",
            "my-ALICE.SMITH-pw",
            "alice.smith@example.com",
            "smith and wesson forever",
            "alicewonderland",
        ] {
            assert_eq!(
                check(password),
                Err(PasswordProblem::ContainsEmail),
                "{password}"
            );
        }
    }

    #[test]
    fn a_short_local_part_is_refused_only_as_the_whole_password() {
        assert_eq!(
            check_new_password("bobbobbob", "bobbobbob@example.com"),
            Err(PasswordProblem::ContainsEmail)
        );
        assert_eq!(
            check_new_password("al.x.y.z", "al.x.y.z@example.com"),
            Err(PasswordProblem::ContainsEmail)
        );
        // "al" is a part of the local part, but too short to refuse inside a phrase
        assert_eq!(
            check_new_password("tall walnut gallery", "al.x@example.com"),
            Ok(())
        );
    }

    #[test]
    fn the_service_name_is_refused() {
        assert_eq!(
            check("MyGatehouse2024!"),
            Err(PasswordProblem::ContainsServiceName)
        );
    }

    #[test]
    fn a_random_passphrase_is_accepted() {
        assert_eq!(check("correct horse battery staple"), Ok(()));
        assert_eq!(check("quartz-lantern-ember-57"), Ok(()));
        assert_eq!(check("Tq7#mZ2!vL"), Ok(()));
    }

    #[test]
    fn no_composition_rules_apply() {
        assert_eq!(check("onlylowercaseletterswithoutdigits"), Ok(()));
        assert_eq!(check("9482017365018"), Ok(()));
    }

    #[test]
    fn every_problem_has_a_user_facing_sentence() {
        for problem in [
            PasswordProblem::TooShort { min: MIN_CHARS },
            PasswordProblem::TooLong,
            PasswordProblem::Common,
            PasswordProblem::ContainsEmail,
            PasswordProblem::ContainsServiceName,
        ] {
            let message = problem.message();
            assert!(message.ends_with('.'), "{message}");
            assert!(message.starts_with(char::is_uppercase), "{message}");
        }
        assert!(PasswordProblem::Common.message().contains("too common"));
        assert!(
            PasswordProblem::TooShort { min: MIN_CHARS }
                .message()
                .contains("8")
        );
    }

    #[test]
    fn the_shipped_list_is_large_lower_case_and_of_useful_length() {
        let list = &*COMMON_PASSWORDS;
        assert!(list.len() >= 10_000, "{} entries", list.len());
        for entry in list {
            assert!(entry.chars().count() >= MIN_CHARS, "{entry:?} is too short");
            assert_eq!(*entry, entry.to_lowercase(), "{entry:?} is not lower-case");
        }
        assert!(is_common("12345678"));
        assert!(is_common("Iloveyou"));
        assert!(!is_common("quartz-lantern-ember-57"));
    }
}
