//! `/admin/lockouts`: everything locked right now in one list — authenticator apps, code
//! channels (email, SMS, push) and password sign-in, of accounts and of addresses with no
//! account — with who, what, until when and how many failures, and an Unlock button each
//! (POST + CSRF; audited as `admin.lockout.unlock` with before → after).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::unlocks::{subject_user, unlock_authenticator, unlock_channel};
use super::user_detail::channel_name;
use super::{Chrome, Section};
use crate::domain::one_time_code::Channel;
use crate::domain::policy::{LOCKED_UNTIL_UNLOCKED, PASSWORD_LOCK_CHANNEL};
use crate::flows::AppState;
use crate::store::{self, code_lockouts::CodeLockout};
use crate::web::audit::{self, Audit};
use crate::web::authenticator_view::admin_time;
use crate::web::error::WebError;
use crate::web::extract::{Admin, Csrf};
use crate::web::hosted::{html, see_other};
use crate::web::iso8601;

/// The most locks of each kind the page lists (an attack on many names is visible, the page
/// stays small).
const MAX_LISTED: i64 = 500;

/// One lock in the list, with what its Unlock form posts.
struct LockView {
    user_id: Option<String>,
    user_email: Option<String>,
    what: String,
    until: i64,
    until_text: String,
    until_iso: Option<String>,
    failures: i64,
    /// For authenticators: its id.
    authenticator: Option<String>,
    /// For code channels and password sign-in: whose and which.
    subject: Option<String>,
    channel: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/lockouts.html")]
struct LockoutsPage {
    chrome: Chrome,
    locks: Vec<LockView>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct LockoutsQuery {
    notice: Option<String>,
}

fn until_texts(until: i64) -> (String, Option<String>) {
    if until == LOCKED_UNTIL_UNLOCKED {
        ("Until an administrator unlocks it".into(), None)
    } else {
        (admin_time(Some(until)), Some(iso8601(until)))
    }
}

fn channel_view(l: CodeLockout) -> LockView {
    let until = l.locked_until.unwrap_or_default();
    let (until_text, until_iso) = until_texts(until);
    LockView {
        user_id: subject_user(&l.subject).map(str::to_owned),
        user_email: None,
        what: channel_name(&l.channel),
        until,
        until_text,
        until_iso,
        failures: l.failure_count.into(),
        authenticator: None,
        subject: Some(l.subject),
        channel: Some(l.channel),
    }
}

/// `GET /admin/lockouts?notice=…`.
pub async fn lockouts(
    state: web::Data<AppState>,
    query: web::Query<LockoutsQuery>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let now = state.now();
    let (authenticators, channels, emails) = state
        .store
        .run(move |c| {
            let authenticators = store::authenticators::list_locked(c, now, MAX_LISTED)?;
            let channels = store::code_lockouts::list_locked(c, now, MAX_LISTED)?;
            let ids = authenticators
                .iter()
                .map(|a| a.user_id.as_str())
                .chain(channels.iter().filter_map(|l| subject_user(&l.subject)));
            let mut emails = HashMap::new();
            for id in ids {
                if !emails.contains_key(id)
                    && let Some(user) = store::users::find_user(c, id)?
                {
                    emails.insert(id.to_owned(), user.email);
                }
            }
            Ok((authenticators, channels, emails))
        })
        .await?;
    let mut locks: Vec<LockView> = authenticators
        .into_iter()
        .map(|a| {
            let until = a.locked_until.unwrap_or_default();
            let (until_text, until_iso) = until_texts(until);
            LockView {
                user_id: Some(a.user_id),
                user_email: None,
                what: format!("Authenticator app “{}”", a.label),
                until,
                until_text,
                until_iso,
                failures: a.failure_count.into(),
                authenticator: Some(a.id),
                subject: None,
                channel: None,
            }
        })
        .chain(channels.into_iter().map(channel_view))
        .collect();
    for lock in &mut locks {
        lock.user_email = lock.user_id.as_ref().and_then(|id| emails.get(id).cloned());
    }
    locks.sort_by_key(|l| l.until);
    let page = LockoutsPage {
        chrome: Chrome::new(&state, &admin, Section::Lockouts),
        locks,
        notice: match query.notice.as_deref() {
            Some("unlocked") => Some("Unlocked."),
            Some("gone") => Some("That lock had already ended or been lifted."),
            _ => None,
        },
    };
    html(&state, &admin.browser, &page, StatusCode::OK)
}

/// The Unlock form of one row: an authenticator, or a subject's channel.
#[derive(Deserialize)]
pub struct UnlockForm {
    authenticator: Option<String>,
    subject: Option<String>,
    channel: Option<String>,
}

/// `POST /admin/lockouts/unlock`: clears one lock and its count of failures.
pub async fn unlock(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Csrf<UnlockForm>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let unlocked = match (form.authenticator, form.subject, form.channel) {
        (Some(id), None, None) => unlock_authenticator(&state, id, None).await?,
        (None, Some(subject), Some(channel)) => {
            let known = channel == PASSWORD_LOCK_CHANNEL || channel.parse::<Channel>().is_ok();
            if !known {
                return Err(WebError::BadRequest("There is no such lock.".into()));
            }
            unlock_channel(&state, subject, channel).await?
        }
        _ => return Err(WebError::BadRequest("There is no such lock.".into())),
    };
    let Some(unlocked) = unlocked else {
        return Ok(see_other("/admin/lockouts?notice=gone".into()));
    };
    let detail = unlocked.audit_detail(state.now());
    let mut event = Audit::success("admin.lockout.unlock")
        .actor(&admin.id)
        .detail(detail);
    if let Some(user_id) = &unlocked.user_id {
        event = event.user(user_id);
    }
    audit::record(&state, &req, event).await;
    Ok(see_other("/admin/lockouts?notice=unlocked".into()))
}
