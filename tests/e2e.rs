//! End to end: every generated `auth_test.py`, for both HTTP clients, run with
//! the real Python against a mock API on 127.0.0.1 that enforces exactly what
//! the fixture's spec says goes on the wire. Each run gets its own mock server
//! and its own directory; runs go in parallel, a few at a time.
//!
//! Every secret value holds the marker `S3CRET` (and each HTTP Basic encoding
//! is listed): no output of any run may contain one.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::Duration;

use common::mock::{Exchange, MockApi, Reply, Request, base64, closed_url, percent_decode, percent_encode, unbase64};
use common::{Ran, Test};
use serde_json::{Value, json};

const CLIENTS: [&str; 2] = ["requests", "urllib"];
const MARK: &str = "S3CRET";
/// Where the mock serves the OAuth token endpoint (CONNECTOR_TEST_TOKEN_URL).
const TOKEN_PATH: &str = "/oauth2/token";
/// Stands for the mock server's `http://127.0.0.1:PORT` in configs and expected text.
const MOCK: &str = "{MOCK}";
const PWNED: &str = "/tmp/authgen-pwned";
/// A generous bound for one Python run; a hung run fails the test instead of hanging it.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// `expect: any`: the status alone decides.
const EXPECT_ANY: &str = "expect_any";
const EXPECT_ANY_SPEC: &str = "connection:
  parameters:
    - {name: token, secret: true, required: true}
  verification:
    base_url: https://api.example.com/v1
    endpoint: /health
    auth: bearer
    expect: any
";

/// `before_first`, `map` without a default, a default, and placeholders in a
/// prefix and in header values.
const DERIVE_CASES: &str = "derive_cases";
const DERIVE_CASES_SPEC: &str = "connection:
  parameters:
    - {name: api_key, secret: true, required: true}
    - {name: region, required: true}
    - {name: scheme_name}
  verification:
    base_url: https://api.example.com/v1
    endpoint: /accounts/{account}/me
    auth: bearer
    credential: api_key
    prefix: \"{scheme_name} \"
    defaults: {scheme_name: Bearer}
    headers:
      X-Region-Host: \"{host}\"
      X-Account: \"{account}\"
    derive:
      host: {from: region, map: {US: api.example.com, EU: api.eu.example.com}}
      account: {from: api_key, before_first: \".\"}
";

/// `select_by` over `auth_methods`: the parameter names the method, whatever
/// else the credentials hold.
const SELECT_METHODS: &str = "select_methods";
const SELECT_METHODS_SPEC: &str = "connection:
  parameters:
    - {name: auth_mode, required: true}
  auth_methods:
    - name: token
      parameters: [{name: api_token, secret: true, required: true}]
    - name: login
      parameters: [{name: username, required: true}, {name: password, secret: true, required: true}]
  verification:
    base_url: https://api.example.com
    endpoint: /me
    select_by: auth_mode
    method_for:
      token: {auth: bearer, credential: api_token}
      login: {auth: basic, username: username, password: password}
";

/// The auth0 fixture with `token_params` in place of `audience`.
const AUTH0_PARAMS: &str = "auth0_params";

/// A spec that exercises `client_auth: basic` (RFC 6749 section 2.3.1).
const CLIENT_BASIC: &str = "client_basic";
const CLIENT_BASIC_SPEC: &str = r#"display_name: Token Client
connection:
  parameters:
    - {name: client_id, type: string, required: true, description: OAuth client ID.}
    - {name: client_secret, type: string, required: true, secret: true, description: OAuth client secret.}
  oauth:
    flow: m2m
    token_url: https://auth.example.com/oauth2/token
    scopes: "read:users read:org"
  verification:
    base_url: https://api.example.com/v2
    endpoint: /me
    client_auth: basic
    show: id
external_options_allowlist: ""
"#;

/// The repository's own loader, as `tests/unit/sources/test_utils.py`, with
/// the contract of the connector repository's: `load_config(default_path)`
/// reads CONNECTOR_TEST_CONFIG_JSON, then CONNECTOR_TEST_CONFIG_PATH, then
/// `default_path`, and raises RuntimeError when none is there. This one also
/// skips `#` comment lines, which the built-in JSON loader cannot: a run that
/// succeeds with such a file went through it.
const REPO_LOADER: &str = r##""""Credential loader of the connector repository (test stand-in)."""

import json
import os


def load_config(default_path=None):
    inline = os.environ.get("CONNECTOR_TEST_CONFIG_JSON", "").strip()
    if inline:
        return json.loads(inline)
    path = os.environ.get("CONNECTOR_TEST_CONFIG_PATH", "").strip() or default_path
    if not path:
        raise RuntimeError("No credentials provided.")
    with open(path, encoding="utf-8") as handle:
        return json.loads("".join(line for line in handle if not line.startswith("#")))
"##;

// ---------------------------------------------------------------------------
// What each fixture's API accepts

/// Where the credential must arrive, and the exact values the mock accepts
/// (200) and knows but refuses (403); anything else is a 401.
#[derive(Clone, Debug)]
enum Credential {
    /// No credential at all: an Authorization header is a mistake.
    Absent,
    Header {
        name: &'static str,
        good: String,
        forbidden: String,
    },
    Query {
        name: &'static str,
        good: String,
        forbidden: String,
    },
}

/// The one API call a generated test makes, as the spec defines it.
#[derive(Clone, Debug)]
struct Api {
    path: &'static str,
    /// The exact query, apart from a credential sent as a query parameter.
    query: Vec<(&'static str, &'static str)>,
    /// Headers that must be present with exactly these values.
    headers: Vec<(&'static str, &'static str)>,
    credential: Credential,
    answer: Value,
}

impl Api {
    fn handle(&self, r: &Request) -> Reply {
        if r.method != "GET" {
            return Reply::text(405, format!("mock: expected GET, got {}", r.method));
        }
        if r.path != self.path {
            return Reply::text(404, format!("mock: no such path {:?}", r.path));
        }
        for (name, value) in &self.headers {
            if r.header(name) != Some(value) {
                return Reply::text(400, format!("mock: header {name} missing or not {value:?}"));
            }
        }
        let credential_param = match &self.credential {
            Credential::Query { name, .. } => Some(*name),
            _ => None,
        };
        let mut query: Vec<(&str, &str)> = r
            .query
            .iter()
            .filter(|(k, _)| Some(k.as_str()) != credential_param)
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut want = self.query.clone();
        query.sort();
        want.sort();
        if query != want {
            return Reply::text(400, format!("mock: query {query:?}, expected {want:?}"));
        }
        let uses_authorization =
            matches!(&self.credential, Credential::Header { name, .. } if name.eq_ignore_ascii_case("authorization"));
        if !uses_authorization && r.header("Authorization").is_some() {
            return Reply::text(400, "mock: unexpected Authorization header");
        }
        let place = match &self.credential {
            Credential::Header { name, .. } => Some(("header", *name)),
            Credential::Query { name, .. } => Some(("query", *name)),
            Credential::Absent => None,
        };
        if let Some(why) = secret_elsewhere(r, place) {
            return Reply::text(400, why);
        }
        if signs_in(r) {
            return Reply::html(200, SIGN_IN_PAGE);
        }
        let (presented, good, forbidden) = match &self.credential {
            Credential::Absent => return Reply::json(200, self.answer.clone()),
            Credential::Header { name, good, forbidden } => (r.header(name), good, forbidden),
            Credential::Query { name, good, forbidden } => {
                if r.query.iter().filter(|(k, _)| k == name).count() > 1 {
                    return Reply::text(400, format!("mock: query parameter {name} sent twice"));
                }
                (r.query_value(name), good, forbidden)
            }
        };
        match presented {
            Some(v) if v == good => Reply::json(200, self.answer.clone()),
            // Echoes the credential, as careless APIs do: the test must redact it.
            Some(v) if v == forbidden => {
                Reply::json(403, json!({"error": "forbidden", "message": format!("{v} may not read this resource.")}))
            }
            _ => Reply::json(401, json!({"error": "unauthorized", "message": "Bad credentials"})),
        }
    }
}

/// Some servers answer a credential they do not know with a sign-in page and a 200.
const SIGN_IN_PAGE: &str =
    "<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>Sign in</form></body></html>";
/// A credential holding this (plain or inside HTTP Basic) gets the sign-in page.
const SIGNIN: &str = "SIGNIN";

fn signs_in(r: &Request) -> bool {
    let basic = |v: &str| unbase64(v.strip_prefix("Basic ")?).map(|b| String::from_utf8_lossy(&b).into_owned());
    r.headers.iter().any(|(_, v)| v.contains(SIGNIN) || basic(v).is_some_and(|b| b.contains(SIGNIN)))
        || r.query.iter().any(|(_, v)| v.contains(SIGNIN))
}

/// The OAuth token endpoint of a fixture: the grant, client authentication
/// and scope it insists on, and which access token it issues for which
/// credential (the refresh token for the refresh grant, else the client secret).
#[derive(Clone, Debug)]
struct TokenRules {
    grant: &'static str,
    client_id: String,
    /// The accepted client secret (for the refresh grant; client credentials use `issue`).
    client_secret: String,
    scope: Option<&'static str>,
    /// RFC 6749 2.3.1 HTTP Basic client authentication instead of the body.
    basic_client: bool,
    issue: Vec<(String, String)>,
    /// More form fields it insists on (`audience`, `token_params`), with their values.
    extra: Vec<(&'static str, String)>,
}

impl TokenRules {
    fn handle(&self, r: &Request) -> Reply {
        if r.method != "POST" {
            return Reply::text(405, "mock: the token endpoint takes POST");
        }
        let form_type = r.header("Content-Type").unwrap_or("");
        if !form_type.starts_with("application/x-www-form-urlencoded") {
            return Reply::text(400, format!("mock: Content-Type {form_type:?} is not a form"));
        }
        let form: BTreeMap<String, String> = r.form().into_iter().collect();
        if form.len() != r.form().len() {
            return Reply::text(400, "mock: a form field sent twice");
        }
        if let Some((name, _)) = self.extra.iter().find(|(k, v)| form.get(*k) != Some(v)) {
            // As Auth0 answers a token request for an API it does not serve.
            let description = format!("Service not enabled within domain: {}", form.get(*name).map_or("", |v| v));
            return Reply::json(403, json!({"error": "access_denied", "error_description": description}));
        }
        let mut want = vec!["grant_type"];
        if !self.basic_client {
            want.extend(["client_id", "client_secret"]);
        }
        match self.grant {
            "refresh_token" => want.push("refresh_token"),
            _ => want.extend(self.scope.map(|_| "scope")),
        }
        want.extend(self.extra.iter().map(|(k, _)| *k));
        want.sort();
        let got: Vec<&str> = form.keys().map(String::as_str).collect();
        if got != want {
            return Reply::text(400, format!("mock: form fields {got:?}, expected {want:?}"));
        }
        if form["grant_type"] != self.grant {
            return Reply::json(400, json!({"error": "unsupported_grant_type"}));
        }
        if let Some(scope) = self.scope
            && self.grant == "client_credentials"
            && form["scope"] != scope
        {
            return Reply::json(400, json!({"error": "invalid_scope"}));
        }
        if let Some(why) = secret_elsewhere(r, self.basic_client.then_some(("header", "Authorization"))) {
            return Reply::text(400, why);
        }
        let (id, secret) = if self.basic_client {
            match basic_client(r.header("Authorization")) {
                Some(pair) => pair,
                None => return Reply::text(400, "mock: expected HTTP Basic client authentication"),
            }
        } else {
            if r.header("Authorization").is_some() {
                return Reply::text(400, "mock: client authenticated twice (header and body)");
            }
            (form["client_id"].clone(), form["client_secret"].clone())
        };
        // Echoes the secret, as careless servers do: the test must redact it.
        let invalid_client = || {
            let description = format!("Client authentication failed for secret {secret}.");
            Reply::json(401, json!({"error": "invalid_client", "error_description": description}))
        };
        if id != self.client_id {
            return invalid_client();
        }
        let key = if self.grant == "refresh_token" {
            if secret != self.client_secret {
                return invalid_client();
            }
            &form["refresh_token"]
        } else {
            &secret
        };
        if key.ends_with("-error200") {
            // Some providers answer a refused request with 200 and an error body.
            return Reply::json(200, json!({"error": "invalid_client", "error_description": "Unknown client."}));
        }
        match self.issue.iter().find(|(k, _)| k == key) {
            Some((_, token)) => {
                Reply::json(200, json!({"access_token": token, "token_type": "Bearer", "expires_in": 3599}))
            }
            None if self.grant == "refresh_token" => Reply::json(
                400,
                json!({"error": "invalid_grant", "error_description": "Token has been expired or revoked."}),
            ),
            None => invalid_client(),
        }
    }
}

/// A secret anywhere but its one place (a header or query parameter; a
/// token request's form fields are checked by name): a description, or `None`.
fn secret_elsewhere(r: &Request, place: Option<(&str, &str)>) -> Option<String> {
    let is_place = |kind: &str, name: &str| place.is_some_and(|(k, n)| k == kind && n.eq_ignore_ascii_case(name));
    if r.path.contains(MARK) {
        return Some("mock: a secret in the path".into());
    }
    if let Some((name, _)) = r.headers.iter().find(|(n, v)| v.contains(MARK) && !is_place("header", n)) {
        return Some(format!("mock: a secret in header {name}"));
    }
    if let Some((name, _)) = r.query.iter().find(|(n, v)| v.contains(MARK) && !is_place("query", n)) {
        return Some(format!("mock: a secret in query parameter {name}"));
    }
    if r.method == "GET" && !r.body.is_empty() {
        return Some("mock: a body in a GET".into());
    }
    None
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))`, decoded.
fn basic_client(header: Option<&str>) -> Option<(String, String)> {
    let raw = unbase64(header?.strip_prefix("Basic ")?)?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((percent_decode(id, true), percent_decode(secret, true)))
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

// ---------------------------------------------------------------------------
// Scenarios: one per fixture, one per auth method of an auth_methods fixture

/// A credential set the API refuses, and what the run must say about it.
#[derive(Clone, Debug)]
struct Rejection {
    label: &'static str,
    config: Value,
    /// 1 (rejected) or 2 (refused before any request).
    code: i32,
    /// Each must appear in stderr ({MOCK} stands for the server).
    says: Vec<String>,
}

#[derive(Clone, Debug)]
struct Scenario {
    source: &'static str,
    /// The auth method it must pick, for auth_methods fixtures.
    method: Option<&'static str>,
    /// How the success message names the variant, e.g. `basic (auth method pat)`.
    using: &'static str,
    /// CONNECTOR_TEST_BASE_URL is the server plus this; `None`: not set.
    base_path: Option<&'static str>,
    oauth: Option<TokenRules>,
    api: Api,
    good: Value,
    /// `; label = value` that ends the success message.
    shown: Option<&'static str>,
    /// A required parameter to leave out, and what the run must say.
    missing: (&'static str, String),
    rejections: Vec<Rejection>,
    /// Secrets that do not hold the marker (HTTP Basic encodings).
    leaks: Vec<String>,
    /// The Host the API insists on (a derived host, reached through HTTP_PROXY).
    host: Option<&'static str>,
    /// Set: the client is sent through the mock as HTTP_PROXY, and this root
    /// (`http://host`) is what the messages name in place of {MOCK}.
    proxied: Option<&'static str>,
}

impl Scenario {
    fn handler(&self) -> impl Fn(&Request) -> Reply + Send + 'static {
        let (api, oauth, host) = (self.api.clone(), self.oauth.clone(), self.host);
        move |r: &Request| match &oauth {
            Some(rules) if r.path == TOKEN_PATH => rules.handle(r),
            _ if host.is_some() && r.header("Host") != host => {
                // As Mailchimp answers a key used on another data center's host.
                let detail = "Your API key may be invalid, or you've attempted to access the wrong datacenter.";
                Reply::json(401, json!({"title": "API Key Invalid", "detail": detail}))
            }
            _ => api.handle(r),
        }
    }

    /// The 401 explanation: `check` names the parameters it blames.
    fn says_401(&self, check: &str) -> Vec<String> {
        vec![format!(
            "{}: rejected: HTTP 401 from GET {MOCK}{} with {}: the credentials were not accepted; check {check} in CONNECTOR_TEST_CONFIG_JSON",
            self.source, self.api.path, self.using
        )]
    }

    /// The 403 explanation: `lack` is what the credentials lack.
    fn says_403(&self, lack: &str) -> Vec<String> {
        vec![
            format!(
                "{}: rejected: HTTP 403 from GET {MOCK}{} with {}: the credentials lack {lack}: ",
                self.source, self.api.path, self.using
            ),
            "*** may not read this resource.".into(),
        ]
    }

    fn says_token_error(&self, status: u16, error: &str) -> Vec<String> {
        let grant = self.oauth.as_ref().map_or("", |o| o.grant);
        vec![format!(
            "{}: rejected: OAuth token error from POST {MOCK}{TOKEN_PATH} ({grant} grant, HTTP {status}): {error}",
            self.source
        )]
    }

    fn reject(mut self, label: &'static str, config: Value, says: Vec<String>) -> Self {
        self.rejections.push(Rejection { label, config, code: 1, says });
        self
    }

    /// Credentials the check refuses before any request (exit 2).
    fn refuse(mut self, label: &'static str, config: Value, says: &str) -> Self {
        let says = vec![format!("{}: credentials incomplete: {says}", self.source)];
        self.rejections.push(Rejection { label, config, code: 2, says });
        self
    }

    /// A credential that gets a 200 sign-in page: rejected, not authenticated.
    fn sign_in_page(self, key: &str, value: &str) -> Self {
        let says = vec![format!(
            "{}: rejected: HTTP 200 from GET {MOCK}{} with {}, but the answer is an HTML page (a sign-in page?)",
            self.source, self.api.path, self.using
        )];
        let config = with(&self.good, key, value);
        self.reject("HTML sign-in page", config, says)
    }

    /// The usual pair: a wrong secret (401) and a known but forbidden one (403).
    fn wrong_and_forbidden(self, key: &str, wrong: &str, forbidden: &str, check: &str, lack: &str) -> Self {
        let (w, f) = (with(&self.good, key, wrong), with(&self.good, key, forbidden));
        let (s401, s403) = (self.says_401(check), self.says_403(lack));
        self.reject("wrong", w, s401).reject("forbidden", f, s403)
    }
}

/// `config` with `key` set to `value`.
fn with(config: &Value, key: &str, value: &str) -> Value {
    let mut c = config.clone();
    c[key] = json!(value);
    c
}

fn without(config: &Value, key: &str) -> Value {
    let mut c = config.clone();
    if let Some(map) = c.as_object_mut() {
        map.remove(key);
    }
    c
}

const ANY_PERMISSION: &str = "the permissions or scopes this call needs";

fn single(source: &'static str, using: &'static str, base_path: &'static str, api: Api, good: Value) -> Scenario {
    Scenario {
        source,
        method: None,
        using,
        base_path: Some(base_path),
        oauth: None,
        api,
        good,
        shown: None,
        missing: ("", String::new()),
        rejections: Vec::new(),
        leaks: Vec::new(),
        host: None,
        proxied: None,
    }
}

/// For a spec without auth_methods: the message names just what is missing.
fn missing_one(name: &'static str) -> (&'static str, String) {
    (name, format!("missing required parameter(s) {name} in CONNECTOR_TEST_CONFIG_JSON"))
}

/// For auth_methods: each method says what it lacks (checked to include `name`).
fn missing_for_methods(name: &'static str) -> (&'static str, String) {
    (name, "no auth method has all its parameters in CONNECTOR_TEST_CONFIG_JSON: ".into())
}

fn github() -> Scenario {
    let api = Api {
        path: "/api/v3/user",
        query: vec![],
        headers: vec![("Accept", "application/vnd.github+json")],
        credential: Credential::Header {
            name: "Authorization",
            good: bearer("ghp_S3CRET_good_0d1e"),
            forbidden: bearer("ghp_S3CRET_forbidden_77aa"),
        },
        answer: json!({"login": "octocat", "id": 583231}),
    };
    Scenario {
        shown: Some("; login = octocat"),
        missing: missing_one("token"),
        ..single("github", "bearer", "/api/v3", api, json!({"token": "ghp_S3CRET_good_0d1e"}))
    }
    .wrong_and_forbidden("token", "ghp_S3CRET_wrong_9b3c", "ghp_S3CRET_forbidden_77aa", "token", ANY_PERMISSION)
}

fn zendesk() -> Scenario {
    let good_basic = basic("jane@acme.com/token", "zd-S3CRET-good");
    let forbidden_basic = basic("jane@acme.com/token", "zd-S3CRET-forbidden");
    let api = Api {
        path: "/api/v2/users/me.json",
        query: vec![],
        headers: vec![],
        credential: Credential::Header {
            name: "Authorization",
            good: good_basic.clone(),
            forbidden: forbidden_basic.clone(),
        },
        answer: json!({"user": {"id": 35436, "email": "jane@acme.com"}}),
    };
    let good = json!({"subdomain": "acme", "email": "jane@acme.com", "api_token": "zd-S3CRET-good"});
    Scenario {
        shown: Some("; user.email = jane@acme.com"),
        missing: missing_one("email"),
        leaks: vec![good_basic, forbidden_basic, basic("jane@acme.com/token", "zd-S3CRET-wrong")],
        ..single("zendesk", "basic", "/api/v2", api, good)
    }
    .wrong_and_forbidden("api_token", "zd-S3CRET-wrong", "zd-S3CRET-forbidden", "api_token", ANY_PERMISSION)
}

fn shopify() -> Scenario {
    let api = Api {
        path: "/admin/api/2024-10/shop.json",
        query: vec![],
        headers: vec![],
        credential: Credential::Header {
            name: "X-Shopify-Access-Token",
            good: "shpat_S3CRET_good".into(),
            forbidden: "shpat_S3CRET_forbidden".into(),
        },
        answer: json!({"shop": {"id": 1, "name": "Acme Store"}}),
    };
    let good = json!({"shop": "acme-store", "access_token": "shpat_S3CRET_good"});
    Scenario {
        shown: Some("; shop.name = Acme Store"),
        missing: missing_one("shop"),
        ..single("shopify", "api_key_header", "/admin/api/2024-10", api, good)
    }
    .wrong_and_forbidden(
        "access_token",
        "shpat_S3CRET_wrong",
        "shpat_S3CRET_forbidden",
        "access_token",
        ANY_PERMISSION,
    )
}

fn pagerduty() -> Scenario {
    let api = Api {
        path: "/users",
        query: vec![("limit", "1")],
        headers: vec![("Accept", "application/vnd.pagerduty+json;version=2")],
        credential: Credential::Header {
            name: "Authorization",
            good: "Token token=pd-S3CRET-good".into(),
            forbidden: "Token token=pd-S3CRET-forbidden".into(),
        },
        answer: json!({"users": [{"name": "Jane Doe", "email": "jane@acme.com"}], "limit": 1}),
    };
    Scenario {
        shown: Some("; users[0].name = Jane Doe"),
        missing: missing_one("api_key"),
        ..single("pagerduty", "api_key_header", "", api, json!({"api_key": "pd-S3CRET-good"}))
    }
    .wrong_and_forbidden("api_key", "pd-S3CRET-wrong", "pd-S3CRET-forbidden", "api_key", ANY_PERMISSION)
}

fn openweather() -> Scenario {
    let api = Api {
        path: "/data/2.5/weather",
        query: vec![("q", "London")],
        headers: vec![],
        credential: Credential::Query {
            name: "appid",
            good: "ow-S3CRET-good".into(),
            forbidden: "ow-S3CRET-forbidden".into(),
        },
        answer: json!({"name": "London", "cod": 200}),
    };
    Scenario {
        shown: Some("; name = London"),
        missing: missing_one("api_key"),
        ..single("openweather", "api_key_query", "/data/2.5", api, json!({"api_key": "ow-S3CRET-good"}))
    }
    .wrong_and_forbidden("api_key", "ow-S3CRET-wrong", "ow-S3CRET-forbidden", "api_key", ANY_PERMISSION)
}

fn stripe() -> Scenario {
    let api = Api {
        path: "/v1/balance",
        query: vec![],
        headers: vec![],
        credential: Credential::Header {
            name: "Authorization",
            good: bearer("sk_test_S3CRET_good"),
            forbidden: bearer("rk_test_S3CRET_restricted"),
        },
        answer: json!({"object": "balance", "livemode": false}),
    };
    // A false value is still a value: it is shown, and the call succeeded.
    Scenario {
        shown: Some("; livemode = False"),
        missing: missing_one("secret_key"),
        ..single("stripe", "bearer", "/v1", api, json!({"secret_key": "sk_test_S3CRET_good"}))
    }
    .wrong_and_forbidden(
        "secret_key",
        "sk_test_S3CRET_wrong",
        "rk_test_S3CRET_restricted",
        "secret_key",
        ANY_PERMISSION,
    )
}

fn seedstyle() -> Scenario {
    let api = Api {
        path: "/v1/me",
        query: vec![],
        headers: vec![],
        credential: Credential::Header {
            name: "Authorization",
            good: bearer("seed-S3CRET-good"),
            forbidden: bearer("seed-S3CRET-forbidden"),
        },
        answer: json!({"id": "u-1"}),
    };
    Scenario {
        missing: missing_one("access_token"),
        ..single("seedstyle", "bearer", "", api, json!({"access_token": "seed-S3CRET-good"}))
    }
    .wrong_and_forbidden(
        "access_token",
        "seed-S3CRET-wrong",
        "seed-S3CRET-forbidden",
        "access_token",
        ANY_PERMISSION,
    )
}

/// Spec text that tries to break out of its Python literals arrives as the
/// very same text, and the show path is looked up literally.
fn hostile_text() -> Scenario {
    let api = Api {
        path: "/me",
        query: vec![("q", "{x}{{y}}%s\\N{BULLET}\\"), ("k'ey", "v\"al")],
        headers: vec![("X-Note", "'''\"\"\"\\ # {token} %s")],
        credential: Credential::Header {
            name: "Authorization",
            good: bearer("evil-S3CRET-good"),
            forbidden: bearer("evil-S3CRET-forbidden"),
        },
        answer: json!({"a\"]; __import__('os')": {"system('touch /tmp/authgen-pwned'); #": "Evil Corp"}}),
    };
    Scenario {
        shown: Some("; a\"]; __import__('os').system('touch /tmp/authgen-pwned'); # = Evil Corp"),
        missing: missing_one("token"),
        ..single("hostile_text", "bearer", "", api, json!({"token": "evil-S3CRET-good"}))
    }
    .wrong_and_forbidden("token", "evil-S3CRET-wrong", "evil-S3CRET-forbidden", "token", ANY_PERMISSION)
}

/// An OAuth scenario: the API takes `Bearer <access token>`; the token
/// endpoint issues a good, a forbidden (403) and a stale (401) access token.
fn oauth_api(path: &'static str, query: Vec<(&'static str, &'static str)>, tag: &str, answer: Value) -> Api {
    Api {
        path,
        query,
        headers: vec![],
        credential: Credential::Header {
            name: "Authorization",
            good: bearer(&format!("at-{tag}-S3CRET-good")),
            forbidden: bearer(&format!("at-{tag}-S3CRET-forbidden")),
        },
        answer,
    }
}

fn issued(tag: &str, good: &str, forbidden: &str, stale: &str) -> Vec<(String, String)> {
    vec![
        (good.to_string(), format!("at-{tag}-S3CRET-good")),
        (forbidden.to_string(), format!("at-{tag}-S3CRET-forbidden")),
        (stale.to_string(), format!("at-{tag}-S3CRET-stale")),
    ]
}

fn gmail() -> Scenario {
    let good = json!({
        "client_id": "123-S3CRET.apps.googleusercontent.com",
        "client_secret": "GOCSPX-S3CRET-good",
        "refresh_token": "1//rt-S3CRET-good",
    });
    let s = Scenario {
        source: "gmail",
        method: None,
        using: "oauth_refresh",
        base_path: Some("/gmail/v1"),
        oauth: Some(TokenRules {
            grant: "refresh_token",
            client_id: "123-S3CRET.apps.googleusercontent.com".into(),
            client_secret: "GOCSPX-S3CRET-good".into(),
            scope: None,
            basic_client: false,
            issue: issued("gm", "1//rt-S3CRET-good", "1//rt-S3CRET-forbidden", "1//rt-S3CRET-stale"),
            extra: Vec::new(),
        }),
        api: oauth_api("/gmail/v1/users/me/profile", vec![], "gm", json!({"emailAddress": "jane@gmail.com"})),
        good: good.clone(),
        shown: Some("; emailAddress = jane@gmail.com"),
        missing: missing_one("refresh_token"),
        rejections: Vec::new(),
        leaks: Vec::new(),
        host: None,
        proxied: None,
    };
    let (bad_client, bad_grant) = (
        s.says_token_error(401, "invalid_client: Client authentication failed for secret ***."),
        s.says_token_error(400, "invalid_grant: Token has been expired or revoked."),
    );
    let stale = s.says_401("client_id, client_secret, refresh_token");
    let forbidden = s.says_403("the scopes https://www.googleapis.com/auth/gmail.readonly");
    s.reject("wrong client secret", with(&good, "client_secret", "GOCSPX-S3CRET-wrong"), bad_client)
        .reject("revoked refresh token", with(&good, "refresh_token", "1//rt-S3CRET-revoked"), bad_grant)
        .reject("stale access token", with(&good, "refresh_token", "1//rt-S3CRET-stale"), stale)
        .reject("forbidden", with(&good, "refresh_token", "1//rt-S3CRET-forbidden"), forbidden)
}

/// Client credentials: the client secret decides which access token is issued.
fn client_credentials(
    mut s: Scenario,
    client_id: &str,
    tag: &str,
    scope: Option<&'static str>,
    basic_client: bool,
    check: &str,
) -> Scenario {
    let good = format!("{tag}-S3CRET-good");
    let (forbidden, stale) = (format!("{tag}-S3CRET-forbidden"), format!("{tag}-S3CRET-stale"));
    let mut issue = issued(tag, &good, &forbidden, &stale);
    issue.push((format!("{tag}-S3CRET-signin"), format!("at-{tag}-S3CRET-{SIGNIN}")));
    s.oauth = Some(TokenRules {
        grant: "client_credentials",
        client_id: client_id.into(),
        client_secret: good.clone(),
        scope,
        basic_client,
        issue,
        extra: Vec::new(),
    });
    let g = s.good.clone();
    let lack = scope.map_or(ANY_PERMISSION.to_string(), |scope| format!("the scopes {scope}"));
    let (bad_client, s401, s403, error200) = (
        s.says_token_error(401, "invalid_client: Client authentication failed for secret ***."),
        s.says_401(check),
        s.says_403(&lack),
        s.says_token_error(200, "invalid_client: Unknown client."),
    );
    s.reject("wrong client secret", with(&g, "client_secret", &format!("{tag}-S3CRET-wrong")), bad_client)
        .reject("stale access token", with(&g, "client_secret", &stale), s401)
        .reject("forbidden", with(&g, "client_secret", &forbidden), s403)
        .reject(
            "token answer 200 with an error",
            with(&g, "client_secret", &format!("{tag}-S3CRET-error200")),
            error200,
        )
        .sign_in_page("client_secret", &format!("{tag}-S3CRET-signin"))
}

fn microsoft_graph() -> Scenario {
    let good = json!({"tenant_id": "contoso-tenant", "client_id": "graph-app-id", "client_secret": "mg-S3CRET-good"});
    let s = Scenario {
        source: "microsoft_graph",
        method: None,
        using: "oauth_client_credentials",
        base_path: Some("/v1.0"),
        oauth: None,
        api: oauth_api("/v1.0/organization", vec![], "mg", json!({"value": [{"id": "t-1", "displayName": "Contoso"}]})),
        good,
        shown: Some("; value[0].displayName = Contoso"),
        missing: missing_one("tenant_id"),
        rejections: Vec::new(),
        leaks: Vec::new(),
        host: None,
        proxied: None,
    };
    client_credentials(s, "graph-app-id", "mg", Some("https://graph.microsoft.com/.default"), false, "client_secret")
}

/// `client_auth: basic`: the client authenticates to the token endpoint with
/// HTTP Basic over its form-urlencoded id and secret (RFC 6749 2.3.1), and
/// leaves both out of the body. The id and secret hold characters that must
/// be encoded (space, ':', '/', '+', '%', '@').
fn client_basic() -> Scenario {
    let (id, secret) = ("my app:42", "cb-S3CRET-good");
    let good = json!({"client_id": id, "client_secret": secret});
    let s = Scenario {
        source: CLIENT_BASIC,
        method: None,
        using: "oauth_client_credentials",
        base_path: Some("/v2"),
        oauth: None,
        api: oauth_api("/v2/me", vec![], "cb", json!({"id": "svc-42"})),
        good,
        shown: Some("; id = svc-42"),
        missing: missing_one("client_id"),
        rejections: Vec::new(),
        leaks: Vec::new(),
        host: None,
        proxied: None,
    };
    let mut s = client_credentials(s, id, "cb", Some("read:users read:org"), true, "client_secret");
    // A secret that needs every kind of encoding, accepted as it is.
    let odd = "p@ss:w/rd+%7 S3CRET";
    if let Some(rules) = &mut s.oauth {
        rules.issue.push((odd.to_string(), "at-cb-S3CRET-good".to_string()));
    }
    s.good = with(&s.good, "client_secret", odd);
    for secret in [
        odd,
        "cb-S3CRET-good",
        "cb-S3CRET-wrong",
        "cb-S3CRET-forbidden",
        "cb-S3CRET-stale",
        "cb-S3CRET-error200",
        "cb-S3CRET-signin",
    ] {
        let pair = format!("{}:{}", percent_encode(id), percent_encode(secret));
        s.leaks.push(base64(pair.as_bytes()));
    }
    s
}

/// Percent-encoding as Python's `urllib.parse.quote(text, safe="")`.
const ADO_PATH: &str = "/contoso/_apis/projects";
const ADO_QUERY: [(&str, &str); 2] = [("api-version", "7.1"), ("$top", "1")];

fn azure_devops_answer() -> Value {
    json!({"count": 1, "value": [{"name": "Fabrikam"}]})
}

fn azure_devops_pat() -> Scenario {
    let good_basic = basic("", "ado-S3CRET-pat-good");
    let forbidden_basic = basic("", "ado-S3CRET-pat-forbidden");
    let api = Api {
        path: ADO_PATH,
        query: ADO_QUERY.to_vec(),
        headers: vec![],
        credential: Credential::Header {
            name: "Authorization",
            good: good_basic.clone(),
            forbidden: forbidden_basic.clone(),
        },
        answer: azure_devops_answer(),
    };
    let good = json!({"organization": "contoso", "personal_access_token": "ado-S3CRET-pat-good"});
    Scenario {
        method: Some("pat"),
        shown: Some("; count = 1"),
        missing: missing_for_methods("personal_access_token"),
        leaks: vec![good_basic, forbidden_basic, basic("", "ado-S3CRET-pat-wrong")],
        ..single("azure_devops", "basic (auth method pat)", "/contoso", api, good)
    }
    .wrong_and_forbidden(
        "personal_access_token",
        "ado-S3CRET-pat-wrong",
        "ado-S3CRET-pat-forbidden",
        "personal_access_token",
        ANY_PERMISSION,
    )
}

fn azure_devops_service_principal() -> Scenario {
    let good = json!({
        "organization": "contoso",
        "tenant_id": "contoso-tenant",
        "client_id": "ado-sp-app",
        "client_secret": "ado-S3CRET-good",
    });
    let s = Scenario {
        method: Some("service_principal"),
        shown: Some("; count = 1"),
        missing: missing_for_methods("organization"),
        ..single(
            "azure_devops",
            "oauth_client_credentials (auth method service_principal)",
            "/contoso",
            oauth_api(ADO_PATH, ADO_QUERY.to_vec(), "ado", azure_devops_answer()),
            good,
        )
    };
    client_credentials(
        s,
        "ado-sp-app",
        "ado",
        Some("499b84ac-1321-427f-aa17-267ca6975798/.default"),
        false,
        "client_secret",
    )
}

/// DICOMweb takes its root from the `base_url` credential (no override).
fn dicomweb(method: &'static str, using: &'static str, credential: Credential, good: Value) -> Scenario {
    let api = Api {
        path: "/dicom-web/studies",
        query: vec![("limit", "1")],
        headers: vec![("Accept", "application/dicom+json")],
        credential,
        answer: json!([{"0020000D": {"vr": "UI", "Value": ["1.2.3"]}}]),
    };
    Scenario {
        method: Some(method),
        base_path: None,
        missing: missing_for_methods("base_url"),
        ..single("dicomweb", using, "", api, good)
    }
}

fn dicomweb_none() -> Scenario {
    dicomweb("none", "none (auth method none)", Credential::Absent, json!({"base_url": "{MOCK}/dicom-web"}))
}

fn dicomweb_basic() -> Scenario {
    let (good, forbidden) = (basic("radiologist", "dw-S3CRET-good"), basic("radiologist", "dw-S3CRET-forbidden"));
    let credential = Credential::Header { name: "Authorization", good: good.clone(), forbidden: forbidden.clone() };
    let config = json!({"base_url": "{MOCK}/dicom-web", "username": "radiologist", "password": "dw-S3CRET-good"});
    let mut s = dicomweb("basic", "basic (auth method basic)", credential, config).wrong_and_forbidden(
        "password",
        "dw-S3CRET-wrong",
        "dw-S3CRET-forbidden",
        "password",
        ANY_PERMISSION,
    );
    s.leaks = vec![good, forbidden, basic("radiologist", "dw-S3CRET-wrong")];
    s
}

fn dicomweb_bearer() -> Scenario {
    let credential = Credential::Header {
        name: "Authorization",
        good: bearer("dw-S3CRET-token-good"),
        forbidden: bearer("dw-S3CRET-token-forbidden"),
    };
    let config = json!({"base_url": "{MOCK}/dicom-web", "token": "dw-S3CRET-token-good"});
    dicomweb("bearer", "bearer (auth method bearer)", credential, config).wrong_and_forbidden(
        "token",
        "dw-S3CRET-token-wrong",
        "dw-S3CRET-token-forbidden",
        "token",
        ANY_PERMISSION,
    )
}

// ---------------------------------------------------------------------------
// The keys real connectors need: derive, defaults, placeholders everywhere,
// select_by, audience and token_params, judged on the body

/// Mailchimp: the host is the API key's data center (`derive: after_last`).
/// The client goes through the mock as HTTP_PROXY, which insists on the Host.
fn mailchimp() -> Scenario {
    let key = |tag: &str| format!("mc0S3CRET0{tag}-us21");
    let (good, forbidden) = (basic("anystring", &key("good")), basic("anystring", &key("forbidden")));
    let api = Api {
        path: "/3.0/ping",
        query: vec![],
        headers: vec![],
        credential: Credential::Header { name: "Authorization", good: good.clone(), forbidden: forbidden.clone() },
        answer: json!({"health_status": "Everything's Chimpy!"}),
    };
    let config = json!({"api_key": key("good")});
    let other_dc = "mc0S3CRET0good-us22";
    let says_other_dc = vec![
        "mailchimp: rejected: HTTP 401 from GET http://us22.api.mailchimp.test/3.0/ping with basic: the credentials were not accepted; check api_key".to_string(),
    ];
    let s = Scenario {
        host: Some("us21.api.mailchimp.test"),
        proxied: Some("http://us21.api.mailchimp.test"),
        base_path: None,
        shown: Some("; health_status = Everything's Chimpy!"),
        missing: missing_one("api_key"),
        leaks: ["good", "forbidden", "wrong", "SIGNIN"].iter().map(|t| basic("anystring", &key(t))).collect(),
        ..single("mailchimp", "basic", "", api, config.clone())
    }
    .wrong_and_forbidden("api_key", &key("wrong"), &key("forbidden"), "api_key", ANY_PERMISSION)
    .sign_in_page("api_key", &key("SIGNIN"))
    .reject("a key of another data center", with(&config, "api_key", other_dc), says_other_dc);
    let mut s = s
        .refuse(
            "a key without a data center",
            with(&config, "api_key", "mc0S3CRET0good"),
            "derive dc (after_last) cannot apply: api_key holds no '-'",
        )
        .refuse(
            "a data center that is no host name",
            with(&config, "api_key", "mc0S3CRET0good-127.0.0.1:18777/steal?x="),
            "dc (derived from api_key) cannot go into a host name",
        );
    s.leaks.push(basic("anystring", other_dc));
    s
}

/// Amplitude: the host is looked up from `data_region` (`derive: map`, keys
/// case-insensitive, with a default); `start_date` is required by the spec but
/// not by the check.
fn amplitude() -> Scenario {
    let (good, forbidden) = (basic("amp-key-1", "amp-S3CRET-good"), basic("amp-key-1", "amp-S3CRET-forbidden"));
    let api = Api {
        path: "/api/2/events/list",
        query: vec![],
        headers: vec![],
        credential: Credential::Header { name: "Authorization", good: good.clone(), forbidden: forbidden.clone() },
        answer: json!({"data": [{"name": "Sign Up"}]}),
    };
    let config = json!({"api_key": "amp-key-1", "secret_key": "amp-S3CRET-good", "data_region": "eu"});
    let at_us = |region: Option<&str>| {
        let c = match region {
            Some(r) => with(&config, "data_region", r),
            None => without(&config, "data_region"),
        };
        let says = "amplitude: rejected: HTTP 401 from GET http://amplitude.test/api/2/events/list with basic: the credentials were not accepted; check api_key, secret_key";
        (c, vec![says.to_string()])
    };
    let (us, says_us) = at_us(Some("US"));
    let (absent, says_absent) = at_us(None);
    Scenario {
        host: Some("analytics.eu.amplitude.test"),
        proxied: Some("http://analytics.eu.amplitude.test"),
        base_path: None,
        shown: Some("; data = [{'name': 'Sign Up'}]"),
        missing: missing_one("secret_key"),
        leaks: ["good", "forbidden", "wrong", "SIGNIN"]
            .iter()
            .map(|t| basic("amp-key-1", &format!("amp-S3CRET-{t}")))
            .collect(),
        ..single("amplitude", "basic", "", api, config)
    }
    .wrong_and_forbidden(
        "secret_key",
        "amp-S3CRET-wrong",
        "amp-S3CRET-forbidden",
        "api_key, secret_key",
        ANY_PERMISSION,
    )
    .sign_in_page("secret_key", "amp-S3CRET-SIGNIN")
    .reject("a project on the US host", us, says_us)
    .reject("no data_region: the default host", absent, says_absent)
}

/// OData: the key goes in the header `api_key_header` names, `x-api-key`
/// by default (`defaults`), on the service URL the credentials give.
fn odata() -> Scenario {
    let api = Api {
        path: "/odata/v4/",
        query: vec![("$format", "json")],
        headers: vec![],
        credential: Credential::Header {
            name: "x-api-key",
            good: "od-S3CRET-good".into(),
            forbidden: "od-S3CRET-forbidden".into(),
        },
        answer: json!({"@odata.context": "$metadata", "value": [{"name": "Products", "url": "Products"}]}),
    };
    let config = json!({"service_url": "{MOCK}/odata/v4", "api_key": "od-S3CRET-good"});
    let says_other = vec![
        "odata: rejected: HTTP 400 from GET {MOCK}/odata/v4/ with api_key_header: mock: a secret in header X-Api-Token"
            .to_string(),
    ];
    Scenario {
        base_path: None,
        shown: Some("; value = [{'name': 'Products', 'url': 'Products'}]"),
        missing: missing_one("api_key"),
        ..single("odata", "api_key_header", "", api, config.clone())
    }
    .wrong_and_forbidden("api_key", "od-S3CRET-wrong", "od-S3CRET-forbidden", "api_key", ANY_PERMISSION)
    .sign_in_page("api_key", "od-S3CRET-SIGNIN")
    .reject("the key in another header", with(&config, "api_key_header", "X-Api-Token"), says_other)
    .refuse(
        "a header name with a line break",
        with(&config, "api_key_header", "x-api-key\r\nX-Evil: 1"),
        "api_key_header is not a valid HTTP header name",
    )
}

/// Azure Data Manager for Energy: client credentials with the scope
/// `{client_id}/.default` and the `data-partition-id: {data_partition_id}` header.
fn azure_data_manager_energy() -> Scenario {
    let good = json!({
        "instance": "contoso",
        "data_partition_id": "contoso-opendes",
        "tenant_id": "contoso-tenant",
        "client_id": "adme-app-id",
        "client_secret": "adme-S3CRET-good",
    });
    let mut api = oauth_api("/api/entitlements/v2/groups", vec![], "adme", json!({"groups": [{"name": "users"}]}));
    api.headers = vec![("data-partition-id", "contoso-opendes")];
    let s = Scenario {
        shown: Some("; groups[0].name = users"),
        missing: missing_one("data_partition_id"),
        ..single("azure_data_manager_energy", "oauth_client_credentials", "", api, good.clone())
    };
    let s = client_credentials(s, "adme-app-id", "adme", Some("adme-app-id/.default"), false, "client_secret");
    let says = vec![format!(
        "azure_data_manager_energy: rejected: HTTP 400 from GET {MOCK}/api/entitlements/v2/groups with oauth_client_credentials: mock: header data-partition-id missing"
    )];
    s.reject("another data partition", with(&good, "data_partition_id", "contoso-other"), says).refuse(
        "a data partition with a line break",
        with(&good, "data_partition_id", "contoso\r\nX-Evil: 1"),
        "data_partition_id cannot go into a header",
    )
}

/// Auth0: client credentials over HTTP Basic, with the tenant's Management API
/// as `audience` (or, in the auth0_params copy, as `token_params`).
fn auth0_like(source: &'static str, extra: Vec<(&'static str, String)>) -> Scenario {
    let good = json!({"domain": "acme.us.auth0.com", "client_id": "auth0-m2m-app", "client_secret": "a0-S3CRET-good"});
    let answer = json!([{"client_id": "auth0-m2m-app", "name": "Connector"}]);
    let api = oauth_api("/api/v2/clients", vec![("per_page", "1")], "a0", answer);
    let s = Scenario {
        shown: Some("; [0].client_id = auth0-m2m-app"),
        missing: missing_one("domain"),
        ..single(source, "oauth_client_credentials", "/api/v2", api, good.clone())
    };
    let mut s = client_credentials(s, "auth0-m2m-app", "a0", None, true, "client_secret");
    if let Some(rules) = &mut s.oauth {
        rules.extra = extra;
    }
    let error = "access_denied: Service not enabled within domain: https://acme.eu.auth0.com/api/v2/";
    let says = s.says_token_error(403, error);
    for t in ["good", "wrong", "forbidden", "stale", "error200", "signin"] {
        s.leaks.push(base64(format!("auth0-m2m-app:a0-S3CRET-{t}").as_bytes()));
    }
    s.reject("a token for another tenant's API", with(&good, "domain", "acme.eu.auth0.com"), says)
}

fn auth0() -> Scenario {
    auth0_like("auth0", vec![("audience", "https://acme.us.auth0.com/api/v2/".into())])
}

/// `token_params` instead of `audience`: the same audience and one more field.
fn auth0_params() -> Scenario {
    let extra = vec![("audience", "https://acme.us.auth0.com/api/v2/".into()), ("organization", "org_acme".into())];
    auth0_like(AUTH0_PARAMS, extra)
}

/// SMART on FHIR: `select_by: auth_type` over methods that live in `method_for`;
/// `client_secret` when auth_type is absent (`defaults`).
fn smart_fhir_api(credential: Credential) -> Api {
    Api {
        path: "/r4/Patient",
        query: vec![("_count", "1")],
        headers: vec![("Accept", "application/fhir+json")],
        credential,
        answer: json!({"resourceType": "Bundle", "total": 1}),
    }
}

fn smart_fhir_client_secret() -> Scenario {
    let good = json!({
        "fhir_base_url": "{MOCK}/r4",
        "token_url": "{MOCK}/oauth2/token",
        "client_id": "fhir-backend",
        "client_secret": "fhir-S3CRET-good",
    });
    let Credential::Header { good: g, forbidden: f, .. } = oauth_api("/", vec![], "fhir", json!({})).credential else {
        unreachable!()
    };
    let s = Scenario {
        method: Some("client_secret"),
        base_path: None,
        shown: Some("; resourceType = Bundle"),
        missing: missing_one("client_id"),
        ..single(
            "smart_fhir",
            "oauth_client_credentials (auth method client_secret)",
            "",
            smart_fhir_api(Credential::Header { name: "Authorization", good: g, forbidden: f }),
            good,
        )
    };
    let mut s = client_credentials(s, "fhir-backend", "fhir", Some("system/Patient.read"), true, "client_secret");
    for t in ["good", "wrong", "forbidden", "stale", "error200", "signin"] {
        s.leaks.push(base64(format!("fhir-backend:fhir-S3CRET-{t}").as_bytes()));
    }
    s
}

fn smart_fhir_access_token() -> Scenario {
    // Client credentials too: the parameter chooses, not the most specific method.
    let good = json!({
        "fhir_base_url": "{MOCK}/r4",
        "auth_type": "access_token",
        "access_token": "fhir-S3CRET-token-good",
        "client_id": "fhir-backend",
        "client_secret": "fhir-S3CRET-unused",
    });
    let credential = Credential::Header {
        name: "Authorization",
        good: bearer("fhir-S3CRET-token-good"),
        forbidden: bearer("fhir-S3CRET-token-forbidden"),
    };
    let unknown = with(&good, "auth_type", "saml");
    Scenario {
        method: Some("access_token"),
        base_path: None,
        shown: Some("; resourceType = Bundle"),
        missing: missing_one("access_token"),
        ..single("smart_fhir", "bearer (auth method access_token)", "", smart_fhir_api(credential), good)
    }
    .wrong_and_forbidden(
        "access_token",
        "fhir-S3CRET-token-wrong",
        "fhir-S3CRET-token-forbidden",
        "access_token",
        ANY_PERMISSION,
    )
    .sign_in_page("access_token", "fhir-S3CRET-token-SIGNIN")
    .refuse(
        "auth_type names no method",
        unknown,
        "auth_type in CONNECTOR_TEST_CONFIG_JSON names no auth method (one of: client_secret, access_token)",
    )
}

// ---------------------------------------------------------------------------
// Generated scripts, sandboxes and Python runs

/// Every generating fixture (and the client_auth basic spec), rendered once
/// per HTTP client by the real binary: source → auth_test.py text.
fn scripts(client: &str) -> &'static BTreeMap<String, String> {
    static REQUESTS: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    static URLLIB: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    let cell = if client == "urllib" { &URLLIB } else { &REQUESTS };
    cell.get_or_init(|| generate(client))
}

fn generate(client: &str) -> BTreeMap<String, String> {
    let repo = Test::with_fixtures(common::GENERATING);
    repo.write_spec(CLIENT_BASIC, CLIENT_BASIC_SPEC);
    // Derived hosts are reached through the mock as HTTP_PROXY: plain http,
    // and hosts under .test that no resolver knows.
    for name in ["mailchimp", "amplitude"] {
        let text = repo.read_spec(name).replace("https://", "http://").replace(".com", ".test");
        repo.write_spec(name, &text);
    }
    let auth0 = repo.read_spec("auth0").replace(
        "    audience: \"https://{domain}/api/v2/\"\n",
        "    token_params:\n      audience: \"https://{domain}/api/v2/\"\n      organization: org_acme\n",
    );
    assert!(auth0.contains("token_params"), "the auth0 spec changed: {auth0}");
    repo.write_spec(AUTH0_PARAMS, &auth0);
    repo.write_spec(EXPECT_ANY, EXPECT_ANY_SPEC);
    repo.write_spec(DERIVE_CASES, DERIVE_CASES_SPEC);
    repo.write_spec(SELECT_METHODS, SELECT_METHODS_SPEC);
    let mut sources: Vec<&str> = common::GENERATING.to_vec();
    sources.extend([CLIENT_BASIC, AUTH0_PARAMS, EXPECT_ANY, DERIVE_CASES, SELECT_METHODS]);
    repo.authgen(["generate"]).args(&sources).args(["--yes", "--http-client", client]).success();
    sources
        .iter()
        .map(|s| {
            let text = repo.read_test(s);
            assert!(text.contains(&format!("# authgen: http-client={client}\n")), "{s}: not rendered for {client}");
            let http_client = format!("HTTP_CLIENT = \"{client}\"\n");
            assert!(text.contains(&http_client), "{s}: {client} script and its client");
            (s.to_string(), text)
        })
        .chain([(RUNTIME.to_string(), std::fs::read_to_string(repo.join(common::TEST_DIR).join(RUNTIME)).unwrap())])
        .collect()
}

/// The shared runtime every generated test imports, written by the same `generate`.
const RUNTIME: &str = "authgen_runtime.py";

/// How a run gets its credentials. Decoys sit where a lower-priority source
/// would be read: they hold `{}`, so a run that read one fails (exit 2).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Source {
    Nothing,
    /// CONNECTOR_TEST_CONFIG_JSON, with decoys at CONNECTOR_TEST_CONFIG_PATH and dev_config.json.
    Json,
    /// CONNECTOR_TEST_CONFIG_PATH, with a decoy dev_config.json.
    Path,
    /// configs/dev_config.json beside the test.
    File,
    /// The repo's test_utils.py loader reading dev_config.json (with a comment line).
    LoaderFile,
    /// The repo's loader reading CONNECTOR_TEST_CONFIG_PATH (with a comment line).
    LoaderPath,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Runner {
    Script,
    Pytest,
}

/// One run and what it must produce.
#[derive(Clone, Debug)]
struct Case {
    label: String,
    runner: Runner,
    source: Source,
    config: Value,
    /// Point every URL at a port where nothing listens.
    unreachable: bool,
    code: i32,
    /// Each must appear in stdout / stderr ({MOCK} stands for the server).
    stdout: Vec<String>,
    stderr: Vec<String>,
    /// Stdout ends with this (script runs that succeed).
    ends: Option<String>,
    /// How many requests the server must have answered, and the status it gave each.
    requests: Option<(usize, u16)>,
}

impl Case {
    fn script(label: impl Into<String>, source: Source, config: Value, code: i32) -> Case {
        Case {
            label: label.into(),
            runner: Runner::Script,
            source,
            config,
            unreachable: false,
            code,
            stdout: Vec::new(),
            stderr: Vec::new(),
            ends: None,
            requests: None,
        }
    }
}

/// Every case the matrix runs for one scenario (and one client).
fn cases(s: &Scenario) -> Vec<Case> {
    let calls = if s.oauth.is_some() { 2 } else { 1 };
    let success = |label: &str, source: Source| {
        let mut c = Case::script(format!("good credentials from {label}"), source, s.good.clone(), 0);
        c.stdout.push(format!("{}: authenticated: ", s.source));
        c.stdout.push(format!(" accepted {}: HTTP 200 from GET {MOCK}{}", s.using, s.api.path));
        c.ends = Some(format!("{MOCK}{}{}\n", s.api.path, s.shown.unwrap_or("")));
        c.requests = Some((calls, 200));
        c
    };
    let mut out = vec![
        success("CONNECTOR_TEST_CONFIG_JSON", Source::Json),
        success("CONNECTOR_TEST_CONFIG_PATH", Source::Path),
        success("configs/dev_config.json", Source::File),
        success("dev_config.json through the repo's load_config", Source::LoaderFile),
        success("CONNECTOR_TEST_CONFIG_PATH through the repo's load_config", Source::LoaderPath),
    ];
    for r in &s.rejections {
        let mut c = Case::script(format!("rejected: {}", r.label), Source::Json, r.config.clone(), r.code);
        c.stderr = r.says.clone();
        if r.code == 2 {
            c.requests = Some((0, 0));
        }
        out.push(c);
    }
    let (name, says) = &s.missing;
    let mut c = Case::script(format!("missing {name}"), Source::Json, without(&s.good, name), 2);
    c.stderr = vec![format!("{}: credentials incomplete: {says}", s.source), name.to_string()];
    c.requests = Some((0, 0));
    out.push(c);

    let mut c = Case::script("server unreachable", Source::Json, s.good.clone(), 3);
    c.unreachable = true;
    c.stderr = vec![format!("{}: unreachable: cannot reach {MOCK}", s.source), "connection refused".into()];
    out.push(c);

    let mut c = Case::script("pytest without credentials", Source::Nothing, json!({}), 0);
    c.runner = Runner::Pytest;
    c.stdout = vec!["1 skipped".into(), format!("no credentials for {}", s.source)];
    c.requests = Some((0, 0));
    out.push(c);
    let mut c = Case::script("pytest with good credentials", Source::Json, s.good.clone(), 0);
    c.runner = Runner::Pytest;
    c.stdout = vec!["1 passed".into()];
    c.requests = Some((calls, 200));
    out.push(c);
    // Under pytest too: the first rejection, and what is judged on the body.
    let judged = |r: &&Rejection| r.label == "HTML sign-in page" || r.label.starts_with("token answer 200");
    for r in s.rejections.first().into_iter().chain(s.rejections.iter().filter(judged)) {
        let mut c = Case::script(format!("pytest, {}", r.label), Source::Json, r.config.clone(), 1);
        c.runner = Runner::Pytest;
        c.stdout = vec!["1 failed".into()];
        c.stdout.extend(r.says.iter().cloned());
        out.push(c);
    }
    out
}

/// A directory (no git repo) in the default layout holding just the
/// generated test (and what the case puts beside it).
struct Sandbox {
    dir: Test,
    source: String,
    test: PathBuf,
}

fn sandbox(source: &str, script: &str) -> Sandbox {
    let dir = Test::plain();
    let test = dir.write(dir.test_path(source), script);
    dir.write(dir.join(common::TEST_DIR).join(RUNTIME), &scripts("requests")[RUNTIME]);
    // Keeps pytest from looking for configuration above the sandbox.
    dir.write("pytest.ini", "[pytest]\n");
    Sandbox { dir, source: source.to_string(), test }
}

impl Sandbox {
    fn dev_config(&self) -> PathBuf {
        self.dir.credentials_path(&self.source)
    }

    fn write(&self, path: &std::path::Path, text: &str) {
        self.dir.write(path, text);
    }

    fn add_loader(&self) {
        self.write(&self.dir.join(common::TEST_DIR).join("test_utils.py"), REPO_LOADER);
    }

    /// Puts the credentials where `source` says; the environment to set.
    fn credentials(&self, source: Source, config: &Value) -> Vec<(String, String)> {
        let elsewhere = self.dir.join("elsewhere/creds.json");
        let var = |k: &str, v: String| (k.to_string(), v);
        match source {
            Source::Nothing => vec![],
            Source::Json => {
                self.write(&elsewhere, "{}");
                self.write(&self.dev_config(), "{}");
                vec![
                    var("CONNECTOR_TEST_CONFIG_JSON", config.to_string()),
                    var("CONNECTOR_TEST_CONFIG_PATH", elsewhere.display().to_string()),
                ]
            }
            Source::Path => {
                self.write(&elsewhere, &config.to_string());
                self.write(&self.dev_config(), "{}");
                vec![var("CONNECTOR_TEST_CONFIG_PATH", elsewhere.display().to_string())]
            }
            Source::File => {
                self.write(&self.dev_config(), &config.to_string());
                vec![]
            }
            Source::LoaderFile => {
                self.add_loader();
                self.write(&self.dev_config(), &commented(config));
                vec![]
            }
            Source::LoaderPath => {
                self.add_loader();
                self.write(&elsewhere, &commented(config));
                self.write(&self.dev_config(), "{}");
                vec![var("CONNECTOR_TEST_CONFIG_PATH", elsewhere.display().to_string())]
            }
        }
    }
}

/// JSON only the repository's loader reads.
fn commented(config: &Value) -> String {
    format!("# dev credentials: never commit this file\n{config}\n")
}

/// `{MOCK}` in every string of `config` replaced by `url`.
fn expand(config: &Value, url: &str) -> Value {
    match config {
        Value::String(s) => Value::String(s.replace(MOCK, url)),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), expand(v, url))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(|v| expand(v, url)).collect()),
        other => other.clone(),
    }
}

/// At most this many Python processes at once, across all tests of this binary.
fn slots() -> &'static (Mutex<usize>, Condvar) {
    static SLOTS: OnceLock<(Mutex<usize>, Condvar)> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        (Mutex::new(cores * 2), Condvar::new())
    })
}

fn with_slot<T>(f: impl FnOnce() -> T) -> T {
    let (free, ready) = slots();
    {
        let mut n = ready.wait_while(free.lock().unwrap(), |n| *n == 0).unwrap();
        *n -= 1;
    }
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    *free.lock().unwrap() += 1;
    ready.notify_one();
    out.unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// Python with `args`, in the sandbox, with a scrubbed environment plus
/// `env`; killed after RUN_TIMEOUT.
fn python(sandbox: &Sandbox, args: &[&str], env: &[(String, String)]) -> Ran {
    with_slot(|| {
        sandbox
            .dir
            .command(common::python(), args)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .timeout(RUN_TIMEOUT)
            .run()
    })
}

/// Runs one case of `s` with `client`; a description of everything wrong, if anything is.
fn run_case(s: &Scenario, client: &str, case: &Case) -> Result<(), String> {
    let script = scripts(client).get(s.source).ok_or_else(|| format!("no script generated for {}", s.source))?;
    let server = MockApi::start(s.handler());
    let url = if case.unreachable { closed_url() } else { server.url() };
    let box_ = sandbox(s.source, script);
    let mut env = box_.credentials(case.source, &expand(&case.config, &url));
    if let Some(path) = s.base_path {
        env.push(("CONNECTOR_TEST_BASE_URL".into(), format!("{url}{path}")));
    }
    if s.oauth.is_some() {
        env.push(("CONNECTOR_TEST_TOKEN_URL".into(), format!("{url}{TOKEN_PATH}")));
    }
    if s.proxied.is_some() {
        env.push(("HTTP_PROXY".into(), url.clone()));
        env.push(("http_proxy".into(), url.clone()));
    }
    let test = box_.test.display().to_string();
    let ran = match case.runner {
        Runner::Script => python(&box_, &[&test], &env),
        Runner::Pytest => python(&box_, &["-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", &test], &env),
    };
    let received = server.received();
    drop(server);
    let mut problems = check_run(s, case, &ran, &received, s.proxied.unwrap_or(&url));
    if problems.is_empty() {
        return Ok(());
    }
    problems.push(format!("stdout:\n{}\nstderr:\n{}", ran.stdout, ran.stderr));
    problems.push(format!("received: {received:#?}"));
    Err(problems.join("\n"))
}

fn check_run(s: &Scenario, case: &Case, ran: &Ran, received: &[Exchange], url: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if ran.code != Some(case.code) {
        problems.push(format!("exit code {:?}, expected {}", ran.code, case.code));
    }
    for (stream, text, wanted) in [("stdout", &ran.stdout, &case.stdout), ("stderr", &ran.stderr, &case.stderr)] {
        for want in wanted {
            let want = want.replace(MOCK, url);
            if !text.contains(&want) {
                problems.push(format!("{stream} lacks {want:?}"));
            }
        }
        if text.contains(MARK) {
            problems.push(format!("{stream} shows a secret"));
        }
        for leak in &s.leaks {
            if text.contains(leak.trim_start_matches("Basic ")) {
                problems.push(format!("{stream} shows the HTTP Basic credentials {leak:?}"));
            }
        }
    }
    if case.runner == Runner::Script {
        // Success on stdout, everything else on stderr, one line either way.
        let (said, silent) = if case.code == 0 { (&ran.stdout, &ran.stderr) } else { (&ran.stderr, &ran.stdout) };
        if !silent.is_empty() || said.lines().count() != 1 {
            problems.push("expected one line, on stdout for success and on stderr otherwise".into());
        }
    }
    if let Some(end) = &case.ends
        && !ran.stdout.ends_with(&end.replace(MOCK, url))
    {
        problems.push(format!("stdout does not end with {end:?}"));
    }
    if let Some((count, status)) = case.requests {
        if received.len() != count {
            problems.push(format!("the server got {} requests, expected {count}", received.len()));
        } else if count > 0 && received.iter().any(|e| e.status != status) {
            problems.push(format!("the server did not answer every request with {status}"));
        }
    }
    problems
}

/// The full matrix for these scenarios, both clients, in parallel; fails
/// listing every case that went wrong.
fn check(scenarios: &[Scenario]) {
    let jobs: Vec<(&Scenario, &str, Case)> = scenarios
        .iter()
        .flat_map(|s| CLIENTS.iter().flat_map(move |c| cases(s).into_iter().map(move |case| (s, *c, case))))
        .collect();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|(s, client, case)| scope.spawn(move || run_case(s, client, case).err().map(|e| (s, client, case, e))))
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().unwrap())
            .map(|(s, client, case, e)| {
                let method = s.method.map_or(String::new(), |m| format!(" (method {m})"));
                format!("--- {}{method}, {client}: {}\n{e}", s.source, case.label)
            })
            .collect()
    });
    assert!(failures.is_empty(), "{} of {} runs failed:\n{}", failures.len(), jobs.len(), failures.join("\n\n"));
}

// ---------------------------------------------------------------------------
// The matrix: every generating fixture

#[test]
fn github_bearer_with_accept_header() {
    check(&[github()]);
}

#[test]
fn zendesk_basic_with_user_pattern_on_a_templated_host() {
    check(&[zendesk()]);
}

#[test]
fn shopify_custom_header_without_prefix() {
    check(&[shopify()]);
}

#[test]
fn pagerduty_token_prefix_query_and_vendor_accept() {
    check(&[pagerduty()]);
}

#[test]
fn openweather_key_in_the_query() {
    check(&[openweather()]);
}

#[test]
fn gmail_refresh_token_grant() {
    check(&[gmail()]);
}

#[test]
fn microsoft_graph_client_credentials_with_scope() {
    check(&[microsoft_graph()]);
}

#[test]
fn azure_devops_picks_pat_or_service_principal() {
    check(&[azure_devops_pat(), azure_devops_service_principal()]);
}

#[test]
fn dicomweb_picks_none_basic_or_bearer() {
    check(&[dicomweb_none(), dicomweb_basic(), dicomweb_bearer()]);
}

#[test]
fn stripe_inferred_bearer() {
    check(&[stripe()]);
}

#[test]
fn seedstyle_flat_keys() {
    check(&[seedstyle()]);
}

#[test]
fn hostile_text_sends_its_text_verbatim_and_runs_nothing_else() {
    let _ = std::fs::remove_file(PWNED);
    check(&[hostile_text()]);
    assert!(!std::path::Path::new(PWNED).exists(), "running the hostile_text test created {PWNED}");
}

#[test]
fn client_auth_basic_sends_rfc6749_client_authentication() {
    check(&[client_basic()]);
}

#[test]
fn mailchimp_host_derived_after_the_last_dash_of_the_key() {
    check(&[mailchimp()]);
}

#[test]
fn amplitude_host_mapped_from_data_region() {
    check(&[amplitude()]);
}

#[test]
fn odata_header_name_from_a_parameter_with_a_default() {
    check(&[odata()]);
}

#[test]
fn azure_data_manager_energy_placeholders_in_header_and_scope() {
    check(&[azure_data_manager_energy()]);
}

#[test]
fn auth0_audience_and_token_params_with_basic_client_auth() {
    check(&[auth0(), auth0_params()]);
}

#[test]
fn smart_fhir_method_selected_by_auth_type() {
    check(&[smart_fhir_client_secret(), smart_fhir_access_token()]);
}

#[test]
fn every_generating_fixture_is_in_the_matrix() {
    let covered: Vec<&str> = [
        github(),
        zendesk(),
        shopify(),
        pagerduty(),
        openweather(),
        gmail(),
        microsoft_graph(),
        azure_devops_pat(),
        dicomweb_none(),
        stripe(),
        seedstyle(),
        hostile_text(),
        mailchimp(),
        amplitude(),
        odata(),
        azure_data_manager_energy(),
        auth0(),
        smart_fhir_access_token(),
    ]
    .iter()
    .map(|s| s.source)
    .collect();
    for name in common::GENERATING {
        let covered = covered.contains(name) || common::SIGNED.contains(name);
        assert!(covered, "fixture {name} has no end-to-end scenario");
    }
}

// ---------------------------------------------------------------------------
// Single behaviours, both clients

/// Runs one generated test with `config` (credentials as CONNECTOR_TEST_CONFIG_JSON)
/// against `server`, with `env` besides; every output is checked for secrets.
fn run_one(client: &str, source: &str, config: &Value, env: &[(&str, String)]) -> Ran {
    let box_ = sandbox(source, &scripts(client)[source]);
    let mut vars = vec![("CONNECTOR_TEST_CONFIG_JSON".to_string(), config.to_string())];
    vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.clone())));
    let ran = python(&box_, &[&box_.test.display().to_string()], &vars);
    assert!(!ran.stdout.contains(MARK) && !ran.stderr.contains(MARK), "{source}, {client}: a secret in the output");
    ran
}

#[test]
fn a_2xx_without_the_show_field_is_not_success() {
    for client in CLIENTS {
        for answer in [json!({}), json!({"login": null}), json!({"message": "anonymous"}), json!(["octocat"])] {
            let body = answer.clone();
            let server = MockApi::start(move |_| Reply::json(200, body.clone()));
            let base = format!("{}/api/v3", server.url());
            let ran =
                run_one(client, "github", &json!({"token": "ghp_S3CRET_x"}), &[("CONNECTOR_TEST_BASE_URL", base)]);
            let said = format!("{client}, answer {answer}: stdout {:?} stderr {:?}", ran.stdout, ran.stderr);
            assert_eq!(ran.code, Some(1), "{said}");
            assert!(
                ran.stderr.contains(&format!(
                    "github: rejected: HTTP 200 from GET {}/api/v3/user with bearer, but the response has no login: the call was probably not authenticated",
                    server.url()
                )),
                "{said}"
            );
            assert_eq!(server.received().len(), 1, "{said}");
        }
    }
}

/// Success is judged on the body: a 203, or a 200 sign-in page, is no
/// success (`expect: json`, the default); an empty 204 is, unless `show` is
/// set; with `expect: any` the status alone decides.
#[test]
fn success_is_judged_on_the_body() {
    let page = || Reply::html(200, SIGN_IN_PAGE);
    let non_authoritative = || Reply::json(203, json!({"login": "octocat"}));
    let empty = || Reply { status: 204, content_type: "text/plain", body: String::new(), location: None };
    type Answer = fn() -> Reply;
    let cases: [(&str, Answer, i32, &str); 6] = [
        ("github", page, 1, "with bearer, but the answer is an HTML page (a sign-in page?): the call was probably not"),
        ("github", non_authoritative, 1, "with bearer: a 203 is not the API's own answer"),
        ("github", empty, 1, "but the response has no login"),
        ("seedstyle", empty, 0, "Seed Style accepted bearer: HTTP 204 from GET"),
        (EXPECT_ANY, page, 0, "accepted bearer: HTTP 200 from GET"),
        (EXPECT_ANY, non_authoritative, 0, "accepted bearer: HTTP 203 from GET"),
    ];
    for client in CLIENTS {
        for (source, answer, code, says) in cases {
            let server = MockApi::start(move |_| answer());
            let base = ("CONNECTOR_TEST_BASE_URL", server.url());
            let config = json!({"token": "t-S3CRET", "access_token": "t-S3CRET"});
            let ran = run_one(client, source, &config, &[base]);
            let said = format!("{client}, {source}, {says}: stdout {:?} stderr {:?}", ran.stdout, ran.stderr);
            assert_eq!(ran.code, Some(code), "{said}");
            assert!(ran.stdout.contains(says) || ran.stderr.contains(says), "{said}");
            assert_eq!(server.received().len(), 1, "{said}");
        }
        // Under pytest: the sign-in page fails the test, and passes it with `expect: any`.
        for (source, code, says) in [("github", 1, "1 failed"), (EXPECT_ANY, 0, "1 passed")] {
            let server = MockApi::start(move |_| page());
            let box_ = sandbox(source, &scripts(client)[source]);
            let test = box_.test.display().to_string();
            let env = [
                ("CONNECTOR_TEST_CONFIG_JSON".to_string(), json!({"token": "t-S3CRET"}).to_string()),
                ("CONNECTOR_TEST_BASE_URL".to_string(), server.url()),
            ];
            let ran = python(&box_, &["-m", "pytest", "-q", "-p", "no:cacheprovider", &test], &env);
            let said = format!("{client}, pytest {source}: stdout {:?} stderr {:?}", ran.stdout, ran.stderr);
            assert_eq!(ran.code, Some(code), "{said}");
            assert!(ran.stdout.contains(says), "{said}");
            assert!(code == 0 || ran.stdout.contains("an HTML page (a sign-in page?)"), "{said}");
        }
    }
}

/// `before_first`, a `map` without a default (case-insensitive keys),
/// `defaults`, and placeholders in the prefix and header values: sent exactly;
/// a rule that cannot apply is exit 2 naming it, with no request made.
#[test]
fn derive_rules_defaults_and_prefix_placeholders() {
    let server_for = || {
        MockApi::start(|r| {
            // The path is decoded: a segment sent unencoded would have cut it at '?'.
            let account = r.header("X-Account").unwrap_or_default();
            let ok = r.header("Authorization") == Some(&format!("Token {account}.k-S3CRET"))
                && r.header("X-Region-Host") == Some("api.eu.example.com")
                && ["acct1", "a/b?c#d"].contains(&account)
                && r.path == format!("/v1/accounts/{account}/me")
                && r.query.is_empty();
            if ok { Reply::json(200, json!({"id": 1})) } else { Reply::json(401, json!({"error": "unauthorized"})) }
        })
    };
    let good = json!({"api_key": "acct1.k-S3CRET", "region": "eu", "scheme_name": "Token"});
    let cases = [
        ("good", good.clone(), 0, "accepted bearer: HTTP 200", 1),
        ("default prefix", without(&good, "scheme_name"), 1, "HTTP 401", 1),
        (
            "a path segment percent-encoded",
            with(&good, "api_key", "a/b?c#d.k-S3CRET"),
            0,
            "/accounts/a%2Fb%3Fc%23d/me",
            1,
        ),
        ("other region", with(&good, "region", "US"), 1, "HTTP 401", 1),
        (
            "unknown region",
            with(&good, "region", "APAC"),
            2,
            "derive host (map) cannot apply: region is none of us, eu and there is no default",
            0,
        ),
        (
            "no separator",
            with(&good, "api_key", "k-S3CRET"),
            2,
            "derive account (before_first) cannot apply: api_key holds no '.'",
            0,
        ),
        ("missing region", without(&good, "region"), 2, "missing required parameter(s) region in", 0),
    ];
    for client in CLIENTS {
        for (label, config, code, says, requests) in &cases {
            let server = server_for();
            let base = ("CONNECTOR_TEST_BASE_URL", format!("{}/v1", server.url()));
            let ran = run_one(client, DERIVE_CASES, config, &[base]);
            let said = format!("{client}, {label}: stdout {:?} stderr {:?}", ran.stdout, ran.stderr);
            assert_eq!(ran.code, Some(*code), "{said}");
            assert!(ran.stdout.contains(says) || ran.stderr.contains(says), "{said}");
            assert_eq!(server.received().len(), *requests, "{said}");
        }
    }
}

/// `select_by` over `auth_methods`: the method the parameter names is used
/// even when the credentials would complete another (more specific) one; a
/// value naming no method, or none, is exit 2 with no request.
#[test]
fn select_by_picks_the_auth_method_the_parameter_names() {
    let all = json!({"api_token": "tok-S3CRET", "username": "jane", "password": "pw-S3CRET"});
    let cases = [
        ("token", Some("token"), 0, "accepted bearer (auth method token)", Some(bearer("tok-S3CRET"))),
        ("login", Some("login"), 0, "accepted basic (auth method login)", Some(basic("jane", "pw-S3CRET"))),
        (
            "saml",
            Some("saml"),
            2,
            "auth_mode in CONNECTOR_TEST_CONFIG_JSON names no auth method (one of: token, login)",
            None,
        ),
        ("absent", None, 2, "missing required parameter(s) auth_mode in CONNECTOR_TEST_CONFIG_JSON", None),
    ];
    for client in CLIENTS {
        for (label, mode, code, says, sent) in &cases {
            let server = MockApi::start(|_| Reply::json(200, json!({"id": 1})));
            let config = match mode {
                Some(m) => with(&all, "auth_mode", m),
                None => all.clone(),
            };
            let ran = run_one(client, SELECT_METHODS, &config, &[("CONNECTOR_TEST_BASE_URL", server.url())]);
            let said = format!("{client}, {label}: stdout {:?} stderr {:?}", ran.stdout, ran.stderr);
            assert_eq!(ran.code, Some(*code), "{said}");
            assert!(ran.stdout.contains(says) || ran.stderr.contains(says), "{said}");
            let received = server.received();
            assert_eq!(received.len(), usize::from(sent.is_some()), "{said}");
            if let Some(want) = sent {
                assert_eq!(received[0].request.header("Authorization"), Some(want.as_str()), "{said}");
            }
        }
    }
}

/// A redirect would carry the credential to wherever it points: the test
/// reports it and the target never hears from it.
#[test]
fn redirects_are_not_followed() {
    for client in CLIENTS {
        let elsewhere = MockApi::start(|_| Reply::json(200, json!({"login": "octocat"})));
        let location = format!("{}/user", elsewhere.url());
        let server = MockApi::start(move |_| Reply {
            status: 302,
            content_type: "text/plain",
            body: String::new(),
            location: Some(location.clone()),
        });
        let base = format!("{}/api/v3", server.url());
        let ran = run_one(client, "github", &json!({"token": "ghp_S3CRET_x"}), &[("CONNECTOR_TEST_BASE_URL", base)]);
        let said = format!("{client}: stdout {:?} stderr {:?}", ran.stdout, ran.stderr);
        assert_eq!(ran.code, Some(1), "{said}");
        assert!(
            ran.stderr.contains(&format!("github: rejected: HTTP 302 from GET {}/api/v3/user", server.url())),
            "{said}"
        );
        assert_eq!(server.received().len(), 1, "{said}");
        assert!(elsewhere.received().is_empty(), "{client}: the redirect was followed");
    }
}

/// github's `base_url` parameter replaces the spec's base URL, and
/// CONNECTOR_TEST_BASE_URL wins over both.
#[test]
fn base_url_parameter_and_override() {
    for client in CLIENTS {
        let good = bearer("ghp_S3CRET_good");
        let server = MockApi::start(move |r| match r.header("Authorization") {
            Some(v) if v == good && r.path == "/ghe/api/v3/user" => Reply::json(200, json!({"login": "hubot"})),
            _ => Reply::json(401, json!({})),
        });
        let config = json!({"token": "ghp_S3CRET_good", "base_url": format!("{}/ghe/api/v3", server.url())});
        let ran = run_one(client, "github", &config, &[]);
        assert_eq!(ran.code, Some(0), "{client}: base_url parameter: {} {}", ran.stdout, ran.stderr);
        assert!(ran.stdout.ends_with(&format!("GET {}/ghe/api/v3/user; login = hubot\n", server.url())));

        let config = json!({"token": "ghp_S3CRET_good", "base_url": closed_url()});
        let ran =
            run_one(client, "github", &config, &[("CONNECTOR_TEST_BASE_URL", format!("{}/ghe/api/v3", server.url()))]);
        assert_eq!(ran.code, Some(0), "{client}: CONNECTOR_TEST_BASE_URL: {} {}", ran.stdout, ran.stderr);
        assert_eq!(server.received().len(), 2);
    }
}

/// Every rendered file passes `ruff check --select E,F,I` and `ruff format
/// --check` at line length 100, for both clients.
#[test]
fn generated_scripts_are_ruff_clean() {
    let dir = Test::plain();
    let mut files = Vec::new();
    for client in CLIENTS {
        for (source, text) in scripts(client) {
            files.push(dir.write(format!("{source}_{client}.py"), text));
        }
    }
    for args in [&["check", "--select", "E,F,I"][..], &["format", "--check"][..]] {
        let out = dir
            .command(common::ruff(), args)
            .args(["--isolated", "--no-cache", "--line-length", "100"])
            .args(&files)
            .run();
        assert_eq!(out.code, Some(0), "ruff {}:\n{}{}", args.join(" "), out.stdout, out.stderr);
    }
}

/// A TLS failure is "unreachable" (exit 3): https:// to a server that speaks plain HTTP.
#[test]
fn tls_failure_is_unreachable() {
    for client in CLIENTS {
        let server = MockApi::start(|_| Reply::json(200, json!({"login": "octocat"})));
        let base = server.url().replace("http://", "https://");
        let ran =
            run_one(client, "github", &json!({"token": "ghp_S3CRET_x"}), &[("CONNECTOR_TEST_BASE_URL", base.clone())]);
        let said = format!("{client}: stdout {:?} stderr {:?}", ran.stdout, ran.stderr);
        assert_eq!(ran.code, Some(3), "{said}");
        assert!(
            ran.stderr.contains(&format!("github: unreachable: cannot reach {base}/user: TLS handshake failed")),
            "{said}"
        );
    }
}

/// The repository's loader may fail in its own ways (the real one raises
/// RuntimeError; a module may not import): the credentials could not be
/// read, exit 2, no traceback.
#[test]
fn repo_loader_failures_are_credential_errors() {
    let loaders = [
        (
            "def load_config(default_path=None):\n    raise RuntimeError(\"No credentials provided.\")\n",
            "RuntimeError: No credentials provided.",
        ),
        (
            "import a_module_that_is_not_installed\n",
            "ModuleNotFoundError: No module named 'a_module_that_is_not_installed'",
        ),
    ];
    for client in CLIENTS {
        for (loader, says) in loaders {
            let box_ = sandbox("github", &scripts(client)["github"]);
            box_.write(&box_.test.parent().unwrap().parent().unwrap().join("test_utils.py"), loader);
            box_.write(&box_.dev_config(), r#"{"token": "ghp_S3CRET_x"}"#);
            let ran = python(&box_, &[&box_.test.display().to_string()], &[]);
            let said = format!("{client}, {says}: stdout {:?} stderr {:?}", ran.stdout, ran.stderr);
            assert_eq!(ran.code, Some(2), "{said}");
            assert!(ran.stderr.starts_with("github: credentials incomplete: cannot read credentials from "), "{said}");
            assert!(ran.stderr.contains(says) && !ran.stderr.contains("Traceback"), "{said}");
            assert_eq!(ran.stderr.lines().count(), 1, "{said}");
        }
    }
}

/// A Python without the requests package: the requests script says what to
/// do (install it, or regenerate for urllib), exit 2, and no traceback.
#[test]
fn a_python_without_requests_is_told_what_to_install() {
    use std::process::{Command, Stdio};

    let venv = tempfile::tempdir().unwrap();
    let made = Command::new(common::python())
        .args(["-m", "venv", "--without-pip"])
        .arg(venv.path().join("py"))
        .status()
        .expect("python -m venv");
    assert!(made.success(), "could not create a venv");
    let bare = venv.path().join("py/bin/python");
    let probe = Command::new(&bare).args(["-c", "import requests"]).output().unwrap();
    assert!(!probe.status.success(), "the bare venv has requests: the test would prove nothing");

    let server = MockApi::start(|_| Reply::json(200, json!({"login": "octocat"})));
    let box_ = sandbox("github", &scripts("requests")["github"]);
    let out = common::scrub(&mut Command::new(&bare))
        .arg(&box_.test)
        .current_dir(box_.dir.path())
        .env("CONNECTOR_TEST_CONFIG_JSON", json!({"token": "ghp_S3CRET_x"}).to_string())
        .env("CONNECTOR_TEST_BASE_URL", server.url())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let said = format!("stdout {stdout:?} stderr {stderr:?}");
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(stderr.contains("pip install requests") && stderr.contains("--http-client urllib"), "{said}");
    assert!(!stderr.contains("Traceback") && stderr.lines().count() == 1, "{said}");
    assert!(server.received().is_empty(), "{said}");
}

/// An unreachable OAuth token URL: exit 3, and the message names the
/// variable that points it elsewhere.
#[test]
fn an_unreachable_token_url_names_connector_test_token_url() {
    for client in CLIENTS {
        let server = MockApi::start(|_| Reply::json(200, json!({"emailAddress": "a@example.com"})));
        let env = [
            ("CONNECTOR_TEST_BASE_URL", format!("{}/gmail/v1", server.url())),
            ("CONNECTOR_TEST_TOKEN_URL", format!("{}{TOKEN_PATH}", closed_url())),
        ];
        let ran = run_one(client, "gmail", &gmail().good, &env);
        let said = format!("{client}: stdout {:?} stderr {:?}", ran.stdout, ran.stderr);
        assert_eq!(ran.code, Some(3), "{said}");
        assert!(ran.stderr.contains(&format!("cannot reach {}{TOKEN_PATH}", closed_url())), "{said}");
        assert!(ran.stderr.contains("CONNECTOR_TEST_TOKEN_URL"), "{said}");
        assert!(server.received().is_empty(), "{said}");
    }
}

// ---------------------------------------------------------------------------
// The mock server's own encoders, which the checks above rely on

mod mock_codecs {
    use super::common::mock::{base64, parse_pairs, percent_decode, unbase64};

    #[test]
    fn base64_round_trip() {
        for (raw, enc) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), (":pat", "OnBhdA==")] {
            assert_eq!(base64(raw.as_bytes()), enc);
            assert_eq!(unbase64(enc).as_deref(), Some(raw.as_bytes()));
        }
        assert_eq!(unbase64("Zg="), None);
        assert_eq!(unbase64("Z!=="), None);
    }

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("a%20b+c%2B%zz%4", true), "a b c+%zz%4");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(
            parse_pairs("%24top=1&api-version=7.1&x"),
            [
                ("$top".to_string(), "1".to_string()),
                ("api-version".to_string(), "7.1".to_string()),
                ("x".to_string(), String::new())
            ]
        );
    }
}
