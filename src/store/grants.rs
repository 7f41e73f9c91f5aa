//! Authorization codes, access tokens and refresh tokens (all stored as hashes).
//!
//! Single use is enforced by conditional UPDATEs (`… WHERE used_at IS NULL`): of two concurrent
//! redemptions exactly one changes a row, on SQLite and PostgreSQL alike.
//!
//! Revocation. Access tokens are opaque and looked up here on every use (introspection,
//! userinfo, Bearer calls), so revoking one is a `revoked_at` on its row, effective at once. Two
//! things can still mint a token after such an UPDATE has run: a code or refresh token redeemed
//! a moment before (its new tokens are stored after the UPDATE), and a code issued before but
//! redeemed after. So a revocation also leaves a marker per grant (`revoked_grants`), and a
//! token is revoked when its row says so *or* its grant has a marker: [`find_access_token`] and
//! [`find_refresh_token`] look the marker up (one primary-key read, only for tokens not already
//! revoked), and the token endpoint checks it once more after storing new tokens. A marker
//! written inside a transaction is invisible until it commits, and a token minted before that is
//! as good as one minted before the revocation; every use after the commit sees the marker.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::schema::{access_tokens, auth_codes, refresh_tokens, revoked_grants};
use super::{AnyConnection, StoreError};
use crate::domain::oauth::grant::{AccessToken, AuthCode, RefreshToken};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = auth_codes)]
pub struct AuthCodeRow {
    pub id: String,
    pub code_hash: String,
    pub client_id: String,
    pub user_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub auth_time: i64,
    pub amr: String,
    pub acr: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = access_tokens)]
pub struct AccessTokenRow {
    pub token_hash: String,
    pub grant_id: Option<String>,
    pub client_id: String,
    pub user_id: Option<String>,
    pub scope: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub token_hash: String,
    pub grant_id: String,
    pub client_id: String,
    pub user_id: String,
    pub scope: String,
    pub auth_time: i64,
    pub amr: String,
    pub acr: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Field-for-field conversions between a row and its domain record, both ways.
macro_rules! same_fields {
    ($row:ident <-> $domain:ident { $($f:ident),* }) => {
        impl From<$row> for $domain {
            fn from(r: $row) -> $domain { $domain { $($f: r.$f),* } }
        }
        impl From<&$domain> for $row {
            fn from(d: &$domain) -> $row { $row { $($f: d.$f.clone()),* } }
        }
    };
}

same_fields!(AuthCodeRow <-> AuthCode { id, code_hash, client_id, user_id, redirect_uri, scope, nonce,
    code_challenge, auth_time, amr, acr, created_at, expires_at, used_at });
same_fields!(AccessTokenRow <-> AccessToken { token_hash, grant_id, client_id, user_id, scope, created_at,
    expires_at, revoked_at });
same_fields!(RefreshTokenRow <-> RefreshToken { token_hash, grant_id, client_id, user_id, scope, auth_time,
    amr, acr, created_at, expires_at, used_at, revoked_at });

pub fn insert_code(conn: &mut AnyConnection, code: &AuthCode) -> Result<(), StoreError> {
    diesel::insert_into(auth_codes::table)
        .values(AuthCodeRow::from(code))
        .execute(conn)?;
    Ok(())
}

pub fn find_code_by_hash(
    conn: &mut AnyConnection,
    code_hash: &str,
) -> Result<Option<AuthCode>, StoreError> {
    Ok(auth_codes::table
        .filter(auth_codes::code_hash.eq(code_hash))
        .select(AuthCodeRow::as_select())
        .first(conn)
        .optional()?
        .map(AuthCode::from))
}

/// Marks a code used; true only for the one caller that redeemed it.
pub fn mark_code_used(conn: &mut AnyConnection, id: &str, now: i64) -> Result<bool, StoreError> {
    let n = diesel::update(
        auth_codes::table
            .find(id)
            .filter(auth_codes::used_at.is_null()),
    )
    .set(auth_codes::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn insert_access_token(
    conn: &mut AnyConnection,
    token: &AccessToken,
) -> Result<(), StoreError> {
    diesel::insert_into(access_tokens::table)
        .values(AccessTokenRow::from(token))
        .execute(conn)?;
    Ok(())
}

/// The access token with this hash; `revoked_at` is set when the token or its grant was revoked.
pub fn find_access_token(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<AccessToken>, StoreError> {
    let Some(mut token) = access_tokens::table
        .find(token_hash)
        .select(AccessTokenRow::as_select())
        .first(conn)
        .optional()?
        .map(AccessToken::from)
    else {
        return Ok(None);
    };
    if token.revoked_at.is_none()
        && let Some(grant_id) = &token.grant_id
    {
        token.revoked_at = grant_revoked_at(conn, grant_id)?;
    }
    Ok(Some(token))
}

pub fn revoke_access_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    diesel::update(
        access_tokens::table
            .find(token_hash)
            .filter(access_tokens::revoked_at.is_null()),
    )
    .set(access_tokens::revoked_at.eq(now))
    .execute(conn)?;
    Ok(())
}

pub fn insert_refresh_token(
    conn: &mut AnyConnection,
    token: &RefreshToken,
) -> Result<(), StoreError> {
    diesel::insert_into(refresh_tokens::table)
        .values(RefreshTokenRow::from(token))
        .execute(conn)?;
    Ok(())
}

/// The refresh token with this hash; `revoked_at` is set when the token or its grant was revoked.
pub fn find_refresh_token(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<RefreshToken>, StoreError> {
    let Some(mut token) = refresh_tokens::table
        .find(token_hash)
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()?
        .map(RefreshToken::from)
    else {
        return Ok(None);
    };
    if token.revoked_at.is_none() {
        token.revoked_at = grant_revoked_at(conn, &token.grant_id)?;
    }
    Ok(Some(token))
}

/// When the grant was revoked, if it was.
fn grant_revoked_at(conn: &mut AnyConnection, grant_id: &str) -> Result<Option<i64>, StoreError> {
    Ok(revoked_grants::table
        .find(grant_id)
        .select(revoked_grants::revoked_at)
        .first(conn)
        .optional()?)
}

/// Marks a refresh token rotated; true only for the one caller that rotated it.
pub fn mark_refresh_token_used(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        refresh_tokens::table
            .find(token_hash)
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// Revokes every access and refresh token of a grant (one login's token family).
pub fn revoke_grant(
    conn: &mut AnyConnection,
    grant_id: &str,
    now: i64,
) -> Result<usize, StoreError> {
    // No enclosing transaction on purpose: the marker must be committed before the updates run
    // (a token stored after it sees it, see `is_grant_revoked`; one stored before is revoked
    // below), and a concurrent revoker's duplicate marker must not abort anything (PostgreSQL
    // aborts the whole transaction on a unique violation).
    let marked = diesel::insert_into(revoked_grants::table)
        .values((
            revoked_grants::grant_id.eq(grant_id),
            revoked_grants::revoked_at.eq(now),
        ))
        .execute(conn);
    match marked {
        Ok(_)
        | Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {}
        Err(e) => return Err(e.into()),
    }
    let access = diesel::update(
        access_tokens::table
            .filter(access_tokens::grant_id.eq(grant_id))
            .filter(access_tokens::revoked_at.is_null()),
    )
    .set(access_tokens::revoked_at.eq(now))
    .execute(conn)?;
    let refresh = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::grant_id.eq(grant_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)?;
    Ok(access + refresh)
}

/// How long after its code expired a redemption that began in time may still be storing its
/// tokens; codes that expired longer ago have minted all they ever will.
const REDEMPTION_IN_FLIGHT: i64 = 60;

/// Revokes every code, access token and refresh token of a user: for a password reset or
/// change, a disabled account, or an administrator ending the user's sessions. Returns how many
/// live access and refresh tokens were revoked.
///
/// Call it inside [`super::write_transaction`], with the change it belongs to, so both happen
/// or neither. Besides marking the rows, it leaves a marker on every grant (login) of the user
/// that could still yield tokens — its live tokens' families and its recent codes — so a token
/// minted concurrently, or from a code issued before, is revoked too (see the module comment).
pub fn revoke_all_for_user(
    conn: &mut AnyConnection,
    user_id: &str,
    now: i64,
) -> Result<usize, StoreError> {
    let mut grants: Vec<String> = refresh_tokens::table
        .filter(refresh_tokens::user_id.eq(user_id))
        .filter(refresh_tokens::expires_at.gt(now))
        .select(refresh_tokens::grant_id)
        .distinct()
        .load(conn)?;
    let access_grants: Vec<Option<String>> = access_tokens::table
        .filter(access_tokens::user_id.eq(user_id))
        .filter(access_tokens::expires_at.gt(now))
        .select(access_tokens::grant_id)
        .distinct()
        .load(conn)?;
    grants.extend(access_grants.into_iter().flatten());
    let codes: Vec<String> = auth_codes::table
        .filter(auth_codes::user_id.eq(user_id))
        .filter(auth_codes::expires_at.gt(now - REDEMPTION_IN_FLIGHT))
        .select(auth_codes::id)
        .load(conn)?;
    grants.extend(codes);
    grants.sort_unstable();
    grants.dedup();
    for grant_id in &grants {
        mark_grant_revoked(conn, grant_id, now)?;
    }
    let access = diesel::update(
        access_tokens::table
            .filter(access_tokens::user_id.eq(user_id))
            .filter(access_tokens::revoked_at.is_null())
            .filter(access_tokens::expires_at.gt(now)),
    )
    .set(access_tokens::revoked_at.eq(now))
    .execute(conn)?;
    let refresh = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null())
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::expires_at.gt(now)),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)?;
    Ok(access + refresh)
}

/// Leaves the revocation marker of a grant inside the caller's transaction. A grant already
/// marked — earlier, or by a concurrent revocation that committed first — stays as it is: the
/// insert runs in a savepoint, because a unique violation would otherwise abort the whole
/// transaction on PostgreSQL.
fn mark_grant_revoked(
    conn: &mut AnyConnection,
    grant_id: &str,
    now: i64,
) -> Result<(), StoreError> {
    if grant_revoked_at(conn, grant_id)?.is_some() {
        return Ok(());
    }
    conn.batch_execute("SAVEPOINT grant_marker")?;
    let marked = diesel::insert_into(revoked_grants::table)
        .values((
            revoked_grants::grant_id.eq(grant_id),
            revoked_grants::revoked_at.eq(now),
        ))
        .execute(conn);
    match marked {
        Ok(_) => conn.batch_execute("RELEASE SAVEPOINT grant_marker")?,
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => conn
            .batch_execute("ROLLBACK TO SAVEPOINT grant_marker; RELEASE SAVEPOINT grant_marker")?,
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// Whether the grant was revoked. Checked after new tokens of the grant are stored: either the
/// revocation saw them, or this sees the revocation.
pub fn is_grant_revoked(conn: &mut AnyConnection, grant_id: &str) -> Result<bool, StoreError> {
    let n: i64 = revoked_grants::table
        .filter(revoked_grants::grant_id.eq(grant_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Forgets revocation markers older than `cutoff` (their tokens have expired by then).
pub fn delete_old_revocations(conn: &mut AnyConnection, cutoff: i64) -> Result<usize, StoreError> {
    Ok(
        diesel::delete(revoked_grants::table.filter(revoked_grants::revoked_at.lt(cutoff)))
            .execute(conn)?,
    )
}

/// Deletes codes and tokens that expired before `cutoff`.
pub fn delete_expired_grants(conn: &mut AnyConnection, cutoff: i64) -> Result<usize, StoreError> {
    let codes = diesel::delete(auth_codes::table.filter(auth_codes::expires_at.lt(cutoff)))
        .execute(conn)?;
    let access = diesel::delete(access_tokens::table.filter(access_tokens::expires_at.lt(cutoff)))
        .execute(conn)?;
    let refresh =
        diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.lt(cutoff)))
            .execute(conn)?;
    Ok(codes + access + refresh)
}
