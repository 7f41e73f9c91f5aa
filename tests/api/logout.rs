//! RP-initiated logout (`/session/end_session`) as an `openidconnect` relying party does it.

use openidconnect::{CsrfToken, LogoutRequest, PostLogoutRedirectUrl, TokenResponse};

use crate::helpers::*;
use crate::relying_party::RelyingParty;

const SIGNED_OUT: &str = "http://localhost:9999/signed-out";

/// Code-flow parameters for a new authorization request of `rp` from the same browser.
fn authorize_params(rp: &Rp) -> Vec<(&str, &str)> {
    vec![
        ("client_id", rp.client_id.as_str()),
        ("redirect_uri", rp.redirect_uri.as_str()),
        ("response_type", "code"),
        ("scope", "openid"),
        ("state", "again"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

#[tokio::test]
async fn a_logout_with_an_id_token_hint_ends_the_session_and_returns_to_the_registered_uri() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app
        .create_client(ClientSpec {
            post_logout_redirect_uris: vec![SIGNED_OUT],
            ..ClientSpec::default()
        })
        .await;
    let oidc = RelyingParty::discover(&app, &rp).await;
    let end_session = oidc
        .end_session
        .clone()
        .expect("discovery advertises end_session_endpoint");
    assert_eq!(end_session.as_str(), app.url("/session/end_session"));
    let browser = app.browser();
    let (tokens, _) = oidc.sign_in(&app, &browser, "ada@example.com").await;

    // the session is live: a new request is answered without the login page
    let before = location(&app.authorize(&browser, &authorize_params(&rp)).await);
    assert!(before.starts_with(REDIRECT_URI), "{before}");

    let logout_url = LogoutRequest::from(end_session)
        .set_id_token_hint(tokens.id_token().expect("an ID token"))
        .set_post_logout_redirect_uri(PostLogoutRedirectUrl::new(SIGNED_OUT.into()).unwrap())
        .set_state(CsrfToken::new("bye-1".into()))
        .http_get_url();
    let response = browser.get(logout_url.as_str()).send().await.unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(location(&response), format!("{SIGNED_OUT}?state=bye-1"));

    // the session is gone: the same browser must sign in again …
    let after = location(&app.authorize(&browser, &authorize_params(&rp)).await);
    assert!(
        after.starts_with("/login?requestId="),
        "expected the login page after logout, got {after}"
    );
    // … and prompt=none is answered with login_required
    let mut silent = authorize_params(&rp);
    silent.push(("prompt", "none"));
    let back = location(&app.authorize(&browser, &silent).await);
    assert_eq!(
        param(&query_pairs(&back), "error").as_deref(),
        Some("login_required"),
        "{back}"
    );
}

#[tokio::test]
async fn an_unregistered_post_logout_redirect_uri_gets_an_error_page_and_keeps_the_session() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app
        .create_client(ClientSpec {
            post_logout_redirect_uris: vec![SIGNED_OUT],
            ..ClientSpec::default()
        })
        .await;
    let oidc = RelyingParty::discover(&app, &rp).await;
    let browser = app.browser();
    let (tokens, _) = oidc.sign_in(&app, &browser, "ada@example.com").await;

    for target in [
        "https://evil.example/signed-out",
        "http://localhost:9999/signed-out/",
        REDIRECT_URI, // a login redirect URI is not a logout target
    ] {
        let logout_url = LogoutRequest::from(oidc.end_session.clone().unwrap())
            .set_id_token_hint(tokens.id_token().unwrap())
            .set_post_logout_redirect_uri(PostLogoutRedirectUrl::new(target.into()).unwrap())
            .set_state(CsrfToken::new("bye-2".into()))
            .http_get_url();
        let response = browser.get(logout_url.as_str()).send().await.unwrap();
        assert_eq!(response.status(), 400, "{target}");
        assert!(
            response.headers().get("location").is_none(),
            "never a redirect to {target}"
        );
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = response.text().await.unwrap();
        assert!(
            html.contains("post_logout_redirect_uri is not registered"),
            "{html}"
        );
        assert!(!html.contains(target), "the page does not link to {target}");
    }

    // nobody was signed out by the refused requests
    let back = location(&app.authorize(&browser, &authorize_params(&rp)).await);
    assert!(
        back.starts_with(REDIRECT_URI),
        "the session survives: {back}"
    );
    assert!(param(&query_pairs(&back), "code").is_some());
}
