//! The userinfo endpoint (OIDC Core §5.3), GET and POST with a Bearer token.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::oauth::claims;
use crate::domain::oauth::scope::Scopes;
use crate::flows::AppState;
use crate::store;
use crate::web::bearer;
use crate::web::error::WebError;

#[derive(Deserialize)]
pub struct UserinfoForm {
    access_token: Option<String>,
}

pub async fn userinfo_get(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, WebError> {
    userinfo(&state, bearer::from_header(&req)).await
}

/// RFC 6750 §2.2 also allows the token in a form body.
pub async fn userinfo_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Option<web::Form<UserinfoForm>>,
) -> Result<HttpResponse, WebError> {
    let token =
        bearer::from_header(&req).or_else(|| form.and_then(|f| f.into_inner().access_token));
    userinfo(&state, token).await
}

async fn userinfo(state: &AppState, token: Option<String>) -> Result<HttpResponse, WebError> {
    let Some(token) = token else {
        return Ok(unauthorized(None));
    };
    let Some(access) = bearer::resolve(state, &token).await? else {
        return Ok(unauthorized(Some(
            "The access token is invalid, expired or revoked.",
        )));
    };
    let scope = Scopes::parse_supported(&access.scope);
    let Some(user_id) = access.user_id.filter(|_| scope.contains("openid")) else {
        return Ok(HttpResponse::Forbidden()
            .insert_header((header::WWW_AUTHENTICATE, "Bearer error=\"insufficient_scope\", scope=\"openid\""))
            .json(serde_json::json!({"error": "insufficient_scope", "error_description": "The token was not issued for openid."})));
    };
    let user = state
        .store
        .run(move |c| store::users::find_user(c, &user_id))
        .await?
        .filter(|u| u.can_sign_in());
    match user {
        Some(user) => Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(claims::userinfo(&user, &scope))),
        None => Ok(unauthorized(Some("The user no longer exists."))),
    }
}

fn unauthorized(description: Option<&str>) -> HttpResponse {
    let challenge = match description {
        // RFC 6750 §3.1: no error code when the request had no token at all.
        None => "Bearer realm=\"gatehouse\"".to_owned(),
        Some(d) => format!(
            "Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"{d}\""
        ),
    };
    HttpResponse::Unauthorized()
        .insert_header((header::WWW_AUTHENTICATE, challenge))
        .json(serde_json::json!({"error": "invalid_token", "error_description": description.unwrap_or("A Bearer token is required.")}))
}
