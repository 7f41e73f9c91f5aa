//! The end-user JSON API for one's own authenticator apps and push devices (issue 13; the cidaas
//! `…/v2/setup/…` paths): list with any sign-in or token of the user; rename or remove with a
//! fresh sign-in or a token with the `gatehouse:factors` scope ([`factor_user`]) — the same
//! rule as adding one. Another user's id answers 404, like an unknown one. The administrators'
//! management API stays separate.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::domain::verification::Authenticator;
use crate::flows::AppState;
use crate::flows::own_factors::{self, Change, Kind};
use crate::store;
use crate::web::audit;
use crate::web::current_user::{current_user, factor_user};
use crate::web::envelope;
use crate::web::error::WebError;
use crate::web::iso8601;
use crate::web::routes::enroll::unauthorized;

/// A new name: `name` (cidaas), or `device_name` / `label` as the other calls name it.
#[derive(Deserialize)]
pub struct RenameBody {
    name: Option<String>,
    device_name: Option<String>,
    label: Option<String>,
}

impl RenameBody {
    fn new_name(&self) -> &str {
        [&self.name, &self.device_name, &self.label]
            .into_iter()
            .find_map(|n| n.as_deref())
            .unwrap_or("")
    }
}

fn totp_view(a: &Authenticator, now: i64) -> serde_json::Value {
    json!({
        "authenticator_id": a.id,
        "name": a.label,
        "type": "TOTP",
        "created_at": iso8601(a.created_at),
        "last_used_at": a.last_used_at.map(iso8601),
        "locked": a.locked_until.is_some_and(|until| until > now),
    })
}

/// `GET /verification-srv/v2/setup/totp/list`: the caller's active authenticator apps.
pub async fn totp_list(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
) -> Result<HttpResponse, WebError> {
    let Some(user) = current_user(&state, &req, &session).await? else {
        return Ok(unauthorized(&req));
    };
    let list = state
        .store
        .run(move |c| store::authenticators::list_user_authenticators(c, &user.id))
        .await?;
    let now = state.now();
    let views: Vec<_> = list
        .iter()
        .filter(|a| a.active)
        .map(|a| totp_view(a, now))
        .collect();
    Ok(envelope::ok(json!({ "authenticators": views })))
}

/// `PUT /verification-srv/v2/setup/totp/{authenticator_id}` `{name}`.
pub async fn totp_rename(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    path: web::Path<String>,
    body: web::Json<RenameBody>,
) -> Result<HttpResponse, WebError> {
    rename(&state, &req, &session, Kind::Totp, &path, body.new_name()).await
}

/// `DELETE /verification-srv/v2/setup/totp/{authenticator_id}`: revokes it.
pub async fn totp_remove(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    remove(&state, &req, &session, Kind::Totp, &path).await
}

/// `PUT /verification-srv/v2/setup/push/devices/{device_id}` `{device_name}`.
pub async fn device_rename(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    path: web::Path<String>,
    body: web::Json<RenameBody>,
) -> Result<HttpResponse, WebError> {
    rename(
        &state,
        &req,
        &session,
        Kind::PushDevice,
        &path,
        body.new_name(),
    )
    .await
}

/// `DELETE /verification-srv/v2/setup/push/devices/{device_id}`.
pub async fn device_remove(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    remove(&state, &req, &session, Kind::PushDevice, &path).await
}

async fn rename(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    kind: Kind,
    id: &str,
    name: &str,
) -> Result<HttpResponse, WebError> {
    let user = match factor_user(state, req, session).await? {
        Ok(user) => user,
        Err(refusal) => return Ok(refusal.response(req)),
    };
    let change = own_factors::rename(state, &audit::meta(req), kind, &user.id, id, name).await?;
    Ok(answer(
        req,
        kind,
        change,
        || json!({ "id": id, "name": own_factors::clean_label(name) }),
    ))
}

async fn remove(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    kind: Kind,
    id: &str,
) -> Result<HttpResponse, WebError> {
    let user = match factor_user(state, req, session).await? {
        Ok(user) => user,
        Err(refusal) => return Ok(refusal.response(req)),
    };
    let change = own_factors::remove(state, &audit::meta(req), kind, &user.id, id).await?;
    Ok(answer(req, kind, change, || json!({ "removed": true })))
}

fn answer(
    req: &HttpRequest,
    kind: Kind,
    change: Change,
    done: impl FnOnce() -> serde_json::Value,
) -> HttpResponse {
    let noun = match kind {
        Kind::Totp => "authenticator",
        Kind::PushDevice => "device",
    };
    match change {
        Change::Done => envelope::ok(done()),
        Change::NotFound => envelope::error(
            req,
            StatusCode::NOT_FOUND,
            "not_found",
            "NotFound",
            &format!("No such {noun}."),
        ),
        Change::EmptyName => envelope::error(
            req,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "ValidationError",
            &format!("Give the {noun} a name (name, up to 64 characters)."),
        ),
    }
}
