//! `/admin/apps`: registering, editing, deleting applications and rotating their secrets, and
//! the settings taking effect at the authorization, login and token endpoints.

use gatehouse::domain::client::Client;
use gatehouse::domain::ids::hash_secret;
use gatehouse::store::{self, audit::AuditEventRow};
use serde_json::{Value, json};

use crate::account::account_browser;
use crate::helpers::*;

const ADMIN: &str = "root@example.com";

/// An administrator signed in (through the built-in account client, so no other application
/// exists); returns the browser and the admin's id.
async fn admin_browser(app: &TestApp) -> (reqwest::Client, String) {
    let id = app.create_admin(ADMIN).await;
    let (browser, _) = account_browser(app, ADMIN).await;
    (browser, id)
}

/// The CSRF token of `browser`, read off the registration form.
async fn csrf(app: &TestApp, browser: &reqwest::Client) -> String {
    hidden_field(
        &get_text(browser, app.url("/admin/apps/new")).await,
        "csrf_token",
    )
}

/// The fields of a confidential sign-in application with every method allowed.
fn app_fields(name: &str, redirect_uris: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("name", name),
        ("client_type", "confidential"),
        ("redirect_uris", redirect_uris),
        ("post_logout_redirect_uris", ""),
        ("grant_types", "authorization_code"),
        ("grant_types", "refresh_token"),
        ("mfa_policy", "optional"),
        ("access_token_ttl", ""),
        ("id_token_ttl", ""),
        ("refresh_token_ttl", ""),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    set(
        &mut fields,
        "allowed_methods",
        &[
            "password",
            "totp",
            "email",
            "sms",
            "push",
            "backupcode",
            "passkey",
        ],
    );
    fields
}

/// Replaces every value of `key` by `values`.
fn set(fields: &mut Vec<(String, String)>, key: &str, values: &[&str]) {
    fields.retain(|(k, _)| k != key);
    fields.extend(values.iter().map(|v| (key.to_owned(), v.to_string())));
}

async fn post_form(
    browser: &reqwest::Client,
    url: String,
    csrf: Option<&str>,
    fields: &[(String, String)],
) -> reqwest::Response {
    let mut fields = fields.to_vec();
    if let Some(csrf) = csrf {
        fields.push(("csrf_token".into(), csrf.into()));
    }
    browser.post(url).form(&fields).send().await.unwrap()
}

/// The text of the element with `id` (up to the next tag).
fn text_of(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in {html}"))
        + marker.len();
    html[start..].split('<').next().unwrap().to_owned()
}

async fn find_client(app: &TestApp, id: &str) -> Option<Client> {
    let id = id.to_owned();
    app.state
        .store
        .run(move |c| store::clients::find_client(c, &id))
        .await
        .unwrap()
}

async fn count_clients(app: &TestApp) -> i64 {
    app.state
        .store
        .run(store::clients::count_clients)
        .await
        .unwrap()
}

async fn audit_events(app: &TestApp, action: &str) -> Vec<AuditEventRow> {
    let action = action.to_owned();
    app.state
        .store
        .run(|c| store::audit::list_audit_events(c, None, 500))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

async fn client_credentials(app: &TestApp, id: &str, secret: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url("/token-srv/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
}

/// Registers an application on the page; returns (client_id, client_secret) read off the page.
async fn register(
    app: &TestApp,
    browser: &reqwest::Client,
    fields: &[(String, String)],
) -> (String, Option<String>) {
    let token = csrf(app, browser).await;
    let response = post_form(browser, app.url("/admin/apps"), Some(&token), fields).await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    let secret = page
        .contains("id=\"client-secret\"")
        .then(|| text_of(&page, "client-secret"));
    (text_of(&page, "client-id"), secret)
}

#[tokio::test]
async fn a_registered_application_shows_its_secret_once_stores_its_hash_and_gets_tokens() {
    let app = TestApp::spawn().await;
    let (browser, admin_id) = admin_browser(&app).await;
    let form = get_text(&browser, app.url("/admin/apps/new")).await;
    for label in [
        "<label for=\"name\">Name</label>",
        "<label for=\"redirect_uris\">Redirect URIs</label>",
        "<label for=\"post_logout_redirect_uris\">Post-logout redirect URIs</label>",
        "<label for=\"grant_types-client_credentials\">",
        "<label for=\"allowed_methods-backupcode\">",
        "<label for=\"mfa_policy-always\">",
        "<label for=\"access_token_ttl\">",
    ] {
        assert!(form.contains(label), "{label} in {form}");
    }

    let mut fields = app_fields(
        "Billing",
        "https://billing.example/cb\r\nhttp://localhost:3000/cb",
    );
    set(
        &mut fields,
        "grant_types",
        &["authorization_code", "refresh_token", "client_credentials"],
    );
    set(
        &mut fields,
        "post_logout_redirect_uris",
        &["https://billing.example/bye"],
    );
    set(&mut fields, "access_token_ttl", &["600"]);
    let token = csrf(&app, &browser).await;
    let created = post_form(&browser, app.url("/admin/apps"), Some(&token), &fields).await;
    assert_eq!(created.status(), 200);
    assert_eq!(created.headers()["cache-control"], "no-store");
    let page = created.text().await.unwrap();
    assert!(page.contains("shown only this once"), "{page}");
    let (id, secret) = (text_of(&page, "client-id"), text_of(&page, "client-secret"));
    assert!(secret.len() >= 40, "{secret}");

    let client = find_client(&app, &id).await.expect("stored");
    assert_eq!(client.name, "Billing");
    assert_eq!(
        client.secret_hash.as_deref(),
        Some(hash_secret(&secret).as_str())
    );
    assert!(!client.is_public);
    // kept in alphabetical order
    assert_eq!(
        client.redirect_uris,
        ["http://localhost:3000/cb", "https://billing.example/cb"]
    );
    assert_eq!(
        client.post_logout_redirect_uris,
        ["https://billing.example/bye"]
    );
    assert_eq!(client.lifetimes.access_token, Some(600));
    assert_eq!(client.lifetimes.refresh_token, None);

    // the secret works at the token endpoint, with the application's own lifetime
    let response = client_credentials(&app, &id, &secret).await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["expires_in"], 600, "{tokens}");

    // it is never shown again: not in the list, not on the edit page, not in the audit trail
    let list = get_text(&browser, app.url("/admin/apps")).await;
    assert!(list.contains("Billing") && list.contains(&id), "{list}");
    assert!(list.contains("<th scope=\"col\">Redirect URIs</th>"));
    assert!(list.contains("<td>confidential</td>"));
    assert!(list.contains("<td>2</td>"), "two redirect URIs");
    assert!(!list.contains("/admin/apps/gatehouse-account"));
    assert!(list.contains("id=\"builtin-note\""));
    let edit = get_text(&browser, app.url(&format!("/admin/apps/{id}"))).await;
    assert!(edit.contains(">http://localhost:3000/cb\nhttps://billing.example/cb</textarea>"));
    assert!(edit.contains("value=\"600\""));
    for html in [&list, &edit] {
        assert!(!html.contains(&secret));
    }
    let events = audit_events(&app, "admin.client.create").await;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.actor.as_deref(), Some(admin_id.as_str()));
    assert_eq!(event.client_id.as_deref(), Some(id.as_str()));
    assert!(
        event.detail.contains("name: — → Billing"),
        "{}",
        event.detail
    );
    assert!(event.detail.contains("access_token_ttl: — → 600 s"));
    assert!(!event.detail.contains(&secret) && !event.detail.contains(&hash_secret(&secret)));
}

#[tokio::test]
async fn a_public_application_gets_no_secret() {
    let app = TestApp::spawn().await;
    let (browser, _) = admin_browser(&app).await;
    let mut fields = app_fields("Phone app", "com.example.app:/callback");
    set(&mut fields, "client_type", &["public"]);
    let (id, secret) = register(&app, &browser, &fields).await;
    assert_eq!(secret, None);
    let client = find_client(&app, &id).await.unwrap();
    assert!(client.is_public && client.secret_hash.is_none());
    assert!(
        get_text(&browser, app.url(&format!("/admin/apps/{id}/rotate")))
            .await
            .contains("no secret to rotate")
    );
}

#[tokio::test]
async fn invalid_values_are_shown_next_to_their_fields_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let (browser, _) = admin_browser(&app).await;
    let token = csrf(&app, &browser).await;
    let mut fields = app_fields("   ", "http://evil.example/cb");
    set(&mut fields, "access_token_ttl", &["soon"]);
    let refused = post_form(&browser, app.url("/admin/apps"), Some(&token), &fields).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("id=\"form-errors\""), "{page}");
    assert_eq!(text_of(&page, "name-error"), "Give the application a name.");
    assert!(
        page.contains("aria-describedby=\"name-hint name-error\" aria-invalid=\"true\""),
        "{page}"
    );
    assert!(
        text_of(&page, "redirect_uris-error").contains("must use https"),
        "{page}"
    );
    assert!(page.contains("aria-describedby=\"redirect_uris-hint redirect_uris-error\""));
    assert!(text_of(&page, "access_token_ttl-error").contains("whole number of seconds"));
    // what was typed is kept
    assert!(page.contains(">http://evil.example/cb</textarea>"));
    assert!(page.contains("value=\"soon\""));
    assert_eq!(count_clients(&app).await, 0);

    // values no form offers are refused the same way, never with a server error
    let mut fields = app_fields("Odd", "https://odd.example/cb");
    set(&mut fields, "mfa_policy", &["sometimes"]);
    set(&mut fields, "grant_types", &["password"]);
    set(&mut fields, "allowed_methods", &["carrier-pigeon"]);
    set(&mut fields, "refresh_token_ttl", &["99999999999999999999"]);
    let refused = post_form(&browser, app.url("/admin/apps"), Some(&token), &fields).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    for id in [
        "grant_types-error",
        "allowed_methods-error",
        "mfa_policy-error",
        "refresh_token_ttl-error",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
    // a public client cannot have client credentials
    let mut fields = app_fields("Public service", "https://svc.example/cb");
    set(&mut fields, "client_type", &["public"]);
    set(&mut fields, "grant_types", &["client_credentials"]);
    let refused = post_form(&browser, app.url("/admin/apps"), Some(&token), &fields).await;
    assert_eq!(refused.status(), 422);
    assert!(text_of(&refused.text().await.unwrap(), "client_type-error").contains("no secret"));
    assert_eq!(count_clients(&app).await, 0);
}

#[tokio::test]
async fn the_command_line_and_the_page_refuse_the_same_redirect_uri() {
    let app = TestApp::spawn().await;
    let store = app.state.store.clone();
    let args = gatehouse::cli::NewClient {
        name: "X".into(),
        redirect_uris: vec!["http://evil.example/cb".into()],
        post_logout_redirect_uris: vec![],
        login_ui_origins: vec![],
        public: false,
        grant_types: vec![],
        allow_implicit: false,
        mfa: "optional".into(),
        management: false,
        approvals: false,
        json: true,
    };
    let cli_error =
        tokio::task::spawn_blocking(move || gatehouse::cli::create_client(&store, args))
            .await
            .unwrap()
            .unwrap_err()
            .to_string();
    let (browser, _) = admin_browser(&app).await;
    let token = csrf(&app, &browser).await;
    let fields = app_fields("X", "http://evil.example/cb");
    let page = post_form(&browser, app.url("/admin/apps"), Some(&token), &fields)
        .await
        .text()
        .await
        .unwrap();
    let page_error = text_of(&page, "redirect_uris-error").replace("&#34;", "\"");
    assert_eq!(cli_error, format!("--redirect-uri: {page_error}"));
}

#[tokio::test]
async fn changed_redirect_uris_take_effect_and_the_old_one_gets_the_error_page() {
    let app = TestApp::spawn().await;
    let (browser, admin_id) = admin_browser(&app).await;
    let rp = app.confidential_client().await;
    let edit = get_text(&browser, app.url(&format!("/admin/apps/{}", rp.client_id))).await;
    assert!(
        edit.contains(&format!(">{REDIRECT_URI}</textarea>")),
        "{edit}"
    );
    assert!(edit.contains("value=\"Test App\""));
    assert!(edit.contains("id=\"rotate-secret\"") && edit.contains("id=\"delete-app\""));

    let token = csrf(&app, &browser).await;
    let fields = app_fields("Test App renamed", "https://new.example/cb");
    let saved = post_form(
        &browser,
        app.url(&format!("/admin/apps/{}", rp.client_id)),
        Some(&token),
        &fields,
    )
    .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), "/admin/apps?notice=updated");
    let list = get_text(&browser, app.url("/admin/apps?notice=updated")).await;
    assert!(list.contains("The application was saved.") && list.contains("Test App renamed"));

    let client = find_client(&app, &rp.client_id).await.unwrap();
    assert_eq!(client.redirect_uris, ["https://new.example/cb"]);
    assert_eq!(client.name, "Test App renamed");
    assert_eq!(
        client.secret_hash,
        Some(hash_secret(rp.client_secret.as_ref().unwrap()))
    );

    let user_browser = app.browser();
    let old = app.authorize(&user_browser, &code_request(&rp)).await;
    assert_eq!(old.status(), 400, "never a redirect to an unregistered URI");
    assert!(old.text().await.unwrap().contains("<html"));
    let moved = Rp {
        redirect_uri: "https://new.example/cb".into(),
        ..rp.clone()
    };
    let new = app.authorize(&user_browser, &code_request(&moved)).await;
    assert!(location(&new).starts_with("/login?requestId="));

    let events = audit_events(&app, "admin.client.update").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor.as_deref(), Some(admin_id.as_str()));
    assert_eq!(
        events[0].detail,
        format!(
            "name: Test App → Test App renamed; redirect_uris: {REDIRECT_URI} → https://new.example/cb"
        )
    );
}

#[tokio::test]
async fn a_rotated_secret_replaces_the_old_one_at_once() {
    let app = TestApp::spawn().await;
    let (browser, admin_id) = admin_browser(&app).await;
    let rp = app
        .create_client(ClientSpec {
            grant_types: vec!["client_credentials"],
            redirect_uris: vec![],
            ..ClientSpec::default()
        })
        .await;
    let old = rp.client_secret.clone().unwrap();
    assert_eq!(
        client_credentials(&app, &rp.client_id, &old).await.status(),
        200
    );

    let confirm = get_text(
        &browser,
        app.url(&format!("/admin/apps/{}/rotate", rp.client_id)),
    )
    .await;
    assert!(confirm.contains("stops working at once"), "{confirm}");
    let token = hidden_field(&confirm, "csrf_token");
    let rotated = post_form(
        &browser,
        app.url(&format!("/admin/apps/{}/rotate", rp.client_id)),
        Some(&token),
        &[],
    )
    .await;
    assert_eq!(rotated.status(), 200);
    let page = rotated.text().await.unwrap();
    let new = text_of(&page, "client-secret");
    assert_ne!(new, old);

    let refused = client_credentials(&app, &rp.client_id, &old).await;
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(
        client_credentials(&app, &rp.client_id, &new).await.status(),
        200
    );
    assert_eq!(
        find_client(&app, &rp.client_id).await.unwrap().secret_hash,
        Some(hash_secret(&new))
    );
    let events = audit_events(&app, "admin.client.rotate_secret").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor.as_deref(), Some(admin_id.as_str()));
    for secret in [&old, &new] {
        assert!(!events[0].detail.contains(secret.as_str()));
        assert!(!events[0].detail.contains(&hash_secret(secret)));
    }
}

#[tokio::test]
async fn a_deleted_application_takes_its_tokens_with_it() {
    let app = TestApp::spawn().await;
    let (browser, admin_id) = admin_browser(&app).await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let code = app.code_for(&app.browser(), &rp, "ada@example.com").await;
    let tokens: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.userinfo(&access).await.status(), 200);

    let confirm = get_text(
        &browser,
        app.url(&format!("/admin/apps/{}/delete", rp.client_id)),
    )
    .await;
    assert!(confirm.contains("Delete Test App?"), "{confirm}");
    let token = hidden_field(&confirm, "csrf_token");
    let deleted = post_form(
        &browser,
        app.url(&format!("/admin/apps/{}/delete", rp.client_id)),
        Some(&token),
        &[],
    )
    .await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(location(&deleted), "/admin/apps?notice=deleted");

    assert!(find_client(&app, &rp.client_id).await.is_none());
    let hash = hash_secret(&refresh);
    let stored = app
        .state
        .store
        .run(move |c| store::grants::find_refresh_token(c, &hash))
        .await
        .unwrap();
    assert!(stored.is_none(), "the refresh token is gone");
    let refused = app
        .token_request(
            &rp,
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await;
    assert_eq!(refused.status(), 401);
    assert_eq!(app.userinfo(&access).await.status(), 401);
    let list = get_text(&browser, app.url("/admin/apps?notice=deleted")).await;
    assert!(!list.contains(&rp.client_id) && list.contains("id=\"no-apps\""));
    assert_eq!(
        browser
            .get(app.url(&format!("/admin/apps/{}", rp.client_id)))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let events = audit_events(&app, "admin.client.delete").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor.as_deref(), Some(admin_id.as_str()));
    assert!(
        events[0].detail.contains("name: Test App → —"),
        "{}",
        events[0].detail
    );
}

#[tokio::test]
async fn two_step_always_set_on_the_page_is_enforced_at_sign_in() {
    let app = TestApp::spawn().await;
    let (browser, _) = admin_browser(&app).await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    // optional, and the user has no second factor: straight back to the application
    let signed_in = app.browser();
    app.sign_in(&signed_in, &rp, "ada@example.com", &[]).await;

    let token = csrf(&app, &browser).await;
    let mut fields = app_fields("Test App", REDIRECT_URI);
    set(&mut fields, "mfa_policy", &["always"]);
    let saved = post_form(
        &browser,
        app.url(&format!("/admin/apps/{}", rp.client_id)),
        Some(&token),
        &fields,
    )
    .await;
    assert_eq!(saved.status(), 303);

    // a new sign-in has to set up a second factor
    let fresh = app.browser();
    let login = location(&app.authorize(&fresh, &code_request(&rp)).await);
    let (request_id, login_csrf) = app.open_login_page(&fresh, &login).await;
    let next = location(
        &app.submit_login(
            &fresh,
            &request_id,
            &login_csrf,
            "ada@example.com",
            PASSWORD,
        )
        .await,
    );
    assert!(next.starts_with("/mfa?track_id="), "{next}");
    let mfa = get_text(&fresh, app.url(&next)).await;
    assert!(mfa.contains("Set up an authenticator app"), "{mfa}");

    // and the earlier password-only session is not enough any more
    let again = app.authorize(&signed_in, &code_request(&rp)).await;
    assert!(location(&again).starts_with("/login?requestId="));
}

#[tokio::test]
async fn sign_in_methods_the_application_does_not_allow_are_hidden_and_refused() {
    let app = TestApp::spawn().await;
    let (browser, _) = admin_browser(&app).await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let token = csrf(&app, &browser).await;
    let mut fields = app_fields("Test App", REDIRECT_URI);
    set(&mut fields, "allowed_methods", &["email"]);
    let saved = post_form(
        &browser,
        app.url(&format!("/admin/apps/{}", rp.client_id)),
        Some(&token),
        &fields,
    )
    .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(
        find_client(&app, &rp.client_id)
            .await
            .unwrap()
            .allowed_methods,
        [gatehouse::domain::verification::Method::Email]
    );

    // the login page asks for the email only
    let user = app.browser();
    let login = location(&app.authorize(&user, &code_request(&rp)).await);
    let page = get_text(&user, app.url(&login)).await;
    assert!(page.contains("id=\"identifier-form\""), "{page}");
    assert!(!page.contains("id=\"password\"") && !page.contains("id=\"create-account\""));
    let request_id = login
        .split("requestId=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();

    // the methods page offers the email code only
    let methods = app
        .methods_page(&user, &request_id, "ada@example.com")
        .await;
    assert!(methods.contains("id=\"method-email\""), "{methods}");
    assert!(!methods.contains("id=\"method-password\""));

    // a password posted anyway is refused before it is checked
    let user_csrf = hidden_field(&methods, "csrf_token");
    let refused = app
        .submit_login(&user, &request_id, &user_csrf, "ada@example.com", PASSWORD)
        .await;
    assert!(location(&refused).contains("error=password_not_allowed"));
    let page = get_text(&user, app.url(&location(&refused))).await;
    assert!(page.contains("does not allow signing in with a password"));

    // and the verification service lists and initiates only what is allowed
    let http = reqwest::Client::new();
    let (status, listed) = post_json(
        &http,
        app.url("/verification-srv/public/graph/user/setup"),
        json!({"request_id": request_id, "email": "ada@example.com"}),
    )
    .await;
    assert_eq!(status, 200);
    let types: Vec<&str> = listed["data"]["configured_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["EMAIL"]);
    for kind in ["password", "totp"] {
        let (status, refused) = post_json(
            &http,
            app.url(&format!(
                "/verification-srv/authentication/{kind}/initiation"
            )),
            json!({"request_id": request_id, "email": "ada@example.com"}),
        )
        .await;
        assert_eq!(status, 400, "{refused}");
        assert_eq!(refused["error"]["code"], "method_not_allowed");
    }
}

#[tokio::test]
async fn token_lifetimes_set_on_the_page_apply_to_the_applications_tokens() {
    let app = TestApp::spawn().await;
    let (browser, _) = admin_browser(&app).await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let token = csrf(&app, &browser).await;
    let mut fields = app_fields("Test App", REDIRECT_URI);
    set(&mut fields, "access_token_ttl", &["600"]);
    set(&mut fields, "id_token_ttl", &["120"]);
    set(&mut fields, "refresh_token_ttl", &["3600"]);
    let saved = post_form(
        &browser,
        app.url(&format!("/admin/apps/{}", rp.client_id)),
        Some(&token),
        &fields,
    )
    .await;
    assert_eq!(saved.status(), 303);

    let code = app.code_for(&app.browser(), &rp, "ada@example.com").await;
    let tokens: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    assert_eq!(tokens["expires_in"], 600, "{tokens}");
    let claims = crate::totp::decode_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        120
    );
    let hash = hash_secret(tokens["refresh_token"].as_str().unwrap());
    let refresh = app
        .state
        .store
        .run(move |c| store::grants::find_refresh_token(c, &hash))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(refresh.expires_at - refresh.created_at, 3600);

    // emptied again: the defaults
    let mut fields = app_fields("Test App", REDIRECT_URI);
    set(&mut fields, "access_token_ttl", &[""]);
    post_form(
        &browser,
        app.url(&format!("/admin/apps/{}", rp.client_id)),
        Some(&token),
        &fields,
    )
    .await;
    let code = app.code_for(&app.browser(), &rp, "ada@example.com").await;
    let tokens: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    assert_eq!(tokens["expires_in"], app.config.access_token_ttl);
}

#[tokio::test]
async fn switching_between_public_and_confidential_issues_or_removes_the_secret() {
    let app = TestApp::spawn().await;
    let (browser, _) = admin_browser(&app).await;
    let rp = app.public_client().await;
    let token = csrf(&app, &browser).await;
    let url = app.url(&format!("/admin/apps/{}", rp.client_id));
    let mut fields = app_fields("Test App", REDIRECT_URI);
    set(
        &mut fields,
        "grant_types",
        &["authorization_code", "client_credentials"],
    );
    let saved = post_form(&browser, url.clone(), Some(&token), &fields).await;
    assert_eq!(saved.status(), 200, "the new secret is shown");
    let secret = text_of(&saved.text().await.unwrap(), "client-secret");
    assert_eq!(
        client_credentials(&app, &rp.client_id, &secret)
            .await
            .status(),
        200
    );

    let mut fields = app_fields("Test App", REDIRECT_URI);
    set(&mut fields, "client_type", &["public"]);
    let saved = post_form(&browser, url, Some(&token), &fields).await;
    assert_eq!(saved.status(), 303);
    let client = find_client(&app, &rp.client_id).await.unwrap();
    assert!(client.is_public && client.secret_hash.is_none());
    assert_eq!(
        client_credentials(&app, &rp.client_id, &secret)
            .await
            .status(),
        401
    );
    let details: Vec<String> = audit_events(&app, "admin.client.update")
        .await
        .into_iter()
        .map(|e| e.detail)
        .collect();
    assert!(
        details
            .iter()
            .any(|d| d.contains("type: confidential → public")),
        "{details:?}"
    );
    assert!(details.iter().any(|d| d.contains("client secret issued")));
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let (browser, _) = admin_browser(&app).await;
    let rp = app.confidential_client().await;
    let before = find_client(&app, &rp.client_id).await.unwrap();
    for csrf in [None, Some("not-the-token")] {
        let fields = app_fields("Forged", "https://forged.example/cb");
        let created = post_form(&browser, app.url("/admin/apps"), csrf, &fields).await;
        assert_eq!(created.status(), 403);
        let updated = post_form(
            &browser,
            app.url(&format!("/admin/apps/{}", rp.client_id)),
            csrf,
            &fields,
        )
        .await;
        assert_eq!(updated.status(), 403);
        for action in ["delete", "rotate"] {
            let response = post_form(
                &browser,
                app.url(&format!("/admin/apps/{}/{action}", rp.client_id)),
                csrf,
                &[],
            )
            .await;
            assert_eq!(response.status(), 403, "{action}");
        }
    }
    assert_eq!(count_clients(&app).await, 1);
    assert_eq!(find_client(&app, &rp.client_id).await.unwrap(), before);
    assert!(audit_events(&app, "admin.client.create").await.is_empty());
}

#[tokio::test]
async fn users_without_the_admin_role_get_403_and_change_nothing() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let before = find_client(&app, &rp.client_id).await.unwrap();
    let (browser, account) = account_browser(&app, "ada@example.com").await;
    let token = hidden_field(&account, "csrf_token");
    for path in [
        "/admin/apps".to_owned(),
        "/admin/apps/new".to_owned(),
        format!("/admin/apps/{}", rp.client_id),
        format!("/admin/apps/{}/delete", rp.client_id),
    ] {
        let response = browser.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 403, "{path}");
    }
    let fields = app_fields("Mine now", "https://mine.example/cb");
    for path in [
        "/admin/apps".to_owned(),
        format!("/admin/apps/{}", rp.client_id),
        format!("/admin/apps/{}/rotate", rp.client_id),
        format!("/admin/apps/{}/delete", rp.client_id),
    ] {
        let response = post_form(&browser, app.url(&path), Some(&token), &fields).await;
        assert_eq!(response.status(), 403, "{path}");
    }
    assert_eq!(count_clients(&app).await, 1);
    assert_eq!(find_client(&app, &rp.client_id).await.unwrap(), before);

    // anonymous visitors are sent to sign in
    let anonymous = app.browser();
    let response = anonymous.get(app.url("/admin/apps")).send().await.unwrap();
    assert!(location(&response).starts_with("/authz-srv/authz?"));
}

#[tokio::test]
async fn the_built_in_client_is_neither_listed_nor_editable() {
    let app = TestApp::spawn().await;
    let (browser, _) = admin_browser(&app).await;
    let token = csrf(&app, &browser).await;
    for path in [
        "/admin/apps/gatehouse-account",
        "/admin/apps/gatehouse-account/delete",
        "/admin/apps/gatehouse-account/rotate",
    ] {
        let response = browser.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let response = post_form(&browser, app.url(path), Some(&token), &[]).await;
        assert_eq!(response.status(), 404, "{path}");
    }
    assert!(find_client(&app, "gatehouse-account").await.is_some());
    // the admin is still signed in through it
    assert_eq!(
        browser
            .get(app.url("/admin/apps"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn the_list_has_25_applications_per_page_with_previous_and_next() {
    let app = TestApp::spawn().await;
    let (browser, _) = admin_browser(&app).await;
    for _ in 0..26 {
        app.confidential_client().await;
    }
    let rows = |html: &str| html.matches("<td><a href=\"/admin/apps/").count();
    let first = get_text(&browser, app.url("/admin/apps")).await;
    assert_eq!(rows(&first), 25);
    assert!(first.contains("rel=\"next\" href=\"/admin/apps?page=2\""));
    assert!(!first.contains("rel=\"prev\""));
    let second = get_text(&browser, app.url("/admin/apps?page=2")).await;
    assert_eq!(rows(&second), 1);
    assert!(second.contains("rel=\"prev\" href=\"/admin/apps?page=1\""));
    assert!(!second.contains("rel=\"next\""));
    // a page number that is not one shows the first page
    let odd = browser
        .get(app.url("/admin/apps?page=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(odd.status(), 200);
    assert_eq!(rows(&odd.text().await.unwrap()), 25);
}

#[tokio::test]
async fn the_transaction_approvals_permission_is_set_on_the_page_and_takes_effect() {
    let app = TestApp::spawn().await;
    let (browser, _) = admin_browser(&app).await;
    let sub = app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let start = || {
        crate::approvals::start(
            &app,
            &rp,
            serde_json::json!({"sub": sub, "approval_data": {"amount": "1.00"}}),
        )
    };
    assert_eq!(start().await.0, 403, "off by default");
    let page = get_text(&browser, app.url(&format!("/admin/apps/{}", rp.client_id))).await;
    assert!(
        page.contains("id=\"approvals\" name=\"approvals\" value=\"1\" aria"),
        "unchecked"
    );

    let token = csrf(&app, &browser).await;
    let mut fields = app_fields("Test App", REDIRECT_URI);
    set(&mut fields, "approvals", &["1"]);
    let url = app.url(&format!("/admin/apps/{}", rp.client_id));
    assert_eq!(
        post_form(&browser, url.clone(), Some(&token), &fields)
            .await
            .status(),
        303
    );
    assert!(
        find_client(&app, &rp.client_id)
            .await
            .unwrap()
            .may_request_approvals
    );
    assert_eq!(start().await.0, 201, "allowed now");
    assert!(
        audit_events(&app, "admin.client.update")
            .await
            .iter()
            .any(|e| e.detail.contains("approvals")),
        "the change is audited"
    );

    // a public client cannot have it: it has no secret
    set(&mut fields, "client_type", &["public"]);
    let refused = post_form(&browser, url, Some(&token), &fields).await;
    assert_eq!(refused.status(), 422);
    assert!(text_of(&refused.text().await.unwrap(), "approvals-error").contains("no secret"));
}
