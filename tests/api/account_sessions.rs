//! One session at a time: the sessions table of /account and of the admin's user page shows
//! each browser's device (from its User-Agent), address and last activity, and signs out one
//! session — the user their own only, an administrator any user's (audit-logged). "Last seen"
//! is written at most once a minute.

use gatehouse::store;
use gatehouse::store::sessions::UserSession;

use crate::account::sign_in_to_account;
use crate::helpers::*;

const ADA: &str = "ada@example.com";
const BOB: &str = "bob@example.com";
const ADMIN: &str = "root@example.com";
const FIREFOX_ON_WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const CHROME_ON_ANDROID: &str = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

/// A cookie-keeping client that says it is the browser `user_agent`.
fn browser_saying(user_agent: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent)
        .build()
        .unwrap()
}

/// A browser saying `user_agent`, signed in to /account as `email`, and its account page.
async fn signed_in_as(app: &TestApp, email: &str, user_agent: &str) -> (reqwest::Client, String) {
    let browser = browser_saying(user_agent);
    let page = sign_in_to_account(app, &browser, email).await;
    (browser, page)
}

/// The rows of the sessions table: each session's public id and the row's HTML.
fn session_rows(page: &str) -> Vec<(String, String)> {
    let table = page
        .split("id=\"session-list\"")
        .nth(1)
        .expect("a sessions table")
        .split("</table>")
        .next()
        .unwrap();
    table
        .split("<tr id=\"session-")
        .skip(1)
        .map(|row| {
            let (id, rest) = row.split_once('"').unwrap();
            (
                id.to_owned(),
                rest.split("</tr>").next().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn sessions_of(app: &TestApp, sub: &str) -> Vec<UserSession> {
    let (sub, now) = (sub.to_owned(), app.clock.now());
    app.state
        .store
        .run(move |c| store::sessions::list_user_sessions(c, &sub, now))
        .await
        .unwrap()
}

/// (action, actor, detail) of the audit events about `sub`, newest first.
async fn audit_events(app: &TestApp, sub: &str) -> Vec<(String, Option<String>, String)> {
    let sub = sub.to_owned();
    app.state
        .store
        .run(move |c| store::audit::list_audit_events(c, Some(&sub), 100))
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.actor, e.detail))
        .collect()
}

/// Whether `browser` is still signed in to the account page.
async fn signed_in(app: &TestApp, browser: &reqwest::Client) -> bool {
    let response = browser.get(app.url("/account")).send().await.unwrap();
    match response.status().as_u16() {
        200 => true,
        302 => {
            assert!(location(&response).starts_with("/authz-srv/authz?"));
            false
        }
        other => panic!("unexpected /account status {other}"),
    }
}

async fn post_form(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    csrf: &str,
) -> reqwest::Response {
    browser
        .post(app.url(path))
        .form(&[("csrf_token", csrf)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_user_sees_each_browser_by_device_and_signs_one_out() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let (phone, _) = signed_in_as(&app, ADA, CHROME_ON_ANDROID).await;
    let (laptop, page) = signed_in_as(&app, ADA, FIREFOX_ON_WINDOWS).await;

    let rows = session_rows(&page);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let here = rows
        .iter()
        .find(|(_, r)| r.contains("This browser"))
        .unwrap();
    assert!(here.1.contains("Firefox on Windows"), "{}", here.1);
    assert!(here.1.contains("aria-current=\"true\""));
    let there = rows
        .iter()
        .find(|(_, r)| !r.contains("This browser"))
        .unwrap();
    assert!(there.1.contains("Chrome on Android"), "{}", there.1);
    for (id, row) in &rows {
        assert!(row.contains("<span class=\"ip\">127.0.0.1</span>"), "{row}");
        assert!(
            !row.contains("<span class=\"last-seen\">never</span>"),
            "{row}"
        );
        assert!(row.contains(&format!("action=\"/account/sessions/{id}/end\"")));
    }
    let stored = sessions_of(&app, &sub).await;
    assert_eq!(
        stored
            .iter()
            .filter(|s| s.user_agent.as_deref() == Some(CHROME_ON_ANDROID))
            .count(),
        1
    );
    for s in &stored {
        assert_ne!(s.public_id, s.id_hash);
        assert!(
            !page.contains(&s.id_hash),
            "the lookup key is never in the page"
        );
        assert_eq!(s.ip.as_deref(), Some("127.0.0.1"));
    }

    let ended = post_form(
        &app,
        &laptop,
        &format!("/account/sessions/{}/end", there.0),
        &hidden_field(&page, "csrf_token"),
    )
    .await;
    assert_eq!(location(&ended), "/account?notice=session_ended");
    assert!(!signed_in(&app, &phone).await, "the phone is signed out");
    assert!(signed_in(&app, &laptop).await);
    let page = get_text(&laptop, app.url("/account?notice=session_ended")).await;
    assert!(page.contains("The session was signed out."));
    assert_eq!(session_rows(&page).len(), 1);
    assert_eq!(sessions_of(&app, &sub).await.len(), 1);
    let events = audit_events(&app, &sub).await;
    assert!(
        events
            .iter()
            .any(|(action, actor, detail)| action == "session.end"
                && actor.as_deref() == Some(sub.as_str())
                && detail
                    == &format!("session {} (Chrome on Android) ended by its owner", there.0)),
        "{events:?}"
    );
}

#[tokio::test]
async fn signing_out_this_browser_from_the_list_signs_it_out() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let (other, _) = signed_in_as(&app, ADA, CHROME_ON_ANDROID).await;
    let (browser, page) = signed_in_as(&app, ADA, FIREFOX_ON_WINDOWS).await;
    let rows = session_rows(&page);
    let here = &rows
        .iter()
        .find(|(_, r)| r.contains("This browser"))
        .unwrap()
        .0;

    let response = post_form(
        &app,
        &browser,
        &format!("/account/sessions/{here}/end"),
        &hidden_field(&page, "csrf_token"),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(!signed_in(&app, &browser).await);
    assert!(signed_in(&app, &other).await, "only this browser signs out");
    assert_eq!(sessions_of(&app, &sub).await.len(), 1);
}

#[tokio::test]
async fn another_users_session_cannot_be_ended() {
    let app = TestApp::spawn().await;
    app.create_user(ADA).await;
    let bob_sub = app.create_user(BOB).await;
    let (bob, _) = signed_in_as(&app, BOB, CHROME_ON_ANDROID).await;
    let (ada, page) = signed_in_as(&app, ADA, FIREFOX_ON_WINDOWS).await;
    let bobs = sessions_of(&app, &bob_sub).await;
    assert_eq!(bobs.len(), 1);

    for id in [bobs[0].public_id.as_str(), "no-such-session"] {
        let response = post_form(
            &app,
            &ada,
            &format!("/account/sessions/{id}/end"),
            &hidden_field(&page, "csrf_token"),
        )
        .await;
        assert_eq!(response.status(), 404, "{id}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("There is no such session.")
        );
    }
    assert_eq!(sessions_of(&app, &bob_sub).await, bobs, "nothing changed");
    assert!(signed_in(&app, &bob).await);
    assert!(signed_in(&app, &ada).await);
}

#[tokio::test]
async fn last_seen_is_written_at_most_once_a_minute() {
    let app = TestApp::spawn().await;
    let sub = app.create_user(ADA).await;
    let (browser, _) = signed_in_as(&app, ADA, FIREFOX_ON_WINDOWS).await;
    let last_seen = || async { sessions_of(&app, &sub).await[0].last_seen_at };
    let signed_in_at = last_seen().await.expect("seen when it signed in");

    app.clock.advance(30);
    assert!(signed_in(&app, &browser).await);
    assert!(signed_in(&app, &browser).await);
    assert_eq!(
        last_seen().await,
        Some(signed_in_at),
        "no write within the minute"
    );

    app.clock.advance(31);
    assert!(signed_in(&app, &browser).await);
    let seen = last_seen().await.unwrap();
    assert!(seen >= signed_in_at + 61, "{seen} after {signed_in_at}");
    assert!(signed_in(&app, &browser).await);
    assert_eq!(
        last_seen().await,
        Some(seen),
        "two quick requests: one write"
    );
}

/// An app with an administrator's browser and Ada signed in on a phone and a laptop.
async fn admin_and_two_sessions() -> (
    TestApp,
    reqwest::Client,
    String,
    String,
    reqwest::Client,
    reqwest::Client,
) {
    let app = TestApp::spawn().await;
    let admin_id = app.create_admin(ADMIN).await;
    let ada = app.create_user(ADA).await;
    let admin = app.signed_in_browser(ADMIN).await;
    let (phone, _) = signed_in_as(&app, ADA, CHROME_ON_ANDROID).await;
    let (laptop, _) = signed_in_as(&app, ADA, FIREFOX_ON_WINDOWS).await;
    (app, admin, admin_id, ada, phone, laptop)
}

#[tokio::test]
async fn an_admin_ends_one_session_of_a_user_and_it_is_audited() {
    let (app, admin, admin_id, ada, phone, laptop) = admin_and_two_sessions().await;
    let path = format!("/admin/users/{ada}");
    let page = get_text(&admin, app.url(&path)).await;
    let rows = session_rows(&page);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter().all(|(_, r)| !r.contains("This browser")),
        "not the admin's browser"
    );
    let (phone_id, _) = rows
        .iter()
        .find(|(_, r)| r.contains("Chrome on Android"))
        .expect("the phone's row");
    assert!(rows.iter().any(|(_, r)| r.contains("Firefox on Windows")));
    let csrf = hidden_field(&page, "csrf_token");

    let unknown = post_form(&app, &admin, &format!("{path}/sessions/nope/end"), &csrf).await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(sessions_of(&app, &ada).await.len(), 2);

    let ended = post_form(
        &app,
        &admin,
        &format!("{path}/sessions/{phone_id}/end"),
        &csrf,
    )
    .await;
    assert_eq!(ended.status(), 303);
    assert_eq!(location(&ended), format!("{path}?notice=session_ended"));
    let page = get_text(&admin, app.url(&location(&ended))).await;
    assert!(page.contains("The session was ended."));
    assert_eq!(session_rows(&page).len(), 1);
    assert!(!signed_in(&app, &phone).await);
    assert!(signed_in(&app, &laptop).await);
    let events = audit_events(&app, &ada).await;
    let event = events
        .iter()
        .find(|(action, _, _)| action == "admin.user.end_session")
        .expect("an audit event");
    assert_eq!(
        event.1.as_deref(),
        Some(admin_id.as_str()),
        "the admin is the actor"
    );
    assert!(
        event.2.starts_with(&format!(
            "session {phone_id} (Chrome on Android, 127.0.0.1, signed in "
        )),
        "{}",
        event.2
    );
}

#[tokio::test]
async fn ending_a_session_needs_the_csrf_token_and_the_admin_role() {
    let (app, admin, _, ada, phone, laptop) = admin_and_two_sessions().await;
    let before = sessions_of(&app, &ada).await;
    let phone_id = before
        .iter()
        .find(|s| s.user_agent.as_deref() == Some(CHROME_ON_ANDROID))
        .unwrap()
        .public_id
        .clone();
    let admin_path = format!("/admin/users/{ada}/sessions/{phone_id}/end");
    let account_path = format!("/account/sessions/{phone_id}/end");

    let forged = post_form(&app, &admin, &admin_path, "forged").await;
    assert_eq!(forged.status(), 403);
    let forged = post_form(&app, &laptop, &account_path, "forged").await;
    assert_eq!(forged.status(), 403);

    // Ada's own valid token does not make her an administrator.
    let page = get_text(&laptop, app.url("/account")).await;
    let not_admin = post_form(
        &app,
        &laptop,
        &admin_path,
        &hidden_field(&page, "csrf_token"),
    )
    .await;
    assert_eq!(not_admin.status(), 403);

    assert_eq!(sessions_of(&app, &ada).await, before, "nothing changed");
    assert!(signed_in(&app, &phone).await);
    assert!(
        !audit_events(&app, &ada)
            .await
            .iter()
            .any(|(action, _, _)| action.ends_with("end_session") || action == "session.end")
    );
}
