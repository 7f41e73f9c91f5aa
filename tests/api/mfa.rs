//! Password then a second factor: the hosted /mfa page, the JSON precheck path, and enrollment
//! during login when the client requires two factors.

use crate::helpers::*;
use crate::totp::decode_claims;
use serde_json::{Value, json};

/// Password login up to the /mfa redirect; returns (browser, requestId, /mfa location).
pub async fn password_step(
    app: &TestApp,
    rp: &Rp,
    email: &str,
) -> (reqwest::Client, String, String) {
    let browser = app.browser();
    let request_id = app.start_login(&browser, rp).await;
    let login_page = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
    let csrf = hidden_field(&login_page, "csrf_token");
    let next = location(
        &app.submit_login(&browser, &request_id, &csrf, email, PASSWORD)
            .await,
    );
    (browser, request_id, next)
}

pub async fn id_token_claims(app: &TestApp, rp: &Rp, back: &str) -> Value {
    let code = param(&query_pairs(back), "code").expect("a code");
    let tokens: Value = app.redeem(rp, &code).await.json().await.unwrap();
    decode_claims(tokens["id_token"].as_str().unwrap())
}

#[tokio::test]
async fn a_password_then_a_totp_code_on_the_hosted_page_gives_an_mfa_login() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let phone = app
        .enroll_totp(&app.signed_in_browser("ada@example.com").await, "Pixel")
        .await;
    let rp = app.confidential_client().await;
    let (browser, request_id, next) = password_step(&app, &rp, "ada@example.com").await;
    assert!(next.starts_with("/mfa?track_id="), "{next}");
    let pairs = query_pairs(&next);
    assert_eq!(
        param(&pairs, "requestId").as_deref(),
        Some(request_id.as_str())
    );
    assert!(param(&pairs, "sub").is_some_and(|s| s == param(&pairs, "q").unwrap()));

    let page = get_text(&browser, app.url(&next)).await;
    assert!(
        page.contains("autocomplete=\"one-time-code\"") && page.contains("inputmode=\"numeric\"")
    );
    assert!(page.contains("<label for=\"pass_code\">"));
    let (track_id, csrf) = (
        hidden_field(&page, "track_id"),
        hidden_field(&page, "csrf_token"),
    );
    let submit = |code: String| {
        browser
            .post(app.url("/mfa"))
            .form(&[
                ("track_id", track_id.as_str()),
                ("requestId", request_id.as_str()),
                ("csrf_token", csrf.as_str()),
                ("pass_code", code.as_str()),
            ])
            .send()
    };
    let wrong = submit("000000".into()).await.unwrap();
    assert_eq!(wrong.status(), 422);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("The code is not correct")
    );

    let back = location(&submit(phone.code(&app, 0)).await.unwrap());
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    let claims = id_token_claims(&app, &rp, &back).await;
    assert_eq!(claims["amr"], json!(["pwd", "otp", "mfa"]));
    assert_eq!(claims["acr"], "2");
}

#[tokio::test]
async fn the_json_verification_service_can_supply_the_second_factor() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let phone = app
        .enroll_totp(&app.signed_in_browser("ada@example.com").await, "Pixel")
        .await;
    let rp = app.confidential_client().await;
    let (browser, request_id, next) = password_step(&app, &rp, "ada@example.com").await;
    let pairs = query_pairs(&next);
    let (track_id, sub) = (
        param(&pairs, "track_id").unwrap(),
        param(&pairs, "sub").unwrap(),
    );

    let http = reqwest::Client::new();
    let (_, list) = post_json(
        &http,
        app.url("/verification-srv/v2/setup/public/configured/list"),
        json!({"request_id": request_id, "sub": sub}),
    )
    .await;
    assert_eq!(list["data"]["configured_list"][0]["type"], "TOTP");
    let (status, started) = post_json(
        &http,
        app.url("/verification-srv/v2/authenticate/initiate/totp"),
        json!({"request_id": request_id, "usage_type": "MULTIFACTOR_AUTHENTICATION", "sub": sub}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(started["data"]["sub"], sub.as_str());
    let exchange = started["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap();
    let (status, verified) = post_json(
        &http,
        app.url("/verification-srv/v2/authenticate/authenticate/totp"),
        json!({"exchange_id": exchange, "pass_code": phone.code(&app, 0)}),
    )
    .await;
    assert_eq!(status, 200, "{verified}");
    let status_id = verified["data"]["status_id"].as_str().unwrap();

    // the MFA status finishes only as the method it was verified with
    let misuse = browser
        .post(app.url("/login-srv/verification/login"))
        .form(&[
            ("requestId", request_id.as_str()),
            ("status_id", status_id),
            ("verificationType", "EMAIL"),
            ("sub", sub.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(location(&misuse).contains("error=verification_failed"));

    let finish = browser
        .post(app.url(&format!("/login-srv/precheck/continue/{track_id}")))
        .form(&[
            ("status_id", status_id),
            ("requestId", request_id.as_str()),
            ("sub", sub.as_str()),
            ("verificationType", "TOTP"),
        ])
        .send()
        .await
        .unwrap();
    let back = location(&finish);
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    assert_eq!(
        id_token_claims(&app, &rp, &back).await["amr"],
        json!(["pwd", "otp", "mfa"])
    );
}

#[tokio::test]
async fn a_client_that_requires_mfa_makes_a_user_without_one_enroll_during_login() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app
        .create_client(ClientSpec {
            mfa: "always",
            ..ClientSpec::default()
        })
        .await;
    let (browser, request_id, next) = password_step(&app, &rp, "ada@example.com").await;
    assert!(next.starts_with("/mfa?"), "{next}");
    let page = get_text(&browser, app.url(&next)).await;
    assert!(page.contains("<svg"), "a QR code is shown");
    let secret_text = page
        .split("id=\"totp-secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .replace(' ', "");
    let uri = page
        .split("id=\"totp-uri\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(uri.contains(&format!("secret={secret_text}")), "{uri}");
    let phone = Phone {
        secret: totp_rs::Secret::try_from_base32(&secret_text)
            .unwrap()
            .as_ref()
            .to_vec(),
        authenticator_id: String::new(),
    };
    let form = |code: String| {
        vec![
            ("track_id".to_owned(), hidden_field(&page, "track_id")),
            ("requestId".to_owned(), request_id.clone()),
            ("csrf_token".to_owned(), hidden_field(&page, "csrf_token")),
            ("exchange_id".to_owned(), hidden_field(&page, "exchange_id")),
            ("pass_code".to_owned(), code),
        ]
    };
    let wrong = browser
        .post(app.url("/mfa"))
        .form(&form("000000".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 422);
    assert!(
        wrong.text().await.unwrap().contains(&secret_text[..4]),
        "the same QR/secret is shown again"
    );

    let back = location(
        &browser
            .post(app.url("/mfa"))
            .form(&form(phone.code(&app, 0)))
            .send()
            .await
            .unwrap(),
    );
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    assert_eq!(
        id_token_claims(&app, &rp, &back).await["amr"],
        json!(["pwd", "otp", "mfa"])
    );
}

#[tokio::test]
async fn a_client_with_mfa_off_never_asks_for_a_second_factor() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    app.enroll_totp(&app.signed_in_browser("ada@example.com").await, "Pixel")
        .await;
    let rp = app
        .create_client(ClientSpec {
            mfa: "off",
            ..ClientSpec::default()
        })
        .await;
    let (_, _, next) = password_step(&app, &rp, "ada@example.com").await;
    assert!(next.starts_with(REDIRECT_URI), "{next}");
    assert_eq!(
        id_token_claims(&app, &rp, &next).await["amr"],
        json!(["pwd"])
    );
}

#[tokio::test]
async fn a_json_client_enrolls_the_second_factor_during_login_with_the_track() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app
        .create_client(ClientSpec {
            mfa: "always",
            ..ClientSpec::default()
        })
        .await;
    let (browser, request_id, next) = password_step(&app, &rp, "ada@example.com").await;
    let pairs = query_pairs(&next);
    let (track_id, sub) = (
        param(&pairs, "track_id").unwrap(),
        param(&pairs, "sub").unwrap(),
    );
    let http = reqwest::Client::new();

    let (status, started) = post_json(
        &http,
        app.url(&format!(
            "/verification-actions-srv/setup/totp/initiation/{track_id}"
        )),
        json!({"label": "Phone"}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(
        started["data"]["sub"],
        sub.as_str(),
        "the enrollment belongs to this login"
    );
    let phone = Phone {
        secret: totp_rs::Secret::try_from_base32(started["data"]["totp_secret"].as_str().unwrap())
            .unwrap()
            .as_ref()
            .to_vec(),
        authenticator_id: String::new(),
    };
    let exchange = started["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap();
    let (status, _) = post_json(
        &http,
        app.url("/verification-actions-srv/setup/totp/verification"),
        json!({"exchange_id": exchange, "pass_code": phone.code(&app, 0)}),
    )
    .await;
    assert_eq!(
        status, 401,
        "without the track (or a session) nobody is enrolling"
    );
    let (status, enrolled) = post_json(
        &http,
        app.url("/verification-actions-srv/setup/totp/verification"),
        json!({"exchange_id": exchange, "pass_code": phone.code(&app, 0), "track_id": track_id}),
    )
    .await;
    assert_eq!(status, 200, "{enrolled}");
    let status_id = enrolled["data"]["status_id"].as_str().unwrap();

    let back = app
        .continue_after_mfa(&browser, &track_id, &request_id, &sub, status_id, "TOTP")
        .await;
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    assert_eq!(
        id_token_claims(&app, &rp, &back).await["amr"],
        json!(["pwd", "otp", "mfa"])
    );
}
