//! Step-up in the authorization request (issue 15): `acr_values` (`1` = one factor, `2` = two
//! factors), `max_age` and `prompt=login` against an existing browser session, the ID token's
//! `acr`, `amr` and `auth_time`, and `unmet_authentication_requirements` on the hosted pages and
//! the JSON verification service's finish. The relying party is the `openidconnect` crate.

use std::time::Duration;

use openidconnect::core::{CoreAuthPrompt, CoreAuthenticationFlow, CoreIdTokenClaims};
use openidconnect::{
    AuthenticationContextClass, AuthorizationCode, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, ProviderMetadataWithLogout, Scope, TokenResponse,
};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::relying_party::RelyingParty;

const ADA: &str = "ada@example.com";

/// What a relying party asks for on top of the plain code flow.
#[derive(Default)]
struct Ask {
    acr: Option<&'static str>,
    max_age: Option<u64>,
    prompt_login: bool,
}

/// An authorization URL built by the library, with what the client keeps to check the answer.
struct Started {
    url: String,
    state: CsrfToken,
    nonce: Nonce,
    verifier: PkceCodeVerifier,
}

fn start(oidc: &RelyingParty, ask: Ask) -> Started {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = oidc
        .client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge);
    if let Some(acr) = ask.acr {
        request = request.add_auth_context_value(AuthenticationContextClass::new(acr.into()));
    }
    if let Some(seconds) = ask.max_age {
        request = request.set_max_age(Duration::from_secs(seconds));
    }
    if ask.prompt_login {
        request = request.add_prompt(CoreAuthPrompt::Login);
    }
    let (url, state, nonce) = request.url();
    Started {
        url: url.to_string(),
        state,
        nonce,
        verifier,
    }
}

/// Checks the authorization response `back` (state and RFC 9207 `iss`), redeems its code with
/// the library and returns the verified ID token's claims.
async fn redeem(
    app: &TestApp,
    oidc: &RelyingParty,
    started: Started,
    back: &str,
) -> CoreIdTokenClaims {
    assert!(
        back.starts_with(REDIRECT_URI),
        "a redirect to the client: {back}"
    );
    let pairs = query_pairs(back);
    assert_eq!(param(&pairs, "error"), None, "{back}");
    assert_eq!(
        param(&pairs, "state").as_deref(),
        Some(started.state.secret().as_str())
    );
    assert_eq!(param(&pairs, "iss").as_deref(), Some(app.base.as_str()));
    let code = AuthorizationCode::new(param(&pairs, "code").expect("a code"));
    let tokens = oidc
        .client
        .exchange_code(code)
        .expect("token endpoint")
        .set_pkce_verifier(started.verifier)
        .request_async(&oidc.http)
        .await
        .unwrap_or_else(|e| panic!("the code is exchanged: {e:?}"));
    tokens
        .id_token()
        .expect("an ID token")
        .claims(&oidc.client.id_token_verifier(), &started.nonce)
        .unwrap_or_else(|e| panic!("the ID token verifies: {e:?}"))
        .clone()
}

fn acr(claims: &CoreIdTokenClaims) -> String {
    claims
        .auth_context_ref()
        .expect("an acr claim")
        .as_str()
        .to_owned()
}

fn amr(claims: &CoreIdTokenClaims) -> Vec<String> {
    claims
        .auth_method_refs()
        .expect("an amr claim")
        .iter()
        .map(|m| m.as_str().to_owned())
        .collect()
}

fn auth_time(claims: &CoreIdTokenClaims) -> i64 {
    claims.auth_time().expect("an auth_time claim").timestamp()
}

async fn client(app: &TestApp, mfa: &'static str) -> Rp {
    app.create_client(ClientSpec {
        mfa,
        ..ClientSpec::default()
    })
    .await
}

/// A user with an authenticator app.
async fn user_with_totp(app: &TestApp, email: &str) -> Phone {
    app.create_user(email).await;
    app.enroll_totp(&app.signed_in_browser(email).await, "Pixel")
        .await
}

/// A browser whose session is a password alone (`[pwd]`): signed in to a client with `mfa=off`.
async fn password_session(app: &TestApp, email: &str) -> reqwest::Client {
    let off = client(app, "off").await;
    let browser = app.browser();
    app.sign_in(&browser, &off, email, &[]).await;
    browser
}

/// On the `/mfa` page at `mfa_page`, enters the authenticator code; returns where it leads.
async fn enter_app_code(
    app: &TestApp,
    browser: &reqwest::Client,
    mfa_page: &str,
    phone: &Phone,
) -> String {
    assert!(mfa_page.starts_with("/mfa?track_id="), "{mfa_page}");
    let page = get_text(browser, app.url(mfa_page)).await;
    assert!(page.contains("autocomplete=\"one-time-code\""), "{page}");
    let request_id = param(&query_pairs(mfa_page), "requestId").expect("requestId");
    let response = browser
        .post(app.url("/mfa"))
        .form(&[
            ("track_id", hidden_field(&page, "track_id")),
            ("requestId", request_id),
            ("csrf_token", hidden_field(&page, "csrf_token")),
            ("pass_code", phone.code(app, 0)),
        ])
        .send()
        .await
        .unwrap();
    location(&response)
}

/// Asserts that `back` tells the client its two-factor request cannot be met (OIDC Core
/// §3.1.2.6), with its state and our `iss`, and no code.
fn assert_unmet(app: &TestApp, back: &str, state: &str) {
    assert!(back.starts_with(REDIRECT_URI), "to the client: {back}");
    let pairs = query_pairs(back);
    assert_eq!(
        param(&pairs, "error").as_deref(),
        Some("unmet_authentication_requirements"),
        "{back}"
    );
    assert!(
        param(&pairs, "error_description").is_some_and(|d| d.contains("two factors")),
        "{back}"
    );
    assert_eq!(param(&pairs, "state").as_deref(), Some(state));
    assert_eq!(param(&pairs, "iss").as_deref(), Some(app.base.as_str()));
    assert_eq!(param(&pairs, "code"), None);
}

#[tokio::test]
async fn discovery_advertises_acr_values_1_and_2() {
    let app = TestApp::spawn().await;
    let http = openidconnect::reqwest::Client::builder()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let metadata = ProviderMetadataWithLogout::discover_async(
        IssuerUrl::new(app.base.clone()).unwrap(),
        &http,
    )
    .await
    .unwrap();
    let supported: Vec<&str> = metadata
        .acr_values_supported()
        .expect("acr_values_supported")
        .iter()
        .map(|a| a.as_str())
        .collect();
    assert_eq!(supported, ["1", "2"]);
}

#[tokio::test]
async fn a_password_session_steps_up_to_acr_2_with_only_the_authenticator_code() {
    let app = TestApp::spawn().await;
    let phone = user_with_totp(&app, ADA).await;
    let browser = password_session(&app, ADA).await;
    let signed_in_at = app.clock.now();
    let rp = client(&app, "off").await;
    let oidc = RelyingParty::discover(&app, &rp).await;

    // one factor is what this application asks by default: the session answers at once
    let plain = start(&oidc, Ask::default());
    let back = location(&browser.get(&plain.url).send().await.unwrap());
    let claims = redeem(&app, &oidc, plain, &back).await;
    assert_eq!(
        (acr(&claims), amr(&claims)),
        ("1".to_owned(), vec!["pwd".to_owned()])
    );

    // prompt=none cannot step up: there is something to enter
    let mut silent = code_request(&rp);
    silent.extend([("acr_values", "2"), ("prompt", "none"), ("state", "s-1")]);
    let back = location(&app.authorize(&browser, &silent).await);
    assert_eq!(
        param(&query_pairs(&back), "error").as_deref(),
        Some("login_required"),
        "{back}"
    );

    app.clock.advance(100);
    let stepped_at = app.clock.now();
    let asked = start(
        &oidc,
        Ask {
            acr: Some("2"),
            ..Ask::default()
        },
    );
    let next = location(&browser.get(&asked.url).send().await.unwrap());
    assert!(
        next.starts_with("/mfa?track_id="),
        "the session's password stands; only the app's code is asked: {next}"
    );
    let back = enter_app_code(&app, &browser, &next, &phone).await;
    let claims = redeem(&app, &oidc, asked, &back).await;
    assert_eq!(acr(&claims), "2");
    assert_eq!(amr(&claims), ["pwd", "otp", "mfa"]);
    assert!(
        auth_time(&claims) >= stepped_at && auth_time(&claims) >= signed_in_at + 100,
        "auth_time {} is the step-up (at {stepped_at}), not the password sign-in ({signed_in_at})",
        auth_time(&claims)
    );

    // the session now has both factors: the next acr=2 request is answered at once
    let again = start(
        &oidc,
        Ask {
            acr: Some("2"),
            ..Ask::default()
        },
    );
    let back = location(&browser.get(&again.url).send().await.unwrap());
    let claims = redeem(&app, &oidc, again, &back).await;
    assert_eq!((acr(&claims), amr(&claims).len()), ("2".to_owned(), 3));
}

#[tokio::test]
async fn auth_time_is_the_sign_in_and_max_age_0_forces_a_new_one() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let rp = client(&app, "optional").await;
    let oidc = RelyingParty::discover(&app, &rp).await;
    let browser = app.browser();
    let (tokens, nonce) = oidc.sign_in(&app, &browser, ADA).await;
    let first = tokens
        .id_token()
        .unwrap()
        .claims(&oidc.client.id_token_verifier(), &nonce)
        .unwrap()
        .clone();

    // a later token from the same session keeps the time of the sign-in
    app.clock.advance(100);
    let reused = start(&oidc, Ask::default());
    let back = location(&browser.get(&reused.url).send().await.unwrap());
    let claims = redeem(&app, &oidc, reused, &back).await;
    assert_eq!(auth_time(&claims), auth_time(&first));
    assert!(claims.issue_time().timestamp() >= auth_time(&first) + 100);

    // max_age=0: the password again, and a new auth_time
    let fresh = start(
        &oidc,
        Ask {
            max_age: Some(0),
            ..Ask::default()
        },
    );
    let login = location(&browser.get(&fresh.url).send().await.unwrap());
    assert!(login.starts_with("/login?requestId="), "{login}");
    let (request_id, csrf) = app.open_login_page(&browser, &login).await;
    let back = location(
        &app.submit_login(&browser, &request_id, &csrf, ADA, PASSWORD)
            .await,
    );
    let claims = redeem(&app, &oidc, fresh, &back).await;
    assert!(
        auth_time(&claims) >= auth_time(&first) + 100,
        "a new auth_time: {} after {}",
        auth_time(&claims),
        auth_time(&first)
    );
    assert_eq!(
        (acr(&claims), amr(&claims)),
        ("1".to_owned(), vec!["pwd".to_owned()])
    );
}

#[tokio::test]
async fn prompt_login_asks_for_the_password_again_instead_of_stepping_up_the_session() {
    let app = TestApp::spawn().await;
    let phone = user_with_totp(&app, ADA).await;
    let browser = password_session(&app, ADA).await;
    let rp = client(&app, "off").await;
    let oidc = RelyingParty::discover(&app, &rp).await;

    app.clock.advance(100);
    let started = start(
        &oidc,
        Ask {
            acr: Some("2"),
            prompt_login: true,
            ..Ask::default()
        },
    );
    let login = location(&browser.get(&started.url).send().await.unwrap());
    assert!(
        login.starts_with("/login?requestId="),
        "prompt=login: a fresh sign-in, not the session's password: {login}"
    );
    let (request_id, csrf) = app.open_login_page(&browser, &login).await;
    let at_password = app.clock.now();
    let mfa = location(
        &app.submit_login(&browser, &request_id, &csrf, ADA, PASSWORD)
            .await,
    );
    let back = enter_app_code(&app, &browser, &mfa, &phone).await;
    let claims = redeem(&app, &oidc, started, &back).await;
    assert_eq!(acr(&claims), "2");
    assert_eq!(amr(&claims), ["pwd", "otp", "mfa"]);
    assert!(auth_time(&claims) >= at_password);

    // a two-factor session is not enough either when the application says prompt=login
    let started = start(
        &oidc,
        Ask {
            prompt_login: true,
            ..Ask::default()
        },
    );
    let login = location(&browser.get(&started.url).send().await.unwrap());
    assert!(login.starts_with("/login?requestId="), "{login}");
}

#[tokio::test]
async fn acr_2_for_a_user_without_a_second_factor_ends_in_unmet_authentication_requirements() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let rp = client(&app, "optional").await;
    let oidc = RelyingParty::discover(&app, &rp).await;
    for browser in [app.browser(), password_session(&app, ADA).await] {
        let started = start(
            &oidc,
            Ask {
                acr: Some("2"),
                ..Ask::default()
            },
        );
        let login = location(&browser.get(&started.url).send().await.unwrap());
        assert!(login.starts_with("/login?requestId="), "{login}");
        let (request_id, csrf) = app.open_login_page(&browser, &login).await;
        let back = location(
            &app.submit_login(&browser, &request_id, &csrf, ADA, PASSWORD)
                .await,
        );
        assert_unmet(&app, &back, started.state.secret());
        // the request is over: the form cannot be sent again
        let again = app
            .submit_login(&browser, &request_id, &csrf, ADA, PASSWORD)
            .await;
        assert_eq!(again.status(), 400);
    }

    // "2 1" accepts one factor: the same user signs in
    let back = app
        .sign_in(&app.browser(), &rp, ADA, &[("acr_values", "2 1")])
        .await;
    assert!(param(&back, "code").is_some(), "{back:?}");
}

#[tokio::test]
async fn the_json_verification_finish_also_ends_in_unmet_authentication_requirements() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let rp = client(&app, "optional").await;
    let browser = app.browser();
    let mut params = code_request(&rp);
    params.extend([("acr_values", "2"), ("state", "json-1")]);
    let login = location(&app.authorize(&browser, &params).await);
    let (request_id, _) = app.open_login_page(&browser, &login).await;

    let http = reqwest::Client::new();
    let (status, started) = post_json(
        &http,
        app.url("/verification-srv/authentication/password/initiation"),
        json!({"request_id": request_id, "usage_type": "INITIAL_AUTHENTICATION", "email": ADA}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    let (status, verified) = post_json(
        &http,
        app.url("/verification-srv/authentication/password/verification"),
        json!({
            "exchange_id": started["data"]["exchange_id"]["exchange_id"],
            "password": PASSWORD,
        }),
    )
    .await;
    assert_eq!(status, 200, "{verified}");
    let data: &Value = &verified["data"];
    let done = browser
        .post(app.url("/login-srv/verification/login"))
        .form(&[
            ("requestId", request_id.as_str()),
            ("status_id", data["status_id"].as_str().unwrap()),
            ("verificationType", "PASSWORD"),
            ("sub", data["sub"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_unmet(&app, &location(&done), "json-1");
}
