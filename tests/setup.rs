//! `authgen setup` end to end: from an API doc to a committed, passing test
//! in a temporary repo, against a mock API on 127.0.0.1, with credentials
//! piped in; re-runs skip what is done; failures stop the chain.

mod common;

use std::path::Path;

use common::mock::{MockApi, bearer_api};
use common::*;

const TOKEN: &str = "setup-token-0123456789";

fn mock() -> MockApi {
    bearer_api(TOKEN, None)
}

/// A repo holding only GitHub's API doc, no spec, committed.
fn doc_only_repo() -> Test {
    let repo = Test::new();
    let doc = std::fs::read(fixtures_dir().join("github/github_api_doc.md")).unwrap();
    repo.write(Path::new(SPEC_DIR).join("github/github_api_doc.md"), doc);
    repo.git(["add", "."]).success();
    repo.git(["commit", "-q", "-m", "doc"]).success();
    repo
}

fn venv() -> std::path::PathBuf {
    python().parent().unwrap().parent().unwrap().to_path_buf()
}

fn setup(repo: &Test, api: &MockApi, args: &[&str], input: &str) -> Ran {
    repo.authgen(["setup", "github"])
        .args(args)
        .env("VIRTUAL_ENV", venv())
        .env("CONNECTOR_TEST_BASE_URL", api.url())
        .stdin(input)
        .run()
}

fn head(repo: &Test) -> String {
    repo.git(["rev-parse", "HEAD"]).success().stdout.trim().to_string()
}

#[test]
fn from_an_api_doc_to_a_committed_passing_test_then_nothing_to_redo() {
    let repo = doc_only_repo();
    let api = mock();
    let out = setup(&repo, &api, &["--yes"], &format!("{TOKEN}\n\n\n\n"));
    out.assert_code(0);
    let err = &out.stderr;
    for step in [
        "[1/5] analyze + spec: write the spec from the API doc",
        "created src/databricks/labs/community_connector/sources/github/connector_spec.yaml",
        "[2/5] credentials: collect them into tests/unit/sources/github/configs/dev_config.json",
        "[3/5] generate: render tests/unit/sources/github/auth_test.py",
        "[4/5] run: make the one authenticated call",
        "passed: github authenticated",
        "[5/5] commit: the generated test (with its runtime when new), nothing else",
        "setup done: github authenticates",
    ] {
        assert!(err.contains(step), "missing {step:?} in:\n{err}");
    }
    assert!(out.stdout.contains("+    endpoint: /user"), "the spec's diff is shown");
    assert!(!err.contains(TOKEN) && !out.stdout.contains(TOKEN), "secret printed");
    let committed = repo.git(["show", "--name-only", "--format=%s", "HEAD"]).success().stdout;
    assert_eq!(
        committed.lines().filter(|l| !l.is_empty()).collect::<Vec<_>>(),
        [
            "Add github auth test",
            // The spec this run wrote goes with the test it generates.
            "src/databricks/labs/community_connector/sources/github/connector_spec.yaml",
            "tests/unit/sources/authgen_runtime.py",
            "tests/unit/sources/github/auth_test.py",
            "tests/unit/sources/github/configs/.gitignore"
        ]
    );
    assert!(err.contains("connector_spec.yaml: it is new, written in this run"), "{err}");
    assert!(err.contains("connector_spec.yaml) was committed with the test"), "{err}");
    use std::os::unix::fs::PermissionsExt;
    let creds = repo.credentials_path("github");
    assert_eq!(std::fs::metadata(&creds).unwrap().permissions().mode() & 0o777, 0o600);
    let commit = head(&repo);

    // Again: every step is done, so each is skipped; no input is read.
    let out = setup(&repo, &api, &["--yes"], "");
    out.assert_code(0);
    let err = &out.stderr;
    assert!(err.contains("[1/5] spec: skipped: src/databricks/labs/community_connector/sources/github/connector_spec.yaml has a verification block"), "{err}");
    assert!(err.contains("[2/5] credentials: skipped: tests/unit/sources/github/configs/dev_config.json holds what one auth method needs"), "{err}");
    assert!(err.contains("[3/5] generate: skipped: tests/unit/sources/github/auth_test.py is up to date"), "{err}");
    assert!(err.contains("already committed as it is"), "{err}");
    assert_eq!(head(&repo), commit);
}

#[test]
fn no_commit_stops_after_a_passing_run() {
    let repo = doc_only_repo();
    let api = mock();
    let before = head(&repo);
    let out = setup(&repo, &api, &["--yes", "--no-commit"], &format!("{TOKEN}\n\n\n\n"));
    out.assert_code(0);
    assert!(out.stderr.contains("[5/5] commit: skipped: --no-commit"));
    assert_eq!(head(&repo), before);
}

#[test]
fn a_failed_run_stops_the_chain_before_the_commit() {
    let repo = doc_only_repo();
    let api = mock();
    let before = head(&repo);
    let out = setup(&repo, &api, &["--yes"], "wrong-token-000000\n\n\n\n");
    out.assert_code(1);
    let err = &out.stderr;
    assert!(err.contains("setup stopped: the test did not pass: check the values in"), "{err}");
    assert!(err.contains("then run `authgen setup github` again"), "{err}");
    assert!(!err.contains("[5/5]"), "no commit step: {err}");
    assert_eq!(head(&repo), before);
}

#[test]
fn without_a_terminal_or_yes_nothing_is_written() {
    let repo = doc_only_repo();
    let api = mock();
    let out = setup(&repo, &api, &[], &format!("{TOKEN}\n"));
    out.assert_code(1);
    assert!(out.stderr.contains("run `authgen setup github --yes` to accept"), "{}", out.stderr);
    assert!(!repo.spec_path("github").exists());
    out.assert_wrote_nothing();
}

#[test]
fn without_doc_or_spec_it_says_what_to_write() {
    let repo = Test::new();
    let api = mock();
    let out = setup(&repo, &api, &["--yes"], "");
    out.assert_code(2);
    let err = &out.stderr;
    assert!(err.contains("github_api_doc.md: no API doc here"), "{err}");
    assert!(err.contains("authgen spec github --auth VARIANT --base-url URL --endpoint PATH"), "{err}");
    assert!(!repo.join(TEST_DIR).exists());
    out.assert_wrote_nothing();
}

#[test]
fn ended_input_at_the_credentials_gate_writes_nothing_further() {
    let repo = doc_only_repo();
    let api = mock();
    let out = setup(&repo, &api, &["--yes"], "");
    assert_ne!(out.code, Some(0));
    let err = &out.stderr;
    assert!(err.contains("setup stopped: no credentials were saved"), "{err}");
    assert!(!repo.test_path("github").exists(), "no test generated past the gate");
}

/// The README's headline, as a shell runs it, on a spec shaped like the real
/// GitHub one (a required secret `token`, an optional `base_url`): the pipe
/// ends after the token, which leaves `base_url` empty.
#[test]
fn the_readme_headline_pipes_a_token_into_setup_and_commits_a_passing_test() {
    let repo = Test::with_fixtures(&["github"]);
    repo.git(["add", "."]).success();
    repo.git(["commit", "-q", "-m", "spec"]).success();
    let spec = repo.read_spec("github");
    assert!(spec.contains("name: base_url") && spec.contains("required: false"), "the optional base_url is there");
    let api = mock();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_authgen")).parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let out = repo
        .command("sh", ["-c", r#"printf '%s\n' "$GITHUB_TOKEN" | authgen setup github --yes"#])
        .env("PATH", path)
        .env("GITHUB_TOKEN", TOKEN)
        .env("VIRTUAL_ENV", venv())
        .env("CONNECTOR_TEST_BASE_URL", api.url())
        .run();
    out.assert_code(0);
    let err = &out.stderr;
    assert!(err.contains("passed: github authenticated"), "{err}");
    assert!(err.contains("setup done: github authenticates"), "{err}");
    // The spec was committed before and is unchanged: it stays the user's.
    assert!(err.contains("connector_spec.yaml) is yours to review and commit"), "{err}");
    assert!(!err.contains(TOKEN) && !out.stdout.contains(TOKEN), "secret printed");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.credentials_path("github")).unwrap()).unwrap();
    assert_eq!(saved, serde_json::json!({"token": TOKEN}), "base_url left empty");
    let subject = repo.git(["log", "-1", "--format=%s"]).success().stdout;
    assert_eq!(subject.trim(), "Add github auth test");
    assert_eq!(api.received().len(), 1);
}
