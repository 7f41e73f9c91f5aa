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

/// Replaces the password hash of a user.
pub fn update_password(
    conn: &mut AnyConnection,
    id: &str,
    password_hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    let n = diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(password_hash),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// Marks a user's email as confirmed; false when the user no longer exists.
pub fn update_email_verified(
    conn: &mut AnyConnection,
    id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(users::table.find(id))
        .set((users::email_verified.eq(true), users::updated_at.eq(now)))
        .execute(conn)?;
    Ok(n == 1)
}

/// Deletes a user; everything that belongs to the account goes with it (ON DELETE CASCADE).
pub fn delete_user(conn: &mut AnyConnection, id: &str) -> Result<bool, StoreError> {
    Ok(diesel::delete(users::table.find(id)).execute(conn)? == 1)
}

/// Replaces an abandoned self-registration: deletes `old_id` if its email is still unconfirmed
/// and it was created at or before `created_by`, then inserts `user` (same email) in its place.
/// False, and nothing changed, when the old account was confirmed (or replaced) meanwhile.
pub fn replace_unverified_user(
    conn: &mut AnyConnection,
    old_id: &str,
    created_by: i64,
    user: &User,
) -> Result<bool, StoreError> {
    super::write_transaction(conn, |conn| {
        let deleted = diesel::delete(
            users::table
                .find(old_id)
                .filter(users::email_verified.eq(false))
                .filter(users::created_at.le(created_by)),
        )
        .execute(conn)?;
        if deleted != 1 {
            return Ok(false);
        }
        insert_user(conn, user)?;
        Ok(true)
    })
}

/// Deletes self-registered accounts whose email was never confirmed and that were created
/// before `created_before` (only sign-up creates unconfirmed accounts); how many went.
pub fn delete_unconfirmed_before(
    conn: &mut AnyConnection,
    created_before: i64,
) -> Result<usize, StoreError> {
    Ok(diesel::delete(
        users::table
            .filter(users::email_verified.eq(false))
            .filter(users::created_at.lt(created_before)),
    )
    .execute(conn)?)
}

pub fn count_users(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(users::table.count().get_result(conn)?)
}

/// Which users a list shows (the admin's user list).
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// A piece of the email or name, compared case-insensitively.
    pub text: Option<String>,
    /// Only users with a locked authenticator or code channel at this time.
    pub locked_at: Option<i64>,
    /// Only disabled accounts.
    pub disabled_only: bool,
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>);

/// `%text%` for LIKE, with the wildcards and the escape character of `text` escaped.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

fn filtered<'a>(
    conn: &mut AnyConnection,
    filter: &UserFilter,
) -> Result<users::BoxedQuery<'a, Backend>, StoreError> {
    let mut query = users::table.into_boxed();
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let pattern = like_pattern(text);
        query = query.filter(
            lower(users::email.nullable())
                .like(pattern.clone())
                .escape('\\')
                .or(lower(users::name).like(pattern).escape('\\')),
        );
    }
    if let Some(now) = filter.locked_at {
        let ids = super::authenticators::locked_user_ids(conn, now)?
            .into_iter()
            .chain(super::code_lockouts::locked_user_ids(conn, now)?)
            .collect::<std::collections::BTreeSet<_>>();
        query = query.filter(users::id.eq_any(ids.into_iter().collect::<Vec<_>>()));
    }
    if filter.disabled_only {
        query = query.filter(users::disabled.eq(true));
    }
    Ok(query)
}

/// One page of the users `filter` selects, by email.
pub fn list_users(
    conn: &mut AnyConnection,
    filter: &UserFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<User>, StoreError> {
    Ok(filtered(conn, filter)?
        .order((users::email.asc(), users::id.asc()))
        .limit(limit)
        .offset(offset)
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(User::from)
        .collect())
}

/// How many users `filter` selects.
pub fn count_matching_users(
    conn: &mut AnyConnection,
    filter: &UserFilter,
) -> Result<i64, StoreError> {
    Ok(filtered(conn, filter)?.count().get_result(conn)?)
}

/// Disables or enables an account; false when the user does not exist.
pub fn update_disabled(
    conn: &mut AnyConnection,
    id: &str,
    disabled: bool,
    now: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(users::table.find(id))
        .set((users::disabled.eq(disabled), users::updated_at.eq(now)))
        .execute(conn)?;
    Ok(n == 1)
}

/// Gives or takes the admin role; false when the user does not exist.
pub fn update_admin(
    conn: &mut AnyConnection,
    id: &str,
    is_admin: bool,
    now: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(users::table.find(id))
        .set((users::is_admin.eq(is_admin), users::updated_at.eq(now)))
        .execute(conn)?;
    Ok(n == 1)
}

/// Sets (or with `None` clears) the display name; false when the user no longer exists.
pub fn update_name(
    conn: &mut AnyConnection,
    id: &str,
    name: Option<&str>,
    now: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(users::table.find(id))
        .set((users::name.eq(name), users::updated_at.eq(now)))
        .execute(conn)?;
    Ok(n == 1)
}

/// Replaces the email with a confirmed one; an address another account has is a
/// [`StoreError::Conflict`]. False when the user no longer exists.
pub fn update_email(
    conn: &mut AnyConnection,
    id: &str,
    email: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(users::table.find(id))
        .set((
            users::email.eq(email),
            users::email_verified.eq(true),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(conflict_on_unique("email already registered"))?;
    Ok(n == 1)
}

/// Sets a confirmed phone number for SMS codes, or with `None` removes it. False when the user
/// no longer exists.
pub fn update_phone(
    conn: &mut AnyConnection,
    id: &str,
    phone: Option<&str>,
    now: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(users::table.find(id))
        .set((
            users::phone_number.eq(phone),
            users::phone_verified.eq(phone.is_some()),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}
