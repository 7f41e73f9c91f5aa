//! Sign-up in a real browser (headless Chromium, see `chromium.rs`): the application asks for
//! `view_type=register`, the person fills in the form, reads the code from the mail (a real
//! SMTP server on loopback) and lands back on the application, signed in.
//!
//! Screenshots of the sign-up form, a refused password and the code page are written to
//! `docs/screenshots/` when asked for.

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::chromium::*;
use crate::helpers::*;
use crate::register::{NEW_PASSWORD, app_with_mail};
use crate::totp::decode_claims;

/// Every input a person fills in has a visible label; returns (input id, label text) pairs.
pub async fn labelled_inputs(browser: &Browser, form: &str) -> Vec<(String, String)> {
    let inputs = browser
        .client
        .find_all(Locator::Css(&format!("{form} input:not([type=hidden])")))
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
    labels
}

#[tokio::test]
async fn a_person_signs_up_in_a_real_browser_with_the_emailed_code_and_lands_on_the_relying_app() {
    let (app, smtp) = app_with_mail().await;
    let rp = register_test_app(&app, "optional").await;
    let browser = Browser::start().await;
    browser
        .goto(&format!(
            "{}&view_type=register",
            authorization_url(&app, &rp, "browser-register")
        ))
        .await;
    browser.wait_for_path(&app, "/register").await;
    assert_eq!(
        browser.client.title().await.unwrap(),
        "Create an account for Browser Test App"
    );
    assert_eq!(browser.text("h1").await, "Create an account");
    assert_eq!(
        labelled_inputs(&browser, "form[action='/register']").await,
        [
            ("name".to_string(), "Name".to_string()),
            ("email".to_string(), "Email".to_string()),
            ("password".to_string(), "Password".to_string()),
        ]
    );
    browser.type_into("#name", "Nia Newcomer").await;
    browser.type_into("#email", "nia@example.com").await;
    browser.type_into("#password", "iloveyou1").await;
    browser.screenshot("register.png").await;
    browser
        .click("form[action='/register'] button[type=submit]")
        .await;

    // a common password is refused next to the field; name and email stay filled in
    let error = browser.find("#password-error").await;
    assert!(error.is_displayed().await.unwrap());
    assert!(error.text().await.unwrap().contains("too common"));
    assert_eq!(
        browser.prop("#name", "value").await.as_deref(),
        Some("Nia Newcomer")
    );
    assert_eq!(
        browser.prop("#email", "value").await.as_deref(),
        Some("nia@example.com")
    );
    browser.screenshot("register-error.png").await;

    browser.type_into("#password", NEW_PASSWORD).await;
    browser
        .click("form[action='/register'] button[type=submit]")
        .await;
    browser.wait_for_path(&app, "/register/confirm").await;
    assert_eq!(browser.text("h1").await, "Check your email");
    assert!(browser.text(".lead").await.contains("n***@example.com"));
    let code_input = browser.find("#code").await;
    assert_eq!(
        code_input.attr("autocomplete").await.unwrap().as_deref(),
        Some("one-time-code")
    );
    assert_eq!(
        code_input.attr("inputmode").await.unwrap().as_deref(),
        Some("numeric")
    );
    browser.screenshot("register-confirm.png").await;

    let code = smtp.wait_for_next("nia@example.com").await.code();
    browser.type_into("#code", &code).await;
    browser
        .click("form[action='/register/confirm'] button[type=submit]")
        .await;
    let pairs = browser.wait_for_callback(&rp).await;
    assert_eq!(param(&pairs, "state").as_deref(), Some("browser-register"));
    let tokens: Value = app
        .redeem(&rp, &param(&pairs, "code").unwrap())
        .await
        .json()
        .await
        .unwrap();
    let claims = decode_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["email"], json!("nia@example.com"));
    assert_eq!(claims["email_verified"], json!(true));
    browser.close().await;
}
