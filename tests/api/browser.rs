//! The hosted login in a real browser: headless Chromium driven over WebDriver (fantoccini and
//! Debian's chromedriver) signs in for a relying app that runs its own callback server.
//!
//! Screenshots of the login page and of its error state are written to `docs/screenshots/`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use fantoccini::{ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::helpers::*;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const TIMEOUT: Duration = Duration::from_secs(30);

/// A chromedriver of this test, in its own process group; dropping it kills the group
/// (chromedriver and any Chromium it started), also when the test fails.
struct Chromedriver {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Chromedriver {
    async fn start() -> Chromedriver {
        for tool in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                Path::new(tool).exists(),
                "{tool} is missing: the browser tests need Debian's chromium and chromium-driver. \
                 Run scripts/test, which installs them."
            );
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let child = {
            use std::os::unix::process::CommandExt;
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .arg(format!(
                    "--log-path={}",
                    dir.path().join("chromedriver.log").display()
                ))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"))
        };
        let mut driver = Chromedriver { child, port, dir };
        let status = format!("http://127.0.0.1:{port}/status");
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(response) = reqwest::get(&status).await {
                if response.status().is_success() {
                    return driver;
                }
            }
            if let Ok(Some(exit)) = driver.child.try_wait() {
                panic!(
                    "chromedriver exited ({exit}) before answering:\n{}",
                    driver.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not answer on port {port}:\n{}",
                driver.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("chromedriver.log")).unwrap_or_default()
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The whole process group: Chromium outlives a killed chromedriver otherwise.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// A headless Chromium session. Fields drop in order: the WebDriver client before the driver.
struct Browser {
    client: fantoccini::Client,
    driver: Chromedriver,
}

impl Browser {
    async fn start() -> Browser {
        let driver = Chromedriver::start().await;
        let profile = driver.dir.path().join("profile");
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--window-size=1200,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::native()
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "Chromium did not start through chromedriver: {e}\n{}",
                    driver.log()
                )
            });
        Browser { client, driver }
    }

    async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigation");
    }

    async fn url(&self) -> url::Url {
        self.client.current_url().await.expect("current url")
    }

    /// Polls until the current URL satisfies `ready`.
    async fn wait_for_url(&self, what: &str, ready: impl Fn(&url::Url) -> bool) -> url::Url {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let url = self.url().await;
            if ready(&url) {
                return url;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the browser is at {url}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(TIMEOUT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// Writes a PNG screenshot of the window to `docs/screenshots/<name>`.
    async fn screenshot(&self, name: &str) {
        // A blinking text caret would make every run's PNG differ; the focus ring stays.
        self.client
            .execute(
                "for (const e of document.querySelectorAll('input')) e.style.caretColor = 'transparent';",
                vec![],
            )
            .await
            .expect("hide the caret");
        let png = self.client.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(dir.join(name), png).expect("screenshot written");
    }

    async fn close(self) {
        let _ = self.client.close().await;
        drop(self.driver);
    }
}

/// The relying app: a tiny HTTP server whose `/callback` shows "Signed in at the test app"
/// and echoes the query parameters it received. Returns its callback URL.
async fn start_test_app() -> String {
    async fn callback(req: HttpRequest) -> HttpResponse {
        let items: String = url::form_urlencoded::parse(req.query_string().as_bytes())
            .map(|(k, v)| {
                format!(
                    "<dt>{k}</dt><dd id=\"param-{k}\">{v}</dd>",
                    k = escape(&k),
                    v = escape(&v)
                )
            })
            .collect();
        HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(format!(
                "<!doctype html><html lang=\"en\"><head><title>Test app</title></head>\
                 <body><h1>Signed in at the test app</h1><dl>{items}</dl></body></html>"
            ))
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = HttpServer::new(|| App::new().route("/callback", web::get().to(callback)))
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
    tokio::spawn(server);
    format!("http://127.0.0.1:{port}/callback")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An app with a user and a public client whose redirect URI is the test app's callback.
async fn app_with_test_app() -> (TestApp, Rp) {
    let app = TestApp::spawn().await;
    app.create_user("ada@example.com").await;
    let callback = start_test_app().await;
    // ClientSpec holds &'static str; one small leak per test is fine.
    let callback: &'static str = Box::leak(callback.into_boxed_str());
    let rp = app
        .create_client(ClientSpec {
            name: "Browser Test App",
            redirect_uris: vec![callback],
            public: true,
            ..ClientSpec::default()
        })
        .await;
    (app, rp)
}

/// The authorization URL a public client with PKCE (S256, [`CHALLENGE`]) sends the user to.
fn authorization_url(app: &TestApp, rp: &Rp, state: &str) -> String {
    url::Url::parse_with_params(
        &app.url("/authz-srv/authz"),
        [
            ("client_id", rp.client_id.as_str()),
            ("redirect_uri", rp.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", "openid email"),
            ("state", state),
            ("nonce", "browser-nonce"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    )
    .expect("url")
    .to_string()
}

/// Waits for our login page and checks what a user sees there.
async fn assert_login_page(browser: &Browser, app: &TestApp) {
    let url = browser
        .wait_for_url("the login page", |u| u.path() == "/login")
        .await;
    assert!(
        url.as_str().starts_with(&app.url("/login?requestId=")),
        "{url}"
    );
    assert_eq!(
        browser.client.title().await.unwrap(),
        "Sign in to Browser Test App"
    );
    assert_eq!(browser.text("h1").await, "Sign in");
    assert!(browser.text(".lead").await.contains("Browser Test App"));

    // every input a user fills in has a visible label naming it
    let inputs = browser
        .client
        .find_all(Locator::Css("form input:not([type=hidden])"))
        .await
        .unwrap();
    let mut labels = Vec::new();
    for input in inputs {
        assert!(input.is_displayed().await.unwrap());
        let id = input
            .attr("id")
            .await
            .unwrap()
            .expect("the input has an id");
        let label = browser
            .client
            .find(Locator::Css(&format!("label[for=\"{id}\"]")))
            .await
            .unwrap_or_else(|_| panic!("no <label> for #{id}"));
        assert!(
            label.is_displayed().await.unwrap(),
            "the label of #{id} is visible"
        );
        labels.push((id, label.text().await.unwrap()));
    }
    assert_eq!(
        labels,
        [
            ("username".to_string(), "Email".to_string()),
            ("password".to_string(), "Password".to_string())
        ]
    );
}

async fn fill_in_and_submit(browser: &Browser, email: &str, password: &str) {
    let username = browser.find("#username").await;
    username.clear().await.unwrap();
    username.send_keys(email).await.unwrap();
    browser
        .find("#password")
        .await
        .send_keys(password)
        .await
        .unwrap();
    browser
        .find("form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_user_signs_in_with_a_password_in_a_real_browser_and_lands_on_the_relying_app() {
    let (app, rp) = app_with_test_app().await;
    let browser = Browser::start().await;
    browser
        .goto(&authorization_url(&app, &rp, "browser-state-1"))
        .await;
    assert_login_page(&browser, &app).await;
    browser.screenshot("login.png").await;

    fill_in_and_submit(&browser, "ada@example.com", PASSWORD).await;
    let landed = browser
        .wait_for_url("the relying app's callback", |u| {
            u.as_str().starts_with(&format!("{}?", rp.redirect_uri))
        })
        .await;
    let pairs: Vec<(String, String)> = landed.query_pairs().into_owned().collect();
    let code = param(&pairs, "code").expect("code in the callback URL");
    assert!(code.len() >= 40);
    assert_eq!(param(&pairs, "state").as_deref(), Some("browser-state-1"));
    assert_eq!(param(&pairs, "iss").as_deref(), Some(app.base.as_str()));
    assert_eq!(
        browser.text("h1").await,
        "Signed in at the test app",
        "the callback page is shown"
    );
    assert_eq!(browser.text("#param-state").await, "browser-state-1");
    assert_eq!(browser.text("#param-code").await, code);

    // the code the browser carried is redeemable with the PKCE verifier
    let tokens: Value = app.redeem(&rp, &code).await.json().await.unwrap();
    assert!(tokens["id_token"].is_string(), "{tokens}");
    browser.close().await;
}

#[tokio::test]
async fn a_wrong_password_in_a_real_browser_shows_the_generic_error_next_to_the_form() {
    let (app, rp) = app_with_test_app().await;
    let browser = Browser::start().await;
    browser
        .goto(&authorization_url(&app, &rp, "browser-state-2"))
        .await;
    assert_login_page(&browser, &app).await;

    fill_in_and_submit(&browser, "ada@example.com", "not the password").await;
    let alert = browser.find("[role=alert]").await;
    assert_eq!(
        alert.text().await.unwrap(),
        "The email or password is not correct."
    );
    assert!(alert.is_displayed().await.unwrap());
    let url = browser.url().await;
    assert_eq!(url.path(), "/login", "still on the login page: {url}");
    assert!(!url.as_str().contains("code="));
    assert_eq!(
        browser
            .find("#password")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some(""),
        "the password is not echoed back"
    );
    assert_login_page(&browser, &app).await;
    browser.screenshot("login-error.png").await;

    // the same request still completes with the right password
    fill_in_and_submit(&browser, "ada@example.com", PASSWORD).await;
    let landed = browser
        .wait_for_url("the relying app's callback", |u| {
            u.as_str().starts_with(&format!("{}?", rp.redirect_uri))
        })
        .await;
    let pairs: Vec<(String, String)> = landed.query_pairs().into_owned().collect();
    assert_eq!(param(&pairs, "state").as_deref(), Some("browser-state-2"));
    assert!(param(&pairs, "code").is_some());
    browser.close().await;
}
