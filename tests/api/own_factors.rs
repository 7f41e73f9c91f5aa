//! The end-user JSON API for one's own authenticator apps and push devices (issue 13):
//! `GET …/v2/setup/totp/list`, `PUT`/`DELETE …/v2/setup/totp/{id}`, `PUT`/`DELETE
//! …/v2/setup/push/devices/{id}`. Listing takes any sign-in; changes need a fresh one (or the
//! factors scope), and only the owner's own factors change.

use crate::helpers::*;
use crate::http_recorder::HttpRecorder;
use serde_json::{Value, json};

const ADA: &str = "ada@example.com";
const BOB: &str = "bob@example.com";
const TOTP_LIST: &str = "/verification-srv/v2/setup/totp/list";

fn totp(id: &str) -> String {
    format!("/verification-srv/v2/setup/totp/{id}")
}

async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http.request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn names(app: &TestApp, http: &reqwest::Client) -> Vec<String> {
    let (status, list) = send(http, reqwest::Method::GET, app.url(TOTP_LIST), None).await;
    assert_eq!(status, 200, "{list}");
    list["data"]["authenticators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_user_lists_renames_and_revokes_their_own_authenticator_by_json() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let ada = app.signed_in_browser(ADA).await;
    let phone = app.enroll_totp(&ada, "Pixel").await;
    let (_, list) = send(&ada, reqwest::Method::GET, app.url(TOTP_LIST), None).await;
    let listed = &list["data"]["authenticators"][0];
    assert_eq!(listed["authenticator_id"], phone.authenticator_id.as_str());
    assert_eq!(listed["type"], "TOTP");
    assert_eq!(listed["locked"], false);

    let (status, renamed) = send(
        &ada,
        reqwest::Method::PUT,
        app.url(&totp(&phone.authenticator_id)),
        Some(json!({"name": "  Work phone  "})),
    )
    .await;
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(renamed["data"]["name"], "Work phone");
    assert_eq!(names(&app, &ada).await, ["Work phone"]);

    let (status, empty) = send(
        &ada,
        reqwest::Method::PUT,
        app.url(&totp(&phone.authenticator_id)),
        Some(json!({"name": "   "})),
    )
    .await;
    assert_eq!(status, 400, "{empty}");
    assert_eq!(empty["error"]["code"], "invalid_request");

    let (status, removed) = send(
        &ada,
        reqwest::Method::DELETE,
        app.url(&totp(&phone.authenticator_id)),
        None,
    )
    .await;
    assert_eq!(status, 200, "{removed}");
    assert!(names(&app, &ada).await.is_empty());
    // revoked: its codes no longer sign in
    let id = phone.authenticator_id.clone();
    let gone = app
        .state
        .store
        .run(move |c| gatehouse::store::authenticators::find_authenticator(c, &id))
        .await
        .unwrap();
    assert!(gone.is_none());
    // and the owner sees it in the audit trail as theirs
    let events: Vec<String> = app
        .state
        .store
        .run(|c| gatehouse::store::audit::list_audit_events(c, None, 50))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(events.iter().any(|a| a == "totp.rename"), "{events:?}");
    assert!(events.iter().any(|a| a == "totp.revoke"), "{events:?}");
}

#[tokio::test]
async fn another_users_authenticator_is_not_found_and_stays_as_it_was() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    app.create_user(BOB).await;
    let ada = app.signed_in_browser(ADA).await;
    let phone = app.enroll_totp(&ada, "Pixel").await;
    let bob = app.signed_in_browser(BOB).await;
    for (method, body) in [
        (reqwest::Method::PUT, Some(json!({"name": "Bob's now"}))),
        (reqwest::Method::DELETE, None),
    ] {
        let (status, answer) =
            send(&bob, method, app.url(&totp(&phone.authenticator_id)), body).await;
        assert_eq!(status, 404, "{answer}");
        assert_eq!(answer["error"]["code"], "not_found");
    }
    assert!(names(&app, &bob).await.is_empty(), "Bob lists only his own");
    assert_eq!(names(&app, &ada).await, ["Pixel"]);
}

#[tokio::test]
async fn an_old_sign_in_lists_but_cannot_rename_or_revoke() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let ada = app.signed_in_browser(ADA).await;
    let phone = app.enroll_totp(&ada, "Pixel").await;
    app.clock.advance(301);
    for (method, body) in [
        (reqwest::Method::PUT, Some(json!({"name": "Stolen"}))),
        (reqwest::Method::DELETE, None),
    ] {
        let (status, answer) =
            send(&ada, method, app.url(&totp(&phone.authenticator_id)), body).await;
        assert_eq!(status, 401, "{answer}");
        assert_eq!(answer["error"]["code"], "insufficient_user_authentication");
    }
    assert_eq!(names(&app, &ada).await, ["Pixel"]);
    let (status, _) = send(
        &reqwest::Client::new(),
        reqwest::Method::GET,
        app.url(TOTP_LIST),
        None,
    )
    .await;
    assert_eq!(status, 401, "no sign-in, no list");
}

#[tokio::test]
async fn a_user_renames_their_push_device_and_not_someone_elses() {
    let push = HttpRecorder::start().await;
    let url = push.url("/push");
    let app = TestApp::spawn_with(move |c| {
        c.push_provider = "webhook".into();
        c.push_url = Some(url);
    })
    .await;
    app.create_user(ADA).await;
    app.create_user(BOB).await;
    let ada = app.signed_in_browser(ADA).await;
    let (status, registered) = send(
        &ada,
        reqwest::Method::POST,
        app.url("/verification-srv/v2/setup/push/register"),
        Some(json!({"push_token": "ada-token", "device_name": "Pixel"})),
    )
    .await;
    assert_eq!(status, 200, "{registered}");
    let device = format!(
        "/verification-srv/v2/setup/push/devices/{}",
        registered["data"]["device_id"].as_str().unwrap()
    );
    let bob = app.signed_in_browser(BOB).await;
    let (status, _) = send(
        &bob,
        reqwest::Method::PUT,
        app.url(&device),
        Some(json!({"device_name": "Bob's"})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, renamed) = send(
        &ada,
        reqwest::Method::PUT,
        app.url(&device),
        Some(json!({"device_name": "Ada's tablet"})),
    )
    .await;
    assert_eq!(status, 200, "{renamed}");
    let (_, listed) = send(
        &ada,
        reqwest::Method::GET,
        app.url("/verification-srv/v2/setup/push/devices"),
        None,
    )
    .await;
    assert_eq!(listed["data"]["devices"][0]["device_name"], "Ada's tablet");
    let (status, _) = send(&bob, reqwest::Method::DELETE, app.url(&device), None).await;
    assert_eq!(status, 404);
    let (status, _) = send(&ada, reqwest::Method::DELETE, app.url(&device), None).await;
    assert_eq!(status, 200);
}
