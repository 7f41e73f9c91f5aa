//! The `deliveries` table: the log of every message we tried to send, for admins.

use diesel::prelude::*;

use super::schema::deliveries as t;
use super::{AnyConnection, StoreError};

/// One attempt to send a message. `destination` is already masked.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = t)]
pub struct Delivery {
    pub id: String,
    pub channel: String,
    pub destination: String,
    pub purpose: String,
    pub user_id: Option<String>,
    pub provider: String,
    /// `sent` or `failed`.
    pub status: String,
    /// The provider's answer or error.
    pub detail: Option<String>,
    pub created_at: i64,
    /// How long the provider took to answer, for a real code delivery; none for other messages.
    pub took_ms: Option<i64>,
}

pub fn insert_delivery(conn: &mut AnyConnection, delivery: &Delivery) -> Result<(), StoreError> {
    diesel::insert_into(t::table)
        .values(delivery.clone())
        .execute(conn)?;
    Ok(())
}

/// The newest deliveries first; `failed_only` narrows to failures.
pub fn list_deliveries(
    conn: &mut AnyConnection,
    failed_only: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<Delivery>, StoreError> {
    let mut query = t::table.select(Delivery::as_select()).into_boxed();
    if failed_only {
        query = query.filter(t::status.eq("failed"));
    }
    Ok(query
        .order((t::created_at.desc(), t::id.desc()))
        .limit(limit)
        .offset(offset)
        .load(conn)?)
}

/// How many deliveries there are; `failed_only` counts failures only.
pub fn count_deliveries(conn: &mut AnyConnection, failed_only: bool) -> Result<i64, StoreError> {
    let mut query = t::table.into_boxed();
    if failed_only {
        query = query.filter(t::status.eq("failed"));
    }
    Ok(query.count().get_result(conn)?)
}

pub fn count_failed_since(conn: &mut AnyConnection, since: i64) -> Result<i64, StoreError> {
    Ok(t::table
        .filter(t::status.eq("failed"))
        .filter(t::created_at.ge(since))
        .count()
        .get_result(conn)?)
}

/// Deletes deliveries logged before `cutoff` (the retention setting); how many went.
pub fn delete_older_than(conn: &mut AnyConnection, cutoff: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(t::table.filter(t::created_at.lt(cutoff))).execute(conn)?)
}

/// One of the latest code deliveries on a channel, as codes for nobody imitate it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecentDelivery {
    pub failed: bool,
    pub at: i64,
    pub took_ms: Option<i64>,
}

/// The `limit` newest attempts on `channel` (any instance), newest first.
pub fn recent_on_channel(
    conn: &mut AnyConnection,
    channel: &str,
    limit: i64,
) -> Result<Vec<RecentDelivery>, StoreError> {
    let rows: Vec<(String, i64, Option<i64>)> = t::table
        .filter(t::channel.eq(channel))
        .order((t::created_at.desc(), t::id.desc()))
        .select((t::status, t::created_at, t::took_ms))
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(status, at, took_ms)| RecentDelivery {
            failed: status == "failed",
            at,
            took_ms,
        })
        .collect())
}
