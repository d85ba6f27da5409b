//! `authgen credentials --mode browser`: the loopback form in a real headless
//! Chromium, the OAuth authorization-code flow against a mock provider, and
//! the server's defences (Host, CSRF, escaping, single-use state).

mod common;
mod credentials_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Test;
use credentials_support::{FormServer, MockProvider, Provider, assert_no_secret, mode, read_json, request};

/// Run the Selenium driver script; kill it after `limit`.
fn drive(scenario: &str, url: &str, args: serde_json::Value) -> serde_json::Value {
    let (chromium, chromedriver) = common::chromium();
    let script = common::manifest_dir().join("tests/credentials_support/browser.py");
    let mut cmd = Command::new(common::python());
    common::scrub(&mut cmd)
        .arg(script)
        .arg(chromium)
        .arg(chromedriver)
        .arg(scenario)
        .arg(url)
        .arg(args.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn the browser driver");
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the browser driver ran over 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("driver output");
    assert!(
        out.status.success(),
        "browser driver failed:\n{}\n{}",
        common::text(&out.stdout),
        common::text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("driver prints JSON")
}

const METHODS_SPEC: &str = r#"display_name: "Acme <b>Cloud</b>"
connection:
  parameters:
    - name: organization
      type: string
      required: true
      description: "<img src=x onerror=\"document.title='pwned'\"> Organization name & more"
  auth_methods:
    - name: pat
      description: Personal access token.
      parameters:
        - {name: personal_access_token, type: string, required: true, secret: true, description: PAT.}
    - name: service_principal
      description: "Service principal <script>document.title='pwned'</script>"
      parameters:
        - {name: tenant_id, type: string, required: true, description: Tenant.}
        - {name: client_id, type: string, required: true, description: Client ID.}
        - {name: client_secret, type: string, required: true, secret: true, description: Client secret.}
        - {name: region, type: string, required: false, description: Optional region.}
  oauth:
    flow: m2m
    token_url: "https://login.example.com/{tenant_id}/oauth2/v2.0/token"
    scopes: api/.default
"#;

#[test]
fn browser_fills_the_form_switches_method_and_saves() {
    let repo = Test::with_spec("acme", METHODS_SPEC);
    let mut server = FormServer::start(&repo, "acme", &[]);
    let url = format!("http://127.0.0.1:{}/", server.port);
    let seen = drive(
        "form",
        &url,
        serde_json::json!({
            "first_secret": "personal_access_token",
            "second_field": "tenant_id",
            "first": {"personal_access_token": "pat-Qm4XsecretPAT"},
            "shared": {"organization": "acme-org"},
            "second": {"tenant_id": "tenant-1", "client_id": "cid-7", "client_secret": "sp-S3cretValue"},
        }),
    );
    // Spec text shows as text and never becomes markup.
    assert_eq!(seen["img_elements"], 0, "{seen}");
    assert_ne!(seen["title"], "pwned");
    let text = seen["page_text"].as_str().unwrap();
    assert!(text.contains("<img src=x onerror=\"document.title='pwned'\"> Organization name & more"), "{text}");
    assert!(text.contains("Acme <b>Cloud</b>"), "{text}");
    assert!(text.contains("Service principal <script>"), "{text}");
    assert_eq!(seen["first_method_secret_type"], "password");
    assert_eq!(seen["second_hidden_at_first"], true, "the other method's fields are hidden");
    assert_eq!(seen["first_hidden_after_switch"], true, "switching hides the first method's fields");
    assert_eq!(seen["heading"], "Credentials saved", "{seen}");
    assert!(seen["result_text"].as_str().unwrap().contains("tests/unit/sources/acme/configs/dev_config.json"));

    let status = server.wait(Duration::from_secs(10)).expect("the server exits after saving");
    assert!(status.success(), "{}", server.output());
    let path = repo.credentials_path("acme");
    let values = read_json(&path);
    let expected: std::collections::BTreeMap<String, String> = [
        ("organization", "acme-org"),
        ("tenant_id", "tenant-1"),
        ("client_id", "cid-7"),
        ("client_secret", "sp-S3cretValue"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(values, expected, "only the chosen method's values and the shared ones; no PAT, no bookkeeping");
    assert_eq!(mode(&path), 0o600);
    assert_git_ignores(&repo, &path);
    assert_no_secret(&server.output(), &["pat-Qm4XsecretPAT", "sp-S3cretValue"]);
}

fn assert_git_ignores(repo: &Test, path: &Path) {
    let rel = path.strip_prefix(repo.path()).unwrap();
    let ignored = repo.git(["check-ignore", "-q"]).arg(rel).run();
    assert_eq!(ignored.code, Some(0), "git does not ignore {}", rel.display());
    let listing = repo.git(["status", "--porcelain", "--untracked-files=all"]).success().stdout;
    assert!(!listing.contains("dev_config.json"), "{listing}");
    assert!(listing.contains("configs/.gitignore"), "{listing}");
}

fn oauth_spec(provider: &MockProvider, pkce: bool) -> String {
    format!(
        r#"display_name: Mock Mail
connection:
  parameters:
    - {{name: client_id, type: string, required: true, description: OAuth client ID.}}
    - {{name: client_secret, type: string, required: true, secret: true, description: OAuth client secret.}}
    - {{name: mailbox, type: string, required: false, description: Mailbox.}}
  oauth:
    flow: u2m
    pkce: {pkce}
    scopes: "read:all offline"
    authorization_url: "{}"
    token_url: "{}"
    extra_auth_params:
      access_type: offline
      prompt: consent
"#,
        provider.url("/authorize"),
        provider.url("/token")
    )
}

/// A mock provider acting as `config`, a repo whose spec signs in there, and
/// the form server for it (dropped in reverse: server, repo, provider).
fn oauth_form(config: &Provider, pkce: bool) -> (MockProvider, Test, FormServer) {
    let provider = MockProvider::start(config.clone());
    let repo = Test::with_spec("mockmail", &oauth_spec(&provider, pkce));
    let server = FormServer::start(&repo, "mockmail", &[]);
    (provider, repo, server)
}

#[test]
fn browser_runs_the_authorization_code_flow_with_pkce() {
    let config = Provider {
        expect_params: vec![("access_type".into(), "offline".into()), ("prompt".into(), "consent".into())],
        ..Provider::default()
    };
    let provider = MockProvider::start(config.clone());
    let repo = Test::with_spec("mockmail", &oauth_spec(&provider, true));
    let mut server = FormServer::start(&repo, "mockmail", &[]);
    let url = format!("http://127.0.0.1:{}/", server.port);
    let redirect_uri = format!("http://127.0.0.1:{}/oauth/callback", server.port);
    let printed = format!("OAuth redirect URI (register it with the provider): {redirect_uri}");
    assert!(server.wait_output(&printed, Duration::from_secs(10)), "{}", server.output());

    let seen = drive(
        "oauth",
        &url,
        serde_json::json!({
            "fields": {"client_id": config.client_id, "client_secret": config.client_secret},
            "replay": true,
            "save": true,
        }),
    );
    assert_eq!(seen["redirect_uri_shown"], redirect_uri.as_str());
    assert_eq!(seen["callback_heading"], "Authorized", "{seen}");
    assert_eq!(seen["callback_path"], redirect_uri.as_str());
    assert_eq!(seen["replay_heading"], "This callback was already used", "{seen}");
    assert!(seen["status_after"].as_str().unwrap().starts_with("Authorized"), "{seen}");
    assert_eq!(seen["refresh_value_in_page"], "", "the refresh token never goes back into the page");
    assert_eq!(seen["save_heading"], "Credentials saved", "{seen}");

    let mock = provider.seen();
    assert!(mock.problems.is_empty(), "{:?}", mock.problems);
    assert_eq!((mock.authorize, mock.token, mock.pkce_verified), (1, 1, 1), "{mock:?}");
    assert_eq!(mock.last_authorize_query.get("redirect_uri"), Some(&redirect_uri));

    let status = server.wait(Duration::from_secs(10)).expect("the server exits after saving");
    assert!(status.success(), "{}", server.output());
    let path = repo.credentials_path("mockmail");
    let values = read_json(&path);
    assert_eq!(values.get("refresh_token"), Some(&config.refresh_token));
    assert_eq!(values.get("client_id"), Some(&config.client_id));
    assert_eq!(values.get("client_secret"), Some(&config.client_secret));
    assert_eq!(values.len(), 3, "{values:?}");
    assert_eq!(mode(&path), 0o600);
    let output = server.output();
    assert!(output.contains("authorization complete: refresh token received"), "{output}");
    let state = mock.last_authorize_query.get("state").unwrap();
    let mut secrets =
        vec![config.client_secret.as_str(), config.refresh_token.as_str(), config.access_token.as_str(), state];
    secrets.extend(mock.codes_issued.iter().map(String::as_str));
    assert_no_secret(&output, &secrets);
}

/// POST /oauth/start, follow the redirect to the mock provider, and bring
/// back the callback path it redirects to.
fn authorize(server: &FormServer, provider: &MockProvider, config: &Provider) -> String {
    let csrf = server.csrf();
    let start = server.post(
        "/oauth/start",
        &[("csrf_token", &csrf), ("client_id", &config.client_id), ("client_secret", &config.client_secret)],
    );
    assert_eq!(start.status, 303, "{}", start.body);
    let location = start.header("location").expect("Location").to_string();
    let prefix = provider.url("/authorize");
    assert!(location.starts_with(&prefix), "{location}");
    let at_provider = request(provider.port, "GET", &location[prefix.len() - "/authorize".len()..], "x", &[], "");
    assert_eq!(at_provider.status, 302, "{}", at_provider.body);
    let back = at_provider.header("location").unwrap();
    let callback_prefix = format!("http://127.0.0.1:{}", server.port);
    back.strip_prefix(&callback_prefix).expect("back to our loopback callback").to_string()
}

#[test]
fn callback_state_is_checked_and_single_use() {
    let config = Provider::default();
    let provider = MockProvider::start(config.clone());
    let repo = Test::with_spec("mockmail", &oauth_spec(&provider, true));
    let mut server = FormServer::start(&repo, "mockmail", &[]);

    // A state this form never issued: refused, nothing exchanged.
    let forged = server.get("/oauth/callback?code=stolen&state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(forged.status, 400);
    assert!(forged.body.contains("State mismatch"), "{}", forged.body);
    let missing = server.get("/oauth/callback?code=stolen");
    assert_eq!(missing.status, 400);
    assert!(missing.body.contains("No state in the callback"));
    assert_eq!(provider.seen().token, 0);

    let callback = authorize(&server, &provider, &config);
    let first = server.get(&callback);
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.body.contains("Authorized"));
    assert!(first.body.contains("<a href=\"/\" id=\"back\">"), "a way back to the form: {}", first.body);
    let replay = server.get(&callback);
    assert_eq!(replay.status, 400);
    assert!(replay.body.contains("This callback was already used"), "{}", replay.body);
    let mock = provider.seen();
    assert_eq!(mock.token, 1, "the replay reached no token endpoint");
    assert!(mock.problems.is_empty(), "{:?}", mock.problems);
    let exchanges: Vec<(String, u16)> = provider.received().into_iter().map(|e| (e.request.path, e.status)).collect();
    assert_eq!(exchanges, [("/authorize".to_string(), 302), ("/token".to_string(), 200)]);

    // Save with the kept values: the secret fields come back empty, as a browser sends them.
    let csrf = server.csrf();
    let saved = server.post("/save", &[("csrf_token", &csrf), ("client_id", &config.client_id), ("client_secret", "")]);
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(server.wait(Duration::from_secs(10)).expect("exits").success());
    let values = read_json(&repo.credentials_path("mockmail"));
    assert_eq!(values.get("refresh_token"), Some(&config.refresh_token));
    assert_eq!(values.get("client_secret"), Some(&config.client_secret), "the secret posted before Authorize is kept");
    assert_no_secret(&server.output(), &[&config.client_secret, &config.refresh_token, &config.access_token]);
}

#[test]
fn denied_consent_and_missing_refresh_token_are_said_plainly() {
    let denied = Provider { deny: true, ..Provider::default() };
    let (provider, _repo, server) = oauth_form(&denied, true);
    let callback = authorize(&server, &provider, &denied);
    let page = server.get(&callback);
    assert_eq!(page.status, 400);
    assert!(page.body.contains("Access was denied"), "{}", page.body);
    assert!(page.body.contains("the consent screen was declined"), "{}", page.body);
    assert!(!page.body.contains("answered with the error"), "{}", page.body);
    assert!(page.body.contains("The user said no"), "{}", page.body);
    assert_eq!(provider.seen().token, 0);
    drop(server);

    let stingy = Provider { no_refresh: true, pkce: false, ..Provider::default() };
    let (provider, repo, server) = oauth_form(&stingy, false);
    let callback = authorize(&server, &provider, &stingy);
    let page = server.get(&callback);
    assert_eq!(page.status, 400);
    assert!(page.body.contains("No refresh token was issued"), "{}", page.body);
    assert!(page.body.contains("access_type=offline"), "{}", page.body);
    let mock = provider.seen();
    assert!(mock.problems.is_empty(), "pkce: false sends no challenge: {:?}", mock.problems);
    assert!(!repo.credentials_path("mockmail").exists());
    assert_no_secret(&server.output(), &[&stingy.client_secret, &stingy.access_token]);
}

const TOKEN_SPEC: &str = r#"connection:
  parameters:
    - {name: api_token, type: string, required: true, secret: true, description: "<img src=x onerror=alert(1)> the token"}
    - {name: region, type: string, required: false}
"#;

#[test]
fn wrong_host_header_is_refused() {
    let repo = Test::with_spec("demo", TOKEN_SPEC);
    let server = FormServer::start(&repo, "demo", &[]);
    let port = server.port;
    let csrf = server.csrf();
    assert_eq!(request(port, "GET", "/", &format!("localhost:{port}"), &[], "").status, 200);
    for host in [
        format!("evil.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        "127.0.0.1".into(),
        String::new(),
    ] {
        let answer = request(port, "GET", "/", &host, &[], "");
        assert_eq!(answer.status, 421, "Host {host:?}");
        assert!(!answer.body.contains(&csrf), "the token leaked to Host {host:?}");
    }
    let body = common::mock::form_encode(&[("csrf_token", &csrf), ("api_token", "tok-Rebind123")]);
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let rebound = request(port, "POST", "/save", &format!("attacker.example:{port}"), &form, &body);
    assert_eq!(rebound.status, 421);
    assert!(!repo.credentials_path("demo").exists());
}

#[test]
fn save_without_the_right_csrf_token_is_forbidden() {
    let repo = Test::with_spec("demo", TOKEN_SPEC);
    let mut server = FormServer::start(&repo, "demo", &[]);
    let path = repo.credentials_path("demo");
    let missing = server.post("/save", &[("api_token", "tok-Csrf12345")]);
    assert_eq!(missing.status, 403);
    let wrong = server.post("/save", &[("csrf_token", "guess"), ("api_token", "tok-Csrf12345")]);
    assert_eq!(wrong.status, 403);
    let csrf = server.csrf();
    let body = common::mock::form_encode(&[("csrf_token", &csrf), ("api_token", "tok-Csrf12345")]);
    let cross = request(
        server.port,
        "POST",
        "/save",
        &server.host(),
        &[("Content-Type", "application/x-www-form-urlencoded"), ("Origin", "https://evil.example")],
        &body,
    );
    assert_eq!(cross.status, 403, "a cross-origin post is refused even with the token");
    assert!(!path.exists(), "nothing written");

    let empty = server.post("/save", &[("csrf_token", &csrf), ("api_token", "  ")]);
    assert_eq!(empty.status, 400);
    assert!(empty.body.contains("api_token is required"));
    assert!(!path.exists());

    let ok = server.post("/save", &[("csrf_token", &csrf), ("api_token", "tok-Csrf12345"), ("region", "")]);
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(server.wait(Duration::from_secs(10)).expect("exits").success());
    assert_eq!(repo.read(&path), "{\n  \"api_token\": \"tok-Csrf12345\"\n}\n");
    assert_eq!(mode(&path), 0o600);
    assert_no_secret(&server.output(), &["tok-Csrf12345", &csrf]);
}

#[test]
fn spec_text_is_escaped_and_pages_forbid_scripts() {
    let repo = Test::with_spec("demo", TOKEN_SPEC);
    let server = FormServer::start(&repo, "demo", &[]);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("&lt;img src=x onerror=alert(1)&gt; the token"), "{}", page.body);
    assert!(!page.body.contains("<img"), "{}", page.body);
    assert!(page.body.contains("name=\"api_token\" type=\"password\""));
    let csp = page.header("content-security-policy").expect("CSP");
    assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"), "{csp}");
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
}

#[test]
fn an_existing_file_is_replaced_only_after_confirmation() {
    let repo = Test::with_spec("demo", TOKEN_SPEC);
    let path = repo.credentials_path("demo");
    repo.write(&path, "{\"api_token\": \"old-Token999\", \"stale\": \"x\"}\n");
    let mut server = FormServer::start(&repo, "demo", &[]);
    let csrf = server.csrf();
    let ask = server.post("/save", &[("csrf_token", &csrf), ("api_token", "new-Token777")]);
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("Replace the existing file?"), "{}", ask.body);
    assert!(ask.body.contains("~ api_token = *** (changed)") && ask.body.contains("- stale"), "{}", ask.body);
    assert!(!ask.body.contains("new-Token777") && !ask.body.contains("old-Token999"), "values are masked");
    assert!(repo.read(&path).contains("old-Token999"), "not written before confirming");
    assert_eq!(server.post("/save/confirm", &[("csrf_token", "wrong")]).status, 403);
    let done = server.post("/save/confirm", &[("csrf_token", &csrf)]);
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("demo&#x2F;configs&#x2F;dev_config.json"), "{}", done.body);
    assert!(done.body.contains("id=\"changes\""), "the saved page lists what changed: {}", done.body);
    assert!(server.wait(Duration::from_secs(10)).expect("exits").success());
    assert_eq!(read_json(&path).get("api_token").map(String::as_str), Some("new-Token777"));
    assert_eq!(mode(&path), 0o600);

    // --yes: no question.
    let mut server = FormServer::start(&repo, "demo", &["--yes"]);
    let csrf = server.csrf();
    let done = server.post("/save", &[("csrf_token", &csrf), ("api_token", "third-Token555")]);
    assert!(done.body.contains("Credentials saved"), "{}", done.body);
    assert!(server.wait(Duration::from_secs(10)).expect("exits").success());
    assert_eq!(read_json(&path).get("api_token").map(String::as_str), Some("third-Token555"));
    // The same values again: nothing to change, and the page says which file.
    let mut server = FormServer::start(&repo, "demo", &[]);
    let csrf = server.csrf();
    let same = server.post("/save", &[("csrf_token", &csrf), ("api_token", "third-Token555")]);
    assert!(same.body.contains("Nothing to change"), "{}", same.body);
    assert!(same.body.contains("demo&#x2F;configs&#x2F;dev_config.json"), "{}", same.body);
    assert!(server.wait(Duration::from_secs(10)).expect("exits").success());
    assert_no_secret(&server.output(), &["new-Token777", "old-Token999", "third-Token555"]);
}

#[test]
fn the_server_stops_at_its_timeout_writing_nothing() {
    let repo = Test::with_spec("demo", TOKEN_SPEC);
    let started = Instant::now();
    let out =
        repo.authgen(["credentials", "demo", "--mode", "browser", "--port", "0", "--no-open", "--timeout", "1"]).run();
    out.assert_code(1);
    out.assert_wrote_nothing();
    assert!(out.stderr.contains("nothing written"));
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(!repo.credentials_path("demo").exists());
}

#[test]
fn a_busy_port_falls_back_to_a_free_one() {
    let busy = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let busy_port = busy.local_addr().unwrap().port();
    let repo = Test::with_spec("demo", TOKEN_SPEC);
    let mut child = repo
        .authgen(["credentials", "demo", "--mode", "browser", "--no-open", "--timeout", "2", "--port"])
        .arg(busy_port.to_string())
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "did not stop at its timeout");
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (common::text(&out.stdout), common::text(&out.stderr));
    assert!(stderr.contains(&format!("port {busy_port} is busy")), "{stderr}");
    assert!(stdout.contains("http://127.0.0.1:") && !stdout.contains(&format!(":{busy_port}/")), "{stdout}");
    drop(busy);
}

#[test]
fn oauth_urls_fill_placeholders_and_form_fields_cannot_change_them() {
    let config = Provider::default();
    let provider = MockProvider::start(config.clone());
    let spec = format!(
        r#"connection:
  parameters:
    - {{name: tenant_id, type: string, required: true}}
  oauth:
    scopes: "read:all offline"
    authorization_url: "https://login.example.com/{{tenant_id}}/authorize"
    token_url: "{}"
"#,
        provider.url("/token")
    );
    let repo = Test::with_spec("tenanted", &spec);
    let server = FormServer::start(&repo, "tenanted", &[]);
    let csrf = server.csrf();
    let base = [("csrf_token", csrf.as_str()), ("client_id", config.client_id.as_str()), ("client_secret", "cs-Xy12")];

    let unfilled = server.post("/oauth/start", &base);
    assert_eq!(unfilled.status, 400);
    assert!(unfilled.body.contains("the authorization URL needs tenant_id: fill it first"), "{}", unfilled.body);

    let with_tenant = [&base[..], &[("tenant_id", "t-42")]].concat();
    let filled = server.post("/oauth/start", &with_tenant);
    assert_eq!(filled.status, 303);
    assert!(
        filled.header("location").unwrap().starts_with("https://login.example.com/t-42/authorize?response_type=code&")
    );

    // Fields naming other URLs or scopes are not the form's to set.
    let steered = [
        &with_tenant[..],
        &[
            ("authgen.authorization_url", "https://evil.example/authorize"),
            ("authgen.token_url", "https://evil.example/token"),
            ("authgen.scopes", "everything"),
            ("authgen.redirect_uri", "https://evil.example/cb"),
            ("redirect_uri", "https://evil.example/cb"),
        ],
    ]
    .concat();
    let kept = server.post("/oauth/start", &steered);
    assert_eq!(kept.status, 303, "{}", kept.body);
    let location = kept.header("location").unwrap();
    assert!(location.starts_with("https://login.example.com/t-42/authorize?response_type=code&"), "{location}");
    assert!(location.contains("scope=read%3Aall%20offline"), "{location}");
    let redirect = common::mock::percent_encode(&format!("http://127.0.0.1:{}/oauth/callback", server.port));
    assert!(location.contains(&format!("redirect_uri={redirect}")), "{location}");
    assert!(!location.contains("evil") && !location.contains("everything"), "{location}");
    // The page shows the spec's URLs as text, with no field to edit them.
    let page = server.get("/");
    assert!(page.body.contains("login.example.com&#x2F;{tenant_id}&#x2F;authorize</code>"), "{}", page.body);
    for name in ["authgen.authorization_url", "authgen.token_url", "authgen.scopes"] {
        assert!(!page.body.contains(&format!("name=\"{name}\"")), "{name} is still a field");
    }
    assert!(page.body.contains("value=\"t-42\""));
    assert!(!page.body.contains("cs-Xy12"), "a secret never goes back into the page");
    assert_no_secret(&server.output(), &["cs-Xy12"]);
}

/// A local process reads the CSRF token like a browser, then tries to have
/// the user's typed client secret sent to its own server.
#[test]
fn a_local_process_cannot_redirect_a_typed_secret() {
    let config = Provider::default();
    let provider = MockProvider::start(config.clone());
    let thief = common::mock::MockApi::start(|_| {
        common::mock::Reply::json(200, serde_json::json!({"access_token": "stolen", "refresh_token": "planted-rt1"}))
    });
    let spec = format!(
        r#"connection:
  parameters:
    - {{name: token_host, type: string, required: true}}
    - {{name: client_id, type: string, required: true}}
    - {{name: client_secret, type: string, required: true, secret: true}}
  oauth:
    scopes: "read:all offline"
    authorization_url: "{}"
    token_url: "http://{{token_host}}/token"
"#,
        provider.url("/authorize")
    );
    let repo = Test::with_spec("steer", &spec);
    let server = FormServer::start(&repo, "steer", &[]);
    let provider_host = format!("127.0.0.1:{}", provider.port);
    let thief_host = format!("127.0.0.1:{}", thief.port());

    // The user types the secret and presses Authorize.
    let csrf = server.csrf();
    let user = server.post(
        "/oauth/start",
        &[
            ("csrf_token", &csrf),
            ("token_host", &provider_host),
            ("client_id", &config.client_id),
            ("client_secret", &config.client_secret),
        ],
    );
    assert_eq!(user.status, 303, "{}", user.body);

    // The other process: its own token URL field, then its own host for the
    // URL's placeholder, each time leaving the secret for authgen to fill in.
    let csrf = server.csrf();
    for fields in [
        vec![("authgen.token_url", format!("{}/token", thief.url())), ("token_host", provider_host.clone())],
        vec![("token_host", thief_host.clone())],
    ] {
        let mut form = vec![
            ("csrf_token", csrf.clone()),
            ("client_id", config.client_id.clone()),
            ("client_secret", String::new()),
        ];
        form.extend(fields);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let started = server.post("/oauth/start", &pairs);
        assert_eq!(started.status, 303, "{}", started.body);
        let location = started.header("location").unwrap();
        let state = location.split("state=").nth(1).unwrap().split('&').next().unwrap();
        // It answers the callback itself with the state it was shown.
        let _ = server.get(&format!("/oauth/callback?code=any-code&state={state}"));
    }
    // The first post left the placeholder as the user had it: the kept secret
    // went, as it should, to the spec's token URL (which did not know the code).
    let at_provider = provider.seen();
    assert_eq!(at_provider.token, 1, "{at_provider:?}");
    assert!(
        !at_provider.problems.iter().any(|p| p.contains("wrong client credentials")),
        "the kept secret was forgotten although nothing moved: {:?}",
        at_provider.problems
    );
    let stolen = thief.received();
    assert!(!stolen.is_empty(), "the placeholder's own host is the spec's to allow: it is asked, without the secret");
    for exchange in stolen {
        let r = &exchange.request;
        let seen = format!("{:?} {:?} {}", r.headers, r.form(), String::from_utf8_lossy(&r.body));
        assert!(!seen.contains(&config.client_secret), "the secret reached the other server: {seen}");
        assert!(!r.form().iter().any(|(k, _)| k == "client_secret"), "{seen}");
    }
    let provider_saw = provider.received();
    assert!(
        provider_saw.iter().all(|e| e.request.path == "/token" || e.request.path == "/authorize"),
        "{provider_saw:?}"
    );
    assert_no_secret(&server.output(), &[&config.client_secret]);
}

#[test]
fn a_forged_state_is_refused_while_a_sign_in_is_pending() {
    let config = Provider::default();
    let (provider, _repo, server) = oauth_form(&config, true);
    let callback = authorize(&server, &provider, &config);
    let real_state = callback.split("state=").nth(1).unwrap().to_string();
    let forged_state = format!("{}x", &real_state[..real_state.len() - 1]);
    for forged in [forged_state.as_str(), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x"] {
        let page = server.get(&format!("/oauth/callback?code=stolen&state={forged}"));
        assert_eq!(page.status, 400, "state {forged:?}: {}", page.body);
        assert!(page.body.contains("State mismatch"), "{}", page.body);
    }
    assert_eq!(provider.seen().token, 0, "a forged state reached the token endpoint");
    // The real answer still works: the forgeries did not use up the sign-in.
    let real = server.get(&callback);
    assert_eq!(real.status, 200, "{}", real.body);
    assert_eq!(provider.seen().token, 1);
}

#[test]
fn an_iss_naming_another_issuer_is_refused() {
    let config = Provider::default();
    let (provider, _repo, server) = oauth_form(&config, true);
    let issuer = provider.url("");
    for wrong in ["https://evil.example", "not a url", &format!("{issuer}1")] {
        let callback = authorize(&server, &provider, &config);
        let page = server.get(&format!("{callback}&iss={}", common::mock::percent_encode(wrong)));
        assert_eq!(page.status, 400, "iss {wrong:?}: {}", page.body);
        assert!(page.body.contains("Issuer mismatch"), "{}", page.body);
    }
    assert_eq!(provider.seen().token, 0, "no code exchanged after a mix-up");
    let callback = authorize(&server, &provider, &config);
    let page = server.get(&format!("{callback}&iss={}", common::mock::percent_encode(&format!("{issuer}/"))));
    assert_eq!(page.status, 200, "the provider's own iss is accepted: {}", page.body);
    assert_eq!(provider.seen().token, 1);
}

/// `count` clients that send a request a byte at a time and never finish.
fn slow_clients(
    port: u16,
    count: usize,
) -> (std::sync::Arc<std::sync::atomic::AtomicBool>, std::thread::JoinHandle<()>) {
    use std::io::Write as _;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut streams: Vec<std::net::TcpStream> =
        (0..count).map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect")).collect();
    let flag = std::sync::Arc::clone(&stop);
    let handle = std::thread::spawn(move || {
        let text = format!("POST /save HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 100\r\n");
        let end = Instant::now() + Duration::from_secs(30);
        let mut at = 0;
        while !flag.load(std::sync::atomic::Ordering::SeqCst) && Instant::now() < end {
            let byte = &text.as_bytes()[at % text.len()..at % text.len() + 1];
            for s in &mut streams {
                let _ = s.write_all(byte);
            }
            at += 1;
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    (stop, handle)
}

#[test]
fn slow_clients_do_not_hold_up_a_real_request() {
    let repo = Test::with_spec("demo", TOKEN_SPEC);
    let server = FormServer::start(&repo, "demo", &[]);
    // 32 as in the report; 100 is past the cap, where the oldest are closed.
    for count in [32, 100] {
        let (stop, trickle) = slow_clients(server.port, count);
        std::thread::sleep(Duration::from_millis(300));
        for _ in 0..3 {
            let started = Instant::now();
            let page = server.get("/");
            let took = started.elapsed();
            assert_eq!(page.status, 200, "with {count} slow clients: {page:?}");
            assert!(took < Duration::from_secs(1), "with {count} slow clients the form took {took:?}");
        }
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        trickle.join().unwrap();
    }
}

/// Past the cap of 64 connections being read, the one reading longest is
/// closed, however many requests have come and gone in between (each
/// finished request forgets only its own connection).
#[test]
fn past_the_cap_the_longest_reading_connection_is_closed() {
    use std::io::{Read as _, Write as _};
    let repo = Test::with_spec("demo", TOKEN_SPEC);
    let server = FormServer::start(&repo, "demo", &[]);
    let open = |n: usize| -> Vec<std::net::TcpStream> {
        (0..n)
            .map(|_| {
                let mut s = std::net::TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
                s.write_all(b"GET / HTTP/1.1\r\n").unwrap();
                s
            })
            .collect()
    };
    let mut first = open(1).remove(0);
    let _rest = open(62);
    std::thread::sleep(Duration::from_millis(300));
    // A whole request comes and goes: 63 are still being read.
    assert_eq!(server.get("/").status, 200);
    // The 64th fits; the 65th closes the oldest, the first.
    let _more = open(2);
    first.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 64];
    let answer = first.read(&mut buf);
    assert!(started.elapsed() < Duration::from_secs(3), "the oldest reader was not closed: {answer:?}");
}

/// A form sent back with a problem keeps the method the user picked.
#[test]
fn a_form_sent_back_keeps_the_picked_method() {
    let repo = Test::with_spec("acme", METHODS_SPEC);
    let server = FormServer::start(&repo, "acme", &[]);
    let csrf = server.csrf();
    let page = server.get("/");
    assert!(
        page.body.contains("id=\"method-0\" value=\"pat\" checked>"),
        "the first is picked at first: {}",
        page.body
    );
    assert!(page.body.contains("id=\"method-1\" value=\"service_principal\">"), "{}", page.body);
    let back = server.post(
        "/save",
        &[
            ("csrf_token", &csrf),
            ("authgen.method", "service_principal"),
            ("organization", "acme"),
            ("tenant_id", "t-1"),
        ],
    );
    assert_eq!(back.status, 400, "{}", back.body);
    assert!(back.body.contains("id=\"method-1\" value=\"service_principal\" checked>"), "{}", back.body);
    assert!(back.body.contains("id=\"method-0\" value=\"pat\">"), "{}", back.body);
}

/// What each field's placeholder says: a secret kept from the file, a
/// refresh token still to get, one received from the provider.
#[test]
fn placeholders_say_what_is_kept_and_what_is_still_to_get() {
    let config = Provider::default();
    let (provider, _repo, server) = oauth_form(&config, true);
    let field = |body: &str, name: &str| -> String {
        let at = body.find(&format!("id=\"field-{name}\"")).unwrap_or_else(|| panic!("no field {name}: {body}"));
        let end = body[at..].find("</div>").map_or(body.len(), |e| at + e);
        body[at..end].to_string()
    };
    // Sent back for want of a client id: what was typed is kept.
    let csrf = server.csrf();
    let back = server.post("/save", &[("csrf_token", &csrf), ("client_secret", "old-Secret77"), ("mailbox", "inbox")]);
    assert_eq!(back.status, 400, "{}", back.body);
    let page = server.get("/").body;
    assert!(field(&page, "client_secret").contains("kept from before (type to replace)"), "{page}");
    assert!(field(&page, "mailbox").contains("value=\"inbox\""), "{page}");
    assert!(!field(&page, "mailbox").contains("kept from before"), "a kept plain value is shown, not hidden");
    assert!(!field(&page, "client_id").contains("placeholder="), "{}", field(&page, "client_id"));
    assert!(field(&page, "refresh_token").contains("press Authorize below to get one, or paste one"), "{page}");
    let callback = authorize(&server, &provider, &config);
    assert_eq!(server.get(&callback).status, 200);
    let page = server.get("/").body;
    assert!(field(&page, "refresh_token").contains("received from the provider (kept until you save)"), "{page}");
}

/// A user who starts a sign-in twice can finish the first one.
#[test]
fn an_earlier_sign_in_still_completes_after_a_second_start() {
    let config = Provider::default();
    let (provider, _repo, server) = oauth_form(&config, true);
    let first = authorize(&server, &provider, &config);
    let _second = authorize(&server, &provider, &config);
    let page = server.get(&first);
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(provider.seen().token, 1);
}

/// A request that is no HTTP gets 400; a connection that sends nothing is
/// closed at the read deadline (10 s) without an answer, as browsers' spare
/// connections are.
#[test]
fn garbage_is_answered_400_and_silence_is_closed_without_an_answer() {
    use std::io::{Read as _, Write as _};
    let repo = Test::with_spec("demo", TOKEN_SPEC);
    let server = FormServer::start(&repo, "demo", &[]);
    let connect = || {
        let s = std::net::TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        s
    };
    let mut garbage = connect();
    garbage.write_all(b"NOT HTTP AT ALL\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = garbage.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer:?}");
    let mut silent = connect();
    let started = Instant::now();
    let mut answer = Vec::new();
    let _ = silent.read_to_end(&mut answer);
    assert!(answer.is_empty(), "{:?}", String::from_utf8_lossy(&answer));
    assert!(started.elapsed() < Duration::from_secs(14), "closed at the deadline: {:?}", started.elapsed());
    assert_eq!(server.get("/").status, 200, "the form still answers");
}

#[test]
fn verify_in_the_form_reports_the_providers_answer() {
    let config = Provider::default();
    let provider = MockProvider::start(config.clone());
    let spec = format!(
        r#"connection:
  parameters:
    - {{name: client_id, type: string, required: true}}
    - {{name: client_secret, type: string, required: true, secret: true}}
  oauth:
    flow: m2m
    scopes: "read:all offline"
    token_url: "{}"
"#,
        provider.url("/token")
    );
    let repo = Test::with_spec("machine", &spec);
    let mut server = FormServer::start(&repo, "machine", &["--verify"]);
    let csrf = server.csrf();
    let page = server.get("/");
    assert!(!page.body.contains("id=\"authorize\""), "no sign-in for m2m");
    let wrong = server
        .post("/save", &[("csrf_token", &csrf), ("client_id", &config.client_id), ("client_secret", "bad-Secret1")]);
    assert_eq!(wrong.status, 400);
    assert!(wrong.body.contains("invalid_client: Client authentication failed."), "{}", wrong.body);
    assert!(!repo.credentials_path("machine").exists());
    let right = server.post(
        "/save",
        &[("csrf_token", &csrf), ("client_id", &config.client_id), ("client_secret", &config.client_secret)],
    );
    assert_eq!(right.status, 200, "{}", right.body);
    assert!(right.body.contains("issued an access token"), "{}", right.body);
    assert!(server.wait(Duration::from_secs(10)).expect("exits").success());
    assert_eq!(provider.seen().client_credentials_ok, 1);
    assert_no_secret(&server.output(), &["bad-Secret1", &config.client_secret, &config.access_token]);
}

/// A key parameter is a textarea: a PEM pasted into it is stored with its
/// own line breaks (not the CRLF a form sends), unchanged.
#[test]
fn a_key_is_pasted_into_a_textarea_and_stored_unchanged() {
    let spec = "connection:\n  parameters:\n    - {name: client_id, type: string, required: true}\n    - {name: private_key_pem, type: string, required: true, secret: true, description: PEM private key.}\n  verification:\n    base_url: https://api.example.com\n    endpoint: /me\n    auth: oauth_client_credentials\n    token_url: https://api.example.com/token\n    client_auth: private_key_jwt\n    private_key: private_key_pem\n";
    let repo = Test::with_spec("keyed", spec);
    let mut server = FormServer::start(&repo, "keyed", &[]);
    let pem = "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA0Z3VS5JJcds3xfn\n/ygWyF8PbnGy0AHB7MhgwMbRvI0MBZhpF8Dbs0bUUPx8MNQOB/qqmWF/TestKey\n-----END PRIVATE KEY-----\n";
    let seen = drive(
        "fields",
        &format!("http://127.0.0.1:{}/", server.port),
        serde_json::json!({"fields": {"client_id": "svc-1", "private_key_pem": pem}}),
    );
    assert_eq!(seen["tags"]["private_key_pem"], "textarea", "{seen}");
    assert_eq!(seen["tags"]["client_id"], "input", "{seen}");
    assert_eq!(seen["heading"], "Credentials saved", "{seen}");
    let status = server.wait(Duration::from_secs(10)).expect("the server exits after saving");
    assert!(status.success(), "{}", server.output());
    let values = read_json(&repo.credentials_path("keyed"));
    assert_eq!(values.get("private_key_pem").map(String::as_str), Some(pem));
    assert!(!values.contains_key("client_secret"), "a signing client has no secret: {values:?}");
    assert_no_secret(&server.output(), &["MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA0Z3VS5JJcds3xfn"]);
}

/// A visible field emptied in a later post is empty, not what an earlier
/// post had in it.
#[test]
fn an_emptied_field_is_left_out_of_the_file() {
    let repo = Test::with_spec("demo", TOKEN_SPEC);
    let mut server = FormServer::start(&repo, "demo", &[]);
    let csrf = server.csrf();
    let first = server.post("/save", &[("csrf_token", &csrf), ("api_token", ""), ("region", "eu-west")]);
    assert_eq!(first.status, 400, "{}", first.body);
    let saved = server.post("/save", &[("csrf_token", &csrf), ("api_token", "tok-Empty123"), ("region", "")]);
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(server.wait(Duration::from_secs(10)).expect("exits").success());
    assert_eq!(read_json(&repo.credentials_path("demo")).keys().collect::<Vec<_>>(), ["api_token"]);
}

/// Below the cap, a new connection never cuts off a request still being sent.
#[test]
fn a_request_being_sent_is_not_cut_off_by_other_connections() {
    use std::io::{Read as _, Write as _};
    let repo = Test::with_spec("demo", TOKEN_SPEC);
    let server = FormServer::start(&repo, "demo", &[]);
    let mut first = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    first.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    first.write_all(format!("GET / HTTP/1.1\r\nHost: {}\r\n", server.host()).as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    for _ in 0..3 {
        assert_eq!(server.get("/").status, 200);
    }
    first.write_all(b"\r\n").unwrap();
    let mut answer = String::new();
    let _ = first.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "the first request was cut off: {answer:?}");
}

/// A page of the form asked with the wrong method is refused as such (405),
/// an unknown path is not found (404); neither reaches a handler.
#[test]
fn a_known_page_with_the_wrong_method_is_405_and_an_unknown_one_404() {
    let repo = Test::with_spec("demo", TOKEN_SPEC);
    let server = FormServer::start(&repo, "demo", &[]);
    for path in ["/save", "/save/confirm", "/oauth/start"] {
        assert_eq!(server.get(path).status, 405, "GET {path}");
    }
    let csrf = server.csrf();
    assert_eq!(server.post("/oauth/callback", &[("csrf_token", &csrf)]).status, 405, "POST /oauth/callback");
    assert_eq!(server.get("/elsewhere").status, 404);
    assert_eq!(server.get("/").status, 200, "the form is still served");
}
