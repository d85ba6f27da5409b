//! `authgen run`, `commit` and `demo`, end to end: the real binary, real
//! Python and git, and a mock API on 127.0.0.1.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::mock::{MockApi, bearer_api};
use common::*;

const TOKEN: &str = "ghp-test-token-0123456789";

fn github_repo() -> Test {
    let repo = Test::with_fixtures(&["github"]);
    repo.authgen(["generate", "github", "--yes"]).success();
    repo
}

fn write_creds(repo: &Test, json: &str) -> PathBuf {
    repo.write(Path::new(TEST_DIR).join("github/configs/dev_config.json"), json)
}

fn make_executable(path: &Path) {
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
}

fn mock() -> MockApi {
    bearer_api(TOKEN, Some("forbidden-token-1234"))
}

fn authgen_run(repo: &Test, base_url: &str, extra: &[&str]) -> Ran {
    repo.authgen(["run", "github", "--python"]).arg(python()).args(extra).env("CONNECTOR_TEST_BASE_URL", base_url).run()
}

fn no_secret(out: &Ran) {
    for stream in [&out.stdout, &out.stderr] {
        assert!(!stream.contains(TOKEN), "secret printed:\n{stream}");
    }
}

#[test]
fn run_passes_streams_output_and_says_what_next() {
    let repo = github_repo();
    write_creds(&repo, &format!(r#"{{"token": "{TOKEN}"}}"#));
    let api = mock();
    let out = authgen_run(&repo, &api.url(), &[]);
    out.assert_code(0);
    assert!(out.stdout.contains("github: authenticated: GitHub accepted bearer: HTTP 200"), "{}", out.stdout);
    assert!(out.stdout.contains("login = octocat"));
    assert!(out.stderr.contains("passed: github authenticated; commit the test with `authgen commit github`"));
    no_secret(&out);
}

#[test]
fn run_401_names_the_credentials_file_or_variable() {
    let repo = github_repo();
    let creds = write_creds(&repo, r#"{"token": "wrong-token-99999"}"#);
    let api = mock();
    let out = authgen_run(&repo, &api.url(), &[]);
    out.assert_code(1);
    let err = out.stderr;
    assert!(err.contains("failed: github: the server rejected the credentials (HTTP 401)"), "{err}");
    assert!(err.contains(&format!("check the values in {}", creds.display())), "{err}");
    assert!(!err.contains("wrong-token-99999"));
    // The variable wins over the file, and the verdict says so.
    let out = repo
        .authgen(["run", "github", "--python"])
        .arg(python())
        .env("CONNECTOR_TEST_BASE_URL", api.url())
        .env("CONNECTOR_TEST_CONFIG_JSON", r#"{"token": "other-wrong-token"}"#)
        .run();
    out.assert_code(1);
    assert!(out.stderr.contains("check the values in the CONNECTOR_TEST_CONFIG_JSON variable"));
    assert!(!out.stderr.contains("other-wrong-token"));
}

#[test]
fn run_403_names_the_permissions_the_spec_names() {
    let repo = github_repo();
    write_creds(&repo, r#"{"token": "forbidden-token-1234"}"#);
    let api = mock();
    let out = authgen_run(&repo, &api.url(), &[]);
    out.assert_code(1);
    let err = out.stderr;
    assert!(err.contains("lack permission (HTTP 403)"), "{err}");
    assert!(err.contains("Classic tokens need the repo (or public_repo) scope"), "{err}");
}

#[test]
fn run_exit_2_names_missing_parameters_and_the_command() {
    let repo = github_repo();
    write_creds(&repo, r#"{"base_url": ""}"#);
    let out = authgen_run(&repo, "http://127.0.0.1:9", &[]);
    out.assert_code(2);
    let err = out.stderr;
    assert!(err.contains("credentials missing or incomplete (token)"), "{err}");
    assert!(err.contains("run `authgen credentials github`"), "{err}");
}

#[test]
fn run_exit_3_names_the_host() {
    let repo = github_repo();
    write_creds(&repo, &format!(r#"{{"token": "{TOKEN}"}}"#));
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let out = authgen_run(&repo, &format!("http://{closed}"), &[]);
    out.assert_code(3);
    assert!(out.stderr.contains(&format!("github: could not reach {closed}")), "{}", out.stderr);
    no_secret(&out);
}

#[test]
fn run_unreachable_token_url_names_connector_test_token_url() {
    let repo = Test::with_fixtures(&["gmail"]);
    repo.authgen(["generate", "gmail", "--yes"]).success();
    repo.write(
        Path::new(TEST_DIR).join("gmail/configs/dev_config.json"),
        r#"{"client_id": "id-1234", "client_secret": "secret-1234", "refresh_token": "refresh-1234"}"#,
    );
    let api = MockApi::start(|_| common::mock::Reply::json(200, serde_json::json!({"emailAddress": "a@example.com"})));
    let closed = common::mock::closed_url();
    let out = repo
        .authgen(["run", "gmail", "--python"])
        .arg(python())
        .env("CONNECTOR_TEST_BASE_URL", api.url())
        .env("CONNECTOR_TEST_TOKEN_URL", format!("{closed}/token"))
        .run();
    out.assert_code(3);
    let verdict = out.stderr.lines().find(|l| l.starts_with("failed: ")).unwrap_or_default().to_string();
    assert!(verdict.contains("set CONNECTOR_TEST_TOKEN_URL"), "{}", out.stderr);
    assert!(!verdict.contains("CONNECTOR_TEST_BASE_URL"), "the base URL was never tried: {verdict}");
    assert!(api.received().is_empty());
}

#[test]
fn run_with_a_python_without_requests_says_what_to_install() {
    let repo = github_repo();
    write_creds(&repo, &format!(r#"{{"token": "{TOKEN}"}}"#));
    let bare = repo.join("bare");
    repo.command(python(), ["-m", "venv", "--without-pip"]).arg(&bare).success();
    let api = mock();
    let out = repo
        .authgen(["run", "github", "--python"])
        .arg(bare.join("bin/python"))
        .env("CONNECTOR_TEST_BASE_URL", api.url())
        .run();
    out.assert_code(2);
    let err = &out.stderr;
    assert!(!err.contains("Traceback"), "{err}");
    assert!(err.contains("failed: github: this Python has no requests package; `pip install requests`"), "{err}");
    assert!(err.contains("`authgen generate github --http-client urllib`"), "{err}");
    assert!(!err.contains("authgen credentials"), "the credentials are not what is missing: {err}");
    assert!(api.received().is_empty());
}

#[test]
fn a_python_that_never_answers_is_stopped_and_named() {
    let repo = github_repo();
    write_creds(&repo, &format!(r#"{{"token": "{TOKEN}"}}"#));
    // A launcher that hangs, and a process it leaves behind holding the pipe.
    let hung = repo.write("hung/python", "#!/bin/sh\nsleep 600 &\nexec sleep 600\n");
    make_executable(&hung);
    let api = mock();
    let started = Instant::now();
    let out = repo.authgen(["run", "github", "--python"]).arg(&hung).env("CONNECTOR_TEST_BASE_URL", api.url()).run();
    let took = started.elapsed();
    out.assert_code(2);
    assert!(out.stderr.contains("did not report a Python version within 10 s"), "{}", out.stderr);
    assert!(out.stderr.contains("hung/python"), "the interpreter is named: {}", out.stderr);
    assert!(took < Duration::from_secs(20), "the probe is bounded: {took:?}");
    assert!(api.received().is_empty());
}

#[test]
fn run_json_verdict() {
    let repo = github_repo();
    write_creds(&repo, &format!(r#"{{"token": "{TOKEN}"}}"#));
    let api = mock();
    let out = authgen_run(&repo, &api.url(), &["--format", "json"]);
    out.assert_code(0);
    let v = out.json();
    assert_eq!(v["exit_code"], 0);
    assert_eq!(v["source"], "github");
    assert_eq!(v["credentials"]["kind"], "file");
    assert_eq!(v["stale"], false);
    assert_eq!(v["next"], "commit the test with `authgen commit github`");
    assert!(out.stderr.contains("login = octocat"), "the script's output goes to stderr with --format json");
}

#[test]
fn run_config_flag_picks_the_file() {
    let repo = github_repo();
    write_creds(&repo, r#"{"token": "wrong-token-99999"}"#);
    repo.write("other.json", format!(r#"{{"token": "{TOKEN}"}}"#));
    let api = mock();
    let out = authgen_run(&repo, &api.url(), &["--config", "other.json"]);
    out.assert_code(0);
}

#[test]
fn run_timeout_stops_the_whole_process_group() {
    let repo = github_repo();
    write_creds(&repo, &format!(r#"{{"token": "{TOKEN}"}}"#));
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
    let pidfile = repo.join("child.pid");
    let wrapper = repo.write(
        "python-wrapper",
        format!("#!/bin/sh\n\"{}\" \"$@\" &\necho $! > \"{}\"\nwait\n", python().display(), pidfile.display()),
    );
    make_executable(&wrapper);
    let started = Instant::now();
    let out = repo
        .authgen(["run", "github", "--timeout", "1", "--python"])
        .arg(&wrapper)
        .env("CONNECTOR_TEST_BASE_URL", format!("http://{addr}"))
        .run();
    assert!(started.elapsed() < Duration::from_secs(8), "not stopped at the timeout");
    out.assert_code(3);
    assert!(out.stderr.contains("no result within 1 s; the test was stopped"), "{}", out.stderr);
    let pid = std::fs::read_to_string(&pidfile).unwrap().trim().to_string();
    std::thread::sleep(Duration::from_millis(200));
    let alive = Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default().contains(") Z ");
    assert!(!alive, "the Python child {pid} survived the timeout");
    drop(holder);
}

/// A `--python` that runs `prelude` (sh) first when it runs the test, then
/// the real Python. It sits in a venv layout whose `pyvenv.cfg` gives the
/// version, so authgen runs it as it is (a probe would find the real one).
fn python_wrapper(repo: &Test, prelude: &str) -> PathBuf {
    repo.write("wrapped-venv/pyvenv.cfg", "version = 3.11.0\n");
    let wrapper = repo.write(
        "wrapped-venv/bin/python",
        format!(
            "#!/bin/sh\ncase \"$1\" in *auth_test.py)\n{prelude}\n;; esac\nexec \"{}\" \"$@\"\n",
            python().display()
        ),
    );
    make_executable(&wrapper);
    wrapper
}

/// Stop a process the test started in another session.
fn kill_pid(pidfile: &Path) {
    if let Ok(pid) = std::fs::read_to_string(pidfile) {
        let _ = std::process::Command::new("kill").arg("-9").arg(pid.trim()).status();
    }
}

#[test]
fn run_gives_its_verdict_when_a_process_in_another_session_holds_the_pipes() {
    let repo = github_repo();
    write_creds(&repo, &format!(r#"{{"token": "{TOKEN}"}}"#));
    let pidfile = repo.join("stray.pid");
    // setsid: out of the script's process group, so the timeout kill misses it.
    let wrapper = python_wrapper(&repo, &format!("setsid sleep 30 &\necho $! > \"{}\"", pidfile.display()));
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    let started = Instant::now();
    let out = repo
        .authgen(["run", "github", "--timeout", "1", "--python"])
        .arg(&wrapper)
        .env("CONNECTOR_TEST_BASE_URL", format!("http://{addr}"))
        .timeout(Duration::from_secs(40))
        .run();
    let took = started.elapsed();
    kill_pid(&pidfile);
    assert!(took < Duration::from_secs(6), "timeout 1 s + 2 s for the pipes, took {took:?}");
    out.assert_code(3);
    assert!(out.stderr.contains("no result within 1 s; the test was stopped"), "{}", out.stderr);
    drop(silent);

    // A script that passes but leaves such a process behind: the verdict still comes.
    let api = mock();
    let started = Instant::now();
    let out = repo
        .authgen(["run", "github", "--python"])
        .arg(&wrapper)
        .env("CONNECTOR_TEST_BASE_URL", api.url())
        .timeout(Duration::from_secs(40))
        .run();
    let took = started.elapsed();
    kill_pid(&pidfile);
    assert!(took < Duration::from_secs(10), "took {took:?}");
    out.assert_code(0);
    assert!(out.stderr.contains("passed: github authenticated"), "{}", out.stderr);
}

#[test]
fn run_streams_a_flood_of_output_keeping_only_its_tail() {
    let repo = github_repo();
    write_creds(&repo, &format!(r#"{{"token": "{TOKEN}"}}"#));
    let hwm = repo.join("authgen.hwm");
    // 100 MB of lines, then the script's own parent (authgen) reports its peak memory.
    let flood = format!(
        "\"{}\" -c \"import sys; b = (('x' * 999) + chr(10)).encode() * 1000; [sys.stdout.buffer.write(b) for _ in range(100)]\"\n\
         grep VmHWM /proc/$PPID/status > \"{}\"",
        python().display(),
        hwm.display()
    );
    let wrapper = python_wrapper(&repo, &flood);
    let api = mock();
    let mut cmd = repo
        .authgen(["run", "github", "--format", "json", "--python"])
        .arg(&wrapper)
        .env("CONNECTOR_TEST_BASE_URL", api.url())
        .command();
    let out = cmd.stdin(std::process::Stdio::null()).stderr(std::process::Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verdict"], "github authenticated", "{report}");
    let line = std::fs::read_to_string(&hwm).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("VmHWM in kB");
    println!("authgen peak memory with 100 MB of output: {kib} kB");
    assert!(kib < 64 * 1024, "authgen held {kib} kB for 100 MB of output");
}

#[test]
fn run_decodes_a_non_utf8_byte_and_keeps_reading() {
    let repo = github_repo();
    write_creds(&repo, &format!(r#"{{"token": "{TOKEN}"}}"#));
    let wrapper = python_wrapper(&repo, "printf 'before \\377 after\\n'");
    let api = mock();
    let out = authgen_run_with(&repo, &api.url(), &wrapper);
    out.assert_code(0);
    assert!(out.stdout.contains("before \u{fffd} after"), "{}", out.stdout);
    assert!(out.stdout.contains("login = octocat"), "the script's later lines still come: {}", out.stdout);
    assert!(!out.stderr.contains("BrokenPipeError"), "{}", out.stderr);
    assert!(out.stderr.contains("passed: github authenticated"), "{}", out.stderr);
}

fn authgen_run_with(repo: &Test, base_url: &str, python: &Path) -> Ran {
    repo.authgen(["run", "github", "--python"]).arg(python).env("CONNECTOR_TEST_BASE_URL", base_url).run()
}

/// The server echoes the token back encoded; the script's preview of the
/// body must mask every form, not just the raw value.
#[test]
fn run_masks_a_token_the_server_echoes_encoded() {
    use common::mock::{MockApi, Reply, base64, percent_encode};
    let token = "ghp/Tok+en=?&x 42~z";
    let b64 = base64(token.as_bytes());
    let b64url = b64.replace('+', "-").replace('/', "_");
    let b64url = b64url.trim_end_matches('=').to_string();
    let pct = percent_encode(token);
    let wrapped = base64(format!("{{\"token\": \"{token}\"}}").as_bytes());
    let inner = wrapped[8..wrapped.len() - 8].to_string();
    // Lower-case hex digits, as some servers write them.
    let pct_lower: String = token
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02x}")
            }
        })
        .collect();
    assert!(b64.contains(['+', '/']) && b64url != b64 && pct != token, "{b64} {b64url} {pct}");
    let body = format!("echo: {b64} | {b64url} | {pct} | {wrapped} | {pct_lower}");
    let api = MockApi::start(move |_| Reply::text(400, body.clone()));
    let repo = github_repo();
    write_creds(&repo, &serde_json::json!({"token": token}).to_string());
    let out = authgen_run(&repo, &api.url(), &[]);
    out.assert_code(1);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(all.contains("echo: *** | *** | *** |"), "{all}");
    for form in [token, &b64, b64.trim_end_matches('='), &b64url, &pct, &inner, &pct_lower] {
        assert!(!all.contains(form), "{form:?} shown:\n{all}");
    }
}

/// Credential values a header cannot carry: exit 2 from the script, saying
/// why, with either HTTP client; no traceback, no false "rejected".
#[test]
fn run_refuses_a_credential_a_header_cannot_carry() {
    let api = mock();
    let repo = github_repo();
    for client in ["requests", "urllib"] {
        repo.authgen(["generate", "github", "--yes", "--http-client", client]).success();
        for (value, code) in [
            ("tok\u{2028}en-1234", "U+2028"),
            ("tok\u{200F}en-1234", "U+200F"),
            ("\u{FEFF}token-1234", "U+FEFF"),
            ("token-\u{1F600}-1234", "U+1F600"),
        ] {
            write_creds(&repo, &serde_json::json!({"token": value}).to_string());
            let out = authgen_run(&repo, &api.url(), &[]);
            let all = format!("{}{}", out.stdout, out.stderr);
            assert_eq!(out.code, Some(2), "{client} {code}:\n{all}");
            assert!(all.contains(&format!("the Authorization header would carry {code}")), "{client}:\n{all}");
            assert!(!all.contains("Traceback") && !all.contains("rejected"), "{client}:\n{all}");
            assert!(out.stderr.contains("a credential value holds a character HTTP headers cannot carry"), "{all}");
            assert!(!all.contains(value), "{client}: the value was printed");
        }
    }
    assert!(api.received().is_empty(), "nothing was sent");
}

#[test]
fn run_finds_python_in_order_and_refuses_old_ones() {
    let repo = github_repo();
    write_creds(&repo, &format!(r#"{{"token": "{TOKEN}"}}"#));
    let api = mock();
    let link = |dir: &Path| {
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        std::os::unix::fs::symlink(python(), dir.join("bin/python")).unwrap();
        dir.join("bin/python")
    };
    let repo_venv = link(&repo.join(".venv"));
    let other_venv = link(&repo.join("elsewhere"));
    let python_of = |run: Run| {
        let v = run.success().json();
        PathBuf::from(v["python"].as_str().unwrap())
    };
    let base = || repo.authgen(["run", "github", "--format", "json"]).env("CONNECTOR_TEST_BASE_URL", api.url());
    assert_eq!(python_of(base()), repo_venv, ".venv at the repo root");
    assert_eq!(python_of(base().env("VIRTUAL_ENV", repo.join("elsewhere"))), other_venv, "$VIRTUAL_ENV before .venv");
    assert_eq!(
        python_of(base().env("VIRTUAL_ENV", repo.join("elsewhere")).arg("--python").arg(python())),
        python(),
        "--python first"
    );
    // An old interpreter is refused with what to do.
    let old = repo.write("old-python", "#!/bin/sh\necho 3 8\n");
    make_executable(&old);
    let out = repo.authgen(["run", "github", "--python"]).arg(&old).run();
    out.assert_code(2);
    assert!(out.stderr.contains("is Python 3.8; generated tests need 3.10 or newer"), "{}", out.stderr);
    // A virtual environment's version is read from its pyvenv.cfg.
    let old_venv = repo.join("old-venv");
    link(&old_venv);
    repo.write("old-venv/pyvenv.cfg", "home = /usr/bin\nversion = 3.9.18\n");
    let out = repo.authgen(["run", "github"]).env("VIRTUAL_ENV", &old_venv).run();
    out.assert_code(2);
    assert!(out.stderr.contains("is Python 3.9; generated tests need 3.10 or newer"), "{}", out.stderr);
}

#[test]
fn run_says_first_when_the_test_is_missing_or_stale() {
    let repo = Test::with_fixtures(&["github"]);
    let out = repo.authgen(["run", "github"]).run();
    out.assert_code(2);
    assert!(out.stderr.contains("does not exist yet: run `authgen generate github` first"));
    repo.authgen(["generate", "github", "--yes"]).success();
    let edited = repo.read_test("github").replace("DISPLAY_NAME = \"GitHub\"", "DISPLAY_NAME = \"Hub\"");
    repo.write(repo.test_path("github"), edited);
    write_creds(&repo, &format!(r#"{{"token": "{TOKEN}"}}"#));
    let api = mock();
    let out = authgen_run(&repo, &api.url(), &[]);
    out.assert_code(0);
    assert!(out.stderr.starts_with("warning: tests/unit/sources/github/auth_test.py is stale against its spec"));
    // The shared runtime the test imports: missing is refused, stale is run with a warning.
    let runtime = repo.join(TEST_DIR).join("authgen_runtime.py");
    let text = repo.read(&runtime);
    repo.write(&runtime, text.replace("TIMEOUT_S = 10", "TIMEOUT_S = 9"));
    let out = authgen_run(&repo, &api.url(), &[]);
    out.assert_code(0);
    assert!(out.stderr.contains("warning: tests/unit/sources/authgen_runtime.py is stale"), "{}", out.stderr);
    std::fs::remove_file(&runtime).unwrap();
    let out = authgen_run(&repo, &api.url(), &[]);
    out.assert_code(2);
    assert!(out.stderr.contains("authgen_runtime.py, which the test imports, does not exist yet"), "{}", out.stderr);
    // Run directly, the test says what is missing and how to get it (exit 2, no traceback).
    let ran = repo.command(python(), [repo.test_path("github")]).run();
    assert_eq!(ran.code, Some(2), "{}", ran.stderr);
    assert!(ran.stderr.contains("authgen_runtime.py is missing: run `authgen generate github`"), "{}", ran.stderr);
    assert!(!ran.stderr.contains("Traceback"));
}

// ---- commit ----

fn head(repo: &Test) -> String {
    repo.git(["rev-parse", "HEAD"]).success().stdout.trim().to_string()
}

fn commit_paths(repo: &Test) -> Vec<String> {
    let out = repo.git(["show", "--name-only", "--format=", "HEAD"]).success();
    out.stdout.lines().filter(|l| !l.is_empty()).map(str::to_string).collect()
}

fn initial_commit(repo: &Test) {
    repo.git(["add", "src"]).success();
    repo.git(["commit", "-q", "-m", "spec"]).success();
}

#[test]
fn commit_holds_the_test_and_gitignore_only_and_leaves_staged_work_staged() {
    let repo = github_repo();
    initial_commit(&repo);
    write_creds(&repo, &format!(r#"{{"token": "{TOKEN}"}}"#));
    repo.write("notes.txt", "work in progress\n");
    repo.git(["add", "notes.txt"]).success();
    let out = repo.authgen(["commit", "github"]).run();
    out.assert_code(0);
    assert!(out.stderr.contains("added tests/unit/sources/github/configs/.gitignore so that"), "{}", out.stderr);
    // The first commit carries the shared runtime the test imports.
    assert_eq!(
        commit_paths(&repo),
        [
            "tests/unit/sources/authgen_runtime.py",
            "tests/unit/sources/github/auth_test.py",
            "tests/unit/sources/github/configs/.gitignore"
        ]
    );
    let message = repo.git(["log", "-1", "--format=%s"]).run().stdout;
    assert_eq!(message.trim(), "Add github auth test");
    let staged = repo.git(["diff", "--cached", "--name-only"]).run().stdout;
    assert_eq!(staged.trim(), "notes.txt", "other staged work stays staged");
    let ignored = repo.git(["check-ignore", "-q", "tests/unit/sources/github/configs/dev_config.json"]).run();
    assert_eq!(ignored.code, Some(0), "credentials now ignored");
    no_secret(&out);
    // Again: nothing to do.
    let out = repo.authgen(["commit", "github"]).run();
    out.assert_code(0);
    assert!(out.stderr.contains("already committed as it is"));
}

#[test]
fn commit_message_flag_and_no_gitignore_when_already_ignored() {
    let repo = github_repo();
    // The test is generated from the spec: commit refuses a spec never committed.
    initial_commit(&repo);
    repo.write(".gitignore", "dev_config.json\n");
    write_creds(&repo, &format!(r#"{{"token": "{TOKEN}"}}"#));
    let out = repo.authgen(["commit", "github", "-m", "Add the GitHub check"]).run();
    out.assert_code(0);
    assert_eq!(
        commit_paths(&repo),
        ["tests/unit/sources/authgen_runtime.py", "tests/unit/sources/github/auth_test.py"]
    );
    let message = repo.git(["log", "-1", "--format=%s"]).run().stdout;
    assert_eq!(message.trim(), "Add the GitHub check");
    // A second source's commit: the runtime is committed already, as it is.
    repo.write_spec("stripe", &std::fs::read_to_string(fixtures_dir().join("stripe/connector_spec.yaml")).unwrap());
    initial_commit(&repo);
    repo.authgen(["generate", "stripe", "--yes"]).success();
    repo.authgen(["commit", "stripe"]).success();
    assert_eq!(commit_paths(&repo), ["tests/unit/sources/stripe/auth_test.py"]);
}

#[test]
fn commit_refuses_missing_and_stale_tests() {
    let repo = Test::with_fixtures(&["github"]);
    initial_commit(&repo);
    let before = head(&repo);
    let out = repo.authgen(["commit", "github"]).run();
    out.assert_code(1);
    assert!(out.stderr.contains("refused: tests/unit/sources/github/auth_test.py does not exist"));
    repo.authgen(["generate", "github", "--yes"]).success();
    repo.write(repo.test_path("github"), repo.read_test("github") + "# hand edit\n");
    let out = repo.authgen(["commit", "github"]).run();
    out.assert_code(1);
    assert!(out.stderr.contains("is stale against its spec"));
    assert_eq!(head(&repo), before, "nothing committed");
    // A test without the runtime it imports would fail in a fresh clone.
    repo.authgen(["generate", "github", "--yes"]).success();
    std::fs::remove_file(repo.join(TEST_DIR).join("authgen_runtime.py")).unwrap();
    let out = repo.authgen(["commit", "github"]).run();
    out.assert_code(1);
    assert!(out.stderr.contains("refused: tests/unit/sources/authgen_runtime.py does not exist"), "{}", out.stderr);
    assert_eq!(head(&repo), before, "nothing committed");
}

#[test]
fn commit_refuses_a_test_holding_a_credential_value() {
    let repo = Test::with_fixtures(&["github"]);
    // A spec that carries the token itself into the generated file.
    let text_spec = repo.read_spec("github").replace(
        "      Accept: application/vnd.github+json",
        &format!("      Accept: application/vnd.github+json\n      X-Debug: \"{TOKEN}\""),
    );
    repo.write_spec("github", &text_spec);
    initial_commit(&repo);
    let before = head(&repo);
    repo.authgen(["generate", "github", "--yes"]).success();
    for via_env in [false, true] {
        let mut cmd = repo.authgen(["commit", "github"]);
        if via_env {
            cmd = cmd.env("CONNECTOR_TEST_CONFIG_JSON", format!(r#"{{"token": "{TOKEN}"}}"#));
        } else {
            write_creds(&repo, &format!(r#"{{"token": "{TOKEN}"}}"#));
        }
        let out = cmd.run();
        out.assert_code(1);
        assert!(out.stderr.contains("contains the value of credential(s) token"), "{}", out.stderr);
        no_secret(&out);
        assert_eq!(head(&repo), before);
        let _ = std::fs::remove_file(repo.credentials_path("github"));
    }
}

/// A credential given as a JSON number is searched for too.
#[test]
fn commit_refuses_a_test_holding_a_numeric_credential_value() {
    let repo = Test::with_fixtures(&["github"]);
    let text_spec = repo.read_spec("github").replace(
        "      Accept: application/vnd.github+json",
        "      Accept: application/vnd.github+json\n      X-Account: \"9876543210\"",
    );
    repo.write_spec("github", &text_spec);
    initial_commit(&repo);
    let before = head(&repo);
    repo.authgen(["generate", "github", "--yes"]).success();
    write_creds(&repo, &format!(r#"{{"token": "{TOKEN}", "account": 9876543210}}"#));
    let out = repo.authgen(["commit", "github"]).run();
    out.assert_code(1);
    assert!(out.stderr.contains("contains the value of credential(s) account"), "{}", out.stderr);
    assert_eq!(head(&repo), before);
}

#[test]
fn commit_reports_a_failing_hook_and_commits_nothing() {
    let repo = github_repo();
    initial_commit(&repo);
    let before = head(&repo);
    let hook =
        repo.write(".git/hooks/pre-commit", "#!/bin/sh\necho 'policy: generated files need review' >&2\nexit 1\n");
    make_executable(&hook);
    let out = repo.authgen(["commit", "github"]).run();
    out.assert_code(1);
    assert!(out.stderr.contains("policy: generated files need review"), "{}", out.stderr);
    assert_eq!(head(&repo), before);
    let staged = repo.git(["diff", "--cached", "--name-only"]).run().stdout;
    assert_eq!(staged.trim(), "", "the index is as it was");
}

#[test]
fn after_a_failing_hook_the_index_is_exactly_as_it_was() {
    let repo = github_repo();
    initial_commit(&repo);
    let test = "tests/unit/sources/github/auth_test.py";
    // The user staged a draft of the test, then regenerated the file.
    repo.write(repo.test_path("github"), repo.read_test("github") + "# staged draft\n");
    repo.git(["add", test]).success();
    repo.authgen(["generate", "github", "--yes"]).success();
    let index = |repo: &Test| {
        repo.git(["ls-files", "-s", "--", test, "tests/unit/sources/authgen_runtime.py"]).success().stdout
    };
    let before = index(&repo);
    assert!(before.contains(test) && !before.contains("authgen_runtime.py"), "{before}");
    let hook = repo.write(".git/hooks/pre-commit", "#!/bin/sh\nexit 1\n");
    make_executable(&hook);
    let out = repo.authgen(["commit", "github"]).run();
    out.assert_code(1);
    assert_eq!(index(&repo), before, "the staged draft is staged again, the runtime unstaged");
    let staged = repo.git(["show", &format!(":{test}")]).success().stdout;
    assert!(staged.ends_with("# staged draft\n"), "{staged}");
}

#[test]
fn commit_on_a_detached_head_says_so() {
    let repo = github_repo();
    initial_commit(&repo);
    let out = repo.authgen(["commit", "github"]).run();
    out.assert_code(0);
    assert!(!out.stderr.contains("detached"), "on a branch: {}", out.stderr);
    repo.git(["checkout", "-q", "--detach"]).success();
    let spec = repo.read_spec("github");
    repo.write_spec("github", &spec.replace("application/vnd.github+json", "application/vnd.github.v3+json"));
    repo.authgen(["generate", "github", "--yes"]).success();
    let out = repo.authgen(["commit", "github"]).run();
    out.assert_code(0);
    assert!(out.stderr.contains("warning: HEAD is detached: this commit will be on no branch"), "{}", out.stderr);
}

// ---- demo ----

/// `authgen demo ARGS` run from `/`, without the tests' git identity.
fn demo_with(test: &Test, args: &[&std::ffi::OsStr], venv: &Path) -> Run {
    test.authgen(["demo"])
        .args(args)
        .current_dir("/")
        .env("VIRTUAL_ENV", venv)
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL")
}

/// `authgen demo --verbose --dir DIR`.
fn demo_in(test: &Test, dir: &Path, venv: &Path) -> Ran {
    demo_with(test, &["--verbose".as_ref(), "--dir".as_ref(), dir.as_os_str()], venv).run()
}

/// What is left in a temporary folder.
fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

#[test]
fn demo_prints_a_short_summary_and_removes_its_temporary_repo() {
    let tmp = Test::new();
    let temp = tmp.join("temp");
    std::fs::create_dir(&temp).unwrap();
    let venv = python().parent().unwrap().parent().unwrap().to_path_buf();
    let out = demo_with(&tmp, &[], &venv).env("TMPDIR", &temp).run();
    out.assert_code(0);
    let err = &out.stderr;
    assert!(err.lines().count() <= 10, "a short summary, not {} lines:\n{err}", err.lines().count());
    for expected in [
        "generated tests/unit/sources/demo_api/auth_test.py",
        "run with the right token: passed: demo_api authenticated",
        "run with a wrong token: failed: demo_api: the server rejected the credentials (HTTP 401)",
        "committed ",
        "the temporary repo is removed (keep one with --dir DIR)",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(!err.contains("+++ b/") && !out.stdout.contains("+++ b/"), "no diff without --verbose");
    assert!(!err.contains("login = demo-user"), "no script output without --verbose:\n{err}");
    assert_eq!(entries(&temp), Vec::<String>::new(), "the demo left its directory behind");

    // --quiet: one line on stdout, and the directory is removed too.
    let out = demo_with(&tmp, &["--quiet".as_ref()], &venv).env("TMPDIR", &temp).run();
    out.assert_code(0);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    assert!(
        out.stdout.trim_end().ends_with("the temporary repo is removed (keep one with --dir DIR)"),
        "{}",
        out.stdout
    );
    assert_eq!(entries(&temp), Vec::<String>::new());

    // A demo that fails half-way (no git on PATH) removes its directory as well.
    let bin = tmp.join("bin-without-git");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(python(), bin.join("python3")).unwrap();
    let out = demo_with(&tmp, &[], &venv).env("TMPDIR", &temp).env("PATH", &bin).run();
    assert_ne!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("git"), "{}", out.stderr);
    assert_eq!(entries(&temp), Vec::<String>::new(), "a failed demo left its directory behind");
}

#[test]
fn demo_runs_the_whole_flow_and_stops_its_server() {
    let tmp = Test::new();
    let dir = tmp.join("demo");
    let venv = python().parent().unwrap().parent().unwrap().to_path_buf();
    let started = Instant::now();
    let out = demo_in(&tmp, &dir, &venv);
    out.assert_code(0);
    assert!(started.elapsed() < Duration::from_secs(30));
    let err = &out.stderr;
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
    let show = tmp.git(["show", "--name-only", "--format=", "HEAD"]).current_dir(&dir).success();
    assert_eq!(
        show.stdout.lines().filter(|l| !l.is_empty()).collect::<Vec<_>>(),
        [
            "tests/unit/sources/authgen_runtime.py",
            "tests/unit/sources/demo_api/auth_test.py",
            "tests/unit/sources/demo_api/configs/.gitignore"
        ]
    );
    let id = tmp.git(["rev-parse", "--short", "HEAD"]).current_dir(&dir).success().stdout.trim().to_string();
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
    let token = tmp.read(dir.join(TEST_DIR).join("demo_api/configs/dev_config.json"));
    let token = token.split('"').nth(3).unwrap().to_string();
    assert!(!err.contains(&token) && !out.stdout.contains(&token), "the demo token was printed");
}

#[test]
fn demo_uses_urllib_when_requests_is_missing() {
    let tmp = Test::new();
    let venv = tmp.join("bare");
    tmp.command("python3", ["-m", "venv", "--without-pip"]).arg(&venv).success();
    let dir = tmp.join("demo");
    let out = demo_in(&tmp, &dir, &venv);
    out.assert_code(0);
    assert!(out.stderr.contains("requests is not installed"), "{}", out.stderr);
    let file = tmp.read(dir.join(TEST_DIR).join("demo_api/auth_test.py"));
    assert!(file.contains("\nHTTP_CLIENT = \"urllib\"\n"), "{file}");
}

/// `run` explains what the new checks find: a sign-in page, a token answer
/// without an access token (200 with an error), and a value that cannot go
/// where the spec puts it.
#[test]
fn run_explains_a_sign_in_page_a_token_error_and_a_value_that_does_not_fit() {
    let repo = github_repo();
    write_creds(&repo, &format!(r#"{{"token": "{TOKEN}"}}"#));
    let page = MockApi::start(|_| common::mock::Reply::html(200, "<html><title>Sign in</title></html>"));
    let out = authgen_run(&repo, &page.url(), &[]);
    out.assert_code(1);
    assert!(
        out.stderr.contains("github: the server answered with a web page (a sign-in page?), not the API's JSON"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("that the base URL is the API's, not its web site"), "{}", out.stderr);
    no_secret(&out);

    let repo = Test::with_fixtures(&["auth0", "mailchimp"]);
    repo.authgen(["generate", "auth0", "mailchimp", "--yes"]).success();
    let provider = MockApi::start(|_| {
        let body =
            serde_json::json!({"error": "access_denied", "error_description": "Service not enabled within domain"});
        common::mock::Reply::json(200, body)
    });
    let out = repo
        .authgen(["run", "auth0", "--python"])
        .arg(python())
        .env("CONNECTOR_TEST_TOKEN_URL", format!("{}/oauth/token", provider.url()))
        .env(
            "CONNECTOR_TEST_CONFIG_JSON",
            r#"{"domain": "acme.us.auth0.com", "client_id": "app", "client_secret": "s3cret-value"}"#,
        )
        .run();
    out.assert_code(1);
    let err = &out.stderr;
    assert!(
        err.contains("auth0: the OAuth token endpoint refused the credentials (HTTP 200): access_denied: Service not enabled within domain"),
        "{err}"
    );
    assert!(err.contains("check client_id, client_secret and the audience the spec sends"), "{err}");
    assert!(!err.contains("s3cret-value"), "{err}");

    let out = repo
        .authgen(["run", "mailchimp", "--python"])
        .arg(python())
        .env("CONNECTOR_TEST_CONFIG_JSON", r#"{"api_key": "k3y-127.0.0.1:18777/steal?x="}"#)
        .run();
    out.assert_code(2);
    assert!(
        out.stderr.contains("mailchimp: a credential value does not fit where it goes: dc (derived from api_key) cannot go into a host name"),
        "{}",
        out.stderr
    );
}
