//! Attacks on transaction approvals: one code against many approvals at once, a replayed code,
//! guessing until the lock, another user, another client, a client without the permission and
//! data that is too large or not an object.

use serde_json::json;

use crate::approvals::*;
use crate::helpers::*;

/// Posts one code to each approval of `ids` (repeats allowed) all at once; the statuses, and
/// asserts that exactly one attempt succeeded (303) and the others were refused.
async fn approve_all_at_once(s: &Setup, ids: &[String]) -> Vec<u16> {
    let page = get_text(&s.browser, s.app.url(&format!("/approve/{}", ids[0]))).await;
    let csrf = hidden_field(&page, "csrf_token");
    let code = s.phone.code(&s.app, 0);
    let attempts = ids
        .iter()
        .map(|id| post_decision(&s.app, &s.browser, id, &csrf, "approve", &code));
    let statuses: Vec<u16> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(|(status, _)| status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [303, 409, 422].contains(s)),
        "refused as replayed or already decided: {statuses:?}"
    );
    statuses
}

#[tokio::test]
async fn twenty_parallel_approvals_with_one_code_succeed_once() {
    let s = setup().await;
    let id = started(&s.app, &s.rp, &s.sub, payment()).await;
    approve_all_at_once(&s, &vec![id.clone(); 20]).await;
    assert_eq!(status(&s.app, &s.rp, &id).await.1["state"], "approved");
}

#[tokio::test]
async fn one_code_approves_only_one_of_twenty_approvals_started_together() {
    let s = setup().await;
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(started(&s.app, &s.rp, &s.sub, json!({"n": i})).await);
    }
    approve_all_at_once(&s, &ids).await;
    let mut approved = 0;
    for id in &ids {
        if status(&s.app, &s.rp, id).await.1["state"] == "approved" {
            approved += 1;
        }
    }
    assert_eq!(approved, 1);
}

#[tokio::test]
async fn a_code_that_approved_one_transaction_is_refused_for_the_next() {
    let s = setup().await;
    let first = started(&s.app, &s.rp, &s.sub, json!({"n": 1})).await;
    let second = started(&s.app, &s.rp, &s.sub, json!({"n": 2})).await;
    let code = s.phone.code(&s.app, 0);
    assert_eq!(
        decide(&s.app, &s.browser, &first, "approve", &code).await.0,
        303
    );
    let (status_code, page) = decide(&s.app, &s.browser, &second, "approve", &code).await;
    assert_eq!(status_code, 422);
    assert!(page.contains("already used"), "{page}");
    assert_eq!(status(&s.app, &s.rp, &second).await.1["state"], "pending");
    // a wrong code is refused too, and the next code of the app works
    let (status_code, page) = decide(&s.app, &s.browser, &second, "approve", "000000").await;
    assert_eq!(status_code, 422);
    assert!(page.contains("not right") || page.contains("already used"));
    s.app.clock.advance(30);
    let next = s.phone.code(&s.app, 0);
    assert_eq!(
        decide(&s.app, &s.browser, &second, "approve", &next)
            .await
            .0,
        303
    );
}

#[tokio::test]
async fn wrong_codes_lock_the_authenticator_as_at_sign_in() {
    let s = setup().await;
    let id = started(&s.app, &s.rp, &s.sub, payment()).await;
    let valid: Vec<String> = (-2..=2).map(|k| s.phone.code(&s.app, k)).collect();
    let wrong = (0..=9)
        .map(|d: u8| d.to_string().repeat(6))
        .find(|c| !valid.contains(c))
        .unwrap();
    for _ in 0..5 {
        let (code, page) = decide(&s.app, &s.browser, &id, "approve", &wrong).await;
        assert_eq!(code, 422);
        assert!(
            page.contains("not right") || page.contains("locked"),
            "{page}"
        );
    }
    let (code, page) = decide(&s.app, &s.browser, &id, "approve", &s.phone.code(&s.app, 0)).await;
    assert_eq!(code, 422, "the right code after the lock is refused");
    assert!(page.contains("locked"), "{page}");
    assert_eq!(status(&s.app, &s.rp, &id).await.1["state"], "pending");
}

#[tokio::test]
async fn another_signed_in_user_can_neither_see_nor_approve_it() {
    let s = setup().await;
    s.app.create_user("mallory@example.com").await;
    let mallory = s.app.signed_in_browser("mallory@example.com").await;
    let mallory_phone = s.app.enroll_totp(&mallory, "Mallory").await;
    let id = started(&s.app, &s.rp, &s.sub, payment()).await;

    let response = mallory
        .get(s.app.url(&format!("/approve/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let page = response.text().await.unwrap();
    assert!(
        !page.contains("TX12345") && !page.contains("1500.00"),
        "no leak"
    );

    // with a valid form of her own, and her own right code
    let own = get_text(&mallory, s.app.url("/account")).await;
    let csrf = hidden_field(&own, "csrf_token");
    let (code, _) = post_decision(
        &s.app,
        &mallory,
        &id,
        &csrf,
        "approve",
        &mallory_phone.code(&s.app, 0),
    )
    .await;
    assert_eq!(code, 403);
    assert_eq!(status(&s.app, &s.rp, &id).await.1["state"], "pending");
}

#[tokio::test]
async fn another_client_reading_the_status_gets_404() {
    let s = setup().await;
    let other = approving_client(&s.app, "Other").await;
    let id = started(&s.app, &s.rp, &s.sub, payment()).await;
    let (code, body) = status(&s.app, &other, &id).await;
    assert_eq!(code, 404);
    assert_eq!(body["error"], "not_found");
    let (code, _) = status(&s.app, &s.rp, "no-such-approval").await;
    assert_eq!(code, 404);
    let response = reqwest::get(s.app.url(&format!("/approvals/{id}")))
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "client authentication is required");
}

#[tokio::test]
async fn a_client_without_the_permission_gets_403_in_json() {
    let s = setup().await;
    let plain = s.app.confidential_client().await;
    let (code, body) = start(
        &s.app,
        &plain,
        json!({"sub": s.sub, "approval_data": payment()}),
    )
    .await;
    assert_eq!(code, 403);
    assert_eq!(body["error"], "unauthorized_client");
    let wrong_secret = Rp {
        client_secret: Some("wrong".into()),
        ..s.rp.clone()
    };
    let (code, body) = start(
        &s.app,
        &wrong_secret,
        json!({"sub": s.sub, "approval_data": payment()}),
    )
    .await;
    assert_eq!(
        (code, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
}

#[tokio::test]
async fn oversize_or_malformed_approval_data_gets_a_400_json_error() {
    let s = setup().await;
    let big = json!({"note": "x".repeat(5000)});
    for (body, says) in [
        (json!({"sub": s.sub, "approval_data": big}), "at most 4096"),
        (
            json!({"sub": s.sub, "approval_data": [1, 2]}),
            "JSON object",
        ),
        (json!({"sub": s.sub}), "required"),
        (json!({"approval_data": {"a": 1}}), "sub"),
        (json!({"sub": "nobody", "approval_data": {"a": 1}}), "sub"),
    ] {
        let (code, answer) = start(&s.app, &s.rp, body).await;
        assert_eq!(code, 400, "{answer}");
        assert_eq!(answer["error"], "invalid_request");
        assert!(
            answer["error_description"].as_str().unwrap().contains(says),
            "{answer}"
        );
    }
}
