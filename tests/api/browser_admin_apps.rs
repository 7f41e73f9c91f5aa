//! Registering an application on `/admin/apps` in headless Chromium, then signing a user in
//! through it: the admin types the form, reads the client ID and secret off the page, and the
//! new application's code is redeemed with that secret.
//!
//! Screenshots: `admin-app-form.png` (the filled-in form) and `admin-apps.png` (the list).

use serde_json::Value;

use crate::chromium::*;
use crate::helpers::*;

#[tokio::test]
async fn an_admin_registers_an_application_in_a_real_browser_and_a_user_signs_in_through_it() {
    let app = TestApp::spawn().await;
    app.create_admin("root@example.com").await;
    app.create_user("ada@example.com").await;
    // an application registered earlier, so the list shows more than one
    app.create_client(ClientSpec {
        name: "Intranet wiki",
        redirect_uris: vec!["https://wiki.example.com/oauth/callback"],
        ..ClientSpec::default()
    })
    .await;
    let callback = start_test_app().await;

    let browser = Browser::start().await;
    browser.goto(&app.url("/admin/apps")).await;
    browser
        .wait_for_url("the login page", |u| u.path() == "/login")
        .await;
    fill_in_and_submit(&browser, "root@example.com", PASSWORD).await;
    // the sign-in lands on the admin page that was asked for, not on the dashboard
    browser.wait_for_path(&app, "/admin/apps").await;
    assert_eq!(browser.text("h1").await, "Applications");

    browser.click("#new-app").await;
    browser.wait_for_path(&app, "/admin/apps/new").await;
    browser.type_into("#name", "Team Calendar").await;
    browser.type_into("#redirect_uris", &callback).await;
    browser.type_into("#access_token_ttl", "900").await;
    browser.click("#mfa_policy-optional").await;
    assert_eq!(
        browser
            .prop("#grant_types-authorization_code", "checked")
            .await
            .as_deref(),
        Some("true"),
        "a new application signs users in by default"
    );
    browser.screenshot("admin-app-form.png").await;
    browser.click("#save-app").await;
    // the answer to the POST replaces the form at /admin/apps
    browser.wait_for_path(&app, "/admin/apps").await;

    assert_eq!(browser.text("h1").await, "Application registered");
    let client_id = browser.text("#client-id").await;
    let client_secret = browser.text("#client-secret").await;
    assert!(client_secret.len() >= 40, "{client_secret}");
    assert!(
        browser
            .text("#secret-once")
            .await
            .contains("shown only this once")
    );

    browser.goto(&app.url("/admin/apps")).await;
    let table = browser.text("#apps").await;
    assert!(
        table.contains("Team Calendar") && table.contains(&client_id),
        "{table}"
    );
    assert!(table.contains("Intranet wiki"));
    assert!(!table.contains(&client_secret));
    browser.screenshot("admin-apps.png").await;

    // the admin signs out; a user signs in through the new application
    browser.click(".signout button[type=submit]").await;
    browser
        .wait_for_url("the signed-out page", |u| u.path() == "/account/logout")
        .await;
    let rp = Rp {
        client_id,
        client_secret: Some(client_secret),
        redirect_uri: callback,
    };
    browser
        .goto(&authorization_url(&app, &rp, "calendar-state"))
        .await;
    browser
        .wait_for_url("the login page", |u| u.path() == "/login")
        .await;
    assert!(browser.text(".lead").await.contains("Team Calendar"));
    fill_in_and_submit(&browser, "ada@example.com", PASSWORD).await;
    let pairs = browser.wait_for_callback(&rp).await;
    assert_eq!(param(&pairs, "state").as_deref(), Some("calendar-state"));
    let code = param(&pairs, "code").expect("a code for the new application");

    let response = app.redeem(&rp, &code).await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["expires_in"], 900, "{tokens}");
    assert!(tokens["id_token"].is_string() && tokens["refresh_token"].is_string());
    browser.close().await;
}
