//! Passkeys on the hosted pages over HTTP, with the software authenticator standing in for the
//! browser's `navigator.credentials` (the page's script only moves JSON; the browser tests run
//! the real one): register, rename and remove on `/account/passkeys` (fresh sign-in, CSRF),
//! "Sign in with a passkey" with no email, a passkey as the second factor on `/mfa`, and the
//! refusals a removed passkey and a copied one (counter gone back) get.

use gatehouse::flows::passkeys;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::mfa::id_token_claims;
use crate::passkey_authenticator::SoftKey;
use crate::passkeys::{register, soft_key};

const EMAIL: &str = "ada@example.com";

/// The WebAuthn options a passkey page carries for its script.
fn options_of(html: &str) -> Value {
    let start = html.find("data-options=\"").expect("a passkey form") + "data-options=\"".len();
    let raw = html[start..].split('"').next().unwrap();
    let json = raw
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    serde_json::from_str(&json).expect("options JSON")
}

/// Opens a passkey page and answers it with `key`, as passkey.js would; returns the response.
async fn use_passkey_page(
    app: &TestApp,
    browser: &reqwest::Client,
    page: &str,
    key: &mut SoftKey,
    extra: &[(&str, String)],
) -> reqwest::Response {
    let html = get_text(browser, app.url(page)).await;
    let options = options_of(&html);
    let credential = if options["publicKey"]["rp"].is_object() {
        key.register(&options)
    } else {
        key.assert(&options)
    };
    let mut form = vec![
        ("csrf_token", hidden_field(&html, "csrf_token")),
        ("ceremony_id", hidden_field(&html, "ceremony_id")),
        ("credential", credential.to_string()),
    ];
    for name in ["requestId", "track_id"] {
        if html.contains(&format!("name=\"{name}\" value=\"")) {
            form.push((name, hidden_field(&html, name)));
        }
    }
    form.extend(extra.iter().cloned());
    let action = if page.starts_with("/account") {
        "/account/passkeys".to_owned()
    } else {
        page.split('?').next().unwrap().to_owned()
    };
    browser
        .post(app.url(&action))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_passkey_added_on_the_account_page_signs_in_without_an_email() {
    let app = TestApp::spawn().await;
    app.create_user(EMAIL).await;
    let account = app.signed_in_browser(EMAIL).await;
    let page = get_text(&account, app.url("/account")).await;
    assert!(page.contains("href=\"/account/passkeys\""));
    let html = get_text(&account, app.url("/account/passkeys")).await;
    assert!(html.contains("You have no passkeys yet."));
    assert!(
        html.contains("Passkeys need JavaScript"),
        "said plainly without a script"
    );
    assert!(html.contains("<script src=\"/static/js/passkey.js\""));

    let mut key = soft_key(&app).await;
    let added = use_passkey_page(
        &app,
        &account,
        "/account/passkeys",
        &mut key,
        &[("name", "Laptop".into())],
    )
    .await;
    assert_eq!(added.status(), 303);
    let html = get_text(&account, app.url("/account/passkeys?notice=added")).await;
    assert!(html.contains("<strong>Laptop</strong>"), "{html}");
    assert!(html.contains("The passkey was added."));

    // Sign in with it: no email, no password
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let login = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
    assert!(login.contains("Sign in with a passkey"));
    let back = use_passkey_page(
        &app,
        &browser,
        &format!("/login/passkey?requestId={request_id}"),
        &mut key,
        &[],
    )
    .await;
    let back = location(&back);
    assert!(back.starts_with(&rp.redirect_uri), "{back}");
    let claims = id_token_claims(&app, &rp, &back).await;
    assert_eq!(claims["amr"], json!(["hwk", "user", "mfa"]));
}

#[tokio::test]
async fn a_passkey_is_the_second_factor_after_a_password_on_mfa() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(EMAIL).await;
    let mut key = soft_key(&app).await;
    register(&app, &sub, &mut key).await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let login = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
    let csrf = hidden_field(&login, "csrf_token");
    let mfa = location(
        &app.submit_login(&browser, &request_id, &csrf, EMAIL, PASSWORD)
            .await,
    );
    assert!(
        mfa.starts_with("/mfa?"),
        "a passkey is a second factor: {mfa}"
    );
    let to_passkey = browser.get(app.url(&mfa)).send().await.unwrap();
    let page = location(&to_passkey);
    assert!(page.starts_with("/mfa/passkey?"), "{page}");
    let back = location(&use_passkey_page(&app, &browser, &page, &mut key, &[]).await);
    assert!(back.starts_with(&rp.redirect_uri), "{back}");
    let claims = id_token_claims(&app, &rp, &back).await;
    assert_eq!(claims["amr"], json!(["pwd", "hwk", "user", "mfa"]));
}

#[tokio::test]
async fn renaming_and_removing_a_passkey_need_a_good_name_and_a_csrf_token_and_removed_is_refused()
{
    let app = TestApp::spawn().await;
    let sub = app.create_user(EMAIL).await;
    // signed in with the password before the passkey existed (a second factor after it)
    let account = app.signed_in_browser(EMAIL).await;
    let mut key = soft_key(&app).await;
    let stored = register(&app, &sub, &mut key).await;
    let html = get_text(&account, app.url("/account/passkeys")).await;
    let csrf = hidden_field(&html, "csrf_token");
    let rename = |name: &'static str, csrf: String| {
        let url = app.url(&format!("/account/passkeys/{}/rename", stored.id));
        let account = account.clone();
        async move {
            account
                .post(url)
                .form(&[("csrf_token", csrf), ("name", name.into())])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(rename("   ", csrf.clone()).await, 422);
    assert_eq!(rename("Phone", "forged".into()).await, 403);
    assert_eq!(rename("Phone", csrf.clone()).await, 303);
    assert_eq!(
        passkeys::list(&app.state, &sub).await.unwrap()[0].name,
        "Phone"
    );

    // another user cannot remove it
    app.create_user("eve@example.com").await;
    let eve = app.signed_in_browser("eve@example.com").await;
    let eve_csrf = hidden_field(
        &get_text(&eve, app.url("/account/passkeys")).await,
        "csrf_token",
    );
    let url = app.url(&format!("/account/passkeys/{}/remove", stored.id));
    let status = eve
        .post(&url)
        .form(&[("csrf_token", eve_csrf)])
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 404);

    let removed = account
        .post(&url)
        .form(&[("csrf_token", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 303);
    assert!(passkeys::list(&app.state, &sub).await.unwrap().is_empty());

    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let page = format!("/login/passkey?requestId={request_id}");
    let refused = use_passkey_page(&app, &browser, &page, &mut key, &[]).await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("That passkey was not accepted.")
    );
}

#[tokio::test]
async fn a_copied_passkey_whose_counter_went_back_is_refused_on_the_login_page() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(EMAIL).await;
    let mut key = soft_key(&app).await;
    let stored = register(&app, &sub, &mut key).await;
    let id = stored.id.clone();
    app.state
        .store
        .run(move |c| gatehouse::store::passkeys::set_counter(c, &id, 100))
        .await
        .unwrap();
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let page = format!("/login/passkey?requestId={request_id}");
    let refused = use_passkey_page(&app, &browser, &page, &mut key, &[]).await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("signature counter went back")
    );
}
