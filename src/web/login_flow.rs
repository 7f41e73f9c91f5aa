//! Steps every hosted login shares, whatever the method: finding the pending request for this
//! browser, turning what the sign-in flow decided into a redirect, and finishing it (session,
//! audit, authorization response) with the completion only the sign-in state machine makes.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse};

use super::audit;
use super::browser::Browser;
use super::error::WebError;
use super::hosted::found;
use super::issue;
use super::login_session::{self, Login};
use super::session_store::remember_device;
use crate::domain::oauth::pending::PendingRequest;
use crate::domain::sign_in::Completion;
use crate::domain::user::User;
use crate::domain::verification::{LoginTrack, Method};
use crate::flows::AppState;
use crate::flows::sign_in::{self, Step};
use crate::store;

/// Loads a live request and makes sure this browser may act on it (binding it on first use).
pub async fn pending_for_browser(
    state: &AppState,
    request_id: Option<&str>,
    browser: &Browser,
) -> Result<PendingRequest, WebError> {
    Ok(
        pending_for_browser_and(state, request_id, browser, |_| Ok(()))
            .await?
            .0,
    )
}

/// [`pending_for_browser`] for the login page shown right after the authorization request:
/// taken from [`crate::flows::fresh_requests`] when this instance has just stored it, so the
/// page costs no trip to the database; read from it otherwise.
pub async fn pending_for_page(
    state: &AppState,
    request_id: Option<&str>,
    browser: &Browser,
) -> Result<PendingRequest, WebError> {
    let fresh = request_id.and_then(|id| state.fresh_requests.take(id));
    match fresh.filter(|p| p.is_live(state.now()) && p.is_bound_to(&browser.binding())) {
        Some(pending) => Ok(pending),
        None => pending_for_browser(state, request_id, browser).await,
    }
}

/// [`pending_for_browser`], and `also` in the same trip to the database (what the handler
/// would read next anyway, e.g. the user of a typed name): one hand-off to the blocking pool
/// instead of two. `also` runs whether or not the request is found.
pub async fn pending_for_browser_and<T: Send + 'static>(
    state: &AppState,
    request_id: Option<&str>,
    browser: &Browser,
    also: impl FnOnce(&mut store::AnyConnection) -> Result<T, store::StoreError> + Send + 'static,
) -> Result<(PendingRequest, T), WebError> {
    let (pending, extra) = live_pending_and(state, request_id, also).await?;
    let id = pending.id.clone();
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
    Ok((pending, extra))
}

/// The request a verified proof finishes (`/login-srv/verification/login`, the precheck
/// continuation). A custom login UI on another site posts these cross-site, where SameSite=Lax
/// keeps our cookie away: then the caller's proof — an unused verified `status_id` or a live
/// track, both unguessable and bound to this request — is what binds the post to the sign-in.
/// When the cookie is there, it must still be the browser the request is bound to.
pub async fn pending_for_proof(
    state: &AppState,
    req: &HttpRequest,
    request_id: &str,
) -> Result<PendingRequest, WebError> {
    Ok(pending_for_proof_and(state, req, request_id, |_| Ok(()))
        .await?
        .0)
}

/// [`pending_for_proof`], and `also` in the same trip to the database.
pub async fn pending_for_proof_and<T: Send + 'static>(
    state: &AppState,
    req: &HttpRequest,
    request_id: &str,
    also: impl FnOnce(&mut store::AnyConnection) -> Result<T, store::StoreError> + Send + 'static,
) -> Result<(PendingRequest, T), WebError> {
    match Browser::existing(state, req) {
        Some(browser) => pending_for_browser_and(state, Some(request_id), &browser, also).await,
        None => live_pending_and(state, Some(request_id), also).await,
    }
}

/// A request that is live, whoever asks, and `also` in the same trip to the database.
async fn live_pending_and<T: Send + 'static>(
    state: &AppState,
    request_id: Option<&str>,
    also: impl FnOnce(&mut store::AnyConnection) -> Result<T, store::StoreError> + Send + 'static,
) -> Result<(PendingRequest, T), WebError> {
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
    let (pending, extra) = state
        .store
        .run(move |c| Ok((store::requests::find_request(c, &id)?, also(c)?)))
        .await?;
    let pending = pending.filter(|p| p.is_live(now)).ok_or_else(expired)?;
    Ok((pending, extra))
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

/// Completes `pending` with `done`, which only the sign-in state machine hands out (see
/// [`sign_in::finish`]), and starts a fresh login session in this browser.
pub async fn finish(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    pending: &PendingRequest,
    user: &User,
    done: Completion,
) -> Result<HttpResponse, WebError> {
    let Some(finished) = sign_in::finish(state, &audit::meta(req), pending, user, &done).await?
    else {
        return Err(WebError::BadRequest(
            "This sign-in was already completed. Go back to the application.".into(),
        ));
    };
    let login = Login {
        user_id: done.user_id().to_owned(),
        auth_time: done.auth_time(),
        amr: done.amr().to_vec(),
        strongest: Some(finished.strongest),
    };
    login_session::start(session, &login).map_err(|e| WebError::Internal(e.into()))?;
    remember_device(session, req).map_err(|e| WebError::Internal(e.into()))?;
    Ok(issue::deliver(finished.response))
}

/// Where the second step of a track is taken on the hosted pages.
pub fn track_location(pending: &PendingRequest, track: &LoginTrack) -> String {
    format!(
        "/mfa?track_id={}&sub={}&q={}&requestId={}",
        track.id, track.alias, track.alias, pending.id
    )
}

/// After a first factor `method` proven by `user`: whatever the sign-in state machine says.
pub async fn after_first_factor(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    pending: &PendingRequest,
    user: &User,
    method: Method,
) -> Result<HttpResponse, WebError> {
    match sign_in::first_factor(state, pending, user, method).await? {
        Ok(step) => follow(state, req, session, pending, user, step).await,
        // Entry points offer only allowed methods; a forged form gets the plain refusal.
        Err(_) => Err(not_allowed()),
    }
}

/// The answer to a sign-in step: finish, continue on the second-factor page, back to the
/// password, or tell the application its requirement cannot be met.
pub async fn follow(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    pending: &PendingRequest,
    user: &User,
    step: Step,
) -> Result<HttpResponse, WebError> {
    match step {
        Step::Complete(done) => finish(state, req, session, pending, user, done).await,
        Step::Continue(track) => Ok(found(&track_location(pending, &track))),
        Step::PasswordFirst => Ok(found(&format!(
            "/login?requestId={}&view_type=login&error=password_required",
            pending.id
        ))),
        Step::Unmet => {
            // The request ends here: OIDC Core §3.1.2.6 answers it with an error.
            let (id, now) = (pending.id.clone(), state.now());
            state
                .store
                .run(move |c| store::requests::complete_request(c, &id, now))
                .await?;
            Ok(issue::error_response(
                state,
                &pending.request.redirect_uri,
                pending.request.response_mode,
                pending.request.state.as_deref(),
                "unmet_authentication_requirements",
                "The sign-in cannot give the two factors the application asked for.",
            ))
        }
    }
}

/// A way of signing in the application does not allow (its pages never offer it).
pub fn not_allowed() -> WebError {
    WebError::BadRequest(
        "This application does not allow that way of signing in. Go back and choose another."
            .into(),
    )
}
