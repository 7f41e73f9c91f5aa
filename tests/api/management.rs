//! The management API (API.md §5) and `gatehouse user unlock`.

use crate::helpers::*;
use gatehouse::store;
use serde_json::{Value, json};

pub async fn management_token(app: &TestApp) -> String {
    let service = app
        .create_client(ClientSpec {
            management: true,
            redirect_uris: vec![],
            ..ClientSpec::default()
        })
        .await;
    let body: Value = reqwest::Client::new()
        .post(app.url("/token-srv/token"))
        .basic_auth(&service.client_id, service.client_secret.as_deref())
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// Locks the authenticator with five wrong codes through the verification API.
async fn lock(app: &TestApp, email: &str) {
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let http = reqwest::Client::new();
    for _ in 0..5 {
        let (_, started) = post_json(
            &http,
            app.url("/verification-srv/authentication/totp/initiation"),
            json!({"request_id": request_id, "email": email}),
        )
        .await;
        let exchange = started["data"]["exchange_id"]["exchange_id"]
            .as_str()
            .unwrap();
        post_json(
            &http,
            app.url("/verification-srv/authentication/totp/verification"),
            json!({"exchange_id": exchange, "pass_code": "000000"}),
        )
        .await;
    }
}

/// `GET /v1/users/{sub}/authenticators` with `token`, as JSON.
async fn authenticators(app: &TestApp, sub: &str, token: &str) -> Value {
    reqwest::Client::new()
        .get(app.url(&format!("/v1/users/{sub}/authenticators")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_management_client_lists_unlocks_and_revokes_authenticators() {
    let app = TestApp::spawn().await;
    let sub = app.create_user("ada@example.com").await;
    let phone = app
        .enroll_totp(&app.signed_in_browser("ada@example.com").await, "Pixel")
        .await;
    lock(&app, "ada@example.com").await;
    let token = management_token(&app).await;
    let http = reqwest::Client::new();

    let listed: Value = authenticators(&app, &sub, &token).await;
    let a = &listed["data"]["authenticators"][0];
    assert_eq!(a["id"], phone.authenticator_id.as_str());
    assert_eq!(
        (
            a["type"].as_str(),
            a["label"].as_str(),
            a["locked"].as_bool()
        ),
        (Some("TOTP"), Some("Pixel"), Some(true))
    );
    assert!(
        a["created"].as_str().is_some_and(|c| c.ends_with('Z'))
            && a["last_used"].is_null()
            && a["locked_until"].is_string()
    );
    assert_eq!(a["consecutive_failures"], 5);

    let unlocked = http
        .post(app.url(&format!(
            "/v1/users/{sub}/authenticators/{}/unlock",
            phone.authenticator_id
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(unlocked.status(), 200);
    let listed: Value = authenticators(&app, &sub, &token).await;
    assert_eq!(listed["data"]["authenticators"][0]["locked"], false);

    let (status, revoked) = {
        let r = http
            .post(app.url(&format!("/v1/users/{sub}/totp/revoke")))
            .bearer_auth(&token)
            .json(&json!({"authenticator_id": phone.authenticator_id}))
            .send()
            .await
            .unwrap();
        (r.status(), r.json::<Value>().await.unwrap())
    };
    assert_eq!(
        (status.as_u16(), revoked["data"]["revoked"].as_bool()),
        (200, Some(true))
    );
    let listed: Value = authenticators(&app, &sub, &token).await;
    assert_eq!(listed["data"]["authenticators"], json!([]));

    let s = sub.clone();
    let events = app
        .state
        .store
        .run(move |c| store::audit::list_audit_events(c, Some(&s), 50))
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"totp.unlock") && actions.contains(&"totp.revoke"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn the_management_api_refuses_users_tokens_and_strangers() {
    let app = TestApp::spawn().await;
    let sub = app.create_user("ada@example.com").await;
    let http = reqwest::Client::new();
    let url = app.url(&format!("/v1/users/{sub}/authenticators"));
    assert_eq!(http.get(&url).send().await.unwrap().status(), 401);
    assert_eq!(
        http.get(&url)
            .bearer_auth("made-up")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    // a user's own access token is not a management token
    let rp = app.confidential_client().await;
    let code = app.code_for(&app.browser(), &rp, "ada@example.com").await;
    let tokens: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    let response = http
        .get(&url)
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(response.json::<Value>().await.unwrap()["success"], false);

    let token = management_token(&app).await;
    let missing = http
        .get(app.url("/v1/users/nobody/authenticators"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn user_unlock_on_the_command_line_clears_lockouts() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let phone = app
        .enroll_totp(&app.signed_in_browser("ada@example.com").await, "Pixel")
        .await;
    lock(&app, "ada@example.com").await;
    let url = app.config.database_url.clone();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["user", "unlock", "--email", "ada@example.com"])
        .env("GATEHOUSE_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("unlocked 1 authenticator"));
    let id = phone.authenticator_id.clone();
    let a = app
        .state
        .store
        .run(move |c| store::authenticators::find_authenticator(c, &id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((a.failure_count, a.locked_until), (0, None));

    let unknown = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["user", "unlock", "--email", "nobody@example.com"])
        .env("GATEHOUSE_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(1));
}

#[tokio::test]
async fn a_management_client_sees_a_users_passkeys_among_the_authenticators() {
    let app = TestApp::spawn().await;
    let sub = app.create_user("ada@example.com").await;
    let mut key = crate::passkeys::soft_key(&app).await;
    let stored = crate::passkeys::register(&app, &sub, &mut key).await;
    let token = management_token(&app).await;
    let listed: Value = authenticators(&app, &sub, &token).await;
    let all = listed["data"]["authenticators"].as_array().unwrap();
    assert_eq!(all.len(), 1, "{listed}");
    let passkey = &all[0];
    assert_eq!(passkey["id"], stored.id.as_str());
    assert_eq!(passkey["type"], "FIDO2");
    assert_eq!(passkey["label"], stored.name.as_str());
    assert_eq!(passkey["locked"], false);
    assert!(
        passkey["created"]
            .as_str()
            .is_some_and(|c| c.ends_with('Z'))
    );
    assert!(passkey["last_used"].is_null(), "never used yet: {passkey}");
}
