//! Branding per application (issue 16): an administrator sets a logo, accent colour, display
//! name and policy links on the application's page (a real multipart upload); its sign-in pages
//! and mailed codes show them; the logo and stylesheet are served by content hash with a long
//! cache; bad logos and low-contrast colours are refused with a clear message and nothing stored.

use gatehouse::store;
use reqwest::multipart::{Form, Part};

use crate::account::account_browser;
use crate::code_pages::press;
use crate::helpers::*;
use crate::smtp_server::SmtpServer;

const ADMIN: &str = "root@example.com";
const ADA: &str = "ada@example.com";
const ACCENT: &str = "#0b3d91";
const PRIVACY: &str = "https://shop.example/privacy";
const TERMS: &str = "https://shop.example/terms";

/// A real PNG of `width`×`height` pixels.
pub fn png_logo(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        let pixels: Vec<u8> = (0..width * height)
            .flat_map(|i| [0x0b, 0x3d, (i % 256) as u8])
            .collect();
        writer.write_image_data(&pixels).unwrap();
    }
    out
}

fn hex_sha256(bytes: &[u8]) -> String {
    gatehouse::domain::branding::logo::sha256_hex(bytes)
}

/// An administrator's browser, and an application to brand.
async fn admin_and_app(app: &TestApp) -> (reqwest::Client, Rp) {
    app.create_admin(ADMIN).await;
    let (browser, _) = account_browser(app, ADMIN).await;
    (browser, app.confidential_client().await)
}

/// The CSRF token of the admin's browser, from the application's page.
async fn csrf(app: &TestApp, admin: &reqwest::Client, client_id: &str) -> String {
    let page = get_text(admin, app.url(&format!("/admin/apps/{client_id}"))).await;
    assert!(page.contains("id=\"branding-form\""), "{page}");
    hidden_field(&page, "csrf_token")
}

/// Posts the Branding form as a browser does: multipart/form-data, the file as a file part
/// (an empty one when no file is chosen).
async fn post_branding(
    app: &TestApp,
    admin: &reqwest::Client,
    client_id: &str,
    csrf: Option<&str>,
    fields: &[(&str, &str)],
    logo: Option<(Vec<u8>, &str, &str)>,
) -> reqwest::Response {
    let mut form = Form::new();
    if let Some(csrf) = csrf {
        form = form.text("csrf_token", csrf.to_owned());
    }
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    let (bytes, file_name, mime) = logo.unwrap_or((Vec::new(), "", "application/octet-stream"));
    let part = Part::bytes(bytes)
        .file_name(file_name.to_owned())
        .mime_str(mime)
        .unwrap();
    admin
        .post(app.url(&format!("/admin/apps/{client_id}/branding")))
        .multipart(form.part("logo", part))
        .send()
        .await
        .unwrap()
}

fn full_branding() -> Vec<(&'static str, &'static str)> {
    vec![
        ("display_name", "Acme Shop"),
        ("accent", ACCENT),
        ("privacy_url", PRIVACY),
        ("terms_url", TERMS),
    ]
}

/// Sets the whole branding of `client_id` with `logo` (a PNG), as the admin; returns where the
/// form sends the admin back to.
async fn brand_fully(
    app: &TestApp,
    admin: &reqwest::Client,
    client_id: &str,
    logo: &[u8],
) -> String {
    let token = csrf(app, admin, client_id).await;
    let logo = Some((logo.to_vec(), "acme.png", "image/png"));
    let saved = post_branding(app, admin, client_id, Some(&token), &full_branding(), logo).await;
    assert_eq!(saved.status(), 303, "{}", saved.text().await.unwrap());
    location(&saved)
}

/// The login page of a new sign-in to `rp`.
async fn login_page(app: &TestApp, rp: &Rp) -> String {
    let browser = app.browser();
    let request_id = app.start_login(&browser, rp).await;
    get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await
}

/// The value of `attribute` on the element with id `id` in `html`.
fn attribute(html: &str, id: &str, attribute: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let value = tag.split(&format!(" {attribute}=\"")).nth(1)?;
    Some(
        value
            .split('"')
            .next()?
            .replace("&#x2f;", "/")
            .replace("&#47;", "/"),
    )
}

async fn stored_branding(
    app: &TestApp,
    client_id: &str,
) -> Option<gatehouse::domain::branding::Branding> {
    let id = client_id.to_owned();
    app.state
        .store
        .run(move |c| store::branding::find_branding(c, &id))
        .await
        .unwrap()
}

#[tokio::test]
async fn an_admin_brands_an_application_and_its_login_page_shows_it() {
    let app = TestApp::spawn().await;
    let (admin, rp) = admin_and_app(&app).await;
    let logo = png_logo(120, 40);
    let back = brand_fully(&app, &admin, &rp.client_id, &logo).await;
    assert_eq!(
        back,
        format!("/admin/apps/{}?notice=branding#branding", rp.client_id)
    );
    let page = get_text(&admin, app.url(&back)).await;
    assert!(page.contains("The branding was saved."), "{page}");
    assert!(page.contains("value=\"Acme Shop\""), "{page}");
    assert!(page.contains(&format!("value=\"{ACCENT}\"")), "{page}");

    // The login page: the logo (alt = the name users see), the name, the policy links and the
    // stylesheet with the accent colour.
    let login = login_page(&app, &rp).await;
    let logo_url = attribute(&login, "brand-logo", "src").expect("a logo on the login page");
    assert_eq!(
        logo_url,
        format!("/branding/{}/logo-{}.png", rp.client_id, hex_sha256(&logo))
    );
    assert_eq!(
        attribute(&login, "brand-logo", "alt").as_deref(),
        Some("Acme Shop")
    );
    assert!(
        login.contains("to continue to <strong>Acme Shop</strong>"),
        "{login}"
    );
    assert!(
        !login.contains("Test App"),
        "the display name replaces the registered one"
    );
    assert_eq!(
        attribute(&login, "privacy-link", "href").as_deref(),
        Some(PRIVACY)
    );
    assert_eq!(
        attribute(&login, "terms-link", "href").as_deref(),
        Some(TERMS)
    );
    let style_url = attribute(&login, "brand-style", "href").expect("a stylesheet link");
    assert!(
        style_url.starts_with(&format!("/branding/{}/style-", rp.client_id)),
        "{style_url}"
    );
    assert!(style_url.ends_with(".css"), "{style_url}");

    // The logo is served with its bytes, type and a cache of a year.
    let served = reqwest::get(app.url(&logo_url)).await.unwrap();
    assert_eq!(served.status(), 200);
    let headers = served.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(served.bytes().await.unwrap().to_vec(), logo);

    // The stylesheet carries the accent, also cached for a year.
    let css = reqwest::get(app.url(&style_url)).await.unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(
        css.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        css.text()
            .await
            .unwrap()
            .contains(&format!("--accent: {ACCENT};"))
    );

    // A URL with another hash is not this content: 404.
    for wrong in [
        format!("/branding/{}/logo-{}.png", rp.client_id, "0".repeat(64)),
        format!("/branding/{}/logo-{}.svg", rp.client_id, hex_sha256(&logo)),
        format!("/branding/{}/style-0000000000000000.css", rp.client_id),
        format!("/branding/nobody/logo-{}.png", hex_sha256(&logo)),
        format!("/branding/{}/other.txt", rp.client_id),
    ] {
        let response = reqwest::get(app.url(&wrong)).await.unwrap();
        assert_eq!(response.status(), 404, "{wrong}");
    }

    // Audited, with what changed.
    let events = app
        .state
        .store
        .run(|c| store::audit::list_audit_events(c, None, 100))
        .await
        .unwrap();
    let event = events
        .iter()
        .find(|e| e.action == "admin.client.branding")
        .expect("an audit event");
    assert_eq!(event.client_id.as_deref(), Some(rp.client_id.as_str()));
    assert!(
        event.detail.contains("display_name: none → Acme Shop"),
        "{}",
        event.detail
    );
    assert!(
        event.detail.contains(&format!("accent: none → {ACCENT}")),
        "{}",
        event.detail
    );
    assert!(
        event.detail.contains("logo: none → png "),
        "{}",
        event.detail
    );
}

#[tokio::test]
async fn an_svg_logo_is_served_so_that_it_cannot_run_script_and_is_removed_with_its_app() {
    let app = TestApp::spawn().await;
    let (admin, rp) = admin_and_app(&app).await;
    let token = csrf(&app, &admin, &rp.client_id).await;
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><title>Acme</title><rect width="40" height="10" fill="#0b3d91"/></svg>"##.to_vec();
    let saved = post_branding(
        &app,
        &admin,
        &rp.client_id,
        Some(&token),
        &[("display_name", "Acme")],
        Some((svg.clone(), "acme.svg", "image/svg+xml")),
    )
    .await;
    assert_eq!(saved.status(), 303);
    let login = login_page(&app, &rp).await;
    let logo_url = attribute(&login, "brand-logo", "src").unwrap();
    assert!(logo_url.ends_with(".svg"), "{logo_url}");
    let served = reqwest::get(app.url(&logo_url)).await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/svg+xml");
    assert_eq!(
        served.headers()["content-security-policy"],
        "default-src 'none'; style-src 'unsafe-inline'"
    );
    assert_eq!(served.bytes().await.unwrap().to_vec(), svg);
    // No accent, no links: no stylesheet and no footer links, but the logo.
    assert!(!login.contains("/style-"), "{login}");
    assert!(!login.contains("id=\"privacy-link\""), "{login}");

    // Removing the logo: the page shows the name instead, and the old URL is gone.
    let removed = post_branding(
        &app,
        &admin,
        &rp.client_id,
        Some(&token),
        &[("display_name", "Acme"), ("remove_logo", "1")],
        None,
    )
    .await;
    assert_eq!(removed.status(), 303);
    let login = login_page(&app, &rp).await;
    assert!(attribute(&login, "brand-logo", "src").is_none(), "{login}");
    assert!(login.contains("id=\"brand-name\">Acme</span>"), "{login}");
    let gone = reqwest::get(app.url(&logo_url)).await.unwrap();
    assert_eq!(gone.status(), 404);

    // Deleting the application deletes its branding with it (database cascade).
    let deleted = admin
        .post(app.url(&format!("/admin/apps/{}/delete", rp.client_id)))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 303);
    assert_eq!(stored_branding(&app, &rp.client_id).await, None);
}

#[tokio::test]
async fn bad_logos_are_refused_with_a_clear_message_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let (admin, rp) = admin_and_app(&app).await;
    let token = csrf(&app, &admin, &rp.client_id).await;
    let mut too_large = png_logo(64, 64);
    too_large.resize(150 * 1024, 0);
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec();
    let jpeg = vec![
        0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1,
    ];
    let cases: Vec<(Vec<u8>, &str, &str, &str)> = vec![
        (
            too_large,
            "big.png",
            "image/png",
            "The logo is 150 KB; it must be at most 100 KB.",
        ),
        (
            gif,
            "logo.gif",
            "image/gif",
            "Logo must be a PNG or SVG image; this file is a GIF.",
        ),
        (
            jpeg,
            "logo.jpg",
            "image/jpeg",
            "Logo must be a PNG or SVG image; this file is a JPEG.",
        ),
        (
            b"hello, I am a text file".to_vec(),
            // A name and type that lie: the content decides.
            "logo.png",
            "image/png",
            "Logo must be a PNG or SVG image.",
        ),
        (
            br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>"#.to_vec(),
            "evil.svg",
            "image/svg+xml",
            "The SVG logo contains a &lt;script&gt; element; a logo must not run scripts.",
        ),
        (
            br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>"#.to_vec(),
            "evil.svg",
            "image/svg+xml",
            "The SVG logo has an event handler (onload=",
        ),
    ];
    for (bytes, name, mime, message) in cases {
        let refused = post_branding(
            &app,
            &admin,
            &rp.client_id,
            Some(&token),
            &full_branding(),
            Some((bytes, name, mime)),
        )
        .await;
        assert_eq!(refused.status(), 422, "{name}");
        let page = refused.text().await.unwrap();
        let shown = page.replace("&#60;", "&lt;").replace("&#62;", "&gt;");
        assert!(shown.contains(message), "{name}: {message}\n{page}");
        assert!(page.contains("id=\"logo-error\""), "{page}");
        assert!(page.contains("The branding was not saved."), "{page}");
        // What was typed is shown again, so only the file has to be chosen again.
        assert!(page.contains("value=\"Acme Shop\""), "{page}");
        assert_eq!(stored_branding(&app, &rp.client_id).await, None, "{name}");
    }
    // Far over the limit: refused before it is read, with the limit in the message.
    let huge = post_branding(
        &app,
        &admin,
        &rp.client_id,
        Some(&token),
        &full_branding(),
        Some((vec![0; 2 * 1024 * 1024], "huge.png", "image/png")),
    )
    .await;
    assert_eq!(huge.status(), 413);
    let page = huge.text().await.unwrap();
    assert!(page.contains("The logo may be at most 100 KB."), "{page}");
    // Not multipart at all: a clear 415.
    let plain = admin
        .post(app.url(&format!("/admin/apps/{}/branding", rp.client_id)))
        .form(&[("csrf_token", token.as_str()), ("display_name", "Acme")])
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 415);
    let page = plain.text().await.unwrap();
    assert!(
        page.contains("The form must be sent as multipart/form-data"),
        "{page}"
    );
    assert_eq!(stored_branding(&app, &rp.client_id).await, None);
    let login = login_page(&app, &rp).await;
    assert!(!login.contains("/branding/"), "{login}");
}

#[tokio::test]
async fn a_low_contrast_accent_colour_is_refused_with_its_ratio() {
    let app = TestApp::spawn().await;
    let (admin, rp) = admin_and_app(&app).await;
    let token = csrf(&app, &admin, &rp.client_id).await;
    let refused = post_branding(
        &app,
        &admin,
        &rp.client_id,
        Some(&token),
        &[("display_name", "Acme"), ("accent", "#ffcc00")],
        None,
    )
    .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("id=\"accent-error\""), "{page}");
    assert!(
        page.contains("The accent colour #ffcc00 has a contrast ratio of 1.38:1 against the page background (#f3f5f9); WCAG AA needs at least 4.5:1."),
        "{page}"
    );
    assert_eq!(stored_branding(&app, &rp.client_id).await, None);
    // http policy links are refused too (https only, http for localhost).
    let refused = post_branding(
        &app,
        &admin,
        &rp.client_id,
        Some(&token),
        &[("privacy_url", "http://shop.example/privacy")],
        None,
    )
    .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("must use https"));
}

#[tokio::test]
async fn a_branding_form_without_its_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let (admin, rp) = admin_and_app(&app).await;
    let forged = post_branding(
        &app,
        &admin,
        &rp.client_id,
        None,
        &full_branding(),
        Some((png_logo(8, 8), "x.png", "image/png")),
    )
    .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(stored_branding(&app, &rp.client_id).await, None);
    // Somebody who is not signed in: the same refusal, never a redirect into the login.
    let stranger = app.browser();
    let token = csrf(&app, &admin, &rp.client_id).await;
    let refused = post_branding(
        &app,
        &stranger,
        &rp.client_id,
        Some(&token),
        &full_branding(),
        None,
    )
    .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(stored_branding(&app, &rp.client_id).await, None);
}

#[tokio::test]
async fn an_application_without_branding_keeps_the_default_look() {
    let app = TestApp::spawn().await;
    let (admin, rp) = admin_and_app(&app).await;
    let other = app
        .create_client(ClientSpec {
            name: "Other App",
            ..ClientSpec::default()
        })
        .await;
    brand_fully(&app, &admin, &rp.client_id, &png_logo(16, 16)).await;
    let token = csrf(&app, &admin, &rp.client_id).await;
    // Another application's pages keep the default look and their own name.
    let login = login_page(&app, &other).await;
    assert!(
        login.contains("to continue to <strong>Other App</strong>"),
        "{login}"
    );
    assert!(!login.contains("id=\"brand\""), "{login}");
    assert!(!login.contains("/branding/"), "{login}");
    assert!(!login.contains("Acme Shop"), "{login}");
    assert!(login.contains("Secured by Gatehouse"), "{login}");
    // Pages without an application too.
    let forgot = get_text(&app.browser(), app.url("/password/forgot")).await;
    assert!(!forgot.contains("/branding/"), "{forgot}");
    // Saving an empty form brings the default look back.
    let cleared = post_branding(
        &app,
        &admin,
        &rp.client_id,
        Some(&token),
        &[("remove_logo", "1")],
        None,
    )
    .await;
    assert_eq!(cleared.status(), 303);
    let login = login_page(&app, &rp).await;
    assert!(!login.contains("id=\"brand\""), "{login}");
    assert!(
        login.contains("to continue to <strong>Test App</strong>"),
        "{login}"
    );
}

#[tokio::test]
async fn the_mailed_code_names_the_application_and_carries_its_logo() {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |c| c.smtp_url = Some(url)).await;
    app.create_user(ADA).await;
    let (admin, rp) = admin_and_app(&app).await;
    let logo = png_logo(32, 32);
    brand_fully(&app, &admin, &rp.client_id, &logo).await;

    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let methods = app.methods_page(&browser, &request_id, ADA).await;
    assert!(methods.contains("id=\"brand-logo\""), "{methods}");
    let sent = press(&app, &browser, &methods, "method-email").await;
    assert_eq!(sent.status(), 303);
    let code_page = get_text(&browser, app.url(&location(&sent))).await;
    assert!(code_page.contains("id=\"brand-logo\""), "{code_page}");
    let mail = smtp.wait_for_mail(ADA, 1).await.remove(0);
    assert_eq!(mail.subject(), "Your sign-in code for Acme Shop");
    assert!(
        mail.text_body().contains("sign in to Acme Shop"),
        "{}",
        mail.text_body()
    );
    let html = mail.html_body();
    let logo_url = format!(
        "{}/branding/{}/logo-{}.png",
        app.base,
        rp.client_id,
        hex_sha256(&logo)
    );
    assert!(html.contains(&format!("src=\"{logo_url}\"")), "{html}");
    assert!(html.contains("alt=\"Acme Shop\""), "{html}");
}
