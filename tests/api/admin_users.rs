//! The admin's user pages (`/admin/users`): search and filters, create, a user's page and its
//! actions (disable / enable, unlock, revoke, channel unlock, push devices, password reset,
//! end sessions), each with its audit event; CSRF and role checks on every form.

use gatehouse::cli::NewUser;
use gatehouse::store;
use serde_json::json;

use crate::helpers::*;
use crate::register::{NEW_PASSWORD, app_with_mail, element_text};

const ADMIN: &str = "root@example.com";
const ADA: &str = "ada@example.com";

/// An app with an administrator signed in to a browser.
async fn admin_app() -> (TestApp, reqwest::Client, String) {
    let app = TestApp::spawn().await;
    let admin_id = app.create_admin(ADMIN).await;
    let admin = app.signed_in_browser(ADMIN).await;
    (app, admin, admin_id)
}

/// Creates a user with a name and no password (fast); returns its id.
pub async fn seed_user(app: &TestApp, email: &str, name: &str) -> String {
    let (config, store) = (app.config.clone(), app.state.store.clone());
    let args = NewUser {
        email: email.into(),
        password: None,
        password_stdin: false,
        name: Some(name.into()),
        admin: false,
        phone: None,
        json: true,
    };
    let out =
        tokio::task::spawn_blocking(move || gatehouse::cli::create_user(&config, &store, args))
            .await
            .unwrap()
            .expect("user created");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    json["sub"].as_str().unwrap().to_owned()
}

/// A page of the admin area (status 200 asserted).
pub async fn page(app: &TestApp, browser: &reqwest::Client, path: &str) -> String {
    let response = browser.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

/// POSTs one of a user page's forms with `form` (csrf_token included by the caller).
async fn post(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    browser.post(app.url(path)).form(form).send().await.unwrap()
}

/// POSTs a user page's form `action` with the page's CSRF token and follows the redirect back;
/// returns the page shown afterwards.
async fn act(app: &TestApp, admin: &reqwest::Client, user_id: &str, action: &str) -> String {
    let path = format!("/admin/users/{user_id}");
    let csrf = hidden_field(&page(app, admin, &path).await, "csrf_token");
    let response = post(
        app,
        admin,
        &format!("{path}/{action}"),
        &[("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(response.status(), 303, "{action}");
    let to = location(&response);
    assert!(to.starts_with(&format!("{path}?notice=")), "{to}");
    page(app, admin, &to).await
}

async fn user(app: &TestApp, id: &str) -> gatehouse::domain::user::User {
    let id = id.to_owned();
    app.state
        .store
        .run(move |c| store::users::find_user(c, &id))
        .await
        .unwrap()
        .expect("user exists")
}

/// The newest audit events with actions starting `admin.user.`.
async fn admin_events(app: &TestApp) -> Vec<store::audit::AuditEventRow> {
    app.state
        .store
        .run(|c| store::audit::list_audit_events(c, None, 200))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.starts_with("admin.user."))
        .collect()
}

/// The one audit event `action`.
async fn event(app: &TestApp, action: &str) -> store::audit::AuditEventRow {
    let found: Vec<_> = admin_events(app)
        .await
        .into_iter()
        .filter(|e| e.action == action)
        .collect();
    assert_eq!(found.len(), 1, "one {action} event: {found:?}");
    found.into_iter().next().unwrap()
}

/// The emails in the users table of a list page, in order.
fn listed_emails(html: &str) -> Vec<String> {
    html.split("<tr id=\"user-")
        .skip(1)
        .map(|row| {
            let link = row.split("\">").nth(2).unwrap();
            link.split('<').next().unwrap().to_owned()
        })
        .collect()
}

/// Locks `email`'s authenticator with five wrong codes through the verification API (as in
/// `management.rs`).
pub async fn lock_totp(app: &TestApp, email: &str) {
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

/// Whether `code` from `email`'s authenticator app is accepted by the verification API.
pub async fn totp_code_works(app: &TestApp, email: &str, code: &str) -> bool {
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let http = reqwest::Client::new();
    let (_, started) = post_json(
        &http,
        app.url("/verification-srv/authentication/totp/initiation"),
        json!({"request_id": request_id, "email": email}),
    )
    .await;
    let exchange = started["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap();
    let (status, verified) = post_json(
        &http,
        app.url("/verification-srv/authentication/totp/verification"),
        json!({"exchange_id": exchange, "pass_code": code}),
    )
    .await;
    status == 200 && verified["success"] == true
}

/// Where a password sign-in of `email` ends: the client (true) or the login page (false); the
/// login page's error parameters are returned too.
async fn password_sign_in(
    app: &TestApp,
    rp: &Rp,
    email: &str,
    password: &str,
) -> (bool, Option<String>, Option<String>) {
    let browser = app.browser();
    let login = location(&app.authorize(&browser, &code_request(rp)).await);
    let (request_id, csrf) = app.open_login_page(&browser, &login).await;
    let to = location(
        &app.submit_login(&browser, &request_id, &csrf, email, password)
            .await,
    );
    let pairs = query_pairs(&to);
    (
        to.starts_with(&rp.redirect_uri),
        param(&pairs, "error"),
        param(&pairs, "error_description"),
    )
}

/// Whether `browser` is still signed in (the account page shows instead of a sign-in redirect).
async fn signed_in(app: &TestApp, browser: &reqwest::Client) -> bool {
    browser
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .status()
        == 200
}

#[tokio::test]
async fn users_are_found_by_part_of_their_email_or_their_name_and_listed_25_a_page() {
    let (app, admin, _) = admin_app().await;
    seed_user(&app, ADA, "Ada Lovelace").await;
    seed_user(&app, "grace@example.org", "Grace Hopper").await;
    for n in 0..30 {
        seed_user(&app, &format!("member{n:02}@example.net"), "Member").await;
    }

    let found = page(&app, &admin, "/admin/users?q=ADA%40exam").await;
    assert_eq!(listed_emails(&found), [ADA]);
    assert!(found.contains("value=\"ADA@exam\""), "the search is kept");
    let by_name = page(&app, &admin, "/admin/users?q=hopper").await;
    assert_eq!(listed_emails(&by_name), ["grace@example.org"]);
    for nothing in ["nobody", "%25", "_"] {
        let none = page(&app, &admin, &format!("/admin/users?q={nothing}")).await;
        assert!(listed_emails(&none).is_empty(), "{nothing}");
        assert!(none.contains("No users match."), "{nothing}");
    }

    let first = page(&app, &admin, "/admin/users?q=member").await;
    assert_eq!(listed_emails(&first).len(), 25);
    assert_eq!(listed_emails(&first)[0], "member00@example.net");
    assert!(first.contains("30 users · page 1 of 2"));
    assert!(!first.contains("id=\"previous-page\""));
    assert!(
        first.contains("href=\"/admin/users?q=member&#38;page=2\" rel=\"next\""),
        "{first}"
    );
    let second = page(&app, &admin, "/admin/users?q=member&page=2").await;
    assert_eq!(
        listed_emails(&second),
        (25..30)
            .map(|n| format!("member{n:02}@example.net"))
            .collect::<Vec<_>>()
    );
    assert!(second.contains("href=\"/admin/users?q=member&#38;page=1\" rel=\"prev\""));
    assert!(!second.contains("id=\"next-page\""));
    let all = page(&app, &admin, "/admin/users").await;
    assert!(all.contains("33 users · page 1 of 2"));
    for column in ["Email", "Name", "Status", "Admin", "Created"] {
        assert!(
            all.contains(&format!("<th scope=\"col\">{column}</th>")),
            "{column}"
        );
    }
    let odd = page(&app, &admin, "/admin/users?page=abc&locked=maybe").await;
    assert!(odd.contains("33 users"), "a bad page number is page 1");
    let beyond = page(&app, &admin, "/admin/users?page=99").await;
    assert_eq!(listed_emails(&beyond).len(), 8, "the last page");
}

#[tokio::test]
async fn the_list_shows_status_role_and_second_factors() {
    let (app, admin, _) = admin_app().await;
    app.create_user(ADA).await;
    let phone = app
        .enroll_totp(&app.signed_in_browser(ADA).await, "Pixel")
        .await;
    assert!(!phone.authenticator_id.is_empty());
    let html = page(&app, &admin, "/admin/users?q=ada").await;
    let row = html.split("<tr id=\"user-").nth(1).unwrap();
    let cells: Vec<&str> = row
        .split("<td>")
        .skip(1)
        .map(|c| c.split("</td>").next().unwrap())
        .collect();
    assert_eq!(cells[1..4], ["Test User", "Active", "—"]);
    assert!(
        cells[4].starts_with("20") && cells[4].len() == 10,
        "{}",
        cells[4]
    );
    assert_eq!(cells[5], "1", "one authenticator app");
    let html = page(&app, &admin, "/admin/users?q=root").await;
    assert!(html.contains("<td>Admin</td>"));
}

#[tokio::test]
async fn an_admin_creates_a_user_who_can_then_sign_in() {
    let (app, admin, admin_id) = admin_app().await;
    let form_page = page(&app, &admin, "/admin/users/new").await;
    for label in ["email", "name", "password", "phone", "admin"] {
        assert!(
            form_page.contains(&format!("<label for=\"{label}\"")),
            "{label}"
        );
    }
    let csrf = hidden_field(&form_page, "csrf_token");
    let response = post(
        &app,
        &admin,
        "/admin/users/new",
        &[
            ("csrf_token", &csrf),
            ("email", " Ada@Example.com "),
            ("name", "Ada Lovelace"),
            ("password", NEW_PASSWORD),
            ("phone", "+49 151 12345678"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    let to = location(&response);
    let id = to
        .strip_prefix("/admin/users/")
        .and_then(|r| r.strip_suffix("?notice=created"))
        .unwrap_or_else(|| panic!("{to}"))
        .to_owned();
    let shown = page(&app, &admin, &to).await;
    assert_eq!(
        element_text(&shown, "notice").as_deref(),
        Some("User created.")
    );
    assert_eq!(element_text(&shown, "user-email").as_deref(), Some(ADA));

    let created = user(&app, &id).await;
    assert_eq!(created.email, ADA);
    assert_eq!(created.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(created.phone_number.as_deref(), Some("+4915112345678"));
    assert!(created.email_verified && created.phone_verified && !created.is_admin);
    let rp = app.confidential_client().await;
    assert!(password_sign_in(&app, &rp, ADA, NEW_PASSWORD).await.0);

    let audit = event(&app, "admin.user.create").await;
    assert_eq!(audit.actor.as_deref(), Some(admin_id.as_str()));
    assert_eq!(audit.user_id.as_deref(), Some(id.as_str()));
    assert!(
        audit.detail.contains("email: (none) → ada@example.com"),
        "{}",
        audit.detail
    );
    assert!(
        audit.detail.contains("password: (none) → set"),
        "{}",
        audit.detail
    );
    assert!(!audit.detail.contains(NEW_PASSWORD) && !audit.detail.contains("12345678"));

    // an admin without a password
    let response = post(
        &app,
        &admin,
        "/admin/users/new",
        &[
            ("csrf_token", &csrf),
            ("email", "grace@example.com"),
            ("admin", "1"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    let grace = app
        .state
        .store
        .run(|c| store::users::find_user_by_email(c, "grace@example.com"))
        .await
        .unwrap()
        .unwrap();
    assert!(grace.is_admin && grace.password_hash.is_none() && grace.name.is_none());
}

#[tokio::test]
async fn mistakes_in_the_create_form_are_shown_next_to_their_fields_and_nothing_is_created() {
    let (app, admin, _) = admin_app().await;
    app.create_user(ADA).await;
    let csrf = hidden_field(&page(&app, &admin, "/admin/users/new").await, "csrf_token");
    let count = || async {
        app.state
            .store
            .run(store::users::count_users)
            .await
            .unwrap()
    };
    let response = post(
        &app,
        &admin,
        "/admin/users/new",
        &[
            ("csrf_token", &csrf),
            ("email", "not an address"),
            ("name", "Someone <b>"),
            ("password", "short"),
            ("phone", "0151 123"),
        ],
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    for field in ["email", "password", "phone"] {
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field} error shown"
        );
        assert!(
            html.contains(&format!("aria-describedby=\"{field}-error")),
            "{field}"
        );
    }
    assert_eq!(
        element_text(&html, "email-error").as_deref(),
        Some("Enter an email address like name@example.com.")
    );
    assert!(
        element_text(&html, "password-error")
            .unwrap()
            .contains("at least 8 characters")
    );
    assert!(
        html.contains("value=\"not an address\""),
        "what was typed is kept"
    );
    assert!(
        html.contains("value=\"Someone &#60;b&#62;\"")
            || html.contains("value=\"Someone &lt;b&gt;\"")
    );
    assert!(html.contains("value=\"0151 123\""));
    assert!(
        !html.contains("value=\"short\""),
        "the password is never echoed"
    );

    let long_name = "n".repeat(101);
    let response = post(
        &app,
        &admin,
        "/admin/users/new",
        &[
            ("csrf_token", &csrf),
            ("email", "x@example.com"),
            ("name", &long_name),
        ],
    )
    .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("id=\"name-error\""));

    let response = post(
        &app,
        &admin,
        "/admin/users/new",
        &[
            ("csrf_token", &csrf),
            ("email", "ADA@example.com"),
            ("password", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert_eq!(
        element_text(&html, "email-error").as_deref(),
        Some("A user with this email address already exists.")
    );
    let response = post(
        &app,
        &admin,
        "/admin/users/new",
        &[("csrf_token", &csrf), ("email", ""), ("password", "")],
    )
    .await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        element_text(&response.text().await.unwrap(), "email-error").as_deref(),
        Some("Enter the email address.")
    );
    assert_eq!(count().await, 2, "only the admin and Ada");
    assert!(admin_events(&app).await.is_empty());
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_loses_their_sessions_and_is_enabled_again() {
    let (app, admin, admin_id) = admin_app().await;
    let id = app.create_user(ADA).await;
    app.create_user("grace@example.com").await;
    let ada = app.signed_in_browser(ADA).await;
    assert!(signed_in(&app, &ada).await);
    let rp = app.confidential_client().await;

    let shown = act(&app, &admin, &id, "disable").await;
    assert_eq!(
        element_text(&shown, "notice").as_deref(),
        Some("Account disabled; its sessions were ended and its tokens revoked.")
    );
    assert_eq!(
        element_text(&shown, "user-status").as_deref(),
        Some("Disabled")
    );
    assert!(user(&app, &id).await.disabled);
    assert!(!signed_in(&app, &ada).await, "Ada's session has ended");
    let disabled = password_sign_in(&app, &rp, ADA, PASSWORD).await;
    let wrong = password_sign_in(&app, &rp, "grace@example.com", "not the password").await;
    assert!(!disabled.0);
    assert_eq!(
        (disabled.1.as_deref(), &disabled.2),
        (Some("invalid_username_password"), &wrong.2),
        "the same answer as a wrong password"
    );
    let list = page(&app, &admin, "/admin/users?disabled=1").await;
    assert_eq!(listed_emails(&list), [ADA]);
    let audit = event(&app, "admin.user.disable").await;
    assert_eq!(
        (audit.actor.as_deref(), audit.user_id.as_deref()),
        (Some(admin_id.as_str()), Some(id.as_str()))
    );
    assert!(
        audit
            .detail
            .starts_with("disabled: no → yes; sessions ended: "),
        "{}",
        audit.detail
    );
    assert!(
        !audit.detail.contains("sessions ended: 0;") && audit.detail.contains("; tokens revoked: "),
        "{}",
        audit.detail
    );

    let shown = act(&app, &admin, &id, "enable").await;
    assert_eq!(
        element_text(&shown, "user-status").as_deref(),
        Some("Active")
    );
    assert!(!user(&app, &id).await.disabled);
    assert!(password_sign_in(&app, &rp, ADA, PASSWORD).await.0);
    assert_eq!(
        event(&app, "admin.user.enable").await.detail,
        "disabled: yes → no"
    );
    assert!(listed_emails(&page(&app, &admin, "/admin/users?disabled=1").await).is_empty());
}

#[tokio::test]
async fn an_admin_cannot_disable_themself_or_remove_their_own_admin_role() {
    let (app, admin, admin_id) = admin_app().await;
    let path = format!("/admin/users/{admin_id}");
    let html = page(&app, &admin, &path).await;
    assert!(!html.contains("id=\"disable\"") && !html.contains("id=\"remove-admin\""));
    let csrf = hidden_field(&html, "csrf_token");
    let refused = post(
        &app,
        &admin,
        &format!("{path}/disable"),
        &[("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(refused.status(), 409);
    assert_eq!(
        element_text(&refused.text().await.unwrap(), "error").as_deref(),
        Some("You cannot disable your own account. Another administrator can.")
    );
    let refused = post(
        &app,
        &admin,
        &format!("{path}/admin"),
        &[("csrf_token", &csrf), ("admin", "0")],
    )
    .await;
    assert_eq!(refused.status(), 409);
    assert_eq!(
        element_text(&refused.text().await.unwrap(), "error").as_deref(),
        Some("You cannot remove your own admin role. Another administrator can.")
    );
    let me = user(&app, &admin_id).await;
    assert!(me.is_admin && !me.disabled);
    assert!(signed_in(&app, &admin).await);
    assert!(admin_events(&app).await.is_empty());

    // another administrator's role can be given and taken
    let ada = app.create_user(ADA).await;
    let ada_path = format!("/admin/users/{ada}/admin");
    let response = post(
        &app,
        &admin,
        &ada_path,
        &[("csrf_token", &csrf), ("admin", "1")],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("/admin/users/{ada}?notice=admin_granted")
    );
    assert!(user(&app, &ada).await.is_admin);
    let response = post(
        &app,
        &admin,
        &ada_path,
        &[("csrf_token", &csrf), ("admin", "0")],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("/admin/users/{ada}?notice=admin_removed")
    );
    assert!(!user(&app, &ada).await.is_admin);
    let roles: Vec<String> = admin_events(&app)
        .await
        .into_iter()
        .map(|e| e.detail)
        .collect();
    assert_eq!(roles, ["admin: yes → no", "admin: no → yes"]);
}

#[tokio::test]
async fn a_locked_authenticator_is_shown_and_unlocked_and_the_right_code_then_works() {
    let (app, admin, admin_id) = admin_app().await;
    let id = app.create_user(ADA).await;
    app.create_user("grace@example.com").await;
    let phone = app
        .enroll_totp(&app.signed_in_browser(ADA).await, "Pixel")
        .await;
    lock_totp(&app, ADA).await;
    assert!(
        !totp_code_works(&app, ADA, &phone.code(&app, 0)).await,
        "locked"
    );

    let list = page(&app, &admin, "/admin/users?locked=1").await;
    assert_eq!(listed_emails(&list), [ADA], "the dashboard's locked link");
    let html = page(&app, &admin, &format!("/admin/users/{id}")).await;
    let row = html
        .split(&format!("id=\"authenticator-{}\"", phone.authenticator_id))
        .nth(1)
        .unwrap();
    assert!(
        row.contains("<span class=\"badge\">Locked until 20"),
        "{row}"
    );
    assert!(row.contains("<td class=\"failures\">5</td>"), "{row}");
    assert!(row.contains("never"), "never used to sign in");

    let shown = act(
        &app,
        &admin,
        &id,
        &format!("authenticators/{}/unlock", phone.authenticator_id),
    )
    .await;
    assert_eq!(
        element_text(&shown, "notice").as_deref(),
        Some("Authenticator unlocked.")
    );
    let row = shown
        .split(&format!("id=\"authenticator-{}\"", phone.authenticator_id))
        .nth(1)
        .unwrap();
    assert!(row.contains("<td class=\"status\">Active</td>"), "{row}");
    let stored = app
        .state
        .store
        .run(move |c| store::authenticators::list_user_authenticators(c, &id))
        .await
        .unwrap();
    assert_eq!((stored[0].failure_count, stored[0].locked_until), (0, None));
    assert!(listed_emails(&page(&app, &admin, "/admin/users?locked=1").await).is_empty());
    assert!(totp_code_works(&app, ADA, &phone.code(&app, 0)).await);

    let audit = event(&app, "admin.user.unlock").await;
    assert_eq!(audit.actor.as_deref(), Some(admin_id.as_str()));
    assert!(
        audit.detail.contains("lock: Locked until 20"),
        "{}",
        audit.detail
    );
    assert!(audit.detail.contains("→ Not locked"), "{}", audit.detail);
    assert!(
        audit.detail.contains("consecutive failures: 5 → 0"),
        "{}",
        audit.detail
    );
}

#[tokio::test]
async fn an_admin_removes_a_users_authenticator_app() {
    let (app, admin, _) = admin_app().await;
    let id = app.create_user(ADA).await;
    let phone = app
        .enroll_totp(&app.signed_in_browser(ADA).await, "Pixel")
        .await;
    let shown = act(
        &app,
        &admin,
        &id,
        &format!("authenticators/{}/revoke", phone.authenticator_id),
    )
    .await;
    assert_eq!(
        element_text(&shown, "notice").as_deref(),
        Some("Authenticator removed.")
    );
    assert!(shown.contains("id=\"no-authenticators\""));
    let lookup = id.clone();
    assert!(
        app.state
            .store
            .run(move |c| store::authenticators::list_user_authenticators(c, &lookup))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(!totp_code_works(&app, ADA, &phone.code(&app, 0)).await);
    let audit = event(&app, "admin.user.revoke_totp").await;
    assert_eq!(
        audit.detail,
        format!(
            "authenticator {} (Pixel): active → removed",
            phone.authenticator_id
        )
    );
    // another user's authenticator is not reachable through this user's page
    let other = app.create_user("grace@example.com").await;
    let csrf = hidden_field(&page(&app, &admin, "/admin/users").await, "csrf_token");
    let response = post(
        &app,
        &admin,
        &format!(
            "/admin/users/{other}/authenticators/{}/revoke",
            phone.authenticator_id
        ),
        &[("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn a_locked_code_channel_and_push_devices_are_shown_and_cleared() {
    let (app, admin, _) = admin_app().await;
    let id = app.create_user(ADA).await;
    let (subject, now) = (format!("user:{id}"), app.clock.now());
    let device_owner = id.clone();
    app.state
        .store
        .run(move |c| {
            for _ in 0..5 {
                store::code_lockouts::record_failure(
                    c,
                    &subject,
                    "email",
                    &gatehouse::domain::policy::LockoutPolicy::default(),
                    now,
                )?;
            }
            store::push_devices::insert_device(
                c,
                &store::push_devices::PushDevice {
                    id: "device-1".into(),
                    user_id: device_owner,
                    label: "Ada's phone".into(),
                    sealed_token: vec![1, 2, 3],
                    created_at: now,
                    last_used_at: None,
                },
            )
        })
        .await
        .unwrap();
    assert_eq!(
        listed_emails(&page(&app, &admin, "/admin/users?locked=1").await),
        [ADA],
        "a locked code channel counts as locked"
    );
    let html = page(&app, &admin, &format!("/admin/users/{id}")).await;
    let row = html.split("id=\"channel-email\"").nth(1).unwrap();
    assert!(
        row.contains("Email codes") && row.contains("Locked until 20"),
        "{row}"
    );
    assert!(html.contains("id=\"device-device-1\""));
    assert!(html.contains("Ada&#39;s phone") || html.contains("Ada&#x27;s phone"));

    let shown = act(&app, &admin, &id, "channels/email/unlock").await;
    assert_eq!(
        element_text(&shown, "notice").as_deref(),
        Some("Code channel unlocked.")
    );
    assert!(shown.contains("id=\"no-channel-lockouts\""));
    let subject = format!("user:{id}");
    assert!(
        app.state
            .store
            .run(move |c| store::code_lockouts::list_subject(c, &subject))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        event(&app, "admin.user.unlock_channel")
            .await
            .detail
            .starts_with("Email codes: lock: Locked until 20")
    );

    let shown = act(&app, &admin, &id, "devices/device-1/remove").await;
    assert_eq!(
        element_text(&shown, "notice").as_deref(),
        Some("Push device removed.")
    );
    assert!(shown.contains("id=\"no-devices\""));
    let owner = id.clone();
    assert_eq!(
        app.state
            .store
            .run(move |c| store::push_devices::count_user_devices(c, &owner))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        event(&app, "admin.user.remove_device").await.detail,
        "push device device-1 (Ada's phone): registered → removed"
    );
    let csrf = hidden_field(&shown, "csrf_token");
    for gone in [
        "channels/email/unlock",
        "channels/fax/unlock",
        "devices/device-1/remove",
    ] {
        let response = post(
            &app,
            &admin,
            &format!("/admin/users/{id}/{gone}"),
            &[("csrf_token", &csrf)],
        )
        .await;
        assert_eq!(response.status(), 404, "{gone}");
    }
}

#[tokio::test]
async fn an_admin_sends_a_password_reset_whose_code_works_at_the_reset_page() {
    let (app, smtp) = app_with_mail().await;
    let admin_id = app.create_admin(ADMIN).await;
    let admin = app.signed_in_browser(ADMIN).await;
    let id = app.create_user(ADA).await;

    let shown = act(&app, &admin, &id, "send-reset").await;
    assert_eq!(
        element_text(&shown, "notice").as_deref(),
        Some("A reset code was sent to a***@example.com.")
    );
    let mail = smtp.wait_for_next(ADA).await;
    let code = mail.code();
    // the mail links to the reset form of this very code, so it works whenever it is opened
    let text = mail.text_body();
    let link = text
        .lines()
        .find(|l| l.contains("/password/reset?code_id="))
        .unwrap_or_else(|| panic!("no reset link in {text}"))
        .trim()
        .to_owned();
    let path = &link[link.find("/password/reset").unwrap()..];
    let form = get_text(&app.browser(), app.url(path)).await;
    assert!(form.contains("name=\"code_id\""), "{form}");
    let audit = event(&app, "admin.user.send_reset").await;
    assert_eq!(audit.actor.as_deref(), Some(admin_id.as_str()));
    assert_eq!(
        audit.detail,
        "password reset code emailed to a***@example.com"
    );
    assert!(!audit.detail.contains(&code));

    // Ada asks for a reset herself moments later: the code she already has is the one to use.
    let ada = app.browser();
    let forgot = page(&app, &ada, "/password/forgot").await;
    let response = post(
        &app,
        &ada,
        "/password/forgot",
        &[
            ("email", ADA),
            ("csrf_token", &hidden_field(&forgot, "csrf_token")),
        ],
    )
    .await;
    let to = location(&response);
    let reset = page(&app, &ada, &to).await;
    let response = post(
        &app,
        &ada,
        "/password/reset",
        &[
            ("code_id", &param(&query_pairs(&to), "code_id").unwrap()),
            ("csrf_token", &hidden_field(&reset, "csrf_token")),
            ("email", ADA),
            ("code", &code),
            ("password", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("Password changed"));
    let rp = app.confidential_client().await;
    assert!(password_sign_in(&app, &rp, ADA, NEW_PASSWORD).await.0);
    assert!(!password_sign_in(&app, &rp, ADA, PASSWORD).await.0);

    // a disabled account gets no reset code
    act(&app, &admin, &id, "disable").await;
    let csrf = hidden_field(&page(&app, &admin, "/admin/users").await, "csrf_token");
    let refused = post(
        &app,
        &admin,
        &format!("/admin/users/{id}/send-reset"),
        &[("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(refused.status(), 409);
    assert!(
        element_text(&refused.text().await.unwrap(), "error")
            .unwrap()
            .contains("disabled")
    );
}

#[tokio::test]
async fn ending_all_sessions_signs_the_user_out_of_every_browser() {
    let (app, admin, admin_id) = admin_app().await;
    let id = app.create_user(ADA).await;
    let (laptop, phone) = (
        app.signed_in_browser(ADA).await,
        app.signed_in_browser(ADA).await,
    );
    assert!(signed_in(&app, &laptop).await && signed_in(&app, &phone).await);
    let shown = act(&app, &admin, &id, "end-sessions").await;
    assert_eq!(
        element_text(&shown, "notice").as_deref(),
        Some("All sessions of this user were ended and their tokens revoked.")
    );
    assert!(!signed_in(&app, &laptop).await && !signed_in(&app, &phone).await);
    assert!(
        signed_in(&app, &admin).await,
        "the admin's own session stays"
    );
    let audit = event(&app, "admin.user.end_sessions").await;
    assert_eq!(audit.actor.as_deref(), Some(admin_id.as_str()));
    assert_eq!(audit.detail, "sessions: 2 → 0; tokens revoked: 0");
    // the page lists the user's recent events, newest first
    assert!(shown.contains("<code>admin.user.end_sessions</code>"));
}

/// Every form of a user's page, for `user` with authenticator `authenticator`.
fn every_form(user: &str, authenticator: &str) -> Vec<(String, Vec<(&'static str, &'static str)>)> {
    let base = format!("/admin/users/{user}");
    vec![
        (
            "/admin/users/new".to_owned(),
            vec![("email", "new@example.com")],
        ),
        (format!("{base}/disable"), vec![]),
        (format!("{base}/enable"), vec![]),
        (format!("{base}/admin"), vec![("admin", "1")]),
        (format!("{base}/send-reset"), vec![]),
        (format!("{base}/end-sessions"), vec![]),
        (
            format!("{base}/authenticators/{authenticator}/unlock"),
            vec![],
        ),
        (
            format!("{base}/authenticators/{authenticator}/revoke"),
            vec![],
        ),
        (format!("{base}/channels/email/unlock"), vec![]),
        (format!("{base}/devices/device-1/remove"), vec![]),
    ]
}

/// What the forms could change: the user, its authenticator, its sessions.
async fn snapshot(app: &TestApp, id: &str) -> (bool, bool, usize, i64, i64) {
    let u = user(app, id).await;
    let id = id.to_owned();
    let (authenticators, sessions, users) = app
        .state
        .store
        .run(move |c| {
            Ok((
                store::authenticators::list_user_authenticators(c, &id)?.len(),
                store::sessions::count_sessions(c)?,
                store::users::count_users(c)?,
            ))
        })
        .await
        .unwrap();
    (u.disabled, u.is_admin, authenticators, sessions, users)
}

#[tokio::test]
async fn every_form_refuses_a_missing_or_wrong_csrf_token_and_changes_nothing() {
    let (app, admin, _) = admin_app().await;
    let id = app.create_user(ADA).await;
    let ada = app.signed_in_browser(ADA).await;
    let phone = app.enroll_totp(&ada, "Pixel").await;
    let before = snapshot(&app, &id).await;
    for (path, fields) in every_form(&id, &phone.authenticator_id) {
        for token in [None, Some("not-the-token")] {
            let mut form = fields.clone();
            if let Some(token) = token {
                form.push(("csrf_token", token));
            }
            let response = post(&app, &admin, &path, &form).await;
            assert_eq!(response.status(), 403, "{path} with {token:?}");
        }
    }
    assert_eq!(snapshot(&app, &id).await, before);
    assert!(signed_in(&app, &ada).await);
    assert!(admin_events(&app).await.is_empty());
}

#[tokio::test]
async fn users_without_the_admin_role_get_403_on_every_page_and_form() {
    let app = TestApp::spawn().await;
    app.create_admin(ADMIN).await;
    let id = app.create_user(ADA).await;
    app.create_user("grace@example.com").await;
    let grace = app.signed_in_browser("grace@example.com").await;
    let phone = app
        .enroll_totp(&app.signed_in_browser(ADA).await, "Pixel")
        .await;
    for path in [
        "/admin/users".to_owned(),
        "/admin/users/new".to_owned(),
        format!("/admin/users/{id}"),
    ] {
        let response = grace.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 403, "{path}");
    }
    // a valid token of Grace's own browser is not enough
    let account = page(&app, &grace, "/account").await;
    let csrf = hidden_field(&account, "csrf_token");
    let before = snapshot(&app, &id).await;
    for (path, mut form) in every_form(&id, &phone.authenticator_id) {
        form.push(("csrf_token", Box::leak(csrf.clone().into_boxed_str())));
        let response = post(&app, &grace, &path, &form).await;
        assert_eq!(response.status(), 403, "{path}");
    }
    assert_eq!(snapshot(&app, &id).await, before);
    assert!(admin_events(&app).await.is_empty());

    // anonymous visitors are sent to sign in
    let anonymous = app.browser();
    let response = anonymous.get(app.url("/admin/users")).send().await.unwrap();
    assert!(location(&response).starts_with("/authz-srv/authz?"));
}

#[tokio::test]
async fn an_unknown_user_is_404() {
    let (app, admin, _) = admin_app().await;
    let response = admin
        .get(app.url("/admin/users/no-such-user"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let csrf = hidden_field(&page(&app, &admin, "/admin/users").await, "csrf_token");
    let response = post(
        &app,
        &admin,
        "/admin/users/no-such-user/disable",
        &[("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(response.status(), 404);
}
