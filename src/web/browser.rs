//! The browser cookie: a random id per browser that binds login requests to the browser that
//! started them and keys its CSRF tokens (a signed double-submit token, OWASP CSRF cheat sheet).
//! It carries no authority by itself; the login session is a separate cookie.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::domain::ids::{constant_time_eq, hash_secret};
use crate::flows::AppState;

const COOKIE: &str = "gatehouse_browser";

/// This browser's id, and whether it was just made (then the cookie must be set).
pub struct Browser {
    id: String,
    pub is_new: bool,
}

impl Browser {
    /// The browser id from the cookie, if it sent one.
    pub fn existing(state: &AppState, req: &HttpRequest) -> Option<Browser> {
        req.cookie(&state.cookie_name(COOKIE))
            .map(|c| c.value().to_owned())
            .filter(|v| v.len() >= 32 && v.len() <= 64)
            .map(|id| Browser { id, is_new: false })
    }

    /// The browser id from the cookie, or a new one.
    pub fn get_or_create(state: &AppState, req: &HttpRequest) -> Browser {
        Browser::existing(state, req).unwrap_or_else(|| Browser {
            id: crate::crypto::random_token(32),
            is_new: true,
        })
    }

    /// What a login request stores to remember this browser (never the raw id).
    pub fn binding(&self) -> String {
        hash_secret(&self.id)
    }

    /// The CSRF token for forms shown to this browser.
    pub fn csrf_token(&self, state: &AppState) -> String {
        // HMAC accepts keys of any length, so this cannot fail for our 32-byte key.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&state.csrf_key[..]) {
            Ok(mac) => mac,
            Err(_) => return String::new(),
        };
        mac.update(b"csrf:");
        mac.update(self.id.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    pub fn csrf_matches(&self, state: &AppState, token: &str) -> bool {
        let expected = self.csrf_token(state);
        !expected.is_empty() && constant_time_eq(&expected, token)
    }

    /// The cookie to set when the id is new.
    pub fn cookie(&self, state: &AppState) -> Cookie<'static> {
        Cookie::build(state.cookie_name(COOKIE), self.id.clone())
            .path("/")
            .http_only(true)
            .secure(state.secure_cookies)
            .same_site(SameSite::Lax)
            .max_age(Duration::days(30))
            .finish()
    }
}
