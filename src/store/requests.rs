//! The `authz_requests` table: authorization requests waiting on the hosted pages.

use diesel::prelude::*;

use super::schema::authz_requests as t;
use super::{AnyConnection, StoreError};
use crate::domain::oauth::authorization_details::ApprovalAsk;
use crate::domain::oauth::authorize::{AuthorizationRequest, Prompt, ResponseType, ViewType};
use crate::domain::oauth::pending::PendingRequest;
use crate::domain::oauth::scope::Scopes;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = t)]
pub struct AuthzRequestRow {
    pub id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub response_type: String,
    pub response_mode: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub ui_locales: Option<String>,
    pub acr_values: Option<String>,
    pub view_type: String,
    pub browser_binding: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub completed_at: Option<i64>,
    pub approval_data: Option<String>,
    pub approval_id: Option<String>,
}

impl From<&PendingRequest> for AuthzRequestRow {
    fn from(p: &PendingRequest) -> Self {
        let r = &p.request;
        AuthzRequestRow {
            // A map of JSON values always serializes.
            approval_data: r
                .approval
                .as_ref()
                .and_then(|a| serde_json::to_string(&a.data).ok()),
            approval_id: r.approval.as_ref().and_then(|a| a.approval_id.clone()),
            id: p.id.clone(),
            client_id: r.client_id.clone(),
            redirect_uri: r.redirect_uri.clone(),
            response_type: r.response_type.as_str().to_owned(),
            response_mode: r.response_mode.as_str().to_owned(),
            scope: r.scope.to_string(),
            state: r.state.clone(),
            nonce: r.nonce.clone(),
            code_challenge: r.code_challenge.clone(),
            prompt: r.prompt.map(|p| match p {
                Prompt::None => "none".to_owned(),
                Prompt::Login => "login".to_owned(),
            }),
            max_age: r.max_age,
            login_hint: r.login_hint.clone(),
            ui_locales: r.ui_locales.clone(),
            acr_values: r.acr_values.clone(),
            view_type: r.view_type.as_str().to_owned(),
            browser_binding: p.browser_binding.clone(),
            created_at: p.created_at,
            expires_at: p.expires_at,
            completed_at: p.completed_at,
        }
    }
}

impl TryFrom<AuthzRequestRow> for PendingRequest {
    type Error = StoreError;
    fn try_from(r: AuthzRequestRow) -> Result<Self, StoreError> {
        let corrupt =
            |what: &str| StoreError::Corrupt(format!("authz request {}: bad {what}", r.id));
        let approval = match r.approval_data.as_deref() {
            None => None,
            Some(text) => Some(ApprovalAsk {
                data: serde_json::from_str(text).map_err(|_| corrupt("approval_data"))?,
                approval_id: r.approval_id.clone(),
            }),
        };
        let request = AuthorizationRequest {
            approval,
            response_type: ResponseType::parse(&r.response_type)
                .ok_or_else(|| corrupt("response_type"))?,
            response_mode: r
                .response_mode
                .parse()
                .map_err(|_| corrupt("response_mode"))?,
            view_type: ViewType::parse(&r.view_type).ok_or_else(|| corrupt("view_type"))?,
            prompt: match r.prompt.as_deref() {
                None => None,
                Some("none") => Some(Prompt::None),
                Some("login") => Some(Prompt::Login),
                Some(_) => return Err(corrupt("prompt")),
            },
            client_id: r.client_id,
            redirect_uri: r.redirect_uri,
            scope: Scopes::parse_supported(&r.scope),
            state: r.state,
            nonce: r.nonce,
            code_challenge: r.code_challenge,
            max_age: r.max_age,
            login_hint: r.login_hint,
            ui_locales: r.ui_locales,
            acr_values: r.acr_values,
        };
        Ok(PendingRequest {
            id: r.id,
            request,
            browser_binding: r.browser_binding,
            created_at: r.created_at,
            expires_at: r.expires_at,
            completed_at: r.completed_at,
        })
    }
}

pub fn insert_request(
    conn: &mut AnyConnection,
    request: &PendingRequest,
) -> Result<(), StoreError> {
    diesel::insert_into(t::table)
        .values(AuthzRequestRow::from(request))
        .execute(conn)?;
    Ok(())
}

pub fn find_request(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<PendingRequest>, StoreError> {
    t::table
        .find(id)
        .select(AuthzRequestRow::as_select())
        .first(conn)
        .optional()?
        .map(PendingRequest::try_from)
        .transpose()
}

/// Binds an unbound request to a browser; true if this call bound it.
pub fn bind_request(conn: &mut AnyConnection, id: &str, binding: &str) -> Result<bool, StoreError> {
    let n = diesel::update(t::table.find(id).filter(t::browser_binding.is_null()))
        .set(t::browser_binding.eq(binding))
        .execute(conn)?;
    Ok(n == 1)
}

/// Marks a request completed. Only one caller can win (conditional UPDATE), so a requestId
/// yields at most one authorization response.
pub fn complete_request(conn: &mut AnyConnection, id: &str, now: i64) -> Result<bool, StoreError> {
    let n = diesel::update(
        t::table
            .find(id)
            .filter(t::completed_at.is_null())
            .filter(t::expires_at.gt(now)),
    )
    .set(t::completed_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// Deletes requests that expired before `cutoff`.
pub fn delete_expired_requests(conn: &mut AnyConnection, cutoff: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(t::table.filter(t::expires_at.lt(cutoff))).execute(conn)?)
}
