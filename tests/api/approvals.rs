//! Transaction approvals (issue 15): a client starts one over the back channel, the user
//! approves it on the hosted page with an authenticator code, and the client gets a JWS that is
//! checked here with the `jsonwebtoken` crate against `/.well-known/jwks.json` only — not with
//! our signing code — and whose data hash is recomputed with an RFC 8785 library.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::*;

pub const EMAIL: &str = "payer@example.com";

/// A client allowed to request approvals, a user with an authenticator, signed in in `browser`.
pub struct Setup {
    pub app: TestApp,
    pub rp: Rp,
    pub sub: String,
    pub browser: reqwest::Client,
    pub phone: Phone,
}

/// A confidential client named `name` that may request approvals.
pub async fn approving_client(app: &TestApp, name: &'static str) -> Rp {
    app.create_client(ClientSpec {
        name,
        approvals: true,
        ..ClientSpec::default()
    })
    .await
}

pub async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let sub = app.create_user(EMAIL).await;
    let rp = approving_client(&app, "Test App").await;
    let browser = app.signed_in_browser(EMAIL).await;
    let phone = app.enroll_totp(&browser, "Phone").await;
    Setup {
        app,
        rp,
        sub,
        browser,
        phone,
    }
}

pub fn payment() -> Value {
    json!({"transactionId": "TX12345", "amount": "1500.00", "currency": "USD",
           "payee": {"name": "ACME Ltd", "iban": "DE89370400440532013000"}})
}

/// `POST /approvals` with client_secret_basic; (status, body).
pub async fn start(app: &TestApp, rp: &Rp, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(app.url("/approvals"))
        .basic_auth(&rp.client_id, rp.client_secret.as_deref())
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Starts an approval of `data` for `sub` and returns its id.
pub async fn started(app: &TestApp, rp: &Rp, sub: &str, data: Value) -> String {
    let (status, body) = start(app, rp, json!({"sub": sub, "approval_data": data})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["state"], "pending");
    let id = body["approval_id"].as_str().unwrap().to_owned();
    assert_eq!(
        body["url"].as_str().unwrap(),
        format!("{}/approve/{id}", app.base)
    );
    id
}

/// `GET /approvals/{id}` as `rp`; (status, body).
pub async fn status(app: &TestApp, rp: &Rp, id: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(app.url(&format!("/approvals/{id}")))
        .basic_auth(&rp.client_id, rp.client_secret.as_deref())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Opens the approval page and posts `decision` (with `code`); (status, page after the POST).
pub async fn decide(
    app: &TestApp,
    browser: &reqwest::Client,
    id: &str,
    decision: &str,
    code: &str,
) -> (u16, String) {
    let mut page = get_text(browser, app.url(&format!("/approve/{id}"))).await;
    if !page.contains("name=\"csrf_token\"") {
        // a decided approval has no form: this browser's token from another page
        page = get_text(browser, app.url("/account")).await;
    }
    let csrf = hidden_field(&page, "csrf_token");
    post_decision(app, browser, id, &csrf, decision, code).await
}

pub async fn post_decision(
    app: &TestApp,
    browser: &reqwest::Client,
    id: &str,
    csrf: &str,
    decision: &str,
    code: &str,
) -> (u16, String) {
    let response = browser
        .post(app.url(&format!("/approve/{id}")))
        .form(&[
            ("csrf_token", csrf),
            ("decision", decision),
            ("pass_code", code),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Verifies `jws` as any relying app would: the key with its `kid` from the JWKS, RS256, our
/// issuer, the client as audience.
pub async fn verify(app: &TestApp, rp: &Rp, jws: &str) -> jsonwebtoken::errors::Result<Value> {
    let jwks: JwkSet = reqwest::get(app.url("/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kid = jsonwebtoken::decode_header(jws)?.kid.expect("a kid");
    let jwk = jwks.find(&kid).expect("the kid is in the JWKS");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&app.base]);
    validation.set_audience(&[&rp.client_id]);
    Ok(jsonwebtoken::decode::<Value>(jws, &DecodingKey::from_jwk(jwk)?, &validation)?.claims)
}

/// base64url SHA-256 of the RFC 8785 form, computed here independently of the service.
fn jcs_hash(data: &Value) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(
        serde_json_canonicalizer::to_vec(data).unwrap(),
    ))
}

#[tokio::test]
async fn an_approved_transaction_gives_an_artifact_anyone_can_verify_with_the_jwks() {
    let s = setup().await;
    let id = started(&s.app, &s.rp, &s.sub, payment()).await;
    let (code, body) = status(&s.app, &s.rp, &id).await;
    assert_eq!((code, body["state"].as_str()), (200, Some("pending")));
    assert!(body.get("artifact").is_none());

    let page = get_text(&s.browser, s.app.url(&format!("/approve/{id}"))).await;
    for shown in ["TX12345", "1500.00", "USD", "payee › name", "ACME Ltd"] {
        assert!(page.contains(shown), "the page shows {shown}");
    }
    let (code, _) = decide(&s.app, &s.browser, &id, "approve", &s.phone.code(&s.app, 0)).await;
    assert_eq!(code, 303, "approved");

    let (code, body) = status(&s.app, &s.rp, &id).await;
    assert_eq!((code, body["state"].as_str()), (200, Some("approved")));
    let jws = body["artifact"].as_str().expect("an artifact");
    let claims = verify(&s.app, &s.rp, jws)
        .await
        .expect("the artifact verifies");
    assert_eq!(claims["iss"], s.app.base.as_str());
    assert_eq!(claims["sub"], s.sub.as_str());
    assert_eq!(claims["approval_id"], id.as_str());
    assert_eq!(claims["jti"], id.as_str());
    assert_eq!(claims["amr"], json!(["otp"]));
    assert_eq!(claims["approval_data"], payment());
    assert_eq!(claims["approval_data_hash"], jcs_hash(&payment()).as_str());
    assert_eq!(body["approval_data_hash"], claims["approval_data_hash"]);
    assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());

    let page = get_text(&s.browser, s.app.url(&format!("/approve/{id}"))).await;
    assert!(page.contains("You approved this transaction"));
    assert!(!page.contains("name=\"pass_code\""), "no form once decided");
}

#[tokio::test]
async fn a_tampered_artifact_fails_verification() {
    let s = setup().await;
    let id = started(&s.app, &s.rp, &s.sub, payment()).await;
    decide(&s.app, &s.browser, &id, "approve", &s.phone.code(&s.app, 0)).await;
    let jws = status(&s.app, &s.rp, &id).await.1["artifact"]
        .as_str()
        .unwrap()
        .to_owned();
    let parts: Vec<&str> = jws.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["approval_data"]["amount"] = json!("9500.00");
    let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    let forged = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    assert!(verify(&s.app, &s.rp, &jws).await.is_ok());
    assert!(
        verify(&s.app, &s.rp, &forged).await.is_err(),
        "a changed amount breaks the signature"
    );
    // and the hash no longer matches the data either
    assert_ne!(
        claims["approval_data_hash"],
        jcs_hash(&claims["approval_data"]).as_str()
    );
}

#[tokio::test]
async fn html_in_approval_data_is_shown_as_text() {
    let s = setup().await;
    let data = json!({"payee": "<script>alert(1)</script>", "<b>note</b>": "x"});
    let id = started(&s.app, &s.rp, &s.sub, data).await;
    let page = get_text(&s.browser, s.app.url(&format!("/approve/{id}"))).await;
    assert!(!page.contains("<script>alert(1)</script>"));
    assert!(!page.contains("<b>note</b>"));
    assert!(
        page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{page}"
    );
}

#[tokio::test]
async fn a_declined_approval_has_no_artifact() {
    let s = setup().await;
    let id = started(&s.app, &s.rp, &s.sub, payment()).await;
    let (code, _) = decide(&s.app, &s.browser, &id, "decline", "").await;
    assert_eq!(code, 303);
    let (_, body) = status(&s.app, &s.rp, &id).await;
    assert_eq!(body["state"], "declined");
    assert!(body.get("artifact").is_none());
    // a code after the decline approves nothing
    let (code, _) = decide(&s.app, &s.browser, &id, "approve", &s.phone.code(&s.app, 0)).await;
    assert_eq!(code, 409);
    assert_eq!(status(&s.app, &s.rp, &id).await.1["state"], "declined");
}

#[tokio::test]
async fn an_approval_not_answered_within_five_minutes_expires() {
    let s = setup().await;
    let id = started(&s.app, &s.rp, &s.sub, payment()).await;
    s.app.clock.advance(301);
    let (_, body) = status(&s.app, &s.rp, &id).await;
    assert_eq!(body["state"], "expired");
    let (code, page) = decide(&s.app, &s.browser, &id, "approve", &s.phone.code(&s.app, 0)).await;
    assert_eq!(code, 409);
    assert!(page.contains("expired"));
    let (_, body) = status(&s.app, &s.rp, &id).await;
    assert_eq!(body["state"], "expired");
    assert!(body.get("artifact").is_none());
}

/// Signs in on the login page `login` with the password and, as the user has an authenticator,
/// its code on the second step; returns where the browser is sent then.
pub async fn password_and_code(s: &Setup, browser: &reqwest::Client, login: &str) -> String {
    let (request_id, csrf) = s.app.open_login_page(browser, login).await;
    let response = s
        .app
        .submit_login(browser, &request_id, &csrf, EMAIL, PASSWORD)
        .await;
    let mfa = location(&response);
    assert!(mfa.starts_with("/mfa"), "the second step: {mfa}");
    let page = get_text(browser, s.app.url(&mfa)).await;
    let response = browser
        .post(s.app.url("/mfa"))
        .form(&[
            ("track_id", hidden_field(&page, "track_id")),
            ("requestId", hidden_field(&page, "requestId")),
            ("csrf_token", hidden_field(&page, "csrf_token")),
            ("pass_code", s.phone.code(&s.app, 0)),
        ])
        .send()
        .await
        .unwrap();
    // the next code is the one to approve with
    s.app.clock.advance(30);
    location(&response)
}

#[tokio::test]
async fn a_visitor_who_is_not_signed_in_signs_in_and_comes_back_to_the_approval() {
    let s = setup().await;
    let id = started(&s.app, &s.rp, &s.sub, payment()).await;
    let browser = s.app.browser();
    let response = browser
        .get(s.app.url(&format!("/approve/{id}")))
        .send()
        .await
        .unwrap();
    let to_login = location(&response);
    assert!(to_login.starts_with("/authz-srv/authz?"), "{to_login}");
    let login = location(&browser.get(s.app.url(&to_login)).send().await.unwrap());
    let next = password_and_code(&s, &browser, &login).await;
    let callback = browser.get(&next).send().await.unwrap();
    assert_eq!(location(&callback), format!("/approve/{id}"));
    let page = get_text(&browser, s.app.url(&format!("/approve/{id}"))).await;
    assert!(page.contains("TX12345"));
}

#[tokio::test]
async fn client_secret_post_in_the_json_body_works_too() {
    let s = setup().await;
    let (code, body) = post_json(
        &reqwest::Client::new(),
        s.app.url("/approvals"),
        json!({"client_id": s.rp.client_id, "client_secret": s.rp.client_secret,
               "sub": s.sub, "approval_data": {"amount": "1.00"}}),
    )
    .await;
    assert_eq!(code, 201, "{body}");
}

#[tokio::test]
async fn approvals_are_in_the_audit_log_with_the_hash_of_their_data() {
    let s = setup().await;
    let id = started(&s.app, &s.rp, &s.sub, payment()).await;
    decide(&s.app, &s.browser, &id, "approve", &s.phone.code(&s.app, 0)).await;
    let sub = s.sub.clone();
    let events = s
        .app
        .state
        .store
        .run(move |c| gatehouse::store::audit::list_audit_events(c, Some(&sub), 50))
        .await
        .unwrap();
    let hash = jcs_hash(&payment());
    for action in ["approval.started", "approval.approved"] {
        assert!(
            events
                .iter()
                .any(|e| e.action == action && e.detail.contains(&hash)),
            "{action} with the data hash"
        );
    }
}

#[tokio::test]
async fn a_user_without_an_authenticator_is_told_to_add_one_and_nothing_is_approved() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(EMAIL).await;
    let rp = approving_client(&app, "Test App").await;
    let browser = app.signed_in_browser(EMAIL).await;
    let id = started(&app, &rp, &sub, payment()).await;
    let (code, page) = decide(&app, &browser, &id, "approve", "123456").await;
    assert_eq!(code, 422);
    assert!(page.contains("no authenticator app"), "{page}");
    assert_eq!(status(&app, &rp, &id).await.1["state"], "pending");
}
