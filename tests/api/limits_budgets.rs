//! Budgets shared through the database (README "Abuse limits"): SMS per number, code mails per
//! address, sends per code, the SMS country list and the "someone tried to register" notice;
//! an exhausted budget is a documented 429, an audit event naming the budget (never the
//! destination) and a line on the admin dashboard. Real SMTP and HTTP servers on loopback.

use crate::helpers::*;
use crate::http_recorder::HttpRecorder;
use crate::smtp_server::SmtpServer;
use gatehouse::store;
use serde_json::{Value, json};

const ADA: &str = "ada@example.com";
const ADA_PHONE: &str = "+49 151 1234 5678";

pub async fn sms_app(adjust: impl FnOnce(&mut gatehouse::Config)) -> (TestApp, HttpRecorder) {
    let sms = HttpRecorder::start().await;
    let url = sms.url("/send-sms");
    let app = TestApp::spawn_with(move |c| {
        c.sms_provider = "webhook".into();
        c.sms_url = Some(url);
        c.otp_resend_seconds = 0;
        adjust(c);
    })
    .await;
    app.create_user_with_phone(ADA, Some(ADA_PHONE)).await;
    (app, sms)
}

/// Initiates `kind` (sms, email) for `email` in a new login; returns the answer.
pub async fn initiate(app: &TestApp, rp: &Rp, kind: &str, email: &str) -> (u16, Value) {
    let request_id = app.start_login(&app.browser(), rp).await;
    post_json(
        &reqwest::Client::new(),
        app.url(&format!(
            "/verification-srv/authentication/{kind}/initiation"
        )),
        json!({"request_id": request_id, "email": email, "usage_type": "PASSWORDLESS_AUTHENTICATION"}),
    )
    .await
}

async fn budget_events(app: &TestApp) -> Vec<store::audit::AuditEventRow> {
    app.state
        .store
        .run(|c| store::audit::list_audit_events(c, None, 200))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "limits.budget_exhausted")
        .collect()
}

#[tokio::test]
async fn sms_to_one_number_stop_at_five_an_hour_with_a_429_an_audit_event_and_a_dashboard_line() {
    let (app, sms) = sms_app(|_| {}).await;
    let rp = app.confidential_client().await;
    for i in 0..5 {
        let (status, body) = initiate(&app, &rp, "sms", ADA).await;
        assert_eq!(status, 200, "send {i}: {body}");
    }
    assert_eq!(sms.wait_for_requests(5).await.len(), 5);
    let (status, body) = initiate(&app, &rp, "sms", ADA).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "too_many_requests", "{body}");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(sms.requests().len(), 5, "nothing more was sent");

    let events = budget_events(&app).await;
    assert_eq!(events.len(), 1);
    assert!(events[0].detail.contains("sms_per_number"), "{events:?}");
    assert!(!events[0].detail.contains("5678"), "never the destination");

    app.create_admin("root@example.com").await;
    let admin = app.signed_in_browser("root@example.com").await;
    let dashboard = get_text(&admin, app.url("/admin")).await;
    assert!(
        dashboard.contains("id=\"stat-budgets-exhausted\">1<"),
        "{dashboard}"
    );
}

#[tokio::test]
async fn the_sms_budget_per_ip_and_the_global_one_hold_for_every_number() {
    let (app, sms) = sms_app(|c| {
        c.sms_per_ip_per_hour = 2;
        c.sms_per_hour = 1000;
    })
    .await;
    app.create_user_with_phone("bob@example.com", Some("+49 151 9999 0000"))
        .await;
    let rp = app.confidential_client().await;
    assert_eq!(initiate(&app, &rp, "sms", ADA).await.0, 200);
    assert_eq!(initiate(&app, &rp, "sms", "bob@example.com").await.0, 200);
    let (status, body) = initiate(&app, &rp, "sms", "bob@example.com").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(sms.wait_for_requests(2).await.len(), 2);
    assert!(budget_events(&app).await[0].detail.contains("sms_per_ip"));

    let (app, _sms) = sms_app(|c| c.sms_per_hour = 1).await;
    let rp = app.confidential_client().await;
    assert_eq!(initiate(&app, &rp, "sms", ADA).await.0, 200);
    assert_eq!(initiate(&app, &rp, "sms", ADA).await.0, 429);
    assert!(budget_events(&app).await[0].detail.contains("sms_global"));
}

#[tokio::test]
async fn a_number_outside_the_sms_countries_is_refused_before_anything_is_sent() {
    let (app, sms) = sms_app(|c| c.sms_countries = "+33, +44".into()).await;
    let rp = app.confidential_client().await;
    let (status, body) = initiate(&app, &rp, "sms", ADA).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["error"]
            .as_str()
            .unwrap()
            .contains("cannot be sent to this country"),
        "{body}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(sms.requests().is_empty());

    let (app, sms) = sms_app(|c| c.sms_countries = "+49".into()).await;
    let rp = app.confidential_client().await;
    assert_eq!(initiate(&app, &rp, "sms", ADA).await.0, 200);
    assert_eq!(sms.wait_for_requests(1).await.len(), 1);
}

#[tokio::test]
async fn code_mails_to_one_address_stop_at_their_budget_known_or_not() {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |c| {
        c.smtp_url = Some(url);
        c.otp_resend_seconds = 0;
        c.mail_codes_per_address_per_hour = 2;
    })
    .await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    for who in [ADA, "nobody@example.com"] {
        assert_eq!(initiate(&app, &rp, "email", who).await.0, 200);
        assert_eq!(initiate(&app, &rp, "email", who).await.0, 200);
        let (status, body) = initiate(&app, &rp, "email", who).await;
        assert_eq!(status, 429, "{who}: {body}");
    }
    assert_eq!(smtp.wait_for_mail(ADA, 2).await.len(), 2);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(smtp.mails_to(ADA).len(), 2);
    assert!(smtp.mails_to("nobody@example.com").is_empty());
}

#[tokio::test]
async fn one_code_is_sent_at_most_otp_max_sends_times() {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |c| {
        c.smtp_url = Some(url);
        c.otp_resend_seconds = 0;
        c.otp_max_sends = 2;
    })
    .await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let (status, started) = initiate(&app, &rp, "email", ADA).await;
    assert_eq!(status, 200);
    let exchange = started["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let http = reqwest::Client::new();
    let resend = || {
        post_json(
            &http,
            app.url("/verification-srv/authentication/email/resend"),
            json!({"exchange_id": exchange}),
        )
    };
    let (status, body) = resend().await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = resend().await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "too_many_requests");
    assert_eq!(smtp.wait_for_mail(ADA, 2).await.len(), 2);
    assert!(
        budget_events(&app).await[0]
            .detail
            .contains("otp_max_sends")
    );
}

#[tokio::test]
async fn the_someone_tried_to_register_notice_goes_out_at_most_once_an_hour() {
    let (app, smtp) = crate::register::app_with_mail().await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    for _ in 0..3 {
        let browser = app.browser();
        let sign_up = crate::register::open_sign_up(&app, &browser, &rp).await;
        let answer = crate::register::submit_sign_up(
            &app,
            &browser,
            &sign_up,
            &[
                ("name", "Mallory"),
                ("email", ADA),
                ("password", "a long enough password 42"),
            ],
        )
        .await;
        assert_eq!(answer.status(), 303, "the same answer as for a new address");
    }
    assert_eq!(smtp.wait_for_mail(ADA, 1).await.len(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(smtp.mails_to(ADA).len(), 1, "one notice an hour");
}

#[tokio::test]
async fn old_budget_counters_are_cleaned_by_the_housekeeping() {
    let app = TestApp::spawn().await;
    let now = app.state.now();
    let window = now - now % 3600;
    app.state
        .store
        .run(move |c| {
            for (key, start) in [("old", window - 7200), ("current", window)] {
                let take = store::rate_counters::Take {
                    key: key.into(),
                    window_start: start,
                    limit: 10,
                };
                assert_eq!(store::rate_counters::take_all(c, &[take])?, None);
            }
            Ok(())
        })
        .await
        .unwrap();
    gatehouse::flows::housekeeping::clean(&app.state)
        .await
        .unwrap();
    let (old, current) = app
        .state
        .store
        .run(move |c| {
            Ok((
                store::rate_counters::count(c, "old", window - 7200)?,
                store::rate_counters::count(c, "current", window)?,
            ))
        })
        .await
        .unwrap();
    assert_eq!((old, current), (0, 1));
}

#[tokio::test]
async fn the_sms_countries_saved_on_the_methods_page_apply_at_once() {
    let (app, sms) = sms_app(|_| {}).await;
    app.create_admin("root@example.com").await;
    let admin = app.signed_in_browser("root@example.com").await;
    let page = get_text(&admin, app.url("/admin/methods")).await;
    assert!(page.contains("name=\"sms_countries\""), "{page}");
    assert!(page.contains("name=\"sms_per_number_per_hour\""));
    let refused = crate::admin_settings::save(&app, &admin, &[("sms_countries", "49")], &[]).await;
    assert_eq!(refused.status(), 422, "not a calling code");
    let html = refused.text().await.unwrap();
    assert!(html.contains("is not a calling code like +49"), "{html}");
    let saved =
        crate::admin_settings::save(&app, &admin, &[("sms_countries", "+33,+44")], &[]).await;
    assert_eq!(saved.status(), 303);
    let rp = app.confidential_client().await;
    let (status, body) = initiate(&app, &rp, "sms", ADA).await;
    assert_eq!(status, 400, "{body}");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(sms.requests().is_empty());
}
