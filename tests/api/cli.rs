//! The `gatehouse` binary as a newcomer runs it: first start, config errors, CLI output.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn gatehouse(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GATEHOUSE_ARGON2_MEMORY_KIB", "256")
        .env("GATEHOUSE_ARGON2_ITERATIONS", "1")
        .env("GATEHOUSE_LOG_FORMAT", "json");
    command
}

fn run(command: &mut Command) -> (i32, String, String) {
    let out = command.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A served process whose stderr (the logs) is collected on a thread.
struct Served {
    child: Child,
    logs: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Served {
    fn start(dir: &std::path::Path) -> (Served, String) {
        let mut child = gatehouse(dir)
            .env("GATEHOUSE_LISTEN", "127.0.0.1:0")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let logs = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&line)
                    && let Some(url) = v["fields"]["url"].as_str()
                {
                    let _ = tx.send(url.to_owned());
                }
                sink.lock().unwrap().push(line);
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server logs its URL");
        (Served { child, logs }, url)
    }

    fn logs(&self) -> String {
        self.logs.lock().unwrap().join("\n")
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn invalid_configuration_stops_the_start_with_one_line_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (key, value, named) in [
        ("GATEHOUSE_LISTEN", "not-an-address", "listen"),
        ("GATEHOUSE_CODE_TTL", "soon", "CODE_TTL"),
        ("GATEHOUSE_DATABASE_URL", "mysql://x", "database_url"),
    ] {
        let (code, _, stderr) = run(gatehouse(dir.path()).env(key, value));
        assert_eq!(code, 2, "{key}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(named), "{stderr}");
    }
    std::fs::write(dir.path().join("bad.toml"), "listen = 5\n").unwrap();
    let (code, _, stderr) = run(gatehouse(dir.path()).args(["--config", "bad.toml", "migrate"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("listen"), "{stderr}");
}

#[test]
fn a_toml_file_is_read_and_environment_variables_override_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("gatehouse.toml"),
        "database_url = \"sqlite://from-file.db\"\n",
    )
    .unwrap();
    let (code, _, stderr) =
        run(gatehouse(dir.path()).args(["--config", "gatehouse.toml", "migrate"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(dir.path().join("from-file.db").exists());
    let (code, _, _) = run(gatehouse(dir.path())
        .env("GATEHOUSE_CONFIG", "gatehouse.toml")
        .env("GATEHOUSE_DATABASE_URL", "sqlite://from-env.db")
        .arg("migrate"));
    assert_eq!(code, 0);
    assert!(dir.path().join("from-env.db").exists());
}

#[test]
fn bad_arguments_exit_with_code_2_and_one_line() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--frobnicate"],
        vec!["user", "create"],
        vec![
            "user",
            "create",
            "--email",
            "not-an-email",
            "--password",
            "long enough",
        ],
        vec![
            "client",
            "create",
            "--name",
            "X",
            "--redirect-uri",
            "http://evil.example/cb",
        ],
        vec![
            "client",
            "create",
            "--name",
            "X",
            "--public",
            "--management",
        ],
        // transaction approvals need a secret (`--approvals`)
        vec![
            "client",
            "create",
            "--name",
            "X",
            "--public",
            "--approvals",
            "--redirect-uri",
            "http://localhost:3000/cb",
        ],
        vec![
            "user",
            "create",
            "--email",
            "a@example.com",
            "--password",
            "short",
        ],
        // on the shipped list of leaked passwords (NIST SP 800-63B)
        vec![
            "user",
            "create",
            "--email",
            "a@example.com",
            "--password",
            "Password123",
        ],
        vec![
            "user",
            "create",
            "--email",
            "a@example.com",
            "--phone",
            "0151 1234",
        ],
    ] {
        let (code, stdout, stderr) = run(gatehouse(dir.path()).args(&args));
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stdout.is_empty());
    }
}

#[test]
fn user_and_client_create_print_the_documented_json() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(gatehouse(dir.path()).args([
        "user",
        "create",
        "--email",
        "Ada@Example.com",
        "--password",
        "correct horse",
        "--admin",
        "--json",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let user: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(user["email"], "ada@example.com");
    assert!(uuid::Uuid::parse_str(user["sub"].as_str().unwrap()).is_ok());
    let (code, _, stderr) = run(gatehouse(dir.path()).args([
        "user",
        "create",
        "--email",
        "ada@example.com",
        "--password",
        "correct horse",
    ]));
    assert_ne!(code, 0);
    assert!(stderr.contains("already exists"));

    let (_, stdout, _) = run(gatehouse(dir.path()).args([
        "client",
        "create",
        "--name",
        "Web",
        "--redirect-uri",
        "https://app.example/cb",
        "--approvals",
        "--json",
    ]));
    let client: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(
        client["client_id"].is_string()
            && client["client_secret"]
                .as_str()
                .is_some_and(|s| s.len() >= 40)
    );
    let (_, stdout, _) = run(gatehouse(dir.path()).args([
        "client",
        "create",
        "--name",
        "SPA",
        "--public",
        "--redirect-uri",
        "http://localhost:3000/cb",
        "--json",
    ]));
    let public: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(public["client_secret"].is_null());
}

#[test]
fn the_first_start_creates_the_database_and_keys_logs_its_url_and_how_to_make_an_admin() {
    let dir = tempfile::tempdir().unwrap();
    let (served, url) = Served::start(dir.path());
    assert!(dir.path().join("gatehouse.db").exists());
    assert!(url.starts_with("http://127.0.0.1:"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !served.logs().contains("no administrator exists yet") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let logs = served.logs();
    assert!(logs.contains("gatehouse user create --email"), "{logs}");
    assert!(logs.contains("generated a new token-signing key"));
}

#[tokio::test]
async fn a_whole_login_leaves_no_secret_in_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = run(gatehouse(dir.path()).args([
        "client",
        "create",
        "--name",
        "Web",
        "--redirect-uri",
        "http://localhost:9999/callback",
        "--json",
    ]));
    assert_eq!(code, 0);
    let client: Value = serde_json::from_str(stdout.trim()).unwrap();
    let (client_id, secret) = (
        client["client_id"].as_str().unwrap().to_owned(),
        client["client_secret"].as_str().unwrap().to_owned(),
    );
    let password = "a very particular password";
    run(gatehouse(dir.path()).args([
        "user",
        "create",
        "--email",
        "ada@example.com",
        "--password",
        password,
    ]));
    let (served, base) = Served::start(dir.path());

    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = browser
        .get(format!("{base}/authz-srv/authz"))
        .query(&[
            ("client_id", client_id.as_str()),
            ("redirect_uri", "http://localhost:9999/callback"),
            ("response_type", "code"),
            ("scope", "openid"),
            ("nonce", "nonce-secretish"),
        ])
        .send()
        .await
        .unwrap();
    let login = login.headers()["location"].to_str().unwrap().to_owned();
    let html = browser
        .get(format!("{base}{login}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let field = |name: &str| {
        let marker = format!("name=\"{name}\" value=\"");
        let start = html.find(&marker).unwrap() + marker.len();
        html[start..].split('"').next().unwrap().to_owned()
    };
    let (rid, csrf) = (field("requestId"), field("csrf_token"));
    let back = browser
        .post(format!("{base}/login-srv/login"))
        .form(&[
            ("username", "ada@example.com"),
            ("password", password),
            ("requestId", rid.as_str()),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let back = back.headers()["location"].to_str().unwrap().to_owned();
    let code = url::Url::parse(&back)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let tokens: Value = reqwest::Client::new()
        .post(format!("{base}/token-srv/token"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", "http://localhost:9999/callback"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_token = tokens["id_token"].as_str().unwrap();
    reqwest::Client::new()
        .get(format!("{base}/session/end_session"))
        .query(&[("id_token_hint", id_token)])
        .send()
        .await
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));

    let logs = served.logs();
    assert!(
        logs.contains("/token-srv/token"),
        "requests are logged: {logs}"
    );
    for secret in [
        password,
        secret.as_str(),
        code.as_str(),
        tokens["access_token"].as_str().unwrap(),
        tokens["refresh_token"].as_str().unwrap(),
        id_token,
        csrf.as_str(),
    ] {
        assert!(!logs.contains(secret), "a secret leaked into the logs");
    }
}

#[test]
fn sigterm_stops_the_server_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let (mut served, url) = Served::start(dir.path());
    let health = std::process::Command::new("curl")
        .args(["-sf", &format!("{url}/health")])
        .output();
    if let Ok(out) = health {
        assert!(String::from_utf8_lossy(&out.stdout).contains("ok"));
    }
    let pid = served.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = served.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    std::thread::sleep(Duration::from_millis(100));
    assert!(served.logs().contains("\"stopped\""), "{}", served.logs());
}

#[test]
fn an_unreachable_database_or_an_https_url_without_encryption_key_stops_the_start_with_one_clear_line()
 {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(gatehouse(dir.path())
        .env(
            "GATEHOUSE_DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/none",
        )
        .env("GATEHOUSE_LISTEN", "127.0.0.1:0")
        .arg("serve"));
    assert_ne!(code, 0, "{stderr}");
    assert!(
        stderr.contains("cannot open database postgres://postgres@127.0.0.1:1/none"),
        "{stderr}"
    );

    let (code, _, stderr) = run(gatehouse(dir.path())
        .env("GATEHOUSE_PUBLIC_URL", "https://login.example.com")
        .env("GATEHOUSE_LISTEN", "127.0.0.1:0")
        .arg("serve"));
    assert_ne!(code, 0, "{stderr}");
    assert!(
        stderr.contains("encryption_key: is required when public_url is https"),
        "{stderr}"
    );
}
