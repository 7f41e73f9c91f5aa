//! OAuth 2.0 / OpenID Connect rules: request validation, PKCE, redirect responses, grants and
//! ID-token claims. Pure: times are unix seconds passed in by the caller.

pub mod authorization_details;
pub mod authorize;
pub mod claims;
pub mod grant;
pub mod pending;
pub mod pkce;
pub mod redirect;
pub mod scope;
pub mod token;

/// How long each artefact of a login lives, in seconds (API.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    pub request: i64,
    pub code: i64,
    pub access_token: i64,
    pub id_token: i64,
    pub refresh_token: i64,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            request: 30 * 60,
            code: 60,
            access_token: 3600,
            id_token: 3600,
            refresh_token: 30 * 24 * 3600,
        }
    }
}

/// RFC 8176 authentication method references, space-separated in storage.
pub fn amr_to_string(amr: &[String]) -> String {
    amr.join(" ")
}

pub fn amr_from_string(amr: &str) -> Vec<String> {
    amr.split_whitespace().map(str::to_owned).collect()
}

/// The `acr` we assert: "2" when several factors were used (`mfa` in amr), else "1".
pub fn acr_for(amr: &[String]) -> &'static str {
    if amr.iter().any(|m| m == "mfa") {
        "2"
    } else {
        "1"
    }
}
