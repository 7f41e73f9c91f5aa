//! `/admin/apps/{id}/delete` and `/admin/apps/{id}/rotate`: the two actions that break a running
//! application, each behind a confirmation page. Deleting removes the client with its pending
//! logins, codes, access and refresh tokens (foreign keys `ON DELETE CASCADE`); rotating replaces
//! the secret at once and shows the new one a single time.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::apps::{AppSecretPage, editable};
use super::apps_form::audit_fields;
use super::{Chrome, Section, changes};
use crate::domain::ids::hash_secret;
use crate::flows::AppState;
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::extract::{Admin, Csrf, NoFields};
use crate::web::hosted::{html, see_other};

/// What a confirmation page asks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Delete,
    Rotate,
}

#[derive(Template)]
#[template(path = "admin/app_confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    action: Action,
    client_id: String,
    name: String,
}

async fn confirm(
    state: &AppState,
    admin: &Admin,
    id: &str,
    action: Action,
) -> Result<HttpResponse, WebError> {
    let client = editable(state, id).await?;
    if action == Action::Rotate && client.secret_hash.is_none() {
        return Err(no_secret());
    }
    let page = ConfirmPage {
        chrome: Chrome::new(state, admin, Section::Applications),
        action,
        client_id: client.id,
        name: client.name,
    };
    html(state, &admin.browser, &page, StatusCode::OK)
}

fn no_secret() -> WebError {
    WebError::BadRequest(
        "This is a public application: it has no secret to rotate. Make it confidential to give it one.".into(),
    )
}

/// `GET /admin/apps/{id}/delete`: asks before deleting.
pub async fn delete_confirm(
    state: web::Data<AppState>,
    path: web::Path<String>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    confirm(&state, &admin, &path, Action::Delete).await
}

/// `POST /admin/apps/{id}/delete`.
pub async fn delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    _form: Csrf<NoFields>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let client = editable(&state, &path).await?;
    let id = client.id.clone();
    let deleted = state
        .store
        .run(move |c| store::clients::delete_client(c, &id))
        .await;
    crate::flows::clients::changed(&state);
    if !deleted? {
        return Err(WebError::NotFound("There is no such application.".into()));
    }
    let fields: Vec<(&str, String, String)> = audit_fields(&client)
        .into_iter()
        .map(|(k, v)| (k, v, "—".to_owned()))
        .collect();
    audit::record(
        &state,
        &req,
        Audit::success("admin.client.delete")
            .actor(&admin.id)
            .client(&client.id)
            .detail(format!(
                "{}; its tokens and grants were revoked",
                changes(&fields)
            )),
    )
    .await;
    Ok(see_other("/admin/apps?notice=deleted".into()))
}

/// `GET /admin/apps/{id}/rotate`: asks before replacing the secret.
pub async fn rotate_confirm(
    state: web::Data<AppState>,
    path: web::Path<String>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    confirm(&state, &admin, &path, Action::Rotate).await
}

/// `POST /admin/apps/{id}/rotate`: a new secret, shown once; the old one stops working.
pub async fn rotate(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    _form: Csrf<NoFields>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let client = editable(&state, &path).await?;
    if client.secret_hash.is_none() {
        return Err(no_secret());
    }
    let secret = crate::app::new_client_secret();
    let (id, hash) = (client.id.clone(), hash_secret(&secret));
    let rotated = state
        .store
        .run(move |c| store::clients::set_client_secret(c, &id, Some(&hash)))
        .await;
    crate::flows::clients::changed(&state);
    if !rotated? {
        return Err(WebError::NotFound("There is no such application.".into()));
    }
    audit::record(
        &state,
        &req,
        Audit::success("admin.client.rotate_secret")
            .actor(&admin.id)
            .client(&client.id)
            .detail("client secret: old → new (the old secret no longer works)".into()),
    )
    .await;
    let page = AppSecretPage {
        chrome: Chrome::new(&state, &admin, Section::Applications),
        heading: "New client secret",
        name: client.name,
        client_id: client.id,
        secret: Some(secret),
    };
    html(&state, &admin.browser, &page, StatusCode::OK)
}
