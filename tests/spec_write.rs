//! `authgen spec`: new specs in the template's shape, merges that keep
//! every comment and line, values that survive quoting, and refusals that
//! write nothing.

mod common;

use common::{GENERATING, Ran, Test};

fn spec_cmd(repo: &Test, args: &[&str]) -> Ran {
    repo.authgen(["spec"]).args(args).run()
}

fn generates(repo: &Test, source: &str) {
    let out = repo.authgen(["generate", source, "--dry-run"]).run();
    assert_eq!(out.code, Some(0), "{source}: {}", out.stderr);
}

/// Every line of `before` is in `after`, in order, except `changed` ones.
fn keeps_lines(before: &str, after: &str, changed: &[&str]) {
    let mut rest = after.lines();
    for line in before.lines().filter(|l| !changed.iter().any(|c| l.trim_start().starts_with(c))) {
        assert!(rest.any(|l| l == line), "line {line:?} lost or moved:\n{after}");
    }
}

#[test]
fn creates_a_new_spec_in_the_template_shape() {
    let repo = Test::new();
    let out = spec_cmd(
        &repo,
        &[
            "zendesk",
            "--auth",
            "basic",
            "--param",
            "subdomain=Your Zendesk subdomain",
            "--param",
            "email",
            "--param",
            "api_token:secret",
            "--base-url",
            "https://{subdomain}.zendesk.com/api/v2",
            "--endpoint",
            "/users/me.json",
            "--username",
            "{email}/token",
            "--password",
            "api_token",
            "--show",
            "user.email",
            "--yes",
        ],
    );
    out.assert_code(0);
    let written = repo.read_spec("zendesk");
    assert_eq!(
        written,
        "display_name: Zendesk
connection:
  parameters:
    - name: subdomain
      type: string
      required: true
      description: Your Zendesk subdomain
    - name: email
      type: string
      required: true
      description: Email.
    - name: api_token
      type: string
      required: true
      secret: true
      description: API token.
  verification:
    base_url: \"https://{subdomain}.zendesk.com/api/v2\"
    endpoint: /users/me.json
    auth: basic
    username: \"{email}/token\"
    password: api_token
    show: user.email
external_options_allowlist: \"\"
"
    );
    assert!(out.stdout.starts_with("--- /dev/null\n+++ b/src/databricks/"), "diff first");
    generates(&repo, "zendesk");
}

#[test]
fn missing_parameters_are_declared_from_placeholders_and_the_variant() {
    let repo = Test::new();
    let out = spec_cmd(
        &repo,
        &["acme", "--auth", "bearer", "--base-url", "https://{tenant}.acme.io/v2", "--endpoint", "/me", "--yes"],
    );
    out.assert_code(0);
    let stderr = out.stderr;
    assert!(stderr.contains("added parameter token (secret) (the bearer credential)"), "{stderr}");
    assert!(stderr.contains("added parameter tenant (named by a {placeholder})"), "{stderr}");
    let written = repo.read_spec("acme");
    assert!(written.contains("    auth: bearer\n    credential: token\n"), "{written}");
    generates(&repo, "acme");
}

/// Each fixture's variant, with the flags it needs.
const MERGES: &[(&str, &[&str])] = &[
    ("github", &["--auth", "bearer"]),
    ("zendesk", &["--auth", "basic"]),
    ("shopify", &["--auth", "api_key_header"]),
    ("pagerduty", &["--auth", "api_key_header"]),
    ("openweather", &["--auth", "api_key_query"]),
    ("gmail", &["--auth", "oauth_refresh"]),
    ("microsoft_graph", &["--auth", "oauth_client_credentials"]),
    ("stripe", &["--auth", "bearer"]),
    ("hostile_text", &["--auth", "bearer"]),
    ("seedstyle", &["--auth", "bearer", "--base-url", "https://api.example.com", "--endpoint", "/v1/me"]),
    ("dicomweb", &["--auth", "none=none", "--auth", "basic", "--auth", "bearer"]),
    ("azure_devops", &["--auth", "pat=basic", "--auth", "service_principal=oauth_client_credentials"]),
    ("mailchimp", &["--auth", "basic"]),
    ("amplitude", &["--auth", "basic"]),
    ("odata", &["--auth", "api_key_header"]),
    ("azure_data_manager_energy", &["--auth", "oauth_client_credentials"]),
    ("auth0", &["--auth", "oauth_client_credentials"]),
    ("smart_fhir", &["--auth", "access_token=bearer", "--credential", "access_token"]),
    // The spec names its service, so no --base-url is needed to find it.
    ("aws_sqs", &["--auth", "aws_sigv4"]),
    ("google_analytics", &["--auth", "oauth_jwt_bearer"]),
    ("smart_backend", &["--auth", "oauth_client_credentials"]),
    ("veeva_vault", &["--auth", "session_login"]),
];

#[test]
fn merging_into_every_fixture_keeps_every_comment_and_line() {
    let names: Vec<&str> = MERGES.iter().map(|(n, _)| *n).collect();
    assert!(GENERATING.iter().all(|g| names.contains(g)), "every generating fixture is covered");
    let repo = Test::with_fixtures(&names);
    for (name, flags) in MERGES {
        let before = repo.read_spec(name);
        let mut args = vec![*name];
        args.extend_from_slice(flags);
        args.extend_from_slice(&["--show", "probe.field", "--verify-header", "X-Probe=1", "--yes"]);
        let out = spec_cmd(&repo, &args);
        assert_eq!(out.code, Some(0), "{name}: {}", out.stderr);
        let after = repo.read_spec(name);
        keeps_lines(&before, &after, &["show:", "X-Note:"]);
        for comment in before.lines().filter(|l| l.trim_start().starts_with('#')) {
            assert!(after.contains(comment), "{name}: comment {comment:?} lost");
        }
        let old: serde_yaml::Value = serde_yaml::from_str(&before).unwrap();
        let new: serde_yaml::Value = serde_yaml::from_str(&after).unwrap();
        assert_eq!(old["display_name"], new["display_name"]);
        assert_eq!(old["external_options_allowlist"], new["external_options_allowlist"]);
        assert_eq!(new["connection"]["verification"]["show"], "probe.field", "{name}");
        assert_eq!(new["connection"]["verification"]["headers"]["X-Probe"], "1", "{name}");
        generates(&repo, name);
    }
}

#[test]
fn values_that_need_quoting_round_trip() {
    let repo = Test::with_fixtures(&["github"]);
    let nasty_show = "a: \"b\" # c \\ 'd' {e} [0]";
    let nasty_param = "#x: y, \"z\"\ttab\\";
    let nasty_description = "Token: see \"docs\" # not a comment\nsecond line";
    let out = spec_cmd(
        &repo,
        &[
            "github",
            "--auth",
            "bearer",
            "--show",
            nasty_show,
            "--verify-param",
            &format!("q={nasty_param}"),
            "--verify-param",
            "yes=no",
            "--param",
            &format!("extra={nasty_description}"),
            "--yes",
        ],
    );
    out.assert_code(0);
    let after = repo.read_spec("github");
    let v: serde_yaml::Value = serde_yaml::from_str(&after).unwrap();
    let ver = &v["connection"]["verification"];
    assert_eq!(ver["show"].as_str(), Some(nasty_show));
    assert_eq!(ver["params"]["q"].as_str(), Some(nasty_param));
    assert_eq!(ver["params"]["yes"].as_str(), Some("no"), "a YAML 1.1 boolean word stays text");
    let extra = v["connection"]["parameters"].as_sequence().unwrap().iter().find(|p| p["name"] == "extra").unwrap();
    assert_eq!(extra["description"].as_str(), Some(nasty_description));
    generates(&repo, "github");
}

#[test]
fn without_a_terminal_nothing_is_written_without_yes() {
    let repo = Test::with_fixtures(&["github"]);
    let before = repo.read_spec("github");
    let out = spec_cmd(&repo, &["github", "--auth", "bearer", "--prefix", "Bearer "]);
    out.assert_code(1);
    assert!(out.stdout.contains("+    auth: bearer\n"), "the diff is shown: {}", out.stdout);
    assert!(
        out.stderr.contains("run `authgen spec github --auth bearer --prefix 'Bearer ' --yes` to accept"),
        "{}",
        out.stderr
    );
    assert_eq!(repo.read_spec("github"), before);
    out.assert_wrote_nothing();
    let out = spec_cmd(&repo, &["newone", "--auth", "bearer", "--base-url", "https://x.io", "--endpoint", "/me"]);
    out.assert_code(1);
    assert!(!repo.spec_path("newone").exists());
    out.assert_wrote_nothing();
}

#[test]
fn dry_run_and_unchanged_write_nothing() {
    let repo = Test::with_fixtures(&["zendesk"]);
    let before = repo.read_spec("zendesk");
    let out = spec_cmd(&repo, &["zendesk", "--auth", "basic", "--show", "user.id", "--dry-run"]);
    out.assert_code(0);
    assert!(out.stdout.contains("-    show: user.email\n+    show: user.id\n"), "{}", out.stdout);
    assert_eq!(repo.read_spec("zendesk"), before);
    out.assert_wrote_nothing();
    let out = spec_cmd(&repo, &["zendesk", "--auth", "basic", "--yes"]);
    out.assert_code(0);
    assert!(out.stderr.contains("already holds all of this"), "{}", out.stderr);
    assert_eq!(repo.read_spec("zendesk"), before);
    out.assert_wrote_nothing();
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let repo = Test::with_fixtures(&["github"]);
    let before = repo.read_spec("github");
    let cases: &[(&[&str], &str)] = &[
        (&["github", "--auth", "magic"], "unknown variant \"magic\""),
        (&["github", "--auth", "api_key_header"], "api_key_header needs --header NAME"),
        (&["github", "--auth", "api_key_query"], "api_key_query needs --query-param NAME"),
        (&["github", "--auth", "oauth_refresh"], "oauth_refresh needs --token-url URL"),
        (&["github", "--auth", "bearer", "--param", "bad-name"], "is not a parameter name"),
        (&["github", "--auth", "bearer", "--verify-header", "X-A: b\r\nX-B: c"], "control character, \\r (U+000D)"),
        (&["github", "--auth", "bearer", "--verify-header", "X A=b"], "not a valid HTTP header name"),
        (&["github", "--auth", "bearer", "--base-url", "https://x/a b"], "would not generate"),
    ];
    for (args, message) in cases {
        let out = spec_cmd(&repo, args);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(message), "{args:?}: {}", out.stderr);
        assert_eq!(repo.read_spec("github"), before, "{args:?}");
        out.assert_wrote_nothing();
    }
    // A new spec that could not generate (no endpoint) is not created.
    let out = spec_cmd(&repo, &["fresh", "--auth", "bearer", "--yes"]);
    out.assert_code(2);
    let stderr = &out.stderr;
    assert!(stderr.contains("connection.verification"), "{stderr}");
    assert!(stderr.contains("the spec would not generate"), "{stderr}");
    assert!(!repo.spec_path("fresh").exists());
    out.assert_wrote_nothing();
}

#[test]
fn several_auth_methods_write_auth_methods_and_method_for() {
    let repo = Test::new();
    let out = spec_cmd(
        &repo,
        &[
            "devops",
            "--auth",
            "pat=basic",
            "--auth",
            "sp=oauth_client_credentials",
            "--param",
            "organization",
            "--param",
            "personal_access_token:secret@pat",
            "--param",
            "tenant_id@sp",
            "--username",
            "",
            "--password",
            "personal_access_token",
            "--token-url",
            "https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token",
            "--scopes",
            "499b84ac-1321-427f-aa17-267ca6975798/.default",
            "--base-url",
            "https://dev.azure.com/{organization}",
            "--endpoint",
            "/_apis/projects",
            "--verify-param",
            "api-version=7.1",
            "--verify-param",
            "$top=1",
            "--yes",
        ],
    );
    out.assert_code(0);
    let v: serde_yaml::Value = serde_yaml::from_str(&repo.read_spec("devops")).unwrap();
    let conn = &v["connection"];
    let methods: Vec<&str> =
        conn["auth_methods"].as_sequence().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(methods, ["pat", "sp"]);
    let sp_params: Vec<&str> = conn["auth_methods"][1]["parameters"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(sp_params, ["tenant_id", "client_id", "client_secret"]);
    assert_eq!(conn["oauth"]["flow"], "m2m");
    assert_eq!(conn["verification"]["method_for"]["pat"]["username"], "");
    assert_eq!(conn["verification"]["method_for"]["sp"]["auth"], "oauth_client_credentials");
    assert_eq!(conn["verification"]["params"]["api-version"], "7.1");
    assert_eq!(conn["verification"]["params"]["$top"], 1);
    generates(&repo, "devops");
}

#[test]
fn secret_flag_is_added_to_an_existing_parameter() {
    let repo = Test::new();
    let before = "# hand-written\ndisplay_name: Plain\nconnection:\n  parameters:\n    - name: api_key   # from the console\n      type: string\n      description: >\n        The key.\n\n  verification:\n    base_url: https://api.plain.io\n    endpoint: /me\n";
    repo.write_spec("plain", before);
    let out = spec_cmd(&repo, &["plain", "--auth", "bearer", "--param", "api_key:secret", "--yes"]);
    out.assert_code(0);
    let after = repo.read_spec("plain");
    assert_eq!(
        after,
        "# hand-written\ndisplay_name: Plain\nconnection:\n  parameters:\n    - name: api_key   # from the console\n      type: string\n      description: >\n        The key.\n      secret: true\n\n  verification:\n    base_url: https://api.plain.io\n    endpoint: /me\n    auth: bearer\n    credential: api_key\n"
    );
    generates(&repo, "plain");
}

/// A flat spec that keeps its methods in method_for, chosen by select_by: a
/// named method is merged there, its parameter joins the flat list, and no
/// auth_methods list appears (that would change the connection's shape).
#[test]
fn a_named_method_merges_into_a_flat_select_by_spec() {
    let repo = Test::with_fixtures(&["smart_fhir"]);
    let before = repo.read_spec("smart_fhir");
    let out = spec_cmd(
        &repo,
        &[
            "smart_fhir",
            "--auth",
            "api_key=api_key_header",
            "--header",
            "X-API-Key",
            "--credential",
            "api_key",
            "--param",
            "api_key:secret=Gateway key.",
            "--yes",
        ],
    );
    out.assert_code(0);
    let after = repo.read_spec("smart_fhir");
    assert!(!after.contains("auth_methods"), "{after}");
    assert!(
        after.contains(
            "      api_key:\n        auth: api_key_header\n        credential: api_key\n        header: X-API-Key\n"
        ),
        "{after}"
    );
    assert!(
        after.contains("    - name: api_key\n      type: string\n      required: true\n      secret: true\n"),
        "{after}"
    );
    keeps_lines(&before, &after, &[]);
    repo.authgen(["generate", "smart_fhir", "--yes"]).success();
    let test = repo.read_test("smart_fhir");
    assert!(test.contains("name=\"api_key\"") && test.contains("SELECT_BY = \"auth_type\""), "{test}");
}
