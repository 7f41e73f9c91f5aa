//! What every benchmark does the same way: start Gatehouse in-process, add a user and an
//! application through the CLI's own functions, read a form field, and print the figures.
// Each benchmark uses a part of this.
#![allow(dead_code)]

use std::time::Duration;

use gatehouse::cli::{NewClient, NewUser};
use gatehouse::store::Store;
use gatehouse::{Application, Clock, Config};

pub const PASSWORD: &str = "correct horse battery";
pub const REDIRECT_URI: &str = "http://localhost:9999/callback";

/// A running Gatehouse: its base URL, its store and its configuration.
pub struct Running {
    pub base: String,
    pub store: Store,
    pub config: Config,
    pub state: gatehouse::flows::AppState,
}

/// Config for a benchmark: SQLite in `dir`, or `BENCH_DATABASE_URL` when set and `allow_env`;
/// `BENCH_DB_POOL_SIZE` sets `db_pool_size` (to compare pool sizes in one build).
pub fn config(dir: &tempfile::TempDir, allow_env: bool) -> Config {
    let defaults = Config::default();
    let db_pool_size = std::env::var("BENCH_DB_POOL_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .or(defaults.db_pool_size);
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    let database_url = match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) if allow_env => url,
        _ => sqlite,
    };
    Config {
        database_url,
        db_pool_size,
        listen: "127.0.0.1:0".into(),
        ..defaults
    }
}

/// Builds and starts the app on a free loopback port.
pub async fn start(config: Config, clock: Clock) -> anyhow::Result<Running> {
    let app = Application::build_with_clock(config.clone(), clock).await?;
    let running = Running {
        base: app.issuer().to_owned(),
        store: app.state().store.clone(),
        state: app.state().clone(),
        config,
    };
    tokio::spawn(app.run_until_stopped());
    Ok(running)
}

/// Adds an account as `gatehouse user create` would (without a password when `None`).
pub async fn create_user(
    app: &Running,
    email: &str,
    password: Option<&str>,
    admin: bool,
) -> anyhow::Result<()> {
    let (config, store) = (app.config.clone(), app.store.clone());
    let user = NewUser {
        email: email.into(),
        password: password.map(Into::into),
        password_stdin: false,
        name: None,
        admin,
        phone: None,
        json: true,
    };
    tokio::task::spawn_blocking(move || gatehouse::cli::create_user(&config, &store, user))
        .await??;
    Ok(())
}

/// Registers a confidential application redirecting to `REDIRECT_URI`: (client id, secret).
pub async fn create_client(app: &Running) -> anyhow::Result<(String, String)> {
    let store = app.store.clone();
    let client = NewClient {
        name: "Bench".into(),
        redirect_uris: vec![REDIRECT_URI.into()],
        post_logout_redirect_uris: vec![],
        login_ui_origins: vec![],
        public: false,
        grant_types: vec![],
        allow_implicit: false,
        mfa: "optional".into(),
        management: false,
        approvals: false,
        json: true,
    };
    let printed =
        tokio::task::spawn_blocking(move || gatehouse::cli::create_client(&store, client))
            .await??;
    let client: serde_json::Value = serde_json::from_str(&printed)?;
    let text = |key: &str| client[key].as_str().unwrap_or_default().to_owned();
    Ok((text("client_id"), text("client_secret")))
}

/// The value of the hidden or text input `name` in a page.
pub fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).map(|i| i + marker.len()).unwrap_or(0);
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Prints the sample count, median, p90 and minimum, with `extra` after them.
pub fn report_with(name: &str, mut samples: Vec<Duration>, extra: &str) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name}: n={} median={:.1} ms p90={:.1} ms min={:.1} ms{extra}",
        samples.len(),
        pick(0.5).as_secs_f64() * 1e3,
        pick(0.9).as_secs_f64() * 1e3,
        samples[0].as_secs_f64() * 1e3
    );
}

pub fn report(name: &str, samples: Vec<Duration>) {
    report_with(name, samples, "");
}
