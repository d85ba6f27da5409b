//! Support for the credentials tests: the browser-mode server as a child
//! process, a raw HTTP client, and the OAuth 2.0 provider role of the tests'
//! mock server. Everything is bounded by timeouts and stopped on drop.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

use crate::common::Test;
use crate::common::mock::{Exchange, MockApi, Reply, Request, form_encode};

/// `authgen credentials SOURCE --mode browser --port 0 --no-open ...`,
/// killed on drop; its stdout and stderr are kept for inspection.
pub struct FormServer {
    child: Child,
    pub port: u16,
    output: Arc<Mutex<String>>,
    readers: Vec<thread::JoinHandle<()>>,
}

impl FormServer {
    pub fn start(repo: &Test, source: &str, extra: &[&str]) -> FormServer {
        let mut child = repo
            .authgen(["credentials", source, "--mode", "browser", "--port", "0", "--no-open", "--timeout", "120"])
            .args(extra)
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn authgen");
        let output = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel::<String>();
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let mut readers = Vec::new();
        for (pipe, tx) in [(Box::new(stdout) as Box<dyn std::io::Read + Send>, Some(tx)), (Box::new(stderr), None)] {
            let output = Arc::clone(&output);
            readers.push(thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    output.lock().unwrap().push_str(&format!("{line}\n"));
                    if let Some(tx) = &tx {
                        let _ = tx.send(line);
                    }
                }
            }));
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        let port = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).unwrap_or_else(|_| {
                let _ = child.kill();
                panic!("authgen printed no URL within 30 s: {}", output.lock().unwrap())
            });
            if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                break digits.parse().expect("port");
            }
        };
        FormServer { child, port, output, readers }
    }

    /// Everything the process printed so far, stdout and stderr.
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Wait until the output holds `needle` (the pipes are read on other threads).
    pub fn wait_output(&self, needle: &str, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.output().contains(needle) {
                return true;
            }
            thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Wait for the process to exit, at most `limit`.
    pub fn wait(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // The pipes are at their end: let the readers take the last lines.
                for reader in self.readers.drain(..) {
                    let _ = reader.join();
                }
                return Some(status);
            }
            thread::sleep(Duration::from_millis(50));
        }
        None
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn get(&self, path: &str) -> HttpAnswer {
        request(self.port, "GET", path, &self.host(), &[], "")
    }

    pub fn post(&self, path: &str, form: &[(&str, &str)]) -> HttpAnswer {
        request(
            self.port,
            "POST",
            path,
            &self.host(),
            &[("Content-Type", "application/x-www-form-urlencoded")],
            &form_encode(form),
        )
    }

    /// The form's CSRF token, read from the page as a browser would.
    pub fn csrf(&self) -> String {
        let page = self.get("/");
        assert_eq!(page.status, 200, "{}", page.body);
        let needle = "name=\"csrf_token\" value=\"";
        let at = page.body.find(needle).expect("csrf field") + needle.len();
        page.body[at..].split('"').next().unwrap().to_string()
    }
}

impl Drop for FormServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct HttpAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpAnswer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request with a Host header of our choosing; 10 s at most.
pub fn request(port: u16, method: &str, path: &str, host: &str, headers: &[(&str, &str)], body: &str) -> HttpAnswer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut text =
        format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    stream.write_all(text.as_bytes()).expect("send");
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse_answer(&String::from_utf8_lossy(&raw))
}

fn parse_answer(raw: &str) -> HttpAnswer {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    HttpAnswer { status, headers, body: body.to_string() }
}

/// RFC 7636 S256, computed here independently of authgen's code.
pub fn s256(verifier: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let digest = Sha256::digest(verifier.as_bytes());
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = String::new();
    for byte in digest {
        bits = (bits << 8) | u32::from(byte);
        count += 8;
        while count >= 6 {
            count -= 6;
            out.push(ALPHABET[((bits >> count) & 63) as usize] as char);
        }
    }
    if count > 0 {
        out.push(ALPHABET[((bits << (6 - count)) & 63) as usize] as char);
    }
    out
}

/// What the mock provider checks and answers.
#[derive(Debug, Clone)]
pub struct Provider {
    pub client_id: String,
    pub client_secret: String,
    pub scope: String,
    pub refresh_token: String,
    pub access_token: String,
    /// `/authorize` answers `error=access_denied`.
    pub deny: bool,
    /// `/token` answers without a refresh token.
    pub no_refresh: bool,
    /// Extra authorization parameters that must arrive, such as access_type.
    pub expect_params: Vec<(String, String)>,
    /// Require a PKCE S256 challenge (else require none).
    pub pkce: bool,
    /// A refused client is told its own client id and secret back, as a
    /// careless provider might: what authgen prints must mask the secret.
    pub echo_client: bool,
}

impl Default for Provider {
    fn default() -> Self {
        Provider {
            client_id: "client-abc".into(),
            client_secret: "csecret-Zq81xV".into(),
            scope: "read:all offline".into(),
            refresh_token: "rt-9Yk2mQ7pL0".into(),
            access_token: "at-Hh3Jw8Rs4".into(),
            deny: false,
            no_refresh: false,
            expect_params: Vec::new(),
            pkce: true,
            echo_client: false,
        }
    }
}

/// What the mock provider saw.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    pub authorize: usize,
    pub token: usize,
    /// Every check that failed, in words.
    pub problems: Vec<String>,
    pub codes_issued: Vec<String>,
    /// code → (challenge, redirect_uri)
    pub grants: BTreeMap<String, (Option<String>, String)>,
    pub redeemed: Vec<String>,
    pub pkce_verified: usize,
    pub client_credentials_ok: usize,
    pub last_authorize_query: BTreeMap<String, String>,
}

/// The OAuth 2.0 provider role (`/authorize`, `/token`) on the tests' one
/// mock server; what it saw is kept in [`Seen`], every request in the server's log.
pub struct MockProvider {
    pub port: u16,
    pub seen: Arc<Mutex<Seen>>,
    server: MockApi,
}

/// Requests one provider answers before it stops: a browser flow takes a few.
const PROVIDER_REQUESTS: usize = 32;

impl MockProvider {
    pub fn start(config: Provider) -> MockProvider {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let server = {
            let seen = Arc::clone(&seen);
            MockApi::start_with_cap(PROVIDER_REQUESTS, move |request| handle(&config, &seen, request))
        };
        MockProvider { port: server.port(), seen, server }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    pub fn seen(&self) -> Seen {
        self.seen.lock().unwrap().clone()
    }

    /// Every request the provider answered, with its status.
    pub fn received(&self) -> Vec<Exchange> {
        self.server.received()
    }
}

fn json(status: u16, body: &str) -> Reply {
    Reply { status, content_type: "application/json", body: body.to_string(), location: None }
}

fn handle(config: &Provider, seen: &Mutex<Seen>, request: &Request) -> Reply {
    let mut seen = seen.lock().unwrap();
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/authorize") => {
            seen.authorize += 1;
            let q: BTreeMap<String, String> = request.query.iter().cloned().collect();
            seen.last_authorize_query = q.clone();
            let get = |k: &str| q.get(k).cloned().unwrap_or_default();
            let redirect = get("redirect_uri");
            let mut problems = Vec::new();
            if get("response_type") != "code" {
                problems.push(format!("response_type {:?}", get("response_type")));
            }
            if get("client_id") != config.client_id {
                problems.push(format!("client_id {:?}", get("client_id")));
            }
            let loopback = redirect.starts_with("http://127.0.0.1:") || redirect.starts_with("http://localhost:");
            if !loopback || !redirect.ends_with("/oauth/callback") {
                problems.push(format!("redirect_uri {redirect:?} is not a loopback /oauth/callback"));
            }
            if get("scope") != config.scope {
                problems.push(format!("scope {:?}", get("scope")));
            }
            if get("state").len() < 32 {
                problems.push(format!("state {:?} too short to be random", get("state")));
            }
            let s256_challenge = get("code_challenge_method") == "S256" && get("code_challenge").len() == 43;
            if config.pkce && !s256_challenge {
                problems.push("no S256 code_challenge".into());
            }
            if !config.pkce && (q.contains_key("code_challenge") || q.contains_key("code_challenge_method")) {
                problems.push("a code_challenge although the spec says pkce: false".into());
            }
            for (k, v) in &config.expect_params {
                if q.get(k) != Some(v) {
                    problems.push(format!("extra parameter {k} = {:?}", q.get(k)));
                }
            }
            if !problems.is_empty() {
                seen.problems.extend(problems.iter().map(|p| format!("/authorize: {p}")));
                return json(400, &format!("{{\"error\":\"invalid_request\",\"problems\":{:?}}}", problems.join("; ")));
            }
            let state = form_encode(&[("state", &get("state"))]);
            if config.deny {
                let location = format!("{redirect}?error=access_denied&error_description=The+user+said+no&{state}");
                return Reply::redirect(location);
            }
            let code = format!("code-{}-{}", seen.authorize, get("state").len());
            seen.codes_issued.push(code.clone());
            seen.grants.insert(code.clone(), (q.get("code_challenge").cloned(), redirect.clone()));
            let location = format!("{redirect}?code={code}&{state}");
            Reply::redirect(location)
        }
        ("POST", "/token") => {
            seen.token += 1;
            let f: BTreeMap<String, String> = request.form().into_iter().collect();
            let get = |k: &str| f.get(k).cloned().unwrap_or_default();
            if request.header("authorization").is_some() {
                seen.problems.push("/token: client credentials expected in the body".into());
            }
            if get("client_id") != config.client_id || get("client_secret") != config.client_secret {
                seen.problems.push("/token: wrong client credentials".into());
                if config.echo_client {
                    let said = format!("Client {} with secret {} failed.", get("client_id"), get("client_secret"));
                    let body = serde_json::json!({"error": "invalid_client", "error_description": said});
                    return json(401, &body.to_string());
                }
                return json(
                    401,
                    "{\"error\":\"invalid_client\",\"error_description\":\"Client authentication failed.\"}",
                );
            }
            match get("grant_type").as_str() {
                "authorization_code" => {
                    let code = get("code");
                    let Some((challenge, redirect)) = seen.grants.get(&code).cloned() else {
                        seen.problems.push(format!("/token: unknown code {code:?}"));
                        return json(400, "{\"error\":\"invalid_grant\"}");
                    };
                    if seen.redeemed.contains(&code) {
                        seen.problems.push(format!("/token: code {code:?} redeemed twice"));
                        return json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"code already used\"}");
                    }
                    seen.redeemed.push(code);
                    if get("redirect_uri") != redirect {
                        seen.problems.push("/token: redirect_uri differs from the authorization request's".into());
                        return json(400, "{\"error\":\"invalid_grant\"}");
                    }
                    if let Some(challenge) = challenge {
                        if s256(&get("code_verifier")) != challenge {
                            seen.problems.push("/token: code_verifier does not match the challenge".into());
                            return json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"PKCE failed\"}");
                        }
                        seen.pkce_verified += 1;
                    }
                    let refresh = if config.no_refresh {
                        String::new()
                    } else {
                        format!(",\"refresh_token\":\"{}\"", config.refresh_token)
                    };
                    json(
                        200,
                        &format!(
                            "{{\"access_token\":\"{}\",\"token_type\":\"Bearer\",\"expires_in\":3600{refresh}}}",
                            config.access_token
                        ),
                    )
                }
                "client_credentials" => {
                    if get("scope") != config.scope {
                        seen.problems.push(format!("/token: scope {:?}", get("scope")));
                        return json(400, "{\"error\":\"invalid_scope\"}");
                    }
                    seen.client_credentials_ok += 1;
                    json(
                        200,
                        &format!(
                            "{{\"access_token\":\"{}\",\"token_type\":\"Bearer\",\"expires_in\":3599}}",
                            config.access_token
                        ),
                    )
                }
                other => {
                    seen.problems.push(format!("/token: grant_type {other:?}"));
                    json(400, "{\"error\":\"unsupported_grant_type\"}")
                }
            }
        }
        _ => json(404, "{}"),
    }
}

pub fn read_json(path: &Path) -> BTreeMap<String, String> {
    serde_json::from_str(&std::fs::read_to_string(path).expect("credentials file")).expect("JSON of strings")
}

pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// None of `secrets` appears in `output`.
pub fn assert_no_secret(output: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!output.contains(s), "secret {s:?} appears in the output:\n{output}");
    }
}
