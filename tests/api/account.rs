//! The self-service account page: sign-in through the hosted login, adding an authenticator
//! with a QR code, renaming, removing, drift hints, sign-out.

use crate::helpers::*;
use gatehouse::store;

/// Opens /account in a new browser and signs in through the redirects; returns the browser and
/// the account page HTML.
pub async fn account_browser(app: &TestApp, email: &str) -> (reqwest::Client, String) {
    let browser = app.browser();
    let page = sign_in_to_account(app, &browser, email).await;
    (browser, page)
}

/// Opens /account in `browser`, signs in through the redirects and returns the account page.
pub async fn sign_in_to_account(app: &TestApp, browser: &reqwest::Client, email: &str) -> String {
    let first = browser.get(app.url("/account")).send().await.unwrap();
    let authz = location(&first);
    assert!(
        authz.starts_with("/authz-srv/authz?client_id=gatehouse-account"),
        "{authz}"
    );
    let login = location(&browser.get(app.url(&authz)).send().await.unwrap());
    let (request_id, csrf) = app.open_login_page(browser, &login).await;
    let callback = location(
        &app.submit_login(browser, &request_id, &csrf, email, PASSWORD)
            .await,
    );
    assert!(
        callback.starts_with(&app.url("/account/callback"))
            || callback.starts_with(&format!("{}/account/callback", app.base)),
        "{callback}"
    );
    let path = &callback[callback.find("/account/callback").unwrap()..];
    assert_eq!(
        location(&browser.get(app.url(path)).send().await.unwrap()),
        "/account"
    );
    let page = browser.get(app.url("/account")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    page.text().await.unwrap()
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    html.split(start)
        .nth(1)
        .unwrap_or_else(|| panic!("{start} not in page"))
        .split(end)
        .next()
        .unwrap()
}

#[tokio::test]
async fn the_account_page_signs_in_through_the_hosted_login_and_shows_the_user() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let (_, page) = account_browser(&app, "ada@example.com").await;
    assert!(page.contains("id=\"account-email\">ada@example.com<"));
    assert!(page.contains("No authenticator app yet"));
}

#[tokio::test]
async fn an_authenticator_is_added_with_a_qr_code_renamed_and_removed() {
    let app = TestApp::spawn().await;
    let sub = app.create_user("ada@example.com").await;
    let (browser, page) = account_browser(&app, "ada@example.com").await;
    let csrf = hidden_field(&page, "csrf_token");

    let setup = browser
        .post(app.url("/account/totp"))
        .form(&[("csrf_token", csrf.as_str()), ("label", "Work phone")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        setup.contains("<svg") && setup.contains("role=\"img\""),
        "a QR code as inline SVG"
    );
    let grouped = between(&setup, "id=\"totp-secret\">", "<");
    assert!(
        grouped.split(' ').all(|g| g.len() <= 4) && grouped.split(' ').count() == 8,
        "160-bit key in groups of four: {grouped}"
    );
    let uri = between(&setup, "id=\"totp-uri\">", "<").replace("&amp;", "&");
    assert!(
        uri.starts_with("otpauth://totp/Gatehouse:ada@example.com")
            && uri.contains("issuer=Gatehouse"),
        "{uri}"
    );
    let phone = Phone {
        secret: totp_rs::Secret::try_from_base32(grouped.replace(' ', ""))
            .unwrap()
            .as_ref()
            .to_vec(),
        authenticator_id: String::new(),
    };
    let exchange_id = hidden_field(&setup, "exchange_id");
    let confirm = |code: String| {
        browser
            .post(app.url("/account/totp/confirm"))
            .form(&[
                ("csrf_token", csrf.clone()),
                ("exchange_id", exchange_id.clone()),
                ("pass_code", code),
            ])
            .send()
    };
    let wrong = confirm("000000".into()).await.unwrap();
    assert_eq!(wrong.status(), 422);
    assert!(
        wrong.text().await.unwrap().contains(grouped),
        "the same key is shown again"
    );
    assert_eq!(
        location(&confirm(phone.code(&app, 0)).await.unwrap()),
        "/account?notice=added"
    );

    let page = get_text(&browser, app.url("/account?notice=added")).await;
    assert!(
        page.contains("Authenticator app added.") && page.contains("<strong>Work phone</strong>")
    );
    assert!(
        page.contains("last used never"),
        "confirming the app is not a sign-in"
    );
    let id = between(&page, "id=\"authenticator-", "\"").to_owned();

    let renamed = browser
        .post(app.url(&format!("/account/totp/{id}/rename")))
        .form(&[("csrf_token", csrf.as_str()), ("label", "Old phone")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&renamed), "/account?notice=renamed");
    let page = get_text(&browser, app.url("/account")).await;
    assert!(page.contains("<strong>Old phone</strong>"));

    let forged = browser
        .post(app.url(&format!("/account/totp/{id}/remove")))
        .form(&[("csrf_token", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let removed = browser
        .post(app.url(&format!("/account/totp/{id}/remove")))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&removed), "/account?notice=removed");
    let page = get_text(&browser, app.url("/account")).await;
    assert!(page.contains("No authenticator app yet"));

    let events = app
        .state
        .store
        .run(move |c| store::audit::list_audit_events(c, Some(&sub), 50))
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    for expected in ["totp.enroll", "totp.rename", "totp.revoke"] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
}

#[tokio::test]
async fn a_consistently_fast_authenticator_clock_is_pointed_out() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let (browser, page) = account_browser(&app, "ada@example.com").await;
    let phone = app.enroll_totp(&browser, "Fast phone").await;
    assert!(!page.contains("clock runs"));
    let rp = app.confidential_client().await;
    for _ in 0..3 {
        let request_id = app.start_login(&app.browser(), &rp).await;
        let (_, status, _) = crate::totp::initiate_and_verify(
            &app,
            &crate::totp::CURRENT,
            &request_id,
            "ada@example.com",
            &phone.code(&app, 1),
        )
        .await;
        assert_eq!(status, 200);
        app.clock.advance(30);
    }
    let page = get_text(&browser, app.url("/account")).await;
    assert!(page.contains("clock runs about 30 s ahead"), "{page}");
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let (browser, page) = account_browser(&app, "ada@example.com").await;
    let out = browser
        .post(app.url("/account/logout"))
        .form(&[("csrf_token", hidden_field(&page, "csrf_token"))])
        .send()
        .await
        .unwrap();
    assert!(out.text().await.unwrap().contains("You are signed out"));
    assert_eq!(
        app.state
            .store
            .run(store::sessions::count_sessions)
            .await
            .unwrap(),
        0
    );
    assert!(
        location(&browser.get(app.url("/account")).send().await.unwrap())
            .starts_with("/authz-srv/authz")
    );
}
