//! The `verifications` table: one row per verification flow; each step swaps in a new
//! exchange_id with a conditional UPDATE, so every exchange_id works exactly once.

use diesel::prelude::*;

use super::schema::verifications as t;
use super::{AnyConnection, StoreError};
use crate::domain::verification::{State, Verification};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = t)]
pub struct VerificationRow {
    pub status_id: String,
    pub exchange_id: String,
    pub exchange_expires_at: i64,
    pub request_id: Option<String>,
    pub user_id: Option<String>,
    pub alias: String,
    pub method: String,
    pub usage_type: String,
    pub medium_id: Option<String>,
    pub state: String,
    pub created_at: i64,
    pub expires_at: i64,
}

impl TryFrom<VerificationRow> for Verification {
    type Error = StoreError;
    fn try_from(r: VerificationRow) -> Result<Self, StoreError> {
        Ok(Verification {
            method: r.method.parse().map_err(StoreError::Corrupt)?,
            usage_type: r.usage_type.parse().map_err(StoreError::Corrupt)?,
            state: r.state.parse().map_err(StoreError::Corrupt)?,
            status_id: r.status_id,
            exchange_id: r.exchange_id,
            exchange_expires_at: r.exchange_expires_at,
            request_id: r.request_id,
            user_id: r.user_id,
            alias: r.alias,
            medium_id: r.medium_id,
            created_at: r.created_at,
            expires_at: r.expires_at,
        })
    }
}

pub fn insert_verification(conn: &mut AnyConnection, v: &Verification) -> Result<(), StoreError> {
    let row = VerificationRow {
        status_id: v.status_id.clone(),
        exchange_id: v.exchange_id.clone(),
        exchange_expires_at: v.exchange_expires_at,
        request_id: v.request_id.clone(),
        user_id: v.user_id.clone(),
        alias: v.alias.clone(),
        method: v.method.as_str().into(),
        usage_type: v.usage_type.as_str().into(),
        medium_id: v.medium_id.clone(),
        state: v.state.as_str().into(),
        created_at: v.created_at,
        expires_at: v.expires_at,
    };
    diesel::insert_into(t::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_by_exchange(
    conn: &mut AnyConnection,
    exchange_id: &str,
) -> Result<Option<Verification>, StoreError> {
    t::table
        .filter(t::exchange_id.eq(exchange_id))
        .select(VerificationRow::as_select())
        .first(conn)
        .optional()?
        .map(Verification::try_from)
        .transpose()
}

pub fn find_by_status(
    conn: &mut AnyConnection,
    status_id: &str,
) -> Result<Option<Verification>, StoreError> {
    t::table
        .find(status_id)
        .select(VerificationRow::as_select())
        .first(conn)
        .optional()?
        .map(Verification::try_from)
        .transpose()
}

/// The newest verified, unconsumed verification of the sign-in `alias` names within `request_id`
/// (the second step of a login track), if any.
pub fn find_verified_for_alias(
    conn: &mut AnyConnection,
    alias: &str,
    request_id: &str,
) -> Result<Option<Verification>, StoreError> {
    t::table
        .filter(t::alias.eq(alias))
        .filter(t::request_id.eq(request_id))
        .filter(t::state.eq(State::Verified.as_str()))
        .order((t::created_at.desc(), t::status_id.desc()))
        .select(VerificationRow::as_select())
        .first(conn)
        .optional()?
        .map(Verification::try_from)
        .transpose()
}

/// Moves a verification from `from` to `to` and replaces its exchange, if `exchange_id` is still
/// its current, unexpired exchange. True only for the one caller that made the step.
pub fn advance(
    conn: &mut AnyConnection,
    exchange_id: &str,
    from: State,
    to: State,
    new_exchange_id: &str,
    new_exchange_expires_at: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        t::table
            .filter(t::exchange_id.eq(exchange_id))
            .filter(t::state.eq(from.as_str()))
            .filter(t::exchange_expires_at.gt(now)),
    )
    .set((
        t::state.eq(to.as_str()),
        t::exchange_id.eq(new_exchange_id),
        t::exchange_expires_at.eq(new_exchange_expires_at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Consumes a verified status to finish a login; true only once.
pub fn consume(conn: &mut AnyConnection, status_id: &str, now: i64) -> Result<bool, StoreError> {
    let n = diesel::update(
        t::table
            .find(status_id)
            .filter(t::state.eq(State::Verified.as_str()))
            .filter(t::expires_at.gt(now)),
    )
    .set(t::state.eq(State::Consumed.as_str()))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn delete_expired_verifications(
    conn: &mut AnyConnection,
    now: i64,
) -> Result<usize, StoreError> {
    Ok(diesel::delete(t::table.filter(t::expires_at.lt(now))).execute(conn)?)
}

/// The user behind a masked alias, from the flow that issued it.
pub fn find_user_by_alias(
    conn: &mut AnyConnection,
    alias: &str,
) -> Result<Option<String>, StoreError> {
    Ok(t::table
        .filter(t::alias.eq(alias))
        .filter(t::user_id.is_not_null())
        .select(t::user_id)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}
