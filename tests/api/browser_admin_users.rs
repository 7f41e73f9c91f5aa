//! The admin's user pages in a real browser (headless Chromium, see `chromium.rs`): a user's
//! authenticator app is locked by five wrong codes; the administrator signs in, finds the user
//! by search, sees "Locked until …", unlocks it, and the user's right code works again.
//!
//! The lockouts page lists the lock first. Screenshots of it, the user list and the user's page
//! are written to `docs/screenshots/` when asked for.

use crate::admin_users::{lock_totp, seed_user, totp_code_works};
use crate::browser_register::labelled_inputs;
use crate::chromium::*;
use crate::helpers::*;

const ADMIN: &str = "root@example.com";
const ADA: &str = "ada@example.com";

#[tokio::test]
async fn an_admin_finds_a_locked_user_by_search_and_unlocks_their_authenticator_in_a_real_browser()
{
    let app = TestApp::spawn().await;
    app.create_admin(ADMIN).await;
    let ada = app.create_user(ADA).await;
    for (email, name) in [
        ("adam@example.org", "Adam Smith"),
        ("adelaide@example.net", "Adelaide Kemble"),
        ("grace@example.com", "Grace Hopper"),
    ] {
        seed_user(&app, email, name).await;
    }
    let phone = app
        .enroll_totp(&app.signed_in_browser(ADA).await, "Pixel 8")
        .await;
    lock_totp(&app, ADA).await;

    let browser = Browser::start().await;
    browser.goto(&app.url("/admin")).await;
    browser.wait_for_path(&app, "/login").await;
    fill_in_and_submit(&browser, ADMIN, PASSWORD).await;
    browser.wait_for_path(&app, "/admin").await;
    browser.click("nav a[href='/admin/lockouts']").await;
    browser.wait_for_path(&app, "/admin/lockouts").await;
    assert_eq!(browser.text("#summary").await, "1 lock in force");
    let lockouts = browser.text("#lockouts tbody").await;
    assert!(lockouts.contains(ADA), "{lockouts}");
    assert!(
        lockouts.contains("Authenticator app “Pixel 8”"),
        "{lockouts}"
    );
    browser.screenshot("admin-lockouts.png").await;
    browser.click("nav a[href='/admin/users']").await;
    browser.wait_for_path(&app, "/admin/users").await;
    assert_eq!(browser.text("h1").await, "Users");
    assert_eq!(
        labelled_inputs(&browser, "form[action='/admin/users']").await,
        [
            ("q".to_string(), "Search by email or name".to_string()),
            ("only-locked".to_string(), "Only locked".to_string()),
            ("only-disabled".to_string(), "Only disabled".to_string()),
        ]
    );

    browser.type_into("#q", "ad").await;
    browser.click("#search").await;
    browser
        .wait_for_url("the search results", |u| {
            u.path() == "/admin/users" && u.query().is_some_and(|q| q.contains("q=ad"))
        })
        .await;
    assert_eq!(browser.text("#user-count").await, "3 users");
    browser.screenshot("admin-users.png").await;
    browser.click(&format!("#user-{ada} a")).await;

    browser
        .wait_for_path(&app, &format!("/admin/users/{ada}"))
        .await;
    assert_eq!(browser.text("#user-email").await, ADA);
    let row = format!("#authenticator-{}", phone.authenticator_id);
    let status = browser.text(&format!("{row} .status")).await;
    assert!(status.starts_with("Locked until 20"), "{status}");
    assert_eq!(browser.text(&format!("{row} .failures")).await, "5");
    browser.screenshot("admin-user.png").await;
    browser.click(&format!("{row} button.unlock")).await;

    browser
        .wait_for_url("the user's page with its notice", |u| {
            u.query() == Some("notice=unlocked")
        })
        .await;
    assert_eq!(browser.text("#notice").await, "Authenticator unlocked.");
    assert_eq!(browser.text(&format!("{row} .status")).await, "Active");
    assert_eq!(browser.text(&format!("{row} .failures")).await, "0");
    browser.close().await;

    assert!(totp_code_works(&app, ADA, &phone.code(&app, 0)).await);
}
