//! `GET /admin`: how the installation is doing at a glance.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Chrome, Section};
use crate::flows::AppState;
use crate::store;
use crate::web::error::WebError;
use crate::web::extract::Admin;
use crate::web::hosted::html;

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
    /// Abuse budgets found exhausted in the last 24 hours.
    budgets_exhausted: i64,
}

pub async fn dashboard(state: web::Data<AppState>, admin: Admin) -> Result<HttpResponse, WebError> {
    let now = state.now();
    let day_ago = now - 86_400;
    let (users, applications, sign_ins, failures, locked, failed_deliveries, budgets_exhausted) =
        state
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
                    store::audit::count_events_since(
                        c,
                        "limits.budget_exhausted",
                        "failure",
                        day_ago,
                    )?,
                ))
            })
            .await?;
    let page = DashboardPage {
        chrome: Chrome::new(&state, &admin, Section::Dashboard),
        users,
        applications,
        sign_ins,
        failures,
        locked,
        failed_deliveries,
        budgets_exhausted,
    };
    html(
        &state,
        &admin.browser,
        &page,
        actix_web::http::StatusCode::OK,
    )
}
