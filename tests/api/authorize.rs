//! The authorization endpoint and the hosted password login.

use crate::helpers::*;

#[tokio::test]
async fn a_password_login_redirects_to_the_client_with_code_state_and_iss() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.public_client().await;
    let back = app
        .sign_in(&app.browser(), &rp, "ada@example.com", &[])
        .await;
    assert_eq!(param(&back, "state").as_deref(), Some("state-1"));
    assert_eq!(param(&back, "iss").as_deref(), Some(app.base.as_str()));
    assert!(param(&back, "code").is_some_and(|c| c.len() >= 40));
}

#[tokio::test]
async fn an_unknown_client_or_unregistered_redirect_uri_gets_an_error_page_not_a_redirect() {
    let app = TestApp::spawn().await;
    let rp = app.public_client().await;
    let browser = app.browser();
    for (client_id, redirect_uri) in [
        ("nope", REDIRECT_URI),
        (rp.client_id.as_str(), "http://localhost:9999/other"),
        (rp.client_id.as_str(), "https://evil.example/callback"),
    ] {
        let response = app
            .authorize(
                &browser,
                &[
                    ("client_id", client_id),
                    ("redirect_uri", redirect_uri),
                    ("response_type", "code"),
                    ("scope", "openid"),
                    ("code_challenge", CHALLENGE),
                    ("code_challenge_method", "S256"),
                ],
            )
            .await;
        assert_eq!(response.status(), 400);
        assert!(response.headers().get("location").is_none());
        let html = response.text().await.unwrap();
        assert!(
            html.contains("Request id"),
            "error page shows a request id: {html}"
        );
    }
}

#[tokio::test]
async fn other_authorization_errors_go_back_to_the_client_with_state() {
    let app = TestApp::spawn().await;
    let rp = app.public_client().await;
    let browser = app.browser();
    let base = [
        ("client_id", rp.client_id.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "openid"),
        ("state", "s-9"),
    ];
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("response_type", "code")], "invalid_request"), // public client without PKCE
        (
            vec![
                ("response_type", "code"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "plain"),
            ],
            "invalid_request",
        ),
        (
            vec![("response_type", "token"), ("nonce", "n")],
            "unauthorized_client",
        ),
        (
            vec![("response_type", "code id_token"), ("nonce", "n")],
            "unsupported_response_type",
        ),
        (
            vec![
                ("response_type", "code"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
                ("prompt", "none"),
            ],
            "login_required",
        ),
    ];
    for (extra, expected) in cases {
        let mut params = base.to_vec();
        params.extend(extra);
        let back = location(&app.authorize(&browser, &params).await);
        assert!(back.starts_with(REDIRECT_URI), "{back}");
        let pairs = query_pairs(&back);
        assert_eq!(param(&pairs, "error").as_deref(), Some(expected), "{back}");
        assert!(param(&pairs, "error_description").is_some());
        assert_eq!(param(&pairs, "state").as_deref(), Some("s-9"));
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_generic_message() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.public_client().await;
    let browser = app.browser();
    let params = code_request(&rp);
    let login = location(&app.authorize(&browser, &params).await);
    let (request_id, csrf) = app.open_login_page(&browser, &login).await;

    let mut pages = Vec::new();
    for (email, password) in [
        ("ada@example.com", "wrong password"),
        ("nobody@example.com", PASSWORD),
    ] {
        let back = location(
            &app.submit_login(&browser, &request_id, &csrf, email, password)
                .await,
        );
        assert!(back.starts_with("/login?requestId="), "{back}");
        assert_eq!(
            param(&query_pairs(&back), "error").as_deref(),
            Some("invalid_username_password")
        );
        let html = get_text(&browser, app.url(&back)).await;
        let message = html
            .split("role=\"alert\"")
            .nth(1)
            .expect("an alert")
            .split("</div>")
            .next()
            .unwrap()
            .to_owned();
        pages.push(message);
    }
    assert_eq!(pages[0], pages[1]);
    assert!(pages[0].contains("email or password is not correct"));

    // the request is still usable after failures
    let back = location(
        &app.submit_login(&browser, &request_id, &csrf, "ada@example.com", PASSWORD)
            .await,
    );
    assert!(back.starts_with(REDIRECT_URI));
}

#[tokio::test]
async fn a_request_id_started_in_another_browser_is_refused() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.public_client().await;
    let victim = app.browser();
    let params = code_request(&rp);
    let login = location(&app.authorize(&victim, &params).await);
    let (request_id, _) = app.open_login_page(&victim, &login).await;

    let attacker = app.browser();
    let page = attacker.get(app.url(&login)).send().await.unwrap();
    assert_eq!(page.status(), 403);
    assert!(page.text().await.unwrap().contains("another browser"));
    // even with a valid CSRF token of its own browser
    let (_, attacker_csrf) = {
        let other = location(&app.authorize(&attacker, &params).await);
        app.open_login_page(&attacker, &other).await
    };
    let response = app
        .submit_login(
            &attacker,
            &request_id,
            &attacker_csrf,
            "ada@example.com",
            PASSWORD,
        )
        .await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn an_expired_request_id_shows_an_expiry_page() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.public_client().await;
    let browser = app.browser();
    let params = code_request(&rp);
    let login = location(&app.authorize(&browser, &params).await);
    let (request_id, csrf) = app.open_login_page(&browser, &login).await;
    app.clock.advance(30 * 60 + 1);
    let page = browser.get(app.url(&login)).send().await.unwrap();
    assert_eq!(page.status(), 400);
    assert!(page.text().await.unwrap().contains("expired"));
    let response = app
        .submit_login(&browser, &request_id, &csrf, "ada@example.com", PASSWORD)
        .await;
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn a_login_without_the_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.public_client().await;
    let browser = app.browser();
    let params = code_request(&rp);
    let login = location(&app.authorize(&browser, &params).await);
    let (request_id, _) = app.open_login_page(&browser, &login).await;
    let response = app
        .submit_login(&browser, &request_id, "forged", "ada@example.com", PASSWORD)
        .await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn a_live_session_answers_the_next_request_without_a_login_unless_prompt_login() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.public_client().await;
    let browser = app.browser();
    app.sign_in(&browser, &rp, "ada@example.com", &[]).await;
    let mut params = vec![
        ("client_id", rp.client_id.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("response_type", "code"),
        ("scope", "openid"),
        ("state", "again"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    let back = location(&app.authorize(&browser, &params).await);
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    assert!(param(&query_pairs(&back), "code").is_some());

    params.push(("prompt", "login"));
    assert!(location(&app.authorize(&browser, &params).await).starts_with("/login?"));
    params.pop();
    params.push(("max_age", "0"));
    app.clock.advance(1);
    assert!(location(&app.authorize(&browser, &params).await).starts_with("/login?"));
}

#[tokio::test]
async fn pages_carry_security_headers() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/")).await.unwrap();
    let h = response.headers();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(
        !h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("unsafe-inline")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert!(response.text().await.unwrap().contains("Gatehouse"));
}
