//! Passwordless TOTP under load (issue 18): starts Gatehouse in-process, seeds `BENCH_USERS`
//! users (default 50,000) with an authenticator app each (a known secret, as if enrolled), then
//! measures over loopback, with K requests or flows in flight:
//! - TOTP verify requests per second (`…/authentication/totp/verification` alone, K=16, on
//!   exchanges opened beforehand), with p50 and p99;
//! - whole passwordless TOTP sign-ins per second (authorize → login page → initiate → verify →
//!   finish → token, a fresh browser each) at K=4 and K=16, with p50 and p99.
//!
//! Every verify uses another user, so no code is a replay. The load generator runs in the same
//! process and on the same cores as the server: flows/s are for the machine, not the server
//! alone. SQLite in a temporary folder, or `BENCH_DATABASE_URL=postgres://…` (a database it may
//! fill). Run: `cargo bench --bench totp_load [-- SECONDS]` (default 10 per measurement).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::REDIRECT_URI;
use gatehouse::domain::totp::{TotpParams, code_at_step};
use gatehouse::domain::user::User;
use gatehouse::domain::verification::Authenticator;

struct Bench {
    base: String,
    client_id: String,
    client_secret: String,
    clock: gatehouse::Clock,
    http: reqwest::Client,
    params: TotpParams,
    next_user: AtomicUsize,
    users: usize,
}

fn email(i: usize) -> String {
    format!("totp{i}@example.com")
}

fn secret(i: usize) -> Vec<u8> {
    format!("{i:020}").into_bytes()
}

impl Bench {
    fn code(&self, i: usize) -> String {
        code_at_step(
            &secret(i),
            self.params,
            self.params.step_at(self.clock.now()),
        )
    }

    fn take_user(&self) -> anyhow::Result<usize> {
        let i = self.next_user.fetch_add(1, Ordering::Relaxed);
        anyhow::ensure!(i < self.users, "out of users: raise BENCH_USERS");
        Ok(i)
    }

    /// authorize → login page (binds the request to this browser): (requestId, cookies).
    async fn open(&self) -> anyhow::Result<(String, String)> {
        let authz = self
            .http
            .get(format!("{}/authz-srv/authz", self.base))
            .query(&[
                ("client_id", self.client_id.as_str()),
                ("redirect_uri", REDIRECT_URI),
                ("response_type", "code"),
                ("scope", "openid"),
                ("state", "s"),
            ])
            .send()
            .await?;
        let cookies = cookies(&authz, String::new());
        let login = authz
            .headers()
            .get("location")
            .ok_or_else(|| anyhow::anyhow!("authorize: {}", authz.status()))?
            .to_str()?
            .to_owned();
        let request_id = login
            .split("requestId=")
            .nth(1)
            .unwrap_or_default()
            .split('&')
            .next()
            .unwrap_or_default()
            .to_owned();
        let page = self
            .http
            .get(format!("{}{login}", self.base))
            .header("cookie", &cookies)
            .send()
            .await?;
        let cookies = crate::cookies(&page, cookies);
        anyhow::ensure!(page.status() == 200, "login page: {}", page.status());
        page.bytes().await?;
        Ok((request_id, cookies))
    }

    /// Opens a TOTP exchange for user `i` on `request_id`.
    async fn initiate(&self, request_id: &str, i: usize) -> anyhow::Result<String> {
        let initiated: serde_json::Value = self
            .http
            .post(format!(
                "{}/verification-srv/authentication/totp/initiation",
                self.base
            ))
            .json(&serde_json::json!({"request_id": request_id, "usage_type": "PASSWORDLESS_AUTHENTICATION", "email": email(i)}))
            .send()
            .await?
            .json()
            .await?;
        initiated["data"]["exchange_id"]["exchange_id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("initiate: {initiated}"))
    }

    async fn verify(&self, exchange: &str, i: usize) -> anyhow::Result<serde_json::Value> {
        let verified: serde_json::Value = self
            .http
            .post(format!(
                "{}/verification-srv/authentication/totp/verification",
                self.base
            ))
            .json(&serde_json::json!({"exchange_id": exchange, "pass_code": self.code(i)}))
            .send()
            .await?
            .json()
            .await?;
        anyhow::ensure!(verified["success"] == true, "verify: {verified}");
        Ok(verified)
    }

    /// One whole passwordless sign-in of a fresh browser.
    async fn flow(&self) -> anyhow::Result<()> {
        let i = self.take_user()?;
        let (request_id, cookies) = self.open().await?;
        let exchange = self.initiate(&request_id, i).await?;
        let verified = self.verify(&exchange, i).await?;
        let finish = self
            .http
            .post(format!("{}/login-srv/verification/login", self.base))
            .header("cookie", &cookies)
            .form(&[
                ("requestId", request_id.as_str()),
                (
                    "status_id",
                    verified["data"]["status_id"].as_str().unwrap_or_default(),
                ),
                ("verificationType", "TOTP"),
                ("sub", verified["data"]["sub"].as_str().unwrap_or_default()),
            ])
            .send()
            .await?;
        let back = finish
            .headers()
            .get("location")
            .ok_or_else(|| anyhow::anyhow!("finish: {}", finish.status()))?
            .to_str()?;
        let back = url::Url::parse(back)?;
        let code = back
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .ok_or_else(|| anyhow::anyhow!("no code in {back}"))?;
        let tokens: serde_json::Value = self
            .http
            .post(format!("{}/token-srv/token", self.base))
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT_URI),
            ])
            .send()
            .await?
            .json()
            .await?;
        anyhow::ensure!(tokens["id_token"].is_string(), "token: {tokens}");
        Ok(())
    }
}

/// `jar` with the cookies `response` sets (name=value pairs, one browser, one origin).
fn cookies(response: &reqwest::Response, jar: String) -> String {
    let mut pairs: Vec<String> = jar
        .split("; ")
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    for set in response.headers().get_all("set-cookie") {
        let Some(pair) = set.to_str().ok().and_then(|s| s.split(';').next()) else {
            continue;
        };
        let name = pair.split('=').next().unwrap_or_default();
        pairs.retain(|p| p.split('=').next() != Some(name));
        pairs.push(pair.to_owned());
    }
    pairs.join("; ")
}

/// Rate, p50 and p99 of `samples` taken over `elapsed`.
fn print(name: &str, mut samples: Vec<Duration>, failed: usize, elapsed: Duration) {
    samples.sort();
    let pick = |q: f64| {
        samples
            .get(((samples.len() as f64 - 1.0) * q).round() as usize)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1e3)
    };
    println!(
        "{name}: {:.1}/s (n={} in {:.1} s, failed {failed}) p50={:.1} ms p99={:.1} ms",
        samples.len() as f64 / elapsed.as_secs_f64(),
        samples.len(),
        elapsed.as_secs_f64(),
        pick(0.5),
        pick(0.99)
    );
}

/// Runs `flow` in `k` loops for `seconds`.
async fn whole_flows(bench: &Arc<Bench>, k: usize, seconds: u64) {
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let loops: Vec<_> = (0..k)
        .map(|_| {
            let bench = bench.clone();
            tokio::spawn(async move {
                let (mut samples, mut failed, mut first_error) = (Vec::new(), 0, None);
                while Instant::now() < until {
                    let t = Instant::now();
                    match bench.flow().await {
                        Ok(()) => samples.push(t.elapsed()),
                        Err(e) => {
                            failed += 1;
                            first_error.get_or_insert(e.to_string());
                        }
                    }
                }
                (samples, failed, first_error)
            })
        })
        .collect();
    let (mut samples, mut failed) = (Vec::new(), 0);
    for handle in loops {
        if let Ok((s, f, e)) = handle.await {
            samples.extend(s);
            failed += f;
            if let Some(e) = e {
                eprintln!("a flow failed: {e}");
            }
        }
    }
    print(
        &format!("passwordless TOTP sign-in, K={k}"),
        samples,
        failed,
        started.elapsed(),
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10);
    let users: usize = std::env::var("BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let dir = tempfile::tempdir()?;
    let clock = gatehouse::Clock::system();
    let config = common::config(&dir, true);
    let backend = if config.database_url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let app = common::start(config, clock.clone()).await?;
    let (client_id, client_secret) = common::create_client(&app).await?;
    let params = TotpParams::default();

    let seeded = Instant::now();
    let state = app.state.clone();
    let now = clock.now();
    app.store
        .run(move |c| {
            for chunk in (0..users).collect::<Vec<_>>().chunks(5000) {
                gatehouse::store::write_transaction(c, |c| {
                    for &i in chunk {
                        let user = User {
                            id: uuid::Uuid::new_v4().to_string(),
                            email: email(i),
                            email_verified: true,
                            name: None,
                            password_hash: None,
                            is_admin: false,
                            disabled: false,
                            created_at: now,
                            updated_at: now,
                            phone_number: None,
                            phone_verified: false,
                        };
                        gatehouse::store::users::insert_user(c, &user)?;
                        let authenticator = Authenticator {
                            id: uuid::Uuid::new_v4().to_string(),
                            user_id: user.id.clone(),
                            label: "bench".into(),
                            sealed_secret: state.sealer.seal(&secret(i)),
                            params,
                            active: true,
                            last_used_step: None,
                            failure_count: 0,
                            locked_until: None,
                            recent_offsets: vec![],
                            created_at: now,
                            last_used_at: None,
                        };
                        gatehouse::store::authenticators::insert_authenticator(c, &authenticator)?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })
        .await?;
    println!(
        "{backend}: {users} users with an authenticator app seeded in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );

    let bench = Arc::new(Bench {
        base: app.base.clone(),
        client_id,
        client_secret,
        clock,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(64)
            .build()?,
        params,
        next_user: AtomicUsize::new(0),
        users,
    });

    // Verify requests alone: open exchanges first (K=16), then verify them all (K=16).
    let count = (users / 5).min(4000);
    let opened = Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let openers: Vec<_> = (0..16)
        .map(|_| {
            let (bench, opened) = (bench.clone(), opened.clone());
            tokio::spawn(async move {
                loop {
                    let i = bench.next_user.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        return anyhow::Ok(());
                    }
                    let (request_id, _) = bench.open().await?;
                    let exchange = bench.initiate(&request_id, i).await?;
                    opened.lock().await.push((exchange, i));
                }
            })
        })
        .collect();
    for opener in openers {
        opener.await??;
    }
    let work = Arc::new(std::mem::take(&mut *opened.lock().await));
    let position = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let verifiers: Vec<_> = (0..16)
        .map(|_| {
            let (bench, work, position) = (bench.clone(), work.clone(), position.clone());
            tokio::spawn(async move {
                let (mut samples, mut failed) = (Vec::new(), 0);
                loop {
                    let n = position.fetch_add(1, Ordering::Relaxed);
                    let Some((exchange, i)) = work.get(n) else {
                        return (samples, failed);
                    };
                    let t = Instant::now();
                    match bench.verify(exchange, *i).await {
                        Ok(_) => samples.push(t.elapsed()),
                        Err(_) => failed += 1,
                    }
                }
            })
        })
        .collect();
    let (mut samples, mut failed) = (Vec::new(), 0);
    for verifier in verifiers {
        let (s, f) = verifier.await?;
        samples.extend(s);
        failed += f;
    }
    print(
        "TOTP verify request, K=16",
        samples,
        failed,
        started.elapsed(),
    );

    for k in [4, 16] {
        whole_flows(&bench, k, seconds).await;
    }
    Ok(())
}
