//! Transaction approval through the JSON verification service (`usage_type=TRANSACTION`):
//! initiate TOTP with the `approval_id`, authenticate with the `exchange_id` and the code, as a
//! custom UI calling the cidaas SDK's `initiateMFA`/`authenticateMFA` would.

use serde_json::{Value, json};

use crate::approvals::{payment, setup, started, status, verify};
use crate::helpers::*;

const INITIATE: &str = "/verification-srv/v2/authenticate/initiate/totp";
const AUTHENTICATE: &str = "/verification-srv/v2/authenticate/authenticate/totp";

async fn initiate(app: &TestApp, approval_id: &str) -> (u16, Value) {
    post_json(
        &reqwest::Client::new(),
        app.url(INITIATE),
        json!({"usage_type": "TRANSACTION", "approval_id": approval_id, "type": "TOTP"}),
    )
    .await
}

async fn authenticate(app: &TestApp, exchange_id: &str, code: &str) -> (u16, Value) {
    post_json(
        &reqwest::Client::new(),
        app.url(AUTHENTICATE),
        json!({"exchange_id": exchange_id, "type": "TOTP", "passcode": code}),
    )
    .await
}

fn exchange(answer: &Value) -> String {
    answer["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_custom_ui_approves_a_transaction_with_the_verification_service() {
    let s = setup().await;
    let id = started(&s.app, &s.rp, &s.sub, payment()).await;
    let (code, started) = initiate(&s.app, &id).await;
    assert_eq!(code, 200, "{started}");
    // what the UI must show, and to whom the code belongs
    assert_eq!(started["data"]["approval_data"], payment());
    assert_eq!(started["data"]["medium_text"], "p***@example.com");

    let (code, approved) =
        authenticate(&s.app, &exchange(&started), &s.phone.code(&s.app, 0)).await;
    assert_eq!(code, 200, "{approved}");
    assert_eq!(approved["data"]["state"], "approved");
    let artifact = approved["data"]["artifact"].as_str().unwrap().to_owned();
    let claims = verify(&s.app, &s.rp, &artifact)
        .await
        .expect("a valid artifact");
    assert_eq!(claims["approval_id"], id.as_str());
    assert_eq!(claims["sub"], s.sub.as_str());
    assert_eq!(claims["approval_data"], payment());

    // the client reads the same outcome over its back channel
    let (code, read) = status(&s.app, &s.rp, &id).await;
    assert_eq!(code, 200);
    assert_eq!(read["state"], "approved");
    assert_eq!(read["artifact"], artifact.as_str());

    // the approval and its exchange are spent
    let (code, again) = initiate(&s.app, &id).await;
    assert_eq!(code, 400, "{again}");
    assert_eq!(again["error"]["code"], "invalid_approval_id");
    let (code, _) = authenticate(&s.app, &exchange(&started), &s.phone.code(&s.app, 1)).await;
    assert_eq!(code, 400);
}

#[tokio::test]
async fn a_wrong_or_replayed_code_approves_nothing() {
    let s = setup().await;
    let first = started(&s.app, &s.rp, &s.sub, payment()).await;
    let second = started(&s.app, &s.rp, &s.sub, json!({"amount": "1.00"})).await;
    let right = s.phone.code(&s.app, 0);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };

    let (_, a) = initiate(&s.app, &first).await;
    let (code, refused) = authenticate(&s.app, &exchange(&a), wrong).await;
    assert_eq!(code, 401, "{refused}");
    assert_eq!(refused["error"]["code"], "invalid_code");
    assert_eq!(status(&s.app, &s.rp, &first).await.1["state"], "pending");

    let (code, _) = authenticate(&s.app, &exchange(&a), &right).await;
    assert_eq!(code, 200);
    // the same code, a second transaction: refused (one code approves one transaction once)
    let (_, b) = initiate(&s.app, &second).await;
    let (code, replayed) = authenticate(&s.app, &exchange(&b), &right).await;
    assert_eq!(code, 401, "{replayed}");
    assert_eq!(status(&s.app, &s.rp, &second).await.1["state"], "pending");
}

#[tokio::test]
async fn only_an_authenticator_code_of_a_pending_approval_can_be_asked_for() {
    let s = setup().await;
    let id = started(&s.app, &s.rp, &s.sub, payment()).await;
    // another method
    let (code, email) = post_json(
        &reqwest::Client::new(),
        s.app
            .url("/verification-srv/v2/authenticate/initiate/email"),
        json!({"usage_type": "TRANSACTION", "approval_id": id, "type": "EMAIL"}),
    )
    .await;
    assert_eq!(code, 400, "{email}");
    assert_eq!(email["error"]["code"], "invalid_usage_type");
    // a made-up id, no id
    for body in [
        json!({"usage_type": "TRANSACTION", "approval_id": "made-up", "type": "TOTP"}),
        json!({"usage_type": "TRANSACTION", "type": "TOTP"}),
    ] {
        let (code, answer) = post_json(&reqwest::Client::new(), s.app.url(INITIATE), body).await;
        assert_eq!(code, 400, "{answer}");
        assert_eq!(answer["error"]["code"], "invalid_approval_id");
    }
    // expired after five minutes
    s.app.clock.advance(301);
    let (code, expired) = initiate(&s.app, &id).await;
    assert_eq!(code, 400, "{expired}");
    assert_eq!(status(&s.app, &s.rp, &id).await.1["state"], "expired");
}

#[tokio::test]
async fn twenty_parallel_json_approvals_with_one_code_approve_once() {
    let s = setup().await;
    let id = started(&s.app, &s.rp, &s.sub, payment()).await;
    let mut exchanges = Vec::new();
    for _ in 0..20 {
        exchanges.push(exchange(&initiate(&s.app, &id).await.1));
    }
    let code = s.phone.code(&s.app, 0);
    let attempts = exchanges.iter().map(|e| authenticate(&s.app, e, &code));
    let results = futures_util::future::join_all(attempts).await;
    let won = results.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(won, 1, "{results:?}");
    assert_eq!(status(&s.app, &s.rp, &id).await.1["state"], "approved");
}

#[tokio::test]
async fn a_transaction_status_finishes_no_sign_in() {
    let s = setup().await;
    let id = started(&s.app, &s.rp, &s.sub, payment()).await;
    let (_, started) = initiate(&s.app, &id).await;
    let (code, approved) =
        authenticate(&s.app, &exchange(&started), &s.phone.code(&s.app, 0)).await;
    assert_eq!(code, 200, "{approved}");
    let browser = s.app.browser();
    let request_id = s.app.start_login(&browser, &s.rp).await;
    let status_id = approved["data"]["status_id"].as_str().unwrap();
    let sub = approved["data"]["sub"].as_str().unwrap();
    for kind in ["TOTP", "EMAIL"] {
        let response = browser
            .post(s.app.url("/login-srv/verification/login"))
            .form(&[
                ("requestId", request_id.as_str()),
                ("status_id", status_id),
                ("verificationType", kind),
                ("sub", sub),
            ])
            .send()
            .await
            .unwrap();
        assert!(
            location(&response).contains("error=verification_failed"),
            "a code that approved a payment is not a sign-in"
        );
    }
}
