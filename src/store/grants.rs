//! Authorization codes, access tokens and refresh tokens (all stored as hashes).
//!
//! Single use is enforced by conditional UPDATEs (`… WHERE used_at IS NULL`): of two concurrent
//! redemptions exactly one changes a row, on SQLite and PostgreSQL alike.

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

pub fn find_access_token(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<AccessToken>, StoreError> {
    Ok(access_tokens::table
        .find(token_hash)
        .select(AccessTokenRow::as_select())
        .first(conn)
        .optional()?
        .map(AccessToken::from))
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

pub fn find_refresh_token(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<RefreshToken>, StoreError> {
    Ok(refresh_tokens::table
        .find(token_hash)
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()?
        .map(RefreshToken::from))
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
