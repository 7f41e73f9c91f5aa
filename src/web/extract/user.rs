//! Who is signed in: [`SignedIn`], [`FreshSignIn`] and [`Admin`]. The sign-in flow
//! (`flows::sign_in::step_up`) decides whether a sign-in is recent and strong enough; these
//! only turn its answer into the user or the refusal.

use std::ops::Deref;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::sign_in::{Landing, SignInRedirect};
use super::{Lang, Refusal, app_state, csrf, is_page};
use crate::domain::user::User;
use crate::flows::sign_in;
use crate::i18n::Tr;
use crate::store;
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::login_session::{self, FRESH_SIGN_IN, Login};

/// How long an administrator's sign-in opens the admin area (OWASP ASVS 3.3.2: re-authenticate
/// at least every 12 hours).
pub const ADMIN_MAX_AGE: i64 = 12 * 3600;

/// The active user signed in on this browser's session (disabled or unconfirmed accounts are
/// not). A page (`GET`) sends anyone else through the hosted login to the account page; a
/// form gets 403.
pub struct SignedIn {
    pub user: User,
    /// This browser's sign-in: when, and how.
    pub login: Login,
    pub session: Session,
    /// This browser: its cookie keys the CSRF token of the forms a page shows.
    pub browser: Browser,
    /// The language the user's pages and messages speak.
    pub lang: Lang,
}

impl Deref for SignedIn {
    type Target = User;

    fn deref(&self) -> &User {
        &self.user
    }
}

impl SignedIn {
    /// The translator for the user's pages; the language switch of a form's answer returns to
    /// the account page.
    pub fn tr(&self) -> Tr {
        let tr = self.lang.tr();
        if tr.back().is_empty() {
            tr.with_back("/account")
        } else {
            tr
        }
    }

    /// The signed-in user, or the refusal: a sign-in landing on `landing` for a page, 403 for
    /// a form.
    async fn extract(req: &HttpRequest, landing: Landing) -> Result<SignedIn, Refusal> {
        let state = app_state(req)?;
        let session = req.get_session();
        let login = login_session::current(&session);
        let user = match &login {
            Some(login) => {
                let id = login.user_id.clone();
                state
                    .store
                    .run(move |c| store::users::find_user(c, &id))
                    .await?
                    .filter(User::can_sign_in)
            }
            None => None,
        };
        match (login, user) {
            (Some(login), Some(user)) => Ok(SignedIn {
                browser: Browser::get_or_create(&state, req),
                lang: Lang::of(req),
                user,
                login,
                session,
            }),
            _ if is_page(req) => Err(Refusal::SignIn(SignInRedirect::new(
                &state,
                req,
                landing,
                None,
                false,
                StatusCode::FOUND,
            )?)),
            (None, _) => Err(WebError::Forbidden(
                "Your session has ended. Open /account to sign in again.".into(),
            )
            .into()),
            (Some(_), None) => Err(WebError::Forbidden("Please sign in again.".into()).into()),
        }
    }

    /// The CSRF token for the forms of a page shown to this browser.
    pub fn csrf_token(&self, state: &crate::flows::AppState) -> String {
        self.browser.csrf_token(state)
    }
}

impl FromRequest for SignedIn {
    type Error = Refusal;
    type Future = LocalBoxFuture<'static, Result<Self, Refusal>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            // An approval page brings its user back to it after the sign-in.
            let signed_in = SignedIn::extract(&req, Landing::for_page(req.path())).await;
            csrf::judged_first(&req, signed_in).await
        })
    }
}

/// The signed-in user of a change to how the account signs in (password, email, authenticators,
/// backup codes, phone number, push devices): signed in within [`FRESH_SIGN_IN`] seconds, and
/// with both factors when the user has two (OWASP Authentication Cheat Sheet: re-authenticate
/// before sensitive changes). Otherwise a `303` into the hosted login with `prompt=login` (and
/// `acr_values=2` for a user with a second factor) that comes back to the account page;
/// nothing is changed.
pub struct FreshSignIn(SignedIn);

impl Deref for FreshSignIn {
    type Target = SignedIn;

    fn deref(&self) -> &SignedIn {
        &self.0
    }
}

impl FreshSignIn {
    async fn extract(req: &HttpRequest) -> Result<FreshSignIn, Refusal> {
        let signed_in = SignedIn::extract(req, Landing::Account).await?;
        let state = app_state(req)?;
        let session_sign_in = login_session::session_sign_in(&signed_in.login);
        match sign_in::step_up(&state, &signed_in.user, session_sign_in, FRESH_SIGN_IN).await? {
            None => Ok(FreshSignIn(signed_in)),
            Some(step_up) => Err(Refusal::SignIn(SignInRedirect::new(
                &state,
                req,
                Landing::AccountAgain,
                Some(&signed_in.email),
                step_up.two_factors,
                StatusCode::SEE_OTHER,
            )?)),
        }
    }
}

impl FromRequest for FreshSignIn {
    type Error = Refusal;
    type Future = LocalBoxFuture<'static, Result<Self, Refusal>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let fresh = FreshSignIn::extract(&req).await;
            csrf::judged_first(&req, fresh).await
        })
    }
}

/// A signed-in administrator (`gatehouse user create --admin`) whose sign-in is their
/// strongest way in (two factors when they have a second factor, whichever application it was
/// made for) and at most [`ADMIN_MAX_AGE`] old. A page (`GET`) sends an anonymous visitor, or
/// an administrator whose sign-in falls short, through the hosted login and back to the page
/// asked for; signed-in users without the admin role get 403, and so does a form.
pub struct Admin(SignedIn);

impl Deref for Admin {
    type Target = SignedIn;

    fn deref(&self) -> &SignedIn {
        &self.0
    }
}

impl Admin {
    async fn extract(req: &HttpRequest) -> Result<Admin, Refusal> {
        // A page lands back on itself after the sign-in; anything else on the dashboard.
        let landing = match (is_page(req), req.uri().path_and_query()) {
            (true, Some(asked)) => Landing::admin(asked.as_str()),
            _ => Landing::admin("/admin"),
        };
        let signed_in = SignedIn::extract(req, landing.clone()).await?;
        if !signed_in.is_admin {
            return Err(WebError::Forbidden(
                "This area is for administrators. Ask one to give your account the admin role."
                    .into(),
            )
            .into());
        }
        let state = app_state(req)?;
        let session_sign_in = login_session::session_sign_in(&signed_in.login);
        let Some(step_up) =
            sign_in::step_up(&state, &signed_in.user, session_sign_in, ADMIN_MAX_AGE).await?
        else {
            return Ok(Admin(signed_in));
        };
        if !is_page(req) {
            return Err(WebError::Forbidden(
                "Your sign-in is too old, or used one factor where your account has two. Open /admin to sign in again; nothing was changed.".into(),
            )
            .into());
        }
        Err(Refusal::SignIn(SignInRedirect::new(
            &state,
            req,
            landing,
            Some(&signed_in.email),
            step_up.two_factors,
            StatusCode::FOUND,
        )?))
    }
}

impl FromRequest for Admin {
    type Error = Refusal;
    type Future = LocalBoxFuture<'static, Result<Self, Refusal>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let admin = Admin::extract(&req).await;
            csrf::judged_first(&req, admin).await
        })
    }
}
