//! Shared test support: the real binary in a scrubbed environment, fixture
//! repos in temporary directories, and the Python tools the tests need.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub const SPEC_DIR: &str = "src/databricks/labs/community_connector/sources";
pub const TEST_DIR: &str = "tests/unit/sources";

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures_dir() -> PathBuf {
    manifest_dir().join("tests/fixtures/connectors")
}

/// Every fixture connector, sorted.
pub fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures/connectors")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The fixtures that generate (the rest are refused by design).
pub const GENERATING: &[&str] = &[
    "azure_devops",
    "dicomweb",
    "github",
    "gmail",
    "hostile_text",
    "microsoft_graph",
    "openweather",
    "pagerduty",
    "seedstyle",
    "shopify",
    "stripe",
    "zendesk",
];

/// A temporary connector repo (git-initialised) holding the named fixtures
/// in the default layout.
pub fn fixture_repo(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let status = git(dir.path()).args(["init", "-q", "-b", "main"]).status().expect("git init");
    assert!(status.success(), "git init failed");
    for name in names {
        add_fixture(dir.path(), name);
    }
    dir
}

pub fn add_fixture(root: &Path, name: &str) {
    let target = root.join(SPEC_DIR).join(name);
    std::fs::create_dir_all(&target).expect("mkdir");
    for entry in std::fs::read_dir(fixtures_dir().join(name)).expect("fixture dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), target.join(entry.file_name())).expect("copy fixture");
    }
}

pub fn spec_path(root: &Path, name: &str) -> PathBuf {
    root.join(SPEC_DIR).join(name).join("connector_spec.yaml")
}

pub fn test_path(root: &Path, name: &str) -> PathBuf {
    root.join(TEST_DIR).join(name).join("auth_test.py")
}

/// A HOME for tests: no user config leaks in.
fn scratch_home() -> PathBuf {
    let home = std::env::temp_dir().join(format!("authgen-test-home-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&home);
    home
}

/// Environment every child process of the tests gets: nothing from the
/// developer's shell but PATH, a fixed git identity and a scratch HOME.
pub fn scrub(cmd: &mut Command) -> &mut Command {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", scratch_home())
        .env("LANG", "C.UTF-8")
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Test Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
}

/// The authgen binary, run in `dir` with a scrubbed environment.
pub fn authgen(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_authgen"));
    scrub(&mut cmd).current_dir(dir);
    cmd
}

pub fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    scrub(&mut cmd).current_dir(dir);
    cmd
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("spawn")
}

/// Python packages the tests use; `.ci/run` installs the same list.
pub const PY_PACKAGES: &[&str] = &["requests", "pytest", "ruff", "selenium"];

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
                    .args(["-c", "import sys, requests, pytest, selenium; sys.exit(sys.version_info < (3, 10))"])
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

/// A mock API answering `GET /user` with `{"login": "octocat"}` for
/// `Authorization: Bearer <token>`, 403 for the forbidden token, 401 otherwise.
pub fn bearer_api(token: &str, forbidden: Option<&str>) -> authgen::mockapi::MockApi {
    authgen::mockapi::MockApi::start(authgen::mockapi::Expect {
        path: "/user".into(),
        header: "Authorization".into(),
        value: format!("Bearer {token}"),
        body: r#"{"login": "octocat"}"#.into(),
        forbidden: forbidden.map(|f| format!("Bearer {f}")),
    })
    .expect("mock API")
}
