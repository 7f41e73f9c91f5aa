//! Starting apps, seeding users and clients, and driving the login flow over HTTP.
#![allow(dead_code)]

use diesel::Connection;
use diesel::connection::SimpleConnection;
use gatehouse::cli::{NewClient, NewUser};
use gatehouse::{Application, Clock, Config};

pub const PASSWORD: &str = "correct horse battery";
pub const REDIRECT_URI: &str = "http://localhost:9999/callback";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// A running app with its own database.
pub struct TestApp {
    /// The issuer (public URL).
    pub base: String,
    /// Where the app actually listens.
    pub addr: std::net::SocketAddr,
    pub clock: Clock,
    pub config: Config,
    pub state: gatehouse::flows::AppState,
    _db: TestDb,
}

/// The database of one test; a PostgreSQL database is dropped when the test ends.
pub enum TestDb {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// Another app's database ([`TestApp::spawn_sibling`]): that app drops it.
    Borrowed,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name } = self
            && let Ok(mut conn) = diesel::PgConnection::establish(admin_url)
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
        }
    }
}

pub fn fresh_database() -> (String, TestDb) {
    match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(admin_url) => {
            let name = format!("gatehouse_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = diesel::PgConnection::establish(&admin_url)
                .expect("TEST_DATABASE_URL must be reachable");
            conn.batch_execute(&format!("CREATE DATABASE \"{name}\""))
                .expect("create test database");
            let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL must be a URL");
            url.set_path(&name);
            (url.to_string(), TestDb::Postgres { admin_url, name })
        }
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("gatehouse.db").display());
            (url, TestDb::Sqlite(dir))
        }
    }
}

/// A configuration for tests: port 0, one worker, cheap argon2.
pub fn test_config(database_url: String) -> Config {
    // SQLite runs with its default pool (one connection), as in production; on PostgreSQL each
    // test app keeps 5, so that the tests running at once stay under the server's
    // max_connections.
    let db_pool_size = database_url.starts_with("postgres").then_some(5);
    Config {
        database_url,
        listen: "127.0.0.1:0".into(),
        workers: Some(1),
        db_pool_size,
        argon2_memory_kib: 256,
        argon2_iterations: 1,
        argon2_parallelism: 1,
        // Never the working directory: mail of tests without an SMTP server lands here.
        outbox_dir: std::env::temp_dir()
            .join("gatehouse-test-outbox")
            .display()
            .to_string(),
        ..Config::default()
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// Starts an app after `adjust` has changed the test configuration.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let (url, db) = fresh_database();
        let mut config = test_config(url);
        adjust(&mut config);
        let clock = Clock::system();
        let app = Application::build_with_clock(config.clone(), clock.clone())
            .await
            .expect("app builds");
        let base = app.issuer().to_owned();
        let addr = app.addr();
        let state = app.state().clone();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            base,
            addr,
            clock,
            config,
            state,
            _db: db,
        }
    }

    /// An address on the running app (always the real listener, whatever the public URL).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Creates a user with [`PASSWORD`]; returns its `sub`.
    pub async fn create_user(&self, email: &str) -> String {
        self.create_user_with_phone(email, None).await
    }

    /// Creates a user with [`PASSWORD`] and a confirmed phone number; returns its `sub`.
    pub async fn create_user_with_phone(&self, email: &str, phone: Option<&str>) -> String {
        self.new_user(email, phone, false).await
    }

    /// Creates an administrator with [`PASSWORD`]; returns its `sub`.
    pub async fn create_admin(&self, email: &str) -> String {
        self.new_user(email, None, true).await
    }

    async fn new_user(&self, email: &str, phone: Option<&str>, admin: bool) -> String {
        let (config, store) = (self.config.clone(), self.state.store.clone());
        let args = NewUser {
            email: email.into(),
            password: Some(PASSWORD.into()),
            password_stdin: false,
            name: Some("Test User".into()),
            admin,
            phone: phone.map(str::to_owned),
            json: true,
        };
        let out =
            tokio::task::spawn_blocking(move || gatehouse::cli::create_user(&config, &store, args))
                .await
                .unwrap()
                .expect("user created");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        json["sub"].as_str().unwrap().to_owned()
    }

    /// Registers a client; returns (client_id, client_secret).
    pub async fn create_client(&self, spec: ClientSpec) -> Rp {
        let store = self.state.store.clone();
        let args = NewClient {
            name: spec.name.into(),
            redirect_uris: spec.redirect_uris.iter().map(|s| s.to_string()).collect(),
            post_logout_redirect_uris: spec
                .post_logout_redirect_uris
                .iter()
                .map(|s| s.to_string())
                .collect(),
            login_ui_origins: spec
                .login_ui_origins
                .iter()
                .map(|s| s.to_string())
                .collect(),
            public: spec.public,
            grant_types: spec.grant_types.iter().map(|s| s.to_string()).collect(),
            allow_implicit: spec.allow_implicit,
            mfa: spec.mfa.into(),
            management: spec.management,
            approvals: spec.approvals,
            json: true,
        };
        let out = tokio::task::spawn_blocking(move || gatehouse::cli::create_client(&store, args))
            .await
            .unwrap()
            .expect("client created");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        Rp {
            client_id: json["client_id"].as_str().unwrap().to_owned(),
            client_secret: json["client_secret"].as_str().map(str::to_owned),
            redirect_uri: spec
                .redirect_uris
                .first()
                .copied()
                .unwrap_or(REDIRECT_URI)
                .to_owned(),
        }
    }

    /// A confidential client with [`REDIRECT_URI`] and the default grants.
    pub async fn confidential_client(&self) -> Rp {
        self.create_client(ClientSpec::default()).await
    }

    /// A public client (PKCE required).
    pub async fn public_client(&self) -> Rp {
        self.create_client(ClientSpec {
            public: true,
            ..ClientSpec::default()
        })
        .await
    }

    /// GET /authz-srv/authz with the given parameters; returns the Location header.
    pub async fn authorize(
        &self,
        browser: &reqwest::Client,
        params: &[(&str, &str)],
    ) -> reqwest::Response {
        browser
            .get(self.url("/authz-srv/authz"))
            .query(params)
            .send()
            .await
            .expect("authz answers")
    }

    /// The methods page of the sign-in `request_id` once `username` is typed (its HTML).
    pub async fn methods_page(
        &self,
        browser: &reqwest::Client,
        request_id: &str,
        username: &str,
    ) -> String {
        let username: String = url::form_urlencoded::byte_serialize(username.as_bytes()).collect();
        get_text(
            browser,
            self.url(&format!(
                "/login/methods?requestId={request_id}&username={username}"
            )),
        )
        .await
    }

    /// The discovery document (`/.well-known/openid-configuration`).
    pub async fn discovery(&self) -> serde_json::Value {
        reqwest::get(self.url("/.well-known/openid-configuration"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Opens the login page of `location` (a `/login?requestId=…` redirect) and returns
    /// (requestId, csrf_token).
    pub async fn open_login_page(
        &self,
        browser: &reqwest::Client,
        location: &str,
    ) -> (String, String) {
        let page = browser.get(self.url(location)).send().await.unwrap();
        assert_eq!(page.status(), 200, "login page");
        let html = page.text().await.unwrap();
        (
            hidden_field(&html, "requestId"),
            hidden_field(&html, "csrf_token"),
        )
    }

    /// Submits the password form; returns the response (a redirect).
    pub async fn submit_login(
        &self,
        browser: &reqwest::Client,
        request_id: &str,
        csrf: &str,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        browser
            .post(self.url("/login-srv/login"))
            .form(&[
                ("username", email),
                ("password", password),
                ("requestId", request_id),
                ("csrf_token", csrf),
            ])
            .send()
            .await
            .unwrap()
    }

    /// Runs authorize → login page → password → redirect with PKCE (S256, [`VERIFIER`]) and
    /// returns the parameters of the redirect to the client.
    pub async fn sign_in(
        &self,
        browser: &reqwest::Client,
        rp: &Rp,
        email: &str,
        extra: &[(&str, &str)],
    ) -> Vec<(String, String)> {
        let mut params = vec![
            ("client_id", rp.client_id.as_str()),
            ("redirect_uri", rp.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", "openid email profile"),
            ("state", "state-1"),
            ("nonce", "nonce-1"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ];
        params.extend_from_slice(extra);
        let response = self.authorize(browser, &params).await;
        let login = location(&response);
        assert!(
            login.starts_with("/login?requestId="),
            "expected the login page, got {login}"
        );
        let (request_id, csrf) = self.open_login_page(browser, &login).await;
        let response = self
            .submit_login(browser, &request_id, &csrf, email, PASSWORD)
            .await;
        let back = location(&response);
        assert!(
            back.starts_with(&rp.redirect_uri),
            "expected a redirect to the client, got {back}"
        );
        query_pairs(&back)
    }

    /// Signs in and returns an authorization code.
    pub async fn code_for(&self, browser: &reqwest::Client, rp: &Rp, email: &str) -> String {
        param(&self.sign_in(browser, rp, email, &[]).await, "code").expect("code in redirect")
    }

    /// POSTs a form to the token endpoint with the client's secret (client_secret_post).
    pub async fn token_request(&self, rp: &Rp, form: &[(&str, &str)]) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = form.to_vec();
        form.push(("client_id", &rp.client_id));
        if let Some(secret) = &rp.client_secret {
            form.push(("client_secret", secret));
        }
        reqwest::Client::new()
            .post(self.url("/token-srv/token"))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Redeems `code` with [`VERIFIER`].
    pub async fn redeem(&self, rp: &Rp, code: &str) -> reqwest::Response {
        self.token_request(
            rp,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &rp.redirect_uri),
                ("code_verifier", VERIFIER),
            ],
        )
        .await
    }

    pub async fn userinfo(&self, access_token: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(self.url("/users-srv/userinfo"))
            .bearer_auth(access_token)
            .send()
            .await
            .unwrap()
    }
}

/// How to register a test client.
pub struct ClientSpec {
    pub name: &'static str,
    pub redirect_uris: Vec<&'static str>,
    pub post_logout_redirect_uris: Vec<&'static str>,
    /// Origins of the application's own login UI.
    pub login_ui_origins: Vec<&'static str>,
    pub public: bool,
    pub grant_types: Vec<&'static str>,
    pub allow_implicit: bool,
    pub management: bool,
    /// May request transaction approvals.
    pub approvals: bool,
    /// off, optional or always.
    pub mfa: &'static str,
}

impl Default for ClientSpec {
    fn default() -> Self {
        ClientSpec {
            name: "Test App",
            redirect_uris: vec![REDIRECT_URI],
            post_logout_redirect_uris: vec![],
            login_ui_origins: vec![],
            public: false,
            grant_types: vec![],
            allow_implicit: false,
            management: false,
            approvals: false,
            mfa: "optional",
        }
    }
}

/// A registered relying party.
#[derive(Clone)]
pub struct Rp {
    pub client_id: String,
    pub client_secret: Option<String>,
    pub redirect_uri: String,
}

/// The parameters of a plain code request with PKCE (S256, [`CHALLENGE`]) for `rp`.
pub fn code_request(rp: &Rp) -> Vec<(&'static str, &str)> {
    vec![
        ("client_id", rp.client_id.as_str()),
        ("redirect_uri", rp.redirect_uri.as_str()),
        ("response_type", "code"),
        ("scope", "openid"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

/// The Location header of a redirect (panics if there is none).
pub fn location(response: &reqwest::Response) -> String {
    assert!(
        response.status().is_redirection(),
        "expected a redirect, got {}",
        response.status()
    );
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The query (or fragment) parameters of a URL.
pub fn query_pairs(url: &str) -> Vec<(String, String)> {
    let query = url.split_once(['?', '#']).map(|(_, q)| q).unwrap_or("");
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

pub fn param(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// The value of a hidden input in an HTML page.
pub fn hidden_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in page"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// POSTs JSON and returns (status, body).
pub async fn post_json(
    http: &reqwest::Client,
    url: String,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let response = http.post(url).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (
        status,
        response.json().await.unwrap_or(serde_json::Value::Null),
    )
}

/// An enrolled TOTP authenticator, as a test's "phone" holds it.
pub struct Phone {
    pub secret: Vec<u8>,
    pub authenticator_id: String,
}

impl Phone {
    /// The code the app shows `steps_ahead` steps after the app's current time.
    pub fn code(&self, app: &TestApp, steps_ahead: i64) -> String {
        let params = gatehouse::domain::totp::TotpParams::default();
        gatehouse::domain::totp::code_at_step(
            &self.secret,
            params,
            params.step_at(app.clock.now()) + steps_ahead,
        )
    }
}

impl TestApp {
    /// A browser signed in as `email` (password login through a public client).
    pub async fn signed_in_browser(&self, email: &str) -> reqwest::Client {
        let rp = self.public_client().await;
        let browser = self.browser();
        self.sign_in(&browser, &rp, email, &[]).await;
        browser
    }

    /// Enrolls a TOTP for the user signed in to `browser` and moves the clock past the step of
    /// the confirming code, so the next test code is fresh.
    pub async fn enroll_totp(&self, browser: &reqwest::Client, label: &str) -> Phone {
        let (status, started) = post_json(
            browser,
            self.url("/verification-srv/v2/setup/initiate/totp"),
            serde_json::json!({"label": label}),
        )
        .await;
        assert_eq!(status, 200, "{started}");
        let secret =
            totp_rs::Secret::try_from_base32(started["data"]["totp_secret"].as_str().unwrap())
                .unwrap()
                .as_ref()
                .to_vec();
        let mut phone = Phone {
            secret,
            authenticator_id: String::new(),
        };
        let exchange = started["data"]["exchange_id"]["exchange_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, enrolled) = post_json(
            browser,
            self.url("/verification-srv/v2/setup/enroll/totp"),
            serde_json::json!({"exchange_id": exchange, "pass_code": phone.code(self, 0)}),
        )
        .await;
        assert_eq!(status, 200, "{enrolled}");
        phone.authenticator_id = enrolled["data"]["authenticator_id"]
            .as_str()
            .unwrap()
            .to_owned();
        self.clock.advance(30);
        phone
    }

    /// Starts an authorization in `browser` and returns its requestId (the login page is opened,
    /// which binds the request to the browser).
    pub async fn start_login(&self, browser: &reqwest::Client, rp: &Rp) -> String {
        let params = [
            ("client_id", rp.client_id.as_str()),
            ("redirect_uri", rp.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", "openid email"),
            ("state", "state-1"),
            ("nonce", "nonce-1"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ];
        let login = location(&self.authorize(browser, &params).await);
        self.open_login_page(browser, &login).await.0
    }
}

/// GETs a page and returns its body.
pub async fn get_text(browser: &reqwest::Client, url: String) -> String {
    browser.get(url).send().await.unwrap().text().await.unwrap()
}

impl TestApp {
    /// `POST /login-srv/precheck/continue/{track_id}` with a verified second factor; returns
    /// where the browser is sent.
    pub async fn continue_after_mfa(
        &self,
        browser: &reqwest::Client,
        track_id: &str,
        request_id: &str,
        sub: &str,
        status_id: &str,
        kind: &str,
    ) -> String {
        let response = browser
            .post(self.url(&format!("/login-srv/precheck/continue/{track_id}")))
            .form(&[
                ("status_id", status_id),
                ("requestId", request_id),
                ("sub", sub),
                ("verificationType", kind),
            ])
            .send()
            .await
            .unwrap();
        location(&response)
    }
}

impl TestApp {
    /// A second instance on this app's database (its own process state: limiters, caches,
    /// settings in memory), as an operator runs two behind one load balancer.
    pub async fn spawn_sibling(&self) -> TestApp {
        let config = self.config.clone();
        let clock = Clock::system();
        let app = Application::build_with_clock(config.clone(), clock.clone())
            .await
            .expect("sibling builds");
        let base = app.issuer().to_owned();
        let addr = app.addr();
        let state = app.state().clone();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            base,
            addr,
            clock,
            config,
            state,
            _db: TestDb::Borrowed,
        }
    }

    /// Whether the tests run on PostgreSQL (`TEST_DATABASE_URL`).
    pub fn on_postgres(&self) -> bool {
        self.config.database_url.starts_with("postgres")
    }
}
