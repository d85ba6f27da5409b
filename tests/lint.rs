//! `authgen lint`: each kind of problem at its `path:line:col`, exit 1 when
//! there is any; clean fixtures and what authgen itself writes pass.

mod common;

use common::{GENERATING, SPEC_DIR, Test};

/// Fixtures whose verification values are test doubles (example.com hosts,
/// hostile quoting): lint rightly calls them doc examples.
const DOUBLES: &[&str] = &["hostile_text", "seedstyle"];

#[test]
fn the_fixture_specs_are_clean() {
    let clean: Vec<&str> = GENERATING.iter().copied().filter(|n| !DOUBLES.contains(n)).collect();
    let repo = Test::with_fixtures(&clean);
    let out = repo.authgen(["lint", "--all"]).run();
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains(&format!("{} spec(s) checked: no problems", clean.len())));
    let repo = Test::with_fixtures(DOUBLES);
    let out = repo.authgen(["lint", "--all", "--format", "json"]).run();
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let rules: Vec<&str> = report["problems"].as_array().unwrap().iter().map(|p| p["rule"].as_str().unwrap()).collect();
    assert!(!rules.is_empty() && rules.iter().all(|r| *r == "doc-example"), "{rules:?}");
}

#[test]
fn doc_examples_in_a_verification_block_are_reported_with_their_line() {
    let spec = "display_name: Ex
connection:
  parameters:
    - {name: token, type: string, required: true, secret: true}
    - {name: project, type: string, required: true}
  verification:
    base_url: https://www.googleapis.com/youtube/v3
    endpoint: /channels
    auth: bearer
    params:
      key: YOUR_API_KEY
      part: snippet
      mine: \"true\"
    method_for: {}
";
    let repo = Test::new();
    repo.write_spec("ex", spec);
    let out = repo.authgen(["lint", "ex"]).run();
    out.assert_code(1);
    let p = format!("{SPEC_DIR}/ex/connector_spec.yaml");
    assert_eq!(
        out.stdout.trim_end(),
        format!(
            "{p}:11:7: connection.verification.params.key: \"YOUR_API_KEY\" is a YOUR_… placeholder of the doc: it would never reach the real API"
        )
    );
    for (value, why) in [
        ("https://dev.azure.com/fabrikam", "a sample name"),
        ("https://<your-domain>.atlassian.net", "a <…> placeholder"),
        ("https://pacs.example.com/dicom-web", "example.com/example.org host"),
        ("https://analyticsdata.googleapis.com/v1beta/properties/123456789", "a sample ID"),
        ("https://api.xxx.io", "an xxx example value"),
    ] {
        repo.write_spec(
            "ex",
            &spec.replace("https://www.googleapis.com/youtube/v3", value).replace("YOUR_API_KEY", "1"),
        );
        let out = repo.authgen(["lint", "ex"]).run();
        out.assert_code(1);
        assert!(
            out.stdout.contains(&format!("{p}:7:5: connection.verification.base_url: ")),
            "{value}: {}",
            out.stdout
        );
        assert!(out.stdout.contains(why), "{value}: {}", out.stdout);
    }
    for (value, why) in [
        ("\"/odata/Entries?$filter=name eq 'x\"", "cut at a quote"),
        ("/{resource}.json/", "cut short"),
        ("\"/users/{{user_id}}\"", "template variable"),
        ("/users/:id", "template variable"),
    ] {
        repo.write_spec("ex", &spec.replace("/channels", value).replace("YOUR_API_KEY", "1"));
        let out = repo.authgen(["lint", "ex"]).run();
        assert!(
            out.stdout.contains(&format!("{p}:8:5: connection.verification.endpoint: ")),
            "{value}: {}",
            out.stdout
        );
        assert!(out.stdout.contains(why), "{value}: {}", out.stdout);
    }
}

const FLAWED: &str = "display_name: Flawed
connection:
  parameters:
    - name: api_key
      type: string
    - name: region
    - name: zone
  auth_methods:
    - name: sp
      parameters:
        - {name: client_secret, secret: true}
        - {name: site}
  oauth:
    flow: u2m
    token_url: https://login.example.com/{tenant}/token
  verification:
    base_url: https://{region}.example.com/{version}
    endpoint: /me
    auth: api_key_query
    query_param: key
    header: X-Key
    credential: apikey
    method_for:
      sp:
        auth: oauth_refresh
        username: someone
";

#[test]
fn every_kind_of_problem_with_its_position() {
    let repo = Test::new();
    repo.write_spec("flawed", FLAWED);
    let out = repo.authgen(["lint", "flawed"]).run();
    out.assert_code(1);
    let p = format!("{SPEC_DIR}/flawed/connector_spec.yaml");
    let expected = [
        format!("{p}:4:7: connection.parameters[0].name: parameter \"api_key\" looks secret but has no `secret: true`"),
        format!(
            "{p}:13:3: connection.oauth.authorization_url: flow u2m needs authorization_url (where the user consents)"
        ),
        format!("{p}:15:5: connection.oauth.token_url: placeholder {{tenant}} names no parameter"),
        format!(
            "{p}:17:5: connection.verification.base_url: \"https://{{region}}.example.com/{{version}}\" is an example.com/example.org host: it would never reach the real API"
        ),
        format!("{p}:17:5: connection.verification.base_url: placeholder {{version}} names no parameter"),
        format!(
            "{p}:21:5: connection.verification.header: `header` means nothing to auth api_key_query: remove it or change the variant"
        ),
        format!("{p}:22:5: connection.verification.credential: credential \"apikey\" names no parameter"),
        format!(
            "{p}:26:9: connection.verification.method_for.sp.username: `username` means nothing to auth oauth_refresh: remove it or change the variant"
        ),
    ];
    let stdout = &out.stdout;
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines, expected.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.stderr.contains("8 problem(s) in 1 spec(s)"));
}

#[test]
fn json_report() {
    let repo = Test::with_fixtures(&["github"]);
    repo.write_spec("flawed", FLAWED);
    let out = repo.authgen(["lint", "--all", "--format", "json"]).run();
    out.assert_code(1);
    let report: serde_json::Value = out.json();
    assert_eq!(report["checked"], 2);
    assert_eq!(report["problems"].as_array().unwrap().len(), 8);
    assert_eq!(report["problems"][0]["line"], 4);
    assert_eq!(report["problems"][0]["col"], 7);
    assert_eq!(report["problems"][0]["key"], "connection.parameters[0].name");
    let rules: Vec<&str> = report["problems"].as_array().unwrap().iter().map(|p| p["rule"].as_str().unwrap()).collect();
    assert_eq!(
        rules,
        [
            "secret-not-marked",
            "oauth-url-missing",
            "unknown-placeholder",
            "doc-example",
            "unknown-placeholder",
            "unused-key",
            "unknown-credential",
            "unused-key"
        ]
    );
}

#[test]
fn oauth_flows_need_their_urls() {
    let repo = Test::new();
    repo.write_spec(
        "m2m",
        "connection:\n  parameters:\n    - {name: client_id}\n    - {name: client_secret, secret: true}\n  oauth:\n    flow: m2m\n    scopes: x\n  verification:\n    base_url: https://x.io\n    endpoint: /me\n",
    );
    repo.write_spec(
        "odd",
        "connection:\n  oauth:\n    flow: u2m_per_user\n    token_url: https://x.io/token\n  verification:\n    base_url: https://x.io\n    endpoint: /me\n    auth: bearr\n",
    );
    let out = repo.authgen(["lint", "m2m", "odd"]).run();
    out.assert_code(1);
    let stdout = &out.stdout;
    assert!(
        stdout.contains("m2m/connector_spec.yaml:5:3: connection.oauth.token_url: flow m2m needs token_url"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "odd/connector_spec.yaml:2:3: connection.oauth.authorization_url: flow u2m_per_user needs authorization_url"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("odd/connector_spec.yaml:8:5: connection.verification.auth: unknown variant \"bearr\""),
        "{stdout}"
    );
}

#[test]
fn a_spec_that_does_not_parse_exits_2_with_its_position() {
    let repo = Test::with_fixtures(&["broken", "github"]);
    let out = repo.authgen(["lint", "--all"]).run();
    out.assert_code(2);
    let stderr = out.stderr;
    assert!(stderr.contains("broken/connector_spec.yaml:6:6: not valid YAML"), "{stderr}");
}

#[test]
fn names_a_source_or_all() {
    let repo = Test::with_fixtures(&["github"]);
    let out = repo.authgen(["lint"]).run();
    out.assert_code(2);
    assert!(out.stderr.contains("name at least one SOURCE, or use --all"));
    let out = repo.authgen(["lint", "nosuch"]).run();
    out.assert_code(2);
    assert!(out.stderr.contains("no connector spec here"), "{}", out.stderr);
}

#[test]
fn what_spec_and_analyze_write_is_clean() {
    let repo = Test::with_fixtures(&["gmail"]);
    let out = repo
        .authgen([
            "spec",
            "newone",
            "--auth",
            "api_key_header",
            "--header",
            "X-Api-Key",
            "--base-url",
            "https://{region}.api.acme.io",
            "--endpoint",
            "/v1/me",
            "--yes",
        ])
        .run();
    out.assert_code(0);
    let out = repo.authgen(["analyze", "gmail", "--write", "--yes"]).run();
    out.assert_code(0);
    let out = repo.authgen(["lint", "newone", "gmail"]).run();
    assert_eq!(out.code, Some(0), "{}", out.stdout);
}

/// Lint knows the keys real connectors need: placeholders may name derived
/// values and defaults (and are looked for in headers, params, prefix, scopes,
/// audience and token_params), a flat spec's methods may live in method_for
/// under select_by, and what those keys name must exist.
#[test]
fn the_new_keys_are_known_and_checked() {
    let clean = "connection:
  parameters:
    - {name: api_key, secret: true}
    - {name: auth_type}
  verification:
    base_url: \"https://{dc}.api.acme.io\"
    endpoint: /me
    select_by: auth_type
    defaults: {auth_type: key, header_name: X-Key}
    derive:
      dc: {from: api_key, after_last: \"-\"}
    method_for:
      key: {auth: api_key_header, header: \"{header_name}\", credential: api_key}
      token: {auth: bearer, credential: api_key}
";
    let repo = Test::new();
    repo.write_spec("clean", clean);
    let out = repo.authgen(["lint", "clean"]).run();
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);

    let flawed = "connection:
  parameters:
    - {name: api_key, secret: true}
  verification:
    base_url: https://api.example.com
    endpoint: /me
    auth: bearer
    select_by: mode
    derive:
      dc: {from: key, after_last: \"-\"}
    headers:
      X-Region: \"{region}\"
    token_params: {audience: x}
";
    repo.write_spec("flawed", flawed);
    let out = repo.authgen(["lint", "flawed"]).run();
    out.assert_code(1);
    let p = format!("{SPEC_DIR}/flawed/connector_spec.yaml");
    for line in [
        format!("{p}:8:5: connection.verification.select_by: select_by \"mode\" names no parameter"),
        format!(
            "{p}:10:12: connection.verification.derive.dc.from: derive.dc takes its value from \"key\", which names no parameter"
        ),
        format!("{p}:12:7: connection.verification.headers.X-Region: placeholder {{region}} names no parameter"),
        format!("{p}:13:20: connection.verification.token_params.audience: `token_params` mean nothing to auth bearer"),
    ] {
        assert!(out.stdout.contains(&line), "expected {line:?} in:\n{}", out.stdout);
    }
}
