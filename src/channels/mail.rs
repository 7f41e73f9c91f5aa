//! Mail through lettre: a pooled SMTP transport from `GATEHOUSE_SMTP_URL` (lettre's URL form:
//! `smtp://` plain, `?tls=required` STARTTLS, `smtps://` implicit TLS, `user:pass@` credentials),
//! or, when none is configured, `.eml` files in a local outbox folder so that a default install
//! still works end to end.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{DeliveryError, Receipt, SetupError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    pub smtp_url: Option<String>,
    /// `Gatehouse <no-reply@example.com>`.
    pub from: String,
    pub outbox_dir: PathBuf,
}

/// A finished mail: both bodies say the same thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Outbox {
        dir: PathBuf,
        from: Mailbox,
    },
}

impl Mailer {
    /// Must run inside a Tokio runtime (the SMTP pool spawns its reaper there).
    pub fn new(settings: &MailSettings) -> Result<Mailer, SetupError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| SetupError(format!("mail_from {:?}: {e}", settings.from)))?;
        Ok(match &settings.smtp_url {
            Some(url) => Mailer::Smtp {
                transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| SetupError(format!("smtp_url: {e}")))?
                    .timeout(Some(Duration::from_secs(10)))
                    .build(),
                from,
            },
            None => Mailer::Outbox {
                dir: settings.outbox_dir.clone(),
                from,
            },
        })
    }

    /// Where mail goes, for the start-up log line.
    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp { .. } => "SMTP".into(),
            Mailer::Outbox { dir, .. } => format!("the outbox folder {}", dir.display()),
        }
    }

    pub fn provider(&self) -> &'static str {
        match self {
            Mailer::Smtp { .. } => "smtp",
            Mailer::Outbox { .. } => "outbox",
        }
    }

    pub async fn send(&self, email: &Email) -> Result<Receipt, DeliveryError> {
        let provider = self.provider();
        let fail = |detail: String| DeliveryError { provider, detail };
        let (Mailer::Smtp { from, .. } | Mailer::Outbox { from, .. }) = self;
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|e| fail(format!("bad recipient address: {e}")))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(email.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(|e| fail(format!("cannot build the message: {e}")))?;
        match self {
            Mailer::Smtp { transport, .. } => {
                let response = transport
                    .send(message)
                    .await
                    .map_err(|e| fail(e.to_string()))?;
                Ok(Receipt {
                    provider,
                    detail: format!(
                        "{} {}",
                        response.code(),
                        response.message().collect::<Vec<_>>().join(" ")
                    ),
                })
            }
            Mailer::Outbox { dir, .. } => {
                let dir = dir.clone();
                let bytes = message.formatted();
                let name = format!(
                    "{}-{}.eml",
                    time::OffsetDateTime::now_utc().unix_timestamp(),
                    uuid::Uuid::new_v4()
                );
                let path = dir.join(name);
                let shown = path.display().to_string();
                tokio::task::spawn_blocking(move || {
                    std::fs::create_dir_all(&dir)?;
                    std::fs::write(&path, bytes)
                })
                .await
                .map_err(|e| fail(e.to_string()))?
                .map_err(|e| fail(format!("cannot write {shown}: {e}")))?;
                Ok(Receipt {
                    provider,
                    detail: format!("written to {shown}"),
                })
            }
        }
    }
}
