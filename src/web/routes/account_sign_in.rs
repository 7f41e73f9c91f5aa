//! Where the sign-in to the account page — and to the admin area, which uses the same built-in
//! client — comes back: the callback of the hosted login. The redirect into it, and where the
//! browser lands afterwards, are made by the extractors that ask for a sign-in
//! (`web::extract`).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::flows::AppState;
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::extract::Landing;
use crate::web::hosted::found;

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
    Ok(found(landing.path()))
}
