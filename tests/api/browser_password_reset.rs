//! Password reset in a real browser (headless Chromium, see `chromium.rs`): "Forgot your
//! password?" on the sign-in page, the code from the mail (a real SMTP server on loopback), a
//! new password, and back to the sign-in the application started.
//!
//! Screenshots of the forgot-password and reset pages are written to `docs/screenshots/` when
//! asked for.

use crate::browser_register::labelled_inputs;
use crate::chromium::*;
use crate::helpers::*;
use crate::register::{NEW_PASSWORD, app_with_mail};

#[tokio::test]
async fn a_person_resets_a_forgotten_password_in_a_real_browser_and_signs_in_with_the_new_one() {
    let (app, smtp) = app_with_mail().await;
    app.create_user("ada@example.com").await;
    let rp = register_test_app(&app, "optional").await;
    let browser = Browser::start().await;
    browser
        .goto(&authorization_url(&app, &rp, "browser-reset"))
        .await;
    browser.wait_for_path(&app, "/login").await;
    browser.click("#forgot-password").await;

    browser.wait_for_path(&app, "/password/forgot").await;
    assert_eq!(browser.text("h1").await, "Forgot your password?");
    assert_eq!(
        labelled_inputs(&browser, "form[action='/password/forgot']").await,
        [("email".to_string(), "Email".to_string())]
    );
    browser.type_into("#email", "ada@example.com").await;
    browser.screenshot("password-forgot.png").await;
    browser
        .click("form[action='/password/forgot'] button[type=submit]")
        .await;

    browser.wait_for_path(&app, "/password/reset").await;
    assert_eq!(browser.text("h1").await, "Choose a new password");
    assert_eq!(
        labelled_inputs(&browser, "form[action='/password/reset']").await,
        [
            ("email".to_string(), "Email".to_string()),
            ("code".to_string(), "Code from the email".to_string()),
            ("password".to_string(), "New password".to_string()),
        ]
    );
    let code = smtp.wait_for_next("ada@example.com").await.code();
    browser.type_into("#code", &code).await;
    browser.type_into("#password", NEW_PASSWORD).await;
    browser.screenshot("password-reset.png").await;
    browser
        .click("form[action='/password/reset'] button[type=submit]")
        .await;

    // The form posts to its own URL: only the page itself shows that it was replaced.
    browser.wait_for_text("h1", "Password changed").await;
    browser.wait_for_path(&app, "/password/reset").await;
    browser.click("#sign-in").await;
    browser.wait_for_path(&app, "/login").await;
    fill_in_and_submit(&browser, "ada@example.com", PASSWORD).await;
    assert_eq!(
        browser.text("[role=alert]").await,
        "The email or password is not correct.",
        "the old password no longer works"
    );
    fill_in_and_submit(&browser, "ada@example.com", NEW_PASSWORD).await;
    let pairs = browser.wait_for_callback(&rp).await;
    assert_eq!(param(&pairs, "state").as_deref(), Some("browser-reset"));
    assert!(param(&pairs, "code").is_some());
    browser.close().await;
}
