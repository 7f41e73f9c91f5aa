//! A real HTTP server on loopback that records every request and answers with a canned
//! response: the stand-in for SMS and push providers in the connector tests.
//!
//! It is an actix-web `HttpServer` with one `default_service`, running in an actix system on a
//! thread of its own (so it answers whatever the test's runtime is doing), stopped when the
//! `HttpRecorder` is dropped.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, http::StatusCode, web};
use base64::Engine;
use tokio::sync::{Notify, oneshot};

/// How long `wait_for_requests` waits before it fails the test.
pub const WAIT_LIMIT: Duration = Duration::from_secs(10);

/// A running recorder on `127.0.0.1:port`.
pub struct HttpRecorder {
    pub port: u16,
    shared: Arc<Shared>,
    handle: actix_web::dev::ServerHandle,
}

/// One request as the recorder received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// Upper-case, as sent: "POST".
    pub method: String,
    /// The path with its query string: "/v1/send?dry=1".
    pub path: String,
    /// Header names lower-cased; a header sent several times is joined with ", ".
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

struct Shared {
    requests: Mutex<Vec<RecordedRequest>>,
    response: Mutex<(u16, String)>,
    arrived: Notify,
}

impl HttpRecorder {
    /// A recorder that answers every request with 200 `{"ok":true}`.
    pub async fn start() -> HttpRecorder {
        HttpRecorder::start_with(200, r#"{"ok":true}"#).await
    }

    /// A recorder that answers every request with this status and body (served as JSON when
    /// it parses as JSON, else as plain text): 503 and an error body simulate a failing provider.
    pub async fn start_with(status: u16, body: &str) -> HttpRecorder {
        assert!(
            StatusCode::from_u16(status).is_ok(),
            "{status} is not an HTTP status"
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind HTTP recorder");
        let port = listener.local_addr().expect("recorder address").port();
        let shared = Arc::new(Shared {
            requests: Mutex::new(Vec::new()),
            response: Mutex::new((status, body.to_owned())),
            arrived: Notify::new(),
        });
        let data = web::Data::from(Arc::clone(&shared));
        let (handle_tx, handle_rx) = oneshot::channel();
        std::thread::Builder::new()
            .name(format!("http-recorder-{port}"))
            .spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    let server = HttpServer::new(move || {
                        App::new()
                            .app_data(data.clone())
                            .app_data(web::PayloadConfig::new(10 * 1024 * 1024))
                            .default_service(web::to(record))
                    })
                    .workers(1)
                    .disable_signals()
                    .shutdown_timeout(1)
                    .listen(listener)
                    .expect("HTTP recorder listens")
                    .run();
                    let _ = handle_tx.send(server.handle());
                    let _ = server.await;
                });
            })
            .expect("HTTP recorder thread");
        let handle = handle_rx.await.expect("HTTP recorder started");
        HttpRecorder {
            port,
            shared,
            handle,
        }
    }

    /// `http://127.0.0.1:PORT` + `path` (a missing leading `/` is added).
    pub fn url(&self, path: &str) -> String {
        let slash = if path.starts_with('/') { "" } else { "/" };
        format!("http://127.0.0.1:{}{slash}{path}", self.port)
    }

    /// Changes the answer to every later request (a provider that recovers, or starts failing).
    pub fn respond_with(&self, status: u16, body: &str) {
        assert!(
            StatusCode::from_u16(status).is_ok(),
            "{status} is not an HTTP status"
        );
        *self.shared.response.lock().unwrap() = (status, body.to_owned());
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests have arrived and returns all of them, oldest first.
    /// Fails the test after [`WAIT_LIMIT`].
    pub async fn wait_for_requests(&self, n: usize) -> Vec<RecordedRequest> {
        let deadline = tokio::time::Instant::now() + WAIT_LIMIT;
        loop {
            // Registered before looking, so a request that arrives in between still wakes us.
            let mut arrived = std::pin::pin!(self.shared.arrived.notified());
            arrived.as_mut().enable();
            {
                let requests = self.shared.requests.lock().unwrap();
                if requests.len() >= n {
                    return requests.clone();
                }
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                let seen: Vec<String> = self
                    .requests()
                    .iter()
                    .map(|r| format!("{} {}", r.method, r.path))
                    .collect();
                panic!(
                    "HTTP recorder on port {}: waited {} s for {n} request(s); received {}: {seen:#?}",
                    self.port,
                    WAIT_LIMIT.as_secs(),
                    seen.len(),
                );
            }
        }
    }
}

impl Drop for HttpRecorder {
    fn drop(&mut self) {
        // The stop command is sent at once; nobody needs to wait for the workers to finish.
        drop(self.handle.stop(false));
    }
}

async fn record(request: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in request.headers() {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers
            .entry(name.as_str().to_ascii_lowercase())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    let recorded = RecordedRequest {
        method: request.method().as_str().to_owned(),
        path: request
            .uri()
            .path_and_query()
            .map_or_else(|| request.path().to_owned(), |pq| pq.as_str().to_owned()),
        headers,
        body: body.to_vec(),
    };
    shared.requests.lock().unwrap().push(recorded);
    shared.arrived.notify_waiters();

    let (status, body) = shared.response.lock().unwrap().clone();
    let content_type = if serde_json::from_str::<serde_json::Value>(&body).is_ok() {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
        .content_type(content_type)
        .body(body)
}

impl RecordedRequest {
    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The path without the query string.
    pub fn path_only(&self) -> &str {
        self.path.split_once('?').map_or(&self.path, |(p, _)| p)
    }

    /// The decoded query string parameters, in order.
    pub fn query(&self) -> Vec<(String, String)> {
        let query = self.path.split_once('?').map_or("", |(_, q)| q);
        serde_urlencoded::from_str(query)
            .unwrap_or_else(|e| panic!("bad query string in {} ({e})", self.path))
    }

    /// The body as UTF-8 (invalid bytes replaced).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON. Fails the test when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "the body of {} {} is not JSON ({e}): {}",
                self.method,
                self.path,
                self.body_text()
            )
        })
    }

    /// The body parsed as `application/x-www-form-urlencoded`, in order. Fails the test when
    /// it is not such a form.
    pub fn form(&self) -> Vec<(String, String)> {
        serde_urlencoded::from_bytes(&self.body).unwrap_or_else(|e| {
            panic!(
                "the body of {} {} is not a urlencoded form ({e}): {}",
                self.method,
                self.path,
                self.body_text()
            )
        })
    }

    /// The value of one form field.
    pub fn form_value(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// User and password of an `Authorization: Basic` header (RFC 7617).
    pub fn basic_auth(&self) -> Option<(String, String)> {
        let (scheme, credentials) = self.header("authorization")?.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(credentials.trim())
            .ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (user, password) = decoded.split_once(':')?;
        Some((user.to_owned(), password.to_owned()))
    }

    /// The token of an `Authorization: Bearer` header (RFC 6750).
    pub fn bearer_token(&self) -> Option<String> {
        let (scheme, token) = self.header("authorization")?.trim().split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_json_post_is_recorded_with_its_headers() {
        let recorder = HttpRecorder::start().await;
        let response = reqwest::Client::new()
            .post(recorder.url("/v1/push?priority=high&tag=a%20b"))
            .bearer_auth("secret-token")
            .header("X-Request-Id", "abc")
            .json(&serde_json::json!({"to": "device-1", "text": "Your code is 123456"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "the canned answer is JSON"
        );
        assert_eq!(
            response.json::<serde_json::Value>().await.unwrap(),
            serde_json::json!({"ok": true})
        );

        let requests = recorder.requests();
        assert_eq!(requests.len(), 1);
        let request = &requests[0];
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/v1/push?priority=high&tag=a%20b");
        assert_eq!(request.path_only(), "/v1/push");
        assert_eq!(
            request.query(),
            vec![
                ("priority".to_owned(), "high".to_owned()),
                ("tag".to_owned(), "a b".to_owned())
            ]
        );
        assert_eq!(request.headers["x-request-id"], "abc");
        assert_eq!(request.header("Content-Type"), Some("application/json"));
        assert_eq!(request.bearer_token().as_deref(), Some("secret-token"));
        assert_eq!(request.basic_auth(), None);
        assert_eq!(request.json()["text"], "Your code is 123456");
        assert!(request.body_text().contains("device-1"));
    }

    #[tokio::test]
    async fn a_form_post_with_basic_auth_is_decoded() {
        let recorder = HttpRecorder::start().await;
        reqwest::Client::new()
            .post(recorder.url("2010-04-01/Messages.json"))
            .basic_auth("AC123", Some("p:ss word"))
            .form(&[("To", "+4915112345678"), ("Body", "Code: 654321 & more")])
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();

        let request = recorder.wait_for_requests(1).await.remove(0);
        assert_eq!(request.path, "/2010-04-01/Messages.json");
        assert_eq!(
            request.basic_auth(),
            Some(("AC123".to_owned(), "p:ss word".to_owned()))
        );
        assert_eq!(
            request.form(),
            vec![
                ("To".to_owned(), "+4915112345678".to_owned()),
                ("Body".to_owned(), "Code: 654321 & more".to_owned())
            ]
        );
        assert_eq!(request.form_value("To").as_deref(), Some("+4915112345678"));
        assert_eq!(
            request.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
    }

    #[tokio::test]
    async fn a_failing_provider_answers_with_its_status_and_body() {
        let recorder = HttpRecorder::start_with(503, r#"{"error":"provider down"}"#).await;
        let client = reqwest::Client::new();
        let response = client.get(recorder.url("/status")).send().await.unwrap();
        assert_eq!(response.status(), 503);
        assert_eq!(
            response.text().await.unwrap(),
            r#"{"error":"provider down"}"#
        );

        recorder.respond_with(429, "slow down");
        let response = client.delete(recorder.url("/x")).send().await.unwrap();
        assert_eq!(response.status(), 429);
        assert_eq!(
            response.headers()["content-type"],
            "text/plain; charset=utf-8"
        );
        assert_eq!(response.text().await.unwrap(), "slow down");

        let methods: Vec<String> = recorder.requests().into_iter().map(|r| r.method).collect();
        assert_eq!(methods, vec!["GET", "DELETE"]);
    }

    #[tokio::test]
    async fn waiting_sees_requests_sent_concurrently() {
        let recorder = HttpRecorder::start().await;
        let url = recorder.url("/later");
        let sender = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let client = reqwest::Client::new();
            for i in 0..3 {
                client
                    .put(&url)
                    .body(format!("body {i}"))
                    .send()
                    .await
                    .unwrap();
            }
        });
        let requests = recorder.wait_for_requests(3).await;
        sender.await.unwrap();
        let bodies: Vec<String> = requests.iter().map(RecordedRequest::body_text).collect();
        assert_eq!(bodies, vec!["body 0", "body 1", "body 2"]);
    }

    #[tokio::test]
    async fn a_dropped_recorder_stops_listening() {
        let recorder = HttpRecorder::start().await;
        let url = recorder.url("/");
        drop(recorder);
        let client = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while client.get(&url).send().await.is_ok() {
            assert!(tokio::time::Instant::now() < deadline, "still answering");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
