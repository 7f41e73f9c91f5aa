//! Passwordless sign-in on the hosted pages: other ways to sign in, then a TOTP code.

use crate::helpers::*;
use crate::totp::decode_claims;
use serde_json::{Value, json};

fn alert(html: &str) -> String {
    html.split("role=\"alert\"")
        .nth(1)
        .expect("an alert")
        .split("</div>")
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn other_ways_to_sign_in_lead_to_a_totp_code_page_that_signs_in() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let phone = app
        .enroll_totp(&app.signed_in_browser("ada@example.com").await, "Pixel")
        .await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let login = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
    assert!(login.contains(&format!("href=\"/login/methods?requestId={request_id}\"")));

    let methods = browser
        .get(app.url("/login/methods"))
        .query(&[
            ("requestId", request_id.as_str()),
            ("username", "ada@example.com"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(methods.contains("id=\"method-totp\"") && methods.contains("id=\"method-password\""));
    let verify_href = methods
        .split("id=\"method-totp\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let page = get_text(&browser, app.url(&verify_href)).await;
    assert!(
        page.contains("autocomplete=\"one-time-code\"")
            && page.contains("inputmode=\"numeric\"")
            && page.contains("<label for=\"pass_code\">")
    );
    let csrf = hidden_field(&page, "csrf_token");
    let submit = |code: String| {
        browser
            .post(app.url("/login/verify"))
            .form(&[
                ("requestId", request_id.as_str()),
                ("username", "ada@example.com"),
                ("pass_code", code.as_str()),
                ("csrf_token", csrf.as_str()),
            ])
            .send()
    };
    let wrong = submit("000000".into()).await.unwrap();
    assert_eq!(wrong.status(), 422);
    let wrong_message = alert(&wrong.text().await.unwrap());

    let back = location(&submit(phone.code(&app, 0)).await.unwrap());
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    let code = param(&query_pairs(&back), "code").unwrap();
    let tokens: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    assert_eq!(
        decode_claims(tokens["id_token"].as_str().unwrap())["amr"],
        json!(["otp"])
    );

    // an unknown user gets exactly the same message as a wrong code
    let other = app.browser();
    let request_id = app.start_login(&other, &rp).await;
    let page = get_text(
        &other,
        app.url(&format!(
            "/login/verify?requestId={request_id}&username=nobody@example.com"
        )),
    )
    .await;
    let response = other
        .post(app.url("/login/verify"))
        .form(&[
            ("requestId", request_id.as_str()),
            ("username", "nobody@example.com"),
            ("pass_code", "123456"),
            ("csrf_token", hidden_field(&page, "csrf_token").as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(alert(&response.text().await.unwrap()), wrong_message);
}

#[tokio::test]
async fn the_method_list_does_not_tell_an_unknown_user_from_a_password_only_user() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let mut pages = Vec::new();
    for who in ["ada@example.com", "nobody@example.com"] {
        let html = browser
            .get(app.url("/login/methods"))
            .query(&[("requestId", request_id.as_str()), ("username", who)])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!html.contains("method-totp"));
        pages.push(
            html.replace(who, "WHO")
                .replace(&who.replace('@', "%40"), "WHO"),
        );
    }
    assert_eq!(pages[0], pages[1]);
}

#[tokio::test]
async fn a_client_that_requires_two_factors_starts_with_the_password() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let phone = app
        .enroll_totp(&app.signed_in_browser("ada@example.com").await, "Pixel")
        .await;
    let rp = app
        .create_client(ClientSpec {
            mfa: "always",
            ..ClientSpec::default()
        })
        .await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let methods = browser
        .get(app.url("/login/methods"))
        .query(&[
            ("requestId", request_id.as_str()),
            ("username", "ada@example.com"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !methods.contains("method-totp"),
        "no passwordless option offered"
    );
    let page = get_text(
        &browser,
        app.url(&format!(
            "/login/verify?requestId={request_id}&username=ada@example.com"
        )),
    )
    .await;
    let response = browser
        .post(app.url("/login/verify"))
        .form(&[
            ("requestId", request_id.as_str()),
            ("username", "ada@example.com"),
            ("pass_code", phone.code(&app, 0).as_str()),
            ("csrf_token", hidden_field(&page, "csrf_token").as_str()),
        ])
        .send()
        .await
        .unwrap();
    let back = location(&response);
    assert!(back.contains("error=password_required"), "{back}");
    let html = get_text(&browser, app.url(&back)).await;
    assert!(alert(&html).contains("password"));
}
