//! `/admin/methods`: which sign-in methods are on, and their rules — TOTP (with a warning when a
//! choice breaks common authenticator apps), one-time codes by email/SMS/push, lockout tiers,
//! password length and the throttling of wrong passwords. Saved settings apply at once, without a restart.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::Value;

use super::settings_form::{self, Field, Group, Kind, Saved};
use super::{Chrome, Section};
use crate::config::Config;
use crate::domain::verification::Method;
use crate::flows::AppState;
use crate::web::error::WebError;
use crate::web::extract::{Admin, Csrf};
use crate::web::hosted::html;

const METHODS: [(Method, &str); 7] = [
    (Method::Password, "Password"),
    (Method::Totp, "Authenticator app (TOTP)"),
    (Method::Email, "Code by email"),
    (Method::Sms, "Code by SMS"),
    (Method::Push, "Code by push notification"),
    (Method::BackupCode, "Backup codes"),
    (Method::Passkey, "Passkeys (WebAuthn / FIDO2)"),
];

/// A method's checkbox.
pub struct MethodToggle {
    pub id: String,
    pub label: &'static str,
    pub enabled: bool,
}

#[derive(Template)]
#[template(path = "admin/methods.html")]
struct MethodsPage {
    chrome: Chrome,
    methods: Vec<MethodToggle>,
    groups: Vec<Group>,
    /// Choices that common authenticator apps do not follow.
    totp_warnings: Vec<String>,
    notice: Option<String>,
    error: Option<String>,
}

fn field(key: &'static str, label: &'static str, help: &'static str, kind: Kind) -> Field {
    Field {
        key,
        label,
        help,
        kind,
        value: String::new(),
        is_set: false,
        error: None,
    }
}

fn groups() -> Vec<Group> {
    vec![
        Group {
            title: "Authenticator apps (TOTP)",
            fields: vec![
                field(
                    "totp_issuer",
                    "Issuer name",
                    "The name authenticator apps show next to the account.",
                    Kind::Text,
                ),
                field(
                    "totp_algorithm",
                    "Algorithm",
                    "For new authenticators; enrolled ones keep theirs.",
                    Kind::Choice(vec!["SHA1", "SHA256", "SHA512"]),
                ),
                field(
                    "totp_digits",
                    "Digits",
                    "6 or 8.",
                    Kind::Choice(vec!["6", "8"]),
                ),
                field(
                    "totp_period",
                    "Period (seconds)",
                    "30 or 60.",
                    Kind::Choice(vec!["30", "60"]),
                ),
                field(
                    "totp_window",
                    "Accepted steps either side",
                    "0 to 3; 1 tolerates a clock 30 s off.",
                    Kind::Number,
                ),
                field(
                    "totp_max_per_user",
                    "Authenticators per user",
                    "In the multiple mode.",
                    Kind::Number,
                ),
                field(
                    "totp_mode",
                    "Mode",
                    "multiple, or a single one that blocks or overrides a second.",
                    Kind::Choice(vec!["multiple", "single_block", "single_override"]),
                ),
            ],
            optional: false,
        },
        Group {
            title: "Codes by email, SMS and push",
            fields: vec![
                field("otp_digits", "Digits", "4 to 10.", Kind::Number),
                field(
                    "otp_ttl",
                    "Valid for (seconds)",
                    "How long a sent code works.",
                    Kind::Number,
                ),
                field(
                    "otp_attempts",
                    "Wrong codes before a lock",
                    "Per person and channel.",
                    Kind::Number,
                ),
                field(
                    "otp_resend_seconds",
                    "Resend after (seconds)",
                    "The same code is sent again after this wait.",
                    Kind::Number,
                ),
            ],
            optional: false,
        },
        channel_group(
            "Codes by email: own rules",
            [
                "otp_email_digits",
                "otp_email_ttl",
                "otp_email_attempts",
                "otp_email_resend_seconds",
            ],
        ),
        channel_group(
            "Codes by SMS: own rules",
            [
                "otp_sms_digits",
                "otp_sms_ttl",
                "otp_sms_attempts",
                "otp_sms_resend_seconds",
            ],
        ),
        channel_group(
            "Codes by push: own rules",
            [
                "otp_push_digits",
                "otp_push_ttl",
                "otp_push_attempts",
                "otp_push_resend_seconds",
            ],
        ),
        Group {
            title: "Lockout",
            fields: vec![
                field(
                    "lockout_failures",
                    "Wrong authenticator codes per tier",
                    "After this many, the authenticator is locked.",
                    Kind::Number,
                ),
                field(
                    "lockout_first_seconds",
                    "First lock (seconds)",
                    "",
                    Kind::Number,
                ),
                field(
                    "lockout_second_seconds",
                    "Second lock (seconds)",
                    "The third lock lasts until an administrator unlocks.",
                    Kind::Number,
                ),
            ],
            optional: false,
        },
        Group {
            title: "Abuse budgets (shared by every instance)",
            fields: vec![
                field(
                    "sms_countries",
                    "SMS countries",
                    "Calling codes text messages may go to, separated by commas (+49,+33). Empty: every country.",
                    Kind::Text,
                ),
                field(
                    "sms_per_number_per_hour",
                    "SMS per number per hour",
                    "Codes one phone number may receive in an hour.",
                    Kind::Number,
                ),
                field(
                    "sms_per_ip_per_hour",
                    "SMS per IP per hour",
                    "Codes by SMS one client address may trigger in an hour.",
                    Kind::Number,
                ),
                field(
                    "sms_per_hour",
                    "SMS per hour in all",
                    "Codes by SMS the whole installation sends in an hour.",
                    Kind::Number,
                ),
                field(
                    "mail_codes_per_address_per_hour",
                    "Code mails per address per hour",
                    "Codes one email address may receive in an hour.",
                    Kind::Number,
                ),
                field(
                    "otp_max_sends",
                    "Sends per code",
                    "How often one code may be sent, the first time included.",
                    Kind::Number,
                ),
            ],
            optional: false,
        },
        Group {
            title: "Passwords",
            fields: vec![
                field(
                    "password_min_length",
                    "Minimum length",
                    "8 to 64 characters. No composition rules; leaked passwords are always refused (NIST SP 800-63B).",
                    Kind::Number,
                ),
                field(
                    "password_attempts",
                    "Wrong passwords before a lock",
                    "3 to 100, per sign-in name (known or not).",
                    Kind::Number,
                ),
                field(
                    "password_lock_seconds",
                    "Password lock (seconds)",
                    "30 to 86400. Each further lock doubles, up to an hour; never permanent.",
                    Kind::Number,
                ),
            ],
            optional: false,
        },
        Group {
            title: "Language",
            fields: vec![field(
                "default_locale",
                "Default language",
                "For visitors whose sign-in request (ui_locales) and browser (Accept-Language) name no language we speak, and for mails sent from the admin area.",
                Kind::Choice(crate::i18n::SHIPPED.to_vec()),
            )],
            optional: false,
        },
    ]
}

/// A channel's own code rules; empty fields take the general ones.
fn channel_group(title: &'static str, keys: [&'static str; 4]) -> Group {
    const EMPTY: &str = "Empty: the general rule above.";
    Group {
        title,
        fields: vec![
            field(keys[0], "Digits", EMPTY, Kind::Number),
            field(keys[1], "Valid for (seconds)", EMPTY, Kind::Number),
            field(keys[2], "Wrong codes before a lock", EMPTY, Kind::Number),
            field(keys[3], "Resend after (seconds)", EMPTY, Kind::Number),
        ],
        optional: true,
    }
}

/// Warnings for TOTP choices that Google Authenticator and Microsoft Authenticator ignore.
pub fn totp_warnings(config: &Config) -> Vec<String> {
    let mut warnings = Vec::new();
    if config.totp_algorithm != "SHA1" {
        warnings.push(format!("{}: Google Authenticator and Microsoft Authenticator ignore it and compute SHA1 codes, which will not match.", config.totp_algorithm));
    }
    if config.totp_digits != 6 {
        warnings.push("8 digits: Google Authenticator and Microsoft Authenticator show 6-digit codes, which will not match.".into());
    }
    if config.totp_period != 30 {
        warnings.push("60-second period: several common apps assume 30 seconds.".into());
    }
    warnings
}

fn toggles(config: &Config, form: Option<&BTreeMap<String, String>>) -> Vec<MethodToggle> {
    METHODS
        .iter()
        .map(|(method, label)| {
            let id = method.as_str().to_lowercase();
            let enabled = match form {
                Some(form) => form.contains_key(&format!("enabled_{id}")),
                None => crate::flows::codes::method_enabled(config, *method),
            };
            MethodToggle { id, label, enabled }
        })
        .collect()
}

pub async fn methods_page(
    state: web::Data<AppState>,
    query: web::Query<BTreeMap<String, String>>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let live = state.live();
    let mut groups = groups();
    settings_form::fill(&mut groups, &live.config);
    let page = MethodsPage {
        chrome: Chrome::new(&state, &admin, Section::Methods),
        methods: toggles(&live.config, None),
        groups,
        totp_warnings: totp_warnings(&live.config),
        notice: settings_form::saved_notice(&query, "The new settings are in force."),
        error: None,
    };
    html(&state, &admin.browser, &page, StatusCode::OK)
}

pub async fn methods_save(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Csrf<BTreeMap<String, String>>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let disabled: Vec<Value> = METHODS
        .iter()
        .map(|(m, _)| m.as_str().to_lowercase())
        .filter(|id| !form.contains_key(&format!("enabled_{id}")))
        .map(Value::from)
        .collect();
    let mut groups = groups();
    let saved = settings_form::save(
        &state,
        &req,
        &admin,
        &mut groups,
        &form,
        vec![("disabled_methods", Value::Array(disabled.clone()))],
        "admin.settings.methods",
    )
    .await?;
    match saved {
        Saved::Applied(detail) => Ok(settings_form::after_save("/admin/methods", &detail)),
        Saved::Invalid => {
            let live = state.live();
            let page = MethodsPage {
                chrome: Chrome::new(&state, &admin, Section::Methods),
                methods: toggles(&live.config, Some(&form)),
                groups,
                totp_warnings: totp_warnings(&live.config),
                notice: None,
                error: Some("Nothing was saved: correct the fields marked below.".into()),
            };
            html(
                &state,
                &admin.browser,
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}
