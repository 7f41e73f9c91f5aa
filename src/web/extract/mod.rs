//! Extractors that decide, before a handler runs, whether the request may reach it — so a
//! handler cannot forget a check: it names what it needs in its arguments and gets it, or it
//! never runs.
//!
//! - [`SignedIn`]: the active user signed in on this browser's session;
//! - [`FreshSignIn`]: the same, signed in recently and with the user's strongest way in, as
//!   every change to how an account signs in needs (the sign-in flow's `step_up` decides);
//! - [`Admin`]: a signed-in administrator whose sign-in is recent and their strongest
//!   (`step_up` again, within [`ADMIN_MAX_AGE`]);
//! - [`Csrf`]: a posted form whose `csrf_token` matches this browser's cookie ([`CsrfUpload`]
//!   for a multipart form with a file).
//!
//! A refusal ([`Refusal`]) is the response: a page (`GET`) sends an anonymous visitor, or an
//! administrator whose sign-in is too old, through the hosted login and back; a form gets the
//! 403 page, except a change that needs a fresh sign-in, which is sent to sign in again (303).
//! Nothing is changed either way: the handler does not run.
//!
//! When a handler takes a [`Csrf`] form, its CSRF token is judged first: a forged form is
//! always refused as a forged form, whatever else is wrong with the request (see `csrf`).
//! Handlers name the user extractor last, after their path, query and form: actix reads the
//! arguments in order, so a malformed query or form is a 400 before any refusal.
//!
//! May use flows/ (the sign-in's rules) and the web helpers beside it; never a route module.

mod csrf;
mod csrf_upload;
mod lang;
mod sign_in;
mod user;

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

pub use csrf::{Csrf, NoFields};
pub use csrf_upload::{CsrfUpload, UploadToken};
pub use lang::{Lang, StoredChoice, remember_choice};
pub use sign_in::{ACCOUNT_CLIENT_ID, Landing};
pub use user::{ADMIN_MAX_AGE, Admin, FreshSignIn, SignedIn};

use super::error::WebError;
use crate::flows::AppState;
use sign_in::SignInRedirect;

/// Why an extractor refused a request; its response is the answer to the request.
#[derive(thiserror::Error)]
pub enum Refusal {
    /// Sign in (again) first: a redirect into the hosted login.
    #[error("sign in first")]
    SignIn(SignInRedirect),
    /// An error page (403 for a refusal).
    #[error(transparent)]
    Page(#[from] WebError),
}

// By hand: the redirect carries the CSRF value and the user's email, which logs never show.
impl std::fmt::Debug for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::SignIn(_) => f.write_str("SignIn(redirect into the hosted login)"),
            Refusal::Page(e) => e.fmt(f),
        }
    }
}

impl From<crate::flows::FlowError> for Refusal {
    fn from(e: crate::flows::FlowError) -> Self {
        Refusal::Page(e.into())
    }
}

impl From<crate::store::StoreError> for Refusal {
    fn from(e: crate::store::StoreError) -> Self {
        Refusal::Page(e.into())
    }
}

impl ResponseError for Refusal {
    fn status_code(&self) -> StatusCode {
        match self {
            Refusal::SignIn(redirect) => redirect.status,
            Refusal::Page(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Refusal::SignIn(redirect) => redirect.response(),
            Refusal::Page(e) => e.error_response(),
        }
    }
}

/// The application state, which every app registers (`app.rs`).
fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, WebError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| WebError::Internal(anyhow::anyhow!("the application state is missing")))
}

/// Whether the request opens a page (a sign-in can be offered) rather than posting a form.
fn is_page(req: &HttpRequest) -> bool {
    req.method() == actix_web::http::Method::GET
}

/// For `ErrorHandlers` on 302 and 303: a sign-in redirect is the answer to the request, not a
/// failure. actix keeps an extractor's refusal with its response, and the request logger
/// reports every such response as an error; this drops it from the redirects of [`Refusal`]
/// (and leaves every other response as it is).
pub fn sign_in_is_no_error<B: MessageBody>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_sign_in = res
        .response()
        .error()
        .and_then(|e| e.as_error::<Refusal>())
        .is_some_and(|r| matches!(r, Refusal::SignIn(_)));
    if !is_sign_in {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let (req, res) = res.into_parts();
    let res = HttpResponse::from(actix_web::dev::Response::from(res));
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, res).map_into_left_body(),
    ))
}
