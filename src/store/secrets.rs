//! The `instance_secrets` table: keys generated on first start (at-rest key, cookie key).

use diesel::prelude::*;

use super::schema::instance_secrets as t;
use super::{AnyConnection, StoreError};

/// Returns the secret called `name`, storing `generate()` first if there is none yet.
/// Safe when several instances start at once: the first insert wins and all read it back.
pub fn get_or_create_secret(
    conn: &mut AnyConnection,
    name: &str,
    generate: impl FnOnce() -> Vec<u8>,
) -> Result<Vec<u8>, StoreError> {
    let existing: Option<Vec<u8>> = t::table
        .find(name)
        .select(t::value)
        .first(conn)
        .optional()?;
    if let Some(value) = existing {
        return Ok(value);
    }
    let inserted = diesel::insert_into(t::table)
        .values((t::name.eq(name), t::value.eq(generate())))
        .execute(conn);
    match inserted {
        Ok(_)
        | Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(t::table.find(name).select(t::value).first(conn)?)
}
