//! The admin Lockouts page (`/admin/lockouts`): every lock in force (authenticators, code
//! channels, password sign-in, of accounts and unknown addresses) in one list, each unlocked by
//! a CSRF-checked, audited POST; password sign-in locks on a user's admin page; the dashboard
//! count links here.

use gatehouse::domain::one_time_code::subject_for_user;
use gatehouse::domain::policy::{LockoutPolicy, PASSWORD_LOCK_CHANNEL};
use gatehouse::store;

use crate::admin_users::{lock_totp, page};
use crate::helpers::*;

const ADMIN: &str = "root@example.com";
const ADA: &str = "ada@example.com";
const NOBODY: &str = "nobody@example.com";

/// Locks password sign-in of `email` with ten wrong passwords on the hosted page.
async fn lock_password(app: &TestApp, email: &str) {
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let login = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
    let csrf = hidden_field(&login, "csrf_token");
    let mut last = String::new();
    for i in 0..10 {
        last = location(
            &app.submit_login(&browser, &request_id, &csrf, email, &format!("guess {i}"))
                .await,
        );
    }
    assert!(last.contains("error=password_locked"), "{last}");
}

/// Locks `user_id`'s email codes (five wrong codes, as the store counts them).
async fn lock_email_codes(app: &TestApp, user_id: &str) {
    let (subject, now) = (subject_for_user(user_id), app.clock.now());
    app.state
        .store
        .run(move |c| {
            for _ in 0..5 {
                store::code_lockouts::record_failure(
                    c,
                    &subject,
                    "email",
                    &LockoutPolicy::default(),
                    now,
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
}

async fn password_lock_row(app: &TestApp, subject: String) -> Option<(i32, Option<i64>)> {
    app.state
        .store
        .run(move |c| store::code_lockouts::find_lockout(c, &subject, PASSWORD_LOCK_CHANNEL))
        .await
        .unwrap()
        .map(|l| (l.failure_count, l.locked_until))
}

async fn lockout_events(app: &TestApp) -> Vec<store::audit::AuditEventRow> {
    app.state
        .store
        .run(|c| store::audit::list_audit_events(c, None, 200))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.starts_with("admin.lockout.") || e.action.starts_with("admin.user."))
        .collect()
}

/// The table rows of the Lockouts page.
fn table_rows(html: &str) -> Vec<String> {
    html.split("<tbody>")
        .nth(1)
        .map(|body| {
            body.split("<tr>")
                .skip(1)
                .map(|r| r.split("</tr>").next().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn unlock(
    app: &TestApp,
    browser: &reqwest::Client,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    browser
        .post(app.url("/admin/lockouts/unlock"))
        .form(fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_lock_is_listed_and_each_unlock_is_audited_with_before_and_after() {
    let app = TestApp::spawn().await;
    let admin_id = app.create_admin(ADMIN).await;
    let admin = app.signed_in_browser(ADMIN).await;
    let ada = app.create_user(ADA).await;
    let phone = app
        .enroll_totp(&app.signed_in_browser(ADA).await, "Pixel")
        .await;
    lock_totp(&app, ADA).await;
    lock_email_codes(&app, &ada).await;
    lock_password(&app, ADA).await;
    lock_password(&app, NOBODY).await;

    let dashboard = page(&app, &admin, "/admin").await;
    assert!(
        dashboard.contains(
            "<a href=\"/admin/lockouts\"><span class=\"figure\" id=\"stat-locked\">4</span>"
        ),
        "{dashboard}"
    );
    let html = page(&app, &admin, "/admin/lockouts").await;
    assert!(html.contains("<a href=\"/admin/lockouts\" aria-current=\"page\">Lockouts</a>"));
    assert!(html.contains("id=\"summary\">4 locks in force"), "{html}");
    let rows = table_rows(&html);
    assert_eq!(rows.len(), 4, "{rows:?}");
    let ada_link = format!("<a href=\"/admin/users/{ada}\">{ADA}</a>");
    let row_of = |what: &str| {
        rows.iter()
            .find(|r| r.contains(what))
            .unwrap_or_else(|| panic!("no row for {what}: {rows:?}"))
            .clone()
    };
    let totp = row_of("Authenticator app “Pixel”");
    assert!(
        totp.contains(&ada_link) && totp.contains("<td>5</td>"),
        "{totp}"
    );
    assert!(totp.contains(&format!(
        "name=\"authenticator\" value=\"{}\"",
        phone.authenticator_id
    )));
    let email = row_of("<td>Email codes</td>");
    assert!(
        email.contains(&ada_link) && email.contains("<td>5</td>"),
        "{email}"
    );
    let passwords: Vec<&String> = rows
        .iter()
        .filter(|r| r.contains("<td>Password sign-in</td>"))
        .collect();
    assert_eq!(passwords.len(), 2);
    assert!(passwords.iter().any(|r| r.contains(&ada_link)));
    assert!(
        passwords
            .iter()
            .any(|r| r.contains("An address with no account") && r.contains("<td>10</td>"))
    );
    assert!(
        !html.contains(NOBODY),
        "the unknown address is stored hashed only"
    );
    assert!(html.contains("<time datetime=\""), "until when, in UTC");

    // Unlock Ada's password sign-in.
    let csrf = hidden_field(&html, "csrf_token");
    let subject = subject_for_user(&ada);
    let done = unlock(
        &app,
        &admin,
        &[
            ("csrf_token", &csrf),
            ("subject", &subject),
            ("channel", "password"),
        ],
    )
    .await;
    assert_eq!(done.status(), 303);
    assert_eq!(location(&done), "/admin/lockouts?notice=unlocked");
    assert_eq!(password_lock_row(&app, subject.clone()).await, None);
    let events = lockout_events(&app).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event.action, "admin.lockout.unlock");
    assert_eq!(event.outcome, "success");
    assert_eq!(event.actor.as_deref(), Some(admin_id.as_str()));
    assert_eq!(event.user_id.as_deref(), Some(ada.as_str()));
    assert!(
        event
            .detail
            .starts_with("Password sign-in: lock: Locked until ")
            && event
                .detail
                .ends_with(" → Not locked; consecutive failures: 10 → 0"),
        "{}",
        event.detail
    );
    // Ada's password is accepted again at once (her authenticator is asked for next).
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let login = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
    let next = location(
        &app.submit_login(
            &browser,
            &request_id,
            &hidden_field(&login, "csrf_token"),
            ADA,
            PASSWORD,
        )
        .await,
    );
    assert!(next.starts_with("/mfa?"), "{next}");

    // Unlock the authenticator from the list too.
    let html = page(&app, &admin, "/admin/lockouts?notice=unlocked").await;
    assert!(html.contains("id=\"notice\">Unlocked.</div>"));
    assert_eq!(table_rows(&html).len(), 3);
    let done = unlock(
        &app,
        &admin,
        &[
            ("csrf_token", &csrf),
            ("authenticator", &phone.authenticator_id),
        ],
    )
    .await;
    assert_eq!(done.status(), 303);
    let events = lockout_events(&app).await;
    assert_eq!(events.len(), 2);
    assert!(
        events[0].detail.starts_with(&format!(
            "authenticator {} (Pixel): lock: Locked until ",
            phone.authenticator_id
        )) && events[0]
            .detail
            .ends_with("→ Not locked; consecutive failures: 5 → 0"),
        "{}",
        events[0].detail
    );
    let html = page(&app, &admin, "/admin/lockouts").await;
    assert_eq!(table_rows(&html).len(), 2);

    // The unknown address's lock, unlocked: no user on the event.
    let row = table_rows(&html)
        .into_iter()
        .find(|r| r.contains("An address with no account"))
        .unwrap();
    let nobody_subject = hidden_field(&row, "subject");
    let done = unlock(
        &app,
        &admin,
        &[
            ("csrf_token", &csrf),
            ("subject", &nobody_subject),
            ("channel", "password"),
        ],
    )
    .await;
    assert_eq!(done.status(), 303);
    let events = lockout_events(&app).await;
    assert_eq!(events[0].user_id, None);
    assert!(
        events[0]
            .detail
            .starts_with("Password sign-in of an address with no account: lock: Locked until"),
        "{}",
        events[0].detail
    );

    // Unlocking what is no longer locked says so and changes nothing.
    let again = unlock(
        &app,
        &admin,
        &[
            ("csrf_token", &csrf),
            ("subject", &nobody_subject),
            ("channel", "password"),
        ],
    )
    .await;
    assert_eq!(location(&again), "/admin/lockouts?notice=gone");
    assert_eq!(lockout_events(&app).await.len(), 3);
}

#[tokio::test]
async fn the_unlock_refuses_non_admins_and_missing_or_wrong_csrf_tokens() {
    let app = TestApp::spawn().await;
    app.create_admin(ADMIN).await;
    let admin = app.signed_in_browser(ADMIN).await;
    let ada = app.create_user(ADA).await;
    app.create_user("grace@example.com").await;
    lock_password(&app, ADA).await;
    let subject = subject_for_user(&ada);
    let before = password_lock_row(&app, subject.clone()).await;
    assert!(before.is_some());

    for token in [None, Some("not-the-token")] {
        let mut form = vec![("subject", subject.as_str()), ("channel", "password")];
        if let Some(token) = token {
            form.push(("csrf_token", token));
        }
        let response = unlock(&app, &admin, &form).await;
        assert_eq!(response.status(), 403, "{token:?}");
    }

    let grace = app.signed_in_browser("grace@example.com").await;
    let response = grace.get(app.url("/admin/lockouts")).send().await.unwrap();
    assert_eq!(response.status(), 403);
    let csrf = hidden_field(&page(&app, &grace, "/account").await, "csrf_token");
    let response = unlock(
        &app,
        &grace,
        &[
            ("csrf_token", &csrf),
            ("subject", &subject),
            ("channel", "password"),
        ],
    )
    .await;
    assert_eq!(response.status(), 403);

    // A form naming no lock, or an unknown channel, is a clear 400.
    let csrf = hidden_field(&page(&app, &admin, "/admin/lockouts").await, "csrf_token");
    for form in [
        vec![("csrf_token", csrf.as_str())],
        vec![
            ("csrf_token", csrf.as_str()),
            ("subject", subject.as_str()),
            ("channel", "carrier-pigeon"),
        ],
    ] {
        let response = unlock(&app, &admin, &form).await;
        assert_eq!(response.status(), 400);
    }

    assert_eq!(password_lock_row(&app, subject).await, before);
    assert!(lockout_events(&app).await.is_empty());

    let anonymous = app.browser();
    let response = anonymous
        .get(app.url("/admin/lockouts"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302, "sent to sign in");
}

#[tokio::test]
async fn a_users_admin_page_shows_a_password_lock_and_unlocks_it() {
    let app = TestApp::spawn().await;
    let admin_id = app.create_admin(ADMIN).await;
    let admin = app.signed_in_browser(ADMIN).await;
    let ada = app.create_user(ADA).await;
    let path = format!("/admin/users/{ada}");
    let html = page(&app, &admin, &path).await;
    assert!(html.contains("id=\"password-lock\">Password sign-in: not locked.</p>"));

    lock_password(&app, ADA).await;
    let html = page(&app, &admin, &path).await;
    assert!(
        html.contains("id=\"password-lock\">Password sign-in: <span class=\"badge\">locked until ")
            && html.contains("</span> — 10 wrong passwords in a row.</p>"),
        "{html}"
    );
    assert!(html.contains("id=\"unlock-password\">Unlock password sign-in</button>"));
    assert!(
        !html.contains("id=\"channel-password\""),
        "not among the code channels"
    );
    let csrf = hidden_field(&html, "csrf_token");
    let done = admin
        .post(app.url(&format!("{path}/channels/password/unlock")))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    let to = location(&done);
    assert_eq!(to, format!("{path}?notice=password_unlocked"));
    let html = page(&app, &admin, &to).await;
    assert!(html.contains("Password sign-in unlocked."));
    assert!(html.contains("id=\"password-lock\">Password sign-in: not locked.</p>"));
    assert_eq!(password_lock_row(&app, subject_for_user(&ada)).await, None);
    let events = lockout_events(&app).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "admin.user.unlock_channel");
    assert_eq!(events[0].actor.as_deref(), Some(admin_id.as_str()));
    assert!(
        events[0]
            .detail
            .starts_with("Password sign-in: lock: Locked until ")
            && events[0]
                .detail
                .ends_with("→ Not locked; consecutive failures: 10 → 0"),
        "{}",
        events[0].detail
    );
}
