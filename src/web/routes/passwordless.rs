//! Signing in without a password on the hosted pages: after the identifier, "other ways to sign
//! in" lists the user's methods; the code page checks an authenticator code (API.md §3).
//! Works without JavaScript. Unknown identifiers look like accounts with a password only.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::oauth::pending::PendingRequest;
use crate::domain::verification::Method;
use crate::flows::AppState;
use crate::flows::factors;
use crate::flows::sign_in;
use crate::flows::totp_check::{self, TotpOutcome};
use crate::i18n::Tr;
use crate::web::audit::{self, Audit};
use crate::web::brand::{self as branding, Brand};
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::extract::Lang;
use crate::web::hosted::html;
use crate::web::login_flow::{self, form_browser, pending_for_browser};
use crate::web::routes::code_login::send_problem;

/// One message for a wrong code and for an unknown user.
const WRONG_CODE: &str = "err-totp-wrong";

#[derive(Template)]
#[template(path = "login/methods.html")]
struct MethodsPage {
    tr: Tr,
    brand: Option<Brand>,
    request_id: String,
    username: String,
    csrf_token: String,
    has_totp: bool,
    passwordless_allowed: bool,
    /// The application allows passwords ("Use my password").
    password_allowed: bool,
    /// Offer "email me a code" (any identifier: it does not reveal whether an account exists).
    email_code: bool,
    /// The masked number to offer "text me a code" for.
    sms_to: Option<String>,
    push: bool,
    /// Always empty here: these choices start a first factor.
    track_id: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "login/verify.html")]
struct VerifyPage {
    tr: Tr,
    brand: Option<Brand>,
    request_id: String,
    username: String,
    csrf_token: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct MethodsQuery {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    username: Option<String>,
    error: Option<String>,
}

/// Whether the sign-in state machine lets a passwordless first factor finish this request
/// (clients that require two factors start with the password; the second step is then a code).
async fn passwordless_allowed(
    state: &AppState,
    pending: &PendingRequest,
) -> Result<bool, WebError> {
    let (requirement, _) = sign_in::requirement(state, &pending.request).await?;
    Ok(requirement.passwordless_may_complete())
}

/// `GET /login/methods?requestId=…&username=…`: the ways this identifier can sign in.
pub async fn methods(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<MethodsQuery>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let browser = Browser::get_or_create(&state, &req);
    let pending = pending_for_browser(&state, query.request_id.as_deref(), &browser).await?;
    let tr = lang.for_request(&pending);
    let username = query.username.clone().unwrap_or_default().trim().to_owned();
    let user = factors::user_by_email(&state, &username).await?;
    // Only what the application allows is offered.
    let rules = factors::client_rules(&state, &pending.request.client_id).await?;
    let methods = factors::methods(&state, user.as_ref(), Some(&username), &rules).await?;
    let page = MethodsPage {
        brand: branding::for_client(&state, &pending.request.client_id).await?,
        request_id: pending.id.clone(),
        csrf_token: browser.csrf_token(&state),
        has_totp: !methods.totp.is_empty(),
        passwordless_allowed: passwordless_allowed(&state, &pending).await?,
        password_allowed: rules.allows(Method::Password),
        // Offered for whatever was typed: an unknown address looks like an account.
        email_code: username.contains('@') && methods.email.is_some(),
        sms_to: methods.sms,
        push: !methods.push.is_empty(),
        error: send_problem(&tr, query.error.as_deref()),
        track_id: String::new(),
        username,
        tr,
    };
    html(&state, &browser, &page, actix_web::http::StatusCode::OK)
}

#[derive(Deserialize)]
pub struct VerifyQuery {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    username: Option<String>,
}

/// `GET /login/verify?requestId=…&username=…`: the code form.
pub async fn verify_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<VerifyQuery>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let browser = Browser::get_or_create(&state, &req);
    let pending = pending_for_browser(&state, query.request_id.as_deref(), &browser).await?;
    let page = VerifyPage {
        tr: lang.for_request(&pending),
        brand: branding::for_client(&state, &pending.request.client_id).await?,
        request_id: pending.id.clone(),
        username: query.username.clone().unwrap_or_default(),
        csrf_token: browser.csrf_token(&state),
        error: None,
    };
    html(&state, &browser, &page, actix_web::http::StatusCode::OK)
}

#[derive(Deserialize)]
pub struct VerifyForm {
    #[serde(rename = "requestId")]
    request_id: String,
    username: String,
    pass_code: String,
    csrf_token: Option<String>,
}

/// `POST /login/verify`: checks the code and finishes the login.
pub async fn verify_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<VerifyForm>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let browser = form_browser(&state, &req, form.csrf_token.as_deref())?;
    let pending = pending_for_browser(&state, Some(&form.request_id), &browser).await?;
    let tr = lang.for_request(&pending);
    if !passwordless_allowed(&state, &pending).await? {
        let location = format!(
            "/login?requestId={}&view_type=login&error=password_required",
            pending.id
        );
        return Ok(HttpResponse::Found()
            .insert_header((header::LOCATION, location))
            .finish());
    }
    let rules = factors::client_rules(&state, &pending.request.client_id).await?;
    if !rules.allows(Method::Totp) {
        let location = format!(
            "/login/methods?requestId={}&username={}&error=method_not_allowed",
            pending.id,
            url::form_urlencoded::byte_serialize(form.username.as_bytes()).collect::<String>()
        );
        return Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .finish());
    }
    let user = factors::user_by_email(&state, &form.username).await?;
    let outcome = totp_check::check(
        &state,
        user.as_ref().map(|u| u.id.as_str()),
        None,
        &form.pass_code,
        totp_check::Guesser::Anonymous,
    )
    .await?;
    let error = match (outcome, user) {
        (TotpOutcome::Accepted { .. }, Some(user)) => {
            return login_flow::after_first_factor(
                &state,
                &req,
                &session,
                &pending,
                &user,
                Method::Totp,
            )
            .await;
        }
        (TotpOutcome::Locked { until }, _) => crate::web::words::totp_locked(&tr, until),
        (_, user) => {
            let event = Audit::sign_in_failure(Method::Totp, "sign-in page", "wrong code")
                .maybe_user(user.as_ref().map(|u| u.id.as_str()))
                .client(&pending.request.client_id);
            audit::record(&state, &req, event).await;
            tr.t(WRONG_CODE)
        }
    };
    let page = VerifyPage {
        tr,
        brand: branding::for_client(&state, &pending.request.client_id).await?,
        request_id: pending.id.clone(),
        username: form.username,
        csrf_token: browser.csrf_token(&state),
        error: Some(error),
    };
    html(
        &state,
        &browser,
        &page,
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
    )
}
