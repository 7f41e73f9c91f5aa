//! The token endpoint (RFC 6749 §3.2): authorization_code with PKCE, rotating refresh_token
//! with reuse detection, and client_credentials.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::domain::client::{Client, GrantType};
use crate::domain::ids::hash_secret;
use crate::domain::oauth::scope::Scopes;
use crate::domain::oauth::token::{CodeRejection, TokenError, check_refresh};
use crate::domain::oauth::{Lifetimes, amr_from_string};
use crate::domain::user::User;
use crate::flows::AppState;
use crate::flows::issue::{self, IdTokenContext, RefreshContext};
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::oauth_json::{Failure, authenticate_client, no_store_json, parse_body};

mod code;

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
    /// RFC 9396 §7: the transaction the user approved for this code, with its artifact.
    #[serde(skip_serializing_if = "Option::is_none")]
    authorization_details: Option<Vec<serde_json::Value>>,
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
        GrantType::AuthorizationCode => code::redeem_code(state, req, &client, &params).await,
        GrantType::RefreshToken => rotate_refresh(state, req, &client, &params).await,
        GrantType::ClientCredentials => client_credentials(state, &client, &params).await,
    }
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
        let replay = Replay {
            action: "token.refresh_reuse",
            user_id: &stored.user_id,
            grant_id: &stored.grant_id,
        };
        return Err(revoke_replayed(
            state,
            req,
            client,
            replay,
            "The refresh token was already used.",
        )
        .await);
    }
    let granted = Scopes::parse_supported(&stored.scope);
    let scope = match p.scope.as_deref() {
        None => granted,
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
    // The new refresh token keeps the original scope (RFC 6749 §6); no nonce on refresh.
    let grant = Grant {
        id: &stored.grant_id,
        scope,
        refresh_scope: &stored.scope,
        auth_time: stored.auth_time,
        amr: &stored.amr,
        nonce: None,
    };
    issue_tokens(state, client, &user, grant, true).await
}

/// What a code or refresh token carries over into the tokens it yields.
struct Grant<'a> {
    id: &'a str,
    scope: Scopes,
    refresh_scope: &'a str,
    auth_time: i64,
    amr: &'a str,
    nonce: Option<&'a str>,
}

/// Issues the access token, optionally a refresh token of the same family, and an ID token
/// when `openid` was granted.
async fn issue_tokens(
    state: &AppState,
    client: &Client,
    user: &User,
    grant: Grant<'_>,
    with_refresh: bool,
) -> Result<TokenResponse, Failure> {
    let lifetimes = client.effective_lifetimes(state.lifetimes);
    let new = new_tokens(
        &client.id,
        lifetimes,
        &user.id,
        &grant,
        with_refresh,
        state.now(),
    );
    let issued = state.store.run(move |c| new.store(c)).await?;
    answer(state, client, user, &grant, issued)
}

/// The tokens of `grant` for `user_id`, not stored yet: stored in one trip, which then asks
/// whether the grant was revoked meanwhile (a replay, or a revocation of all the user's tokens
/// by a new password or a disabled account, may have revoked it while these were being
/// stored, or the code came from before it: then they die too).
fn new_tokens(
    client_id: &str,
    lifetimes: Lifetimes,
    user_id: &str,
    grant: &Grant<'_>,
    with_refresh: bool,
    now: i64,
) -> issue::NewGrantTokens {
    let scope_text = grant.scope.to_string();
    let access = issue::AccessContext {
        client_id,
        user_id: Some(user_id),
        scope: &scope_text,
        grant_id: Some(grant.id),
        ttl: lifetimes.access_token,
    };
    let refresh = with_refresh.then_some(RefreshContext {
        grant_id: grant.id,
        client_id,
        user_id,
        scope: grant.refresh_scope,
        auth_time: grant.auth_time,
        amr: grant.amr,
        ttl: lifetimes.refresh_token,
    });
    issue::NewGrantTokens::new(now, access, refresh)
}

/// The token response for tokens stored by [`new_tokens`], with the ID token.
fn answer(
    state: &AppState,
    client: &Client,
    user: &User,
    grant: &Grant<'_>,
    issued: issue::GrantTokens,
) -> Result<TokenResponse, Failure> {
    if issued.revoked {
        return Err(TokenError::InvalidGrant("The grant has been revoked.".into()).into());
    }
    let lifetimes = client.effective_lifetimes(state.lifetimes);
    let (access_token, refresh_token) = (issued.access_token, issued.refresh_token);
    let id_token = if grant.scope.contains("openid") {
        let amr = amr_from_string(grant.amr);
        let ctx = IdTokenContext {
            client_id: &client.id,
            scope: &grant.scope,
            nonce: grant.nonce,
            auth_time: grant.auth_time,
            amr: &amr,
            access_token: Some(&access_token),
            lifetime: lifetimes.id_token,
        };
        Some(issue::id_token(state, user, ctx)?)
    } else {
        None
    };
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: lifetimes.access_token,
        scope: grant.scope.to_string(),
        id_token,
        refresh_token,
        authorization_details: None,
    })
}

/// A replayed code or refresh token.
struct Replay<'a> {
    action: &'a str,
    user_id: &'a str,
    grant_id: &'a str,
}

/// Revokes every token of a replayed grant, records it, and returns the `invalid_grant` to send.
async fn revoke_replayed(
    state: &AppState,
    req: &HttpRequest,
    client: &Client,
    replay: Replay<'_>,
    message: &str,
) -> Failure {
    let (grant_id, now) = (replay.grant_id.to_owned(), state.now());
    let revoked = match state
        .store
        .run(move |c| store::grants::revoke_grant(c, &grant_id, now))
        .await
    {
        Ok(n) => n,
        Err(e) => return e.into(),
    };
    let event = Audit::failure(replay.action)
        .user(replay.user_id)
        .client(&client.id)
        .detail(format!(
            "revoked {revoked} tokens of grant {}",
            replay.grant_id
        ));
    audit::record(state, req, event).await;
    TokenError::InvalidGrant(message.to_owned()).into()
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
    let ttl = client.effective_lifetimes(state.lifetimes).access_token;
    let access_token = issue::access_token(state, &client.id, None, &scope, None, ttl).await?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: ttl,
        scope,
        id_token: None,
        refresh_token: None,
        authorization_details: None,
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
