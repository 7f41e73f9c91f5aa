//! Throttling of password guesses per sign-in name: the hosted page, the verification service
//! and the account page lock after `password_attempts` wrong passwords, unknown addresses lock
//! exactly like accounts, parallel guesses are counted exactly, and a right password, a reset by
//! email or `gatehouse user unlock` clears the count.

use gatehouse::domain::one_time_code::{subject_for_name, subject_for_user};
use gatehouse::domain::policy::PASSWORD_LOCK_CHANNEL;
use gatehouse::store;
use gatehouse::store::code_lockouts::CodeLockout;
use serde_json::json;

use crate::helpers::*;
use crate::register::{NEW_PASSWORD, app_with_mail};

const ADA: &str = "ada@example.com";
const NOBODY: &str = "nobody@example.com";

/// One try on the hosted password form: (error, minutes) of the redirect back to the login page,
/// or `None` when the sign-in went on to the client.
async fn try_password(
    app: &TestApp,
    browser: &reqwest::Client,
    request_id: &str,
    email: &str,
    password: &str,
) -> Option<(String, Option<String>)> {
    let login = get_text(browser, app.url(&format!("/login?requestId={request_id}"))).await;
    let csrf = hidden_field(&login, "csrf_token");
    let to = location(
        &app.submit_login(browser, request_id, &csrf, email, password)
            .await,
    );
    if !to.starts_with("/login?") {
        return None;
    }
    let pairs = query_pairs(&to);
    Some((param(&pairs, "error").unwrap(), param(&pairs, "minutes")))
}

fn wrong() -> Option<(String, Option<String>)> {
    Some(("invalid_username_password".into(), None))
}

fn locked(minutes: &str) -> Option<(String, Option<String>)> {
    Some(("password_locked".into(), Some(minutes.into())))
}

/// The password lockout row of `subject`, if any.
async fn lockout(app: &TestApp, subject: String) -> Option<CodeLockout> {
    app.state
        .store
        .run(move |c| store::code_lockouts::find_lockout(c, &subject, PASSWORD_LOCK_CHANNEL))
        .await
        .unwrap()
}

fn unknown_subject(email: &str) -> String {
    subject_for_name(&gatehouse::domain::ids::hash_secret(email))
}

/// Runs `n` wrong passwords for `email` on one login; returns the answers.
async fn wrong_passwords(
    app: &TestApp,
    browser: &reqwest::Client,
    request_id: &str,
    email: &str,
    n: usize,
) -> Vec<Option<(String, Option<String>)>> {
    let mut answers = Vec::new();
    for i in 0..n {
        answers.push(try_password(app, browser, request_id, email, &format!("guess {i}")).await);
    }
    answers
}

#[tokio::test]
async fn ten_wrong_passwords_lock_the_hosted_sign_in_until_the_lock_ends() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;

    let answers = wrong_passwords(&app, &browser, &request_id, ADA, 10).await;
    assert_eq!(answers[..9], vec![wrong(); 9][..]);
    assert_eq!(answers[9], locked("5"), "the tenth locks for 5 minutes");

    let page = get_text(
        &browser,
        app.url(&format!(
            "/login?requestId={request_id}&error=password_locked&minutes=5"
        )),
    )
    .await;
    assert!(
        page.contains(&format!(
            "id=\"login-error\">Too many wrong passwords. Try again in 5 minutes, or <a id=\"locked-reset\" href=\"/password/forgot?requestId={request_id}\">reset your password</a>.</div>"
        )),
        "{page}"
    );

    // The right password is refused while locked, and accepted once the lock has ended.
    assert_eq!(
        try_password(&app, &browser, &request_id, ADA, PASSWORD).await,
        locked("5")
    );
    app.clock.advance(299);
    assert_eq!(
        try_password(&app, &browser, &request_id, ADA, PASSWORD).await,
        locked("1")
    );
    app.clock.advance(2);
    assert_eq!(
        try_password(&app, &browser, &request_id, ADA, PASSWORD).await,
        None
    );
    assert!(
        lockout(&app, subject_for_user(&sub)).await.is_none(),
        "the right password reset the count"
    );

    let events = app
        .state
        .store
        .run(move |c| store::audit::list_audit_events(c, Some(&sub), 100))
        .await
        .unwrap();
    let locks: Vec<_> = events
        .iter()
        .filter(|e| e.action == "login.password_locked")
        .collect();
    assert_eq!(locks.len(), 1, "one event per lock");
    assert_eq!(locks[0].outcome, "failure");
    assert!(
        locks[0]
            .detail
            .contains("10 wrong passwords in a row (hosted sign-in)"),
        "{}",
        locks[0].detail
    );
}

#[tokio::test]
async fn an_unknown_address_is_locked_exactly_like_an_account() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;

    let known = wrong_passwords(&app, &browser, &request_id, ADA, 11).await;
    let unknown = wrong_passwords(&app, &browser, &request_id, NOBODY, 11).await;
    assert_eq!(known, unknown);
    assert_eq!(unknown[9], locked("5"));
    assert_eq!(unknown[10], locked("5"));

    // Counted under the normalised address: another spelling is the same name.
    let row = lockout(&app, unknown_subject(NOBODY)).await.unwrap();
    assert_eq!(row.failure_count, 10);
    assert_eq!(
        try_password(&app, &browser, &request_id, " NoBody@Example.com", "x").await,
        locked("5")
    );
}

#[tokio::test]
async fn a_right_password_resets_the_count() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    wrong_passwords(&app, &browser, &request_id, ADA, 9).await;
    assert_eq!(
        lockout(&app, subject_for_user(&sub))
            .await
            .unwrap()
            .failure_count,
        9
    );
    assert_eq!(
        try_password(&app, &browser, &request_id, ADA, PASSWORD).await,
        None
    );
    assert!(lockout(&app, subject_for_user(&sub)).await.is_none());

    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let answers = wrong_passwords(&app, &browser, &request_id, ADA, 9).await;
    assert_eq!(answers, vec![wrong(); 9], "nine more do not lock");
}

/// Twenty different wrong passwords for ADA sent at once from one login page: where each
/// answer redirected to.
async fn twenty_parallel_guesses(app: &TestApp) -> Vec<String> {
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let login = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
    let csrf = hidden_field(&login, "csrf_token");
    let guesses = (0..20).map(|i| {
        let (browser, request_id, csrf) = (&browser, &request_id, &csrf);
        async move {
            location(
                &app.submit_login(browser, request_id, csrf, ADA, &format!("guess {i}"))
                    .await,
            )
        }
    });
    futures_util::future::join_all(guesses).await
}

#[tokio::test]
async fn twenty_parallel_wrong_passwords_are_counted_exactly() {
    let app = TestApp::spawn_with(|c| c.password_attempts = 100).await;
    let sub = app.create_user(ADA).await;
    let answers = twenty_parallel_guesses(&app).await;
    assert!(
        answers
            .iter()
            .all(|to| to.contains("error=invalid_username_password")),
        "{answers:?}"
    );
    let row = lockout(&app, subject_for_user(&sub)).await.unwrap();
    assert_eq!(row.failure_count, 20);
    assert_eq!(row.locked_until, None);
}

#[tokio::test]
async fn parallel_wrong_passwords_past_the_limit_lock_once_and_count_no_further() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let answers = twenty_parallel_guesses(&app).await;
    let wrong = answers
        .iter()
        .filter(|to| to.contains("error=invalid_username_password"))
        .count();
    let locked = answers
        .iter()
        .filter(|to| to.contains("error=password_locked"))
        .count();
    assert_eq!((wrong, locked), (9, 11), "{answers:?}");
    let row = lockout(&app, subject_for_user(&sub)).await.unwrap();
    assert_eq!(row.failure_count, 10, "nothing counted while locked");
    assert!(row.locked_until.is_some());
}

/// Initiates a password verification for `email`; returns the exchange id.
async fn initiate_password(app: &TestApp, http: &reqwest::Client, email: &str) -> String {
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let (status, started) = post_json(
        http,
        app.url("/verification-srv/authentication/password/initiation"),
        json!({"request_id": request_id, "email": email}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    started["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Verifies `password` on a fresh password verification of `email`.
async fn verify_password(app: &TestApp, email: &str, password: &str) -> (u16, serde_json::Value) {
    let http = reqwest::Client::new();
    let exchange = initiate_password(app, &http, email).await;
    post_json(
        &http,
        app.url("/verification-srv/authentication/password/verification"),
        json!({"exchange_id": exchange, "password": password}),
    )
    .await
}

/// The error of an envelope without its request-specific reference number.
fn error_of(body: &serde_json::Value) -> serde_json::Value {
    let mut error = body.clone();
    error["error"]["referenceNumber"] = json!(null);
    error
}

#[tokio::test]
async fn the_verification_service_answers_429_password_locked_for_known_and_unknown_names() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    for email in [ADA, NOBODY] {
        for _ in 0..9 {
            let (status, body) = verify_password(&app, email, "wrong").await;
            assert_eq!(status, 401, "{body}");
            assert_eq!(body["error"]["code"], "invalid_code");
        }
    }
    let (status, known) = verify_password(&app, ADA, "wrong").await;
    assert_eq!(status, 429);
    assert_eq!(
        error_of(&known),
        json!({
            "success": false,
            "status": 429,
            "error": {
                "code": "password_locked",
                "type": "PasswordLocked",
                "error": "Too many wrong passwords. Try again in 5 minutes, or reset your password.",
                "referenceNumber": null,
            }
        })
    );
    let (status, unknown) = verify_password(&app, NOBODY, "wrong").await;
    assert_eq!(status, 429);
    assert_eq!(
        error_of(&unknown),
        error_of(&known),
        "nothing tells them apart"
    );

    // The lock is shared with the hosted page: the right password waits there too.
    let (status, _) = verify_password(&app, ADA, PASSWORD).await;
    assert_eq!(status, 429);
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    assert_eq!(
        try_password(&app, &browser, &request_id, ADA, PASSWORD).await,
        locked("5")
    );
    app.clock.advance(301);
    let (status, body) = verify_password(&app, ADA, PASSWORD).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_client_cannot_point_the_count_at_someone_else_with_medium_id() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let request_id = app.start_login(&app.browser(), &rp).await;
    let http = reqwest::Client::new();
    let (_, started) = post_json(
        &http,
        app.url("/verification-srv/authentication/password/initiation"),
        json!({"request_id": request_id, "email": NOBODY, "medium_id": subject_for_user(&sub)}),
    )
    .await;
    let exchange = started["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap();
    post_json(
        &http,
        app.url("/verification-srv/authentication/password/verification"),
        json!({"exchange_id": exchange, "password": "wrong"}),
    )
    .await;
    assert!(lockout(&app, subject_for_user(&sub)).await.is_none());
    assert_eq!(
        lockout(&app, unknown_subject(NOBODY))
            .await
            .unwrap()
            .failure_count,
        1
    );
}

#[tokio::test]
async fn wrong_current_passwords_on_the_account_page_count_and_lock() {
    // A one-minute lock: the sign-in stays fresh enough to change the password afterwards.
    let app = TestApp::spawn_with(|c| c.password_lock_seconds = 60).await;
    let sub = app.create_user(ADA).await;
    let (browser, page) = crate::account::account_browser(&app, ADA).await;
    let csrf = hidden_field(&page, "csrf_token");
    let change = |current: &'static str| {
        let (browser, csrf, app) = (&browser, &csrf, &app);
        async move {
            browser
                .post(app.url("/account/password"))
                .form(&[
                    ("csrf_token", csrf.as_str()),
                    ("current_password", current),
                    ("new_password", "purple monkey dishwasher"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..9 {
        assert_eq!(change("not my password").await.status(), 422);
    }
    let tenth = change("not my password").await;
    assert_eq!(tenth.status(), 429);
    let body = tenth.text().await.unwrap();
    assert!(
        body.contains("id=\"current-password-error\">Too many wrong passwords. Try again in 1 minute, or reset your password."),
        "{body}"
    );
    let right = change(PASSWORD).await;
    assert_eq!(right.status(), 429, "refused while locked");
    let row = lockout(&app, subject_for_user(&sub)).await.unwrap();
    assert_eq!(row.failure_count, 10);
    app.clock.advance(61);
    let right = change(PASSWORD).await;
    assert_eq!(right.status(), 302, "accepted after the lock");
}

#[tokio::test]
async fn a_reset_by_email_clears_the_lock() {
    let (app, smtp) = app_with_mail().await;
    let sub = app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let answers = wrong_passwords(&app, &browser, &request_id, ADA, 10).await;
    assert_eq!(answers[9], locked("5"));

    let reset = crate::password_reset::forgot(&app, &browser, ADA, Some(&request_id)).await;
    let mail = smtp.wait_for_next(ADA).await;
    let done =
        crate::password_reset::submit(&app, &browser, &reset, ADA, &mail.code(), NEW_PASSWORD)
            .await;
    assert_eq!(done.status(), 200);
    assert!(lockout(&app, subject_for_user(&sub)).await.is_none());
    assert_eq!(
        try_password(&app, &browser, &request_id, ADA, NEW_PASSWORD).await,
        None,
        "the new password works at once"
    );
}

#[tokio::test]
async fn the_cli_unlock_clears_the_password_lock() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    wrong_passwords(&app, &browser, &request_id, ADA, 10).await;
    let store = app.state.store.clone();
    let out = tokio::task::spawn_blocking(move || gatehouse::cli::unlock_user(&store, ADA))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        out,
        "unlocked 0 authenticator(s), 0 code channel(s) and password sign-in of ada@example.com"
    );
    assert!(lockout(&app, subject_for_user(&sub)).await.is_none());
    assert_eq!(
        try_password(&app, &browser, &request_id, ADA, PASSWORD).await,
        None
    );
}

#[tokio::test]
async fn password_lock_settings_are_validated_next_to_their_fields() {
    let app = TestApp::spawn().await;
    app.create_admin("root@example.com").await;
    let admin = app.signed_in_browser("root@example.com").await;
    for (key, value, message) in [
        ("password_attempts", "2", "Must be between 3 and 100"),
        ("password_attempts", "101", "Must be between 3 and 100"),
        (
            "password_lock_seconds",
            "29",
            "Must be between 30 and 86400 seconds (one day)",
        ),
    ] {
        let refused = crate::admin_settings::save(&app, &admin, &[(key, value)], &[]).await;
        assert_eq!(refused.status(), 422);
        let page = refused.text().await.unwrap();
        assert!(
            page.contains(&format!(
                "<p class=\"field-error\" id=\"{key}-error\">{message}</p>"
            )),
            "{page}"
        );
        assert!(page.contains("aria-invalid=\"true\""));
    }
    let saved = crate::admin_settings::save(
        &app,
        &admin,
        &[("password_attempts", "3"), ("password_lock_seconds", "60")],
        &[],
    )
    .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(app.state.live().config.password_attempts, 3);
    assert_eq!(app.state.live().config.password_lock_seconds, 60);

    app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let answers = wrong_passwords(&app, &browser, &request_id, ADA, 3).await;
    assert_eq!(answers[2], locked("1"), "the saved rule applies at once");
}
