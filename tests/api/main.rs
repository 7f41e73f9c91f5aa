//! Integration tests: each test starts the whole app on port 0 with a fresh database
//! (SQLite in a temp dir, or a new PostgreSQL database when TEST_DATABASE_URL is set).

mod helpers;

mod authorize;
mod browser;
mod logout;
mod relying_party;
mod token;
