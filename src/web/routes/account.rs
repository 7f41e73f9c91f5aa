//! `/account`: the signed-in user's self-service page — profile, authenticator apps (add with a
//! QR code, rename, remove, clock-drift hints), and sign-out.
//!
//! Signing in to the account page uses the same hosted login as any application: a built-in
//! client (`gatehouse-account`, created at start) whose redirect URI is `/account/callback`.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::totp;
use crate::domain::user::User;
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::authenticator_view::{AuthenticatorView, authenticator_views};
use crate::web::browser::Browser;
use crate::web::current_user::current_user;
use crate::web::error::WebError;
use crate::web::login_flow::form_browser;
use crate::web::login_session;
use crate::web::routes::enroll::{self, Confirmation, EnrollRefusal};
use crate::web::routes::mfa::SetupView;
use crate::web::state::AppState;
use crate::web::{backup_codes, qr};

/// The client id of the account page itself.
pub const ACCOUNT_CLIENT_ID: &str = "gatehouse-account";

#[derive(Template)]
#[template(path = "account/account.html")]
struct AccountPage {
    email: String,
    name: String,
    csrf_token: String,
    authenticators: Vec<AuthenticatorView>,
    can_add: bool,
    backup_remaining: i64,
    backup_low: bool,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "account/totp_setup.html")]
struct TotpSetupPage {
    csrf_token: String,
    setup: SetupView,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "account/signed_out.html")]
struct SignedOutPage;

pub(crate) fn html(
    page: &impl Template,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, WebError> {
    let body = page.render().map_err(|e| WebError::Internal(e.into()))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

fn redirect(location: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}

/// Where the built-in sign-in lands afterwards (carried in `state`, after the CSRF value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Landing {
    Account,
    Admin,
}

impl Landing {
    fn path(self) -> &'static str {
        match self {
            Landing::Account => "/account",
            Landing::Admin => "/admin",
        }
    }
}

/// The signed-in user, or a redirect that signs them in through the hosted login.
async fn user_or_sign_in(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
) -> Result<Result<User, HttpResponse>, WebError> {
    signed_in_or_sign_in(state, req, session, Landing::Account).await
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
    let browser = Browser::get_or_create(state, req);
    let query = serde_urlencoded::to_string([
        ("client_id", ACCOUNT_CLIENT_ID),
        ("redirect_uri", &state.url("/account/callback")),
        ("response_type", "code"),
        ("scope", "openid"),
        (
            "state",
            &match landing {
                Landing::Account => browser.csrf_token(state),
                Landing::Admin => format!("{}~admin", browser.csrf_token(state)),
            },
        ),
    ])
    .map_err(|e| WebError::Internal(e.into()))?;
    let mut response = HttpResponse::Found();
    response.insert_header((header::LOCATION, format!("/authz-srv/authz?{query}")));
    if browser.is_new {
        response.cookie(browser.cookie(state));
    }
    Ok(Err(response.finish()))
}

#[derive(Deserialize)]
pub struct AccountQuery {
    notice: Option<String>,
}

pub async fn account(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    query: web::Query<AccountQuery>,
) -> Result<HttpResponse, WebError> {
    let user = match user_or_sign_in(&state, &req, &session).await? {
        Ok(user) => user,
        Err(sign_in) => return Ok(sign_in),
    };
    let notice = match query.notice.as_deref() {
        Some("added") => Some("Authenticator app added."),
        Some("renamed") => Some("Authenticator renamed."),
        Some("removed") => Some("Authenticator removed."),
        _ => None,
    };
    render_account(
        &state,
        &req,
        &user,
        notice,
        None,
        actix_web::http::StatusCode::OK,
    )
    .await
}

async fn render_account(
    state: &AppState,
    req: &HttpRequest,
    user: &User,
    notice: Option<&'static str>,
    error: Option<String>,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, WebError> {
    let id = user.id.clone();
    let list = state
        .store
        .run(move |c| store::authenticators::list_user_authenticators(c, &id))
        .await?;
    let views = authenticator_views(&list, state.now());
    let backup_remaining = backup_codes::remaining(state, &user.id).await?;
    let page = AccountPage {
        email: user.email.clone(),
        name: user.name.clone().unwrap_or_default(),
        csrf_token: Browser::get_or_create(state, req).csrf_token(state),
        can_add: (views.len() as u32) < state.live().config.totp_max_per_user,
        authenticators: views,
        backup_remaining,
        backup_low: backup_remaining > 0
            && backup_remaining <= crate::domain::backup::LOW_WATERMARK,
        notice,
        error,
    };
    html(&page, status)
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
        Some(Some((csrf, "admin"))) => (Some(csrf), Landing::Admin),
        Some(Some(_)) => (None, Landing::Account),
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

#[derive(Deserialize)]
pub struct CsrfForm {
    pub(crate) csrf_token: Option<String>,
    label: Option<String>,
    exchange_id: Option<String>,
    pass_code: Option<String>,
}

/// The signed-in user of a state-changing account form, after the CSRF check.
pub(crate) async fn form_user(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    csrf: Option<&str>,
) -> Result<User, WebError> {
    form_browser(state, req, csrf)?;
    match login_session::current(session) {
        Some(login) => {
            let id = login.user_id;
            state
                .store
                .run(move |c| store::users::find_user(c, &id))
                .await?
                .filter(User::can_sign_in)
                .ok_or_else(|| WebError::Forbidden("Please sign in again.".into()))
        }
        None => Err(WebError::Forbidden(
            "Your session has ended. Open /account to sign in again.".into(),
        )),
    }
}

/// `POST /account/totp`: starts adding an authenticator app with the given label.
pub async fn add_totp(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, WebError> {
    let user = form_user(&state, &req, &session, form.csrf_token.as_deref()).await?;
    match enroll::start_enrollment(&state, &user, form.label.as_deref(), None).await? {
        Err(EnrollRefusal::LimitReached(max)) => {
            let message = enroll::limit_message(max);
            render_account(
                &state,
                &req,
                &user,
                None,
                Some(message),
                actix_web::http::StatusCode::CONFLICT,
            )
            .await
        }
        Ok(e) => {
            let setup = SetupView {
                qr_svg: qr::svg(&e.uri).unwrap_or_default(),
                secret_grouped: totp::grouped(&e.secret_base32),
                uri: e.uri,
                label: e.label,
                exchange_id: e.verification.exchange_id,
            };
            html(
                &TotpSetupPage {
                    csrf_token: form.csrf_token.clone().unwrap_or_default(),
                    setup,
                    error: None,
                },
                actix_web::http::StatusCode::OK,
            )
        }
    }
}

/// `POST /account/totp/confirm`: the first code from the app activates it.
pub async fn confirm_totp(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, WebError> {
    let user = form_user(&state, &req, &session, form.csrf_token.as_deref()).await?;
    let exchange_id = form.exchange_id.clone().unwrap_or_default();
    match enroll::confirm_enrollment(
        &state,
        &user,
        &exchange_id,
        form.pass_code.as_deref().unwrap_or(""),
        None,
    )
    .await?
    {
        Confirmation::Enrolled(enrolled) => {
            let a = &enrolled.0;
            audit::record(
                &state,
                &req,
                Audit::success("totp.enroll")
                    .user(&user.id)
                    .detail(format!("authenticator {} ({})", a.id, a.label)),
            )
            .await;
            Ok(redirect("/account?notice=added"))
        }
        Confirmation::WrongCode => {
            match crate::web::routes::mfa::existing_setup(&state, &exchange_id).await? {
                Some(setup) => {
                    let page = TotpSetupPage {
                        csrf_token: form.csrf_token.clone().unwrap_or_default(),
                        setup,
                        error: Some("The code is not correct. Check the app and try again.".into()),
                    };
                    html(&page, actix_web::http::StatusCode::UNPROCESSABLE_ENTITY)
                }
                None => {
                    render_account(
                        &state,
                        &req,
                        &user,
                        None,
                        Some("That setup expired. Start again.".into()),
                        actix_web::http::StatusCode::BAD_REQUEST,
                    )
                    .await
                }
            }
        }
        Confirmation::Expired => {
            render_account(
                &state,
                &req,
                &user,
                None,
                Some("That setup expired. Start again.".into()),
                actix_web::http::StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

/// `POST /account/totp/{id}/rename`.
pub async fn rename_totp(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, WebError> {
    let user = form_user(&state, &req, &session, form.csrf_token.as_deref()).await?;
    let label: String = form
        .label
        .as_deref()
        .unwrap_or("")
        .trim()
        .chars()
        .take(64)
        .collect();
    if label.is_empty() {
        return render_account(
            &state,
            &req,
            &user,
            None,
            Some("Give the authenticator a name.".into()),
            actix_web::http::StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let (id, user_id, new_label) = (path.into_inner(), user.id.clone(), label.clone());
    let lookup = id.clone();
    if !state
        .store
        .run(move |c| store::authenticators::rename_authenticator(c, &lookup, &user_id, &new_label))
        .await?
    {
        return Err(WebError::NotFound("No such authenticator.".into()));
    }
    audit::record(
        &state,
        &req,
        Audit::success("totp.rename")
            .user(&user.id)
            .actor(&user.id)
            .detail(format!("authenticator {id} → {label}")),
    )
    .await;
    Ok(redirect("/account?notice=renamed"))
}

/// `POST /account/totp/{id}/remove`.
pub async fn remove_totp(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, WebError> {
    let user = form_user(&state, &req, &session, form.csrf_token.as_deref()).await?;
    let (id, user_id) = (path.into_inner(), user.id.clone());
    let lookup = id.clone();
    if !state
        .store
        .run(move |c| store::authenticators::delete_authenticator(c, &lookup, &user_id))
        .await?
    {
        return Err(WebError::NotFound("No such authenticator.".into()));
    }
    audit::record(
        &state,
        &req,
        Audit::success("totp.revoke")
            .user(&user.id)
            .actor(&user.id)
            .detail(format!("authenticator {id} removed by its owner")),
    )
    .await;
    Ok(redirect("/account?notice=removed"))
}

/// `POST /account/logout`.
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, WebError> {
    let user = form_user(&state, &req, &session, form.csrf_token.as_deref()).await?;
    login_session::end(&session);
    audit::record(&state, &req, Audit::success("logout").user(&user.id)).await;
    html(&SignedOutPage, actix_web::http::StatusCode::OK)
}
