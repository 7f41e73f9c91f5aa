//! Password reset on the hosted pages: `/password/forgot` → a code by mail (read from a real
//! SMTP server on loopback) → `/password/reset` with a new password.

use crate::helpers::*;
use crate::register::{NEW_PASSWORD, app_with_mail, element_text};
use crate::smtp_server::SmtpServer;

/// The reset page a forgot-password request leads to: its location and form fields.
pub struct Reset {
    location: String,
    code_id: String,
    csrf: String,
    request_id: Option<String>,
    html: String,
}

/// Opens `/password/forgot` (with `request_id` if given), asks for a code for `email` and
/// follows to the reset page.
pub async fn forgot(
    app: &TestApp,
    browser: &reqwest::Client,
    email: &str,
    request_id: Option<&str>,
) -> Reset {
    let path = match request_id {
        Some(id) => format!("/password/forgot?requestId={id}"),
        None => "/password/forgot".to_owned(),
    };
    let page = browser.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<label for=\"email\">"));
    let mut form = vec![
        ("email", email.to_owned()),
        ("csrf_token", hidden_field(&html, "csrf_token")),
    ];
    if let Some(id) = request_id {
        assert_eq!(hidden_field(&html, "requestId"), id);
        form.push(("requestId", id.to_owned()));
    }
    let response = browser
        .post(app.url("/password/forgot"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let to = location(&response);
    assert!(to.starts_with("/password/reset?code_id="), "{to}");
    let page = browser.get(app.url(&to)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    Reset {
        code_id: param(&query_pairs(&to), "code_id").unwrap(),
        request_id: param(&query_pairs(&to), "requestId"),
        csrf: hidden_field(&html, "csrf_token"),
        location: to,
        html,
    }
}

/// Posts the reset form.
pub async fn submit(
    app: &TestApp,
    browser: &reqwest::Client,
    reset: &Reset,
    email: &str,
    code: &str,
    password: &str,
) -> reqwest::Response {
    let mut form = vec![
        ("code_id", reset.code_id.as_str()),
        ("csrf_token", reset.csrf.as_str()),
        ("email", email),
        ("code", code),
        ("password", password),
    ];
    if let Some(id) = &reset.request_id {
        form.push(("requestId", id.as_str()));
    }
    browser
        .post(app.url("/password/reset"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// Whether `password` signs `email` in (a fresh browser, the password form).
async fn password_works(app: &TestApp, rp: &Rp, email: &str, password: &str) -> bool {
    let browser = app.browser();
    let request_id = app.start_login(&browser, rp).await;
    let login = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
    let csrf = hidden_field(&login, "csrf_token");
    let to = location(
        &app.submit_login(&browser, &request_id, &csrf, email, password)
            .await,
    );
    to.starts_with(&rp.redirect_uri)
}

/// A code that is not `code` (same length).
fn other_code(code: &str) -> String {
    let first = if code.starts_with('1') { '2' } else { '1' };
    format!("{first}{}", &code[1..])
}

async fn ada(app: &TestApp, smtp: &SmtpServer) -> Rp {
    app.create_user("ada@example.com").await;
    assert!(smtp.messages().is_empty());
    app.confidential_client().await
}

#[tokio::test]
async fn the_login_page_links_to_password_reset_and_to_sign_up_with_its_request() {
    let app = TestApp::spawn().await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let login = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
    assert!(login.contains(&format!(
        "id=\"create-account\" href=\"/register?requestId={request_id}\">Create an account</a>"
    )));
    assert!(login.contains(&format!(
        "id=\"forgot-password\" href=\"/password/forgot?requestId={request_id}\">Forgot your password?</a>"
    )));
    let register = browser
        .get(app.url(&format!("/register?requestId={request_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(register.status(), 200);
    assert!(
        register
            .text()
            .await
            .unwrap()
            .contains("<h1>Create an account</h1>")
    );
}

#[tokio::test]
async fn a_reset_by_emailed_code_sets_the_new_password_and_signs_out_every_other_browser() {
    let (app, smtp) = app_with_mail().await;
    let rp = ada(&app, &smtp).await;
    let elsewhere = app.signed_in_browser("ada@example.com").await;
    let account = elsewhere.get(app.url("/account")).send().await.unwrap();
    assert_eq!(account.status(), 200, "signed in elsewhere");

    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let reset = forgot(&app, &browser, "Ada@Example.com", Some(&request_id)).await;
    assert!(reset.html.contains("<strong>ada@example.com</strong>"));
    for field in [
        "<label for=\"code\">",
        "<label for=\"password\">",
        "autocomplete=\"one-time-code\"",
        "inputmode=\"numeric\"",
        "autocomplete=\"new-password\"",
    ] {
        assert!(reset.html.contains(field), "{field} is on the page");
    }
    let mail = smtp.wait_for_next("ada@example.com").await;
    assert_eq!(mail.subject(), "Reset your Test App password");
    assert!(mail.text_body().contains("valid for 15 minutes"));

    let done = submit(
        &app,
        &browser,
        &reset,
        "ada@example.com",
        &mail.code(),
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(done.status(), 200);
    let html = done.text().await.unwrap();
    assert!(html.contains("<h1>Password changed</h1>"));
    assert!(html.contains(&format!(
        "id=\"sign-in\" href=\"/login?requestId={request_id}\""
    )));

    // the other browser is signed out: /account sends it to sign in again
    let account = elsewhere.get(app.url("/account")).send().await.unwrap();
    assert_eq!(account.status(), 302);
    assert!(location(&account).starts_with("/authz-srv/authz?"));

    // the sign-in this started continues with the new password
    let login = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
    let csrf = hidden_field(&login, "csrf_token");
    let back = location(
        &app.submit_login(
            &browser,
            &request_id,
            &csrf,
            "ada@example.com",
            NEW_PASSWORD,
        )
        .await,
    );
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    assert!(!password_works(&app, &rp, "ada@example.com", PASSWORD).await);
    assert!(password_works(&app, &rp, "ada@example.com", NEW_PASSWORD).await);

    let notice = smtp.wait_for_next("ada@example.com").await;
    assert_eq!(notice.subject(), "Your Test App password was changed");
}

#[tokio::test]
async fn a_reset_for_an_unknown_email_looks_the_same_and_sends_no_mail() {
    let (app, smtp) = app_with_mail().await;
    ada(&app, &smtp).await;
    let browser = app.browser();
    let mut pages = Vec::new();
    // ava is unknown, ada has an account; both are shown as themselves
    for email in ["ava@example.com", "ada@example.com"] {
        let reset = forgot(&app, &browser, email, None).await;
        let wrong = submit(&app, &browser, &reset, email, "000000", NEW_PASSWORD).await;
        assert_eq!(wrong.status(), 422);
        let wrong = wrong.text().await.unwrap();
        let blank = |s: &str| {
            s.replace(&reset.code_id, "CODE_ID")
                .replace(&reset.csrf, "CSRF")
                .replace(email, "EMAIL")
                .replace(&email.replace('@', "%40"), "EMAIL")
        };
        pages.push((blank(&reset.location), blank(&reset.html), blank(&wrong)));
    }
    assert_eq!(pages[0], pages[1]);
    smtp.wait_for_next("ada@example.com").await;
    assert!(smtp.mails_to("ava@example.com").is_empty());
    assert_eq!(smtp.messages().len(), 1);

    // an account whose email was never confirmed gets no code either
    let rp = app.confidential_client().await;
    let other = app.browser();
    let page = crate::register::open_sign_up(&app, &other, &rp).await;
    crate::register::sign_up(&app, &other, &page, "nia@example.com", NEW_PASSWORD).await;
    smtp.wait_for_next("nia@example.com").await;
    forgot(&app, &browser, "nia@example.com", None).await;
    assert_eq!(smtp.mails_to("nia@example.com").len(), 1);
}

#[tokio::test]
async fn five_wrong_codes_lock_the_reset_and_even_the_right_code_no_longer_works() {
    let (app, smtp) = app_with_mail().await;
    let rp = ada(&app, &smtp).await;
    let browser = app.browser();
    let reset = forgot(&app, &browser, "ada@example.com", None).await;
    let code = smtp.wait_for_next("ada@example.com").await.code();
    for attempt in 1..=5 {
        let response = submit(
            &app,
            &browser,
            &reset,
            "ada@example.com",
            &other_code(&code),
            NEW_PASSWORD,
        )
        .await;
        assert_eq!(response.status(), 422);
        let message = element_text(&response.text().await.unwrap(), "code-error").unwrap();
        if attempt < 5 {
            assert!(message.starts_with("That code is not correct"), "{message}");
        } else {
            assert!(message.starts_with("Too many wrong codes"), "{message}");
        }
    }
    let response = submit(
        &app,
        &browser,
        &reset,
        "ada@example.com",
        &code,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        element_text(&html, "code-error")
            .unwrap()
            .starts_with("Too many wrong codes")
    );
    assert!(html.contains("id=\"ask-again\""));
    assert!(password_works(&app, &rp, "ada@example.com", PASSWORD).await);

    // while locked, asking again sends nothing and says so
    let page = get_text(&browser, app.url("/password/forgot")).await;
    let response = browser
        .post(app.url("/password/forgot"))
        .form(&[
            ("email", "ada@example.com"),
            ("csrf_token", hidden_field(&page, "csrf_token").as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert!(
        element_text(&response.text().await.unwrap(), "email-error")
            .unwrap()
            .starts_with("Too many wrong codes")
    );
    assert_eq!(smtp.mails_to("ada@example.com").len(), 1);
}

#[tokio::test]
async fn an_expired_reset_code_asks_for_a_new_one() {
    let (app, smtp) = app_with_mail().await;
    let rp = ada(&app, &smtp).await;
    let browser = app.browser();
    let reset = forgot(&app, &browser, "ada@example.com", None).await;
    let code = smtp.wait_for_next("ada@example.com").await.code();
    app.clock.advance(15 * 60 + 1);
    let response = submit(
        &app,
        &browser,
        &reset,
        "ada@example.com",
        &code,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert_eq!(
        element_text(&html, "code-error").unwrap(),
        "This code has expired or was already used. Ask for a new one."
    );
    assert!(html.contains(
        "id=\"ask-again\" href=\"/password/forgot?email=ada%40example.com\">Ask for a new code</a>"
    ));
    assert!(password_works(&app, &rp, "ada@example.com", PASSWORD).await);
}

#[tokio::test]
async fn a_reset_code_works_once_and_a_refused_password_does_not_use_it_up() {
    let (app, smtp) = app_with_mail().await;
    let rp = ada(&app, &smtp).await;
    let browser = app.browser();
    let reset = forgot(&app, &browser, "ada@example.com", None).await;
    let code = smtp.wait_for_next("ada@example.com").await.code();

    let refused = submit(
        &app,
        &browser,
        &reset,
        "ada@example.com",
        &code,
        "iloveyou1",
    )
    .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(
        element_text(&html, "password-error")
            .unwrap()
            .contains("too common")
    );
    assert!(element_text(&html, "code-error").is_none());

    let done = submit(
        &app,
        &browser,
        &reset,
        "ada@example.com",
        &code,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(done.status(), 200);
    // without a requestId the way on is the account page
    assert!(
        done.text()
            .await
            .unwrap()
            .contains("id=\"sign-in\" href=\"/account\"")
    );
    let again = submit(
        &app,
        &browser,
        &reset,
        "ada@example.com",
        &code,
        "yet another passphrase",
    )
    .await;
    assert_eq!(again.status(), 422);
    assert!(
        element_text(&again.text().await.unwrap(), "code-error")
            .unwrap()
            .contains("already used")
    );
    assert!(password_works(&app, &rp, "ada@example.com", NEW_PASSWORD).await);
    assert!(!password_works(&app, &rp, "ada@example.com", "yet another passphrase").await);
}

#[tokio::test]
async fn a_crafted_reset_link_cannot_put_its_own_words_on_the_page() {
    let app = TestApp::spawn().await;
    let page = app
        .browser()
        .get(app.url("/password/reset"))
        .query(&[
            ("code_id", "x"),
            ("email", "Your account is blocked, call +1 555 0100"),
            ("requestId", "<script>"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(!html.contains("blocked") && !html.contains("555"));
    assert!(!html.contains("script"));
    assert!(html.contains("the address you entered"));
}
