//! What a user's tokens may still do after the account changes, and what a token may do to the
//! account. A password reset, a password change, an administrator ending the user's sessions and
//! disabling the user revoke every access and refresh token issued before (introspection
//! `active: false`, refresh `invalid_grant`, userinfo 401), and codes issued before yield
//! nothing. Adding or removing a sign-in factor (push device, authenticator app) takes a Bearer
//! token with the `gatehouse:factors` scope or a fresh sign-in in the browser.

use gatehouse::store;
use serde_json::{Value, json};

use crate::account::account_browser;
use crate::admin_users::page;
use crate::helpers::*;
use crate::http_recorder::HttpRecorder;
use crate::password_reset::{forgot, submit};
use crate::register::{NEW_PASSWORD, app_with_mail};

const ADA: &str = "ada@example.com";
const ADMIN: &str = "root@example.com";

/// Signs `email` in with `scope` in a new browser and returns the authorization code.
async fn code_with_scope(app: &TestApp, rp: &Rp, email: &str, scope: &str) -> String {
    let browser = app.browser();
    let mut params = code_request(rp);
    params.retain(|(k, _)| *k != "scope");
    params.push(("scope", scope));
    let login = location(&app.authorize(&browser, &params).await);
    let (request_id, csrf) = app.open_login_page(&browser, &login).await;
    let back = location(
        &app.submit_login(&browser, &request_id, &csrf, email, PASSWORD)
            .await,
    );
    assert!(back.starts_with(&rp.redirect_uri), "{back}");
    param(&query_pairs(&back), "code").expect("a code")
}

/// The token response for a sign-in of `email` with `scope`.
async fn tokens_with_scope(app: &TestApp, rp: &Rp, email: &str, scope: &str) -> Value {
    let code = code_with_scope(app, rp, email, scope).await;
    let response = app.redeem(rp, &code).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// An access and a refresh token of `email` (scope `openid email`).
struct Tokens {
    access: String,
    refresh: String,
}

async fn tokens(app: &TestApp, rp: &Rp, email: &str) -> Tokens {
    let body = tokens_with_scope(app, rp, email, "openid email").await;
    Tokens {
        access: body["access_token"].as_str().unwrap().to_owned(),
        refresh: body["refresh_token"]
            .as_str()
            .expect("a refresh token")
            .to_owned(),
    }
}

async fn introspect(app: &TestApp, rp: &Rp, token: &str) -> Value {
    reqwest::Client::new()
        .post(app.url("/token-srv/introspect"))
        .basic_auth(&rp.client_id, rp.client_secret.as_deref())
        .form(&[("token", token)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn refresh(app: &TestApp, rp: &Rp, token: &str) -> (u16, Value) {
    let response = app
        .token_request(
            rp,
            &[("grant_type", "refresh_token"), ("refresh_token", token)],
        )
        .await;
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Both tokens are live: introspection says so and userinfo answers.
async fn assert_live(app: &TestApp, rp: &Rp, tokens: &Tokens) {
    assert_eq!(introspect(app, rp, &tokens.access).await["active"], true);
    assert_eq!(introspect(app, rp, &tokens.refresh).await["active"], true);
    assert_eq!(app.userinfo(&tokens.access).await.status(), 200);
}

/// Neither token works any more, in every place a token is used.
async fn assert_revoked(app: &TestApp, rp: &Rp, tokens: &Tokens) {
    assert_eq!(
        introspect(app, rp, &tokens.access).await,
        json!({"active": false})
    );
    assert_eq!(
        introspect(app, rp, &tokens.refresh).await,
        json!({"active": false})
    );
    let userinfo = app.userinfo(&tokens.access).await;
    assert_eq!(userinfo.status(), 401);
    let body: Value = userinfo.json().await.unwrap();
    assert_eq!(body["error"], "invalid_token");
    let (status, body) = refresh(app, rp, &tokens.refresh).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{body}"
    );
}

/// The detail of the one audit event `action` about `user_id`.
async fn audit_detail(app: &TestApp, user_id: &str, action: &str) -> String {
    let id = user_id.to_owned();
    let events: Vec<_> = app
        .state
        .store
        .run(move |c| store::audit::list_audit_events(c, Some(&id), 100))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action && e.outcome == "success")
        .collect();
    assert_eq!(events.len(), 1, "one {action} event: {events:?}");
    events[0].detail.clone()
}

/// Resets `email`'s password to [`NEW_PASSWORD`] with the emailed code.
async fn reset_password(app: &TestApp, smtp: &crate::smtp_server::SmtpServer, email: &str) {
    let browser = app.browser();
    let reset = forgot(app, &browser, email, None).await;
    let mail = smtp.wait_for_next(email).await;
    let done = submit(app, &browser, &reset, email, &mail.code(), NEW_PASSWORD).await;
    assert_eq!(done.status(), 200);
}

/// An administrator's browser, signed in.
async fn admin_browser(app: &TestApp) -> reqwest::Client {
    app.create_admin(ADMIN).await;
    app.signed_in_browser(ADMIN).await
}

/// POSTs the form `action` of the user's admin page; asserts the redirect back to it.
async fn admin_action(app: &TestApp, admin: &reqwest::Client, user_id: &str, action: &str) {
    let path = format!("/admin/users/{user_id}");
    let csrf = hidden_field(&page(app, admin, &path).await, "csrf_token");
    let response = admin
        .post(app.url(&format!("{path}/{action}")))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{action}");
    assert!(location(&response).starts_with(&format!("{path}?notice=")));
}

#[tokio::test]
async fn a_password_reset_revokes_the_access_and_refresh_tokens_issued_before() {
    let (app, smtp) = app_with_mail().await;
    let sub = app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let (web, mobile) = (tokens(&app, &rp, ADA).await, tokens(&app, &rp, ADA).await);
    assert_live(&app, &rp, &web).await;

    reset_password(&app, &smtp, ADA).await;

    assert_revoked(&app, &rp, &web).await;
    assert_revoked(&app, &rp, &mobile).await;
    assert_eq!(
        audit_detail(&app, &sub, "password.reset").await,
        "password changed by an emailed code; all sessions ended; 4 token(s) revoked"
    );
}

#[tokio::test]
async fn tokens_issued_right_after_a_password_reset_work() {
    let (app, smtp) = app_with_mail().await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let before = tokens(&app, &rp, ADA).await;
    reset_password(&app, &smtp, ADA).await;

    // the same second as the reset, on a fast machine: only what came before is revoked
    let code = {
        let browser = app.browser();
        let login = location(&app.authorize(&browser, &code_request(&rp)).await);
        let (request_id, csrf) = app.open_login_page(&browser, &login).await;
        let back = location(
            &app.submit_login(&browser, &request_id, &csrf, ADA, NEW_PASSWORD)
                .await,
        );
        param(&query_pairs(&back), "code").unwrap()
    };
    let body: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    let after = Tokens {
        access: body["access_token"].as_str().unwrap().to_owned(),
        refresh: body["refresh_token"].as_str().unwrap().to_owned(),
    };
    assert_live(&app, &rp, &after).await;
    let (status, rotated) = refresh(&app, &rp, &after.refresh).await;
    assert_eq!(status, 200, "{rotated}");
    assert_revoked(&app, &rp, &before).await;
}

#[tokio::test]
async fn a_code_issued_before_a_password_reset_yields_no_tokens_after_it() {
    let (app, smtp) = app_with_mail().await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let code = code_with_scope(&app, &rp, ADA, "openid").await;

    reset_password(&app, &smtp, ADA).await;

    let response = app.redeem(&rp, &code).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant", "{body}");
    assert!(body.get("access_token").is_none());
}

#[tokio::test]
async fn a_password_change_on_the_account_page_revokes_the_users_tokens() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let before = tokens(&app, &rp, ADA).await;
    assert_live(&app, &rp, &before).await;

    let (browser, account) = account_browser(&app, ADA).await;
    let changed = browser
        .post(app.url("/account/password"))
        .form(&[
            ("csrf_token", hidden_field(&account, "csrf_token").as_str()),
            ("current_password", PASSWORD),
            ("new_password", NEW_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&changed), "/account?notice=password_changed");

    assert_revoked(&app, &rp, &before).await;
    assert_eq!(
        audit_detail(&app, &sub, "password.change").await,
        "on the account page; 1 other session(s) ended; 2 token(s) revoked"
    );
}

#[tokio::test]
async fn an_admin_ending_all_sessions_of_a_user_revokes_the_users_tokens() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    app.create_user("grace@example.com").await;
    let rp = app.confidential_client().await;
    let (ada, other) = (
        tokens(&app, &rp, ADA).await,
        tokens(&app, &rp, "grace@example.com").await,
    );
    let admin = admin_browser(&app).await;

    admin_action(&app, &admin, &sub, "end-sessions").await;

    assert_revoked(&app, &rp, &ada).await;
    assert_live(&app, &rp, &other).await;
    assert_eq!(
        audit_detail(&app, &sub, "admin.user.end_sessions").await,
        "sessions: 1 → 0; tokens revoked: 2"
    );
}

#[tokio::test]
async fn disabling_a_user_revokes_their_tokens_and_enabling_them_again_does_not_revive_them() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let before = tokens(&app, &rp, ADA).await;
    let admin = admin_browser(&app).await;

    admin_action(&app, &admin, &sub, "disable").await;
    assert_revoked(&app, &rp, &before).await;
    assert!(
        audit_detail(&app, &sub, "admin.user.disable")
            .await
            .ends_with("; tokens revoked: 2")
    );

    admin_action(&app, &admin, &sub, "enable").await;
    assert_revoked(&app, &rp, &before).await;
    assert_live(&app, &rp, &tokens(&app, &rp, ADA).await).await;
}

#[tokio::test]
async fn a_token_stored_for_a_grant_after_the_users_tokens_were_revoked_is_not_active() {
    // A refresh that passed its checks a moment before the revocation stores its new tokens
    // after the revocation's UPDATE: the grant's marker still makes them dead.
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let before = tokens(&app, &rp, ADA).await;
    let grant_id = {
        let hash = gatehouse::domain::ids::hash_secret(&before.refresh);
        app.state
            .store
            .run(move |c| store::grants::find_refresh_token(c, &hash))
            .await
            .unwrap()
            .unwrap()
            .grant_id
    };
    let (id, now) = (sub.clone(), app.clock.now());
    let revoked = app
        .state
        .store
        .run(move |c| {
            store::write_transaction(c, |c| store::grants::revoke_all_for_user(c, &id, now))
        })
        .await
        .unwrap();
    assert_eq!(revoked, 2);

    let late = gatehouse::domain::oauth::grant::AccessToken {
        token_hash: gatehouse::domain::ids::hash_secret("minted-in-the-race"),
        grant_id: Some(grant_id),
        client_id: rp.client_id.clone(),
        user_id: Some(sub.clone()),
        scope: "openid".into(),
        created_at: now,
        expires_at: now + 3600,
        revoked_at: None,
    };
    app.state
        .store
        .run(move |c| store::grants::insert_access_token(c, &late))
        .await
        .unwrap();
    assert_eq!(
        introspect(&app, &rp, "minted-in-the-race").await,
        json!({"active": false})
    );
    assert_eq!(app.userinfo("minted-in-the-race").await.status(), 401);
}

#[tokio::test]
async fn two_revocations_of_one_user_at_the_same_time_both_succeed() {
    // An administrator disables the account while its owner resets the password: the second
    // transaction meets the first one's grant markers (on PostgreSQL, a unique violation once the
    // first commits) and must still commit its own change.
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let before = tokens(&app, &rp, ADA).await;
    let now = app.clock.now();
    let (first_in, first_marked) = std::sync::mpsc::channel();
    let (store, id) = (app.state.store.clone(), sub.clone());
    let first = tokio::task::spawn_blocking(move || {
        store.run_blocking(|c| {
            store::write_transaction(c, |c| {
                let n = store::grants::revoke_all_for_user(c, &id, now)?;
                first_in.send(()).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(300));
                Ok(n)
            })
        })
    });
    first_marked.recv().unwrap();
    let (store, id) = (app.state.store.clone(), sub.clone());
    let second = tokio::task::spawn_blocking(move || {
        store.run_blocking(|c| {
            store::write_transaction(c, |c| {
                let n = store::grants::revoke_all_for_user(c, &id, now)?;
                store::users::update_disabled(c, &id, true, now)?;
                Ok(n)
            })
        })
    });
    assert_eq!(first.await.unwrap().unwrap(), 2);
    assert_eq!(second.await.unwrap().unwrap(), 0, "nothing left to revoke");
    let id = sub.clone();
    let disabled = app
        .state
        .store
        .run(move |c| store::users::find_user(c, &id))
        .await
        .unwrap()
        .unwrap()
        .disabled;
    assert!(disabled, "the second change was committed");
    assert_revoked(&app, &rp, &before).await;
}

// ---- adding and removing sign-in factors ----

/// An app with push configured (to a recorder that is never reached by these tests).
async fn app_with_push() -> (TestApp, HttpRecorder) {
    let push = HttpRecorder::start().await;
    let url = push.url("/push");
    let app = TestApp::spawn_with(move |c| {
        c.push_provider = "webhook".into();
        c.push_url = Some(url);
    })
    .await;
    (app, push)
}

/// A JSON request with a Bearer token; returns (status, body).
async fn with_bearer(
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

const REGISTER: &str = "/verification-srv/v2/setup/push/register";
const DEVICES: &str = "/verification-srv/v2/setup/push/devices";
const TOTP_INITIATE: [&str; 2] = [
    "/verification-srv/v2/setup/initiate/totp",
    "/verification-actions-srv/setup/totp/initiation",
];
const TOTP_ENROLL: [&str; 2] = [
    "/verification-srv/v2/setup/enroll/totp",
    "/verification-actions-srv/setup/totp/verification",
];

fn assert_insufficient_scope(status: u16, body: &Value) {
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "insufficient_scope", "{body}");
}

#[tokio::test]
async fn a_token_without_the_factors_scope_cannot_add_or_remove_a_push_device_or_an_authenticator()
{
    let (app, _push) = app_with_push().await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let plain = tokens(&app, &rp, ADA).await.access;

    let (status, body) = with_bearer(
        reqwest::Method::POST,
        app.url(REGISTER),
        &plain,
        Some(json!({"push_token": "attacker-phone", "device_name": "Not Ada's"})),
    )
    .await;
    assert_insufficient_scope(status, &body);
    for path in TOTP_INITIATE {
        let (status, body) = with_bearer(
            reqwest::Method::POST,
            app.url(path),
            &plain,
            Some(json!({})),
        )
        .await;
        assert_insufficient_scope(status, &body);
    }
    for path in TOTP_ENROLL {
        let (status, body) = with_bearer(
            reqwest::Method::POST,
            app.url(path),
            &plain,
            Some(json!({"exchange_id": "x", "pass_code": "123456"})),
        )
        .await;
        assert_insufficient_scope(status, &body);
    }

    // a device added properly can be listed with any token of Ada's, but not removed
    let scoped = tokens_with_scope(&app, &rp, ADA, "openid gatehouse:factors").await;
    let scoped = scoped["access_token"].as_str().unwrap();
    let (status, device) = with_bearer(
        reqwest::Method::POST,
        app.url(REGISTER),
        scoped,
        Some(json!({"push_token": "ada-phone", "device_name": "Ada's Pixel"})),
    )
    .await;
    assert_eq!(status, 200, "{device}");
    let device_id = device["data"]["device_id"].as_str().unwrap();
    let (status, listed) = with_bearer(reqwest::Method::GET, app.url(DEVICES), &plain, None).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["data"]["devices"][0]["device_name"], "Ada's Pixel");
    let (status, body) = with_bearer(
        reqwest::Method::DELETE,
        app.url(&format!("{DEVICES}/{device_id}")),
        &plain,
        None,
    )
    .await;
    assert_insufficient_scope(status, &body);
    let (_, listed) = with_bearer(reqwest::Method::GET, app.url(DEVICES), &plain, None).await;
    assert_eq!(listed["data"]["devices"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_token_with_the_factors_scope_adds_and_removes_a_push_device_and_enrolls_an_authenticator()
 {
    let (app, _push) = app_with_push().await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let granted = tokens_with_scope(&app, &rp, ADA, "openid gatehouse:factors").await;
    assert_eq!(granted["scope"], "openid gatehouse:factors");
    let token = granted["access_token"].as_str().unwrap();
    assert_eq!(
        introspect(&app, &rp, token).await["scope"],
        "openid gatehouse:factors"
    );

    let (status, device) = with_bearer(
        reqwest::Method::POST,
        app.url(REGISTER),
        token,
        Some(json!({"push_token": "ada-phone", "device_name": "Ada's Pixel"})),
    )
    .await;
    assert_eq!(status, 200, "{device}");
    let device_id = device["data"]["device_id"].as_str().unwrap();
    let (status, removed) = with_bearer(
        reqwest::Method::DELETE,
        app.url(&format!("{DEVICES}/{device_id}")),
        token,
        None,
    )
    .await;
    assert_eq!((status, &removed["data"]["removed"]), (200, &json!(true)));

    let (status, started) = with_bearer(
        reqwest::Method::POST,
        app.url(TOTP_INITIATE[0]),
        token,
        Some(json!({"label": "Pixel"})),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    let secret = totp_rs::Secret::try_from_base32(started["data"]["totp_secret"].as_str().unwrap())
        .unwrap()
        .as_ref()
        .to_vec();
    let phone = Phone {
        secret,
        authenticator_id: String::new(),
    };
    let (status, enrolled) = with_bearer(
        reqwest::Method::POST,
        app.url(TOTP_ENROLL[0]),
        token,
        Some(json!({
            "exchange_id": started["data"]["exchange_id"]["exchange_id"],
            "pass_code": phone.code(&app, 0),
        })),
    )
    .await;
    assert_eq!(status, 200, "{enrolled}");
    assert_eq!(enrolled["data"]["enrolled"], true);
}

#[tokio::test]
async fn a_browser_whose_sign_in_is_not_fresh_cannot_add_or_remove_a_factor() {
    let (app, _push) = app_with_push().await;
    app.create_user(ADA).await;
    let browser = app.signed_in_browser(ADA).await;
    let (status, device) = post_json(
        &browser,
        app.url(REGISTER),
        json!({"push_token": "ada-phone", "device_name": "Ada's Pixel"}),
    )
    .await;
    assert_eq!(status, 200, "a fresh sign-in may: {device}");
    let device_id = device["data"]["device_id"].as_str().unwrap().to_owned();

    app.clock
        .advance(gatehouse::web::login_session::FRESH_SIGN_IN + 1);

    let stale = |status: u16, body: &Value| {
        assert_eq!(status, 401, "{body}");
        assert_eq!(
            body["error"]["code"], "insufficient_user_authentication",
            "{body}"
        );
    };
    let (status, body) = post_json(
        &browser,
        app.url(REGISTER),
        json!({"push_token": "another-phone"}),
    )
    .await;
    stale(status, &body);
    for path in TOTP_INITIATE {
        let (status, body) = post_json(&browser, app.url(path), json!({})).await;
        stale(status, &body);
    }
    let (status, body) = post_json(
        &browser,
        app.url(TOTP_ENROLL[0]),
        json!({"exchange_id": "x", "pass_code": "123456"}),
    )
    .await;
    stale(status, &body);
    let removed = browser
        .delete(app.url(&format!("{DEVICES}/{device_id}")))
        .send()
        .await
        .unwrap();
    let status = removed.status().as_u16();
    stale(status, &removed.json().await.unwrap());

    // listing needs no fresh sign-in
    let listed: Value = browser
        .get(app.url(DEVICES))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"]["devices"].as_array().unwrap().len(), 1);
}
