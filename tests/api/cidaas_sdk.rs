//! The cidaas SDKs' requests, replayed exactly as the SDKs send them (field names, casing,
//! content type, no extra fields): `getMFAList`, `initiateMFA`, `authenticateMFA`,
//! `passwordlessLogin`, `mfaContinue`, `cancelMFA` and the TOTP setup calls (issue 13). Each
//! relaxation has its attack test next to it.

use std::time::Duration;

use crate::helpers::*;
use crate::mfa::{id_token_claims, password_step};
use crate::smtp_server::SmtpServer;
use serde_json::{Value, json};

pub(crate) const ADA: &str = "ada@example.com";
pub(crate) const BOB: &str = "bob@example.com";
/// The literal `medium_id` of the cidaas guide's example request.
const SEED_MEDIUM_ID: &str = "cd7e9166-99d1-4d36-bc8f-3c8ffb2ad011";

/// `getMFAList`: `POST /verification-srv/v2/setup/public/configured/list`.
async fn get_mfa_list(app: &TestApp, request_id: &str, email: &str) -> Value {
    let (status, list) = post_json(
        &reqwest::Client::new(),
        app.url("/verification-srv/v2/setup/public/configured/list"),
        json!({"email": email, "request_id": request_id}),
    )
    .await;
    assert_eq!(status, 200, "{list}");
    list
}

/// `initiateMFA`: `POST /verification-srv/v2/authenticate/initiate/{type}` with the payload.
pub(crate) async fn initiate_mfa(app: &TestApp, kind: &str, payload: Value) -> (u16, Value) {
    post_json(
        &reqwest::Client::new(),
        app.url(&format!(
            "/verification-srv/v2/authenticate/initiate/{kind}"
        )),
        payload,
    )
    .await
}

/// `authenticateMFA`: `POST /verification-srv/v2/authenticate/authenticate/{type}`.
pub(crate) async fn authenticate_mfa(
    app: &TestApp,
    kind: &str,
    request_id: &str,
    exchange_id: &str,
    passcode: &str,
) -> (u16, Value) {
    post_json(
        &reqwest::Client::new(),
        app.url(&format!(
            "/verification-srv/v2/authenticate/authenticate/{kind}"
        )),
        json!({
            "requestId": request_id,
            "exchange_id": exchange_id,
            "type": kind.to_uppercase(),
            "passcode": passcode,
        }),
    )
    .await
}

/// `passwordlessLogin`: a form POST to `/login-srv/verification/login`; returns the Location.
pub(crate) async fn passwordless_login(
    app: &TestApp,
    http: &reqwest::Client,
    request_id: &str,
    kind: &str,
    sub: &str,
    status_id: &str,
) -> String {
    let response = http
        .post(app.url("/login-srv/verification/login"))
        .form(&[
            ("requestId", request_id),
            ("verificationType", kind),
            ("sub", sub),
            ("status_id", status_id),
        ])
        .send()
        .await
        .unwrap();
    location(&response)
}

pub(crate) fn exchange_of(answer: &Value) -> String {
    answer["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub(crate) fn str_of(answer: &Value, field: &str) -> String {
    answer["data"][field].as_str().unwrap().to_owned()
}

/// A user with an authenticator app, a client, and a login started in `browser`.
pub(crate) async fn ada_with_totp() -> (TestApp, Phone, Rp, reqwest::Client, String) {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let phone = app
        .enroll_totp(&app.signed_in_browser(ADA).await, "Pixel")
        .await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    (app, phone, rp, browser, request_id)
}

#[tokio::test]
async fn initiate_mfa_with_only_the_medium_id_of_the_mfa_list_signs_in_with_the_totp_code() {
    let (app, phone, rp, browser, request_id) = ada_with_totp().await;
    let list = get_mfa_list(&app, &request_id, ADA).await;
    assert_eq!(list["data"]["configured_list"][0]["type"], "TOTP");
    let medium_id = list["data"]["configured_list"][0]["mediums"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The guide's JS SDK example: no identifier, the medium_id of the list.
    let (status, started) = initiate_mfa(
        &app,
        "totp",
        json!({
            "usage_type": "PASSWORDLESS_AUTHENTICATION",
            "request_id": request_id,
            "medium_id": medium_id,
            "type": "TOTP",
        }),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(started["data"]["medium_text"], "a***@example.com");
    let (status, verified) = authenticate_mfa(
        &app,
        "totp",
        &request_id,
        &exchange_of(&started),
        &phone.code(&app, 0),
    )
    .await;
    assert_eq!(status, 200, "{verified}");
    let back = passwordless_login(
        &app,
        &browser,
        &request_id,
        "TOTP",
        &str_of(&verified, "sub"),
        &str_of(&verified, "status_id"),
    )
    .await;
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    let claims = id_token_claims(&app, &rp, &back).await;
    assert_eq!(claims["email"], ADA);
    assert_eq!(claims["amr"], json!(["otp"]));
}

#[tokio::test]
async fn a_medium_id_that_names_nothing_of_the_user_still_accepts_their_right_totp_code() {
    let (app, phone, _rp, _browser, request_id) = ada_with_totp().await;
    // The guide's placeholder, and "TOTP" as the PHP SDK sends it.
    for (i, medium_id) in [SEED_MEDIUM_ID, "TOTP"].into_iter().enumerate() {
        let (status, started) = initiate_mfa(
            &app,
            "totp",
            json!({
                "usage_type": "PASSWORDLESS_AUTHENTICATION",
                "request_id": request_id,
                "medium_id": medium_id,
                "email": ADA,
            }),
        )
        .await;
        assert_eq!(status, 200, "{started}");
        let (status, verified) = authenticate_mfa(
            &app,
            "totp",
            &request_id,
            &exchange_of(&started),
            &phone.code(&app, i as i64),
        )
        .await;
        assert_eq!(status, 200, "medium_id {medium_id}: {verified}");
        app.clock.advance(30);
    }
}

#[tokio::test]
async fn a_medium_id_of_another_users_authenticator_does_not_let_their_code_verify_this_sign_in() {
    let (app, ada_phone, _rp, _browser, request_id) = ada_with_totp().await;
    app.create_user(BOB).await;
    let bob_phone = app
        .enroll_totp(&app.signed_in_browser(BOB).await, "Bob's phone")
        .await;
    let (status, started) = initiate_mfa(
        &app,
        "totp",
        json!({
            "usage_type": "PASSWORDLESS_AUTHENTICATION",
            "request_id": request_id,
            "medium_id": bob_phone.authenticator_id,
            "email": ADA,
        }),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    // Ada's sign-in is Ada's: Bob's code is wrong here, Ada's right.
    let exchange = exchange_of(&started);
    let (status, refused) = authenticate_mfa(
        &app,
        "totp",
        &request_id,
        &exchange,
        &bob_phone.code(&app, 0),
    )
    .await;
    assert_eq!(status, 401, "{refused}");
    assert_eq!(refused["error"]["code"], "invalid_code");
    let (status, verified) = authenticate_mfa(
        &app,
        "totp",
        &request_id,
        &exchange,
        &ada_phone.code(&app, 0),
    )
    .await;
    assert_eq!(status, 200, "{verified}");
}

#[tokio::test]
async fn initiate_totp_answers_the_masked_email_as_medium_text() {
    let (app, _phone, _rp, _browser, request_id) = ada_with_totp().await;
    let (status, started) = initiate_mfa(
        &app,
        "totp",
        json!({"usage_type": "PASSWORDLESS_AUTHENTICATION", "request_id": request_id, "email": ADA}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(started["data"]["medium_text"], "a***@example.com");
}

#[tokio::test]
async fn the_wrong_totp_code_that_locks_the_authenticator_answers_authenticator_locked() {
    let (app, phone, _rp, _browser, request_id) = ada_with_totp().await;
    let right = phone.code(&app, 0);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for attempt in 1..=5 {
        let (_, started) = initiate_mfa(
            &app,
            "totp",
            json!({"usage_type": "PASSWORDLESS_AUTHENTICATION", "request_id": request_id, "email": ADA}),
        )
        .await;
        let (status, answer) =
            authenticate_mfa(&app, "totp", &request_id, &exchange_of(&started), wrong).await;
        if attempt < 5 {
            assert_eq!(status, 401, "attempt {attempt}: {answer}");
            assert_eq!(answer["error"]["code"], "invalid_code");
        } else {
            assert_eq!(status, 429, "attempt {attempt}: {answer}");
            assert_eq!(answer["error"]["code"], "authenticator_locked");
        }
    }
}

#[tokio::test]
async fn totp_setup_answers_the_secret_as_secret_and_as_totp_secret() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let browser = app.signed_in_browser(ADA).await;
    let (status, started) = post_json(
        &browser,
        app.url("/verification-srv/v2/setup/initiate/totp"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    let secret = started["data"]["secret"].as_str().unwrap();
    assert_eq!(started["data"]["totp_secret"].as_str(), Some(secret));
    assert!(
        started["data"]["uri"]
            .as_str()
            .unwrap()
            .contains(&format!("secret={secret}"))
    );
}

#[tokio::test]
async fn cancel_mfa_answers_sub_status_id_and_exchange_id() {
    let (app, _phone, _rp, _browser, request_id) = ada_with_totp().await;
    let (_, started) = initiate_mfa(
        &app,
        "totp",
        json!({"usage_type": "PASSWORDLESS_AUTHENTICATION", "request_id": request_id, "email": ADA}),
    )
    .await;
    // `cancelMFA`: exchange_id, reason and type.
    let (status, cancelled) = post_json(
        &reqwest::Client::new(),
        app.url("/verification-srv/v2/authenticate/cancel/totp"),
        json!({"exchange_id": exchange_of(&started), "reason": "other", "type": "TOTP"}),
    )
    .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["data"]["sub"], started["data"]["sub"]);
    assert_eq!(cancelled["data"]["status_id"], started["data"]["status_id"]);
    assert!(
        cancelled["data"]["exchange_id"]["exchange_id"].is_string(),
        "{cancelled}"
    );
    // and the exchange is over
    let (status, _) =
        authenticate_mfa(&app, "totp", &request_id, &exchange_of(&started), "123456").await;
    assert_eq!(status, 400);
}

async fn with_mail() -> (TestApp, SmtpServer) {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |c| c.smtp_url = Some(url)).await;
    (app, smtp)
}

#[tokio::test]
async fn initiate_mfa_again_within_the_cooldown_answers_the_same_live_exchange_and_sends_nothing() {
    let (app, smtp) = with_mail().await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let payload = json!({
        "usage_type": "PASSWORDLESS_AUTHENTICATION",
        "request_id": request_id,
        "email": ADA,
        "type": "EMAIL",
    });
    let (status, first) = initiate_mfa(&app, "email", payload.clone()).await;
    assert_eq!(status, 200, "{first}");
    let code = smtp.wait_for_mail(ADA, 1).await[0].code();
    app.clock.advance(10);
    let (status, again) = initiate_mfa(&app, "email", payload).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(exchange_of(&again), exchange_of(&first));
    assert_eq!(again["data"]["status_id"], first["data"]["status_id"]);
    assert_eq!(again["data"]["sub"], first["data"]["sub"]);
    assert_eq!(again["data"]["resend_after"], first["data"]["resend_after"]);
    assert_eq!(again["data"]["medium_text"], first["data"]["medium_text"]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(smtp.messages().len(), 1, "no second message");

    let (status, verified) =
        authenticate_mfa(&app, "email", &request_id, &exchange_of(&again), &code).await;
    assert_eq!(status, 200, "{verified}");
    let back = passwordless_login(
        &app,
        &browser,
        &request_id,
        "EMAIL",
        &str_of(&verified, "sub"),
        &str_of(&verified, "status_id"),
    )
    .await;
    assert!(back.starts_with(REDIRECT_URI), "{back}");
}

#[tokio::test]
async fn initiate_mfa_again_for_another_request_never_hands_out_the_first_requests_exchange() {
    let (app, smtp) = with_mail().await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let first_request = app.start_login(&app.browser(), &rp).await;
    let other_request = app.start_login(&app.browser(), &rp).await;
    let body = |request_id: &str| json!({"usage_type": "PASSWORDLESS_AUTHENTICATION", "request_id": request_id, "email": ADA});
    let (status, first) = initiate_mfa(&app, "email", body(&first_request)).await;
    assert_eq!(status, 200, "{first}");
    let (_, other) = initiate_mfa(&app, "email", body(&other_request)).await;
    assert_ne!(
        other["data"]["exchange_id"]["exchange_id"], first["data"]["exchange_id"]["exchange_id"],
        "{other}"
    );
    assert_ne!(other["data"]["status_id"], first["data"]["status_id"]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(smtp.messages().len(), 1, "no second message");
}

/// A password login up to its second step, and a TOTP verified for it through the JSON
/// service (MULTIFACTOR_AUTHENTICATION); returns (browser, requestId, track_id, sub, status_id).
pub(crate) async fn mfa_verified(
    app: &TestApp,
    rp: &Rp,
    email: &str,
    phone: &Phone,
) -> (reqwest::Client, String, String, String, String) {
    let (browser, request_id, next) = password_step(app, rp, email).await;
    assert!(next.starts_with("/mfa?track_id="), "{next}");
    let pairs = query_pairs(&next);
    let (track_id, sub) = (
        param(&pairs, "track_id").unwrap(),
        param(&pairs, "sub").unwrap(),
    );
    let (status, started) = initiate_mfa(
        app,
        "totp",
        json!({
            "usage_type": "MULTIFACTOR_AUTHENTICATION",
            "request_id": request_id,
            "sub": sub,
            "type": "TOTP",
        }),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    let (status, verified) = authenticate_mfa(
        app,
        "totp",
        &request_id,
        &exchange_of(&started),
        &phone.code(app, 0),
    )
    .await;
    assert_eq!(status, 200, "{verified}");
    app.clock.advance(30);
    (
        browser,
        request_id,
        track_id,
        sub,
        str_of(&verified, "status_id"),
    )
}

pub(crate) async fn two_users_with_totp() -> (TestApp, Phone, Phone) {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    app.create_user(BOB).await;
    let ada = app
        .enroll_totp(&app.signed_in_browser(ADA).await, "Pixel")
        .await;
    let bob = app
        .enroll_totp(&app.signed_in_browser(BOB).await, "Bob's phone")
        .await;
    (app, ada, bob)
}

#[tokio::test]
async fn passwordless_login_with_a_multifactor_status_id_finishes_the_second_step() {
    let (app, ada, _) = two_users_with_totp().await;
    let rp = app.confidential_client().await;
    let (browser, request_id, _track, sub, status_id) = mfa_verified(&app, &rp, ADA, &ada).await;
    let back = passwordless_login(&app, &browser, &request_id, "TOTP", &sub, &status_id).await;
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    let claims = id_token_claims(&app, &rp, &back).await;
    assert_eq!(claims["email"], ADA);
    assert_eq!(claims["amr"], json!(["pwd", "otp", "mfa"]));

    // a used status finishes nothing
    // (the request is used as well: an error page, never a redirect to the client)
    let again = browser
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
}

#[tokio::test]
async fn a_multifactor_status_id_of_another_request_or_user_finishes_nothing() {
    let (app, ada, bob) = two_users_with_totp().await;
    let rp = app.confidential_client().await;
    // Bob verified his second factor for his own login …
    let (_, bob_request, _, bob_sub, bob_status) = mfa_verified(&app, &rp, BOB, &bob).await;
    // … Ada is at her second step in another browser.
    let (browser, request_id, next) = password_step(&app, &rp, ADA).await;
    let ada_sub = param(&query_pairs(&next), "sub").unwrap();
    for (sub, status_id) in [
        (bob_sub.as_str(), bob_status.as_str()),
        (ada_sub.as_str(), bob_status.as_str()),
    ] {
        let back = passwordless_login(&app, &browser, &request_id, "TOTP", sub, status_id).await;
        assert!(back.contains("error=verification_failed"), "{back}");
    }
    // and Bob's status still belongs to Bob's request only
    assert_ne!(bob_request, request_id);
    let _ = ada;
}

#[tokio::test]
async fn mfa_continue_with_only_the_track_id_as_a_form_continues_the_login() {
    let (app, ada, _) = two_users_with_totp().await;
    let rp = app.confidential_client().await;
    let (browser, _request_id, track_id, _sub, _status) = mfa_verified(&app, &rp, ADA, &ada).await;
    let response = browser
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
async fn mfa_continue_with_only_the_track_id_as_json_continues_the_login() {
    let (app, ada, _) = two_users_with_totp().await;
    let rp = app.confidential_client().await;
    let (browser, _request_id, track_id, _sub, _status) = mfa_verified(&app, &rp, ADA, &ada).await;
    let response = browser
        .post(app.url(&format!("/login-srv/precheck/continue/{track_id}")))
        .json(&json!({"track_id": track_id}))
        .send()
        .await
        .unwrap();
    let back = location(&response);
    assert!(back.starts_with(REDIRECT_URI), "{back}");
}

#[tokio::test]
async fn mfa_continue_without_a_verified_second_factor_for_the_track_continues_nothing() {
    let (app, _ada, bob) = two_users_with_totp().await;
    let rp = app.confidential_client().await;
    // Bob's verified second factor is for Bob's track, not for Ada's.
    let _ = mfa_verified(&app, &rp, BOB, &bob).await;
    let (browser, _request_id, next) = password_step(&app, &rp, ADA).await;
    let track_id = param(&query_pairs(&next), "track_id").unwrap();
    let response = browser
        .post(app.url(&format!("/login-srv/precheck/continue/{track_id}")))
        .form(&[("track_id", track_id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}
