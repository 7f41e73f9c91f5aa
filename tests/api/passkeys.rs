//! Passkeys through the verification service (type `FIDO2`, also `PASSKEY`), as a custom login UI
//! would drive them, with the software authenticator of `passkey_authenticator.rs`: a
//! discoverable sign-in needs no email and, with user verification, satisfies `--mfa always`;
//! and the attacks — another user's credential, a replayed assertion, a used exchange, a
//! removed passkey, a regressed signature counter.

use gatehouse::domain::passkey::Passkey;
use gatehouse::flows::passkeys::{self, registration};
use serde_json::{Value, json};

use crate::cidaas_sdk::{exchange_of, passwordless_login, str_of};
use crate::helpers::*;
use crate::passkey_authenticator::SoftKey;
use crate::totp::decode_claims;

const INITIATE: &str = "/verification-srv/v2/authenticate/initiate/FIDO2";
const AUTHENTICATE: &str = "/verification-srv/v2/authenticate/authenticate/FIDO2";

/// Registers `key` as a passkey of `user_id` through the registration flow (the account page's).
pub async fn register(app: &TestApp, user_id: &str, key: &mut SoftKey) -> Passkey {
    let id = user_id.to_owned();
    let user = app
        .state
        .store
        .run(move |c| gatehouse::store::users::find_user(c, &id))
        .await
        .unwrap()
        .unwrap();
    let started = registration::start(&app.state, &user)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        started.options["publicKey"]["authenticatorSelection"]["residentKey"],
        "required"
    );
    let answer = key.register(&started.options).to_string();
    registration::finish(
        &app.state,
        &Default::default(),
        &user,
        &started.ceremony_id,
        &answer,
        "Test key",
    )
    .await
    .unwrap()
    .expect("registered")
}

pub async fn soft_key(app: &TestApp) -> SoftKey {
    SoftKey::new(&passkeys::origin(&app.state).unwrap())
}

async fn initiate(app: &TestApp, body: Value) -> (u16, Value) {
    post_json(&reqwest::Client::new(), app.url(INITIATE), body).await
}

async fn authenticate(app: &TestApp, exchange_id: &str, credential: Value) -> (u16, Value) {
    let body = json!({"exchange_id": exchange_id, "type": "FIDO2", "credential": credential});
    post_json(&reqwest::Client::new(), app.url(AUTHENTICATE), body).await
}

struct Setup {
    app: TestApp,
    rp: Rp,
    sub: String,
    key: SoftKey,
    browser: reqwest::Client,
    request_id: String,
}

async fn setup(mfa: &'static str) -> Setup {
    let app = TestApp::spawn().await;
    let sub = app.create_user("ada@example.com").await;
    let mut key = soft_key(&app).await;
    register(&app, &sub, &mut key).await;
    let rp = app
        .create_client(ClientSpec {
            mfa,
            ..ClientSpec::default()
        })
        .await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    Setup {
        app,
        rp,
        sub,
        key,
        browser,
        request_id,
    }
}

#[tokio::test]
async fn a_user_verified_passkey_signs_in_without_an_email_and_satisfies_mfa_always() {
    let mut s = setup("always").await;
    let (status, started) = initiate(
        &s.app,
        json!({"request_id": s.request_id, "usage_type": "PASSWORDLESS_AUTHENTICATION"}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    let options = &started["data"]["options"];
    assert_eq!(options["publicKey"]["userVerification"], "required");
    assert_eq!(options["publicKey"]["rpId"], "localhost");

    let (status, verified) =
        authenticate(&s.app, &exchange_of(&started), s.key.assert(options)).await;
    assert_eq!(status, 200, "{verified}");
    let back = passwordless_login(
        &s.app,
        &s.browser,
        &s.request_id,
        "FIDO2",
        &str_of(&started, "sub"),
        &str_of(&verified, "status_id"),
    )
    .await;
    assert!(back.starts_with(&s.rp.redirect_uri), "{back}");
    let code = param(&query_pairs(&back), "code").expect("a code");
    let tokens: Value = s.app.redeem(&s.rp, &code).await.json().await.unwrap();
    let claims = decode_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["sub"], s.sub.as_str());
    assert_eq!(claims["amr"], json!(["hwk", "user", "mfa"]));
    assert_eq!(claims["acr"], "2");

    let used: Vec<Passkey> = passkeys::list(&s.app.state, &s.sub).await.unwrap();
    assert_eq!(used[0].counter, 1);
    assert!(used[0].last_used_at.is_some());
}

#[tokio::test]
async fn a_synced_passkey_is_reported_as_a_software_key_under_its_type_name_passkey() {
    let app = TestApp::spawn().await;
    let sub = app.create_user("ada@example.com").await;
    let mut key = soft_key(&app).await;
    key.synced = true;
    let stored = register(&app, &sub, &mut key).await;
    assert!(stored.backup_eligible && stored.backup_state);
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let (status, started) = post_json(
        &reqwest::Client::new(),
        app.url("/verification-srv/authentication/passkey/initiation"),
        json!({"request_id": request_id, "email": "ada@example.com"}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    let options = &started["data"]["options"];
    // a named user gets the options for their own passkey
    let allowed = options["publicKey"]["allowCredentials"].as_array().unwrap();
    assert_eq!(allowed.len(), 1);
    let (status, verified) = authenticate(&app, &exchange_of(&started), key.assert(options)).await;
    assert_eq!(status, 200, "{verified}");
    let back = passwordless_login(
        &app,
        &browser,
        &request_id,
        "PASSKEY",
        &str_of(&started, "sub"),
        &str_of(&verified, "status_id"),
    )
    .await;
    let code = param(&query_pairs(&back), "code").expect("a code");
    let tokens: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    let claims = decode_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["amr"], json!(["swk", "user", "mfa"]));
}

#[tokio::test]
async fn another_users_passkey_is_refused_for_a_named_user() {
    let mut s = setup("optional").await;
    s.app.create_user("bob@example.com").await;
    let (status, started) = initiate(
        &s.app,
        json!({"request_id": s.request_id, "email": "bob@example.com"}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    // Bob has no passkey: discoverable options; Ada's key answers them
    let answer = s.key.assert(&started["data"]["options"]);
    let (status, refused) = authenticate(&s.app, &exchange_of(&started), answer).await;
    assert_eq!(status, 401, "{refused}");
    assert_eq!(refused["error"]["code"], "invalid_credential");
}

#[tokio::test]
async fn a_replayed_assertion_and_a_used_exchange_are_refused() {
    let mut s = setup("optional").await;
    let body = json!({"request_id": s.request_id});
    let (_, started) = initiate(&s.app, body.clone()).await;
    let answer = s.key.assert(&started["data"]["options"]);
    let (status, _) = authenticate(&s.app, &exchange_of(&started), answer.clone()).await;
    assert_eq!(status, 200);
    // the same exchange again
    let (status, again) = authenticate(&s.app, &exchange_of(&started), answer.clone()).await;
    assert_eq!(status, 400, "{again}");
    assert_eq!(again["error"]["code"], "invalid_exchange_id");
    // the same assertion on a new exchange: its challenge was another ceremony's
    let (_, fresh) = initiate(&s.app, body).await;
    let (status, replayed) = authenticate(&s.app, &exchange_of(&fresh), answer).await;
    assert_eq!(status, 401, "{replayed}");
    // nonsense is refused like a wrong code, not a 500 (each challenge is tried once)
    let (_, fresh) = initiate(&s.app, json!({"request_id": s.request_id})).await;
    let (status, bad) = authenticate(&s.app, &exchange_of(&fresh), json!("not json")).await;
    assert_eq!(status, 401, "{bad}");
    assert_eq!(bad["error"]["type"], "VerificationFailed");
    let (status, missing) = post_json(
        &reqwest::Client::new(),
        s.app.url(AUTHENTICATE),
        json!({"exchange_id": exchange_of(&fresh)}),
    )
    .await;
    assert_eq!(status, 400, "{missing}");
    assert_eq!(missing["error"]["code"], "credential_required");
}

#[tokio::test]
async fn a_removed_passkey_is_refused() {
    let mut s = setup("optional").await;
    let stored = passkeys::list(&s.app.state, &s.sub).await.unwrap();
    assert!(
        passkeys::remove(
            &s.app.state,
            &Default::default(),
            &s.sub,
            &stored[0].id,
            &s.sub
        )
        .await
        .unwrap()
    );
    let (_, started) = initiate(&s.app, json!({"request_id": s.request_id})).await;
    let answer = s.key.assert(&started["data"]["options"]);
    let (status, refused) = authenticate(&s.app, &exchange_of(&started), answer).await;
    assert_eq!(status, 401, "{refused}");
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    app.state
        .store
        .run(|c| gatehouse::store::audit::list_audit_events(c, None, 100))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn a_regressed_signature_counter_is_refused_and_audited() {
    let mut s = setup("optional").await;
    let body = json!({"request_id": s.request_id});
    let (_, started) = initiate(&s.app, body.clone()).await;
    let answer = s.key.assert(&started["data"]["options"]);
    assert_eq!(
        authenticate(&s.app, &exchange_of(&started), answer).await.0,
        200
    );

    // a clone of the key still at counter 1
    let (_, started) = initiate(&s.app, body.clone()).await;
    let cloned = s.key.assert_with_counter(&started["data"]["options"], 1);
    let (status, refused) = authenticate(&s.app, &exchange_of(&started), cloned).await;
    assert_eq!(status, 401, "{refused}");
    assert!(
        refused["error"]["error"]
            .as_str()
            .unwrap()
            .contains("counter")
    );

    // the stored counter moved past the key's (another copy was used): refused too
    let stored = passkeys::list(&s.app.state, &s.sub).await.unwrap();
    let id = stored[0].id.clone();
    s.app
        .state
        .store
        .run(move |c| gatehouse::store::passkeys::set_counter(c, &id, 50))
        .await
        .unwrap();
    let (_, started) = initiate(&s.app, body).await;
    let answer = s.key.assert(&started["data"]["options"]);
    let (status, _) = authenticate(&s.app, &exchange_of(&started), answer).await;
    assert_eq!(status, 401);
    let actions = audit_actions(&s.app).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "passkey.counter_regression")
            .count(),
        2,
        "{actions:?}"
    );
    assert_eq!(
        passkeys::list(&s.app.state, &s.sub).await.unwrap()[0].counter,
        50
    );
}

#[tokio::test]
async fn the_configured_list_names_fido2_and_housekeeping_drops_unused_ceremonies() {
    let s = setup("optional").await;
    let (status, listed) = post_json(
        &reqwest::Client::new(),
        s.app
            .url("/verification-srv/v2/setup/public/configured/list"),
        json!({"request_id": s.request_id, "email": "ada@example.com"}),
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    let types: Vec<&str> = listed["data"]["configured_list"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["type"].as_str())
        .collect();
    assert!(types.contains(&"FIDO2"), "{types:?}");

    let (_, started) = initiate(&s.app, json!({"request_id": s.request_id})).await;
    s.app
        .clock
        .advance(gatehouse::domain::passkey::CEREMONY_TTL + 1);
    assert!(
        gatehouse::flows::housekeeping::clean(&s.app.state)
            .await
            .unwrap()
            >= 1
    );
    // the exchange outlived its ceremony by nothing: the answer is refused
    let mut key = s.key;
    let answer = key.assert(&started["data"]["options"]);
    let (status, _) = authenticate(&s.app, &exchange_of(&started), answer).await;
    assert!(status == 400 || status == 401, "{status}");
}

#[tokio::test]
async fn a_registration_is_finished_once_by_its_own_user_and_a_credential_is_registered_once() {
    use registration::RegisterRefusal;
    let app = TestApp::spawn().await;
    let find = |id: String| {
        let store = app.state.store.clone();
        async move {
            store
                .run(move |c| gatehouse::store::users::find_user(c, &id))
                .await
                .unwrap()
                .unwrap()
        }
    };
    let ada = find(app.create_user("ada@example.com").await).await;
    let eve = find(app.create_user("eve@example.com").await).await;
    let mut key = soft_key(&app).await;
    let started = registration::start(&app.state, &ada)
        .await
        .unwrap()
        .unwrap();
    let answer = key.register(&started.options).to_string();
    let finish = |user: gatehouse::domain::user::User, ceremony: String, answer: String| {
        let state = app.state.clone();
        async move {
            registration::finish(&state, &Default::default(), &user, &ceremony, &answer, "K")
                .await
                .unwrap()
        }
    };
    // Eve cannot finish Ada's registration (and it is spent by the try)
    let stolen = finish(eve.clone(), started.ceremony_id.clone(), answer.clone()).await;
    assert_eq!(stolen, Err(RegisterRefusal::UnknownCeremony));
    let again = finish(ada.clone(), started.ceremony_id.clone(), answer).await;
    assert_eq!(again, Err(RegisterRefusal::UnknownCeremony));

    let started = registration::start(&app.state, &ada)
        .await
        .unwrap()
        .unwrap();
    let answer = key.register(&started.options).to_string();
    assert!(
        finish(ada.clone(), started.ceremony_id, answer)
            .await
            .is_ok()
    );
    // the same authenticator again, for Eve: one credential, one account
    let started = registration::start(&app.state, &eve)
        .await
        .unwrap()
        .unwrap();
    let answer = key.register(&started.options).to_string();
    let twice = finish(eve, started.ceremony_id, answer).await;
    assert_eq!(twice, Err(RegisterRefusal::Duplicate));
}
