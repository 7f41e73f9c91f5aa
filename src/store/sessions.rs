//! The `sessions` table behind actix-session. Rows are keyed by the SHA-256 of the cookie's
//! session key, so a leaked database does not yield live session cookies.

use diesel::prelude::*;

use super::schema::sessions as t;
use super::{AnyConnection, StoreError};

/// A stored session: its entries as a JSON object, and the signed-in user if any.
pub struct SessionRecord {
    pub user_id: Option<String>,
    pub state: String,
    pub expires_at: i64,
}

pub fn insert_session(
    conn: &mut AnyConnection,
    id_hash: &str,
    record: &SessionRecord,
    now: i64,
) -> Result<(), StoreError> {
    diesel::insert_into(t::table)
        .values((
            t::id_hash.eq(id_hash),
            t::user_id.eq(&record.user_id),
            t::state.eq(&record.state),
            t::created_at.eq(now),
            t::expires_at.eq(record.expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Loads a session that has not expired.
pub fn find_live_session(
    conn: &mut AnyConnection,
    id_hash: &str,
    now: i64,
) -> Result<Option<String>, StoreError> {
    Ok(t::table
        .find(id_hash)
        .filter(t::expires_at.gt(now))
        .select(t::state)
        .first(conn)
        .optional()?)
}

/// Replaces a live session's entries; false when it no longer exists (expired or deleted).
pub fn update_session(
    conn: &mut AnyConnection,
    id_hash: &str,
    record: &SessionRecord,
    now: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(t::table.find(id_hash).filter(t::expires_at.gt(now)))
        .set((
            t::user_id.eq(&record.user_id),
            t::state.eq(&record.state),
            t::expires_at.eq(record.expires_at),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn update_session_expiry(
    conn: &mut AnyConnection,
    id_hash: &str,
    expires_at: i64,
) -> Result<(), StoreError> {
    diesel::update(t::table.find(id_hash))
        .set(t::expires_at.eq(expires_at))
        .execute(conn)?;
    Ok(())
}

pub fn delete_session(conn: &mut AnyConnection, id_hash: &str) -> Result<(), StoreError> {
    diesel::delete(t::table.find(id_hash)).execute(conn)?;
    Ok(())
}

/// Ends every session of a user (e.g. after a password reset), except `keep` if given.
pub fn delete_user_sessions(
    conn: &mut AnyConnection,
    user_id: &str,
    keep: Option<&str>,
) -> Result<usize, StoreError> {
    let query = t::table
        .filter(t::user_id.eq(user_id))
        .filter(t::id_hash.ne(keep.unwrap_or("")));
    Ok(diesel::delete(query).execute(conn)?)
}

/// A live session of a user, as the account page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = t)]
pub struct UserSession {
    /// SHA-256 of the cookie's session key: which row this is, never shown.
    pub id_hash: String,
    /// The session's entries, a JSON object.
    pub state: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// The user's sessions that have not expired, newest first.
pub fn list_user_sessions(
    conn: &mut AnyConnection,
    user_id: &str,
    now: i64,
) -> Result<Vec<UserSession>, StoreError> {
    Ok(t::table
        .filter(t::user_id.eq(user_id))
        .filter(t::expires_at.gt(now))
        .order((t::created_at.desc(), t::id_hash.asc()))
        .select(UserSession::as_select())
        .load(conn)?)
}

pub fn delete_expired_sessions(conn: &mut AnyConnection, now: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(t::table.filter(t::expires_at.le(now))).execute(conn)?)
}

pub fn count_sessions(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(t::table.count().get_result(conn)?)
}
