//! Push through an HTTP connector to a device's push token: a generic JSON webhook
//! (`{"push_token", "title", "body"}`) or ntfy (`POST {base}/{token}` with the text as body and a
//! `Title` header; the device subscribes to the topic named by its token). An optional bearer
//! token authenticates us to the push service.

use super::http;
use super::{DeliveryError, Receipt, SetupError};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PushSettings {
    /// `none`, `webhook` or `ntfy`.
    pub provider: String,
    /// Webhook: the URL to post to. ntfy: the server base (e.g. `https://ntfy.sh`).
    pub url: Option<String>,
    pub token: Option<String>,
}

/// One notification to one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    pub device_token: String,
    pub title: String,
    pub body: String,
}

/// A configured push service and the HTTP client that reaches it.
#[derive(Clone)]
pub struct PushConnector {
    client: reqwest::Client,
    provider: PushProvider,
    token: Option<String>,
}

#[derive(Clone)]
enum PushProvider {
    Webhook { url: String },
    Ntfy { base: String },
}

impl PushProvider {
    fn from_settings(settings: &PushSettings) -> Result<Option<PushProvider>, SetupError> {
        let url = || {
            settings.url.clone().ok_or_else(|| {
                SetupError(format!(
                    "push_provider {:?} needs push_url",
                    settings.provider
                ))
            })
        };
        Ok(match settings.provider.as_str() {
            "" | "none" => None,
            "webhook" => Some(PushProvider::Webhook { url: url()? }),
            "ntfy" => Some(PushProvider::Ntfy {
                base: url()?.trim_end_matches('/').to_owned(),
            }),
            other => {
                return Err(SetupError(format!(
                    "push_provider {other:?}: use none, webhook or ntfy"
                )));
            }
        })
    }
}

impl PushConnector {
    /// `None` when no push service is configured.
    pub fn new(
        settings: &PushSettings,
        client: reqwest::Client,
    ) -> Result<Option<PushConnector>, SetupError> {
        Ok(
            PushProvider::from_settings(settings)?.map(|provider| PushConnector {
                client,
                provider,
                token: settings.token.clone(),
            }),
        )
    }

    /// Whether `settings` make a connector, without building one.
    pub fn check(settings: &PushSettings) -> Result<(), SetupError> {
        PushProvider::from_settings(settings).map(drop)
    }

    pub fn provider(&self) -> &'static str {
        match self.provider {
            PushProvider::Webhook { .. } => "webhook",
            PushProvider::Ntfy { .. } => "ntfy",
        }
    }

    pub async fn send(&self, push: &Push) -> Result<Receipt, DeliveryError> {
        let provider = self.provider();
        let request = match &self.provider {
            PushProvider::Webhook { url } => self.client.post(url).json(&serde_json::json!({
                "push_token": push.device_token,
                "title": push.title,
                "body": push.body,
            })),
            PushProvider::Ntfy { base } => {
                let topic: String =
                    url::form_urlencoded::byte_serialize(push.device_token.as_bytes()).collect();
                self.client
                    .post(format!("{base}/{topic}"))
                    .header("Title", header_text(&push.title))
                    .header("Priority", "high")
                    .header("Tags", "key")
                    .body(push.body.clone())
            }
        };
        let request = match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let answer = http::send(provider, request).await?;
        Ok(Receipt {
            provider,
            detail: if answer.is_empty() {
                "accepted".into()
            } else {
                answer
            },
        })
    }
}

/// `text` as an HTTP header value: ASCII as it is, anything else (a German "Bestätigungscode")
/// as an RFC 2047 encoded word, which ntfy decodes.
fn header_text(text: &str) -> String {
    use base64::Engine;
    if text.chars().all(|c| c.is_ascii() && !c.is_ascii_control()) {
        return text.to_owned();
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("=?UTF-8?B?{encoded}?=")
}
