//! Steps every hosted login shares, whatever the method: finding the pending request for this
//! browser, and finishing it (session, audit, authorization response).

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse};

use super::audit::{self, Audit};
use super::browser::Browser;
use super::error::WebError;
use super::issue;
use super::login_session::{self, Login};
use super::state::AppState;
use crate::domain::oauth::authorize::PendingRequest;
use crate::domain::user::User;
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
