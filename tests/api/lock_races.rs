//! Lock checks are atomic with the attempt (API.md §6): parallel guesses against one TOTP
//! authenticator, one code channel or one password sign-in name are checked no more often than
//! the policy allows, a right code or password never wins once the lock is reached, and wrong
//! codes from someone who only typed a name never lock an account until an administrator
//! unlocks it — only guesses after the password was proven can.

use futures_util::future::join_all;
use gatehouse::domain::one_time_code::subject_for_user;
use gatehouse::domain::policy::{LOCKED_UNTIL_UNLOCKED, PASSWORD_LOCK_CHANNEL};
use gatehouse::domain::verification::Authenticator;
use gatehouse::store;
use gatehouse::store::code_lockouts::CodeLockout;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::smtp_server::SmtpServer;
use crate::totp::{CURRENT, path};

const ADA: &str = "ada@example.com";

/// Bursts per race test: each lets the right guess land at a random place among the wrong ones.
const ROUNDS: usize = 16;

/// Allowed clock drift between a request's `now` and the test's, in seconds.
const DRIFT: i64 = 2;

/// An app that serves a burst on several workers at once, as production does, so parallel
/// requests really overlap.
async fn racing_app(adjust: impl FnOnce(&mut gatehouse::Config)) -> TestApp {
    TestApp::spawn_with(|c| {
        c.workers = Some(4);
        c.db_pool_size = Some(10);
        // Every burst comes from one address (127.0.0.1): its guesses must race for all the
        // hashing slots, not queue behind a fair share of them (tests/api/limits.rs covers that).
        c.hash_slots_per_ip = usize::MAX;
        adjust(c);
    })
    .await
}

/// A digit string that is not `right`.
fn wrong_code(right: &str) -> &'static str {
    if right == "000000" {
        "111111"
    } else {
        "000000"
    }
}

fn locked_for(until: Option<i64>, app: &TestApp, seconds: i64) -> bool {
    until.is_some_and(|u| (u - (app.clock.now() + seconds)).abs() <= DRIFT)
}

/// ADA with one enrolled authenticator, and a client to sign in to.
async fn totp_user(app: &TestApp) -> (String, Phone, Rp) {
    let sub = app.create_user(ADA).await;
    let phone = app
        .enroll_totp(&app.signed_in_browser(ADA).await, "Pixel")
        .await;
    (sub, phone, app.confidential_client().await)
}

/// `n` TOTP verifications started for `who` in a fresh login; their exchange ids.
async fn totp_exchanges(app: &TestApp, rp: &Rp, who: Value, n: usize) -> Vec<String> {
    let request_id = app.start_login(&app.browser(), rp).await;
    let mut body = json!({"request_id": request_id, "usage_type": "PASSWORDLESS_AUTHENTICATION"});
    body.as_object_mut()
        .unwrap()
        .extend(who.as_object().unwrap().clone());
    let mut exchanges = Vec::new();
    for _ in 0..n {
        let (status, started) = post_json(
            &reqwest::Client::new(),
            app.url(&path(&CURRENT, 1, "totp")),
            body.clone(),
        )
        .await;
        assert_eq!(status, 200, "{started}");
        exchanges.push(exchange_of(&started));
    }
    exchanges
}

fn exchange_of(answer: &Value) -> String {
    answer["data"]["exchange_id"]["exchange_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// One verification-service check of `code` on `exchange` of `kind`.
async fn verify(app: &TestApp, kind: &str, exchange: &str, code: &str) -> (u16, Value) {
    verify_with(&reqwest::Client::new(), app, kind, exchange, code).await
}

async fn verify_with(
    http: &reqwest::Client,
    app: &TestApp,
    kind: &str,
    exchange: &str,
    code: &str,
) -> (u16, Value) {
    post_json(
        http,
        app.url(&path(&CURRENT, 2, kind)),
        json!({"exchange_id": exchange, "pass_code": code}),
    )
    .await
}

/// `n` HTTP clients, each with a connection already open, so a burst reaches the server at
/// once instead of one connection set-up after the other.
async fn warm_clients(app: &TestApp, n: usize) -> Vec<reqwest::Client> {
    let clients: Vec<reqwest::Client> = (0..n).map(|_| reqwest::Client::new()).collect();
    join_all(clients.iter().map(|http| async move {
        let url = app.url("/.well-known/openid-configuration");
        assert_eq!(http.get(url).send().await.unwrap().status(), 200);
    }))
    .await;
    clients
}

/// The codes sent at once, one per exchange (or all on one exchange when there is one).
async fn burst(app: &TestApp, kind: &str, exchanges: &[String], codes: &[&str]) -> Vec<u16> {
    let clients = warm_clients(app, codes.len()).await;
    let attempts = codes
        .iter()
        .zip(&clients)
        .enumerate()
        .map(|(i, (code, http))| {
            let exchange = &exchanges[i.min(exchanges.len() - 1)];
            async move { verify_with(http, app, kind, exchange, code).await.0 }
        });
    join_all(attempts).await
}

/// `wrong` wrong codes and one right one, the right one at a different place each round.
fn codes_with_one_right(right: &str, wrong: usize, round: usize) -> (Vec<&str>, usize) {
    let mut codes = vec![wrong_code(right); wrong];
    let at = (round * 7) % (wrong + 1);
    codes.insert(at, right);
    (codes, at)
}

async fn authenticator(app: &TestApp, id: &str) -> Authenticator {
    let id = id.to_owned();
    app.state
        .store
        .run(move |c| store::authenticators::find_authenticator(c, &id))
        .await
        .unwrap()
        .unwrap()
}

async fn lockout(app: &TestApp, subject: String, channel: &'static str) -> Option<CodeLockout> {
    app.state
        .store
        .run(move |c| store::code_lockouts::find_lockout(c, &subject, channel))
        .await
        .unwrap()
}

/// Sends `n` wrong codes one after the other; returns their statuses.
async fn wrong_in_a_row(app: &TestApp, kind: &str, exchanges: &[String], wrong: &str) -> Vec<u16> {
    let mut statuses = Vec::new();
    for exchange in exchanges {
        statuses.push(verify(app, kind, exchange, wrong).await.0);
    }
    statuses
}

#[tokio::test]
async fn twenty_parallel_wrong_totp_codes_count_exactly_one_tier_and_lock_as_the_policy_says() {
    let app = TestApp::spawn().await;
    let (_, phone, rp) = totp_user(&app).await;
    let wrong = wrong_code(&phone.code(&app, 0));
    for (tier, seconds) in [(1, 300), (2, 1800)] {
        let exchanges = totp_exchanges(&app, &rp, json!({"email": ADA}), 20).await;
        let statuses = burst(&app, "totp", &exchanges, &[wrong; 20]).await;
        let a = authenticator(&app, &phone.authenticator_id).await;
        assert_eq!(a.failure_count, 5 * tier, "one tier more: {statuses:?}");
        assert!(
            locked_for(a.locked_until, &app, seconds),
            "tier {tier} locks for {seconds} s, not {:?}",
            a.locked_until
        );
        // Four checked guesses are told they were wrong; the fifth, which locks, already says
        // it is locked, as the fifteen unchecked ones are told.
        assert_eq!(
            statuses.iter().filter(|s| **s == 401).count(),
            4,
            "{statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 429).count(),
            16,
            "{statuses:?}"
        );
        app.clock.advance(seconds + 1);
    }
}

#[tokio::test]
async fn a_right_totp_code_sent_with_a_burst_of_wrong_ones_never_wins_once_the_lock_is_reached() {
    let app = racing_app(|_| {}).await;
    let (_, phone, rp) = totp_user(&app).await;
    for round in 0..ROUNDS {
        let right = phone.code(&app, 0);
        let wrong = wrong_code(&right);
        let exchanges = totp_exchanges(&app, &rp, json!({"email": ADA}), 24).await;
        // Four failures: the next guess checked is the last one before the lock.
        assert_eq!(
            wrong_in_a_row(&app, "totp", &exchanges[..4], wrong).await,
            [401; 4]
        );
        let (codes, at) = codes_with_one_right(&right, 19, round);
        let mut statuses = burst(&app, "totp", &exchanges[4..], &codes).await;
        let right_status = statuses.remove(at);
        let wrong_401 = statuses.iter().filter(|s| **s == 401).count();
        let a = authenticator(&app, &phone.authenticator_id).await;
        match right_status {
            // Checked first: its success reset the count, then five wrong ones locked again (the
            // fifth answered "locked").
            200 => assert_eq!(wrong_401, 4, "round {round}: {statuses:?}"),
            // A wrong one was checked first and locked (answering "locked"): nothing else was
            // checked, and the right code is told what every later guess is told.
            429 => assert_eq!(wrong_401, 0, "round {round}: {statuses:?}"),
            other => panic!(
                "round {round}: the right code was checked after the lock (answered {other}); \
                 wrong guesses {statuses:?}"
            ),
        }
        assert_eq!(a.failure_count, 5, "round {round}");
        assert!(locked_for(a.locked_until, &app, 300), "round {round}");

        let id = phone.authenticator_id.clone();
        app.state
            .store
            .run(move |c| store::authenticators::unlock_authenticator(c, &id))
            .await
            .unwrap();
        app.clock.advance(30);
    }
}

async fn app_with_mail() -> (TestApp, SmtpServer) {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = racing_app(move |c| c.smtp_url = Some(url)).await;
    (app, smtp)
}

/// Starts an email-code sign-in for ADA; returns the exchange and the code that was mailed.
async fn email_code(app: &TestApp, smtp: &SmtpServer, rp: &Rp) -> (String, String) {
    let request_id = app.start_login(&app.browser(), rp).await;
    let (status, started) = post_json(
        &reqwest::Client::new(),
        app.url(&path(&CURRENT, 1, "email")),
        json!({"request_id": request_id, "usage_type": "PASSWORDLESS_AUTHENTICATION", "email": ADA}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    (exchange_of(&started), smtp.wait_for_next(ADA).await.code())
}

#[tokio::test]
async fn a_right_email_code_sent_with_a_burst_of_wrong_ones_never_wins_once_the_lock_is_reached() {
    let (app, smtp) = app_with_mail().await;
    let sub = app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    for round in 0..ROUNDS {
        let (exchange, right) = email_code(&app, &smtp, &rp).await;
        let wrong = wrong_code(&right);
        let one = std::slice::from_ref(&exchange);
        assert_eq!(
            wrong_in_a_row(&app, "email", &vec![exchange.clone(); 4], wrong).await,
            [401; 4]
        );
        let (codes, at) = codes_with_one_right(&right, 19, round);
        let mut statuses = burst(&app, "email", one, &codes).await;
        let right_status = statuses.remove(at);
        let row = lockout(&app, subject_for_user(&sub), "email").await;
        match right_status {
            // Checked first: the code is used, and guesses at a used code count for nothing.
            200 => {
                assert!(
                    statuses.iter().all(|s| *s == 400),
                    "round {round}: {statuses:?}"
                );
                assert_eq!(row.map_or(0, |r| r.failure_count), 0, "round {round}");
            }
            // A wrong one locked the channel: every other guess, the right one too, is refused
            // unchecked.
            429 => {
                assert!(
                    statuses.iter().all(|s| *s == 429),
                    "round {round}: {statuses:?}"
                );
                let row = row.unwrap();
                assert_eq!(row.failure_count, 5, "round {round}");
                assert!(locked_for(row.locked_until, &app, 300), "round {round}");
            }
            other => panic!(
                "round {round}: the right code was checked after the lock (answered {other}); \
                 wrong guesses {statuses:?}"
            ),
        }
        let subject = subject_for_user(&sub);
        app.state
            .store
            .run(move |c| store::code_lockouts::unlock_channel(c, &subject, "email"))
            .await
            .unwrap();
        app.clock.advance(31);
    }
}

/// Where one hosted password form submission was sent: `Ok(())` on to the client, or the error
/// of the redirect back to the login page.
async fn password_answer(
    app: &TestApp,
    browser: &reqwest::Client,
    request_id: &str,
    csrf: &str,
    password: &str,
) -> Result<(), String> {
    let response = app
        .submit_login(browser, request_id, csrf, ADA, password)
        .await;
    if response.status() == 400 {
        // Arrived after the right password had finished the request (a loaded machine
        // schedules it late): refused before any password is checked, so counted nowhere.
        let page = response.text().await.unwrap();
        assert!(page.contains("already used"), "{page}");
        return Err("request_finished".into());
    }
    let to = location(&response);
    if to.starts_with(REDIRECT_URI) {
        return Ok(());
    }
    Err(param(&query_pairs(&to), "error").unwrap_or(to))
}

async fn password_lock_events(app: &TestApp, sub: &str) -> usize {
    let sub = sub.to_owned();
    app.state
        .store
        .run(move |c| store::audit::list_audit_events(c, Some(&sub), 1000))
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "login.password_locked")
        .count()
}

#[tokio::test]
async fn a_right_password_sent_with_a_burst_of_wrong_ones_never_wins_once_the_lock_is_reached() {
    // Hashing that takes a few milliseconds, as it does in production: long enough for every
    // guess of the burst to be under way before the first one is decided.
    let app = racing_app(|c| {
        c.argon2_memory_kib = 8192;
        c.argon2_iterations = 2;
    })
    .await;
    let sub = app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    for round in 0..ROUNDS {
        let browser = app.browser();
        let request_id = app.start_login(&browser, &rp).await;
        let login = get_text(&browser, app.url(&format!("/login?requestId={request_id}"))).await;
        let csrf = hidden_field(&login, "csrf_token");
        // Nine failures: the next password checked is the last one before the lock.
        for i in 0..9 {
            let guess = format!("no {i}");
            let answer = password_answer(&app, &browser, &request_id, &csrf, &guess).await;
            assert_eq!(answer, Err("invalid_username_password".into()));
        }
        let locks_before = password_lock_events(&app, &sub).await;
        let guesses: Vec<String> = (0..9).map(|i| format!("guess {round} {i}")).collect();
        let mut passwords: Vec<&str> = guesses.iter().map(String::as_str).collect();
        let at = (round * 4) % 10;
        passwords.insert(at, PASSWORD);
        let mut answers = join_all(
            passwords
                .iter()
                .map(|p| password_answer(&app, &browser, &request_id, &csrf, p)),
        )
        .await;
        let right = answers.remove(at);
        let locks = password_lock_events(&app, &sub).await - locks_before;
        let row = lockout(&app, subject_for_user(&sub), PASSWORD_LOCK_CHANNEL).await;
        match right {
            // Checked before any wrong one: no wrong password reached the lock before it, and
            // the count starts again after it.
            Ok(()) => {
                assert_eq!(
                    locks, 0,
                    "round {round}: the right password was accepted after a wrong one locked \
                     the name: {answers:?}"
                );
                let counted = answers
                    .iter()
                    .filter(|a| {
                        a.as_ref().err().map(String::as_str) == Some("invalid_username_password")
                    })
                    .count();
                let row_count = row.as_ref().map_or(0, |r| r.failure_count) as usize;
                assert_eq!(row_count, counted, "round {round}: {answers:?}");
                assert!(
                    row.is_none_or(|r| r.locked_until.is_none()),
                    "round {round}"
                );
            }
            Err(error) => {
                assert_eq!(error, "password_locked", "round {round}: {answers:?}");
                assert_eq!(locks, 1, "round {round}: one lock");
                assert!(
                    answers
                        .iter()
                        .all(|a| a.as_ref().err().map(String::as_str) == Some("password_locked")),
                    "round {round}: only the tenth password was checked: {answers:?}"
                );
                let row = row.unwrap();
                assert_eq!(row.failure_count, 10, "round {round}");
                assert!(locked_for(row.locked_until, &app, 300), "round {round}");
            }
        }
        let subject = subject_for_user(&sub);
        app.state
            .store
            .run(move |c| store::code_lockouts::unlock_channel(c, &subject, PASSWORD_LOCK_CHANNEL))
            .await
            .unwrap();
    }
}

/// Five wrong codes on fresh passwordless TOTP verifications; the last answer.
async fn five_wrong_passwordless_totp_codes(app: &TestApp, rp: &Rp, wrong: &str) -> (u16, Value) {
    let exchanges = totp_exchanges(app, rp, json!({"email": ADA}), 5).await;
    let mut last = (0, Value::Null);
    for exchange in &exchanges {
        last = verify(app, "totp", exchange, wrong).await;
    }
    last
}

#[tokio::test]
async fn wrong_passwordless_totp_codes_past_fifteen_failures_lock_only_until_a_time() {
    let app = TestApp::spawn().await;
    let (_, phone, rp) = totp_user(&app).await;
    let wrong = wrong_code(&phone.code(&app, 0));
    let mut locks = Vec::new();
    for _ in 0..4 {
        five_wrong_passwordless_totp_codes(&app, &rp, wrong).await;
        let a = authenticator(&app, &phone.authenticator_id).await;
        let until = a.locked_until.unwrap();
        locks.push((a.failure_count, until - app.clock.now()));
        assert_ne!(until, LOCKED_UNTIL_UNLOCKED, "{locks:?}");
        app.clock.advance(until - app.clock.now() + 1);
    }
    let seconds: Vec<i64> = locks.iter().map(|(_, s)| (s + DRIFT) / 60 * 60).collect();
    assert_eq!(
        locks.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
        [5, 10, 15, 20]
    );
    assert_eq!(
        seconds,
        [300, 1800, 1800, 1800],
        "the last time-limited tier repeats for anonymous guesses"
    );

    // The lock message never sends them to an administrator, and the right code works once
    // the lock has ended.
    five_wrong_passwordless_totp_codes(&app, &rp, wrong).await;
    let exchange = totp_exchanges(&app, &rp, json!({"email": ADA}), 1).await;
    let (status, body) = verify(&app, "totp", &exchange[0], &phone.code(&app, 0)).await;
    assert_eq!(status, 429, "{body}");
    assert!(
        !body["error"]["error"]
            .as_str()
            .unwrap()
            .contains("administrator"),
        "{body}"
    );
    app.clock.advance(1801);
    let exchange = totp_exchanges(&app, &rp, json!({"email": ADA}), 1).await;
    let (status, body) = verify(&app, "totp", &exchange[0], &phone.code(&app, 0)).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn wrong_codes_on_the_hosted_passwordless_totp_page_never_lock_until_an_administrator_unlocks()
 {
    let app = TestApp::spawn().await;
    let (_, phone, rp) = totp_user(&app).await;
    let wrong = wrong_code(&phone.code(&app, 0));
    for tier in 1..=3 {
        let browser = app.browser();
        let request_id = app.start_login(&browser, &rp).await;
        let page = get_text(
            &browser,
            app.url(&format!(
                "/login/verify?requestId={request_id}&username={ADA}"
            )),
        )
        .await;
        let csrf = hidden_field(&page, "csrf_token");
        for _ in 0..5 {
            browser
                .post(app.url("/login/verify"))
                .form(&[
                    ("requestId", request_id.as_str()),
                    ("username", ADA),
                    ("pass_code", wrong),
                    ("csrf_token", csrf.as_str()),
                ])
                .send()
                .await
                .unwrap();
        }
        let a = authenticator(&app, &phone.authenticator_id).await;
        assert_eq!(a.failure_count, 5 * tier);
        let seconds = if tier == 1 { 300 } else { 1800 };
        assert!(
            locked_for(a.locked_until, &app, seconds),
            "tier {tier}: {:?}",
            a.locked_until
        );
        app.clock.advance(seconds + 1);
    }
}

#[tokio::test]
async fn wrong_email_codes_of_a_code_sign_in_past_fifteen_failures_lock_only_until_a_time() {
    let (app, smtp) = app_with_mail().await;
    let sub = app.create_user(ADA).await;
    let rp = app.confidential_client().await;
    for (tier, seconds) in [(1, 300), (2, 1800), (3, 1800)] {
        let (exchange, right) = email_code(&app, &smtp, &rp).await;
        let statuses = wrong_in_a_row(
            &app,
            "email",
            &vec![exchange.clone(); 5],
            wrong_code(&right),
        )
        .await;
        assert_eq!(statuses, [401, 401, 401, 401, 429], "tier {tier}");
        let row = lockout(&app, subject_for_user(&sub), "email")
            .await
            .unwrap();
        assert_eq!(row.failure_count, 5 * tier);
        assert!(
            locked_for(row.locked_until, &app, seconds),
            "tier {tier} locks for {seconds} s, not until {:?}",
            row.locked_until
        );
        app.clock.advance(seconds + 1);
    }
    let (exchange, right) = email_code(&app, &smtp, &rp).await;
    let (status, body) = verify(&app, "email", &exchange, &right).await;
    assert_eq!(status, 200, "{body}");
}

/// Ten anonymous failures (two time-limited locks, both served): the next tier is the last.
async fn ten_anonymous_failures(app: &TestApp, rp: &Rp, phone: &Phone) {
    let wrong = wrong_code(&phone.code(app, 0));
    for seconds in [300, 1800] {
        five_wrong_passwordless_totp_codes(app, rp, wrong).await;
        app.clock.advance(seconds + 1);
    }
    assert_eq!(
        authenticator(app, &phone.authenticator_id)
            .await
            .failure_count,
        10
    );
}

#[tokio::test]
async fn wrong_totp_codes_after_the_password_still_lock_until_an_administrator_unlocks() {
    let app = TestApp::spawn().await;
    let (_, phone, rp) = totp_user(&app).await;
    ten_anonymous_failures(&app, &rp, &phone).await;

    let (browser, request_id, next) = crate::mfa::password_step(&app, &rp, ADA).await;
    assert!(next.starts_with("/mfa?track_id="), "{next}");
    let page = get_text(&browser, app.url(&next)).await;
    let (track_id, csrf) = (
        hidden_field(&page, "track_id"),
        hidden_field(&page, "csrf_token"),
    );
    let wrong = wrong_code(&phone.code(&app, 0));
    let mut last = String::new();
    for _ in 0..6 {
        last = browser
            .post(app.url("/mfa"))
            .form(&[
                ("track_id", track_id.as_str()),
                ("requestId", request_id.as_str()),
                ("csrf_token", csrf.as_str()),
                ("pass_code", wrong),
            ])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
    }
    let a = authenticator(&app, &phone.authenticator_id).await;
    assert_eq!(a.failure_count, 15);
    assert_eq!(a.locked_until, Some(LOCKED_UNTIL_UNLOCKED));
    assert!(last.contains("Ask an administrator to unlock it"), "{last}");
}

/// Initiates a MULTIFACTOR TOTP verification for the alias `sub` in `request_id`.
async fn multifactor_exchange(app: &TestApp, request_id: &str, sub: &str) -> String {
    let (status, started) = post_json(
        &reqwest::Client::new(),
        app.url("/verification-srv/v2/authenticate/initiate/totp"),
        json!({"request_id": request_id, "usage_type": "MULTIFACTOR_AUTHENTICATION", "sub": sub}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    exchange_of(&started)
}

#[tokio::test]
async fn a_multifactor_verification_is_a_second_step_only_for_the_alias_of_a_proven_password() {
    let app = TestApp::spawn().await;
    let (_, phone, rp) = totp_user(&app).await;
    let wrong = wrong_code(&phone.code(&app, 0));
    ten_anonymous_failures(&app, &rp, &phone).await;

    // The alias of a passwordless verification proves nothing: anyone who typed the address
    // has it. Guesses through it stay anonymous.
    let browser = app.browser();
    let request_id = app.start_login(&browser, &rp).await;
    let (_, started) = post_json(
        &reqwest::Client::new(),
        app.url(&path(&CURRENT, 1, "totp")),
        json!({"request_id": request_id, "usage_type": "PASSWORDLESS_AUTHENTICATION", "email": ADA}),
    )
    .await;
    let alias = started["data"]["sub"].as_str().unwrap().to_owned();
    for _ in 0..5 {
        let exchange = multifactor_exchange(&app, &request_id, &alias).await;
        verify(&app, "totp", &exchange, wrong).await;
    }
    let a = authenticator(&app, &phone.authenticator_id).await;
    assert_eq!(a.failure_count, 15);
    assert!(
        locked_for(a.locked_until, &app, 1800),
        "{:?}",
        a.locked_until
    );
    app.clock.advance(1801);

    // Twenty failures: the alias of a login whose password was right completes the next tier,
    // and that lock lasts until an administrator unlocks it.
    for _ in 0..4 {
        let exchanges = totp_exchanges(&app, &rp, json!({"email": ADA}), 1).await;
        verify(&app, "totp", &exchanges[0], wrong).await;
    }
    let (_, request_id, next) = crate::mfa::password_step(&app, &rp, ADA).await;
    let sub = param(&query_pairs(&next), "sub").unwrap();
    let exchange = multifactor_exchange(&app, &request_id, &sub).await;
    let (status, body) = verify(&app, "totp", &exchange, wrong).await;
    assert_eq!(status, 429, "the guess that locks says so: {body}");
    assert_eq!(body["error"]["code"], "authenticator_locked");
    let a = authenticator(&app, &phone.authenticator_id).await;
    assert_eq!(a.failure_count, 20);
    assert_eq!(a.locked_until, Some(LOCKED_UNTIL_UNLOCKED));
}
