//! The application form of `/admin/apps` (create and edit share it): reading the posted fields
//! into a [`ClientDraft`], and what the template needs to show them again with their errors.

use crate::domain::client::{ALL_METHODS, Client, method_key};
use crate::domain::client_settings::{ClientDraft, FieldError};
use crate::domain::oauth::Lifetimes;

/// Reads the posted fields; checkboxes repeat their name, URI lists have one URI per line.
pub fn parse(pairs: Vec<(String, String)>) -> ClientDraft {
    let mut draft = ClientDraft::default();
    let lines = |v: &str| -> Vec<String> { v.lines().map(str::to_owned).collect() };
    for (key, value) in pairs {
        match key.as_str() {
            "name" => draft.name = value,
            "redirect_uris" => draft.redirect_uris = lines(&value),
            "post_logout_redirect_uris" => draft.post_logout_redirect_uris = lines(&value),
            "login_ui_origins" => draft.login_ui_origins = lines(&value),
            "client_type" => draft.public = value == "public",
            "grant_types" => draft.grant_types.push(value),
            "allow_implicit" => draft.allow_implicit = true,
            "management" => draft.management = true,
            "approvals" => draft.approvals = true,
            "mfa_policy" => draft.mfa_policy = value,
            "allowed_methods" => draft.allowed_methods.push(value),
            "access_token_ttl" => draft.access_token_ttl = value,
            "id_token_ttl" => draft.id_token_ttl = value,
            "refresh_token_ttl" => draft.refresh_token_ttl = value,
            _ => {}
        }
    }
    draft
}

/// What a new application starts with: a confidential sign-in client with code and refresh
/// grants, every sign-in method, a second step when the user has one.
pub fn new_draft() -> ClientDraft {
    ClientDraft {
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        mfa_policy: "optional".into(),
        allowed_methods: ALL_METHODS
            .iter()
            .map(|m| method_key(*m).to_owned())
            .collect(),
        ..ClientDraft::default()
    }
}

/// One checkbox or radio button.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub checked: bool,
}

fn choices(options: &[(&'static str, &'static str, &'static str)], on: &[String]) -> Vec<Choice> {
    options
        .iter()
        .map(|(value, label, hint)| Choice {
            value,
            label,
            hint,
            checked: on.iter().any(|o| o == value),
        })
        .collect()
}

const TYPES: [(&str, &str, &str); 2] = [
    (
        "confidential",
        "Confidential",
        "Runs on a server that can keep a secret; gets a client secret.",
    ),
    (
        "public",
        "Public",
        "Single-page or mobile app: no secret, must use PKCE (S256).",
    ),
];

const GRANTS: [(&str, &str, &str); 3] = [
    (
        "authorization_code",
        "Authorization code",
        "Users sign in through Gatehouse's pages.",
    ),
    (
        "refresh_token",
        "Refresh token",
        "Renew access without a new sign-in.",
    ),
    (
        "client_credentials",
        "Client credentials",
        "A service acting for itself, without a user (confidential only).",
    ),
];

const METHODS: [(&str, &str, &str); 7] = [
    ("password", "Password", ""),
    ("totp", "Authenticator app (TOTP)", ""),
    ("email", "Code by email", ""),
    ("sms", "Code by text message (SMS)", ""),
    ("push", "Code by push notification", ""),
    ("backupcode", "Backup codes", "A second step only."),
    (
        "passkey",
        "Passkeys (WebAuthn / FIDO2)",
        "With the device's screen lock a passkey is two steps on its own.",
    ),
];

const MFA: [(&str, &str, &str); 3] = [
    ("off", "Off", "Never ask for a second step."),
    (
        "optional",
        "Optional",
        "Ask for a second step when the user has one.",
    ),
    (
        "always",
        "Always",
        "Every sign-in takes two steps; users without a second factor set up an authenticator app while signing in.",
    ),
];

/// The form as the template shows it.
pub struct FormView {
    pub name: String,
    pub redirect_uris: String,
    pub post_logout_redirect_uris: String,
    pub login_ui_origins: String,
    pub types: Vec<Choice>,
    pub grants: Vec<Choice>,
    pub allow_implicit: bool,
    pub management: bool,
    pub approvals: bool,
    pub mfa: Vec<Choice>,
    pub methods: Vec<Choice>,
    pub access_token_ttl: String,
    pub id_token_ttl: String,
    pub refresh_token_ttl: String,
    /// The installation's lifetimes, for the hints of empty fields.
    pub defaults: Lifetimes,
    pub errors: Vec<FieldError>,
}

impl FormView {
    pub fn new(draft: &ClientDraft, defaults: Lifetimes, errors: Vec<FieldError>) -> FormView {
        let client_type = if draft.public {
            "public"
        } else {
            "confidential"
        };
        FormView {
            name: draft.name.clone(),
            redirect_uris: draft.redirect_uris.join("\n"),
            post_logout_redirect_uris: draft.post_logout_redirect_uris.join("\n"),
            login_ui_origins: draft.login_ui_origins.join("\n"),
            types: choices(&TYPES, &[client_type.to_owned()]),
            grants: choices(&GRANTS, &draft.grant_types),
            allow_implicit: draft.allow_implicit,
            management: draft.management,
            approvals: draft.approvals,
            mfa: choices(&MFA, std::slice::from_ref(&draft.mfa_policy)),
            methods: choices(&METHODS, &draft.allowed_methods),
            access_token_ttl: draft.access_token_ttl.clone(),
            id_token_ttl: draft.id_token_ttl.clone(),
            refresh_token_ttl: draft.refresh_token_ttl.clone(),
            defaults,
            errors,
        }
    }

    /// The error of the field named `field`, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field.as_str() == field)
            .map(|e| e.message.as_str())
    }
}

/// How a lifetime reads in the list and the audit trail.
pub fn ttl_text(ttl: Option<i64>) -> String {
    ttl.map_or_else(|| "default".to_owned(), |s| format!("{s} s"))
}

/// The audit view of a client: each setting as text (never the secret or its hash).
pub fn audit_fields(c: &Client) -> Vec<(&'static str, String)> {
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_owned()
        } else {
            v.join(" ")
        }
    };
    vec![
        ("name", c.name.clone()),
        ("type", client_type(c).to_owned()),
        ("redirect_uris", list(&c.redirect_uris)),
        (
            "post_logout_redirect_uris",
            list(&c.post_logout_redirect_uris),
        ),
        ("login_ui_origins", list(&c.login_ui_origins)),
        (
            "grant_types",
            c.grant_types
                .iter()
                .map(|g| g.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        ("implicit", c.allow_implicit.to_string()),
        ("management", c.is_management.to_string()),
        ("approvals", c.may_request_approvals.to_string()),
        ("mfa_policy", c.mfa_policy.as_str().to_owned()),
        (
            "allowed_methods",
            crate::domain::client::methods_to_string(&c.allowed_methods),
        ),
        ("access_token_ttl", ttl_text(c.lifetimes.access_token)),
        ("id_token_ttl", ttl_text(c.lifetimes.id_token)),
        ("refresh_token_ttl", ttl_text(c.lifetimes.refresh_token)),
    ]
}

pub fn client_type(c: &Client) -> &'static str {
    if c.is_public {
        "public"
    } else {
        "confidential"
    }
}
