//! The `signing_keys` table: token-signing keys, private parts sealed at rest.

use diesel::prelude::*;

use super::schema::signing_keys as t;
use super::{AnyConnection, StoreError};

/// A stored key; `sealed_private_key` is PKCS#8 DER sealed with the at-rest key.
#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = t)]
pub struct SigningKeyRow {
    pub kid: String,
    pub alg: String,
    pub private_key: Vec<u8>,
    pub public_jwk: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

pub fn insert_signing_key(conn: &mut AnyConnection, key: &SigningKeyRow) -> Result<(), StoreError> {
    diesel::insert_into(t::table).values(key).execute(conn)?;
    Ok(())
}

/// Keys not yet retired, newest first (the first one signs).
pub fn list_active_signing_keys(
    conn: &mut AnyConnection,
) -> Result<Vec<SigningKeyRow>, StoreError> {
    Ok(t::table
        .filter(t::retired_at.is_null())
        .order((t::created_at.desc(), t::kid.asc()))
        .select(SigningKeyRow::as_select())
        .load(conn)?)
}

/// Retires every unretired key except the `keep` newest.
pub fn retire_all_but_newest(
    conn: &mut AnyConnection,
    keep: usize,
    now: i64,
) -> Result<usize, StoreError> {
    let active = list_active_signing_keys(conn)?;
    let mut retired = 0;
    for key in active.iter().skip(keep) {
        retired += diesel::update(t::table.find(&key.kid))
            .set(t::retired_at.eq(now))
            .execute(conn)?;
    }
    Ok(retired)
}
