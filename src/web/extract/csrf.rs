//! [`Csrf<T>`]: a posted form whose `csrf_token` field matches this browser's cookie (a signed
//! double-submit token, OWASP CSRF cheat sheet; see `web::browser`). A form without the cookie,
//! or with another token, is refused with 403 and the handler does not run.
//!
//! The token is judged before any other refusal of the request is given: the user extractors
//! wait for it ([`judged_first`]), so a forged form from a browser that is also signed out, not
//! an administrator, or signed in too long ago gets the CSRF refusal — never a redirect into
//! the hosted login that a cross-site form could trigger.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::error::UrlencodedError;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::sync::watch;

use super::{Refusal, app_state};
use crate::web::error::WebError;
use crate::web::login_flow::form_browser;
use crate::web::route_table::bad_input;

/// A form `T` posted with this browser's CSRF token. `T` need not name the `csrf_token`
/// field; malformed forms are 400 as for `web::Form<T>` (and judged before the token).
pub struct Csrf<T> {
    form: T,
    token: String,
}

impl<T> Csrf<T> {
    pub fn into_inner(self) -> T {
        self.form
    }

    /// The posted token (it matched): for the forms of a page shown in answer.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl<T> Deref for Csrf<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.form
    }
}

/// A form with nothing but its CSRF token.
#[derive(Deserialize)]
pub struct NoFields {}

/// Whether this request's CSRF token was found right; `false` until it is judged.
#[derive(Clone)]
struct Verdict(watch::Receiver<bool>);

impl<T: DeserializeOwned + 'static> FromRequest for Csrf<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let judge = awaits_verdict(req);
        // The body as pairs, with the limits and error answers of `web::FormConfig`.
        let pairs = web::Form::<Vec<(String, String)>>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let pairs = pairs.await?.into_inner();
            // As a form read into pairs or a map would: the last one counts.
            let token = pairs
                .iter()
                .rev()
                .find(|(name, _)| name == "csrf_token")
                .map(|(_, value)| value.clone());
            let form = parse::<T>(&pairs)?;
            let state = app_state(&req)?;
            form_browser(&state, &req, token.as_deref())?;
            // Nobody may be listening any more; that is fine.
            let _ = judge.send(true);
            Ok(Csrf {
                form,
                token: token.unwrap_or_default(),
            })
        })
    }
}

/// Marks `req` as carrying a CSRF-checked form: user extractors wait for the returned judge
/// to say the token was right before they give a refusal (see [`judged_first`]).
pub(super) fn awaits_verdict(req: &HttpRequest) -> watch::Sender<bool> {
    let (judge, verdict) = watch::channel(false);
    req.extensions_mut().insert(Verdict(verdict));
    judge
}

/// `T` from the posted pairs, with the answer `web::Form<T>` gives a malformed form.
fn parse<T: DeserializeOwned>(pairs: &[(String, String)]) -> Result<T, actix_web::Error> {
    let encoded = serde_urlencoded::to_string(pairs).map_err(|e| WebError::Internal(e.into()))?;
    serde_urlencoded::from_str(&encoded)
        .map_err(|e| bad_input(UrlencodedError::Parse(e).to_string()))
}

/// `outcome` of a user extractor, given only once the form's CSRF token (when the handler takes
/// a [`Csrf`] form) is judged right, if it is a refusal. A refused form ends the request with
/// its own refusal, and this one is never given.
pub(super) async fn judged_first<T>(
    req: &HttpRequest,
    outcome: Result<T, Refusal>,
) -> Result<T, Refusal> {
    if outcome.is_err() {
        let verdict = req.extensions().get::<Verdict>().cloned();
        if let Some(Verdict(mut verdict)) = verdict {
            // An error: the form extractor is gone, so the request has ended anyway.
            let _ = verdict.wait_for(|right| *right).await;
        }
    }
    outcome
}
