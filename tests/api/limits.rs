//! Rate limits in front of anonymous POSTs (README "Abuse limits"): per client IP and per
//! sign-in name, answered with 429 and `Retry-After` in each endpoint's own shape; the client
//! IP taken from `X-Forwarded-For` only behind a trusted proxy.

use crate::helpers::*;
use gatehouse::store;
use serde_json::{Value, json};

async fn token_post(app: &TestApp, forwarded: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(app.url("/token-srv/token"))
        .form(&[("grant_type", "authorization_code"), ("code", "nope")]);
    if let Some(xff) = forwarded {
        request = request.header("X-Forwarded-For", xff);
    }
    request.send().await.unwrap()
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn one_ip_over_its_rate_gets_429_with_retry_after_in_each_endpoints_own_shape() {
    let app = TestApp::spawn_with(|c| {
        c.rate_ip_per_minute = 3;
        c.rate_exempt = vec![];
    })
    .await;
    for _ in 0..3 {
        let answer = token_post(&app, None).await;
        assert_ne!(answer.status(), 429);
    }
    // RFC 6749 JSON on the token endpoint
    let limited = token_post(&app, None).await;
    assert_eq!(limited.status(), 429);
    let wait = retry_after(&limited);
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable", "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("Too many attempts"),
        "{body}"
    );

    // the cidaas envelope on the verification service
    let (status, body) = post_json(
        &reqwest::Client::new(),
        app.url("/verification-srv/authentication/email/initiation"),
        json!({"request_id": "x", "email": "ada@example.com"}),
    )
    .await;
    assert_eq!(status, 429);
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "too_many_requests", "{body}");

    // an HTML page on the hosted pages
    let page = reqwest::Client::new()
        .post(app.url("/register"))
        .form(&[("email", "x@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 429);
    assert!(page.headers().contains_key("retry-after"));
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("Too many attempts from here"), "{html}");

    // pages that are read, not posted, are never limited
    let health = reqwest::get(app.url("/health")).await.unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = TestApp::spawn_with(|c| {
        c.rate_ip_per_minute = 2;
        c.rate_exempt = vec![];
    })
    .await;
    for i in 0..2 {
        let answer = token_post(&app, Some(&format!("198.51.100.{i}"))).await;
        assert_ne!(answer.status(), 429);
    }
    // a new made-up address each time does not give the loopback peer a new bucket
    let limited = token_post(&app, Some("198.51.100.77")).await;
    assert_eq!(limited.status(), 429);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket_and_is_recorded() {
    let app = TestApp::spawn_with(|c| {
        c.rate_ip_per_minute = 2;
        c.trusted_proxies = vec!["127.0.0.1".into(), "10.0.0.0/8".into()];
    })
    .await;
    for _ in 0..2 {
        assert_ne!(
            token_post(&app, Some("203.0.113.5, 10.1.1.1"))
                .await
                .status(),
            429
        );
    }
    assert_eq!(
        token_post(&app, Some("203.0.113.5, 10.1.1.1"))
            .await
            .status(),
        429,
        "the client behind both proxies is 203.0.113.5"
    );
    // what the client wrote left of the real address changes nothing
    assert_eq!(
        token_post(&app, Some("6.6.6.6, 203.0.113.5"))
            .await
            .status(),
        429
    );
    assert_ne!(
        token_post(&app, Some("203.0.113.6")).await.status(),
        429,
        "another client behind the proxy"
    );

    // the resolved address is what the audit trail records
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let page = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
    let csrf = hidden_field(&page, "csrf_token");
    let answer = browser
        .post(app.url("/login-srv/login"))
        .header("X-Forwarded-For", "192.0.2.44")
        .form(&[
            ("username", "ada@example.com"),
            ("password", "wrong password!"),
            ("requestId", request_id.as_str()),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_ne!(answer.status(), 429);
    let events = app
        .state
        .store
        .run(|c| store::audit::list_audit_events(c, None, 50))
        .await
        .unwrap();
    let failed = events
        .iter()
        .find(|e| e.action.starts_with("login") && e.outcome == "failure")
        .expect("the wrong password is audited");
    assert_eq!(failed.ip.as_deref(), Some("192.0.2.44"));

    // … and what the session row of a sign-in records
    let sub = app.create_user("bob@example.com").await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let page = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
    let signed_in = browser
        .post(app.url("/login-srv/login"))
        .header("X-Forwarded-For", "192.0.2.45")
        .form(&[
            ("username", "bob@example.com"),
            ("password", PASSWORD),
            ("requestId", request_id.as_str()),
            ("csrf_token", hidden_field(&page, "csrf_token").as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(location(&signed_in).starts_with(&rp.redirect_uri));
    let now = app.clock.now();
    let sessions = app
        .state
        .store
        .run(move |c| store::sessions::list_user_sessions(c, &sub, now))
        .await
        .unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].ip.as_deref(), Some("192.0.2.45"));
}

#[tokio::test]
async fn password_posts_for_one_name_are_limited_whichever_address_sends_them() {
    let app = TestApp::spawn_with(|c| {
        c.rate_name_per_minute = 2;
        c.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let page = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
    let csrf = hidden_field(&page, "csrf_token");
    let attempt = |name: &'static str, ip: String| {
        let (browser, request_id, csrf, url) = (
            browser.clone(),
            request_id.clone(),
            csrf.clone(),
            app.url("/login-srv/login"),
        );
        async move {
            browser
                .post(url)
                .header("X-Forwarded-For", ip)
                .form(&[
                    ("username", name),
                    ("password", "wrong password!"),
                    ("requestId", request_id.as_str()),
                    ("csrf_token", csrf.as_str()),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    for i in 0..2 {
        let answer = attempt(" ADA@example.com", format!("198.51.100.{i}")).await;
        assert_ne!(answer.status(), 429);
    }
    // the normalised name is the key: case and spaces do not make a new one
    let limited = attempt("ada@example.com", "198.51.100.9".into()).await;
    assert_eq!(limited.status(), 429);
    assert!(retry_after(&limited) >= 1);
    let html = limited.text().await.unwrap();
    assert!(html.contains("Too many attempts"), "{html}");
    // another name is not affected
    let other = attempt("bob@example.com", "198.51.100.9".into()).await;
    assert_ne!(other.status(), 429);
}

#[tokio::test]
async fn the_default_limits_do_not_slow_a_busy_client_down() {
    let app = TestApp::spawn().await;
    for _ in 0..300 {
        assert_ne!(token_post(&app, None).await.status(), 429);
    }
}

#[tokio::test]
async fn loopback_is_exempt_from_the_per_ip_rate_by_default_but_its_forwarded_clients_are_not() {
    let app = TestApp::spawn_with(|c| {
        c.rate_ip_per_minute = 2;
        c.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    for _ in 0..5 {
        assert_ne!(token_post(&app, None).await.status(), 429, "a local caller");
    }
    for _ in 0..2 {
        assert_ne!(token_post(&app, Some("203.0.113.9")).await.status(), 429);
    }
    assert_eq!(
        token_post(&app, Some("203.0.113.9")).await.status(),
        429,
        "a client behind the local proxy has its own bucket"
    );
}

#[tokio::test]
async fn the_json_password_check_shares_the_per_name_limit_and_answers_in_the_envelope() {
    let app = TestApp::spawn_with(|c| c.rate_name_per_minute = 1).await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let request_id = app.start_login(&app.browser(), &rp).await;
        let (status, started) = post_json(
            &http,
            app.url("/verification-srv/authentication/password/initiation"),
            json!({"request_id": request_id, "email": "ada@example.com",
                   "usage_type": "PASSWORDLESS_AUTHENTICATION"}),
        )
        .await;
        assert_eq!(status, 200, "{started}");
        let exchange = started["data"]["exchange_id"]["exchange_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let answer = http
            .post(app.url("/verification-srv/authentication/password/verification"))
            .json(&json!({"exchange_id": exchange, "pass_code": "wrong password!"}))
            .send()
            .await
            .unwrap();
        let status = answer.status().as_u16();
        let has_retry = answer.headers().contains_key("retry-after");
        let body: Value = answer.json().await.unwrap();
        statuses.push((status, has_retry, body));
    }
    assert_ne!(statuses[0].0, 429, "{:?}", statuses[0]);
    let (status, has_retry, body) = &statuses[1];
    assert_eq!(*status, 429, "{body}");
    assert!(*has_retry);
    assert_eq!(body["error"]["code"], "too_many_requests", "{body}");
}

#[tokio::test]
async fn a_flood_from_one_ip_may_use_idle_hashing_slots_but_a_freed_slot_goes_to_another_ip_first()
{
    let app = TestApp::spawn_with(|c| {
        c.hash_slots_per_ip = 1;
        c.hash_queue_wait_ms = 10_000;
        // a hash long enough (~0.2 s) that finishing after the other's hash shows in the order
        c.argon2_memory_kib = 19_456;
        c.argon2_iterations = 8;
        c.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    let app = std::sync::Arc::new(app);
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    // the flooding address holds every slot: its share, and the rest borrowed while idle
    let flood_ip = "198.51.100.1";
    let slots = app.state.hashing.queue().slots;
    let mut held = Vec::new();
    for _ in 0..slots {
        held.push(app.state.hashing.slot_for(Some(flood_ip)).await.unwrap());
    }
    let post = |ip: &'static str| {
        let app = app.clone();
        let rp = rp.clone();
        async move {
            let browser = app.browser();
            let request_id = app.start_login(&browser, &rp).await;
            let page = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
            let answer = browser
                .post(app.url("/login-srv/login"))
                .header("X-Forwarded-For", ip)
                .form(&[
                    ("username", "ada@example.com"),
                    ("password", PASSWORD),
                    ("requestId", request_id.as_str()),
                    ("csrf_token", hidden_field(&page, "csrf_token").as_str()),
                ])
                .send()
                .await
                .unwrap();
            (answer.status().as_u16(), std::time::Instant::now())
        }
    };
    // the flood asks first, the other address later; both wait
    let flood = tokio::spawn(post(flood_ip));
    wait_until_waiting(&app, 1).await;
    let other = tokio::spawn(post("203.0.113.7"));
    wait_until_waiting(&app, 2).await;
    // one slot frees up: it goes to the other address, not to the flood that asked first
    held.pop();
    let (other_status, other_done) = other.await.unwrap();
    assert_eq!(other_status, 302, "the other address signs in");
    drop(held);
    let (flood_status, flood_done) = flood.await.unwrap();
    assert_eq!(
        flood_status, 302,
        "the flood is served once nobody else waits"
    );
    assert!(other_done < flood_done, "the other address went first");
}

/// Waits until `n` sign-ins wait for a hashing slot.
async fn wait_until_waiting(app: &TestApp, n: usize) {
    for _ in 0..500 {
        if app.state.hashing.queue().waiting >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("never {n} waiting: {:?}", app.state.hashing.queue());
}
