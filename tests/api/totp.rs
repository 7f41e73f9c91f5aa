//! TOTP enrollment and the cidaas verification flow with TOTP (API.md §4, §6).

use crate::helpers::*;
use gatehouse::store;
use serde_json::{Value, json};

pub const CURRENT: [&str; 5] = [
    "/verification-srv/public/graph/user/setup",
    "/verification-srv/authentication/{type}/initiation",
    "/verification-srv/authentication/{type}/verification",
    "/verification-srv/authentication/{type}/cancel",
    "/verification-srv/verificationstatus/{id}",
];
pub const V2: [&str; 5] = [
    "/verification-srv/v2/setup/public/configured/list",
    "/verification-srv/v2/authenticate/initiate/{type}",
    "/verification-srv/v2/authenticate/authenticate/{type}",
    "/verification-srv/v2/authenticate/cancel/{type}",
    "/verification-srv/v2/notification/status/{id}",
];

pub fn path(family: &[&str; 5], step: usize, kind: &str) -> String {
    family[step].replace("{type}", kind)
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

/// `n` TOTP initiations for one login; returns their exchange ids.
async fn initiate_exchanges(app: &TestApp, request_id: &str, email: &str, n: usize) -> Vec<String> {
    let http = reqwest::Client::new();
    let mut exchanges = Vec::new();
    for _ in 0..n {
        let body = json!({"request_id": request_id, "email": email});
        let (_, started) = post_json(&http, app.url(&path(&CURRENT, 1, "totp")), body).await;
        exchanges.push(
            started["data"]["exchange_id"]["exchange_id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    exchanges
}

/// initiate → verify for `email` with `code`; returns (initiate body, verify status, verify body).
pub async fn initiate_and_verify(
    app: &TestApp,
    family: &[&str; 5],
    request_id: &str,
    email: &str,
    code: &str,
) -> (Value, u16, Value) {
    let http = reqwest::Client::new();
    let (status, started) = post_json(&http, app.url(&path(family, 1, "totp")), json!({"request_id": request_id, "usage_type": "PASSWORDLESS_AUTHENTICATION", "email": email})).await;
    assert_eq!(status, 200, "{started}");
    let exchange = started["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap();
    let (status, verified) = post_json(
        &http,
        app.url(&path(family, 2, "TOTP")),
        json!({"exchange_id": exchange, "pass_code": code}),
    )
    .await;
    (started, status, verified)
}

#[tokio::test]
async fn an_enrolled_totp_signs_in_passwordless_through_both_path_families_alike() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let phone = app
        .enroll_totp(&app.signed_in_browser("ada@example.com").await, "Pixel")
        .await;
    let rp = app.confidential_client().await;

    let mut shapes = Vec::new();
    for family in [&CURRENT, &V2] {
        let browser = app.browser();
        let request_id = app.start_login(&browser, &rp).await;
        let http = reqwest::Client::new();
        let (status, list) = post_json(
            &http,
            app.url(family[0]),
            json!({"request_id": request_id, "email": "ada@example.com"}),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(list["success"], true);
        let configured = list["data"]["configured_list"].as_array().unwrap();
        assert_eq!(configured[0]["type"], "TOTP");
        assert_eq!(
            configured[0]["mediums"],
            json!([{"id": phone.authenticator_id, "key_name": "Pixel"}])
        );
        assert_eq!(configured[1]["type"], "EMAIL");
        assert_eq!(configured[2], json!({"type": "PASSWORD"}));

        let (started, status, verified) = initiate_and_verify(
            &app,
            family,
            &request_id,
            "ada@example.com",
            &phone.code(&app, 0),
        )
        .await;
        assert_eq!(status, 200, "{verified}");
        assert_eq!(
            keys(&started["data"]),
            ["exchange_id", "medium_text", "q", "status_id", "sub"]
        );
        assert_eq!(
            keys(&started["data"]["exchange_id"]),
            ["exchange_id", "expires_at"]
        );
        assert_eq!(keys(&verified["data"]), ["exchange_id", "status_id", "sub"]);
        let alias = verified["data"]["sub"].as_str().unwrap();
        assert_eq!(alias, started["data"]["sub"].as_str().unwrap());
        let subject = app
            .state
            .store
            .run(|c| store::users::find_user_by_email(c, "ada@example.com"))
            .await
            .unwrap()
            .unwrap()
            .id;
        assert_ne!(
            alias, subject,
            "the sub is a masked alias, never the user id"
        );
        assert_ne!(
            verified["data"]["exchange_id"]["exchange_id"],
            started["data"]["exchange_id"]["exchange_id"],
            "each step issues a new exchange_id"
        );
        let status_id = verified["data"]["status_id"].as_str().unwrap();

        let status_path = path(family, 4, "").replace("{id}", status_id);
        let status = if family == &CURRENT {
            http.get(app.url(&status_path)).send().await.unwrap()
        } else {
            http.post(app.url(&status_path)).send().await.unwrap()
        };
        let status: Value = status.json().await.unwrap();
        assert_eq!(status["data"]["status"], "VERIFIED");

        let finish = browser
            .post(app.url("/login-srv/verification/login"))
            .form(&[
                ("requestId", request_id.as_str()),
                ("status_id", status_id),
                ("verificationType", "TOTP"),
                ("sub", alias),
            ])
            .send()
            .await
            .unwrap();
        let back = location(&finish);
        assert!(back.starts_with(REDIRECT_URI), "{back}");
        let code = param(&query_pairs(&back), "code").unwrap();
        let tokens: Value = app.redeem(&rp, &code).await.json().await.unwrap();
        let claims = decode_claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(claims["amr"], json!(["otp"]));
        shapes.push((
            keys(&started["data"]),
            keys(&verified["data"]),
            keys(&status["data"]),
        ));
        app.clock.advance(30);
    }
    assert_eq!(shapes[0], shapes[1], "both path families answer alike");
}

/// The payload of a JWT (signature checked elsewhere: the relying-party test).
pub fn decode_claims(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn the_confirming_code_cannot_then_sign_in_and_an_exchange_works_once() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let browser = app.signed_in_browser("ada@example.com").await;
    let (_, started) = post_json(
        &browser,
        app.url("/verification-srv/v2/setup/initiate/totp"),
        json!({}),
    )
    .await;
    let secret = totp_rs::Secret::try_from_base32(started["data"]["totp_secret"].as_str().unwrap())
        .unwrap()
        .as_ref()
        .to_vec();
    let uri = started["data"]["uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/Gatehouse:ada@example.com"),
        "{uri}"
    );
    assert!(
        uri.contains("issuer=Gatehouse")
            && uri.contains("algorithm=SHA1")
            && uri.contains("digits=6")
            && uri.contains("period=30")
    );
    let phone = Phone {
        secret,
        authenticator_id: String::new(),
    };
    let confirming = phone.code(&app, 0);
    let exchange = started["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap();
    let (status, _) = post_json(
        &browser,
        app.url("/verification-srv/v2/setup/enroll/totp"),
        json!({"exchange_id": exchange, "pass_code": "000000"}),
    )
    .await;
    assert_eq!(status, 401, "a wrong code does not enroll");
    let (status, enrolled) = post_json(
        &browser,
        app.url("/verification-srv/v2/setup/enroll/totp"),
        json!({"exchange_id": exchange, "pass_code": confirming}),
    )
    .await;
    assert_eq!(status, 200, "{enrolled}");
    assert_eq!(enrolled["data"]["enrolled"], true);

    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let (_, status, body) =
        initiate_and_verify(&app, &CURRENT, &request_id, "ada@example.com", &confirming).await;
    assert_eq!(status, 401, "{body}");

    let fresh = phone.code(&app, 1);
    let (started, status, _) =
        initiate_and_verify(&app, &CURRENT, &request_id, "ada@example.com", &fresh).await;
    assert_eq!(status, 200);
    let used_exchange = started["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap();
    let (status, again) = post_json(
        &reqwest::Client::new(),
        app.url(&path(&CURRENT, 2, "totp")),
        json!({"exchange_id": used_exchange, "pass_code": fresh}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(again["error"]["code"], "invalid_exchange_id");
}

#[tokio::test]
async fn unknown_users_get_well_formed_answers_and_the_same_failure() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let http = reqwest::Client::new();
    let (_, known) = post_json(
        &http,
        app.url(CURRENT[0]),
        json!({"request_id": request_id, "email": "ada@example.com"}),
    )
    .await;
    let (_, unknown) = post_json(
        &http,
        app.url(CURRENT[0]),
        json!({"request_id": request_id, "email": "aaron@example.com"}),
    )
    .await;
    assert_eq!(
        known, unknown,
        "a password-only user and no user look the same (the masked address shows the first letter only)"
    );

    let (started_known, status_known, body_known) =
        initiate_and_verify(&app, &CURRENT, &request_id, "ada@example.com", "123456").await;
    let (started_unknown, status_unknown, body_unknown) =
        initiate_and_verify(&app, &CURRENT, &request_id, "nobody@example.com", "123456").await;
    assert_eq!(keys(&started_known["data"]), keys(&started_unknown["data"]));
    assert_eq!((status_known, status_unknown), (401, 401));
    assert_eq!(body_known["error"]["error"], body_unknown["error"]["error"]);
    assert_eq!(body_known["error"]["code"], body_unknown["error"]["code"]);
}

#[tokio::test]
async fn an_exchange_expires_after_five_minutes_and_cancel_ends_it() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let phone = app
        .enroll_totp(&app.signed_in_browser("ada@example.com").await, "Pixel")
        .await;
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let http = reqwest::Client::new();
    let initiate = || {
        post_json(
            &http,
            app.url(&path(&V2, 1, "totp")),
            json!({"request_id": request_id, "usage_type": "PASSWORDLESS_AUTHENTICATION", "email": "ada@example.com"}),
        )
    };

    let (_, started) = initiate().await;
    let exchange = started["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.clock.advance(301);
    let (status, body) = post_json(
        &http,
        app.url(&path(&V2, 2, "totp")),
        json!({"exchange_id": exchange, "passcode": phone.code(&app, 0)}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_exchange_id"))
    );

    let (_, started) = initiate().await;
    let exchange = started["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, cancelled) = post_json(
        &http,
        app.url(&path(&V2, 3, "totp")),
        json!({"exchange_id": exchange}),
    )
    .await;
    assert_eq!(
        (status, cancelled["data"]["cancelled"].as_bool()),
        (200, Some(true))
    );
    let (status, _) = post_json(
        &http,
        app.url(&path(&V2, 2, "totp")),
        json!({"exchange_id": exchange, "passcode": phone.code(&app, 0)}),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn twenty_parallel_submissions_of_one_valid_code_give_exactly_one_success() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let phone = app
        .enroll_totp(&app.signed_in_browser("ada@example.com").await, "Pixel")
        .await;
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let http = reqwest::Client::new();
    let exchanges = initiate_exchanges(&app, &request_id, "ada@example.com", 20).await;
    let code = phone.code(&app, 0);
    let attempts = exchanges.iter().map(|exchange| {
        let (http, url, code) = (
            http.clone(),
            app.url(&path(&CURRENT, 2, "totp")),
            code.clone(),
        );
        async move {
            post_json(
                &http,
                url,
                json!({"exchange_id": exchange, "pass_code": code}),
            )
            .await
            .0
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 401),
        "{statuses:?}"
    );
    let id = phone.authenticator_id.clone();
    let a = app
        .state
        .store
        .run(move |c| store::authenticators::find_authenticator(c, &id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        a.failure_count, 0,
        "replays of a right code are not counted as wrong guesses"
    );
}

#[tokio::test]
async fn twenty_parallel_wrong_guesses_are_counted_exactly_and_lock_the_authenticator() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let phone = app
        .enroll_totp(&app.signed_in_browser("ada@example.com").await, "Pixel")
        .await;
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let http = reqwest::Client::new();
    let exchanges = initiate_exchanges(&app, &request_id, "ada@example.com", 21).await;
    let right = phone.code(&app, 0);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let attempts = exchanges[..20].iter().map(|exchange| {
        let (http, url) = (http.clone(), app.url(&path(&CURRENT, 2, "totp")));
        async move {
            post_json(
                &http,
                url,
                json!({"exchange_id": exchange, "pass_code": wrong}),
            )
            .await
        }
    });
    let results = futures_util::future::join_all(attempts).await;
    let id = phone.authenticator_id.clone();
    let a = app
        .state
        .store
        .run(move |c| store::authenticators::find_authenticator(c, &id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        a.failure_count, 5,
        "exactly one tier of failures is counted"
    );
    assert!(
        a.locked_until
            .is_some_and(|u| (u - (app.clock.now() + 300)).abs() <= 2),
        "locked for 5 minutes"
    );
    // Four are told they were wrong; the fifth, which locks, already says it is locked, as do
    // the fifteen that were not checked.
    assert_eq!(results.iter().filter(|(s, _)| *s == 401).count(), 4);
    assert_eq!(results.iter().filter(|(s, _)| *s == 429).count(), 16);

    // while locked even the right code fails, saying it is locked (not whether it was right)
    let (status, body) = post_json(
        &http,
        app.url(&path(&CURRENT, 2, "totp")),
        json!({"exchange_id": exchanges[20], "pass_code": right}),
    )
    .await;
    assert_eq!(status, 429);
    assert_eq!(body["error"]["type"], "AuthenticatorLocked");
    assert!(
        body["error"]["error"]
            .as_str()
            .unwrap()
            .contains("another way to sign in")
    );

    // the lock ends after five minutes
    app.clock.advance(301);
    let (_, status, _) = initiate_and_verify(
        &app,
        &CURRENT,
        &request_id,
        "ada@example.com",
        &phone.code(&app, 0),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn enrollment_needs_a_signed_in_user_and_stops_at_the_limit() {
    let app = TestApp::spawn_with(|c| c.totp_max_per_user = 2).await;
    app.create_user("ada@example.com").await;
    let (status, body) = post_json(
        &app.browser(),
        app.url("/verification-srv/v2/setup/initiate/totp"),
        json!({}),
    )
    .await;
    assert_eq!((status, body["success"].as_bool()), (401, Some(false)));

    let browser = app.signed_in_browser("ada@example.com").await;
    app.enroll_totp(&browser, "one").await;
    app.enroll_totp(&browser, "two").await;
    let (status, body) = post_json(
        &browser,
        app.url("/verification-actions-srv/setup/totp/initiation"),
        json!({}),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "totp_limit_reached");
}

#[tokio::test]
async fn a_verified_status_finishes_only_its_own_request_once() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let phone = app
        .enroll_totp(&app.signed_in_browser("ada@example.com").await, "Pixel")
        .await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let (_, _, verified) = initiate_and_verify(
        &app,
        &CURRENT,
        &request_id,
        "ada@example.com",
        &phone.code(&app, 0),
    )
    .await;
    let (status_id, alias) = (
        verified["data"]["status_id"].as_str().unwrap(),
        verified["data"]["sub"].as_str().unwrap(),
    );
    let finish = |sub: &str, kind: &str| {
        browser
            .post(app.url("/login-srv/verification/login"))
            .form(&[
                ("requestId", request_id.as_str()),
                ("status_id", status_id),
                ("verificationType", kind),
                ("sub", sub),
            ])
            .send()
    };
    for (sub, kind) in [("someone-else", "TOTP"), (alias, "PASSWORD")] {
        let back = location(&finish(sub, kind).await.unwrap());
        assert!(back.contains("error=verification_failed"), "{back}");
    }
    let back = location(&finish(alias, "totp").await.unwrap());
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    let again = finish(alias, "TOTP").await.unwrap();
    assert_eq!(
        again.status(),
        400,
        "the request is complete and the status consumed"
    );
}

#[tokio::test]
async fn single_mode_blocks_a_second_authenticator_or_overrides_the_first() {
    let blocking = TestApp::spawn_with(|c| c.totp_mode = "single_block".into()).await;
    blocking.create_user("ada@example.com").await;
    let browser = blocking.signed_in_browser("ada@example.com").await;
    blocking.enroll_totp(&browser, "first").await;
    let (status, body) = post_json(
        &browser,
        blocking.url("/verification-srv/v2/setup/initiate/totp"),
        json!({}),
    )
    .await;
    assert_eq!(status, 409);
    assert!(
        body["error"]["error"]
            .as_str()
            .unwrap()
            .contains("Only one authenticator")
    );

    let overriding = TestApp::spawn_with(|c| c.totp_mode = "single_override".into()).await;
    overriding.create_user("ada@example.com").await;
    let browser = overriding.signed_in_browser("ada@example.com").await;
    let old = overriding.enroll_totp(&browser, "old").await;
    let new = overriding.enroll_totp(&browser, "new").await;
    let user = overriding
        .state
        .store
        .run(|c| store::users::find_user_by_email(c, "ada@example.com"))
        .await
        .unwrap()
        .unwrap();
    let list = overriding
        .state
        .store
        .run(move |c| store::authenticators::list_user_authenticators(c, &user.id))
        .await
        .unwrap();
    assert_eq!(
        list.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        vec![new.authenticator_id.as_str()]
    );
    let rp = overriding.confidential_client().await;
    let request_id = overriding.start_login(&overriding.browser(), &rp).await;
    let (_, status, _) = initiate_and_verify(
        &overriding,
        &CURRENT,
        &request_id,
        "ada@example.com",
        &old.code(&overriding, 0),
    )
    .await;
    assert_eq!(status, 401, "the replaced authenticator no longer works");
}

#[tokio::test]
async fn an_authenticator_keeps_its_parameters_when_the_defaults_change() {
    let strict = TestApp::spawn_with(|c| {
        c.totp_algorithm = "SHA256".into();
        c.totp_digits = 8;
        c.totp_period = 60;
    })
    .await;
    strict.create_user("ada@example.com").await;
    let browser = strict.signed_in_browser("ada@example.com").await;
    let (_, started) = post_json(
        &browser,
        strict.url("/verification-srv/v2/setup/initiate/totp"),
        json!({}),
    )
    .await;
    let uri = started["data"]["uri"].as_str().unwrap();
    assert!(
        uri.contains("algorithm=SHA256") && uri.contains("digits=8") && uri.contains("period=60"),
        "{uri}"
    );
    let secret = totp_rs::Secret::try_from_base32(started["data"]["totp_secret"].as_str().unwrap())
        .unwrap()
        .as_ref()
        .to_vec();
    let params = gatehouse::domain::totp::TotpParams {
        algorithm: gatehouse::domain::totp::TotpAlgorithm::Sha256,
        digits: 8,
        period: 60,
    };
    let code_at = |offset: i64| {
        gatehouse::domain::totp::code_at_step(
            &secret,
            params,
            params.step_at(strict.clock.now()) + offset,
        )
    };
    let exchange = started["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap();
    let (status, _) = post_json(
        &browser,
        strict.url("/verification-srv/v2/setup/enroll/totp"),
        json!({"exchange_id": exchange, "pass_code": code_at(0)}),
    )
    .await;
    assert_eq!(status, 200);

    // The same database served with the defaults back to SHA1/6/30: the app still works.
    let relaxed = gatehouse::Application::build_with_clock(
        gatehouse::Config {
            listen: "127.0.0.1:0".into(),
            totp_algorithm: "SHA1".into(),
            totp_digits: 6,
            totp_period: 30,
            ..strict.config.clone()
        },
        strict.clock.clone(),
    )
    .await
    .unwrap();
    let state = relaxed.state().clone();
    let user_id = state
        .store
        .run(|c| store::users::find_user_by_email(c, "ada@example.com"))
        .await
        .unwrap()
        .unwrap()
        .id;
    let outcome = gatehouse::flows::totp_check::check(
        &state,
        Some(&user_id),
        None,
        &code_at(1),
        gatehouse::flows::totp_check::Guesser::Anonymous,
    )
    .await
    .unwrap();
    assert!(
        matches!(
            outcome,
            gatehouse::flows::totp_check::TotpOutcome::Accepted { .. }
        ),
        "{outcome:?}"
    );
}
