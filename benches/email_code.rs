//! Email-code benchmark: starts Gatehouse in-process (SQLite in a temp dir) with a real SMTP
//! server on loopback (the one the integration tests use) and times, 20 times, from the
//! `initiate` request for an email code until the SMTP server has received the whole message,
//! and the initiate request alone. Prints median and p90. The app's clock moves a minute per
//! sample, past the resend cooldown.
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

mod common;

use std::time::Instant;

use common::{REDIRECT_URI, report};

const EMAIL: &str = "bench@example.com";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let smtp = smtp_server::SmtpServer::start().await;
    let dir = tempfile::tempdir()?;
    let config = gatehouse::Config {
        smtp_url: Some(smtp.url()),
        ..common::config(&dir, false)
    };
    let clock = gatehouse::Clock::system();
    let app = common::start(config, clock.clone()).await?;
    let base = app.base.clone();
    common::create_user(&app, EMAIL, None, false).await?;
    let (client_id, _) = common::create_client(&app).await?;
    let http = reqwest::Client::new();

    let (mut delivered, mut answered) = (Vec::new(), Vec::new());
    for _ in 0..20 {
        // A new code for the same address within the resend cooldown would not be sent.
        clock.advance(60);
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
