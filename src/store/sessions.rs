//! The `sessions` table behind actix-session. Rows are keyed by the SHA-256 of the cookie's
//! session key, so a leaked database does not yield live session cookies. Pages name a session
//! by its random `public_id` instead, so the lookup key never leaves the server.

use diesel::prelude::*;

use super::schema::sessions as t;
use super::{AnyConnection, StoreError};

/// A stored session: its entries as a JSON object, and the signed-in user if any.
pub struct SessionRecord {
    pub user_id: Option<String>,
    pub state: String,
    pub expires_at: i64,
    /// The browser that just signed in to this session; `None` leaves the stored one as it is.
    pub device: Option<SessionDevice>,
}

/// The browser behind a session, as recorded when it signed in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionDevice {
    /// The `User-Agent` header, already cut to its stored length.
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

/// Stores a new session; it counts as seen `now`.
pub fn insert_session(
    conn: &mut AnyConnection,
    id_hash: &str,
    public_id: &str,
    record: &SessionRecord,
    now: i64,
) -> Result<(), StoreError> {
    let device = record.device.clone().unwrap_or_default();
    diesel::insert_into(t::table)
        .values((
            t::id_hash.eq(id_hash),
            t::public_id.eq(public_id),
            t::user_id.eq(&record.user_id),
            t::state.eq(&record.state),
            t::created_at.eq(now),
            t::expires_at.eq(record.expires_at),
            t::last_seen_at.eq(now),
            t::user_agent.eq(device.user_agent),
            t::ip.eq(device.ip),
        ))
        .execute(conn)?;
    Ok(())
}

/// A live session as a request loads it.
pub struct LiveSession {
    pub state: String,
    pub last_seen_at: Option<i64>,
}

/// Loads a session that has not expired.
pub fn find_live_session(
    conn: &mut AnyConnection,
    id_hash: &str,
    now: i64,
) -> Result<Option<LiveSession>, StoreError> {
    Ok(t::table
        .find(id_hash)
        .filter(t::expires_at.gt(now))
        .select((t::state, t::last_seen_at))
        .first::<(String, Option<i64>)>(conn)
        .optional()?
        .map(|(state, last_seen_at)| LiveSession {
            state,
            last_seen_at,
        }))
}

/// Marks a session seen `now` unless it was seen in the last `interval` seconds. The condition
/// is in the UPDATE, so concurrent requests of one browser write it once.
pub fn touch_session(
    conn: &mut AnyConnection,
    id_hash: &str,
    now: i64,
    interval: i64,
) -> Result<bool, StoreError> {
    let stale = t::last_seen_at
        .is_null()
        .or(t::last_seen_at.lt(now - interval));
    let n = diesel::update(t::table.find(id_hash).filter(stale))
        .set(t::last_seen_at.eq(now))
        .execute(conn)?;
    Ok(n == 1)
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
    if n == 1
        && let Some(device) = &record.device
    {
        diesel::update(t::table.find(id_hash))
            .set((
                t::user_agent.eq(&device.user_agent),
                t::ip.eq(&device.ip),
                t::last_seen_at.eq(now),
            ))
            .execute(conn)?;
    }
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

/// A live session of a user, as the account and admin pages list it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = t)]
pub struct UserSession {
    /// SHA-256 of the cookie's session key: which row this is, never shown.
    pub id_hash: String,
    /// The random id pages name the session by.
    pub public_id: String,
    /// The session's entries, a JSON object.
    pub state: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_seen_at: Option<i64>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

/// Ends the session `public_id` of `user_id` and returns it; `None` (nothing deleted) when the
/// user has no such session, so one user cannot end another's.
pub fn delete_user_session(
    conn: &mut AnyConnection,
    user_id: &str,
    public_id: &str,
) -> Result<Option<UserSession>, StoreError> {
    let found = t::table
        .filter(t::user_id.eq(user_id))
        .filter(t::public_id.eq(public_id))
        .select(UserSession::as_select())
        .first(conn)
        .optional()?;
    let Some(found) = found else {
        return Ok(None);
    };
    let n = diesel::delete(t::table.find(&found.id_hash).filter(t::user_id.eq(user_id)))
        .execute(conn)?;
    Ok((n == 1).then_some(found))
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
