//! Pure rules of the product. Nothing here does IO, reads the clock or draws randomness:
//! times (`now`, unix seconds) and random values are parameters. May not depend on actix,
//! diesel, lettre, askama, tokio or any other layer of this crate.

pub mod approval;
pub mod backup;
pub mod branding;
pub mod client;
pub mod client_ip;
pub mod client_settings;
pub mod ids;
pub mod limits;
pub mod locale;
pub mod oauth;
pub mod one_time_code;
pub mod passkey;
pub mod password_policy;
pub mod policy;
pub mod sign_in;
pub mod totp;
pub mod user;
pub mod user_agent;
pub mod verification;
