//! Building the authorization response that carries a result back to the client
//! (RFC 6749 §4.1.2 / §4.2.2, OAuth 2.0 Multiple Response Types, Form Post Response Mode).

use std::str::FromStr;

/// How the authorization response is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

impl ResponseMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseMode::Query => "query",
            ResponseMode::Fragment => "fragment",
            ResponseMode::FormPost => "form_post",
        }
    }
}

impl FromStr for ResponseMode {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "query" => Ok(ResponseMode::Query),
            "fragment" => Ok(ResponseMode::Fragment),
            "form_post" => Ok(ResponseMode::FormPost),
            _ => Err(()),
        }
    }
}

/// The response to send the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizationResponse {
    /// A 302 to this URL.
    Redirect(String),
    /// An HTML form that posts `fields` to `action`.
    FormPost {
        action: String,
        fields: Vec<(String, String)>,
    },
}

/// Puts `params` into `redirect_uri` the way `mode` says. Existing query parameters of a
/// registered redirect URI are kept (RFC 6749 §3.1.2).
pub fn respond(
    redirect_uri: &str,
    mode: ResponseMode,
    params: &[(&str, String)],
) -> AuthorizationResponse {
    match mode {
        ResponseMode::Query => AuthorizationResponse::Redirect(append_query(redirect_uri, params)),
        ResponseMode::Fragment => {
            AuthorizationResponse::Redirect(format!("{redirect_uri}#{}", encode(params)))
        }
        ResponseMode::FormPost => AuthorizationResponse::FormPost {
            action: redirect_uri.to_owned(),
            fields: params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        },
    }
}

/// `uri` with `params` added to its query string.
pub fn append_query(uri: &str, params: &[(&str, String)]) -> String {
    if params.is_empty() {
        return uri.to_owned();
    }
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}{}", encode(params))
}

fn encode(params: &[(&str, String)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        serializer.append_pair(k, v);
    }
    serializer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_responses_keep_the_registered_query() {
        let r = respond(
            "https://app.example/cb?tenant=a",
            ResponseMode::Query,
            &[("code", "x y".into()), ("state", "s&1".into())],
        );
        assert_eq!(
            r,
            AuthorizationResponse::Redirect(
                "https://app.example/cb?tenant=a&code=x+y&state=s%261".into()
            )
        );
    }

    #[test]
    fn fragment_and_form_post_responses() {
        let params = [("access_token", "t".to_string())];
        assert_eq!(
            respond("https://app.example/cb", ResponseMode::Fragment, &params),
            AuthorizationResponse::Redirect("https://app.example/cb#access_token=t".into())
        );
        assert_eq!(
            respond("https://app.example/cb", ResponseMode::FormPost, &params),
            AuthorizationResponse::FormPost {
                action: "https://app.example/cb".into(),
                fields: vec![("access_token".into(), "t".into())]
            }
        );
    }
}
