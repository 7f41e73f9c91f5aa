//! A transaction approved in a real browser (headless Chromium, see `chromium.rs`): the relying
//! app starts it over the back channel, the user opens the link, signs in (password, then the
//! authenticator), sees every field of the data and approves with the next code. The page is
//! saved as `docs/screenshots/approval.png`.

use serde_json::json;

use crate::approvals::{EMAIL, approving_client, started, status, verify};
use crate::chromium::*;
use crate::helpers::*;

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
    browser.wait_for_path(&app, "/login").await;
    fill_in_and_submit(&browser, EMAIL, PASSWORD).await;
    browser.wait_for_path(&app, "/mfa").await;
    browser.type_into("#pass_code", &phone.code(&app, 0)).await;
    browser
        .click("form:has(#pass_code) button[type=submit]")
        .await;

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
