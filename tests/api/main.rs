//! Integration tests: each test starts the whole app on port 0 with a fresh database
//! (SQLite in a temp dir, or a new PostgreSQL database when TEST_DATABASE_URL is set).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod helpers;
mod http_recorder;
mod smtp_server;

mod accessibility;
mod account;
mod account_self_service;
mod account_sessions;
mod admin;
mod admin_apps;
mod admin_audit;
mod admin_lockouts;
mod admin_settings;
mod admin_users;
mod approvals;
mod approvals_attacks;
mod approvals_json;
mod approvals_redirect;
mod architecture;
mod authorize;
mod backup_codes;
mod browser;
mod browser_account;
mod browser_admin_apps;
mod browser_admin_settings;
mod browser_admin_users;
mod browser_approvals;
mod browser_passkeys;
mod browser_password_reset;
mod browser_register;
mod browser_totp;
mod chromium;
mod cidaas_sdk;
mod cli;
mod code_pages;
mod codes;
mod cross_site;
mod discovery;
mod extractors;
mod housekeeping;
mod json_errors;
mod lock_races;
mod logout;
mod management;
mod mfa;
mod own_factors;
mod passkey_admin;
mod passkey_authenticator;
mod passkey_pages;
mod passkeys;
mod password_lockout;
mod password_reset;
mod passwordless;
mod register;
mod relying_party;
mod sessions;
mod sign_in_core;
mod step_up;
mod token;
mod token_revocation;
mod totp;
