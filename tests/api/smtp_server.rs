//! A real SMTP server on loopback for the mail tests (RFC 5321, the parts a submitting client
//! uses): many concurrent connections, several messages per connection, EHLO/HELO, MAIL, RCPT,
//! DATA with dot-unstuffing, RSET, NOOP, QUIT. No TLS, no AUTH, no PIPELINING advertised.
//!
//! The server runs on a thread and runtime of its own, so it keeps answering even while a test
//! blocks its own runtime (a synchronous mail transport called from an async test, say). It
//! stops when the `SmtpServer` is dropped.
//!
//! Waiting is by recipient: [`SmtpServer::wait_for_mail`] until a count has arrived,
//! [`SmtpServer::wait_for_next`] to read a recipient's mails one by one like an inbox.
//! [`ReceivedMail`] decodes what a test wants to look at: subject, text and HTML parts, the code.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::{Notify, oneshot};

/// How long the `wait_for_*` methods wait before they fail the test.
pub const WAIT_LIMIT: Duration = Duration::from_secs(10);

/// What a failing server answers to every RCPT TO.
pub const REFUSAL: &str = "554 5.7.1 relay refused";

/// A running SMTP server on `127.0.0.1:port`.
pub struct SmtpServer {
    pub port: u16,
    shared: Arc<Shared>,
    /// Dropping the sender stops the server's runtime and with it every connection.
    _stop: oneshot::Sender<()>,
}

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// The envelope sender (MAIL FROM), without angle brackets; empty for a null sender.
    pub from: String,
    /// The envelope recipients (RCPT TO), without angle brackets.
    pub to: Vec<String>,
    /// The message as sent after DATA, dot-unstuffed, CRLF line endings as received.
    pub raw: String,
    pub received_at: Instant,
}

#[derive(Default)]
struct Shared {
    inbox: Mutex<Inbox>,
    arrived: Notify,
    /// How long the server takes to accept a message after its data (a slow mail server).
    delay: Mutex<Duration>,
}

#[derive(Default)]
struct Inbox {
    mails: Vec<ReceivedMail>,
    /// Per lower-cased recipient: how many of its mails `wait_for_next` has handed out.
    read: HashMap<String, usize>,
}

impl SmtpServer {
    /// A server that accepts every message.
    pub async fn start() -> SmtpServer {
        SmtpServer::spawn(false)
    }

    /// A server that refuses every recipient with [`REFUSAL`], so no message can be delivered.
    pub async fn start_failing() -> SmtpServer {
        SmtpServer::spawn(true)
    }

    fn spawn(failing: bool) -> SmtpServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind SMTP server");
        listener
            .set_nonblocking(true)
            .expect("non-blocking SMTP listener");
        let port = listener.local_addr().expect("SMTP server address").port();
        let shared = Arc::new(Shared::default());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = Arc::clone(&shared);
        std::thread::Builder::new()
            .name(format!("smtp-server-{port}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("SMTP server runtime");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("SMTP listener");
                    let accept = async {
                        let mut number = 0u64;
                        while let Ok((stream, _)) = listener.accept().await {
                            // answers are small: do not let Nagle hold them back
                            let _ = stream.set_nodelay(true);
                            number += 1;
                            let shared = Arc::clone(&server);
                            tokio::spawn(async move {
                                // A client that goes away mid-dialogue is not the server's problem.
                                let _ = serve(stream, shared, failing, number).await;
                            });
                        }
                    };
                    tokio::select! {
                        _ = accept => {}
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime here ends every open connection.
            })
            .expect("SMTP server thread");
        SmtpServer {
            port,
            shared,
            _stop: stop,
        }
    }

    /// Makes the server wait `delay` before it accepts each later message (a slow mail server).
    pub fn answer_after(&self, delay: Duration) {
        *self.shared.delay.lock().unwrap() = delay;
    }

    /// `smtp://127.0.0.1:PORT`: plain SMTP, no TLS.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.shared.inbox.lock().unwrap().mails.clone()
    }

    /// The messages received so far with `to` among the envelope recipients (case-insensitive).
    pub fn mails_to(&self, to: &str) -> Vec<ReceivedMail> {
        mails_to(&self.shared.inbox.lock().unwrap().mails, to)
    }

    /// Waits until at least `n` messages to `to` have arrived and returns all of them, oldest
    /// first. Fails the test after [`WAIT_LIMIT`].
    pub async fn wait_for_mail(&self, to: &str, n: usize) -> Vec<ReceivedMail> {
        self.wait_until(&format!("{n} mail(s) to {to}"), |inbox| {
            let mails = mails_to(&inbox.mails, to);
            (mails.len() >= n).then_some(mails)
        })
        .await
    }

    /// Reads `to`'s mails like an inbox: returns the oldest mail to `to` that no earlier call
    /// returned, waiting for it if it has not arrived yet. So a test can send, then call this,
    /// without a race: a mail that arrived before the call is still unread. Fails the test
    /// after [`WAIT_LIMIT`]. `wait_for_mail`, `messages` and `mails_to` do not mark mails read.
    pub async fn wait_for_next(&self, to: &str) -> ReceivedMail {
        let key = to.to_lowercase();
        self.wait_until(&format!("one more mail to {to}"), |inbox| {
            let read = inbox.read.get(&key).copied().unwrap_or(0);
            let next = mails_to(&inbox.mails, to).into_iter().nth(read)?;
            inbox.read.insert(key.clone(), read + 1);
            Some(next)
        })
        .await
    }

    async fn wait_until<T>(&self, what: &str, mut done: impl FnMut(&mut Inbox) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + WAIT_LIMIT;
        loop {
            // Registered before looking, so a mail that arrives in between still wakes us.
            let mut arrived = std::pin::pin!(self.shared.arrived.notified());
            arrived.as_mut().enable();
            if let Some(found) = done(&mut self.shared.inbox.lock().unwrap()) {
                return found;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                let inbox = self.shared.inbox.lock().unwrap();
                let seen: Vec<String> = inbox.mails.iter().map(ReceivedMail::summary).collect();
                panic!(
                    "SMTP server on port {}: waited {} s for {what}; received {} mail(s): {seen:#?}",
                    self.port,
                    WAIT_LIMIT.as_secs(),
                    inbox.mails.len(),
                );
            }
        }
    }
}

fn mails_to(mails: &[ReceivedMail], to: &str) -> Vec<ReceivedMail> {
    mails
        .iter()
        .filter(|mail| mail.to.iter().any(|r| r.eq_ignore_ascii_case(to)))
        .cloned()
        .collect()
}

/// One SMTP session (RFC 5321 §4.1), until QUIT or the client goes away.
async fn serve(
    stream: TcpStream,
    shared: Arc<Shared>,
    failing: bool,
    connection: u64,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write
        .write_all(b"220 127.0.0.1 ESMTP gatehouse test server ready\r\n")
        .await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut queued = 0u64;
    let mut line = Vec::new();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line);
        let command = command.trim_end_matches(['\r', '\n']);
        let (verb, argument) = command.split_once(' ').unwrap_or((command, ""));
        let reply: String = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                from = None;
                to.clear();
                format!(
                    "250-127.0.0.1 greets {}\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-SIZE 10485760\r\n250 ENHANCEDSTATUSCODES",
                    argument.trim()
                )
            }
            "HELO" => {
                from = None;
                to.clear();
                format!("250 127.0.0.1 greets {}", argument.trim())
            }
            "MAIL" => match path_argument(argument, "FROM:") {
                _ if from.is_some() => "503 5.5.1 nested MAIL command".into(),
                Some(address) => {
                    from = Some(address);
                    to.clear();
                    "250 2.1.0 sender ok".into()
                }
                None => "501 5.5.4 syntax: MAIL FROM:<address>".into(),
            },
            "RCPT" => match path_argument(argument, "TO:") {
                _ if from.is_none() => "503 5.5.1 need MAIL before RCPT".into(),
                _ if failing => REFUSAL.into(),
                Some(address) if !address.is_empty() => {
                    to.push(address);
                    "250 2.1.5 recipient ok".into()
                }
                _ => "501 5.5.4 syntax: RCPT TO:<address>".into(),
            },
            "DATA" if from.is_none() || to.is_empty() => {
                "503 5.5.1 need MAIL and RCPT first".into()
            }
            "DATA" => {
                write
                    .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let Some(raw) = read_data(&mut lines).await? else {
                    return Ok(());
                };
                queued += 1;
                let mail = ReceivedMail {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    raw,
                    received_at: Instant::now(),
                };
                shared.inbox.lock().unwrap().mails.push(mail);
                shared.arrived.notify_waiters();
                let delay = *shared.delay.lock().unwrap();
                tokio::time::sleep(delay).await;
                format!("250 2.0.0 ok: queued as {connection}.{queued}")
            }
            "RSET" => {
                from = None;
                to.clear();
                "250 2.0.0 ok".into()
            }
            "NOOP" => "250 2.0.0 ok".into(),
            "VRFY" => "252 2.1.5 cannot verify, but will accept".into(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 bye\r\n").await?;
                return Ok(());
            }
            _ => format!("502 5.5.2 command not implemented: {verb}"),
        };
        write.write_all(reply.as_bytes()).await?;
        write.write_all(b"\r\n").await?;
    }
}

/// `FROM:<a@b> BODY=8BITMIME` → `a@b` (parameters after the path are accepted and ignored).
fn path_argument(argument: &str, keyword: &str) -> Option<String> {
    let argument = argument.trim_start();
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let path = argument[keyword.len()..].trim_start();
    let path = path.split_whitespace().next().unwrap_or("");
    let address = path.strip_prefix('<')?.strip_suffix('>')?;
    Some(address.to_owned())
}

/// The message after DATA up to the line with a single dot, dot-unstuffed (RFC 5321 §4.5.2).
/// `None` when the client goes away first.
async fn read_data(
    lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<Option<String>> {
    let mut message = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(Some(String::from_utf8_lossy(&message).into_owned()));
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        message.extend_from_slice(unstuffed);
    }
}

// ---------------------------------------------------------------------------------------------
// Reading a received message: headers, MIME parts, transfer encodings, encoded words.

impl ReceivedMail {
    /// The Subject header, with RFC 2047 encoded words decoded.
    pub fn subject(&self) -> String {
        self.header("subject")
            .unwrap_or_else(|| panic!("the mail has no Subject header:\n{}", self.raw))
    }

    /// A header of the message (name case-insensitive), unfolded and with encoded words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        Part::parse(&self.normalized()).header(name)
    }

    /// The decoded text/plain part (line breaks as `\n`). Fails the test when there is none.
    pub fn text_body(&self) -> String {
        self.body_of_type("text/plain")
            .unwrap_or_else(|| panic!("the mail has no text/plain part:\n{}", self.raw))
    }

    /// The decoded text/html part (line breaks as `\n`). Fails the test when there is none.
    pub fn html_body(&self) -> String {
        self.body_of_type("text/html")
            .unwrap_or_else(|| panic!("the mail has no text/html part:\n{}", self.raw))
    }

    /// The first decoded part of this MIME type (e.g. "text/plain"), searching nested multiparts.
    pub fn body_of_type(&self, mime_type: &str) -> Option<String> {
        Part::parse(&self.normalized()).find(&mime_type.to_ascii_lowercase())
    }

    /// The one-time code in the text body: the first run of 6 to 10 digits that stands alone
    /// (no letter, digit or `_` right before or after it). Fails the test when there is none.
    pub fn code(&self) -> String {
        let body = self.text_body();
        find_code(&body)
            .unwrap_or_else(|| panic!("no 6-10 digit code in the text body of the mail:\n{body}"))
    }

    fn normalized(&self) -> String {
        self.raw.replace("\r\n", "\n")
    }

    fn summary(&self) -> String {
        format!(
            "from <{}> to {:?}: {}",
            self.from,
            self.to,
            self.header("subject").unwrap_or_default()
        )
    }
}

fn find_code(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let before_ok = start == 0 || !is_word(chars[start - 1]);
        let after_ok = i == chars.len() || !is_word(chars[i]);
        if (6..=10).contains(&(i - start)) && before_ok && after_ok {
            return Some(chars[start..i].iter().collect());
        }
    }
    None
}

/// A message or one of its MIME parts (RFC 2045/2046), over `\n` line endings.
struct Part {
    headers: Vec<(String, String)>,
    body: String,
}

impl Part {
    fn parse(text: &str) -> Part {
        let (head, body) = match text.find("\n\n") {
            Some(at) => (&text[..at], &text[at + 2..]),
            None if text.starts_with('\n') => ("", &text[1..]),
            None => (text, ""),
        };
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                // folded continuation (RFC 5322 §2.2.3)
                if let Some((_, value)) = headers.last_mut() {
                    value.push_str(line);
                }
            } else if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
            }
        }
        Part {
            headers,
            body: body.to_owned(),
        }
    }

    fn raw_header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    fn header(&self, name: &str) -> Option<String> {
        self.raw_header(name).map(decode_encoded_words)
    }

    /// `text/plain; charset="utf-8"` → ("text/plain", {charset: utf-8}); text/plain when absent.
    fn content_type(&self) -> (String, HashMap<String, String>) {
        let value = self.raw_header("content-type").unwrap_or("text/plain");
        let mut pieces = split_params(value).into_iter();
        let mime = pieces
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let params = pieces
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                Some((
                    k.trim().to_ascii_lowercase(),
                    v.trim().trim_matches('"').to_owned(),
                ))
            })
            .collect();
        (mime, params)
    }

    fn find(&self, wanted: &str) -> Option<String> {
        let (mime, params) = self.content_type();
        if mime.starts_with("multipart/") {
            let boundary = params.get("boundary")?;
            return split_multipart(&self.body, boundary)
                .iter()
                .find_map(|part| Part::parse(part).find(wanted));
        }
        let attachment = self
            .raw_header("content-disposition")
            .is_some_and(|d| d.trim().to_ascii_lowercase().starts_with("attachment"));
        (mime == wanted && !attachment).then(|| self.decoded(&params))
    }

    fn decoded(&self, params: &HashMap<String, String>) -> String {
        let encoding = self
            .raw_header("content-transfer-encoding")
            .unwrap_or("7bit")
            .trim()
            .to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "quoted-printable" => decode_quoted_printable(&self.body),
            "base64" => {
                let compact: String = self.body.split_whitespace().collect();
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .unwrap_or_else(|e| panic!("bad base64 body ({e}):\n{}", self.body))
            }
            _ => self.body.as_bytes().to_vec(), // 7bit, 8bit, binary
        };
        let charset = params
            .get("charset")
            .map(|c| c.to_ascii_lowercase())
            .unwrap_or_default();
        decode_charset(&bytes, &charset).replace("\r\n", "\n")
    }
}

/// Splits `a; b="x;y"; c=d` at the semicolons outside quotes.
fn split_params(value: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                out.last_mut().unwrap().push(c);
            }
            ';' if !quoted => out.push(String::new()),
            _ => out.last_mut().unwrap().push(c),
        }
    }
    out
}

/// The bodies of the parts between `--boundary` lines, up to `--boundary--` (RFC 2046 §5.1.1).
fn split_multipart(body: &str, boundary: &str) -> Vec<String> {
    let delimiter = format!("--{boundary}");
    let closing = format!("--{boundary}--");
    let mut parts = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in body.split('\n') {
        let trimmed = line.trim_end();
        if trimmed == delimiter || trimmed == closing {
            if let Some(lines) = current.take() {
                parts.push(lines.join("\n"));
            }
            if trimmed == closing {
                break;
            }
            current = Some(Vec::new());
        } else if let Some(lines) = current.as_mut() {
            lines.push(line);
        }
    }
    parts
}

/// RFC 2045 §6.7: `=XX` escapes and `=` soft line breaks; trailing spaces of lines dropped.
fn decode_quoted_printable(body: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let lines: Vec<&str> = body.split('\n').collect();
    for (n, line) in lines.iter().enumerate() {
        let line = line.trim_end_matches([' ', '\t', '\r']);
        let (line, soft_break) = match line.strip_suffix('=') {
            Some(rest) => (rest, true),
            None => (line, false),
        };
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && let Some(byte) = hex_byte(&bytes[i + 1..i + 3])
            {
                out.push(byte);
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        if !soft_break && n + 1 < lines.len() {
            out.push(b'\n');
        }
    }
    out
}

fn hex_byte(pair: &[u8]) -> Option<u8> {
    u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()
}

fn decode_charset(bytes: &[u8], charset: &str) -> String {
    match charset {
        "iso-8859-1" | "latin1" | "latin-1" | "windows-1252" => {
            bytes.iter().map(|&b| char::from(b)).collect()
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// RFC 2047: `=?utf-8?b?…?=` and `=?utf-8?q?…?=` words; white space between two encoded words
/// is dropped (§6.2).
fn decode_encoded_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut pending_space = String::new();
    let mut last_was_encoded = false;
    while !rest.is_empty() {
        let Some(start) = rest.find("=?") else {
            out.push_str(&pending_space);
            out.push_str(rest);
            break;
        };
        let (before, candidate) = rest.split_at(start);
        let decoded = parse_encoded_word(candidate);
        match decoded {
            Some((text, used)) => {
                let only_space = before.chars().all(char::is_whitespace);
                if !(last_was_encoded && only_space) {
                    out.push_str(&pending_space);
                    out.push_str(before);
                }
                pending_space.clear();
                out.push_str(&text);
                rest = &candidate[used..];
                last_was_encoded = true;
                // keep white space after an encoded word aside, in case another follows
                let spaces = rest.len() - rest.trim_start().len();
                pending_space.push_str(&rest[..spaces]);
                rest = &rest[spaces..];
            }
            None => {
                out.push_str(&pending_space);
                pending_space.clear();
                out.push_str(before);
                out.push_str("=?");
                rest = &candidate[2..];
                last_was_encoded = false;
            }
        }
    }
    out
}

/// `=?charset?enc?text?=…` → (decoded text, bytes used).
fn parse_encoded_word(s: &str) -> Option<(String, usize)> {
    let inner = s.strip_prefix("=?")?;
    let (charset, inner) = inner.split_once('?')?;
    let (encoding, inner) = inner.split_once('?')?;
    let end = inner.find("?=")?;
    let text = &inner[..end];
    if text.contains(char::is_whitespace) {
        return None;
    }
    let bytes = match encoding.to_ascii_lowercase().as_str() {
        "b" => base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?,
        "q" => {
            let mut out = Vec::new();
            let raw = text.as_bytes();
            let mut i = 0;
            while i < raw.len() {
                match raw[i] {
                    b'_' => {
                        out.push(b' ');
                        i += 1;
                    }
                    b'=' => {
                        out.push(hex_byte(raw.get(i + 1..i + 3)?)?);
                        i += 3;
                    }
                    b => {
                        out.push(b);
                        i += 1;
                    }
                }
            }
            out
        }
        _ => return None,
    };
    let used = "=?".len() + charset.len() + 1 + encoding.len() + 1 + end + "?=".len();
    // the charset may carry a language (RFC 2231 §5): utf-8*en
    let charset = charset.split('*').next().unwrap_or("").to_ascii_lowercase();
    Some((decode_charset(&bytes, &charset), used))
}

// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    /// A hand-driven SMTP client: sends one line, reads one (possibly multi-line) reply.
    struct Client {
        reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
        writer: tokio::net::tcp::OwnedWriteHalf,
    }

    impl Client {
        async fn connect(port: u16) -> Client {
            let stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            let (read, writer) = stream.into_split();
            let mut client = Client {
                reader: BufReader::new(read),
                writer,
            };
            let greeting = client.reply().await;
            assert!(greeting.starts_with("220 "), "{greeting}");
            client
        }

        /// The whole reply; for multi-line replies every line (RFC 5321 §4.2.1).
        async fn reply(&mut self) -> String {
            let mut all = String::new();
            loop {
                let mut line = String::new();
                self.reader.read_line(&mut line).await.unwrap();
                assert!(!line.is_empty(), "server closed the connection");
                all.push_str(&line);
                if line.as_bytes().get(3) != Some(&b'-') {
                    return all;
                }
            }
        }

        async fn send(&mut self, line: &str) -> String {
            self.writer
                .write_all(format!("{line}\r\n").as_bytes())
                .await
                .unwrap();
            self.reply().await
        }

        async fn expect(&mut self, line: &str, code: &str) -> String {
            let reply = self.send(line).await;
            assert!(reply.starts_with(code), "{line} → {reply}");
            reply
        }

        /// A whole transaction; `message` uses `\n`, sent as CRLF and dot-stuffed.
        async fn deliver(&mut self, from: &str, to: &[&str], message: &str) {
            self.expect(&format!("MAIL FROM:<{from}> BODY=8BITMIME"), "250")
                .await;
            for rcpt in to {
                self.expect(&format!("RCPT TO:<{rcpt}>"), "250").await;
            }
            self.expect("DATA", "354").await;
            let mut data = String::new();
            for line in message.split('\n') {
                if line.starts_with('.') {
                    data.push('.');
                }
                data.push_str(line);
                data.push_str("\r\n");
            }
            data.push_str(".\r\n");
            self.writer.write_all(data.as_bytes()).await.unwrap();
            let reply = self.reply().await;
            assert!(reply.starts_with("250 "), "end of DATA → {reply}");
        }
    }

    fn multipart_message(to: &str, code: &str) -> String {
        let html_b64 = base64::engine::general_purpose::STANDARD.encode(format!(
            "<p>Gr\u{fc}\u{df}e! Your code is <b>{code}</b></p>\r\n<p>Valid 10 minutes.</p>"
        ));
        let html_b64 = html_b64
            .as_bytes()
            .chunks(20)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        format!(
            "From: Gatehouse <noreply@gatehouse.test>\n\
             To: {to}\n\
             Subject: =?utf-8?b?WW91ciBzaWduLWluIGNvZGU6?=\n =?utf-8?q?_gr=C3=BC=C3=9Fe?=\n\
             MIME-Version: 1.0\n\
             Content-Type: multipart/alternative;\n boundary=\"b1;x\"\n\
             \n\
             --b1;x\n\
             Content-Type: text/plain; charset=utf-8\n\
             Content-Transfer-Encoding: quoted-printable\n\
             \n\
             Gr=C3=BC=C3=9Fe! Your code is {code}. It is valid for 10 minutes; a very long =\n\
             line goes on here.\n\
             .leading dot survives\n\
             \n\
             --b1;x\n\
             Content-Type: text/html; charset=\"utf-8\"\n\
             Content-Transfer-Encoding: base64\n\
             \n\
             {html_b64}\n\
             --b1;x--\n"
        )
    }

    #[tokio::test]
    async fn a_multipart_message_is_received_and_decoded() {
        let server = SmtpServer::start().await;
        assert_eq!(server.url(), format!("smtp://127.0.0.1:{}", server.port));
        let mut client = Client::connect(server.port).await;
        let ehlo = client.expect("EHLO client.test", "250").await;
        assert!(ehlo.contains("8BITMIME"), "{ehlo}");
        assert!(!ehlo.contains("PIPELINING"), "{ehlo}");
        client
            .deliver(
                "noreply@gatehouse.test",
                &["Alice@Example.com"],
                &multipart_message("alice@example.com", "042917"),
            )
            .await;
        client.expect("QUIT", "221").await;

        let mail = server.wait_for_next("alice@example.com").await;
        assert_eq!(mail.from, "noreply@gatehouse.test");
        assert_eq!(mail.to, vec!["Alice@Example.com"]);
        assert_eq!(mail.subject(), "Your sign-in code: grüße");
        assert_eq!(
            mail.header("to").as_deref(),
            Some("alice@example.com"),
            "headers are readable"
        );
        assert_eq!(
            mail.text_body(),
            "Grüße! Your code is 042917. It is valid for 10 minutes; a very long line goes on here.\n.leading dot survives\n"
        );
        assert!(
            mail.raw.contains("\r\n.leading dot survives\r\n"),
            "unstuffed"
        );
        assert_eq!(
            mail.html_body(),
            "<p>Grüße! Your code is <b>042917</b></p>\n<p>Valid 10 minutes.</p>"
        );
        assert_eq!(mail.code(), "042917");
        assert_eq!(server.messages().len(), 1);
    }

    #[tokio::test]
    async fn one_connection_carries_several_messages() {
        let server = SmtpServer::start().await;
        let mut client = Client::connect(server.port).await;
        client.expect("EHLO client.test", "250").await;
        client
            .deliver(
                "a@gatehouse.test",
                &["bob@example.com"],
                "Subject: first\n\nCode 111111\n",
            )
            .await;
        client.expect("NOOP", "250").await;
        client
            .deliver(
                "a@gatehouse.test",
                &["bob@example.com", "carol@example.com"],
                "Subject: second\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nCode 2222222222 ok\n",
            )
            .await;
        // an abandoned transaction is forgotten after RSET
        client.expect("MAIL FROM:<a@gatehouse.test>", "250").await;
        client.expect("RCPT TO:<bob@example.com>", "250").await;
        client.expect("RSET", "250").await;
        client.expect("DATA", "503").await;
        client.expect("QUIT", "221").await;

        let mails = server.wait_for_mail("bob@example.com", 2).await;
        assert_eq!(mails[0].subject(), "first");
        assert_eq!(mails[0].code(), "111111");
        assert_eq!(mails[1].subject(), "second");
        assert_eq!(mails[1].code(), "2222222222");
        assert_eq!(server.mails_to("carol@example.com").len(), 1);
        assert_eq!(
            server.wait_for_next("bob@example.com").await.subject(),
            "first"
        );
        assert_eq!(
            server.wait_for_next("bob@example.com").await.subject(),
            "second"
        );
    }

    #[tokio::test]
    async fn connections_are_served_concurrently() {
        let server = SmtpServer::start().await;
        // An idle open connection does not hold up the others.
        let mut idle = Client::connect(server.port).await;
        idle.expect("HELO idle.test", "250").await;
        let sends = (0..5).map(|i| {
            let port = server.port;
            tokio::spawn(async move {
                let mut client = Client::connect(port).await;
                client.expect("EHLO c.test", "250").await;
                client
                    .deliver(
                        "x@gatehouse.test",
                        &["dave@example.com"],
                        &format!("Subject: {i}\n\nhi"),
                    )
                    .await;
                client.expect("QUIT", "221").await;
            })
        });
        for send in sends {
            send.await.unwrap();
        }
        assert_eq!(server.wait_for_mail("dave@example.com", 5).await.len(), 5);
    }

    #[tokio::test]
    async fn waiting_for_the_next_mail_sees_one_that_arrives_later() {
        let server = SmtpServer::start().await;
        let port = server.port;
        let waiter = server.wait_for_next("erin@example.com");
        let sender = async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let mut client = Client::connect(port).await;
            client.expect("EHLO c.test", "250").await;
            client
                .deliver(
                    "x@gatehouse.test",
                    &["erin@example.com"],
                    "Subject: late\n\nbody",
                )
                .await;
        };
        let (mail, ()) = tokio::join!(waiter, sender);
        assert_eq!(mail.subject(), "late");
        assert_eq!(mail.text_body(), "body\n");
    }

    #[tokio::test]
    async fn a_failing_server_refuses_every_recipient() {
        let server = SmtpServer::start_failing().await;
        let mut client = Client::connect(server.port).await;
        client.expect("EHLO client.test", "250").await;
        client.expect("MAIL FROM:<a@gatehouse.test>", "250").await;
        let refused = client.send("RCPT TO:<bob@example.com>").await;
        assert_eq!(refused, format!("{REFUSAL}\r\n"));
        client.expect("DATA", "503").await;
        client.expect("RSET", "250").await;
        client.expect("QUIT", "221").await;
        let mut rest = Vec::new();
        client.reader.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty(), "the server closes after QUIT");
        assert!(server.messages().is_empty());
    }

    #[tokio::test]
    async fn commands_out_of_order_get_an_error_not_a_hang_up() {
        let server = SmtpServer::start().await;
        let mut client = Client::connect(server.port).await;
        client.expect("RCPT TO:<bob@example.com>", "503").await;
        client.expect("MAIL FROM:bob@example.com", "501").await;
        client.expect("MAIL FROM:<>", "250").await;
        client.expect("MAIL FROM:<a@b.test>", "503").await;
        client.expect("STARTTLS", "502").await;
        client.expect("NOOP", "250").await;
    }

    #[test]
    fn codes_are_found_only_as_whole_runs_of_6_to_10_digits() {
        assert_eq!(find_code("Code: 123456.").as_deref(), Some("123456"));
        assert_eq!(
            find_code("on 2024-01-02 use 98765432").as_deref(),
            Some("98765432")
        );
        assert_eq!(
            find_code("id abc123456 then 654321").as_deref(),
            Some("654321")
        );
        assert_eq!(find_code("12345 and 12345678901"), None);
    }

    #[test]
    fn encoded_words_and_plain_text_mix() {
        assert_eq!(decode_encoded_words("plain subject"), "plain subject");
        assert_eq!(
            decode_encoded_words("Re: =?UTF-8?Q?caf=C3=A9?= time"),
            "Re: café time"
        );
        assert_eq!(
            decode_encoded_words("=?utf-8?b?w6k=?= =?utf-8?b?w6k=?="),
            "éé"
        );
        assert_eq!(decode_encoded_words("a =?bogus"), "a =?bogus");
    }
}
