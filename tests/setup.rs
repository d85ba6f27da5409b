//! `authgen setup` end to end: from an API doc to a committed, passing test
//! in a temporary repo, against a mock API on 127.0.0.1, with credentials
//! piped in; re-runs skip what is done; failures stop the chain.

mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::{Output, Stdio};

use authgen::mockapi::MockApi;
use common::*;

const TOKEN: &str = "setup-token-0123456789";

fn mock() -> MockApi {
    bearer_api(TOKEN, None)
}

/// A repo holding only GitHub's API doc, no spec.
fn doc_only_repo() -> tempfile::TempDir {
    let repo = fixture_repo(&[]);
    let dir = repo.path().join(SPEC_DIR).join("github");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixtures_dir().join("github/github_api_doc.md"), dir.join("github_api_doc.md")).unwrap();
    assert!(run(git(repo.path()).args(["add", "."])).status.success());
    assert!(run(git(repo.path()).args(["commit", "-q", "-m", "doc"])).status.success());
    repo
}

fn venv() -> std::path::PathBuf {
    python().parent().unwrap().parent().unwrap().to_path_buf()
}

fn setup(repo: &Path, api: &MockApi, args: &[&str], input: &str) -> Output {
    let mut child = authgen(repo)
        .arg("setup")
        .arg("github")
        .args(args)
        .env("VIRTUAL_ENV", venv())
        .env("CONNECTOR_TEST_BASE_URL", api.url())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn assert_code(out: &Output, code: i32) {
    assert_eq!(out.status.code(), Some(code), "stdout:\n{}\nstderr:\n{}", text(&out.stdout), text(&out.stderr));
}

fn head(repo: &Path) -> String {
    text(&run(git(repo).args(["rev-parse", "HEAD"])).stdout).trim().to_string()
}

#[test]
fn from_an_api_doc_to_a_committed_passing_test_then_nothing_to_redo() {
    let repo = doc_only_repo();
    let api = mock();
    let out = setup(repo.path(), &api, &["--yes"], &format!("{TOKEN}\n\n\n\n"));
    assert_code(&out, 0);
    let err = text(&out.stderr);
    for step in [
        "[1/5] analyze + spec: write the spec from the API doc",
        "created src/databricks/labs/community_connector/sources/github/connector_spec.yaml",
        "[2/5] credentials: collect them into tests/unit/sources/github/configs/dev_config.json",
        "[3/5] generate: render tests/unit/sources/github/auth_test.py",
        "[4/5] run: make the one authenticated call",
        "passed: github authenticated",
        "[5/5] commit: the generated test, and nothing else",
        "setup done: github authenticates",
    ] {
        assert!(err.contains(step), "missing {step:?} in:\n{err}");
    }
    assert!(text(&out.stdout).contains("+    endpoint: /user"), "the spec's diff is shown");
    assert!(!err.contains(TOKEN) && !text(&out.stdout).contains(TOKEN), "secret printed");
    let committed = text(&run(git(repo.path()).args(["show", "--name-only", "--format=%s", "HEAD"])).stdout);
    assert_eq!(
        committed.lines().filter(|l| !l.is_empty()).collect::<Vec<_>>(),
        [
            "Add github auth test",
            "tests/unit/sources/github/auth_test.py",
            "tests/unit/sources/github/configs/.gitignore"
        ]
    );
    use std::os::unix::fs::PermissionsExt;
    let creds = repo.path().join(TEST_DIR).join("github/configs/dev_config.json");
    assert_eq!(std::fs::metadata(&creds).unwrap().permissions().mode() & 0o777, 0o600);
    let commit = head(repo.path());

    // Again: every step is done, so each is skipped; no input is read.
    let out = setup(repo.path(), &api, &["--yes"], "");
    assert_code(&out, 0);
    let err = text(&out.stderr);
    assert!(err.contains("[1/5] spec: skipped: src/databricks/labs/community_connector/sources/github/connector_spec.yaml has a verification block"), "{err}");
    assert!(err.contains("[2/5] credentials: skipped: tests/unit/sources/github/configs/dev_config.json holds what one auth method needs"), "{err}");
    assert!(err.contains("[3/5] generate: skipped: tests/unit/sources/github/auth_test.py is up to date"), "{err}");
    assert!(err.contains("already committed as it is"), "{err}");
    assert_eq!(head(repo.path()), commit);
}

#[test]
fn no_commit_stops_after_a_passing_run() {
    let repo = doc_only_repo();
    let api = mock();
    let before = head(repo.path());
    let out = setup(repo.path(), &api, &["--yes", "--no-commit"], &format!("{TOKEN}\n\n\n\n"));
    assert_code(&out, 0);
    assert!(text(&out.stderr).contains("[5/5] commit: skipped: --no-commit"));
    assert_eq!(head(repo.path()), before);
}

#[test]
fn a_failed_run_stops_the_chain_before_the_commit() {
    let repo = doc_only_repo();
    let api = mock();
    let before = head(repo.path());
    let out = setup(repo.path(), &api, &["--yes"], "wrong-token-000000\n\n\n\n");
    assert_code(&out, 1);
    let err = text(&out.stderr);
    assert!(err.contains("setup stopped: the test did not pass: check the values in"), "{err}");
    assert!(err.contains("then run `authgen setup github` again"), "{err}");
    assert!(!err.contains("[5/5]"), "no commit step: {err}");
    assert_eq!(head(repo.path()), before);
}

#[test]
fn without_a_terminal_or_yes_nothing_is_written() {
    let repo = doc_only_repo();
    let api = mock();
    let out = setup(repo.path(), &api, &[], &format!("{TOKEN}\n"));
    assert_code(&out, 1);
    assert!(text(&out.stderr).contains("run `authgen setup github --yes` to accept"), "{}", text(&out.stderr));
    assert!(!spec_path(repo.path(), "github").exists());
}

#[test]
fn without_doc_or_spec_it_says_what_to_write() {
    let repo = fixture_repo(&[]);
    let api = mock();
    let out = setup(repo.path(), &api, &["--yes"], "");
    assert_code(&out, 2);
    let err = text(&out.stderr);
    assert!(err.contains("github_api_doc.md: no API doc here"), "{err}");
    assert!(err.contains("authgen spec github --auth VARIANT --base-url URL --endpoint PATH"), "{err}");
    assert!(!repo.path().join(TEST_DIR).exists());
}

#[test]
fn ended_input_at_the_credentials_gate_writes_nothing_further() {
    let repo = doc_only_repo();
    let api = mock();
    let out = setup(repo.path(), &api, &["--yes"], "");
    assert_ne!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    assert!(err.contains("setup stopped: no credentials were saved"), "{err}");
    assert!(!test_path(repo.path(), "github").exists(), "no test generated past the gate");
}
