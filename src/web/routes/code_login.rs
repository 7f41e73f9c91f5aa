//! Signing in with a code sent by email, SMS or push on the hosted pages, as the first factor
//! ("Email me a code" under other ways to sign in) or as the second (after a password on /mfa).
//! Sending is a POST (it has an effect); the code page offers "send it again" after the
//! cooldown. Works without JavaScript.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::oauth::pending::PendingRequest;
use crate::domain::one_time_code::Channel;
use crate::domain::verification::{State, UsageType, Verification};
use crate::flows::AppState;
use crate::flows::codes::{Resent, Sent};
use crate::flows::factors;
use crate::flows::login_codes::{self, CodeCheck, Opening, Started};
use crate::i18n::Tr;
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::brand::{self as branding, Brand};
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::extract::Lang;
use crate::web::hosted::see_other;
use crate::web::login_flow::{self, form_browser, pending_for_browser, require_browser};
use crate::web::routes::mfa;

#[derive(Template)]
#[template(path = "login/code.html")]
struct CodePage {
    tr: Tr,
    brand: Option<Brand>,
    request_id: String,
    code_id: String,
    track_id: String,
    csrf_token: String,
    channel: String,
    destination: String,
    notice: Option<String>,
    error: Option<String>,
}

/// Words for where a code went.
fn channel_words(tr: &Tr, channel: Channel) -> String {
    tr.t(match channel {
        Channel::Email => "channel-email",
        Channel::Sms => "channel-sms",
        Channel::Push => "channel-push",
    })
}

#[derive(Deserialize)]
pub struct SendForm {
    #[serde(rename = "requestId")]
    request_id: String,
    csrf_token: Option<String>,
    channel: String,
    /// First factor: the name typed on the login page.
    username: Option<String>,
    /// Second factor: the login waiting for it.
    track_id: Option<String>,
}

/// Where to go back to choose another method.
fn back_link(request_id: &str, track_id: &str, username: &str) -> String {
    if track_id.is_empty() {
        format!(
            "/login/methods?requestId={request_id}&username={}",
            url::form_urlencoded::byte_serialize(username.as_bytes()).collect::<String>()
        )
    } else {
        format!("/mfa?track_id={track_id}&requestId={request_id}")
    }
}

/// `POST /login/code/send`: sends a code and shows the code page.
pub async fn send(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<SendForm>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let browser = form_browser(&state, &req, form.csrf_token.as_deref())?;
    let pending = pending_for_browser(&state, Some(&form.request_id), &browser).await?;
    let channel: Channel = form
        .channel
        .parse()
        .map_err(|_| WebError::BadRequest("Choose how to receive the code.".into()))?;
    let track_id = form.track_id.clone().unwrap_or_default();
    let username = form.username.clone().unwrap_or_default().trim().to_owned();
    let rules = factors::client_rules(&state, &pending.request.client_id).await?;
    if !rules.allows(channel.method()) {
        return Ok(see_other(format!(
            "{}&error=method_not_allowed",
            back_link(&pending.id, &track_id, &username)
        )));
    }
    let (user, alias, usage) = if track_id.is_empty() {
        (
            factors::user_by_email(&state, &username).await?,
            uuid::Uuid::new_v4().to_string(),
            UsageType::PasswordlessAuthentication,
        )
    } else {
        let c = mfa::continuation(&state, &browser, &track_id, &pending.id).await?;
        (
            Some(c.user),
            c.track.alias,
            UsageType::MultifactorAuthentication,
        )
    };
    let verification = login_codes::open(
        &state,
        Opening {
            request_id: Some(&pending.id),
            user: user.as_ref(),
            alias,
            method: channel.method(),
            usage,
            medium_id: None,
        },
    );
    let lang = lang.for_request(&pending);
    let sent = login_codes::start(
        &state,
        verification,
        channel,
        user.as_ref(),
        &username,
        lang.lang(),
    )
    .await?;
    let problem = match sent {
        // A double click, or back and again: the code already sent is the one to enter.
        Started::Sent { verification, .. } | Started::Again { verification, .. } => {
            return Ok(see_other(format!(
                "/login/code?requestId={}&id={}&track_id={track_id}",
                pending.id, verification.status_id
            )));
        }
        Started::NotSent(Sent::Sent(_) | Sent::Failed) => "delivery_failed",
        Started::NotSent(Sent::TooSoon { .. }) => "code_too_soon",
        Started::NotSent(Sent::Locked { .. }) => "code_locked",
        Started::NotSent(Sent::Unavailable) => "code_unavailable",
    };
    // Back to the choice of methods, which explains what happened.
    Ok(see_other(format!(
        "{}&error={problem}",
        back_link(&pending.id, &track_id, &username)
    )))
}

/// What the method pages say after a code could not be sent (`error=` from [`send`]).
pub fn send_problem(tr: &Tr, error: Option<&str>) -> Option<String> {
    let key = match error? {
        "code_too_soon" => "err-code-too-soon",
        "code_locked" => "err-code-locked",
        "code_unavailable" => "err-code-unavailable",
        "method_not_allowed" => "err-code-method-not-allowed",
        "delivery_failed" => "err-delivery-failed",
        _ => return None,
    };
    Some(tr.t(key))
}

#[derive(Deserialize)]
pub struct CodeQuery {
    #[serde(rename = "requestId")]
    request_id: String,
    id: String,
    track_id: Option<String>,
}

/// The verification of code `id`, if it belongs to this request and still waits for its code.
async fn open_verification(
    state: &AppState,
    pending: &PendingRequest,
    id: &str,
) -> Result<Verification, WebError> {
    let lookup = id.to_owned();
    state
        .store
        .run(move |c| store::verifications::find_by_status(c, &lookup))
        .await?
        .filter(|v| {
            v.request_id.as_deref() == Some(pending.id.as_str())
                && v.state == State::Initiated
                && crate::domain::one_time_code::Channel::for_method(v.method).is_some()
        })
        .ok_or_else(|| {
            WebError::BadRequest(
                "This code is no longer valid. Go back and ask for a new one.".into(),
            )
        })
}

async fn render(
    tr: Tr,
    state: &AppState,
    browser: &Browser,
    pending: &PendingRequest,
    v: &Verification,
    track_id: &str,
    (notice, error): (Option<String>, Option<String>),
) -> Result<HttpResponse, WebError> {
    let id = v.status_id.clone();
    let destination = state
        .store
        .run(move |c| store::one_time_codes::find_code(c, &id))
        .await?
        .map(|c| c.destination)
        .unwrap_or_default();
    let channel = Channel::for_method(v.method).unwrap_or(Channel::Email);
    let page = CodePage {
        channel: channel_words(&tr, channel),
        tr,
        brand: branding::for_client(state, &pending.request.client_id).await?,
        request_id: pending.id.clone(),
        code_id: v.status_id.clone(),
        track_id: track_id.to_owned(),
        csrf_token: browser.csrf_token(state),
        destination,
        notice,
        error,
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = page.render().map_err(|e| WebError::Internal(e.into()))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// `GET /login/code?requestId=…&id=…`: the form for the code just sent.
pub async fn code_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<CodeQuery>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let browser = require_browser(&state, &req)?;
    let pending = pending_for_browser(&state, Some(&query.request_id), &browser).await?;
    let v = open_verification(&state, &pending, &query.id).await?;
    let track_id = query.track_id.clone().unwrap_or_default();
    let tr = lang.for_request(&pending);
    render(tr, &state, &browser, &pending, &v, &track_id, (None, None)).await
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(rename = "requestId")]
    request_id: String,
    id: String,
    track_id: Option<String>,
    csrf_token: Option<String>,
    pass_code: Option<String>,
}

/// `POST /login/code`: checks the code and signs in (or completes the second factor).
pub async fn code_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<CodeForm>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let browser = form_browser(&state, &req, form.csrf_token.as_deref())?;
    let pending = pending_for_browser(&state, Some(&form.request_id), &browser).await?;
    let v = open_verification(&state, &pending, &form.id).await?;
    let track_id = form.track_id.clone().unwrap_or_default();
    let typed = form.pass_code.unwrap_or_default();
    let tr = lang.for_request(&pending);
    let error =
        match login_codes::check(&state, &v, &typed, crate::flows::codes::hosted_guesser(&v))
            .await?
        {
            CodeCheck::Accepted(proof) => {
                let (exchange, now) = (v.exchange_id.clone(), state.now());
                let closed = state
                    .store
                    .run(move |c| {
                        store::verifications::advance(
                            c,
                            &exchange,
                            State::Initiated,
                            State::Consumed,
                            &uuid::Uuid::new_v4().to_string(),
                            now,
                            now,
                        )
                    })
                    .await?;
                if !closed {
                    return Err(WebError::BadRequest(
                        "This code was already used. Go back to the application.".into(),
                    ));
                }
                let user_id = proof.user_id.clone();
                let user = state
                    .store
                    .run(move |c| store::users::find_user(c, &user_id))
                    .await?
                    .filter(|u| u.can_sign_in())
                    .ok_or_else(|| WebError::BadRequest("This account cannot sign in.".into()))?;
                if track_id.is_empty() {
                    return login_flow::after_first_factor(
                        &state, &req, &session, &pending, &user, v.method,
                    )
                    .await;
                }
                // The code proves a factor of ITS account: the sign-in state machine takes it as the
                // track's second step only when that is the track's user and a second-factor method.
                let c = mfa::continuation(&state, &browser, &track_id, &pending.id).await?;
                return mfa::complete(&state, &req, &session, &c, proof).await;
            }
            CodeCheck::Wrong => {
                let place = if track_id.is_empty() {
                    "sign-in page"
                } else {
                    "second step"
                };
                let event = Audit::sign_in_failure(v.method, place, "wrong code")
                    .maybe_user(v.user_id.as_deref())
                    .client(&pending.request.client_id);
                audit::record(&state, &req, event).await;
                tr.t("err-code-wrong")
            }
            CodeCheck::Locked { until } => crate::web::words::channel_locked(&tr, until),
            CodeCheck::Expired => tr.t("err-code-gone"),
        };
    let messages = (None, Some(error));
    render(tr, &state, &browser, &pending, &v, &track_id, messages).await
}

/// `POST /login/code/resend`: the same code again, once the cooldown has passed.
pub async fn resend(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<CodeForm>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let browser = form_browser(&state, &req, form.csrf_token.as_deref())?;
    let pending = pending_for_browser(&state, Some(&form.request_id), &browser).await?;
    let v = open_verification(&state, &pending, &form.id).await?;
    let track_id = form.track_id.clone().unwrap_or_default();
    let tr = lang.for_request(&pending);
    let (notice, error) = match login_codes::resend(&state, &v, tr.lang()).await? {
        Resent::Sent(_) => (Some(tr.t("code-sent-again")), None),
        Resent::TooSoon { wait } => (None, Some(tr.n("code-wait", "seconds", wait))),
        Resent::Gone => (None, Some(tr.t("err-code-expired"))),
        Resent::Failed => (None, Some(tr.t("code-resend-failed"))),
    };
    let messages = (notice, error);
    render(tr, &state, &browser, &pending, &v, &track_id, messages).await
}
