//! The `login_tracks` table: logins waiting for their second factor.

use diesel::prelude::*;

use super::schema::login_tracks as t;
use super::{AnyConnection, StoreError};
use crate::domain::verification::LoginTrack;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = t)]
pub struct LoginTrackRow {
    pub id: String,
    pub request_id: String,
    pub user_id: String,
    pub alias: String,
    pub amr: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub completed_at: Option<i64>,
}

impl From<LoginTrackRow> for LoginTrack {
    fn from(r: LoginTrackRow) -> Self {
        LoginTrack {
            id: r.id,
            request_id: r.request_id,
            user_id: r.user_id,
            alias: r.alias,
            amr: crate::domain::oauth::amr_from_string(&r.amr),
            created_at: r.created_at,
            expires_at: r.expires_at,
            completed_at: r.completed_at,
        }
    }
}

pub fn insert_track(conn: &mut AnyConnection, track: &LoginTrack) -> Result<(), StoreError> {
    let row = LoginTrackRow {
        id: track.id.clone(),
        request_id: track.request_id.clone(),
        user_id: track.user_id.clone(),
        alias: track.alias.clone(),
        amr: crate::domain::oauth::amr_to_string(&track.amr),
        created_at: track.created_at,
        expires_at: track.expires_at,
        completed_at: track.completed_at,
    };
    diesel::insert_into(t::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_track(conn: &mut AnyConnection, id: &str) -> Result<Option<LoginTrack>, StoreError> {
    Ok(t::table
        .find(id)
        .select(LoginTrackRow::as_select())
        .first(conn)
        .optional()?
        .map(LoginTrack::from))
}

pub fn find_track_by_alias(
    conn: &mut AnyConnection,
    alias: &str,
) -> Result<Option<LoginTrack>, StoreError> {
    Ok(t::table
        .filter(t::alias.eq(alias))
        .select(LoginTrackRow::as_select())
        .first(conn)
        .optional()?
        .map(LoginTrack::from))
}

/// Completes a track; true only once.
pub fn complete_track(conn: &mut AnyConnection, id: &str, now: i64) -> Result<bool, StoreError> {
    let n = diesel::update(
        t::table
            .find(id)
            .filter(t::completed_at.is_null())
            .filter(t::expires_at.gt(now)),
    )
    .set(t::completed_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn delete_expired_tracks(conn: &mut AnyConnection, now: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(t::table.filter(t::expires_at.lt(now))).execute(conn)?)
}
