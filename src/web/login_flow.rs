//! Steps every hosted login shares, whatever the method: finding the pending request for this
//! browser, and finishing it (session, audit, authorization response).

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use super::audit::{self, Audit};
use super::browser::Browser;
use super::error::WebError;
use super::issue;
use super::login_session::{self, Login};
use super::session_store::remember_device;
use crate::domain::client::MfaPolicy;
use crate::domain::oauth::pending::PendingRequest;
use crate::domain::user::User;
use crate::domain::verification::{LoginTrack, Method, SecondFactor, TRACK_TTL, second_factor};
use crate::flows::AppState;
use crate::store;

/// Loads a live request and makes sure this browser may act on it (binding it on first use).
pub async fn pending_for_browser(
    state: &AppState,
    request_id: Option<&str>,
    browser: &Browser,
) -> Result<PendingRequest, WebError> {
    let expired = || {
        WebError::BadRequest(
            "This sign-in link has expired or was already used. Go back to the application and sign in again.".into(),
        )
    };
    let id = request_id
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
        .ok_or_else(expired)?
        .to_owned();
    let now = state.now();
    let lookup = id.clone();
    let pending = state
        .store
        .run(move |c| store::requests::find_request(c, &lookup))
        .await?
        .filter(|p| p.is_live(now))
        .ok_or_else(expired)?;
    let binding = browser.binding();
    if !pending.is_bound_to(&binding) {
        return Err(WebError::Forbidden(
            "This sign-in was started in another browser. Go back to the application and sign in again here.".into(),
        ));
    }
    if pending.browser_binding.is_none() {
        let bound = state
            .store
            .run(move |c| store::requests::bind_request(c, &id, &binding))
            .await?;
        if !bound {
            return Err(WebError::Forbidden(
                "This sign-in was started in another browser.".into(),
            ));
        }
    }
    Ok(pending)
}

/// The browser's cookie, required for every POST of the login flow.
pub fn require_browser(state: &AppState, req: &HttpRequest) -> Result<Browser, WebError> {
    Browser::existing(state, req).ok_or_else(|| {
        WebError::Forbidden(
            "Your browser did not send our cookie. Allow cookies for this site and try again."
                .into(),
        )
    })
}

/// The browser of a posted form, after checking its CSRF token (the cookie must be there).
pub fn form_browser(
    state: &AppState,
    req: &HttpRequest,
    csrf_token: Option<&str>,
) -> Result<Browser, WebError> {
    let browser = require_browser(state, req)?;
    if !csrf_token.is_some_and(|t| browser.csrf_matches(state, t)) {
        return Err(WebError::Forbidden(
            "The form has expired. Go back, reload the page and try again.".into(),
        ));
    }
    Ok(browser)
}

/// Completes `pending` for `user` authenticated by `amr`: marks the request used (once), starts
/// a fresh login session, records the event, and answers the client.
pub async fn finish(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    pending: &PendingRequest,
    user: &User,
    amr: Vec<String>,
) -> Result<HttpResponse, WebError> {
    let now = state.now();
    let id = pending.id.clone();
    if !state
        .store
        .run(move |c| store::requests::complete_request(c, &id, now))
        .await?
    {
        return Err(WebError::BadRequest(
            "This sign-in was already completed. Go back to the application.".into(),
        ));
    }
    let action = format!("login.{}", amr.join("+"));
    let login = Login {
        user_id: user.id.clone(),
        auth_time: now,
        amr,
    };
    login_session::start(session, &login).map_err(|e| WebError::Internal(e.into()))?;
    remember_device(session, req).map_err(|e| WebError::Internal(e.into()))?;
    audit::record(
        state,
        req,
        Audit::success(&action)
            .user(&user.id)
            .client(&pending.request.client_id),
    )
    .await;
    issue::authorization_response(state, &pending.request, user, &login).await
}

/// Creates a track after the first factor and returns where the browser goes next.
pub async fn start_track(
    state: &AppState,
    pending: &PendingRequest,
    user: &User,
    amr: Vec<String>,
) -> Result<String, WebError> {
    let now = state.now();
    let track = LoginTrack {
        id: uuid::Uuid::new_v4().to_string(),
        request_id: pending.id.clone(),
        user_id: user.id.clone(),
        alias: uuid::Uuid::new_v4().to_string(),
        amr,
        created_at: now,
        expires_at: now + TRACK_TTL,
        completed_at: None,
    };
    let row = track.clone();
    state
        .store
        .run(move |c| store::tracks::insert_track(c, &row))
        .await?;
    Ok(format!(
        "/mfa?track_id={}&sub={}&q={}&requestId={}",
        track.id, track.alias, track.alias, pending.id
    ))
}

/// After a first factor: finish, or continue to the second factor the client's policy asks for.
/// A password may be followed by a code; a passwordless first factor satisfies `optional`
/// clients, while `always` clients start with the password (`error=password_required`).
pub async fn after_first_factor(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    pending: &PendingRequest,
    user: &User,
    method: Method,
) -> Result<HttpResponse, WebError> {
    // Each entry point refuses methods the client does not allow before it gets here.
    let rules = crate::flows::factors::client_rules(state, &pending.request.client_id).await?;
    let policy = rules.mfa_policy;
    let amr = vec![method.amr().to_owned()];
    if method != Method::Password {
        if policy == MfaPolicy::Always {
            let location = format!(
                "/login?requestId={}&view_type=login&error=password_required",
                pending.id
            );
            return Ok(HttpResponse::Found()
                .insert_header((header::LOCATION, location))
                .finish());
        }
        return finish(state, req, session, pending, user, amr).await;
    }
    let has_second_factor = crate::flows::factors::has_second_factor(state, user, &rules).await?;
    match second_factor(policy, has_second_factor) {
        SecondFactor::NotNeeded => finish(state, req, session, pending, user, amr).await,
        SecondFactor::Verify | SecondFactor::Enroll => {
            let location = start_track(state, pending, user, amr).await?;
            Ok(HttpResponse::Found()
                .insert_header((header::LOCATION, location))
                .finish())
        }
    }
}
