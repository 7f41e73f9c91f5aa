//! Codes by email and SMS on the hosted pages, without JavaScript: "Email me a code" as a first
//! factor, a text message as the second factor after a password, resend and failures.

use crate::helpers::*;
use crate::http_recorder::HttpRecorder;
use crate::smtp_server::SmtpServer;
use crate::totp::decode_claims;
use serde_json::{Value, json};

const ADA: &str = "ada@example.com";

/// Posts a "send me a code" form from `page_html` (the button with `button_id`); returns the
/// response (a redirect to the code page, or back to the choice with an error).
pub async fn press(
    app: &TestApp,
    browser: &reqwest::Client,
    page_html: &str,
    button_id: &str,
) -> reqwest::Response {
    let start = page_html
        .find(&format!("id=\"{button_id}\""))
        .unwrap_or_else(|| panic!("no {button_id} in {page_html}"));
    let form_start = page_html[..start].rfind("<form").unwrap();
    let form = &page_html[form_start..start];
    let fields: Vec<(String, String)> = form
        .split("<input type=\"hidden\" name=\"")
        .skip(1)
        .map(|f| {
            let (name, rest) = f.split_once("\" value=\"").unwrap();
            (
                name.to_owned(),
                rest.split('"')
                    .next()
                    .unwrap()
                    .replace("&#x2b;", "+")
                    .replace("&amp;", "&"),
            )
        })
        .collect();
    browser
        .post(app.url("/login/code/send"))
        .form(&fields)
        .send()
        .await
        .unwrap()
}

async fn submit_code(
    app: &TestApp,
    browser: &reqwest::Client,
    code_page: &str,
    code: &str,
) -> reqwest::Response {
    browser
        .post(app.url("/login/code"))
        .form(&[
            ("requestId", hidden_field(code_page, "requestId")),
            ("id", hidden_field(code_page, "id")),
            ("track_id", hidden_field(code_page, "track_id")),
            ("csrf_token", hidden_field(code_page, "csrf_token")),
            ("pass_code", code.to_owned()),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn email_me_a_code_signs_in_on_the_hosted_pages_with_a_resend() {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |c| c.smtp_url = Some(url)).await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let methods = app.methods_page(&browser, &request_id, ADA).await;
    assert!(methods.contains("Email me a code"), "{methods}");
    assert!(!methods.contains("id=\"method-sms\""), "no phone, no SMS");

    let sent = press(&app, &browser, &methods, "method-email").await;
    assert_eq!(sent.status(), 303);
    let code_url = location(&sent);
    assert!(code_url.starts_with("/login/code?"), "{code_url}");
    // a double click (or back and again) leads to the same code, and sends no second mail
    let again = press(&app, &browser, &methods, "method-email").await;
    assert_eq!(location(&again), code_url);
    let page = get_text(&browser, app.url(&code_url)).await;
    assert!(page.contains("a***@example.com"), "{page}");
    assert!(page.contains("autocomplete=\"one-time-code\""));
    let code = smtp.wait_for_mail(ADA, 1).await[0].code();

    // a wrong code: the error is next to the form, which stays
    let wrong = submit_code(
        &app,
        &browser,
        &page,
        if code == "000000" { "111111" } else { "000000" },
    )
    .await;
    assert_eq!(wrong.status(), 422);
    let wrong = wrong.text().await.unwrap();
    assert!(wrong.contains("The code is not correct"), "{wrong}");

    // "send again" too early, then after the cooldown: the same code arrives again
    let resend = |page: String| {
        let browser = browser.clone();
        let url = app.url("/login/code/resend");
        async move {
            browser
                .post(url)
                .form(&[
                    ("requestId", hidden_field(&page, "requestId")),
                    ("id", hidden_field(&page, "id")),
                    ("track_id", String::new()),
                    ("csrf_token", hidden_field(&page, "csrf_token")),
                ])
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    assert!(
        resend(page.clone())
            .await
            .contains("You can ask for it again in")
    );
    assert_eq!(smtp.messages().len(), 1, "nothing was sent twice");
    app.clock.advance(31);
    assert!(
        resend(page.clone())
            .await
            .contains("We sent the same code again.")
    );
    assert_eq!(smtp.wait_for_mail(ADA, 2).await[1].code(), code);

    let done = submit_code(&app, &browser, &page, &code).await;
    let back = location(&done);
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    let tokens: Value = app
        .redeem(&rp, &param(&query_pairs(&back), "code").unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        decode_claims(tokens["id_token"].as_str().unwrap())["amr"],
        json!(["mail"])
    );
}

#[tokio::test]
async fn an_unknown_email_gets_the_same_code_page_and_a_failing_mail_server_sends_the_user_back_to_choose()
 {
    let smtp = SmtpServer::start_failing().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |c| c.smtp_url = Some(url)).await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;

    let unknown = app
        .methods_page(&browser, &request_id, "nobody@example.com")
        .await;
    let sent = press(&app, &browser, &unknown, "method-email").await;
    assert_eq!(sent.status(), 303, "nothing tells an unknown address apart");
    assert!(location(&sent).starts_with("/login/code?"));

    let methods = app.methods_page(&browser, &request_id, ADA).await;
    let failed = press(&app, &browser, &methods, "method-email").await;
    let back = location(&failed);
    assert!(back.contains("error=delivery_failed"), "{back}");
    let page = get_text(&browser, app.url(&back)).await;
    assert!(
        page.contains("We could not send the code just now"),
        "{page}"
    );
    assert!(
        page.contains("id=\"method-password\""),
        "the other ways are offered"
    );
}

#[tokio::test]
async fn a_text_message_is_the_second_factor_after_a_password() {
    let sms = HttpRecorder::start().await;
    let url = sms.url("/sms");
    let app = TestApp::spawn_with(move |c| {
        c.sms_provider = "webhook".into();
        c.sms_url = Some(url);
    })
    .await;
    app.create_user_with_phone(ADA, Some("+4915112345678"))
        .await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let login = location(&app.authorize(&browser, &code_request(&rp)).await);
    let (request_id, csrf) = app.open_login_page(&browser, &login).await;
    let after_password = app
        .submit_login(&browser, &request_id, &csrf, ADA, PASSWORD)
        .await;
    let mfa = location(&after_password);
    assert!(
        mfa.starts_with("/mfa?"),
        "a confirmed phone is a second factor: {mfa}"
    );
    let page = get_text(&browser, app.url(&mfa)).await;
    assert!(page.contains("Text a code to •••• 5678"), "{page}");

    let sent = press(&app, &browser, &page, "method-sms").await;
    let code_page = get_text(&browser, app.url(&location(&sent))).await;
    let text = sms.wait_for_requests(1).await[0].json()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    let code: String = text.chars().take_while(char::is_ascii_digit).collect();
    let done = submit_code(&app, &browser, &code_page, &code).await;
    let back = location(&done);
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    let tokens: Value = app
        .redeem(&rp, &param(&query_pairs(&back), "code").unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        decode_claims(tokens["id_token"].as_str().unwrap())["amr"],
        json!(["pwd", "sms", "mfa"])
    );
}
