//! Whole-login benchmark: starts Gatehouse in-process (SQLite in a temp dir, default Argon2id
//! parameters m=19456 KiB, t=2, p=1) and times, over loopback:
//! - 20 password logins (authorize → login page → password POST → token exchange);
//! - 100 TOTP verify requests (`/verification-srv/authentication/totp/verification` alone);
//! - 20 whole passwordless TOTP logins (authorize → page → initiate → verify → finish → token);
//! - 100 discovery requests (the framework's floor).
//!
//! The app's clock is moved one TOTP step per sample, since each code works only once.
//! Prints median and p90 for each.
//!
//! Run: `cargo bench --bench login`.

mod common;

use std::time::Instant;

use common::{PASSWORD, REDIRECT_URI, field, report};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let clock = gatehouse::Clock::system();
    let app = common::start(common::config(&dir, false), clock.clone()).await?;
    let (base, state) = (app.base.clone(), app.state.clone());
    common::create_user(&app, "bench@example.com", Some(PASSWORD), false).await?;
    let (client_id, secret_text) = common::create_client(&app).await?;

    let mut logins = Vec::new();
    for _ in 0..20 {
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let started = Instant::now();
        let authz = browser
            .get(format!("{base}/authz-srv/authz"))
            .query(&[
                ("client_id", client_id.as_str()),
                ("redirect_uri", REDIRECT_URI),
                ("response_type", "code"),
                ("scope", "openid email"),
                ("state", "s"),
                ("nonce", "n"),
            ])
            .send()
            .await?;
        let login = authz.headers()["location"].to_str()?.to_owned();
        let html = browser
            .get(format!("{base}{login}"))
            .send()
            .await?
            .text()
            .await?;
        let back = browser
            .post(format!("{base}/login-srv/login"))
            .form(&[
                ("username", "bench@example.com"),
                ("password", PASSWORD),
                ("requestId", &field(&html, "requestId")),
                ("csrf_token", &field(&html, "csrf_token")),
            ])
            .send()
            .await?;
        let back = url::Url::parse(back.headers()["location"].to_str()?)?;
        let code = back
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let tokens: serde_json::Value = browser
            .post(format!("{base}/token-srv/token"))
            .basic_auth(&client_id, Some(&secret_text))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT_URI),
            ])
            .send()
            .await?
            .json()
            .await?;
        logins.push(started.elapsed());
        anyhow::ensure!(tokens["id_token"].is_string(), "login failed: {tokens}");
    }
    report(
        "password login (authorize → page → password → token)",
        logins,
    );

    // An authenticator with a known secret, as if enrolled.
    let secret = [7u8; 20];
    let params = gatehouse::domain::totp::TotpParams::default();
    let user = {
        let store = state.store.clone();
        store
            .run(|c| gatehouse::store::users::find_user_by_email(c, "bench@example.com"))
            .await?
            .ok_or_else(|| anyhow::anyhow!("no user"))?
    };
    let authenticator = gatehouse::domain::verification::Authenticator {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: user.id.clone(),
        label: "bench".into(),
        sealed_secret: state.sealer.seal(&secret),
        params,
        active: true,
        last_used_step: None,
        failure_count: 0,
        locked_until: None,
        recent_offsets: vec![],
        created_at: clock.now(),
        last_used_at: None,
    };
    state
        .store
        .run(move |c| gatehouse::store::authenticators::insert_authenticator(c, &authenticator))
        .await?;
    let code_now =
        || gatehouse::domain::totp::code_at_step(&secret, params, params.step_at(clock.now()));

    let http = reqwest::Client::new();
    let mut verifies = Vec::new();
    let mut totp_logins = Vec::new();
    for round in 0..120 {
        clock.advance(30);
        let whole = round < 20;
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let started = Instant::now();
        let authz = browser
            .get(format!("{base}/authz-srv/authz"))
            .query(&[
                ("client_id", client_id.as_str()),
                ("redirect_uri", REDIRECT_URI),
                ("response_type", "code"),
                ("scope", "openid"),
                ("state", "s"),
            ])
            .send()
            .await?;
        let login = authz.headers()["location"].to_str()?.to_owned();
        let request_id = login
            .split("requestId=")
            .nth(1)
            .unwrap_or_default()
            .split('&')
            .next()
            .unwrap_or_default()
            .to_owned();
        browser
            .get(format!("{base}{login}"))
            .send()
            .await?
            .bytes()
            .await?;
        let initiated: serde_json::Value = http
            .post(format!("{base}/verification-srv/authentication/totp/initiation"))
            .json(&serde_json::json!({"request_id": request_id, "usage_type": "PASSWORDLESS_AUTHENTICATION", "email": "bench@example.com"}))
            .send()
            .await?
            .json()
            .await?;
        let exchange = initiated["data"]["exchange_id"]["exchange_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let verify_started = Instant::now();
        let verified: serde_json::Value = http
            .post(format!(
                "{base}/verification-srv/authentication/totp/verification"
            ))
            .json(&serde_json::json!({"exchange_id": exchange, "pass_code": code_now()}))
            .send()
            .await?
            .json()
            .await?;
        let verify_time = verify_started.elapsed();
        anyhow::ensure!(verified["success"] == true, "verify failed: {verified}");
        if !whole {
            verifies.push(verify_time);
            continue;
        }
        let finish = browser
            .post(format!("{base}/login-srv/verification/login"))
            .form(&[
                ("requestId", request_id.as_str()),
                (
                    "status_id",
                    verified["data"]["status_id"].as_str().unwrap_or_default(),
                ),
                ("verificationType", "TOTP"),
                ("sub", verified["data"]["sub"].as_str().unwrap_or_default()),
            ])
            .send()
            .await?;
        let back = url::Url::parse(finish.headers()["location"].to_str()?)?;
        let code = back
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let tokens: serde_json::Value = browser
            .post(format!("{base}/token-srv/token"))
            .basic_auth(&client_id, Some(&secret_text))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT_URI),
            ])
            .send()
            .await?
            .json()
            .await?;
        anyhow::ensure!(
            tokens["id_token"].is_string(),
            "TOTP login failed: {tokens}"
        );
        totp_logins.push(started.elapsed());
    }
    report("TOTP verify request", verifies);
    report(
        "passwordless TOTP login (authorize → page → initiate → verify → finish → token)",
        totp_logins,
    );

    let mut discovery = Vec::new();
    for _ in 0..100 {
        let started = Instant::now();
        http.get(format!("{base}/.well-known/openid-configuration"))
            .send()
            .await?
            .bytes()
            .await?;
        discovery.push(started.elapsed());
    }
    report("discovery document", discovery);
    drop(http);
    Ok(())
}
