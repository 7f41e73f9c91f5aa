//! Sign-up on the hosted pages: `/register` (also `view_type=register`), the emailed code read
//! from a real SMTP server on loopback, and the sign-in that continues at the application.

use serde_json::{Value, json};

use crate::helpers::*;
use crate::smtp_server::{ReceivedMail, SmtpServer};
use crate::totp::decode_claims;

pub const NEW_PASSWORD: &str = "tangerine kettle orbit";

/// An app whose mail goes to a loopback SMTP server.
pub async fn app_with_mail() -> (TestApp, SmtpServer) {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |c| c.smtp_url = Some(url)).await;
    (app, smtp)
}

/// The text of the element with `id` (up to its first tag), or `None`.
pub fn element_text(html: &str, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}\">");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('<').next().unwrap().trim().to_owned())
}

/// Whether a text contains a run of 6 or more digits (a code).
pub fn has_code(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_digit())
        .any(|run| run.len() >= 6)
}

/// Authorization parameters asking for the sign-up view, with PKCE and the email scope.
fn sign_up_request(rp: &Rp) -> Vec<(&'static str, &str)> {
    vec![
        ("client_id", rp.client_id.as_str()),
        ("redirect_uri", rp.redirect_uri.as_str()),
        ("response_type", "code"),
        ("scope", "openid email profile"),
        ("state", "state-1"),
        ("nonce", "nonce-1"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("view_type", "register"),
    ]
}

/// A sign-up page opened in a browser: its requestId, CSRF token and HTML.
pub struct SignUp {
    pub request_id: String,
    pub csrf: String,
    pub html: String,
}

/// Authorizes with `view_type=register` and opens the sign-up page it leads to.
pub async fn open_sign_up(app: &TestApp, browser: &reqwest::Client, rp: &Rp) -> SignUp {
    let to = location(&app.authorize(browser, &sign_up_request(rp)).await);
    assert!(to.starts_with("/register?requestId="), "{to}");
    assert!(to.ends_with("&view_type=register"), "{to}");
    let page = browser.get(app.url(&to)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    SignUp {
        request_id: hidden_field(&html, "requestId"),
        csrf: hidden_field(&html, "csrf_token"),
        html,
    }
}

/// Posts the sign-up form.
pub async fn submit_sign_up(
    app: &TestApp,
    browser: &reqwest::Client,
    sign_up: &SignUp,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![
        ("requestId", sign_up.request_id.as_str()),
        ("csrf_token", sign_up.csrf.as_str()),
    ];
    form.extend_from_slice(fields);
    browser
        .post(app.url("/register"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// Signs up as `email` and follows to the code page; returns (code_id, the page's HTML).
pub async fn sign_up(
    app: &TestApp,
    browser: &reqwest::Client,
    sign_up: &SignUp,
    email: &str,
    password: &str,
) -> (String, String) {
    let response = submit_sign_up(
        app,
        browser,
        sign_up,
        &[
            ("name", "Nia Newcomer"),
            ("email", email),
            ("password", password),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    let to = location(&response);
    assert!(to.starts_with("/register/confirm?requestId="), "{to}");
    let code_id = param(&query_pairs(&to), "code_id").unwrap();
    let page = browser.get(app.url(&to)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    (code_id, page.text().await.unwrap())
}

/// Posts a code on the confirm page.
pub async fn confirm(
    app: &TestApp,
    browser: &reqwest::Client,
    sign_up: &SignUp,
    code_id: &str,
    code: &str,
) -> reqwest::Response {
    browser
        .post(app.url("/register/confirm"))
        .form(&[
            ("requestId", sign_up.request_id.as_str()),
            ("csrf_token", sign_up.csrf.as_str()),
            ("code_id", code_id),
            ("code", code),
        ])
        .send()
        .await
        .unwrap()
}

async fn user(app: &TestApp, email: &str) -> Option<gatehouse::domain::user::User> {
    let email = email.to_owned();
    app.state
        .store
        .run(move |c| gatehouse::store::users::find_user_by_email(c, &email))
        .await
        .unwrap()
}

/// A page with the parts that differ per request (ids, tokens) blanked out.
fn normalized(html: &str, sign_up: &SignUp, code_id: &str) -> String {
    html.replace(&sign_up.request_id, "REQUEST")
        .replace(&sign_up.csrf, "CSRF")
        .replace(code_id, "CODE_ID")
}

#[tokio::test]
async fn a_new_user_signs_up_from_an_authorization_request_and_the_client_gets_an_id_token_with_the_email()
 {
    let (app, smtp) = app_with_mail().await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let page = open_sign_up(&app, &browser, &rp).await;
    for field in [
        "<label for=\"name\">",
        "<label for=\"email\">",
        "<label for=\"password\">",
        "autocomplete=\"name\"",
        "autocomplete=\"email\"",
        "autocomplete=\"new-password\"",
        "name=\"csrf_token\"",
        "to continue to <strong>Test App</strong>",
    ] {
        assert!(page.html.contains(field), "{field} is on the page");
    }
    assert!(
        page.html
            .contains(&format!("href=\"/login?requestId={}\"", page.request_id))
    );

    let (code_id, confirm_page) =
        sign_up(&app, &browser, &page, "Nia@Example.com", NEW_PASSWORD).await;
    assert!(confirm_page.contains("<strong>n***@example.com</strong>"));
    for field in [
        "<label for=\"code\">",
        "autocomplete=\"one-time-code\"",
        "inputmode=\"numeric\"",
        "id=\"resend\"",
    ] {
        assert!(confirm_page.contains(field), "{field} is on the code page");
    }
    let created = user(&app, "nia@example.com")
        .await
        .expect("account created");
    assert!(!created.email_verified);
    assert_eq!(created.name.as_deref(), Some("Nia Newcomer"));

    let mail = smtp.wait_for_next("nia@example.com").await;
    assert_eq!(mail.subject(), "Confirm your email for Test App");
    let back = location(&confirm(&app, &browser, &page, &code_id, &mail.code()).await);
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    let pairs = query_pairs(&back);
    assert_eq!(param(&pairs, "state").as_deref(), Some("state-1"));

    let tokens: Value = app
        .redeem(&rp, &param(&pairs, "code").unwrap())
        .await
        .json()
        .await
        .unwrap();
    let claims = decode_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["email"], json!("nia@example.com"));
    assert_eq!(claims["email_verified"], json!(true));
    assert_eq!(claims["sub"], json!(created.id));
    assert_eq!(claims["nonce"], json!("nonce-1"));
    assert_eq!(claims["amr"], json!(["pwd"]));
    assert!(user(&app, "nia@example.com").await.unwrap().email_verified);

    // the new password signs in from another browser
    let other = app.browser();
    let request_id = app.start_login(&other, &rp).await;
    let login = get_text(&other, app.url(&format!("/login?requestId={request_id}"))).await;
    let csrf = hidden_field(&login, "csrf_token");
    let back = location(
        &app.submit_login(&other, &request_id, &csrf, "nia@example.com", NEW_PASSWORD)
            .await,
    );
    assert!(back.starts_with(REDIRECT_URI), "{back}");
}

#[tokio::test]
async fn an_unconfirmed_account_cannot_sign_in_and_gets_the_same_message_as_a_wrong_password() {
    let (app, smtp) = app_with_mail().await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let page = open_sign_up(&app, &browser, &rp).await;
    sign_up(&app, &browser, &page, "nia@example.com", NEW_PASSWORD).await;
    smtp.wait_for_next("nia@example.com").await;

    let mut answers = Vec::new();
    for (email, password) in [
        ("nia@example.com", NEW_PASSWORD),
        ("nia@example.com", "not the password"),
        ("nobody@example.com", NEW_PASSWORD),
    ] {
        let other = app.browser();
        let request_id = app.start_login(&other, &rp).await;
        let login = get_text(&other, app.url(&format!("/login?requestId={request_id}"))).await;
        let csrf = hidden_field(&login, "csrf_token");
        let to = location(
            &app.submit_login(&other, &request_id, &csrf, email, password)
                .await,
        );
        assert!(
            to.contains("error=invalid_username_password"),
            "{email}: {to}"
        );
        let page = get_text(&other, app.url(&to)).await;
        answers.push((
            to.replace(&request_id, "REQUEST"),
            element_text(&page, "login-error"),
        ));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], answers[2]);
}

#[tokio::test]
async fn a_common_password_is_refused_next_to_the_field_and_the_form_keeps_name_and_email() {
    let (app, smtp) = app_with_mail().await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let page = open_sign_up(&app, &browser, &rp).await;
    let response = submit_sign_up(
        &app,
        &browser,
        &page,
        &[
            ("name", "Nia <Newcomer>"),
            ("email", "nia@example.com"),
            ("password", "Password123"),
        ],
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    let message = element_text(&html, "password-error").expect("an error at the password");
    assert!(message.contains("too common"), "{message}");
    assert!(html.contains("aria-describedby=\"password-error password-hint\""));
    assert!(
        html.contains("value=\"Nia &#60;Newcomer&#62;\""),
        "the name is kept, escaped"
    );
    assert!(
        html.contains("value=\"nia@example.com\""),
        "the email is kept"
    );
    assert!(!html.contains("Password123"), "the password is not echoed");
    assert!(element_text(&html, "name-error").is_none());
    assert!(element_text(&html, "email-error").is_none());
    assert!(user(&app, "nia@example.com").await.is_none());

    // a password made of the email is refused too
    let response = submit_sign_up(
        &app,
        &browser,
        &page,
        &[
            ("name", "Nia"),
            ("email", "nia.newcomer@example.com"),
            ("password", "newcomer2024!"),
        ],
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        element_text(&html, "password-error")
            .unwrap()
            .contains("email")
    );
    assert!(smtp.messages().is_empty(), "no mail for refused forms");
}

#[tokio::test]
async fn missing_malformed_and_too_long_fields_get_clear_errors_never_a_server_error() {
    let app = TestApp::spawn().await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let page = open_sign_up(&app, &browser, &rp).await;

    let html = submit_sign_up(&app, &browser, &page, &[]).await;
    assert_eq!(html.status(), 422);
    let html = html.text().await.unwrap();
    assert_eq!(
        element_text(&html, "name-error").unwrap(),
        "Enter your name."
    );
    assert_eq!(
        element_text(&html, "email-error").unwrap(),
        "Enter your email address."
    );
    assert_eq!(
        element_text(&html, "password-error").unwrap(),
        "Choose a password."
    );

    let long_name = "N".repeat(101);
    let long_email = format!("{}@example.com", "n".repeat(300));
    let long_password = "horse ".repeat(50);
    let response = submit_sign_up(
        &app,
        &browser,
        &page,
        &[
            ("name", long_name.as_str()),
            ("email", long_email.as_str()),
            ("password", long_password.as_str()),
        ],
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert_eq!(
        element_text(&html, "name-error").unwrap(),
        "Use at most 100 characters."
    );
    assert_eq!(
        element_text(&html, "email-error").unwrap(),
        "Enter an email address like name@example.com."
    );
    assert_eq!(
        element_text(&html, "password-error").unwrap(),
        "Use at most 256 characters."
    );

    // a form without its CSRF token, or for an unknown request, is a clear error page
    let response = browser
        .post(app.url("/register"))
        .form(&[("requestId", page.request_id.as_str()), ("name", "Nia")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let response = browser
        .get(app.url("/register?requestId=not-a-request"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let response = browser
        .post(app.url("/register/confirm"))
        .form(&[
            ("requestId", page.request_id.as_str()),
            ("csrf_token", page.csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(
        element_text(&response.text().await.unwrap(), "code-error").unwrap(),
        "Enter the code from the email."
    );
}

#[tokio::test]
async fn signing_up_with_a_registered_email_shows_the_same_page_and_changes_nothing() {
    let (app, smtp) = app_with_mail().await;
    let ada = app.create_user("ada@example.com").await;
    let before = user(&app, "ada@example.com").await.unwrap();
    let rp = app.confidential_client().await;

    // a new address, and the registered one with the same masked form (a***@example.com)
    let mut pages = Vec::new();
    for email in ["amy@example.com", "ada@example.com"] {
        let browser = app.browser();
        let page = open_sign_up(&app, &browser, &rp).await;
        let (code_id, html) = sign_up(&app, &browser, &page, email, NEW_PASSWORD).await;
        pages.push(normalized(&html, &page, &code_id));

        // a wrong code gets the same answer on both
        let response = confirm(&app, &browser, &page, &code_id, "000000").await;
        assert_eq!(response.status(), 422);
        let html = response.text().await.unwrap();
        pages.push(normalized(&html, &page, &code_id));
    }
    assert_eq!(pages[0], pages[2], "the code pages are the same");
    assert_eq!(pages[1], pages[3], "a wrong code gets the same answer");

    // Ada gets a notice without a code; her account is unchanged
    let notice = smtp.wait_for_next("ada@example.com").await;
    assert_eq!(notice.subject(), "Your Test App account");
    assert!(notice.text_body().contains("already have an account"));
    assert!(notice.text_body().contains("/password/forgot"));
    assert!(!has_code(&notice.text_body()), "{}", notice.text_body());
    assert_eq!(user(&app, "ada@example.com").await.unwrap(), before);
    let code = app.code_for(&app.browser(), &rp, "ada@example.com").await;
    let tokens: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    assert_eq!(
        decode_claims(tokens["id_token"].as_str().unwrap())["sub"],
        json!(ada)
    );
    assert_eq!(smtp.mails_to("amy@example.com").len(), 1);
}

#[tokio::test]
async fn an_unconfirmed_sign_up_is_kept_while_its_code_lives_and_can_be_replaced_after() {
    let (app, smtp) = app_with_mail().await;
    let rp = app.confidential_client().await;
    let first = app.browser();
    let page = open_sign_up(&app, &first, &rp).await;
    sign_up(&app, &first, &page, "nia@example.com", NEW_PASSWORD).await;
    let first_mail = smtp.wait_for_next("nia@example.com").await;
    let pending = user(&app, "nia@example.com").await.unwrap();

    // someone else, with another password, changes nothing and gets no code sent
    let squatter = app.browser();
    let page = open_sign_up(&app, &squatter, &rp).await;
    sign_up(
        &app,
        &squatter,
        &page,
        "nia@example.com",
        "another fine phrase",
    )
    .await;
    assert_eq!(user(&app, "nia@example.com").await.unwrap(), pending);

    // the same person again (same password) gets a new code, once the resend cooldown has
    // passed (within it, the code already sent is the one to use: no flood of mails)
    app.clock.advance(app.state.live().code_policy.resend_after);
    let again = app.browser();
    let page = open_sign_up(&app, &again, &rp).await;
    let (code_id, _) = sign_up(&app, &again, &page, "nia@example.com", NEW_PASSWORD).await;
    let second_mail = smtp.wait_for_next("nia@example.com").await;
    assert_eq!(smtp.mails_to("nia@example.com").len(), 2);
    assert_ne!(first_mail.code(), second_mail.code());

    // after the code lifetime, a new sign-up replaces the unconfirmed account
    app.clock.advance(app.state.live().code_policy.ttl + 1);
    let expired = confirm(&app, &again, &page, &code_id, &second_mail.code()).await;
    assert_eq!(expired.status(), 422);
    assert!(
        element_text(&expired.text().await.unwrap(), "code-error")
            .unwrap()
            .contains("expired")
    );
    let later = app.browser();
    let page = open_sign_up(&app, &later, &rp).await;
    let (code_id, _) = sign_up(
        &app,
        &later,
        &page,
        "nia@example.com",
        "another fine phrase",
    )
    .await;
    let replaced = user(&app, "nia@example.com").await.unwrap();
    assert_ne!(replaced.id, pending.id);
    let mail = smtp.wait_for_next("nia@example.com").await;
    let back = location(&confirm(&app, &later, &page, &code_id, &mail.code()).await);
    assert!(back.starts_with(REDIRECT_URI), "{back}");
}

#[tokio::test]
async fn the_code_is_sent_again_unchanged_after_the_cooldown() {
    let (app, smtp) = app_with_mail().await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let page = open_sign_up(&app, &browser, &rp).await;
    let (code_id, _) = sign_up(&app, &browser, &page, "nia@example.com", NEW_PASSWORD).await;
    let first: ReceivedMail = smtp.wait_for_next("nia@example.com").await;
    let resend = || {
        browser
            .post(app.url("/register/resend"))
            .form(&[
                ("requestId", page.request_id.as_str()),
                ("csrf_token", page.csrf.as_str()),
                ("code_id", code_id.as_str()),
            ])
            .send()
    };
    let soon = resend().await.unwrap();
    assert_eq!(soon.status(), 200);
    let notice = element_text(&soon.text().await.unwrap(), "code-notice").unwrap();
    assert!(notice.contains("seconds"), "{notice}");
    assert_eq!(smtp.mails_to("nia@example.com").len(), 1);

    app.clock.advance(31);
    let again = resend().await.unwrap();
    assert_eq!(again.status(), 200);
    let notice = element_text(&again.text().await.unwrap(), "code-notice").unwrap();
    assert!(notice.starts_with("We sent the code again"), "{notice}");
    let second = smtp.wait_for_next("nia@example.com").await;
    assert_eq!(first.code(), second.code());
    let back = location(&confirm(&app, &browser, &page, &code_id, &second.code()).await);
    assert!(back.starts_with(REDIRECT_URI), "{back}");
}

#[tokio::test]
async fn a_client_that_requires_two_factors_sends_a_new_user_on_to_set_up_an_authenticator() {
    let (app, smtp) = app_with_mail().await;
    let rp = app
        .create_client(ClientSpec {
            mfa: "always",
            ..ClientSpec::default()
        })
        .await;
    let browser = app.browser();
    let page = open_sign_up(&app, &browser, &rp).await;
    let (code_id, _) = sign_up(&app, &browser, &page, "nia@example.com", NEW_PASSWORD).await;
    let mail = smtp.wait_for_next("nia@example.com").await;
    let next = location(&confirm(&app, &browser, &page, &code_id, &mail.code()).await);
    assert!(next.starts_with("/mfa?track_id="), "{next}");
    let mfa = get_text(&browser, app.url(&next)).await;
    assert!(mfa.contains("Set up an authenticator app"));
}
