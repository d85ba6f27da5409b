//! Signed and session auth end to end: the generated tests of the
//! `aws_sigv4`, `session_login`, `oauth_jwt_bearer` and `client_auth:
//! private_key_jwt` fixtures, for both HTTP clients, run with the real Python
//! against strict mocks on 127.0.0.1 that recompute the AWS signature and
//! verify JWT signatures with the public key (openssl, independent of the
//! Python signer). Every secret holds the marker `S3CRET`: no output may show one.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::mock::{MockApi, Reply, Request, closed_url, percent_encode};
use common::{Ran, Test};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const CLIENTS: [&str; 2] = ["requests", "urllib"];
const MARK: &str = "S3CRET";
const RUN_TIMEOUT: Duration = Duration::from_secs(60);
use common::SIGNED;

// ---------------------------------------------------------------------------
// Generated scripts and runs

/// A repo with the fixtures generated for `client` by the real binary.
fn repo(client: &str, names: &[&str]) -> Test {
    let repo = Test::with_fixtures(names);
    repo.authgen(["generate"]).args(names).args(["--yes", "--http-client", client]).success();
    repo
}

/// The source's generated test run with `config` as CONNECTOR_TEST_CONFIG_JSON
/// and `env`; no output may hold a secret.
fn run(repo: &Test, python: &Path, source: &str, config: &Value, env: &[(&str, String)]) -> Ran {
    let ran = repo
        .command(python, [repo.test_path(source)])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("CONNECTOR_TEST_CONFIG_JSON", config.to_string())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .timeout(RUN_TIMEOUT)
        .run();
    let out = ran.output();
    assert!(!out.contains(MARK), "{source}: a secret in the output:\n{out}");
    assert!(!out.contains("PRIVATE KEY") && !out.contains("eyJ"), "{source}: a key or a JWT in the output:\n{out}");
    ran
}

/// The generated test under pytest with `config`: it must pass.
fn pytest_passes(repo: &Test, source: &str, config: &Value, env: &[(&str, String)]) {
    repo.write("pytest.ini", "[pytest]\n");
    let ran = repo
        .command(common::python(), ["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(repo.test_path(source))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("CONNECTOR_TEST_CONFIG_JSON", config.to_string())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .timeout(RUN_TIMEOUT)
        .run();
    assert!(ran.stdout.contains("1 passed"), "{source} under pytest:\n{}", ran.output());
}

fn expect(ran: &Ran, code: i32, says: &[&str], label: &str) {
    let out = ran.output();
    assert_eq!(ran.code, Some(code), "{label}: exit code\n{out}");
    for s in says {
        assert!(out.contains(s), "{label}: expected {s:?} in\n{out}");
    }
    assert!(!out.contains("Traceback"), "{label}: a traceback\n{out}");
}

fn without(config: &Value, key: &str) -> Value {
    let mut c = config.clone();
    c.as_object_mut().expect("object").remove(key);
    c
}

fn with(config: &Value, key: &str, value: &str) -> Value {
    let mut c = config.clone();
    c[key] = Value::String(value.to_string());
    c
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

// ---------------------------------------------------------------------------
// AWS Signature Version 4, recomputed (an implementation apart from the runtime's)

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// HMAC-SHA256 (RFC 2104).
fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().to_vec()
}

/// Seconds since the epoch of `20150830T123600Z`.
fn amz_epoch(date: &str) -> Option<u64> {
    let num = |r: std::ops::Range<usize>| date.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(11..13)?, num(13..15)?);
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86400 + hh * 3600 + mm * 60 + ss).ok()
}

/// What a SigV4 service checks: the access key, the scope (date, region,
/// service), the clock, and the signature recomputed over the request as it
/// arrived. `Err` carries AWS's error code.
fn verify_sigv4(r: &Request, key_id: &str, secret: &str, region: &str, service: &str) -> Result<(), String> {
    let auth = r.header("Authorization").ok_or("MissingAuthenticationToken")?;
    let rest = auth.strip_prefix("AWS4-HMAC-SHA256 ").ok_or("IncompleteSignature: algorithm")?;
    let mut fields = BTreeMap::new();
    for part in rest.split(", ") {
        let (k, v) = part.split_once('=').ok_or("IncompleteSignature")?;
        fields.insert(k, v);
    }
    let credential = fields.get("Credential").ok_or("IncompleteSignature: Credential")?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [id, day, scope_region, scope_service, "aws4_request"] = scope[..] else {
        return Err("IncompleteSignature: credential scope".into());
    };
    if id != key_id {
        return Err("InvalidClientTokenId".into());
    }
    let date = r.header("X-Amz-Date").ok_or("IncompleteSignature: X-Amz-Date")?;
    if !date.starts_with(day) || scope_region != region || scope_service != service {
        return Err(format!("SignatureDoesNotMatch: credential scope {day}/{scope_region}/{scope_service}"));
    }
    let when = amz_epoch(date).ok_or("IncompleteSignature: X-Amz-Date")?;
    if now().abs_diff(when) > 15 * 60 {
        return Err("RequestExpired".into());
    }
    let names: Vec<&str> = fields.get("SignedHeaders").ok_or("IncompleteSignature")?.split(';').collect();
    if !names.contains(&"host") || !names.contains(&"x-amz-date") {
        return Err("SignatureDoesNotMatch: host and x-amz-date must be signed".into());
    }
    let mut headers = String::new();
    for name in &names {
        let value = r.header(name).ok_or_else(|| format!("SignatureDoesNotMatch: no {name} header"))?;
        headers.push_str(&format!("{name}:{}\n", value.split_whitespace().collect::<Vec<_>>().join(" ")));
    }
    let mut query: Vec<String> =
        r.query.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect();
    query.sort();
    let canonical = [
        r.method.clone(),
        r.path.split('/').map(percent_encode).collect::<Vec<_>>().join("/"),
        query.join("&"),
        headers,
        names.join(";"),
        sha256_hex(&r.body),
    ]
    .join("\n");
    let scope = format!("{day}/{region}/{service}/aws4_request");
    let to_sign = format!("AWS4-HMAC-SHA256\n{date}\n{scope}\n{}", sha256_hex(canonical.as_bytes()));
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in [day, region, service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let want = hex(&hmac(&key, to_sign.as_bytes()));
    if fields.get("Signature") != Some(&want.as_str()) {
        return Err("SignatureDoesNotMatch".into());
    }
    Ok(())
}

const AWS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY-S3CRET-KEY";

fn aws_error(code: &str) -> Reply {
    let kind = code.split(':').next().unwrap_or(code);
    let body = format!(
        "<?xml version=\"1.0\"?><ErrorResponse><Error><Type>Sender</Type><Code>{kind}</Code><Message>{code}</Message></Error></ErrorResponse>"
    );
    Reply { status: 403, content_type: "text/xml", body, location: None }
}

/// SQS's ListQueues on the Query API, signed for us-east-1.
fn sqs_api() -> MockApi {
    MockApi::start(|r| {
        if r.method != "GET" || r.path != "/" {
            return Reply::text(404, "mock: no such path");
        }
        let mut query: Vec<(&str, &str)> = r.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        query.sort();
        if query != [("Action", "ListQueues"), ("MaxResults", "1"), ("Version", "2012-11-05")] {
            return Reply::text(400, format!("mock: query {query:?}"));
        }
        match verify_sigv4(r, AWS_KEY_ID, AWS_SECRET, "us-east-1", "sqs") {
            Ok(()) => Reply::json(200, json!({"ListQueuesResponse": {"ListQueuesResult": {"queueUrls": []}}})),
            Err(code) => aws_error(&code),
        }
    })
}

/// A runtime rendered by the real renderer, in a directory Python can import.
fn runtime_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = authgen::render::Renderer::new(None).unwrap().render_runtime().unwrap();
    std::fs::write(dir.path().join("authgen_runtime.py"), text).unwrap();
    dir
}

/// AWS's Signature Version 4 test suite (aws-sig-v4-test-suite), with the
/// signatures it publishes.
#[test]
fn sigv4_signer_matches_the_aws_test_suite() {
    let dir = runtime_dir();
    let script = r#"
import sys
from authgen_runtime import sigv4
keys = ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
form = {"Content-Type": "application/x-www-form-urlencoded"}
cases = [
    ("get-vanilla", "GET", "/", {}, b""),
    ("get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1", {}, b""),
    ("post-vanilla", "POST", "/", {}, b""),
    ("post-x-www-form-urlencoded", "POST", "/", form, b"Param1=value1"),
]
for name, method, path, headers, body in cases:
    url = "https://example.amazonaws.com" + path
    added, sig = sigv4(method, url, headers, body, keys, "us-east-1", "service", "20150830T123600Z")
    signed = added["Authorization"].split("SignedHeaders=")[1].split(",")[0]
    print(name, signed, sig)
"#;
    let out = Command::new(common::python()).arg("-c").arg(script).current_dir(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let published = [
        ("get-vanilla", "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        (
            "get-vanilla-query-order-key-case",
            "host;x-amz-date",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        ),
        ("post-vanilla", "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        (
            "post-x-www-form-urlencoded",
            "content-type;host;x-amz-date",
            "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
        ),
    ];
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), published.len(), "{text}");
    for ((name, signed, sig), line) in published.iter().zip(lines) {
        assert_eq!(line, format!("{name} {signed} {sig}"), "{name}");
    }
}

#[test]
fn aws_sigv4_signs_the_request_the_mock_recomputes() {
    let good = json!({"aws_access_key_id": AWS_KEY_ID, "aws_secret_access_key": AWS_SECRET, "region": "us-east-1"});
    for client in CLIENTS {
        let repo = repo(client, &["aws_sqs"]);
        let py = common::python();
        let api = sqs_api();
        let base = [("CONNECTOR_TEST_BASE_URL", api.url())];
        let label = |what: &str| format!("aws_sqs {client}: {what}");

        let ran = run(&repo, &py, "aws_sqs", &good, &base);
        expect(&ran, 0, &["aws_sqs: authenticated: Amazon SQS accepted aws_sigv4"], &label("good"));
        pytest_passes(&repo, "aws_sqs", &good, &base);
        // A session token (temporary credentials) is signed too.
        let temporary = with(&good, "aws_session_token", "FwoGZXIvYXdzE-S3CRET-session");
        let ran = run(&repo, &py, "aws_sqs", &temporary, &base);
        expect(&ran, 0, &["authenticated"], &label("with a session token"));
        let sent = api.received();
        let last = &sent.last().expect("a request").request;
        assert_eq!(last.header("X-Amz-Security-Token"), Some("FwoGZXIvYXdzE-S3CRET-session"), "{}", label("token"));
        assert!(
            last.header("Authorization").is_some_and(|a| a.contains("x-amz-security-token")),
            "{}",
            label("the session token is signed")
        );

        let wrong = with(&good, "aws_secret_access_key", "not-the-S3CRET");
        let ran = run(&repo, &py, "aws_sqs", &wrong, &base);
        expect(&ran, 1, &["aws_sqs: rejected: HTTP 403", "SignatureDoesNotMatch"], &label("wrong secret"));
        let other_region = with(&good, "region", "eu-west-1");
        let ran = run(&repo, &py, "aws_sqs", &other_region, &base);
        expect(&ran, 1, &["SignatureDoesNotMatch"], &label("another region"));

        let ran = run(&repo, &py, "aws_sqs", &without(&good, "aws_secret_access_key"), &base);
        expect(&ran, 2, &["credentials incomplete", "aws_secret_access_key"], &label("missing"));
        let ran = run(&repo, &py, "aws_sqs", &good, &[("CONNECTOR_TEST_BASE_URL", closed_url())]);
        expect(&ran, 3, &["aws_sqs: unreachable", "connection refused"], &label("unreachable"));
        assert_eq!(api.received().len(), 5, "{}", label("requests that reached the API"));
    }
}

/// The mock's verifier refuses a request that differs from a well-signed one
/// in any one field: its teeth, apart from the Python signer.
#[test]
fn the_sigv4_mock_refuses_a_request_off_by_one_field() {
    let repo = repo("urllib", &["aws_sqs"]);
    let api = MockApi::start(|_| Reply::json(200, json!({})));
    let good = json!({"aws_access_key_id": AWS_KEY_ID, "aws_secret_access_key": AWS_SECRET, "region": "us-east-1"});
    run(&repo, &common::python(), "aws_sqs", &good, &[("CONNECTOR_TEST_BASE_URL", api.url())]);
    let signed = api.received().remove(0).request;
    assert_eq!(verify_sigv4(&signed, AWS_KEY_ID, AWS_SECRET, "us-east-1", "sqs"), Ok(()));
    let header = |r: &Request, name: &str, value: String| {
        let mut r = r.clone();
        for (n, v) in &mut r.headers {
            if n.eq_ignore_ascii_case(name) {
                *v = value.clone();
            }
        }
        r
    };
    let date = signed.header("X-Amz-Date").unwrap().to_string();
    let later = format!("{}{}", &date[..14], if date.ends_with("0Z") { "1Z" } else { "0Z" });
    let mut query = signed.clone();
    query.query[0].1.push('2');
    let mut method = signed.clone();
    method.method = "POST".into();
    let mut path = signed.clone();
    path.path = "/queues".into();
    let mut body = signed.clone();
    body.body = b"x".to_vec();
    let auth = signed.header("Authorization").unwrap().to_string();
    let tampered = [
        ("a query value", query),
        ("the method", method),
        ("the path", path),
        ("the body", body),
        ("the date", header(&signed, "X-Amz-Date", later)),
        ("the host", header(&signed, "Host", "127.0.0.2".into())),
        ("the signature", header(&signed, "Authorization", auth.replace("Signature=", "Signature=0"))),
        ("the key id", header(&signed, "Authorization", auth.replace(AWS_KEY_ID, "AKIAOTHER"))),
    ];
    for (what, r) in tampered {
        assert!(verify_sigv4(&r, AWS_KEY_ID, AWS_SECRET, "us-east-1", "sqs").is_err(), "accepted with {what} changed");
    }
    assert!(verify_sigv4(&signed, AWS_KEY_ID, "another secret", "us-east-1", "sqs").is_err());
    assert!(verify_sigv4(&signed, AWS_KEY_ID, AWS_SECRET, "us-west-2", "sqs").is_err());
}

// ---------------------------------------------------------------------------
// Session login (Veeva Vault's shape: a form login answering 200 with
// responseStatus FAILURE and no sessionId when the password is wrong)

const VAULT_USER: &str = "integration@example.com";
const VAULT_PASSWORD: &str = "pa55-S3CRET";
const SESSION: &str = "sess-S3CRET-4f9c";

fn vault_api() -> MockApi {
    MockApi::start(|r| match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/api/v24.1/auth") => {
            let form_type = r.header("Content-Type").unwrap_or("");
            if !form_type.starts_with("application/x-www-form-urlencoded") {
                return Reply::text(400, format!("mock: login Content-Type {form_type:?}"));
            }
            let mut form = r.form();
            form.sort();
            let want =
                vec![("password".to_string(), VAULT_PASSWORD.to_string()), ("username".into(), VAULT_USER.into())];
            if form == want {
                Reply::json(200, json!({"responseStatus": "SUCCESS", "sessionId": SESSION, "userId": 42}))
            } else {
                Reply::json(
                    200,
                    json!({"responseStatus": "FAILURE", "errors": [{"type": "USERNAME_OR_PASSWORD_INCORRECT"}]}),
                )
            }
        }
        ("GET", "/api/v24.1/objects/users/me") if r.header("Authorization") == Some(SESSION) => {
            Reply::json(200, json!({"responseStatus": "SUCCESS", "users": [{"user": {"id": 42}}]}))
        }
        ("GET", "/api/v24.1/objects/users/me") => {
            Reply::json(401, json!({"responseStatus": "FAILURE", "errors": [{"type": "INVALID_SESSION_ID"}]}))
        }
        _ => Reply::text(404, "mock: no such path"),
    })
}

#[test]
fn session_login_logs_in_and_sends_the_session_token() {
    let good = json!({"vault_dns": "myvault.veevavault.com", "username": VAULT_USER, "password": VAULT_PASSWORD});
    for client in CLIENTS {
        let repo = repo(client, &["veeva_vault"]);
        let py = common::python();
        let api = vault_api();
        let base = [("CONNECTOR_TEST_BASE_URL", format!("{}/api/v24.1", api.url()))];
        let label = |what: &str| format!("veeva_vault {client}: {what}");
        let ran = run(&repo, &py, "veeva_vault", &good, &base);
        expect(&ran, 0, &["accepted session_login", "users[0].user.id = 42"], &label("good"));
        pytest_passes(&repo, "veeva_vault", &good, &base);
        let ran = run(&repo, &py, "veeva_vault", &with(&good, "password", "wrong-S3CRET"), &base);
        expect(&ran, 1, &["veeva_vault: rejected: login answer from POST", "has no sessionId"], &label("wrong"));
        // The session token is redacted wherever it would show.
        let echo = MockApi::start(|r| {
            if r.path.ends_with("/auth") {
                Reply::json(200, json!({"sessionId": SESSION}))
            } else {
                Reply::json(403, json!({"message": format!("session {SESSION} may not read users")}))
            }
        });
        let ran = run(&repo, &py, "veeva_vault", &good, &[("CONNECTOR_TEST_BASE_URL", echo.url())]);
        expect(&ran, 1, &["session *** may not read users"], &label("redacted"));
        let ran = run(&repo, &py, "veeva_vault", &without(&good, "password"), &base);
        expect(&ran, 2, &["credentials incomplete", "password"], &label("missing"));
        let ran = run(&repo, &py, "veeva_vault", &good, &[("CONNECTOR_TEST_BASE_URL", closed_url())]);
        expect(&ran, 3, &["veeva_vault: unreachable", "connection refused"], &label("unreachable"));
        let logins = api.received().iter().filter(|e| e.request.path.ends_with("/auth")).count();
        assert_eq!((logins, api.received().len()), (3, 5), "{}", label("login and check twice, failed login"));
    }
}

// ---------------------------------------------------------------------------
// JWTs: keys made by openssl for each test, signatures checked by openssl

struct Key {
    dir: tempfile::TempDir,
    private: String,
}

impl Key {
    /// A fresh key: `rsa` (2048 bits) or `ec` (P-256).
    fn new(kind: &str) -> Key {
        let dir = tempfile::tempdir().expect("tempdir");
        let private = dir.path().join("key.pem");
        let args: Vec<&str> = match kind {
            "rsa" => vec!["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            _ => vec!["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        };
        let ok = Command::new("openssl").args(&args).arg("-out").arg(&private).output().unwrap().status.success();
        assert!(ok, "openssl genpkey {kind}");
        let public = dir.path().join("public.pem");
        let ok = Command::new("openssl")
            .args(["pkey", "-pubout", "-in"])
            .arg(&private)
            .arg("-out")
            .arg(&public)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "openssl pkey -pubout");
        Key { private: std::fs::read_to_string(&private).unwrap(), dir }
    }

    fn public(&self) -> PathBuf {
        self.dir.path().join("public.pem")
    }
}

fn unb64url(text: &str) -> Option<Vec<u8>> {
    let mut s: String = text
        .chars()
        .map(|c| {
            if c == '-' {
                '+'
            } else if c == '_' {
                '/'
            } else {
                c
            }
        })
        .collect();
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    common::mock::unbase64(&s)
}

/// DER of an ECDSA signature from JWS's r || s.
fn der_signature(raw: &[u8]) -> Vec<u8> {
    let int = |bytes: &[u8]| {
        let mut b: Vec<u8> = bytes.iter().copied().skip_while(|&x| x == 0).collect();
        if b.first().is_none_or(|&x| x & 0x80 != 0) {
            b.insert(0, 0);
        }
        let mut out = vec![0x02, u8::try_from(b.len()).unwrap()];
        out.extend(b);
        out
    };
    let (r, s) = raw.split_at(raw.len() / 2);
    let body = [int(r), int(s)].concat();
    let mut out = vec![0x30, u8::try_from(body.len()).unwrap()];
    out.extend(body);
    out
}

/// The claims of a JWT whose signature `public` verifies with `alg`.
fn verify_jwt(jwt: &str, public: &Path, alg: &str) -> Result<Value, String> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [head, body, sig] = parts[..] else { return Err("not a JWT".into()) };
    let header: Value = serde_json::from_slice(&unb64url(head).ok_or("header")?).map_err(|e| e.to_string())?;
    if header["alg"] != alg {
        return Err(format!("alg {} is not {alg}", header["alg"]));
    }
    let mut signature = unb64url(sig).ok_or("signature encoding")?;
    if alg.starts_with("ES") {
        signature = der_signature(&signature);
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (data, sig_file) = (dir.path().join("data"), dir.path().join("sig"));
    std::fs::write(&data, format!("{head}.{body}")).map_err(|e| e.to_string())?;
    std::fs::write(&sig_file, signature).map_err(|e| e.to_string())?;
    let digest = if alg.ends_with("256") { "-sha256" } else { "-sha384" };
    let out = Command::new("openssl")
        .args(["dgst", digest, "-verify"])
        .arg(public)
        .arg("-signature")
        .arg(&sig_file)
        .arg(&data)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err("bad signature".into());
    }
    let claims: Value = serde_json::from_slice(&unb64url(body).ok_or("claims")?).map_err(|e| e.to_string())?;
    Ok(claims)
}

/// The claims every signed JWT needs: a lifetime within `max` seconds, issued now.
fn fresh(claims: &Value, max: u64) -> Result<(), String> {
    let (iat, exp) = (claims["iat"].as_u64().ok_or("no iat")?, claims["exp"].as_u64().ok_or("no exp")?);
    if exp <= iat || exp - iat > max || iat > now() + 60 || exp < now() {
        return Err(format!("iat {iat} exp {exp}: not a fresh token of at most {max} s"));
    }
    Ok(())
}

const SA_EMAIL: &str = "authgen-check@my-project.iam.gserviceaccount.com";
const SCOPE: &str = "https://www.googleapis.com/auth/analytics.readonly";
const GOOGLE_TOKEN: &str = "ya29.S3CRET-access";

/// Google's token endpoint (`/token`, jwt-bearer grant) and the Analytics
/// metadata call behind it.
fn google_api(public: PathBuf) -> MockApi {
    MockApi::start(move |r| match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/token") => {
            let form: BTreeMap<String, String> = r.form().into_iter().collect();
            let grant = form.get("grant_type").map(String::as_str);
            if grant != Some("urn:ietf:params:oauth:grant-type:jwt-bearer") || form.len() != 2 {
                return Reply::json(
                    400,
                    json!({"error": "unsupported_grant_type", "form": form.keys().collect::<Vec<_>>()}),
                );
            }
            let aud = format!("http://{}/token", r.header("Host").unwrap_or(""));
            let checked =
                verify_jwt(form.get("assertion").map_or("", String::as_str), &public, "RS256").and_then(|c| {
                    fresh(&c, 3600)?;
                    let want = (SA_EMAIL, aud.as_str(), SCOPE);
                    match (c["iss"].as_str(), c["aud"].as_str(), c["scope"].as_str()) {
                        (Some(iss), Some(a), Some(s)) if (iss, a, s) == want => Ok(()),
                        _ => Err(format!("claims {c}")),
                    }
                });
            match checked {
                Ok(()) => {
                    Reply::json(200, json!({"access_token": GOOGLE_TOKEN, "token_type": "Bearer", "expires_in": 3599}))
                }
                Err(why) => Reply::json(
                    400,
                    json!({"error": "invalid_grant", "error_description": format!("Invalid JWT: {why}")}),
                ),
            }
        }
        ("GET", "/v1beta/properties/123456/metadata")
            if r.header("Authorization") == Some(&format!("Bearer {GOOGLE_TOKEN}")) =>
        {
            Reply::json(200, json!({"name": "properties/123456/metadata", "dimensions": []}))
        }
        ("GET", _) => Reply::json(401, json!({"error": {"code": 401, "status": "UNAUTHENTICATED"}})),
        _ => Reply::text(404, "mock: no such path"),
    })
}

fn service_account(key: &Key, token_uri: &str) -> String {
    json!({
        "type": "service_account",
        "project_id": "my-project",
        "private_key_id": "0123456789abcdef",
        "private_key": key.private,
        "client_email": SA_EMAIL,
        "client_id": "1234567890",
        "token_uri": token_uri,
    })
    .to_string()
}

#[test]
fn oauth_jwt_bearer_trades_a_signed_jwt_for_a_token() {
    let key = Key::new("rsa");
    let other = Key::new("rsa");
    for client in CLIENTS {
        let repo = repo(client, &["google_analytics"]);
        let py = common::python();
        let api = google_api(key.public());
        let label = |what: &str| format!("google_analytics {client}: {what}");
        let base = format!("{}/v1beta", api.url());
        // The key's own token_uri is used (and is the aud) when nothing overrides it.
        let raw = service_account(&key, &format!("{}/token", api.url()));
        let good = json!({"property_id": "123456", "service_account_json": raw});
        let env = [("CONNECTOR_TEST_BASE_URL", base.clone())];
        let ran = run(&repo, &py, "google_analytics", &good, &env);
        expect(&ran, 0, &["accepted oauth_jwt_bearer", "name = properties/123456/metadata"], &label("raw JSON"));
        pytest_passes(&repo, "google_analytics", &good, &env);
        // Base64 of the same key file.
        let b64 = common::mock::base64(raw.as_bytes());
        let ran = run(&repo, &py, "google_analytics", &with(&good, "service_account_json", &b64), &env);
        expect(&ran, 0, &["authenticated"], &label("base64 JSON"));
        // CONNECTOR_TEST_TOKEN_URL moves the token request, and the aud with it.
        let elsewhere = service_account(&key, "https://oauth2.googleapis.com/token");
        let moved = [env[0].clone(), ("CONNECTOR_TEST_TOKEN_URL", format!("{}/token", api.url()))];
        let ran = run(&repo, &py, "google_analytics", &with(&good, "service_account_json", &elsewhere), &moved);
        expect(&ran, 0, &["authenticated"], &label("token URL override"));

        let wrong = service_account(&other, &format!("{}/token", api.url()));
        let ran = run(&repo, &py, "google_analytics", &with(&good, "service_account_json", &wrong), &env);
        expect(&ran, 1, &["OAuth token error", "invalid_grant", "bad signature"], &label("another key"));
        let ran = run(&repo, &py, "google_analytics", &with(&good, "service_account_json", "{\"type\": 1}"), &env);
        expect(&ran, 2, &["service_account_json", "client_email, private_key, token_uri"], &label("not a key"));
        let ran = run(&repo, &py, "google_analytics", &without(&good, "service_account_json"), &env);
        expect(&ran, 2, &["credentials incomplete", "service_account_json"], &label("missing"));
        let gone = [env[0].clone(), ("CONNECTOR_TEST_TOKEN_URL", closed_url())];
        let ran = run(&repo, &py, "google_analytics", &good, &gone);
        expect(&ran, 3, &["unreachable", "CONNECTOR_TEST_TOKEN_URL"], &label("unreachable"));
        // No key, assertion or token in any request but where it belongs.
        for e in api.received() {
            let body = String::from_utf8_lossy(&e.request.body);
            assert!(!body.contains("PRIVATE KEY") && !body.contains("private_key"), "{}", label("the key was sent"));
        }
    }
}

const FHIR_TOKEN: &str = "fhir-S3CRET-token";
const SMART_CLIENT: &str = "backend-service-7";

/// A SMART Backend Services token endpoint (client_credentials, private_key_jwt
/// with RS384) and a FHIR Patient search behind it.
fn smart_api(public: PathBuf) -> MockApi {
    MockApi::start(move |r| match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/auth/token") => {
            let form: BTreeMap<String, String> = r.form().into_iter().collect();
            let fixed = [
                ("grant_type", "client_credentials"),
                ("scope", "system/Patient.rs system/Observation.rs"),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ];
            for (k, v) in fixed {
                if form.get(k).map(String::as_str) != Some(v) {
                    return Reply::json(400, json!({"error": "invalid_request", "error_description": format!("{k}")}));
                }
            }
            if form.len() != 4 || r.header("Authorization").is_some() {
                return Reply::json(400, json!({"error": "invalid_request", "error_description": "extra fields"}));
            }
            let aud = format!("http://{}/auth/token", r.header("Host").unwrap_or(""));
            let assertion = form.get("client_assertion").map_or("", String::as_str);
            let kid =
                assertion.split('.').next().and_then(unb64url).and_then(|h| serde_json::from_slice::<Value>(&h).ok());
            let checked = verify_jwt(assertion, &public, "RS384").and_then(|c| {
                fresh(&c, 300)?;
                let ok = c["iss"] == SMART_CLIENT
                    && c["sub"] == SMART_CLIENT
                    && c["aud"] == aud.as_str()
                    && c["jti"].as_str().is_some_and(|j| j.len() >= 16)
                    && kid.as_ref().is_some_and(|h| h["kid"] == "key-2024");
                if ok { Ok(()) } else { Err(format!("claims {c}")) }
            });
            match checked {
                Ok(()) => {
                    Reply::json(200, json!({"access_token": FHIR_TOKEN, "token_type": "bearer", "expires_in": 300}))
                }
                Err(why) => Reply::json(400, json!({"error": "invalid_client", "error_description": why})),
            }
        }
        ("GET", "/r4/Patient") if r.header("Authorization") == Some(&format!("Bearer {FHIR_TOKEN}")) => {
            Reply::json(200, json!({"resourceType": "Bundle", "type": "searchset", "entry": []}))
        }
        ("GET", _) => Reply::json(401, json!({"resourceType": "OperationOutcome"})),
        _ => Reply::text(404, "mock: no such path"),
    })
}

#[test]
fn private_key_jwt_authenticates_the_client_with_a_signed_assertion() {
    let key = Key::new("rsa");
    let other = Key::new("rsa");
    for client in CLIENTS {
        let repo = repo(client, &["smart_backend"]);
        let py = common::python();
        let api = smart_api(key.public());
        let label = |what: &str| format!("smart_backend {client}: {what}");
        let good = json!({
            "fhir_base_url": format!("{}/r4", api.url()),
            "token_url": format!("{}/auth/token", api.url()),
            "client_id": SMART_CLIENT,
            "private_key_pem": key.private,
            "key_id": "key-2024",
        });
        let ran = run(&repo, &py, "smart_backend", &good, &[]);
        expect(&ran, 0, &["accepted oauth_client_credentials", "resourceType = Bundle"], &label("good"));
        pytest_passes(&repo, "smart_backend", &good, &[]);
        let ran = run(&repo, &py, "smart_backend", &with(&good, "private_key_pem", &other.private), &[]);
        expect(&ran, 1, &["OAuth token error", "invalid_client", "bad signature"], &label("another key"));
        let ran = run(&repo, &py, "smart_backend", &with(&good, "key_id", "key-1999"), &[]);
        expect(&ran, 1, &["invalid_client"], &label("another kid"));
        let ran = run(&repo, &py, "smart_backend", &with(&good, "private_key_pem", "-----BEGIN S3CRET"), &[]);
        expect(&ran, 2, &["not a PEM private key"], &label("not a key"));
        let ran = run(&repo, &py, "smart_backend", &without(&good, "private_key_pem"), &[]);
        expect(&ran, 2, &["credentials incomplete", "private_key_pem"], &label("missing"));
        let ran = run(&repo, &py, "smart_backend", &with(&good, "token_url", &closed_url()), &[]);
        expect(&ran, 3, &["unreachable", "connection refused"], &label("unreachable"));
    }
}

/// ES256 signatures (raw r || s, RFC 7518 3.4) verify too.
#[test]
fn private_key_jwt_signs_with_es256() {
    let key = Key::new("ec");
    let spec = std::fs::read_to_string(common::fixtures_dir().join("smart_backend/connector_spec.yaml")).unwrap();
    let spec = spec.replace("signing_alg: RS384", "signing_alg: ES256");
    let repo = Test::with_spec("smart_backend", &spec);
    repo.authgen(["generate", "smart_backend", "--yes", "--http-client", "urllib"]).success();
    let public = key.public();
    let api = MockApi::start(move |r| {
        let form: BTreeMap<String, String> = r.form().into_iter().collect();
        match verify_jwt(form.get("client_assertion").map_or("", String::as_str), &public, "ES256") {
            Ok(_) if r.path == "/auth/token" => Reply::json(200, json!({"access_token": FHIR_TOKEN})),
            _ if r.header("Authorization") == Some(&format!("Bearer {FHIR_TOKEN}")) => {
                Reply::json(200, json!({"resourceType": "Bundle"}))
            }
            Err(why) => Reply::json(400, json!({"error": "invalid_client", "error_description": why})),
            Ok(_) => Reply::text(404, "mock: no such path"),
        }
    });
    let good = json!({
        "fhir_base_url": format!("{}/r4", api.url()),
        "token_url": format!("{}/auth/token", api.url()),
        "client_id": SMART_CLIENT,
        "private_key_pem": key.private,
        "key_id": "k",
    });
    let ran = run(&repo, &common::python(), "smart_backend", &good, &[]);
    expect(&ran, 0, &["authenticated"], "ES256");
    let ran = run(&repo, &common::python(), "smart_backend", &good, &[]);
    expect(&ran, 0, &["authenticated"], "ES256 again (a fresh signature)");
    let rsa = Key::new("rsa");
    let ran = run(&repo, &common::python(), "smart_backend", &with(&good, "private_key_pem", &rsa.private), &[]);
    expect(&ran, 2, &["is not a key for ES256"], "an RSA key for ES256");
}

/// Without the cryptography package the script says what to install and
/// exits 2, never with a traceback.
#[test]
fn jwt_signing_without_cryptography_says_pip_install_cryptography() {
    let venv = tempfile::tempdir().unwrap();
    let made = Command::new(common::python())
        .args(["-m", "venv", "--without-pip"])
        .arg(venv.path())
        .output()
        .unwrap()
        .status
        .success();
    assert!(made, "python -m venv --without-pip");
    let bare = venv.path().join("bin/python");
    let probe = Command::new(&bare).args(["-c", "import cryptography"]).output().unwrap();
    assert!(!probe.status.success(), "the bare venv must lack cryptography");
    let key = Key::new("rsa");
    for (source, config) in [
        (
            "smart_backend",
            json!({"fhir_base_url": closed_url(), "token_url": closed_url(), "client_id": "c", "private_key_pem": key.private, "key_id": "k"}),
        ),
        ("google_analytics", json!({"property_id": "1", "service_account_json": service_account(&key, &closed_url())})),
    ] {
        let repo = repo("urllib", &[source]);
        let ran = run(&repo, &bare, source, &config, &[]);
        expect(&ran, 2, &["pip install cryptography"], source);
        repo.write(repo.credentials_path(source), config.to_string());
        let ran = repo.authgen(["run", source, "--python"]).arg(&bare).code(2);
        assert!(ran.stderr.contains("this Python cannot sign JWTs (no cryptography package)"), "{}", ran.stderr);
    }
}

// ---------------------------------------------------------------------------
// What generate, run and the shape rules say about them

#[test]
fn run_explains_signature_login_and_grant_failures() {
    let py = common::python().display().to_string();
    // SigV4: SignatureDoesNotMatch.
    let repo = Test::with_fixtures(&["aws_sqs"]);
    repo.authgen(["generate", "aws_sqs", "--yes"]).success();
    let api = sqs_api();
    let config =
        json!({"aws_access_key_id": AWS_KEY_ID, "aws_secret_access_key": "wrong-S3CRET", "region": "us-east-1"});
    repo.write(repo.credentials_path("aws_sqs"), config.to_string());
    let ran = repo.authgen(["run", "aws_sqs", "--python", &py]).env("CONNECTOR_TEST_BASE_URL", api.url()).code(1);
    let out = ran.output();
    assert!(out.contains("AWS refused the signature (SignatureDoesNotMatch)"), "{out}");
    assert!(out.contains("aws_secret_access_key"), "{out}");
    assert!(!out.contains(MARK), "{out}");
    // Session login refused.
    let repo = Test::with_fixtures(&["veeva_vault"]);
    repo.authgen(["generate", "veeva_vault", "--yes"]).success();
    let api = vault_api();
    let config = json!({"vault_dns": "x", "username": VAULT_USER, "password": "wrong-S3CRET"});
    repo.write(repo.credentials_path("veeva_vault"), config.to_string());
    let base = format!("{}/api/v24.1", api.url());
    let ran = repo.authgen(["run", "veeva_vault", "--python", &py]).env("CONNECTOR_TEST_BASE_URL", base).code(1);
    let out = ran.output();
    assert!(out.contains("veeva_vault: the login was refused"), "{out}");
    assert!(out.contains("check username, password"), "{out}");
    // JWT grant refused: invalid_grant.
    let key = Key::new("rsa");
    let other = Key::new("rsa");
    let repo = Test::with_fixtures(&["google_analytics"]);
    repo.authgen(["generate", "google_analytics", "--yes"]).success();
    let api = google_api(key.public());
    let config = json!({"property_id": "123456", "service_account_json": service_account(&other, &format!("{}/token", api.url()))});
    repo.write(repo.credentials_path("google_analytics"), config.to_string());
    let base = format!("{}/v1beta", api.url());
    let ran = repo.authgen(["run", "google_analytics", "--python", &py]).env("CONNECTOR_TEST_BASE_URL", base).code(1);
    let out = ran.output();
    assert!(out.contains("google_analytics: the token endpoint refused the signed JWT (invalid_grant)"), "{out}");
    assert!(!out.contains("PRIVATE KEY"), "{out}");
}

/// A key is never a token: a plan that would send key material in a header
/// or the query is refused, naming the variant to use.
#[test]
fn generate_refuses_to_send_a_key_as_a_token() {
    let cases = [
        (
            "connection:\n  parameters:\n    - {name: private_key, type: string, required: true, secret: true}\n  verification:\n    base_url: https://api.example.com\n    endpoint: /me\n",
            "client_auth: private_key_jwt",
        ),
        (
            "connection:\n  parameters:\n    - {name: service_account_json, type: string, required: true}\n  verification:\n    auth: bearer\n    credential: service_account_json\n    base_url: https://api.example.com\n    endpoint: /me\n",
            "auth: oauth_jwt_bearer",
        ),
        (
            "connection:\n  parameters:\n    - {name: creds, type: string, required: true, description: The service account key file.}\n  verification:\n    auth: api_key_query\n    credential: creds\n    query_param: key\n    base_url: https://api.example.com\n    endpoint: /me\n",
            "auth: oauth_jwt_bearer",
        ),
        (
            "connection:\n  parameters:\n    - {name: token, type: string, required: true, secret: true}\n    - {name: signing_key, type: string, description: RSA private key (PEM).}\n  verification:\n    auth: bearer\n    headers: {X-Key: \"{signing_key}\"}\n    base_url: https://api.example.com\n    endpoint: /me\n",
            "client_auth: private_key_jwt",
        ),
    ];
    for (spec, instead) in cases {
        let repo = Test::with_spec("keyed", spec);
        let ran = repo.authgen(["generate", "keyed", "--yes"]).code(2);
        ran.assert_wrote_nothing();
        assert!(ran.stderr.contains("a key is never sent as a token"), "{spec}\n{}", ran.stderr);
        assert!(ran.stderr.contains(instead), "{spec}\n{}", ran.stderr);
        let lint = repo.authgen(["lint", "keyed", "--format", "json"]).code(1);
        assert!(lint.stdout.contains("\"key-as-token\""), "lint: {}", lint.output());
    }
}

#[test]
fn signed_files_are_small_and_state_their_request_first() {
    let renderer = authgen::render::Renderer::new(None).unwrap();
    for name in SIGNED {
        for client in [authgen::plan::HttpClient::Requests, authgen::plan::HttpClient::Urllib] {
            let plan = common::plan_for(name, client);
            let text = renderer.render(&plan).unwrap();
            let lines = text.lines().count();
            assert!(lines <= 150, "{name}: {lines} lines");
            let head: String = text.lines().take(40).collect::<Vec<_>>().join("\n");
            for m in &plan.methods {
                assert!(head.contains(&format!("\"{}\"", m.variant.name())) || head.contains("client_credentials"));
                assert!(head.contains(&format!("\"{}\"", m.request.endpoint)), "{name}: endpoint not first");
            }
        }
    }
}

/// Plans and rendered files of the signed fixtures, both clients: a template
/// change is a reviewable diff.
#[test]
fn snapshots_of_the_signed_fixtures() {
    let renderer = authgen::render::Renderer::new(None).unwrap();
    for name in SIGNED {
        let plan = common::plan_for(name, authgen::plan::HttpClient::Requests);
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(format!("plan__{name}"), serde_json::to_string_pretty(&plan).unwrap());
            for client in [authgen::plan::HttpClient::Requests, authgen::plan::HttpClient::Urllib] {
                let text = renderer.render(&common::plan_for(name, client)).unwrap();
                insta::assert_snapshot!(format!("render__{name}__{}", client.name()), text);
            }
        });
    }
}

/// `spec --auth` writes each new variant's keys and parameters, `generate`
/// renders the result, `lint` passes it, and `variants` lists the variants.
#[test]
fn spec_lint_and_variants_know_the_signed_variants() {
    let repo = Test::new();
    repo.write("pyproject.toml", "");
    let cases: [(&str, &[&str], &[&str]); 3] = [
        (
            "aws_sigv4",
            &["--base-url", "https://sqs.{region}.amazonaws.com", "--endpoint", "/"],
            &["access_key_id: aws_access_key_id", "service: sqs", "region: \"{region}\""],
        ),
        (
            "session_login",
            &["--base-url", "https://myvault.veevavault.com/api", "--endpoint", "/me"],
            &["login:", "token_field: token", "password: \"{password}\""],
        ),
        (
            "oauth_jwt_bearer",
            &["--base-url", "https://analyticsdata.googleapis.com/v1beta", "--endpoint", "/x", "--scopes", "s"],
            &["key_json: service_account_json", "secret: true"],
        ),
    ];
    for (variant, args, says) in cases {
        let source = format!("s_{variant}");
        repo.authgen(["spec", &source, "--auth", variant, "--yes"]).args(args).success();
        let spec = repo.read_spec(&source);
        for s in says {
            assert!(spec.contains(s), "{variant}: {s:?} not in\n{spec}");
        }
        repo.authgen(["generate", &source, "--yes"]).success();
        assert!(repo.read_test(&source).contains(&format!("AUTH = \"{variant}\"")), "{variant}");
        repo.authgen(["lint", &source]).success();
    }
    let ran = repo.authgen(["variants"]).success();
    for v in ["oauth_jwt_bearer", "session_login", "aws_sigv4"] {
        assert!(ran.stdout.contains(v), "variants lists {v}:\n{}", ran.stdout);
    }
    // Without a service in the base URL, aws_sigv4 says where it takes it from.
    let ran = repo.authgen([
        "spec",
        "nohost",
        "--auth",
        "aws_sigv4",
        "--base-url",
        "https://x.example.com",
        "--endpoint",
        "/",
    ]);
    let ran = ran.code(2);
    assert!(ran.stderr.contains("SERVICE.{region}.amazonaws.com"), "{}", ran.stderr);
}

// ---------------------------------------------------------------------------
// Collecting keys: several lines, stored unchanged

fn stored(repo: &Test, source: &str) -> Value {
    serde_json::from_str(&repo.read(repo.credentials_path(source))).expect("dev_config.json")
}

#[test]
fn credentials_take_a_multi_line_pem_and_json_key_whole() {
    let key = Key::new("rsa");
    let repo = Test::with_fixtures(&["smart_backend"]);
    // Required values in order: fhir_base_url, token_url, client_id, private_key_pem, key_id.
    // The PEM ends at its END line: the next line answers the next prompt.
    let input = format!("https://fhir.example.org/r4\nhttps://fhir.example.org/token\nsvc-1\n{}key-1\n", key.private);
    let ran = repo.authgen(["credentials", "smart_backend"]).stdin(input).run();
    ran.assert_code(0);
    let values = stored(&repo, "smart_backend");
    assert_eq!(values["private_key_pem"], key.private.as_str(), "the PEM, byte for byte");
    assert_eq!(values["key_id"], "key-1");
    assert!(!ran.output().contains("PRIVATE KEY"), "{}", ran.output());
    assert!(ran.stderr.contains("paste it whole, or use --from-file NAME=PATH"), "{}", ran.stderr);
    // A service-account key file pasted as it is printed: read to its closing brace.
    let repo = Test::with_fixtures(&["google_analytics"]);
    let account = serde_json::to_string_pretty(
        &json!({"type": "service_account", "private_key": key.private, "client_email": SA_EMAIL}),
    )
    .unwrap();
    let ran = repo.authgen(["credentials", "google_analytics"]).stdin(format!("123456\n{account}\n")).run();
    ran.assert_code(0);
    assert_eq!(stored(&repo, "google_analytics")["service_account_json"], format!("{account}\n").as_str());
    // One line per prompt from a pipe still works: a one-line (base64) key is one answer.
    let repo = Test::with_fixtures(&["google_analytics"]);
    let ran =
        repo.authgen(["credentials", "google_analytics"]).stdin("123456\neyJ0eXBlIjoic2VydmljZV9hY2NvdW50In0=\n").run();
    ran.assert_code(0);
    assert_eq!(stored(&repo, "google_analytics")["service_account_json"], "eyJ0eXBlIjoic2VydmljZV9hY2NvdW50In0=");
}

#[test]
fn credentials_from_file_store_a_key_file_unchanged() {
    let key = Key::new("ec");
    let repo = Test::with_fixtures(&["google_analytics"]);
    let account = format!("{}\n", serde_json::to_string_pretty(&json!({"private_key": key.private, "client_email": SA_EMAIL, "token_uri": "https://oauth2.googleapis.com/token"})).unwrap());
    let file = repo.write("keys/sa.json", &account);
    let ran = repo
        .authgen(["credentials", "google_analytics", "--from-file"])
        .arg(format!("service_account_json={}", file.display()))
        .stdin("123456\n")
        .run();
    ran.assert_code(0);
    assert_eq!(stored(&repo, "google_analytics")["service_account_json"], account.as_str());
    assert!(!ran.output().contains("PRIVATE KEY"), "{}", ran.output());
    let ran = repo.authgen(["credentials", "google_analytics", "--from-file", "nope=x"]).stdin("").run();
    ran.assert_code(2);
    assert!(ran.stderr.contains("--from-file nope: no such value"), "{}", ran.stderr);
}

/// A spec whose auth methods mix the signed variants with a plain one: one
/// file, ruff-clean for both clients, that logs in with a JSON body (token at
/// a dot path) or signs with SigV4, as the credentials choose.
#[test]
fn several_methods_mix_signed_and_plain_variants() {
    let spec =
        std::fs::read_to_string(common::manifest_dir().join("tests/fixtures/signed/mixed_methods.yaml")).unwrap();
    for client in CLIENTS {
        let repo = Test::with_spec("mixed", &spec);
        repo.authgen(["generate", "mixed", "--yes", "--http-client", client]).success();
        let dir = repo.test_path("mixed").parent().unwrap().parent().unwrap().to_path_buf();
        for args in [
            &["check", "--select", "E,F,I", "--line-length", "100"][..],
            &["format", "--check", "--line-length", "100"],
        ] {
            let ran = repo.command(common::ruff(), args).arg(&dir).run();
            assert_eq!(ran.code, Some(0), "ruff {args:?} ({client}):\n{}", ran.output());
        }
        let api = MockApi::start(|r| match (r.method.as_str(), r.path.as_str()) {
            ("POST", "/login") => {
                let body: Value = serde_json::from_slice(&r.body).unwrap_or_default();
                let json_type = r.header("Content-Type") == Some("application/json");
                if json_type && body == json!({"user": "ada", "pass": "pw-S3CRET"}) {
                    Reply::json(200, json!({"data": {"token": "tok-S3CRET-1", "expires": 3600}}))
                } else {
                    Reply::json(401, json!({"error": "bad login"}))
                }
            }
            ("GET", "/me") if r.header("Authorization") == Some("Bearer tok-S3CRET-1") => Reply::json(200, json!({})),
            ("GET", "/me") => match verify_sigv4(r, AWS_KEY_ID, AWS_SECRET, "us-east-1", "execute-api") {
                Ok(()) => Reply::json(200, json!({})),
                Err(code) => aws_error(&code),
            },
            _ => Reply::text(404, "mock: no such path"),
        });
        let base = [("CONNECTOR_TEST_BASE_URL", api.url())];
        let session = json!({"region": "us-east-1", "username": "ada", "password": "pw-S3CRET"});
        let ran = run(&repo, &common::python(), "mixed", &session, &base);
        expect(&ran, 0, &["accepted session_login (auth method session)"], &format!("{client} session"));
        let ran = run(&repo, &common::python(), "mixed", &with(&session, "password", "no-S3CRET"), &base);
        expect(&ran, 1, &["login failed: HTTP 401 from POST"], &format!("{client} bad login"));
        let keys = json!({"region": "us-east-1", "aws_access_key_id": AWS_KEY_ID, "aws_secret_access_key": AWS_SECRET});
        let ran = run(&repo, &common::python(), "mixed", &keys, &base);
        expect(&ran, 0, &["accepted aws_sigv4 (auth method keys)"], &format!("{client} sigv4"));
    }
}

/// What a signed variant derives is a secret too: a server that echoes the
/// SigV4 signature, a JWT assertion (the grant's or the client's) or the
/// access token bought with one finds it masked in every output (`run`
/// refuses `S3CRET` and any `eyJ…` JWT in the output; the signature is
/// looked for here).
#[test]
fn derived_values_are_redacted_when_a_server_echoes_them() {
    let key = Key::new("rsa");
    for client in CLIENTS {
        let label = |what: &str| format!("{client}: {what}");
        let py = common::python();

        let sqs = repo(client, &["aws_sqs"]);
        let echo = MockApi::start(|r| {
            let auth = r.header("Authorization").unwrap_or("");
            let signature = auth.split("Signature=").nth(1).unwrap_or_default();
            Reply::json(403, json!({"Error": {"Code": "AccessDenied", "Message": format!("{signature} denied")}}))
        });
        let good = json!({"aws_access_key_id": AWS_KEY_ID, "aws_secret_access_key": AWS_SECRET, "region": "us-east-1"});
        let ran = run(&sqs, &py, "aws_sqs", &good, &[("CONNECTOR_TEST_BASE_URL", echo.url())]);
        expect(&ran, 1, &["AccessDenied"], &label("sigv4 echoed"));
        let sent = echo.received();
        let auth = sent.last().and_then(|e| e.request.header("Authorization")).unwrap_or_default().to_string();
        let signature = auth.split("Signature=").nth(1).unwrap_or_default();
        assert_eq!(signature.len(), 64, "{}", label("a signature was sent"));
        // The preview may cut a long text: its start is enough to tell.
        let shown = &signature[..20];
        assert!(!ran.output().contains(shown), "{}: the signature shown:\n{}", label("sigv4"), ran.output());

        let google = repo(client, &["google_analytics"]);
        let echo = MockApi::start(|r| {
            let form: BTreeMap<String, String> = r.form().into_iter().collect();
            let assertion = form.get("assertion").cloned().unwrap_or_default();
            Reply::json(400, json!({"error": "invalid_grant", "error_description": format!("bad JWT {assertion}")}))
        });
        let raw = service_account(&key, &format!("{}/token", echo.url()));
        let config = json!({"property_id": "123456", "service_account_json": raw});
        let ran = run(&google, &py, "google_analytics", &config, &[("CONNECTOR_TEST_BASE_URL", echo.url())]);
        expect(&ran, 1, &["invalid_grant", "bad JWT"], &label("jwt grant assertion echoed"));

        let echo = MockApi::start(|r| {
            if r.method == "POST" {
                Reply::json(200, json!({"access_token": GOOGLE_TOKEN, "token_type": "Bearer"}))
            } else {
                let auth = r.header("Authorization").unwrap_or("");
                Reply::json(403, json!({"error": {"message": format!("{auth} may not read this property")}}))
            }
        });
        let raw = service_account(&key, &format!("{}/token", echo.url()));
        let config = json!({"property_id": "123456", "service_account_json": raw});
        let ran = run(&google, &py, "google_analytics", &config, &[("CONNECTOR_TEST_BASE_URL", echo.url())]);
        expect(&ran, 1, &["may not read this property"], &label("access token echoed"));

        let smart = repo(client, &["smart_backend"]);
        let echo = MockApi::start(|r| {
            let form: BTreeMap<String, String> = r.form().into_iter().collect();
            let assertion = form.get("client_assertion").cloned().unwrap_or_default();
            Reply::json(400, json!({"error": "invalid_client", "error_description": format!("bad {assertion}")}))
        });
        let config = json!({
            "fhir_base_url": format!("{}/r4", echo.url()),
            "token_url": format!("{}/auth/token", echo.url()),
            "client_id": SMART_CLIENT,
            "private_key_pem": key.private,
            "key_id": "key-2024",
        });
        let ran = run(&smart, &py, "smart_backend", &config, &[]);
        expect(&ran, 1, &["invalid_client"], &label("client assertion echoed"));
    }
}
