//! The people of the `kill -9` test (`crash.rs`): each signs in through the hosted pages with
//! a browser of their own and may enroll an authenticator, recording only what got a success
//! answer — requests cut off by the kill just end their run.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;

use crate::helpers::*;

pub fn client() -> reqwest::Client {
    // The process-wide TLS provider reqwest needs (no app runs in this test's process).
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

pub fn header(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers().get(name)?.to_str().ok().map(str::to_owned)
}

/// What one person got a success answer for before the kill.
pub struct Outcome {
    pub email: String,
    pub browser: Option<reqwest::Client>,
    pub signed_in: bool,
    pub authenticator: Option<String>,
}

/// One sign-in through the hosted pages, then (if `enroll`) an authenticator enrollment;
/// stops quietly at the first failure (the kill).
pub async fn sign_in(
    base: String,
    rp: Rp,
    email: String,
    enroll: bool,
    done: Arc<AtomicUsize>,
) -> Outcome {
    let browser = client();
    let signed_in = password_sign_in(&browser, &base, &rp, &email)
        .await
        .is_some();
    if signed_in {
        done.fetch_add(1, Ordering::SeqCst);
    }
    let authenticator = if signed_in && enroll {
        enroll_totp(&browser, &base).await
    } else {
        None
    };
    Outcome {
        email,
        browser: Some(browser),
        signed_in,
        authenticator,
    }
}

/// authorize → login page → password; `Some` once the redirect to the client with a code was
/// read.
async fn password_sign_in(
    browser: &reqwest::Client,
    base: &str,
    rp: &Rp,
    email: &str,
) -> Option<()> {
    let authz = browser
        .get(format!("{base}/authz-srv/authz"))
        .query(&[
            ("client_id", rp.client_id.as_str()),
            ("redirect_uri", rp.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", "openid"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .ok()?;
    let login = header(&authz, "location")?;
    let html = browser
        .get(format!("{base}{login}"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    if !html.contains("csrf_token") {
        return None;
    }
    let (request_id, csrf) = (
        hidden_field(&html, "requestId"),
        hidden_field(&html, "csrf_token"),
    );
    let answer = browser
        .post(format!("{base}/login-srv/login"))
        .form(&[
            ("username", email),
            ("password", PASSWORD),
            ("requestId", &request_id),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .ok()?;
    let back = header(&answer, "location")?;
    (back.starts_with(&rp.redirect_uri) && back.contains("code=")).then_some(())
}

/// Enrolls an authenticator app for the signed-in browser; its id once the 200 was read.
async fn enroll_totp(browser: &reqwest::Client, base: &str) -> Option<String> {
    let started: serde_json::Value = browser
        .post(format!("{base}/verification-srv/v2/setup/initiate/totp"))
        .json(&json!({"label": "Phone"}))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let secret = totp_rs::Secret::try_from_base32(started["data"]["totp_secret"].as_str()?)
        .ok()?
        .as_ref()
        .to_vec();
    let params = gatehouse::domain::totp::TotpParams::default();
    let now = gatehouse::Clock::system().now();
    let code = gatehouse::domain::totp::code_at_step(&secret, params, params.step_at(now));
    let exchange = started["data"]["exchange_id"]["exchange_id"].as_str()?;
    let enrolled = browser
        .post(format!("{base}/verification-srv/v2/setup/enroll/totp"))
        .json(&json!({"exchange_id": exchange, "pass_code": code}))
        .send()
        .await
        .ok()?;
    if enrolled.status() != 200 {
        return None;
    }
    let body: serde_json::Value = enrolled.json().await.ok()?;
    body["data"]["authenticator_id"].as_str().map(str::to_owned)
}
