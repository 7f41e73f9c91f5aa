//! Two instances on one PostgreSQL database, as behind a load balancer: a sign-in begun on one
//! finishes on the other, a budget holds across both, and a setting saved on one is applied by
//! the other. Skips itself on SQLite (one file is not how instances are run side by side).

use std::time::{Duration, Instant};

use crate::helpers::*;
use crate::http_recorder::HttpRecorder;
use serde_json::Value;

async fn pair(adjust: impl FnOnce(&mut gatehouse::Config)) -> Option<(TestApp, TestApp)> {
    let first = TestApp::spawn_with(|c| {
        // one issuer for both, as behind one public address
        c.public_url = Some("http://login.gatehouse.test".into());
        adjust(c);
    })
    .await;
    if !first.on_postgres() {
        eprintln!("two_instances: skipped on SQLite (set TEST_DATABASE_URL)");
        return None;
    }
    let second = first.spawn_sibling().await;
    Some((first, second))
}

#[tokio::test]
async fn a_sign_in_begun_on_one_instance_finishes_on_the_other() {
    let Some((a, b)) = pair(|_| {}).await else {
        return;
    };
    a.create_user("ada@example.com").await;
    let rp = a.confidential_client().await;
    let browser = a.browser();
    // authorize and the login page on A …
    let request_id = a.start_login(&browser, &rp).await;
    let page = get_text(&browser, a.url(&format!("/login?requestId={request_id}"))).await;
    let csrf = hidden_field(&page, "csrf_token");
    // … the password on B (cookies are per host, not per port, like one public address)
    let back = browser
        .post(b.url("/login-srv/login"))
        .form(&[
            ("username", "ada@example.com"),
            ("password", PASSWORD),
            ("requestId", request_id.as_str()),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let to = location(&back);
    assert!(to.starts_with(&rp.redirect_uri), "{to}");
    let code = param(&query_pairs(&to), "code").unwrap();
    // … and the code redeemed on A
    let tokens: Value = a.redeem(&rp, &code).await.json().await.unwrap();
    assert!(tokens["id_token"].is_string(), "{tokens}");
    let userinfo = b.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(userinfo.status(), 200);
}

#[tokio::test]
async fn the_sms_budget_of_a_number_holds_across_both_instances() {
    let sms = HttpRecorder::start().await;
    let url = sms.url("/send-sms");
    let Some((a, b)) = pair(move |c| {
        c.sms_provider = "webhook".into();
        c.sms_url = Some(url);
        c.otp_resend_seconds = 0;
    })
    .await
    else {
        return;
    };
    a.create_user_with_phone("ada@example.com", Some("+49 151 1234 5678"))
        .await;
    let rp = a.confidential_client().await;
    // five sends split over both instances, in parallel: all succeed
    let send = |app| crate::limits_budgets::initiate(app, &rp, "sms", "ada@example.com");
    let sent = tokio::join!(send(&a), send(&b), send(&a), send(&b), send(&a));
    for (status, body) in [sent.0, sent.1, sent.2, sent.3, sent.4] {
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(sms.wait_for_requests(5).await.len(), 5);
    // the sixth is refused on either
    for app in [&a, &b] {
        let (status, body) =
            crate::limits_budgets::initiate(app, &rp, "sms", "ada@example.com").await;
        assert_eq!(status, 429, "{body}");
        assert_eq!(body["error"]["code"], "too_many_requests");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(sms.requests().len(), 5);
}

#[tokio::test]
async fn a_setting_saved_on_one_instance_is_applied_by_the_other() {
    let Some((a, b)) = pair(|_| {}).await else {
        return;
    };
    a.create_admin("root@example.com").await;
    let admin = a.signed_in_browser("root@example.com").await;
    assert_eq!(b.state.live().config.sms_per_number_per_hour, 5);
    let saved =
        crate::admin_settings::save(&a, &admin, &[("sms_per_number_per_hour", "7")], &[]).await;
    assert_eq!(saved.status(), 303);
    let started = Instant::now();
    assert_eq!(
        a.state.live().config.sms_per_number_per_hour,
        7,
        "at once on A"
    );
    while b.state.live().config.sms_per_number_per_hour != 7 {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "B never applied the setting"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "two_instances: B applied the setting {} ms after A saved it",
        started.elapsed().as_millis()
    );
}

#[tokio::test]
async fn while_the_mail_server_refuses_a_code_for_nobody_fails_on_the_other_instance_too() {
    let smtp = crate::smtp_server::SmtpServer::start_failing().await;
    let url = smtp.url();
    let Some((a, b)) = pair(move |c| c.smtp_url = Some(url)).await else {
        return;
    };
    a.create_user("ada@example.com").await;
    let rp = a.confidential_client().await;
    let mut answers = Vec::new();
    // a real delivery fails on A; B has never delivered anything itself
    for (app, email) in [(&a, "ada@example.com"), (&b, "nobody@example.com")] {
        let (status, mut body) = crate::limits_budgets::initiate(app, &rp, "email", email).await;
        body["error"]["referenceNumber"] = Value::Null;
        answers.push((status, body));
    }
    assert_eq!(answers[0].0, 417, "{:?}", answers[0]);
    assert_eq!(
        answers[0], answers[1],
        "the delivery log tells B that the provider fails"
    );
}

#[tokio::test]
async fn a_code_for_nobody_on_one_instance_takes_as_long_as_real_deliveries_on_the_other() {
    const SLOW: Duration = Duration::from_millis(600);
    let smtp = crate::smtp_server::SmtpServer::start().await;
    smtp.answer_after(SLOW);
    let url = smtp.url();
    let Some((a, b)) = pair(move |c| c.smtp_url = Some(url)).await else {
        return;
    };
    a.create_user("ada@example.com").await;
    let rp = a.confidential_client().await;
    // a real code through the slow mail server, sent by A
    let started = Instant::now();
    let (status, body) = crate::limits_budgets::initiate(&a, &rp, "email", "ada@example.com").await;
    assert_eq!(status, 200, "{body}");
    assert!(started.elapsed() >= SLOW);
    // B has sent nothing itself; its answer for nobody still takes as long
    let started = Instant::now();
    let (status, body) =
        crate::limits_budgets::initiate(&b, &rp, "email", "nobody@example.com").await;
    let took = started.elapsed();
    assert_eq!(status, 200, "{body}");
    assert!(
        took >= SLOW,
        "B answered a code for nobody in {took:?}, faster than the real delivery on A"
    );
    assert_eq!(smtp.messages().len(), 1, "nothing is sent for nobody");
}
