//! The back channel of transaction approvals (JSON, client credentials as at the token
//! endpoint): `POST /approvals` starts one for a user, `GET /approvals/{id}` reads its state and,
//! once approved, its signed artifact. Errors are RFC 6749 §5.2 bodies, like the token
//! endpoint's; the user decides on the hosted page (`approval_page`).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::approval::{Approval, check_data};
use crate::domain::client::Client;
use crate::flows::AppState;
use crate::flows::approvals;
use crate::web::audit::meta;
use crate::web::error::WebError;
use crate::web::iso8601;
use crate::web::oauth_json::{Failure, authenticate_client, error_body};

#[derive(Deserialize)]
struct StartRequest {
    sub: Option<String>,
    approval_data: Option<Value>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

#[derive(Serialize)]
struct Started {
    approval_id: String,
    /// The hosted page to send the user to.
    url: String,
    state: &'static str,
    expires_at: String,
    expires_in: i64,
    approval_data_hash: String,
}

#[derive(Serialize)]
struct Status {
    approval_id: String,
    state: &'static str,
    created_at: String,
    expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    decided_at: Option<String>,
    approval_data_hash: String,
    /// The signed proof (a JWS), once approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    artifact: Option<String>,
}

/// An error body in the token endpoint's shape, never cached.
fn refuse(status: StatusCode, code: &str, description: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(error_body(code, description))
}

fn bad_request(description: &str) -> HttpResponse {
    refuse(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// The calling client, if it authenticated and may request approvals; otherwise the answer.
async fn approving_client(
    state: &AppState,
    req: &HttpRequest,
    client_id: Option<&str>,
    secret: Option<&str>,
) -> Result<Result<Client, HttpResponse>, WebError> {
    let client = match authenticate_client(state, req, client_id, secret).await {
        Ok(client) => client,
        Err(failure @ Failure::OAuth(_)) => return failure.into_response().map(Err),
        Err(Failure::Web(e)) => return Err(e),
    };
    // A public client has no secret: anyone could start approvals in its name.
    if client.is_public || !client.may_request_approvals {
        return Ok(Err(refuse(
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "This client may not request transaction approvals. An administrator can allow it on its page under /admin/apps.",
        )));
    }
    Ok(Ok(client))
}

/// `POST /approvals` (JSON `{sub, approval_data}`): starts an approval; 201 with its id and
/// the page to send the user to.
pub async fn start(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let request: StartRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return Ok(bad_request(&format!(
                "The body must be a JSON object {{\"sub\", \"approval_data\"}}: {e}."
            )));
        }
    };
    let client = match approving_client(
        &state,
        &req,
        request.client_id.as_deref(),
        request.client_secret.as_deref(),
    )
    .await?
    {
        Ok(client) => client,
        Err(response) => return Ok(response),
    };
    let Some(sub) = request.sub.filter(|s| !s.is_empty()) else {
        return Ok(bad_request("sub is required: the user who approves."));
    };
    let data = match check_data(request.approval_data) {
        Ok(data) => data,
        Err(e) => return Ok(bad_request(&format!("{e}."))),
    };
    match approvals::start(&state, &meta(&req), &client, &sub, data).await? {
        None => Ok(bad_request("sub is not an active user.")),
        Some(a) => {
            let body = Started {
                url: state.url(&approvals::page_path(&a.id)),
                state: a.state.as_str(),
                expires_at: iso8601(a.expires_at),
                expires_in: a.expires_at - a.created_at,
                approval_data_hash: a.data_hash,
                approval_id: a.id.clone(),
            };
            Ok(HttpResponse::Created()
                .insert_header((header::LOCATION, format!("/approvals/{}", a.id)))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .json(body))
        }
    }
}

/// `GET /approvals/{id}` (client_secret_basic): the state, and the artifact once approved.
/// Another client's approval is answered like an unknown one.
pub async fn status(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let client = match approving_client(&state, &req, None, None).await? {
        Ok(client) => client,
        Err(response) => return Ok(response),
    };
    match approvals::status(&state, &meta(&req), &client.id, &path).await? {
        None => Ok(refuse(
            StatusCode::NOT_FOUND,
            "not_found",
            "No approval of this client has this id.",
        )),
        Some(a) => Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(to_status(a))),
    }
}

fn to_status(a: Approval) -> Status {
    Status {
        approval_id: a.id,
        state: a.state.as_str(),
        created_at: iso8601(a.created_at),
        expires_at: iso8601(a.expires_at),
        decided_at: a.decided_at.map(iso8601),
        approval_data_hash: a.data_hash,
        artifact: a.artifact,
    }
}
