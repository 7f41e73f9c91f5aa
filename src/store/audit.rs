//! The `audit_events` table: an append-only trail of security-relevant events.

use diesel::prelude::*;

use super::schema::audit_events as t;
use super::{AnyConnection, StoreError};

/// One audit event. `detail` must never contain a secret (password, code, token).
#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq, Eq)]
#[diesel(table_name = t)]
pub struct AuditEventRow {
    pub id: String,
    pub at: i64,
    pub action: String,
    pub outcome: String,
    pub actor: Option<String>,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
}

pub fn insert_audit_event(
    conn: &mut AnyConnection,
    event: &AuditEventRow,
) -> Result<(), StoreError> {
    diesel::insert_into(t::table).values(event).execute(conn)?;
    Ok(())
}

/// The newest events first, optionally only those about one user.
pub fn list_audit_events(
    conn: &mut AnyConnection,
    user_id: Option<&str>,
    limit: i64,
) -> Result<Vec<AuditEventRow>, StoreError> {
    let mut query = t::table
        .select(AuditEventRow::as_select())
        .order(t::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(user_id) = user_id {
        query = query.filter(t::user_id.eq(user_id.to_owned()));
    }
    Ok(query.load(conn)?)
}

/// The newest `limit` events about `user_id` whose action starts with `action_prefix`.
pub fn list_user_events(
    conn: &mut AnyConnection,
    user_id: &str,
    action_prefix: &str,
    limit: i64,
) -> Result<Vec<AuditEventRow>, StoreError> {
    Ok(t::table
        .filter(t::user_id.eq(user_id))
        .filter(t::action.like(format!("{action_prefix}%")))
        .select(AuditEventRow::as_select())
        .order(t::id.desc())
        .limit(limit)
        .load(conn)?)
}

/// Events since `since` whose action starts with `action_prefix`, with `outcome`.
pub fn count_events_since(
    conn: &mut AnyConnection,
    action_prefix: &str,
    outcome: &str,
    since: i64,
) -> Result<i64, StoreError> {
    Ok(t::table
        .filter(t::action.like(format!("{action_prefix}%")))
        .filter(t::outcome.eq(outcome))
        .filter(t::at.ge(since))
        .count()
        .get_result(conn)?)
}
