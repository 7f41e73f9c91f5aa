//! `GET /admin/users/{id}`: one account — profile and status, authenticator apps (locked,
//! last used, failures, clock drift), code-channel and password sign-in lockouts, backup codes,
//! push devices, the phone number, the live sessions (the table the account page shows too),
//! and the newest audit events about the user — with the forms of `user_actions` beside each
//! item.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::users::status_text;
use super::{Chrome, Section};
use crate::domain::one_time_code::{Channel, subject_for_user};
use crate::domain::policy::{PASSWORD_LOCK_CHANNEL, is_locked};
use crate::domain::user::User;
use crate::domain::verification::mask_email;
use crate::flows::AppState;
use crate::store;
use crate::web::account_view::{SessionsTable, session_views};
use crate::web::authenticator_view::{
    AdminAuthenticatorView, admin_authenticator_views, admin_time, lock_status,
};
use crate::web::error::WebError;
use crate::web::extract::Admin;
use crate::web::hosted::html;
use crate::web::session_store::current_row;
use crate::web::words::english;

/// How many audit events the page shows.
const RECENT_EVENTS: i64 = 20;

/// A code channel on which the user entered wrong codes (or password sign-in, wrong passwords).
struct ChannelView {
    channel: String,
    name: String,
    failures: i32,
    status: String,
    locked: bool,
}

struct DeviceView {
    id: String,
    label: String,
    added: String,
    last_used: String,
}

struct EventView {
    at: String,
    action: String,
    outcome: String,
    actor: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    chrome: Chrome,
    id: String,
    email: String,
    name: String,
    status: &'static str,
    disabled: bool,
    is_admin: bool,
    is_self: bool,
    created: String,
    updated: String,
    phone: String,
    phone_verified: bool,
    authenticators: Vec<AdminAuthenticatorView>,
    channels: Vec<ChannelView>,
    /// Password sign-in, when wrong passwords were typed for the account.
    password_lock: Option<ChannelView>,
    backup_remaining: i64,
    devices: Vec<DeviceView>,
    /// The user's passkeys (name, kind, added, last used).
    passkeys: Vec<crate::web::routes::account_passkeys::PasskeyView>,
    sessions: SessionsTable,
    events: Vec<EventView>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct UserQuery {
    notice: Option<String>,
}

/// `GET /admin/users/{id}?notice=…`.
pub async fn show(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<UserQuery>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let user = find(&state, &path.into_inner()).await?;
    let notice = query.notice.as_deref().and_then(|n| notice_text(n, &user));
    render(&state, &admin, &user, notice, None, StatusCode::OK).await
}

/// The user `id`, or 404.
pub(super) async fn find(state: &AppState, id: &str) -> Result<User, WebError> {
    let id = id.to_owned();
    state
        .store
        .run(move |c| store::users::find_user(c, &id))
        .await?
        .ok_or_else(|| WebError::NotFound("There is no such user.".into()))
}

/// What happened, after an action redirected here. Only these fixed sentences are shown, so a
/// crafted link cannot put words on the page.
fn notice_text(notice: &str, user: &User) -> Option<String> {
    Some(match notice {
        "created" => "User created.".into(),
        "disabled" => "Account disabled; its sessions were ended and its tokens revoked.".into(),
        "enabled" => "Account enabled.".into(),
        "unlocked" => "Authenticator unlocked.".into(),
        "revoked" => "Authenticator removed.".into(),
        "channel_unlocked" => "Code channel unlocked.".into(),
        "password_unlocked" => "Password sign-in unlocked.".into(),
        "device_removed" => "Push device removed.".into(),
        "passkey_removed" => "Passkey removed.".into(),
        "reset_sent" => format!("A reset code was sent to {}.", mask_email(&user.email)),
        "reset_recent" => format!(
            "A reset code was sent to {} moments ago and still works; no second email was sent.",
            mask_email(&user.email)
        ),
        "sessions_ended" => "All sessions of this user were ended and their tokens revoked.".into(),
        "session_ended" => "The session was ended.".into(),
        "admin_granted" => "The user is now an administrator.".into(),
        "admin_removed" => "The admin role was removed.".into(),
        _ => return None,
    })
}

/// How people call a code channel (or password sign-in, counted in the same table).
pub(super) fn channel_name(channel: &str) -> String {
    if channel == PASSWORD_LOCK_CHANNEL {
        return "Password sign-in".into();
    }
    match channel.parse::<Channel>() {
        Ok(Channel::Email) => "Email codes".into(),
        Ok(Channel::Sms) => "SMS codes".into(),
        Ok(Channel::Push) => "Push codes".into(),
        Err(_) => channel.to_owned(),
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Renders the user's page with an optional notice or error.
pub(super) async fn render(
    state: &AppState,
    admin: &Admin,
    user: &User,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let (id, now) = (user.id.clone(), state.now());
    let (authenticators, lockouts, backup_remaining, devices, sessions, events, passkeys) = state
        .store
        .run(move |c| {
            Ok((
                store::authenticators::list_user_authenticators(c, &id)?,
                store::code_lockouts::list_subject(c, &subject_for_user(&id))?,
                store::backup_codes::count_unused_backup_codes(c, &id)?,
                store::push_devices::list_user_devices(c, &id)?,
                store::sessions::list_user_sessions(c, &id, now)?,
                store::audit::list_audit_events(c, Some(&id), RECENT_EVENTS)?,
                store::passkeys::list_user_passkeys(c, &id)?,
            ))
        })
        .await?;
    // "This browser" marks the admin's own session when the page is about their own account.
    let this_browser = current_row(&admin.session);
    let chrome = Chrome::new(state, admin, Section::Users);
    let (password, codes): (Vec<_>, Vec<_>) = lockouts
        .into_iter()
        .filter(|l| l.failure_count > 0 || is_locked(l.locked_until, now))
        .map(|l| {
            let locked = is_locked(l.locked_until, now);
            ChannelView {
                name: channel_name(&l.channel),
                failures: l.failure_count,
                status: lock_status(l.locked_until, now).unwrap_or_else(|| "Not locked".into()),
                locked,
                channel: l.channel,
            }
        })
        .partition(|c| c.channel == PASSWORD_LOCK_CHANNEL);
    let page = UserPage {
        passkeys: crate::web::routes::account_passkeys::passkey_views(&english(), &passkeys, true),
        sessions: SessionsTable {
            rows: session_views(&english(), &sessions, this_browser.as_deref()),
            end_path: format!("/admin/users/{}/sessions", user.id),
            csrf_token: chrome.csrf_token.clone(),
            label: "Sessions".into(),
            tr: english(),
        },
        chrome,
        id: user.id.clone(),
        email: user.email.clone(),
        name: user.name.clone().unwrap_or_default(),
        status: status_text(user),
        disabled: user.disabled,
        is_admin: user.is_admin,
        is_self: user.id == admin.id,
        created: admin_time(Some(user.created_at)),
        updated: admin_time(Some(user.updated_at)),
        phone: user.phone_number.clone().unwrap_or_default(),
        phone_verified: user.phone_verified,
        authenticators: admin_authenticator_views(&authenticators, now),
        channels: codes,
        // Read as one sentence: "Password sign-in: locked until …".
        password_lock: password.into_iter().next().map(|mut p| {
            p.status = lower_first(&p.status);
            p
        }),
        backup_remaining,
        devices: devices
            .into_iter()
            .map(|d| DeviceView {
                id: d.id,
                label: d.label,
                added: admin_time(Some(d.created_at)),
                last_used: admin_time(d.last_used_at),
            })
            .collect(),
        events: events
            .into_iter()
            .map(|e| EventView {
                at: admin_time(Some(e.at)),
                action: e.action,
                outcome: e.outcome,
                actor: match e.actor {
                    Some(actor) if actor == user.id => "the user".into(),
                    Some(actor) => actor,
                    None => "—".into(),
                },
                detail: e.detail,
            })
            .collect(),
        notice,
        error,
    };
    html(state, &admin.browser, &page, status)
}
