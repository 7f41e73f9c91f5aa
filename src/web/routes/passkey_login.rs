//! Passkeys on the hosted sign-in pages: `/login/passkey` (a discoverable passkey names the
//! user: no email typed) and `/mfa/passkey` (a passkey of the track's user as the second step).
//! The page carries the WebAuthn options; `static/js/passkey.js` asks the browser and posts the
//! answer in a normal form. Without JavaScript the page says so and links back to the other
//! ways to sign in. The sign-in state machine decides what the passkey proves.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::oauth::pending::PendingRequest;
use crate::domain::sign_in::Proof;
use crate::domain::verification::Method;
use crate::flows::passkeys::assertion::{self, AssertRefusal};
use crate::flows::{AppState, factors, sign_in};
use crate::i18n::Tr;
use crate::store;
use crate::web::audit;
use crate::web::brand::{self as branding, Brand};
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::extract::Lang;
use crate::web::hosted::html;
use crate::web::login_flow::{self, form_browser, pending_for_browser, require_browser};
use crate::web::routes::mfa::{self, continuation};

#[derive(Template)]
#[template(path = "login/passkey.html")]
pub struct PasskeyPage {
    pub tr: Tr,
    brand: Option<Brand>,
    pub title: String,
    pub lead: String,
    pub error: Option<String>,
    pub passkey_action: &'static str,
    pub passkey_kind: &'static str,
    pub passkey_button: String,
    pub passkey_fields: Vec<(&'static str, String)>,
    pub options_json: String,
    pub ceremony_id: String,
    pub csrf_token: String,
    pub back_href: String,
    pub back_text: String,
}

#[derive(Deserialize)]
pub struct PasskeyQuery {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    track_id: Option<String>,
}

#[derive(Deserialize)]
pub struct PasskeyForm {
    #[serde(rename = "requestId")]
    request_id: String,
    track_id: Option<String>,
    csrf_token: Option<String>,
    ceremony_id: Option<String>,
    credential: Option<String>,
}

/// What to tell the user about a refused passkey.
pub fn refusal_message(tr: &Tr, why: AssertRefusal) -> String {
    tr.t(match why {
        AssertRefusal::CounterRegression => "err-passkey-cloned",
        AssertRefusal::UnknownCeremony => "err-passkey-too-slow",
        _ => "err-passkey-refused",
    })
}

async fn login_page(
    tr: Tr,
    state: &AppState,
    browser: &Browser,
    pending: &PendingRequest,
    error: Option<String>,
) -> Result<HttpResponse, WebError> {
    let started = assertion::start_discoverable(state).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PasskeyPage {
        brand: branding::for_client(state, &pending.request.client_id).await?,
        title: tr.t("passkey-login-title"),
        lead: tr.t("passkey-login-lead"),
        error,
        passkey_action: "/login/passkey",
        passkey_kind: "get",
        passkey_button: tr.t("passkey-button"),
        passkey_fields: vec![("requestId", pending.id.clone())],
        options_json: started.options.to_string(),
        ceremony_id: started.ceremony_id,
        csrf_token: browser.csrf_token(state),
        back_href: format!("/login?requestId={}&view_type=login", pending.id),
        back_text: tr.t("login-other-ways"),
        tr,
    };
    html(state, browser, &page, status)
}

/// `GET /login/passkey?requestId=…`.
pub async fn login_passkey_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<PasskeyQuery>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let browser = Browser::get_or_create(&state, &req);
    let pending = pending_for_browser(&state, query.request_id.as_deref(), &browser).await?;
    if !factors::client_rules(&state, &pending.request.client_id)
        .await?
        .allows(Method::Passkey)
    {
        return Err(login_flow::not_allowed());
    }
    login_page(lang.for_request(&pending), &state, &browser, &pending, None).await
}

/// `POST /login/passkey`: the assertion of a discoverable passkey; its owner signs in.
pub async fn login_passkey_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<PasskeyForm>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let browser = form_browser(&state, &req, form.csrf_token.as_deref())?;
    let pending = pending_for_browser(&state, Some(&form.request_id), &browser).await?;
    let tr = lang.for_request(&pending);
    let ceremony = form.ceremony_id.as_deref().unwrap_or("");
    let credential = form.credential.as_deref().unwrap_or("");
    let meta = audit::meta(&req);
    let asserted = match assertion::finish(&state, &meta, ceremony, credential).await? {
        Ok(a) => a,
        Err(why) => {
            let message = refusal_message(&tr, why);
            return login_page(tr, &state, &browser, &pending, Some(message)).await;
        }
    };
    let user_id = asserted.user_id.clone();
    let Some(user) = state
        .store
        .run(move |c| store::users::find_user(c, &user_id))
        .await?
        .filter(|u| u.can_sign_in())
    else {
        let message = refusal_message(&tr, AssertRefusal::Invalid);
        return login_page(tr, &state, &browser, &pending, Some(message)).await;
    };
    let proof = Proof::passkey(&user.id, asserted.facts, state.now());
    match sign_in::first_proof(&state, &pending, &user, proof).await? {
        Ok(step) => login_flow::follow(&state, &req, &session, &pending, &user, step).await,
        Err(_) => Err(login_flow::not_allowed()),
    }
}

async fn mfa_page(
    tr: Tr,
    state: &AppState,
    browser: &Browser,
    c: &mfa::Continuation,
    error: Option<String>,
) -> Result<HttpResponse, WebError> {
    let Some(started) = assertion::start_for_user(state, &c.user.id).await? else {
        return Err(WebError::BadRequest(
            "This account has no passkey. Go back and use another second factor.".into(),
        ));
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PasskeyPage {
        brand: branding::for_client(state, &c.pending.request.client_id).await?,
        title: tr.t("passkey-mfa-title"),
        lead: tr.t("passkey-mfa-lead"),
        error,
        passkey_action: "/mfa/passkey",
        passkey_kind: "get",
        passkey_button: tr.t("passkey-button"),
        passkey_fields: vec![
            ("requestId", c.pending.id.clone()),
            ("track_id", c.track.id.clone()),
        ],
        options_json: started.options.to_string(),
        ceremony_id: started.ceremony_id,
        csrf_token: browser.csrf_token(state),
        back_href: format!(
            "/mfa?track_id={}&requestId={}&method=other",
            c.track.id, c.pending.id
        ),
        back_text: tr.t("passkey-mfa-back"),
        tr,
    };
    html(state, browser, &page, status)
}

/// `GET /mfa/passkey?track_id=…&requestId=…`.
pub async fn mfa_passkey_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<PasskeyQuery>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let browser = require_browser(&state, &req)?;
    let c = continuation(
        &state,
        &browser,
        query.track_id.as_deref().unwrap_or(""),
        query.request_id.as_deref().unwrap_or(""),
    )
    .await?;
    mfa_page(lang.for_request(&c.pending), &state, &browser, &c, None).await
}

/// `POST /mfa/passkey`: a passkey of the track's user completes the second step.
pub async fn mfa_passkey_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<PasskeyForm>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let browser = form_browser(&state, &req, form.csrf_token.as_deref())?;
    let track_id = form.track_id.as_deref().unwrap_or("");
    let c = continuation(&state, &browser, track_id, &form.request_id).await?;
    let tr = lang.for_request(&c.pending);
    let ceremony = form.ceremony_id.as_deref().unwrap_or("");
    let credential = form.credential.as_deref().unwrap_or("");
    let meta = audit::meta(&req);
    let asserted = match assertion::finish(&state, &meta, ceremony, credential).await? {
        Ok(a) if a.user_id == c.user.id => a,
        Ok(_) => {
            let message = refusal_message(&tr, AssertRefusal::AnotherUser);
            return mfa_page(tr, &state, &browser, &c, Some(message)).await;
        }
        Err(why) => {
            let message = refusal_message(&tr, why);
            return mfa_page(tr, &state, &browser, &c, Some(message)).await;
        }
    };
    let proof = Proof::passkey(&c.user.id, asserted.facts, state.now());
    mfa::complete(&state, &req, &session, &c, proof).await
}
