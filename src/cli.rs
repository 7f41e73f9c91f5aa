//! The administrative commands behind `gatehouse user …` and `gatehouse client …`.
//! They talk to the store directly (no server needed) and print for people or as JSON.

use std::io::BufRead;

use anyhow::{Context, bail};
use serde_json::json;

use crate::config::Config;
use crate::domain::client::{ALL_METHODS, Client, method_key};
use crate::domain::client_settings::{ClientDraft, Field, default_grant_types};
use crate::domain::ids::hash_secret;
use crate::domain::user::{Email, OperatorUser};
use crate::store::{self, Store, StoreError};

/// A command-line mistake: printed as one line, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

fn now() -> i64 {
    crate::clock::Clock::system().now()
}

pub struct NewUser {
    pub email: String,
    pub password: Option<String>,
    pub password_stdin: bool,
    pub name: Option<String>,
    pub admin: bool,
    /// A phone number for SMS codes, confirmed by the operator.
    pub phone: Option<String>,
    pub json: bool,
}

/// `gatehouse user create`.
pub fn create_user(config: &Config, store: &Store, args: NewUser) -> anyhow::Result<String> {
    let email = Email::parse(&args.email).map_err(|e| UsageError(e.to_string()))?;
    let password = match (args.password, args.password_stdin) {
        (Some(_), true) => {
            return Err(
                UsageError("use either --password or --password-stdin, not both".into()).into(),
            );
        }
        (Some(p), false) => Some(p),
        (None, true) => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read the password from stdin")?;
            Some(line.trim_end_matches(['\r', '\n']).to_owned())
        }
        (None, false) => None,
    };
    let checked = OperatorUser::check(
        email.as_str(),
        args.name,
        password.as_deref(),
        args.phone.as_deref(),
        args.admin,
    )
    .map_err(
        |problems| match (problems.email, problems.password, problems.phone) {
            (Some(e), _, _) => UsageError(e.to_string()),
            (None, Some(p), _) => UsageError(format!("--password: {}", p.message())),
            (None, None, p) => UsageError(format!("--phone: {}", p.unwrap_or_default())),
        },
    )?;
    let password_hash = match password {
        Some(p) => Some(crate::app::password_hashing(config)?.hash_blocking(&p)?),
        None => None,
    };
    let user = checked.into_user(uuid::Uuid::new_v4().to_string(), password_hash, now());
    match store.run_blocking(|c| store::users::insert_user(c, &user)) {
        Err(StoreError::Conflict(_)) => {
            bail!("a user with the email {} already exists", user.email)
        }
        other => other?,
    }
    Ok(if args.json {
        json!({ "sub": user.id, "email": user.email }).to_string()
    } else {
        format!(
            "created user {} (sub {}){}{}",
            user.email,
            user.id,
            if user.is_admin { ", admin" } else { "" },
            if user.password_hash.is_none() {
                "; no password set"
            } else {
                ""
            }
        )
    })
}

pub struct NewClient {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub login_ui_origins: Vec<String>,
    pub public: bool,
    pub grant_types: Vec<String>,
    pub allow_implicit: bool,
    pub mfa: String,
    pub management: bool,
    /// May request transaction approvals.
    pub approvals: bool,
    pub json: bool,
}

/// `gatehouse client create`. The rules are the admin page's (`domain::client_settings`); a
/// client made here allows every sign-in method and uses the default token lifetimes.
pub fn create_client(store: &Store, args: NewClient) -> anyhow::Result<String> {
    let grant_types = if args.grant_types.is_empty() {
        default_grant_types(args.public, !args.redirect_uris.is_empty())
            .iter()
            .map(|g| g.as_str().to_owned())
            .collect()
    } else {
        args.grant_types
    };
    let draft = ClientDraft {
        name: args.name,
        redirect_uris: args.redirect_uris,
        post_logout_redirect_uris: args.post_logout_redirect_uris,
        login_ui_origins: args.login_ui_origins,
        public: args.public,
        grant_types,
        allow_implicit: args.allow_implicit,
        management: args.management,
        approvals: args.approvals,
        mfa_policy: args.mfa,
        allowed_methods: ALL_METHODS
            .iter()
            .map(|m| method_key(*m).to_owned())
            .collect(),
        ..ClientDraft::default()
    };
    let settings = draft.validate().map_err(|errors| {
        let first = errors.first().map_or_else(String::new, |e| {
            format!("{}: {}", flag_of(e.field), e.message)
        });
        anyhow::Error::from(UsageError(first))
    })?;
    let secret = (!settings.is_public).then(crate::app::new_client_secret);
    let client = Client::new(
        uuid::Uuid::new_v4().to_string(),
        secret.as_deref().map(hash_secret),
        settings,
    );
    store.run_blocking(|c| store::clients::insert_client(c, &client, now()))?;
    Ok(if args.json {
        json!({ "client_id": client.id, "client_secret": secret }).to_string()
    } else {
        let mut out = format!(
            "created client {:?}\nclient_id:     {}",
            client.name, client.id
        );
        match secret {
            Some(s) => out.push_str(&format!(
                "\nclient_secret: {s}\n(the secret is shown only now; store it safely)"
            )),
            None => out.push_str("\npublic client: no secret, PKCE required"),
        }
        out
    })
}

/// The command-line flag behind a settings field, for error messages.
fn flag_of(field: Field) -> &'static str {
    match field {
        Field::Name => "--name",
        Field::RedirectUris => "--redirect-uri",
        Field::PostLogoutRedirectUris => "--post-logout-redirect-uri",
        Field::LoginUiOrigins => "--login-ui-origin",
        Field::ClientType => "--public",
        Field::GrantTypes => "--grant-type",
        Field::MfaPolicy => "--mfa",
        Field::Approvals => "--approvals",
        Field::AllowedMethods
        | Field::AccessTokenTtl
        | Field::IdTokenTtl
        | Field::RefreshTokenTtl => "client settings",
    }
}

/// `gatehouse user unlock --email E`: clears the lockouts of all the user's authenticators, code
/// channels and password sign-in.
pub fn unlock_user(store: &Store, email: &str) -> anyhow::Result<String> {
    let email = Email::parse(email).map_err(|e| UsageError(e.to_string()))?;
    let user = store
        .run_blocking(|c| store::users::find_user_by_email(c, email.as_str()))?
        .ok_or_else(|| anyhow::anyhow!("no user with the email {email}"))?;
    let cleared =
        store.run_blocking(|c| store::authenticators::unlock_user_authenticators(c, &user.id))?;
    // Codes by email, SMS and push, and password sign-in, are locked per person and channel.
    let subject = crate::domain::one_time_code::subject_for_user(&user.id);
    let (password, channels) = store.run_blocking(|c| {
        let password = store::code_lockouts::find_lockout(
            c,
            &subject,
            crate::domain::policy::PASSWORD_LOCK_CHANNEL,
        )?
        .is_some();
        Ok((password, store::code_lockouts::unlock_subject(c, &subject)?))
    })?;
    let channels = channels - usize::from(password);
    let password = if password {
        " and password sign-in"
    } else {
        ""
    };
    let event = store::audit::AuditEventRow {
        id: uuid::Uuid::now_v7().to_string(),
        at: now(),
        action: "totp.unlock".into(),
        outcome: "success".into(),
        actor: Some("cli".into()),
        user_id: Some(user.id.clone()),
        client_id: None,
        ip: None,
        detail: format!(
            "{cleared} authenticator(s), {channels} code channel(s){password} unlocked from the command line"
        ),
    };
    store.run_blocking(|c| store::audit::insert_audit_event(c, &event))?;
    Ok(format!(
        "unlocked {cleared} authenticator(s), {channels} code channel(s){password} of {email}"
    ))
}
