//! The HTTP client the SMS and push connectors share: rustls on aws-lc with the webpki roots,
//! short timeouts (a hung provider must not hold a sign-in for long).

use std::sync::Arc;
use std::time::Duration;

use super::{DeliveryError, SetupError};

pub fn client() -> Result<reqwest::Client, SetupError> {
    // Also the process default, for any other rustls user in the process (reqwest clients
    // built without a preconfigured TLS config panic without one). Already set is fine.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SetupError(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .user_agent(concat!("gatehouse/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| SetupError(format!("HTTP client setup failed: {e}")))
}

/// Sends `request` and turns anything but a 2xx answer into a [`DeliveryError`] carrying the
/// provider's status and (shortened) answer. Returns the answer's body on success.
pub async fn send(
    provider: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<String, DeliveryError> {
    let fail = |detail: String| DeliveryError { provider, detail };
    // without_url: the URL may carry an account id or a token in its path.
    let response = request
        .send()
        .await
        .map_err(|e| fail(e.without_url().to_string()))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let body = shorten(body.trim());
    if status.is_success() {
        Ok(body)
    } else {
        Err(fail(format!("HTTP {}: {body}", status.as_u16())))
    }
}

/// At most 300 characters of a provider's answer.
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
