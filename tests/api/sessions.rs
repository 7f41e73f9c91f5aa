//! Login sessions live in the database: created at sign-in, renewed on a new sign-in,
//! deleted on sign-out, and never readable from the database alone.

use crate::helpers::*;
use gatehouse::store;

async fn session_count(app: &TestApp) -> i64 {
    app.state
        .store
        .run(store::sessions::count_sessions)
        .await
        .unwrap()
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .cookies()
        .find(|c| c.name() == "gatehouse_session")
        .map(|c| c.value().to_owned())
}

#[tokio::test]
async fn signing_in_stores_a_session_and_a_new_sign_in_replaces_it() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.public_client().await;
    let browser = app.browser();
    assert_eq!(session_count(&app).await, 0);

    let mut params = code_request(&rp);
    params.push(("prompt", "login"));
    let mut cookies = Vec::new();
    for _ in 0..2 {
        let login = location(&app.authorize(&browser, &params).await);
        let (rid, csrf) = app.open_login_page(&browser, &login).await;
        let response = app
            .submit_login(&browser, &rid, &csrf, "ada@example.com", PASSWORD)
            .await;
        let cookie = session_cookie(&response).expect("the sign-in sets a session cookie");
        assert!(
            response
                .cookies()
                .any(|c| c.name() == "gatehouse_session" && c.http_only() && c.same_site_lax())
        );
        cookies.push(cookie);
        assert_eq!(
            session_count(&app).await,
            1,
            "the old session row is replaced, not kept"
        );
    }
    assert_ne!(
        cookies[0], cookies[1],
        "a new sign-in gets a new session id"
    );

    // the table holds only a hash of the session key
    let id_hashes: Vec<String> = app
        .state
        .store
        .run(|c| {
            use diesel::prelude::*;
            Ok(gatehouse::store::schema::sessions::table
                .select(gatehouse::store::schema::sessions::id_hash)
                .load(c)?)
        })
        .await
        .unwrap();
    assert!(!cookies.iter().any(|c| {
        id_hashes
            .iter()
            .any(|h| c.contains(h.as_str()) || h.contains(c.as_str()))
    }));
}

#[tokio::test]
async fn expired_sessions_are_not_used() {
    let app = TestApp::spawn_with(|c| c.session_ttl = 60).await;
    app.create_user("ada@example.com").await;
    let rp = app.public_client().await;
    let browser = app.browser();
    app.sign_in(&browser, &rp, "ada@example.com", &[]).await;
    app.clock.advance(61);
    let params = code_request(&rp);
    assert!(location(&app.authorize(&browser, &params).await).starts_with("/login?"));
    let deleted = app
        .state
        .store
        .run(move |c| store::sessions::delete_expired_sessions(c, i64::MAX))
        .await
        .unwrap();
    assert_eq!(deleted, 1);
}

#[tokio::test]
async fn behind_an_https_public_url_cookies_are_secure_and_host_prefixed() {
    let app =
        TestApp::spawn_with(|c| c.public_url = Some("https://login.example.test".into())).await;
    assert_eq!(app.base, "https://login.example.test");
    let rp = app.public_client().await;
    let params = code_request(&rp);
    let response = app.authorize(&app.browser(), &params).await;
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        set_cookie.starts_with("__Host-gatehouse_browser="),
        "{set_cookie}"
    );
    for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set_cookie.contains(flag), "{flag} missing in {set_cookie}");
    }
    assert!(
        !set_cookie.contains("Domain="),
        "__Host- cookies have no Domain"
    );
    assert!(
        response.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
}
