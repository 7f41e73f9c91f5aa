//! What the browser tests share: headless Chromium driven over WebDriver (fantoccini and
//! Debian's chromedriver), and a tiny relying app whose callback server shows what it received.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use fantoccini::elements::Element;
use fantoccini::{ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::helpers::*;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const TIMEOUT: Duration = Duration::from_secs(30);
/// The window size; screenshots of longer pages grow it to the page's height.
const WIDTH: u32 = 1200;
const HEIGHT: u32 = 900;

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
            if let Ok(response) = reqwest::get(&status).await
                && response.status().is_success()
            {
                return driver;
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
pub struct Browser {
    pub client: fantoccini::Client,
    driver: Chromedriver,
}

impl Browser {
    pub async fn start() -> Browser {
        Browser::start_with_args(&[]).await
    }

    /// A browser started with extra Chromium switches (e.g. `--force-dark-mode`).
    pub async fn start_with_args(extra: &[&str]) -> Browser {
        let driver = Chromedriver::start().await;
        let profile = driver.dir.path().join("profile");
        let mut capabilities = json!({
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
                    format!("--window-size={WIDTH},{HEIGHT}"),
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        if let Some(args) = capabilities["goog:chromeOptions"]["args"].as_array_mut() {
            args.extend(extra.iter().map(|a| json!(a)));
        }
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

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigation");
    }

    pub async fn url(&self) -> url::Url {
        self.client.current_url().await.expect("current url")
    }

    /// Polls until the current URL satisfies `ready`.
    pub async fn wait_for_url(&self, what: &str, ready: impl Fn(&url::Url) -> bool) -> url::Url {
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

    /// Waits until the browser shows a page of our app at `path` (any query).
    pub async fn wait_for_path(&self, app: &TestApp, path: &str) -> url::Url {
        let url = self
            .wait_for_url(&format!("the page {path}"), |u| u.path() == path)
            .await;
        assert!(url.as_str().starts_with(&app.url(path)), "{url}");
        url
    }

    /// Waits for the relying app's callback page and returns the query parameters it got.
    pub async fn wait_for_callback(&self, rp: &Rp) -> Vec<(String, String)> {
        let landed = self
            .wait_for_url("the relying app's callback", |u| {
                u.as_str().starts_with(&format!("{}?", rp.redirect_uri))
            })
            .await;
        assert_eq!(
            self.text("h1").await,
            "Signed in at the test app",
            "the callback page is shown"
        );
        landed.query_pairs().into_owned().collect()
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(TIMEOUT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    /// Runs `act` on the element `css`. A page that is just being replaced (a form was
    /// submitted, a link followed) may hand out an element that goes stale before `act`
    /// reaches it: look it up again rather than fail.
    async fn on_element<T, F, Fut>(&self, css: &str, what: &str, act: F) -> T
    where
        F: Fn(Element) -> Fut,
        Fut: std::future::Future<Output = Result<T, fantoccini::error::CmdError>>,
    {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match act(self.find(css).await).await {
                Ok(value) => return value,
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::StaleElementReference
                        && Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot {what} {css}: {e}"),
            }
        }
    }

    /// The text of the element `css`.
    pub async fn text(&self, css: &str) -> String {
        self.on_element(css, "read the text of", |e| async move { e.text().await })
            .await
    }

    /// Waits until the element `css` reads `expected`: after a form that comes back to the same
    /// URL, the URL cannot tell the old page from the new one.
    pub async fn wait_for_text(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let text = self.text(css).await;
            if text == expected {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {css} to read {expected:?}; it reads {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The value of an attribute of the element `css` (`None` when it is absent).
    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.on_element(css, "read an attribute of", |e| async move {
            e.attr(name).await
        })
        .await
    }

    /// The value of a DOM property of the element `css` (e.g. `checked`).
    pub async fn prop(&self, css: &str, name: &str) -> Option<String> {
        self.on_element(
            css,
            "read a property of",
            |e| async move { e.prop(name).await },
        )
        .await
    }

    pub async fn click(&self, css: &str) {
        self.on_element(css, "click", |e| async move { e.click().await.map(drop) })
            .await
    }

    /// Replaces what the input `css` holds by `text`, typed key by key.
    pub async fn type_into(&self, css: &str, text: &str) {
        self.on_element(css, "type into", |e| async move {
            e.clear().await?;
            e.send_keys(text).await
        })
        .await
    }

    /// Chooses the option with `value` in the select element `css`.
    pub async fn choose(&self, css: &str, value: &str) {
        self.on_element(css, &format!("choose {value} in"), |e| async move {
            e.select_by_value(value).await.map(drop)
        })
        .await
    }

    pub async fn screenshot(&self, name: &str) {
        // A blinking text caret would make every run's PNG differ; the focus ring stays.
        let overflow = self
            .client
            .execute(
                "for (const e of document.querySelectorAll('input')) e.style.caretColor = 'transparent';
                 return Math.ceil(document.documentElement.scrollHeight - window.innerHeight);",
                vec![],
            )
            .await
            .expect("hide the caret");
        let overflow = overflow.as_f64().unwrap_or(0.0).max(0.0) as u32;
        if overflow > 0 {
            self.client
                .set_window_size(WIDTH, HEIGHT + overflow)
                .await
                .expect("resize");
        }
        let png = self.client.screenshot().await.expect("screenshot");
        if overflow > 0 {
            self.client
                .set_window_size(WIDTH, HEIGHT)
                .await
                .expect("resize");
        }
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let dir = if std::env::var_os("GATEHOUSE_SCREENSHOTS").is_some() {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots")
        } else {
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
        };
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(dir.join(name), png).expect("screenshot written");
    }

    /// Runs a Chrome DevTools Protocol command on the current page through chromedriver's
    /// `goog/cdp/execute` endpoint (e.g. `WebAuthn.addVirtualAuthenticator`); returns its result.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let session = self
            .client
            .session_id()
            .await
            .expect("session id")
            .expect("a session");
        let url = format!(
            "http://127.0.0.1:{}/session/{session}/goog/cdp/execute",
            self.driver.port
        );
        let answer: Value = reqwest::Client::new()
            .post(url)
            .json(&json!({"cmd": cmd, "params": params}))
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("JSON");
        assert!(answer["value"]["error"].is_null(), "{cmd}: {answer}");
        answer["value"].clone()
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
        drop(self.driver);
    }
}

/// Starts the relying app: a tiny HTTP server whose `/callback` shows "Signed in at the test app"
/// and echoes the query parameters it received (as `#param-<name>`). Returns its callback URL.
pub async fn start_test_app() -> String {
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

/// Starts a relying app and registers it as a public client named "Browser Test App" with the
/// given MFA policy (off, optional or always).
pub async fn register_test_app(app: &TestApp, mfa: &'static str) -> Rp {
    let callback = start_test_app().await;
    // ClientSpec holds &'static str; one small leak per test is fine.
    let callback: &'static str = Box::leak(callback.into_boxed_str());
    app.create_client(ClientSpec {
        name: "Browser Test App",
        redirect_uris: vec![callback],
        public: true,
        mfa,
        ..ClientSpec::default()
    })
    .await
}

/// The authorization URL a public client with PKCE (S256, [`CHALLENGE`]) sends the user to.
pub fn authorization_url(app: &TestApp, rp: &Rp, state: &str) -> String {
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

/// Types an email and a password into the login page and submits it.
pub async fn fill_in_and_submit(browser: &Browser, email: &str, password: &str) {
    browser.type_into("#username", email).await;
    browser.type_into("#password", password).await;
    browser.click("form button[type=submit]").await;
}
