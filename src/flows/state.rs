//! Everything a handler needs, shared by every worker. No globals: tests run many apps at once.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::jwt::KeyRing;
use crate::crypto::password::PasswordHashing;
use crate::crypto::seal::Sealer;
use crate::domain::oauth::Lifetimes;
use crate::settings::{Live, LiveSettings};
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub clock: Clock,
    pub keys: KeyRing,
    pub hashing: PasswordHashing,
    pub sealer: Sealer,
    /// The issuer identifier: the public URL without a trailing slash.
    pub issuer: Arc<str>,
    pub lifetimes: Lifetimes,
    /// The settings admins can change at run time (connectors, code and TOTP rules…): read them
    /// through [`AppState::live`], never from `config`.
    pub settings: Arc<LiveSettings>,
    /// Operator-supplied message templates (`message_dir`).
    pub message_overrides: Arc<crate::channels::messages::Overrides>,
    /// Key for CSRF tokens (HMAC over the browser cookie).
    pub csrf_key: Arc<[u8; 32]>,
    /// Key for the keyed hashes of backup codes (a leaked table alone cannot be brute-forced).
    pub code_key: Arc<[u8; 32]>,
    /// Whether cookies get `Secure` and the `__Host-` prefix (public URL is https).
    pub secure_cookies: bool,
    /// Applications read lately ([`crate::flows::clients`]).
    pub clients: Arc<crate::flows::clients::ClientCache>,
    /// Requests just stored, for their login page ([`crate::flows::fresh_requests`]).
    pub fresh_requests: Arc<crate::flows::fresh_requests::FreshRequests>,
    /// The per-IP and per-name rate limiters and the trusted proxies ([`crate::flows::limits`]).
    pub limits: Arc<crate::flows::limits::RateLimits>,
    /// This application's Prometheus metrics (`/metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
}

impl AppState {
    /// An absolute URL under the public URL.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.issuer, path)
    }

    /// The settings in force now (they may change between two calls).
    pub fn live(&self) -> Arc<Live> {
        self.settings.current()
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// A cookie name with the `__Host-` prefix when cookies are secure (RFC 6265bis §4.1.3.2).
    pub fn cookie_name(&self, base: &str) -> String {
        if self.secure_cookies {
            format!("__Host-{base}")
        } else {
            base.to_owned()
        }
    }
}
