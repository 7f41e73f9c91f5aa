//! `GET /admin/audit`: the audit log, newest first, narrowed by user, kind of action, outcome
//! and a range of days (UTC), 25 events a page. The filters are a plain GET form; a value that
//! cannot be used (a malformed date) is shown next to its field with 422, never a server error.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::pager::{PER_PAGE, Pager};
use super::{Chrome, Section};
use crate::domain::user::Email;
use crate::flows::AppState;
use crate::store::{self, audit::AuditEntry, audit::AuditFilter};
use crate::web::error::WebError;
use crate::web::extract::Admin;
use crate::web::hosted::html;
use crate::web::iso8601;

/// The known kinds of action (the part of an action before its first dot), for the filter.
/// Add a prefix here when a new family of audit actions appears.
pub const KINDS: [&str; 12] = [
    "admin",
    "approval",
    "backupcodes",
    "limits",
    "login",
    "logout",
    "password",
    "push_device",
    "register",
    "token",
    "totp",
    "verification",
];

const OUTCOMES: [&str; 2] = ["success", "failure"];

/// The filter form as typed (echoed back into the form).
#[derive(Debug, Default)]
struct AuditForm {
    user: String,
    kind: String,
    outcome: String,
    from: String,
    to: String,
}

/// What is wrong with each filter field, if anything.
#[derive(Debug, Default)]
struct AuditErrors {
    user: Option<String>,
    kind: Option<String>,
    outcome: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

impl AuditErrors {
    fn any(&self) -> bool {
        self.user.is_some()
            || self.kind.is_some()
            || self.outcome.is_some()
            || self.from.is_some()
            || self.to.is_some()
    }
}

/// One row of the table.
struct EventView {
    at: String,
    at_iso: String,
    action: String,
    outcome: String,
    actor: String,
    user_id: Option<String>,
    user_email: Option<String>,
    client: String,
    ip: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    chrome: Chrome,
    form: AuditForm,
    errors: AuditErrors,
    kinds: [&'static str; 12],
    outcomes: [&'static str; 2],
    events: Vec<EventView>,
    pager: Pager,
}

/// `YYYY-MM-DD hh:mm:ss` in UTC.
pub fn utc_text(unix: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// The day `text` (`YYYY-MM-DD`) names.
fn parse_day(text: &str) -> Result<time::Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format)
        .map_err(|_| "Enter a date as YYYY-MM-DD, for example 2026-11-23.".to_owned())
}

/// The start of `date` (00:00 UTC) as a unix time.
fn unix_start(date: time::Date) -> i64 {
    date.midnight().assume_utc().unix_timestamp()
}

/// The last value of each query parameter we know; others are ignored.
fn read_form(req: &HttpRequest) -> (AuditForm, Option<String>) {
    let mut form = AuditForm::default();
    let mut page = None;
    for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        let value = value.trim().to_owned();
        match name.as_ref() {
            "user" => form.user = value,
            "kind" => form.kind = value,
            "outcome" => form.outcome = value,
            "from" => form.from = value,
            "to" => form.to = value,
            "page" => page = Some(value),
            _ => {}
        }
    }
    (form, page)
}

/// The store filter the form stands for, or what is wrong with it.
fn validate(form: &AuditForm) -> (AuditFilter, AuditErrors) {
    let mut filter = AuditFilter::default();
    let mut errors = AuditErrors::default();
    if !form.user.is_empty() {
        // PostgreSQL refuses a NUL in text: never let a typed control character reach it
        if form.user.chars().count() > 254 || form.user.chars().any(char::is_control) {
            errors.user = Some("Enter an email address or a user id.".into());
        } else {
            // An email is looked up in its normalised form; anything else is taken as an id.
            filter.user = Some(match Email::parse(&form.user) {
                Ok(email) => email.as_str().to_owned(),
                Err(_) => form.user.clone(),
            });
        }
    }
    if !form.kind.is_empty() {
        if KINDS.contains(&form.kind.as_str()) {
            filter.kind = Some(form.kind.clone());
        } else {
            errors.kind = Some("Choose one of the listed kinds.".into());
        }
    }
    if !form.outcome.is_empty() {
        if OUTCOMES.contains(&form.outcome.as_str()) {
            filter.outcome = Some(form.outcome.clone());
        } else {
            errors.outcome = Some("Choose success or failure.".into());
        }
    }
    let from = (!form.from.is_empty()).then(|| parse_day(&form.from));
    let to = (!form.to.is_empty()).then(|| parse_day(&form.to));
    match from {
        Some(Ok(date)) => filter.from = Some(unix_start(date)),
        Some(Err(e)) => errors.from = Some(e),
        None => {}
    }
    match to {
        // inclusive: everything before the start of the next day
        Some(Ok(date)) => filter.until = date.next_day().map(unix_start),
        Some(Err(e)) => errors.to = Some(e),
        None => {}
    }
    if let (Some(from), Some(until)) = (filter.from, filter.until)
        && until <= from
    {
        errors.to = Some("The end date is before the start date.".into());
    }
    (filter, errors)
}

fn view(entry: AuditEntry) -> EventView {
    let e = entry.event;
    EventView {
        at: utc_text(e.at),
        at_iso: iso8601(e.at),
        action: e.action,
        outcome: e.outcome,
        actor: entry.actor_email.or(e.actor).unwrap_or_default(),
        user_id: e.user_id,
        user_email: entry.user_email,
        client: e.client_id.unwrap_or_default(),
        ip: e.ip.unwrap_or_default(),
        detail: e.detail,
    }
}

pub async fn audit_log(
    state: web::Data<AppState>,
    req: HttpRequest,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let (form, page) = read_form(&req);
    let (filter, errors) = validate(&form);
    let page = Pager::requested(page.as_deref());
    let (status, events, total) = if errors.any() {
        (StatusCode::UNPROCESSABLE_ENTITY, Vec::new(), 0)
    } else {
        let (entries, total) = state
            .store
            .run(move |c| {
                let total = store::audit::count_audit_events(c, &filter)?;
                let entries =
                    store::audit::list_audit_page(c, &filter, PER_PAGE, Pager::offset(page))?;
                Ok((entries, total))
            })
            .await?;
        (
            StatusCode::OK,
            entries.into_iter().map(view).collect(),
            total,
        )
    };
    let pager = Pager::new(
        Section::Audit.path(),
        &[
            ("user", &form.user),
            ("kind", &form.kind),
            ("outcome", &form.outcome),
            ("from", &form.from),
            ("to", &form.to),
        ],
        page,
        total,
    );
    let page = AuditPage {
        chrome: Chrome::new(&state, &admin, Section::Audit),
        form,
        errors,
        kinds: KINDS,
        outcomes: OUTCOMES,
        events,
        pager,
    };
    html(&state, &admin.browser, &page, status)
}
