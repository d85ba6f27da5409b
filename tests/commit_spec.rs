//! `authgen commit` keeps CI green: the test is generated from the spec, so
//! a spec whose only change is inside `connection.verification` is committed
//! with it (and the commit says so); any other change, or a spec never
//! committed, is refused with the exact command to run. After every commit a
//! fresh clone of the committed state passes `authgen check` for the source.

mod common;

use common::Test;

fn head(repo: &Test) -> String {
    repo.git(["rev-parse", "HEAD"]).success().stdout.trim().to_string()
}

fn commit_paths(repo: &Test) -> Vec<String> {
    let out = repo.git(["show", "--name-only", "--format=", "HEAD"]).success();
    out.stdout.lines().filter(|l| !l.is_empty()).map(str::to_string).collect()
}

const SPEC: &str = "src/databricks/labs/community_connector/sources/github/connector_spec.yaml";

/// `authgen check github` in a fresh clone of what is committed.
fn committed_state_passes_check(repo: &Test) {
    let clone = tempfile::tempdir().unwrap();
    let target = clone.path().join("c");
    repo.git(["clone", "-q", "."]).arg(&target).success();
    let out = repo.authgen(["check", "github"]).current_dir(&target).run();
    assert_eq!(out.code, Some(0), "the committed state fails check:\n{}\n{}", out.stdout, out.stderr);
}

/// A repo whose spec, test and runtime are committed and pass check.
fn committed_repo() -> Test {
    let repo = Test::with_fixtures(&["github"]);
    repo.write(".gitignore", "dev_config.json\n");
    repo.git(["add", "."]).success();
    repo.git(["commit", "-q", "-m", "spec"]).success();
    repo.authgen(["generate", "github", "--yes"]).success();
    repo.authgen(["commit", "github"]).success();
    committed_state_passes_check(&repo);
    repo
}

/// The command between the last pair of backticks that starts with `git`.
fn command_in(text: &str) -> String {
    text.split('`').skip(1).step_by(2).find(|c| c.starts_with("git ")).expect("a git command").to_string()
}

#[test]
fn a_verification_only_change_is_committed_with_the_test_and_the_commit_says_so() {
    let repo = committed_repo();
    repo.authgen(["spec", "github", "--auth", "bearer", "--show", "id", "--yes"]).success();
    repo.authgen(["generate", "github", "--yes"]).success();
    let out = repo.authgen(["commit", "github"]).run();
    out.assert_code(0);
    assert!(
        out.stderr.contains(&format!(
            "including {SPEC}: its only change is inside connection.verification, which the test is generated from"
        )),
        "{}",
        out.stderr
    );
    assert_eq!(commit_paths(&repo), [SPEC.to_string(), "tests/unit/sources/github/auth_test.py".to_string()]);
    let status = repo.git(["status", "--porcelain"]).success().stdout;
    assert!(!status.contains("connector_spec.yaml"), "{status}");
    committed_state_passes_check(&repo);
}

#[test]
fn a_contract_change_is_refused_with_the_command_that_commits_it() {
    let repo = committed_repo();
    let before = head(&repo);
    let spec = repo.read_spec("github");
    // A hand edit of the contract, and a new verification key.
    let edited = spec.replace(
        "  verification:\n",
        "    - name: org\n      type: string\n      required: false\n      description: Organization.\n\n  verification:\n",
    );
    assert_ne!(edited, spec);
    repo.write_spec("github", &edited);
    repo.authgen(["spec", "github", "--auth", "bearer", "--show", "id", "--yes"]).success();
    repo.authgen(["generate", "github", "--yes"]).success();
    let out = repo.authgen(["commit", "github"]).run();
    out.assert_code(1);
    assert!(out.stderr.contains(&format!("refused: {SPEC} changes outside connection.verification")), "{}", out.stderr);
    assert!(out.stderr.contains("nothing committed"), "{}", out.stderr);
    assert_eq!(head(&repo), before, "nothing committed");
    // The command it names works, and then commit does.
    let command = command_in(&out.stderr);
    assert!(command.contains(SPEC), "{command}");
    repo.command("sh", ["-c", &command]).success();
    assert_eq!(commit_paths(&repo), [SPEC.to_string()]);
    let out = repo.authgen(["commit", "github"]).run();
    out.assert_code(0);
    assert_eq!(commit_paths(&repo), ["tests/unit/sources/github/auth_test.py".to_string()]);
    committed_state_passes_check(&repo);
}

#[test]
fn a_spec_never_committed_is_refused_with_the_command_that_adds_it() {
    let repo = Test::with_fixtures(&["github"]);
    repo.write(".gitignore", "dev_config.json\n");
    repo.git(["add", ".gitignore"]).success();
    repo.git(["commit", "-q", "-m", "start"]).success();
    let before = head(&repo);
    repo.authgen(["generate", "github", "--yes"]).success();
    let out = repo.authgen(["commit", "github"]).run();
    out.assert_code(1);
    assert!(out.stderr.contains(&format!("refused: {SPEC} is not committed")), "{}", out.stderr);
    assert_eq!(head(&repo), before);
    let command = command_in(&out.stderr);
    repo.command("sh", ["-c", &command]).success();
    repo.authgen(["commit", "github"]).success();
    committed_state_passes_check(&repo);
}
