//! SMS through an HTTP provider: a generic JSON webhook (`{"to", "from", "message"}`, optional
//! basic auth) or the Twilio preset (form post to `…/2010-04-01/Accounts/{sid}/Messages.json`
//! with the account SID and auth token as basic auth).

use super::http;
use super::{DeliveryError, Receipt, SetupError};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SmsSettings {
    /// `none`, `webhook` or `twilio`.
    pub provider: String,
    /// Webhook: the URL to post to. Twilio: the API base (default `https://api.twilio.com`).
    pub url: Option<String>,
    /// Basic-auth user (Twilio: the account SID) and password (Twilio: the auth token).
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender number or name.
    pub from: Option<String>,
}

/// One text message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    pub to: String,
    pub body: String,
}

/// A configured SMS provider and the HTTP client that reaches it.
#[derive(Clone)]
pub struct SmsConnector {
    client: reqwest::Client,
    provider: SmsProvider,
}

#[derive(Clone)]
enum SmsProvider {
    Webhook {
        url: String,
        auth: Option<(String, String)>,
        from: Option<String>,
    },
    Twilio {
        messages_url: String,
        account_sid: String,
        auth_token: String,
        from: String,
    },
}

impl SmsProvider {
    fn from_settings(settings: &SmsSettings) -> Result<Option<SmsProvider>, SetupError> {
        let missing =
            |key: &str| SetupError(format!("sms_provider {:?} needs {key}", settings.provider));
        Ok(match settings.provider.as_str() {
            "" | "none" => None,
            "webhook" => Some(SmsProvider::Webhook {
                url: settings.url.clone().ok_or_else(|| missing("sms_url"))?,
                auth: settings.username.clone().zip(settings.password.clone()),
                from: settings.from.clone(),
            }),
            "twilio" => {
                let account_sid = settings
                    .username
                    .clone()
                    .ok_or_else(|| missing("sms_username (the account SID)"))?;
                let base = settings.url.as_deref().unwrap_or("https://api.twilio.com");
                Some(SmsProvider::Twilio {
                    messages_url: format!(
                        "{}/2010-04-01/Accounts/{account_sid}/Messages.json",
                        base.trim_end_matches('/')
                    ),
                    auth_token: settings
                        .password
                        .clone()
                        .ok_or_else(|| missing("sms_password (the auth token)"))?,
                    from: settings.from.clone().ok_or_else(|| missing("sms_from"))?,
                    account_sid,
                })
            }
            other => {
                return Err(SetupError(format!(
                    "sms_provider {other:?}: use none, webhook or twilio"
                )));
            }
        })
    }
}

impl SmsConnector {
    /// `None` when no provider is configured.
    pub fn new(
        settings: &SmsSettings,
        client: reqwest::Client,
    ) -> Result<Option<SmsConnector>, SetupError> {
        Ok(SmsProvider::from_settings(settings)?.map(|provider| SmsConnector { client, provider }))
    }

    /// Whether `settings` make a connector, without building one.
    pub fn check(settings: &SmsSettings) -> Result<(), SetupError> {
        SmsProvider::from_settings(settings).map(drop)
    }

    pub fn provider(&self) -> &'static str {
        match self.provider {
            SmsProvider::Webhook { .. } => "webhook",
            SmsProvider::Twilio { .. } => "twilio",
        }
    }

    pub async fn send(&self, sms: &Sms) -> Result<Receipt, DeliveryError> {
        let provider = self.provider();
        let detail = match &self.provider {
            SmsProvider::Webhook { url, auth, from } => {
                let mut request = self.client.post(url).json(&serde_json::json!({
                    "to": sms.to,
                    "from": from,
                    "message": sms.body,
                }));
                if let Some((user, password)) = auth {
                    request = request.basic_auth(user, Some(password));
                }
                http::send(provider, request).await?
            }
            SmsProvider::Twilio {
                messages_url,
                account_sid,
                auth_token,
                from,
            } => {
                let request = self
                    .client
                    .post(messages_url)
                    .basic_auth(account_sid, Some(auth_token))
                    .form(&[("To", &sms.to), ("From", from), ("Body", &sms.body)]);
                let answer = http::send(provider, request).await?;
                // Twilio answers with the message resource; its sid identifies the message.
                serde_json::from_str::<serde_json::Value>(&answer)
                    .ok()
                    .and_then(|v| v["sid"].as_str().map(|sid| format!("sid {sid}")))
                    .unwrap_or(answer)
            }
        };
        Ok(Receipt { provider, detail })
    }
}
