//! `/admin/connectors`: how messages leave — SMTP (or the outbox folder), the SMS provider and
//! the push service — each with "send a test message" that shows the provider's real answer and
//! is written to the delivery log. Credentials are never shown back.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::settings_form::{self, Field, Group, Kind, Saved};
use super::{Chrome, Section};
use crate::channels::{DeliveryError, Email, Push, Receipt, Sms};
use crate::domain::user::{Email as Address, normalize_phone};
use crate::domain::verification::mask_email;
use crate::flows::AppState;
use crate::store;
use crate::store::deliveries::Delivery;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::extract::{Admin, Csrf};
use crate::web::hosted::html;

/// The answer to a test message, shown on the page.
pub struct TestResult {
    pub channel: &'static str,
    pub ok: bool,
    pub text: String,
}

#[derive(Template)]
#[template(path = "admin/connectors.html")]
struct ConnectorsPage {
    chrome: Chrome,
    groups: Vec<Group>,
    mail_to: String,
    sms_to: String,
    push_to: String,
    test: Option<TestResult>,
    notice: Option<String>,
    error: Option<String>,
}

fn field(key: &'static str, label: &'static str, help: &'static str, kind: Kind) -> Field {
    Field {
        key,
        label,
        help,
        kind,
        value: String::new(),
        is_set: false,
        error: None,
    }
}

fn groups() -> Vec<Group> {
    vec![
        Group {
            title: "Mail",
            fields: vec![
                field(
                    "smtp_url",
                    "SMTP server",
                    "smtp://host:25 (plain), smtp://user:pass@host:587?tls=required (STARTTLS) or smtps://user:pass@host:465. Empty: the configuration file's value; none there: mail is written to the outbox folder.",
                    Kind::Text,
                ),
                field(
                    "mail_from",
                    "Sender",
                    "e.g. Example Login <login@example.com>.",
                    Kind::Text,
                ),
            ],
            optional: false,
        },
        Group {
            title: "SMS",
            fields: vec![
                field(
                    "sms_provider",
                    "Provider",
                    "webhook: JSON post to the URL; twilio: Twilio's Messages API.",
                    Kind::Choice(vec!["none", "webhook", "twilio"]),
                ),
                field(
                    "sms_url",
                    "URL",
                    "Webhook: where to post. Twilio: the API base (empty: https://api.twilio.com).",
                    Kind::Text,
                ),
                field("sms_username", "User / account SID", "", Kind::Text),
                field("sms_password", "Password / auth token", "", Kind::Secret),
                field(
                    "sms_from",
                    "Sender",
                    "A number or name the provider allows.",
                    Kind::Text,
                ),
            ],
            optional: false,
        },
        Group {
            title: "Push",
            fields: vec![
                field(
                    "push_provider",
                    "Service",
                    "webhook: JSON post to the URL; ntfy: post to the URL + the device's topic.",
                    Kind::Choice(vec!["none", "webhook", "ntfy"]),
                ),
                field("push_url", "URL", "", Kind::Text),
                field(
                    "push_token",
                    "Access token",
                    "Sent as a Bearer token.",
                    Kind::Secret,
                ),
            ],
            optional: false,
        },
    ]
}

fn page(state: &AppState, admin: &Admin, groups: Vec<Group>) -> ConnectorsPage {
    ConnectorsPage {
        chrome: Chrome::new(state, admin, Section::Connectors),
        groups,
        mail_to: admin.email.clone(),
        sms_to: String::new(),
        push_to: String::new(),
        test: None,
        notice: None,
        error: None,
    }
}

fn current_groups(state: &AppState) -> Vec<Group> {
    let mut groups = groups();
    settings_form::fill(&mut groups, &state.live().config);
    groups
}

pub async fn connectors_page(
    state: web::Data<AppState>,
    query: web::Query<BTreeMap<String, String>>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let mut view = page(&state, &admin, current_groups(&state));
    view.notice = settings_form::saved_notice(&query, "The connectors in force changed.");
    html(&state, &admin.browser, &view, StatusCode::OK)
}

pub async fn connectors_save(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Csrf<BTreeMap<String, String>>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let mut groups = groups();
    match settings_form::save(
        &state,
        &req,
        &admin,
        &mut groups,
        &form,
        vec![],
        "admin.settings.connectors",
    )
    .await?
    {
        Saved::Applied(detail) => Ok(settings_form::after_save("/admin/connectors", &detail)),
        Saved::Invalid => {
            let mut view = page(&state, &admin, groups);
            view.error = Some("Nothing was saved: correct the fields marked below.".into());
            html(
                &state,
                &admin.browser,
                &view,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

/// `POST /admin/connectors/test`: sends a test message with the connectors in force.
pub async fn connectors_test(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Csrf<BTreeMap<String, String>>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let to = form
        .get("to")
        .map(|t| t.trim().to_owned())
        .unwrap_or_default();
    let channel = form.get("channel").map(String::as_str).unwrap_or("");
    let mut view = page(&state, &admin, current_groups(&state));
    let live = state.live();
    let text = format!(
        "This is a test message from {} (sent by {}).",
        state.issuer, admin.email
    );
    let (channel, destination, outcome): (&'static str, String, Result<Receipt, DeliveryError>) =
        match channel {
            "email" => {
                view.mail_to = to.clone();
                let Ok(address) = Address::parse(&to) else {
                    return refused(
                        &state,
                        &admin,
                        view,
                        "email",
                        "Enter an email address to send the test to.",
                    );
                };
                let mail = Email {
                    to: address.to_string(),
                    subject: "Gatehouse test message".into(),
                    html: format!("<p>{text}</p>"),
                    text: text.clone(),
                };
                (
                    "email",
                    mask_email(address.as_str()),
                    live.channels.mail.send(&mail).await,
                )
            }
            "sms" => {
                view.sms_to = to.clone();
                let Some(sms) = &live.channels.sms else {
                    return refused(
                        &state,
                        &admin,
                        view,
                        "sms",
                        "No SMS provider is configured: choose one above and save first.",
                    );
                };
                let Ok(number) = normalize_phone(&to) else {
                    return refused(
                        &state,
                        &admin,
                        view,
                        "sms",
                        "Enter the number in international form, like +49 151 12345678.",
                    );
                };
                let message = Sms {
                    to: number.clone(),
                    body: text.clone(),
                };
                (
                    "sms",
                    crate::domain::one_time_code::mask_phone(&number),
                    sms.send(&message).await,
                )
            }
            "push" => {
                view.push_to = to.clone();
                let Some(push) = &live.channels.push else {
                    return refused(
                        &state,
                        &admin,
                        view,
                        "push",
                        "No push service is configured: choose one above and save first.",
                    );
                };
                if to.is_empty() {
                    return refused(
                        &state,
                        &admin,
                        view,
                        "push",
                        "Enter a device's push token (or ntfy topic).",
                    );
                }
                let note = Push {
                    device_token: to.clone(),
                    title: "Gatehouse test".into(),
                    body: text.clone(),
                };
                ("push", "test device".into(), push.send(&note).await)
            }
            _ => return Err(WebError::BadRequest("Choose a channel to test.".into())),
        };
    let (provider, ok, detail) = match &outcome {
        Ok(r) => (r.provider, true, r.detail.clone()),
        Err(e) => (e.provider, false, e.detail.clone()),
    };
    state
        .metrics
        .delivery(channel, if ok { "sent" } else { "failed" });
    let log = Delivery {
        id: uuid::Uuid::now_v7().to_string(),
        channel: channel.into(),
        destination,
        purpose: "test".into(),
        user_id: Some(admin.id.clone()),
        provider: provider.into(),
        status: if ok { "sent" } else { "failed" }.into(),
        detail: Some(detail.clone()),
        created_at: state.now(),
        took_ms: None,
    };
    state
        .store
        .run(move |c| store::deliveries::insert_delivery(c, &log))
        .await?;
    audit::record(
        &state,
        &req,
        Audit::success("admin.connectors.test")
            .actor(&admin.id)
            .detail(format!(
                "{channel} via {provider}: {}",
                if ok { "sent" } else { "failed" }
            )),
    )
    .await;
    view.test = Some(TestResult {
        channel,
        ok,
        text: if ok {
            format!("Sent through {provider}. The provider answered: {detail}")
        } else {
            format!("Not sent: {provider} answered: {detail}")
        },
    });
    html(
        &state,
        &admin.browser,
        &view,
        if ok {
            StatusCode::OK
        } else {
            StatusCode::BAD_GATEWAY
        },
    )
}

fn refused(
    state: &AppState,
    admin: &Admin,
    mut view: ConnectorsPage,
    channel: &'static str,
    message: &str,
) -> Result<HttpResponse, WebError> {
    view.test = Some(TestResult {
        channel,
        ok: false,
        text: message.into(),
    });
    html(
        state,
        &admin.browser,
        &view,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}
