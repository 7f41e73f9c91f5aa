//! `GET /admin/deliveries`: the log of every message we tried to send (mail, SMS, push), newest
//! first, 25 a page; `?failed=1` shows the failures only. Destinations are stored masked.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::audit::utc_text;
use super::pager::{PER_PAGE, Pager};
use super::{Chrome, Section};
use crate::flows::AppState;
use crate::store::{self, deliveries::Delivery};
use crate::web::error::WebError;
use crate::web::extract::Admin;
use crate::web::hosted::html;
use crate::web::iso8601;

/// One row of the table.
struct DeliveryView {
    at: String,
    at_iso: String,
    channel: String,
    destination: String,
    purpose: String,
    user_id: Option<String>,
    user_email: Option<String>,
    provider: String,
    status: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin/deliveries.html")]
struct DeliveriesPage {
    chrome: Chrome,
    failed_only: bool,
    deliveries: Vec<DeliveryView>,
    pager: Pager,
}

fn view(d: Delivery, emails: &HashMap<String, String>) -> DeliveryView {
    DeliveryView {
        at: utc_text(d.created_at),
        at_iso: iso8601(d.created_at),
        user_email: d.user_id.as_ref().and_then(|id| emails.get(id).cloned()),
        user_id: d.user_id,
        channel: d.channel,
        destination: d.destination,
        purpose: d.purpose,
        provider: d.provider,
        status: d.status,
        detail: d.detail.unwrap_or_default(),
    }
}

pub async fn deliveries(
    state: web::Data<AppState>,
    req: HttpRequest,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let mut failed_only = false;
    let mut page = None;
    for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        match name.as_ref() {
            "failed" => failed_only = matches!(value.trim(), "1" | "true" | "on" | "yes"),
            "page" => page = Some(value.into_owned()),
            _ => {}
        }
    }
    let page = Pager::requested(page.as_deref());
    let (rows, total, emails) = state
        .store
        .run(move |c| {
            let total = store::deliveries::count_deliveries(c, failed_only)?;
            let rows =
                store::deliveries::list_deliveries(c, failed_only, PER_PAGE, Pager::offset(page))?;
            let mut emails = HashMap::new();
            for id in rows.iter().filter_map(|d| d.user_id.as_deref()) {
                if !emails.contains_key(id)
                    && let Some(user) = store::users::find_user(c, id)?
                {
                    emails.insert(id.to_owned(), user.email);
                }
            }
            Ok((rows, total, emails))
        })
        .await?;
    let pager = Pager::new(
        Section::Deliveries.path(),
        &[("failed", if failed_only { "1" } else { "" })],
        page,
        total,
    );
    let page = DeliveriesPage {
        chrome: Chrome::new(&state, &admin, Section::Deliveries),
        failed_only,
        deliveries: rows.into_iter().map(|d| view(d, &emails)).collect(),
        pager,
    };
    html(&state, &admin.browser, &page, StatusCode::OK)
}
