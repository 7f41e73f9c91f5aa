//! A branded application in a real browser: an administrator uploads an SVG logo and sets the
//! accent colour, name and policy links on the application's admin page; the sign-in page then
//! shows the logo (drawn, despite the strict CSP), the name, the accent on the button and the
//! links, in English and German, and the user signs in as usual. Screenshots:
//! `docs/screenshots/login-branded.png`, `login-branded-de.png` and `admin-app-branding.png`.
//! [`branded_test_app`] also gives the axe-core test (`accessibility.rs`) a branded application.

use gatehouse::domain::branding::{BrandingChange, LogoChange, Rgb, check_logo};

use crate::chromium::*;
use crate::helpers::*;

const ADMIN: &str = "root@example.com";
const ADA: &str = "ada@example.com";
/// The accent: rgb(11, 61, 145), AA on the page and under white button text.
const ACCENT: &str = "#0b3d91";

/// A logo as a designer would export it: a mark and the name, drawing only.
pub const LOGO_SVG: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 220 48" width="220" height="48">
  <title>Acme Shop</title>
  <defs><linearGradient id="mark" x1="0" y1="0" x2="1" y2="1">
    <stop offset="0" stop-color="#0b3d91"/><stop offset="1" stop-color="#1f7a8c"/>
  </linearGradient></defs>
  <rect x="2" y="4" width="40" height="40" rx="10" fill="url(#mark)"/>
  <path d="M12 34 L22 12 L32 34 M16 26 H28" stroke="#fff" stroke-width="4" fill="none" stroke-linecap="round"/>
  <text x="54" y="33" font-family="sans-serif" font-size="24" font-weight="700" fill="#0b3d91">Acme Shop</text>
</svg>
"##;

/// A relying app "Acme Shop Test App" with full branding (stored directly), for the axe test.
pub async fn branded_test_app(app: &TestApp) -> Rp {
    let callback = start_test_app().await;
    let callback: &'static str = Box::leak(callback.into_boxed_str());
    let rp = app
        .create_client(ClientSpec {
            name: "Acme Shop Test App",
            redirect_uris: vec![callback],
            public: true,
            ..ClientSpec::default()
        })
        .await;
    let change = BrandingChange {
        display_name: Some("Acme Shop".into()),
        accent: Some(Rgb::parse(ACCENT).unwrap()),
        privacy_url: Some("https://shop.example/privacy".into()),
        terms_url: Some("https://shop.example/terms".into()),
        logo: LogoChange::Replace(check_logo(LOGO_SVG.as_bytes()).unwrap()),
    };
    gatehouse::flows::branding::save(&app.state, &rp.client_id, change)
        .await
        .unwrap();
    rp
}

#[tokio::test]
async fn an_admin_brands_an_application_in_the_browser_and_its_users_sign_in_on_the_branded_page() {
    let app = TestApp::spawn().await;
    app.create_admin(ADMIN).await;
    app.create_user(ADA).await;
    let rp = register_test_app(&app, "optional").await;
    let browser = Browser::start().await;

    // The administrator fills in the Branding section and uploads the logo file.
    browser
        .goto(&app.url(&format!("/admin/apps/{}", rp.client_id)))
        .await;
    browser.wait_for_path(&app, "/login").await;
    fill_in_and_submit(&browser, ADMIN, PASSWORD).await;
    browser
        .wait_for_path(&app, &format!("/admin/apps/{}", rp.client_id))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let logo_file = dir.path().join("acme-shop.svg");
    std::fs::write(&logo_file, LOGO_SVG).unwrap();
    browser.type_into("#display_name", "Acme Shop").await;
    browser.type_into("#accent", ACCENT).await;
    browser
        .type_into("#privacy_url", "https://shop.example/privacy")
        .await;
    browser
        .type_into("#terms_url", "https://shop.example/terms")
        .await;
    browser
        .find("#logo")
        .await
        .send_keys(&logo_file.display().to_string())
        .await
        .unwrap();
    browser.click("#save-branding").await;
    browser
        .wait_for_url("the saved branding", |u| {
            u.query().is_some_and(|q| q.contains("notice=branding"))
        })
        .await;
    assert_eq!(
        browser.text("#branding-saved").await,
        "The branding was saved."
    );
    assert!(browser.attr("#current-logo", "src").await.is_some());
    browser.screenshot("admin-app-branding.png").await;

    // A user of the application sees its branding on the sign-in page.
    browser.client.delete_all_cookies().await.unwrap();
    browser
        .goto(&authorization_url(&app, &rp, "branded-state"))
        .await;
    browser.wait_for_path(&app, "/login").await;
    assert_eq!(
        browser.attr("#brand-logo", "alt").await.as_deref(),
        Some("Acme Shop")
    );
    // The logo was served and drawn: an SVG under the page's CSP, by its content-hashed URL.
    let drawn = browser
        .client
        .execute(
            "const img = document.getElementById('brand-logo');
             return img.complete && img.naturalWidth > 0;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(drawn, serde_json::Value::Bool(true), "the logo is drawn");
    assert!(browser.text(".lead").await.contains("Acme Shop"));
    assert_eq!(
        browser.client.title().await.unwrap(),
        "Sign in to Acme Shop"
    );
    let colours = browser
        .client
        .execute(
            "const b = getComputedStyle(document.querySelector('form button[type=submit]'));
             const a = getComputedStyle(document.getElementById('forgot-password'));
             return [b.backgroundColor, b.color, a.color];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        colours,
        serde_json::json!(["rgb(11, 61, 145)", "rgb(255, 255, 255)", "rgb(11, 61, 145)"]),
        "the accent colours the button and the links"
    );
    assert_eq!(
        browser.attr("#privacy-link", "href").await.as_deref(),
        Some("https://shop.example/privacy")
    );
    assert_eq!(browser.text("#terms-link").await, "Terms");
    browser.screenshot("login-branded.png").await;

    // The same branded page in German: the brand stays, the words change.
    browser.choose("#language-select", "de").await;
    browser.click(".language-switch button[type=submit]").await;
    let started = std::time::Instant::now();
    while browser.attr("html", "lang").await.as_deref() != Some("de") {
        assert!(
            started.elapsed().as_secs() < 10,
            "the page never turned German"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        browser.client.title().await.unwrap(),
        "Bei Acme Shop anmelden"
    );
    assert_eq!(
        browser.attr("#brand-logo", "alt").await.as_deref(),
        Some("Acme Shop")
    );
    assert_eq!(browser.text("#privacy-link").await, "Datenschutzerklärung");
    assert_eq!(browser.text("#terms-link").await, "Nutzungsbedingungen");
    browser.screenshot("login-branded-de.png").await;

    // Signing in works as on any page.
    fill_in_and_submit(&browser, ADA, PASSWORD).await;
    let params = browser.wait_for_callback(&rp).await;
    assert!(param(&params, "code").is_some(), "{params:?}");
    browser.close().await;
}
