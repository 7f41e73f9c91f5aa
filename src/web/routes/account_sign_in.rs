//! Signing in to the account page — and to the admin area, which uses the same built-in
//! client: the redirect into the hosted login, the callback it comes back to, and where the
//! browser lands afterwards.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::user::User;
use crate::flows::AppState;
use crate::web::browser::Browser;
use crate::web::current_user::current_user;
use crate::web::error::WebError;
use crate::web::login_session;

use super::account::{ACCOUNT_CLIENT_ID, redirect};

/// Where the built-in sign-in lands afterwards (carried in `state`, after the CSRF value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Landing {
    Account,
    /// An admin page (path and query), so a bookmarked admin link survives the sign-in.
    Admin(String),
    /// Back on the account page after signing in again for a change.
    AccountAgain,
}

/// The longest admin path carried through a sign-in; a longer one lands on the dashboard.
const MAX_LANDING_PATH: usize = 512;

impl Landing {
    /// The admin page `path_and_query` asked for, or the dashboard when it is not an admin page
    /// (the path comes back through `state`, so it is checked again there: only our own admin
    /// pages are redirect targets, never another origin).
    pub fn admin(path_and_query: &str) -> Landing {
        let is_admin_page = path_and_query.len() <= MAX_LANDING_PATH
            && path_and_query
                .strip_prefix("/admin")
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
            && !path_and_query.contains(['\\', '#']);
        Landing::Admin(if is_admin_page {
            path_and_query.to_owned()
        } else {
            "/admin".to_owned()
        })
    }

    fn path(&self) -> &str {
        match self {
            Landing::Account => "/account",
            Landing::Admin(path) => path,
            Landing::AccountAgain => "/account?notice=signed_in_again",
        }
    }

    fn suffix(&self) -> Option<String> {
        match self {
            Landing::Account => None,
            Landing::Admin(path) => Some(format!("admin{path}")),
            Landing::AccountAgain => Some("again".into()),
        }
    }

    fn from_suffix(suffix: &str) -> Option<Landing> {
        match suffix {
            "again" => Some(Landing::AccountAgain),
            // "admin" alone: a sign-in started before admin paths were carried.
            "admin" => Some(Landing::admin("/admin")),
            _ => suffix.strip_prefix("admin").map(Landing::admin),
        }
    }
}

/// The signed-in user, or a redirect that signs them in through the hosted login (with the
/// user's second factor, as for any application) and then lands on `landing`.
pub async fn signed_in_or_sign_in(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    landing: Landing,
) -> Result<Result<User, HttpResponse>, WebError> {
    if let Some(user) = current_user(state, req, session)
        .await?
        .filter(|_| login_session::current(session).is_some())
    {
        return Ok(Ok(user));
    }
    Ok(Err(sign_in_redirect(
        state,
        req,
        landing,
        None,
        false,
        HttpResponse::Found(),
    )?))
}

/// A redirect into the hosted login for the account client. With `again` (the signed-in
/// user's email) the login is forced (`prompt=login`, OIDC Core §3.1.2.1) and the address is
/// filled in.
pub(crate) fn sign_in_redirect(
    state: &AppState,
    req: &HttpRequest,
    landing: Landing,
    again: Option<&str>,
    two_factors: bool,
    mut response: actix_web::HttpResponseBuilder,
) -> Result<HttpResponse, WebError> {
    let browser = Browser::get_or_create(state, req);
    let csrf = browser.csrf_token(state);
    let state_value = match landing.suffix() {
        Some(suffix) => format!("{csrf}~{suffix}"),
        None => csrf,
    };
    let redirect_uri = state.url("/account/callback");
    let mut params = vec![
        ("client_id", ACCOUNT_CLIENT_ID),
        ("redirect_uri", redirect_uri.as_str()),
        ("response_type", "code"),
        ("scope", "openid"),
        ("state", state_value.as_str()),
    ];
    if let Some(email) = again {
        params.extend([("prompt", "login"), ("login_hint", email)]);
    }
    if two_factors {
        params.push(("acr_values", "2"));
    }
    let query = serde_urlencoded::to_string(params).map_err(|e| WebError::Internal(e.into()))?;
    response.insert_header((header::LOCATION, format!("/authz-srv/authz?{query}")));
    if browser.is_new {
        response.cookie(browser.cookie(state));
    }
    Ok(response.finish())
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    state: Option<String>,
    error: Option<String>,
}

/// Where the account page's own sign-in lands: the login session now exists.
pub async fn callback(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, WebError> {
    let browser = Browser::existing(&state, &req);
    let (csrf, landing) = match query.state.as_deref().map(|s| s.split_once('~')) {
        Some(Some((csrf, suffix))) => match Landing::from_suffix(suffix) {
            Some(landing) => (Some(csrf), landing),
            None => (None, Landing::Account),
        },
        Some(None) => (query.state.as_deref(), Landing::Account),
        None => (None, Landing::Account),
    };
    let state_ok = matches!((&browser, csrf), (Some(b), Some(s)) if b.csrf_matches(&state, s));
    if query.error.is_some() || !state_ok {
        return Err(WebError::BadRequest(
            "Signing in to your account did not complete. Open /account to try again.".into(),
        ));
    }
    Ok(redirect(landing.path()))
}
