//! The admin area: who may enter, and the dashboard.

use crate::helpers::*;
use crate::smtp_server::SmtpServer;

#[tokio::test]
async fn anonymous_visitors_sign_in_first_and_land_back_on_the_admin_area() {
    let app = TestApp::spawn().await;
    app.create_admin("root@example.com").await;
    let browser = app.browser();
    let first = browser.get(app.url("/admin")).send().await.unwrap();
    assert_eq!(first.status(), 302);
    let authz = location(&first);
    assert!(authz.starts_with("/authz-srv/authz?"), "{authz}");
    assert_eq!(
        param(&query_pairs(&authz), "client_id").as_deref(),
        Some("gatehouse-account")
    );
    let login = location(&browser.get(app.url(&authz)).send().await.unwrap());
    let (request_id, csrf) = app.open_login_page(&browser, &login).await;
    let back = location(
        &app.submit_login(&browser, &request_id, &csrf, "root@example.com", PASSWORD)
            .await,
    );
    assert!(back.contains("/account/callback"), "{back}");
    let landed = browser.get(back).send().await.unwrap();
    assert_eq!(location(&landed), "/admin");
    let page = get_text(&browser, app.url("/admin")).await;
    assert!(page.contains("<h1>Dashboard</h1>"), "{page}");
    assert!(page.contains("aria-current=\"page\">Dashboard"));
}

#[tokio::test]
async fn an_admin_link_opened_before_signing_in_lands_on_that_page_afterwards() {
    let app = TestApp::spawn().await;
    app.create_admin("root@example.com").await;
    app.create_user("ada@example.com").await;
    let browser = app.browser();
    let asked = "/admin/users?q=ada";
    let authz = location(&browser.get(app.url(asked)).send().await.unwrap());
    let login = location(&browser.get(app.url(&authz)).send().await.unwrap());
    let (request_id, csrf) = app.open_login_page(&browser, &login).await;
    let back = location(
        &app.submit_login(&browser, &request_id, &csrf, "root@example.com", PASSWORD)
            .await,
    );
    let landed = browser.get(back).send().await.unwrap();
    assert_eq!(location(&landed), asked);
    let page = get_text(&browser, app.url(asked)).await;
    assert!(page.contains("ada@example.com"), "{page}");
}

#[tokio::test]
async fn the_sign_in_never_lands_outside_the_admin_area() {
    let app = TestApp::spawn().await;
    app.create_admin("root@example.com").await;
    let browser = app.browser();
    let authz = location(&browser.get(app.url("/admin")).send().await.unwrap());
    let state = param(&query_pairs(&authz), "state").unwrap();
    let csrf = state.split_once('~').unwrap().0.to_owned();
    // A state rewritten to point elsewhere (the CSRF half is this browser's own, as an attacker
    // with the victim's browser would need it) still lands on the dashboard.
    for forged in [
        "admin//evil.example/",
        "admin/adminx",
        "admin/account",
        "adminhttps://evil",
    ] {
        let callback = format!("/account/callback?state={csrf}~{forged}");
        let landed = browser.get(app.url(&callback)).send().await.unwrap();
        assert_eq!(location(&landed), "/admin", "{forged}");
    }
}

#[tokio::test]
async fn signed_in_users_without_the_admin_role_get_403() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let browser = app.signed_in_browser("ada@example.com").await;
    let refused = browser.get(app.url("/admin")).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let body = refused.text().await.unwrap();
    assert!(body.contains("This area is for administrators"), "{body}");
}

#[tokio::test]
async fn the_dashboard_counts_users_applications_sign_ins_failures_locks_and_failed_deliveries() {
    let smtp = SmtpServer::start_failing().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |c| c.smtp_url = Some(url)).await;
    app.create_admin("root@example.com").await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    // one failed password, one failed delivery
    let browser = app.browser();
    let login = location(&app.authorize(&browser, &code_request(&rp)).await);
    let (request_id, csrf) = app.open_login_page(&browser, &login).await;
    app.submit_login(
        &browser,
        &request_id,
        &csrf,
        "ada@example.com",
        "wrong password",
    )
    .await;
    crate::helpers::post_json(
        &reqwest::Client::new(),
        app.url("/verification-srv/authentication/email/initiation"),
        serde_json::json!({"request_id": request_id, "email": "ada@example.com"}),
    )
    .await;
    let admin = app.signed_in_browser("root@example.com").await;
    let page = get_text(&admin, app.url("/admin")).await;
    let stat = |id: &str| -> String {
        let marker = format!("id=\"stat-{id}\">");
        let start = page.find(&marker).unwrap() + marker.len();
        page[start..].split('<').next().unwrap().to_owned()
    };
    assert_eq!(stat("users"), "2");
    assert_eq!(
        stat("applications"),
        "2",
        "the test client and the admin's sign-in client"
    );
    assert_eq!(stat("sign-ins"), "1", "the admin's own sign-in");
    assert_eq!(stat("failures"), "1");
    assert_eq!(stat("locked"), "0");
    assert_eq!(stat("failed-deliveries"), "1");
}
