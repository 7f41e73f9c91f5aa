//! Relying-party applications (OAuth clients) and what each is allowed to do.

use std::fmt;
use std::str::FromStr;

use super::oauth::Lifetimes;
use super::verification::Method;

/// Ids of the clients Gatehouse makes for itself (the account and admin sign-in) start with
/// this; they are managed by the application, not by administrators.
pub const BUILTIN_PREFIX: &str = "gatehouse-";

/// Every sign-in method, in the order pages list them; what a new client allows.
pub const ALL_METHODS: [Method; 7] = [
    Method::Password,
    Method::Totp,
    Method::Email,
    Method::Sms,
    Method::Push,
    Method::BackupCode,
    Method::Passkey,
];

/// The lower-case name of a method in storage and forms (`backupcode`).
pub fn method_key(method: Method) -> &'static str {
    match method {
        Method::Password => "password",
        Method::Totp => "totp",
        Method::Email => "email",
        Method::Sms => "sms",
        Method::Push => "push",
        Method::BackupCode => "backupcode",
        Method::Passkey => "passkey",
    }
}

/// Methods as stored: lower-case keys separated by spaces.
pub fn methods_to_string(methods: &[Method]) -> String {
    methods
        .iter()
        .map(|m| method_key(*m))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a client's users are asked for a second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaPolicy {
    Off,
    Optional,
    Always,
}

impl MfaPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            MfaPolicy::Off => "off",
            MfaPolicy::Optional => "optional",
            MfaPolicy::Always => "always",
        }
    }
}

impl FromStr for MfaPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "off" => Ok(MfaPolicy::Off),
            "optional" => Ok(MfaPolicy::Optional),
            "always" => Ok(MfaPolicy::Always),
            other => Err(format!(
                "unknown MFA policy {other:?} (expected off, optional or always)"
            )),
        }
    }
}

/// OAuth grant types a client may use at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
}

impl GrantType {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::RefreshToken => "refresh_token",
            GrantType::ClientCredentials => "client_credentials",
        }
    }
}

impl fmt::Display for GrantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for GrantType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "authorization_code" => Ok(GrantType::AuthorizationCode),
            "refresh_token" => Ok(GrantType::RefreshToken),
            "client_credentials" => Ok(GrantType::ClientCredentials),
            other => Err(format!("unknown grant type {other:?}")),
        }
    }
}

/// A registered client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: String,
    pub name: String,
    /// SHA-256 of the client secret; `None` for public clients.
    pub secret_hash: Option<String>,
    pub is_public: bool,
    pub allow_implicit: bool,
    pub is_management: bool,
    pub mfa_policy: MfaPolicy,
    pub grant_types: Vec<GrantType>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// Origins (`https://login.shop.example`) of the application's own login UI: a password
    /// post from one of them needs no CSRF token of our form (see README, custom login UIs).
    pub login_ui_origins: Vec<String>,
    /// The sign-in methods this client's users may use, first factor or second.
    pub allowed_methods: Vec<Method>,
    /// Token lifetimes of this client; `None` = the installation's default.
    pub lifetimes: ClientLifetimes,
    /// May ask users to approve transactions (`POST /approvals`, `authorization_details`):
    /// off by default, since an approval shows the client's text on our pages.
    pub may_request_approvals: bool,
}

/// Per-client token lifetimes in seconds; `None` keeps the global default (API.md §6).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientLifetimes {
    pub access_token: Option<i64>,
    pub id_token: Option<i64>,
    pub refresh_token: Option<i64>,
}

impl Client {
    /// Whether this is one of Gatehouse's own clients (see [`BUILTIN_PREFIX`]).
    pub fn is_builtin(&self) -> bool {
        self.id.starts_with(BUILTIN_PREFIX)
    }

    pub fn allows_method(&self, method: Method) -> bool {
        self.allowed_methods.contains(&method)
    }

    /// The installation's lifetimes with this client's own values in their place.
    pub fn effective_lifetimes(&self, global: Lifetimes) -> Lifetimes {
        Lifetimes {
            access_token: self.lifetimes.access_token.unwrap_or(global.access_token),
            id_token: self.lifetimes.id_token.unwrap_or(global.id_token),
            refresh_token: self.lifetimes.refresh_token.unwrap_or(global.refresh_token),
            ..global
        }
    }

    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// RFC 9700 §2.1: redirect URIs are compared by exact string match, nothing looser.
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }

    /// Whether `origin` (an `Origin` header, or the origin of a `Referer`) is one of the
    /// application's own login UIs. Compared exactly, after the same normalisation as when
    /// they were registered.
    pub fn has_login_ui_origin(&self, origin: &str) -> bool {
        normalize_origin(origin).is_ok_and(|o| self.login_ui_origins.contains(&o))
    }

    pub fn has_post_logout_redirect_uri(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris.iter().any(|r| r == uri)
    }
}

/// Checks a redirect URI offered at registration: absolute, no fragment (RFC 6749 §3.1.2),
/// and https unless it points at the local machine or uses a private app scheme.
/// The origin `scheme://host[:port]` of a login UI, lower-cased, without a default port: https,
/// or http on localhost only; no path, query or credentials.
pub fn normalize_origin(origin: &str) -> Result<String, String> {
    let parsed =
        url::Url::parse(origin).map_err(|e| format!("{origin:?} is not an origin: {e}"))?;
    let bare = parsed.path() == "/"
        && parsed.query().is_none()
        && parsed.fragment().is_none()
        && parsed.username().is_empty()
        && parsed.password().is_none();
    if !bare {
        return Err(format!(
            "{origin:?} must be an origin only, like https://login.example.com (no path)"
        ));
    }
    let local = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match parsed.scheme() {
        "https" => {}
        "http" if local => {}
        _ => {
            return Err(format!(
                "{origin:?} must use https (http is allowed for localhost only)"
            ));
        }
    }
    Ok(parsed.origin().ascii_serialization())
}

pub fn validate_redirect_uri(uri: &str) -> Result<(), String> {
    let parsed =
        url::Url::parse(uri).map_err(|e| format!("{uri:?} is not an absolute URL: {e}"))?;
    if parsed.fragment().is_some() {
        return Err(format!("{uri:?} must not contain a fragment"));
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => match parsed.host_str() {
            Some("localhost" | "127.0.0.1" | "[::1]") => Ok(()),
            _ => Err(format!(
                "{uri:?} must use https (http is allowed for localhost only)"
            )),
        },
        "javascript" | "data" | "file" => Err(format!("{uri:?} uses a forbidden scheme")),
        _ => Ok(()), // private-use URI schemes of native apps (RFC 8252 §7.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client {
            id: "c".into(),
            name: "App".into(),
            secret_hash: None,
            is_public: true,
            allow_implicit: false,
            is_management: false,
            mfa_policy: MfaPolicy::Optional,
            grant_types: vec![GrantType::AuthorizationCode],
            redirect_uris: vec!["https://app.example/cb".into()],
            post_logout_redirect_uris: vec![],
            login_ui_origins: vec![],
            allowed_methods: ALL_METHODS.to_vec(),
            lifetimes: ClientLifetimes::default(),
            may_request_approvals: false,
        }
    }

    #[test]
    fn client_lifetimes_replace_only_what_they_set() {
        let mut c = client();
        c.lifetimes.access_token = Some(600);
        let global = Lifetimes::default();
        let l = c.effective_lifetimes(global);
        assert_eq!(l.access_token, 600);
        assert_eq!(l.id_token, global.id_token);
        assert_eq!(l.refresh_token, global.refresh_token);
        assert_eq!(l.code, global.code);
    }

    #[test]
    fn redirect_uris_match_exactly() {
        let c = client();
        assert!(c.has_redirect_uri("https://app.example/cb"));
        for near_miss in [
            "https://app.example/cb/",
            "https://app.example/cb?x=1",
            "https://APP.example/cb",
            "http://app.example/cb",
            "https://app.example/cb#f",
            "https://app.example.evil/cb",
        ] {
            assert!(!c.has_redirect_uri(near_miss), "{near_miss} must not match");
        }
    }

    #[test]
    fn registration_refuses_unsafe_redirect_uris() {
        assert!(validate_redirect_uri("https://app.example/cb").is_ok());
        assert!(validate_redirect_uri("http://localhost:3000/cb").is_ok());
        assert!(validate_redirect_uri("com.example.app:/cb").is_ok());
        assert!(validate_redirect_uri("http://app.example/cb").is_err());
        assert!(validate_redirect_uri("https://app.example/cb#x").is_err());
        assert!(validate_redirect_uri("/relative").is_err());
        assert!(validate_redirect_uri("javascript:alert(1)").is_err());
    }
}
