//! `GET/POST /password/forgot` (API.md §3): asks for the email of the account and sends a
//! reset code, then goes on to `/password/reset` (see `password_reset`). Every well-formed
//! address gets the same redirect and the same page; only confirmed, active accounts get a code,
//! any other address a stand-in code row that is never delivered.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::password_reset::{app_for, carried, page_of, shown_email};
use crate::domain::one_time_code::{Channel, Purpose, RESET_TTL};
use crate::domain::user::{Email, User};
use crate::flows::AppState;
use crate::flows::branding::Sender;
use crate::flows::codes::{self, Destination, Recipient, Sent};
use crate::flows::factors;
use crate::i18n::Tr;
use crate::web::audit::{self, Audit};
use crate::web::brand::Brand;
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::extract::Lang;
use crate::web::hosted::{MAIL_NOT_SENT, html, see_other};
use crate::web::login_flow::form_browser;

#[derive(Template)]
#[template(path = "password/forgot.html")]
struct ForgotPage {
    tr: Tr,
    brand: Option<Brand>,
    request_id: Option<String>,
    csrf_token: String,
    email: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct ForgotQuery {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    email: Option<String>,
}

/// `GET /password/forgot?requestId=…`: the email form.
pub async fn forgot_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<ForgotQuery>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let browser = Browser::get_or_create(&state, &req);
    let request_id = carried(query.request_id.as_deref());
    // the switch comes back to this page without what a crafted link might add
    let back = match &request_id {
        Some(id) => format!("/password/forgot?requestId={id}"),
        None => "/password/forgot".to_owned(),
    };
    let (tr, brand) = page_of(&state, &lang, request_id.as_deref(), back).await?;
    let page = ForgotPage {
        tr,
        brand,
        request_id,
        csrf_token: browser.csrf_token(&state),
        email: shown_email(query.email.as_deref().unwrap_or_default()),
        error: None,
    };
    html(&state, &browser, &page, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    email: Option<String>,
    csrf_token: Option<String>,
}

/// `POST /password/forgot`: sends a code if the address has an account, and goes to the code
/// page either way.
pub async fn forgot_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<ForgotForm>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let browser = form_browser(&state, &req, form.csrf_token.as_deref())?;
    let request_id = carried(form.request_id.as_deref());
    let (tr, brand) = page_of(&state, &lang, request_id.as_deref(), "/password/forgot").await?;
    let typed = form.email.unwrap_or_default();
    let page = |error: String| ForgotPage {
        tr: tr.clone(),
        brand: brand.clone(),
        request_id: request_id.clone(),
        csrf_token: browser.csrf_token(&state),
        email: typed.trim().to_owned(),
        error: Some(error),
    };
    let email = match Email::parse(&typed) {
        Ok(email) => email,
        Err(_) => {
            let error = if typed.trim().is_empty() {
                "err-enter-email"
            } else {
                "err-email-format"
            };
            return html(
                &state,
                &browser,
                &page(tr.t(error)),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    // Only confirmed, active accounts get a code.
    let user = factors::user_by_email(&state, email.as_str()).await?;
    let app = app_for(&state, request_id.as_deref()).await?;
    let (code_id, sent) = send_reset_code(&state, user.as_ref(), &email, (&app, tr.lang())).await?;
    match sent {
        Sent::Sent(_) | Sent::TooSoon { .. } => {
            let mut event = Audit::success("password.reset.request").detail(format!(
                "identifier={email}, account found: {}",
                user.is_some()
            ));
            if let Some(user) = &user {
                event = event.user(&user.id);
            }
            audit::record(&state, &req, event).await;
            let mut location = url::form_urlencoded::Serializer::new(String::new());
            location
                .append_pair("code_id", &code_id)
                .append_pair("email", email.as_str());
            if let Some(id) = &request_id {
                location.append_pair("requestId", id);
            }
            Ok(see_other(format!("/password/reset?{}", location.finish())))
        }
        Sent::Locked { until } => html(
            &state,
            &browser,
            &page(crate::web::words::address_locked(&tr, until)),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Sent::Unavailable | Sent::Failed => html(
            &state,
            &browser,
            &page(tr.t(MAIL_NOT_SENT)),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
    }
}

/// Emails a password reset code for `email`: to the account `user` when there is one, otherwise
/// a stand-in code row that is never delivered. Returns the id of the code to continue with —
/// an earlier one when a code went out moments ago and still works (no new mail then) — and how
/// sending went. The admin's "send a password reset" uses it too. `(app, lang)`: the name the
/// mail speaks of and its language.
pub(crate) async fn send_reset_code(
    state: &AppState,
    user: Option<&User>,
    email: &Email,
    (app, lang): (&Sender, &str),
) -> Result<(String, Sent), WebError> {
    let code_id = uuid::Uuid::new_v4().to_string();
    let recipient = Recipient {
        user,
        typed_name: email.as_str(),
        device_id: None,
        destination: Destination::Account,
        lang,
    };
    let sent = codes::send_new(
        state,
        &code_id,
        Purpose::Reset,
        Channel::Email,
        &recipient,
        app,
        RESET_TTL,
    )
    .await?;
    let code_id = match &sent {
        Sent::TooSoon { existing, .. } => existing.id.clone(),
        _ => code_id,
    };
    Ok((code_id, sent))
}
