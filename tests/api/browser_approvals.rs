//! A transaction approved in a real browser (headless Chromium, see `chromium.rs`): the relying
//! app starts it over the back channel, the user opens the link, signs in (password, then the
//! authenticator), sees every field of the data and approves with the next code. The page is
//! saved as `docs/screenshots/approval.png`. And one asked for on the authorization request
//! (`authorization_details`): approved between the sign-in and the relying app's callback.

use serde_json::json;

use crate::approvals::{EMAIL, approving_client, started, status, verify};
use crate::chromium::*;
use crate::helpers::*;

/// On the login page: the password, then the authenticator's current code on `/mfa`.
async fn sign_in_with_password_and_code(app: &TestApp, browser: &Browser, phone: &Phone) {
    browser.wait_for_path(app, "/login").await;
    fill_in_and_submit(browser, EMAIL, PASSWORD).await;
    browser.wait_for_path(app, "/mfa").await;
    browser.type_into("#pass_code", &phone.code(app, 0)).await;
    browser
        .click("form:has(#pass_code) button[type=submit]")
        .await;
}

#[tokio::test]
async fn a_transaction_is_approved_in_the_browser_with_its_data_on_the_page() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(EMAIL).await;
    let phone = app
        .enroll_totp(&app.signed_in_browser(EMAIL).await, "Pixel")
        .await;
    let rp = approving_client(&app, "Example Bank").await;
    let data = json!({"transactionId": "TX12345", "amount": "1500.00", "currency": "USD",
                      "payee": {"name": "ACME Ltd <Payments>", "iban": "DE89 3704 0044 0532 0130 00"}});
    let id = started(&app, &rp, &sub, data.clone()).await;

    let browser = Browser::start().await;
    browser.goto(&app.url(&format!("/approve/{id}"))).await;
    sign_in_with_password_and_code(&app, &browser, &phone).await;

    // back on the approval, signed in: every field, as text
    browser.wait_for_path(&app, &format!("/approve/{id}")).await;
    assert_eq!(browser.text("h1").await, "Approve this transaction?");
    let shown = browser.text("#approval-data").await;
    for text in [
        "TX12345",
        "1500.00",
        "USD",
        "payee › name",
        "ACME Ltd <Payments>",
        "DE89 3704 0044 0532 0130 00",
    ] {
        assert!(shown.contains(text), "{text} is on the page: {shown}");
    }
    assert!(browser.text(".lead").await.starts_with("Example Bank"));
    let label = browser.find("label[for=pass_code]").await;
    assert!(label.is_displayed().await.unwrap());
    browser.screenshot("approval.png").await;

    // the sign-in code's step is spent: the app's next code approves
    app.clock.advance(30);
    browser.type_into("#pass_code", &phone.code(&app, 0)).await;
    browser.click("#approve").await;
    let outcome = browser.find("#approval-outcome").await;
    assert!(outcome.is_displayed().await.unwrap());
    assert_eq!(
        outcome.text().await.unwrap(),
        "You approved this transaction. You can close this page."
    );
    browser.close().await;

    let (_, body) = status(&app, &rp, &id).await;
    assert_eq!(body["state"], "approved");
    let claims = verify(&app, &rp, body["artifact"].as_str().unwrap())
        .await
        .expect("the artifact verifies");
    assert_eq!(claims["approval_data"], data);
}

#[tokio::test]
async fn a_transaction_asked_for_on_the_authorization_request_is_approved_in_the_browser() {
    let app = TestApp::spawn().await;
    app.create_user(EMAIL).await;
    let phone = app
        .enroll_totp(&app.signed_in_browser(EMAIL).await, "Pixel")
        .await;
    let callback: &'static str = Box::leak(start_test_app().await.into_boxed_str());
    let rp = app
        .create_client(ClientSpec {
            name: "Example Bank",
            redirect_uris: vec![callback],
            approvals: true,
            ..ClientSpec::default()
        })
        .await;
    let data = json!({"amount": "99.90", "payee": "Bob"});
    let details = json!([{"type": "transaction_approval", "approval_data": data}]).to_string();
    let mut params = code_request(&rp);
    params.extend([("state", "bank-state"), ("authorization_details", &details)]);
    let url = url::Url::parse_with_params(&app.url("/authz-srv/authz"), params).unwrap();

    let browser = Browser::start().await;
    browser.goto(url.as_str()).await;
    sign_in_with_password_and_code(&app, &browser, &phone).await;
    browser
        .wait_for_url("the approval page", |u| u.path().starts_with("/approve/"))
        .await;
    let shown = browser.text("#approval-data").await;
    assert!(shown.contains("99.90") && shown.contains("Bob"), "{shown}");
    app.clock.advance(30);
    browser.type_into("#pass_code", &phone.code(&app, 0)).await;
    browser.click("#approve").await;

    let pairs = browser.wait_for_callback(&rp).await;
    browser.close().await;
    assert_eq!(param(&pairs, "state").as_deref(), Some("bank-state"));
    let code = param(&pairs, "code").expect("a code after the approval");
    let tokens: serde_json::Value = app.redeem(&rp, &code).await.json().await.unwrap();
    let entry = &tokens["authorization_details"][0];
    assert_eq!(entry["state"], "approved");
    let claims = verify(&app, &rp, entry["artifact"].as_str().unwrap())
        .await
        .expect("the artifact verifies");
    assert_eq!(claims["approval_data"], data);
}
