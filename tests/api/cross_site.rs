//! A custom login UI on another site posts the finish cross-site, where the browser keeps our
//! SameSite=Lax cookie to itself (issue 13): `passwordlessLogin` and `mfaContinue` then succeed
//! on their proof alone — an unused verified `status_id` bound to the request and `sub`, or the
//! live track with its verified second factor. Each relaxation has its attack test.

use crate::cidaas_sdk::*;
use crate::helpers::*;
use crate::mfa::{id_token_claims, password_step};
use serde_json::{Value, json};

/// What a cross-site form post looks like to us: no cookie, another site's Origin.
fn other_site() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ORIGIN,
        "https://login.shop.example".parse().unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A passwordless TOTP verified through the JSON service for `request_id`: (sub, status_id).
async fn totp_verified(app: &TestApp, phone: &Phone, request_id: &str) -> (String, String) {
    let (status, started) = initiate_mfa(
        app,
        "totp",
        json!({"usage_type": "PASSWORDLESS_AUTHENTICATION", "request_id": request_id, "email": ADA, "type": "TOTP"}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    let (status, verified) = authenticate_mfa(
        app,
        "totp",
        request_id,
        &exchange_of(&started),
        &phone.code(app, 0),
    )
    .await;
    assert_eq!(status, 200, "{verified}");
    app.clock.advance(30);
    (str_of(&verified, "sub"), str_of(&verified, "status_id"))
}

#[tokio::test]
async fn passwordless_login_posted_from_another_site_without_our_cookie_signs_in() {
    let (app, phone, rp, _browser, request_id) = ada_with_totp().await;
    let (sub, status_id) = totp_verified(&app, &phone, &request_id).await;
    let back = passwordless_login(&app, &other_site(), &request_id, "TOTP", &sub, &status_id).await;
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    assert_eq!(
        param(&query_pairs(&back), "state").as_deref(),
        Some("state-1")
    );
    let claims = id_token_claims(&app, &rp, &back).await;
    assert_eq!(claims["email"], ADA);
    assert_eq!(claims["amr"], json!(["otp"]));
}

#[tokio::test]
async fn a_cookieless_finish_needs_the_unused_status_of_that_request_and_sub() {
    let (app, phone, rp, _browser, request_id) = ada_with_totp().await;
    let (sub, status_id) = totp_verified(&app, &phone, &request_id).await;
    let other_request = app.start_login(&app.browser(), &rp).await;
    let site = other_site();
    // another request, another sub, another method, a made-up status: back to the login
    for (request, sub, kind, status) in [
        (
            other_request.as_str(),
            sub.as_str(),
            "TOTP",
            status_id.as_str(),
        ),
        (
            request_id.as_str(),
            "someone-else",
            "TOTP",
            status_id.as_str(),
        ),
        (
            request_id.as_str(),
            sub.as_str(),
            "EMAIL",
            status_id.as_str(),
        ),
        (
            request_id.as_str(),
            sub.as_str(),
            "TOTP",
            "00000000-0000-4000-8000-000000000000",
        ),
    ] {
        let back = passwordless_login(&app, &site, request, kind, sub, status).await;
        assert!(back.contains("error=verification_failed"), "{back}");
    }
    // the right one still works once …
    let back = passwordless_login(&app, &site, &request_id, "TOTP", &sub, &status_id).await;
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    // … and never twice
    let again = site
        .post(app.url("/login-srv/verification/login"))
        .form(&[
            ("requestId", request_id.as_str()),
            ("verificationType", "TOTP"),
            ("sub", sub.as_str()),
            ("status_id", status_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);
    assert!(again.headers().get("location").is_none());
}

#[tokio::test]
async fn when_our_cookie_is_sent_it_must_be_the_browser_the_request_is_bound_to() {
    let (app, phone, rp, _browser, request_id) = ada_with_totp().await;
    let (sub, status_id) = totp_verified(&app, &phone, &request_id).await;
    // another browser, with our cookie from its own sign-in
    let stranger = app.browser();
    app.start_login(&stranger, &rp).await;
    let refused = stranger
        .post(app.url("/login-srv/verification/login"))
        .form(&[
            ("requestId", request_id.as_str()),
            ("verificationType", "TOTP"),
            ("sub", sub.as_str()),
            ("status_id", status_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("started in another browser"),
        "a plain page saying why"
    );
}

#[tokio::test]
async fn mfa_continue_posted_from_another_site_with_only_the_track_id_signs_in() {
    let (app, ada, _) = two_users_with_totp().await;
    let rp = app.confidential_client().await;
    let (_browser, _request_id, track_id, _sub, _status) = mfa_verified(&app, &rp, ADA, &ada).await;
    let response = other_site()
        .post(app.url(&format!("/login-srv/precheck/continue/{track_id}")))
        .form(&[("track_id", track_id.as_str())])
        .send()
        .await
        .unwrap();
    let back = location(&response);
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    let claims = id_token_claims(&app, &rp, &back).await;
    assert_eq!(claims["amr"], json!(["pwd", "otp", "mfa"]));
}

#[tokio::test]
async fn a_cookieless_mfa_continue_without_the_tracks_verified_second_factor_signs_in_nobody() {
    let (app, _ada, bob) = two_users_with_totp().await;
    let rp = app.confidential_client().await;
    // Bob verified his second factor, for his track only
    let (_, _, _, bob_sub, bob_status) = mfa_verified(&app, &rp, BOB, &bob).await;
    let (_browser, request_id, next) = password_step(&app, &rp, ADA).await;
    let track_id = param(&query_pairs(&next), "track_id").unwrap();
    let site = other_site();
    let only_track = site
        .post(app.url(&format!("/login-srv/precheck/continue/{track_id}")))
        .form(&[("track_id", track_id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(only_track.status(), 400);
    let bobs_status: Value = json!({
        "track_id": track_id, "status_id": bob_status, "requestId": request_id,
        "sub": bob_sub, "verificationType": "TOTP",
    });
    let with_bobs = site
        .post(app.url(&format!("/login-srv/precheck/continue/{track_id}")))
        .json(&bobs_status)
        .send()
        .await
        .unwrap();
    assert_eq!(with_bobs.status(), 400);
    assert!(with_bobs.headers().get("location").is_none());
    // a made-up track id gives nothing either
    let made_up = site
        .post(app.url("/login-srv/precheck/continue/00000000-0000-4000-8000-000000000000"))
        .form(&[("track_id", "00000000-0000-4000-8000-000000000000")])
        .send()
        .await
        .unwrap();
    assert_eq!(made_up.status(), 400);
}

/// The application's own login UI, registered for `https://login.shop.example`.
async fn shop_with_login_ui(app: &TestApp) -> Rp {
    app.create_client(ClientSpec {
        name: "Shop",
        login_ui_origins: vec!["HTTPS://Login.Shop.Example:443"],
        ..ClientSpec::default()
    })
    .await
}

/// `POST /login-srv/login` as the login UI's form sends it: no CSRF token.
async fn login_ui_password(
    app: &TestApp,
    http: &reqwest::Client,
    request_id: &str,
    password: &str,
) -> reqwest::Response {
    http.post(app.url("/login-srv/login"))
        .form(&[
            ("username", ADA),
            ("password", password),
            ("requestId", request_id),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_registered_login_ui_posts_the_password_without_our_cookie_or_csrf_token() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let rp = shop_with_login_ui(&app).await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let response = login_ui_password(&app, &other_site(), &request_id, PASSWORD).await;
    let back = location(&response);
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    let claims = id_token_claims(&app, &rp, &back).await;
    assert_eq!(claims["email"], ADA);
    assert_eq!(claims["amr"], json!(["pwd"]));
}

#[tokio::test]
async fn a_wrong_password_from_the_login_ui_goes_back_to_the_page_that_posted_it() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let rp = shop_with_login_ui(&app).await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    // a browser sends both; the Referer names the page
    let response = other_site()
        .post(app.url("/login-srv/login"))
        .header(
            "referer",
            "https://login.shop.example/signin?lang=de&error=old",
        )
        .form(&[
            ("username", ADA),
            ("password", "not the password"),
            ("requestId", request_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let back = url::Url::parse(&location(&response)).unwrap();
    assert_eq!(
        back.origin().ascii_serialization(),
        "https://login.shop.example"
    );
    assert_eq!(back.path(), "/signin");
    let pairs: Vec<(String, String)> = back.query_pairs().into_owned().collect();
    let get = |k: &str| {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(get("lang"), ["de"]);
    assert_eq!(get("requestId"), [request_id.as_str()]);
    assert_eq!(
        get("error"),
        ["invalid_username_password"],
        "one error, the new one"
    );
    assert_eq!(
        get("error_description"),
        ["The email or password is not correct."]
    );
}

#[tokio::test]
async fn a_password_post_without_our_token_from_anywhere_else_is_refused() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let shop = shop_with_login_ui(&app).await;
    // another application, without a login UI of its own
    let plain = app.confidential_client().await;
    let plain_request = app.start_login(&app.browser(), &plain).await;
    let shop_request = app.start_login(&app.browser(), &shop).await;
    let from = |origin: Option<&str>, referer: Option<&str>| {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(o) = origin {
            headers.insert(reqwest::header::ORIGIN, o.parse().unwrap());
        }
        if let Some(r) = referer {
            headers.insert(reqwest::header::REFERER, r.parse().unwrap());
        }
        reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    };
    for (http, request_id, why) in [
        (
            from(Some("https://evil.example"), None),
            &shop_request,
            "an unregistered origin",
        ),
        (
            from(Some("http://login.shop.example"), None),
            &shop_request,
            "http instead of https",
        ),
        (
            from(Some("https://login.shop.example.evil.example"), None),
            &shop_request,
            "a lookalike",
        ),
        (
            from(None, None),
            &shop_request,
            "neither Origin nor Referer",
        ),
        (from(Some("null"), None), &shop_request, "an opaque origin"),
        (
            from(Some("https://login.shop.example"), None),
            &plain_request,
            "the shop's origin for another application",
        ),
        (
            from(None, Some("https://evil.example/login.shop.example")),
            &shop_request,
            "a Referer elsewhere",
        ),
    ] {
        let response = login_ui_password(&app, &http, request_id, PASSWORD).await;
        assert_eq!(response.status(), 403, "{why}");
        assert!(response.headers().get("location").is_none(), "{why}");
    }
    // the Referer alone is enough when it is the login UI's
    let response = login_ui_password(
        &app,
        &from(None, Some("https://login.shop.example/signin")),
        &shop_request,
        PASSWORD,
    )
    .await;
    assert!(location(&response).starts_with(REDIRECT_URI));
}

#[tokio::test]
async fn the_login_ui_post_with_our_cookie_of_another_browser_is_refused() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let rp = shop_with_login_ui(&app).await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let stranger = app.browser();
    app.start_login(&stranger, &rp).await;
    let response = stranger
        .post(app.url("/login-srv/login"))
        .header("origin", "https://login.shop.example")
        .form(&[
            ("username", ADA),
            ("password", PASSWORD),
            ("requestId", request_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn login_ui_origins_are_registered_as_bare_origins_only() {
    let app = TestApp::spawn().await;
    let store = app.state.store.clone();
    for (origin, why) in [
        ("https://login.shop.example/signin", "a path"),
        ("http://login.shop.example", "http off localhost"),
        ("https://user@login.shop.example", "credentials"),
        ("login.shop.example", "no scheme"),
    ] {
        let store = store.clone();
        let args = gatehouse::cli::NewClient {
            name: "X".into(),
            redirect_uris: vec![REDIRECT_URI.into()],
            post_logout_redirect_uris: vec![],
            login_ui_origins: vec![origin.into()],
            approvals: false,
            public: false,
            grant_types: vec![],
            allow_implicit: false,
            mfa: "optional".into(),
            management: false,
            json: true,
        };
        let refused =
            tokio::task::spawn_blocking(move || gatehouse::cli::create_client(&store, args))
                .await
                .unwrap()
                .expect_err(why)
                .to_string();
        assert!(refused.contains("--login-ui-origin"), "{why}: {refused}");
    }
    // what is stored is the origin as browsers send it
    let rp = shop_with_login_ui(&app).await;
    let id = rp.client_id.clone();
    let client = app
        .state
        .store
        .run(move |c| gatehouse::store::clients::find_client(c, &id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(client.login_ui_origins, ["https://login.shop.example"]);
}
