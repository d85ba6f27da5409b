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
