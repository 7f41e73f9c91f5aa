//! The registered applications as the sign-in flows read them, through a small cache.
//!
//! One browser sign-in reads its application five times (authorize, login page, the password's
//! policy twice, the token request), each time two queries and a hand-off to the blocking
//! pool. Applications change rarely (the admin pages), so a found application is kept for
//! [`TTL`]: this instance forgets it at once when its admin pages change it ([`changed`]);
//! another instance serving the same database sees the change within [`TTL`] — the same bound
//! as for settings saved elsewhere ([`crate::settings::RELOAD_EVERY`]). Unknown ids are never
//! cached, so an application created by the CLI or another instance is found at once.
//!
//! May use domain and store; never actix or askama.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::AppState;
use crate::domain::client::Client;
use crate::store::{self, StoreError};

/// How long a found application is used without reading it again.
pub const TTL: Duration = crate::settings::RELOAD_EVERY;

/// At most this many applications are kept; more empties the cache.
const CAPACITY: usize = 1024;

/// The cache in [`AppState`]; see the module documentation.
#[derive(Default)]
pub struct ClientCache {
    entries: RwLock<HashMap<String, Entry>>,
    /// Moves on every change: a read that started before a change does not store what it read.
    generation: AtomicU64,
    /// The applications' branding, forgotten with them ([`super::branding`]).
    pub(super) branding: super::branding::BrandingCache,
}

struct Entry {
    client: Client,
    loaded: Instant,
}

impl ClientCache {
    fn get(&self, id: &str) -> Option<Client> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries
            .get(id)
            .filter(|e| e.loaded.elapsed() < TTL)
            .map(|e| e.client.clone())
    }

    fn put(&self, generation: u64, client: &Client) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        // Checked under the lock that `forget_all` takes too.
        if self.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            client.id.clone(),
            Entry {
                client: client.clone(),
                loaded: Instant::now(),
            },
        );
    }

    fn forget_all(&self) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        entries.clear();
        self.branding.forget_all();
    }
}

/// The application `id`, or `None` when there is none.
pub async fn find(state: &AppState, id: &str) -> Result<Option<Client>, StoreError> {
    if let Some(client) = state.clients.get(id) {
        return Ok(Some(client));
    }
    let generation = state.clients.generation.load(Ordering::SeqCst);
    let lookup = id.to_owned();
    let found = state
        .store
        .run(move |c| store::clients::find_client(c, &lookup))
        .await?;
    if let Some(client) = &found {
        state.clients.put(generation, client);
    }
    Ok(found)
}

/// An application (or its branding) was created, changed or deleted here: read every one afresh.
pub fn changed(state: &AppState) {
    state.clients.forget_all();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::client::{ALL_METHODS, GrantType, MfaPolicy};

    fn client(id: &str, name: &str) -> Client {
        Client {
            id: id.into(),
            name: name.into(),
            secret_hash: None,
            is_public: true,
            allow_implicit: false,
            is_management: false,
            mfa_policy: MfaPolicy::Optional,
            grant_types: vec![GrantType::AuthorizationCode],
            redirect_uris: vec![],
            post_logout_redirect_uris: vec![],
            login_ui_origins: vec![],
            may_request_approvals: false,
            allowed_methods: ALL_METHODS.to_vec(),
            lifetimes: Default::default(),
        }
    }

    #[test]
    fn a_change_forgets_what_was_cached_and_what_was_being_read() {
        let cache = ClientCache::default();
        let before = cache.generation.load(Ordering::SeqCst);
        cache.put(before, &client("a", "A"));
        assert_eq!(cache.get("a").map(|c| c.name), Some("A".into()));
        cache.forget_all();
        assert!(cache.get("a").is_none());
        // A read that began before the change comes back after it: not kept.
        cache.put(before, &client("a", "stale"));
        assert!(cache.get("a").is_none());
        let now = cache.generation.load(Ordering::SeqCst);
        cache.put(now, &client("a", "B"));
        assert_eq!(cache.get("a").map(|c| c.name), Some("B".into()));
    }
}
