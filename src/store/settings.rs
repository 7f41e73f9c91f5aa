//! The `settings` table: configuration keys changed on the admin pages, as JSON values.

use diesel::prelude::*;

use super::schema::settings as t;
use super::{AnyConnection, StoreError};

/// Every stored setting as (key, JSON value).
pub fn list_settings(conn: &mut AnyConnection) -> Result<Vec<(String, String)>, StoreError> {
    Ok(t::table
        .select((t::key, t::value))
        .order(t::key.asc())
        .load(conn)?)
}

/// The highest revision: changes whenever any setting changes (0 when none was ever set).
pub fn revision(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(t::table
        .select(diesel::dsl::max(t::revision))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// Stores `values` (key → JSON) as one change with a new revision.
pub fn put_settings(
    conn: &mut AnyConnection,
    values: &[(String, String)],
    by: &str,
    now: i64,
) -> Result<i64, StoreError> {
    super::write_transaction(conn, |conn| {
        let next = revision(conn)? + 1;
        for (key, value) in values {
            let updated = diesel::update(t::table.find(key))
                .set((
                    t::value.eq(value),
                    t::revision.eq(next),
                    t::updated_at.eq(now),
                    t::updated_by.eq(by),
                ))
                .execute(conn)?;
            if updated == 0 {
                diesel::insert_into(t::table)
                    .values((
                        t::key.eq(key),
                        t::value.eq(value),
                        t::revision.eq(next),
                        t::updated_at.eq(now),
                        t::updated_by.eq(by),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(next)
    })
}
