//! Settings pages: saved values take effect without a restart, invalid ones are refused next to
//! their field, every change is audited.

use std::collections::HashMap;

use crate::helpers::*;
use crate::smtp_server::SmtpServer;
use gatehouse::store;
use serde_json::json;

async fn admin_with_mail() -> (TestApp, SmtpServer, reqwest::Client) {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |c| c.smtp_url = Some(url)).await;
    app.create_admin("root@example.com").await;
    let admin = app.signed_in_browser("root@example.com").await;
    (app, smtp, admin)
}

/// Undoes HTML escaping in an attribute value, as a browser does.
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find(';') else {
            break;
        };
        let entity = &rest[start + 1..start + end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            _ if entity.starts_with("#x") => u32::from_str_radix(&entity[2..], 16)
                .ok()
                .and_then(char::from_u32),
            _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => out.push(c),
            None => out.push_str(&rest[start..=start + end]),
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// The form as the page shows it: every field with its current value (checked boxes only).
fn form_of(page: &str) -> HashMap<String, String> {
    let mut fields = HashMap::new();
    for tag in page
        .split('<')
        .filter(|t| t.starts_with("input ") || t.starts_with("select "))
    {
        let attr = |name: &str| {
            let marker = format!("{name}=\"");
            tag.find(&marker)
                .map(|i| unescape(tag[i + marker.len()..].split('"').next().unwrap()))
        };
        let Some(name) = attr("name") else { continue };
        if tag.starts_with("select ") {
            let rest = &page[page.find(tag).unwrap()..];
            let selected = rest
                .split("</select>")
                .next()
                .unwrap()
                .split("<option value=\"")
                .skip(1)
                .find(|o| o.contains(" selected"))
                .map(|o| unescape(o.split('"').next().unwrap()))
                .unwrap_or_default();
            fields.insert(name, selected);
        } else if tag.contains("type=\"checkbox\"") {
            if tag.contains(" checked") {
                fields.insert(name, "1".into());
            }
        } else {
            fields.insert(name, attr("value").unwrap_or_default());
        }
    }
    fields
}

pub async fn save(
    app: &TestApp,
    admin: &reqwest::Client,
    changes: &[(&str, &str)],
    remove: &[&str],
) -> reqwest::Response {
    let page = get_text(admin, app.url("/admin/methods")).await;
    let mut form = form_of(&page);
    for (k, v) in changes {
        form.insert((*k).into(), (*v).into());
    }
    for k in remove {
        form.remove(*k);
    }
    admin
        .post(app.url("/admin/methods"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn code_rules_saved_on_the_page_apply_at_once_and_are_audited() {
    let (app, smtp, admin) = admin_with_mail().await;
    app.create_user("ada@example.com").await;
    let saved = save(&app, &admin, &[("otp_digits", "8")], &[]).await;
    if saved.status() != 303 {
        let body = saved.text().await.unwrap();
        let errors: Vec<&str> = body
            .split("class=\"field-error\"")
            .skip(1)
            .map(|e| e.split("</p>").next().unwrap())
            .collect();
        panic!("not saved: {errors:?}");
    }
    assert_eq!(location(&saved), "/admin/methods?saved=1");
    let page = get_text(&admin, app.url("/admin/methods?saved=1")).await;
    assert!(page.contains("The new settings are in force"));
    assert!(
        page.contains("id=\"otp_digits\" name=\"otp_digits\" type=\"number\" value=\"8\""),
        "{page}"
    );

    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let (status, _) = post_json(
        &reqwest::Client::new(),
        app.url("/verification-srv/authentication/email/initiation"),
        json!({"request_id": request_id, "email": "ada@example.com"}),
    )
    .await;
    assert_eq!(status, 200);
    let code = smtp.wait_for_mail("ada@example.com", 1).await[0].code();
    assert_eq!(code.len(), 8, "no restart needed");

    let events = app
        .state
        .store
        .run(|c| store::audit::list_audit_events(c, None, 50))
        .await
        .unwrap();
    let event = events
        .iter()
        .find(|e| e.action == "admin.settings.methods")
        .expect("audited");
    assert_eq!(event.detail, "otp_digits: 6 → 8");
    assert!(event.actor.is_some());
}

#[tokio::test]
async fn an_invalid_value_is_shown_next_to_its_field_and_nothing_is_saved() {
    let (app, _smtp, admin) = admin_with_mail().await;
    let refused = save(
        &app,
        &admin,
        &[("otp_digits", "99"), ("otp_ttl", "600")],
        &[],
    )
    .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("id=\"otp_digits-error\""), "{page}");
    assert!(page.contains("Must be between 4 and 10"), "{page}");
    assert!(page.contains("value=\"99\""), "what was typed stays");
    assert_eq!(app.state.live().config.otp_digits, 6);
    assert_eq!(
        app.state.live().config.otp_ttl,
        300,
        "nothing of the form was saved"
    );
    let stored = app
        .state
        .store
        .run(store::settings::list_settings)
        .await
        .unwrap();
    assert!(stored.is_empty());
}

#[tokio::test]
async fn each_refused_value_is_named_at_its_own_field_not_at_a_neighbour() {
    let (app, _smtp, admin) = admin_with_mail().await;
    for (key, value, message) in [
        ("lockout_failures", "0", "Must be at least 1"),
        ("totp_max_per_user", "0", "Must be at least 1"),
        ("otp_attempts", "0", "Must be at least 1"),
        ("otp_resend_seconds", "-1", "Must not be negative"),
    ] {
        let refused = save(&app, &admin, &[(key, value)], &[]).await;
        assert_eq!(refused.status(), 422, "{key}");
        let page = refused.text().await.unwrap();
        let errors: Vec<&str> = page
            .split("class=\"field-error\" id=\"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap())
            .collect();
        assert_eq!(errors, [format!("{key}-error")], "{key}: {page}");
        assert!(page.contains(message), "{key}: {page}");
    }
}

#[tokio::test]
async fn a_switched_off_method_is_not_offered_and_totp_choices_that_break_apps_are_pointed_out() {
    let (app, _smtp, admin) = admin_with_mail().await;
    app.create_user("ada@example.com").await;
    let saved = save(
        &app,
        &admin,
        &[("totp_algorithm", "SHA256")],
        &["enabled_email"],
    )
    .await;
    assert_eq!(saved.status(), 303);
    let page = get_text(&admin, app.url("/admin/methods")).await;
    assert!(page.contains("id=\"totp-warnings\""));
    assert!(page.contains("SHA256: Google Authenticator and Microsoft Authenticator ignore it"));
    assert!(!page.contains("name=\"enabled_email\" value=\"1\" checked"));

    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let (_, list) = post_json(
        &reqwest::Client::new(),
        app.url("/verification-srv/public/graph/user/setup"),
        json!({"request_id": request_id, "email": "ada@example.com"}),
    )
    .await;
    assert_eq!(
        list["data"]["configured_list"],
        json!([{"type": "PASSWORD"}])
    );
    let (status, refused) = post_json(
        &reqwest::Client::new(),
        app.url("/verification-srv/authentication/email/initiation"),
        json!({"request_id": request_id, "email": "ada@example.com"}),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
}

#[tokio::test]
async fn the_settings_form_needs_its_csrf_token_and_an_administrator() {
    let (app, _smtp, admin) = admin_with_mail().await;
    let forged = admin
        .post(app.url("/admin/methods"))
        .form(&[("otp_digits", "8"), ("csrf_token", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(app.state.live().config.otp_digits, 6);

    app.create_user("ada@example.com").await;
    let user = app.signed_in_browser("ada@example.com").await;
    assert_eq!(
        user.get(app.url("/admin/methods"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let page = get_text(&user, app.url("/account")).await;
    let csrf = hidden_field(&page, "csrf_token");
    let refused = user
        .post(app.url("/admin/methods"))
        .form(&[("otp_digits", "8"), ("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(app.state.live().config.otp_digits, 6);
}

async fn save_connectors(
    app: &TestApp,
    admin: &reqwest::Client,
    changes: &[(&str, &str)],
) -> (u16, String) {
    let page = get_text(admin, app.url("/admin/connectors")).await;
    let form_html = page
        .split("action=\"/admin/connectors/test\"")
        .next()
        .unwrap();
    let mut form = form_of(form_html);
    for (k, v) in changes {
        form.insert((*k).into(), (*v).into());
    }
    let response = admin
        .post(app.url("/admin/connectors"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    let errors: Vec<&str> = body
        .split("class=\"field-error\"")
        .skip(1)
        .map(|e| e.split("</p>").next().unwrap())
        .collect();
    if !errors.is_empty() {
        eprintln!("connectors not saved: {errors:?} form {form:?}");
    }
    (status, body)
}

async fn send_test(
    app: &TestApp,
    admin: &reqwest::Client,
    channel: &str,
    to: &str,
) -> (u16, String) {
    let page = get_text(admin, app.url("/admin/connectors")).await;
    let csrf = hidden_field(&page, "csrf_token");
    let response = admin
        .post(app.url("/admin/connectors/test"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("channel", channel),
            ("to", to),
        ])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn an_sms_provider_set_up_on_the_connectors_page_works_at_once_and_its_secret_is_never_shown()
{
    let (app, _smtp, admin) = admin_with_mail().await;
    let sms = crate::http_recorder::HttpRecorder::start().await;
    let saved = save_connectors(
        &app,
        &admin,
        &[
            ("sms_provider", "webhook"),
            ("sms_url", &sms.url("/sms")),
            ("sms_username", "gh"),
            ("sms_password", "s3cret-token"),
        ],
    )
    .await;
    assert_eq!(saved.0, 303);
    let page = get_text(&admin, app.url("/admin/connectors")).await;
    assert!(
        !page.contains("s3cret-token"),
        "the secret is never shown back"
    );
    assert!(page.contains("(set — leave empty to keep)"));
    let events = app
        .state
        .store
        .run(|c| store::audit::list_audit_events(c, None, 50))
        .await
        .unwrap();
    let detail = &events
        .iter()
        .find(|e| e.action == "admin.settings.connectors")
        .unwrap()
        .detail;
    assert!(detail.contains("sms_provider: none → webhook"), "{detail}");
    assert!(
        detail.contains("sms_password: changed") && !detail.contains("s3cret"),
        "{detail}"
    );

    // sealed at rest: the database holds no credential in the clear
    let rows = app
        .state
        .store
        .run(store::settings::list_settings)
        .await
        .unwrap();
    let stored = &rows.iter().find(|(k, _)| k == "sms_password").unwrap().1;
    assert!(stored.starts_with("\"sealed:v1:"), "{stored}");
    assert!(rows.iter().all(|(_, v)| !v.contains("s3cret")), "{rows:?}");

    // saving again with the secret left empty keeps it
    assert_eq!(
        save_connectors(&app, &admin, &[("sms_from", "Gatehouse")])
            .await
            .0,
        303
    );
    let (status, result) = send_test(&app, &admin, "sms", "+49 151 1234 5678").await;
    assert_eq!(status, 200, "{result}");
    assert!(result.contains("Sent through webhook"), "{result}");
    let sent = &sms.wait_for_requests(1).await[0];
    assert_eq!(
        sent.basic_auth(),
        Some(("gh".into(), "s3cret-token".into()))
    );
    assert_eq!(sent.json()["to"], "+4915112345678");

    // a user with a phone is offered SMS codes right away
    app.create_user_with_phone("ada@example.com", Some("+4915112345678"))
        .await;
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let (_, list) = post_json(
        &reqwest::Client::new(),
        app.url("/verification-srv/public/graph/user/setup"),
        json!({"request_id": request_id, "email": "ada@example.com"}),
    )
    .await;
    assert_eq!(list["data"]["configured_list"][1]["type"], "SMS");
}

#[tokio::test]
async fn test_messages_show_the_providers_real_answer_and_are_logged() {
    let (app, smtp, admin) = admin_with_mail().await;
    let (status, result) = send_test(&app, &admin, "email", "ops@example.com").await;
    assert_eq!(status, 200, "{result}");
    assert!(result.contains("Sent through smtp"), "{result}");
    assert!(
        smtp.wait_for_mail("ops@example.com", 1).await[0]
            .text_body()
            .contains("This is a test message")
    );

    let failing = crate::http_recorder::HttpRecorder::start_with(503, "carrier down").await;
    save_connectors(
        &app,
        &admin,
        &[
            ("sms_provider", "webhook"),
            ("sms_url", &failing.url("/sms")),
        ],
    )
    .await;
    let (status, result) = send_test(&app, &admin, "sms", "+4915112345678").await;
    assert_eq!(status, 502);
    assert!(result.contains("HTTP 503: carrier down"), "{result}");
    let log = app
        .state
        .store
        .run(|c| store::deliveries::list_deliveries(c, false, 10, 0))
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (log[0].purpose.as_str(), log[0].status.as_str()),
        ("test", "failed")
    );
    assert_eq!(
        (log[1].channel.as_str(), log[1].status.as_str()),
        ("email", "sent")
    );

    let (status, result) = send_test(&app, &admin, "push", "topic").await;
    assert_eq!(status, 422);
    assert!(result.contains("No push service is configured"));
}

#[tokio::test]
async fn a_bad_smtp_url_is_refused_next_to_its_field_and_credentials_are_shown_redacted() {
    let (app, _smtp, admin) = admin_with_mail().await;
    let (status, page) =
        save_connectors(&app, &admin, &[("smtp_url", "ftp://mail.example.com")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"smtp_url-error\""), "{page}");
    let smtp2 = SmtpServer::start().await;
    let with_credentials = smtp2.url().replace("smtp://", "smtp://mailer:hunter2@");
    assert_eq!(
        save_connectors(&app, &admin, &[("smtp_url", &with_credentials)])
            .await
            .0,
        303
    );
    let page = get_text(&admin, app.url("/admin/connectors")).await;
    assert!(!page.contains("hunter2"));
    assert!(page.contains("mailer:***@"), "{page}");
    // saving the page again (the redacted URL untouched) keeps the real credentials
    assert_eq!(save_connectors(&app, &admin, &[]).await.0, 303);
    assert_eq!(
        app.state.live().config.smtp_url.as_deref(),
        Some(with_credentials.as_str())
    );
}

#[tokio::test]
async fn a_channel_gets_its_own_code_rules_while_the_others_keep_the_general_ones() {
    let (app, smtp, admin) = admin_with_mail().await;
    let sms = crate::http_recorder::HttpRecorder::start().await;
    app.create_user_with_phone("ada@example.com", Some("+4915112345678"))
        .await;
    save_connectors(
        &app,
        &admin,
        &[("sms_provider", "webhook"), ("sms_url", &sms.url("/sms"))],
    )
    .await;
    let saved = save(
        &app,
        &admin,
        &[("otp_sms_digits", "8"), ("otp_sms_ttl", "120")],
        &[],
    )
    .await;
    assert_eq!(saved.status(), 303);
    let refused = save(&app, &admin, &[("otp_push_attempts", "0")], &[]).await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("id=\"otp_push_attempts-error\"")
    );

    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let http = reqwest::Client::new();
    let (status, started) = post_json(
        &http,
        app.url("/verification-srv/authentication/sms/initiation"),
        json!({"request_id": request_id, "email": "ada@example.com"}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    let text = sms.wait_for_requests(1).await[0].json()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    let code: String = text.chars().take_while(char::is_ascii_digit).collect();
    assert_eq!(code.len(), 8, "{text}");
    assert!(text.contains("Valid for 2 min"), "{text}");
    post_json(
        &http,
        app.url("/verification-srv/authentication/email/initiation"),
        json!({"request_id": request_id, "email": "ada@example.com"}),
    )
    .await;
    assert_eq!(
        smtp.wait_for_mail("ada@example.com", 1).await[0]
            .code()
            .len(),
        6,
        "email keeps the general rule"
    );
}
