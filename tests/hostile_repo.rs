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
