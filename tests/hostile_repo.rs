//! A repository's own content is not trusted: `pyproject.toml` and template
//! overrides can come from whoever opened a pull request that CI checks.
//! Templates cannot read the environment, and no configured path (or symlink)
//! leads authgen out of the repository.

mod common;

use std::path::Path;

use common::*;

const CI_SECRET: &str = "ghs_FakeCiSecret0123456789abcdef";

fn repo_with_override(rel: &str, text: &str) -> Test {
    let repo = Test::with_fixtures(&["github"]);
    repo.write("pyproject.toml", "[project]\nname = \"x\"\n\n[tool.authgen]\ntemplates = \"tpl\"\n");
    repo.write(Path::new("tpl").join(rel), text);
    repo
}

#[test]
fn a_template_calling_get_env_is_refused_at_load_naming_file_and_line() {
    let main = "# generated\n{% set who = 'ci' %}\n# {{ get_env(name=\"CI_TOKEN\", default=\"none\") }}\n";
    let repo = repo_with_override("auth_test.py.tera", main);
    for args in [&["check", "--all"][..], &["generate", "github", "--yes"], &["diff", "github"]] {
        let out = repo.authgen(args).env("CI_TOKEN", CI_SECRET).run();
        out.assert_code(2).assert_wrote_nothing();
        assert!(!out.output().contains(CI_SECRET), "the secret reached the output:\n{}", out.output());
        assert!(out.stderr.contains("template tpl/auth_test.py.tera:3: calls get_env()"), "{}", out.stderr);
    }
}

#[test]
fn a_call_hidden_in_a_partial_filter_or_loop_is_refused_too() {
    let cases = [
        (
            "partials/put_header.py.tera",
            2,
            "get_env",
            "    # a\n    # {{ 'x' ~ 'y' | replace(from='x', to=get_env(name='CI_TOKEN')) }}\n",
        ),
        (
            "partials/imports.py.tera",
            1,
            "get_env",
            "{% for c in range(end=get_env(name='CI_TOKEN') | length) %}{% endfor %}\n",
        ),
        ("authgen_runtime.py.tera", 2, "now", "{% if true %}\n{% set t = now() %}{% endif %}\n"),
    ];
    for (rel, line, call, text) in cases {
        let repo = repo_with_override(rel, text);
        let out = repo.authgen(["check", "--all"]).env("CI_TOKEN", CI_SECRET).run();
        out.assert_code(2);
        assert!(!out.output().contains(CI_SECRET), "{}", out.output());
        let name = format!("template tpl/{rel}:{line}: calls {call}()");
        assert!(out.stderr.contains(&name), "{rel}: {}", out.stderr);
    }
}

#[test]
fn pure_functions_and_filters_still_work_in_overrides() {
    let repo = Test::with_fixtures(&["github"]);
    repo.authgen(["generate", "github", "--yes"]).success();
    let builtin = repo.read_test("github");
    repo.write("pyproject.toml", "[tool.authgen]\ntemplates = \"tpl\"\n");
    repo.write(
        "tpl/partials/put_header.py.tera",
        "    # {% for i in range(end=3) %}{{ i }}{% endfor %} {{ 'abc' | upper }}\n    headers[\"X-Custom\"] = \"1\"\n",
    );
    repo.authgen(["generate", "github", "--yes"]).success();
    let file = repo.read_test("github");
    assert!(file.contains("    # 012 ABC\n"), "{file}");
    assert_ne!(file, builtin);
}

/// `dir` as a path relative to the repo root, through `..`.
fn up_to(repo: &Test, dir: &Path) -> String {
    let depth = repo.path().components().count() - 1;
    format!("{}{}", "../".repeat(depth), dir.display().to_string().trim_start_matches('/'))
}

fn refused(out: &Ran, key: &str, resolved: &Path) {
    out.assert_code(2).assert_wrote_nothing();
    let text = out.output();
    assert!(text.contains(key), "no {key} in:\n{text}");
    let resolved = resolved.canonicalize().unwrap_or_else(|_| resolved.to_path_buf());
    assert!(text.contains(&resolved.display().to_string()), "no {} in:\n{text}", resolved.display());
    assert!(text.contains("outside the repository root"), "{text}");
}

#[test]
fn configured_paths_leading_out_of_the_repo_are_refused_naming_key_and_place() {
    let outside = tempfile::tempdir().unwrap();
    let out_dir = outside.path();
    let repo = Test::with_fixtures(&["github"]);
    let cases = [
        ("test", format!("{}/{{source}}_auth_test.py", up_to(&repo, out_dir)), out_dir.join("github_auth_test.py")),
        ("test", format!("{}/{{source}}_auth_test.py", out_dir.display()), out_dir.join("github_auth_test.py")),
        ("credentials", format!("tests/../{}/c.json", up_to(&repo, out_dir)), out_dir.join("c.json")),
        (
            "spec",
            format!("{}/{{source}}/connector_spec.yaml", up_to(&repo, out_dir)),
            out_dir.join("github/connector_spec.yaml"),
        ),
        ("doc", format!("{}/doc.md", up_to(&repo, out_dir)), out_dir.join("doc.md")),
        ("runtime", format!("{}/authgen_runtime.py", up_to(&repo, out_dir)), out_dir.join("authgen_runtime.py")),
        ("templates", up_to(&repo, out_dir), out_dir.to_path_buf()),
    ];
    for (key, value, resolved) in cases {
        repo.write("pyproject.toml", format!("[tool.authgen]\n{key} = {value:?}\n"));
        for args in [&["generate", "github", "--yes"][..], &["credentials", "github"], &["analyze", "github"]] {
            let out = repo.authgen(args).stdin("ghp-Tok3nValue1234\n").run();
            refused(&out, &format!("tool.authgen.{key}"), &resolved);
        }
        assert_eq!(std::fs::read_dir(out_dir).unwrap().count(), 0, "{key}: wrote outside the repo");
    }
}

#[test]
fn a_symlinked_source_folder_leading_out_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    let repo = Test::with_fixtures(&["github"]);
    std::fs::create_dir_all(repo.join(TEST_DIR)).unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.join(TEST_DIR).join("github")).unwrap();
    for args in [&["generate", "github", "--yes"][..], &["credentials", "github"], &["check", "--all"]] {
        let out = repo.authgen(args).stdin("ghp-Tok3nValue1234\n").run();
        refused(&out, "test path tests/unit/sources/github/auth_test.py", &outside.path().join("auth_test.py"));
    }
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0, "wrote through the symlink");

    // A symlinked spec folder too; a symlink that stays inside is fine.
    let inside = Test::with_fixtures(&[]);
    inside.add_fixture("github");
    std::fs::rename(inside.join(SPEC_DIR).join("github"), inside.join("real_github")).unwrap();
    std::os::unix::fs::symlink(inside.join("real_github"), inside.join(SPEC_DIR).join("github")).unwrap();
    inside.authgen(["generate", "github", "--yes"]).success();
    std::fs::remove_file(inside.join(SPEC_DIR).join("github")).unwrap();
    std::os::unix::fs::symlink(outside.path(), inside.join(SPEC_DIR).join("github")).unwrap();
    let out = inside.authgen(["generate", "github", "--yes"]).run();
    refused(&out, "spec path", &outside.path().join("connector_spec.yaml"));
}

#[test]
fn the_command_line_may_still_name_places_outside() {
    // Flags are the user's own choice, not the repository's.
    let outside = tempfile::tempdir().unwrap();
    let repo = Test::with_fixtures(&["github"]);
    std::fs::write(outside.path().join("put_header.py.tera"), "    headers[\"X-Mine\"] = \"1\"\n").unwrap();
    std::fs::create_dir(outside.path().join("partials")).unwrap();
    std::fs::rename(outside.path().join("put_header.py.tera"), outside.path().join("partials/put_header.py.tera"))
        .unwrap();
    repo.authgen(["generate", "github", "--yes", "--templates"]).arg(outside.path()).success();
    assert!(repo.read_test("github").contains("X-Mine"));
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

const ZENDESK_INPUT: &str = "acme\nagent@example.com\nzd-Tok3nValue-crash\n";

#[test]
fn a_kill_between_write_and_rename_leaves_no_secret_git_would_add() {
    use std::io::{BufRead, BufReader, Write};
    let repo = Test::with_fixtures(&["zendesk"]);
    repo.git(["add", "-A"]).success();
    repo.git(["commit", "-qm", "specs"]).success();
    let mut cmd = repo.authgen(["credentials", "zendesk"]).env("AUTHGEN_TEST_PAUSE_BEFORE_RENAME", "30").command();
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(ZENDESK_INPUT.as_bytes()).unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let tmp = loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            let _ = child.kill();
            panic!("authgen ended before the rename:\n{seen}");
        }
        seen.push_str(&line);
        if let Some(path) = line.trim_end().strip_prefix("paused before rename: ") {
            break std::path::PathBuf::from(path);
        }
    };
    child.kill().unwrap(); // SIGKILL: no cleanup runs
    child.wait().unwrap();

    // The secret is on disk, but only in a user-only directory git ignores.
    let tmp = repo.join(&tmp);
    assert!(std::fs::read_to_string(&tmp).unwrap().contains("zd-Tok3nValue-crash"));
    assert_eq!(mode(&tmp), 0o600);
    assert_eq!(mode(tmp.parent().unwrap()), 0o700);
    assert!(!repo.credentials_path("zendesk").exists());
    let status = repo.git(["status", "--porcelain", "--untracked-files=all"]).success().stdout;
    let listed: Vec<&str> = status.lines().collect();
    assert_eq!(listed, ["?? tests/unit/sources/zendesk/configs/.gitignore"], "git sees more than the .gitignore");
    let staged = repo.git(["add", "-A", "--dry-run"]).success().stdout;
    assert!(!staged.contains("tmp") && !staged.contains("dev_config"), "{staged}");

    // The next save works and cleans up after itself.
    repo.authgen(["credentials", "zendesk", "--yes"]).stdin(ZENDESK_INPUT).success();
    let configs = repo.credentials_path("zendesk").parent().unwrap().to_path_buf();
    let left: Vec<String> = std::fs::read_dir(&configs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("authgen-tmp"))
        .collect();
    assert!(left.len() <= 1, "only the killed run's scratch directory may remain: {left:?}");
}

#[test]
fn credential_directories_are_user_only_whatever_the_umask() {
    let repo = Test::with_fixtures(&["zendesk"]);
    let script = "umask 000; exec \"$0\" credentials zendesk";
    let out = repo.command("sh", ["-c", script, env!("CARGO_BIN_EXE_authgen")]).stdin(ZENDESK_INPUT).run();
    out.assert_code(0);
    let creds = repo.credentials_path("zendesk");
    assert_eq!(mode(&creds), 0o600);
    for dir in [
        "tests",
        "tests/unit",
        "tests/unit/sources",
        "tests/unit/sources/zendesk",
        "tests/unit/sources/zendesk/configs",
    ] {
        assert_eq!(mode(&repo.join(dir)), 0o700, "{dir} was created {:o}", mode(&repo.join(dir)));
    }
    let configs = creds.parent().unwrap();
    let names: Vec<String> =
        std::fs::read_dir(configs).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| n == "dev_config.json" || n == ".gitignore"), "left behind: {names:?}");
}

/// A spec whose header carries `value` into the generated test.
/// The github spec with `value` as a query parameter of its check (a query
/// value may hold any text; a header value only printable ASCII).
fn spec_carrying(repo: &Test, value: &str) {
    let spec = repo.read_spec("github").replace(
        "    show: login",
        &format!("    show: login\n    params:\n      debug: {}", serde_json::to_string(value).unwrap()),
    );
    repo.write_spec("github", &spec);
}

#[test]
fn commit_finds_a_credential_escaped_or_encoded_in_the_test() {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let token = "tok\\en§Secret/+?1234";
    let cases = [
        ("as a Python string literal", token.to_string()),
        ("base64", STANDARD.encode(token)),
        ("base64", STANDARD.encode(token).trim_end_matches('=').to_string()),
        // The same text as base64 when no `+` or `/` is in it: either name will do.
        ("base64", URL_SAFE_NO_PAD.encode(token)),
        ("base64", format!("Basic {}", STANDARD.encode(format!("user:{token}")))),
        ("percent-encoded", "tok%5Cen%C2%A7Secret%2F%2B%3F1234".to_string()),
    ];
    for (form, carried) in cases {
        let repo = Test::with_fixtures(&["github"]);
        spec_carrying(&repo, &carried);
        repo.git(["add", "src"]).success();
        repo.git(["commit", "-qm", "spec"]).success();
        let before = repo.git(["rev-parse", "HEAD"]).success().stdout;
        repo.authgen(["generate", "github", "--yes"]).success();
        repo.write(repo.credentials_path("github"), serde_json::json!({ "token": token }).to_string());
        let out = repo.authgen(["commit", "github"]).run();
        out.assert_code(1);
        assert!(out.stderr.contains(&format!("credential(s) token ({form}")), "{form}: {}", out.stderr);
        for shown in [token, carried.as_str()] {
            assert!(!out.output().contains(shown), "{form}: printed {shown}:\n{}", out.output());
        }
        assert_eq!(repo.git(["rev-parse", "HEAD"]).success().stdout, before, "{form}: committed");
    }
}

#[test]
fn commit_finds_a_credential_split_across_python_string_literals() {
    let token = "tok\\en§Secret/+?1234";
    let repo = Test::with_fixtures(&["github"]);
    // An override (repository content) writes the credential in two pieces Python joins.
    repo.write("pyproject.toml", "[tool.authgen]\ntemplates = \"tpl\"\n");
    repo.write(
        "tpl/partials/put_header.py.tera",
        "    headers[\"X-Trace\"] = (\n        \"tok\\\\en\\xa7Se\"\n        \"cret/+?1234\"\n    )\n",
    );
    repo.git(["add", "src", "pyproject.toml", "tpl"]).success();
    repo.git(["commit", "-qm", "spec"]).success();
    let before = repo.git(["rev-parse", "HEAD"]).success().stdout;
    repo.authgen(["generate", "github", "--yes"]).success();
    assert!(repo.read_test("github").contains("\"cret/+?1234\""), "the override is rendered");
    repo.write(repo.credentials_path("github"), serde_json::json!({ "token": token }).to_string());
    let out = repo.authgen(["commit", "github"]).run();
    out.assert_code(1);
    assert!(out.stderr.contains("credential(s) token (split across Python string literals)"), "{}", out.stderr);
    assert!(!out.output().contains(token), "printed:\n{}", out.output());
    assert_eq!(repo.git(["rev-parse", "HEAD"]).success().stdout, before, "committed");
}

#[test]
fn commit_lets_a_test_through_when_no_form_of_a_value_is_in_it() {
    let repo = Test::with_fixtures(&["github"]);
    repo.git(["add", "src"]).success();
    repo.git(["commit", "-qm", "spec"]).success();
    repo.authgen(["generate", "github", "--yes"]).success();
    repo.write(repo.credentials_path("github"), r#"{"token": "tok\\en§Secret/+?1234"}"#);
    repo.authgen(["commit", "github"]).success();
}
