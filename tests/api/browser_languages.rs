//! Languages in a real browser (issue 16): the language switch on the hosted login works
//! without JavaScript and keeps the sign-in going; screenshots of the login page in each
//! language for the README.

use crate::chromium::*;
use crate::helpers::*;

#[tokio::test]
async fn the_login_page_switches_to_german_and_the_sign_in_goes_on() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = register_test_app(&app, "optional").await;
    let browser = Browser::start().await;
    browser
        .goto(&authorization_url(&app, &rp, "lang-state"))
        .await;
    browser.wait_for_path(&app, "/login").await;
    assert_eq!(browser.text("h1").await, "Sign in");

    browser.choose("#language-select", "de").await;
    browser.click(".language-switch button[type=submit]").await;
    // The switch comes back to /login: only the page itself shows that it was replaced.
    browser.wait_for_text("h1", "Anmelden").await;
    browser.wait_for_path(&app, "/login").await;
    assert_eq!(
        browser.attr("html", "lang").await.as_deref(),
        Some("de"),
        "<html lang> follows the language"
    );
    assert_eq!(browser.text("label[for=password]").await, "Passwort");
    browser.screenshot("login-de.png").await;

    fill_in_and_submit(&browser, "ada@example.com", PASSWORD).await;
    let pairs = browser.wait_for_callback(&rp).await;
    assert_eq!(param(&pairs, "state").as_deref(), Some("lang-state"));
    browser.close().await;
}
