//! The token endpoint (RFC 6749 §3.2): authorization_code with PKCE, rotating refresh_token
//! with reuse detection, and client_credentials.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::domain::client::{Client, GrantType};
use crate::domain::ids::hash_secret;
use crate::domain::oauth::amr_from_string;
use crate::domain::oauth::scope::Scopes;
use crate::domain::oauth::token::{CodeRejection, TokenError, check_code, check_refresh};
use crate::domain::user::User;
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::issue::{self, IdTokenContext, RefreshContext};
use crate::web::oauth_json::{Failure, authenticate_client, no_store_json, parse_body};
use crate::web::state::AppState;

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    scope: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

#[derive(Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    match exchange(&state, &req, &body).await {
        Ok(response) => Ok(no_store_json(&response)),
        Err(failure) => failure.into_response(),
    }
}

async fn exchange(
    state: &AppState,
    req: &HttpRequest,
    body: &[u8],
) -> Result<TokenResponse, Failure> {
    let params: TokenRequest = parse_body(req, body)?;
    let client = authenticate_client(
        state,
        req,
        params.client_id.as_deref(),
        params.client_secret.as_deref(),
    )
    .await?;
    let grant = match params.grant_type.as_deref() {
        None => return Err(TokenError::InvalidRequest("grant_type is required.".into()).into()),
        Some(g) => g
            .parse::<GrantType>()
            .map_err(|_| TokenError::UnsupportedGrantType(format!("{g} is not supported.")))?,
    };
    if !client.allows_grant(grant) {
        return Err(
            TokenError::UnauthorizedClient(format!("This client may not use {grant}.")).into(),
        );
    }
    match grant {
        GrantType::AuthorizationCode => redeem_code(state, req, &client, &params).await,
        GrantType::RefreshToken => rotate_refresh(state, req, &client, &params).await,
        GrantType::ClientCredentials => client_credentials(state, &client, &params).await,
    }
}

async fn redeem_code(
    state: &AppState,
    req: &HttpRequest,
    client: &Client,
    p: &TokenRequest,
) -> Result<TokenResponse, Failure> {
    let code = p
        .code
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| TokenError::InvalidRequest("code is required.".into()))?;
    let code_hash = hash_secret(code);
    let stored = state
        .store
        .run(move |c| store::grants::find_code_by_hash(c, &code_hash))
        .await?
        .ok_or_else(|| TokenError::InvalidGrant("The code is unknown or has expired.".into()))?;
    let now = state.now();
    let checked = check_code(
        &stored.as_stored(),
        &client.id,
        p.redirect_uri.as_deref(),
        p.code_verifier.as_deref(),
        now,
    );
    let won = match checked {
        Ok(()) => {
            let id = stored.id.clone();
            state
                .store
                .run(move |c| store::grants::mark_code_used(c, &id, now))
                .await?
        }
        Err(CodeRejection::Replayed) => false,
        Err(CodeRejection::Invalid(e)) => return Err(e.into()),
    };
    if !won {
        // RFC 6749 §4.1.2 / RFC 9700 §4.5: a replayed code revokes what it already issued.
        let grant_id = stored.id.clone();
        let revoked = state
            .store
            .run(move |c| store::grants::revoke_grant(c, &grant_id, now))
            .await?;
        audit::record(
            state,
            req,
            Audit::failure("token.code_replay")
                .user(&stored.user_id)
                .client(&client.id)
                .detail(format!("revoked {revoked} tokens of grant {}", stored.id)),
        )
        .await;
        return Err(TokenError::InvalidGrant("The code was already used.".into()).into());
    }
    let user = active_user(state, &stored.user_id).await?;
    let scope = Scopes::parse_supported(&stored.scope);
    let amr = amr_from_string(&stored.amr);
    let access_token = issue::access_token(
        state,
        &client.id,
        Some(&user.id),
        &stored.scope,
        Some(&stored.id),
    )
    .await?;
    let refresh_token = if client.allows_grant(GrantType::RefreshToken) {
        let ctx = RefreshContext {
            grant_id: &stored.id,
            client_id: &client.id,
            user_id: &user.id,
            scope: &stored.scope,
            auth_time: stored.auth_time,
            amr: &stored.amr,
        };
        Some(issue::refresh_token(state, ctx).await?)
    } else {
        None
    };
    let id_token = if scope.contains("openid") {
        let ctx = IdTokenContext {
            client_id: &client.id,
            scope: &scope,
            nonce: stored.nonce.as_deref(),
            auth_time: stored.auth_time,
            amr: &amr,
            access_token: Some(&access_token),
        };
        Some(issue::id_token(state, &user, ctx)?)
    } else {
        None
    };
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.lifetimes.access_token,
        scope: stored.scope,
        id_token,
        refresh_token,
    })
}

async fn rotate_refresh(
    state: &AppState,
    req: &HttpRequest,
    client: &Client,
    p: &TokenRequest,
) -> Result<TokenResponse, Failure> {
    let token = p
        .refresh_token
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| TokenError::InvalidRequest("refresh_token is required.".into()))?;
    let token_hash = hash_secret(token);
    let lookup = token_hash.clone();
    let stored = state
        .store
        .run(move |c| store::grants::find_refresh_token(c, &lookup))
        .await?
        .ok_or_else(|| {
            TokenError::InvalidGrant("The refresh token is unknown or has expired.".into())
        })?;
    let now = state.now();
    let won = match check_refresh(&stored.as_stored(), &client.id, now) {
        Ok(()) => {
            state
                .store
                .run(move |c| store::grants::mark_refresh_token_used(c, &token_hash, now))
                .await?
        }
        Err(CodeRejection::Replayed) => false,
        Err(CodeRejection::Invalid(e)) => return Err(e.into()),
    };
    if !won {
        // RFC 9700 §4.14.2: a rotated token presented again has leaked; end the whole family.
        let grant_id = stored.grant_id.clone();
        let revoked = state
            .store
            .run(move |c| store::grants::revoke_grant(c, &grant_id, now))
            .await?;
        audit::record(
            state,
            req,
            Audit::failure("token.refresh_reuse")
                .user(&stored.user_id)
                .client(&client.id)
                .detail(format!(
                    "revoked {revoked} tokens of grant {}",
                    stored.grant_id
                )),
        )
        .await;
        return Err(TokenError::InvalidGrant("The refresh token was already used.".into()).into());
    }
    let granted = Scopes::parse_supported(&stored.scope);
    let scope = match p.scope.as_deref() {
        None => granted.clone(),
        Some(requested) => {
            let requested = Scopes::parse_supported(requested);
            if !requested.is_subset_of(&granted) {
                return Err(TokenError::InvalidScope(
                    "The requested scope exceeds the original grant.".into(),
                )
                .into());
            }
            requested
        }
    };
    let user = active_user(state, &stored.user_id).await?;
    let scope_text = scope.to_string();
    let access_token = issue::access_token(
        state,
        &client.id,
        Some(&user.id),
        &scope_text,
        Some(&stored.grant_id),
    )
    .await?;
    let ctx = RefreshContext {
        grant_id: &stored.grant_id,
        client_id: &client.id,
        user_id: &user.id,
        scope: &stored.scope,
        auth_time: stored.auth_time,
        amr: &stored.amr,
    };
    let refresh_token = issue::refresh_token(state, ctx).await?;
    let amr = amr_from_string(&stored.amr);
    let id_token = if scope.contains("openid") {
        let ctx = IdTokenContext {
            client_id: &client.id,
            scope: &scope,
            nonce: None,
            auth_time: stored.auth_time,
            amr: &amr,
            access_token: Some(&access_token),
        };
        Some(issue::id_token(state, &user, ctx)?)
    } else {
        None
    };
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.lifetimes.access_token,
        scope: scope_text,
        id_token,
        refresh_token: Some(refresh_token),
    })
}

async fn client_credentials(
    state: &AppState,
    client: &Client,
    p: &TokenRequest,
) -> Result<TokenResponse, Failure> {
    if client.is_public {
        return Err(TokenError::UnauthorizedClient(
            "Public clients cannot use client_credentials.".into(),
        )
        .into());
    }
    // Only the management scope means anything without a user.
    let scope = match p.scope.as_deref().map(str::trim) {
        None | Some("") if client.is_management => "management".to_owned(),
        Some("management") if client.is_management => "management".to_owned(),
        None | Some("") => String::new(),
        Some(_) => {
            return Err(TokenError::InvalidScope(
                "Unsupported scope for client_credentials.".into(),
            )
            .into());
        }
    };
    let access_token = issue::access_token(state, &client.id, None, &scope, None).await?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.lifetimes.access_token,
        scope,
        id_token: None,
        refresh_token: None,
    })
}

async fn active_user(state: &AppState, user_id: &str) -> Result<User, Failure> {
    let id = user_id.to_owned();
    state
        .store
        .run(move |c| store::users::find_user(c, &id))
        .await?
        .filter(|u| u.can_sign_in())
        .ok_or_else(|| TokenError::InvalidGrant("The user can no longer sign in.".into()).into())
}
