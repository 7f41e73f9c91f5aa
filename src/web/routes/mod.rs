//! One module per feature; the route table is in `web/mod.rs`.

pub mod account;
pub mod account_backup;
pub mod admin;
pub mod authz;
pub mod code_login;
pub mod discovery;
pub mod end_session;
pub mod enroll;
pub mod introspect;
pub mod login;
pub mod management;
pub mod mfa;
pub mod password_forgot;
pub mod password_reset;
pub mod passwordless;
pub mod push_devices;
pub mod register;
pub mod register_confirm;
pub mod start;
pub mod token;
pub mod userinfo;
pub mod verification;
pub mod verification_codes;
pub mod verification_login;
pub mod verification_status;
