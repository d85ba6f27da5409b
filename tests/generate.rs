//! `generate`, `check`, `diff`, `variants`: each row of the fixtures README,
//! and the command-line contract (diff first, confirmation, atomic writes,
//! exit codes), run as the real binary in temporary connector repos.

mod common;

use std::path::Path;

use common::*;

fn generate(dir: &Path, args: &[&str]) -> std::process::Output {
    run(authgen(dir).arg("generate").args(args))
}

fn assert_code(out: &std::process::Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit code\nstdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

fn files_under(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

// ---- one test per row of tests/fixtures/README.md ----

#[test]
fn github_bearer_inferred_from_token_with_accept_header_and_show() {
    let repo = fixture_repo(&["github"]);
    let out = generate(repo.path(), &["github", "--yes"]);
    assert_code(&out, 0);
    assert!(text(&out.stderr).contains("github: bearer: inferred from parameter 'token'"), "{}", text(&out.stderr));
    let file = std::fs::read_to_string(test_path(repo.path(), "github")).unwrap();
    assert!(file.contains("PREFIX = \"Bearer \"\n"));
    assert!(file.contains("ENDPOINT = \"/user\"\n"));
    assert!(file.contains("HEADERS = {\"Accept\": \"application/vnd.github+json\"}"));
    assert!(file.contains("BASE_URL_PARAM = \"base_url\""), "the base_url parameter overrides");
    assert!(file.contains("SHOW_LABEL = \"login\"\n"));
}

#[test]
fn zendesk_templated_host_and_basic_username_pattern() {
    let repo = fixture_repo(&["zendesk"]);
    assert_code(&generate(repo.path(), &["zendesk", "--yes"]), 0);
    let file = std::fs::read_to_string(test_path(repo.path(), "zendesk")).unwrap();
    assert!(file.contains("BASE_URL = \"https://{subdomain}.zendesk.com/api/v2\"\n"));
    assert!(file.contains("USERNAME = \"{email}/token\"\n"));
    assert!(file.contains("PASSWORD = \"{api_token}\"\n"));
    assert!(file.contains("REQUIRED = (\"subdomain\", \"email\", \"api_token\")\n"), "all three required");
}

#[test]
fn shopify_custom_header_without_prefix() {
    let repo = fixture_repo(&["shopify"]);
    assert_code(&generate(repo.path(), &["shopify", "--yes"]), 0);
    let file = std::fs::read_to_string(test_path(repo.path(), "shopify")).unwrap();
    assert!(file.contains("HEADER = \"X-Shopify-Access-Token\"\nPREFIX = \"\"\n"));
}

#[test]
fn pagerduty_token_scheme_query_limit_vendor_accept_and_indexed_show() {
    let repo = fixture_repo(&["pagerduty"]);
    assert_code(&generate(repo.path(), &["pagerduty", "--yes"]), 0);
    let file = std::fs::read_to_string(test_path(repo.path(), "pagerduty")).unwrap();
    assert!(file.contains("PREFIX = \"Token token=\"\n"));
    assert!(file.contains("\"limit\": \"1\""));
    assert!(file.contains("\"Accept\": \"application/vnd.pagerduty+json;version=2\""));
    assert!(file.contains("SHOW = (\"users\", 0, \"name\")\n"));
}

#[test]
fn openweather_key_in_query_parameter() {
    let repo = fixture_repo(&["openweather"]);
    assert_code(&generate(repo.path(), &["openweather", "--yes"]), 0);
    let file = std::fs::read_to_string(test_path(repo.path(), "openweather")).unwrap();
    assert!(file.contains("AUTH = \"api_key_query\"\n"));
    assert!(file.contains("QUERY_PARAM = \"appid\"\n"));
}

#[test]
fn gmail_oauth_block_u2m_becomes_refresh_grant() {
    let repo = fixture_repo(&["gmail"]);
    let out = generate(repo.path(), &["gmail", "--yes"]);
    assert_code(&out, 0);
    assert!(text(&out.stderr).contains("gmail: oauth_refresh: inferred from the oauth block (flow u2m)"));
    let file = std::fs::read_to_string(test_path(repo.path(), "gmail")).unwrap();
    assert!(file.contains("GRANT = \"refresh_token\"\n"));
    assert!(file.contains("TOKEN_URL = \"https://oauth2.googleapis.com/token\"\n"));
    assert!(file.contains("REFRESH_TOKEN = \"refresh_token\"\n"));
}

#[test]
fn microsoft_graph_m2m_with_tenant_placeholder_in_token_url() {
    let repo = fixture_repo(&["microsoft_graph"]);
    let out = generate(repo.path(), &["microsoft_graph", "--yes"]);
    assert_code(&out, 0);
    assert!(text(&out.stderr).contains("oauth_client_credentials: inferred from the oauth block (flow m2m)"));
    let file = std::fs::read_to_string(test_path(repo.path(), "microsoft_graph")).unwrap();
    assert!(file.contains("TOKEN_URL = \"https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token\"\n"));
    assert!(file.contains("SCOPES = \"https://graph.microsoft.com/.default\"\n"));
    assert!(file.contains("GRANT = \"client_credentials\"\n"));
}

#[test]
fn azure_devops_one_test_with_both_methods() {
    let repo = fixture_repo(&["azure_devops"]);
    let out = generate(repo.path(), &["azure_devops", "--yes"]);
    assert_code(&out, 0);
    let notes = text(&out.stderr);
    assert!(notes.contains("azure_devops: method pat: basic: given in connection.verification.method_for.pat.auth"));
    assert!(notes.contains("method service_principal: oauth_client_credentials"));
    let file = std::fs::read_to_string(test_path(repo.path(), "azure_devops")).unwrap();
    assert!(file.contains("name=\"pat\","));
    assert!(file.contains("name=\"service_principal\","));
    assert!(file.contains("username=\"\","));
    assert!(file.contains("\"$top\": \"1\""));
    assert!(file.contains("\"api-version\": \"7.1\""));
}

#[test]
fn dicomweb_methods_none_basic_bearer() {
    let repo = fixture_repo(&["dicomweb"]);
    let out = generate(repo.path(), &["dicomweb", "--yes"]);
    assert_code(&out, 0);
    let notes = text(&out.stderr);
    assert!(notes.contains("dicomweb: method none: none"));
    assert!(notes.contains("dicomweb: method basic: basic"));
    assert!(notes.contains("dicomweb: method bearer: bearer"));
}

#[test]
fn stripe_variant_inferred_and_said() {
    let repo = fixture_repo(&["stripe"]);
    let out = generate(repo.path(), &["stripe", "--yes"]);
    assert_code(&out, 0);
    assert!(text(&out.stderr).contains("stripe: bearer: inferred from parameter 'secret_key'"));
}

#[test]
fn seedstyle_flat_keys_read_as_verification_block() {
    let repo = fixture_repo(&["seedstyle"]);
    let out = generate(repo.path(), &["seedstyle", "--yes"]);
    assert_code(&out, 0);
    assert!(text(&out.stderr).contains("seedstyle: bearer: given in connection.auth_type"));
    let file = std::fs::read_to_string(test_path(repo.path(), "seedstyle")).unwrap();
    assert!(file.contains("BASE_URL = \"https://api.example.com\"\n"));
    assert!(file.contains("ENDPOINT = \"/v1/me\"\n"));
}

#[test]
fn acme_without_verification_block_is_refused_with_what_to_add() {
    let repo = fixture_repo(&["acme"]);
    let before = files_under(repo.path());
    let out = generate(repo.path(), &["acme", "--yes"]);
    assert_code(&out, 2);
    let err = text(&out.stderr);
    assert!(err.contains("connector_spec.yaml:4:1: connection.verification: no verification block"), "{err}");
    assert!(err.contains("endpoint: /me") && err.contains("authgen analyze acme --write"), "{err}");
    assert_eq!(files_under(repo.path()), before, "nothing written");
}

#[test]
fn broken_yaml_names_file_line_and_column() {
    let repo = fixture_repo(&["broken"]);
    let before = files_under(repo.path());
    let out = generate(repo.path(), &["broken", "--yes"]);
    assert_code(&out, 2);
    let err = text(&out.stderr);
    assert!(err.contains("sources/broken/connector_spec.yaml:6:6: not valid YAML"), "{err}");
    assert_eq!(files_under(repo.path()), before);
}

#[test]
fn hostile_text_generates_compiles_and_runs_harmlessly() {
    let repo = fixture_repo(&["hostile_text"]);
    let pwned = Path::new("/tmp/authgen-pwned");
    let _ = std::fs::remove_file(pwned);
    assert_code(&generate(repo.path(), &["hostile_text", "--yes"]), 0);
    let test = test_path(repo.path(), "hostile_text");
    let compiled = run(std::process::Command::new(python()).args(["-m", "py_compile"]).arg(&test));
    assert!(compiled.status.success(), "{}", text(&compiled.stderr));
    // Run it against a closed port: one failed request, nothing else.
    let out = run(std::process::Command::new(python())
        .arg(&test)
        .env("CONNECTOR_TEST_CONFIG_JSON", r#"{"token": "tok-123456"}"#)
        .env("CONNECTOR_TEST_BASE_URL", "http://127.0.0.1:9"));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(!pwned.exists(), "the hostile spec ran code");
    // And with no credentials at all.
    let out = run(std::process::Command::new(python()).arg(&test));
    assert_eq!(out.status.code(), Some(2));
    assert!(!pwned.exists());
}

#[test]
fn hostile_url_is_refused_naming_the_key() {
    let repo = fixture_repo(&["hostile_url"]);
    let before = files_under(repo.path());
    let out = generate(repo.path(), &["hostile_url", "--yes"]);
    assert_code(&out, 2);
    let err = text(&out.stderr);
    assert!(
        err.contains("connector_spec.yaml:13:5: connection.verification.base_url: '\"' cannot appear in a URL"),
        "{err}"
    );
    assert_eq!(files_under(repo.path()), before);
}

#[test]
fn hostile_header_is_refused_naming_the_field() {
    let repo = fixture_repo(&["hostile_header"]);
    let before = files_under(repo.path());
    let out = generate(repo.path(), &["hostile_header", "--yes"]);
    assert_code(&out, 2);
    let err = text(&out.stderr);
    assert!(err.contains("connector_spec.yaml:15:5: connection.verification.header:"), "{err}");
    assert!(err.contains("is not a valid HTTP header name"), "{err}");
    assert_eq!(files_under(repo.path()), before);
}

#[test]
fn missing_spec_is_a_clear_error() {
    let repo = fixture_repo(&[]);
    let out = generate(repo.path(), &["nosuch", "--yes"]);
    assert_code(&out, 2);
    assert!(text(&out.stderr).contains("sources/nosuch/connector_spec.yaml: no connector spec here"));
}

// ---- generated code quality: compile, lint and format-check every fixture ----

#[test]
fn every_fixture_compiles_and_is_lint_and_format_clean_for_both_clients() {
    let repo = fixture_repo(GENERATING);
    let out_dir = repo.path().join("rendered");
    std::fs::create_dir_all(&out_dir).unwrap();
    for client in ["requests", "urllib"] {
        let out = generate(repo.path(), &["--all", "--yes", "--http-client", client]);
        assert_code(&out, 0);
        for name in GENERATING {
            let rendered = std::fs::read_to_string(test_path(repo.path(), name)).unwrap();
            assert!(rendered.contains(&format!("# authgen: http-client={client}\n")));
            std::fs::write(out_dir.join(format!("{name}_{client}.py")), rendered).unwrap();
        }
    }
    let compiled = run(std::process::Command::new(python()).args(["-m", "compileall", "-q"]).arg(&out_dir));
    assert!(compiled.status.success(), "{}{}", text(&compiled.stdout), text(&compiled.stderr));
    let lint = run(std::process::Command::new(ruff())
        .args([
            "check",
            "--no-cache",
            "--isolated",
            "--select",
            "E,F,I",
            "--line-length",
            "100",
            "--target-version",
            "py310",
        ])
        .arg(&out_dir));
    assert!(lint.status.success(), "ruff check:\n{}", text(&lint.stdout));
    let format = run(std::process::Command::new(ruff())
        .args(["format", "--no-cache", "--isolated", "--check", "--line-length", "100", "--target-version", "py310"])
        .arg(&out_dir));
    assert!(format.status.success(), "ruff format --check:\n{}", text(&format.stdout));
    let rendered = std::fs::read_dir(&out_dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "py"));
    assert_eq!(rendered.count(), GENERATING.len() * 2);
}

// ---- the command-line contract ----

#[test]
fn without_terminal_or_yes_a_changed_file_is_not_written() {
    let repo = fixture_repo(&["github"]);
    let out = generate(repo.path(), &["github"]);
    assert_code(&out, 1);
    let err = text(&out.stderr);
    assert!(err.contains("run `authgen generate github --yes` to accept"), "{err}");
    assert!(
        text(&out.stdout).starts_with("--- /dev/null\n+++ b/tests/unit/sources/github/auth_test.py\n"),
        "diff shown first"
    );
    assert!(!test_path(repo.path(), "github").exists());
}

#[test]
fn dry_run_shows_the_diff_and_writes_nothing() {
    let repo = fixture_repo(&["github"]);
    let out = generate(repo.path(), &["github", "--dry-run"]);
    assert_code(&out, 0);
    assert!(text(&out.stdout).contains("+SOURCE = \"github\""));
    assert!(!test_path(repo.path(), "github").exists());
}

#[test]
fn unchanged_file_is_not_touched() {
    let repo = fixture_repo(&["github"]);
    assert_code(&generate(repo.path(), &["github", "--yes"]), 0);
    let path = test_path(repo.path(), "github");
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    std::fs::File::options().write(true).open(&path).unwrap().set_modified(old).unwrap();
    let out = generate(repo.path(), &["github", "--yes"]);
    assert_code(&out, 0);
    assert!(text(&out.stderr).contains("is up to date"));
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), old);
}

#[test]
fn writes_leave_no_temporary_files_and_keep_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let repo = fixture_repo(&["github"]);
    assert_code(&generate(repo.path(), &["github", "--yes"]), 0);
    let path = test_path(repo.path(), "github");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::fs::write(&path, "stale\n").unwrap();
    assert_code(&generate(repo.path(), &["github", "--yes"]), 0);
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
    let names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["auth_test.py".to_string()]);
}

#[test]
fn check_names_missing_and_stale_files_prints_diff_and_exits_1() {
    let repo = fixture_repo(&["github", "stripe", "zendesk"]);
    assert_code(&generate(repo.path(), &["--all", "--yes"]), 0);
    // Untouched: passes.
    let out = run(authgen(repo.path()).arg("check"));
    assert_code(&out, 0);
    assert!(text(&out.stderr).contains("3 generated test(s) up to date"));
    // One stale (hand edit), one missing.
    let stripe = test_path(repo.path(), "stripe");
    let edited = std::fs::read_to_string(&stripe).unwrap().replace("TIMEOUT_S = 10", "TIMEOUT_S = 99");
    std::fs::write(&stripe, edited).unwrap();
    std::fs::remove_file(test_path(repo.path(), "zendesk")).unwrap();
    let before = files_under(repo.path());
    let out = run(authgen(repo.path()).args(["check", "--all"]));
    assert_code(&out, 1);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("stale: tests/unit/sources/stripe/auth_test.py (stripe)"), "{stdout}");
    assert!(stdout.contains("-TIMEOUT_S = 99\n+TIMEOUT_S = 10\n"), "{stdout}");
    assert!(stdout.contains("missing: tests/unit/sources/zendesk/auth_test.py (zendesk)"), "{stdout}");
    assert!(!stdout.contains("\x1b["), "no colour without a terminal");
    assert!(
        text(&out.stderr)
            .contains("2 of 3 generated test(s) missing or stale: run `authgen generate stripe zendesk --yes`")
    );
    assert_eq!(files_under(repo.path()), before, "check writes nothing");
}

#[test]
fn check_json_report() {
    let repo = fixture_repo(&["github", "stripe", "acme", "broken"]);
    assert_code(&generate(repo.path(), &["github", "--yes"]), 0);
    let out = run(authgen(repo.path()).args(["check", "--all", "--format", "json"]));
    assert_code(&out, 2);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
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
    let repo = fixture_repo(&["github"]);
    let out = generate(repo.path(), &["github", "--check"]);
    assert_code(&out, 1);
    assert!(text(&out.stdout).contains("missing: tests/unit/sources/github/auth_test.py"));
    assert!(!test_path(repo.path(), "github").exists());
}

#[test]
fn diff_shows_what_generate_would_change() {
    let repo = fixture_repo(&["github"]);
    let out = run(authgen(repo.path()).args(["diff", "github"]));
    assert_code(&out, 0);
    assert!(text(&out.stdout).contains("+++ b/tests/unit/sources/github/auth_test.py"));
    assert!(!test_path(repo.path(), "github").exists());
    assert_code(&generate(repo.path(), &["github", "--yes"]), 0);
    let out = run(authgen(repo.path()).args(["diff", "github"]));
    assert_eq!(text(&out.stdout), "");
    assert!(text(&out.stderr).contains("github: no changes"));
}

#[test]
fn http_client_is_remembered_from_the_file() {
    let repo = fixture_repo(&["github"]);
    assert_code(&generate(repo.path(), &["github", "--yes", "--http-client", "urllib"]), 0);
    let file = std::fs::read_to_string(test_path(repo.path(), "github")).unwrap();
    assert!(file.contains("import urllib.request") && !file.contains("import requests"));
    assert_code(&run(authgen(repo.path()).arg("check")), 0);
    assert_code(&generate(repo.path(), &["github", "--yes"]), 0);
    assert!(std::fs::read_to_string(test_path(repo.path(), "github")).unwrap().contains("import urllib.request"));
}

#[test]
fn overrides_auth_base_url_endpoint() {
    let repo = fixture_repo(&["github"]);
    let out = generate(
        repo.path(),
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
    assert_code(&out, 0);
    let diff = text(&out.stdout);
    assert!(diff.contains("+AUTH = \"api_key_header\"\n"), "{diff}");
    assert!(diff.contains("+BASE_URL = \"https://ghe.example.com/api/v3\"\n"));
    assert!(diff.contains("+ENDPOINT = \"/rate_limit\"\n"));
    assert!(text(&out.stderr).contains("github: api_key_header: given with --auth"));
    let out = generate(repo.path(), &["github", "--dry-run", "--auth", "magic"]);
    assert_code(&out, 2);
    assert!(text(&out.stderr).contains("unknown variant \"magic\"; use one of: bearer, basic"));
}

#[test]
fn templates_are_overridable_file_by_file() {
    let repo = fixture_repo(&["github"]);
    let custom = repo.path().join("my_templates/partials");
    std::fs::create_dir_all(&custom).unwrap();
    std::fs::write(custom.join("put_header.py.tera"), "    # custom header code\n    headers[\"X-Custom\"] = \"1\"\n")
        .unwrap();
    let out = generate(repo.path(), &["github", "--yes", "--templates", "my_templates"]);
    assert_code(&out, 0);
    let file = std::fs::read_to_string(test_path(repo.path(), "github")).unwrap();
    assert!(file.contains("    # custom header code\n"));
    assert!(file.contains("def load_credentials("), "the other templates stay built in");
    // A broken override is a clear error naming the template.
    std::fs::write(custom.join("put_header.py.tera"), "{% if %}").unwrap();
    let out = generate(repo.path(), &["github", "--yes", "--templates", "my_templates"]);
    assert_code(&out, 2);
    assert!(text(&out.stderr).contains("put_header.py.tera"), "{}", text(&out.stderr));
}

#[test]
fn pyproject_changes_the_layout() {
    let repo = fixture_repo(&[]);
    std::fs::write(
        repo.path().join("pyproject.toml"),
        "[project]\nname = \"x\"\n\n[tool.authgen]\nspec = \"connectors/{source}/spec.yaml\"\ntest = \"checks/{source}_auth_test.py\"\n",
    )
    .unwrap();
    let dir = repo.path().join("connectors/github");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixtures_dir().join("github/connector_spec.yaml"), dir.join("spec.yaml")).unwrap();
    let out = generate(repo.path(), &["--all", "--yes"]);
    assert_code(&out, 0);
    let file = std::fs::read_to_string(repo.path().join("checks/github_auth_test.py")).unwrap();
    // Loader and credentials paths are relative to the test's directory.
    assert!(
        file.contains("REPO_LOADER = HERE.joinpath(\"..\", \"tests\", \"unit\", \"sources\", \"test_utils.py\")"),
        "{file}"
    );
    // A bad key in [tool.authgen] is bad input.
    std::fs::write(repo.path().join("pyproject.toml"), "[tool.authgen]\nspecs = \"x\"\n").unwrap();
    let out = generate(repo.path(), &["--all", "--yes"]);
    assert_code(&out, 2);
    assert!(
        text(&out.stderr).contains("pyproject.toml:2:1: tool.authgen: unknown field `specs`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn repo_root_is_found_from_a_subdirectory() {
    let repo = fixture_repo(&["github"]);
    let sub = repo.path().join(SPEC_DIR).join("github");
    assert_code(&generate(&sub, &["github", "--yes"]), 0);
    assert!(test_path(repo.path(), "github").exists());
}

#[test]
fn variants_lists_all_seven() {
    let out = run(authgen(Path::new("/")).args(["variants", "--format", "json"]));
    assert_code(&out, 0);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["bearer", "basic", "api_key_header", "api_key_query", "oauth_refresh", "oauth_client_credentials", "none"]
    );
}

#[test]
fn usage_errors_exit_2() {
    let repo = fixture_repo(&["github"]);
    assert_code(&generate(repo.path(), &[]), 2);
    assert_code(&generate(repo.path(), &["../etc", "--yes"]), 2);
    assert_code(&generate(repo.path(), &["github", "--http-client", "curl"]), 2);
    assert_code(&run(authgen(repo.path()).arg("frobnicate")), 2);
}

/// Run authgen under a pseudo-terminal (util-linux `script`), feeding `input`.
fn on_terminal(dir: &Path, args: &str, input: &str, no_color: bool) -> (i32, String) {
    let bin = env!("CARGO_BIN_EXE_authgen");
    let mut cmd = std::process::Command::new("script");
    scrub(&mut cmd).current_dir(dir).args(["-qec", &format!("{bin} {args}"), "/dev/null"]);
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let mut child =
        cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn().expect("script");
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), text(&out.stdout))
}

#[test]
fn on_a_terminal_generate_asks_and_colours_unless_no_color() {
    let repo = fixture_repo(&["github"]);
    let (code, out) = on_terminal(repo.path(), "generate github", "n\n", false);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Write 1 file(s)? [y/N]") && out.contains("nothing written"), "{out}");
    assert!(out.contains("\x1b[32m+SOURCE = \"github\""), "coloured diff on a terminal: {out}");
    assert!(!test_path(repo.path(), "github").exists());
    let (code, out) = on_terminal(repo.path(), "generate github", "y\n", true);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("\x1b["), "NO_COLOR: {out}");
    assert!(test_path(repo.path(), "github").exists());
}

#[test]
fn one_bad_spec_among_many_means_nothing_is_written() {
    let repo = fixture_repo(&["github", "stripe", "broken"]);
    let out = generate(repo.path(), &["--all", "--yes"]);
    assert_code(&out, 2);
    let err = text(&out.stderr);
    assert!(err.contains("error: broken:") && err.contains("nothing written: fix the errors above first"), "{err}");
    assert!(!repo.path().join(TEST_DIR).exists(), "no file written");
}
