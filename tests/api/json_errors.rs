//! JSON endpoints answer every failure in their own documented shape, never with an HTML page:
//! the cidaas envelope on the verification service and the management API (API.md §4, §5),
//! RFC 6749 §5.2 JSON on the token endpoints. Covers what no handler builds itself: malformed
//! bodies, unknown paths, wrong methods, a busy password-hashing pool and a failing database.

use diesel::connection::SimpleConnection;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::management::management_token;

const ADA: &str = "ada@example.com";

/// What came back: status, content type, body (`{"not_json": text}` when it is not JSON) and
/// headers.
struct Answer {
    status: u16,
    content_type: String,
    body: Value,
    headers: reqwest::header::HeaderMap,
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| json!({ "not_json": text }));
    Answer {
        status,
        content_type,
        body,
        headers,
    }
}

/// Asserts a cidaas error envelope with `status`, `code` and `type`; returns its message.
fn assert_envelope(
    Answer {
        status,
        content_type,
        body,
        ..
    }: &Answer,
    expected_status: u16,
    code: &str,
    kind: &str,
) -> String {
    assert_eq!(*status, expected_status, "{body}");
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}: {body}"
    );
    assert_eq!(body["success"], false, "{body}");
    assert_eq!(body["status"], expected_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["type"], kind, "{body}");
    let reference = body["error"]["referenceNumber"].as_str().unwrap_or("");
    assert!(
        uuid::Uuid::parse_str(reference).is_ok(),
        "the request id is the reference number: {body}"
    );
    body["error"]["error"].as_str().unwrap().to_owned()
}

/// Asserts an RFC 6749 §5.2 error body with `status` and `error`; returns its description.
fn assert_oauth_error(
    Answer {
        status,
        content_type,
        body,
        headers,
    }: &Answer,
    expected_status: u16,
    error: &str,
) -> String {
    assert_eq!(*status, expected_status, "{body}");
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}: {body}"
    );
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    body["error_description"].as_str().unwrap().to_owned()
}

/// Starts a password verification of `email` on a fresh login; returns its exchange id.
async fn initiate_password(app: &TestApp, email: &str) -> String {
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let (status, started) = post_json(
        &reqwest::Client::new(),
        app.url("/verification-srv/authentication/password/initiation"),
        json!({"request_id": request_id, "email": email}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    started["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Renames `table` so that every query on it fails (the same statement on both databases).
async fn break_table(app: &TestApp, table: &'static str) {
    app.state
        .store
        .run(move |c| {
            c.batch_execute(&format!("ALTER TABLE {table} RENAME TO {table}_gone"))?;
            Ok(())
        })
        .await
        .unwrap();
}

/// Asserts that nothing of the database's own error text reached the client.
fn assert_no_cause(body: &Value, table: &str) {
    let text = body.to_string().to_lowercase();
    for leak in [
        table,
        "no such table",
        "relation",
        "database",
        "sql",
        "diesel",
    ] {
        assert!(!text.contains(leak), "{leak:?} leaked: {body}");
    }
}

#[tokio::test]
async fn a_malformed_json_body_to_initiate_or_verify_gets_a_400_envelope_naming_the_problem() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    for path in [
        "/verification-srv/authentication/password/initiation",
        "/verification-srv/v2/authenticate/authenticate/totp",
    ] {
        let response = http
            .post(app.url(path))
            .header("content-type", "application/json")
            .body("{\"exchange_id\": ")
            .send()
            .await
            .unwrap();
        let message = assert_envelope(
            &answer(response).await,
            400,
            "invalid_request",
            "ValidationError",
        );
        assert!(
            message.contains("JSON") && message.contains("line 1 column"),
            "{path}: {message}"
        );
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_gets_a_400_envelope_asking_for_application_json() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    for path in [
        "/verification-srv/v2/authenticate/initiate/password",
        "/verification-srv/authentication/totp/verification",
    ] {
        let response = http
            .post(app.url(path))
            .form(&[("exchange_id", "x"), ("pass_code", "123456")])
            .send()
            .await
            .unwrap();
        let message = assert_envelope(
            &answer(response).await,
            400,
            "invalid_request",
            "ValidationError",
        );
        assert!(message.contains("application/json"), "{path}: {message}");
    }
}

#[tokio::test]
async fn an_unknown_path_under_the_verification_service_gets_a_404_envelope() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    for path in [
        "/verification-srv/no/such/endpoint",
        "/verification-actions-srv/setup/nothing",
        "/v1/nothing",
    ] {
        let response = http.post(app.url(path)).send().await.unwrap();
        let message = assert_envelope(&answer(response).await, 404, "not_found", "NotFound");
        assert!(!message.is_empty());
    }
    // The hosted pages keep their HTML 404 page.
    let page = http.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn a_wrong_method_gets_a_405_envelope_that_names_the_allowed_one() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    let response = http
        .get(app.url("/verification-srv/authentication/password/initiation"))
        .send()
        .await
        .unwrap();
    let answered = answer(response).await;
    assert_envelope(&answered, 405, "method_not_allowed", "MethodNotAllowed");
    assert_eq!(answered.headers["allow"], "POST");

    let response = http
        .delete(app.url("/v1/users/someone/authenticators"))
        .send()
        .await
        .unwrap();
    let answered = answer(response).await;
    assert_envelope(&answered, 405, "method_not_allowed", "MethodNotAllowed");
    assert_eq!(answered.headers["allow"], "GET");
}

#[tokio::test]
async fn a_password_verify_while_every_hashing_slot_is_busy_gets_a_429_envelope_with_retry_after() {
    let app = TestApp::spawn_with(|c| c.hash_queue_wait_ms = 20).await;
    app.create_user(ADA).await;
    let exchange = initiate_password(&app, ADA).await;
    // Occupy every slot the way running hashes do; the request cannot get one in time.
    let mut held = Vec::new();
    while let Ok(slot) = app.state.hashing.slot().await {
        held.push(slot);
    }
    assert!(!held.is_empty());
    let response = reqwest::Client::new()
        .post(app.url("/verification-srv/authentication/password/verification"))
        .json(&json!({"exchange_id": exchange, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let answered = answer(response).await;
    assert_envelope(&answered, 429, "too_many_requests", "TooManyRequests");
    assert!(
        answered.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u32>()
            .is_ok_and(|s| s > 0),
        "Retry-After in seconds"
    );

    // Once the slots are free the same exchange still verifies: being busy used nothing up.
    drop(held);
    let (status, body) = post_json(
        &reqwest::Client::new(),
        app.url("/verification-srv/authentication/password/verification"),
        json!({"exchange_id": exchange, "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_failing_database_gives_the_verification_service_a_500_envelope_without_its_cause() {
    let app = TestApp::spawn().await;
    break_table(&app, "verifications").await;
    let response = reqwest::Client::new()
        .post(app.url("/verification-srv/v2/authenticate/authenticate/password"))
        .json(&json!({"exchange_id": uuid::Uuid::new_v4().to_string(), "password": "x"}))
        .send()
        .await
        .unwrap();
    let answered = answer(response).await;
    assert_envelope(&answered, 500, "internal_error", "InternalError");
    assert_no_cause(&answered.body, "verifications");
}

#[tokio::test]
async fn a_failing_database_gives_the_management_api_a_500_envelope_without_its_cause() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let token = management_token(&app).await;
    break_table(&app, "authenticators").await;
    let response = reqwest::Client::new()
        .get(app.url(&format!("/v1/users/{sub}/authenticators")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let answered = answer(response).await;
    assert_envelope(&answered, 500, "internal_error", "InternalError");
    assert_no_cause(&answered.body, "authenticators");
}

#[tokio::test]
async fn the_token_endpoint_answers_a_malformed_or_oversized_body_with_an_rfc6749_error() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    let garbage = http
        .post(app.url("/token-srv/token"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let description = assert_oauth_error(&answer(garbage).await, 400, "invalid_request");
    assert!(description.contains("JSON"), "{description}");

    let huge = "a".repeat(100 * 1024);
    let oversized = http
        .post(app.url("/token-srv/token"))
        .form(&[("grant_type", "client_credentials"), ("scope", &huge)])
        .send()
        .await
        .unwrap();
    let description = assert_oauth_error(&answer(oversized).await, 413, "invalid_request");
    assert!(description.contains("large"), "{description}");

    let unknown = http
        .post(app.url("/token-srv/nothing"))
        .send()
        .await
        .unwrap();
    assert_oauth_error(&answer(unknown).await, 404, "invalid_request");
    let wrong_method = http.get(app.url("/token-srv/token")).send().await.unwrap();
    assert_oauth_error(&answer(wrong_method).await, 405, "invalid_request");
}

#[tokio::test]
async fn a_failing_database_gives_the_token_endpoint_an_rfc6749_server_error_with_the_request_id() {
    let app = TestApp::spawn().await;
    break_table(&app, "clients").await;
    let response = reqwest::Client::new()
        .post(app.url("/token-srv/token"))
        .basic_auth("some-client", Some("some-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let answered = answer(response).await;
    let description = assert_oauth_error(&answered, 500, "server_error");
    let reference = description
        .rsplit("reference ")
        .next()
        .unwrap()
        .trim_end_matches(['.', ')']);
    assert!(
        uuid::Uuid::parse_str(reference).is_ok(),
        "the request id is in the description: {description}"
    );
    assert_no_cause(&answered.body, "clients");
}
