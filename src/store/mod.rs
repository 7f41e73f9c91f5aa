//! The database layer: diesel over SQLite or PostgreSQL through one [`AnyConnection`].
//!
//! Only this module (and its children) may name diesel types. Everything above it calls
//! [`Store::run`] with a closure over `&mut AnyConnection` built from the functions here, and gets
//! back domain-shaped rows and a [`StoreError`]. `run` executes on tokio's blocking pool, so diesel
//! never blocks an async worker.

pub mod approvals;
pub mod audit;
pub mod authenticators;
pub mod backup_codes;
pub mod branding;
pub mod clients;
pub mod code_lockouts;
pub mod deliveries;
pub mod grants;
pub mod one_time_codes;
pub mod passkeys;
pub mod push_devices;
pub mod rate_counters;
pub mod requests;
pub mod schema;
pub mod secrets;
pub mod sessions;
pub mod settings;
pub mod signing_keys;
pub mod tracks;
pub mod users;
pub mod verifications;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One connection type for both backends; the URL scheme decides which variant is built.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    // SQLite must stay last: the derive tries variants in order.
    Sqlite(diesel::SqliteConnection),
}

/// Errors from the store. `NotFound` and `Conflict` are expected outcomes callers branch on;
/// everything else is an infrastructure failure that becomes a 500 with a logged cause.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("could not get a database connection: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("could not connect to the database: {0}")]
    Connect(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database task was cancelled")]
    Cancelled,
}

/// Maps unique-constraint violations to [`StoreError::Conflict`] so callers can answer 409.
pub(crate) fn conflict_on_unique(
    what: &'static str,
) -> impl Fn(diesel::result::Error) -> StoreError {
    move |e| match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => StoreError::Conflict(what),
        other => StoreError::Database(other),
    }
}

/// Which database the URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Connections a pool of this backend opens when `db_pool_size` is unset. PostgreSQL serves
    /// many at once. SQLite admits one writer at a time, and in WAL mode a connection throws its
    /// page cache away whenever another one has written: with several connections under sign-in
    /// load nearly every read re-read its pages and writers slept in SQLite's busy handler
    /// (1 ms, 2 ms…) for a lock held a tenth of that. One connection keeps its cache and hands
    /// the lock on without sleeping; its trips queue at the pool, which wakes the next one at
    /// once. Measured: passwordless TOTP sign-ins 535 → 749/s, the password flow 1.84 → 1.37
    /// server core-ms (README "Performance").
    pub fn default_connections(self) -> u32 {
        match self {
            Backend::Postgres => 10,
            Backend::Sqlite => 1,
        }
    }

    /// Picks the backend from the URL scheme (`sqlite://…` or `postgres(ql)://…`).
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// Builds connections of the right variant directly, so a bad URL reports the real error instead
/// of the MultiConnection's generic one, and applies the SQLite pragmas to every connection.
#[derive(Debug)]
struct Manager {
    url: String,
    backend: Backend,
}

impl r2d2::ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        use diesel::r2d2::Error as E;
        match self.backend {
            Backend::Postgres => diesel::PgConnection::establish(&self.url)
                .map(AnyConnection::Postgresql)
                .map_err(E::ConnectionError),
            Backend::Sqlite => {
                let mut conn =
                    diesel::SqliteConnection::establish(&self.url).map_err(E::ConnectionError)?;
                // WAL lets readers run beside the one writer; busy_timeout makes writers queue
                // instead of failing; foreign keys are off by default in SQLite. In WAL mode a
                // connection drops its page cache whenever another one has written, which under
                // sign-in load is before nearly every read: mmap_size lets those re-reads of the
                // database file come from the kernel's page cache without a read() call and a
                // copy each; temporary tables and indices (sorting) stay in memory.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA mmap_size = 268435456; PRAGMA temp_store = MEMORY;",
                )
                .map_err(E::QueryError)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut AnyConnection) -> bool {
        false
    }
}

/// A pool of connections to the configured database.
#[derive(Clone)]
pub struct Store {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    /// Trips to the blocking pool ([`Store::run`]) since start: each is a hand-off between
    /// threads, the biggest cost of a sign-in after SQLite itself (README "Performance").
    trips: Arc<AtomicU64>,
}

impl Store {
    /// Connects (creating the SQLite file if needed). Fails fast with the driver's own message.
    /// `max_connections` unset takes the backend's [`Backend::default_connections`].
    pub fn connect(url: &str, max_connections: Option<u32>) -> Result<Store, StoreError> {
        let backend = Backend::from_url(url).ok_or(StoreError::Migration(format!(
            "unsupported database URL scheme in {:?}: use sqlite:// or postgres://",
            redact_url(url)
        )))?;
        let manager = Manager {
            url: url.to_owned(),
            backend,
        };
        // One connection now, so a wrong URL fails at once with the driver's message.
        r2d2::ManageConnection::connect(&manager)
            .map_err(|e| StoreError::Connect(e.to_string()))?;
        let pool = r2d2::Pool::builder()
            .max_size(max_connections.unwrap_or(backend.default_connections()))
            // No connections opened in the background to keep a minimum idle: a one-shot
            // command would exit while one is mid-handshake, and libpq's OpenSSL then crashes
            // in its exit handlers (seen as a rare SIGSEGV of `gatehouse user unlock` on
            // PostgreSQL with TLS). Connections are opened on demand and kept once returned.
            .min_idle(Some(0))
            // r2d2 runs `SELECT 1` on every checkout by default: one statement more per trip to
            // the database. A SQLite connection is a file handle that cannot go stale; a
            // PostgreSQL connection can (a restarted server), so it stays tested there.
            .test_on_check_out(backend == Backend::Postgres)
            .connection_timeout(Duration::from_secs(10))
            .build_unchecked(manager);
        Ok(Store {
            pool,
            backend,
            trips: Arc::new(AtomicU64::new(0)),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs the embedded migrations for this backend; returns how many were applied.
    pub fn migrate(&self) -> Result<usize, StoreError> {
        let mut conn = self.pool.get()?;
        let migrations = match self.backend {
            Backend::Postgres => POSTGRES_MIGRATIONS,
            Backend::Sqlite => SQLITE_MIGRATIONS,
        };
        let applied = conn
            .run_pending_migrations(migrations)
            .map_err(|e| StoreError::Migration(e.to_string()))?;
        Ok(applied.len())
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        self.trips.fetch_add(1, Ordering::Relaxed);
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(|_| StoreError::Cancelled)?
    }

    /// Runs `f` synchronously; for the CLI and start-up, never from an async handler.
    pub fn run_blocking<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.pool.get()?;
        f(&mut conn)
    }

    /// Trips to the database through [`Store::run`] since start (for `/metrics`).
    pub fn trips(&self) -> u64 {
        self.trips.load(Ordering::Relaxed)
    }

    /// Open connections, idle ones among them, and the most the pool opens (for `/metrics`).
    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            connections: state.connections,
            idle: state.idle_connections,
            max: self.pool.max_size(),
        }
    }

    /// Checks that the database answers (for `/health`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.run(|conn| conn.batch_execute("SELECT 1").map_err(StoreError::from))
            .await
    }
}

/// The connection pool at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    pub connections: u32,
    pub idle: u32,
    pub max: u32,
}

/// Runs `f` in a transaction that takes the write lock up front (`BEGIN IMMEDIATE` on SQLite),
/// so a read-then-write sequence waits for other writers instead of failing with SQLITE_BUSY.
/// On PostgreSQL row locks taken by the first UPDATE do the same job.
pub fn write_transaction<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let begin = match conn {
        AnyConnection::Sqlite(_) => "BEGIN IMMEDIATE",
        AnyConnection::Postgresql(_) => "BEGIN",
    };
    conn.batch_execute(begin)?;
    match f(conn) {
        Ok(value) => {
            conn.batch_execute("COMMIT")?;
            Ok(value)
        }
        Err(e) => {
            let _ = conn.batch_execute("ROLLBACK");
            Err(e)
        }
    }
}

/// Hides a password in a database URL before it is shown or logged.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's default of one connection (see [`Backend::default_connections`]) must serve trips
    /// that arrive together, write transactions among them, by queueing them, not failing them.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_sqlite_connection_serves_simultaneous_write_transactions_in_turn() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("pool.db").display());
        let store = Store::connect(&url, None).unwrap();
        assert_eq!(store.pool_state().max, 1);
        store
            .run(|c| {
                c.batch_execute("CREATE TABLE n (v INTEGER NOT NULL)")?;
                Ok(())
            })
            .await
            .unwrap();
        let trips = (0..32).map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .run(|c| {
                        write_transaction(c, |c| {
                            c.batch_execute("INSERT INTO n (v) SELECT COUNT(*) FROM n")?;
                            Ok(())
                        })
                    })
                    .await
            })
        });
        for trip in trips.collect::<Vec<_>>() {
            trip.await.unwrap().unwrap();
        }
        // Each transaction saw every one before it: the counts are 0..31, each once.
        let distinct: i64 = store
            .run(|c| {
                #[derive(QueryableByName)]
                struct Count {
                    #[diesel(sql_type = diesel::sql_types::BigInt)]
                    n: i64,
                }
                let row: Count =
                    diesel::sql_query("SELECT COUNT(DISTINCT v) AS n FROM n").get_result(c)?;
                Ok(row.n)
            })
            .await
            .unwrap();
        assert_eq!(distinct, 32);
    }
}
