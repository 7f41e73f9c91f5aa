//! The hosted password login in a real browser: headless Chromium driven over WebDriver
//! (fantoccini and Debian's chromedriver, see `chromium.rs`) signs in for a relying app that runs
//! its own callback server.
//!
//! Screenshots of the login page and of its error state are written to `docs/screenshots/`.

use fantoccini::Locator;
use serde_json::Value;

use crate::chromium::*;
use crate::helpers::*;

/// An app with a user and a public client whose redirect URI is the test app's callback.
async fn app_with_test_app() -> (TestApp, Rp) {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = register_test_app(&app, "optional").await;
    (app, rp)
}

/// Waits for our login page and checks what a user sees there.
async fn assert_login_page(browser: &Browser, app: &TestApp) {
    let url = browser
        .wait_for_url("the login page", |u| u.path() == "/login")
        .await;
    assert!(
        url.as_str().starts_with(&app.url("/login?requestId=")),
        "{url}"
    );
    assert_eq!(
        browser.client.title().await.unwrap(),
        "Sign in to Browser Test App"
    );
    assert_eq!(browser.text("h1").await, "Sign in");
    assert!(browser.text(".lead").await.contains("Browser Test App"));

    // every input a user fills in has a visible label naming it
    let inputs = browser
        .client
        .find_all(Locator::Css("form input:not([type=hidden])"))
        .await
        .unwrap();
    let mut labels = Vec::new();
    for input in inputs {
        assert!(input.is_displayed().await.unwrap());
        let id = input
            .attr("id")
            .await
            .unwrap()
            .expect("the input has an id");
        let label = browser
            .client
            .find(Locator::Css(&format!("label[for=\"{id}\"]")))
            .await
            .unwrap_or_else(|_| panic!("no <label> for #{id}"));
        assert!(
            label.is_displayed().await.unwrap(),
            "the label of #{id} is visible"
        );
        labels.push((id, label.text().await.unwrap()));
    }
    assert_eq!(
        labels,
        [
            ("username".to_string(), "Email".to_string()),
            ("password".to_string(), "Password".to_string())
        ]
    );
}

#[tokio::test]
async fn a_user_signs_in_with_a_password_in_a_real_browser_and_lands_on_the_relying_app() {
    let (app, rp) = app_with_test_app().await;
    let browser = Browser::start().await;
    browser
        .goto(&authorization_url(&app, &rp, "browser-state-1"))
        .await;
    assert_login_page(&browser, &app).await;
    browser.screenshot("login.png").await;

    fill_in_and_submit(&browser, "ada@example.com", PASSWORD).await;
    let landed = browser
        .wait_for_url("the relying app's callback", |u| {
            u.as_str().starts_with(&format!("{}?", rp.redirect_uri))
        })
        .await;
    let pairs: Vec<(String, String)> = landed.query_pairs().into_owned().collect();
    let code = param(&pairs, "code").expect("code in the callback URL");
    assert!(code.len() >= 40);
    assert_eq!(param(&pairs, "state").as_deref(), Some("browser-state-1"));
    assert_eq!(param(&pairs, "iss").as_deref(), Some(app.base.as_str()));
    assert_eq!(
        browser.text("h1").await,
        "Signed in at the test app",
        "the callback page is shown"
    );
    assert_eq!(browser.text("#param-state").await, "browser-state-1");
    assert_eq!(browser.text("#param-code").await, code);

    // the code the browser carried is redeemable with the PKCE verifier
    let tokens: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    assert!(tokens["id_token"].is_string(), "{tokens}");
    browser.close().await;
}

#[tokio::test]
async fn a_wrong_password_in_a_real_browser_shows_the_generic_error_next_to_the_form() {
    let (app, rp) = app_with_test_app().await;
    let browser = Browser::start().await;
    browser
        .goto(&authorization_url(&app, &rp, "browser-state-2"))
        .await;
    assert_login_page(&browser, &app).await;

    fill_in_and_submit(&browser, "ada@example.com", "not the password").await;
    let alert = browser.find("[role=alert]").await;
    assert_eq!(
        alert.text().await.unwrap(),
        "The email or password is not correct."
    );
    assert!(alert.is_displayed().await.unwrap());
    let url = browser.url().await;
    assert_eq!(url.path(), "/login", "still on the login page: {url}");
    assert!(!url.as_str().contains("code="));
    assert_eq!(
        browser.prop("#password", "value").await.as_deref(),
        Some(""),
        "the password is not echoed back"
    );
    assert_login_page(&browser, &app).await;
    browser.screenshot("login-error.png").await;

    // the same request still completes with the right password
    fill_in_and_submit(&browser, "ada@example.com", PASSWORD).await;
    let landed = browser
        .wait_for_url("the relying app's callback", |u| {
            u.as_str().starts_with(&format!("{}?", rp.redirect_uri))
        })
        .await;
    let pairs: Vec<(String, String)> = landed.query_pairs().into_owned().collect();
    assert_eq!(param(&pairs, "state").as_deref(), Some("browser-state-2"));
    assert!(param(&pairs, "code").is_some());
    browser.close().await;
}
