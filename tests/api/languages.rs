//! Languages (issue 16): the hosted pages, the account page and the mailed codes in English and
//! German, chosen by `ui_locales` → the visitor's choice on the switch → `Accept-Language` →
//! `default_locale`; the switch never redirects off the site; discovery lists the languages.

use crate::helpers::*;
use crate::smtp_server::SmtpServer;
use gatehouse::i18n::Tr;
use serde_json::{Value, json};

const ADA: &str = "ada@example.com";

/// The parameters of a code request for `rp`, with `extra` ones (`ui_locales`…).
fn request<'a>(rp: &'a Rp, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut params = code_request(rp);
    params.extend_from_slice(extra);
    params
}

/// Starts an authorization with `extra` parameters; returns the login page's address.
async fn login_location(
    app: &TestApp,
    browser: &reqwest::Client,
    rp: &Rp,
    extra: &[(&str, &str)],
) -> String {
    let response = app.authorize(browser, &request(rp, extra)).await;
    let login = location(&response);
    assert!(login.starts_with("/login?requestId="), "{login}");
    login
}

/// The `action` of the form whose submit button has `id`, and its hidden fields.
fn form_of(html: &str, button_id: &str) -> Vec<(String, String)> {
    let at = html
        .find(&format!("id=\"{button_id}\""))
        .unwrap_or_else(|| panic!("no {button_id} in {html}"));
    let form = &html[html[..at].rfind("<form").unwrap()..at];
    form.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .map(|f| {
            let (name, rest) = f.split_once("\" value=\"").unwrap();
            let value = rest.split('"').next().unwrap();
            (
                name.to_owned(),
                value.replace("&#x2b;", "+").replace("&amp;", "&"),
            )
        })
        .collect()
}

/// Runs "Other ways to sign in" → "Email me a code" → the mailed code in one language, and
/// returns (the methods page, the code page, the mail's subject, its text body, its HTML body,
/// where the browser was sent at the end).
async fn email_code_sign_in(
    ui_locales: Option<&str>,
) -> (String, String, String, String, String, String) {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |c| c.smtp_url = Some(url)).await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let extra: Vec<(&str, &str)> = ui_locales.map(|l| ("ui_locales", l)).into_iter().collect();
    let login = login_location(&app, &browser, &rp, &extra).await;
    let (request_id, _) = app.open_login_page(&browser, &login).await;
    let methods = app.methods_page(&browser, &request_id, ADA).await;
    let sent = browser
        .post(app.url("/login/code/send"))
        .form(&form_of(&methods, "method-email"))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303);
    let code_page = get_text(&browser, app.url(&location(&sent))).await;
    let mail = smtp.wait_for_mail(ADA, 1).await.remove(0);
    let done = browser
        .post(app.url("/login/code"))
        .form(&[
            ("requestId", hidden_field(&code_page, "requestId")),
            ("id", hidden_field(&code_page, "id")),
            ("track_id", String::new()),
            ("csrf_token", hidden_field(&code_page, "csrf_token")),
            ("pass_code", mail.code()),
        ])
        .send()
        .await
        .unwrap();
    (
        methods,
        code_page,
        mail.subject(),
        mail.text_body(),
        mail.html_body(),
        location(&done),
    )
}

#[tokio::test]
async fn the_same_sign_in_by_emailed_code_reads_in_english_and_in_german() {
    let (methods, code_page, subject, text, html, done) = email_code_sign_in(None).await;
    assert!(methods.contains("<html lang=\"en\">"), "{methods}");
    assert!(methods.contains(">Email me a code</button>"), "{methods}");
    assert!(
        code_page.contains("<h1>Enter your code</h1>"),
        "{code_page}"
    );
    assert!(
        code_page.contains("We sent a code by email to"),
        "{code_page}"
    );
    assert!(subject.starts_with("Your sign-in code for "), "{subject}");
    assert!(text.starts_with("Hello,"), "{text}");
    assert!(text.contains("Use this code to sign in to "), "{text}");
    assert!(text.contains("works once"), "{text}");
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(done.starts_with("http://localhost"), "signed in: {done}");

    let (methods, code_page, subject, text, html, done) = email_code_sign_in(Some("de")).await;
    assert!(methods.contains("<html lang=\"de\">"), "{methods}");
    assert!(
        methods.contains(">Code per E-Mail senden</button>"),
        "{methods}"
    );
    assert!(!methods.contains("Email me a code"), "{methods}");
    assert!(code_page.contains("<h1>Code eingeben</h1>"), "{code_page}");
    assert!(
        code_page.contains("Wir haben einen Code per E-Mail an"),
        "{code_page}"
    );
    assert!(subject.starts_with("Ihr Anmeldecode für "), "{subject}");
    assert!(text.starts_with("Hallo,"), "{text}");
    assert!(
        text.contains("Mit diesem Code melden Sie sich bei "),
        "{text}"
    );
    assert!(text.contains("funktioniert nur einmal"), "{text}");
    assert!(!text.contains("Hello"), "{text}");
    assert!(html.contains("<html lang=\"de\">"), "{html}");
    assert!(
        html.contains("Geben Sie diesen Code niemandem weiter"),
        "{html}"
    );
    assert!(done.starts_with("http://localhost"), "signed in: {done}");
}

#[tokio::test]
async fn a_wrong_password_is_refused_in_the_pages_language() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let login = login_location(&app, &browser, &rp, &[("ui_locales", "de-AT en")]).await;
    let (request_id, csrf) = app.open_login_page(&browser, &login).await;
    let refused = app
        .submit_login(&browser, &request_id, &csrf, ADA, "not the password")
        .await;
    let page = get_text(&browser, app.url(&location(&refused))).await;
    assert!(
        page.contains("E-Mail-Adresse oder Passwort ist nicht korrekt."),
        "{page}"
    );
    assert!(
        page.contains("<label for=\"password\">Passwort</label>"),
        "{page}"
    );
}

/// The `<html lang>` of the login page `login`, fetched with `accept_language` if given.
async fn page_lang(
    app: &TestApp,
    browser: &reqwest::Client,
    login: &str,
    accept_language: Option<&str>,
) -> String {
    let mut get = browser.get(app.url(login));
    if let Some(value) = accept_language {
        get = get.header("accept-language", value);
    }
    let html = get.send().await.unwrap().text().await.unwrap();
    let start = html.find("<html lang=\"").expect("html lang") + 12;
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn without_ui_locales_accept_language_decides_then_the_default() {
    let app = TestApp::spawn().await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let login = login_location(&app, &browser, &rp, &[]).await;
    assert_eq!(page_lang(&app, &browser, &login, None).await, "en");
    assert_eq!(
        page_lang(&app, &browser, &login, Some("fr-CH, de;q=0.9, en;q=0.8")).await,
        "de"
    );
    assert_eq!(
        page_lang(&app, &browser, &login, Some("de;q=0.1, en")).await,
        "en"
    );

    let german = TestApp::spawn_with(|c| c.default_locale = "de".into()).await;
    let rp = german.confidential_client().await;
    let browser = german.browser();
    let login = login_location(&german, &browser, &rp, &[]).await;
    assert_eq!(page_lang(&german, &browser, &login, None).await, "de");
    assert_eq!(page_lang(&german, &browser, &login, Some("fr")).await, "de");
    assert_eq!(
        page_lang(&german, &browser, &login, Some("en-GB")).await,
        "en"
    );
}

/// Posts the language switch; returns the response.
async fn switch(
    app: &TestApp,
    browser: &reqwest::Client,
    lang: &str,
    back: &str,
) -> reqwest::Response {
    browser
        .post(app.url("/language"))
        .form(&[("lang", lang), ("back", back)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn ui_locales_sets_a_new_request_and_a_later_switch_wins_for_the_session() {
    let app = TestApp::spawn().await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    // ui_locales beats Accept-Language
    let login = login_location(&app, &browser, &rp, &[("ui_locales", "de")]).await;
    assert_eq!(page_lang(&app, &browser, &login, Some("en")).await, "de");
    let page = get_text(&browser, app.url(&login)).await;
    assert!(
        page.contains("<form method=\"post\" action=\"/language\""),
        "{page}"
    );
    assert!(
        page.contains("<label for=\"language-select\">Sprache</label>"),
        "{page}"
    );
    assert!(page.contains("<option value=\"de\" lang=\"de\" selected>Deutsch</option>"));

    // the switch comes back to the same page, which now speaks the choice, whatever the
    // request asked for and the browser prefers
    let switched = switch(&app, &browser, "en", &login).await;
    assert_eq!(switched.status(), 303);
    assert_eq!(location(&switched), login);
    assert_eq!(page_lang(&app, &browser, &login, Some("de")).await, "en");
    // … and for the session: a request without ui_locales too
    app.clock.advance(1);
    let plain = login_location(&app, &browser, &rp, &[]).await;
    assert_eq!(page_lang(&app, &browser, &plain, Some("de")).await, "en");
    // a NEW request that asks for German gets German
    app.clock.advance(1);
    let again = login_location(&app, &browser, &rp, &[("ui_locales", "de")]).await;
    assert_eq!(page_lang(&app, &browser, &again, None).await, "de");
    // the older request keeps the later choice
    assert_eq!(page_lang(&app, &browser, &login, None).await, "en");
}

#[tokio::test]
async fn the_switch_refuses_another_site_an_unknown_language_and_never_leaves_the_site() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    for bad in [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "javascript:alert(1)",
    ] {
        let response = switch(&app, &browser, "de", bad).await;
        assert_eq!(response.status(), 303, "{bad}");
        assert_eq!(location(&response), "/", "{bad} is not followed");
    }
    let unknown = switch(&app, &browser, "xx", "/").await;
    assert_eq!(unknown.status(), 400);
    let forged = browser
        .post(app.url("/language"))
        .header("origin", "https://evil.example")
        .form(&[("lang", "de"), ("back", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    // what was accepted (German, from our own page) is the start page's language now
    let start = get_text(&browser, app.url("/")).await;
    assert!(start.contains("<html lang=\"de\">"), "{start}");
    assert!(start.contains("Dies ist ein Anmeldedienst."), "{start}");
}

#[tokio::test]
async fn discovery_lists_the_shipped_languages() {
    let app = TestApp::spawn().await;
    let doc: Value = app.discovery().await;
    assert_eq!(doc["ui_locales_supported"], json!(["en", "de"]));
}

#[tokio::test]
async fn the_account_page_writes_dates_the_way_the_language_does() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let browser = app.signed_in_browser(ADA).await;
    let english = get_text(&browser, app.url("/account")).await;
    assert!(english.contains("<h1>Your account</h1>"), "{english}");
    let today_en = Tr::new("en").date(app.clock.now());
    assert!(english.contains(&today_en), "{today_en} in {english}");

    let switched = switch(&app, &browser, "de", "/account").await;
    assert_eq!(location(&switched), "/account");
    let german = get_text(&browser, app.url("/account")).await;
    assert!(german.contains("<html lang=\"de\">"), "{german}");
    assert!(german.contains("<h1>Ihr Konto</h1>"), "{german}");
    assert!(german.contains("Dieser Browser"), "{german}");
    let today_de = Tr::new("de").date(app.clock.now());
    assert!(german.contains(&today_de), "{today_de} in {german}");
    assert!(
        today_de.contains(". "),
        "German dates have a day with a dot: {today_de}"
    );
}

#[tokio::test]
async fn error_pages_speak_the_visitors_language() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let expired = browser
        .get(app.url(&format!("/login?requestId={}", uuid::Uuid::new_v4())))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 400);
    let page = expired.text().await.unwrap();
    assert!(page.contains("<html lang=\"de\">"), "{page}");
    assert!(
        page.contains("Dieser Anmeldelink ist abgelaufen oder wurde schon verwendet."),
        "{page}"
    );
    assert!(page.contains("Fehler 400"), "{page}");
    let missing = browser
        .get(app.url("/no/such/page"))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let page = missing.text().await.unwrap();
    assert!(page.contains("Seite nicht gefunden"), "{page}");
    // English stays as it was
    let english = get_text(&browser, app.url("/no/such/page")).await;
    assert!(english.contains("Page not found"), "{english}");
}

#[tokio::test]
async fn an_admin_sets_the_default_language_on_the_settings_page_and_it_applies_at_once() {
    let app = TestApp::spawn().await;
    app.create_admin("root@example.com").await;
    let admin = app.signed_in_browser("root@example.com").await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let login = login_location(&app, &browser, &rp, &[]).await;
    assert_eq!(page_lang(&app, &browser, &login, None).await, "en");

    // a language we do not ship is refused, nothing changes
    let refused = crate::admin_settings::save(&app, &admin, &[("default_locale", "fr")], &[]).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains(
            "id=\"default_locale-error\">&#34;fr&#34; is not a shipped language (en, de)"
        ),
        "{page}"
    );
    assert_eq!(app.state.live().config.default_locale, "en");

    let saved = crate::admin_settings::save(&app, &admin, &[("default_locale", "de")], &[]).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(page_lang(&app, &browser, &login, None).await, "de");
    assert_eq!(
        page_lang(&app, &browser, &login, Some("en")).await,
        "en",
        "the browser's language still comes first"
    );
}
