//! Passkeys in headless Chromium with its virtual authenticator (CDP `WebAuthn.enable` and
//! `WebAuthn.addVirtualAuthenticator` through chromedriver): the real ceremonies run by the real
//! page script. Registered on `/account/passkeys`, used to sign in without an email, used as the
//! second factor on `/mfa`; a copied key (the stored counter ahead of the key's) and a removed
//! passkey are refused. WebAuthn needs a domain, so the app's public URL is
//! `http://localhost:<port>` here.

use serde_json::{Value, json};

use crate::chromium::{Browser, fill_in_and_submit, register_test_app};
use crate::helpers::*;
use crate::mfa::id_token_claims;

const EMAIL: &str = "ada@example.com";

/// An app whose public URL is `http://localhost:<port>` (it listens on 127.0.0.1:<port>).
async fn localhost_app() -> TestApp {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    TestApp::spawn_with(move |c| {
        c.listen = format!("127.0.0.1:{port}");
        c.public_url = Some(format!("http://localhost:{port}"));
    })
    .await
}

/// Chromium with a virtual platform authenticator that verifies the user (like a laptop's
/// fingerprint reader) and keeps discoverable credentials.
async fn browser_with_authenticator() -> (Browser, String) {
    let browser = Browser::start().await;
    browser.goto("about:blank").await;
    browser
        .cdp("WebAuthn.enable", json!({"enableUI": false}))
        .await;
    let added = browser
        .cdp(
            "WebAuthn.addVirtualAuthenticator",
            json!({"options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": true,
                "hasUserVerification": true,
                "isUserVerified": true,
                "automaticPresenceSimulation": true,
            }}),
        )
        .await;
    let id = added["authenticatorId"].as_str().unwrap().to_owned();
    (browser, id)
}

async fn wait_for(browser: &Browser, app: &TestApp, path: &str) -> url::Url {
    let prefix = format!("{}{path}", app.base);
    browser
        .wait_for_url(path, |u| u.as_str().starts_with(&prefix))
        .await
}

/// The authorization URL with `prompt=login`, on the public URL.
fn sign_in_url(app: &TestApp, rp: &Rp) -> String {
    url::Url::parse_with_params(
        &format!("{}/authz-srv/authz", app.base),
        [
            ("client_id", rp.client_id.as_str()),
            ("redirect_uri", rp.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", "openid email"),
            ("state", "s"),
            ("nonce", "browser-nonce"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("prompt", "login"),
        ],
    )
    .unwrap()
    .to_string()
}

async fn callback_amr(app: &TestApp, rp: &Rp, browser: &Browser) -> Value {
    let pairs = browser.wait_for_callback(rp).await;
    let back = format!(
        "{}?{}",
        rp.redirect_uri,
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    );
    id_token_claims(app, rp, &back).await["amr"].clone()
}

/// Signs in to /account with the password and adds a passkey named `name`.
async fn add_passkey_on_the_account_page(app: &TestApp, browser: &Browser, name: &str) {
    browser.goto(&format!("{}/account", app.base)).await;
    wait_for(browser, app, "/login").await;
    fill_in_and_submit(browser, EMAIL, PASSWORD).await;
    wait_for(browser, app, "/account").await;
    browser.click("#manage-passkeys").await;
    wait_for(browser, app, "/account/passkeys").await;
    assert_eq!(
        browser.text("#no-passkeys").await,
        "You have no passkeys yet."
    );
    browser.type_into("#passkey_name", name).await;
    browser.click("#passkey-button").await;
    browser
        .wait_for_url("the passkey added", |u| {
            u.query().unwrap_or("").contains("notice=added")
        })
        .await;
    assert!(browser.text("#passkeys").await.contains(name));
}

#[tokio::test]
async fn a_passkey_added_on_the_account_page_signs_in_without_an_email_and_a_copy_is_refused() {
    let app = localhost_app().await;
    let sub = app.create_user(EMAIL).await;
    let rp = register_test_app(&app, "always").await;
    let (browser, _) = browser_with_authenticator().await;
    add_passkey_on_the_account_page(&app, &browser, "Laptop").await;
    browser.screenshot("passkeys-account.png").await;

    browser.goto(&sign_in_url(&app, &rp)).await;
    wait_for(&browser, &app, "/login").await;
    browser.click("#passkey-sign-in").await;
    wait_for(&browser, &app, "/login/passkey").await;
    browser.screenshot("passkeys-sign-in.png").await;
    browser.click("#passkey-button").await;
    // --mfa always, and one passkey with user verification is enough
    assert_eq!(
        callback_amr(&app, &rp, &browser).await,
        json!(["hwk", "user", "mfa"])
    );

    // A copy of the key: the stored counter is ahead of what the key reports.
    let stored = gatehouse::flows::passkeys::list(&app.state, &sub)
        .await
        .unwrap();
    assert!(stored[0].last_used_at.is_some());
    let id = stored[0].id.clone();
    app.state
        .store
        .run(move |c| gatehouse::store::passkeys::set_counter(c, &id, 1_000_000))
        .await
        .unwrap();
    browser.goto(&sign_in_url(&app, &rp)).await;
    wait_for(&browser, &app, "/login").await;
    browser.click("#passkey-sign-in").await;
    wait_for(&browser, &app, "/login/passkey").await;
    browser.click("#passkey-button").await;
    let error = browser.text("#passkey-error").await;
    assert!(error.contains("signature counter went back"), "{error}");
    browser.close().await;
}

#[tokio::test]
async fn a_passkey_is_the_second_factor_on_mfa_and_a_removed_one_is_refused() {
    let app = localhost_app().await;
    app.create_user(EMAIL).await;
    let rp = register_test_app(&app, "optional").await;
    let (browser, _) = browser_with_authenticator().await;
    add_passkey_on_the_account_page(&app, &browser, "Phone").await;

    browser.goto(&sign_in_url(&app, &rp)).await;
    wait_for(&browser, &app, "/login").await;
    fill_in_and_submit(&browser, EMAIL, PASSWORD).await;
    wait_for(&browser, &app, "/mfa/passkey").await;
    browser.screenshot("passkeys-mfa.png").await;
    browser.click("#passkey-button").await;
    assert_eq!(
        callback_amr(&app, &rp, &browser).await,
        json!(["pwd", "hwk", "user", "mfa"])
    );

    // Removed on the account page (this sign-in is fresh and has two factors)
    browser
        .goto(&format!("{}/account/passkeys", app.base))
        .await;
    wait_for(&browser, &app, "/account/passkeys").await;
    browser
        .click("#passkeys button[aria-label='Remove Phone']")
        .await;
    browser
        .wait_for_url("the passkey removed", |u| {
            u.query().unwrap_or("").contains("notice=removed")
        })
        .await;
    // the authenticator still holds it; the server no longer takes it
    browser.goto(&sign_in_url(&app, &rp)).await;
    wait_for(&browser, &app, "/login").await;
    browser.click("#passkey-sign-in").await;
    wait_for(&browser, &app, "/login/passkey").await;
    browser.click("#passkey-button").await;
    let error = browser.text("#passkey-error").await;
    assert!(error.contains("not accepted"), "{error}");
    browser.close().await;
}
