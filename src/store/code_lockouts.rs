//! The `code_lockouts` table: consecutive wrong one-time codes per person and channel, and
//! wrong passwords per sign-in name (channel `password`). Counting
//! is conditional on not being locked and sets the lock in the same transaction, so parallel
//! guesses are counted exactly (as for authenticators).

use diesel::prelude::*;

use super::authenticators::FailureCount;
use super::schema::code_lockouts as t;
use super::{AnyConnection, StoreError};
use crate::domain::policy::{LockRule, is_locked};

/// Until when `subject` may not use `channel`, if it is locked at `now`.
pub fn locked_until(
    conn: &mut AnyConnection,
    subject: &str,
    channel: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let until: Option<Option<i64>> = t::table
        .find((subject, channel))
        .select(t::locked_until)
        .first(conn)
        .optional()?;
    Ok(until.flatten().filter(|u| is_locked(Some(*u), now)))
}

/// Counts one wrong code (or password) and locks when a tier of `policy` is complete.
pub fn record_failure(
    conn: &mut AnyConnection,
    subject: &str,
    channel: &str,
    policy: &impl LockRule,
    now: i64,
) -> Result<FailureCount, StoreError> {
    // The row must exist before the counting transaction; a concurrent insert of the same row
    // is harmless (and on PostgreSQL must not happen inside the transaction, which it would abort).
    let inserted = diesel::insert_into(t::table)
        .values((
            t::subject.eq(subject),
            t::channel.eq(channel),
            t::failure_count.eq(0),
            t::updated_at.eq(now),
        ))
        .execute(conn);
    match inserted {
        Ok(_)
        | Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {}
        Err(e) => return Err(e.into()),
    }
    super::write_transaction(conn, |conn| {
        let row = t::table.find((subject, channel));
        let n = diesel::update(row.filter(t::locked_until.is_null().or(t::locked_until.le(now))))
            .set((
                t::failure_count.eq(t::failure_count + 1),
                t::updated_at.eq(now),
            ))
            .execute(conn)?;
        if n == 0 {
            return Ok(FailureCount::AlreadyLocked);
        }
        let failures: i32 = row.select(t::failure_count).first(conn)?;
        let failures = failures.max(0) as u32;
        let locked_until = policy.lock_after(failures, now);
        if let Some(until) = locked_until {
            diesel::update(row)
                .set(t::locked_until.eq(until))
                .execute(conn)?;
        }
        Ok(FailureCount::Counted {
            failures,
            locked_until,
        })
    })
}

/// A correct code ends the run of failures.
pub fn reset(conn: &mut AnyConnection, subject: &str, channel: &str) -> Result<(), StoreError> {
    diesel::delete(t::table.find((subject, channel))).execute(conn)?;
    Ok(())
}

/// Clears every channel's lockout of `subject` (admin unlock); returns how many were cleared.
pub fn unlock_subject(conn: &mut AnyConnection, subject: &str) -> Result<usize, StoreError> {
    Ok(diesel::delete(t::table.filter(t::subject.eq(subject))).execute(conn)?)
}

/// The run of wrong codes of one person on one channel.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = t)]
pub struct CodeLockout {
    pub subject: String,
    pub channel: String,
    pub failure_count: i32,
    pub locked_until: Option<i64>,
    pub updated_at: i64,
}

/// The channels on which `subject` entered wrong codes (locked or not), by channel.
pub fn list_subject(
    conn: &mut AnyConnection,
    subject: &str,
) -> Result<Vec<CodeLockout>, StoreError> {
    Ok(t::table
        .filter(t::subject.eq(subject))
        .order(t::channel.asc())
        .select(CodeLockout::as_select())
        .load(conn)?)
}

/// Clears the lockout of one channel of `subject` (admin unlock); false when there was none.
pub fn unlock_channel(
    conn: &mut AnyConnection,
    subject: &str,
    channel: &str,
) -> Result<bool, StoreError> {
    Ok(diesel::delete(t::table.find((subject, channel))).execute(conn)? == 1)
}

/// The ids of the accounts (subjects `user:{id}`) with a code channel locked at `now`.
pub fn locked_user_ids(conn: &mut AnyConnection, now: i64) -> Result<Vec<String>, StoreError> {
    let prefix = crate::domain::one_time_code::subject_for_user("");
    let subjects: Vec<String> = t::table
        .filter(t::subject.like(format!("{prefix}%")))
        .filter(t::locked_until.gt(now))
        .select(t::subject)
        .distinct()
        .load(conn)?;
    Ok(subjects
        .into_iter()
        .filter_map(|s| s.strip_prefix(prefix.as_str()).map(str::to_owned))
        .collect())
}

/// Every lock (code channels and password sign-in, of accounts and of unknown names) in force
/// at `now`, the one ending soonest first, at most `limit`.
pub fn list_locked(
    conn: &mut AnyConnection,
    now: i64,
    limit: i64,
) -> Result<Vec<CodeLockout>, StoreError> {
    Ok(t::table
        .filter(t::locked_until.gt(now))
        .order((t::locked_until.asc(), t::subject.asc(), t::channel.asc()))
        .limit(limit)
        .select(CodeLockout::as_select())
        .load(conn)?)
}

/// The one lockout row of `subject` on `channel`, locked or not.
pub fn find_lockout(
    conn: &mut AnyConnection,
    subject: &str,
    channel: &str,
) -> Result<Option<CodeLockout>, StoreError> {
    Ok(t::table
        .find((subject, channel))
        .select(CodeLockout::as_select())
        .first(conn)
        .optional()?)
}

/// How many locks (code channels and password sign-in) are in force at `now`.
pub fn count_locked(conn: &mut AnyConnection, now: i64) -> Result<i64, StoreError> {
    Ok(t::table
        .filter(t::locked_until.gt(now))
        .count()
        .get_result(conn)?)
}
