//! The one mock HTTP server of the tests, on 127.0.0.1: one thread, one
//! request per connection, bounded (read and write timeouts, a request cap,
//! size caps) and stopped when dropped. It records every request it answered,
//! with the status it gave, so tests can assert exactly what arrived. What it
//! answers is a handler: a strict API (the e2e scenarios, [`bearer_api`]) or
//! an OAuth provider (`credentials_support`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Connections answered before the server stops by itself, unless a test asks
/// for more with [`MockApi::start_with_cap`].
const MAX_REQUESTS: usize = 16;
const IO_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_HEAD_BYTES: usize = 64 * 1024;
const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Percent-decoded path, without the query.
    pub path: String,
    /// Decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// Header names as sent, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The value of the only header called `name` (any case); `None` when
    /// absent. Two headers of that name are reported as a value that cannot match.
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut found = self.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name));
        match (found.next(), found.next()) {
            (Some((_, v)), None) => Some(v.as_str()),
            (Some(_), Some(_)) => Some("<header sent more than once>"),
            _ => None,
        }
    }

    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The body as application/x-www-form-urlencoded pairs.
    pub fn form(&self) -> Vec<(String, String)> {
        parse_pairs(&String::from_utf8_lossy(&self.body))
    }
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    /// A `Location` header, for redirects.
    pub location: Option<String>,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply { status, content_type: "application/json", body: body.to_string(), location: None }
    }

    pub fn text(status: u16, body: impl Into<String>) -> Reply {
        Reply { status, content_type: "text/plain; charset=utf-8", body: body.into(), location: None }
    }

    /// A web page, such as the sign-in page some servers answer a bad credential with.
    pub fn html(status: u16, body: impl Into<String>) -> Reply {
        Reply { status, content_type: "text/html; charset=utf-8", body: body.into(), location: None }
    }

    /// A `302 Found` to `location`.
    pub fn redirect(location: impl Into<String>) -> Reply {
        Reply { status: 302, content_type: "application/json", body: String::new(), location: Some(location.into()) }
    }
}

/// One request and the status it was answered with.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub request: Request,
    pub status: u16,
}

type Handler = Box<dyn Fn(&Request) -> Reply + Send + 'static>;

pub struct MockApi {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Exchange>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MockApi {
    /// Listen on an ephemeral port of 127.0.0.1 and answer with `handler`.
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + 'static) -> MockApi {
        MockApi::start_with_cap(MAX_REQUESTS, handler)
    }

    /// As [`MockApi::start`], stopping after `cap` connections.
    pub fn start_with_cap(cap: usize, handler: impl Fn(&Request) -> Reply + Send + 'static) -> MockApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Handler = Box::new(handler);
        let thread = {
            let (log, stop) = (Arc::clone(&log), Arc::clone(&stop));
            std::thread::spawn(move || serve(listener, cap, handler, log, stop))
        };
        MockApi { addr, log, stop, thread: Some(thread) }
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn received(&self) -> Vec<Exchange> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for MockApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept; fails harmlessly when the server already stopped.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The strict API role for the run and setup tests: `GET /user` with
/// `Authorization: Bearer <token>` answers `{"login": "octocat"}`; the
/// `forbidden` token gets 403, any other credential 401, any other request 404.
pub fn bearer_api(token: &str, forbidden: Option<&str>) -> MockApi {
    let good = format!("Bearer {token}");
    let forbidden = forbidden.map(|f| format!("Bearer {f}"));
    MockApi::start(move |r| {
        let sent = r.header("Authorization");
        if r.method != "GET" || r.path != "/user" {
            Reply::json(404, serde_json::json!({"message": "Not Found"}))
        } else if sent.is_some() && sent == forbidden.as_deref() {
            Reply::json(403, serde_json::json!({"message": "Resource not accessible by this token"}))
        } else if sent == Some(good.as_str()) {
            Reply::json(200, serde_json::json!({"login": "octocat"}))
        } else {
            Reply::json(401, serde_json::json!({"message": "Bad credentials"}))
        }
    })
}

/// A URL on 127.0.0.1 where nothing listens. Port 9 (discard) is below the
/// ephemeral range and needs root to bind: no test server can be given it,
/// as could happen to a port just released while other tests start servers.
pub fn closed_url() -> String {
    let addr = SocketAddr::from(([127, 0, 0, 1], 9));
    match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => format!("http://{addr}"),
        other => panic!("expected nothing to listen on {addr} (tests use it as an unreachable server): {other:?}"),
    }
}

fn serve(listener: TcpListener, cap: usize, handler: Handler, log: Arc<Mutex<Vec<Exchange>>>, stop: Arc<AtomicBool>) {
    for _ in 0..cap {
        let Ok((stream, _)) = listener.accept() else { continue };
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
        let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
        let reply = match read_request(&stream) {
            Ok(request) => {
                let reply = handler(&request);
                if let Ok(mut l) = log.lock() {
                    l.push(Exchange { request, status: reply.status });
                }
                reply
            }
            Err(why) => Reply::text(400, format!("mock: unreadable request: {why}")),
        };
        let _ = write_reply(&stream, &reply);
    }
}

fn read_request(stream: &TcpStream) -> Result<Request, String> {
    // A request line starts with a method name; anything else (a TLS
    // handshake) is refused at once rather than waited on.
    let mut first = [0u8; 1];
    if stream.peek(&mut first).map_err(|e| e.to_string())? == 0 || !first[0].is_ascii_uppercase() {
        return Err("not an HTTP request".into());
    }
    let mut reader = BufReader::new(stream.take((MAX_HEAD_BYTES + MAX_BODY_BYTES) as u64));
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = reader.read_until(b'\n', &mut line).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed in the request head".into());
        }
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        head.push(String::from_utf8_lossy(&line).trim_end_matches(['\r', '\n']).to_string());
        if head.iter().map(String::len).sum::<usize>() > MAX_HEAD_BYTES {
            return Err("request head too large".into());
        }
    }
    let start = head.first().ok_or("empty request")?;
    let mut parts = start.split(' ');
    let (Some(method), Some(target), Some(_version)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("bad request line {start:?}"));
    };
    let headers: Vec<(String, String)> = head[1..]
        .iter()
        .filter_map(|l| l.split_once(':').map(|(n, v)| (n.trim().to_string(), v.trim().to_string())))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(Ok(0), |(_, v)| v.parse::<usize>().map_err(|_| format!("bad Content-Length {v:?}")))?;
    if length > MAX_BODY_BYTES {
        return Err("body too large".into());
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).map_err(|e| e.to_string())?;
    // Through a proxy (HTTP_PROXY) the target is the whole URL: the Host header names the host.
    let target = match target.strip_prefix("http://") {
        Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => target,
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Ok(Request {
        method: method.to_string(),
        path: percent_decode(path, false),
        query: parse_pairs(query),
        headers,
        body,
    })
}

fn write_reply(mut stream: &TcpStream, reply: &Reply) -> std::io::Result<()> {
    let reason = match reply.status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        302 => "Found",
        404 => "Not Found",
        _ => "Status",
    };
    let location = reply.location.as_ref().map_or(String::new(), |l| format!("Location: {l}\r\n"));
    let head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{location}Connection: close\r\n\r\n",
        reply.status,
        reply.content_type,
        reply.body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(reply.body.as_bytes())?;
    stream.flush()
}

/// `a=1&b=x+y` → pairs, decoded as application/x-www-form-urlencoded.
pub fn parse_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// Every byte but RFC 3986's unreserved ones (`A-Z a-z 0-9 - . _ ~`) as `%XX`:
/// a path segment, a query or form value, or an RFC 6749 client id or secret.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Pairs → `a=1&b=x%20y` (application/x-www-form-urlencoded, spaces as `%20`).
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect::<Vec<_>>().join("&")
}

/// `%XX` escapes (and `+` as a space in form encoding); invalid escapes kept as they are.
pub fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push((hi * 16 + lo) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 with padding; `None` for anything else.
pub fn unbase64(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::new();
    for chunk in text.as_bytes().chunks(4) {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 {
            return None;
        }
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = if i >= 4 - pad { 0 } else { B64.iter().position(|&b| b == c)? as u32 };
            n |= v << (18 - 6 * i);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..4 - pad]);
    }
    Some(out)
}
