//! actix-session's `SessionStore` over our `sessions` table (through the store layer).
//! Expired rows are never loaded and are deleted by the periodic cleanup in `app.rs`.
//!
//! Besides the entries, a row keeps what the account and admin pages show about a session:
//! when it was last used (written at most once a [`LAST_SEEN_INTERVAL`], never on every
//! request) and the browser (User-Agent, IP address) that signed in to it.

use std::collections::HashMap;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::HttpRequest;
use actix_web::cookie::time::Duration;
use actix_web::http::header;

use crate::clock::Clock;
use crate::domain::ids::hash_secret;
use crate::domain::user_agent;
use crate::store::sessions::{SessionDevice, SessionRecord};
use crate::store::{self, Store};
use crate::web::audit::client_ip;

/// The session entry holding the signed-in user's id (a JSON string, as actix-session stores it).
pub const USER_KEY: &str = "uid";

/// The entry through which a request learns which `sessions` row it was loaded from (the
/// SHA-256 of its session key): added when the session is loaded, never stored, so that "sign
/// out my other sessions" can keep this one. The session key itself stays in the cookie.
pub const ROW_KEY: &str = "_row";

/// The `sessions` row (its `id_hash`) the request's session was loaded from; `None` for a
/// session that is not stored yet.
pub fn current_row(session: &actix_session::Session) -> Option<String> {
    session.get::<String>(ROW_KEY).ok().flatten()
}

/// Entries that carry the signing-in browser's User-Agent and IP address to the store, which
/// keeps them in their own columns of the row (not among the entries).
const USER_AGENT_KEY: &str = "_ua";
const IP_KEY: &str = "_ip";

/// How often (seconds) a session's `last_seen_at` is written at most: fine enough for "last
/// seen", and a session used many times a minute costs one write a minute, not one a request.
pub const LAST_SEEN_INTERVAL: i64 = 60;

/// Records the browser of `req` (User-Agent, the client IP the audit log records) with the
/// session; called when a login starts, so the row shows which device signed in.
pub fn remember_device(
    session: &actix_session::Session,
    req: &HttpRequest,
) -> Result<(), actix_session::SessionInsertError> {
    let agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .and_then(user_agent::for_storage);
    session.insert(USER_AGENT_KEY, agent)?;
    session.insert(IP_KEY, client_ip(req))?;
    Ok(())
}

/// The browser recorded by [`remember_device`] in this save, if any.
fn device(state: &HashMap<String, String>) -> Option<SessionDevice> {
    let entry = |key: &str| {
        state
            .get(key)
            .and_then(|v| serde_json::from_str::<Option<String>>(v).ok())
    };
    match (entry(USER_AGENT_KEY), entry(IP_KEY)) {
        (None, None) => None,
        (user_agent, ip) => Some(SessionDevice {
            user_agent: user_agent.flatten(),
            ip: ip.flatten(),
        }),
    }
}

/// Entries that are never stored among the session's entries.
fn is_transient(key: &str) -> bool {
    [ROW_KEY, USER_AGENT_KEY, IP_KEY].contains(&key)
}

#[derive(Clone)]
pub struct DbSessionStore {
    store: Store,
    clock: Clock,
}

impl DbSessionStore {
    pub fn new(store: Store, clock: Clock) -> Self {
        DbSessionStore { store, clock }
    }

    fn record(
        &self,
        state: &HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionRecord, anyhow::Error> {
        let user_id = state
            .get(USER_KEY)
            .and_then(|v| serde_json::from_str::<String>(v).ok());
        let stored: HashMap<&String, &String> =
            state.iter().filter(|(k, _)| !is_transient(k)).collect();
        Ok(SessionRecord {
            user_id,
            state: serde_json::to_string(&stored)?,
            expires_at: self.clock.now() + ttl.whole_seconds(),
            device: device(state),
        })
    }
}

fn new_key() -> Result<SessionKey, anyhow::Error> {
    Ok(SessionKey::try_from(crate::crypto::random_token(32))?)
}

/// The id pages name a session by. Separate from `id_hash` (the SHA-256 of the cookie's key,
/// which cannot be turned back into the cookie): the lookup key then never appears in HTML,
/// form actions or logs, and costs only a column. 12 random bytes cannot be guessed.
fn new_public_id() -> String {
    crate::crypto::random_token(12)
}

impl SessionStore for DbSessionStore {
    async fn load(
        &self,
        session_key: &SessionKey,
    ) -> Result<Option<HashMap<String, String>>, LoadError> {
        let id_hash = hash_secret(session_key.as_ref());
        let now = self.clock.now();
        let lookup = id_hash.clone();
        let state = self
            .store
            .run(move |c| {
                let found = store::sessions::find_live_session(c, &lookup, now)?;
                let stale = found.as_ref().is_some_and(|s| {
                    s.last_seen_at
                        .is_none_or(|seen| seen < now - LAST_SEEN_INTERVAL)
                });
                if stale
                    && let Err(e) =
                        store::sessions::touch_session(c, &lookup, now, LAST_SEEN_INTERVAL)
                {
                    // "Last seen" is a hint for people: a failed write must not fail the request.
                    tracing::warn!(error = %e, "could not update a session's last seen time");
                }
                Ok(found.map(|s| s.state))
            })
            .await
            .map_err(|e| LoadError::Other(e.into()))?;
        let Some(state) = state else {
            return Ok(None);
        };
        let mut entries: HashMap<String, String> =
            serde_json::from_str(&state).map_err(|e| LoadError::Deserialization(e.into()))?;
        let row = serde_json::to_string(&id_hash).map_err(|e| LoadError::Other(e.into()))?;
        entries.insert(ROW_KEY.to_owned(), row);
        Ok(Some(entries))
    }

    async fn save(
        &self,
        session_state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, SaveError> {
        let record = self
            .record(&session_state, ttl)
            .map_err(SaveError::Serialization)?;
        let key = new_key().map_err(SaveError::Other)?;
        let id_hash = hash_secret(key.as_ref());
        let public_id = new_public_id();
        let now = self.clock.now();
        self.store
            .run(move |c| store::sessions::insert_session(c, &id_hash, &public_id, &record, now))
            .await
            .map_err(|e| SaveError::Other(e.into()))?;
        Ok(key)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let record = self
            .record(&session_state, ttl)
            .map_err(UpdateError::Serialization)?;
        let id_hash = hash_secret(session_key.as_ref());
        let now = self.clock.now();
        let updated = self
            .store
            .run(move |c| store::sessions::update_session(c, &id_hash, &record, now))
            .await
            .map_err(|e| UpdateError::Other(e.into()))?;
        if updated {
            Ok(session_key)
        } else {
            // The row expired or was deleted meanwhile (e.g. signed out elsewhere): start afresh.
            self.save(session_state, ttl)
                .await
                .map_err(|e| UpdateError::Other(anyhow::anyhow!("{e}")))
        }
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl: &Duration,
    ) -> Result<(), anyhow::Error> {
        let id_hash = hash_secret(session_key.as_ref());
        let expires_at = self.clock.now() + ttl.whole_seconds();
        self.store
            .run(move |c| store::sessions::update_session_expiry(c, &id_hash, expires_at))
            .await?;
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        let id_hash = hash_secret(session_key.as_ref());
        self.store
            .run(move |c| store::sessions::delete_session(c, &id_hash))
            .await?;
        Ok(())
    }
}
