//! How a message leaves the process: mail through lettre (SMTP, or an outbox folder when no SMTP
//! server is configured), SMS and push through HTTP provider connectors. Knows nothing of codes
//! or users: callers hand it finished messages and get the provider's answer back.
//! May depend on `domain` only.

mod http;
pub mod mail;
pub mod messages;
pub mod push;
pub mod sms;

pub use mail::{Email, MailSettings, Mailer};
pub use push::{Push, PushConnector, PushSettings};
pub use sms::{Sms, SmsConnector, SmsSettings};

/// A message the provider accepted: which provider, and what it answered (an id, a status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub provider: &'static str,
    pub detail: String,
}

/// A message that was not delivered, with the provider's error (never containing credentials).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{provider}: {detail}")]
pub struct DeliveryError {
    pub provider: &'static str,
    pub detail: String,
}

/// A connector that cannot be built from its settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SetupError(pub String);

/// Every way out, built once at start (inside the Tokio runtime: lettre's pool needs it).
#[derive(Clone)]
pub struct Channels {
    pub mail: Mailer,
    /// `None`: no SMS provider configured, so SMS codes are not offered.
    pub sms: Option<SmsConnector>,
    /// `None`: no push provider configured, so push codes are not offered.
    pub push: Option<PushConnector>,
}

impl Channels {
    pub fn new(
        mail: &MailSettings,
        sms: &SmsSettings,
        push: &PushSettings,
    ) -> Result<Channels, SetupError> {
        let client = http::client()?;
        Ok(Channels {
            mail: Mailer::new(mail)?,
            sms: SmsConnector::new(sms, client.clone())?,
            push: PushConnector::new(push, client)?,
        })
    }
}
