//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run by the real
//! pre-commit (`try-repo`) in a connector repository: pre-commit installs
//! authgen from this project's pyproject.toml, as a user's would.

mod common;
mod packaging;

use std::path::Path;
use std::process::{Command, Output};

use common::{Test, authgen, git, run, text};
use packaging::{copy_project, for_wheel_build, pip_install, show, venv};

/// This project at one commit, as `repo:` in a user's config points at it.
fn hook_repo(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    copy_project(dir);
    for args in [&["init", "-q", "-b", "main"][..], &["add", "."], &["commit", "-q", "-m", "authgen"]] {
        let out = run(git(dir).args(args));
        assert!(out.status.success(), "git {args:?}: {}", show(&out));
    }
}

/// `pre-commit try-repo HOOKS --all-files`: every hook of the repo, in one
/// environment, so authgen is built once per run.
fn try_repo(pre_commit: &Path, hooks: &Path, connector: &Path) -> Output {
    // Not scrubbed: pre-commit's pip runs cargo, which needs the user's
    // toolchain. The shared target directory keeps the dependencies warm.
    for_wheel_build(&mut Command::new(pre_commit))
        .args(["try-repo"])
        .arg(hooks)
        .args(["--all-files", "--color", "never"])
        .current_dir(connector)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("spawn pre-commit")
}

fn commit_all(repo: &Path, message: &str) {
    let out = run(git(repo).args(["add", "-A"]));
    assert!(out.status.success(), "{}", show(&out));
    let out = run(git(repo).args(["commit", "-q", "-m", message]));
    assert!(out.status.success(), "{}", show(&out));
}

#[test]
fn hooks_pass_on_a_fresh_test_and_fail_on_a_stale_test_and_a_spec_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let tools = venv(&tmp.path().join("tools"));
    pip_install(&tools, &["pre-commit"]);
    let pre_commit = tools.join("pre-commit");
    let hooks = tmp.path().join("authgen");
    hook_repo(&hooks);

    // A connector repo with a generated, committed test.
    let repo = Test::with_fixtures(&["github"]);
    std::fs::write(repo.path().join("pyproject.toml"), "[project]\nname = \"connectors\"\nversion = \"0.1.0\"\n")
        .unwrap();
    let out = run(authgen(repo.path()).args(["generate", "github", "--yes"]));
    assert!(out.status.success(), "{}", show(&out));
    commit_all(repo.path(), "github connector with its auth test");

    let fresh = try_repo(&pre_commit, &hooks, repo.path());
    assert!(fresh.status.success(), "a fresh test and a clean spec pass:\n{}", show(&fresh));
    let said = text(&fresh.stdout);
    assert!(hook_line(&said, "authgen check").ends_with("Passed"), "{said}");
    assert!(hook_line(&said, "authgen lint").ends_with("Passed"), "{said}");

    // The spec changes, the test does not: stale. The new parameter looks
    // secret but is not marked so: a lint problem.
    let spec = repo.spec_path("github");
    let changed = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("endpoint: /user\n", "endpoint: /user/repos\n")
        .replacen("  parameters:\n", "  parameters:\n    - name: webhook_secret\n      type: string\n\n", 1);
    std::fs::write(&spec, changed).unwrap();
    commit_all(repo.path(), "github: check /user/repos");
    let stale = try_repo(&pre_commit, &hooks, repo.path());
    assert_eq!(stale.status.code(), Some(1), "a stale test fails:\n{}", show(&stale));
    let said = text(&stale.stdout);
    assert!(hook_line(&said, "authgen check").ends_with("Failed"), "{said}");
    assert!(hook_line(&said, "authgen lint").ends_with("Failed"), "{said}");
    assert!(said.contains("stale: tests/unit/sources/github/auth_test.py"), "the hook names the stale file:\n{said}");
    assert!(said.contains("+ENDPOINT = \"/user/repos\"\n"), "the hook shows the diff:\n{said}");
    assert!(
        said.contains("github/connector_spec.yaml:5:7: connection.parameters[0].name: parameter \"webhook_secret\""),
        "lint names the line:\n{said}"
    );
}

/// pre-commit's status line of a hook: `NAME.....Passed`.
fn hook_line<'a>(output: &'a str, name: &str) -> &'a str {
    output.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("no {name} line in:\n{output}")).trim_end()
}
