//! The `authenticators` table. Replay protection and lockout counting are conditional UPDATEs,
//! and a code attempt (claim, check, outcome) is one transaction, so concurrent submissions are
//! decided by the database, on SQLite and PostgreSQL.

use diesel::prelude::*;

use super::schema::authenticators as t;
use super::{AnyConnection, StoreError};

use crate::domain::policy::LockRule;
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

/// What one lockout count came to (authenticators and code channels alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureCount {
    /// The failure was counted; `locked_until` is set when it completed a tier.
    Counted {
        failures: u32,
        locked_until: Option<i64>,
    },
    /// It was already locked until `until`: nothing was counted (and nothing may be checked).
    AlreadyLocked { until: i64 },
}

/// What the caller found checking the code against one claimed authenticator (it holds the
/// key that opens the secret; the store does not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    Wrong,
    /// Right, but for a step at or before `last_used_step`.
    Replayed,
    /// Right, for `step`, with the drift samples to keep.
    Right {
        step: i64,
        recent_offsets: Vec<i64>,
    },
}

/// What one TOTP code came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TotpAttempt {
    /// Right and not used before: this authenticator accepted it; its count is reset.
    Accepted { authenticator_id: String },
    /// Wrong: counted against every authenticator it was checked against; `locked_until` is
    /// the earliest lock this failure set, if it completed a tier.
    Wrong { locked_until: Option<i64> },
    /// Right, but its step was used already: refused, not counted.
    Replayed,
    /// Every authenticator it could be checked against is locked: nothing was checked.
    Locked { until: i64 },
    /// No active authenticator (or no such user).
    NoAuthenticator,
}

/// One attempt at a TOTP code of `user_id` (against the one authenticator `medium_id` when
/// given), decided in ONE write transaction: each candidate that is not locked is claimed by
/// a conditional UPDATE that counts the attempt as a failure (the lock check and the count are
/// one statement, and on PostgreSQL the row stays locked until the end); `check` then looks at
/// the claimed rows as they are now; a right code resets its authenticator and gives the other
/// claims back, a replay gives every claim back, and a wrong one locks where `rule` says. So
/// however many guesses arrive at once, no more are checked than the policy allows, and none
/// is checked once the lock is set.
pub fn attempt_code(
    conn: &mut AnyConnection,
    user_id: &str,
    medium_id: Option<&str>,
    rule: &impl LockRule,
    now: i64,
    mut check: impl FnMut(&Authenticator) -> Result<CodeCheck, StoreError>,
) -> Result<TotpAttempt, StoreError> {
    super::write_transaction(conn, |conn| {
        let mut query = t::table
            .filter(t::user_id.eq(user_id))
            .filter(t::active.eq(true))
            .into_boxed();
        if let Some(medium_id) = medium_id {
            query = query.filter(t::id.eq(medium_id));
        }
        let candidates: Vec<String> = query
            .order((t::created_at.asc(), t::id.asc()))
            .select(t::id)
            .load(conn)?;
        if candidates.is_empty() {
            return Ok(TotpAttempt::NoAuthenticator);
        }
        let mut claimed = Vec::new();
        for id in &candidates {
            let n = diesel::update(
                t::table
                    .find(id)
                    .filter(t::active.eq(true))
                    .filter(t::locked_until.is_null().or(t::locked_until.le(now))),
            )
            .set(t::failure_count.eq(t::failure_count + 1))
            .execute(conn)?;
            if n == 1 {
                claimed.push(id.clone());
            }
        }
        if claimed.is_empty() {
            let until = t::table
                .filter(t::id.eq_any(&candidates))
                .select(t::locked_until)
                .load::<Option<i64>>(conn)?
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(now);
            return Ok(TotpAttempt::Locked { until });
        }
        let rows: Vec<Authenticator> = t::table
            .filter(t::id.eq_any(&claimed))
            .order((t::created_at.asc(), t::id.asc()))
            .select(AuthenticatorRow::as_select())
            .load(conn)?
            .into_iter()
            .map(Authenticator::try_from)
            .collect::<Result<_, _>>()?;
        for a in &rows {
            match check(a)? {
                CodeCheck::Wrong => {}
                CodeCheck::Replayed => {
                    give_back(conn, &claimed, None)?;
                    return Ok(TotpAttempt::Replayed);
                }
                CodeCheck::Right {
                    step,
                    recent_offsets,
                } => {
                    let won = diesel::update(
                        t::table
                            .find(&a.id)
                            .filter(t::last_used_step.is_null().or(t::last_used_step.lt(step))),
                    )
                    .set((
                        t::last_used_step.eq(step),
                        t::failure_count.eq(0),
                        t::locked_until.eq(None::<i64>),
                        t::recent_offsets.eq(offsets_text(&recent_offsets)),
                        t::last_used_at.eq(now),
                    ))
                    .execute(conn)?
                        == 1;
                    give_back(conn, &claimed, won.then_some(a.id.as_str()))?;
                    return Ok(if won {
                        TotpAttempt::Accepted {
                            authenticator_id: a.id.clone(),
                        }
                    } else {
                        TotpAttempt::Replayed
                    });
                }
            }
        }
        let mut earliest: Option<i64> = None;
        for a in &rows {
            if let Some(until) = rule.lock_after(a.failure_count, now) {
                diesel::update(t::table.find(&a.id))
                    .set(t::locked_until.eq(until))
                    .execute(conn)?;
                earliest = Some(earliest.map_or(until, |e| e.min(until)));
            }
        }
        Ok(TotpAttempt::Wrong {
            locked_until: earliest,
        })
    })
}

/// Takes back the attempts counted on `claimed` (except `keep`'s) in the same transaction: a
/// right or replayed code is not a failure.
fn give_back(
    conn: &mut AnyConnection,
    claimed: &[String],
    keep: Option<&str>,
) -> Result<(), StoreError> {
    for id in claimed.iter().filter(|id| Some(id.as_str()) != keep) {
        diesel::update(t::table.find(id).filter(t::failure_count.gt(0)))
            .set(t::failure_count.eq(t::failure_count - 1))
            .execute(conn)?;
    }
    Ok(())
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
