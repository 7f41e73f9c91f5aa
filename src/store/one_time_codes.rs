//! The `one_time_codes` table. Using a code is one conditional UPDATE (unused, unexpired, hash
//! matches), so of any number of simultaneous submissions exactly one wins; checking a typed
//! code is one transaction with the lockout of its person and channel ([`attempt_code`]).

use diesel::prelude::*;

use super::code_lockouts::{self, Claim};
use super::schema::one_time_codes as t;
use super::{AnyConnection, StoreError};
use crate::domain::ids::constant_time_eq;
use crate::domain::one_time_code::{OneTimeCode, Purpose};
use crate::domain::policy::LockRule;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = t)]
struct CodeRow {
    id: String,
    purpose: String,
    subject: String,
    user_id: Option<String>,
    channel: String,
    destination: String,
    code_hash: String,
    sealed_code: Vec<u8>,
    sent_at: i64,
    send_count: i32,
    expires_at: i64,
    used_at: Option<i64>,
    created_at: i64,
    target: Option<String>,
}

impl TryFrom<CodeRow> for OneTimeCode {
    type Error = StoreError;
    fn try_from(r: CodeRow) -> Result<Self, StoreError> {
        Ok(OneTimeCode {
            purpose: r.purpose.parse().map_err(StoreError::Corrupt)?,
            channel: r.channel.parse().map_err(StoreError::Corrupt)?,
            id: r.id,
            subject: r.subject,
            user_id: r.user_id,
            destination: r.destination,
            code_hash: r.code_hash,
            sealed_code: r.sealed_code,
            sent_at: r.sent_at,
            send_count: r.send_count.max(0) as u32,
            expires_at: r.expires_at,
            used_at: r.used_at,
            created_at: r.created_at,
            target: r.target,
        })
    }
}

pub fn insert_code(conn: &mut AnyConnection, code: &OneTimeCode) -> Result<(), StoreError> {
    let row = CodeRow {
        id: code.id.clone(),
        purpose: code.purpose.as_str().into(),
        subject: code.subject.clone(),
        user_id: code.user_id.clone(),
        channel: code.channel.as_str().into(),
        destination: code.destination.clone(),
        code_hash: code.code_hash.clone(),
        sealed_code: code.sealed_code.clone(),
        sent_at: code.sent_at,
        send_count: i32::try_from(code.send_count).unwrap_or(i32::MAX),
        expires_at: code.expires_at,
        used_at: code.used_at,
        created_at: code.created_at,
        target: code.target.clone(),
    };
    diesel::insert_into(t::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_code(conn: &mut AnyConnection, id: &str) -> Result<Option<OneTimeCode>, StoreError> {
    t::table
        .find(id)
        .select(CodeRow::as_select())
        .first(conn)
        .optional()?
        .map(OneTimeCode::try_from)
        .transpose()
}

/// A live code for the same person, purpose and channel sent after `sent_after`, if any: a new
/// one is not sent so soon (no flooding anyone's inbox or phone).
pub fn find_recent_code(
    conn: &mut AnyConnection,
    subject: &str,
    purpose: Purpose,
    channel: &str,
    sent_after: i64,
    now: i64,
) -> Result<Option<OneTimeCode>, StoreError> {
    t::table
        .filter(t::subject.eq(subject))
        .filter(t::purpose.eq(purpose.as_str()))
        .filter(t::channel.eq(channel))
        .filter(t::sent_at.gt(sent_after))
        .filter(t::used_at.is_null())
        .filter(t::expires_at.gt(now))
        .order(t::sent_at.desc())
        .select(CodeRow::as_select())
        .first(conn)
        .optional()?
        .map(OneTimeCode::try_from)
        .transpose()
}

/// Marks the code used if it is `purpose`'s, unused, unexpired and its hash is `code_hash`.
/// True only for the one caller that used it.
pub fn use_code(
    conn: &mut AnyConnection,
    id: &str,
    purpose: Purpose,
    code_hash: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        t::table
            .find(id)
            .filter(t::purpose.eq(purpose.as_str()))
            .filter(t::code_hash.eq(code_hash))
            .filter(t::used_at.is_null())
            .filter(t::expires_at.gt(now)),
    )
    .set(t::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// What one typed code came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeAttempt {
    /// Right: the code is now used and the run of failures of its person and channel ended.
    Accepted { user_id: String },
    /// Wrong: counted; `locked_until` is set when it completed a tier (the code is then void).
    Wrong { locked_until: Option<i64> },
    /// Used already, expired or gone: not a guess at anything, not counted.
    Expired,
    /// The person's channel is locked until `until`: nothing was checked.
    Locked { until: i64 },
}

/// One attempt at `code` (as read by the caller) with the keyed hash `code_hash` of what was
/// typed, in ONE write transaction: the attempt is claimed on the lockout of the code's person
/// and channel (refused while locked), then the code is read as it is now and either used
/// (right: the lockout is reset), left alone (used or expired: the claim is taken back), or
/// the failure stays counted and, when it completes a tier of `rule`, locks and voids the code.
/// A code sent to nobody (no `user_id`) is never right.
pub fn attempt_code(
    conn: &mut AnyConnection,
    code: &OneTimeCode,
    code_hash: &str,
    rule: &impl LockRule,
    now: i64,
) -> Result<CodeAttempt, StoreError> {
    let (subject, channel) = (code.subject.as_str(), code.channel.as_str());
    code_lockouts::with_claim(conn, subject, channel, now, |conn, claimed| {
        let failures = match claimed {
            Claim::Locked { until } => return Ok(CodeAttempt::Locked { until }),
            Claim::Granted { failures } => failures,
        };
        let current = t::table
            .find(&code.id)
            .filter(t::purpose.eq(code.purpose.as_str()))
            .select(CodeRow::as_select())
            .first(conn)
            .optional()?
            .map(OneTimeCode::try_from)
            .transpose()?
            .filter(|c| c.is_live(now));
        let Some(current) = current else {
            code_lockouts::unclaim(conn, subject, channel)?;
            return Ok(CodeAttempt::Expired);
        };
        let right = current
            .user_id
            .clone()
            .filter(|_| constant_time_eq(code_hash, &current.code_hash));
        if let Some(user_id) = right {
            if use_code(conn, &code.id, code.purpose, code_hash, now)? {
                code_lockouts::reset(conn, subject, channel)?;
                return Ok(CodeAttempt::Accepted { user_id });
            }
            code_lockouts::unclaim(conn, subject, channel)?;
            return Ok(CodeAttempt::Expired);
        }
        let locked_until = rule.lock_after(failures, now);
        if let Some(until) = locked_until {
            code_lockouts::lock(conn, subject, channel, until)?;
            void_code(conn, &code.id, now)?;
        }
        Ok(CodeAttempt::Wrong { locked_until })
    })
}

/// Claims the right to send the code again: only if it is live and was last sent at or before
/// `sent_before`. True for the one caller that may send.
pub fn claim_resend(
    conn: &mut AnyConnection,
    id: &str,
    sent_before: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        t::table
            .find(id)
            .filter(t::used_at.is_null())
            .filter(t::expires_at.gt(now))
            .filter(t::sent_at.le(sent_before)),
    )
    .set((t::sent_at.eq(now), t::send_count.eq(t::send_count + 1)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Voids a code (its delivery failed, or its owner was locked out).
pub fn void_code(conn: &mut AnyConnection, id: &str, now: i64) -> Result<(), StoreError> {
    diesel::update(t::table.find(id).filter(t::used_at.is_null()))
        .set(t::used_at.eq(now))
        .execute(conn)?;
    Ok(())
}

pub fn delete_code(conn: &mut AnyConnection, id: &str) -> Result<(), StoreError> {
    diesel::delete(t::table.find(id)).execute(conn)?;
    Ok(())
}

pub fn delete_expired_codes(conn: &mut AnyConnection, now: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(t::table.filter(t::expires_at.lt(now))).execute(conn)?)
}
