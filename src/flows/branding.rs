//! Applications' branding as pages and messages read it, cached beside the applications
//! ([`super::clients`]): the same lifetime, and forgotten with them on every change made here
//! ([`super::clients::changed`]), so a saved logo or colour shows on the next page.
//!
//! Only what pages need is cached (names, colour, links, the logo's hash); the logo's bytes
//! are read when the logo is served, which browsers then keep for a year (its URL changes
//! with its content).
//!
//! May use domain and store; never actix or askama.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use super::AppState;
use crate::domain::branding::{Branding, BrandingChange, LogoRef};
use crate::store::{self, StoreError};

/// At most this many applications' branding is kept; more empties the cache.
const CAPACITY: usize = 1024;

/// The cache, kept in [`super::clients::ClientCache`].
#[derive(Default)]
pub struct BrandingCache {
    /// `None`: the application has no branding (also worth remembering).
    entries: RwLock<HashMap<String, (Option<Branding>, Instant)>>,
    /// Moves on every change: a read that started before a change does not store what it read.
    generation: AtomicU64,
}

impl BrandingCache {
    fn get(&self, client_id: &str) -> Option<Option<Branding>> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries
            .get(client_id)
            .filter(|(_, loaded)| loaded.elapsed() < super::clients::TTL)
            .map(|(branding, _)| branding.clone())
    }

    fn put(&self, generation: u64, client_id: &str, branding: &Option<Branding>) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if self.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(client_id.to_owned(), (branding.clone(), Instant::now()));
    }

    pub(super) fn forget_all(&self) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        entries.clear();
    }
}

/// The branding of application `client_id`; `None` when it has none (or nothing set).
pub async fn find(state: &AppState, client_id: &str) -> Result<Option<Branding>, StoreError> {
    let cache = &state.clients.branding;
    if let Some(branding) = cache.get(client_id) {
        return Ok(branding);
    }
    let generation = cache.generation.load(Ordering::SeqCst);
    let id = client_id.to_owned();
    let found = state
        .store
        .run(move |c| store::branding::find_branding(c, &id))
        .await?
        .filter(|b| !b.is_empty());
    cache.put(generation, client_id, &found);
    Ok(found)
}

/// Stores the branding of `client_id` and forgets what was cached.
pub async fn save(
    state: &AppState,
    client_id: &str,
    change: BrandingChange,
) -> Result<(), StoreError> {
    let (id, now) = (client_id.to_owned(), state.now());
    let saved = state
        .store
        .run(move |c| store::branding::save_branding(c, &id, &change, now))
        .await;
    super::clients::changed(state);
    saved
}

/// The path of a logo (its content hash in the name, so it can be cached for good).
pub fn logo_path(client_id: &str, logo: &LogoRef) -> String {
    format!(
        "/branding/{}/logo-{}.{}",
        url::form_urlencoded::byte_serialize(client_id.as_bytes()).collect::<String>(),
        logo.sha256,
        logo.kind.extension()
    )
}

/// Who a message is from: the application's name as users see it, and its logo as an
/// absolute URL for HTML mail (mail is read far from our pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub name: String,
    pub logo_url: Option<String>,
}

impl Sender {
    /// Gatehouse itself (the account pages, no application): the installation's name.
    pub fn installation(state: &AppState) -> Sender {
        Sender {
            name: state.live().config.totp_issuer.clone(),
            logo_url: None,
        }
    }
}

/// The sender of messages about a sign-in to application `client_id` (or the installation's
/// when there is none, or it is unknown).
pub async fn sender(state: &AppState, client_id: Option<&str>) -> Result<Sender, StoreError> {
    let Some(id) = client_id else {
        return Ok(Sender::installation(state));
    };
    let Some(client) = super::clients::find(state, id).await? else {
        return Ok(Sender::installation(state));
    };
    let branding = find(state, id).await?.unwrap_or_default();
    Ok(Sender {
        name: branding.name_or(&client.name).to_owned(),
        logo_url: branding
            .logo
            .as_ref()
            .map(|logo| state.url(&logo_path(id, logo))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::branding::LogoKind;

    #[test]
    fn a_change_forgets_cached_branding_and_what_was_being_read() {
        let cache = BrandingCache::default();
        let named = |name: &str| {
            Some(Branding {
                display_name: Some(name.into()),
                ..Branding::default()
            })
        };
        let before = cache.generation.load(Ordering::SeqCst);
        cache.put(before, "a", &named("A"));
        cache.put(before, "b", &None);
        assert_eq!(cache.get("a"), Some(named("A")));
        assert_eq!(cache.get("b"), Some(None), "no branding is remembered too");
        cache.forget_all();
        assert_eq!(cache.get("a"), None);
        cache.put(before, "a", &named("stale"));
        assert_eq!(cache.get("a"), None);
    }

    #[test]
    fn logo_paths_name_the_content_and_escape_the_client_id() {
        let logo = LogoRef {
            kind: LogoKind::Svg,
            sha256: "ab".repeat(32),
        };
        assert_eq!(
            logo_path("shop/1", &logo),
            format!("/branding/shop%2F1/logo-{}.svg", "ab".repeat(32))
        );
    }
}
