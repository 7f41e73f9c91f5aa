//! A relying party built on the `openidconnect` crate talks to Gatehouse: discovery, the code
//! flow with PKCE for confidential and public clients, ID tokens verified against the JWKS,
//! userinfo and refresh; plus the form_post response mode and the implicit flow.

use std::str::FromStr;

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenClaims, CoreTokenResponse,
    CoreUserInfoClaims,
};
use openidconnect::{
    AccessToken, AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndSessionUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, ProviderMetadataWithLogout,
    RedirectUrl, RequestTokenError, Scope, TokenResponse,
};
use serde_json::Value;

use crate::helpers::*;

/// The client type `CoreClient::from_provider_metadata` builds: authorization endpoint set,
/// token and userinfo endpoints as discovered.
pub type OidcClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A relying party as an application would build it from our discovery document.
pub struct RelyingParty {
    pub client: OidcClient,
    /// The back-channel HTTP client (token, userinfo, discovery, JWKS).
    pub http: openidconnect::reqwest::Client,
    pub end_session: Option<EndSessionUrl>,
}

impl RelyingParty {
    /// Discovers the provider at `app.base` and configures a client for `rp`.
    pub async fn discover(app: &TestApp, rp: &Rp) -> RelyingParty {
        // The openidconnect docs: the back-channel client must not follow redirects (SSRF).
        let http = openidconnect::reqwest::Client::builder()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        let issuer = IssuerUrl::new(app.base.clone()).expect("issuer URL");
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &http)
            .await
            .unwrap_or_else(|e| panic!("discovery and JWKS fetch succeed: {e:?}"));
        let end_session = metadata.additional_metadata().end_session_endpoint.clone();
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(rp.client_id.clone()),
            rp.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(RedirectUrl::new(rp.redirect_uri.clone()).expect("redirect URL"));
        RelyingParty {
            client,
            http,
            end_session,
        }
    }

    /// Signs `email` in with the code flow and PKCE (S256) through the hosted pages, checks
    /// `state` and `iss` of the authorization response, and redeems the code.
    pub async fn sign_in(
        &self,
        app: &TestApp,
        browser: &reqwest::Client,
        email: &str,
    ) -> (CoreTokenResponse, Nonce) {
        let (code, verifier, nonce) = self.authorize(app, browser, email).await;
        let tokens = self
            .client
            .exchange_code(code)
            .expect("the token endpoint is discovered")
            .set_pkce_verifier(verifier)
            .request_async(&self.http)
            .await
            .unwrap_or_else(|e| panic!("the code is exchanged: {e:?}"));
        (tokens, nonce)
    }

    /// Runs the authorization request up to the code (checking `state` and `iss`).
    pub async fn authorize(
        &self,
        app: &TestApp,
        browser: &reqwest::Client,
        email: &str,
    ) -> (AuthorizationCode, PkceCodeVerifier, Nonce) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, csrf, nonce) = self
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        assert!(
            auth_url.as_str().starts_with(&app.url("/authz-srv/authz?")),
            "the discovered authorization endpoint: {auth_url}"
        );
        let back = drive_login(app, browser, auth_url.as_str(), email).await;
        let rp_redirect = self.client.redirect_uri().expect("redirect URI").as_str();
        assert!(
            back.starts_with(&format!("{rp_redirect}?")),
            "redirect to the client: {back}"
        );
        let pairs = query_pairs(&back);
        assert_eq!(
            param(&pairs, "state").as_deref(),
            Some(csrf.secret().as_str()),
            "state"
        );
        assert_eq!(
            param(&pairs, "iss").as_deref(),
            Some(app.base.as_str()),
            "RFC 9207 iss"
        );
        assert_eq!(param(&pairs, "error"), None);
        let code = param(&pairs, "code").expect("a code");
        (AuthorizationCode::new(code), verifier, nonce)
    }
}

/// Follows an authorization URL in `browser`: the redirect to `/login?requestId=…`, the login
/// page (hidden requestId and csrf_token) and the password form. Returns the Location of the
/// answer to the password form.
pub async fn drive_login(
    app: &TestApp,
    browser: &reqwest::Client,
    auth_url: &str,
    email: &str,
) -> String {
    let response = browser.get(auth_url).send().await.expect("authz answers");
    let login = location(&response);
    assert!(
        login.starts_with("/login?requestId="),
        "expected the login page, got {login}"
    );
    let (request_id, csrf) = app.open_login_page(browser, &login).await;
    location(
        &app.submit_login(browser, &request_id, &csrf, email, PASSWORD)
            .await,
    )
}

/// Checks what every ID token of a password login must say.
fn assert_password_login_claims(claims: &CoreIdTokenClaims, app: &TestApp, sub: &str, rp: &Rp) {
    assert_eq!(claims.subject().as_str(), sub);
    assert_eq!(claims.issuer().as_str(), app.base);
    assert_eq!(
        claims
            .audiences()
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>(),
        [rp.client_id.as_str()]
    );
    let amr: Vec<&str> = claims
        .auth_method_refs()
        .expect("amr claim")
        .iter()
        .map(|a| a.as_str())
        .collect();
    assert!(amr.contains(&"pwd"), "amr {amr:?} contains pwd");
    let auth_time = claims.auth_time().expect("auth_time claim");
    let issued = claims.issue_time();
    assert!(
        auth_time <= issued && (issued - auth_time).num_seconds() < 60,
        "auth_time {auth_time} is the login just done (iat {issued})"
    );
    assert!(claims.expiration() > issued);
    assert_eq!(claims.email().map(|e| e.as_str()), Some("ada@example.com"));
}

/// `at_hash` in the ID token binds the access token delivered with it.
fn assert_at_hash_matches(id_token: &CoreIdToken, access: &AccessToken, client: &OidcClient) {
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, |_: Option<&Nonce>| Ok(()))
        .expect("verified");
    let expected = claims.access_token_hash().expect("at_hash claim");
    let actual = AccessTokenHash::from_token(
        access,
        id_token.signing_alg().expect("alg"),
        id_token.signing_key(&verifier).expect("key from JWKS"),
    )
    .expect("hash");
    assert_eq!(&actual, expected);
}

#[tokio::test]
async fn a_confidential_relying_party_signs_in_with_discovery_pkce_and_a_verified_id_token() {
    let app = TestApp::spawn().await;
    let sub = app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    assert!(rp.client_secret.is_some());
    let oidc = RelyingParty::discover(&app, &rp).await;

    let (tokens, nonce) = oidc.sign_in(&app, &app.browser(), "ada@example.com").await;
    let id_token = tokens.id_token().expect("an ID token");
    let verifier = oidc.client.id_token_verifier();
    // signature against the JWKS, iss, aud, exp and our nonce
    let claims = id_token
        .claims(&verifier, &nonce)
        .unwrap_or_else(|e| panic!("the ID token verifies: {e:?}"));
    assert_password_login_claims(claims, &app, &sub, &rp);
    assert_eq!(claims.nonce().map(|n| n.secret()), Some(nonce.secret()));
    assert_eq!(
        claims.name().and_then(|n| n.get(None)).map(|n| n.as_str()),
        Some("Test User")
    );
    assert!(
        id_token
            .claims(&verifier, &Nonce::new("another-nonce".into()))
            .is_err(),
        "the nonce binds the token to this request"
    );
    assert_at_hash_matches(id_token, tokens.access_token(), &oidc.client);

    let info: CoreUserInfoClaims = oidc
        .client
        .user_info(
            tokens.access_token().clone(),
            Some(claims.subject().clone()),
        )
        .expect("the userinfo endpoint is discovered")
        .request_async(&oidc.http)
        .await
        .unwrap_or_else(|e| panic!("userinfo answers: {e:?}"));
    assert_eq!(info.subject().as_str(), sub);
    assert_eq!(info.email().map(|e| e.as_str()), Some("ada@example.com"));
    assert_eq!(
        info.email_verified(),
        Some(true),
        "operator-created users are verified"
    );

    // the refresh token works through the library too, and rotates
    let refresh = tokens.refresh_token().expect("a refresh token");
    let refreshed = oidc
        .client
        .exchange_refresh_token(refresh)
        .expect("token endpoint")
        .request_async(&oidc.http)
        .await
        .unwrap_or_else(|e| panic!("refresh succeeds: {e:?}"));
    assert_ne!(
        refreshed.access_token().secret(),
        tokens.access_token().secret()
    );
    assert_ne!(
        refreshed.refresh_token().map(|r| r.secret()),
        Some(refresh.secret())
    );
    let again: CoreUserInfoClaims = oidc
        .client
        .user_info(refreshed.access_token().clone(), None)
        .expect("userinfo endpoint")
        .request_async(&oidc.http)
        .await
        .unwrap_or_else(|e| panic!("userinfo with the refreshed token: {e:?}"));
    assert_eq!(again.subject().as_str(), sub);
}

#[tokio::test]
async fn a_public_relying_party_without_a_secret_signs_in_with_pkce() {
    let app = TestApp::spawn().await;
    let sub = app.create_user("ada@example.com").await;
    let rp = app.public_client().await;
    assert_eq!(rp.client_secret, None);
    let oidc = RelyingParty::discover(&app, &rp).await;
    let browser = app.browser();

    let (code, verifier, nonce) = oidc.authorize(&app, &browser, "ada@example.com").await;
    // without the verifier a public client has no proof at all → invalid_grant
    let refused = oidc
        .client
        .exchange_code(code.clone())
        .expect("token endpoint")
        .request_async(&oidc.http)
        .await
        .expect_err("a public client must prove PKCE");
    match refused {
        RequestTokenError::ServerResponse(body) => {
            assert_eq!(body.error().as_ref(), "invalid_grant");
        }
        other => panic!("expected an OAuth error body, got {other:?}"),
    }
    let tokens = oidc
        .client
        .exchange_code(code)
        .expect("token endpoint")
        .set_pkce_verifier(verifier)
        .request_async(&oidc.http)
        .await
        .unwrap_or_else(|e| panic!("the code is exchanged with the verifier: {e:?}"));

    let id_token = tokens.id_token().expect("an ID token");
    let claims = id_token
        .claims(&oidc.client.id_token_verifier(), &nonce)
        .unwrap_or_else(|e| panic!("the ID token verifies: {e:?}"));
    assert_password_login_claims(claims, &app, &sub, &rp);
    assert_at_hash_matches(id_token, tokens.access_token(), &oidc.client);

    let info: CoreUserInfoClaims = oidc
        .client
        .user_info(
            tokens.access_token().clone(),
            Some(claims.subject().clone()),
        )
        .expect("userinfo endpoint")
        .request_async(&oidc.http)
        .await
        .unwrap_or_else(|e| panic!("userinfo answers: {e:?}"));
    assert_eq!(info.email().map(|e| e.as_str()), Some("ada@example.com"));
}

#[tokio::test]
async fn form_post_delivers_code_state_and_iss_in_a_self_posting_form() {
    let app = TestApp::spawn().await;
    let sub = app.create_user("ada@example.com").await;
    let rp = app.public_client().await;
    let browser = app.browser();
    let params = [
        ("client_id", rp.client_id.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("response_type", "code"),
        ("response_mode", "form_post"),
        ("scope", "openid email"),
        ("state", "fp-1"),
        ("nonce", "nonce-fp"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    let login = location(&app.authorize(&browser, &params).await);
    assert!(login.starts_with("/login?requestId="), "{login}");
    let (request_id, csrf) = app.open_login_page(&browser, &login).await;
    let response = app
        .submit_login(&browser, &request_id, &csrf, "ada@example.com", PASSWORD)
        .await;
    assert_eq!(response.status(), 200, "an HTML page, not a redirect");
    assert!(response.headers().get("location").is_none());
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("<form method=\"post\" action=\"{REDIRECT_URI}\"")),
        "the form posts to the redirect URI: {html}"
    );
    assert!(
        html.contains("src=\"/static/form_post.js\""),
        "submitted by our script"
    );
    assert!(
        html.contains("<button type=\"submit\">"),
        "and by a button without scripts"
    );
    let code = hidden_field(&html, "code");
    assert!(code.len() >= 40, "{code}");
    assert_eq!(hidden_field(&html, "state"), "fp-1");
    assert_eq!(hidden_field(&html, "iss"), app.base);
    assert!(!html.contains("name=\"access_token\""));

    // the posted code is a real one
    let tokens: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    assert!(tokens["id_token"].is_string(), "{tokens}");
    let info: Value = app
        .userinfo(tokens["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["sub"], sub.as_str());
}

#[tokio::test]
async fn an_implicit_client_gets_id_token_and_access_token_in_the_fragment() {
    let app = TestApp::spawn().await;
    let sub = app.create_user("ada@example.com").await;
    let rp = app
        .create_client(ClientSpec {
            allow_implicit: true,
            ..ClientSpec::default()
        })
        .await;
    let oidc = RelyingParty::discover(&app, &rp).await;
    let (auth_url, csrf, nonce) = oidc
        .client
        .authorize_url(
            CoreAuthenticationFlow::Implicit(true),
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .url();
    assert!(
        auth_url
            .query_pairs()
            .any(|(k, v)| k == "response_type" && v == "id_token token"),
        "{auth_url}"
    );
    let back = drive_login(&app, &app.browser(), auth_url.as_str(), "ada@example.com").await;
    assert!(
        back.starts_with(&format!("{REDIRECT_URI}#")),
        "tokens travel in the fragment only: {back}"
    );
    let fragment = back.split_once('#').unwrap().1;
    assert!(!back.split_once('#').unwrap().0.contains('?'));
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(fragment.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(param(&pairs, "token_type").as_deref(), Some("Bearer"));
    assert_eq!(
        param(&pairs, "state").as_deref(),
        Some(csrf.secret().as_str())
    );
    assert_eq!(param(&pairs, "iss").as_deref(), Some(app.base.as_str()));
    assert_eq!(param(&pairs, "expires_in").as_deref(), Some("3600"));
    assert_eq!(param(&pairs, "code"), None);
    let access = AccessToken::new(param(&pairs, "access_token").expect("access_token"));
    let id_token =
        CoreIdToken::from_str(&param(&pairs, "id_token").expect("id_token")).expect("a JWT");

    let claims = id_token
        .claims(&oidc.client.id_token_verifier(), &nonce)
        .unwrap_or_else(|e| panic!("the ID token verifies: {e:?}"));
    assert_password_login_claims(claims, &app, &sub, &rp);
    // OIDC Core §3.2.2.10: at_hash is required with id_token token
    assert_at_hash_matches(&id_token, &access, &oidc.client);

    let info: Value = app.userinfo(access.secret()).await.json().await.unwrap();
    assert_eq!(info["sub"], sub.as_str());
    assert_eq!(info["email"], "ada@example.com");
}

#[tokio::test]
async fn a_client_without_implicit_gets_unauthorized_client_in_the_fragment() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let rp = app.confidential_client().await;
    let oidc = RelyingParty::discover(&app, &rp).await;
    let (auth_url, csrf, _) = oidc
        .client
        .authorize_url(
            CoreAuthenticationFlow::Implicit(true),
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .url();
    let response = app.browser().get(auth_url.as_str()).send().await.unwrap();
    let back = location(&response);
    assert!(
        back.starts_with(&format!("{REDIRECT_URI}#")),
        "an implicit request is answered in the fragment, without a login: {back}"
    );
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(back.split_once('#').unwrap().1.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(
        param(&pairs, "error").as_deref(),
        Some("unauthorized_client")
    );
    assert!(param(&pairs, "error_description").is_some_and(|d| d.contains("implicit")));
    assert_eq!(
        param(&pairs, "state").as_deref(),
        Some(csrf.secret().as_str())
    );
    assert_eq!(param(&pairs, "iss").as_deref(), Some(app.base.as_str()));
    assert_eq!(param(&pairs, "access_token"), None);
    assert_eq!(param(&pairs, "id_token"), None);
}
