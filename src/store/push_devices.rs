//! The `push_devices` table: devices a user registered to receive codes by push.

use diesel::prelude::*;

use super::schema::push_devices as t;
use super::{AnyConnection, StoreError};

/// A registered device; the push token is sealed with the at-rest key.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = t)]
pub struct PushDevice {
    pub id: String,
    pub user_id: String,
    pub label: String,
    pub sealed_token: Vec<u8>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

pub fn insert_device(conn: &mut AnyConnection, device: &PushDevice) -> Result<(), StoreError> {
    diesel::insert_into(t::table)
        .values(device.clone())
        .execute(conn)?;
    Ok(())
}

pub fn list_user_devices(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<Vec<PushDevice>, StoreError> {
    Ok(t::table
        .filter(t::user_id.eq(user_id))
        .order((t::created_at.asc(), t::id.asc()))
        .select(PushDevice::as_select())
        .load(conn)?)
}

pub fn find_device(conn: &mut AnyConnection, id: &str) -> Result<Option<PushDevice>, StoreError> {
    Ok(t::table
        .find(id)
        .select(PushDevice::as_select())
        .first(conn)
        .optional()?)
}

pub fn count_user_devices(conn: &mut AnyConnection, user_id: &str) -> Result<i64, StoreError> {
    Ok(t::table
        .filter(t::user_id.eq(user_id))
        .count()
        .get_result(conn)?)
}

/// Removes one of the user's devices; false when it is not theirs.
pub fn delete_device(
    conn: &mut AnyConnection,
    id: &str,
    user_id: &str,
) -> Result<bool, StoreError> {
    let n = diesel::delete(t::table.find(id).filter(t::user_id.eq(user_id))).execute(conn)?;
    Ok(n == 1)
}

/// Renames one of the user's devices; false when it is not theirs.
pub fn rename_device(
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

pub fn touch_device(conn: &mut AnyConnection, id: &str, now: i64) -> Result<(), StoreError> {
    diesel::update(t::table.find(id))
        .set(t::last_used_at.eq(now))
        .execute(conn)?;
    Ok(())
}
