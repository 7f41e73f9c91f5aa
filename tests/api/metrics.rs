//! `/metrics` (issue 14): the numbers move after real sign-ins, wrong codes, locks and
//! deliveries; requests are counted by route pattern, never by raw path; only the token holder
//! (or, without a token, a loopback caller without proxy headers) may read them.

use serde_json::{Value, json};

use crate::helpers::*;

const ADA: &str = "ada@example.com";
const INITIATE: &str = "/verification-srv/v2/authenticate/initiate";
const AUTHENTICATE: &str = "/verification-srv/v2/authenticate/authenticate";
const TOKEN: &str = "a-metrics-token-of-32-characters";

async fn scrape(app: &TestApp) -> String {
    let response = reqwest::get(app.url("/metrics")).await.unwrap();
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    response.text().await.unwrap()
}

/// The value of the series `name{labels}` (labels in the exposition's sorted order), 0 if absent.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

/// A passwordless verification of `kind` for ADA in a fresh login; its answer.
async fn initiate(app: &TestApp, rp: &Rp, kind: &str) -> Value {
    let request_id = app.start_login(&app.browser(), rp).await;
    let (status, started) = post_json(
        &reqwest::Client::new(),
        app.url(&format!("{INITIATE}/{kind}")),
        json!({"request_id": request_id, "usage_type": "PASSWORDLESS_AUTHENTICATION", "email": ADA}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    started
}

#[tokio::test]
async fn sign_ins_wrong_codes_locks_and_deliveries_move_the_numbers() {
    let app = TestApp::spawn().await;
    let before = scrape(&app).await;
    assert_eq!(value(&before, "gatehouse_hash_pool_slots"), {
        let cores = std::thread::available_parallelism().unwrap().get();
        cores as f64
    });
    // The test configuration leaves SQLite at its default of one connection and gives each
    // PostgreSQL test app five.
    let pool = if app.config.database_url.starts_with("postgres") {
        5.0
    } else {
        1.0
    };
    assert_eq!(
        value(&before, "gatehouse_db_pool_max_connections"),
        pool,
        "{before}"
    );
    assert_eq!(
        value(
            &before,
            r#"gatehouse_sign_ins_total{method="pwd",result="success"}"#
        ),
        0.0
    );

    // a real password sign-in, then an enrollment (both signed in through the hosted pages)
    app.create_user(ADA).await;
    let phone = app
        .enroll_totp(&app.signed_in_browser(ADA).await, "Pixel")
        .await;
    let rp = app.confidential_client().await;
    let after_sign_in = scrape(&app).await;
    assert_eq!(
        value(
            &after_sign_in,
            r#"gatehouse_sign_ins_total{method="pwd",result="success"}"#
        ),
        1.0,
        "{after_sign_in}"
    );
    assert_eq!(
        value(
            &after_sign_in,
            r#"gatehouse_http_requests_total{method="POST",route="/login-srv/login",status="302"}"#
        ),
        1.0
    );
    assert!(
        value(
            &after_sign_in,
            r#"gatehouse_http_request_duration_seconds_count{method="POST",route="/login-srv/login"}"#
        ) >= 1.0
    );

    // five wrong authenticator codes: five failures, and the authenticator is locked
    let wrong = if phone.code(&app, 0) == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..5 {
        let started = initiate(&app, &rp, "totp").await;
        let exchange = started["data"]["exchange_id"]["exchange_id"]
            .as_str()
            .unwrap();
        let (status, _) = post_json(
            &reqwest::Client::new(),
            app.url(&format!("{AUTHENTICATE}/totp")),
            json!({"exchange_id": exchange, "pass_code": wrong}),
        )
        .await;
        assert!(status == 401 || status == 429, "{status}");
    }
    // a code by email: one delivery (the outbox when no SMTP server is configured)
    initiate(&app, &rp, "email").await;

    let after = scrape(&app).await;
    assert_eq!(
        value(
            &after,
            r#"gatehouse_sign_ins_total{method="totp",result="failure"}"#
        ),
        5.0,
        "{after}"
    );
    assert_eq!(
        value(&after, r#"gatehouse_lockouts_active{kind="authenticator"}"#),
        1.0
    );
    assert_eq!(
        value(
            &after,
            r#"gatehouse_deliveries_total{channel="email",result="sent"}"#
        ),
        1.0,
        "{after}"
    );
    assert_eq!(
        value(
            &after,
            r#"gatehouse_http_requests_total{method="POST",route="/verification-srv/v2/authenticate/initiate/{type}",status="200"}"#
        ),
        6.0
    );
    // database connections: idle ones exist after all this, and none is held between requests
    assert!(value(&after, r#"gatehouse_db_pool_connections{state="idle"}"#) >= 1.0);
    assert_eq!(
        value(&after, r#"gatehouse_db_pool_connections{state="in_use"}"#),
        0.0
    );
}

#[tokio::test]
async fn requests_are_counted_by_route_pattern_never_by_raw_path() {
    let app = TestApp::spawn().await;
    let secret_looking = "0f9a8b7c-made-up-subject";
    let http = reqwest::Client::new();
    http.get(app.url(&format!("/v1/users/{secret_looking}/authenticators")))
        .send()
        .await
        .unwrap();
    http.get(app.url("/no/such/path/4711"))
        .send()
        .await
        .unwrap();
    http.request(
        reqwest::Method::from_bytes(b"BREW").unwrap(),
        app.url("/health"),
    )
    .send()
    .await
    .unwrap();
    let text = scrape(&app).await;
    assert!(!text.contains(secret_looking), "{text}");
    assert!(!text.contains("4711"), "{text}");
    assert!(!text.contains("BREW"), "{text}");
    assert_eq!(
        value(
            &text,
            r#"gatehouse_http_requests_total{method="GET",route="/v1/users/{sub}/authenticators",status="401"}"#
        ),
        1.0,
        "{text}"
    );
    assert_eq!(
        value(
            &text,
            r#"gatehouse_http_requests_total{method="GET",route="unmatched",status="404"}"#
        ),
        1.0
    );
}

#[tokio::test]
async fn with_a_token_only_its_bearer_reads_the_metrics() {
    let app = TestApp::spawn_with(|c| c.metrics_token = Some(TOKEN.into())).await;
    let http = reqwest::Client::new();
    let get = |auth: Option<&'static str>| {
        let mut request = http.get(app.url("/metrics"));
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        request.send()
    };
    // loopback is no longer enough: no token, a wrong one, another scheme
    for auth in [
        None,
        Some("Bearer a-wrong-token-of-32-characters!"),
        Some("Bearer a-metrics-token-of-32-character"),
        Some("Basic YS1tZXRyaWNzLXRva2VuLW9mLTMyLWNoYXJhY3RlcnM="),
    ] {
        let response = get(auth).await.unwrap();
        assert_eq!(response.status(), 404, "{auth:?}");
        assert!(!response.text().await.unwrap().contains("gatehouse_"));
    }
    let response = get(Some("Bearer a-metrics-token-of-32-characters"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("# TYPE gatehouse_http_requests_total counter")
    );
}

#[tokio::test]
async fn a_metrics_token_shorter_than_sixteen_characters_stops_the_start() {
    let mut config = gatehouse::Config {
        metrics_token: Some("short-token".into()),
        ..gatehouse::Config::default()
    };
    let error = config.validate().unwrap_err().to_string();
    assert!(error.contains("metrics_token"), "{error}");
    config.metrics_token = Some(TOKEN.into());
    config.validate().unwrap();
}

#[tokio::test]
async fn without_a_token_a_proxied_or_remote_caller_gets_a_plain_not_found() {
    // Listening on every interface, reached through a non-loopback address of this machine.
    let app = TestApp::spawn_with(|c| c.listen = "0.0.0.0:0".into()).await;
    let http = reqwest::Client::new();
    // a reverse proxy on this host: the peer is loopback, the caller is not
    for (name, value) in [
        ("x-forwarded-for", "198.51.100.7"),
        ("forwarded", "for=198.51.100.7"),
        ("x-real-ip", "198.51.100.7"),
    ] {
        let response = http
            .get(format!("http://127.0.0.1:{}/metrics", app.addr.port()))
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{name}");
    }
    // the machine's own outward address (the source a remote caller's packets never have)
    let probe = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    probe.connect("192.0.2.1:9").unwrap();
    let outward = probe.local_addr().unwrap().ip();
    assert!(!outward.is_loopback(), "no outward address: {outward}");
    let remote = http
        .get(format!("http://{outward}:{}/metrics", app.addr.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(remote.status(), 404);
    let text = remote.text().await.unwrap();
    assert!(!text.contains("gatehouse_"), "{text}");
    // and the same caller on loopback is let in
    let local = http
        .get(format!("http://127.0.0.1:{}/metrics", app.addr.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(local.status(), 200);
}

#[tokio::test]
async fn the_hash_pool_queue_shows_slots_in_use_and_password_checks_waiting() {
    let app = TestApp::spawn_with(|c| c.hash_queue_wait_ms = 5_000).await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let login = location(&app.authorize(&browser, &code_request(&rp)).await);
    let (request_id, csrf) = app.open_login_page(&browser, &login).await;
    // every slot taken, as by hashes running
    let slots = app.state.hashing.queue().slots;
    let mut taken = Vec::new();
    for _ in 0..slots {
        taken.push(app.state.hashing.slot().await.unwrap());
    }
    // a password check now has to wait for one
    let waiting = {
        let url = app.url("/login-srv/login");
        tokio::spawn(async move {
            let form = [
                ("username", ADA),
                ("password", PASSWORD),
                ("requestId", &request_id),
                ("csrf_token", &csrf),
            ];
            browser.post(url).form(&form).send().await.unwrap().status()
        })
    };
    let mut text = scrape(&app).await;
    for _ in 0..200 {
        if value(&text, "gatehouse_hash_pool_waiting") >= 1.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        text = scrape(&app).await;
    }
    assert_eq!(value(&text, "gatehouse_hash_pool_waiting"), 1.0, "{text}");
    assert_eq!(value(&text, "gatehouse_hash_pool_in_use"), slots as f64);
    // the slots free up: the check runs, and nothing waits any more
    drop(taken);
    assert_eq!(waiting.await.unwrap(), 302, "the sign-in went through");
    let text = scrape(&app).await;
    assert_eq!(value(&text, "gatehouse_hash_pool_waiting"), 0.0);
    assert_eq!(value(&text, "gatehouse_hash_pool_in_use"), 0.0);
}
