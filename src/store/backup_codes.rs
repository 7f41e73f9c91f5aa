//! The `backup_codes` table. Using a code is one conditional UPDATE, so a code works once even
//! when submitted twice at the same moment.

use diesel::prelude::*;

use super::schema::backup_codes as t;
use super::{AnyConnection, StoreError};

/// Replaces a user's backup codes with a new set (the old set stops working).
pub fn replace_backup_codes(
    conn: &mut AnyConnection,
    user_id: &str,
    hashes: &[String],
    now: i64,
) -> Result<(), StoreError> {
    conn.transaction(|conn| {
        diesel::delete(t::table.filter(t::user_id.eq(user_id))).execute(conn)?;
        for hash in hashes {
            diesel::insert_into(t::table)
                .values((
                    t::id.eq(uuid::Uuid::new_v4().to_string()),
                    t::user_id.eq(user_id),
                    t::code_hash.eq(hash),
                    t::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Uses a backup code of `user_id`; true only for the one caller that used it.
pub fn use_backup_code(
    conn: &mut AnyConnection,
    user_id: &str,
    code_hash: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        t::table
            .filter(t::user_id.eq(user_id))
            .filter(t::code_hash.eq(code_hash))
            .filter(t::used_at.is_null()),
    )
    .set(t::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// How many unused backup codes a user has left.
pub fn count_unused_backup_codes(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<i64, StoreError> {
    Ok(t::table
        .filter(t::user_id.eq(user_id))
        .filter(t::used_at.is_null())
        .count()
        .get_result(conn)?)
}
