//! Gatehouse: a self-hosted hosted-login service and OpenID Connect provider.
//!
//! Layers (DESIGN.md): `domain` (pure rules) ← `store` (diesel), `channels` (messages out),
//! `crypto` (keys, hashing) ← `web` (actix). `app` wires them together.

pub mod app;
pub mod channels;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod flows;
pub mod i18n;
pub mod metrics;
pub mod settings;
pub mod store;
pub mod web;

pub use app::Application;
pub use clock::Clock;
pub use config::Config;
