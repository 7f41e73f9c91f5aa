//! The way into the account page and the admin area: a redirect into the hosted login for the
//! built-in account client, and where the browser lands afterwards (carried in `state`, after
//! the CSRF value; the callback is `routes::account_sign_in`).

use actix_web::HttpRequest;
use actix_web::HttpResponse;
use actix_web::cookie::Cookie;
use actix_web::http::{StatusCode, header};

use crate::flows::AppState;
use crate::web::browser::Browser;
use crate::web::error::WebError;

/// The client id of the account page (and the admin area) itself: a built-in client, created
/// at start, whose redirect URI is `/account/callback`.
pub const ACCOUNT_CLIENT_ID: &str = "gatehouse-account";

/// Where the built-in sign-in lands afterwards (carried in `state`, after the CSRF value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Landing {
    Account,
    /// An admin page (path and query), so a bookmarked admin link survives the sign-in.
    Admin(String),
    /// Back on the account page after signing in again for a change.
    AccountAgain,
    /// A transaction approval page (`/approve/{id}`), so the user who was sent there signs in
    /// and comes back to the approval.
    Approval(String),
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

    /// The approval page `path` when it is one (`/approve/` and a token of URL-safe
    /// characters — checked again when it comes back through `state`), otherwise the account page.
    pub fn for_page(path: &str) -> Landing {
        let is_approval = path.strip_prefix("/approve/").is_some_and(|id| {
            !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
        if is_approval {
            Landing::Approval(path.to_owned())
        } else {
            Landing::Account
        }
    }

    /// Where the browser goes once signed in.
    pub fn path(&self) -> &str {
        match self {
            Landing::Account => "/account",
            Landing::Admin(path) => path,
            Landing::AccountAgain => "/account?notice=signed_in_again",
            Landing::Approval(path) => path,
        }
    }

    fn suffix(&self) -> Option<String> {
        match self {
            Landing::Account => None,
            Landing::Admin(path) => Some(format!("admin{path}")),
            Landing::AccountAgain => Some("again".into()),
            Landing::Approval(path) => Some(format!("approval{path}")),
        }
    }

    /// The landing a `state` suffix names, if it names one.
    pub fn from_suffix(suffix: &str) -> Option<Landing> {
        match suffix {
            "again" => Some(Landing::AccountAgain),
            // "admin" alone: a sign-in started before admin paths were carried.
            "admin" => Some(Landing::admin("/admin")),
            _ => match suffix.strip_prefix("approval") {
                Some(path) => Some(Landing::for_page(path)),
                None => suffix.strip_prefix("admin").map(Landing::admin),
            },
        }
    }
}

/// A redirect into the hosted login (the response of [`super::Refusal::SignIn`]).
#[derive(Debug)]
pub struct SignInRedirect {
    pub(super) status: StatusCode,
    location: String,
    /// The browser cookie, when this browser had none.
    cookie: Option<Cookie<'static>>,
}

impl SignInRedirect {
    /// A redirect with `status` into the hosted login for the account client, landing on
    /// `landing`. With `again` (the signed-in user's email) the login is forced
    /// (`prompt=login`, OIDC Core §3.1.2.1) and the address is filled in; `two_factors` asks
    /// for both of the user's factors (`acr_values=2`).
    pub fn new(
        state: &AppState,
        req: &HttpRequest,
        landing: Landing,
        again: Option<&str>,
        two_factors: bool,
        status: StatusCode,
    ) -> Result<SignInRedirect, WebError> {
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
        let query =
            serde_urlencoded::to_string(params).map_err(|e| WebError::Internal(e.into()))?;
        Ok(SignInRedirect {
            status,
            location: format!("/authz-srv/authz?{query}"),
            cookie: browser.is_new.then(|| browser.cookie(state)),
        })
    }

    pub(super) fn response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::LOCATION, self.location.clone()));
        if let Some(cookie) = &self.cookie {
            response.cookie(cookie.clone());
        }
        response.finish()
    }
}
