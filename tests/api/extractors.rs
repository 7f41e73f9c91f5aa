//! What the extractors of `web::extract` (`SignedIn`, `FreshSignIn`, `Admin`, `Csrf`) guarantee
//! on every route of the account page and the admin area. The routes are read from the route
//! table itself (`src/web/route_table/{account,admin}.rs`), so a route added there is checked
//! here without anyone listing it.

use gatehouse::store;

use crate::helpers::*;

const ROOT: &str = "root@example.com";
const ADA: &str = "ada@example.com";
const GRACE: &str = "grace@example.com";

/// The one route of these areas that is no page and no form of theirs: where the hosted login
/// comes back to (it checks its own `state`).
const UNGUARDED: [&str; 1] = ["/account/callback"];

/// What the 403 page of a refused form says, by reason.
const FORGED: &str = "The form has expired. Go back, reload the page and try again.";
const NO_COOKIE: &str = "Your browser did not send our cookie.";
const SIGNED_OUT: &str = "Your session has ended.";
const NOT_ADMIN: &str = "This area is for administrators.";
const ADMIN_TOO_OLD: &str =
    "Your sign-in is too old, or used one factor where your account has two.";

/// `(method, path)` of every route the route table file `area` registers under `/{area}`.
fn routes(area: &str) -> Vec<(String, String)> {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/web/route_table")
        .join(format!("{area}.rs"));
    let text: String = std::fs::read_to_string(&file)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    // `.route("/path", web::get()…` and `cfg.route(…`, on one line or several
    let routes: Vec<(String, String)> = text
        .split(".route(\"")
        .skip(1)
        .filter_map(|piece| {
            let (path, rest) = piece.split_once('"')?;
            let method = rest.strip_prefix(",web::")?.split('(').next()?;
            Some((method.to_owned(), path.to_owned()))
        })
        .filter(|(_, path)| path.starts_with(&format!("/{area}")))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(
        routes.iter().all(|(m, _)| m == "get" || m == "post"),
        "{routes:?}"
    );
    routes
}

fn posts(area: &str) -> Vec<String> {
    routes(area)
        .into_iter()
        .filter(|(method, _)| method == "post")
        .map(|(_, path)| path)
        .collect()
}

fn pages(area: &str) -> Vec<String> {
    routes(area)
        .into_iter()
        .filter(|(method, path)| method == "get" && !UNGUARDED.contains(&path.as_str()))
        .map(|(_, path)| path)
        .collect()
}

#[test]
fn the_route_table_is_read_whole() {
    let (admin, account) = (posts("admin"), posts("account"));
    // a sample of each kind of registration: one line, several lines, `cfg.route`
    for path in [
        "/admin/methods",
        "/admin/users/{id}/sessions/{session}/end",
        "/admin/lockouts/unlock",
    ] {
        assert!(admin.contains(&path.to_owned()), "{path} in {admin:?}");
    }
    for path in ["/account/totp", "/account/backup-codes", "/account/logout"] {
        assert!(account.contains(&path.to_owned()), "{path} in {account:?}");
    }
    assert!(pages("admin").contains(&"/admin/audit".to_owned()));
    assert_eq!(pages("account"), ["/account", "/account/passkeys"]);
}

#[test]
fn no_account_or_admin_handler_reads_a_form_or_the_session_itself() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/routes");
    let mut files: Vec<_> = std::fs::read_dir(dir.join("admin"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.extend(
        std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("account"))
            }),
    );
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            // a plain form skips the CSRF check; the session is the extractors' to read
            for word in ["web::Form<", "actix_session", "get_session"] {
                if line.split("//").next().unwrap_or("").contains(word) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "use the web::extract extractors:\n{}",
        found.join("\n")
    );
}

/// Ada's account (with an authenticator app and a session) and an application: what the forms
/// would change, to see that nothing does.
struct Targets {
    ada: String,
    authenticator: String,
    session: String,
    app: String,
}

async fn targets(app: &TestApp) -> Targets {
    let ada = app.create_user(ADA).await;
    let phone = app
        .enroll_totp(&app.signed_in_browser(ADA).await, "Pixel")
        .await;
    let client = app.confidential_client().await;
    let id = ada.clone();
    let now = app.clock.now();
    let session = app
        .state
        .store
        .run(move |c| store::sessions::list_user_sessions(c, &id, now))
        .await
        .unwrap()
        .remove(0)
        .public_id;
    Targets {
        ada,
        authenticator: phone.authenticator_id,
        session,
        app: client.client_id,
    }
}

/// `path` of the route table with its parameters filled in with the targets.
fn fill(path: &str, t: &Targets) -> String {
    let id = if path.starts_with("/admin/apps/") {
        &t.app
    } else if path.starts_with("/admin/users/") {
        &t.ada
    } else if path.starts_with("/account/totp/") {
        &t.authenticator
    } else if path.starts_with("/account/sessions/") {
        &t.session
    } else {
        "no-such-id"
    };
    let filled = path
        .replace("{id}", id)
        .replace("{authenticator}", &t.authenticator)
        .replace("{session}", &t.session)
        .replace("{channel}", "email")
        .replace("{device}", "no-such-device")
        .replace("{passkey}", "no-such-passkey");
    assert!(!filled.contains('{'), "{filled}");
    filled
}

/// Every field any of the forms reads, each set to a change: a form that got through would
/// change something.
fn changes(t: &Targets) -> Vec<(&'static str, String)> {
    [
        ("name", "Mallory"),
        ("email", "mallory@example.com"),
        ("current_password", PASSWORD),
        ("new_password", "purple monkey dishwasher"),
        ("phone", "+4915112345678"),
        ("label", "Mallory's"),
        ("codes", "aaaa-bbbb cccc-dddd"),
        ("admin", "1"),
        ("password", "purple monkey dishwasher"),
        ("redirect_uris", "https://mallory.example/cb"),
        ("client_type", "public"),
        ("mfa_policy", "off"),
        ("totp_issuer", "Mallory"),
        ("otp_digits", "4"),
        ("mail_from", "Mallory <m@mallory.example>"),
        ("channel", "email"),
        ("to", "mallory@example.com"),
        ("subject", "user:x"),
        ("code_id", "x"),
        ("code", "123456"),
        ("exchange_id", "x"),
        ("pass_code", "123456"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .chain([("authenticator", t.authenticator.clone())])
    .collect()
}

/// Everything the forms of both areas could change.
async fn snapshot(app: &TestApp) -> String {
    let now = app.clock.now();
    app.state
        .store
        .run(move |c| {
            let users = store::users::list_users(c, &Default::default(), 1000, 0)?;
            let mut per_user = Vec::new();
            for u in &users {
                per_user.push((
                    store::authenticators::list_user_authenticators(c, &u.id)?,
                    store::push_devices::list_user_devices(c, &u.id)?,
                    store::backup_codes::count_unused_backup_codes(c, &u.id)?,
                    store::sessions::list_user_sessions(c, &u.id, now)?
                        .into_iter()
                        .map(|s| s.public_id)
                        .collect::<Vec<_>>(),
                ));
            }
            let clients: Vec<_> = store::clients::list_clients(c, 0, 1000)?
                .into_iter()
                .map(|l| l.client)
                .collect();
            Ok(format!(
                "{users:?}\n{per_user:?}\n{clients:?}\n{:?}\n{}\n{:?}",
                store::settings::list_settings(c)?,
                store::sessions::count_sessions(c)?,
                store::audit::list_audit_events(c, None, 1000)?,
            ))
        })
        .await
        .unwrap()
}

/// POSTs every form of `areas` from `browser` with `token` (none: no `csrf_token` field) and
/// asserts the 403 page saying `why`.
async fn every_form_is_refused(
    app: &TestApp,
    t: &Targets,
    browser: &reqwest::Client,
    areas: &[&str],
    token: Option<&str>,
    why: &str,
) {
    for area in areas {
        for path in posts(area) {
            let mut form = changes(t);
            if let Some(token) = token {
                form.push(("csrf_token", token.to_owned()));
            }
            let response = browser
                .post(app.url(&fill(&path, t)))
                .form(&form)
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            assert_eq!(status, 403, "{path} with {token:?}: {body}");
            assert!(body.contains(why), "{path} with {token:?}: {body}");
        }
    }
}

/// The CSRF token of the account page shown to `browser`.
async fn account_token(app: &TestApp, browser: &reqwest::Client) -> String {
    hidden_field(&get_text(browser, app.url("/account")).await, "csrf_token")
}

#[tokio::test]
async fn every_account_and_admin_form_without_its_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.create_admin(ROOT).await;
    let t = targets(&app).await;
    // an administrator signed in just now: only the token is missing
    let root = app.signed_in_browser(ROOT).await;
    let other = account_token(&app, &app.signed_in_browser(ROOT).await).await;
    let before = snapshot(&app).await;
    let areas = ["admin", "account"];
    every_form_is_refused(&app, &t, &root, &areas, None, FORGED).await;
    every_form_is_refused(&app, &t, &root, &areas, Some("forged"), FORGED).await;
    every_form_is_refused(&app, &t, &root, &areas, Some(""), FORGED).await;
    // another browser's token is another browser's
    every_form_is_refused(&app, &t, &root, &areas, Some(&other), FORGED).await;
    assert_eq!(snapshot(&app).await, before, "nothing changed");
    // the administrator's own browser still works
    assert_eq!(
        root.get(app.url("/admin")).send().await.unwrap().status(),
        200
    );
}

#[tokio::test]
async fn a_form_from_a_browser_without_our_cookie_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.create_admin(ROOT).await;
    let t = targets(&app).await;
    let token = account_token(&app, &app.signed_in_browser(ROOT).await).await;
    let before = snapshot(&app).await;
    let cookieless = app.browser();
    let areas = ["admin", "account"];
    every_form_is_refused(&app, &t, &cookieless, &areas, Some(&token), NO_COOKIE).await;
    assert_eq!(snapshot(&app).await, before, "nothing changed");
}

#[tokio::test]
async fn a_signed_in_user_without_the_admin_role_gets_403_on_every_admin_page_and_form() {
    let app = TestApp::spawn().await;
    app.create_admin(ROOT).await;
    let t = targets(&app).await;
    app.create_user(GRACE).await;
    let grace = app.signed_in_browser(GRACE).await;
    // a valid token of Grace's own browser is not enough
    let token = account_token(&app, &grace).await;
    let before = snapshot(&app).await;
    for path in pages("admin") {
        let response = grace.get(app.url(&fill(&path, &t))).send().await.unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, 403, "{path}: {body}");
        assert!(body.contains(NOT_ADMIN), "{path}: {body}");
        assert!(
            !body.contains(ADA),
            "{path} shows nothing of the area: {body}"
        );
    }
    every_form_is_refused(&app, &t, &grace, &["admin"], Some(&token), NOT_ADMIN).await;
    assert_eq!(snapshot(&app).await, before, "nothing changed");
}

#[tokio::test]
async fn an_anonymous_visitor_is_sent_to_sign_in_from_every_page_and_lands_back_on_it() {
    let app = TestApp::spawn().await;
    app.create_admin(ROOT).await;
    let t = targets(&app).await;
    let anonymous = app.browser();
    for (area, path) in pages("admin")
        .into_iter()
        .map(|p| ("admin", p))
        .chain(pages("account").into_iter().map(|p| ("account", p)))
    {
        let path = fill(&path, &t);
        let response = anonymous.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 302, "{path}");
        let authz = location(&response);
        assert!(authz.starts_with("/authz-srv/authz?"), "{path}: {authz}");
        let pairs = query_pairs(&authz);
        assert_eq!(
            param(&pairs, "client_id").as_deref(),
            Some("gatehouse-account")
        );
        assert_eq!(param(&pairs, "prompt"), None, "{path}: no forced sign-in");
        let state = param(&pairs, "state").unwrap();
        match area {
            "admin" => assert!(state.ends_with(&format!("~admin{path}")), "{path}: {state}"),
            _ => assert!(!state.contains('~'), "{path}: {state}"),
        }
        let body = response.text().await.unwrap();
        assert!(!body.contains(ADA), "{path}: {body}");
    }
}

#[tokio::test]
async fn a_form_posted_after_signing_out_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.create_admin(ROOT).await;
    let t = targets(&app).await;
    let root = app.signed_in_browser(ROOT).await;
    let token = account_token(&app, &root).await;
    let out = root
        .post(app.url("/account/logout"))
        .form(&[("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    // the browser keeps its cookie, so its token is still right: only the sign-in is missing
    let before = snapshot(&app).await;
    let areas = ["admin", "account"];
    every_form_is_refused(&app, &t, &root, &areas, Some(&token), SIGNED_OUT).await;
    assert_eq!(snapshot(&app).await, before, "nothing changed");
}

#[tokio::test]
async fn a_forged_form_is_refused_as_forged_whatever_else_would_be_refused() {
    let app = TestApp::spawn().await;
    app.create_admin(ROOT).await;
    let t = targets(&app).await;
    app.create_user(GRACE).await;
    let grace = app.signed_in_browser(GRACE).await;
    let signed_out = app.signed_in_browser(GRACE).await;
    let token = account_token(&app, &signed_out).await;
    signed_out
        .post(app.url("/account/logout"))
        .form(&[("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    let before = snapshot(&app).await;
    // signed out, and forged
    let areas = ["admin", "account"];
    every_form_is_refused(&app, &t, &signed_out, &areas, Some("forged"), FORGED).await;
    // not an administrator, and forged
    every_form_is_refused(&app, &t, &grace, &["admin"], None, FORGED).await;
    // a sign-in too old for a change (which would be sent to sign in again), and forged:
    // a cross-site form never sends the browser into the login
    app.clock.advance(6 * 60);
    every_form_is_refused(&app, &t, &grace, &["account"], Some("forged"), FORGED).await;
    assert_eq!(snapshot(&app).await, before, "nothing changed");
}

#[tokio::test]
async fn an_administrator_whose_sign_in_is_too_old_signs_in_again_for_pages_and_is_refused_on_forms()
 {
    let app = TestApp::spawn_with(|c| c.session_ttl = 24 * 3600).await;
    app.create_admin(ROOT).await;
    let t = targets(&app).await;
    let root = app.signed_in_browser(ROOT).await;
    let token = account_token(&app, &root).await;
    // past the twelve hours an admin sign-in opens the area for
    app.clock.advance(12 * 3600 + 1);
    let before = snapshot(&app).await;
    for path in pages("admin") {
        let path = fill(&path, &t);
        let response = root.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 302, "{path}");
        let pairs = query_pairs(&location(&response));
        assert_eq!(param(&pairs, "prompt").as_deref(), Some("login"), "{path}");
        assert_eq!(param(&pairs, "login_hint").as_deref(), Some(ROOT), "{path}");
        let state = param(&pairs, "state").unwrap();
        assert!(state.ends_with(&format!("~admin{path}")), "{path}: {state}");
    }
    every_form_is_refused(&app, &t, &root, &["admin"], Some(&token), ADMIN_TOO_OLD).await;
    assert_eq!(snapshot(&app).await, before, "nothing changed");
    // the account page is not the admin area: it still opens
    assert_eq!(
        root.get(app.url("/account")).send().await.unwrap().status(),
        200
    );
}

#[tokio::test]
async fn a_malformed_form_is_a_400_before_its_token_is_looked_at() {
    let app = TestApp::spawn().await;
    let t = targets(&app).await;
    let anonymous = app.browser();
    // the download of backup codes needs its codes; a body that is not a form is no form
    let response = anonymous
        .post(app.url("/account/backup-codes/download"))
        .form(&[("csrf_token", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body = response.text().await.unwrap();
    assert!(body.contains("The request is malformed"), "{body}");
    assert!(body.contains("codes"), "{body}");
    let response = anonymous
        .post(app.url(&fill("/admin/users/{id}/disable", &t)))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("The request is malformed")
    );
}
