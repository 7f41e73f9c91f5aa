//! Discovery, JWKS, the JSON request generator, the public request view and /health.

use crate::helpers::*;
use serde_json::{Value, json};

#[tokio::test]
async fn discovery_lists_every_endpoint_under_the_issuer() {
    let app = TestApp::spawn().await;
    let doc: Value = app.discovery().await;
    assert_eq!(doc["issuer"], app.base.as_str());
    for (key, path) in [
        ("authorization_endpoint", "/authz-srv/authz"),
        ("token_endpoint", "/token-srv/token"),
        ("userinfo_endpoint", "/users-srv/userinfo"),
        ("jwks_uri", "/.well-known/jwks.json"),
        ("end_session_endpoint", "/session/end_session"),
        ("introspection_endpoint", "/token-srv/introspect"),
        ("revocation_endpoint", "/token-srv/revoke"),
    ] {
        assert_eq!(doc[key], app.url(path), "{key}");
    }
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    // RFC 9396 §10: transaction approvals on the authorization request
    assert_eq!(
        doc["authorization_details_types_supported"],
        json!(["transaction_approval"])
    );
}

#[tokio::test]
async fn jwks_publishes_the_rsa_signing_key_with_its_kid() {
    let app = TestApp::spawn().await;
    let jwks: Value = reqwest::get(app.url("/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["alg"].as_str(),
            key["use"].as_str()
        ),
        (Some("RSA"), Some("RS256"), Some("sig"))
    );
    assert!(key["kid"].as_str().is_some_and(|k| !k.is_empty()));
    assert!(
        key["n"].as_str().is_some_and(|n| n.len() > 300),
        "a 2048-bit modulus"
    );
    assert!(key.get("d").is_none(), "no private part");
}

#[tokio::test]
async fn the_signing_key_survives_a_restart() {
    let app = TestApp::spawn().await;
    let first: Value = reqwest::get(app.url("/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let config = app.config.clone();
    let again = gatehouse::Application::build(config).await.unwrap();
    assert_eq!(
        again.state().keys.jwks().keys[0].common.key_id.as_deref(),
        first["keys"][0]["kid"].as_str()
    );
}

#[tokio::test]
async fn generate_returns_a_request_id_that_the_public_view_describes() {
    let app = TestApp::spawn().await;
    let rp = app.public_client().await;
    let http = reqwest::Client::new();
    let body = json!({
        "client_id": rp.client_id, "redirect_uri": REDIRECT_URI, "response_type": "code",
        "scope": "openid email", "nonce": "n-1", "state": "s-1",
        "code_challenge": CHALLENGE, "code_challenge_method": "S256",
    });
    let generated: Value = http
        .post(app.url("/authz-srv/authrequest/authz/generate"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(generated["success"], true);
    assert_eq!(generated["status"], 200);
    let request_id = generated["data"]["requestId"].as_str().unwrap();
    assert_eq!(generated["data"]["view_type"], "login");
    assert_eq!(generated["data"]["lang"], "en");
    assert_eq!(generated["data"]["groupname"], "default");

    let public: Value = http
        .get(app.url(&format!("/public-srv/public/{request_id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public["data"]["client_name"], "Test App");
    assert_eq!(public["data"]["client_id"], rp.client_id.as_str());
    assert_eq!(public["data"]["methods"], json!(["password"]));

    // the first browser to open it owns it, and can sign in with it
    app.create_user("ada@example.com").await;
    let browser = app.browser();
    let (rid, csrf) = app
        .open_login_page(&browser, &format!("/login?requestId={request_id}"))
        .await;
    let back = location(
        &app.submit_login(&browser, &rid, &csrf, "ada@example.com", PASSWORD)
            .await,
    );
    assert_eq!(param(&query_pairs(&back), "state").as_deref(), Some("s-1"));
    assert_eq!(
        app.browser()
            .get(app.url(&format!("/login?requestId={request_id}")))
            .send()
            .await
            .unwrap()
            .status(),
        400,
        "completed requests cannot be reused"
    );
}

#[tokio::test]
async fn generate_and_public_view_answer_errors_in_the_cidaas_envelope() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    let unknown = http
        .post(app.url("/authz-srv/authrequest/authz/generate"))
        .json(&json!({"client_id": "nope", "redirect_uri": REDIRECT_URI, "response_type": "code"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "invalid_client");
    assert!(
        body["error"]["referenceNumber"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );

    let malformed = http
        .post(app.url("/authz-srv/authrequest/authz/generate"))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    assert_eq!(malformed.json::<Value>().await.unwrap()["success"], false);

    let missing = http
        .get(app.url(&format!("/public-srv/public/{}", uuid::Uuid::new_v4())))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.json::<Value>().await.unwrap()["error"]["type"],
        "NotFound"
    );
}

#[tokio::test]
async fn health_reports_the_database() {
    let app = TestApp::spawn().await;
    let body: Value = reqwest::get(app.url("/health"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body, json!({"status": "ok"}));
}

#[tokio::test]
async fn unknown_pages_get_a_404_page_with_a_request_id() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/no/such/page")).await.unwrap();
    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found") && html.contains("id=\"request-id\""));
}

#[tokio::test]
async fn hostile_input_never_causes_a_server_error() {
    let app = TestApp::spawn().await;
    let rp = app.public_client().await;
    let http = app.browser();
    let long = "x".repeat(5000);
    let requests = vec![
        http.get(app.url("/authz-srv/authz"))
            .query(&[("client_id", long.as_str())]),
        http.get(app.url("/authz-srv/authz")).query(&[
            ("client_id", rp.client_id.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("response_type", "code"),
            ("state", long.as_str()),
        ]),
        http.get(app.url("/authz-srv/authz?client_id=%ff%fe&redirect_uri=%00")),
        http.get(app.url("/login?requestId=not-a-uuid")),
        http.get(app.url("/login")),
        http.post(app.url("/login-srv/login"))
            .body("username=%ff&password"),
        http.post(app.url("/login-srv/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("requestId=1&username=a&password=b&csrf_token=c"),
        http.post(app.url("/token-srv/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(vec![0xff, 0xfe, 0x00]),
        http.post(app.url("/token-srv/token"))
            .header("authorization", "Basic !!!")
            .body("grant_type=client_credentials"),
        http.get(app.url("/users-srv/userinfo"))
            .header("authorization", "Bearer"),
        http.get(app.url("/session/end_session?id_token_hint=garbage")),
        http.get(app.url(&format!("/public-srv/public/{long}"))),
        http.post(app.url("/token-srv/introspect"))
            .body(long.clone()),
    ];
    for request in requests {
        let response = request.send().await.unwrap();
        let status = response.status();
        let path = response.url().path().to_owned();
        assert!(
            status.is_client_error() || status.is_redirection(),
            "{path}: {status}"
        );
        if status.is_redirection() {
            let back = location(&response);
            assert_eq!(
                param(&query_pairs(&back), "error").as_deref(),
                Some("invalid_request"),
                "{path}"
            );
        }
    }
}

/// The kids a restarted instance publishes, newest (signing) first.
async fn published_kids_after_restart(app: &TestApp) -> Vec<Option<String>> {
    let restarted = gatehouse::Application::build(app.config.clone())
        .await
        .unwrap();
    restarted
        .state()
        .keys
        .jwks()
        .keys
        .iter()
        .map(|k| k.common.key_id.clone())
        .collect()
}

#[tokio::test]
async fn rotating_keys_keeps_the_previous_key_published_and_signs_with_the_new_one() {
    let app = TestApp::spawn().await;
    let before: Value = reqwest::get(app.url("/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = before["keys"][0]["kid"].as_str().unwrap().to_owned();
    let rotate = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .args(["keys", "rotate"])
            .env("GATEHOUSE_DATABASE_URL", &app.config.database_url)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .nth(3)
            .unwrap()
            .trim_end_matches(';')
            .to_owned()
    };
    let second = rotate();
    let kids = published_kids_after_restart(&app).await;
    assert_eq!(
        kids,
        vec![Some(second.clone()), Some(first.clone())],
        "new key first (it signs), old one still published"
    );

    let third = rotate();
    let kids = published_kids_after_restart(&app).await;
    assert_eq!(
        kids,
        vec![Some(third), Some(second)],
        "two rotations ago is retired"
    );
}
