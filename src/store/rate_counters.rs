//! The `rate_counters` table: budgets shared by every instance on one database (SMS per number,
//! per IP and in all per hour, code mails per address, notices). A budget is a key and a fixed
//! window; taking from it is a conditional UPDATE (`count < limit` → one more) inside one write
//! transaction with the others taken together, so parallel requests on any instance can never
//! spend more than the limit, and a refused request spends nothing.

use diesel::prelude::*;

use super::schema::rate_counters as t;
use super::{AnyConnection, StoreError};

/// One budget to take a unit from: its counter key, its window and its limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Take {
    pub key: String,
    pub window_start: i64,
    pub limit: i64,
}

/// The marker of a refused take inside its transaction (rolled back, never surfaced).
const EXHAUSTED: &str = "budget exhausted";

/// Takes one unit from every budget in `takes`, or from none: `Ok(None)` when all had room,
/// `Ok(Some(i))` when `takes[i]` was exhausted (nothing was counted then).
pub fn take_all(conn: &mut AnyConnection, takes: &[Take]) -> Result<Option<usize>, StoreError> {
    for take in takes {
        ensure_row(conn, take)?;
    }
    let mut refused = None;
    let outcome = super::write_transaction(conn, |conn| {
        for (i, take) in takes.iter().enumerate() {
            let n = diesel::update(
                t::table
                    .find((&take.key, take.window_start))
                    .filter(t::count.lt(take.limit)),
            )
            .set(t::count.eq(t::count + 1))
            .execute(conn)?;
            if n != 1 {
                refused = Some(i);
                return Err(StoreError::Conflict(EXHAUSTED));
            }
        }
        Ok(())
    });
    match outcome {
        Ok(()) => Ok(None),
        Err(StoreError::Conflict(EXHAUSTED)) => Ok(refused),
        Err(e) => Err(e),
    }
}

/// What `key` has counted in the window starting at `window_start` (0 when nothing).
pub fn count(conn: &mut AnyConnection, key: &str, window_start: i64) -> Result<i64, StoreError> {
    Ok(t::table
        .find((key, window_start))
        .select(t::count)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// Deletes the counters of windows that started before `before`.
pub fn delete_older_than(conn: &mut AnyConnection, before: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(t::table.filter(t::window_start.lt(before))).execute(conn)?)
}

/// The row must exist before the counting transaction; a concurrent insert of the same row is
/// harmless (and on PostgreSQL must not happen inside the transaction, which it would abort).
fn ensure_row(conn: &mut AnyConnection, take: &Take) -> Result<(), StoreError> {
    let exists = t::table
        .find((&take.key, take.window_start))
        .select(t::count)
        .first::<i64>(conn)
        .optional()?
        .is_some();
    if exists {
        return Ok(());
    }
    let inserted = diesel::insert_into(t::table)
        .values((
            t::key.eq(&take.key),
            t::window_start.eq(take.window_start),
            t::count.eq(0_i64),
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
