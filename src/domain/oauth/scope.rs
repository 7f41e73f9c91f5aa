//! Scopes we understand. Unknown scopes in a request are dropped, not refused, so clients that
//! ask for more (`address`, `phone`, …) still work and simply get what we have.

use std::fmt;

/// The scope a Bearer token needs to add or remove a sign-in factor of its user (an
/// authenticator app, a push device). Any client may ask for it, as for `email`; a token without
/// it can still read the user's factors and claims, but cannot give the user's account a factor
/// its holder controls.
pub const FACTORS: &str = "gatehouse:factors";

pub const SUPPORTED: [&str; 5] = ["openid", "profile", "email", "offline_access", FACTORS];

/// A de-duplicated, ordered set of supported scopes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Keeps the supported scopes of a space-separated list, in request order, once each.
    pub fn parse_supported(input: &str) -> Scopes {
        let mut scopes: Vec<String> = Vec::new();
        for s in input.split_whitespace() {
            if SUPPORTED.contains(&s) && !scopes.iter().any(|x| x == s) {
                scopes.push(s.to_owned());
            }
        }
        Scopes(scopes)
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s == scope)
    }

    /// Whether every scope of `self` is also in `granted` (RFC 6749 §6: refresh may narrow only).
    pub fn is_subset_of(&self, granted: &Scopes) -> bool {
        self.0.iter().all(|s| granted.contains(s))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_repeated_scopes_are_dropped() {
        let s = Scopes::parse_supported("openid  address email openid");
        assert_eq!(s.to_string(), "openid email");
    }

    #[test]
    fn the_factors_scope_is_kept() {
        let s = Scopes::parse_supported("openid gatehouse:factors gatehouse:other");
        assert_eq!(s.to_string(), "openid gatehouse:factors");
    }

    #[test]
    fn narrowing_is_a_subset_check() {
        let granted = Scopes::parse_supported("openid email profile");
        assert!(Scopes::parse_supported("openid email").is_subset_of(&granted));
        assert!(!Scopes::parse_supported("openid offline_access").is_subset_of(&granted));
    }
}
