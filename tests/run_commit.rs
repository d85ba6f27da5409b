//! `authgen run`, `commit` and `demo`, end to end: the real binary, real
//! Python and git, and a mock API on 127.0.0.1.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use authgen::mockapi::MockApi;
use common::*;

const TOKEN: &str = "ghp-test-token-0123456789";

fn assert_code(out: &Output, code: i32) {
    assert_eq!(out.status.code(), Some(code), "stdout:\n{}\nstderr:\n{}", text(&out.stdout), text(&out.stderr));
}

fn github_repo() -> tempfile::TempDir {
    let repo = fixture_repo(&["github"]);
    assert_code(&run(authgen(repo.path()).args(["generate", "github", "--yes"])), 0);
    repo
}

fn write_creds(repo: &Path, json: &str) -> PathBuf {
    let path = repo.join(TEST_DIR).join("github/configs/dev_config.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, json).unwrap();
    path
}

fn mock() -> MockApi {
    bearer_api(TOKEN, Some("forbidden-token-1234"))
}

fn authgen_run(repo: &Path, base_url: &str, extra: &[&str]) -> Output {
    run(authgen(repo)
        .args(["run", "github", "--python"])
        .arg(python())
        .args(extra)
        .env("CONNECTOR_TEST_BASE_URL", base_url))
}

fn no_secret(out: &Output) {
    for stream in [text(&out.stdout), text(&out.stderr)] {
        assert!(!stream.contains(TOKEN), "secret printed:\n{stream}");
    }
}

#[test]
fn run_passes_streams_output_and_says_what_next() {
    let repo = github_repo();
    write_creds(repo.path(), &format!(r#"{{"token": "{TOKEN}"}}"#));
    let api = mock();
    let out = authgen_run(repo.path(), &api.url(), &[]);
    assert_code(&out, 0);
    assert!(
        text(&out.stdout).contains("github: authenticated: GitHub accepted bearer: HTTP 200"),
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stdout).contains("login = octocat"));
    assert!(text(&out.stderr).contains("passed: github authenticated; commit the test with `authgen commit github`"));
    no_secret(&out);
}

#[test]
fn run_401_names_the_credentials_file_or_variable() {
    let repo = github_repo();
    let creds = write_creds(repo.path(), r#"{"token": "wrong-token-99999"}"#);
    let api = mock();
    let out = authgen_run(repo.path(), &api.url(), &[]);
    assert_code(&out, 1);
    let err = text(&out.stderr);
    assert!(err.contains("failed: github: the server rejected the credentials (HTTP 401)"), "{err}");
    assert!(err.contains(&format!("check the values in {}", creds.display())), "{err}");
    assert!(!err.contains("wrong-token-99999"));
    // The variable wins over the file, and the verdict says so.
    let out = run(authgen(repo.path())
        .args(["run", "github", "--python"])
        .arg(python())
        .env("CONNECTOR_TEST_BASE_URL", api.url())
        .env("CONNECTOR_TEST_CONFIG_JSON", r#"{"token": "other-wrong-token"}"#));
    assert_code(&out, 1);
    assert!(text(&out.stderr).contains("check the values in the CONNECTOR_TEST_CONFIG_JSON variable"));
    assert!(!text(&out.stderr).contains("other-wrong-token"));
}

#[test]
fn run_403_names_the_permissions_the_spec_names() {
    let repo = github_repo();
    write_creds(repo.path(), r#"{"token": "forbidden-token-1234"}"#);
    let api = mock();
    let out = authgen_run(repo.path(), &api.url(), &[]);
    assert_code(&out, 1);
    let err = text(&out.stderr);
    assert!(err.contains("lack permission (HTTP 403)"), "{err}");
    assert!(err.contains("Classic tokens need the repo (or public_repo) scope"), "{err}");
}

#[test]
fn run_exit_2_names_missing_parameters_and_the_command() {
    let repo = github_repo();
    write_creds(repo.path(), r#"{"base_url": ""}"#);
    let out = authgen_run(repo.path(), "http://127.0.0.1:9", &[]);
    assert_code(&out, 2);
    let err = text(&out.stderr);
    assert!(err.contains("credentials missing or incomplete (token)"), "{err}");
    assert!(err.contains("run `authgen credentials github`"), "{err}");
}

#[test]
fn run_exit_3_names_the_host() {
    let repo = github_repo();
    write_creds(repo.path(), &format!(r#"{{"token": "{TOKEN}"}}"#));
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let out = authgen_run(repo.path(), &format!("http://{closed}"), &[]);
    assert_code(&out, 3);
    assert!(text(&out.stderr).contains(&format!("github: could not reach {closed}")), "{}", text(&out.stderr));
    no_secret(&out);
}

#[test]
fn run_json_verdict() {
    let repo = github_repo();
    write_creds(repo.path(), &format!(r#"{{"token": "{TOKEN}"}}"#));
    let api = mock();
    let out = authgen_run(repo.path(), &api.url(), &["--format", "json"]);
    assert_code(&out, 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["exit_code"], 0);
    assert_eq!(v["source"], "github");
    assert_eq!(v["credentials"]["kind"], "file");
    assert_eq!(v["stale"], false);
    assert_eq!(v["next"], "commit the test with `authgen commit github`");
    assert!(text(&out.stderr).contains("login = octocat"), "the script's output goes to stderr with --format json");
}

#[test]
fn run_config_flag_picks_the_file() {
    let repo = github_repo();
    write_creds(repo.path(), r#"{"token": "wrong-token-99999"}"#);
    let other = repo.path().join("other.json");
    std::fs::write(&other, format!(r#"{{"token": "{TOKEN}"}}"#)).unwrap();
    let api = mock();
    let out = authgen_run(repo.path(), &api.url(), &["--config", "other.json"]);
    assert_code(&out, 0);
}

#[test]
fn run_timeout_stops_the_whole_process_group() {
    let repo = github_repo();
    write_creds(repo.path(), &format!(r#"{{"token": "{TOKEN}"}}"#));
    // A server that accepts and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    let holder = std::thread::spawn(move || {
        let mut held = Vec::new();
        silent.set_nonblocking(true).unwrap();
        let end = Instant::now() + Duration::from_secs(15);
        while Instant::now() < end {
            if let Ok((s, _)) = silent.accept() {
                held.push(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    // A wrapper that runs Python as its child and records the child's pid.
    let pidfile = repo.path().join("child.pid");
    let wrapper = repo.path().join("python-wrapper");
    std::fs::write(
        &wrapper,
        format!("#!/bin/sh\n\"{}\" \"$@\" &\necho $! > \"{}\"\nwait\n", python().display(), pidfile.display()),
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let started = Instant::now();
    let out = run(authgen(repo.path())
        .args(["run", "github", "--timeout", "1", "--python"])
        .arg(&wrapper)
        .env("CONNECTOR_TEST_BASE_URL", format!("http://{addr}")));
    assert!(started.elapsed() < Duration::from_secs(8), "not stopped at the timeout");
    assert_code(&out, 3);
    assert!(text(&out.stderr).contains("no result within 1 s; the test was stopped"), "{}", text(&out.stderr));
    let pid = std::fs::read_to_string(&pidfile).unwrap().trim().to_string();
    std::thread::sleep(Duration::from_millis(200));
    let alive = Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default().contains(") Z ");
    assert!(!alive, "the Python child {pid} survived the timeout");
    drop(holder);
}

#[test]
fn run_finds_python_in_order_and_refuses_old_ones() {
    let repo = github_repo();
    write_creds(repo.path(), &format!(r#"{{"token": "{TOKEN}"}}"#));
    let api = mock();
    let link = |dir: &Path| {
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        std::os::unix::fs::symlink(python(), dir.join("bin/python")).unwrap();
        dir.join("bin/python")
    };
    let repo_venv = link(&repo.path().join(".venv"));
    let other_venv = link(&repo.path().join("elsewhere"));
    let python_of = |out: &Output| {
        assert_code(out, 0);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        PathBuf::from(v["python"].as_str().unwrap())
    };
    let base = |cmd: &mut std::process::Command| {
        cmd.args(["run", "github", "--format", "json"]).env("CONNECTOR_TEST_BASE_URL", api.url());
    };
    let mut cmd = authgen(repo.path());
    base(&mut cmd);
    assert_eq!(python_of(&run(&mut cmd)), repo_venv, ".venv at the repo root");
    let mut cmd = authgen(repo.path());
    base(&mut cmd);
    cmd.env("VIRTUAL_ENV", repo.path().join("elsewhere"));
    assert_eq!(python_of(&run(&mut cmd)), other_venv, "$VIRTUAL_ENV before .venv");
    let mut cmd = authgen(repo.path());
    base(&mut cmd);
    cmd.env("VIRTUAL_ENV", repo.path().join("elsewhere")).arg("--python").arg(python());
    assert_eq!(python_of(&run(&mut cmd)), python(), "--python first");
    // An old interpreter is refused with what to do.
    let old = repo.path().join("old-python");
    std::fs::write(&old, "#!/bin/sh\necho 3 8\n").unwrap();
    std::fs::set_permissions(&old, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = run(authgen(repo.path()).args(["run", "github", "--python"]).arg(&old));
    assert_code(&out, 2);
    assert!(text(&out.stderr).contains("is Python 3.8; generated tests need 3.10 or newer"), "{}", text(&out.stderr));
    // A virtual environment's version is read from its pyvenv.cfg.
    let old_venv = repo.path().join("old-venv");
    link(&old_venv);
    std::fs::write(old_venv.join("pyvenv.cfg"), "home = /usr/bin\nversion = 3.9.18\n").unwrap();
    let out = run(authgen(repo.path()).args(["run", "github"]).env("VIRTUAL_ENV", &old_venv));
    assert_code(&out, 2);
    assert!(text(&out.stderr).contains("is Python 3.9; generated tests need 3.10 or newer"), "{}", text(&out.stderr));
}

#[test]
fn run_says_first_when_the_test_is_missing_or_stale() {
    let repo = fixture_repo(&["github"]);
    let out = run(authgen(repo.path()).args(["run", "github"]));
    assert_code(&out, 2);
    assert!(text(&out.stderr).contains("does not exist yet: run `authgen generate github` first"));
    assert_code(&run(authgen(repo.path()).args(["generate", "github", "--yes"])), 0);
    let test = test_path(repo.path(), "github");
    let edited = std::fs::read_to_string(&test).unwrap().replace("TIMEOUT_S = 10", "TIMEOUT_S = 9");
    std::fs::write(&test, edited).unwrap();
    write_creds(repo.path(), &format!(r#"{{"token": "{TOKEN}"}}"#));
    let api = mock();
    let out = authgen_run(repo.path(), &api.url(), &[]);
    assert_code(&out, 0);
    assert!(text(&out.stderr).starts_with("warning: tests/unit/sources/github/auth_test.py is stale against its spec"));
}

// ---- commit ----

fn head(repo: &Path) -> String {
    text(&run(git(repo).args(["rev-parse", "HEAD"])).stdout).trim().to_string()
}

fn commit_paths(repo: &Path) -> Vec<String> {
    let out = run(git(repo).args(["show", "--name-only", "--format=", "HEAD"]));
    text(&out.stdout).lines().filter(|l| !l.is_empty()).map(str::to_string).collect()
}

fn initial_commit(repo: &Path) {
    assert!(run(git(repo).args(["add", "src"])).status.success());
    assert!(run(git(repo).args(["commit", "-q", "-m", "spec"])).status.success());
}

#[test]
fn commit_holds_the_test_and_gitignore_only_and_leaves_staged_work_staged() {
    let repo = github_repo();
    initial_commit(repo.path());
    write_creds(repo.path(), &format!(r#"{{"token": "{TOKEN}"}}"#));
    std::fs::write(repo.path().join("notes.txt"), "work in progress\n").unwrap();
    assert!(run(git(repo.path()).args(["add", "notes.txt"])).status.success());
    let out = run(authgen(repo.path()).args(["commit", "github"]));
    assert_code(&out, 0);
    assert!(
        text(&out.stderr).contains("added tests/unit/sources/github/configs/.gitignore so that"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        commit_paths(repo.path()),
        ["tests/unit/sources/github/auth_test.py", "tests/unit/sources/github/configs/.gitignore"]
    );
    let message = text(&run(git(repo.path()).args(["log", "-1", "--format=%s"])).stdout);
    assert_eq!(message.trim(), "Add github auth test");
    let staged = text(&run(git(repo.path()).args(["diff", "--cached", "--name-only"])).stdout);
    assert_eq!(staged.trim(), "notes.txt", "other staged work stays staged");
    let ignored =
        run(git(repo.path()).args(["check-ignore", "-q", "tests/unit/sources/github/configs/dev_config.json"]));
    assert!(ignored.status.success(), "credentials now ignored");
    no_secret(&out);
    // Again: nothing to do.
    let out = run(authgen(repo.path()).args(["commit", "github"]));
    assert_code(&out, 0);
    assert!(text(&out.stderr).contains("already committed as it is"));
}

#[test]
fn commit_message_flag_and_no_gitignore_when_already_ignored() {
    let repo = github_repo();
    std::fs::write(repo.path().join(".gitignore"), "dev_config.json\n").unwrap();
    write_creds(repo.path(), &format!(r#"{{"token": "{TOKEN}"}}"#));
    let out = run(authgen(repo.path()).args(["commit", "github", "-m", "Add the GitHub check"]));
    assert_code(&out, 0);
    assert_eq!(commit_paths(repo.path()), ["tests/unit/sources/github/auth_test.py"]);
    let message = text(&run(git(repo.path()).args(["log", "-1", "--format=%s"])).stdout);
    assert_eq!(message.trim(), "Add the GitHub check");
}

#[test]
fn commit_refuses_missing_and_stale_tests() {
    let repo = fixture_repo(&["github"]);
    initial_commit(repo.path());
    let before = head(repo.path());
    let out = run(authgen(repo.path()).args(["commit", "github"]));
    assert_code(&out, 1);
    assert!(text(&out.stderr).contains("refused: tests/unit/sources/github/auth_test.py does not exist"));
    assert_code(&run(authgen(repo.path()).args(["generate", "github", "--yes"])), 0);
    let test = test_path(repo.path(), "github");
    std::fs::write(&test, std::fs::read_to_string(&test).unwrap() + "# hand edit\n").unwrap();
    let out = run(authgen(repo.path()).args(["commit", "github"]));
    assert_code(&out, 1);
    assert!(text(&out.stderr).contains("is stale against its spec"));
    assert_eq!(head(repo.path()), before, "nothing committed");
}

#[test]
fn commit_refuses_a_test_holding_a_credential_value() {
    let repo = fixture_repo(&["github"]);
    // A spec that carries the token itself into the generated file.
    let spec = spec_path(repo.path(), "github");
    let text_spec = std::fs::read_to_string(&spec).unwrap().replace(
        "      Accept: application/vnd.github+json",
        &format!("      Accept: application/vnd.github+json\n      X-Debug: \"{TOKEN}\""),
    );
    std::fs::write(&spec, text_spec).unwrap();
    initial_commit(repo.path());
    let before = head(repo.path());
    assert_code(&run(authgen(repo.path()).args(["generate", "github", "--yes"])), 0);
    for via_env in [false, true] {
        let mut cmd = authgen(repo.path());
        cmd.args(["commit", "github"]);
        if via_env {
            cmd.env("CONNECTOR_TEST_CONFIG_JSON", format!(r#"{{"token": "{TOKEN}"}}"#));
        } else {
            write_creds(repo.path(), &format!(r#"{{"token": "{TOKEN}"}}"#));
        }
        let out = run(&mut cmd);
        assert_code(&out, 1);
        assert!(text(&out.stderr).contains("contains the value of credential(s) token"), "{}", text(&out.stderr));
        no_secret(&out);
        assert_eq!(head(repo.path()), before);
        let _ = std::fs::remove_file(repo.path().join(TEST_DIR).join("github/configs/dev_config.json"));
    }
}

#[test]
fn commit_reports_a_failing_hook_and_commits_nothing() {
    let repo = github_repo();
    initial_commit(repo.path());
    let before = head(repo.path());
    let hook = repo.path().join(".git/hooks/pre-commit");
    std::fs::write(&hook, "#!/bin/sh\necho 'policy: generated files need review' >&2\nexit 1\n").unwrap();
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = run(authgen(repo.path()).args(["commit", "github"]));
    assert_code(&out, 1);
    assert!(text(&out.stderr).contains("policy: generated files need review"), "{}", text(&out.stderr));
    assert_eq!(head(repo.path()), before);
    let staged = text(&run(git(repo.path()).args(["diff", "--cached", "--name-only"])).stdout);
    assert_eq!(staged.trim(), "", "the index is as it was");
}

// ---- demo ----

fn demo_in(dir: &Path, venv: &Path) -> Output {
    run(authgen(Path::new("/"))
        .args(["demo", "--dir"])
        .arg(dir)
        .env("VIRTUAL_ENV", venv)
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL"))
}

#[test]
fn demo_runs_the_whole_flow_and_stops_its_server() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let venv = python().parent().unwrap().parent().unwrap().to_path_buf();
    let started = Instant::now();
    let out = demo_in(&dir, &venv);
    assert_code(&out, 0);
    assert!(started.elapsed() < Duration::from_secs(30));
    let err = text(&out.stderr);
    for expected in [
        "1. A connector repo",
        "2. A mock API on http://127.0.0.1:",
        "3. Credentials written",
        "4. Generate tests/unit/sources/demo_api/auth_test.py",
        "passed: demo_api authenticated",
        "failed: demo_api: the server rejected the credentials (HTTP 401)",
        "Done: the right token passed",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(err.contains(&dir.display().to_string()), "the summary names the directory");
    assert_eq!(
        commit_paths(&dir),
        ["tests/unit/sources/demo_api/auth_test.py", "tests/unit/sources/demo_api/configs/.gitignore"]
    );
    let id = text(&run(git(&dir).args(["rev-parse", "--short", "HEAD"])).stdout).trim().to_string();
    assert!(err.contains(&format!("commit {id} holds")), "the summary names the commit");
    // The mock API has stopped.
    let port: u16 = err
        .split("http://127.0.0.1:")
        .nth(1)
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the mock API still listens");
    let token = std::fs::read_to_string(dir.join(TEST_DIR).join("demo_api/configs/dev_config.json")).unwrap();
    let token = token.split('"').nth(3).unwrap().to_string();
    assert!(!err.contains(&token) && !text(&out.stdout).contains(&token), "the demo token was printed");
}

#[test]
fn demo_uses_urllib_when_requests_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let venv = tmp.path().join("bare");
    let made = run(std::process::Command::new("python3").args(["-m", "venv", "--without-pip"]).arg(&venv));
    assert!(made.status.success(), "{}", text(&made.stderr));
    let dir = tmp.path().join("demo");
    let out = demo_in(&dir, &venv);
    assert_code(&out, 0);
    assert!(text(&out.stderr).contains("requests is not installed"), "{}", text(&out.stderr));
    let file = std::fs::read_to_string(dir.join(TEST_DIR).join("demo_api/auth_test.py")).unwrap();
    assert!(file.contains("import urllib.request") && !file.contains("import requests"));
}
