//! `/openapi.json` (issue 14): the OpenAPI 3.1 document names every JSON route of the route
//! table and nothing else, every documented operation reaches its route, and real answers of
//! the service (successes and errors) match the documented response schemas.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::*;

const ADA: &str = "ada@example.com";
const METHODS: &[&str] = &["get", "post", "put", "delete", "patch"];

async fn document(app: &TestApp) -> Value {
    let response = reqwest::get(app.url("/openapi.json")).await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Every path literal of the route table (`src/web/route_table/`), with the `{v}` / `{a}`
/// prefixes of the verification service spelled out.
fn route_table_paths() -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/route_table");
    let mut paths = BTreeSet::new();
    for file in [
        "account.rs",
        "admin.rs",
        "hosted.rs",
        "oauth.rs",
        "verification.rs",
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        for line in text.lines() {
            let code = line.trim();
            if code.starts_with("//") || code.starts_with("let ") {
                continue;
            }
            for literal in code.split('"').skip(1).step_by(2) {
                let path = literal
                    .replace("{v}", "/verification-srv")
                    .replace("{a}", "/verification-actions-srv")
                    .replace("{{", "{")
                    .replace("}}", "}");
                if path.starts_with('/') {
                    paths.insert(path);
                }
            }
        }
    }
    paths
}

/// The routes that answer JSON: the JSON areas of the route table, discovery, health and this
/// document.
fn json_routes() -> BTreeSet<String> {
    use gatehouse::web::error_shape::ErrorShape;
    route_table_paths()
        .into_iter()
        .filter(|p| {
            gatehouse::web::route_table::error_shape(p) != ErrorShape::Page
                || p.starts_with("/.well-known/")
                || p == "/health"
                || p == "/openapi.json"
        })
        .collect()
}

#[tokio::test]
async fn every_json_route_is_documented_and_every_documented_path_is_a_route() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], app.base.as_str());
    let documented: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let routes = json_routes();
    assert!(routes.len() > 30, "the route table was read: {routes:?}");
    let missing: Vec<_> = routes.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "JSON routes not in docs/openapi.json: {missing:?}"
    );
    let table = route_table_paths();
    let unknown: Vec<_> = documented.difference(&table).collect();
    assert!(
        unknown.is_empty(),
        "documented paths that are no route: {unknown:?}"
    );
}

#[tokio::test]
async fn every_documented_operation_reaches_its_route_with_its_method() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let http = reqwest::Client::new();
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if item.get(*method).is_none() {
                continue;
            }
            // every path parameter gets a made-up value
            let concrete: String = path
                .split('/')
                .map(|s| if s.starts_with('{') { "x1" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let response = http
                .request(method.to_uppercase().parse().unwrap(), app.url(&concrete))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            assert_ne!(status, 405, "{method} {path}");
            assert!(status < 500, "{method} {path}: {status}");
            operations.push((method.to_uppercase(), path.clone()));
        }
    }
    // the metrics name the pattern each request was routed to: the documented path itself
    let metrics = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for (method, path) in operations {
        let series = format!(r#"method="{method}",route="{path}","#);
        assert!(
            metrics.contains(&series),
            "{method} {path} was not routed to {path}"
        );
    }
}

/// The schema of the answer `status` of `method path`, with the document's components so that
/// its references resolve.
fn response_schema(doc: &Value, path: &str, method: &str, status: u16) -> Value {
    let responses = &doc["paths"][path][method]["responses"];
    let response = responses
        .get(status.to_string())
        .or_else(|| responses.get("default"))
        .unwrap_or_else(|| panic!("{method} {path}: {status} is not documented"));
    let mut schema = response["content"]["application/json"]["schema"].clone();
    assert!(
        schema.is_object(),
        "{method} {path} {status}: no JSON schema"
    );
    schema["components"] = doc["components"].clone();
    schema
}

/// Fails with every violation when `instance` does not match.
fn check(doc: &Value, path: &str, method: &str, status: u16, instance: &Value) {
    let schema = response_schema(doc, path, method, status);
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status} does not match its schema: {errors:?}\n{instance}"
    );
}

fn valid(doc: &Value, path: &str, method: &str, status: u16, instance: &Value) -> bool {
    let schema = response_schema(doc, path, method, status);
    jsonschema::draft202012::new(&schema)
        .unwrap()
        .is_valid(instance)
}

async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn real_answers_match_their_documented_schemas() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let http = reqwest::Client::new();
    let get = |path: &'static str| http.get(app.url(path)).send();

    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/jwks.json",
        "/health",
    ] {
        let (status, body) = answer(get(path).await.unwrap()).await;
        assert_eq!(status, 200);
        check(&doc, path, "get", status, &body);
    }

    // a real sign-in, its tokens, introspection and userinfo
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let code = app.code_for(&app.browser(), &rp, ADA).await;
    let (status, tokens) = answer(app.redeem(&rp, &code).await).await;
    assert_eq!(status, 200, "{tokens}");
    check(&doc, "/token-srv/token", "post", status, &tokens);
    let access = tokens["access_token"].as_str().unwrap();
    let introspect = |token: &str| {
        http.post(app.url("/token-srv/introspect"))
            .basic_auth(&rp.client_id, rp.client_secret.as_deref())
            .form(&[("token", token)])
            .send()
    };
    for token in [access, "not-a-token"] {
        let (status, body) = answer(introspect(token).await.unwrap()).await;
        assert_eq!(status, 200);
        check(&doc, "/token-srv/introspect", "post", status, &body);
    }
    let (status, body) = answer(
        http.post(app.url("/token-srv/introspect"))
            .basic_auth(&rp.client_id, Some("wrong secret"))
            .form(&[("token", access)])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    check(&doc, "/token-srv/introspect", "post", status, &body);
    let (status, body) = answer(app.userinfo(access).await).await;
    assert_eq!(status, 200);
    check(&doc, "/users-srv/userinfo", "get", status, &body);
    // the code again: refused (and its tokens revoked)
    let (status, replay) = answer(app.redeem(&rp, &code).await).await;
    assert_eq!(status, 400);
    check(&doc, "/token-srv/token", "post", status, &replay);

    // the verification service: a list, an initiation, and their errors in the envelope
    let request_id = app.start_login(&app.browser(), &rp).await;
    let list = "/verification-srv/v2/setup/public/configured/list";
    let (status, body) = post_json(
        &http,
        app.url(list),
        json!({"request_id": request_id, "email": ADA}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    check(&doc, list, "post", status, &body);
    let initiate = "/verification-srv/v2/authenticate/initiate/{type}";
    let (status, body) = post_json(
        &http,
        app.url("/verification-srv/v2/authenticate/initiate/email"),
        json!({"request_id": request_id, "usage_type": "PASSWORDLESS_AUTHENTICATION", "email": ADA}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    check(&doc, initiate, "post", status, &body);
    let (status, body) = post_json(
        &http,
        app.url("/verification-srv/v2/authenticate/initiate/email"),
        json!({"request_id": request_id, "usage_type": "SOMETHING_ELSE", "email": ADA}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    check(&doc, initiate, "post", status, &body);

    // the management API without a token, an unknown request
    let (status, body) = answer(get("/v1/deliveries").await.unwrap()).await;
    assert_eq!(status, 401, "{body}");
    check(&doc, "/v1/deliveries", "get", status, &body);
    let (status, body) = answer(get("/public-srv/public/no-such-request").await.unwrap()).await;
    assert!(status >= 400, "{body}");
    check(
        &doc,
        "/public-srv/public/{request_id}",
        "get",
        status,
        &body,
    );
}

#[tokio::test]
async fn an_answer_that_breaks_its_schema_fails_the_check() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let token = "/token-srv/token";
    let good = json!({"access_token": "a", "token_type": "Bearer", "expires_in": 3600});
    assert!(valid(&doc, token, "post", 200, &good));
    // expires_in as text, a token type the service never sends, no access token
    for bad in [
        json!({"access_token": "a", "token_type": "Bearer", "expires_in": "3600"}),
        json!({"access_token": "a", "token_type": "MAC", "expires_in": 3600}),
        json!({"token_type": "Bearer", "expires_in": 3600}),
    ] {
        assert!(!valid(&doc, token, "post", 200, &bad), "{bad}");
    }
    // an envelope error without its reference number; a success envelope for an error
    let list = "/verification-srv/v2/setup/public/configured/list";
    let error =
        json!({"success": false, "status": 400, "error": {"code": "x", "type": "T", "error": "m"}});
    assert!(!valid(&doc, list, "post", 400, &error));
    let success = json!({"success": true, "status": 200, "data": {"configured_list": []}});
    assert!(valid(&doc, list, "post", 200, &success));
    assert!(!valid(&doc, list, "post", 400, &success));
    // the real discovery document is no JWK set
    let discovery: Value = app.discovery().await;
    assert!(!valid(
        &doc,
        "/.well-known/jwks.json",
        "get",
        200,
        &discovery
    ));
}

#[tokio::test]
async fn an_enrollment_by_api_answers_as_documented() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    app.create_user(ADA).await;
    let browser = app.signed_in_browser(ADA).await;
    let initiate = "/verification-srv/v2/setup/initiate/totp";
    let (status, started) = post_json(&browser, app.url(initiate), json!({"label": "Pixel"})).await;
    assert_eq!(status, 200, "{started}");
    check(&doc, initiate, "post", status, &started);
    let secret = totp_rs::Secret::try_from_base32(started["data"]["totp_secret"].as_str().unwrap())
        .unwrap()
        .as_ref()
        .to_vec();
    let params = gatehouse::domain::totp::TotpParams::default();
    let code =
        gatehouse::domain::totp::code_at_step(&secret, params, params.step_at(app.clock.now()));
    let enroll = "/verification-srv/v2/setup/enroll/totp";
    let exchange = started["data"]["exchange_id"]["exchange_id"].clone();
    let (status, wrong) = post_json(
        &browser,
        app.url(enroll),
        json!({"exchange_id": exchange, "pass_code": if code == "000000" { "111111" } else { "000000" }}),
    )
    .await;
    assert!(status >= 400, "{wrong}");
    check(&doc, enroll, "post", status, &wrong);
    let (status, enrolled) = post_json(
        &browser,
        app.url(enroll),
        json!({"exchange_id": exchange, "pass_code": code}),
    )
    .await;
    assert_eq!(status, 200, "{enrolled}");
    check(&doc, enroll, "post", status, &enrolled);
    // without a session: the error envelope
    let (status, refused) = post_json(&reqwest::Client::new(), app.url(initiate), json!({})).await;
    assert_eq!(status, 401, "{refused}");
    check(&doc, initiate, "post", status, &refused);
}
