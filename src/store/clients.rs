//! The `clients` and `client_redirect_uris` tables.

use diesel::prelude::*;

use super::schema::{client_redirect_uris, clients};
use super::{AnyConnection, StoreError, conflict_on_unique};
use crate::domain::client::{
    BUILTIN_PREFIX, Client, ClientLifetimes, GrantType, methods_to_string,
};
use crate::domain::verification::Method;

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
    pub allowed_methods: String,
    pub access_token_ttl: Option<i64>,
    pub id_token_ttl: Option<i64>,
    pub refresh_token_ttl: Option<i64>,
    pub may_request_approvals: bool,
    pub login_ui_origins: String,
}

/// The settings columns of a client (all but its id, secret and creation time).
#[derive(AsChangeset)]
#[diesel(table_name = clients, treat_none_as_null = true)]
struct ClientChanges {
    name: String,
    is_public: bool,
    allow_implicit: bool,
    is_management: bool,
    mfa_policy: String,
    grant_types: String,
    allowed_methods: String,
    access_token_ttl: Option<i64>,
    id_token_ttl: Option<i64>,
    refresh_token_ttl: Option<i64>,
    may_request_approvals: bool,
    login_ui_origins: String,
}

impl ClientChanges {
    fn of(client: &Client) -> ClientChanges {
        ClientChanges {
            name: client.name.clone(),
            is_public: client.is_public,
            allow_implicit: client.allow_implicit,
            is_management: client.is_management,
            mfa_policy: client.mfa_policy.as_str().to_owned(),
            grant_types: grants_to_string(&client.grant_types),
            allowed_methods: methods_to_string(&client.allowed_methods),
            access_token_ttl: client.lifetimes.access_token,
            id_token_ttl: client.lifetimes.id_token,
            refresh_token_ttl: client.lifetimes.refresh_token,
            may_request_approvals: client.may_request_approvals,
            login_ui_origins: client.login_ui_origins.join(" "),
        }
    }
}

fn grants_to_string(grants: &[GrantType]) -> String {
    grants
        .iter()
        .map(|g| g.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A client in the admin list, with when it was registered.
pub struct ListedClient {
    pub client: Client,
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
    let changes = ClientChanges::of(client);
    let row = ClientRow {
        id: client.id.clone(),
        name: changes.name,
        secret_hash: client.secret_hash.clone(),
        is_public: changes.is_public,
        allow_implicit: changes.allow_implicit,
        is_management: changes.is_management,
        mfa_policy: changes.mfa_policy,
        grant_types: changes.grant_types,
        created_at,
        allowed_methods: changes.allowed_methods,
        access_token_ttl: changes.access_token_ttl,
        id_token_ttl: changes.id_token_ttl,
        refresh_token_ttl: changes.refresh_token_ttl,
        may_request_approvals: changes.may_request_approvals,
        login_ui_origins: changes.login_ui_origins,
    };
    conn.transaction(|conn| {
        diesel::insert_into(clients::table)
            .values(&row)
            .execute(conn)
            .map_err(conflict_on_unique("client id already exists"))?;
        insert_uris(conn, client)
    })
}

fn insert_uris(conn: &mut AnyConnection, client: &Client) -> Result<(), StoreError> {
    let uris = client
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
        });
    for uri in uris {
        diesel::insert_into(client_redirect_uris::table)
            .values(&uri)
            .execute(conn)
            .map_err(conflict_on_unique("redirect URI listed twice"))?;
    }
    Ok(())
}

/// Replaces the settings and redirect URIs of an existing client in one transaction, and its
/// secret hash too when `set_secret` (a change between public and confidential); never its id
/// or creation time. `false` when there is no such client.
pub fn update_client(
    conn: &mut AnyConnection,
    client: &Client,
    set_secret: bool,
) -> Result<bool, StoreError> {
    conn.transaction(|conn| {
        let updated = diesel::update(clients::table.find(&client.id))
            .set(ClientChanges::of(client))
            .execute(conn)?;
        if updated == 0 {
            return Ok(false);
        }
        if set_secret {
            set_client_secret(conn, &client.id, client.secret_hash.as_deref())?;
        }
        diesel::delete(
            client_redirect_uris::table.filter(client_redirect_uris::client_id.eq(&client.id)),
        )
        .execute(conn)?;
        insert_uris(conn, client)?;
        Ok(true)
    })
}

/// Sets the stored hash of a client's secret (`None` for a public client); `false` when there
/// is no such client. The previous secret stops working at once.
pub fn set_client_secret(
    conn: &mut AnyConnection,
    id: &str,
    secret_hash: Option<&str>,
) -> Result<bool, StoreError> {
    Ok(diesel::update(clients::table.find(id))
        .set(clients::secret_hash.eq(secret_hash))
        .execute(conn)?
        > 0)
}

/// Deletes a client. Its redirect URIs, pending logins, codes, access and refresh tokens go
/// with it (`ON DELETE CASCADE` in the foundation migration). `false` when there was none.
pub fn delete_client(conn: &mut AnyConnection, id: &str) -> Result<bool, StoreError> {
    Ok(diesel::delete(clients::table.find(id)).execute(conn)? > 0)
}

/// One page of the registered applications (not the built-in ones), newest first.
pub fn list_clients(
    conn: &mut AnyConnection,
    offset: i64,
    limit: i64,
) -> Result<Vec<ListedClient>, StoreError> {
    let rows: Vec<ClientRow> = clients::table
        .filter(clients::id.not_like(format!("{BUILTIN_PREFIX}%")))
        .order((clients::created_at.desc(), clients::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(ClientRow::as_select())
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let uris: Vec<RedirectUriRow> = if ids.is_empty() {
        Vec::new()
    } else {
        client_redirect_uris::table
            .filter(client_redirect_uris::client_id.eq_any(&ids))
            .order((
                client_redirect_uris::client_id,
                client_redirect_uris::kind,
                client_redirect_uris::uri,
            ))
            .select(RedirectUriRow::as_select())
            .load(conn)?
    };
    rows.into_iter()
        .map(|row| {
            let own: Vec<&RedirectUriRow> = uris.iter().filter(|u| u.client_id == row.id).collect();
            let created_at = row.created_at;
            Ok(ListedClient {
                client: to_client(row, &own)?,
                created_at,
            })
        })
        .collect()
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
        .order((client_redirect_uris::kind, client_redirect_uris::uri))
        .select(RedirectUriRow::as_select())
        .load(conn)?;
    let uris: Vec<&RedirectUriRow> = uris.iter().collect();
    Ok(Some(to_client(row, &uris)?))
}

fn to_client(row: ClientRow, uris: &[&RedirectUriRow]) -> Result<Client, StoreError> {
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
    let allowed_methods = row
        .allowed_methods
        .split_whitespace()
        .map(|m| m.parse::<Method>().map_err(StoreError::Corrupt))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Client {
        mfa_policy: row.mfa_policy.parse().map_err(StoreError::Corrupt)?,
        redirect_uris: pick(LOGIN),
        post_logout_redirect_uris: pick(POST_LOGOUT),
        login_ui_origins: row
            .login_ui_origins
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        grant_types,
        allowed_methods,
        lifetimes: ClientLifetimes {
            access_token: row.access_token_ttl,
            id_token: row.id_token_ttl,
            refresh_token: row.refresh_token_ttl,
        },
        id: row.id,
        name: row.name,
        secret_hash: row.secret_hash,
        is_public: row.is_public,
        allow_implicit: row.allow_implicit,
        is_management: row.is_management,
        may_request_approvals: row.may_request_approvals,
    })
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
        .filter(clients::id.not_like(format!("{BUILTIN_PREFIX}%")))
        .count()
        .get_result(conn)?)
}
