//! The `code_lockouts` table: consecutive wrong one-time codes per person and channel, and
//! wrong passwords per sign-in name (channel `password`). An attempt is claimed by a count
//! that is conditional on not being locked, in the same transaction that sets the lock, so
//! parallel guesses are counted exactly and none is checked once the lock is set (as for
//! authenticators).

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

/// How often a claim is tried again when its row vanished in between (a right code or
/// password of the same person deleted it): each try that loses means someone else finished.
const CLAIM_TRIES: usize = 3;

/// An attempt as claimed inside a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Claim {
    /// Counted as a failure (the `failures`-th in a row) until the attempt turns out right.
    Granted { failures: u32 },
    /// Locked until `until`: nothing counted, nothing may be checked.
    Locked { until: i64 },
}

/// Claims one attempt of `subject` on `channel` at `now` and hands it to `then`, all in one
/// write transaction: the claim is a conditional UPDATE (not locked → count one more), so the
/// lock check and the count are one statement, and on PostgreSQL the row stays locked until
/// `then` has written the outcome. Parallel attempts are thereby decided one after the other.
pub(super) fn with_claim<T>(
    conn: &mut AnyConnection,
    subject: &str,
    channel: &str,
    now: i64,
    mut then: impl FnMut(&mut AnyConnection, Claim) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    for _ in 0..CLAIM_TRIES {
        ensure_row(conn, subject, channel, now)?;
        let done =
            super::write_transaction(conn, |conn| match claim(conn, subject, channel, now)? {
                Some(claimed) => then(conn, claimed).map(Some),
                None => Ok(None),
            })?;
        if let Some(done) = done {
            return Ok(done);
        }
    }
    Err(StoreError::Conflict(
        "the lockout kept changing during the attempt",
    ))
}

/// The row must exist before the counting transaction; a concurrent insert of the same row
/// is harmless (and on PostgreSQL must not happen inside the transaction, which it would abort).
fn ensure_row(
    conn: &mut AnyConnection,
    subject: &str,
    channel: &str,
    now: i64,
) -> Result<(), StoreError> {
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
        )) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Inside a transaction: the claim. `None` when the row is gone or no longer locked after
/// all (deleted or unlocked in between): the caller starts again.
fn claim(
    conn: &mut AnyConnection,
    subject: &str,
    channel: &str,
    now: i64,
) -> Result<Option<Claim>, StoreError> {
    let row = t::table.find((subject, channel));
    // The UPDATE comes first, so the row is locked (PostgreSQL) before it is read back.
    let n = diesel::update(row.filter(t::locked_until.is_null().or(t::locked_until.le(now))))
        .set((
            t::failure_count.eq(t::failure_count + 1),
            t::updated_at.eq(now),
        ))
        .execute(conn)?;
    if n == 1 {
        let failures: i32 = row.select(t::failure_count).first(conn)?;
        return Ok(Some(Claim::Granted {
            failures: failures.max(0) as u32,
        }));
    }
    let until: Option<Option<i64>> = row.select(t::locked_until).first(conn).optional()?;
    Ok(until
        .flatten()
        .filter(|u| is_locked(Some(*u), now))
        .map(|until| Claim::Locked { until }))
}

/// Inside a claim's transaction: locks until `until` (the claim completed a tier).
pub(super) fn lock(
    conn: &mut AnyConnection,
    subject: &str,
    channel: &str,
    until: i64,
) -> Result<(), StoreError> {
    diesel::update(t::table.find((subject, channel)))
        .set(t::locked_until.eq(until))
        .execute(conn)?;
    Ok(())
}

/// Inside a claim's transaction: takes the claimed attempt back (it was not a guess).
pub(super) fn unclaim(
    conn: &mut AnyConnection,
    subject: &str,
    channel: &str,
) -> Result<(), StoreError> {
    diesel::update(
        t::table
            .find((subject, channel))
            .filter(t::failure_count.gt(0)),
    )
    .set(t::failure_count.eq(t::failure_count - 1))
    .execute(conn)?;
    Ok(())
}

/// Claims one attempt for a check that runs outside the database (a password hash): counts it
/// as a failure and locks when it completes a tier of `rule`, unless already locked — in one
/// transaction, committed before the check. A right answer then [`reset`]s; an attempt that
/// could not be checked is given back with [`release_attempt`]. So no more attempts are ever
/// checked than the rule allows, however many run at once, and none once the lock is set.
pub fn claim_attempt(
    conn: &mut AnyConnection,
    subject: &str,
    channel: &str,
    rule: &impl LockRule,
    now: i64,
) -> Result<FailureCount, StoreError> {
    with_claim(conn, subject, channel, now, |conn, claimed| match claimed {
        Claim::Locked { until } => Ok(FailureCount::AlreadyLocked { until }),
        Claim::Granted { failures } => {
            let locked_until = rule.lock_after(failures, now);
            if let Some(until) = locked_until {
                lock(conn, subject, channel, until)?;
            }
            Ok(FailureCount::Counted {
                failures,
                locked_until,
            })
        }
    })
}

/// Counts one wrong code (or password) and locks when a tier of `rule` is complete: a claimed
/// attempt that nothing takes back.
pub fn record_failure(
    conn: &mut AnyConnection,
    subject: &str,
    channel: &str,
    rule: &impl LockRule,
    now: i64,
) -> Result<FailureCount, StoreError> {
    claim_attempt(conn, subject, channel, rule, now)
}

/// Gives back an attempt claimed with [`claim_attempt`] that was never checked (the hasher was
/// busy). Its own lock goes with it; a lock set by later attempts stays, and so does their
/// count.
pub fn release_attempt(
    conn: &mut AnyConnection,
    subject: &str,
    channel: &str,
    claimed: FailureCount,
    now: i64,
) -> Result<(), StoreError> {
    let row = t::table.find((subject, channel));
    match claimed {
        FailureCount::Counted {
            failures,
            locked_until: Some(until),
        } => {
            diesel::update(
                row.filter(t::failure_count.eq(i32::try_from(failures).unwrap_or(i32::MAX)))
                    .filter(t::locked_until.eq(until)),
            )
            .set((
                t::failure_count.eq(t::failure_count - 1),
                t::locked_until.eq(None::<i64>),
            ))
            .execute(conn)?;
        }
        FailureCount::Counted {
            locked_until: None, ..
        } => {
            diesel::update(
                row.filter(t::failure_count.gt(0))
                    .filter(t::locked_until.is_null().or(t::locked_until.le(now))),
            )
            .set(t::failure_count.eq(t::failure_count - 1))
            .execute(conn)?;
        }
        FailureCount::AlreadyLocked { .. } => {}
    }
    Ok(())
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

/// Deletes counters not touched since `idle_cutoff` that hold no lock at `now` — most are of
/// names nobody has (anyone can make them by guessing), so they must not pile up. A lock in
/// force, including one until an administrator unlocks it, stays.
pub fn delete_idle(
    conn: &mut AnyConnection,
    now: i64,
    idle_cutoff: i64,
) -> Result<usize, StoreError> {
    Ok(diesel::delete(
        t::table
            .filter(t::updated_at.lt(idle_cutoff))
            .filter(t::locked_until.is_null().or(t::locked_until.lt(now))),
    )
    .execute(conn)?)
}
