//! Accessibility: every page in [`PAGES`] is opened in headless Chromium, axe-core (the npm
//! package pinned in `tests/axe/package-lock.json`, installed by `scripts/test`) is injected and
//! run, and the test fails listing every violation of `serious` or `critical` impact — the rule,
//! its help text and the elements it failed on.
//!
//! To check a new page, add a line to [`PAGES`].

use std::path::PathBuf;

use gatehouse::store::{self, deliveries::Delivery};
use serde_json::Value;

use crate::chromium::*;
use crate::helpers::*;

/// Who looks at a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// Nobody signed in, in the middle of a sign-in for a relying app: `{requestId}` in the
    /// path is that sign-in's request id.
    Visitor,
    /// The same for an application with branding (logo, accent colour, policy links).
    BrandedVisitor,
    /// A user with an authenticator app half-way through a sign-in: the password was right and
    /// the second step is asked for. The path is where that sign-in stops (its query varies).
    SecondStep,
    /// Signed in as a user without the admin role.
    User,
    /// Signed in as an administrator.
    Admin,
}

/// The pages checked, visited in this order (visitors first, then a user, then an admin).
const PAGES: &[(Who, &str)] = &[
    (Who::Visitor, "/login?requestId={requestId}"),
    (
        Who::Visitor,
        "/login?requestId={requestId}&error=invalid_username_password&error_description=The+email+or+password+is+not+correct.",
    ),
    (
        Who::Visitor,
        "/login?requestId={requestId}&error=password_locked&minutes=5",
    ),
    (Who::Visitor, "/login/methods?requestId={requestId}"),
    (Who::Visitor, "/login/passkey?requestId={requestId}"),
    (Who::Visitor, "/register?requestId={requestId}"),
    (Who::Visitor, "/password/forgot"),
    (Who::BrandedVisitor, "/login?requestId={requestId}"),
    (
        Who::BrandedVisitor,
        "/login?requestId={requestId}&error=invalid_username_password",
    ),
    (Who::BrandedVisitor, "/login/methods?requestId={requestId}"),
    (Who::BrandedVisitor, "/register?requestId={requestId}"),
    (Who::SecondStep, "/mfa"),
    (Who::User, "/account"),
    (Who::User, "/account/passkeys"),
    (Who::User, "/approve/{approvalId}"),
    (Who::Admin, "/admin"),
    (Who::Admin, "/admin/audit"),
    (Who::Admin, "/admin/audit?kind=login&from=2020-13-01"),
    (Who::Admin, "/admin/deliveries"),
    (Who::Admin, "/admin/deliveries?failed=1"),
    (Who::Admin, "/admin/methods"),
    (Who::Admin, "/admin/connectors"),
    (Who::Admin, "/admin/apps"),
    (Who::Admin, "/admin/apps/new"),
    (Who::Admin, "/admin/users"),
    (Who::Admin, "/admin/users/new"),
    (Who::Admin, "/admin/users/{userId}"),
    (Who::Admin, "/admin/lockouts"),
    (Who::Admin, "/admin/apps/{clientId}"),
    (Who::Admin, "/admin/apps/{clientId}/delete"),
    (Who::Admin, "/admin/apps/{clientId}/rotate"),
];

const ADMIN: &str = "root@example.com";
const USER: &str = "ada@example.com";
const USER_WITH_TOTP: &str = "mia@example.com";

/// axe-core's browser bundle.
fn axe_source() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}): run `npm ci --prefix tests/axe` (scripts/test does)",
            path.display()
        )
    })
}

/// Runs axe on the page the browser shows; returns its serious and critical violations, one
/// line each.
async fn serious_violations(browser: &Browser, axe: &str, page: &str) -> Vec<String> {
    browser
        .client
        .execute(axe, vec![])
        .await
        .unwrap_or_else(|e| panic!("axe-core could not be loaded on {page}: {e}"));
    let result = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done({ violations: r.violations }))
               .catch(e => done({ error: String(e) }));",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("axe-core did not run on {page}: {e}"));
    if let Some(error) = result.get("error") {
        panic!("axe-core failed on {page}: {error}");
    }
    let violations = result["violations"].as_array().cloned().unwrap_or_default();
    violations
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            let targets: Vec<String> = v["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| match &n["target"] {
                    Value::Array(t) => t
                        .iter()
                        .map(|s| {
                            s.as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| s.to_string())
                        })
                        .collect::<Vec<_>>()
                        .join(" "),
                    other => other.to_string(),
                })
                .collect();
            format!(
                "{page}: [{}] {} ({}): {}",
                v["impact"].as_str().unwrap_or("?"),
                v["id"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or("?"),
                targets.join(", ")
            )
        })
        .collect()
}

/// Signs `email` in through the hosted login, starting at `start` (a page that asks for it).
async fn sign_in(browser: &Browser, app: &TestApp, start: &str, email: &str) {
    browser.client.delete_all_cookies().await.unwrap();
    browser.goto(&app.url(start)).await;
    browser.wait_for_path(app, "/login").await;
    fill_in_and_submit(browser, email, PASSWORD).await;
    browser.wait_for_path(app, start).await;
}

/// How the pages are looked at.
#[derive(Debug, Clone, Copy)]
enum View {
    /// The light colour scheme in a desktop-sized window.
    LightDesktop,
    /// The dark colour scheme (`prefers-color-scheme: dark`) on a phone-sized screen.
    DarkPhone,
}

/// Opens every page of [`PAGES`] as `view` and returns the serious and critical violations.
async fn violations_of_every_page(view: View) -> Vec<String> {
    let axe = axe_source();
    let app = TestApp::spawn().await;
    app.create_admin(ADMIN).await;
    let user = app.create_user(USER).await;
    let user_with_totp = app.create_user(USER_WITH_TOTP).await;
    app.enroll_totp(&app.signed_in_browser(USER_WITH_TOTP).await, "Phone")
        .await;
    // and a passkey: "Use a passkey instead" on /mfa, a row on the admin's user page
    let mut key = crate::passkeys::soft_key(&app).await;
    crate::passkeys::register(&app, &user_with_totp, &mut key).await;
    // a transaction for the user to approve
    let bank = crate::approvals::approving_client(&app, "Bank").await;
    let payment = serde_json::json!({"amount": "10.00", "payee": {"name": "ACME", "iban": "DE00"}});
    let approval_id = crate::approvals::started(&app, &bank, &user, payment).await;
    // something in the lists: sign-ins in the audit log, a sent and a failed delivery
    app.signed_in_browser(USER).await;
    app.state
        .store
        .run(move |c| {
            for (n, status) in ["sent", "failed"].into_iter().enumerate() {
                store::deliveries::insert_delivery(
                    c,
                    &Delivery {
                        id: uuid::Uuid::now_v7().to_string(),
                        channel: "email".into(),
                        destination: "a***@example.com".into(),
                        purpose: "login".into(),
                        user_id: Some(user.clone()),
                        provider: "smtp".into(),
                        status: status.into(),
                        detail: Some("250 2.0.0 OK".into()),
                        created_at: 1_700_000_000 + n as i64,
                        took_ms: None,
                    },
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    // something locked: the password sign-in of a third user
    let locked = app.create_user("locked@example.com").await;
    let (subject, now) = (
        gatehouse::domain::one_time_code::subject_for_user(&locked),
        app.clock.now(),
    );
    app.state
        .store
        .run(move |c| {
            for _ in 0..10 {
                store::code_lockouts::record_failure(
                    c,
                    &subject,
                    gatehouse::domain::policy::PASSWORD_LOCK_CHANNEL,
                    &gatehouse::domain::policy::PasswordLockoutPolicy::default(),
                    now,
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let rp = register_test_app(&app, "optional").await;
    let branded = crate::browser_branding::branded_test_app(&app).await;
    let browser = match view {
        View::LightDesktop => Browser::start().await,
        View::DarkPhone => {
            let browser = Browser::start_with_args(&["--force-dark-mode"]).await;
            browser.client.set_window_size(390, 844).await.unwrap();
            browser
        }
    };

    let mut found = Vec::new();
    let mut request_id = None;
    let mut signed_in = None;
    for &(who, page) in PAGES {
        match who {
            Who::Visitor if request_id.is_none() => {
                browser
                    .goto(&authorization_url(&app, &rp, "axe-state"))
                    .await;
                let login = browser.wait_for_path(&app, "/login").await;
                request_id = login
                    .query_pairs()
                    .find(|(k, _)| k == "requestId")
                    .map(|(_, v)| v.into_owned());
                assert!(request_id.is_some(), "{login}");
            }
            Who::BrandedVisitor if signed_in != Some(who) => {
                browser.client.delete_all_cookies().await.unwrap();
                browser
                    .goto(&authorization_url(&app, &branded, "axe-branded"))
                    .await;
                let login = browser.wait_for_path(&app, "/login").await;
                request_id = login
                    .query_pairs()
                    .find(|(k, _)| k == "requestId")
                    .map(|(_, v)| v.into_owned());
                signed_in = Some(who);
            }
            Who::User if signed_in != Some(who) => {
                sign_in(&browser, &app, "/account", USER).await;
                signed_in = Some(who);
            }
            Who::Admin if signed_in != Some(who) => {
                sign_in(&browser, &app, "/admin", ADMIN).await;
                signed_in = Some(who);
            }
            _ => {}
        }
        if who == Who::SecondStep {
            browser
                .goto(&authorization_url(&app, &rp, "axe-second-step"))
                .await;
            browser.wait_for_path(&app, "/login").await;
            fill_in_and_submit(&browser, USER_WITH_TOTP, PASSWORD).await;
            browser.wait_for_path(&app, page).await;
        } else {
            let path = page
                .replace("{requestId}", request_id.as_deref().unwrap_or(""))
                .replace("{userId}", &user_with_totp)
                .replace("{clientId}", &rp.client_id)
                .replace("{approvalId}", &approval_id);
            browser.goto(&app.url(&path)).await;
            if who == Who::BrandedVisitor {
                // checked with the logo and the accent stylesheet in place
                browser.find("#brand-logo").await;
                browser.find("#brand-style").await;
            }
            let shown = browser.url().await;
            assert_eq!(
                shown.path(),
                path.split('?').next().unwrap(),
                "{page} opened as {shown}"
            );
        }
        let dark = browser
            .client
            .execute(
                "return matchMedia('(prefers-color-scheme: dark)').matches;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            dark,
            Value::Bool(matches!(view, View::DarkPhone)),
            "{view:?}"
        );
        found.extend(serious_violations(&browser, &axe, &format!("{page} ({view:?})")).await);
    }
    browser.close().await;
    found
}

fn assert_none(found: Vec<String>) {
    assert!(
        found.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[tokio::test]
async fn every_listed_page_passes_axe_in_the_light_scheme_on_a_desktop() {
    assert_none(violations_of_every_page(View::LightDesktop).await);
}

#[tokio::test]
async fn every_listed_page_passes_axe_in_the_dark_scheme_on_a_phone() {
    assert_none(violations_of_every_page(View::DarkPhone).await);
}

/// The German pages: a sign-in asked for with `ui_locales=de`, then the account pages after
/// the language switch — on a phone-sized screen, where long German words must wrap instead
/// of widening the page.
const GERMAN_PAGES: &[(Who, &str)] = &[
    (Who::Visitor, "/login?requestId={requestId}"),
    (
        Who::Visitor,
        "/login?requestId={requestId}&error=password_locked&minutes=5",
    ),
    (
        Who::Visitor,
        "/login/methods?requestId={requestId}&username=ada%40example.com",
    ),
    (Who::Visitor, "/register?requestId={requestId}"),
    (Who::Visitor, "/password/forgot?requestId={requestId}"),
    (Who::User, "/account"),
    (Who::User, "/account/passkeys"),
];

/// Serious or critical axe violations of the German pages, pages not in German, and pages
/// wider than the phone.
async fn violations_of_the_german_pages() -> Vec<String> {
    let axe = axe_source();
    let app = TestApp::spawn().await;
    app.create_user(USER).await;
    let rp = register_test_app(&app, "optional").await;
    let browser = Browser::start().await;
    browser.client.set_window_size(390, 844).await.unwrap();
    browser
        .goto(&format!(
            "{}&ui_locales=de",
            authorization_url(&app, &rp, "axe-german")
        ))
        .await;
    let login = browser.wait_for_path(&app, "/login").await;
    let request_id = login
        .query_pairs()
        .find(|(k, _)| k == "requestId")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let mut found = Vec::new();
    for &(who, page) in GERMAN_PAGES {
        if who == Who::User && browser.url().await.path() != "/account" {
            sign_in(&browser, &app, "/account", USER).await;
            // the switch on the page, without JavaScript's help: a plain form
            browser.choose("#language-select", "de").await;
            browser.click(".language-switch button[type=submit]").await;
            browser.wait_for_path(&app, "/account").await;
        }
        browser
            .goto(&app.url(&page.replace("{requestId}", &request_id)))
            .await;
        let facts = browser
            .client
            .execute(
                "return [document.documentElement.lang,
                         document.documentElement.scrollWidth - window.innerWidth];",
                vec![],
            )
            .await
            .unwrap();
        if facts[0] != "de" {
            found.push(format!("{page}: <html lang={}>, not de", facts[0]));
        }
        if facts[1].as_f64().unwrap_or(0.0) > 0.0 {
            found.push(format!("{page}: {}px wider than the phone", facts[1]));
        }
        found.extend(serious_violations(&browser, &axe, &format!("{page} (German)")).await);
    }
    browser.close().await;
    found
}

#[tokio::test]
async fn the_german_pages_pass_axe_and_fit_a_phone() {
    assert_none(violations_of_the_german_pages().await);
}
