//! Admin pages at scale: starts Gatehouse in-process (SQLite in a temp dir, or PostgreSQL with
//! `BENCH_DATABASE_URL=postgres://…` — a database it may fill), seeds 20,000 users and 200,000
//! audit events (a busy month), signs an administrator in over loopback and times 30 requests of
//! each admin page a support desk uses most: the dashboard (24-hour counts), the user list (first
//! and a late page), a search by part of an email, and the audit log (unfiltered, by kind, by
//! user). Prints median and p90 per page, and the page's size.
//!
//! Run: `cargo bench --bench admin`.

mod common;

use std::time::Instant;

use common::{PASSWORD, field, report_with};

use gatehouse::domain::user::User;
use gatehouse::store::{self, audit::AuditEventRow};

const USERS: usize = 20_000;
const EVENTS: usize = 200_000;
const SAMPLES: usize = 30;

/// Seeds `USERS` users and `EVENTS` audit events spread over the last 30 days, in batches.
fn seed(conn: &mut store::AnyConnection, now: i64) -> Result<Vec<String>, store::StoreError> {
    let mut ids = Vec::with_capacity(USERS);
    for batch in 0..USERS / 1000 {
        store::write_transaction(conn, |conn| {
            for i in batch * 1000..(batch + 1) * 1000 {
                let id = uuid::Uuid::now_v7().to_string();
                store::users::insert_user(
                    conn,
                    &User {
                        id: id.clone(),
                        email: format!("user-{i:05}@example.com"),
                        email_verified: true,
                        name: Some(format!("User Number {i}")),
                        password_hash: None,
                        is_admin: false,
                        disabled: i % 97 == 0,
                        created_at: now,
                        updated_at: now,
                        phone_number: None,
                        phone_verified: false,
                    },
                )?;
                ids.push(id);
            }
            Ok(())
        })?;
    }
    let actions = [
        "login.password",
        "login.totp",
        "login.email",
        "account.totp.add",
    ];
    for batch in 0..EVENTS / 5000 {
        store::write_transaction(conn, |conn| {
            for i in batch * 5000..(batch + 1) * 5000 {
                let at = now - 30 * 86_400 + (i as i64 * 30 * 86_400) / EVENTS as i64;
                store::audit::insert_audit_event(
                    conn,
                    &AuditEventRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        at,
                        action: actions[i % actions.len()].into(),
                        outcome: if i % 7 == 0 { "failure" } else { "success" }.into(),
                        actor: None,
                        user_id: Some(ids[i % ids.len()].clone()),
                        client_id: None,
                        ip: Some("192.0.2.10".into()),
                        detail: String::new(),
                    },
                )?;
            }
            Ok(())
        })?;
    }
    Ok(ids)
}

/// Follows redirects by hand (the cookie jar must see every hop) until a page answers.
async fn get(
    browser: &reqwest::Client,
    base: &str,
    path: &str,
) -> anyhow::Result<(String, String)> {
    let mut path = path.to_owned();
    for _ in 0..10 {
        let url = if path.starts_with("http") {
            path.clone()
        } else {
            format!("{base}{path}")
        };
        let response = browser.get(&url).send().await?;
        match response.headers().get("location") {
            Some(next) if response.status().is_redirection() => path = next.to_str()?.to_owned(),
            _ => return Ok((path, response.text().await?)),
        }
    }
    anyhow::bail!("too many redirects from {path}")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let clock = gatehouse::Clock::system();
    let app = common::start(common::config(&dir, true), clock.clone()).await?;
    let (base, store) = (app.base.clone(), app.store.clone());

    let seeding = Instant::now();
    let now = clock.now();
    let ids = store.run(move |c| seed(c, now)).await?;
    println!(
        "seeded {USERS} users and {EVENTS} audit events in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    common::create_user(&app, "admin@example.com", Some(PASSWORD), true).await?;

    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let (login, html) = get(&browser, &base, "/admin").await?;
    anyhow::ensure!(
        login.starts_with("/login"),
        "expected the login page, got {login}"
    );
    let back = browser
        .post(format!("{base}/login-srv/login"))
        .form(&[
            ("username", "admin@example.com"),
            ("password", PASSWORD),
            ("requestId", &field(&html, "requestId")),
            ("csrf_token", &field(&html, "csrf_token")),
        ])
        .send()
        .await?;
    let callback = back.headers()["location"].to_str()?.to_owned();
    let (landed, _) = get(&browser, &base, &callback).await?;
    anyhow::ensure!(landed == "/admin", "signed in but landed on {landed}");

    let someone = format!("user-{:05}@example.com", USERS / 2);
    anyhow::ensure!(ids.len() == USERS, "seeded {} users", ids.len());
    let pages = [
        ("dashboard", "/admin".to_owned()),
        ("users, first page", "/admin/users".to_owned()),
        ("users, page 400", "/admin/users?page=400".to_owned()),
        ("users, search 'r-1234'", "/admin/users?q=r-1234".to_owned()),
        ("audit log", "/admin/audit".to_owned()),
        (
            "audit log, failed sign-ins",
            "/admin/audit?kind=login&outcome=failure".to_owned(),
        ),
        (
            "audit log, one user",
            format!("/admin/audit?user={someone}"),
        ),
    ];
    for (name, path) in pages {
        let mut samples = Vec::with_capacity(SAMPLES);
        let mut bytes = 0;
        for _ in 0..SAMPLES {
            let started = Instant::now();
            let response = browser.get(format!("{base}{path}")).send().await?;
            anyhow::ensure!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            bytes = response.bytes().await?.len();
            samples.push(started.elapsed());
        }
        report_with(name, samples, &format!(" ({} KiB)", bytes / 1024));
    }
    Ok(())
}
