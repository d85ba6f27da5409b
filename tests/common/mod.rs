//! Shared test support: the [`Test`] builder (a throwaway connector repo from
//! fixtures, the real binary run in it with a scrubbed environment, one
//! [`Ran`] result to assert on), the one mock HTTP server ([`mock`]), and the
//! Python tools and browser the tests need.
#![allow(dead_code)]

pub mod mock;
pub mod rng;

use std::collections::BTreeMap;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const SPEC_DIR: &str = "src/databricks/labs/community_connector/sources";
pub const TEST_DIR: &str = "tests/unit/sources";

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures_dir() -> PathBuf {
    manifest_dir().join("tests/fixtures/connectors")
}

/// The fixtures of signed and session auth; their end-to-end cases are in
/// tests/signed_auth.rs, next to the mocks that verify signatures.
pub const SIGNED: &[&str] = &["aws_sqs", "google_analytics", "smart_backend", "veeva_vault"];

/// The fixtures that generate (the rest are refused by design).
pub const GENERATING: &[&str] = &[
    "amplitude",
    "auth0",
    "aws_sqs",
    "azure_data_manager_energy",
    "azure_devops",
    "dicomweb",
    "github",
    "gmail",
    "google_analytics",
    "hostile_text",
    "mailchimp",
    "microsoft_graph",
    "odata",
    "openweather",
    "pagerduty",
    "seedstyle",
    "shopify",
    "smart_backend",
    "smart_fhir",
    "stripe",
    "veeva_vault",
    "zendesk",
];

/// A HOME for child processes started outside a [`Test`]: no user config leaks in.
fn scratch_home() -> PathBuf {
    let home = std::env::temp_dir().join(format!("authgen-test-home-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&home);
    home
}

/// Environment every child process of the tests gets: nothing from the
/// developer's shell but PATH (so no CI, colour or terminal variables), a
/// fixed git identity, no user or system git config, and a scratch HOME.
pub fn scrub(cmd: &mut Command) -> &mut Command {
    scrub_with_home(cmd, &scratch_home())
}

fn scrub_with_home<'a>(cmd: &'a mut Command, home: &Path) -> &'a mut Command {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("LANG", "C.UTF-8")
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Test Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A throwaway connector repo: a git-initialised temporary directory holding
/// fixtures in the default layout, with its own empty HOME. Commands run in it
/// through [`Test::authgen`] (the real binary) and [`Test::git`], both with a
/// scrubbed environment.
pub struct Test {
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Test {
    /// An empty git repo (branch `main`).
    pub fn new() -> Test {
        let test = Test::plain();
        test.git(["init", "-q", "-b", "main"]).success();
        test
    }

    /// An empty directory that is no git repo, for runs of a generated test
    /// on its own.
    pub fn plain() -> Test {
        Test { dir: tempfile::tempdir().expect("tempdir"), home: tempfile::tempdir().expect("tempdir for HOME") }
    }

    /// A repo holding the named fixtures (`tests/fixtures/connectors/NAME`).
    pub fn with_fixtures(names: &[&str]) -> Test {
        let test = Test::new();
        for name in names {
            test.add_fixture(name);
        }
        test
    }

    /// A repo holding one source whose spec is `spec`.
    pub fn with_spec(source: &str, spec: &str) -> Test {
        let test = Test::new();
        test.write_spec(source, spec);
        test
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// `rel` inside the repo.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.path().join(rel)
    }

    /// Copy a fixture's files into the default spec directory of `name`.
    pub fn add_fixture(&self, name: &str) {
        let target = self.path().join(SPEC_DIR).join(name);
        std::fs::create_dir_all(&target).expect("mkdir");
        for entry in std::fs::read_dir(fixtures_dir().join(name)).expect("fixture dir") {
            let entry = entry.expect("entry");
            std::fs::copy(entry.path(), target.join(entry.file_name())).expect("copy fixture");
        }
    }

    pub fn spec_path(&self, source: &str) -> PathBuf {
        self.path().join(SPEC_DIR).join(source).join("connector_spec.yaml")
    }

    pub fn test_path(&self, source: &str) -> PathBuf {
        self.path().join(TEST_DIR).join(source).join("auth_test.py")
    }

    pub fn credentials_path(&self, source: &str) -> PathBuf {
        self.path().join(TEST_DIR).join(source).join("configs/dev_config.json")
    }

    /// Write `contents` at `rel` (parents created); returns the full path.
    pub fn write(&self, rel: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("a file inside the repo")).expect("mkdir");
        std::fs::write(&path, contents).expect("write");
        path
    }

    pub fn write_spec(&self, source: &str, spec: &str) -> PathBuf {
        let rel = Path::new(SPEC_DIR).join(source).join("connector_spec.yaml");
        self.write(rel, spec)
    }

    /// The text of `rel` (or an absolute path); panics naming it when unreadable.
    pub fn read(&self, rel: impl AsRef<Path>) -> String {
        let path = self.path().join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    pub fn read_spec(&self, source: &str) -> String {
        self.read(self.spec_path(source))
    }

    /// The generated test of `source`.
    pub fn read_test(&self, source: &str) -> String {
        self.read(self.test_path(source))
    }

    /// The real authgen binary with `args`, run at the repo root.
    pub fn authgen<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.command(env!("CARGO_BIN_EXE_authgen"), args)
    }

    /// git with `args`, run at the repo root.
    pub fn git<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.command("git", args)
    }

    /// Any program, in the same scrubbed environment as authgen.
    pub fn command<I, S>(&self, program: impl AsRef<std::ffi::OsStr>, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = Command::new(program);
        scrub_with_home(&mut cmd, self.home()).current_dir(self.path()).args(args);
        Run { cmd, stdin: None, root: self.path().to_path_buf(), timeout: None }
    }
}

/// A command about to run in a [`Test`]'s repo.
pub struct Run {
    cmd: Command,
    stdin: Option<Vec<u8>>,
    root: PathBuf,
    timeout: Option<Duration>,
}

impl Run {
    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Run {
        self.cmd.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Feed `input` on stdin (else stdin is empty: never a terminal).
    pub fn stdin(mut self, input: impl AsRef<[u8]>) -> Run {
        self.stdin = Some(input.as_ref().to_vec());
        self
    }

    pub fn env(mut self, key: impl AsRef<std::ffi::OsStr>, value: impl AsRef<std::ffi::OsStr>) -> Run {
        self.cmd.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<std::ffi::OsStr>) -> Run {
        self.cmd.env_remove(key);
        self
    }

    pub fn envs<K: AsRef<std::ffi::OsStr>, V: AsRef<std::ffi::OsStr>>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Run {
        self.cmd.envs(vars);
        self
    }

    /// Kill the process after `limit`: the result then has no exit code and
    /// stderr says so.
    pub fn timeout(mut self, limit: Duration) -> Run {
        self.timeout = Some(limit);
        self
    }

    /// Run from `dir` instead of the repo root.
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Run {
        self.cmd.current_dir(dir);
        self
    }

    /// The command, for tests that drive the process themselves.
    pub fn command(self) -> Command {
        self.cmd
    }

    /// Run to the end and collect what it did.
    pub fn run(mut self) -> Ran {
        let before = snapshot(&self.root);
        self.cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self.cmd.spawn().unwrap_or_else(|e| panic!("spawn {:?}: {e}", self.cmd.get_program()));
        let input = self.stdin.take().unwrap_or_default();
        let mut pipe = child.stdin.take().expect("stdin pipe");
        // Threads feed stdin and drain the output, so no pipe can fill up and
        // block the child (the program may stop reading early: that is fine).
        let writer = std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
        let drain = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut bytes);
                }
                bytes
            })
        };
        let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
        let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
        let deadline = self.timeout.map(|limit| Instant::now() + limit);
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break Some(status);
            }
            if deadline.is_some_and(|d| Instant::now() > d) {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let _ = writer.join();
        let stdout = text(&stdout.join().unwrap_or_default());
        let mut stderr = text(&stderr.join().unwrap_or_default());
        if status.is_none() {
            stderr.push_str(&format!("\n[killed after {:?}]", self.timeout.unwrap_or_default()));
        }
        let after = snapshot(&self.root);
        let written = after.iter().filter(|(p, c)| before.get(*p) != Some(c)).map(|(p, _)| p.clone()).collect();
        let removed = before.keys().filter(|p| !after.contains_key(*p)).cloned().collect();
        Ran { code: status.and_then(|s| s.code()), stdout, stderr, written, removed }
    }

    /// Run and assert the exit code.
    pub fn code(self, expected: i32) -> Ran {
        let ran = self.run();
        ran.assert_code(expected);
        ran
    }

    /// Run and assert exit code 0.
    pub fn success(self) -> Ran {
        self.code(0)
    }
}

/// What a finished command did: exit code, output, and the repo files it
/// added or changed (`written`) or deleted (`removed`), relative, sorted.
#[derive(Debug)]
pub struct Ran {
    /// `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub written: Vec<String>,
    pub removed: Vec<String>,
}

impl Ran {
    pub fn assert_code(&self, expected: i32) -> &Ran {
        assert_eq!(self.code, Some(expected), "exit code\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    /// Nothing in the repo was added, changed or deleted.
    pub fn assert_wrote_nothing(&self) -> &Ran {
        assert!(
            self.written.is_empty() && self.removed.is_empty(),
            "expected no file changes, got written {:?} removed {:?}\nstderr:\n{}",
            self.written,
            self.removed,
            self.stderr
        );
        self
    }

    /// stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// stdout then stderr.
    pub fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Every file under `root` outside `.git`, by relative path, with its bytes.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(root) {
                files.insert(rel.display().to_string(), std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    files
}

/// Python packages the tests use; `.ci/run` installs the same list.
/// cryptography: the generated tests sign JWTs with it (tests/signed_auth.rs).
pub const PY_PACKAGES: &[&str] = &["requests", "pytest", "ruff", "selenium", "cryptography"];

/// The Python with requests and pytest: AUTHGEN_TEST_PYTHON, else the
/// project's `.venv`, created and filled on first use. A missing tool fails
/// the test; it never skips.
pub fn python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            if let Some(p) = std::env::var_os("AUTHGEN_TEST_PYTHON") {
                return PathBuf::from(p);
            }
            let venv = manifest_dir().join(".venv");
            let py = venv.join("bin/python");
            let ready = || {
                Command::new(&py)
                    .args([
                        "-c",
                        "import sys, requests, pytest, selenium, cryptography; sys.exit(sys.version_info < (3, 10))",
                    ])
                    .output()
                    .is_ok_and(|o| o.status.success())
                    && venv.join("bin/ruff").exists()
            };
            if !ready() {
                eprintln!(
                    "setting up {} (once): python3 -m venv + pip install {}",
                    venv.display(),
                    PY_PACKAGES.join(" ")
                );
                let made = py.exists()
                    || Command::new("python3").arg("-m").arg("venv").arg(&venv).status().is_ok_and(|s| s.success());
                assert!(made, "python3 -m venv {} failed: install python3 (3.10+) with venv", venv.display());
                let installed = Command::new(&py)
                    .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
                    .args(PY_PACKAGES)
                    .status()
                    .is_ok_and(|s| s.success());
                assert!(installed && ready(), "pip install {} into {} failed", PY_PACKAGES.join(" "), venv.display());
            }
            py
        })
        .clone()
}

/// ruff: AUTHGEN_TEST_RUFF, else the one in the project's `.venv`.
pub fn ruff() -> PathBuf {
    if let Some(p) = std::env::var_os("AUTHGEN_TEST_RUFF") {
        return PathBuf::from(p);
    }
    let py = python();
    py.parent().map_or_else(|| PathBuf::from("ruff"), |bin| bin.join("ruff"))
}

/// Debian's chromium and chromedriver, installed with apt-get on first use
/// when missing and we are root (as on CI); otherwise the test fails saying so.
pub fn chromium() -> (PathBuf, PathBuf) {
    static BROWSER: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    BROWSER
        .get_or_init(|| {
            let browser = PathBuf::from("/usr/bin/chromium");
            let driver = PathBuf::from("/usr/bin/chromedriver");
            if !(browser.exists() && driver.exists()) {
                eprintln!("installing chromium and chromium-driver with apt-get (once)");
                let ok = Command::new("sh")
                    .args(["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver"])
                    .status()
                    .is_ok_and(|s| s.success());
                assert!(ok && browser.exists() && driver.exists(), "chromium/chromedriver missing: apt-get install chromium chromium-driver");
            }
            (browser, driver)
        })
        .clone()
}

/// The real authgen binary as a plain `Command` in the scrubbed environment,
/// for tests that drive programs other than through [`Test`] (packaging,
/// shells).
pub fn authgen(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_authgen"));
    scrub(&mut cmd).current_dir(dir);
    cmd
}

/// git as a plain `Command` in the scrubbed environment.
pub fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    scrub(&mut cmd).current_dir(dir);
    cmd
}

pub fn run(cmd: &mut Command) -> std::process::Output {
    cmd.output().expect("spawn")
}

/// The plan of fixture `name`, with the default layout's loader and
/// credentials paths.
pub fn plan_for(name: &str, client: authgen::plan::HttpClient) -> authgen::plan::AuthPlan {
    let path = PathBuf::from(format!("tests/fixtures/connectors/{name}/connector_spec.yaml"));
    let text = std::fs::read_to_string(manifest_dir().join(&path)).unwrap();
    let spec = authgen::spec::ConnectorSpec::parse(&path, text).unwrap();
    authgen::plan::AuthPlan::build(
        &spec,
        name,
        client,
        &authgen::plan::Overrides::default(),
        authgen::plan::Places::default(),
    )
    .unwrap()
}
