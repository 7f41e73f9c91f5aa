//! Redeeming an authorization code at the token endpoint (RFC 6749 §4.1.3, PKCE RFC 7636 §4.6):
//! everything the code yields is decided and stored in one trip to the database.

use actix_web::HttpRequest;

use super::{Grant, Replay, TokenRequest, TokenResponse, answer, new_tokens, revoke_replayed};
use crate::domain::approval::Approval;
use crate::domain::client::{Client, GrantType};
use crate::domain::ids::hash_secret;
use crate::domain::oauth::Lifetimes;
use crate::domain::oauth::authorization_details::approved_entry;
use crate::domain::oauth::grant::AuthCode;
use crate::domain::oauth::scope::Scopes;
use crate::domain::oauth::token::{CodeRejection, TokenError, check_code};
use crate::domain::user::User;
use crate::flows::AppState;
use crate::flows::issue;
use crate::store;
use crate::web::oauth_json::Failure;

pub(super) async fn redeem_code(
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
    let redeem = Redeem {
        code_hash: hash_secret(code),
        client_id: client.id.clone(),
        redirect_uri: p.redirect_uri.clone(),
        verifier: p.code_verifier.clone(),
        lifetimes: client.effective_lifetimes(state.lifetimes),
        refresh: client.allows_grant(GrantType::RefreshToken),
        now: state.now(),
    };
    // One trip to the database and one transaction (see `redeem_in`); then, after the commit,
    // the check for a grant revoked meanwhile.
    let redeemed = state
        .store
        .run(move |c| {
            let Some((stored, won, issued)) =
                store::write_transaction(c, |c| redeem_in(c, &redeem))?
            else {
                return Ok(None);
            };
            let issued = match issued {
                Some((user, approval, new)) => Some((user, approval, new.check_revoked(c)?)),
                None => None,
            };
            Ok(Some((stored, won, issued)))
        })
        .await?
        .ok_or_else(|| TokenError::InvalidGrant("The code is unknown or has expired.".into()))?;
    let (stored, won, issued) = redeemed;
    if !won? {
        // RFC 6749 §4.1.2 / RFC 9700 §4.5: a replayed code revokes what it already issued.
        let replay = Replay {
            action: "token.code_replay",
            user_id: &stored.user_id,
            grant_id: &stored.id,
        };
        return Err(
            revoke_replayed(state, req, client, replay, "The code was already used.").await,
        );
    }
    let (user, approval, issued) =
        issued.ok_or_else(|| TokenError::InvalidGrant("The user can no longer sign in.".into()))?;
    let mut response = answer(state, client, &user, &code_grant(&stored), issued)?;
    response.authorization_details = approval.map(|approval| vec![approved_entry(&approval)]);
    Ok(response)
}

/// A token request's code, to redeem.
struct Redeem {
    code_hash: String,
    client_id: String,
    redirect_uri: Option<String>,
    verifier: Option<String>,
    lifetimes: Lifetimes,
    refresh: bool,
    now: i64,
}

/// A code as [`redeem_in`] found it: the stored code; whether this request used it (`false`: a
/// replay) or why it may not; and, when it used it and its user may still sign in, the user,
/// the transaction it approved, if any, and the tokens it yields.
type Redeemed<T> = (
    AuthCode,
    Result<bool, TokenError>,
    Option<(User, Option<Approval>, T)>,
);

/// Finds the code, checks it, uses it once, loads its user and approval and inserts the tokens,
/// within the caller's transaction; `None` for an unknown code.
fn redeem_in(
    c: &mut store::AnyConnection,
    r: &Redeem,
) -> Result<Option<Redeemed<issue::NewGrantTokens>>, store::StoreError> {
    let Some(stored) = store::grants::find_code_by_hash(c, &r.code_hash)? else {
        return Ok(None);
    };
    let checked = check_code(
        &stored.as_stored(),
        &r.client_id,
        r.redirect_uri.as_deref(),
        r.verifier.as_deref(),
        r.now,
    );
    let won = match checked {
        Ok(()) => Ok(store::grants::mark_code_used(c, &stored.id, r.now)?),
        Err(CodeRejection::Replayed) => Ok(false),
        Err(CodeRejection::Invalid(e)) => Err(e),
    };
    let Ok(true) = won else {
        return Ok(Some((stored, won, None)));
    };
    // Tokens only for a user who may still sign in.
    let Some(user) = store::users::find_user(c, &stored.user_id)?.filter(User::can_sign_in) else {
        return Ok(Some((stored, won, None)));
    };
    let approval = store::approvals::find_by_code_hash(c, &r.code_hash)?;
    let grant = code_grant(&stored);
    let new = new_tokens(
        &r.client_id,
        r.lifetimes,
        &user.id,
        &grant,
        r.refresh,
        r.now,
    );
    new.insert(c)?;
    Ok(Some((stored, won, Some((user, approval, new)))))
}

/// What a code carries over into the tokens it yields.
fn code_grant(code: &AuthCode) -> Grant<'_> {
    Grant {
        id: &code.id,
        scope: Scopes::parse_supported(&code.scope),
        refresh_scope: &code.scope,
        auth_time: code.auth_time,
        amr: &code.amr,
        nonce: code.nonce.as_deref(),
    }
}
