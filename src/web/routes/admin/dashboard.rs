//! `GET /admin`: how the installation is doing at a glance.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{Chrome, Section, admin_or_sign_in};
use crate::flows::AppState;
use crate::store;
use crate::web::error::WebError;
use crate::web::routes::account::html;

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    users: i64,
    applications: i64,
    sign_ins: i64,
    failures: i64,
    /// Authenticators, code channels and password sign-ins locked now.
    locked: i64,
    failed_deliveries: i64,
}

pub async fn dashboard(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
) -> Result<HttpResponse, WebError> {
    let admin = match admin_or_sign_in(&state, &req, &session).await? {
        Ok(admin) => admin,
        Err(sign_in) => return Ok(sign_in),
    };
    let now = state.now();
    let day_ago = now - 86_400;
    let (users, applications, sign_ins, failures, locked, failed_deliveries) = state
        .store
        .run(move |c| {
            Ok((
                store::users::count_users(c)?,
                store::clients::count_clients(c)?,
                store::audit::count_events_since(c, "login.", "success", day_ago)?,
                store::audit::count_events_since(c, "", "failure", day_ago)?,
                store::authenticators::count_locked(c, now)?
                    + store::code_lockouts::count_locked(c, now)?,
                store::deliveries::count_failed_since(c, day_ago)?,
            ))
        })
        .await?;
    let page = DashboardPage {
        chrome: Chrome::new(&state, &req, &admin, Section::Dashboard),
        users,
        applications,
        sign_ins,
        failures,
        locked,
        failed_deliveries,
    };
    html(&page, actix_web::http::StatusCode::OK)
}
