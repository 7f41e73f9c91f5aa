//! Email-code benchmark: starts Gatehouse in-process (SQLite in a temp dir) with a real SMTP
//! server on loopback (the one the integration tests use) and times, 20 times, from the
//! `initiate` request for an email code until the SMTP server has received the whole message,
//! and the initiate request alone. Prints median and p90.
//!
//! Run: `cargo bench --bench email_code`.

// The test helper is test code: it may panic, and its self-tests are not built here.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unused_imports
)]
#[path = "../tests/api/smtp_server.rs"]
mod smtp_server;

use std::time::{Duration, Instant};

use gatehouse::cli::{NewClient, NewUser};
use gatehouse::{Application, Config};

const REDIRECT_URI: &str = "http://localhost:9999/callback";
const EMAIL: &str = "bench@example.com";

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name}: n={} median={:.1} ms p90={:.1} ms min={:.1} ms",
        samples.len(),
        pick(0.5).as_secs_f64() * 1e3,
        pick(0.9).as_secs_f64() * 1e3,
        samples[0].as_secs_f64() * 1e3
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let smtp = smtp_server::SmtpServer::start().await;
    let dir = tempfile::tempdir()?;
    let config = Config {
        database_url: format!("sqlite://{}", dir.path().join("bench.db").display()),
        listen: "127.0.0.1:0".into(),
        smtp_url: Some(smtp.url()),
        ..Config::default()
    };
    let app = Application::build(config.clone()).await?;
    let base = app.issuer().to_owned();
    let store = app.state().store.clone();
    tokio::spawn(app.run_until_stopped());
    let (c, s) = (config.clone(), store.clone());
    tokio::task::spawn_blocking(move || {
        let user = NewUser {
            email: EMAIL.into(),
            password: None,
            password_stdin: false,
            name: None,
            admin: false,
            phone: None,
            json: true,
        };
        gatehouse::cli::create_user(&c, &s, user)
    })
    .await??;
    let client = tokio::task::spawn_blocking(move || {
        let client = NewClient {
            name: "Bench".into(),
            redirect_uris: vec![REDIRECT_URI.into()],
            post_logout_redirect_uris: vec![],
            public: false,
            grant_types: vec![],
            allow_implicit: false,
            mfa: "optional".into(),
            management: false,
            json: true,
        };
        gatehouse::cli::create_client(&store, client)
    })
    .await??;
    let client: serde_json::Value = serde_json::from_str(&client)?;
    let client_id = client["client_id"].as_str().unwrap_or_default().to_owned();
    let http = reqwest::Client::new();

    let (mut delivered, mut answered) = (Vec::new(), Vec::new());
    for _ in 0..20 {
        let generated: serde_json::Value = http
            .post(format!("{base}/authz-srv/authrequest/authz/generate"))
            .json(&serde_json::json!({
                "client_id": client_id, "redirect_uri": REDIRECT_URI,
                "response_type": "code", "scope": "openid", "nonce": "n",
            }))
            .send()
            .await?
            .json()
            .await?;
        let request_id = generated["data"]["requestId"].as_str().unwrap_or_default();
        let started = Instant::now();
        let initiated: serde_json::Value = http
            .post(format!(
                "{base}/verification-srv/authentication/email/initiation"
            ))
            .json(&serde_json::json!({"request_id": request_id, "email": EMAIL}))
            .send()
            .await?
            .json()
            .await?;
        answered.push(started.elapsed());
        anyhow::ensure!(initiated["success"] == true, "initiate failed: {initiated}");
        let mail = smtp.wait_for_next(EMAIL).await;
        delivered.push(mail.received_at.duration_since(started));
    }
    report(
        "email code: initiate → SMTP server has the message",
        delivered,
    );
    report(
        "email code: initiate request (includes the SMTP send)",
        answered,
    );
    Ok(())
}
