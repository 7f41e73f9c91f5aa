//! Backup codes: shown once, downloadable, hashed at rest, single use, replaced as a set, a
//! warning when few remain, and usable as the second factor (hosted page and JSON).

use crate::account::account_browser;
use crate::helpers::*;
use crate::mfa::{id_token_claims, password_step};
use gatehouse::store;
use serde_json::{Value, json};

/// Creates a set on /account and returns the codes as shown.
async fn create_set(app: &TestApp, browser: &reqwest::Client, page: &str) -> (Vec<String>, String) {
    let csrf = hidden_field(page, "csrf_token");
    let shown = browser
        .post(app.url("/account/backup-codes"))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let list = shown
        .split("id=\"backup-codes\">")
        .nth(1)
        .unwrap()
        .split("</ol>")
        .next()
        .unwrap();
    let codes: Vec<String> = list
        .split("<code>")
        .skip(1)
        .map(|c| c.split('<').next().unwrap().to_owned())
        .collect();
    (codes, shown)
}

#[tokio::test]
async fn ten_codes_are_shown_once_downloadable_and_stored_only_as_hashes() {
    let app = TestApp::spawn().await;
    let sub = app.create_user("ada@example.com").await;
    let (browser, page) = account_browser(&app, "ada@example.com").await;
    let (codes, shown) = create_set(&app, &browser, &page).await;
    assert_eq!(codes.len(), 10);
    for code in &codes {
        assert_eq!(code.len(), 11, "{code}");
        assert!(
            code.chars()
                .all(|c| c == '-' || "23456789ABCDEFGHJKMNPQRSTUVWXYZ".contains(c)),
            "{code}"
        );
    }
    let download = browser
        .post(app.url("/account/backup-codes/download"))
        .form(&[
            ("csrf_token", hidden_field(&page, "csrf_token")),
            ("codes", hidden_field(&shown, "codes")),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert!(
        download.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = download.text().await.unwrap();
    assert!(codes.iter().all(|c| text.contains(c.as_str())));

    let stored: Vec<String> = app
        .state
        .store
        .run(move |c| {
            use diesel::prelude::*;
            use gatehouse::store::schema::backup_codes::dsl;
            Ok(dsl::backup_codes
                .filter(dsl::user_id.eq(&sub))
                .select(dsl::code_hash)
                .load(c)?)
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), 10);
    assert!(
        stored
            .iter()
            .all(|h| codes.iter().all(|c| !h.contains(&c.replace('-', "")))),
        "no plaintext at rest"
    );

    let account = get_text(&browser, app.url("/account")).await;
    assert!(account.contains("You have 10 unused backup codes."));
    assert!(!account.contains(&codes[0]), "codes are not shown again");
}

#[tokio::test]
async fn a_backup_code_finishes_an_mfa_login_once_and_a_new_set_voids_the_old_one() {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let (browser, page) = account_browser(&app, "ada@example.com").await;
    app.enroll_totp(&browser, "Pixel").await;
    let (codes, _) = create_set(&app, &browser, &page).await;
    let rp = app.confidential_client().await;

    let use_code = |code: String| {
        let (app, rp) = (&app, rp.clone());
        async move {
            let (b, request_id, next) = password_step(app, &rp, "ada@example.com").await;
            let page = get_text(&b, app.url(&next)).await;
            let link = page
                .split("id=\"use-backup-code\" href=\"")
                .nth(1)
                .expect("a backup-code link")
                .split('"')
                .next()
                .unwrap()
                .replace("&amp;", "&");
            let form_page = get_text(&b, app.url(&link)).await;
            assert!(form_page.contains("<label for=\"pass_code\">Backup code</label>"));
            b.post(app.url("/mfa"))
                .form(&[
                    ("track_id", hidden_field(&form_page, "track_id")),
                    ("requestId", request_id),
                    ("csrf_token", hidden_field(&form_page, "csrf_token")),
                    ("method", "backupcode".into()),
                    ("pass_code", code.to_lowercase()),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let first = use_code(codes[0].clone()).await;
    let back = location(&first);
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    assert_eq!(
        id_token_claims(&app, &rp, &back).await["amr"],
        json!(["pwd", "otp", "mfa"])
    );

    let again = use_code(codes[0].clone()).await;
    assert_eq!(again.status(), 422);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("not valid or was already used")
    );

    let page = get_text(&browser, app.url("/account")).await;
    create_set(&app, &browser, &page).await;
    assert_eq!(
        use_code(codes[1].clone()).await.status(),
        422,
        "the old set no longer works"
    );
}

#[tokio::test]
async fn few_remaining_codes_are_pointed_out() {
    let app = TestApp::spawn().await;
    let sub = app.create_user("ada@example.com").await;
    let (browser, page) = account_browser(&app, "ada@example.com").await;
    let (codes, _) = create_set(&app, &browser, &page).await;
    for code in &codes[..7] {
        assert!(
            gatehouse::flows::backup_codes::redeem(&app.state, &sub, code)
                .await
                .unwrap()
        );
    }
    let page = get_text(&browser, app.url("/account")).await;
    assert!(page.contains("id=\"backup-low\">Only 3 left"), "{page}");
}

#[tokio::test]
async fn the_json_service_lists_and_verifies_backup_codes_as_a_second_factor_once_under_contention()
{
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let (browser, page) = account_browser(&app, "ada@example.com").await;
    let (codes, _) = create_set(&app, &browser, &page).await;
    let rp = app.confidential_client().await;
    let (login_browser, request_id, next) = password_step(&app, &rp, "ada@example.com").await;
    assert!(
        next.starts_with("/mfa?"),
        "backup codes count as a second factor: {next}"
    );
    let pairs = query_pairs(&next);
    let (track_id, sub) = (
        param(&pairs, "track_id").unwrap(),
        param(&pairs, "sub").unwrap(),
    );
    let http = reqwest::Client::new();

    let (_, list) = post_json(
        &http,
        app.url("/verification-srv/public/graph/user/setup"),
        json!({"request_id": request_id, "sub": sub}),
    )
    .await;
    assert!(
        list["data"]["configured_list"]
            .as_array()
            .unwrap()
            .contains(&json!({"type": "BACKUPCODE"}))
    );
    let (status, _) = post_json(&http, app.url("/verification-srv/authentication/backupcode/initiation"), json!({"request_id": request_id, "usage_type": "PASSWORDLESS_AUTHENTICATION", "email": "ada@example.com"})).await;
    assert_eq!(status, 400, "a backup code is never a first factor");

    let mut exchanges = Vec::new();
    for _ in 0..20 {
        let (_, started) = post_json(&http, app.url("/verification-srv/v2/authenticate/initiate/backupcode"), json!({"request_id": request_id, "usage_type": "MULTIFACTOR_AUTHENTICATION", "sub": sub})).await;
        exchanges.push(
            started["data"]["exchange_id"]["exchange_id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let attempts = exchanges.iter().map(|exchange| {
        let (http, url, code) = (
            http.clone(),
            app.url("/verification-srv/v2/authenticate/authenticate/backupcode"),
            codes[3].clone(),
        );
        async move {
            post_json(
                &http,
                url,
                json!({"exchange_id": exchange, "pass_code": code}),
            )
            .await
        }
    });
    let results = futures_util::future::join_all(attempts).await;
    let winners: Vec<&Value> = results
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");

    let status_id = winners[0]["data"]["status_id"].as_str().unwrap();
    let back = app
        .continue_after_mfa(
            &login_browser,
            &track_id,
            &request_id,
            &sub,
            status_id,
            "BACKUPCODE",
        )
        .await;
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    let user = app
        .state
        .store
        .run(|c| store::users::find_user_by_email(c, "ada@example.com"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        gatehouse::flows::backup_codes::remaining(&app.state, &user.id)
            .await
            .unwrap(),
        9
    );
}
