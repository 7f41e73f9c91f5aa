//! The `clients` and `client_redirect_uris` tables.

use diesel::prelude::*;

use super::schema::{client_redirect_uris, clients};
use super::{AnyConnection, StoreError, conflict_on_unique};
use crate::domain::client::{Client, GrantType};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = clients)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub secret_hash: Option<String>,
    pub is_public: bool,
    pub allow_implicit: bool,
    pub is_management: bool,
    pub mfa_policy: String,
    pub grant_types: String,
    pub created_at: i64,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = client_redirect_uris)]
pub struct RedirectUriRow {
    pub client_id: String,
    pub kind: String,
    pub uri: String,
}

const LOGIN: &str = "login";
const POST_LOGOUT: &str = "post_logout";

/// Inserts a client with its redirect URIs in one transaction.
pub fn insert_client(
    conn: &mut AnyConnection,
    client: &Client,
    created_at: i64,
) -> Result<(), StoreError> {
    let row = ClientRow {
        id: client.id.clone(),
        name: client.name.clone(),
        secret_hash: client.secret_hash.clone(),
        is_public: client.is_public,
        allow_implicit: client.allow_implicit,
        is_management: client.is_management,
        mfa_policy: client.mfa_policy.as_str().to_owned(),
        grant_types: client
            .grant_types
            .iter()
            .map(|g| g.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        created_at,
    };
    let uris: Vec<RedirectUriRow> = client
        .redirect_uris
        .iter()
        .map(|u| (LOGIN, u))
        .chain(
            client
                .post_logout_redirect_uris
                .iter()
                .map(|u| (POST_LOGOUT, u)),
        )
        .map(|(kind, uri)| RedirectUriRow {
            client_id: client.id.clone(),
            kind: kind.to_owned(),
            uri: uri.clone(),
        })
        .collect();
    conn.transaction(|conn| {
        diesel::insert_into(clients::table)
            .values(&row)
            .execute(conn)
            .map_err(conflict_on_unique("client id already exists"))?;
        for uri in &uris {
            diesel::insert_into(client_redirect_uris::table)
                .values(uri)
                .execute(conn)
                .map_err(conflict_on_unique("redirect URI listed twice"))?;
        }
        Ok(())
    })
}

/// Loads a client with its redirect URIs.
pub fn find_client(conn: &mut AnyConnection, id: &str) -> Result<Option<Client>, StoreError> {
    let Some(row) = clients::table
        .find(id)
        .select(ClientRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let uris: Vec<RedirectUriRow> = client_redirect_uris::table
        .filter(client_redirect_uris::client_id.eq(id))
        .select(RedirectUriRow::as_select())
        .load(conn)?;
    let pick = |kind: &str| {
        uris.iter()
            .filter(|u| u.kind == kind)
            .map(|u| u.uri.clone())
            .collect()
    };
    let grant_types = row
        .grant_types
        .split_whitespace()
        .map(|g| g.parse::<GrantType>().map_err(StoreError::Corrupt))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Client {
        mfa_policy: row.mfa_policy.parse().map_err(StoreError::Corrupt)?,
        redirect_uris: pick(LOGIN),
        post_logout_redirect_uris: pick(POST_LOGOUT),
        grant_types,
        id: row.id,
        name: row.name,
        secret_hash: row.secret_hash,
        is_public: row.is_public,
        allow_implicit: row.allow_implicit,
        is_management: row.is_management,
    }))
}

/// Makes sure a built-in client exists with exactly `redirect_uri` as its redirect URI (the
/// public URL may change between starts).
pub fn ensure_builtin_client(
    conn: &mut AnyConnection,
    client: &Client,
    now: i64,
) -> Result<(), StoreError> {
    conn.transaction(|conn| {
        if find_client(conn, &client.id)?.is_none() {
            insert_client(conn, client, now)?;
            return Ok(());
        }
        diesel::delete(
            client_redirect_uris::table
                .filter(client_redirect_uris::client_id.eq(&client.id))
                .filter(client_redirect_uris::kind.eq(LOGIN)),
        )
        .execute(conn)?;
        for uri in &client.redirect_uris {
            diesel::insert_into(client_redirect_uris::table)
                .values(RedirectUriRow {
                    client_id: client.id.clone(),
                    kind: LOGIN.to_owned(),
                    uri: uri.clone(),
                })
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Registered applications, not counting the built-in ones (ids starting with `gatehouse-`).
pub fn count_clients(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(clients::table
        .filter(clients::id.not_like("gatehouse-%"))
        .count()
        .get_result(conn)?)
}
