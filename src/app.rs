//! Builds the application: store and migrations, instance secrets, signing keys, password
//! hashing, then the HTTP server. The only module that knows every layer.

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use actix_session::SessionMiddleware;
use actix_session::config::PersistentSession;
use actix_web::cookie::{Key, SameSite};
use actix_web::http::StatusCode;
use actix_web::middleware::ErrorHandlers;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use tracing_actix_web::TracingLogger;

use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::jwt::{KeyRing, SigningKey, generate_rsa_key};
use crate::crypto::password::{HashParams, PasswordHashing};
use crate::crypto::seal::Sealer;
use crate::crypto::{random_bytes, random_token};
use crate::domain::client::{Client, GrantType, MfaPolicy};
use crate::flows::AppState;
use crate::store::signing_keys::SigningKeyRow;
use crate::store::{self, Store};
use crate::web::extract::ACCOUNT_CLIENT_ID;
use crate::web::session_store::DbSessionStore;
use crate::web::{self as web_layer, RedactedSpans};

/// A built, listening application; `run_until_stopped` serves it.
pub struct Application {
    server: actix_web::dev::Server,
    addr: SocketAddr,
    state: AppState,
}

/// Connects to the database and applies pending migrations (blocking; call off async workers).
pub fn open_store(config: &Config) -> anyhow::Result<Store> {
    let store = Store::connect(&config.database_url, config.db_pool_size).with_context(|| {
        format!(
            "cannot open database {}",
            store::redact_url(&config.database_url)
        )
    })?;
    let applied = store.migrate().context("cannot migrate the database")?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    Ok(store)
}

/// The password hashing service as configured (shared by the server and the CLI).
pub fn password_hashing(config: &Config) -> anyhow::Result<PasswordHashing> {
    let params = HashParams {
        memory_kib: config.argon2_memory_kib,
        iterations: config.argon2_iterations,
        parallelism: config.argon2_parallelism,
    };
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    Ok(PasswordHashing::new(
        params,
        cores,
        Duration::from_millis(config.hash_queue_wait_ms),
    )?
    .with_share_per_client(config.hash_slots_per_ip))
}

struct InstanceSecrets {
    sealer: Sealer,
    cookie_key: Vec<u8>,
    csrf_key: [u8; 32],
    code_key: [u8; 32],
}

fn instance_secrets(store: &Store, config: &Config) -> anyhow::Result<InstanceSecrets> {
    store
        .run_blocking(|c| {
            let at_rest = match config.encryption_key_bytes() {
                Some(key) => key,
                None => {
                    let stored = store::secrets::get_or_create_secret(c, "encryption_key", || {
                        random_bytes::<32>().to_vec()
                    })?;
                    stored.try_into().map_err(|_| {
                        store::StoreError::Corrupt("encryption_key is not 32 bytes".into())
                    })?
                }
            };
            let cookie_key = store::secrets::get_or_create_secret(c, "cookie_key", || {
                random_bytes::<64>().to_vec()
            })?;
            let csrf = store::secrets::get_or_create_secret(c, "csrf_key", || {
                random_bytes::<32>().to_vec()
            })?;
            let csrf_key: [u8; 32] = csrf
                .try_into()
                .map_err(|_| store::StoreError::Corrupt("csrf_key is not 32 bytes".into()))?;
            let code = store::secrets::get_or_create_secret(c, "code_key", || {
                random_bytes::<32>().to_vec()
            })?;
            let code_key: [u8; 32] = code
                .try_into()
                .map_err(|_| store::StoreError::Corrupt("code_key is not 32 bytes".into()))?;
            Ok(InstanceSecrets {
                sealer: Sealer::new(&at_rest),
                cookie_key,
                csrf_key,
                code_key,
            })
        })
        .context("cannot load instance secrets")
}

/// Loads the signing keys, generating the first one on first start.
fn signing_keys(store: &Store, sealer: &Sealer, now: i64) -> anyhow::Result<KeyRing> {
    let mut rows = store.run_blocking(store::signing_keys::list_active_signing_keys)?;
    if rows.is_empty() {
        add_signing_key(store, sealer, now)?;
        rows = store.run_blocking(store::signing_keys::list_active_signing_keys)?;
    }
    let keys = rows
        .iter()
        .map(|row| {
            let der = sealer.open(&row.private_key).with_context(|| {
                format!(
                    "signing key {} cannot be decrypted: was encryption_key changed?",
                    row.kid
                )
            })?;
            Ok(SigningKey::from_pkcs8(&row.kid, &der)?)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(KeyRing::new(keys)?)
}

/// Generates and stores a new RS256 key; it signs from the next start on (newest first).
fn add_signing_key(store: &Store, sealer: &Sealer, now: i64) -> anyhow::Result<String> {
    // Keys sort by creation time (the newest signs): keep that strict even within one second.
    let newest = store
        .run_blocking(store::signing_keys::list_active_signing_keys)?
        .first()
        .map(|k| k.created_at);
    let now = newest.map_or(now, |newest| now.max(newest + 1));
    let generated = generate_rsa_key()?;
    let row = SigningKeyRow {
        kid: generated.kid,
        alg: "RS256".into(),
        private_key: sealer.seal(&generated.pkcs8_der),
        public_jwk: generated.public_jwk_json,
        created_at: now,
        retired_at: None,
    };
    store.run_blocking(|c| store::signing_keys::insert_signing_key(c, &row))?;
    tracing::info!(kid = %row.kid, "generated a new token-signing key");
    Ok(row.kid)
}

/// `gatehouse keys rotate`: adds a new signing key and retires all but it and the one before,
/// so tokens signed before the rotation stay verifiable through the JWKS. Returns the new kid.
pub fn rotate_signing_key(config: &Config, store: &Store, now: i64) -> anyhow::Result<String> {
    let secrets = instance_secrets(store, config)?;
    let kid = add_signing_key(store, &secrets.sealer, now)?;
    store.run_blocking(|c| store::signing_keys::retire_all_but_newest(c, 2, now))?;
    Ok(kid)
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        Application::build_with_clock(config, Clock::system()).await
    }

    /// Builds with a given clock (tests move it forward to expire things).
    pub async fn build_with_clock(config: Config, clock: Clock) -> anyhow::Result<Application> {
        let now = clock.now();
        let startup_config = config.clone();
        let (store, secrets, keys, hashing) = tokio::task::spawn_blocking(move || {
            let config = startup_config;
            let store = open_store(&config)?;
            let secrets = instance_secrets(&store, &config)?;
            let keys = signing_keys(&store, &secrets.sealer, now)?;
            let hashing = password_hashing(&config)?;
            anyhow::Ok((store, secrets, keys, hashing))
        })
        .await??;

        let listener = TcpListener::bind(&config.listen)
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let addr = listener.local_addr()?;
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let secure_cookies = public_url.starts_with("https://");
        // Inside the runtime: lettre's SMTP pool starts its reaper task here.
        let settings =
            crate::settings::load(config.clone(), &store, secrets.sealer.clone()).await?;
        {
            let live = settings.current();
            let channels = &live.channels;
            tracing::info!(mail = %channels.mail.describe(), sms = channels.sms.as_ref().map_or("off", |s| s.provider()), push = channels.push.as_ref().map_or("off", |p| p.provider()), "message channels");
        }
        let message_overrides = crate::channels::messages::Overrides::load(
            config.message_dir.as_deref().map(std::path::Path::new),
        )
        .context("cannot read the message templates in message_dir")?;
        if config.message_dir.is_some() {
            tracing::info!(templates = ?message_overrides.names(), "custom message templates");
        }
        let state = AppState {
            message_overrides: message_overrides.into(),
            settings: settings.into(),
            issuer: public_url.trim_end_matches('/').into(),
            lifetimes: config.lifetimes(),
            config: config.clone().into(),
            store: store.clone(),
            clock: clock.clone(),
            keys,
            hashing,
            sealer: secrets.sealer,
            csrf_key: secrets.csrf_key.into(),
            code_key: secrets.code_key.into(),
            secure_cookies,
            clients: Default::default(),
            fresh_requests: Default::default(),
            limits: crate::flows::limits::RateLimits::new(&config).into(),
            metrics: crate::metrics::Metrics::new()?.into(),
        };

        let account_client = Client {
            id: ACCOUNT_CLIENT_ID.into(),
            name: "Your account".into(),
            // Confidential with a secret nobody knows: its codes are never redeemed, the login
            // session it creates is what the account page uses.
            secret_hash: Some(crate::domain::ids::hash_secret(&random_token(32))),
            is_public: false,
            allow_implicit: false,
            is_management: false,
            mfa_policy: MfaPolicy::Optional,
            grant_types: vec![GrantType::AuthorizationCode],
            redirect_uris: vec![state.url("/account/callback")],
            post_logout_redirect_uris: vec![],
            login_ui_origins: vec![],
            allowed_methods: crate::domain::client::ALL_METHODS.to_vec(),
            lifetimes: Default::default(),
            may_request_approvals: false,
        };
        state
            .store
            .run(move |c| store::clients::ensure_builtin_client(c, &account_client, now))
            .await?;

        let cookie_key =
            Key::try_from(&secrets.cookie_key[..]).context("cookie key is too short")?;
        let session_store = DbSessionStore::new(store, clock);
        let session_name = state.cookie_name("gatehouse_session");
        let session_ttl = actix_web::cookie::time::Duration::seconds(config.session_ttl);
        let data = web::Data::new(state.clone());
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let workers = config.workers.unwrap_or(cores);
        let connections = state.store.pool_state().max as usize;
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                // Inside the error middleware, so its 429 is rendered in the path's shape.
                .wrap(actix_web::middleware::from_fn(web_layer::limits::guard))
                .wrap(
                    ErrorHandlers::new()
                        .default_handler(web_layer::error_shape::render_error)
                        .handler(StatusCode::FOUND, web_layer::extract::sign_in_is_no_error)
                        .handler(
                            StatusCode::SEE_OTHER,
                            web_layer::extract::sign_in_is_no_error,
                        ),
                )
                .wrap(
                    SessionMiddleware::builder(session_store.clone(), cookie_key.clone())
                        .cookie_name(session_name.clone())
                        .cookie_secure(secure_cookies)
                        .cookie_http_only(true)
                        .cookie_same_site(SameSite::Lax)
                        .session_lifecycle(PersistentSession::default().session_ttl(session_ttl))
                        .build(),
                )
                .wrap(web_layer::security_headers(secure_cookies))
                .wrap(TracingLogger::<RedactedSpans>::new())
                .wrap(actix_web::middleware::from_fn(
                    web_layer::request_metrics::track,
                ))
                .configure(web_layer::configure)
                .default_service(web::to(web_layer::not_found))
        })
        .workers(workers)
        // Blocking-pool threads only run database trips (each needs one of the pool's
        // connections) and hashes (one per hashing slot, one slot per core): more threads than
        // that would only wait, each with its stack and malloc arena, so memory under a burst
        // of sign-ins grew with the number of threads (512 / cores per worker by default).
        .worker_max_blocking_threads(connections + cores)
        .on_connect(|conn, _| {
            // Small responses (redirects, JSON) should not wait for Nagle's algorithm.
            if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
                let _ = tcp.set_nodelay(true);
            }
        })
        .shutdown_timeout(10)
        .listen(listener)?
        .run();
        Ok(Application {
            server,
            addr,
            state,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn issuer(&self) -> &str {
        &self.state.issuer
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM/SIGINT (graceful: in-flight requests finish), cleaning up expired
    /// rows in the background meanwhile.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let state = self.state;
        tokio::select! {
            result = self.server => result,
            () = cleanup_forever(state.clone()) => Ok(()),
            () = reload_settings_forever(state) => Ok(()),
        }
    }
}

/// Picks up settings another instance saved (this instance reloads at once when it saves).
async fn reload_settings_forever(state: AppState) {
    loop {
        tokio::time::sleep(crate::settings::RELOAD_EVERY).await;
        if let Err(e) = state.settings.reload(&state.store, false).await {
            tracing::warn!(error = %e, "could not reload the settings");
        }
    }
}

/// Keeps the tables bounded every five minutes ([`crate::flows::housekeeping`]). The first run
/// waits one period too, so a start never races with whoever is filling the tables (tests insert
/// back-dated audit rows right after starting the app).
async fn cleanup_forever(state: AppState) {
    let every = Duration::from_secs(300);
    let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        interval.tick().await;
        match crate::flows::housekeeping::clean(&state).await {
            Ok(0) => {}
            Ok(deleted) => tracing::debug!(deleted, "expired rows removed"),
            Err(e) => tracing::warn!(error = %e, "cleanup of expired rows failed"),
        }
    }
}

/// A fresh random secret for clients (shown once, stored hashed).
pub fn new_client_secret() -> String {
    random_token(32)
}
