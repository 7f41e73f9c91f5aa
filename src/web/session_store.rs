//! actix-session's `SessionStore` over our `sessions` table (through the store layer).
//! Expired rows are never loaded and are deleted by the periodic cleanup in `app.rs`.

use std::collections::HashMap;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;

use crate::clock::Clock;
use crate::domain::ids::hash_secret;
use crate::store::{self, Store, sessions::SessionRecord};

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
        let stored: HashMap<&String, &String> = state
            .iter()
            .filter(|(k, _)| k.as_str() != ROW_KEY)
            .collect();
        Ok(SessionRecord {
            user_id,
            state: serde_json::to_string(&stored)?,
            expires_at: self.clock.now() + ttl.whole_seconds(),
        })
    }
}

fn new_key() -> Result<SessionKey, anyhow::Error> {
    Ok(SessionKey::try_from(crate::crypto::random_token(32))?)
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
            .run(move |c| store::sessions::find_live_session(c, &lookup, now))
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
        let now = self.clock.now();
        self.store
            .run(move |c| store::sessions::insert_session(c, &id_hash, &record, now))
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
