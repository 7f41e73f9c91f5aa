//! Issuing what a successful login earns: authorization codes, access, refresh and ID tokens,
//! and the authorization response that carries them to the client (the adapter delivers it as
//! a redirect or a form post).

use super::approvals::{self, Gate};
use super::{FlowError, RequestMeta};
use crate::crypto::random_token;
use crate::domain::ids::hash_secret;
use crate::domain::oauth::authorize::{AuthorizationRequest, ResponseType};
use crate::domain::oauth::claims::{IdTokenInput, id_token_claims};
use crate::domain::oauth::grant::{AccessToken, AuthCode, RefreshToken};
use crate::domain::oauth::redirect::{AuthorizationResponse, ResponseMode, respond};
use crate::domain::oauth::scope::Scopes;
use crate::domain::oauth::{Lifetimes, acr_for, amr_to_string};
use crate::domain::sign_in::Completion;
use crate::domain::user::User;
use crate::flows::AppState;
use crate::store;

/// Stores a new access token living `ttl` seconds and returns it; only its hash is kept.
pub async fn access_token(
    state: &AppState,
    client_id: &str,
    user_id: Option<&str>,
    scope: &str,
    grant_id: Option<&str>,
    ttl: i64,
) -> Result<String, FlowError> {
    let ctx = AccessContext {
        client_id,
        user_id,
        scope,
        grant_id,
        ttl,
    };
    let (token, record) = new_access_token(state.now(), &ctx);
    state
        .store
        .run(move |c| store::grants::insert_access_token(c, &record))
        .await?;
    Ok(token)
}

/// What an access token is issued for.
pub struct AccessContext<'a> {
    pub client_id: &'a str,
    pub user_id: Option<&'a str>,
    pub scope: &'a str,
    pub grant_id: Option<&'a str>,
    /// Seconds the token lives.
    pub ttl: i64,
}

/// A new access token and the record to store (its hash, never the token).
fn new_access_token(now: i64, ctx: &AccessContext<'_>) -> (String, AccessToken) {
    let token = random_token(32);
    let record = AccessToken {
        token_hash: hash_secret(&token),
        grant_id: ctx.grant_id.map(str::to_owned),
        client_id: ctx.client_id.to_owned(),
        user_id: ctx.user_id.map(str::to_owned),
        scope: ctx.scope.to_owned(),
        created_at: now,
        expires_at: now + ctx.ttl,
        revoked_at: None,
    };
    (token, record)
}

/// The tokens [`grant_tokens`] stored.
pub struct GrantTokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// The grant was found revoked after they were stored: they were revoked with it.
    pub revoked: bool,
}

/// Stores an access token and optionally a refresh token of the grant `access.grant_id`, then
/// checks — after both are stored — whether the grant was revoked meanwhile and, if so,
/// revokes them with it. One trip to the database.
pub async fn grant_tokens(
    state: &AppState,
    access: AccessContext<'_>,
    refresh: Option<RefreshContext<'_>>,
) -> Result<GrantTokens, FlowError> {
    let new = NewGrantTokens::new(state.now(), access, refresh);
    Ok(state.store.run(move |c| new.store(c)).await?)
}

/// The tokens of a grant, made but not stored yet: [`NewGrantTokens::store`] stores them within
/// a trip to the database that may do more (the token request redeems its code in the same one).
pub struct NewGrantTokens {
    access_token: String,
    access_record: AccessToken,
    refresh: Option<(String, RefreshToken)>,
    grant_id: Option<String>,
    now: i64,
}

impl NewGrantTokens {
    /// New tokens issued at `now`.
    pub fn new(
        now: i64,
        access: AccessContext<'_>,
        refresh: Option<RefreshContext<'_>>,
    ) -> NewGrantTokens {
        let (access_token, access_record) = new_access_token(now, &access);
        NewGrantTokens {
            access_token,
            access_record,
            refresh: refresh.map(|ctx| new_refresh_token(now, &ctx)),
            grant_id: access.grant_id.map(str::to_owned),
            now,
        }
    }

    /// Stores them on `c` (see [`grant_tokens`]): both in one transaction, one commit.
    pub fn store(self, c: &mut store::AnyConnection) -> Result<GrantTokens, store::StoreError> {
        store::write_transaction(c, |c| self.insert(c))?;
        self.check_revoked(c)
    }

    /// Inserts them, within a transaction of the caller's; [`Self::check_revoked`] must follow
    /// its commit.
    pub fn insert(&self, c: &mut store::AnyConnection) -> Result<(), store::StoreError> {
        store::grants::insert_access_token(c, &self.access_record)?;
        if let Some((_, record)) = &self.refresh {
            store::grants::insert_refresh_token(c, record)?;
        }
        Ok(())
    }

    /// After they were committed: revokes them when their grant was revoked meanwhile.
    pub fn check_revoked(
        self,
        c: &mut store::AnyConnection,
    ) -> Result<GrantTokens, store::StoreError> {
        // After the commit, so a revocation that raced with it sees these tokens or is seen.
        let revoked = match &self.grant_id {
            Some(grant_id) if store::grants::is_grant_revoked(c, grant_id)? => {
                store::grants::revoke_grant(c, grant_id, self.now)?;
                true
            }
            _ => false,
        };
        Ok(GrantTokens {
            access_token: self.access_token,
            refresh_token: self.refresh.map(|(token, _)| token),
            revoked,
        })
    }
}

/// What a refresh token remembers of the login it continues.
pub struct RefreshContext<'a> {
    pub grant_id: &'a str,
    pub client_id: &'a str,
    pub user_id: &'a str,
    pub scope: &'a str,
    pub auth_time: i64,
    pub amr: &'a str,
    /// Seconds the token lives (the client's lifetime or the default).
    pub ttl: i64,
}

/// A new refresh token of the family `grant_id` and the record to store (its hash, never the token).
fn new_refresh_token(now: i64, ctx: &RefreshContext<'_>) -> (String, RefreshToken) {
    let token = random_token(32);
    let amr: Vec<String> = crate::domain::oauth::amr_from_string(ctx.amr);
    let record = RefreshToken {
        token_hash: hash_secret(&token),
        grant_id: ctx.grant_id.to_owned(),
        client_id: ctx.client_id.to_owned(),
        user_id: ctx.user_id.to_owned(),
        scope: ctx.scope.to_owned(),
        auth_time: ctx.auth_time,
        amr: ctx.amr.to_owned(),
        acr: acr_for(&amr).to_owned(),
        created_at: now,
        expires_at: now + ctx.ttl,
        used_at: None,
        revoked_at: None,
    };
    (token, record)
}

/// What goes into an ID token besides the user.
pub struct IdTokenContext<'a> {
    pub client_id: &'a str,
    pub scope: &'a Scopes,
    pub nonce: Option<&'a str>,
    pub auth_time: i64,
    pub amr: &'a [String],
    pub access_token: Option<&'a str>,
    /// Seconds the token is valid (the client's lifetime or the default).
    pub lifetime: i64,
}

/// Signs an ID token for `user`.
pub fn id_token(
    state: &AppState,
    user: &User,
    ctx: IdTokenContext<'_>,
) -> Result<String, FlowError> {
    let claims = id_token_claims(IdTokenInput {
        issuer: &state.issuer,
        user,
        client_id: ctx.client_id,
        scope: ctx.scope,
        nonce: ctx.nonce,
        auth_time: ctx.auth_time,
        amr: ctx.amr,
        access_token: ctx.access_token,
        now: state.now(),
        lifetime: ctx.lifetime,
    });
    state
        .keys
        .sign(&claims)
        .map_err(|e| FlowError::Internal(e.into()))
}

/// Answers a completed authorization request for `user`: a code, or tokens for implicit clients.
/// Only a [`Completion`] of the sign-in state machine opens this.
pub async fn authorization_response(
    state: &AppState,
    meta: &RequestMeta,
    request: &AuthorizationRequest,
    user: &User,
    done: &Completion,
) -> Result<AuthorizationResponse, FlowError> {
    same_user(user, done)?;
    // A transaction to approve (RFC 9396 `authorization_details`) comes between the sign-in
    // and the code: the approval page first, then the request again with the approval.
    let approved = match approvals::gate(state, meta, request, user).await? {
        None => None,
        Some(Gate::Ask(page)) => return Ok(AuthorizationResponse::Redirect(state.url(&page))),
        Some(Gate::Refused(outcome)) => {
            let why = format!("The user did not approve the transaction (it was {outcome}).");
            return Ok(refused(state, request, "access_denied", &why));
        }
        Some(Gate::Approved(approval)) => Some(approval),
        Some(Gate::InteractionRequired) => {
            let why = "The user must approve the transaction on our page; prompt=none forbids it.";
            return Ok(refused(state, request, "interaction_required", why));
        }
    };
    let mut params: Vec<(&str, String)> = Vec::new();
    let scope = request.scope.to_string();
    match request.response_type {
        ResponseType::Code => {
            let (code, record) = new_code(state, request, user, done)?;
            if let Some(approval) = &approved
                && !approvals::attach_code(state, approval, &record.code_hash).await?
            {
                let why = "This approval was already used for an authorization code.";
                return Ok(refused(state, request, "access_denied", why));
            }
            state
                .store
                .run(move |c| store::grants::insert_code(c, &record))
                .await?;
            params.push(("code", code));
        }
        implicit => {
            let lifetimes = client_lifetimes(state, &request.client_id).await?;
            let access = if implicit.returns_access_token() {
                Some(
                    access_token(
                        state,
                        &request.client_id,
                        Some(&user.id),
                        &scope,
                        None,
                        lifetimes.access_token,
                    )
                    .await?,
                )
            } else {
                None
            };
            if let Some(token) = &access {
                params.push(("access_token", token.clone()));
                params.push(("token_type", "Bearer".into()));
                params.push(("expires_in", lifetimes.access_token.to_string()));
                params.push(("scope", scope.clone()));
            }
            if implicit.returns_id_token() {
                let ctx = IdTokenContext {
                    client_id: &request.client_id,
                    scope: &request.scope,
                    nonce: request.nonce.as_deref(),
                    auth_time: done.auth_time(),
                    amr: done.amr(),
                    access_token: access.as_deref(),
                    lifetime: lifetimes.id_token,
                };
                params.push(("id_token", id_token(state, user, ctx)?));
            }
        }
    }
    Ok(response(
        state,
        &request.redirect_uri,
        request.response_mode,
        request.state.as_deref(),
        params,
    ))
}

/// The OAuth `error` for `request` (RFC 6749 §4.1.2.1).
fn refused(
    state: &AppState,
    request: &AuthorizationRequest,
    error: &str,
    why: &str,
) -> AuthorizationResponse {
    error_response(
        state,
        &request.redirect_uri,
        request.response_mode,
        request.state.as_deref(),
        error,
        why,
    )
}

/// An authorization code for a completed request (`response_type=code`) and the record to
/// store (its hash, never the code), for a caller that stores it within another trip to the
/// database; [`code_response`] answers with it once stored.
pub fn new_code(
    state: &AppState,
    request: &AuthorizationRequest,
    user: &User,
    done: &Completion,
) -> Result<(String, AuthCode), FlowError> {
    same_user(user, done)?;
    let code = random_token(32);
    let now = state.now();
    let record = AuthCode {
        id: uuid::Uuid::new_v4().to_string(),
        code_hash: hash_secret(&code),
        client_id: request.client_id.clone(),
        user_id: user.id.clone(),
        redirect_uri: request.redirect_uri.clone(),
        scope: request.scope.to_string(),
        nonce: request.nonce.clone(),
        code_challenge: request.code_challenge.clone(),
        auth_time: done.auth_time(),
        amr: amr_to_string(done.amr()),
        acr: acr_for(done.amr()).to_owned(),
        created_at: now,
        expires_at: now + state.lifetimes.code,
        used_at: None,
    };
    Ok((code, record))
}

/// The answer carrying a stored [`new_code`].
pub fn code_response(
    state: &AppState,
    request: &AuthorizationRequest,
    code: String,
) -> AuthorizationResponse {
    response(
        state,
        &request.redirect_uri,
        request.response_mode,
        request.state.as_deref(),
        vec![("code", code)],
    )
}

fn same_user(user: &User, done: &Completion) -> Result<(), FlowError> {
    if done.user_id() != user.id {
        return Err(FlowError::Internal(anyhow::anyhow!(
            "a completion for another user than the one answered"
        )));
    }
    Ok(())
}

/// The lifetimes of `client_id`'s tokens: its own where set, the installation's otherwise.
pub async fn client_lifetimes(state: &AppState, client_id: &str) -> Result<Lifetimes, FlowError> {
    let client = super::clients::find(state, client_id).await?;
    Ok(client.map_or(state.lifetimes, |c| c.effective_lifetimes(state.lifetimes)))
}

/// An OAuth error for the client's redirect URI (RFC 6749 §4.1.2.1).
pub fn error_response(
    state: &AppState,
    redirect_uri: &str,
    mode: ResponseMode,
    client_state: Option<&str>,
    error: &str,
    description: &str,
) -> AuthorizationResponse {
    let params = vec![
        ("error", error.to_owned()),
        ("error_description", description.to_owned()),
    ];
    response(state, redirect_uri, mode, client_state, params)
}

/// Adds `state` and `iss` (RFC 9207) and shapes the response as `mode` says.
fn response(
    state: &AppState,
    redirect_uri: &str,
    mode: ResponseMode,
    client_state: Option<&str>,
    mut params: Vec<(&str, String)>,
) -> AuthorizationResponse {
    if let Some(s) = client_state {
        params.push(("state", s.to_owned()));
    }
    params.push(("iss", state.issuer.to_string()));
    respond(redirect_uri, mode, &params)
}
