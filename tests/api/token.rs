//! The token, userinfo, introspection and revocation endpoints.

use crate::helpers::*;
use serde_json::Value;

#[tokio::test]
async fn a_code_is_exchanged_for_tokens_that_userinfo_accepts() {
    let app = TestApp::spawn().await;
    let sub = app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let code = app.code_for(&app.browser(), &rp, "ada@example.com").await;
    let response = app.redeem(&rp, &code).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert!(tokens["id_token"].is_string() && tokens["refresh_token"].is_string());

    let info: Value = app
        .userinfo(tokens["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["sub"], sub.as_str());
    assert_eq!(info["email"], "ada@example.com");
    assert_eq!(info["name"], "Test User");
}

#[tokio::test]
async fn a_reused_code_is_refused_and_revokes_the_tokens_it_issued() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let code = app.code_for(&app.browser(), &rp, "ada@example.com").await;
    let first: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    let access = first["access_token"].as_str().unwrap();
    assert_eq!(app.userinfo(access).await.status(), 200);

    let second = app.redeem(&rp, &code).await;
    assert_eq!(second.status(), 400);
    let body: Value = second.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(
        app.userinfo(access).await.status(),
        401,
        "the first access token is revoked"
    );
    let refresh = first["refresh_token"].as_str().unwrap();
    let refreshed = app
        .token_request(
            &rp,
            &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
        )
        .await;
    assert_eq!(refreshed.status(), 400, "the refresh token is revoked too");
}

#[tokio::test]
async fn a_pkce_mismatch_or_a_missing_verifier_is_invalid_grant() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.public_client().await;
    let code = app.code_for(&app.browser(), &rp, "ada@example.com").await;
    for verifier in [
        Some("a-completely-different-verifier-of-enough-length-123"),
        None,
    ] {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT_URI),
        ];
        if let Some(v) = verifier {
            form.push(("code_verifier", v));
        }
        let response = app.token_request(&rp, &form).await;
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_grant");
    }
    // the code survives attempts that failed the proof, so the real client can still redeem it
    assert_eq!(app.redeem(&rp, &code).await.status(), 200);
}

#[tokio::test]
async fn a_different_redirect_uri_at_the_token_endpoint_is_invalid_grant() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let code = app.code_for(&app.browser(), &rp, "ada@example.com").await;
    let response = app
        .token_request(
            &rp,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "http://localhost:9999/other"),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn an_expired_code_is_invalid_grant() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let code = app.code_for(&app.browser(), &rp, "ada@example.com").await;
    app.clock.advance(61);
    let body: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let code = app.code_for(&app.browser(), &rp, "ada@example.com").await;
    let first: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    let r1 = first["refresh_token"].as_str().unwrap().to_owned();

    let second: Value = app
        .token_request(
            &rp,
            &[("grant_type", "refresh_token"), ("refresh_token", &r1)],
        )
        .await
        .json()
        .await
        .unwrap();
    let r2 = second["refresh_token"].as_str().unwrap().to_owned();
    let a2 = second["access_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    assert!(second["id_token"].is_string());
    assert_eq!(app.userinfo(&a2).await.status(), 200);

    // r1 again: a leaked token is being replayed → the whole family dies
    let replay = app
        .token_request(
            &rp,
            &[("grant_type", "refresh_token"), ("refresh_token", &r1)],
        )
        .await;
    let body: Value = replay.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(app.userinfo(&a2).await.status(), 401);
    let after: Value = app
        .token_request(
            &rp,
            &[("grant_type", "refresh_token"), ("refresh_token", &r2)],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["error"], "invalid_grant");
}

#[tokio::test]
async fn client_authentication_failures_are_invalid_client_with_401() {
    let app = TestApp::spawn().await;
    let rp = app.confidential_client().await;
    let http = reqwest::Client::new();
    let wrong = http
        .post(app.url("/token-srv/token"))
        .basic_auth(&rp.client_id, Some("wrong-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(
        wrong.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");

    let unknown = http
        .post(app.url("/token-srv/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "nobody"),
            ("client_secret", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 401);
}

#[tokio::test]
async fn client_credentials_works_only_for_clients_allowed_to_use_it() {
    let app = TestApp::spawn().await;
    let plain = app.confidential_client().await;
    let response = app
        .token_request(&plain, &[("grant_type", "client_credentials")])
        .await;
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "unauthorized_client"
    );

    let service = app
        .create_client(ClientSpec {
            management: true,
            redirect_uris: vec![],
            ..ClientSpec::default()
        })
        .await;
    let http = reqwest::Client::new();
    let response = http
        .post(app.url("/token-srv/token"))
        .basic_auth(&service.client_id, service.client_secret.as_deref())
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["scope"], "management");
    assert!(body.get("id_token").is_none() && body.get("refresh_token").is_none());
}

#[tokio::test]
async fn malformed_token_requests_get_rfc6749_errors_not_server_errors() {
    let app = TestApp::spawn().await;
    let rp = app.confidential_client().await;
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("grant_type", "password")],
        vec![("grant_type", "authorization_code")],
        vec![("grant_type", "authorization_code"), ("code", "made-up")],
        vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", "made-up"),
        ],
    ];
    let expected = [
        "invalid_request",
        "unsupported_grant_type",
        "invalid_request",
        "invalid_grant",
        "invalid_grant",
    ];
    for (form, error) in cases.iter().zip(expected) {
        let response = app.token_request(&rp, form).await;
        assert_eq!(response.status(), 400, "{form:?}");
        assert_eq!(
            response.json::<Value>().await.unwrap()["error"],
            error,
            "{form:?}"
        );
    }
    let garbage = reqwest::Client::new()
        .post(app.url("/token-srv/token"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
}

#[tokio::test]
async fn introspection_and_revocation_follow_rfc7662_and_rfc7009() {
    let app = TestApp::spawn().await;
    let sub = app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let code = app.code_for(&app.browser(), &rp, "ada@example.com").await;
    let tokens: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    let http = reqwest::Client::new();
    let introspect = || async {
        http.post(app.url("/token-srv/introspect"))
            .basic_auth(&rp.client_id, rp.client_secret.as_deref())
            .form(&[("token", access)])
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let active = introspect().await;
    assert_eq!(active["active"], true);
    assert_eq!(active["sub"], sub.as_str());
    assert_eq!(active["client_id"], rp.client_id.as_str());

    let other = app.confidential_client().await;
    let foreign: Value = http
        .post(app.url("/token-srv/introspect"))
        .basic_auth(&other.client_id, other.client_secret.as_deref())
        .form(&[("token", access)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        foreign,
        serde_json::json!({"active": false}),
        "another client learns nothing"
    );

    let revoked = http
        .post(app.url("/token-srv/revoke"))
        .basic_auth(&rp.client_id, rp.client_secret.as_deref())
        .form(&[("token", access)])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    assert_eq!(introspect().await, serde_json::json!({"active": false}));
    assert_eq!(app.userinfo(access).await.status(), 401);
    let unknown = http
        .post(app.url("/token-srv/revoke"))
        .basic_auth(&rp.client_id, rp.client_secret.as_deref())
        .form(&[("token", "never-issued")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 200);
}

#[tokio::test]
async fn userinfo_without_or_with_a_bad_token_is_401_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;
    let none = reqwest::get(app.url("/users-srv/userinfo")).await.unwrap();
    assert_eq!(none.status(), 401);
    assert!(
        none.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let bad = app.userinfo("nonsense").await;
    assert_eq!(bad.status(), 401);
    assert!(
        bad.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
}

/// After a replay, no token of the grant may stay usable — including one minted by the winning
/// request while the replays were revoking (the race this guards against).
async fn assert_all_dead(app: &TestApp, rp: &Rp, results: &[Value]) {
    for r in results.iter().filter(|r| r.get("access_token").is_some()) {
        assert_eq!(
            app.userinfo(r["access_token"].as_str().unwrap())
                .await
                .status(),
            401,
            "{r}"
        );
        if let Some(refresh) = r["refresh_token"].as_str() {
            let again: Value = app
                .token_request(
                    rp,
                    &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
                )
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(again["error"], "invalid_grant", "{again}");
        }
    }
}

#[tokio::test]
async fn twenty_simultaneous_redemptions_of_one_code_leave_at_most_one_winner_and_no_live_token() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let code = app.code_for(&app.browser(), &rp, "ada@example.com").await;
    let attempts = (0..20).map(|_| {
        let (app, rp, code) = (&app, rp.clone(), code.clone());
        async move { app.redeem(&rp, &code).await.json::<Value>().await.unwrap() }
    });
    let results = futures_util::future::join_all(attempts).await;
    let winners = results
        .iter()
        .filter(|r| r.get("access_token").is_some())
        .count();
    assert!(winners <= 1, "{results:?}");
    assert_eq!(
        results
            .iter()
            .filter(|r| r["error"] == "invalid_grant")
            .count(),
        20 - winners,
        "{results:?}"
    );
    assert_all_dead(&app, &rp, &results).await;
}

#[tokio::test]
async fn twenty_simultaneous_refreshes_of_one_token_leave_at_most_one_winner_and_no_live_token() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let code = app.code_for(&app.browser(), &rp, "ada@example.com").await;
    let first: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    let refresh = first["refresh_token"].as_str().unwrap().to_owned();
    let attempts = (0..20).map(|_| {
        let (app, rp, refresh) = (&app, rp.clone(), refresh.clone());
        async move {
            app.token_request(
                &rp,
                &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
            )
            .await
            .json::<Value>()
            .await
            .unwrap()
        }
    });
    let results = futures_util::future::join_all(attempts).await;
    let winners = results
        .iter()
        .filter(|r| r.get("refresh_token").is_some())
        .count();
    assert!(winners <= 1, "{results:?}");
    assert_eq!(
        results
            .iter()
            .filter(|r| r["error"] == "invalid_grant")
            .count(),
        20 - winners,
        "{results:?}"
    );
    assert_all_dead(&app, &rp, &results).await;
    assert_eq!(
        app.userinfo(first["access_token"].as_str().unwrap())
            .await
            .status(),
        401,
        "the family is revoked"
    );
}

#[tokio::test]
async fn userinfo_also_accepts_post_with_the_token_in_the_header_or_the_form() {
    let app = TestApp::spawn().await;
    let sub = app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let code = app.code_for(&app.browser(), &rp, "ada@example.com").await;
    let tokens: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    let http = reqwest::Client::new();
    let by_header: Value = http
        .post(app.url("/users-srv/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let by_form: Value = http
        .post(app.url("/users-srv/userinfo"))
        .form(&[("access_token", access)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by_header["sub"], sub.as_str());
    assert_eq!(by_header, by_form);
}
