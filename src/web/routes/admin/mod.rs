//! The admin area (`/admin`): settings pages for administrators (`gatehouse user create
//! --admin`). Anonymous visitors are sent through the hosted login (which asks for their second
//! factor like any sign-in) and land back here; signed-in users without the admin role get 403.
//! Every form carries the CSRF token; every change is audit-logged with who, what and
//! before → after (never a secret).

pub mod apps;
pub mod apps_form;
pub mod apps_manage;
pub mod audit;
pub mod connectors;
pub mod dashboard;
pub mod deliveries;
pub mod lockouts;
pub mod methods;
pub mod pager;
pub mod settings_form;
mod unlocks;
pub mod user_actions;
pub mod user_detail;
pub mod user_factors;
pub mod users;

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse};

use crate::domain::user::User;
use crate::flows::AppState;
use crate::flows::sign_in;
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::login_session;
use crate::web::routes::account::form_user;
use crate::web::routes::account_sign_in::{Landing, sign_in_redirect, signed_in_or_sign_in};

/// The sections of the admin area, for the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dashboard,
    Applications,
    Methods,
    Connectors,
    Users,
    Lockouts,
    Audit,
    Deliveries,
}

impl Section {
    pub const ALL: [Section; 8] = [
        Section::Dashboard,
        Section::Applications,
        Section::Methods,
        Section::Connectors,
        Section::Users,
        Section::Lockouts,
        Section::Audit,
        Section::Deliveries,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Section::Dashboard => "/admin",
            Section::Applications => "/admin/apps",
            Section::Methods => "/admin/methods",
            Section::Connectors => "/admin/connectors",
            Section::Users => "/admin/users",
            Section::Lockouts => "/admin/lockouts",
            Section::Audit => "/admin/audit",
            Section::Deliveries => "/admin/deliveries",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Section::Dashboard => "Dashboard",
            Section::Applications => "Applications",
            Section::Methods => "Sign-in methods",
            Section::Connectors => "Connectors",
            Section::Users => "Users",
            Section::Lockouts => "Lockouts",
            Section::Audit => "Audit log",
            Section::Deliveries => "Deliveries",
        }
    }
}

/// What every admin page's layout needs: the navigation and the admin's own identity.
pub struct Chrome {
    pub current: Section,
    pub sections: [Section; 8],
    pub admin_email: String,
    pub csrf_token: String,
}

impl Chrome {
    pub fn new(state: &AppState, req: &HttpRequest, admin: &User, current: Section) -> Chrome {
        Chrome {
            current,
            sections: Section::ALL,
            admin_email: admin.email.clone(),
            csrf_token: Browser::get_or_create(state, req).csrf_token(state),
        }
    }
}

fn not_admin() -> WebError {
    WebError::Forbidden(
        "This area is for administrators. Ask one to give your account the admin role.".into(),
    )
}

/// The signed-in administrator, or the answer to give instead: a sign-in for anonymous
/// visitors, 403 for everyone else.
pub async fn admin_or_sign_in(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
) -> Result<Result<User, HttpResponse>, WebError> {
    // A GET lands back on the page asked for; anything else on the dashboard.
    let landing = match (req.method(), req.uri().path_and_query()) {
        (&actix_web::http::Method::GET, Some(asked)) => Landing::admin(asked.as_str()),
        _ => Landing::admin("/admin"),
    };
    let user = match signed_in_or_sign_in(state, req, session, landing.clone()).await? {
        Ok(user) if user.is_admin => user,
        Ok(_) => return Err(not_admin()),
        Err(sign_in) => return Ok(Err(sign_in)),
    };
    match admin_step_up(state, session, &user).await? {
        None => Ok(Ok(user)),
        Some(step_up) => Ok(Err(sign_in_redirect(
            state,
            req,
            landing,
            Some(&user.email),
            step_up.two_factors,
            HttpResponse::Found(),
        )?)),
    }
}

/// How long an administrator's sign-in opens the admin area (OWASP ASVS 3.3.2: re-authenticate
/// at least every 12 hours).
pub const ADMIN_MAX_AGE: i64 = 12 * 3600;

/// What this browser's sign-in lacks for the admin area: the admin's strongest way in (two
/// factors when they have a second factor, whichever application it was made for), within
/// [`ADMIN_MAX_AGE`].
async fn admin_step_up(
    state: &AppState,
    session: &Session,
    user: &User,
) -> Result<Option<sign_in::StepUp>, WebError> {
    let Some(login) = login_session::current(session) else {
        return Ok(Some(sign_in::StepUp { two_factors: false }));
    };
    Ok(sign_in::step_up(
        state,
        user,
        login_session::session_sign_in(&login),
        ADMIN_MAX_AGE,
    )
    .await?)
}

/// The administrator behind a posted admin form, after the CSRF check.
pub async fn form_admin(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    csrf: Option<&str>,
) -> Result<User, WebError> {
    let user = form_user(state, req, session, csrf).await?;
    if !user.is_admin {
        return Err(not_admin());
    }
    if admin_step_up(state, session, &user).await?.is_some() {
        return Err(WebError::Forbidden(
            "Your sign-in is too old, or used one factor where your account has two. Open /admin to sign in again; nothing was changed.".into(),
        ));
    }
    Ok(user)
}

/// `field: before → after` for each field that changed, for the audit trail.
pub fn changes(fields: &[(&str, String, String)]) -> String {
    fields
        .iter()
        .filter(|(_, before, after)| before != after)
        .map(|(name, before, after)| format!("{name}: {before} → {after}"))
        .collect::<Vec<_>>()
        .join("; ")
}
