//! The `users` table.

use diesel::prelude::*;

use super::schema::users;
use super::{AnyConnection, StoreError, conflict_on_unique};
use crate::domain::user::User;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub email_verified: bool,
    pub name: Option<String>,
    pub password_hash: Option<String>,
    pub is_admin: bool,
    pub disabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub phone_number: Option<String>,
    pub phone_verified: bool,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> User {
        User {
            id: r.id,
            email: r.email,
            email_verified: r.email_verified,
            name: r.name,
            password_hash: r.password_hash,
            is_admin: r.is_admin,
            disabled: r.disabled,
            created_at: r.created_at,
            updated_at: r.updated_at,
            phone_number: r.phone_number,
            phone_verified: r.phone_verified,
        }
    }
}

impl From<&User> for UserRow {
    fn from(u: &User) -> UserRow {
        UserRow {
            id: u.id.clone(),
            email: u.email.clone(),
            email_verified: u.email_verified,
            name: u.name.clone(),
            password_hash: u.password_hash.clone(),
            is_admin: u.is_admin,
            disabled: u.disabled,
            created_at: u.created_at,
            updated_at: u.updated_at,
            phone_number: u.phone_number.clone(),
            phone_verified: u.phone_verified,
        }
    }
}

/// Inserts a user; an email already taken is a [`StoreError::Conflict`].
pub fn insert_user(conn: &mut AnyConnection, user: &User) -> Result<(), StoreError> {
    diesel::insert_into(users::table)
        .values(UserRow::from(user))
        .execute(conn)
        .map_err(conflict_on_unique("email already registered"))?;
    Ok(())
}

pub fn find_user(conn: &mut AnyConnection, id: &str) -> Result<Option<User>, StoreError> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::from))
}

/// Looks a user up by (already normalised) email.
pub fn find_user_by_email(
    conn: &mut AnyConnection,
    email: &str,
) -> Result<Option<User>, StoreError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::from))
}

pub fn count_admins(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(users::table
        .filter(users::is_admin.eq(true))
        .count()
        .get_result(conn)?)
}
