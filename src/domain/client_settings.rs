//! Registering and changing a client: what an administrator typed (on the command line or on the
//! admin page), checked by one set of rules so that `gatehouse client create` and `/admin/apps`
//! accept and refuse the same things. Pure: no IO, ids and secrets are made by the caller.

use super::client::{
    ALL_METHODS, Client, ClientLifetimes, GrantType, MfaPolicy, method_key, normalize_origin,
    validate_redirect_uri,
};
use super::verification::Method;

/// The longest client name (characters).
pub const MAX_NAME_CHARS: usize = 100;
/// The most redirect URIs of one kind a client may list.
pub const MAX_URIS: usize = 50;
/// The longest redirect URI (bytes).
pub const MAX_URI_LEN: usize = 2000;
/// Bounds of the access and ID token lifetimes, seconds (1 minute to 1 day).
pub const TOKEN_TTL_RANGE: (i64, i64) = (60, 86_400);
/// Bounds of the refresh token lifetime, seconds (5 minutes to 1 year).
pub const REFRESH_TTL_RANGE: (i64, i64) = (300, 365 * 86_400);

/// The fields of a client's settings, for errors shown next to the field that caused them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    RedirectUris,
    PostLogoutRedirectUris,
    LoginUiOrigins,
    ClientType,
    GrantTypes,
    AllowedMethods,
    MfaPolicy,
    AccessTokenTtl,
    IdTokenTtl,
    RefreshTokenTtl,
    Approvals,
}

impl Field {
    /// The name of the form field (and the key of its error).
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::RedirectUris => "redirect_uris",
            Field::PostLogoutRedirectUris => "post_logout_redirect_uris",
            Field::LoginUiOrigins => "login_ui_origins",
            Field::ClientType => "client_type",
            Field::GrantTypes => "grant_types",
            Field::AllowedMethods => "allowed_methods",
            Field::MfaPolicy => "mfa_policy",
            Field::AccessTokenTtl => "access_token_ttl",
            Field::IdTokenTtl => "id_token_ttl",
            Field::RefreshTokenTtl => "refresh_token_ttl",
            Field::Approvals => "approvals",
        }
    }
}

/// One refused value and why, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

/// What an administrator asked for, as typed. Lists hold one entry per value; empty lifetime
/// texts keep the installation's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientDraft {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub login_ui_origins: Vec<String>,
    pub public: bool,
    pub grant_types: Vec<String>,
    pub allow_implicit: bool,
    pub management: bool,
    pub mfa_policy: String,
    pub allowed_methods: Vec<String>,
    pub access_token_ttl: String,
    pub id_token_ttl: String,
    pub refresh_token_ttl: String,
    /// May request transaction approvals.
    pub approvals: bool,
}

/// Checked settings of a client: everything but its id and secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSettings {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub login_ui_origins: Vec<String>,
    pub is_public: bool,
    pub allow_implicit: bool,
    pub is_management: bool,
    pub mfa_policy: MfaPolicy,
    pub grant_types: Vec<GrantType>,
    pub allowed_methods: Vec<Method>,
    pub lifetimes: ClientLifetimes,
    pub may_request_approvals: bool,
}

/// The grants of a client registered without any: sign-in clients get code + refresh; a
/// confidential client without redirect URIs is a service that uses client_credentials.
pub fn default_grant_types(public: bool, has_redirect_uris: bool) -> Vec<GrantType> {
    if !has_redirect_uris && !public {
        vec![GrantType::ClientCredentials]
    } else {
        vec![GrantType::AuthorizationCode, GrantType::RefreshToken]
    }
}

impl ClientDraft {
    /// The draft of an existing client, to fill the edit form.
    pub fn from_client(client: &Client) -> ClientDraft {
        let ttl = |v: Option<i64>| v.map(|s| s.to_string()).unwrap_or_default();
        ClientDraft {
            name: client.name.clone(),
            redirect_uris: client.redirect_uris.clone(),
            post_logout_redirect_uris: client.post_logout_redirect_uris.clone(),
            login_ui_origins: client.login_ui_origins.clone(),
            public: client.is_public,
            grant_types: client
                .grant_types
                .iter()
                .map(|g| g.as_str().to_owned())
                .collect(),
            allow_implicit: client.allow_implicit,
            management: client.is_management,
            mfa_policy: client.mfa_policy.as_str().to_owned(),
            allowed_methods: client
                .allowed_methods
                .iter()
                .map(|m| method_key(*m).to_owned())
                .collect(),
            access_token_ttl: ttl(client.lifetimes.access_token),
            id_token_ttl: ttl(client.lifetimes.id_token),
            refresh_token_ttl: ttl(client.lifetimes.refresh_token),
            approvals: client.may_request_approvals,
        }
    }

    /// The settings, or every problem found (in the order of the form's fields).
    pub fn validate(&self) -> Result<ClientSettings, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: Field, message: String| errors.push(FieldError { field, message });

        let name = self.name.trim();
        if name.is_empty() {
            fail(Field::Name, "Give the application a name.".into());
        } else if name.chars().count() > MAX_NAME_CHARS {
            fail(
                Field::Name,
                format!("Use at most {MAX_NAME_CHARS} characters."),
            );
        } else if name.chars().any(char::is_control) {
            fail(Field::Name, "Use a name on one line.".into());
        }

        let redirect_uris = clean_uris(&self.redirect_uris);
        let post_logout_redirect_uris = clean_uris(&self.post_logout_redirect_uris);
        for (field, uris) in [
            (Field::RedirectUris, &redirect_uris),
            (Field::PostLogoutRedirectUris, &post_logout_redirect_uris),
        ] {
            if uris.len() > MAX_URIS {
                fail(field, format!("List at most {MAX_URIS} URIs."));
            } else if let Some(problem) = uris.iter().find_map(|u| check_uri(u).err()) {
                fail(field, problem);
            }
        }
        let mut login_ui_origins = Vec::new();
        for origin in clean_uris(&self.login_ui_origins) {
            match normalize_origin(&origin) {
                Ok(o) if !login_ui_origins.contains(&o) => login_ui_origins.push(o),
                Ok(_) => {}
                Err(e) => fail(Field::LoginUiOrigins, e),
            }
        }
        if login_ui_origins.len() > MAX_URIS {
            fail(
                Field::LoginUiOrigins,
                format!("List at most {MAX_URIS} origins."),
            );
        }

        let mut grant_types = Vec::new();
        for g in &self.grant_types {
            match g.trim().parse::<GrantType>() {
                Ok(g) if !grant_types.contains(&g) => grant_types.push(g),
                Ok(_) => {}
                Err(e) => fail(Field::GrantTypes, e),
            }
        }
        if self.management && !grant_types.contains(&GrantType::ClientCredentials) {
            grant_types.push(GrantType::ClientCredentials);
        }
        if grant_types.is_empty() && !self.allow_implicit {
            fail(Field::GrantTypes, "Choose at least one grant type.".into());
        }
        if self.public && grant_types.contains(&GrantType::ClientCredentials) {
            fail(
                Field::ClientType,
                "A public client has no secret, so it cannot use client_credentials or the management API.".into(),
            );
        }
        if self.public && self.approvals {
            fail(
                Field::Approvals,
                "A public client has no secret, so it cannot start transaction approvals.".into(),
            );
        }
        let interactive =
            grant_types.contains(&GrantType::AuthorizationCode) || self.allow_implicit;
        if interactive && redirect_uris.is_empty() {
            fail(
                Field::RedirectUris,
                "Add at least one redirect URI: users sign in to this application.".into(),
            );
        }

        let mfa_policy = match self.mfa_policy.trim().parse::<MfaPolicy>() {
            Ok(p) => p,
            Err(e) => {
                fail(Field::MfaPolicy, e);
                MfaPolicy::Optional
            }
        };

        let mut allowed_methods = Vec::new();
        for m in &self.allowed_methods {
            match m.trim().parse::<Method>() {
                Ok(m) if !allowed_methods.contains(&m) => allowed_methods.push(m),
                Ok(_) => {}
                Err(e) => fail(Field::AllowedMethods, e),
            }
        }
        // Keep the canonical order, whatever order they came in.
        allowed_methods.sort_by_key(|m| ALL_METHODS.iter().position(|a| a == m));
        if interactive {
            if !allowed_methods.iter().any(|m| *m != Method::BackupCode) {
                fail(
                    Field::AllowedMethods,
                    "Allow at least one way to sign in besides backup codes (they are a second step only).".into(),
                );
            } else if mfa_policy == MfaPolicy::Always
                && !(allowed_methods.contains(&Method::Password)
                    && allowed_methods.contains(&Method::Totp))
            {
                fail(
                    Field::AllowedMethods,
                    "With two-step verification always on, allow password and authenticator app (TOTP): users sign in with the password and set up an app when they have no second factor.".into(),
                );
            }
        }

        let lifetimes = ClientLifetimes {
            access_token: lifetime(&self.access_token_ttl, TOKEN_TTL_RANGE)
                .map_err(|e| fail(Field::AccessTokenTtl, e))
                .unwrap_or(None),
            id_token: lifetime(&self.id_token_ttl, TOKEN_TTL_RANGE)
                .map_err(|e| fail(Field::IdTokenTtl, e))
                .unwrap_or(None),
            refresh_token: lifetime(&self.refresh_token_ttl, REFRESH_TTL_RANGE)
                .map_err(|e| fail(Field::RefreshTokenTtl, e))
                .unwrap_or(None),
        };

        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ClientSettings {
            name: name.to_owned(),
            redirect_uris,
            post_logout_redirect_uris,
            login_ui_origins,
            is_public: self.public,
            allow_implicit: self.allow_implicit,
            is_management: self.management,
            mfa_policy,
            grant_types,
            allowed_methods,
            lifetimes,
            may_request_approvals: self.approvals,
        })
    }
}

/// Trimmed, without blank entries or repeats, in the order given.
fn clean_uris(uris: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for uri in uris.iter().map(|u| u.trim()).filter(|u| !u.is_empty()) {
        if !out.iter().any(|o| o == uri) {
            out.push(uri.to_owned());
        }
    }
    out
}

fn check_uri(uri: &str) -> Result<(), String> {
    if uri.len() > MAX_URI_LEN {
        return Err(format!("A URI may have at most {MAX_URI_LEN} characters."));
    }
    validate_redirect_uri(uri)
}

/// An optional lifetime in whole seconds within `range`; empty = the default.
fn lifetime(text: &str, (min, max): (i64, i64)) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i64>() {
        Ok(v) if (min..=max).contains(&v) => Ok(Some(v)),
        Ok(_) => Err(format!(
            "Enter between {min} and {max} seconds, or leave it empty for the default."
        )),
        Err(_) => Err("Enter a whole number of seconds, or leave it empty for the default.".into()),
    }
}

impl Client {
    /// A new client with these settings.
    pub fn new(id: String, secret_hash: Option<String>, settings: ClientSettings) -> Client {
        let mut client = Client {
            id,
            secret_hash,
            name: String::new(),
            is_public: false,
            allow_implicit: false,
            is_management: false,
            mfa_policy: MfaPolicy::Optional,
            grant_types: Vec::new(),
            redirect_uris: Vec::new(),
            post_logout_redirect_uris: Vec::new(),
            login_ui_origins: Vec::new(),
            allowed_methods: Vec::new(),
            lifetimes: ClientLifetimes::default(),
            may_request_approvals: false,
        };
        client.apply(settings);
        client
    }

    /// Takes over `settings` (the id and secret stay; the caller handles a change of type).
    pub fn apply(&mut self, settings: ClientSettings) {
        self.name = settings.name;
        self.redirect_uris = settings.redirect_uris;
        self.post_logout_redirect_uris = settings.post_logout_redirect_uris;
        self.login_ui_origins = settings.login_ui_origins;
        self.is_public = settings.is_public;
        self.allow_implicit = settings.allow_implicit;
        self.is_management = settings.is_management;
        self.mfa_policy = settings.mfa_policy;
        self.grant_types = settings.grant_types;
        self.allowed_methods = settings.allowed_methods;
        self.lifetimes = settings.lifetimes;
        self.may_request_approvals = settings.may_request_approvals;
    }
}

#[cfg(test)]
#[path = "client_settings_tests.rs"]
mod tests;
