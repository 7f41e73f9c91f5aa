//! The admin audit log (`/admin/audit`) and delivery log (`/admin/deliveries`): filters,
//! pages, a malformed filter shown next to its field, and who may see them.

use gatehouse::store::{self, audit::AuditEventRow, deliveries::Delivery};
use serde_json::json;

use crate::helpers::*;
use crate::http_recorder::HttpRecorder;
use crate::smtp_server::SmtpServer;
use crate::totp::{CURRENT, path};

const ROOT: &str = "root@example.com";
const ADA: &str = "ada@example.com";
const BOB: &str = "bob@example.com";

/// 2020-01-10 00:00:00 UTC.
const JAN_10: i64 = 1_578_614_400;
const DAY: i64 = 86_400;

/// An audit event at `at` whose detail is `marker` (to find it on the page).
fn event(at: i64, action: &str, outcome: &str, user: Option<&str>, marker: &str) -> AuditEventRow {
    AuditEventRow {
        id: uuid::Uuid::now_v7().to_string(),
        at,
        action: action.into(),
        outcome: outcome.into(),
        actor: None,
        user_id: user.map(str::to_owned),
        client_id: None,
        ip: Some("192.0.2.7".into()),
        detail: marker.into(),
    }
}

/// Stores `events` in order (their UUIDv7 ids are in that order too).
async fn seed(app: &TestApp, events: Vec<AuditEventRow>) {
    app.state
        .store
        .run(move |c| {
            for e in &events {
                store::audit::insert_audit_event(c, e)?;
            }
            Ok(())
        })
        .await
        .unwrap();
}

/// The markers (`event-…` details) on `page`, in the order they appear.
fn markers(page: &str, prefix: &str) -> Vec<String> {
    page.split(&format!(">{prefix}"))
        .skip(1)
        .map(|rest| format!("{prefix}{}", rest.split('<').next().unwrap()))
        .collect()
}

async fn get(browser: &reqwest::Client, app: &TestApp, path_and_query: &str) -> (u16, String) {
    let response = browser.get(app.url(path_and_query)).send().await.unwrap();
    let status = response.status().as_u16();
    // askama writes `&` in attributes as `&#38;`
    let page = response.text().await.unwrap().replace("&#38;", "&amp;");
    (status, page)
}

#[tokio::test]
async fn the_audit_log_shows_real_events_newest_first_with_the_users_email_linked() {
    let app = TestApp::spawn().await;
    app.create_admin(ROOT).await;
    let ada = app.create_user(ADA).await;
    // ada signs in; somebody fails a password; then the admin signs in
    app.signed_in_browser(ADA).await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let login = location(&app.authorize(&browser, &code_request(&rp)).await);
    let (request_id, csrf) = app.open_login_page(&browser, &login).await;
    app.submit_login(&browser, &request_id, &csrf, "nobody@example.com", "guess")
        .await;
    let admin = app.signed_in_browser(ROOT).await;

    let (status, page) = get(&admin, &app, "/admin/audit").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<h1>Audit log</h1>"), "{page}");
    assert!(page.contains("aria-current=\"page\">Audit log"));
    assert!(page.contains("<th scope=\"col\">Time (UTC)</th>"));
    assert!(page.contains("3 events"), "{page}");
    let rows: Vec<&str> = page.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 3, "{page}");
    // newest first: the admin's sign-in, the failure, ada's sign-in
    assert!(
        rows[0].contains("<code>login.pwd</code>") && rows[0].contains(ROOT),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].contains("identifier=nobody@example.com"),
        "{}",
        rows[1]
    );
    assert!(rows[1].contains("outcome-failure"));
    assert!(rows[2].contains(&format!("<a href=\"/admin/users/{ada}\">{ADA}</a>")));
    assert!(
        rows[2].contains("127.0.0.1"),
        "the client's address: {}",
        rows[2]
    );
    assert!(
        rows[2].contains("<time datetime=\""),
        "a machine-readable time: {}",
        rows[2]
    );
}

#[tokio::test]
async fn the_audit_log_filters_by_user_kind_outcome_and_a_range_of_days() {
    let app = TestApp::spawn().await;
    let root = app.create_admin(ROOT).await;
    let ada = app.create_user(ADA).await;
    let bob = app.create_user(BOB).await;
    let events = vec![
        event(
            JAN_10 + DAY / 2,
            "login.password",
            "success",
            Some(&ada),
            "event-1",
        ),
        event(
            JAN_10 + DAY + 3600,
            "login.password",
            "failure",
            None,
            "event-2",
        ),
        event(
            JAN_10 + DAY + 7200,
            "logout",
            "success",
            Some(&ada),
            "event-6",
        ),
        event(
            JAN_10 + 2 * DAY,
            "totp.enroll",
            "success",
            Some(&ada),
            "event-3",
        ),
        AuditEventRow {
            actor: Some(root.clone()),
            ..event(
                JAN_10 + 3 * DAY - 1,
                "admin.user.update",
                "success",
                Some(&bob),
                "event-4",
            )
        },
        event(
            JAN_10 + 3 * DAY,
            "password.reset",
            "failure",
            Some(&bob),
            "event-5",
        ),
    ];
    seed(&app, events).await;
    let admin = app.signed_in_browser(ROOT).await;
    let shown = |query: &'static str| {
        let admin = admin.clone();
        let app = &app;
        async move {
            let (status, page) = get(&admin, app, &format!("/admin/audit?{query}")).await;
            assert_eq!(status, 200, "{query}: {page}");
            (markers(&page, "event-"), page)
        }
    };

    let (all, page) = shown("").await;
    assert_eq!(
        all,
        [
            "event-5", "event-4", "event-3", "event-6", "event-2", "event-1"
        ],
        "newest first"
    );
    assert!(page.contains("7 events"), "and the admin's own sign-in");
    // the admin event names its actor by email and links the user it was about
    let row = page.split("<tr>").find(|r| r.contains("event-4")).unwrap();
    assert!(row.contains(&format!("<td>{ROOT}</td>")), "{row}");
    assert!(row.contains(&format!("<a href=\"/admin/users/{bob}\">{BOB}</a>")));

    for (query, typed) in [
        ("user=ada%40example.com", "ada@example.com"),
        ("user=+ADA%40Example.com+", "ADA@Example.com"),
    ] {
        let (events, page) = shown(query).await;
        assert_eq!(events, ["event-3", "event-6", "event-1"], "{query}");
        assert!(
            page.contains(&format!("value=\"{typed}\"")),
            "the form keeps it"
        );
    }
    let by_id = format!("user={ada}");
    let by_id: &'static str = Box::leak(by_id.into_boxed_str());
    assert_eq!(shown(by_id).await.0, ["event-3", "event-6", "event-1"]);
    assert!(
        shown("user=nobody%40example.com")
            .await
            .1
            .contains("No events match.")
    );

    // a kind is an action prefix: login matches login.* but not logout
    let (events, page) = shown("kind=login").await;
    assert_eq!(events, ["event-2", "event-1"]);
    assert!(
        page.contains("<option value=\"login\" selected>"),
        "the form keeps it"
    );
    assert!(page.contains("3 events"), "and the admin's own sign-in");
    assert_eq!(shown("kind=logout").await.0, ["event-6"]);
    assert_eq!(shown("kind=admin").await.0, ["event-4"]);

    let (events, page) = shown("outcome=failure").await;
    assert_eq!(events, ["event-5", "event-2"]);
    assert!(page.contains("<option value=\"failure\" selected>"));

    // days are UTC and inclusive at both ends
    let (events, page) = shown("from=2020-01-11&to=2020-01-12").await;
    assert_eq!(events, ["event-4", "event-3", "event-6", "event-2"]);
    assert!(page.contains("value=\"2020-01-11\"") && page.contains("value=\"2020-01-12\""));
    assert_eq!(shown("from=2020-01-13").await.0, ["event-5"]);
    assert_eq!(shown("to=2020-01-10").await.0, ["event-1"]);

    // combined
    assert_eq!(
        shown("user=bob%40example.com&outcome=failure&from=2020-01-12")
            .await
            .0,
        ["event-5"]
    );
    assert_eq!(
        shown("user=ada%40example.com&kind=totp&outcome=success&from=2020-01-12&to=2020-01-12")
            .await
            .0,
        ["event-3"]
    );
    assert!(
        shown("user=ada%40example.com&kind=password")
            .await
            .1
            .contains("0 events")
    );
}

#[tokio::test]
async fn the_audit_log_pages_25_events_at_a_time_keeping_the_filters() {
    let app = TestApp::spawn().await;
    app.create_admin(ROOT).await;
    let ada = app.create_user(ADA).await;
    let events = (1..=30)
        .map(|n| {
            event(
                JAN_10 + n * 60,
                "totp.enroll",
                "success",
                Some(&ada),
                &format!("seq-{n:02}"),
            )
        })
        .collect();
    seed(&app, events).await;
    let admin = app.signed_in_browser(ROOT).await;

    let (status, first) = get(&admin, &app, "/admin/audit?kind=totp").await;
    assert_eq!(status, 200);
    let expected: Vec<String> = (6..=30).rev().map(|n| format!("seq-{n:02}")).collect();
    assert_eq!(markers(&first, "seq-"), expected);
    assert!(first.contains("30 events, page 1 of 2"), "{first}");
    assert!(!first.contains("id=\"previous-page\""));
    let next = first
        .split("id=\"next-page\"")
        .next()
        .unwrap()
        .rsplit("href=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert_eq!(next, "/admin/audit?kind=totp&page=2");

    let (status, second) = get(&admin, &app, &next).await;
    assert_eq!(status, 200);
    let expected: Vec<String> = (1..=5).rev().map(|n| format!("seq-{n:02}")).collect();
    assert_eq!(markers(&second, "seq-"), expected);
    assert!(second.contains("page 2 of 2"));
    assert!(
        second.contains("href=\"/admin/audit?kind=totp\" rel=\"prev\""),
        "{second}"
    );
    assert!(!second.contains("id=\"next-page\""));

    // a page past the end is empty; a page that is not a number is the first
    let (status, past) = get(&admin, &app, "/admin/audit?kind=totp&page=9").await;
    assert_eq!(status, 200);
    assert!(markers(&past, "seq-").is_empty());
    assert!(past.contains("href=\"/admin/audit?kind=totp&amp;page=2\" rel=\"prev\""));
    let (status, odd) = get(&admin, &app, "/admin/audit?kind=totp&page=-3x").await;
    assert_eq!(status, 200);
    assert_eq!(markers(&odd, "seq-").len(), 25);
}

#[tokio::test]
async fn a_malformed_filter_is_shown_next_to_its_field_with_422() {
    let app = TestApp::spawn().await;
    app.create_admin(ROOT).await;
    let admin = app.signed_in_browser(ROOT).await;

    let (status, page) = get(
        &admin,
        &app,
        "/admin/audit?user=ada%40example.com&from=2020-13-45&to=2020-01-10&kind=bogus&outcome=maybe",
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("<p class=\"field-error\" id=\"from-error\">Enter a date as YYYY-MM-DD"));
    assert!(page.contains("aria-describedby=\"from-error range-hint\" aria-invalid=\"true\""));
    assert!(page.contains("id=\"kind-error\">Choose one of the listed kinds."));
    assert!(page.contains("id=\"outcome-error\">Choose success or failure."));
    assert!(
        !page.contains("id=\"to-error\""),
        "the end date itself is fine"
    );
    assert!(
        page.contains("value=\"ada@example.com\""),
        "what was typed stays"
    );
    assert!(page.contains("value=\"2020-01-10\""));
    assert!(
        !page.contains("<table"),
        "no list for a filter that cannot be applied"
    );

    let (status, page) = get(&admin, &app, "/admin/audit?from=2020-02-01&to=2020-01-31").await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"to-error\">The end date is before the start date."));

    let (status, page) = get(&admin, &app, "/admin/audit?user=x%00y").await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("id=\"user-error\">Enter an email address or a user id."));
    assert!(page.contains("aria-describedby=\"user-error user-hint\""));
    for odd in [
        "from=%FF%FE",
        "to=99999-01-01",
        "from=2020-1-1",
        "to=2020-02-30",
    ] {
        let (status, page) = get(&admin, &app, &format!("/admin/audit?{odd}")).await;
        assert_eq!(status, 422, "{odd}: {page}");
        assert!(page.contains("Enter a date as YYYY-MM-DD"), "{odd}: {page}");
    }
}

#[tokio::test]
async fn the_deliveries_page_lists_sent_and_failed_messages_and_filters_the_failures() {
    let smtp = SmtpServer::start_failing().await;
    let sms = HttpRecorder::start().await;
    let (smtp_url, sms_url) = (smtp.url(), sms.url("/send-sms"));
    let app = TestApp::spawn_with(move |c| {
        c.smtp_url = Some(smtp_url);
        c.sms_provider = "webhook".into();
        c.sms_url = Some(sms_url);
    })
    .await;
    app.create_admin(ROOT).await;
    let ada = app
        .create_user_with_phone(ADA, Some("+49 151 1234 5678"))
        .await;
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let initiate = |kind: &'static str| {
        let body = json!({
            "request_id": request_id,
            "email": ADA,
            "usage_type": "PASSWORDLESS_AUTHENTICATION",
        });
        let url = app.url(&path(&CURRENT, 1, kind));
        async move { post_json(&reqwest::Client::new(), url, body).await }
    };
    let (status, failed) = initiate("email").await;
    assert_eq!(status, 417, "{failed}");
    let (status, sent) = initiate("sms").await;
    assert_eq!(status, 200, "{sent}");
    sms.wait_for_requests(1).await;
    let admin = app.signed_in_browser(ROOT).await;

    let (status, page) = get(&admin, &app, "/admin/deliveries").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<h1>Deliveries</h1>"));
    assert!(page.contains("aria-current=\"page\">Deliveries"));
    assert!(page.contains("2 deliveries"), "{page}");
    let rows: Vec<&str> = page.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 2);
    // newest first: the SMS that went out, then the refused mail
    assert!(
        rows[0].contains("<td>sms</td>") && rows[0].contains(">sent<"),
        "{}",
        rows[0]
    );
    assert!(
        rows[0].contains("5678") && !rows[0].contains("1234 5678"),
        "masked"
    );
    assert!(
        rows[1].contains("<td>email</td>") && rows[1].contains(">failed<"),
        "{}",
        rows[1]
    );
    assert!(
        rows[1].contains("relay refused"),
        "the server's answer: {}",
        rows[1]
    );
    assert!(
        rows[1].contains("<td>a***@example.com</td>"),
        "masked: {}",
        rows[1]
    );
    assert!(rows[1].contains(&format!("<a href=\"/admin/users/{ada}\">{ADA}</a>")));

    let (status, page) = get(&admin, &app, "/admin/deliveries?failed=1").await;
    assert_eq!(status, 200);
    assert!(page.contains("1 failed delivery"), "{page}");
    assert!(page.contains("name=\"failed\" type=\"checkbox\" value=\"1\" checked"));
    let rows: Vec<&str> = page.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].contains("relay refused"));
}

#[tokio::test]
async fn the_deliveries_page_pages_25_at_a_time_keeping_the_failed_filter() {
    let app = TestApp::spawn().await;
    app.create_admin(ROOT).await;
    app.state
        .store
        .run(|c| {
            for n in 1..=40 {
                store::deliveries::insert_delivery(
                    c,
                    &Delivery {
                        id: uuid::Uuid::now_v7().to_string(),
                        channel: "email".into(),
                        destination: "a***@example.com".into(),
                        purpose: "login".into(),
                        user_id: None,
                        provider: "smtp".into(),
                        status: if n % 4 == 0 { "sent" } else { "failed" }.into(),
                        detail: Some(format!("answer-{n:02}")),
                        created_at: JAN_10 + n,
                        took_ms: None,
                    },
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let admin = app.signed_in_browser(ROOT).await;

    let (_, all) = get(&admin, &app, "/admin/deliveries").await;
    assert!(all.contains("40 deliveries, page 1 of 2"), "{all}");
    assert_eq!(markers(&all, "answer-").len(), 25);
    assert_eq!(markers(&all, "answer-")[0], "answer-40");

    let (_, failed) = get(&admin, &app, "/admin/deliveries?failed=1").await;
    assert!(
        failed.contains("30 failed deliveries, page 1 of 2"),
        "{failed}"
    );
    let shown = markers(&failed, "answer-");
    assert_eq!(shown.len(), 25);
    assert_eq!(shown[0], "answer-39");
    assert!(failed.contains("href=\"/admin/deliveries?failed=1&amp;page=2\" rel=\"next\""));
    let (status, second) = get(&admin, &app, "/admin/deliveries?failed=1&page=2").await;
    assert_eq!(status, 200);
    let shown = markers(&second, "answer-");
    assert_eq!(
        shown,
        [
            "answer-06",
            "answer-05",
            "answer-03",
            "answer-02",
            "answer-01"
        ]
    );
    assert!(second.contains("href=\"/admin/deliveries?failed=1\" rel=\"prev\""));
}

#[tokio::test]
async fn people_without_the_admin_role_get_403_on_the_audit_log_and_the_deliveries() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let browser = app.signed_in_browser(ADA).await;
    for page in ["/admin/audit", "/admin/deliveries?failed=1"] {
        let refused = browser.get(app.url(page)).send().await.unwrap();
        assert_eq!(refused.status(), 403, "{page}");
        let body = refused.text().await.unwrap();
        assert!(body.contains("This area is for administrators"), "{body}");
        assert!(!body.contains("login.password"), "{body}");
        // anonymous visitors are sent to sign in
        let anonymous = app.browser().get(app.url(page)).send().await.unwrap();
        assert_eq!(anonymous.status(), 302);
        assert!(location(&anonymous).starts_with("/authz-srv/authz?"));
    }
}

#[tokio::test]
async fn an_admin_filters_the_audit_log_and_the_deliveries_in_a_real_browser() {
    use crate::chromium::{Browser, fill_in_and_submit};
    let smtp = SmtpServer::start_failing().await;
    let sms = HttpRecorder::start().await;
    let (smtp_url, sms_url) = (smtp.url(), sms.url("/send-sms"));
    let app = TestApp::spawn_with(move |c| {
        c.smtp_url = Some(smtp_url);
        c.sms_provider = "webhook".into();
        c.sms_url = Some(sms_url);
    })
    .await;
    app.create_admin(ROOT).await;
    app.create_user_with_phone(ADA, Some("+49 151 1234 5678"))
        .await;
    app.create_user(BOB).await;
    app.create_user("cy@example.com").await;
    // some activity: two sign-ins, a wrong password, a refused mail and a sent SMS
    app.signed_in_browser("cy@example.com").await;
    app.signed_in_browser(BOB).await;
    let rp = app.confidential_client().await;
    let http = app.browser();
    let login = location(&app.authorize(&http, &code_request(&rp)).await);
    let (request_id, csrf) = app.open_login_page(&http, &login).await;
    app.submit_login(&http, &request_id, &csrf, BOB, "not my password")
        .await;
    for kind in ["email", "sms"] {
        post_json(
            &reqwest::Client::new(),
            app.url(&path(&CURRENT, 1, kind)),
            json!({"request_id": request_id, "email": ADA, "usage_type": "PASSWORDLESS_AUTHENTICATION"}),
        )
        .await;
    }
    sms.wait_for_requests(1).await;

    let browser = Browser::start().await;
    browser.goto(&app.url("/admin")).await;
    browser.wait_for_path(&app, "/login").await;
    fill_in_and_submit(&browser, ROOT, PASSWORD).await;
    browser.wait_for_path(&app, "/admin").await;
    assert_eq!(browser.text("#stat-failed-deliveries").await, "1");
    browser.screenshot("admin-dashboard.png").await;

    browser.click("nav a[href='/admin/audit']").await;
    browser.wait_for_path(&app, "/admin/audit").await;
    assert_eq!(browser.text("h1").await, "Audit log");
    assert_eq!(
        browser.text("#summary").await,
        "4 events",
        "three sign-ins and a wrong password"
    );
    browser.screenshot("admin-audit.png").await;
    browser
        .find("#kind")
        .await
        .select_by_value("login")
        .await
        .unwrap();
    browser
        .find("#outcome")
        .await
        .select_by_value("failure")
        .await
        .unwrap();
    browser.click("form.filters button[type=submit]").await;
    let filtered = browser
        .wait_for_url("the filtered audit log", |u| {
            u.query().is_some_and(|q| q.contains("kind=login"))
        })
        .await;
    assert!(
        filtered.query().unwrap().contains("outcome=failure"),
        "{filtered}"
    );
    assert_eq!(browser.text("#summary").await, "1 event");
    assert!(
        browser
            .text("#events tbody")
            .await
            .contains("identifier=bob@example.com")
    );

    browser.click("nav a[href='/admin/deliveries']").await;
    browser.wait_for_path(&app, "/admin/deliveries").await;
    assert_eq!(browser.text("#summary").await, "2 deliveries");
    browser.screenshot("admin-deliveries.png").await;
    browser.click("#failed").await;
    browser.click("form.filters button[type=submit]").await;
    browser
        .wait_for_url("the failed deliveries", |u| u.query() == Some("failed=1"))
        .await;
    assert_eq!(browser.text("#summary").await, "1 failed delivery");
    assert!(
        browser
            .text("#deliveries tbody")
            .await
            .contains("relay refused")
    );
    browser.close().await;
}
