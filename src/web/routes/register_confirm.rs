//! The code page of a sign-up (API.md §3): `GET /register/confirm?requestId=…&code_id=…` says
//! "check your email", `POST /register/confirm` checks the code, `POST /register/resend` sends
//! the same code again after the cooldown. The page is the same for stand-in codes (see
//! `register`), so it never tells whether the address already had an account.
//!
//! Confirming signs the user in through `login_flow::after_first_factor` with the password
//! method (`amr: ["pwd"]`): the person has just chosen the password in this browser, and the
//! emailed code proves the address (the `email_verified` claim), not a second sign-in factor.
//! So the application's MFA policy applies as after any password sign-in: `always` clients
//! send the new user on to set up an authenticator.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::oauth::pending::PendingRequest;
use crate::domain::one_time_code::{OneTimeCode, Purpose, normalize};
use crate::domain::user::User;
use crate::domain::verification::Method;
use crate::flows::AppState;
use crate::flows::codes::{self, Checked, Resent};
use crate::i18n::Tr;
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::brand::{self as branding, Brand};
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::extract::Lang;
use crate::web::hosted::{MAIL_NOT_SENT, MAX_CODE_CHARS, html, sender};
use crate::web::login_flow::{self, form_browser, pending_for_browser};

const WRONG_CODE: &str = "err-email-code-wrong";
const CODE_GONE: &str = "err-register-code-gone";

#[derive(Template)]
#[template(path = "register/confirm.html")]
struct ConfirmPage {
    tr: Tr,
    brand: Option<Brand>,
    request_id: String,
    code_id: String,
    csrf_token: String,
    /// The masked address the code went to.
    destination: String,
    error: Option<String>,
    notice: Option<String>,
}

/// The registration code `code_id`, if there is one (live or not).
async fn registration_code(
    state: &AppState,
    code_id: &str,
) -> Result<Option<OneTimeCode>, WebError> {
    if code_id.is_empty() || code_id.len() > 64 {
        return Ok(None);
    }
    let id = code_id.to_owned();
    Ok(state
        .store
        .run(move |c| store::one_time_codes::find_code(c, &id))
        .await?
        .filter(|code| code.purpose == Purpose::Register))
}

/// Renders the code page for `code_id`.
async fn confirm_page(
    tr: &Tr,
    state: &AppState,
    browser: &Browser,
    pending: &PendingRequest,
    code_id: &str,
    (error, notice, status): (Option<String>, Option<String>, StatusCode),
) -> Result<HttpResponse, WebError> {
    let code = registration_code(state, code_id).await?;
    let back = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("requestId", &pending.id)
        .append_pair("code_id", code_id)
        .finish();
    let page = ConfirmPage {
        tr: tr.clone().with_back(format!("/register/confirm?{back}")),
        brand: branding::for_client(state, &pending.request.client_id).await?,
        request_id: pending.id.clone(),
        code_id: code.as_ref().map(|c| c.id.clone()).unwrap_or_default(),
        csrf_token: browser.csrf_token(state),
        destination: code.map(|c| c.destination).unwrap_or_default(),
        error,
        notice,
    };
    html(state, browser, &page, status)
}

#[derive(Deserialize)]
pub struct ConfirmQuery {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    code_id: Option<String>,
}

/// `GET /register/confirm?requestId=…&code_id=…`: "check your email", with the code form.
pub async fn confirm_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<ConfirmQuery>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let browser = Browser::get_or_create(&state, &req);
    let pending = pending_for_browser(&state, query.request_id.as_deref(), &browser).await?;
    let code_id = query.code_id.as_deref().unwrap_or_default();
    confirm_page(
        &lang.for_request(&pending),
        &state,
        &browser,
        &pending,
        code_id,
        (None, None, StatusCode::OK),
    )
    .await
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    code_id: Option<String>,
    code: Option<String>,
    csrf_token: Option<String>,
}

/// `POST /register/confirm`: a right code confirms the address and signs the user in.
pub async fn confirm_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<ConfirmForm>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let browser = form_browser(&state, &req, form.csrf_token.as_deref())?;
    let pending = pending_for_browser(&state, form.request_id.as_deref(), &browser).await?;
    let tr = lang.for_request(&pending);
    let code_id = form.code_id.unwrap_or_default();
    let typed = normalize(form.code.as_deref().unwrap_or_default());
    let error = if typed.is_empty() {
        tr.t("err-enter-email-code")
    } else if typed.chars().count() > MAX_CODE_CHARS {
        tr.t(WRONG_CODE)
    } else {
        match codes::check(
            &state,
            &code_id,
            Purpose::Register,
            &typed,
            codes::Guesser::Anonymous,
        )
        .await?
        {
            Checked::Accepted { user_id } => {
                let now = state.now();
                let confirmed = state
                    .store
                    .run(move |c| {
                        store::users::update_email_verified(c, &user_id, now)?;
                        store::users::find_user(c, &user_id)
                    })
                    .await?
                    .filter(User::can_sign_in);
                match confirmed {
                    Some(user) => {
                        audit::record(
                            &state,
                            &req,
                            Audit::success("register.confirm")
                                .user(&user.id)
                                .client(&pending.request.client_id),
                        )
                        .await;
                        return login_flow::after_first_factor(
                            &state,
                            &req,
                            &session,
                            &pending,
                            &user,
                            Method::Password,
                        )
                        .await;
                    }
                    None => tr.t(CODE_GONE),
                }
            }
            Checked::Wrong => {
                audit::record(
                    &state,
                    &req,
                    Audit::failure("register.confirm").client(&pending.request.client_id),
                )
                .await;
                tr.t(WRONG_CODE)
            }
            Checked::Locked { until } => crate::web::words::address_locked(&tr, until),
            Checked::Expired => tr.t(CODE_GONE),
        }
    };
    let shown = (Some(error), None, StatusCode::UNPROCESSABLE_ENTITY);
    confirm_page(&tr, &state, &browser, &pending, &code_id, shown).await
}

#[derive(Deserialize)]
pub struct ResendForm {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    code_id: Option<String>,
    csrf_token: Option<String>,
}

/// `POST /register/resend`: the same code again, once the cooldown has passed.
pub async fn resend(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<ResendForm>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let browser = form_browser(&state, &req, form.csrf_token.as_deref())?;
    let pending = pending_for_browser(&state, form.request_id.as_deref(), &browser).await?;
    let tr = lang.for_request(&pending);
    let code_id = form.code_id.unwrap_or_default();
    let outcome = match registration_code(&state, &code_id).await? {
        Some(_) => {
            let app = sender(&state, Some(&pending.request.client_id)).await?;
            codes::resend(&state, &code_id, &app, tr.lang()).await?
        }
        None => Resent::Gone,
    };
    let (error, notice) = match outcome {
        Resent::Sent(_) => (None, Some(tr.t("email-sent-again"))),
        Resent::TooSoon { wait } => (None, Some(tr.n("email-wait", "seconds", wait))),
        Resent::Gone => (Some(tr.t(CODE_GONE)), None),
        Resent::Failed => (Some(tr.t(MAIL_NOT_SENT)), None),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let shown = (error, notice, status);
    confirm_page(&tr, &state, &browser, &pending, &code_id, shown).await
}
