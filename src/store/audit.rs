//! The `audit_events` table: an append-only trail of security-relevant events.

use diesel::prelude::*;

use super::schema::audit_events as t;
use super::schema::users;
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

/// What the admin audit log is narrowed to; `None` leaves that part open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// A user id, or the (normalised) email of a user: events about that user.
    pub user: Option<String>,
    /// An action prefix such as `login`: matches `login` and `login.…`.
    pub kind: Option<String>,
    /// `success` or `failure`.
    pub outcome: Option<String>,
    /// Events at or after this unix time.
    pub from: Option<i64>,
    /// Events before this unix time.
    pub until: Option<i64>,
}

/// An audit event with the emails of its actor and its user, where those users still exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub event: AuditEventRow,
    pub actor_email: Option<String>,
    pub user_email: Option<String>,
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

/// `LIKE` pattern text for a literal prefix (`\` is the escape character).
fn like_prefix(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 2);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push_str(".%");
    pattern
}

/// The ids `filter.user` stands for: itself (an id) and the id of the user with that email.
fn user_ids(conn: &mut AnyConnection, filter: &AuditFilter) -> Result<Vec<String>, StoreError> {
    let Some(user) = &filter.user else {
        return Ok(Vec::new());
    };
    let mut ids = vec![user.clone()];
    if let Some(id) = users::table
        .filter(users::email.eq(user))
        .select(users::id)
        .first::<String>(conn)
        .optional()?
    {
        ids.push(id);
    }
    Ok(ids)
}

fn filtered(filter: &AuditFilter, user_ids: Vec<String>) -> t::BoxedQuery<'static, Backend> {
    let mut query = t::table.into_boxed();
    if filter.user.is_some() {
        query = query.filter(t::user_id.eq_any(user_ids));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(
            t::action
                .eq(kind.clone())
                .or(t::action.like(like_prefix(kind)).escape('\\')),
        );
    }
    if let Some(outcome) = &filter.outcome {
        query = query.filter(t::outcome.eq(outcome.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(t::at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(t::at.lt(until));
    }
    query
}

/// How many events match `filter` (for the pages of the audit log).
pub fn count_audit_events(
    conn: &mut AnyConnection,
    filter: &AuditFilter,
) -> Result<i64, StoreError> {
    let ids = user_ids(conn, filter)?;
    Ok(filtered(filter, ids).count().get_result(conn)?)
}

/// One page of the events matching `filter`, newest first (ids are UUIDv7, so by id), with the
/// emails of their actors and users.
pub fn list_audit_page(
    conn: &mut AnyConnection,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<AuditEntry>, StoreError> {
    let ids = user_ids(conn, filter)?;
    let events: Vec<AuditEventRow> = filtered(filter, ids)
        .select(AuditEventRow::as_select())
        .order(t::id.desc())
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    let mut people: Vec<String> = events
        .iter()
        .flat_map(|e| [e.actor.clone(), e.user_id.clone()])
        .flatten()
        .collect();
    people.sort();
    people.dedup();
    let emails: std::collections::HashMap<String, String> = if people.is_empty() {
        Default::default()
    } else {
        users::table
            .filter(users::id.eq_any(people))
            .select((users::id, users::email))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect()
    };
    Ok(events
        .into_iter()
        .map(|event| AuditEntry {
            actor_email: event.actor.as_ref().and_then(|id| emails.get(id).cloned()),
            user_email: event
                .user_id
                .as_ref()
                .and_then(|id| emails.get(id).cloned()),
            event,
        })
        .collect())
}

/// Deletes events older than `cutoff` (the retention setting); how many went.
pub fn delete_older_than(conn: &mut AnyConnection, cutoff: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(t::table.filter(t::at.lt(cutoff))).execute(conn)?)
}
