//! The `approvals` table. Every change of state is one conditional UPDATE on
//! `state = 'pending'` (and the time), so of any number of concurrent decisions exactly one
//! changes the row; the others see 0 rows and lose.

use diesel::prelude::*;

use super::schema::approvals;
use super::{AnyConnection, StoreError};
use crate::domain::approval::{Approval, ApprovalState};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = approvals)]
pub struct ApprovalRow {
    pub id: String,
    pub client_id: String,
    pub user_id: String,
    pub approval_data: String,
    pub data_hash: String,
    pub state: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub decided_at: Option<i64>,
    pub artifact: Option<String>,
    pub resume: Option<String>,
    pub code_hash: Option<String>,
}

const PENDING: &str = "pending";

/// Stores a new approval.
pub fn insert_approval(conn: &mut AnyConnection, approval: &Approval) -> Result<(), StoreError> {
    let row = ApprovalRow {
        id: approval.id.clone(),
        client_id: approval.client_id.clone(),
        user_id: approval.user_id.clone(),
        approval_data: serde_json::to_string(&approval.data)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        data_hash: approval.data_hash.clone(),
        state: approval.state.as_str().to_owned(),
        created_at: approval.created_at,
        expires_at: approval.expires_at,
        decided_at: approval.decided_at,
        artifact: approval.artifact.clone(),
        resume: approval.resume.clone(),
        code_hash: None,
    };
    diesel::insert_into(approvals::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

/// The approval `id`, if there is one.
pub fn find_approval(conn: &mut AnyConnection, id: &str) -> Result<Option<Approval>, StoreError> {
    approvals::table
        .find(id)
        .select(ApprovalRow::as_select())
        .first(conn)
        .optional()?
        .map(to_approval)
        .transpose()
}

fn to_approval(row: ApprovalRow) -> Result<Approval, StoreError> {
    Ok(Approval {
        data: serde_json::from_str(&row.approval_data)
            .map_err(|e| StoreError::Corrupt(format!("approval data: {e}")))?,
        state: row.state.parse().map_err(StoreError::Corrupt)?,
        id: row.id,
        client_id: row.client_id,
        user_id: row.user_id,
        data_hash: row.data_hash,
        created_at: row.created_at,
        expires_at: row.expires_at,
        decided_at: row.decided_at,
        artifact: row.artifact,
        resume: row.resume,
    })
}

/// Decides a pending approval that has not expired at `now`: `Approved` (with its artifact) or
/// `Declined`. `false` when it was no longer pending or its time was up — someone else decided
/// first, or it expired.
pub fn decide(
    conn: &mut AnyConnection,
    id: &str,
    to: ApprovalState,
    artifact: Option<&str>,
    now: i64,
) -> Result<bool, StoreError> {
    let updated = diesel::update(
        approvals::table
            .filter(approvals::id.eq(id))
            .filter(approvals::state.eq(PENDING))
            .filter(approvals::expires_at.gt(now)),
    )
    .set((
        approvals::state.eq(to.as_str()),
        approvals::decided_at.eq(Some(now)),
        approvals::artifact.eq(artifact),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Marks a pending approval whose time is up at `now` as expired; `true` when this call did
/// (so its audit event is written once).
pub fn expire(conn: &mut AnyConnection, id: &str, now: i64) -> Result<bool, StoreError> {
    let updated = diesel::update(
        approvals::table
            .filter(approvals::id.eq(id))
            .filter(approvals::state.eq(PENDING))
            .filter(approvals::expires_at.le(now)),
    )
    .set((
        approvals::state.eq(ApprovalState::Expired.as_str()),
        approvals::decided_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Attaches the authorization code `code_hash` to an approved approval that has none yet:
/// `false` when it is not approved or already went into another code (one approval, one code).
pub fn attach_code(
    conn: &mut AnyConnection,
    id: &str,
    code_hash: &str,
) -> Result<bool, StoreError> {
    let updated = diesel::update(
        approvals::table
            .filter(approvals::id.eq(id))
            .filter(approvals::state.eq(ApprovalState::Approved.as_str()))
            .filter(approvals::code_hash.is_null()),
    )
    .set(approvals::code_hash.eq(Some(code_hash)))
    .execute(conn)?;
    Ok(updated == 1)
}

/// The approval that went into the authorization code `code_hash`, if one did.
pub fn find_by_code_hash(
    conn: &mut AnyConnection,
    code_hash: &str,
) -> Result<Option<Approval>, StoreError> {
    approvals::table
        .filter(approvals::code_hash.eq(code_hash))
        .select(ApprovalRow::as_select())
        .first(conn)
        .optional()?
        .map(to_approval)
        .transpose()
}

/// Deletes approvals whose answer was due before `cutoff`; their artifacts stay verifiable on
/// their own.
pub fn delete_older_than(conn: &mut AnyConnection, cutoff: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(approvals::table.filter(approvals::expires_at.lt(cutoff))).execute(conn)?)
}
