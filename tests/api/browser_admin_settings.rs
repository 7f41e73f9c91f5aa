//! The settings pages in a real browser (headless Chromium, see `chromium.rs`): an administrator
//! picks 8-digit TOTP codes on `/admin/methods` and is warned that common authenticator apps
//! break; a wrong value is shown next to its field; then sets up an SMS webhook on
//! `/admin/connectors` and sends a test message that the provider (a loopback HTTP server)
//! receives, with its answer shown on the page.
//!
//! Screenshots of both pages are written to `docs/screenshots/` when asked for.

use crate::chromium::*;
use crate::helpers::*;
use crate::http_recorder::HttpRecorder;

const ADMIN: &str = "root@example.com";

#[tokio::test]
async fn an_admin_changes_code_rules_and_sets_up_an_sms_provider_in_a_real_browser() {
    let app = TestApp::spawn().await;
    app.create_admin(ADMIN).await;
    let sms = HttpRecorder::start_with(201, r#"{"id":"msg-42"}"#).await;

    let browser = Browser::start().await;
    browser.goto(&app.url("/admin/methods")).await;
    browser.wait_for_path(&app, "/login").await;
    fill_in_and_submit(&browser, ADMIN, PASSWORD).await;
    browser.wait_for_path(&app, "/admin/methods").await;
    assert_eq!(browser.text("h1").await, "Sign-in methods");

    browser.choose("#totp_digits", "8").await;
    browser.type_into("#otp_ttl", "0").await;
    browser
        .click("form[action='/admin/methods'] button[type=submit]")
        .await;
    let error = browser.text("#otp_ttl-error").await;
    assert!(error.contains("positive"), "{error}");
    let described_by = browser.attr("#otp_ttl", "aria-describedby").await;
    assert!(
        described_by.is_some_and(|ids| ids.contains("otp_ttl-error")),
        "the error is announced with its field"
    );
    assert_eq!(app.state.live().config.totp_digits, 6, "nothing saved");

    browser.type_into("#otp_ttl", "600").await;
    browser
        .click("form[action='/admin/methods'] button[type=submit]")
        .await;
    browser
        .wait_for_url("the saved methods page", |u| {
            u.path() == "/admin/methods" && u.query().is_some()
        })
        .await;
    let warnings = browser.text("#totp-warnings").await;
    assert!(
        warnings.contains("8 digits: Google Authenticator and Microsoft Authenticator"),
        "{warnings}"
    );
    assert_eq!(app.state.live().config.totp_digits, 8);
    assert_eq!(app.state.live().code_policy.ttl, 600);
    browser.screenshot("admin-methods.png").await;

    browser.click("nav a[href='/admin/connectors']").await;
    browser.wait_for_path(&app, "/admin/connectors").await;
    browser.choose("#sms_provider", "webhook").await;
    browser.type_into("#sms_url", &sms.url("/sms")).await;
    browser.type_into("#sms_password", "s3cret-token").await;
    browser
        .click("form[action='/admin/connectors'] button[type=submit]")
        .await;
    browser
        .wait_for_url("the saved connectors page", |u| {
            u.path() == "/admin/connectors" && u.query().is_some()
        })
        .await;
    assert_eq!(
        browser.attr("#sms_password", "value").await.as_deref(),
        Some("")
    );
    browser.type_into("#test-sms", "+49 151 1234 5678").await;
    browser.click("#send-test-sms").await;
    let result = browser.text("#test-result").await;
    assert!(result.contains("Sent through webhook"), "{result}");
    let sent = &sms.wait_for_requests(1).await[0];
    assert_eq!(sent.json()["to"], "+4915112345678");
    assert!(
        sent.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("test message")),
        "{:?}",
        sent.json()
    );
    browser.screenshot("admin-connectors.png").await;
    browser.close().await;
}
