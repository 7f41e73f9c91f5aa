//! Authenticator apps in a real browser (headless Chromium, see `chromium.rs`): adding one on
//! the account page by reading the key off the page, signing in with it instead of a password,
//! and as a second step after the password — also enrolling during a login that requires it.
//!
//! Screenshots of the account page, the setup page with its QR code, the code page after the
//! password and the list of other ways to sign in are written to `docs/screenshots/`.

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::chromium::*;
use crate::helpers::*;
use crate::totp::decode_claims;

const EMAIL: &str = "ada@example.com";

/// The QR code of a setup page: an inline SVG, visible, square and large enough to scan.
async fn assert_qr_code(browser: &Browser) {
    let figure = browser.find("figure.qr").await;
    assert_eq!(figure.attr("role").await.unwrap().as_deref(), Some("img"));
    assert!(
        figure
            .attr("aria-label")
            .await
            .unwrap()
            .is_some_and(|l| l.contains("QR code")),
        "the QR code is described for screen readers"
    );
    let svg = browser.find("figure.qr svg").await;
    assert!(svg.is_displayed().await.unwrap(), "the QR code is visible");
    let (_, _, width, height) = svg.rectangle().await.unwrap();
    assert!(
        (width - height).abs() < 0.5 && width >= 150.0,
        "a square QR code large enough to scan: {width}×{height}"
    );
}

/// Opens "Can't scan?" and reads the key off the page, as a user typing it into a phone would.
async fn read_key(browser: &Browser) -> Phone {
    let key = browser.find("#totp-secret").await;
    assert!(
        !key.is_displayed().await.unwrap(),
        "the key is tucked away until asked for"
    );
    let summary = browser.find("details.manual summary").await;
    assert!(summary.text().await.unwrap().starts_with("Can't scan?"));
    summary.click().await.unwrap();
    assert!(key.is_displayed().await.unwrap(), "the key is shown");
    let grouped = key.text().await.unwrap();
    assert!(
        grouped.split(' ').all(|g| (1..=4).contains(&g.len())),
        "the key is shown in groups of four: {grouped}"
    );
    let secret: String = grouped.split_whitespace().collect();
    let uri = browser.text("#totp-uri").await;
    assert!(
        uri.starts_with("otpauth://totp/") && uri.contains(&format!("secret={secret}")),
        "the setup link carries the same key: {uri}"
    );
    Phone {
        secret: totp_rs::Secret::try_from_base32(&secret)
            .unwrap_or_else(|e| panic!("the key {secret} is base32: {e:?}"))
            .as_ref()
            .to_vec(),
        authenticator_id: String::new(),
    }
}

/// The code input: labelled, numeric keyboard, one-time-code autofill.
async fn assert_code_input(browser: &Browser, label: &str) {
    let input = browser.find("#pass_code").await;
    assert!(input.is_displayed().await.unwrap());
    assert_eq!(
        input.attr("autocomplete").await.unwrap().as_deref(),
        Some("one-time-code")
    );
    assert_eq!(
        input.attr("inputmode").await.unwrap().as_deref(),
        Some("numeric")
    );
    let visible_label = browser.find("label[for=pass_code]").await;
    assert!(visible_label.is_displayed().await.unwrap());
    assert_eq!(visible_label.text().await.unwrap(), label);
}

/// Types `code` into the code page and submits it.
async fn submit_code(browser: &Browser, code: &str) {
    browser.type_into("#pass_code", code).await;
    browser
        .click("form:has(#pass_code) button[type=submit]")
        .await;
}

/// Six digits that are none of the codes the app would accept now.
fn wrong_code(app: &TestApp, phone: &Phone) -> String {
    let valid: Vec<String> = (-2..=2).map(|k| phone.code(app, k)).collect();
    (0..=9)
        .map(|d: u8| d.to_string().repeat(6))
        .find(|c| !valid.contains(c))
        .unwrap()
}

/// Checks the redirect the relying app received and returns the ID token's claims.
async fn id_token_claims(app: &TestApp, rp: &Rp, pairs: &[(String, String)], state: &str) -> Value {
    assert_eq!(param(pairs, "state").as_deref(), Some(state));
    assert_eq!(param(pairs, "iss").as_deref(), Some(app.base.as_str()));
    let code = param(pairs, "code").expect("a code in the callback URL");
    let response = app.redeem(rp, &code).await;
    assert_eq!(response.status(), 200, "the code is redeemable");
    let tokens: Value = response.json().await.unwrap();
    let claims = decode_claims(tokens["id_token"].as_str().expect("an ID token"));
    assert_eq!(claims["nonce"], "browser-nonce");
    claims
}

#[tokio::test]
async fn a_user_enrolls_an_authenticator_on_the_account_page_then_signs_in_passwordless_with_it() {
    let app = TestApp::spawn().await;
    app.create_user(EMAIL).await;
    let rp = register_test_app(&app, "optional").await;
    let browser = Browser::start().await;

    // the account page signs in through the hosted login
    browser.goto(&app.url("/account")).await;
    browser.wait_for_path(&app, "/login").await;
    assert_eq!(
        browser.client.title().await.unwrap(),
        "Sign in to Your account"
    );
    fill_in_and_submit(&browser, EMAIL, PASSWORD).await;
    browser.wait_for_path(&app, "/account").await;
    assert_eq!(browser.text("#account-email").await, EMAIL);
    assert!(
        browser
            .text("main")
            .await
            .contains("No authenticator app yet")
    );

    // add an authenticator: QR code, key by hand, first code
    browser.type_into("#new-label", "Work phone").await;
    browser.click("#add-authenticator").await;
    browser.wait_for_path(&app, "/account/totp").await;
    assert_eq!(browser.text("h1").await, "Add an authenticator app");
    assert_qr_code(&browser).await;
    let phone = read_key(&browser).await;
    assert!(browser.text("details.manual").await.contains("Work phone"));
    assert_code_input(&browser, "Code from the app").await;
    browser.screenshot("totp-setup.png").await;
    submit_code(&browser, &phone.code(&app, 0)).await;

    browser
        .wait_for_url("the account page with its notice", |u| {
            u.path() == "/account" && u.query() == Some("notice=added")
        })
        .await;
    assert_eq!(
        browser.text("[role=status]").await,
        "Authenticator app added."
    );
    let items = browser
        .client
        .find_all(Locator::Css("li.authenticator"))
        .await
        .unwrap();
    assert_eq!(items.len(), 1, "one authenticator");
    assert!(
        items[0]
            .attr("id")
            .await
            .unwrap()
            .is_some_and(|id| id.starts_with("authenticator-"))
    );
    assert_eq!(browser.text("li.authenticator strong").await, "Work phone");
    browser.screenshot("account.png").await;

    browser.click("#sign-out").await;
    browser.wait_for_path(&app, "/account/logout").await;
    assert_eq!(browser.text("h1").await, "You are signed out");

    // a new sign-in for the relying app, with the authenticator instead of the password
    browser
        .goto(&authorization_url(&app, &rp, "browser-state-otp"))
        .await;
    browser.wait_for_path(&app, "/login").await;
    assert_eq!(browser.text("h1").await, "Sign in", "signed out for real");
    browser.click("#other-ways").await;
    browser.wait_for_path(&app, "/login/methods").await;
    browser.type_into("#username", EMAIL).await;
    browser.click("form button[type=submit]").await;
    browser
        .wait_for_url("the method list", |u| {
            u.path() == "/login/methods" && u.query().is_some_and(|q| q.contains("username="))
        })
        .await;
    assert_eq!(
        browser.text(".lead").await,
        format!("Signing in as {EMAIL}")
    );
    assert_eq!(
        browser.text("#method-totp").await,
        "Use a code from my authenticator app"
    );
    assert_eq!(browser.text("#method-password").await, "Use my password");
    browser.screenshot("login-methods.png").await;

    browser.click("#method-totp").await;
    browser.wait_for_path(&app, "/login/verify").await;
    assert_eq!(browser.text("h1").await, "Enter your code");
    assert_code_input(&browser, "Authentication code").await;
    // the confirming code's step is spent: the next one
    submit_code(&browser, &phone.code(&app, 1)).await;

    let pairs = browser.wait_for_callback(&rp).await;
    let claims = id_token_claims(&app, &rp, &pairs, "browser-state-otp").await;
    assert_eq!(claims["amr"], json!(["otp"]));
    browser.close().await;
}

#[tokio::test]
async fn a_password_then_a_totp_code_in_the_browser_signs_in_with_mfa() {
    let app = TestApp::spawn().await;
    app.create_user(EMAIL).await;
    let phone = app
        .enroll_totp(&app.signed_in_browser(EMAIL).await, "Pixel")
        .await;
    let rp = register_test_app(&app, "optional").await;
    let browser = Browser::start().await;

    browser
        .goto(&authorization_url(&app, &rp, "browser-state-mfa"))
        .await;
    let login = browser.wait_for_path(&app, "/login").await;
    let request_id = param(
        &login.query_pairs().into_owned().collect::<Vec<_>>(),
        "requestId",
    )
    .expect("a requestId");
    fill_in_and_submit(&browser, EMAIL, PASSWORD).await;

    let mfa = browser.wait_for_path(&app, "/mfa").await;
    let pairs: Vec<(String, String)> = mfa.query_pairs().into_owned().collect();
    assert!(
        param(&pairs, "track_id").is_some_and(|t| !t.is_empty()),
        "{mfa}"
    );
    let sub = param(&pairs, "sub").expect("sub");
    assert!(!sub.is_empty());
    assert_eq!(param(&pairs, "q"), Some(sub), "{mfa}");
    assert_eq!(param(&pairs, "requestId"), Some(request_id), "{mfa}");
    assert_eq!(browser.text("h1").await, "Two-step verification");
    assert_code_input(&browser, "Authentication code").await;
    browser.screenshot("mfa.png").await;

    submit_code(&browser, &wrong_code(&app, &phone)).await;
    let alert = browser.find("[role=alert]").await;
    assert!(alert.is_displayed().await.unwrap());
    assert_eq!(
        alert.text().await.unwrap(),
        "The code is not correct. Enter the current code from your authenticator app."
    );
    assert_eq!(browser.url().await.path(), "/mfa", "still on the code page");
    assert_eq!(
        browser
            .attr("#pass_code", "aria-describedby")
            .await
            .as_deref(),
        Some("mfa-error")
    );
    assert_code_input(&browser, "Authentication code").await;

    submit_code(&browser, &phone.code(&app, 0)).await;
    let pairs = browser.wait_for_callback(&rp).await;
    let claims = id_token_claims(&app, &rp, &pairs, "browser-state-mfa").await;
    assert_eq!(claims["amr"], json!(["pwd", "otp", "mfa"]));
    assert_eq!(claims["acr"], "2");
    browser.close().await;
}

#[tokio::test]
async fn a_client_requiring_mfa_enrolls_a_user_without_one_during_login_in_the_browser() {
    let app = TestApp::spawn().await;
    app.create_user(EMAIL).await;
    let rp = register_test_app(&app, "always").await;
    let browser = Browser::start().await;

    browser
        .goto(&authorization_url(&app, &rp, "browser-state-enroll"))
        .await;
    browser.wait_for_path(&app, "/login").await;
    fill_in_and_submit(&browser, EMAIL, PASSWORD).await;

    let mfa = browser.wait_for_path(&app, "/mfa").await;
    assert!(
        mfa.query().is_some_and(|q| q.contains("track_id=")),
        "{mfa}"
    );
    assert_eq!(browser.text("h1").await, "Set up an authenticator app");
    assert_qr_code(&browser).await;
    let phone = read_key(&browser).await;
    assert_code_input(&browser, "Code from the app").await;

    submit_code(&browser, &phone.code(&app, 0)).await;
    let pairs = browser.wait_for_callback(&rp).await;
    let claims = id_token_claims(&app, &rp, &pairs, "browser-state-enroll").await;
    assert_eq!(claims["amr"], json!(["pwd", "otp", "mfa"]));
    browser.close().await;
}
