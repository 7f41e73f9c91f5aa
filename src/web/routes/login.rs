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
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::login_flow::{self, form_browser, pending_for_browser};

/// One message for every failed sign-in, so the page never tells whether an account exists.
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
}

pub async fn login_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, WebError> {
    let browser = Browser::get_or_create(&state, &req);
    let pending = pending_for_browser(&state, query.request_id.as_deref(), &browser).await?;
    let client = crate::flows::clients::find(&state, &pending.request.client_id).await?;
    let page = LoginPage {
        password_allowed: client
            .as_ref()
            .is_none_or(|c| c.allows_method(Method::Password)),
        client_name: client.map(|c| c.name).unwrap_or_default(),
        request_id: pending.id.clone(),
        csrf_token: browser.csrf_token(&state),
        username: pending.request.login_hint.clone().unwrap_or_default(),
        locked: query.error.as_deref() == Some("password_locked"),
        error: match query.error.as_deref() {
            Some("password_locked") => Some(locked_message(query.minutes.as_deref())),
            Some(other) => Some(error_message(other).into()),
            None => None,
        },
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
fn locked_message(minutes: Option<&str>) -> String {
    let minutes = minutes
        .and_then(|m| m.parse::<u32>().ok())
        .unwrap_or(5)
        .clamp(1, 24 * 60);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!("Too many wrong passwords. Try again in {minutes} {unit}, or")
}

fn error_message(error: &str) -> &'static str {
    match error {
        "invalid_username_password" => INVALID_CREDENTIALS,
        "password_required" => {
            "This application asks for your password, then a code from your authenticator app."
        }
        "password_not_allowed" => {
            "This application does not allow signing in with a password. Choose another way."
        }
        _ => "Sign-in did not succeed. Please try again.",
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
    let browser = form_browser(&state, &req, form.csrf_token.as_deref())?;
    let email = Email::parse(&form.username).ok();
    // The request and the account of the typed name in one trip to the database.
    let lookup = email.as_ref().map(|e| e.as_str().to_owned());
    let (pending, user) =
        login_flow::pending_for_browser_and(&state, Some(&form.request_id), &browser, move |c| {
            match lookup {
                Some(email) => store::users::find_user_by_email(c, &email),
                None => Ok(None),
            }
        })
        .await?;
    let rules = crate::flows::factors::client_rules(&state, &pending.request.client_id).await?;
    if !rules.allows(Method::Password) {
        let location = format!(
            "/login?requestId={}&view_type={}&error=password_not_allowed",
            pending.id,
            pending.request.view_type.as_str(),
        );
        return Ok(HttpResponse::Found()
            .insert_header((header::LOCATION, location))
            .finish());
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
        let location = format!(
            "/login?requestId={}&view_type={}&error=password_locked&minutes={}",
            pending.id,
            pending.request.view_type.as_str(),
            minutes_left(until, state.now()),
        );
        return Ok(HttpResponse::Found()
            .insert_header((header::LOCATION, location))
            .finish());
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
        let location = format!(
            "/login?requestId={}&view_type={}&error=invalid_username_password&error_description={}",
            pending.id,
            pending.request.view_type.as_str(),
            "The+email+or+password+is+not+correct."
        );
        return Ok(HttpResponse::Found()
            .insert_header((header::LOCATION, location))
            .finish());
    };

    login_flow::after_first_factor(&state, &req, &session, &pending, &user, Method::Password).await
}
