//! Password reset by an emailed code (API.md §3): `/password/forgot` (in `password_forgot`)
//! asks for the email and sends a code (valid `RESET_TTL`, 15 minutes); `/password/reset`
//! takes the code and a new password, sets it, and ends every login session of the account and
//! revokes every token issued to it (OWASP Forgot Password cheat sheet). `/password/resend` sends the same code again after the
//! cooldown.
//!
//! Neither page tells whether an address has an account: an unknown (or unconfirmed, or
//! disabled) address gets a code row that is never delivered, so the redirect, the page, the
//! wrong-code messages and the lockout after five wrong codes are the same. A `requestId`
//! is carried along so that the person can go back to the sign-in they came from.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::oauth::pending::PendingRequest;
use crate::domain::one_time_code::{Purpose, normalize, subject_for_user};
use crate::domain::password_policy::check_new_password_min;
use crate::domain::policy::PASSWORD_LOCK_CHANNEL;
use crate::domain::user::{Email, User};
use crate::flows::AppState;
use crate::flows::branding::Sender;
use crate::flows::codes::{self, Checked, Resent};
use crate::i18n::Tr;
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::brand::{self, Brand};
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::extract::Lang;
use crate::web::hosted::{MAIL_NOT_SENT, MAX_CODE_CHARS, html, password_problem, sender};
use crate::web::login_flow::form_browser;
use crate::web::notices::{self, Notice};

const WRONG_CODE: &str = "err-email-code-wrong";
const CODE_GONE: &str = "err-reset-code-gone";

#[derive(Template)]
#[template(path = "password/reset.html")]
struct ResetPage {
    tr: Tr,
    brand: Option<Brand>,
    request_id: Option<String>,
    code_id: String,
    email: String,
    csrf_token: String,
    code_error: Option<String>,
    password_error: Option<String>,
    /// The code is gone or locked: offer a new one.
    ask_again: bool,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "password/done.html")]
struct DonePage {
    tr: Tr,
    brand: Option<Brand>,
    request_id: Option<String>,
}

/// The reset page for `code_id` (where the language switch of a posted form returns to).
fn reset_path(request_id: Option<&str>, code_id: &str, email: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("code_id", code_id)
        .append_pair("email", email);
    if let Some(id) = request_id {
        query.append_pair("requestId", id);
    }
    format!("/password/reset?{}", query.finish())
}

/// The requestId to carry along, if it looks like one (it is only ever put into links; the
/// login page checks it when it is used).
pub(super) fn carried(request_id: Option<&str>) -> Option<String> {
    request_id
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
        .map(str::to_owned)
}

/// The sign-in request `request_id` when it is live (a reset page keeps its sign-in going).
async fn live_pending(
    state: &AppState,
    request_id: Option<&str>,
) -> Result<Option<PendingRequest>, WebError> {
    let Some(id) = request_id
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
        .map(str::to_owned)
    else {
        return Ok(None);
    };
    let now = state.now();
    Ok(state
        .store
        .run(move |c| store::requests::find_request(c, &id))
        .await?
        .filter(|p| p.is_live(now)))
}

/// Who messages are from: the application of a live `request_id`, or our own name.
pub(super) async fn app_for(
    state: &AppState,
    request_id: Option<&str>,
) -> Result<Sender, WebError> {
    let pending = live_pending(state, request_id).await?;
    sender(
        state,
        pending.as_ref().map(|p| p.request.client_id.as_str()),
    )
    .await
}

/// The language (its switch returning to `back`) and the branding of a password page of a
/// live `request_id`, from one read of the request.
pub(super) async fn page_of(
    state: &AppState,
    lang: &Lang,
    request_id: Option<&str>,
    back: impl Into<String>,
) -> Result<(Tr, Option<Brand>), WebError> {
    let pending = live_pending(state, request_id).await?;
    let tr = lang.for_live(pending.as_ref()).with_back(back.into());
    let client_id = pending.as_ref().map(|p| p.request.client_id.as_str());
    Ok((tr, brand::for_request(state, client_id).await?))
}

/// The address from a link or form, normalised; empty unless it is a well-formed address, so
/// a crafted link cannot put arbitrary words on the page. It is shown and used as context for
/// the password rules, never to find the account.
pub(super) fn shown_email(typed: &str) -> String {
    Email::parse(typed)
        .map(|e| e.as_str().to_owned())
        .unwrap_or_default()
}

#[derive(Deserialize)]
pub struct ResetQuery {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    code_id: Option<String>,
    email: Option<String>,
}

/// `GET /password/reset?code_id=…&email=…&requestId=…`: the code and new-password form.
pub async fn reset_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<ResetQuery>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let browser = Browser::get_or_create(&state, &req);
    let query = query.into_inner();
    let (request_id, code_id) = (
        carried(query.request_id.as_deref()),
        query.code_id.unwrap_or_default(),
    );
    let email = shown_email(query.email.as_deref().unwrap_or_default());
    // the switch comes back to this page as we would link it: a crafted query stays out
    let back = reset_path(request_id.as_deref(), &code_id, &email);
    let (tr, brand) = page_of(&state, &lang, request_id.as_deref(), back).await?;
    let page = ResetPage {
        tr,
        brand,
        request_id,
        code_id,
        email,
        csrf_token: browser.csrf_token(&state),
        code_error: None,
        password_error: None,
        ask_again: false,
        notice: None,
    };
    html(&state, &browser, &page, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    code_id: Option<String>,
    email: Option<String>,
    code: Option<String>,
    password: Option<String>,
    csrf_token: Option<String>,
}

/// `POST /password/reset`: a right code and an acceptable password set the new password and
/// sign the account out everywhere.
pub async fn reset_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<ResetForm>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let browser = form_browser(&state, &req, form.csrf_token.as_deref())?;
    let request_id = carried(form.request_id.as_deref());
    let code_id = form.code_id.unwrap_or_default();
    let email = shown_email(form.email.as_deref().unwrap_or_default());
    let typed = normalize(form.code.as_deref().unwrap_or_default());
    let password = form.password.unwrap_or_default();
    let back = reset_path(request_id.as_deref(), &code_id, &email);
    let (tr, brand) = page_of(&state, &lang, request_id.as_deref(), back).await?;
    let mut page = ResetPage {
        tr: tr.clone(),
        brand: brand.clone(),
        request_id: request_id.clone(),
        code_id: code_id.clone(),
        email: email.clone(),
        csrf_token: browser.csrf_token(&state),
        code_error: None,
        password_error: None,
        ask_again: false,
        notice: None,
    };
    // The password first: a code is used up when it is accepted, so a refused password must
    // not cost the person their code.
    if password.is_empty() {
        page.password_error = Some(tr.t("err-choose-new-password"));
    } else if let Err(problem) =
        check_new_password_min(&password, &email, state.live().config.password_min_length)
    {
        page.password_error = Some(password_problem(&tr, &problem));
    }
    if typed.is_empty() {
        page.code_error = Some(tr.t("err-enter-email-code"));
    }
    if page.password_error.is_some() || page.code_error.is_some() {
        return html(&state, &browser, &page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Hashed before the code is checked: a busy hasher must not use up a right code.
    let password_hash = state
        .hashing
        .hash_for(crate::flows::limits::client_ip().as_deref(), password)
        .await?;
    let checked = if typed.chars().count() > MAX_CODE_CHARS {
        Checked::Wrong
    } else {
        codes::check(
            &state,
            &code_id,
            Purpose::Reset,
            &typed,
            codes::Guesser::Anonymous,
        )
        .await?
    };
    match checked {
        Checked::Accepted { user_id } => {
            if let Some((user, revoked)) = set_password(&state, &user_id, password_hash).await? {
                audit::record(
                    &state,
                    &req,
                    Audit::success("password.reset")
                        .user(&user.id)
                        .detail(format!(
                            "password changed by an emailed code; all sessions ended; \
                             {revoked} token(s) revoked"
                        )),
                )
                .await;
                let app = app_for(&state, request_id.as_deref()).await?;
                notices::send(&state, &user, Notice::PasswordChanged, &app, tr.lang()).await;
                let done = DonePage {
                    tr: tr.with_back(String::new()),
                    brand,
                    request_id,
                };
                return html(&state, &browser, &done, StatusCode::OK);
            }
            page.code_error = Some(tr.t(CODE_GONE));
            page.ask_again = true;
        }
        Checked::Wrong => {
            audit::record(
                &state,
                &req,
                Audit::failure("password.reset").detail(format!("identifier={email}")),
            )
            .await;
            page.code_error = Some(tr.t(WRONG_CODE));
        }
        Checked::Locked { until } => {
            page.code_error = Some(crate::web::words::address_locked(&tr, until));
            page.ask_again = true;
        }
        Checked::Expired => {
            page.code_error = Some(tr.t(CODE_GONE));
            page.ask_again = true;
        }
    }
    html(&state, &browser, &page, StatusCode::UNPROCESSABLE_ENTITY)
}

/// Sets the new password, ends every login session of the account and revokes its tokens (a
/// thief signed in with the old password is signed out everywhere, applications included), and
/// returns the user with the number of tokens revoked. `None` when the account is gone or
/// disabled.
async fn set_password(
    state: &AppState,
    user_id: &str,
    password_hash: String,
) -> Result<Option<(User, usize)>, WebError> {
    let (id, now) = (user_id.to_owned(), state.now());
    Ok(state
        .store
        .run(move |c| {
            store::write_transaction(c, |c| {
                let Some(user) = store::users::find_user(c, &id)?.filter(User::can_sign_in) else {
                    return Ok(None);
                };
                store::users::update_password(c, &id, &password_hash, now)?;
                store::sessions::delete_user_sessions(c, &id, None)?;
                let revoked = store::grants::revoke_all_for_user(c, &id, now)?;
                // Whoever reset it owns the address: the guesses of others stop counting.
                store::code_lockouts::unlock_channel(
                    c,
                    &subject_for_user(&id),
                    PASSWORD_LOCK_CHANNEL,
                )?;
                Ok(Some((user, revoked)))
            })
        })
        .await?)
}

#[derive(Deserialize)]
pub struct ResendForm {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    code_id: Option<String>,
    email: Option<String>,
    csrf_token: Option<String>,
}

/// `POST /password/resend`: the same code again, once the cooldown has passed.
pub async fn resend(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<ResendForm>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let browser = form_browser(&state, &req, form.csrf_token.as_deref())?;
    let request_id = carried(form.request_id.as_deref());
    let code_id = form.code_id.unwrap_or_default();
    let email = shown_email(form.email.as_deref().unwrap_or_default());
    let back = reset_path(request_id.as_deref(), &code_id, &email);
    let (tr, brand) = page_of(&state, &lang, request_id.as_deref(), back).await?;
    let lookup = code_id.clone();
    let is_reset_code = !code_id.is_empty()
        && code_id.len() <= 64
        && state
            .store
            .run(move |c| store::one_time_codes::find_code(c, &lookup))
            .await?
            .is_some_and(|code| code.purpose == Purpose::Reset);
    let outcome = if is_reset_code {
        let app = app_for(&state, request_id.as_deref()).await?;
        codes::resend(&state, &code_id, &app, tr.lang()).await?
    } else {
        Resent::Gone
    };
    let mut page = ResetPage {
        tr: tr.clone(),
        brand,
        request_id,
        code_id,
        email,
        csrf_token: browser.csrf_token(&state),
        code_error: None,
        password_error: None,
        ask_again: false,
        notice: None,
    };
    let status = match outcome {
        Resent::Sent(_) => {
            page.notice = Some(tr.t("email-sent-again"));
            StatusCode::OK
        }
        Resent::TooSoon { wait } => {
            page.notice = Some(tr.n("email-wait", "seconds", wait));
            StatusCode::OK
        }
        Resent::Gone => {
            page.code_error = Some(tr.t(CODE_GONE));
            page.ask_again = true;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Resent::Failed => {
            page.code_error = Some(tr.t(MAIL_NOT_SENT));
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    html(&state, &browser, &page, status)
}
