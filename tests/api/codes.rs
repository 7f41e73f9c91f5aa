//! One-time codes by email, SMS and push through the verification service (API.md §4, §6),
//! delivered to a real SMTP server and real HTTP servers on loopback.

use std::time::Duration;

use crate::helpers::*;
use crate::http_recorder::HttpRecorder;
use crate::management::management_token;
use crate::smtp_server::SmtpServer;
use crate::totp::{CURRENT, V2, decode_claims, path};
use gatehouse::store;
use serde_json::{Value, json};

const ADA: &str = "ada@example.com";

async fn with_mail() -> (TestApp, SmtpServer) {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |c| c.smtp_url = Some(url)).await;
    (app, smtp)
}

/// Initiates `kind` for `who` in a login; returns the initiate answer.
async fn initiate(
    app: &TestApp,
    family: &[&str; 5],
    kind: &str,
    request_id: &str,
    who: Value,
) -> (u16, Value) {
    let mut body = json!({"request_id": request_id, "usage_type": "PASSWORDLESS_AUTHENTICATION"});
    body.as_object_mut()
        .unwrap()
        .extend(who.as_object().unwrap().clone());
    post_json(
        &reqwest::Client::new(),
        app.url(&path(family, 1, kind)),
        body,
    )
    .await
}

fn exchange_of(answer: &Value) -> String {
    answer["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn verify(
    app: &TestApp,
    family: &[&str; 5],
    kind: &str,
    exchange: &str,
    code: &str,
) -> (u16, Value) {
    post_json(
        &reqwest::Client::new(),
        app.url(&path(family, 2, kind)),
        json!({"exchange_id": exchange, "pass_code": code}),
    )
    .await
}

/// Finishes a verified passwordless login in `browser`; returns the ID token's claims.
async fn finish(
    app: &TestApp,
    browser: &reqwest::Client,
    rp: &Rp,
    request_id: &str,
    verified: &Value,
    kind: &str,
) -> Value {
    let finish = browser
        .post(app.url("/login-srv/verification/login"))
        .form(&[
            ("requestId", request_id),
            ("status_id", verified["data"]["status_id"].as_str().unwrap()),
            ("verificationType", kind),
            ("sub", verified["data"]["sub"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    let back = location(&finish);
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    let code = param(&query_pairs(&back), "code").unwrap();
    let tokens: Value = app.redeem(rp, &code).await.json().await.unwrap();
    decode_claims(tokens["id_token"].as_str().unwrap())
}

async fn resend(app: &TestApp, kind: &str, exchange: &str) -> (u16, Value) {
    post_json(
        &reqwest::Client::new(),
        app.url(&format!("/verification-srv/authentication/{kind}/resend")),
        json!({"exchange_id": exchange}),
    )
    .await
}

#[tokio::test]
async fn an_email_code_signs_in_passwordless_through_both_path_families() {
    let (app, smtp) = with_mail().await;
    app.create_user(ADA).await;
    let rp = app
        .create_client(ClientSpec {
            name: "Acme Shop",
            ..ClientSpec::default()
        })
        .await;
    for (n, family) in [&CURRENT, &V2].into_iter().enumerate() {
        let browser = app.browser();
        let request_id = app.start_login(&browser, &rp).await;
        let (_, list) = post_json(
            &reqwest::Client::new(),
            app.url(family[0]),
            json!({"request_id": request_id, "email": ADA}),
        )
        .await;
        assert_eq!(
            list["data"]["configured_list"],
            json!([{"type": "EMAIL", "mediums": [{"id": "email", "key_name": "a***@example.com"}]}, {"type": "PASSWORD"}])
        );
        let (status, started) =
            initiate(&app, family, "email", &request_id, json!({"email": ADA})).await;
        assert_eq!(status, 200, "{started}");
        assert_eq!(started["data"]["medium_text"], "a***@example.com");
        let mail = smtp.wait_for_mail(ADA, n + 1).await.pop().unwrap();
        assert_eq!(mail.subject(), "Your sign-in code for Acme Shop");
        let code = mail.code();
        assert_eq!(code.len(), 6);
        assert!(
            mail.text_body().contains("valid for 5 minutes"),
            "{}",
            mail.text_body()
        );
        assert!(mail.html_body().contains(&code));

        // stored as a keyed hash, and sealed for resending: never in the clear
        let id = started["data"]["status_id"].as_str().unwrap().to_owned();
        let row = app
            .state
            .store
            .run(move |c| store::one_time_codes::find_code(c, &id))
            .await
            .unwrap()
            .unwrap();
        assert!(!row.code_hash.contains(&code));
        assert!(!row.sealed_code.windows(6).any(|w| w == code.as_bytes()));

        let (status, verified) = verify(&app, family, "EMAIL", &exchange_of(&started), &code).await;
        assert_eq!(status, 200, "{verified}");
        let claims = finish(&app, &browser, &rp, &request_id, &verified, "EMAIL").await;
        assert_eq!(claims["amr"], json!(["mail"]));
        // one code per person and channel at a time: the next may go out after the cooldown
        app.clock.advance(30);
        assert_eq!(claims["email"], ADA);
    }
}

#[tokio::test]
async fn a_resend_waits_for_the_cooldown_sends_the_same_code_and_keeps_the_failure_count() {
    let (app, smtp) = with_mail().await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let (_, started) = initiate(&app, &CURRENT, "email", &request_id, json!({"email": ADA})).await;
    let exchange = exchange_of(&started);
    let first = smtp.wait_for_mail(ADA, 1).await[0].code();

    let (status, too_soon) = resend(&app, "email", &exchange).await;
    assert_eq!(status, 429, "{too_soon}");
    assert_eq!(too_soon["error"]["code"], "resend_too_soon");
    // 30 s from the send; 29 when the wall clock ticked over in between
    let message = too_soon["error"]["error"].as_str().unwrap();
    assert!(
        message.contains("again in 30 seconds") || message.contains("again in 29 seconds"),
        "{message}"
    );

    let wrong = if first == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..3 {
        let (status, _) = verify(&app, &CURRENT, "email", &exchange, wrong).await;
        assert_eq!(status, 401);
    }
    app.clock.advance(30);
    let (status, again) = resend(&app, "email", &exchange).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(exchange_of(&again), exchange, "the exchange stays the same");
    let mails = smtp.wait_for_mail(ADA, 2).await;
    assert_eq!(
        mails[1].code(),
        first,
        "a resend sends the same, still valid code"
    );

    // the resend did not reset the count: two more wrong codes complete the five
    let (status, _) = verify(&app, &CURRENT, "email", &exchange, wrong).await;
    assert_eq!(status, 401);
    let (status, locked) = verify(&app, &CURRENT, "email", &exchange, wrong).await;
    assert_eq!(status, 429, "{locked}");
    assert_eq!(locked["error"]["code"], "code_locked");
    let (status, _) = verify(&app, &CURRENT, "email", &exchange, &first).await;
    assert_eq!(status, 429, "while locked even the right code is refused");

    // a new code cannot be asked for while locked; after five minutes it can
    let (status, refused) =
        initiate(&app, &CURRENT, "email", &request_id, json!({"email": ADA})).await;
    assert_eq!(status, 429, "{refused}");
    app.clock.advance(5 * 60);
    let (status, _) = initiate(&app, &CURRENT, "email", &request_id, json!({"email": ADA})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_email_code_expires_and_is_single_use() {
    let (app, smtp) = with_mail().await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let (_, started) = initiate(&app, &V2, "email", &request_id, json!({"email": ADA})).await;
    let code = smtp.wait_for_mail(ADA, 1).await[0].code();
    app.clock.advance(5 * 60 + 1);
    let (status, expired) = verify(&app, &V2, "email", &exchange_of(&started), &code).await;
    assert_eq!(status, 400, "{expired}");
    let (status, gone) = resend(&app, "email", &exchange_of(&started)).await;
    assert_eq!(status, 400, "an expired code is not sent again: {gone}");

    let (_, started) = initiate(&app, &V2, "email", &request_id, json!({"email": ADA})).await;
    let code = smtp.wait_for_mail(ADA, 2).await[1].code();
    let (status, verified) = verify(&app, &V2, "email", &exchange_of(&started), &code).await;
    assert_eq!(status, 200);
    // the exchange moved on; the old one and the code are spent
    let (status, _) = verify(&app, &V2, "email", &exchange_of(&started), &code).await;
    assert_eq!(status, 400);
    let (status, _) = verify(&app, &V2, "email", &exchange_of(&verified), &code).await;
    assert_eq!(status, 400, "the verified exchange accepts no second code");
}

#[tokio::test]
async fn twenty_parallel_submissions_of_one_email_code_give_exactly_one_success() {
    let (app, smtp) = with_mail().await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let (_, started) = initiate(&app, &CURRENT, "email", &request_id, json!({"email": ADA})).await;
    let exchange = exchange_of(&started);
    let code = smtp.wait_for_mail(ADA, 1).await[0].code();
    let attempts = (0..20).map(|_| {
        let (app_url, exchange, code) = (
            app.url(&path(&CURRENT, 2, "email")),
            exchange.clone(),
            code.clone(),
        );
        tokio::spawn(async move {
            post_json(
                &reqwest::Client::new(),
                app_url,
                json!({"exchange_id": exchange, "pass_code": code}),
            )
            .await
            .0
        })
    });
    let statuses: Vec<u16> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 400),
        "{statuses:?}"
    );
    // the losers submitted the right code: none of them counts as a wrong guess
    let user = app
        .state
        .store
        .run(|c| store::users::find_user_by_email(c, ADA))
        .await
        .unwrap()
        .unwrap();
    let subject = format!("user:{}", user.id);
    let locked = app
        .state
        .store
        .run(move |c| {
            store::code_lockouts::record_failure(
                c,
                &subject,
                "email",
                &gatehouse::domain::policy::LockoutPolicy::default(),
                0,
            )
        })
        .await
        .unwrap();
    assert_eq!(
        locked,
        store::authenticators::FailureCount::Counted {
            failures: 1,
            locked_until: None
        },
        "no failure was counted before this one"
    );
}

#[tokio::test]
async fn an_unknown_email_gets_the_same_answers_and_no_mail_is_sent() {
    let (app, smtp) = with_mail().await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let mut shapes = Vec::new();
    for who in [ADA, "nobody@example.com"] {
        let (_, list) = post_json(
            &reqwest::Client::new(),
            app.url(CURRENT[0]),
            json!({"request_id": request_id, "email": who}),
        )
        .await;
        let types: Vec<&str> = list["data"]["configured_list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap())
            .collect();
        assert_eq!(types, ["EMAIL", "PASSWORD"]);
        let (status, started) =
            initiate(&app, &CURRENT, "email", &request_id, json!({"email": who})).await;
        assert_eq!(status, 200);
        let (status, wrong) =
            verify(&app, &CURRENT, "email", &exchange_of(&started), "123456").await;
        shapes.push((
            status,
            wrong["error"]["code"].clone(),
            started["data"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>(),
        ));
    }
    assert_eq!(shapes[0].0, 401);
    assert_eq!(shapes[0], shapes[1]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(smtp.mails_to("nobody@example.com").is_empty());
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test]
async fn a_refusing_mail_server_gives_a_clear_error_leaves_nothing_behind_and_is_logged() {
    let smtp = SmtpServer::start_failing().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |c| c.smtp_url = Some(url)).await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let (status, failed) =
        initiate(&app, &CURRENT, "email", &request_id, json!({"email": ADA})).await;
    assert_eq!(status, 417, "{failed}");
    assert_eq!(failed["error"]["code"], "delivery_failed");
    assert!(
        failed["error"]["error"]
            .as_str()
            .unwrap()
            .contains("another way")
    );
    let leftover = app
        .state
        .store
        .run(|c| store::one_time_codes::delete_expired_codes(c, i64::MAX))
        .await
        .unwrap();
    assert_eq!(leftover, 0, "no code row stays behind");

    let token = management_token(&app).await;
    let log: Value = reqwest::Client::new()
        .get(app.url("/v1/deliveries?failed=true"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = &log["data"]["deliveries"][0];
    assert_eq!(entry["channel"], "email");
    assert_eq!(entry["destination"], "a***@example.com");
    assert_eq!(entry["status"], "failed");
    assert_eq!(entry["provider"], "smtp");
    assert!(entry["detail"].as_str().unwrap().contains("554"), "{entry}");
}

#[tokio::test]
async fn while_the_mail_server_refuses_an_unknown_address_gets_the_same_failure() {
    let smtp = SmtpServer::start_failing().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |c| c.smtp_url = Some(url)).await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let mut answers = Vec::new();
    for email in [ADA, "nobody@example.com"] {
        let request_id = app.start_login(&app.browser(), &rp).await;
        let (status, mut body) = initiate(
            &app,
            &CURRENT,
            "email",
            &request_id,
            json!({"email": email}),
        )
        .await;
        body["error"]["referenceNumber"] = Value::Null;
        answers.push((status, body));
    }
    assert_eq!(answers[0].0, 417, "{:?}", answers[0]);
    assert_eq!(
        answers[0], answers[1],
        "a failing mail server tells nothing apart"
    );
    let leftover = app
        .state
        .store
        .run(|c| store::one_time_codes::delete_expired_codes(c, i64::MAX))
        .await
        .unwrap();
    assert_eq!(leftover, 0, "no code row stays behind for either");
}

/// The code in an SMS or push text: its first six digits.
fn code_in(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn an_sms_code_goes_through_the_webhook_connector_and_signs_in() {
    let sms = HttpRecorder::start().await;
    let url = sms.url("/send-sms");
    let app = TestApp::spawn_with(move |c| {
        c.sms_provider = "webhook".into();
        c.sms_url = Some(url);
        c.sms_username = Some("gatehouse".into());
        c.sms_password = Some("hook-secret".into());
        c.sms_from = Some("Gatehouse".into());
    })
    .await;
    app.create_user_with_phone(ADA, Some("+49 151 1234 5678"))
        .await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let (_, list) = post_json(
        &reqwest::Client::new(),
        app.url(V2[0]),
        json!({"request_id": request_id, "email": ADA}),
    )
    .await;
    assert_eq!(
        list["data"]["configured_list"][1],
        json!({"type": "SMS", "mediums": [{"id": "sms", "key_name": "•••• 5678"}]})
    );

    let (status, started) = initiate(&app, &V2, "sms", &request_id, json!({"email": ADA})).await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(started["data"]["medium_text"], "•••• 5678");
    let sent = &sms.wait_for_requests(1).await[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path_only(), "/send-sms");
    assert_eq!(
        sent.basic_auth(),
        Some(("gatehouse".into(), "hook-secret".into()))
    );
    let body = sent.json();
    assert_eq!(body["to"], "+4915112345678");
    assert_eq!(body["from"], "Gatehouse");
    let text = body["message"].as_str().unwrap();
    assert!(text.contains("Valid for 5 min"), "{text}");

    let (status, verified) = verify(&app, &V2, "sms", &exchange_of(&started), &code_in(text)).await;
    assert_eq!(status, 200, "{verified}");
    let claims = finish(&app, &browser, &rp, &request_id, &verified, "SMS").await;
    assert_eq!(claims["amr"], json!(["sms"]));

    // an account without a phone number, and an unknown one, get the same refusal
    app.create_user("bob@example.com").await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    for who in ["bob@example.com", "nobody@example.com"] {
        let (status, refused) =
            initiate(&app, &V2, "sms", &request_id, json!({"email": who})).await;
        assert_eq!(status, 400, "{refused}");
        assert_eq!(refused["error"]["code"], "method_not_available");
    }
}

#[tokio::test]
async fn the_twilio_preset_posts_a_form_with_basic_auth_and_logs_the_message_sid() {
    let twilio =
        HttpRecorder::start_with(201, r#"{"sid": "SM0123456789", "status": "queued"}"#).await;
    let url = twilio.url("");
    let app = TestApp::spawn_with(move |c| {
        c.sms_provider = "twilio".into();
        c.sms_url = Some(url);
        c.sms_username = Some("AC42".into());
        c.sms_password = Some("twilio-token".into());
        c.sms_from = Some("+15005550006".into());
    })
    .await;
    app.create_user_with_phone(ADA, Some("+4915112345678"))
        .await;
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let (status, _) = initiate(&app, &CURRENT, "sms", &request_id, json!({"email": ADA})).await;
    assert_eq!(status, 200);
    let sent = &twilio.wait_for_requests(1).await[0];
    assert_eq!(sent.path_only(), "/2010-04-01/Accounts/AC42/Messages.json");
    assert_eq!(
        sent.basic_auth(),
        Some(("AC42".into(), "twilio-token".into()))
    );
    assert_eq!(sent.form_value("To").as_deref(), Some("+4915112345678"));
    assert_eq!(sent.form_value("From").as_deref(), Some("+15005550006"));
    assert_eq!(code_in(&sent.form_value("Body").unwrap()).len(), 6);

    let token = management_token(&app).await;
    let log: Value = reqwest::Client::new()
        .get(app.url("/v1/deliveries"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = &log["data"]["deliveries"][0];
    assert_eq!(
        (entry["provider"].as_str(), entry["status"].as_str()),
        (Some("twilio"), Some("sent"))
    );
    assert_eq!(entry["detail"], "sid SM0123456789");
    assert_eq!(entry["destination"], "•••• 5678");
}

#[tokio::test]
async fn a_failing_sms_provider_is_reported_to_the_user_and_in_the_delivery_log() {
    let sms = HttpRecorder::start_with(503, "upstream carrier down").await;
    let url = sms.url("/sms");
    let app = TestApp::spawn_with(move |c| {
        c.sms_provider = "webhook".into();
        c.sms_url = Some(url);
    })
    .await;
    app.create_user_with_phone(ADA, Some("+4915112345678"))
        .await;
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let (status, failed) =
        initiate(&app, &CURRENT, "sms", &request_id, json!({"email": ADA})).await;
    assert_eq!(status, 417, "{failed}");
    assert_eq!(failed["error"]["code"], "delivery_failed");
    let token = management_token(&app).await;
    let log: Value = reqwest::Client::new()
        .get(app.url("/v1/deliveries?failed=true"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        log["data"]["deliveries"][0]["detail"],
        "HTTP 503: upstream carrier down"
    );
    // the other methods are still there to choose from
    let (_, list) = post_json(
        &reqwest::Client::new(),
        app.url(CURRENT[0]),
        json!({"request_id": request_id, "email": ADA}),
    )
    .await;
    let types: Vec<&str> = list["data"]["configured_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["EMAIL", "SMS", "PASSWORD"]);
}

#[tokio::test]
async fn a_registered_push_device_receives_the_code_through_ntfy() {
    let ntfy = HttpRecorder::start().await;
    let url = ntfy.url("");
    let app = TestApp::spawn_with(move |c| {
        c.push_provider = "ntfy".into();
        c.push_url = Some(url);
        c.push_token = Some("tk_push".into());
    })
    .await;
    app.create_user(ADA).await;

    // registering needs a signed-in user
    let (status, _) = post_json(
        &reqwest::Client::new(),
        app.url("/verification-srv/v2/setup/push/register"),
        json!({"push_token": "x"}),
    )
    .await;
    assert_eq!(status, 401);
    let account = app.signed_in_browser(ADA).await;
    let (status, bad) = post_json(
        &account,
        app.url("/verification-srv/v2/setup/push/register"),
        json!({"push_token": ""}),
    )
    .await;
    assert_eq!(status, 400, "{bad}");
    let (status, device) = post_json(
        &account,
        app.url("/verification-srv/v2/setup/push/register"),
        json!({"push_token": "ada-phone-7f3a", "device_name": "Ada's Pixel"}),
    )
    .await;
    assert_eq!(status, 200, "{device}");
    let device_id = device["data"]["device_id"].as_str().unwrap().to_owned();
    assert!(
        device["data"].get("push_token").is_none(),
        "the token is never shown again"
    );

    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let (_, list) = post_json(
        &reqwest::Client::new(),
        app.url(CURRENT[0]),
        json!({"request_id": request_id, "email": ADA}),
    )
    .await;
    assert_eq!(
        list["data"]["configured_list"][1],
        json!({"type": "PUSH", "mediums": [{"id": device_id, "key_name": "Ada's Pixel"}]})
    );
    let (status, started) = initiate(
        &app,
        &CURRENT,
        "push",
        &request_id,
        json!({"email": ADA, "medium_id": device_id}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(started["data"]["medium_text"], "Ada's Pixel");
    let sent = &ntfy.wait_for_requests(1).await[0];
    assert_eq!(sent.path_only(), "/ada-phone-7f3a");
    assert_eq!(sent.bearer_token().as_deref(), Some("tk_push"));
    assert_eq!(sent.header("title"), Some("Your sign-in code"));
    let (status, verified) = verify(
        &app,
        &CURRENT,
        "push",
        &exchange_of(&started),
        &code_in(&sent.body_text()),
    )
    .await;
    assert_eq!(status, 200, "{verified}");
    let claims = finish(&app, &browser, &rp, &request_id, &verified, "PUSH").await;
    assert_eq!(claims["amr"], json!(["otp"]));

    // the device can be listed and removed
    let listed: Value = account
        .get(app.url("/verification-srv/v2/setup/push/devices"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"]["devices"][0]["device_name"], "Ada's Pixel");
    let removed = account
        .delete(app.url(&format!(
            "/verification-srv/v2/setup/push/devices/{device_id}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 200);
    let (status, _) = initiate(&app, &CURRENT, "push", &request_id, json!({"email": ADA})).await;
    assert_eq!(status, 400, "no device left");
}

#[tokio::test]
async fn an_operator_replaces_the_sms_and_mail_templates_per_channel() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("code_sms.txt"),
        "{{ app }}: {{code}} is your {{ noun }} ({{ minutes }} min)\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("code_email.subject"), "Code for {{ app }}").unwrap();
    std::fs::write(
        dir.path().join("code_email.html"),
        "<p>{{ lead }} <b>{{ code }}</b></p>",
    )
    .unwrap();
    let (sms, smtp) = (HttpRecorder::start().await, SmtpServer::start().await);
    let (sms_url, smtp_url, message_dir) = (
        sms.url("/sms"),
        smtp.url(),
        dir.path().display().to_string(),
    );
    let app = TestApp::spawn_with(move |c| {
        c.sms_provider = "webhook".into();
        c.sms_url = Some(sms_url);
        c.smtp_url = Some(smtp_url);
        c.message_dir = Some(message_dir);
    })
    .await;
    app.create_user_with_phone(ADA, Some("+4915112345678"))
        .await;
    let rp = app
        .create_client(ClientSpec {
            name: "Tom & Jerry's",
            ..ClientSpec::default()
        })
        .await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    initiate(&app, &CURRENT, "sms", &request_id, json!({"email": ADA})).await;
    let text = sms.wait_for_requests(1).await[0].json()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        text,
        format!(
            "Tom & Jerry's: {} is your sign-in code (5 min)",
            code_in(&text)
        )
    );

    initiate(&app, &CURRENT, "email", &request_id, json!({"email": ADA})).await;
    let mail = smtp.wait_for_mail(ADA, 1).await.pop().unwrap();
    assert_eq!(mail.subject(), "Code for Tom & Jerry's");
    assert!(
        mail.html_body().contains("Tom &#38; Jerry&#39;s:")
            || mail.html_body().contains("Tom &amp; Jerry"),
        "{}",
        mail.html_body()
    );
    assert!(
        mail.html_body()
            .contains(&format!("<b>{}</b>", mail.code()))
    );
    assert!(
        mail.text_body().contains("valid for 5 minutes"),
        "the text body keeps the built-in template"
    );
}

#[tokio::test]
async fn a_second_initiate_within_the_cooldown_sends_nothing_new() {
    let (app, smtp) = with_mail().await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let (status, first) =
        initiate(&app, &CURRENT, "email", &request_id, json!({"email": ADA})).await;
    assert_eq!(status, 200);
    // the cidaas way to resend: the same live exchange again, no second message
    let (status, again) = initiate(&app, &V2, "email", &request_id, json!({"email": ADA})).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(exchange_of(&again), exchange_of(&first));
    // an unknown address is answered alike
    let mut exchanges = Vec::new();
    for _ in 0..3 {
        let (status, unknown) = initiate(
            &app,
            &CURRENT,
            "email",
            &request_id,
            json!({"email": "nobody@example.com"}),
        )
        .await;
        assert_eq!(status, 200, "{unknown}");
        exchanges.push(exchange_of(&unknown));
    }
    assert!(exchanges.iter().all(|e| *e == exchanges[0]));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(smtp.messages().len(), 1);
    app.clock.advance(30);
    let (status, _) = initiate(&app, &CURRENT, "email", &request_id, json!({"email": ADA})).await;
    assert_eq!(status, 200);
    assert_eq!(smtp.wait_for_mail(ADA, 2).await.len(), 2);
}
