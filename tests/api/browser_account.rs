//! The account page in headless Chromium on a phone-sized window: it fits without sideways
//! scrolling, a refused password shows its error next to the field (linked for screen readers,
//! focused), and the forms work by keyboard without JavaScript.

use crate::chromium::*;
use crate::helpers::*;
use crate::http_recorder::HttpRecorder;

const EMAIL: &str = "ada@example.com";

/// Whether the page is wider than the window (it would scroll sideways).
async fn overflows(browser: &Browser) -> bool {
    browser
        .client
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await
        .expect("script")
        .as_bool()
        .expect("a boolean")
}

async fn focused_id(browser: &Browser) -> String {
    browser
        .client
        .execute("return document.activeElement.id;", vec![])
        .await
        .expect("script")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_account_page_fits_a_phone_and_shows_errors_next_to_their_fields() {
    let sms = HttpRecorder::start().await;
    let url = sms.url("/sms");
    let app = TestApp::spawn_with(move |c| {
        c.sms_provider = "webhook".into();
        c.sms_url = Some(url);
    })
    .await;
    app.create_user(EMAIL).await;
    let browser = Browser::start().await;
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("a phone-sized window");

    browser.goto(&app.url("/account")).await;
    browser.wait_for_path(&app, "/login").await;
    fill_in_and_submit(&browser, EMAIL, PASSWORD).await;
    browser.wait_for_path(&app, "/account").await;
    assert_eq!(browser.text("#account-email").await, EMAIL);
    assert!(
        !overflows(&browser).await,
        "no sideways scrolling on a phone"
    );

    // a wrong current password: the error sits under the field, which gets the focus
    browser
        .type_into("#current_password", "not my password")
        .await;
    browser
        .type_into("#new_password", "purple monkey dishwasher")
        .await;
    browser.click("#change-password").await;
    let error = browser.find("#current-password-error").await;
    assert!(error.is_displayed().await.unwrap());
    assert_eq!(
        error.text().await.unwrap(),
        "This is not your current password."
    );
    assert_eq!(
        browser
            .attr("#current_password", "aria-describedby")
            .await
            .as_deref(),
        Some("current-password-error")
    );
    assert_eq!(focused_id(&browser).await, "current_password");
    assert!(!overflows(&browser).await);

    browser.type_into("#current_password", PASSWORD).await;
    browser
        .type_into("#new_password", "purple monkey dishwasher")
        .await;
    browser.click("#change-password").await;
    browser
        .wait_for_url("the notice", |u| {
            u.query() == Some("notice=password_changed")
        })
        .await;
    assert_eq!(
        browser.text("[role=status]").await,
        "Your password was changed. Your other sessions were signed out."
    );

    browser.type_into("#name", "Ada Lovelace").await;
    browser.click("#save-name").await;
    browser
        .wait_for_url("the notice", |u| u.query() == Some("notice=name_changed"))
        .await;
    assert!(browser.text(".lead").await.contains("(Ada Lovelace)"));
    assert!(browser.text("#session-list").await.contains("This browser"));
    assert!(browser.text("#activity-list").await.contains("Signed in"));
    assert!(
        !overflows(&browser).await,
        "tables fit or scroll inside the page"
    );
    browser.close().await;
}
