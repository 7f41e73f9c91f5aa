//! The administrative commands behind `gatehouse user …` and `gatehouse client …`.
//! They talk to the store directly (no server needed) and print for people or as JSON.

use std::io::BufRead;

use anyhow::{Context, bail};
use serde_json::json;

use crate::config::Config;
use crate::domain::client::{Client, GrantType, MfaPolicy, validate_redirect_uri};
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
    pub public: bool,
    pub grant_types: Vec<String>,
    pub allow_implicit: bool,
    pub mfa: String,
    pub management: bool,
    pub json: bool,
}

/// `gatehouse client create`.
pub fn create_client(store: &Store, args: NewClient) -> anyhow::Result<String> {
    let usage = |m: String| anyhow::Error::from(UsageError(m));
    if args.name.trim().is_empty() {
        return Err(usage("--name must not be empty".into()));
    }
    // Without explicit grants: sign-in clients get code + refresh; a confidential client without
    // redirect URIs is a service that uses client_credentials.
    let mut grant_types = if args.grant_types.is_empty() {
        if args.redirect_uris.is_empty() && !args.public {
            vec![GrantType::ClientCredentials]
        } else {
            vec![GrantType::AuthorizationCode, GrantType::RefreshToken]
        }
    } else {
        args.grant_types
            .iter()
            .map(|g| g.parse::<GrantType>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(usage)?
    };
    if args.management && !grant_types.contains(&GrantType::ClientCredentials) {
        grant_types.push(GrantType::ClientCredentials);
    }
    grant_types.dedup();
    if args.public && (args.management || grant_types.contains(&GrantType::ClientCredentials)) {
        return Err(usage(
            "a --public client cannot use client_credentials or --management (it has no secret)"
                .into(),
        ));
    }
    let interactive = grant_types.contains(&GrantType::AuthorizationCode) || args.allow_implicit;
    if interactive && args.redirect_uris.is_empty() {
        return Err(usage(
            "at least one --redirect-uri is required for sign-in clients".into(),
        ));
    }
    for uri in args
        .redirect_uris
        .iter()
        .chain(&args.post_logout_redirect_uris)
    {
        validate_redirect_uri(uri).map_err(usage)?;
    }
    let mfa_policy: MfaPolicy = args.mfa.parse().map_err(usage)?;
    let secret = (!args.public).then(crate::app::new_client_secret);
    let client = Client {
        id: uuid::Uuid::new_v4().to_string(),
        name: args.name.trim().to_owned(),
        secret_hash: secret.as_deref().map(hash_secret),
        is_public: args.public,
        allow_implicit: args.allow_implicit,
        is_management: args.management,
        mfa_policy,
        grant_types,
        redirect_uris: dedup(args.redirect_uris),
        post_logout_redirect_uris: dedup(args.post_logout_redirect_uris),
    };
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

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|x| seen.insert(x.clone()));
    v
}

/// `gatehouse user unlock --email E`: clears the lockouts of all the user's authenticators.
pub fn unlock_user(store: &Store, email: &str) -> anyhow::Result<String> {
    let email = Email::parse(email).map_err(|e| UsageError(e.to_string()))?;
    let user = store
        .run_blocking(|c| store::users::find_user_by_email(c, email.as_str()))?
        .ok_or_else(|| anyhow::anyhow!("no user with the email {email}"))?;
    let cleared =
        store.run_blocking(|c| store::authenticators::unlock_user_authenticators(c, &user.id))?;
    // Codes by email, SMS and push are locked per person and channel.
    let subject = crate::domain::one_time_code::subject_for_user(&user.id);
    let channels = store.run_blocking(|c| store::code_lockouts::unlock_subject(c, &subject))?;
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
            "{cleared} authenticator(s) and {channels} code channel(s) unlocked from the command line"
        ),
    };
    store.run_blocking(|c| store::audit::insert_audit_event(c, &event))?;
    Ok(format!(
        "unlocked {cleared} authenticator(s) and {channels} code channel(s) of {email}"
    ))
}
