//! `authgen credentials --mode cli`: prompts on a terminal (a real
//! pseudo-terminal), scripted input through a pipe, the credentials file,
//! and `--verify` against a mock token endpoint.

mod common;
mod credentials_support;

use common::{Ran, Test};
use credentials_support::{MockProvider, Provider, assert_no_secret, mode, read_json};

/// `authgen credentials SOURCE ARGS` with `input` on a pipe.
fn piped(repo: &Test, source: &str, args: &[&str], input: &str) -> Ran {
    repo.authgen(["credentials", source]).args(args).stdin(input).run()
}

fn map(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn piped_lines_fill_a_flat_spec() {
    let repo = Test::with_fixtures(&["zendesk"]);
    let out = piped(&repo, "zendesk", &[], "acme\nagent@example.com\n  zd-Tok3nValue \n");
    out.assert_code(0);
    let path = repo.credentials_path("zendesk");
    assert_eq!(
        read_json(&path),
        map(&[("subdomain", "acme"), ("email", "agent@example.com"), ("api_token", "zd-Tok3nValue")])
    );
    assert_eq!(mode(&path), 0o600);
    let err = &out.stderr;
    assert!(err.contains("wrote tests/unit/sources/zendesk/configs/dev_config.json (3 values, mode 0600)"), "{err}");
    assert!(err.contains("added /dev_config.json to"), "{err}");
    assert_no_secret(&format!("{err}{}", out.stdout), &["zd-Tok3nValue"]);

    let ignored = repo.git(["check-ignore", "-q", "tests/unit/sources/zendesk/configs/dev_config.json"]).run();
    assert_eq!(ignored.code, Some(0), "git must ignore the credentials file");
    let listing = repo.git(["status", "--porcelain", "--untracked-files=all"]).success().stdout;
    assert!(!listing.contains("dev_config.json"), "{listing}");
}

#[test]
fn required_prompts_come_first_and_what_nothing_uses_is_not_asked() {
    let repo = Test::with_fixtures(&["gmail"]);
    // client_id, client_secret, refresh_token (not in the spec: the oauth block asks for it); the
    // optional user_id is neither read by the check nor required by the spec: not asked.
    let out = piped(&repo, "gmail", &[], "cid.apps\ngm-Secret42\nrt-Refresh77\n");
    out.assert_code(0);
    let err = &out.stderr;
    let order: Vec<usize> = ["client_id (secret):", "client_secret (secret):", "refresh_token (secret):"]
        .iter()
        .map(|p| err.find(p).unwrap_or_else(|| panic!("no prompt {p:?} in:\n{err}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "prompt order {order:?}:\n{err}");
    assert!(err.contains("Required (3):") && !err.contains("Optional"), "{err}");
    assert!(!err.contains("user_id"), "{err}");
    assert!(err.contains("--mode browser` signs in at the provider"), "{err}");
    let values = read_json(&repo.credentials_path("gmail"));
    assert_eq!(
        values,
        map(&[("client_id", "cid.apps"), ("client_secret", "gm-Secret42"), ("refresh_token", "rt-Refresh77")])
    );
    assert_no_secret(err, &["gm-Secret42", "rt-Refresh77"]);
}

/// A parameter the spec requires for the connector but no check method reads
/// is asked for, and said to be for the connector; an optional one the check
/// reads (a derive source) is asked as optional.
#[test]
fn credentials_say_which_values_the_check_uses() {
    let repo = Test::with_fixtures(&["amplitude"]);
    let out = piped(&repo, "amplitude", &[], "amp-key\namp-Secret9\n2024-01-01\nEU\n");
    out.assert_code(0);
    let err = &out.stderr;
    assert!(err.contains("start_date (for the connector, not the check):"), "{err}");
    assert!(err.contains("Required by the connector; the auth check does not use it."), "{err}");
    assert!(err.contains("data_region (optional):"), "{err}");
    assert!(!err.contains("api_key (secret, for the connector"), "{err}");
    let values = read_json(&repo.credentials_path("amplitude"));
    assert_eq!(
        values,
        map(&[
            ("api_key", "amp-key"),
            ("data_region", "EU"),
            ("secret_key", "amp-Secret9"),
            ("start_date", "2024-01-01")
        ])
    );
}

#[test]
fn end_of_input_at_an_optional_prompt_leaves_it_empty() {
    let repo = Test::with_fixtures(&["github"]);
    let out = piped(&repo, "github", &[], "ghp-Tok3nValue\n");
    out.assert_code(0);
    assert!(out.stderr.contains("base_url (optional):"), "{}", out.stderr);
    assert_eq!(read_json(&repo.credentials_path("github")), map(&[("token", "ghp-Tok3nValue")]));
}

#[test]
fn a_non_utf8_credentials_file_is_reported_before_the_first_prompt() {
    let repo = Test::with_fixtures(&["github"]);
    let path = repo.credentials_path("github");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"{\n  \"token\": \"caf\xe9\"\n}\n").unwrap();
    let out = piped(&repo, "github", &["--yes"], "ghp-Tok3nValue\n");
    out.assert_code(2);
    let err = &out.stderr;
    assert!(
        err.contains("tests/unit/sources/github/configs/dev_config.json:2:16: not valid UTF-8 (byte offset 17)"),
        "{err}"
    );
    assert!(!err.contains("token (secret"), "no prompt was shown: {err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"{\n  \"token\": \"caf\xe9\"\n}\n", "left as it was");
}

#[test]
fn auth_methods_ask_only_for_the_chosen_method_and_the_shared_values() {
    let repo = Test::with_fixtures(&["azure_devops"]);
    let out = piped(&repo, "azure_devops", &[], "service_principal\nmy-org\ntenant-9\nclient-9\nsp-Secret99\n");
    out.assert_code(0);
    let err = &out.stderr;
    assert!(!err.contains("personal_access_token"), "the other method's parameter was asked for:\n{err}");
    assert_eq!(
        read_json(&repo.credentials_path("azure_devops")),
        map(&[
            ("organization", "my-org"),
            ("tenant_id", "tenant-9"),
            ("client_id", "client-9"),
            ("client_secret", "sp-Secret99")
        ])
    );

    // By number, the other method.
    let out = piped(&repo, "azure_devops", &["--yes"], "1\nmy-org\npat-Value11\n");
    out.assert_code(0);
    assert_eq!(
        read_json(&repo.credentials_path("azure_devops")),
        map(&[("organization", "my-org"), ("personal_access_token", "pat-Value11")])
    );
    let err = &out.stderr;
    assert!(err.contains("- client_secret") && err.contains("+ personal_access_token = ***"), "{err}");
    assert_no_secret(err, &["pat-Value11", "sp-Secret99"]);

    let out = piped(&repo, "azure_devops", &[], "3\n");
    out.assert_code(2);
    assert!(out.stderr.contains("\"3\" is not one of the methods"), "{}", out.stderr);
}

/// Shared `region`, then one or two methods, each with one secret.
fn methods_spec(methods: usize) -> String {
    let mut spec = String::from(
        "connection:\n  parameters:\n    - {name: region, type: string, required: true}\n  auth_methods:\n",
    );
    for (name, param) in [("api_key", "api_key"), ("bearer", "bearer_token")].iter().take(methods) {
        spec.push_str(&format!(
            "    - name: {name}\n      parameters:\n        - {{name: {param}, type: string, required: true, secret: true}}\n"
        ));
    }
    spec
}

/// One order for piped input whatever the spec's shape: the method line
/// first when the spec has auth_methods (however many), then the values.
#[test]
fn piped_input_has_one_order_for_every_spec_shape() {
    // No methods: the values only.
    let repo = Test::with_spec(
        "flat",
        "connection:\n  parameters:\n    - {name: api_key, type: string, required: true, secret: true}\n",
    );
    piped(&repo, "flat", &[], "flat-Key1234\n").assert_code(0);
    assert_eq!(read_json(&repo.credentials_path("flat")), map(&[("api_key", "flat-Key1234")]));

    // One method: its line comes first too, by number or by name.
    let repo = Test::with_spec("single", &methods_spec(1));
    for (input, key) in
        [("1\neu-west\none-Key1234\n", "one-Key1234"), ("api_key\neu-west\ntwo-Key5678\n", "two-Key5678")]
    {
        let out = piped(&repo, "single", &["--yes"], input);
        out.assert_code(0);
        assert_eq!(read_json(&repo.credentials_path("single")), map(&[("region", "eu-west"), ("api_key", key)]));
        assert!(out.stderr.contains("method [1 or name]:"), "{}", out.stderr);
    }
    // Input written as if there were no method line is refused, not shifted.
    let out = piped(&repo, "single", &["--yes"], "eu-west\nthree-Key999\n");
    out.assert_code(2);
    assert!(out.stderr.contains("standard input line 1: \"eu-west\" is not one of the methods"), "{}", out.stderr);
    assert_eq!(read_json(&repo.credentials_path("single")).get("api_key").map(String::as_str), Some("two-Key5678"));

    // Several methods: the same order.
    let repo = Test::with_spec("double", &methods_spec(2));
    piped(&repo, "double", &[], "2\nus-east\nbearer-Tok42\n").assert_code(0);
    assert_eq!(
        read_json(&repo.credentials_path("double")),
        map(&[("region", "us-east"), ("bearer_token", "bearer-Tok42")])
    );
}

#[test]
fn dash_m_is_short_for_mode() {
    let repo = Test::with_fixtures(&["zendesk"]);
    let out = piped(&repo, "zendesk", &["-m", "cli"], "acme\nagent@example.com\nzd-Tok3nValue\n");
    out.assert_code(0);
    assert_eq!(read_json(&repo.credentials_path("zendesk"))["subdomain"], "acme");
    let out = repo.authgen(["setup", "zendesk", "-m", "nope"]).run();
    out.assert_code(2);
    assert!(out.stderr.contains("invalid value 'nope' for '--mode <MODE>'"), "{}", out.stderr);
}

#[test]
fn an_empty_required_value_or_early_end_of_input_writes_nothing() {
    let repo = Test::with_fixtures(&["zendesk"]);
    let path = repo.credentials_path("zendesk");
    let out = piped(&repo, "zendesk", &[], "acme\n\nzd-Tok3nValue\n");
    out.assert_code(2);
    assert!(out.stderr.contains("line 2: email is required; nothing written"), "{}", out.stderr);
    assert!(!path.exists());

    let out = piped(&repo, "zendesk", &[], "acme\nagent@example.com\n");
    out.assert_code(2);
    assert!(out.stderr.contains("input ended at the prompt for api_token: nothing written"), "{}", out.stderr);
    assert!(!path.exists());
    assert!(!path.parent().unwrap().exists(), "not even the configs directory");
}

#[test]
fn an_existing_file_needs_yes_without_a_terminal() {
    let repo = Test::with_fixtures(&["zendesk"]);
    let path = repo.credentials_path("zendesk");
    let old = "{\"subdomain\": \"acme\", \"email\": \"a@example.com\", \"api_token\": \"old-Tok3n\"}\n";
    repo.write(&path, old);

    let out = piped(&repo, "zendesk", &[], "acme\na@example.com\nnew-Tok3n\n");
    out.assert_code(1);
    let err = &out.stderr;
    assert!(err.contains("~ api_token = *** (changed)"), "{err}");
    assert!(!err.contains("subdomain = ***"), "unchanged keys are not listed:\n{err}");
    assert!(err.contains("pass --yes to replace it (nothing written)"), "{err}");
    assert_eq!(repo.read(&path), old);
    out.assert_wrote_nothing();

    let out = piped(&repo, "zendesk", &["--yes"], "acme\na@example.com\nnew-Tok3n\n");
    out.assert_code(0);
    assert_eq!(read_json(&path).get("api_token").map(String::as_str), Some("new-Tok3n"));
    assert_eq!(mode(&path), 0o600);
    assert_no_secret(&out.stderr, &["new-Tok3n", "old-Tok3n"]);

    // The same values again: the file is left alone.
    let before = std::fs::metadata(&path).unwrap().modified().unwrap();
    let out = piped(&repo, "zendesk", &[], "acme\na@example.com\nnew-Tok3n\n");
    out.assert_code(0);
    assert!(out.stderr.contains("already holds these values: nothing written"));
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), before);
}

#[test]
fn output_flag_and_an_already_ignored_file() {
    let repo = Test::with_fixtures(&["openweather"]);
    repo.write(".gitignore", "dev_config.json\n");
    let out = piped(&repo, "openweather", &[], "ow-Key1234\n");
    out.assert_code(0);
    let path = repo.credentials_path("openweather");
    assert!(path.exists());
    assert!(!path.parent().unwrap().join(".gitignore").exists(), "git already ignores it: no .gitignore added");

    let out = piped(&repo, "openweather", &["--output", "elsewhere/creds.json"], "ow-Key1234\n");
    out.assert_code(0);
    let other = repo.join("elsewhere/creds.json");
    assert_eq!(mode(&other), 0o600);
    assert_eq!(repo.read("elsewhere/.gitignore").lines().last(), Some("/creds.json"));
}

#[test]
fn bad_specs_and_flags_are_refused() {
    let repo = Test::with_fixtures(&["broken", "zendesk"]);
    let out = piped(&repo, "broken", &[], "");
    out.assert_code(2);
    let err = &out.stderr;
    assert!(err.contains("connector_spec.yaml:") && err.contains("not valid YAML"), "{err}");

    let out = piped(&repo, "zendesk", &["--verify"], "");
    out.assert_code(2);
    assert!(out.stderr.contains("--verify"), "{}", out.stderr);

    let out = piped(&repo, "nosuch", &[], "");
    out.assert_code(2);
    assert!(out.stderr.contains("no connector spec here"), "{}", out.stderr);
}

fn m2m_spec(provider: &MockProvider) -> String {
    format!(
        r#"connection:
  parameters:
    - {{name: tenant_id, type: string, required: true}}
    - {{name: client_id, type: string, required: true}}
    - {{name: client_secret, type: string, required: true, secret: true}}
  oauth:
    flow: m2m
    token_url: "http://127.0.0.1:{}/token?tenant={{tenant_id}}"
    scopes: "read:all offline"
"#,
        provider.port
    )
}

#[test]
fn verify_fetches_a_client_credentials_token_before_saving() {
    let config = Provider::default();
    let provider = MockProvider::start(config.clone());
    let repo = Test::with_spec("graphlike", &m2m_spec(&provider));
    let path = repo.credentials_path("graphlike");

    let input = format!("tenant-1\n{}\nwrong-Secret00\n", config.client_id);
    let out = piped(&repo, "graphlike", &["--verify"], &input);
    out.assert_code(1);
    let err = &out.stderr;
    assert!(err.contains("invalid_client: Client authentication failed."), "{err}");
    assert!(err.contains("nothing written"), "{err}");
    assert!(!path.exists());
    assert_no_secret(err, &["wrong-Secret00"]);

    let input = format!("tenant-1\n{}\n{}\n", config.client_id, config.client_secret);
    let out = piped(&repo, "graphlike", &["--verify"], &input);
    out.assert_code(0);
    let err = &out.stderr;
    assert!(
        err.contains(
            "--verify: 127.0.0.1 issued an access token for these client credentials (type Bearer, expires in 3599 s)"
        ),
        "{err}"
    );
    assert_eq!(provider.seen().client_credentials_ok, 1);
    assert!(path.exists());
    assert_no_secret(err, &[&config.client_secret, &config.access_token]);
}

#[test]
fn verify_masks_the_secret_a_provider_echoes_and_only_the_secret() {
    let config = Provider { echo_client: true, ..Provider::default() };
    let provider = MockProvider::start(config.clone());
    let repo = Test::with_spec("graphlike", &m2m_spec(&provider));
    let input = format!("tenant-1\n{}\nwrong-Secret00\n", config.client_id);
    let out = piped(&repo, "graphlike", &["--verify"], &input);
    out.assert_code(1);
    let err = &out.stderr;
    assert!(err.contains(&format!("Client {} with secret *** failed.", config.client_id)), "{err}");
    assert_no_secret(err, &["wrong-Secret00"]);
}

/// Run the terminal driver script; it bounds itself to 20 s.
fn on_terminal(repo: &Test, source: &str, steps: serde_json::Value) -> serde_json::Value {
    let script = common::manifest_dir().join("tests/credentials_support/tty.py");
    let out = repo
        .command(
            common::python(),
            [script.as_os_str(), env!("CARGO_BIN_EXE_authgen").as_ref(), repo.path().as_os_str()],
        )
        .args([source.to_string(), steps.to_string()])
        .run();
    assert_eq!(out.code, Some(0), "terminal driver failed:\n{}\n{}", out.stdout, out.stderr);
    out.json()
}

#[test]
fn on_a_terminal_secrets_are_not_echoed() {
    let repo = Test::with_fixtures(&["zendesk"]);
    let seen = on_terminal(
        &repo,
        "zendesk",
        serde_json::json!([
            ["expect", "subdomain: "],
            ["send", "acme-visible\r"],
            ["expect", "email: "],
            ["send", "\r"],
            ["expect", "email is required"],
            ["expect", "email: "],
            ["send", "agent@example.com\r"],
            ["expect", "api_token (secret, not shown): "],
            ["send", "zd-Hidden9Value\r"],
            ["expect", "mode 0600"],
        ]),
    );
    let screen = seen["screen"].as_str().unwrap();
    assert_eq!(seen["code"], 0, "{screen}");
    assert!(screen.contains("acme-visible"), "typed values are echoed:\n{screen}");
    assert!(!screen.contains("zd-Hidden9Value"), "the secret was echoed:\n{screen}");
    assert_eq!(seen["echo_on_exit"], true);
    assert_eq!(
        read_json(&repo.credentials_path("zendesk")).get("api_token").map(String::as_str),
        Some("zd-Hidden9Value")
    );
}

#[test]
fn ctrl_c_at_a_secret_prompt_writes_nothing_and_restores_echo() {
    let repo = Test::with_fixtures(&["zendesk"]);
    let seen = on_terminal(
        &repo,
        "zendesk",
        serde_json::json!([
            ["expect", "subdomain: "],
            ["send", "acme\r"],
            ["expect", "email: "],
            ["send", "agent@example.com\r"],
            ["expect", "api_token (secret, not shown): "],
            ["send", "half-typed"],
            ["interrupt"],
        ]),
    );
    assert_eq!(seen["code"], -2, "ended by SIGINT: {}", seen["screen"]);
    assert_eq!(seen["echo_on_exit"], true, "the terminal's echo is back on");
    assert!(!repo.credentials_path("zendesk").exists());
}

#[test]
fn a_tracked_credentials_file_is_reported() {
    let repo = Test::with_fixtures(&["openweather"]);
    let path = repo.credentials_path("openweather");
    repo.write(&path, "{}\n");
    repo.git(["add", "-f"]).arg(&path).success();
    let out = piped(&repo, "openweather", &["--yes"], "ow-Key1234\n");
    out.assert_code(0);
    let err = &out.stderr;
    assert!(err.contains("is tracked by git; stop tracking it with `git rm --cached"), "{err}");
    assert_no_secret(err, &["ow-Key1234"]);
}

/// `--verify` sends what the generated check sends: the spec's `audience`
/// (filled from the values), with the client over HTTP Basic.
#[test]
fn verify_sends_the_audience_the_check_sends() {
    let server = common::mock::MockApi::start(|r| {
        let form: std::collections::BTreeMap<String, String> = r.form().into_iter().collect();
        let audience = form.get("audience").map(String::as_str);
        if audience == Some("https://acme.us.auth0.com/api/v2/") && r.header("Authorization").is_some() {
            common::mock::Reply::json(200, serde_json::json!({"access_token": "at-1", "token_type": "Bearer"}))
        } else {
            let body = serde_json::json!({"error": "access_denied", "error_description": "Service not enabled"});
            common::mock::Reply::json(403, body)
        }
    });
    let spec = format!(
        "connection:
  parameters:
    - {{name: domain, required: true}}
    - {{name: client_id, required: true}}
    - {{name: client_secret, required: true, secret: true}}
  oauth:
    flow: m2m
    token_url: \"{}/oauth/token\"
  verification:
    base_url: \"https://{{domain}}/api/v2\"
    endpoint: /clients
    client_auth: basic
    audience: \"https://{{domain}}/api/v2/\"
",
        server.url()
    );
    let repo = Test::with_spec("tenant", &spec);
    let out = piped(&repo, "tenant", &["--verify"], "acme.us.auth0.com\napp-1\nsecret-Value9\n");
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("issued an access token"), "{}", out.stderr);
    assert_eq!(server.received().len(), 1);
    assert_no_secret(&out.stderr, &["secret-Value9"]);
}

/// Bidi controls, zero-width characters and a BOM in spec text are shown
/// escaped on the terminal, like control characters.
#[test]
fn format_characters_in_spec_text_are_escaped_on_the_terminal() {
    let spec = "display_name: \"Acme\u{202E}dlrow\"\nconnection:\n  parameters:\n    - name: api_key\n      type: string\n      required: true\n      secret: true\n      description: \"The key\u{200B} \\uFEFFfrom \u{2067}settings\u{2069} \\e[31mred\"\n";
    let repo = Test::with_spec("acme", spec);
    let out = piped(&repo, "acme", &[], "acme-Key1234\n");
    out.assert_code(0);
    let err = &out.stderr;
    for raw in ['\u{202E}', '\u{200B}', '\u{FEFF}', '\u{2067}', '\u{2069}', '\u{1b}'] {
        assert!(!err.contains(raw), "{raw:?} printed raw:\n{err}");
    }
    for shown in ["Acme\\u{202e}dlrow", "The key\\u{200b} \\u{feff}from \\u{2067}settings\\u{2069} \\u{1b}[31mred"] {
        assert!(err.contains(shown), "no {shown} in:\n{err}");
    }
}
