//! Self-service on the account page beyond authenticators: name, email change confirmed by a
//! code to the new address, password change, phone number for SMS codes, push devices, the
//! sessions of the account, recent sign-ins, the fresh sign-in that changes need, and CSRF.
//! Mail goes to a real SMTP server on loopback, SMS and push to a real HTTP server.

use std::time::Duration;

use crate::account::account_browser;
use crate::helpers::*;
use crate::http_recorder::HttpRecorder;
use crate::smtp_server::SmtpServer;
use gatehouse::domain::user::User;
use gatehouse::store;
use serde_json::json;

const ADA: &str = "ada@example.com";

async fn with_mail() -> (TestApp, SmtpServer) {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |c| c.smtp_url = Some(url)).await;
    (app, smtp)
}

async fn user(app: &TestApp, sub: &str) -> User {
    let sub = sub.to_owned();
    app.state
        .store
        .run(move |c| store::users::find_user(c, &sub))
        .await
        .unwrap()
        .unwrap()
}

/// The actions and details of the audit events about `sub`, newest first.
async fn audit_events(app: &TestApp, sub: &str) -> Vec<(String, String, String)> {
    let sub = sub.to_owned();
    app.state
        .store
        .run(move |c| store::audit::list_audit_events(c, Some(&sub), 100))
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.outcome, e.detail))
        .collect()
}

async fn session_count(app: &TestApp) -> i64 {
    app.state
        .store
        .run(store::sessions::count_sessions)
        .await
        .unwrap()
}

/// POSTs a form of the account page with the page's CSRF token.
async fn post(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    csrf: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = vec![("csrf_token", csrf)];
    form.extend_from_slice(fields);
    browser
        .post(app.url(path))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// Whether `browser` is still signed in to the account page.
async fn signed_in(app: &TestApp, browser: &reqwest::Client) -> bool {
    let response = browser.get(app.url("/account")).send().await.unwrap();
    match response.status().as_u16() {
        200 => true,
        302 => {
            assert!(location(&response).starts_with("/authz-srv/authz?"));
            false
        }
        other => panic!("unexpected /account status {other}"),
    }
}

/// Follows a "sign in again" redirect through the hosted login (password, then the TOTP code
/// when the account has one) and returns where the account page's callback lands.
async fn sign_in_again(
    app: &TestApp,
    browser: &reqwest::Client,
    redirect: &reqwest::Response,
    email: &str,
    password: &str,
    phone: Option<&Phone>,
) -> String {
    assert_eq!(redirect.status(), 303, "a redirect after the POST");
    let authz = location(redirect);
    let pairs = query_pairs(&authz);
    assert!(authz.starts_with("/authz-srv/authz?"), "{authz}");
    assert_eq!(param(&pairs, "prompt").as_deref(), Some("login"), "{authz}");
    assert_eq!(param(&pairs, "login_hint").as_deref(), Some(email));
    assert_eq!(
        param(&pairs, "client_id").as_deref(),
        Some("gatehouse-account")
    );
    let login = location(&browser.get(app.url(&authz)).send().await.unwrap());
    assert!(
        login.starts_with("/login?requestId="),
        "prompt=login shows the login page even with a session: {login}"
    );
    let (request_id, csrf) = app.open_login_page(browser, &login).await;
    let mut next = location(
        &app.submit_login(browser, &request_id, &csrf, email, password)
            .await,
    );
    if let Some(phone) = phone {
        assert!(next.starts_with("/mfa?"), "{next}");
        let page = get_text(browser, app.url(&next)).await;
        next = location(
            &browser
                .post(app.url("/mfa"))
                .form(&[
                    ("track_id", hidden_field(&page, "track_id")),
                    ("requestId", request_id.clone()),
                    ("csrf_token", hidden_field(&page, "csrf_token")),
                    ("pass_code", phone.code(app, 0)),
                ])
                .send()
                .await
                .unwrap(),
        );
    }
    let path = &next[next.find("/account/callback").expect("the callback")..];
    location(&browser.get(app.url(path)).send().await.unwrap())
}

#[tokio::test]
async fn the_name_is_changed_and_a_bad_one_is_refused_next_to_the_field() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let (browser, page) = account_browser(&app, ADA).await;
    let csrf = hidden_field(&page, "csrf_token");
    assert!(page.contains("<label for=\"name\">Name</label>"));
    assert!(page.contains("value=\"Test User\""));

    let too_long = "x".repeat(101);
    let refused = post(
        &app,
        &browser,
        "/account/name",
        &csrf,
        &[("name", &too_long)],
    )
    .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("aria-invalid=\"true\" aria-describedby=\"name-error\"")
            && body.contains("id=\"name-error\">Use at most 100 characters."),
        "{body}"
    );
    assert!(
        body.contains(&format!("value=\"{too_long}\"")),
        "what was typed is kept"
    );
    assert_eq!(user(&app, &sub).await.name.as_deref(), Some("Test User"));

    let saved = post(
        &app,
        &browser,
        "/account/name",
        &csrf,
        &[("name", " Ada Lovelace ")],
    )
    .await;
    assert_eq!(location(&saved), "/account?notice=name_changed");
    assert_eq!(user(&app, &sub).await.name.as_deref(), Some("Ada Lovelace"));
    let page = get_text(&browser, app.url("/account?notice=name_changed")).await;
    assert!(page.contains("Your name was saved.") && page.contains("(Ada Lovelace)"));
    let events = audit_events(&app, &sub).await;
    assert!(
        events.contains(&(
            "account.name".into(),
            "success".into(),
            "name: Test User → Ada Lovelace".into()
        )),
        "{events:?}"
    );
}

#[tokio::test]
async fn the_email_changes_only_after_the_code_sent_to_the_new_address_and_the_old_one_is_told() {
    let (app, smtp) = with_mail().await;
    let sub = app.create_user(ADA).await;
    let (browser, page) = account_browser(&app, ADA).await;
    let csrf = hidden_field(&page, "csrf_token");

    let bad = post(
        &app,
        &browser,
        "/account/email",
        &csrf,
        &[("email", "not an address")],
    )
    .await;
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.unwrap();
    assert!(body.contains("id=\"email-error\">Enter an email address like name@example.com."));
    assert!(body.contains("aria-describedby=\"email-error email-hint\""));
    assert!(body.contains("value=\"not an address\""));

    let started = post(
        &app,
        &browser,
        "/account/email",
        &csrf,
        &[("email", "Ada@New.Example.org")],
    )
    .await;
    assert_eq!(started.status(), 200);
    let code_page = started.text().await.unwrap();
    assert!(
        code_page.contains("<h1>Confirm your new email address</h1>"),
        "{code_page}"
    );
    assert!(code_page.contains("autocomplete=\"one-time-code\""));
    let code_id = hidden_field(&code_page, "code_id");
    let mail = smtp.wait_for_next("ada@new.example.org").await;
    assert!(
        mail.subject().contains("Confirm your new email address"),
        "{}",
        mail.subject()
    );
    let code = mail.code();
    assert!(smtp.mails_to(ADA).is_empty(), "no code to the old address");
    assert_eq!(
        user(&app, &sub).await.email,
        ADA,
        "nothing changes before the code"
    );

    let confirm = |code: String| {
        let (browser, app, csrf, code_id) = (&browser, &app, csrf.clone(), code_id.clone());
        async move {
            post(
                app,
                browser,
                "/account/email/confirm",
                &csrf,
                &[("code_id", &code_id), ("code", &code)],
            )
            .await
        }
    };
    let wrong_code = if code == "000000" { "111111" } else { "000000" };
    let wrong = confirm(wrong_code.into()).await;
    assert_eq!(wrong.status(), 422);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("id=\"code-error\">That code is not correct.")
    );
    assert_eq!(user(&app, &sub).await.email, ADA);

    let done = confirm(code.clone()).await;
    assert_eq!(location(&done), "/account?notice=email_changed");
    let changed = user(&app, &sub).await;
    assert_eq!(changed.email, "ada@new.example.org");
    assert!(changed.email_verified);
    let page = get_text(&browser, app.url("/account?notice=email_changed")).await;
    assert!(page.contains("id=\"account-email\">ada@new.example.org<"));

    let notice = smtp.wait_for_next(ADA).await;
    assert!(
        notice.subject().contains("email address of your")
            && notice.subject().contains("was changed"),
        "{}",
        notice.subject()
    );
    assert!(
        notice.text_body().contains("If you did not"),
        "{}",
        notice.text_body()
    );
    assert!(
        !notice.text_body().contains(&code),
        "the notice carries no code"
    );

    assert_eq!(confirm(code).await.status(), 422, "a code works once");
    let events = audit_events(&app, &sub).await;
    assert!(events.iter().any(|(a, o, d)| a == "email.change"
        && o == "success"
        && d == "email: ada@example.com → ada@new.example.org"));
    assert!(
        events
            .iter()
            .any(|(a, o, _)| a == "email.change" && o == "failure")
    );

    // the new address signs in; the old one no longer does
    account_browser(&app, "ada@new.example.org").await;
    let rp = app.confidential_client().await;
    let b = app.browser();
    let request_id = app.start_login(&b, &rp).await;
    let (_, csrf) = app
        .open_login_page(&b, &format!("/login?requestId={request_id}"))
        .await;
    let old = app
        .submit_login(&b, &request_id, &csrf, ADA, PASSWORD)
        .await;
    assert!(location(&old).contains("error=invalid_username_password"));
}

#[tokio::test]
async fn an_address_of_another_account_gets_the_same_page_and_changes_nothing() {
    let (app, smtp) = with_mail().await;
    let sub = app.create_user(ADA).await;
    let bob = app.create_user("bob@example.com").await;
    let (browser, page) = account_browser(&app, ADA).await;
    let csrf = hidden_field(&page, "csrf_token");

    let taken = post(
        &app,
        &browser,
        "/account/email",
        &csrf,
        &[("email", "bob@example.com")],
    )
    .await;
    assert_eq!(taken.status(), 200);
    let taken_page = taken.text().await.unwrap();
    let code_id = hidden_field(&taken_page, "code_id");
    for code in ["000000", "123456"] {
        let refused = post(
            &app,
            &browser,
            "/account/email/confirm",
            &csrf,
            &[("code_id", &code_id), ("code", code)],
        )
        .await;
        assert_eq!(refused.status(), 422);
        assert!(
            refused
                .text()
                .await
                .unwrap()
                .contains("That code is not correct.")
        );
    }

    // a free address moments later: the same cooldown, so the same page as before
    app.clock.advance(31);
    let free = post(
        &app,
        &browser,
        "/account/email",
        &csrf,
        &[("email", "carol@example.com")],
    )
    .await;
    assert_eq!(free.status(), 200);
    let free_page = free.text().await.unwrap();
    let shape = |page: &str, masked: &str| {
        page.replace(masked, "MASKED")
            .replace(&hidden_field(page, "code_id"), "ID")
    };
    assert_eq!(
        shape(&taken_page, "b***@example.com"),
        shape(&free_page, "c***@example.com"),
        "the pages differ only in the masked address"
    );
    smtp.wait_for_next("carol@example.com").await;
    let to_bob = smtp.mails_to("bob@example.com");
    assert_eq!(to_bob.len(), 1, "the owner of the address is told, once");
    let body = to_bob[0].text_body();
    assert!(
        body.contains("It already belongs to your account, so nothing was changed."),
        "{body}"
    );
    assert!(
        !body
            .split(|c: char| !c.is_ascii_digit())
            .any(|w| w.len() == 6),
        "no code goes to the other account: {body}"
    );
    assert_eq!(user(&app, &sub).await.email, ADA);
    assert_eq!(user(&app, &bob).await.email, "bob@example.com");
}

#[tokio::test]
async fn a_password_change_needs_the_current_password_and_signs_out_the_other_sessions_only() {
    let (app, smtp) = with_mail().await;
    let sub = app.create_user(ADA).await;
    let (other, _) = account_browser(&app, ADA).await;
    let elsewhere = app.signed_in_browser(ADA).await;
    let (browser, page) = account_browser(&app, ADA).await;
    assert_eq!(session_count(&app).await, 3);
    let csrf = hidden_field(&page, "csrf_token");
    assert!(page.contains("<label for=\"current_password\">Current password</label>"));
    let before = user(&app, &sub).await.password_hash;

    let wrong = post(
        &app,
        &browser,
        "/account/password",
        &csrf,
        &[
            ("current_password", "not my password"),
            ("new_password", "purple monkey dishwasher"),
        ],
    )
    .await;
    assert_eq!(wrong.status(), 422);
    let body = wrong.text().await.unwrap();
    assert!(
        body.contains("aria-invalid=\"true\" aria-describedby=\"current-password-error\"")
            && body.contains("id=\"current-password-error\">This is not your current password."),
        "{body}"
    );
    assert!(
        !body.contains("purple monkey"),
        "passwords are never shown again"
    );

    let weak = post(
        &app,
        &browser,
        "/account/password",
        &csrf,
        &[
            ("current_password", PASSWORD),
            ("new_password", "password1"),
        ],
    )
    .await;
    assert_eq!(weak.status(), 422);
    assert!(
        weak.text()
            .await
            .unwrap()
            .contains("id=\"new-password-error\">This password is too common")
    );
    assert_eq!(user(&app, &sub).await.password_hash, before);
    assert_eq!(session_count(&app).await, 3);

    let changed = post(
        &app,
        &browser,
        "/account/password",
        &csrf,
        &[
            ("current_password", PASSWORD),
            ("new_password", "purple monkey dishwasher"),
        ],
    )
    .await;
    assert_eq!(location(&changed), "/account?notice=password_changed");
    assert_ne!(user(&app, &sub).await.password_hash, before);
    assert_eq!(
        session_count(&app).await,
        1,
        "only this browser's session is left"
    );
    assert!(
        signed_in(&app, &browser).await,
        "this browser stays signed in"
    );
    assert!(
        !signed_in(&app, &other).await,
        "the other browser is signed out"
    );
    let relying = app.public_client().await;
    let again = app.authorize(&elsewhere, &code_request(&relying)).await;
    assert!(
        location(&again).starts_with("/login?"),
        "the relying app's session ended too"
    );

    let notice = smtp.wait_for_next(ADA).await;
    assert!(
        notice.subject().contains("password was changed"),
        "{}",
        notice.subject()
    );

    // the new password signs in, the old one no longer
    let fresh = app.browser();
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&fresh, &rp).await;
    let (_, login_csrf) = app
        .open_login_page(&fresh, &format!("/login?requestId={request_id}"))
        .await;
    let old = app
        .submit_login(&fresh, &request_id, &login_csrf, ADA, PASSWORD)
        .await;
    assert!(location(&old).contains("error=invalid_username_password"));
    let new = app
        .submit_login(
            &fresh,
            &request_id,
            &login_csrf,
            ADA,
            "purple monkey dishwasher",
        )
        .await;
    assert!(location(&new).starts_with(REDIRECT_URI));

    let events = audit_events(&app, &sub).await;
    assert!(
        events.iter().any(|(a, o, d)| a == "password.change"
            && o == "success"
            && d.contains("2 other session(s) ended")),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|(a, o, _)| a == "password.change" && o == "failure")
    );
}

#[tokio::test]
async fn an_account_without_a_password_can_set_one() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let (browser, _) = account_browser(&app, ADA).await;
    let id = sub.clone();
    app.state
        .store
        .run(move |c| {
            use diesel::RunQueryDsl;
            diesel::sql_query(format!(
                "UPDATE users SET password_hash = NULL WHERE id = '{id}'"
            ))
            .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let page = get_text(&browser, app.url("/account")).await;
    assert!(page.contains("id=\"no-password\""));
    assert!(
        !page.contains("current_password"),
        "no current-password field"
    );
    assert!(page.contains(">Set password</button>"));
    let set = post(
        &app,
        &browser,
        "/account/password",
        &hidden_field(&page, "csrf_token"),
        &[("new_password", "purple monkey dishwasher")],
    )
    .await;
    assert_eq!(location(&set), "/account?notice=password_set");
    assert!(user(&app, &sub).await.password_hash.is_some());
    let events = audit_events(&app, &sub).await;
    assert!(
        events
            .iter()
            .any(|(a, o, _)| a == "password.set" && o == "success")
    );
}

/// The code in an SMS text: its first six digits.
fn code_in(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_phone_number_is_confirmed_by_an_sms_code_replaced_and_removed() {
    let sms = HttpRecorder::start().await;
    let url = sms.url("/send-sms");
    let app = TestApp::spawn_with(move |c| {
        c.sms_provider = "webhook".into();
        c.sms_url = Some(url);
    })
    .await;
    let sub = app.create_user(ADA).await;
    let (browser, page) = account_browser(&app, ADA).await;
    let csrf = hidden_field(&page, "csrf_token");
    assert!(
        page.contains("id=\"no-phone\"")
            && page.contains("<label for=\"new-phone\">Phone number</label>")
    );

    let bad = post(
        &app,
        &browser,
        "/account/phone",
        &csrf,
        &[("phone", "0151 1234")],
    )
    .await;
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.unwrap();
    assert!(body.contains("id=\"phone-error\">Enter the number in international form"));
    assert!(body.contains("value=\"0151 1234\""));
    assert!(sms.requests().is_empty());

    let add = |number: &'static str, count: usize| {
        let (app, browser, csrf, sms) = (&app, &browser, csrf.clone(), &sms);
        async move {
            let started = post(app, browser, "/account/phone", &csrf, &[("phone", number)]).await;
            assert_eq!(started.status(), 200);
            let page = started.text().await.unwrap();
            assert!(page.contains("<h1>Confirm your phone number</h1>"));
            let sent = sms.wait_for_requests(count).await;
            let body = sent[count - 1].json();
            (page, body)
        }
    };
    let (code_page, message) = add("+49 151 1234 5678", 1).await;
    assert!(code_page.contains("id=\"code-destination\">•••• 5678<"));
    assert_eq!(message["to"], "+4915112345678");
    let code = code_in(message["message"].as_str().unwrap());
    assert_eq!(
        user(&app, &sub).await.phone_number,
        None,
        "not before the code"
    );

    let code_id = hidden_field(&code_page, "code_id");
    let wrong = post(
        &app,
        &browser,
        "/account/phone/confirm",
        &csrf,
        &[
            ("code_id", &code_id),
            ("code", if code == "000000" { "111111" } else { "000000" }),
        ],
    )
    .await;
    assert_eq!(wrong.status(), 422);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Check the text message we sent")
    );
    let confirmed = post(
        &app,
        &browser,
        "/account/phone/confirm",
        &csrf,
        &[("code_id", &code_id), ("code", &code)],
    )
    .await;
    assert_eq!(location(&confirmed), "/account?notice=phone_added");
    let ada = user(&app, &sub).await;
    assert_eq!(ada.phone_number.as_deref(), Some("+4915112345678"));
    assert!(ada.phone_verified);
    let page = get_text(&browser, app.url("/account")).await;
    assert!(page.contains("id=\"phone-number\">+4915112345678<"));

    // a new number: the old one stays until the new one is confirmed
    app.clock.advance(31);
    let (code_page, message) = add("+44 7700 900123", 2).await;
    assert_eq!(message["to"], "+447700900123");
    assert_eq!(
        user(&app, &sub).await.phone_number.as_deref(),
        Some("+4915112345678")
    );
    let confirmed = post(
        &app,
        &browser,
        "/account/phone/confirm",
        &csrf,
        &[
            ("code_id", &hidden_field(&code_page, "code_id")),
            ("code", &code_in(message["message"].as_str().unwrap())),
        ],
    )
    .await;
    assert_eq!(location(&confirmed), "/account?notice=phone_added");
    assert_eq!(
        user(&app, &sub).await.phone_number.as_deref(),
        Some("+447700900123")
    );

    let removed = post(&app, &browser, "/account/phone/remove", &csrf, &[]).await;
    assert_eq!(location(&removed), "/account?notice=phone_removed");
    let ada = user(&app, &sub).await;
    assert_eq!(ada.phone_number, None);
    assert!(!ada.phone_verified);

    let events = audit_events(&app, &sub).await;
    for (action, detail) in [
        ("phone.confirm", "phone: none → +4915112345678"),
        ("phone.confirm", "phone: +4915112345678 → +447700900123"),
        ("phone.remove", "phone: +447700900123 → none"),
    ] {
        assert!(
            events
                .iter()
                .any(|(a, o, d)| a == action && o == "success" && d == detail),
            "{action} {detail} missing from {events:?}"
        );
    }
}

#[tokio::test]
async fn without_an_sms_connector_the_phone_section_says_so() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let (browser, page) = account_browser(&app, ADA).await;
    assert!(page.contains("id=\"sms-unavailable\">Codes by text message are not available"));
    assert!(!page.contains("id=\"new-phone\""));
    let refused = post(
        &app,
        &browser,
        "/account/phone",
        &hidden_field(&page, "csrf_token"),
        &[("phone", "+4915112345678")],
    )
    .await;
    assert_eq!(refused.status(), 409);
    assert_eq!(user(&app, &sub).await.phone_number, None);
}

#[tokio::test]
async fn push_devices_are_listed_and_removed() {
    let push = HttpRecorder::start().await;
    let url = push.url("/push");
    let app = TestApp::spawn_with(move |c| {
        c.push_provider = "webhook".into();
        c.push_url = Some(url);
    })
    .await;
    let sub = app.create_user(ADA).await;
    let (browser, page) = account_browser(&app, ADA).await;
    assert!(page.contains("id=\"no-devices\""));
    let (status, device) = post_json(
        &browser,
        app.url("/verification-srv/v2/setup/push/register"),
        json!({"push_token": "ada-phone-7f3a", "device_name": "Ada's Pixel"}),
    )
    .await;
    assert_eq!(status, 200, "{device}");
    let device_id = device["data"]["device_id"].as_str().unwrap().to_owned();

    let page = get_text(&browser, app.url("/account")).await;
    assert!(
        page.contains(&format!("<tr id=\"device-{device_id}\">")),
        "{page}"
    );
    assert!(
        page.contains("<td>Ada&#39;s Pixel</td>") || page.contains("<td>Ada&#x27;s Pixel</td>"),
        "{page}"
    );
    assert!(page.contains("<th scope=\"col\">Device</th>"));
    assert!(
        !page.contains("ada-phone-7f3a"),
        "the push token is never shown"
    );
    let csrf = hidden_field(&page, "csrf_token");

    let unknown = post(
        &app,
        &browser,
        "/account/push/no-such-device/remove",
        &csrf,
        &[],
    )
    .await;
    assert_eq!(unknown.status(), 404);
    let removed = post(
        &app,
        &browser,
        &format!("/account/push/{device_id}/remove"),
        &csrf,
        &[],
    )
    .await;
    assert_eq!(location(&removed), "/account?notice=device_removed");
    let id = sub.clone();
    let left = app
        .state
        .store
        .run(move |c| store::push_devices::list_user_devices(c, &id))
        .await
        .unwrap();
    assert!(left.is_empty());
    let events = audit_events(&app, &sub).await;
    assert!(
        events
            .iter()
            .any(|(a, _, d)| a == "push_device.remove" && d.contains("Ada's Pixel"))
    );
}

#[tokio::test]
async fn the_sessions_are_listed_and_the_other_ones_signed_out() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    app.create_user("bob@example.com").await;
    let (other, _) = account_browser(&app, ADA).await;
    let (bob, _) = account_browser(&app, "bob@example.com").await;
    let (browser, page) = account_browser(&app, ADA).await;
    let rows = page
        .split("id=\"session-list\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert_eq!(
        rows.matches("<tr").count(),
        3,
        "a header and two sessions: {rows}"
    );
    assert_eq!(rows.matches("This browser").count(), 1);
    assert!(rows.contains("aria-current=\"true\""));
    assert!(rows.contains("<span class=\"sub\">Password</span>"));
    assert!(page.contains("Sign out the other sessions (1)"));

    let ended = post(
        &app,
        &browser,
        "/account/sessions/end-others",
        &hidden_field(&page, "csrf_token"),
        &[],
    )
    .await;
    assert_eq!(location(&ended), "/account?notice=sessions_ended");
    assert!(signed_in(&app, &browser).await);
    assert!(!signed_in(&app, &other).await);
    assert!(signed_in(&app, &bob).await, "other people's sessions stay");
    let page = get_text(&browser, app.url("/account?notice=sessions_ended")).await;
    assert!(page.contains("Your other sessions were signed out."));
    assert!(!page.contains("id=\"end-other-sessions\""));
    let events = audit_events(&app, &sub).await;
    assert!(
        events
            .iter()
            .any(|(a, _, d)| a == "session.end_others" && d == "1 other session(s) ended")
    );
}

#[tokio::test]
async fn recent_sign_ins_list_successes_and_failures_with_method_and_address() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let b = app.browser();
    let request_id = app.start_login(&b, &rp).await;
    let (_, csrf) = app
        .open_login_page(&b, &format!("/login?requestId={request_id}"))
        .await;
    app.submit_login(&b, &request_id, &csrf, ADA, "wrong password")
        .await;
    let (_, page) = account_browser(&app, ADA).await;
    let table = page
        .split("id=\"activity-list\"")
        .nth(1)
        .expect("an activity table")
        .split("</table>")
        .next()
        .unwrap();
    assert!(table.contains("<th scope=\"col\">IP address</th>"));
    let rows: Vec<&str> = table.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 2, "{table}");
    assert!(
        rows[0].contains("Signed in") && rows[0].contains("<td>Password</td>"),
        "newest first: {}",
        rows[0]
    );
    assert!(
        rows[1].contains("Failed") && rows[1].contains("<td>Password</td>"),
        "{}",
        rows[1]
    );
    assert!(rows.iter().all(|r| r.contains("<td>127.0.0.1</td>")));
}

#[tokio::test]
async fn a_stale_sign_in_must_sign_in_again_before_changing_the_password_or_removing_an_authenticator()
 {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let (browser, page) = account_browser(&app, ADA).await;
    let csrf = hidden_field(&page, "csrf_token");
    assert!(!page.contains("id=\"fresh-hint\""));
    app.clock.advance(6 * 60);
    let page = get_text(&browser, app.url("/account")).await;
    assert!(page.contains("id=\"fresh-hint\""), "the page says so");

    let before = user(&app, &sub).await.password_hash;
    let form = [
        ("current_password", PASSWORD),
        ("new_password", "purple monkey dishwasher"),
    ];
    let stale = post(&app, &browser, "/account/password", &csrf, &form).await;
    assert_eq!(
        user(&app, &sub).await.password_hash,
        before,
        "nothing changed"
    );
    let back = sign_in_again(&app, &browser, &stale, ADA, PASSWORD, None).await;
    assert_eq!(back, "/account?notice=signed_in_again");
    let page = get_text(&browser, app.url(&back)).await;
    assert!(page.contains("You signed in again."));
    let changed = post(&app, &browser, "/account/password", &csrf, &form).await;
    assert_eq!(location(&changed), "/account?notice=password_changed");

    // an authenticator, then too long a wait before removing it
    let phone = app.enroll_totp(&browser, "Pixel").await;
    let remove = format!("/account/totp/{}/remove", phone.authenticator_id);
    app.clock.advance(6 * 60);
    let stale = post(&app, &browser, &remove, &csrf, &[]).await;
    let id = sub.clone();
    let count = || {
        let id = id.clone();
        let app = &app;
        async move {
            app.state
                .store
                .run(move |c| store::authenticators::list_user_authenticators(c, &id))
                .await
                .unwrap()
                .into_iter()
                .filter(|a| a.active)
                .count()
        }
    };
    assert_eq!(count().await, 1, "still there");
    let renamed = post(
        &app,
        &browser,
        &format!("/account/totp/{}/rename", phone.authenticator_id),
        &csrf,
        &[("label", "Mine")],
    )
    .await;
    assert_eq!(renamed.status(), 303, "renaming needs a fresh sign-in too");
    let backup = post(&app, &browser, "/account/backup-codes", &csrf, &[]).await;
    assert_eq!(backup.status(), 303, "so do backup codes");
    let back = sign_in_again(
        &app,
        &browser,
        &stale,
        ADA,
        "purple monkey dishwasher",
        Some(&phone),
    )
    .await;
    assert_eq!(back, "/account?notice=signed_in_again");
    let removed = post(&app, &browser, &remove, &csrf, &[]).await;
    assert_eq!(location(&removed), "/account?notice=removed");
    assert_eq!(count().await, 0);
}

#[tokio::test]
async fn account_forms_without_the_right_csrf_token_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let (_other, _) = account_browser(&app, ADA).await;
    let (browser, _) = account_browser(&app, ADA).await;
    let before = user(&app, &sub).await;
    let forms: [(&str, Vec<(&str, &str)>); 8] = [
        ("/account/name", vec![("name", "Mallory")]),
        ("/account/email", vec![("email", "mallory@example.com")]),
        (
            "/account/email/confirm",
            vec![("code_id", "x"), ("code", "123456")],
        ),
        (
            "/account/password",
            vec![
                ("current_password", PASSWORD),
                ("new_password", "purple monkey dishwasher"),
            ],
        ),
        ("/account/phone", vec![("phone", "+4915112345678")]),
        ("/account/phone/remove", vec![]),
        ("/account/push/x/remove", vec![]),
        ("/account/sessions/end-others", vec![]),
    ];
    for (path, fields) in &forms {
        for token in [None, Some("forged")] {
            let mut form = fields.clone();
            if let Some(token) = token {
                form.push(("csrf_token", token));
            }
            let response = browser
                .post(app.url(path))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 403, "{path} with {token:?}");
        }
    }
    assert_eq!(user(&app, &sub).await, before, "nothing changed");
    assert_eq!(session_count(&app).await, 2, "no session ended");
    assert!(
        !audit_events(&app, &sub)
            .await
            .iter()
            .any(|(a, _, _)| a.starts_with("account.")
                || a.starts_with("email.")
                || a.starts_with("password.")
                || a.starts_with("phone.")
                || a.starts_with("session.")),
        "nothing audited"
    );
}

#[tokio::test]
async fn a_resent_email_code_is_the_same_code() {
    let (app, smtp) = with_mail().await;
    let sub = app.create_user(ADA).await;
    let (browser, page) = account_browser(&app, ADA).await;
    let csrf = hidden_field(&page, "csrf_token");
    let started = post(
        &app,
        &browser,
        "/account/email",
        &csrf,
        &[("email", "ada@new.example.org")],
    )
    .await;
    let code_id = hidden_field(&started.text().await.unwrap(), "code_id");
    let first = smtp.wait_for_next("ada@new.example.org").await.code();
    let too_soon = post(
        &app,
        &browser,
        "/account/email/resend",
        &csrf,
        &[("code_id", &code_id)],
    )
    .await;
    assert!(
        too_soon
            .text()
            .await
            .unwrap()
            .contains("You can ask for it again in")
    );
    app.clock.advance(31);
    let resent = post(
        &app,
        &browser,
        "/account/email/resend",
        &csrf,
        &[("code_id", &code_id)],
    )
    .await;
    assert_eq!(resent.status(), 200);
    assert!(
        resent
            .text()
            .await
            .unwrap()
            .contains("We sent the code again.")
    );
    let second = smtp.wait_for_next("ada@new.example.org").await.code();
    assert_eq!(first, second);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(smtp.mails_to(ADA).is_empty());
    let done = post(
        &app,
        &browser,
        "/account/email/confirm",
        &csrf,
        &[("code_id", &code_id), ("code", &second)],
    )
    .await;
    assert_eq!(location(&done), "/account?notice=email_changed");
    assert_eq!(user(&app, &sub).await.email, "ada@new.example.org");
}
