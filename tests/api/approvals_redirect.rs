//! Transaction approvals asked for on the authorization request (RFC 9396
//! `authorization_details` of type `transaction_approval`): after the sign-in the user approves
//! the data before the code is issued, and the token response carries the artifact.

use serde_json::{Value, json};

use crate::approvals::*;
use crate::helpers::*;

fn details(data: &Value) -> String {
    json!([{"type": "transaction_approval", "approval_data": data}]).to_string()
}

/// Authorizes `rp` in a new browser with `authorization_details` for `data`, signs in and
/// returns (browser, where the sign-in sent it).
async fn authorize_with(s: &Setup, rp: &Rp, data: &Value) -> (reqwest::Client, String) {
    let browser = s.app.browser();
    let details = details(data);
    let mut params = code_request(rp);
    params.extend([
        ("state", "state-9"),
        ("nonce", "nonce-9"),
        ("authorization_details", details.as_str()),
    ]);
    let response = s.app.authorize(&browser, &params).await;
    let login = location(&response);
    assert!(login.starts_with("/login?requestId="), "{login}");
    let next = password_and_code(s, &browser, &login).await;
    (browser, next)
}

/// The approval id of an absolute approval page URL.
fn approval_id(app: &TestApp, url: &str) -> String {
    url.strip_prefix(&format!("{}/approve/", app.base))
        .unwrap_or_else(|| panic!("the approval page, got {url}"))
        .to_owned()
}

/// Follows a 303 back to the authorization endpoint; the parameters it sends to the client.
async fn back_to_client(
    s: &Setup,
    browser: &reqwest::Client,
    resume: &str,
) -> Vec<(String, String)> {
    assert!(resume.starts_with("/authz-srv/authz?"), "{resume}");
    let response = browser.get(s.app.url(resume)).send().await.unwrap();
    let back = location(&response);
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    query_pairs(&back)
}

#[tokio::test]
async fn an_approval_in_authorization_details_comes_before_the_code_and_the_token_response_carries_it()
 {
    let s = setup().await;
    let data = json!({"amount": "250.00", "currency": "EUR", "payee": "Bob"});
    let (browser, next) = authorize_with(&s, &s.rp, &data).await;
    let id = approval_id(&s.app, &next);

    let page = get_text(&browser, s.app.url(&format!("/approve/{id}"))).await;
    assert!(page.contains("250.00") && page.contains("Bob"));
    let csrf = hidden_field(&page, "csrf_token");
    let response = browser
        .post(s.app.url(&format!("/approve/{id}")))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("decision", "approve"),
            ("pass_code", &s.phone.code(&s.app, 0)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let resume = location(&response);
    let pairs = back_to_client(&s, &browser, &resume).await;
    assert_eq!(param(&pairs, "state").as_deref(), Some("state-9"));
    let code = param(&pairs, "code").expect("a code once approved");

    let tokens: Value = s.app.redeem(&s.rp, &code).await.json().await.unwrap();
    let entry = &tokens["authorization_details"][0];
    assert_eq!(entry["type"], "transaction_approval");
    assert_eq!(entry["approval_id"], id.as_str());
    assert_eq!(entry["state"], "approved");
    assert_eq!(entry["approval_data"], data);
    let claims = verify(&s.app, &s.rp, entry["artifact"].as_str().unwrap())
        .await
        .expect("the artifact verifies");
    assert_eq!(claims["approval_data"], data);
    assert_eq!(claims["sub"], s.sub.as_str());
    assert!(tokens["id_token"].is_string(), "the sign-in's tokens too");

    // the same approval does not go into a second code
    let again = back_to_client(&s, &browser, &resume).await;
    assert_eq!(param(&again, "error").as_deref(), Some("access_denied"));
}

#[tokio::test]
async fn a_declined_approval_ends_the_request_with_access_denied() {
    let s = setup().await;
    let (browser, next) = authorize_with(&s, &s.rp, &json!({"amount": "1.00"})).await;
    let id = approval_id(&s.app, &next);
    let page = get_text(&browser, s.app.url(&format!("/approve/{id}"))).await;
    let csrf = hidden_field(&page, "csrf_token");
    let response = browser
        .post(s.app.url(&format!("/approve/{id}")))
        .form(&[("csrf_token", csrf.as_str()), ("decision", "decline")])
        .send()
        .await
        .unwrap();
    let pairs = back_to_client(&s, &browser, &location(&response)).await;
    assert_eq!(param(&pairs, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&pairs, "state").as_deref(), Some("state-9"));
    assert!(param(&pairs, "code").is_none());
}

#[tokio::test]
async fn a_client_without_the_permission_gets_invalid_authorization_details() {
    let s = setup().await;
    let plain = s.app.confidential_client().await;
    let browser = s.app.browser();
    let details = details(&json!({"amount": "1.00"}));
    let mut params = code_request(&plain);
    params.push(("authorization_details", details.as_str()));
    let back = location(&s.app.authorize(&browser, &params).await);
    assert_eq!(
        param(&query_pairs(&back), "error").as_deref(),
        Some("invalid_authorization_details"),
        "{back}"
    );
}

#[tokio::test]
async fn prompt_none_with_an_approval_to_answer_gets_interaction_required() {
    let s = setup().await;
    // a full sign-in (password and code) in this browser, its approval left pending
    let (browser, _) = authorize_with(&s, &s.rp, &json!({"amount": "1.00"})).await;
    let details = details(&json!({"amount": "2.00"}));
    let mut params = code_request(&s.rp);
    params.extend([
        ("prompt", "none"),
        ("authorization_details", details.as_str()),
    ]);
    let back = location(&s.app.authorize(&browser, &params).await);
    assert_eq!(
        param(&query_pairs(&back), "error").as_deref(),
        Some("interaction_required"),
        "{back}"
    );
}
