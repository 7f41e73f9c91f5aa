//! The `authenticators` table. Replay protection and lockout counting are single conditional
//! UPDATEs, so concurrent submissions are decided by the database, on SQLite and PostgreSQL.

use diesel::prelude::*;

use super::schema::authenticators as t;
use super::{AnyConnection, StoreError};

use crate::domain::policy::LockoutPolicy;
use crate::domain::totp::TotpParams;
use crate::domain::verification::Authenticator;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = t)]
pub struct AuthenticatorRow {
    pub id: String,
    pub user_id: String,
    pub kind: String,
    pub label: String,
    pub secret: Vec<u8>,
    pub algorithm: String,
    pub digits: i32,
    pub period: i32,
    pub active: bool,
    pub last_used_step: Option<i64>,
    pub failure_count: i32,
    pub locked_until: Option<i64>,
    pub recent_offsets: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl TryFrom<AuthenticatorRow> for Authenticator {
    type Error = StoreError;
    fn try_from(r: AuthenticatorRow) -> Result<Self, StoreError> {
        let params = TotpParams {
            algorithm: r.algorithm.parse().map_err(StoreError::Corrupt)?,
            digits: u8::try_from(r.digits).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            period: u64::try_from(r.period).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        };
        Ok(Authenticator {
            id: r.id,
            user_id: r.user_id,
            label: r.label,
            sealed_secret: r.secret,
            params,
            active: r.active,
            last_used_step: r.last_used_step,
            failure_count: r.failure_count.max(0) as u32,
            locked_until: r.locked_until,
            recent_offsets: r
                .recent_offsets
                .split(',')
                .filter_map(|o| o.parse().ok())
                .collect(),
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        })
    }
}

fn offsets_text(offsets: &[i64]) -> String {
    offsets
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

pub fn insert_authenticator(conn: &mut AnyConnection, a: &Authenticator) -> Result<(), StoreError> {
    let row = AuthenticatorRow {
        id: a.id.clone(),
        user_id: a.user_id.clone(),
        kind: "totp".into(),
        label: a.label.clone(),
        secret: a.sealed_secret.clone(),
        algorithm: a.params.algorithm.as_str().into(),
        digits: a.params.digits.into(),
        period: a.params.period as i32,
        active: a.active,
        last_used_step: a.last_used_step,
        failure_count: a.failure_count as i32,
        locked_until: a.locked_until,
        recent_offsets: offsets_text(&a.recent_offsets),
        created_at: a.created_at,
        last_used_at: a.last_used_at,
    };
    diesel::insert_into(t::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_authenticator(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<Authenticator>, StoreError> {
    t::table
        .find(id)
        .select(AuthenticatorRow::as_select())
        .first(conn)
        .optional()?
        .map(Authenticator::try_from)
        .transpose()
}

/// A user's authenticators, oldest first (pending ones included).
pub fn list_user_authenticators(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<Vec<Authenticator>, StoreError> {
    t::table
        .filter(t::user_id.eq(user_id))
        .order((t::created_at.asc(), t::id.asc()))
        .select(AuthenticatorRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Authenticator::try_from)
        .collect()
}

/// Activates a pending authenticator, recording the confirming code's step so that code cannot
/// then be used to sign in (`last_used_at` stays empty: confirming is not a sign-in). True only
/// for the one caller that activated it.
pub fn activate_authenticator(
    conn: &mut AnyConnection,
    id: &str,
    step: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(t::table.find(id).filter(t::active.eq(false)))
        .set((t::active.eq(true), t::last_used_step.eq(step)))
        .execute(conn)?;
    Ok(n == 1)
}

/// Records a successful code at `step`: succeeds only if no code of this or a later step was
/// accepted before and the authenticator is not locked. Resets the failure count.
pub fn record_success(
    conn: &mut AnyConnection,
    id: &str,
    step: i64,
    recent_offsets: &[i64],
    now: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        t::table
            .find(id)
            .filter(t::active.eq(true))
            .filter(t::last_used_step.is_null().or(t::last_used_step.lt(step)))
            .filter(t::locked_until.is_null().or(t::locked_until.le(now))),
    )
    .set((
        t::last_used_step.eq(step),
        t::failure_count.eq(0),
        t::locked_until.eq(None::<i64>),
        t::recent_offsets.eq(offsets_text(recent_offsets)),
        t::last_used_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// What counting one failure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureCount {
    /// The failure was counted; `locked_until` is set when it completed a tier.
    Counted {
        failures: u32,
        locked_until: Option<i64>,
    },
    /// The authenticator was already locked: nothing was counted.
    AlreadyLocked,
}

/// Counts one failed code atomically and locks the authenticator when a tier is complete.
/// The increment is conditional on not being locked, so parallel guesses are counted exactly.
pub fn record_failure(
    conn: &mut AnyConnection,
    id: &str,
    policy: &LockoutPolicy,
    now: i64,
) -> Result<FailureCount, StoreError> {
    super::write_transaction(conn, |conn| {
        // The UPDATE comes first, so the row is locked (PostgreSQL) before it is read back.
        let n = diesel::update(
            t::table
                .find(id)
                .filter(t::locked_until.is_null().or(t::locked_until.le(now))),
        )
        .set(t::failure_count.eq(t::failure_count + 1))
        .execute(conn)?;
        if n == 0 {
            return Ok(FailureCount::AlreadyLocked);
        }
        let failures: i32 = t::table.find(id).select(t::failure_count).first(conn)?;
        let failures = failures.max(0) as u32;
        let locked_until = policy.lock_after(failures, now);
        if let Some(until) = locked_until {
            diesel::update(t::table.find(id))
                .set(t::locked_until.eq(until))
                .execute(conn)?;
        }
        Ok(FailureCount::Counted {
            failures,
            locked_until,
        })
    })
}

/// Clears a lockout (admin action).
pub fn unlock_authenticator(conn: &mut AnyConnection, id: &str) -> Result<bool, StoreError> {
    let n = diesel::update(t::table.find(id))
        .set((t::failure_count.eq(0), t::locked_until.eq(None::<i64>)))
        .execute(conn)?;
    Ok(n == 1)
}

/// Clears the lockouts of all of a user's authenticators; returns how many were locked.
pub fn unlock_user_authenticators(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        t::table
            .filter(t::user_id.eq(user_id))
            .filter(t::failure_count.gt(0).or(t::locked_until.is_not_null())),
    )
    .set((t::failure_count.eq(0), t::locked_until.eq(None::<i64>)))
    .execute(conn)?)
}

pub fn rename_authenticator(
    conn: &mut AnyConnection,
    id: &str,
    user_id: &str,
    label: &str,
) -> Result<bool, StoreError> {
    let n = diesel::update(t::table.find(id).filter(t::user_id.eq(user_id)))
        .set(t::label.eq(label))
        .execute(conn)?;
    Ok(n == 1)
}

/// Deletes one of a user's authenticators (revocation).
pub fn delete_authenticator(
    conn: &mut AnyConnection,
    id: &str,
    user_id: &str,
) -> Result<bool, StoreError> {
    let n = diesel::delete(t::table.find(id).filter(t::user_id.eq(user_id))).execute(conn)?;
    Ok(n == 1)
}

/// Deletes enrollments that were never confirmed and were started before `cutoff`.
pub fn delete_stale_pending(conn: &mut AnyConnection, cutoff: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(
        t::table
            .filter(t::active.eq(false))
            .filter(t::created_at.lt(cutoff)),
    )
    .execute(conn)?)
}

/// Deletes all of a user's authenticators except `keep` (single-TOTP "override" mode).
pub fn delete_other_authenticators(
    conn: &mut AnyConnection,
    user_id: &str,
    keep: &str,
) -> Result<usize, StoreError> {
    Ok(diesel::delete(
        t::table
            .filter(t::user_id.eq(user_id))
            .filter(t::id.ne(keep)),
    )
    .execute(conn)?)
}

/// Whether the user has at least one confirmed authenticator.
pub fn has_active_authenticator(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<bool, StoreError> {
    let n: i64 = t::table
        .filter(t::user_id.eq(user_id))
        .filter(t::active.eq(true))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Authenticators locked at `now`.
pub fn count_locked(conn: &mut AnyConnection, now: i64) -> Result<i64, StoreError> {
    Ok(t::table
        .filter(t::locked_until.gt(now))
        .count()
        .get_result(conn)?)
}

/// The authenticators locked at `now`, the lock ending soonest first, at most `limit`.
pub fn list_locked(
    conn: &mut AnyConnection,
    now: i64,
    limit: i64,
) -> Result<Vec<Authenticator>, StoreError> {
    t::table
        .filter(t::locked_until.gt(now))
        .order((t::locked_until.asc(), t::id.asc()))
        .limit(limit)
        .select(AuthenticatorRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Authenticator::try_from)
        .collect()
}

/// The users with an authenticator locked at `now`.
pub fn locked_user_ids(conn: &mut AnyConnection, now: i64) -> Result<Vec<String>, StoreError> {
    Ok(t::table
        .filter(t::locked_until.gt(now))
        .select(t::user_id)
        .distinct()
        .load(conn)?)
}

/// How many confirmed authenticators the user has.
pub fn count_active_authenticators(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<i64, StoreError> {
    Ok(t::table
        .filter(t::user_id.eq(user_id))
        .filter(t::active.eq(true))
        .count()
        .get_result(conn)?)
}
