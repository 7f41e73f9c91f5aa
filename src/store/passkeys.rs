//! The `passkeys` and `passkey_ceremonies` tables. A ceremony is taken (deleted) once; a passkey's
//! signature counter moves only by a compare-and-set UPDATE, so a regressed or raced counter
//! never overwrites a newer one.

use diesel::prelude::*;

use super::schema::{passkey_ceremonies as c, passkeys as t, verifications as v};
use super::{AnyConnection, StoreError};
use crate::domain::passkey::{Ceremony, CeremonyKind, Passkey};
use crate::domain::verification::State;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = t)]
pub struct PasskeyRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub credential_id: String,
    pub credential: String,
    pub counter: i64,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl From<PasskeyRow> for Passkey {
    fn from(r: PasskeyRow) -> Passkey {
        Passkey {
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            credential_id: r.credential_id,
            credential: r.credential,
            counter: r.counter,
            backup_eligible: r.backup_eligible,
            backup_state: r.backup_state,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        }
    }
}

pub fn insert_passkey(conn: &mut AnyConnection, p: &Passkey) -> Result<(), StoreError> {
    let row = PasskeyRow {
        id: p.id.clone(),
        user_id: p.user_id.clone(),
        name: p.name.clone(),
        credential_id: p.credential_id.clone(),
        credential: p.credential.clone(),
        counter: p.counter,
        backup_eligible: p.backup_eligible,
        backup_state: p.backup_state,
        created_at: p.created_at,
        last_used_at: p.last_used_at,
    };
    match diesel::insert_into(t::table).values(row).execute(conn) {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(StoreError::Conflict("passkey already registered")),
        other => other.map(|_| ()).map_err(StoreError::from),
    }
}

pub fn list_user_passkeys(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<Vec<Passkey>, StoreError> {
    Ok(t::table
        .filter(t::user_id.eq(user_id))
        .order((t::created_at.asc(), t::id.asc()))
        .select(PasskeyRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Passkey::from)
        .collect())
}

pub fn count_user_passkeys(conn: &mut AnyConnection, user_id: &str) -> Result<i64, StoreError> {
    Ok(t::table
        .filter(t::user_id.eq(user_id))
        .count()
        .get_result(conn)?)
}

pub fn find_by_credential_id(
    conn: &mut AnyConnection,
    credential_id: &str,
) -> Result<Option<Passkey>, StoreError> {
    Ok(t::table
        .filter(t::credential_id.eq(credential_id))
        .select(PasskeyRow::as_select())
        .first(conn)
        .optional()?
        .map(Passkey::from))
}

/// Records a use: the new counter, credential JSON and backup state, only if the counter is
/// still `expected_counter` (compare-and-set). False when another use got there first.
pub fn record_use(
    conn: &mut AnyConnection,
    p: &Passkey,
    expected_counter: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(t::table.find(&p.id).filter(t::counter.eq(expected_counter)))
        .set((
            t::counter.eq(p.counter),
            t::credential.eq(&p.credential),
            t::backup_state.eq(p.backup_state),
            t::last_used_at.eq(p.last_used_at),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Renames one of `user_id`'s passkeys; false when they have none by that id.
pub fn rename_passkey(
    conn: &mut AnyConnection,
    user_id: &str,
    id: &str,
    name: &str,
) -> Result<bool, StoreError> {
    let n = diesel::update(t::table.find(id).filter(t::user_id.eq(user_id)))
        .set(t::name.eq(name))
        .execute(conn)?;
    Ok(n == 1)
}

/// Removes one of `user_id`'s passkeys; false when they have none by that id.
pub fn delete_passkey(
    conn: &mut AnyConnection,
    user_id: &str,
    id: &str,
) -> Result<bool, StoreError> {
    let n = diesel::delete(t::table.find(id).filter(t::user_id.eq(user_id))).execute(conn)?;
    Ok(n == 1)
}

/// Sets the signature counter as stored (for an administrator's repair and for tests of a
/// cloned authenticator).
pub fn set_counter(conn: &mut AnyConnection, id: &str, counter: i64) -> Result<bool, StoreError> {
    let n = diesel::update(t::table.find(id))
        .set(t::counter.eq(counter))
        .execute(conn)?;
    Ok(n == 1)
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = c)]
struct CeremonyRow {
    id: String,
    user_id: Option<String>,
    kind: String,
    state: String,
    expires_at: i64,
}

pub fn insert_ceremony(conn: &mut AnyConnection, ceremony: &Ceremony) -> Result<(), StoreError> {
    let row = CeremonyRow {
        id: ceremony.id.clone(),
        user_id: ceremony.user_id.clone(),
        kind: ceremony.kind.as_str().to_owned(),
        state: ceremony.state.clone(),
        expires_at: ceremony.expires_at,
    };
    diesel::insert_into(c::table).values(row).execute(conn)?;
    Ok(())
}

/// Takes the live ceremony `id` of `kind`: reads and deletes it in one transaction, so only one
/// caller gets it. `None` when it is unknown, used, expired or of another kind.
pub fn take_ceremony(
    conn: &mut AnyConnection,
    id: &str,
    kind: CeremonyKind,
    now: i64,
) -> Result<Option<Ceremony>, StoreError> {
    conn.transaction(|conn| {
        let Some(row) = c::table
            .find(id)
            .filter(c::kind.eq(kind.as_str()))
            .filter(c::expires_at.gt(now))
            .select(CeremonyRow::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(None);
        };
        let n = diesel::delete(c::table.find(id)).execute(conn)?;
        Ok((n == 1).then_some(Ceremony {
            id: row.id,
            user_id: row.user_id,
            kind,
            state: row.state,
            expires_at: row.expires_at,
        }))
    })
}

pub fn delete_expired_ceremonies(conn: &mut AnyConnection, now: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(c::table.filter(c::expires_at.lt(now))).execute(conn)?)
}

/// Like `verifications::advance` from initiated to verified, also recording what verified it in
/// `medium_id` (the passkey and whether the user was verified) and the user it proved (a
/// discoverable assertion names them). True for the one caller that made the step.
pub fn verify_exchange(
    conn: &mut AnyConnection,
    exchange_id: &str,
    new_exchange_id: &str,
    new_exchange_expires_at: i64,
    medium_id: &str,
    user_id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        v::table
            .filter(v::exchange_id.eq(exchange_id))
            .filter(v::state.eq(State::Initiated.as_str()))
            .filter(v::exchange_expires_at.gt(now)),
    )
    .set((
        v::state.eq(State::Verified.as_str()),
        v::exchange_id.eq(new_exchange_id),
        v::exchange_expires_at.eq(new_exchange_expires_at),
        v::medium_id.eq(medium_id),
        v::user_id.eq(user_id),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
