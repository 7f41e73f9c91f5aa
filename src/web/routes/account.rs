//! `/account`: the signed-in user's self-service page — profile (name, email), password,
//! authenticator apps, backup codes, phone number for SMS codes, push devices, the account's
//! sessions and recent sign-ins, and sign-out. This module has the page; the sign-in to it is
//! in `account_sign_in`, the handlers of each part in the other `account_*` modules beside it.
//! Who may use them is decided by the extractors of `web::extract`: [`SignedIn`] for the page
//! and the forms, [`FreshSignIn`](crate::web::extract::FreshSignIn) for a change to how the
//! account signs in, and [`Csrf`] for every form.
//!
//! Signing in to the account page uses the same hosted login as any application: a built-in
//! client (`gatehouse-account`, created at start) whose redirect URI is `/account/callback`.
//!
//! Every change to how the account signs in (password, email, authenticators, backup codes,
//! phone number, push devices) needs a sign-in within the last [`FRESH_SIGN_IN`] seconds
//! (OWASP Authentication Cheat Sheet: re-authenticate before sensitive changes). An older
//! sign-in is sent through the hosted login again with `prompt=login` and lands back here.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::one_time_code::Channel;
use crate::flows::AppState;
use crate::flows::backup_codes;
use crate::flows::codes::channel_enabled;
use crate::i18n::Tr;
use crate::store;
use crate::web::account_view::{
    ActivityView, DeviceView, SessionsTable, activity_views, device_views, session_views,
};
use crate::web::audit::{self, Audit};
use crate::web::authenticator_view::{AuthenticatorView, authenticator_views};
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::extract::{Csrf, NoFields, SignedIn};
use crate::web::hosted::html;
use crate::web::login_session;
use crate::web::session_store::current_row;

pub use crate::web::login_session::FRESH_SIGN_IN;

/// How many sign-in events the page lists.
const ACTIVITY_EVENTS: i64 = 20;

/// What the forms of the page say when one comes back: what was typed (never a password) and
/// the error next to each field.
#[derive(Default)]
pub(crate) struct Forms {
    pub notice: Option<String>,
    /// A problem that belongs to no one field.
    pub error: Option<String>,
    pub name: Option<String>,
    pub name_error: Option<String>,
    pub new_email: String,
    pub email_error: Option<String>,
    pub current_password_error: Option<String>,
    pub new_password_error: Option<String>,
    pub phone: String,
    pub phone_error: Option<String>,
    /// The authenticator whose new name was refused, and why.
    pub rename_for: String,
    pub rename_error: Option<String>,
}

#[derive(Template)]
#[template(path = "account/account.html")]
struct AccountPage {
    tr: Tr,
    email: String,
    name: String,
    csrf_token: String,
    forms: Forms,
    /// The value of the name field: what was typed, or the current name.
    name_value: String,
    /// The sign-in is older than [`FRESH_SIGN_IN`]: changes will ask for a new one first.
    stale: bool,
    fresh_minutes: i64,
    has_password: bool,
    authenticators: Vec<AuthenticatorView>,
    can_add: bool,
    backup_remaining: i64,
    backup_low: bool,
    sms_enabled: bool,
    phone: Option<String>,
    push_enabled: bool,
    devices: Vec<DeviceView>,
    sessions: SessionsTable,
    other_sessions: i64,
    activity: Vec<ActivityView>,
}

#[derive(Template)]
#[template(path = "account/signed_out.html")]
struct SignedOutPage {
    tr: Tr,
}

#[derive(Deserialize)]
pub struct AccountQuery {
    notice: Option<String>,
}

/// What the page says after a change (`?notice=`); only known notices, so a crafted link
/// cannot put words on the page.
fn notice_text(tr: &Tr, notice: &str) -> Option<String> {
    let known = [
        "added",
        "renamed",
        "removed",
        "signed_in_again",
        "name_changed",
        "email_changed",
        "password_changed",
        "password_set",
        "phone_added",
        "phone_removed",
        "device_removed",
        "sessions_ended",
        "session_ended",
    ];
    known
        .contains(&notice)
        .then(|| tr.t(&format!("notice-{}", notice.replace('_', "-"))))
}

/// `GET /account`.
pub async fn account(
    state: web::Data<AppState>,
    query: web::Query<AccountQuery>,
    user: SignedIn,
) -> Result<HttpResponse, WebError> {
    let forms = Forms {
        notice: query
            .notice
            .as_deref()
            .and_then(|n| notice_text(&user.tr(), n)),
        ..Forms::default()
    };
    render_account(&state, &user, forms, StatusCode::OK).await
}

/// The account page with `forms` (what was typed, errors) and `status`.
pub(crate) async fn render_account(
    state: &AppState,
    user: &SignedIn,
    forms: Forms,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let (id, now) = (user.id.clone(), state.now());
    let (authenticators, devices, sessions, events) = state
        .store
        .run(move |c| {
            Ok((
                store::authenticators::list_user_authenticators(c, &id)?,
                store::push_devices::list_user_devices(c, &id)?,
                store::sessions::list_user_sessions(c, &id, now)?,
                store::audit::list_user_events(c, &id, "login.", ACTIVITY_EVENTS)?,
            ))
        })
        .await?;
    let tr = user.tr();
    let views = authenticator_views(&tr, &authenticators, now);
    let backup_remaining = backup_codes::remaining(state, &user.id).await?;
    let sessions = session_views(&tr, &sessions, current_row(&user.session).as_deref());
    let csrf_token = user.csrf_token(state);
    let page = AccountPage {
        email: user.email.clone(),
        name: user.name.clone().unwrap_or_default(),
        csrf_token: csrf_token.clone(),
        name_value: forms
            .name
            .clone()
            .unwrap_or_else(|| user.name.clone().unwrap_or_default()),
        forms,
        stale: !user.login.is_fresh(state.now()),
        fresh_minutes: FRESH_SIGN_IN / 60,
        has_password: user.password_hash.is_some(),
        can_add: (views.len() as u32) < state.live().config.totp_max_per_user,
        authenticators: views,
        backup_remaining,
        backup_low: backup_remaining > 0
            && backup_remaining <= crate::domain::backup::LOW_WATERMARK,
        sms_enabled: channel_enabled(state, Channel::Sms),
        phone: user.sms_number().map(str::to_owned),
        push_enabled: channel_enabled(state, Channel::Push),
        devices: device_views(&tr, &devices),
        other_sessions: sessions.iter().filter(|s| !s.current).count() as i64,
        sessions: SessionsTable {
            rows: sessions,
            end_path: "/account/sessions".into(),
            csrf_token,
            label: tr.t("acct-sessions"),
            tr: tr.clone(),
        },
        activity: activity_views(&tr, &events),
        tr,
    };
    html(state, &user.browser, &page, status)
}

/// `POST /account/logout`.
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    _form: Csrf<NoFields>,
    user: SignedIn,
) -> Result<HttpResponse, WebError> {
    login_session::end(&user.session);
    audit::record(&state, &req, Audit::success("logout").user(&user.id)).await;
    signed_out(&state, &user.browser, user.lang.tr())
}

/// The page a browser sees once it has signed itself out.
pub(crate) fn signed_out(
    state: &AppState,
    browser: &Browser,
    tr: Tr,
) -> Result<HttpResponse, WebError> {
    // no language switch: the page is an answer to a form, with no session left to keep it
    let page = SignedOutPage {
        tr: tr.with_back(String::new()),
    };
    html(state, browser, &page, StatusCode::OK)
}
