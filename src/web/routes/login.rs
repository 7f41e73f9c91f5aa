//! The hosted password login: `GET /login?requestId=…` shows the form, `POST /login-srv/login`
//! checks the password and answers the authorization request (API.md §3, §4).

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::domain::policy::minutes_left;
use crate::domain::user::Email;
use crate::domain::verification::Method;
use crate::flows::AppState;
use crate::flows::codes::lockout_subject;
use crate::flows::password_check::{self, Attempt, PasswordOutcome};
use crate::i18n::Tr;
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::brand::{self, Brand};
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::extract::Lang;
use crate::web::login_flow::{self, form_browser};
use crate::web::login_ui::login_ui_post;

/// One message for every failed sign-in, so the page never tells whether an account exists.
/// The JSON answer (`error_description`) keeps the documented English.
const INVALID_CREDENTIALS: &str = "The email or password is not correct.";

#[derive(Deserialize)]
pub struct LoginQuery {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    error: Option<String>,
    /// With `error=password_locked`: minutes until the lock ends.
    minutes: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "login/login.html")]
pub struct LoginPage {
    tr: Tr,
    brand: Option<Brand>,
    client_name: String,
    request_id: String,
    csrf_token: String,
    username: String,
    error: Option<String>,
    /// Too many wrong passwords: the message offers the password reset.
    locked: bool,
    /// The application allows passwords; otherwise the page asks for the email only and
    /// continues to the other ways to sign in.
    password_allowed: bool,
    /// The application allows passkeys: "Sign in with a passkey".
    passkey_allowed: bool,
}

pub async fn login_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<LoginQuery>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let browser = Browser::get_or_create(&state, &req);
    let pending =
        login_flow::pending_for_page(&state, query.request_id.as_deref(), &browser).await?;
    let tr = lang.for_request(&pending);
    let client = crate::flows::clients::find(&state, &pending.request.client_id).await?;
    let passkey_allowed = crate::flows::factors::client_rules(&state, &pending.request.client_id)
        .await?
        .allows(Method::Passkey);
    let brand = brand::for_client(&state, &pending.request.client_id).await?;
    let page = LoginPage {
        passkey_allowed,
        password_allowed: client
            .as_ref()
            .is_none_or(|c| c.allows_method(Method::Password)),
        client_name: match &brand {
            Some(brand) => brand.name.clone(),
            None => client.map(|c| c.name).unwrap_or_default(),
        },
        brand,
        request_id: pending.id.clone(),
        csrf_token: browser.csrf_token(&state),
        username: pending.request.login_hint.clone().unwrap_or_default(),
        locked: query.error.as_deref() == Some("password_locked"),
        error: match query.error.as_deref() {
            Some("password_locked") => Some(locked_message(&tr, query.minutes.as_deref())),
            Some(other) => Some(tr.t(error_key(other))),
            None => None,
        },
        tr,
    };
    let html = page.render().map_err(|e| WebError::Internal(e.into()))?;
    let mut response = HttpResponse::Ok();
    response.content_type("text/html; charset=utf-8");
    if browser.is_new {
        response.cookie(browser.cookie(&state));
    }
    Ok(response.body(html))
}

/// "Too many wrong passwords. Try again in N minutes," — the page adds the reset link. Only a
/// number from the link is used, so a crafted link cannot put words on the page.
fn locked_message(tr: &Tr, minutes: Option<&str>) -> String {
    let minutes = minutes
        .and_then(|m| m.parse::<i64>().ok())
        .unwrap_or(5)
        .clamp(1, 24 * 60);
    tr.n("err-password-locked", "minutes", minutes)
}

/// The catalog key of the message for an `error` code in the page's address.
fn error_key(error: &str) -> &'static str {
    match error {
        "invalid_username_password" => "err-invalid-credentials",
        "password_required" => "err-password-required",
        "password_not_allowed" => "err-password-not-allowed",
        _ => "err-sign-in-failed",
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(rename = "requestId")]
    request_id: String,
    csrf_token: Option<String>,
}

pub async fn login_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let email = Email::parse(&form.username).ok();
    let lookup = email.as_ref().map(|e| e.as_str().to_owned());
    let find_user = move |c: &mut store::AnyConnection| match lookup {
        Some(email) => store::users::find_user_by_email(c, &email),
        None => Ok(None),
    };
    // Our page's form carries its CSRF token; the application's own login UI on another site
    // is recognised by its registered origin instead (see `web::login_ui`).
    let (pending, user, login_ui) = match form.csrf_token.as_deref() {
        Some(token) => {
            let browser = form_browser(&state, &req, Some(token))?;
            // The request and the account of the typed name in one trip to the database.
            let (pending, user) = login_flow::pending_for_browser_and(
                &state,
                Some(&form.request_id),
                &browser,
                find_user,
            )
            .await?;
            (pending, user, None)
        }
        None => {
            let post = login_ui_post(&state, &req, &form.request_id).await?;
            let user = state.store.run(find_user).await?;
            (post.pending.clone(), user, Some(post))
        }
    };
    // Where a refused password sends the user: the page that posted it.
    let back = |error: &str, extra: &[(&str, String)]| -> HttpResponse {
        let location = match &login_ui {
            Some(ui) => ui.back_with(error, extra),
            None => {
                let mut location = format!(
                    "/login?requestId={}&view_type={}&error={error}",
                    pending.id,
                    pending.request.view_type.as_str(),
                );
                for (k, v) in extra {
                    let v: String = url::form_urlencoded::byte_serialize(v.as_bytes()).collect();
                    location.push_str(&format!("&{k}={v}"));
                }
                location
            }
        };
        HttpResponse::Found()
            .insert_header((header::LOCATION, location))
            .finish()
    };
    let rules = crate::flows::factors::client_rules(&state, &pending.request.client_id).await?;
    if !rules.allows(Method::Password) {
        return Ok(back("password_not_allowed", &[]));
    }

    let stored_hash = user
        .as_ref()
        .filter(|u| u.can_sign_in())
        .and_then(|u| u.password_hash.clone());
    let known = user.as_ref().map(|u| u.id.clone());
    // Always one full hash, whether or not the account exists — unless the name is locked.
    let attempt = Attempt {
        subject: lockout_subject(user.as_ref(), &form.username),
        user_id: known.as_deref(),
        stored_hash,
        place: "hosted sign-in",
    };
    let outcome = password_check::check(&state, &audit::meta(&req), attempt, form.password).await?;
    if let PasswordOutcome::Locked { until } = outcome {
        let mut event = Audit::failure("login.password")
            .client(&pending.request.client_id)
            .detail("password sign-in locked: too many wrong passwords".into());
        if let Some(id) = &known {
            event = event.user(id);
        }
        audit::record(&state, &req, event).await;
        let minutes = minutes_left(until, state.now()).to_string();
        return Ok(back("password_locked", &[("minutes", minutes)]));
    }
    let valid = outcome == PasswordOutcome::Right;
    let Some(user) = user.filter(|_| valid) else {
        let mut event = Audit::failure("login.password")
            .client(&pending.request.client_id)
            .detail(format!(
                "identifier={}",
                email
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "<malformed>".into())
            ));
        // Recorded against the account too, so its owner sees it among their sign-ins.
        if let Some(id) = &known {
            event = event.user(id);
        }
        audit::record(&state, &req, event).await;
        return Ok(back(
            "invalid_username_password",
            &[("error_description", INVALID_CREDENTIALS.to_owned())],
        ));
    };

    login_flow::after_first_factor(&state, &req, &session, &pending, &user, Method::Password).await
}
