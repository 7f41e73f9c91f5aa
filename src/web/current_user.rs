//! Who is calling: the signed-in user of the session cookie, or the user of a Bearer token —
//! for any call ([`current_user`]), or for one that adds or removes a sign-in factor
//! ([`factor_user`]), which asks more of both.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};

use super::error::WebError;
use super::{bearer, envelope, login_session};
use crate::domain::oauth::scope::{FACTORS, Scopes};
use crate::domain::user::User;
use crate::flows::AppState;
use crate::flows::sign_in;
use crate::store;

/// The calling user, if the session or an `Authorization: Bearer` token names an active one.
pub async fn current_user(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
) -> Result<Option<User>, WebError> {
    let user_id = match login_session::current(session) {
        Some(login) => Some(login.user_id),
        None => match bearer::from_header(req) {
            Some(token) => bearer::resolve(state, &token)
                .await?
                .and_then(|t| t.user_id),
            None => None,
        },
    };
    active_user(state, user_id).await
}

async fn active_user(state: &AppState, user_id: Option<String>) -> Result<Option<User>, WebError> {
    let Some(user_id) = user_id else {
        return Ok(None);
    };
    Ok(state
        .store
        .run(move |c| store::users::find_user(c, &user_id))
        .await?
        .filter(User::can_sign_in))
}

/// Why a call may not add or remove a sign-in factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorRefusal {
    /// Neither a session nor a Bearer token.
    NotSignedIn,
    /// The Bearer token is unknown, expired or revoked, or its user can no longer sign in.
    InvalidToken,
    /// The Bearer token lacks the [`FACTORS`] scope (or belongs to no user).
    InsufficientScope,
    /// The session's sign-in is older than [`login_session::FRESH_SIGN_IN`].
    StaleSignIn,
}

impl FactorRefusal {
    /// The answer in the cidaas envelope, with the RFC 6750 §3 challenge for token errors.
    pub fn response(self, req: &HttpRequest) -> HttpResponse {
        let minutes = login_session::FRESH_SIGN_IN / 60;
        let (status, code, kind, message, challenge) = match self {
            FactorRefusal::NotSignedIn => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Unauthorized",
                "Sign in first: a session cookie or a Bearer token is required.".to_owned(),
                None,
            ),
            FactorRefusal::InvalidToken => (
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "Unauthorized",
                "The access token is invalid, expired or revoked.".to_owned(),
                Some("Bearer realm=\"gatehouse\", error=\"invalid_token\"".to_owned()),
            ),
            FactorRefusal::InsufficientScope => (
                StatusCode::FORBIDDEN,
                "insufficient_scope",
                "Forbidden",
                format!(
                    "Adding or removing a sign-in factor needs a token with the {FACTORS} scope."
                ),
                Some(format!(
                    "Bearer realm=\"gatehouse\", error=\"insufficient_scope\", scope=\"{FACTORS}\""
                )),
            ),
            // The name of the step-up challenge of RFC 9470 §3.
            FactorRefusal::StaleSignIn => (
                StatusCode::UNAUTHORIZED,
                "insufficient_user_authentication",
                "Unauthorized",
                format!(
                    "Sign in again: adding or removing a sign-in factor needs a sign-in within the last {minutes} minutes."
                ),
                None,
            ),
        };
        let mut response = envelope::error(req, status, code, kind, &message);
        if let Some(challenge) = challenge
            && let Ok(value) = header::HeaderValue::from_str(&challenge)
        {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// The user whose sign-in factors this call may add or remove: the session's user when the
/// sign-in is fresh (as on the account page), or the user of a Bearer token that carries the
/// [`FACTORS`] scope. Any token of a user may read the user's factors, but adding one the
/// holder controls (an authenticator app, a push device that receives sign-in codes) would let
/// a leaked or over-shared token take the account over, so it takes a token issued for that,
/// or a sign-in just now.
pub async fn factor_user(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
) -> Result<Result<User, FactorRefusal>, WebError> {
    let mut refusal = FactorRefusal::NotSignedIn;
    if let Some(login) = login_session::current(session)
        && let Some(user) = active_user(state, Some(login.user_id.clone())).await?
    {
        // Recent, and the user's strongest way in: the same rule as the account page's forms.
        let session_sign_in = login_session::session_sign_in(&login);
        match sign_in::step_up(state, &user, session_sign_in, login_session::FRESH_SIGN_IN).await? {
            None => return Ok(Ok(user)),
            Some(_) => refusal = FactorRefusal::StaleSignIn,
        }
    }
    // A token that was sent is what the caller meant: its refusal is the one to explain.
    if let Some(token) = bearer::from_header(req) {
        let Some(access) = bearer::resolve(state, &token).await? else {
            return Ok(Err(FactorRefusal::InvalidToken));
        };
        if access.user_id.is_none() || !Scopes::parse_supported(&access.scope).contains(FACTORS) {
            return Ok(Err(FactorRefusal::InsufficientScope));
        }
        return Ok(active_user(state, access.user_id)
            .await?
            .ok_or(FactorRefusal::InvalidToken));
    }
    Ok(Err(refusal))
}
