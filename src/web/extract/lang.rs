//! [`Lang`]: the facts a request carries about the language it wants — the visitor's choice on
//! the language switch (kept in the session), `Accept-Language`, the installation default —
//! and the translator they give. `domain::locale` decides; pages of an authorization request
//! add its `ui_locales` with [`Lang::for_request`].

use std::convert::Infallible;
use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::http::{Method, header};
use actix_web::{FromRequest, HttpRequest};
use serde::{Deserialize, Serialize};

use crate::domain::locale::{self, Choice, Facts, Requested};
use crate::domain::oauth::pending::PendingRequest;
use crate::flows::AppState;
use crate::i18n::{SHIPPED, Tr};

/// The session entry of the visitor's choice.
const CHOICE_KEY: &str = "lang";

/// A language chosen on the switch, and when (unix seconds): a later authorization request's
/// `ui_locales` wins over an earlier choice, a later choice over the request's.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredChoice {
    pub lang: String,
    pub at: i64,
}

/// Keeps `lang` (a shipped tag) as the visitor's choice in `session`.
pub fn remember_choice(
    session: &Session,
    lang: &str,
    now: i64,
) -> Result<(), actix_session::SessionInsertError> {
    session.insert(
        CHOICE_KEY,
        StoredChoice {
            lang: lang.to_owned(),
            at: now,
        },
    )
}

/// What one request says about its language. Never refuses: without a session, header or state
/// it speaks the default.
#[derive(Debug, Clone, Default)]
pub struct Lang {
    choice: Option<StoredChoice>,
    accept_language: Option<String>,
    default: String,
    /// The page the language switch returns to: this page for a `GET`, empty for a form post
    /// (its page is not one to return to; [`Lang::for_request`] and [`Tr::with_back`] fill it).
    back: String,
}

impl Lang {
    /// The facts of `req`.
    pub fn of(req: &HttpRequest) -> Self {
        let default = req
            .app_data::<actix_web::web::Data<AppState>>()
            .map(|s| s.live().config.default_locale.clone())
            .unwrap_or_else(|| "en".into());
        let back = if req.method() == Method::GET {
            req.uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default()
        } else {
            String::new()
        };
        Lang {
            choice: req
                .get_session()
                .get::<StoredChoice>(CHOICE_KEY)
                .ok()
                .flatten(),
            accept_language: req
                .headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            default,
            back,
        }
    }

    fn negotiate(&self, requested: Option<Requested<'_>>) -> &'static str {
        let facts = Facts {
            requested,
            choice: self.choice.as_ref().map(|c| Choice {
                lang: &c.lang,
                at: c.at,
            }),
            accept_language: self.accept_language.as_deref(),
            default: &self.default,
        };
        locale::negotiate(&facts, SHIPPED)
    }

    /// The translator for a page outside an authorization request (account pages, errors).
    pub fn tr(&self) -> Tr {
        Tr::new(self.negotiate(None)).with_back(self.back.clone())
    }

    /// The translator for a page of `pending`: its `ui_locales` first (unless the visitor chose
    /// a language after it was made). After a form post the switch returns to its sign-in page.
    pub fn for_request(&self, pending: &PendingRequest) -> Tr {
        let requested = pending
            .request
            .ui_locales
            .as_deref()
            .map(|ui_locales| Requested {
                ui_locales,
                created_at: pending.created_at,
            });
        let back = if self.back.is_empty() {
            let id: String = url::form_urlencoded::byte_serialize(pending.id.as_bytes()).collect();
            format!("/login?requestId={id}")
        } else {
            self.back.clone()
        };
        Tr::new(self.negotiate(requested)).with_back(back)
    }
}

impl Lang {
    /// [`Lang::for_request`] for a page that only carries the request's id (password reset):
    /// the request's `ui_locales` when it is live, [`Lang::tr`] otherwise.
    pub async fn for_request_id(
        &self,
        state: &AppState,
        request_id: Option<&str>,
    ) -> Result<Tr, crate::store::StoreError> {
        let Some(id) = request_id.map(str::to_owned) else {
            return Ok(self.tr());
        };
        let now = state.now();
        let pending = state
            .store
            .run(move |c| crate::store::requests::find_request(c, &id))
            .await?
            .filter(|p| p.is_live(now));
        Ok(self.for_live(pending.as_ref()))
    }

    /// The language of a page of `pending`, a live request already read (its `ui_locales`),
    /// or [`Lang::tr`] without one; the switch returns to this page, not to the sign-in.
    pub fn for_live(&self, pending: Option<&PendingRequest>) -> Tr {
        match pending {
            Some(p) => Tr::new(self.for_request(p).lang()).with_back(self.back.clone()),
            None => self.tr(),
        }
    }
}

impl FromRequest for Lang {
    type Error = Infallible;
    type Future = Ready<Result<Self, Infallible>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Lang::of(req)))
    }
}
