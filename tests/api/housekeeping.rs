//! Tables an anonymous caller can grow stay bounded (issue 14): 10,000 rows of each kind, old
//! enough to go (unconfirmed sign-ups among them), are gone after one clean-up; recent ones,
//! confirmed accounts and locks in force stay.

use diesel::Connection;
use gatehouse::domain::user::User;
use gatehouse::store::{self, audit::AuditEventRow, deliveries::Delivery};

use crate::helpers::*;

const ROWS: usize = 10_000;

fn event(id: String, at: i64) -> AuditEventRow {
    AuditEventRow {
        id,
        at,
        action: "login.password".into(),
        outcome: "failure".into(),
        actor: None,
        user_id: None,
        client_id: None,
        ip: Some("203.0.113.9".into()),
        detail: "identifier=nobody@example.com".into(),
    }
}

fn delivery(id: String, at: i64) -> Delivery {
    Delivery {
        id,
        channel: "email".into(),
        destination: "n***@example.com".into(),
        purpose: "login".into(),
        user_id: None,
        provider: "smtp".into(),
        status: "sent".into(),
        detail: None,
        created_at: at,
        took_ms: None,
    }
}

/// A self-registered account (`email_verified` false until its code is typed).
fn sign_up(email: String, confirmed: bool, at: i64) -> User {
    User {
        id: uuid::Uuid::new_v4().to_string(),
        email,
        email_verified: confirmed,
        name: Some("Someone".into()),
        password_hash: None,
        is_admin: false,
        disabled: false,
        created_at: at,
        updated_at: at,
        phone_number: None,
        phone_verified: false,
    }
}

#[tokio::test]
async fn ten_thousand_old_rows_of_each_kind_are_gone_after_one_clean_up() {
    let app = TestApp::spawn().await;
    let now = app.clock.now();
    let year_ago = now - 366 * 86_400;
    let policy = app.state.live().lockout.clone();
    app.state
        .store
        .run(move |c| {
            c.transaction(|c| {
                for i in 0..ROWS {
                    store::audit::insert_audit_event(c, &event(format!("old-{i}"), year_ago))?;
                    store::deliveries::insert_delivery(c, &delivery(format!("old-{i}"), year_ago))?;
                }
                for i in 0..ROWS {
                    let old = sign_up(format!("signup-{i}@example.com"), false, now - 8 * 86_400);
                    store::users::insert_user(c, &old)?;
                }
                // unconfirmed for six days: within the default seven
                let young = sign_up("young@example.com".into(), false, now - 6 * 86_400);
                store::users::insert_user(c, &young)?;
                // confirmed long ago: an account, never cleaned
                let kept = sign_up("confirmed@example.com".into(), true, year_ago);
                store::users::insert_user(c, &kept)?;
                store::audit::insert_audit_event(c, &event("recent".into(), now - 60))?;
                store::deliveries::insert_delivery(c, &delivery("recent".into(), now - 60))
            })
        })
        .await
        .unwrap();
    // Counters take their own transaction each (as the guesses that make them do).
    app.state
        .store
        .run(move |c| {
            for i in 0..ROWS {
                // a wrong guess for a name nobody has, two days ago
                store::code_lockouts::record_failure(
                    c,
                    &format!("nobody-{i}@example.com"),
                    "email",
                    &policy,
                    now - 2 * 86_400,
                )?;
            }
            store::code_lockouts::record_failure(c, "recent@example.com", "email", &policy, now)?;
            // wrong codes two days ago, each after the previous lock ended, until the lock that
            // lasts until an administrator unlocks it
            for k in 0..40 {
                store::code_lockouts::record_failure(
                    c,
                    "locked@example.com",
                    "email",
                    &policy,
                    now - 2 * 86_400 + k * 2_000,
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();

    // (the service's own five-minute loop may have taken some already: count what is left)
    gatehouse::flows::housekeeping::clean(&app.state)
        .await
        .unwrap();

    let (audit, events, deliveries, recent_lock, kept_lock, gone_locks, users) = app
        .state
        .store
        .run(|c| {
            let mut gone = 0;
            for i in (0..ROWS).step_by(97) {
                let subject = format!("nobody-{i}@example.com");
                gone += usize::from(
                    store::code_lockouts::find_lockout(c, &subject, "email")?.is_none(),
                );
            }
            Ok((
                store::audit::list_audit_events(c, None, 100)?,
                store::audit::count_audit_events(c, &Default::default())?,
                store::deliveries::count_deliveries(c, false)?,
                store::code_lockouts::find_lockout(c, "recent@example.com", "email")?,
                store::code_lockouts::find_lockout(c, "locked@example.com", "email")?,
                gone,
                (
                    store::users::count_users(c)?,
                    store::users::find_user_by_email(c, "young@example.com")?.is_some(),
                    store::users::find_user_by_email(c, "confirmed@example.com")?.is_some(),
                    store::users::find_user_by_email(c, "signup-4711@example.com")?.is_some(),
                ),
            ))
        })
        .await
        .unwrap();
    assert!(events < 100, "the old events are gone: {events} left");
    assert!(
        audit.iter().all(|e| !e.id.starts_with("old-")),
        "old events are gone"
    );
    assert!(
        audit.iter().any(|e| e.id == "recent"),
        "a recent event stays"
    );
    assert_eq!(deliveries, 1, "only the recent delivery stays");
    assert!(recent_lock.is_some(), "a counter in use stays");
    assert!(kept_lock.is_some(), "a lock in force stays, however old");
    assert_eq!(
        gone_locks,
        ROWS.div_ceil(97),
        "idle counters of unknown names go"
    );
    let (user_count, young, confirmed, old_signup) = users;
    assert_eq!(
        user_count, 2,
        "of 10,002 accounts only the young sign-up and the confirmed account stay"
    );
    assert!(young, "a sign-up within unconfirmed_signup_days stays");
    assert!(
        confirmed,
        "a confirmed account is never cleaned, however old"
    );
    assert!(!old_signup, "a sign-up never confirmed for 8 days is gone");
}
