//! `generate`, `check`, `diff`, `variants`: each row of the fixtures README,
//! and the command-line contract (diff first, confirmation, atomic writes,
//! exit codes), run as the real binary in temporary connector repos.

mod common;

use std::path::Path;

use common::*;

fn generate(repo: &Test, args: &[&str]) -> Ran {
    repo.authgen(["generate"]).args(args).run()
}

// ---- one test per row of tests/fixtures/README.md ----

#[test]
fn github_bearer_inferred_from_token_with_accept_header_and_show() {
    let repo = Test::with_fixtures(&["github"]);
    let out = generate(&repo, &["github", "--yes"]);
    out.assert_code(0);
    assert!(out.stderr.contains("github: bearer: inferred from parameter 'token'"), "{}", out.stderr);
    let file = repo.read_test("github");
    assert!(file.contains("PREFIX = \"Bearer \"\n"));
    assert!(file.contains("ENDPOINT = \"/user\"\n"));
    assert!(file.contains("HEADERS = {\"Accept\": \"application/vnd.github+json\"}"));
    assert!(file.contains("BASE_URL_PARAM = \"base_url\""), "the base_url parameter overrides");
    assert!(file.contains("SHOW_LABEL = \"login\"\n"));
}

#[test]
fn zendesk_templated_host_and_basic_username_pattern() {
    let repo = Test::with_fixtures(&["zendesk"]);
    generate(&repo, &["zendesk", "--yes"]).assert_code(0);
    let file = repo.read_test("zendesk");
    assert!(file.contains("BASE_URL = \"https://{subdomain}.zendesk.com/api/v2\"\n"));
    assert!(file.contains("USERNAME = \"{email}/token\"\n"));
    assert!(file.contains("PASSWORD = \"{api_token}\"\n"));
    assert!(file.contains("REQUIRED = (\"subdomain\", \"email\", \"api_token\")\n"), "all three required");
}

#[test]
fn shopify_custom_header_without_prefix() {
    let repo = Test::with_fixtures(&["shopify"]);
    generate(&repo, &["shopify", "--yes"]).assert_code(0);
    let file = repo.read_test("shopify");
    assert!(file.contains("HEADER = \"X-Shopify-Access-Token\"\nPREFIX = \"\"\n"));
}

#[test]
fn pagerduty_token_scheme_query_limit_vendor_accept_and_indexed_show() {
    let repo = Test::with_fixtures(&["pagerduty"]);
    generate(&repo, &["pagerduty", "--yes"]).assert_code(0);
    let file = repo.read_test("pagerduty");
    assert!(file.contains("PREFIX = \"Token token=\"\n"));
    assert!(file.contains("\"limit\": \"1\""));
    assert!(file.contains("\"Accept\": \"application/vnd.pagerduty+json;version=2\""));
    assert!(file.contains("SHOW = (\"users\", 0, \"name\")\n"));
}

#[test]
fn openweather_key_in_query_parameter() {
    let repo = Test::with_fixtures(&["openweather"]);
    generate(&repo, &["openweather", "--yes"]).assert_code(0);
    let file = repo.read_test("openweather");
    assert!(file.contains("AUTH = \"api_key_query\"\n"));
    assert!(file.contains("QUERY_PARAM = \"appid\"\n"));
}

#[test]
fn gmail_oauth_block_u2m_becomes_refresh_grant() {
    let repo = Test::with_fixtures(&["gmail"]);
    let out = generate(&repo, &["gmail", "--yes"]);
    out.assert_code(0);
    assert!(out.stderr.contains("gmail: oauth_refresh: inferred from the oauth block (flow u2m)"));
    let file = repo.read_test("gmail");
    assert!(file.contains("GRANT = \"refresh_token\"\n"));
    assert!(file.contains("TOKEN_URL = \"https://oauth2.googleapis.com/token\"\n"));
    assert!(file.contains("REFRESH_TOKEN = \"refresh_token\"\n"));
}

#[test]
fn microsoft_graph_m2m_with_tenant_placeholder_in_token_url() {
    let repo = Test::with_fixtures(&["microsoft_graph"]);
    let out = generate(&repo, &["microsoft_graph", "--yes"]);
    out.assert_code(0);
    assert!(out.stderr.contains("oauth_client_credentials: inferred from the oauth block (flow m2m)"));
    let file = repo.read_test("microsoft_graph");
    assert!(file.contains("TOKEN_URL = \"https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token\"\n"));
    assert!(file.contains("SCOPES = \"https://graph.microsoft.com/.default\"\n"));
    assert!(file.contains("GRANT = \"client_credentials\"\n"));
}

#[test]
fn azure_devops_one_test_with_both_methods() {
    let repo = Test::with_fixtures(&["azure_devops"]);
    let out = generate(&repo, &["azure_devops", "--yes"]);
    out.assert_code(0);
    let notes = out.stderr;
    assert!(notes.contains("azure_devops: method pat: basic: given in connection.verification.method_for.pat.auth"));
    assert!(notes.contains("method service_principal: oauth_client_credentials"));
    let file = repo.read_test("azure_devops");
    assert!(file.contains("name=\"pat\","));
    assert!(file.contains("name=\"service_principal\","));
    assert!(file.contains("username=\"\","));
    assert!(file.contains("\"$top\": \"1\""));
    assert!(file.contains("\"api-version\": \"7.1\""));
}

#[test]
fn dicomweb_methods_none_basic_bearer() {
    let repo = Test::with_fixtures(&["dicomweb"]);
    let out = generate(&repo, &["dicomweb", "--yes"]);
    out.assert_code(0);
    let notes = out.stderr;
    assert!(notes.contains("dicomweb: method none: none"));
    assert!(notes.contains("dicomweb: method basic: basic"));
    assert!(notes.contains("dicomweb: method bearer: bearer"));
}

#[test]
fn stripe_variant_inferred_and_said() {
    let repo = Test::with_fixtures(&["stripe"]);
    let out = generate(&repo, &["stripe", "--yes"]);
    out.assert_code(0);
    assert!(out.stderr.contains("stripe: bearer: inferred from parameter 'secret_key'"));
}

#[test]
fn seedstyle_flat_keys_read_as_verification_block() {
    let repo = Test::with_fixtures(&["seedstyle"]);
    let out = generate(&repo, &["seedstyle", "--yes"]);
    out.assert_code(0);
    assert!(out.stderr.contains("seedstyle: bearer: given in connection.auth_type"));
    let file = repo.read_test("seedstyle");
    assert!(file.contains("BASE_URL = \"https://api.example.com\"\n"));
    assert!(file.contains("ENDPOINT = \"/v1/me\"\n"));
}

#[test]
fn acme_without_verification_block_is_refused_with_what_to_add() {
    let repo = Test::with_fixtures(&["acme"]);
    let out = generate(&repo, &["acme", "--yes"]);
    out.assert_code(2);
    let err = &out.stderr;
    assert!(err.contains("connector_spec.yaml:4:1: connection.verification: no verification block"), "{err}");
    // No API doc: the hint is the command that writes the block.
    assert!(err.contains("endpoint: /me") && err.contains("`authgen spec acme --auth VARIANT"), "{err}");
    assert!(!err.contains("authgen analyze acme --write"), "{err}");
    out.assert_wrote_nothing();
    // With an API doc, analyze can propose the block.
    repo.write(Path::new(SPEC_DIR).join("acme/acme_api_doc.md"), "# Acme\n\nSend `Authorization: Bearer <token>`.\n");
    let out = generate(&repo, &["acme", "--yes"]);
    out.assert_code(2);
    assert!(out.stderr.contains("`authgen analyze acme --write`"), "{}", out.stderr);
}

#[test]
fn broken_yaml_names_file_line_and_column() {
    let repo = Test::with_fixtures(&["broken"]);
    let out = generate(&repo, &["broken", "--yes"]);
    out.assert_code(2);
    let err = &out.stderr;
    assert!(err.contains("sources/broken/connector_spec.yaml:6:6: not valid YAML"), "{err}");
    out.assert_wrote_nothing();
}

#[test]
fn hostile_text_generates_compiles_and_runs_harmlessly() {
    let repo = Test::with_fixtures(&["hostile_text"]);
    let pwned = Path::new("/tmp/authgen-pwned");
    let _ = std::fs::remove_file(pwned);
    generate(&repo, &["hostile_text", "--yes"]).assert_code(0);
    let test = repo.test_path("hostile_text");
    repo.command(python(), ["-m", "py_compile"]).arg(&test).success();
    // Run it against a closed port: one failed request, nothing else.
    let out = repo
        .command(python(), [&test])
        .env("CONNECTOR_TEST_CONFIG_JSON", r#"{"token": "tok-123456"}"#)
        .env("CONNECTOR_TEST_BASE_URL", "http://127.0.0.1:9")
        .run();
    out.assert_code(3);
    assert!(!pwned.exists(), "the hostile spec ran code");
    // And with no credentials at all.
    let out = repo.command(python(), [&test]).run();
    out.assert_code(2);
    assert!(!pwned.exists());
}

#[test]
fn hostile_url_is_refused_naming_the_key() {
    let repo = Test::with_fixtures(&["hostile_url"]);
    let out = generate(&repo, &["hostile_url", "--yes"]);
    out.assert_code(2);
    let err = &out.stderr;
    assert!(
        err.contains("connector_spec.yaml:13:5: connection.verification.base_url: '\"' cannot appear in a URL"),
        "{err}"
    );
    out.assert_wrote_nothing();
}

#[test]
fn hostile_header_is_refused_naming_the_field() {
    let repo = Test::with_fixtures(&["hostile_header"]);
    let out = generate(&repo, &["hostile_header", "--yes"]);
    out.assert_code(2);
    let err = &out.stderr;
    assert!(err.contains("connector_spec.yaml:15:5: connection.verification.header:"), "{err}");
    assert!(err.contains("is not a valid HTTP header name"), "{err}");
    out.assert_wrote_nothing();
}

#[test]
fn missing_spec_is_a_clear_error() {
    let repo = Test::new();
    let out = generate(&repo, &["nosuch", "--yes"]);
    out.assert_code(2);
    assert!(out.stderr.contains("sources/nosuch/connector_spec.yaml: no connector spec here"));
}

// ---- generated code quality: compile, lint and format-check every fixture ----

#[test]
fn every_fixture_compiles_and_is_lint_and_format_clean_for_both_clients() {
    let repo = Test::with_fixtures(GENERATING);
    let out_dir = repo.join("rendered");
    for client in ["requests", "urllib"] {
        let out = generate(&repo, &["--all", "--yes", "--http-client", client]);
        out.assert_code(0);
        for name in GENERATING {
            let rendered = repo.read_test(name);
            assert!(rendered.contains(&format!("# authgen: http-client={client}\n")));
            repo.write(out_dir.join(format!("{name}_{client}.py")), rendered);
        }
    }
    // The shared runtime they import is held to the same rules.
    let runtime = std::fs::read_to_string(repo.join("tests/unit/sources/authgen_runtime.py")).unwrap();
    repo.write(out_dir.join("authgen_runtime.py"), runtime);
    repo.command(python(), ["-m", "compileall", "-q"]).arg(&out_dir).success();
    let lint = repo
        .command(ruff(), ["check", "--no-cache", "--isolated", "--select", "E,F,I", "--line-length", "100"])
        .args(["--target-version", "py310"])
        .arg(&out_dir)
        .run();
    assert_eq!(lint.code, Some(0), "ruff check:\n{}", lint.stdout);
    let format = repo
        .command(ruff(), ["format", "--no-cache", "--isolated", "--check", "--line-length", "100"])
        .args(["--target-version", "py310"])
        .arg(&out_dir)
        .run();
    assert_eq!(format.code, Some(0), "ruff format --check:\n{}", format.stdout);
    let rendered = std::fs::read_dir(&out_dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "py"));
    assert_eq!(rendered.count(), GENERATING.len() * 2 + 1);
}

// ---- the command-line contract ----

#[test]
fn without_terminal_or_yes_a_changed_file_is_not_written() {
    let repo = Test::with_fixtures(&["github"]);
    let out = generate(&repo, &["github"]);
    out.assert_code(1);
    let err = &out.stderr;
    assert!(err.contains("run `authgen generate github --yes` to accept"), "{err}");
    assert!(
        out.stdout.starts_with("--- /dev/null\n+++ b/tests/unit/sources/github/auth_test.py\n"),
        "diff shown first"
    );
    assert!(!repo.test_path("github").exists());
}

#[test]
fn dry_run_shows_the_diff_and_writes_nothing() {
    let repo = Test::with_fixtures(&["github"]);
    let out = generate(&repo, &["github", "--dry-run"]);
    out.assert_code(0);
    assert!(out.stdout.contains("+SOURCE = \"github\""));
    assert!(!repo.test_path("github").exists());
}

#[test]
fn unchanged_file_is_not_touched() {
    let repo = Test::with_fixtures(&["github"]);
    generate(&repo, &["github", "--yes"]).assert_code(0);
    let path = repo.test_path("github");
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    std::fs::File::options().write(true).open(&path).unwrap().set_modified(old).unwrap();
    let out = generate(&repo, &["github", "--yes"]);
    out.assert_code(0);
    assert!(out.stderr.contains("is up to date"));
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), old);
}

#[test]
fn writes_leave_no_temporary_files_and_keep_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let repo = Test::with_fixtures(&["github"]);
    generate(&repo, &["github", "--yes"]).assert_code(0);
    let path = repo.test_path("github");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::fs::write(&path, "stale\n").unwrap();
    generate(&repo, &["github", "--yes"]).assert_code(0);
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
    let names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["auth_test.py".to_string()]);
}

#[test]
fn check_names_missing_and_stale_files_prints_diff_and_exits_1() {
    let repo = Test::with_fixtures(&["github", "stripe", "zendesk"]);
    generate(&repo, &["--all", "--yes"]).assert_code(0);
    // Untouched: passes.
    let out = repo.authgen(["check"]).run();
    out.assert_code(0);
    assert!(out.stderr.contains("3 generated test(s) up to date"));
    // One stale (hand edit), one missing.
    let stripe = repo.test_path("stripe");
    let edited = repo.read(&stripe).replace("DISPLAY_NAME = \"Stripe\"", "DISPLAY_NAME = \"Stripe!\"");
    repo.write(&stripe, edited);
    std::fs::remove_file(repo.test_path("zendesk")).unwrap();
    let out = repo.authgen(["check", "--all"]).run();
    out.assert_code(1);
    let stdout = &out.stdout;
    assert!(stdout.contains("stale: tests/unit/sources/stripe/auth_test.py (stripe)"), "{stdout}");
    assert!(stdout.contains("-DISPLAY_NAME = \"Stripe!\"\n+DISPLAY_NAME = \"Stripe\"\n"), "{stdout}");
    assert!(stdout.contains("missing: tests/unit/sources/zendesk/auth_test.py (zendesk)"), "{stdout}");
    assert!(!stdout.contains("\x1b["), "no colour without a terminal");
    assert!(
        out.stderr.contains("2 of 3 generated test(s) missing or stale: run `authgen generate stripe zendesk --yes`")
    );
    out.assert_wrote_nothing();
}

#[test]
fn check_over_20_stale_sums_up_and_json_lists_them_all() {
    let repo = Test::new();
    let spec = std::fs::read_to_string(common::fixtures_dir().join("github/connector_spec.yaml")).unwrap();
    let names: Vec<String> = (1..=23).map(|i| format!("s{i:02}")).collect();
    for name in &names {
        repo.write_spec(name, &spec);
    }
    let out = repo.authgen(["check", "--all"]).run();
    out.assert_code(1);
    // The first 20 in full, then a summary with the --all command.
    let shown: Vec<&str> =
        out.stdout.lines().filter(|l| l.starts_with("missing: ") && l.contains("/auth_test.py")).collect();
    // The shared runtime they import is one more file, named once.
    assert_eq!(out.stdout.matches("missing: tests/unit/sources/authgen_runtime.py").count(), 1);
    let expected: Vec<String> =
        names[..20].iter().map(|n| format!("missing: {TEST_DIR}/{n}/auth_test.py ({n})")).collect();
    assert_eq!(shown, expected);
    let err = &out.stderr;
    assert!(err.contains("... and 3 more missing or stale file(s), not shown"), "{err}");
    assert!(
        err.contains(&format!(
            "23 of 23 generated test(s) missing or stale (the first 20: {}): run `authgen generate --all --yes` locally",
            names[..20].join(", ")
        )),
        "{err}"
    );
    assert!(!err.contains("s21") && !out.stdout.contains("s21"), "names past the 20th are not listed:\n{err}");
    assert!(err.contains("`authgen check --all --format json` lists every one"), "{err}");

    let out = repo.authgen(["check", "--all", "--format", "json"]).run();
    out.assert_code(1);
    let report = out.json();
    let listed: Vec<&str> = report["files"].as_array().unwrap().iter().map(|f| f["source"].as_str().unwrap()).collect();
    assert_eq!(listed, names.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!((report["checked"].as_u64(), report["missing"].as_u64()), (Some(23), Some(23)));
    assert_eq!(report["ok"], false);

    // Named sources keep the command that names them.
    let mut args = vec!["check".to_string()];
    args.extend(names.iter().cloned());
    let out = repo.authgen(&args).run();
    out.assert_code(1);
    assert!(out.stderr.contains(&format!("run `authgen generate {} --yes`", names.join(" "))), "{}", out.stderr);
}

/// Peak memory (KiB) of `authgen check --all` in a repo of `count` sources
/// with no generated test yet, measured by bench/measure.py.
fn check_all_peak_kib(count: usize) -> f64 {
    let repo = Test::new();
    let spec = std::fs::read_to_string(common::fixtures_dir().join("github/connector_spec.yaml")).unwrap();
    for i in 0..count {
        repo.write_spec(&format!("s{i:04}"), &spec);
    }
    let measure = common::manifest_dir().join("bench/measure.py");
    let out = repo.command(common::python(), [measure.as_os_str()]).args(["1", "--", env!("CARGO_BIN_EXE_authgen")]);
    let out = out.args(["check", "--all"]).run();
    out.assert_code(0);
    let mib =
        out.stdout.split("peak RSS ").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse::<f64>().ok());
    mib.unwrap_or_else(|| panic!("no peak RSS in {}", out.stdout)) * 1024.0
}

#[test]
fn check_all_memory_stays_flat_as_the_repo_grows() {
    let small = check_all_peak_kib(50);
    let large = check_all_peak_kib(1000);
    // Holding every rendered file would add about 10 KiB per source.
    assert!(large < small + 3.0 * 1024.0, "peak {small:.0} KiB at 50 sources, {large:.0} KiB at 1000");
}

#[test]
fn check_json_report() {
    let repo = Test::with_fixtures(&["github", "stripe", "acme", "broken"]);
    generate(&repo, &["github", "--yes"]).assert_code(0);
    let out = repo.authgen(["check", "--all", "--format", "json"]).run();
    out.assert_code(2);
    let report: serde_json::Value = out.json();
    assert_eq!(report["ok"], false);
    assert_eq!(report["checked"], 4);
    let files = report["files"].as_array().unwrap();
    let status = |s: &str| files.iter().find(|f| f["source"] == s).unwrap()["status"].as_str().unwrap().to_string();
    assert_eq!(status("github"), "ok");
    assert_eq!(status("stripe"), "missing");
    assert_eq!(status("acme"), "skipped");
    assert_eq!(status("broken"), "error");
    let stripe = files.iter().find(|f| f["source"] == "stripe").unwrap();
    assert!(stripe["diff"].as_str().unwrap().starts_with("--- /dev/null\n"));
    assert!(files.iter().find(|f| f["source"] == "broken").unwrap()["message"].as_str().unwrap().contains(":6:6:"));
}

#[test]
fn generate_check_flag_is_check() {
    let repo = Test::with_fixtures(&["github"]);
    let out = generate(&repo, &["github", "--check"]);
    out.assert_code(1);
    assert!(out.stdout.contains("missing: tests/unit/sources/github/auth_test.py"));
    assert!(!repo.test_path("github").exists());
}

#[test]
fn diff_shows_what_generate_would_change() {
    let repo = Test::with_fixtures(&["github"]);
    let out = repo.authgen(["diff", "github"]).run();
    out.assert_code(0);
    assert!(out.stdout.contains("+++ b/tests/unit/sources/github/auth_test.py"));
    assert!(!repo.test_path("github").exists());
    generate(&repo, &["github", "--yes"]).assert_code(0);
    let out = repo.authgen(["diff", "github"]).run();
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("github: no changes"));
}

#[test]
fn http_client_is_remembered_from_the_file() {
    let repo = Test::with_fixtures(&["github"]);
    generate(&repo, &["github", "--yes", "--http-client", "urllib"]).assert_code(0);
    assert!(repo.read_test("github").contains("\nHTTP_CLIENT = \"urllib\"\n"));
    repo.authgen(["check"]).run().assert_code(0);
    generate(&repo, &["github", "--yes"]).assert_code(0);
    assert!(repo.read_test("github").contains("\nHTTP_CLIENT = \"urllib\"\n"));
}

#[test]
fn overrides_auth_base_url_endpoint() {
    let repo = Test::with_fixtures(&["github"]);
    let out = generate(
        &repo,
        &[
            "github",
            "--dry-run",
            "--auth",
            "api_key_header",
            "--base-url",
            "https://ghe.example.com/api/v3",
            "--endpoint",
            "/rate_limit",
        ],
    );
    out.assert_code(0);
    let diff = out.stdout;
    assert!(diff.contains("+AUTH = \"api_key_header\"\n"), "{diff}");
    assert!(diff.contains("+BASE_URL = \"https://ghe.example.com/api/v3\"\n"));
    assert!(diff.contains("+ENDPOINT = \"/rate_limit\"\n"));
    assert!(out.stderr.contains("github: api_key_header: given with --auth"));
    let out = generate(&repo, &["github", "--dry-run", "--auth", "magic"]);
    out.assert_code(2);
    assert!(out.stderr.contains("unknown variant \"magic\" (one of: bearer, basic"), "{}", out.stderr);
}

#[test]
fn a_mistyped_source_or_variant_gets_did_you_mean_and_a_bad_flag_is_blamed() {
    let repo = Test::with_fixtures(&["github", "gmail"]);
    let out = generate(&repo, &["github", "--dry-run", "--auth", "beerer"]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("error: --auth beerer: unknown variant \"beerer\"; did you mean bearer?"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("connector_spec.yaml"), "the spec is not to blame: {}", out.stderr);

    let out = generate(&repo, &["githib", "--dry-run"]);
    out.assert_code(2);
    assert!(out.stderr.contains("githib/connector_spec.yaml: no connector spec here"), "{}", out.stderr);
    assert!(out.stderr.contains("did you mean github?"), "{}", out.stderr);
    for args in [
        &["run", "githib"][..],
        &["credentials", "githib"],
        &["commit", "githib"],
        &["lint", "githib"],
        &["setup", "githib"],
        &["analyze", "githib"],
    ] {
        let out = repo.authgen(args).stdin("").run();
        out.assert_code(2);
        assert!(out.stderr.contains("did you mean github?"), "{args:?}: {}", out.stderr);
    }
    let out = generate(&repo, &["zzzzzz", "--dry-run"]);
    out.assert_code(2);
    assert!(!out.stderr.contains("did you mean"), "{}", out.stderr);

    // A spec's own typo is the spec's, at its line.
    let spec = repo.read_spec("github").replace("    endpoint: /user", "    endpoint: /user\n    auth: bearr");
    repo.write_spec("github", &spec);
    let out = generate(&repo, &["github", "--dry-run"]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("connection.verification.auth: unknown variant \"bearr\"; did you mean bearer?"),
        "{}",
        out.stderr
    );
}

#[test]
fn templates_are_overridable_file_by_file() {
    let repo = Test::with_fixtures(&["github"]);
    let custom = repo.write(
        "my_templates/partials/put_header.py.tera",
        "    # custom header code\n    headers[\"X-Custom\"] = \"1\"\n",
    );
    let out = generate(&repo, &["github", "--yes", "--templates", "my_templates"]);
    out.assert_code(0);
    let file = repo.read_test("github");
    assert!(file.contains("    # custom header code\n"));
    assert!(file.contains("CHECK = Check("), "the other templates stay built in");
    // A broken override is a clear error naming the template.
    repo.write(&custom, "{% if %}");
    let out = generate(&repo, &["github", "--yes", "--templates", "my_templates"]);
    out.assert_code(2);
    assert!(out.stderr.contains("put_header.py.tera"), "{}", out.stderr);
}

#[test]
fn pyproject_changes_the_layout() {
    let repo = Test::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.authgen]\nspec = \"connectors/{source}/spec.yaml\"\ntest = \"checks/{source}_auth_test.py\"\n",
    );
    repo.write(
        "connectors/github/spec.yaml",
        std::fs::read(fixtures_dir().join("github/connector_spec.yaml")).unwrap(),
    );
    let out = generate(&repo, &["--all", "--yes"]);
    out.assert_code(0);
    assert!(out.written.iter().any(|w| w == "checks/github_auth_test.py"), "{:?}", out.written);
    let file = repo.read("checks/github_auth_test.py");
    // Loader and credentials paths are relative to the test's directory.
    assert!(
        file.contains("REPO_LOADER = HERE.joinpath(\"..\", \"tests\", \"unit\", \"sources\", \"test_utils.py\")"),
        "{file}"
    );
    assert!(file.contains("RUNTIME = HERE.joinpath(\"..\", \"tests\", \"unit\", \"sources\", \"authgen_runtime.py\")"));
    assert!(repo.join("tests/unit/sources/authgen_runtime.py").is_file());
    // The runtime's place is a layout key too; its file name is the module the tests import.
    repo.write("pyproject.toml", "[tool.authgen]\nspec = \"connectors/{source}/spec.yaml\"\ntest = \"checks/{source}_auth_test.py\"\nruntime = \"checks/shared_check.py\"\n");
    generate(&repo, &["--all", "--yes"]).assert_code(0);
    let file = repo.read("checks/github_auth_test.py");
    assert!(
        file.contains("RUNTIME = HERE.joinpath(\"shared_check.py\")")
            && file.contains("from shared_check import Check")
    );
    assert!(repo.join("checks/shared_check.py").is_file());
    repo.write("pyproject.toml", "[tool.authgen]\nruntime = \"checks/shared-check.py\"\n");
    let out = generate(&repo, &["--all", "--yes"]);
    out.assert_code(2);
    assert!(out.stderr.contains("tool.authgen.runtime: \"checks/shared-check.py\" is not a Python module path"));
    // A bad key in [tool.authgen] is bad input.
    repo.write("pyproject.toml", "[tool.authgen]\nspecs = \"x\"\n");
    let out = generate(&repo, &["--all", "--yes"]);
    out.assert_code(2);
    assert!(out.stderr.contains("pyproject.toml:2:1: tool.authgen: unknown field `specs`"), "{}", out.stderr);
}

#[test]
fn repo_root_is_found_from_a_subdirectory() {
    let repo = Test::with_fixtures(&["github"]);
    let sub = repo.join(SPEC_DIR).join("github");
    repo.authgen(["generate", "github", "--yes"]).current_dir(&sub).success();
    assert!(repo.test_path("github").exists());
}

#[test]
fn a_source_folders_own_pyproject_is_not_the_repo_root() {
    let repo = Test::with_fixtures(&["github"]);
    repo.write("pyproject.toml", "[project]\nname = \"connectors\"\n");
    let sub = repo.join(SPEC_DIR).join("github");
    repo.write(sub.join("pyproject.toml"), "[project]\nname = \"github-source\"\n");
    repo.authgen(["generate", "github", "--yes"]).current_dir(&sub).success();
    assert!(repo.test_path("github").exists());
    assert!(!sub.join(TEST_DIR).exists(), "nothing written under the source folder");

    // Without git, a pyproject.toml with [tool.authgen] marks the root.
    let plain = Test::plain();
    plain.write("pyproject.toml", "[project]\nname = \"connectors\"\n\n[tool.authgen]\nhttp-client = \"urllib\"\n");
    plain.write(Path::new(SPEC_DIR).join("github/pyproject.toml"), "[project]\nname = \"github-source\"\n");
    plain.write(
        Path::new(SPEC_DIR).join("github/connector_spec.yaml"),
        std::fs::read(fixtures_dir().join("github/connector_spec.yaml")).unwrap(),
    );
    plain.authgen(["generate", "github", "--yes"]).current_dir(plain.join(SPEC_DIR).join("github")).success();
    assert!(plain.read(Path::new(TEST_DIR).join("github/auth_test.py")).contains("http-client=urllib"));
}

#[test]
fn non_utf8_spec_and_doc_are_reported_with_line_column_and_byte_offset() {
    let repo = Test::with_fixtures(&["github"]);
    let spec = repo.spec_path("github");
    let mut bytes = std::fs::read(&spec).unwrap();
    // "display_name: GitHub" is line 2; put a Latin-1 byte after "Git".
    let at = bytes.windows(17).position(|w| w == b"display_name: Git").unwrap() + 17;
    let line_start = bytes[..at].iter().rposition(|b| *b == b'\n').unwrap() + 1;
    bytes.insert(at, 0xe9);
    std::fs::write(&spec, &bytes).unwrap();
    let rel = format!("{SPEC_DIR}/github/connector_spec.yaml");
    let want = format!("{rel}:2:{}: not valid UTF-8 (byte offset {at})", at - line_start + 1);
    for args in [&["generate", "github", "--yes"][..], &["lint", "github"], &["credentials", "github"]] {
        let out = repo.authgen(args).stdin("").run();
        out.assert_code(2);
        assert!(out.stderr.contains(&want), "{args:?}: want {want:?} in:\n{}", out.stderr);
    }

    let doc = repo.join(SPEC_DIR).join("github/github_api_doc.md");
    std::fs::write(&doc, b"# GitHub\n\nUse a \xff token.\n").unwrap();
    let out = repo.authgen(["analyze", "github"]).run();
    out.assert_code(2);
    let want = format!("{SPEC_DIR}/github/github_api_doc.md:3:7: not valid UTF-8 (byte offset 16)");
    assert!(out.stderr.contains(&want), "want {want:?} in:\n{}", out.stderr);
}

#[test]
fn variants_lists_every_variant() {
    let out = Test::new().authgen(["variants", "--format", "json"]).current_dir("/").run();
    out.assert_code(0);
    let list: serde_json::Value = out.json();
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "bearer",
            "basic",
            "api_key_header",
            "api_key_query",
            "oauth_refresh",
            "oauth_client_credentials",
            "none",
            "oauth_jwt_bearer",
            "session_login",
            "aws_sigv4"
        ]
    );
}

/// `variants` names the keys real connectors need, per variant and for all.
#[test]
fn variants_name_the_new_keys() {
    let out = Test::new().authgen(["variants"]).current_dir("/").run();
    out.assert_code(0);
    for key in ["select_by", "derive (after_last, before_first, map + default)", "defaults", "expect (json|any)"] {
        assert!(out.stdout.contains(key), "{key} not in:\n{}", out.stdout);
    }
    let cc = out.stdout.lines().skip_while(|l| !l.starts_with("oauth_client_credentials")).nth(1).unwrap_or("");
    assert!(cc.contains("audience, token_params"), "{cc}");
    let list: serde_json::Value = Test::new().authgen(["variants", "--format", "json"]).current_dir("/").run().json();
    assert!(list[0]["common_keys"].as_str().is_some_and(|k| k.contains("select_by")), "{list}");
}

#[test]
fn usage_errors_exit_2() {
    let repo = Test::with_fixtures(&["github"]);
    generate(&repo, &[]).assert_code(2);
    generate(&repo, &["../etc", "--yes"]).assert_code(2);
    generate(&repo, &["github", "--http-client", "curl"]).assert_code(2);
    repo.authgen(["frobnicate"]).run().assert_code(2);
    repo.add_fixture("stripe");
    for extra in [&["--yes"][..], &["--check"]] {
        let out = generate(&repo, &[&["--all", "--endpoint", "/me"][..], extra].concat());
        out.assert_code(2);
        assert!(
            out.stderr.contains("--auth, --base-url and --endpoint apply to one source at a time"),
            "{}",
            out.stderr
        );
    }
}

/// Run authgen under a pseudo-terminal (util-linux `script`), feeding `input`.
fn on_terminal(repo: &Test, args: &str, input: &str, no_color: bool) -> (i32, String) {
    let bin = env!("CARGO_BIN_EXE_authgen");
    let mut cmd = repo.command("script", ["-qec", &format!("{bin} {args}"), "/dev/null"]).stdin(input);
    if no_color {
        cmd = cmd.env("NO_COLOR", "1");
    }
    let out = cmd.run();
    (out.code.unwrap_or(-1), out.stdout)
}

#[test]
fn on_a_terminal_generate_asks_and_colours_unless_no_color() {
    let repo = Test::with_fixtures(&["github"]);
    let (code, out) = on_terminal(&repo, "generate github", "n\n", false);
    assert_eq!(code, 1, "{out}");
    // The test and the shared runtime it imports.
    assert!(out.contains("Write 2 file(s)? [y/N]") && out.contains("nothing written"), "{out}");
    assert!(out.contains("\x1b[32m+SOURCE = \"github\""), "coloured diff on a terminal: {out}");
    assert!(!repo.test_path("github").exists());
    let (code, out) = on_terminal(&repo, "generate github", "y\n", true);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("\x1b["), "NO_COLOR: {out}");
    assert!(repo.test_path("github").exists());
}

#[test]
fn one_bad_named_spec_means_nothing_is_written() {
    let repo = Test::with_fixtures(&["github", "stripe", "broken"]);
    let out = generate(&repo, &["github", "stripe", "broken", "--yes"]);
    out.assert_code(2);
    let err = &out.stderr;
    assert!(err.contains("error: broken:") && err.contains("nothing written: fix the errors above first"), "{err}");
    assert!(!repo.join(TEST_DIR).exists(), "no file written");
    out.assert_wrote_nothing();
}

/// The shared runtime is generated with the tests, checked like them (missing
/// or stale is exit 1 with its diff), and restored by one `generate`.
#[test]
fn the_shared_runtime_is_generated_and_checked_like_the_tests() {
    let repo = Test::with_fixtures(&["github", "stripe"]);
    let runtime = repo.join(TEST_DIR).join("authgen_runtime.py");
    let out = generate(&repo, &["github", "--yes"]);
    out.assert_code(0);
    assert!(out.written.iter().any(|w| w == "tests/unit/sources/authgen_runtime.py"), "{:?}", out.written);
    repo.authgen(["check", "github"]).run().assert_code(0);

    let text = repo.read(&runtime);
    repo.write(&runtime, text.replace("TIMEOUT_S = 10", "TIMEOUT_S = 99"));
    let out = repo.authgen(["check", "github"]).run();
    out.assert_code(1);
    assert!(out.stdout.contains("stale: tests/unit/sources/authgen_runtime.py"), "{}", out.stdout);
    assert!(out.stdout.contains("-TIMEOUT_S = 99\n+TIMEOUT_S = 10\n"), "{}", out.stdout);
    assert!(out.stderr.contains("run `authgen generate github --yes`"), "{}", out.stderr);
    let report: serde_json::Value = repo.authgen(["check", "github", "--format", "json"]).run().json();
    assert_eq!(report["ok"], false);
    assert_eq!(report["runtime"]["status"], "stale");

    std::fs::remove_file(&runtime).unwrap();
    let out = repo.authgen(["check", "github"]).run();
    out.assert_code(1);
    assert!(out.stdout.contains("missing: tests/unit/sources/authgen_runtime.py"), "{}", out.stdout);
    let out = repo.authgen(["diff", "github"]).run();
    assert!(out.stdout.contains("+++ b/tests/unit/sources/authgen_runtime.py"), "{}", out.stdout);

    // Generating any source writes it back.
    generate(&repo, &["stripe", "--yes"]).assert_code(0);
    assert_eq!(repo.read(&runtime), text);
    repo.authgen(["check", "--all"]).run().assert_code(0);
}

#[test]
fn all_writes_every_source_that_renders_and_reports_the_rest() {
    let repo = Test::with_fixtures(&["github", "stripe", "broken", "acme"]);
    let out = generate(&repo, &["--all", "--yes"]);
    out.assert_code(2);
    let err = &out.stderr;
    assert!(err.contains("error: broken:") && err.contains(":6:6:"), "the error names its place: {err}");
    assert!(err.contains("created tests/unit/sources/github/auth_test.py"), "{err}");
    assert!(err.contains("created tests/unit/sources/stripe/auth_test.py"), "{err}");
    assert!(err.contains("1 source(s) not generated: fix the errors above"), "{err}");
    assert!(!err.contains("nothing written"), "{err}");
    // Whole files only: each one written is the full rendering, the broken
    // source has none, and no temporary file is left.
    assert!(!repo.test_path("broken").exists() && !repo.test_path("acme").exists());
    repo.authgen(["check", "github", "stripe"]).run().assert_code(0);
    // The sources' folders (beside them, the shared runtime).
    let mut names: Vec<String> = std::fs::read_dir(repo.join(TEST_DIR))
        .unwrap()
        .map(|d| d.unwrap().path())
        .filter(|d| d.is_dir())
        .flat_map(|d| std::fs::read_dir(d).unwrap())
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["auth_test.py", "auth_test.py"]);
    // Without --yes and a terminal, the command to accept is the --all one.
    std::fs::remove_file(repo.test_path("github")).unwrap();
    let out = generate(&repo, &["--all"]);
    out.assert_code(2);
    assert!(out.stderr.contains("run `authgen generate --all --yes` to accept"), "{}", out.stderr);
    assert!(!repo.test_path("github").exists());
}

/// Characters an HTTP client refuses in a header (Latin-1 only in
/// `http.client`, no leading whitespace in `requests`): refused at generate,
/// with the line, and the character shown escaped, never raw.
#[test]
fn header_values_and_prefixes_an_http_client_refuses_are_refused_at_generate() {
    let bad = [
        ("\u{2028}", "\\u{2028}"),
        ("\u{200F}", "\\u{200f}"),
        ("\u{202E}", "\\u{202e}"),
        ("\u{FEFF}", "\\u{feff}"),
        ("\u{1F600}", "\\u{1f600}"),
        ("\u{E9}", "\\u{e9}"),
    ];
    let base = std::fs::read_to_string(fixtures_dir().join("pagerduty/connector_spec.yaml")).unwrap();
    for (c, shown) in bad {
        for (what, spec, line) in [
            ("header", base.replace("+json;version=2", &format!("+json;version=2{c}")), "19:"),
            ("prefix", base.replace("Token token=", &format!("Token{c} token=")), "15:"),
        ] {
            let repo = Test::with_spec("pagerduty", &spec);
            let out = generate(&repo, &["pagerduty", "--yes"]);
            out.assert_code(2);
            out.assert_wrote_nothing();
            let located = format!("connector_spec.yaml:{line}");
            assert!(out.stderr.contains(&located), "{what} {shown}: {}", out.stderr);
            assert!(out.stderr.contains("HTTP headers carry printable ASCII only"), "{what} {shown}: {}", out.stderr);
            assert!(out.stderr.contains(shown), "{what}: {shown} not named: {}", out.stderr);
            assert!(!out.stderr.contains(c), "{what}: the character printed raw: {}", out.stderr);
        }
    }
    let leading = base.replace("Token token=", " Token token=");
    let repo = Test::with_spec("pagerduty", &leading);
    let out = generate(&repo, &["pagerduty", "--yes"]);
    out.assert_code(2);
    assert!(out.stderr.contains("header value begins with whitespace"), "{}", out.stderr);
    // Printable ASCII, tabs inside included, is fine.
    let repo = Test::with_spec("pagerduty", &base.replace("+json;version=2", "+json;\tversion=2 ~!"));
    generate(&repo, &["pagerduty", "--yes"]).assert_code(0);
}
