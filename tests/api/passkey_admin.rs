//! Passkeys in the admin area: a user's passkeys on their admin page (kind, last used) with
//! removal (audited, the passkey no longer signs in), and the installation-wide switch on
//! `/admin/methods` (off: no link, no page, no `FIDO2` in the verification service).

use gatehouse::flows::passkeys;
use serde_json::json;

use crate::account::account_browser;
use crate::admin_settings::save;
use crate::helpers::*;
use crate::passkeys::{register, soft_key};

#[tokio::test]
async fn an_admin_sees_a_users_passkeys_and_removes_one() {
    let app = TestApp::spawn().await;
    app.create_admin("root@example.com").await;
    let (admin, _) = account_browser(&app, "root@example.com").await;
    let sub = app.create_user("ada@example.com").await;
    let mut key = soft_key(&app).await;
    let stored = register(&app, &sub, &mut key).await;

    let page = get_text(&admin, app.url(&format!("/admin/users/{sub}"))).await;
    assert!(
        page.contains(&format!("id=\"passkey-{}\"", stored.id)),
        "{page}"
    );
    assert!(page.contains("Device-bound (security key)"));
    let csrf = hidden_field(&page, "csrf_token");
    let url = app.url(&format!("/admin/users/{sub}/passkeys/{}/remove", stored.id));
    let removed = admin
        .post(&url)
        .form(&[("csrf_token", &csrf)])
        .send()
        .await
        .unwrap();
    assert!(removed.status().is_redirection(), "{}", removed.status());
    let page = get_text(&admin, app.url(&location(&removed))).await;
    assert!(page.contains("Passkey removed."));
    assert!(page.contains("No passkey."));
    assert!(passkeys::list(&app.state, &sub).await.unwrap().is_empty());
    // again: nothing to remove
    let again = admin
        .post(&url)
        .form(&[("csrf_token", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
    let events = app
        .state
        .store
        .run(move |c| gatehouse::store::audit::list_user_events(c, &sub, "passkey.remove", 5))
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_ne!(
        events[0].actor, events[0].user_id,
        "by the admin, not the user"
    );
}

#[tokio::test]
async fn passkeys_switched_off_on_admin_methods_are_offered_nowhere() {
    let app = TestApp::spawn().await;
    app.create_admin("root@example.com").await;
    let (admin, _) = account_browser(&app, "root@example.com").await;
    let page = get_text(&admin, app.url("/admin/methods")).await;
    assert!(page.contains("Passkeys (WebAuthn / FIDO2)"));
    let saved = save(&app, &admin, &[], &["enabled_fido2"]).await;
    assert_eq!(saved.status(), 303);

    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let login = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
    assert!(!login.contains("Sign in with a passkey"));
    let page = browser
        .get(app.url(&format!("/login/passkey?requestId={request_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 400);
    let (status, answer) = post_json(
        &reqwest::Client::new(),
        app.url("/verification-srv/v2/authenticate/initiate/FIDO2"),
        json!({"request_id": request_id}),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["code"], "method_not_available");
}

#[tokio::test]
async fn an_application_that_does_not_allow_passkeys_offers_none_and_refuses_one() {
    let app = TestApp::spawn().await;
    let sub = app.create_user("ada@example.com").await;
    let mut key = soft_key(&app).await;
    register(&app, &sub, &mut key).await;
    let rp = app.confidential_client().await;
    let client_id = rp.client_id.clone();
    app.state
        .store
        .run(move |c| {
            use diesel::prelude::*;
            diesel::sql_query(
                "UPDATE clients SET allowed_methods = 'password totp' WHERE id = '".to_owned()
                    + &client_id
                    + "'",
            )
            .execute(c)
            .map_err(gatehouse::store::StoreError::from)
        })
        .await
        .unwrap();
    gatehouse::flows::clients::changed(&app.state);
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let login = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
    assert!(!login.contains("Sign in with a passkey"));
    let (status, answer) = post_json(
        &reqwest::Client::new(),
        app.url("/verification-srv/v2/authenticate/initiate/FIDO2"),
        json!({"request_id": request_id}),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["code"], "method_not_allowed");
}
