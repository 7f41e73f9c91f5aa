//! Token introspection (RFC 7662) and revocation (RFC 7009), both with client authentication.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::domain::client::Client;
use crate::domain::ids::hash_secret;
use crate::domain::oauth::token::TokenError;
use crate::flows::AppState;
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::oauth_json::{Failure, authenticate_client, no_store_json, parse_body};

#[derive(Deserialize)]
struct TokenParam {
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

async fn authenticated(
    state: &AppState,
    req: &HttpRequest,
    body: &[u8],
) -> Result<(Client, String), Failure> {
    let p: TokenParam = parse_body(req, body)?;
    let client = authenticate_client(
        state,
        req,
        p.client_id.as_deref(),
        p.client_secret.as_deref(),
    )
    .await?;
    let token = p
        .token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| TokenError::InvalidRequest("token is required.".into()))?;
    Ok((client, token))
}

/// A client may introspect its own tokens; a management client any token.
fn may_see(client: &Client, owner: &str) -> bool {
    client.is_management || client.id == owner
}

pub async fn introspect(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let (client, token) = match authenticated(&state, &req, &body).await {
        Ok(v) => v,
        Err(f) => return f.into_response(),
    };
    let token_hash = hash_secret(&token);
    let now = state.now();
    let lookup = token_hash.clone();
    if let Some(t) = state
        .store
        .run(move |c| store::grants::find_access_token(c, &lookup))
        .await?
    {
        if t.is_active(now) && may_see(&client, &t.client_id) {
            return Ok(no_store_json(&json!({
                "active": true,
                "token_type": "Bearer",
                "scope": t.scope,
                "client_id": t.client_id,
                "sub": t.user_id.unwrap_or_else(|| t.client_id.clone()),
                "aud": t.client_id,
                "iss": &*state.issuer,
                "iat": t.created_at,
                "exp": t.expires_at,
            })));
        }
    } else if let Some(t) = state
        .store
        .run(move |c| store::grants::find_refresh_token(c, &token_hash))
        .await?
        && t.is_active(now)
        && may_see(&client, &t.client_id)
    {
        return Ok(no_store_json(&json!({
            "active": true,
            "token_type": "refresh_token",
            "scope": t.scope,
            "client_id": t.client_id,
            "sub": t.user_id,
            "iss": &*state.issuer,
            "iat": t.created_at,
            "exp": t.expires_at,
        })));
    }
    Ok(no_store_json(&json!({ "active": false })))
}

/// RFC 7009 §2.2: answers 200 whether or not the token existed. Revoking a refresh token ends
/// its whole family, access tokens included.
pub async fn revoke(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let (client, token) = match authenticated(&state, &req, &body).await {
        Ok(v) => v,
        Err(f) => return f.into_response(),
    };
    let token_hash = hash_secret(&token);
    let now = state.now();
    let lookup = token_hash.clone();
    let client_id = client.id.clone();
    let revoked = state
        .store
        .run(move |c| {
            if let Some(t) = store::grants::find_access_token(c, &lookup)? {
                if t.client_id == client_id {
                    store::grants::revoke_access_token(c, &lookup, now)?;
                    return Ok(t.user_id);
                }
            } else if let Some(t) = store::grants::find_refresh_token(c, &lookup)?
                && t.client_id == client_id
            {
                store::grants::revoke_grant(c, &t.grant_id, now)?;
                return Ok(Some(t.user_id));
            }
            Ok(None)
        })
        .await?;
    if let Some(user_id) = revoked {
        audit::record(
            &state,
            &req,
            Audit::success("token.revoke")
                .user(&user_id)
                .client(&client.id),
        )
        .await;
    }
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .finish())
}
