//! The connector's contract: on a spec that exists, every command that writes
//! specs (`analyze --write`, `spec`, `setup`) changes only
//! `connection.verification`. Every such command runs over every fixture
//! spec (and `analyze`/`setup` with every test doc), and the bytes outside
//! the verification block must be the same before and after.

mod common;

use common::{Test, fixtures_dir, manifest_dir};

/// The fixture specs that parse (`broken` is refused by design).
fn fixture_specs() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("connector_spec.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "broken")
        .collect();
    names.sort();
    names
}

/// Every test doc the analyzer has.
fn docs() -> Vec<std::path::PathBuf> {
    let mut out: Vec<std::path::PathBuf> = std::fs::read_dir(manifest_dir().join("tests/fixtures/docs"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    for dir in std::fs::read_dir(fixtures_dir()).unwrap().filter_map(Result::ok) {
        for f in std::fs::read_dir(dir.path()).unwrap().filter_map(Result::ok) {
            if f.file_name().to_string_lossy().ends_with("_api_doc.md") {
                out.push(f.path());
            }
        }
    }
    out.sort();
    out
}

/// The spec's text without its `connection.verification` block, cut by
/// lines: the key line and every line after it indented deeper than the
/// key, or blank with such a line after it. Written apart from authgen's own
/// guard so that a fault in one does not hide in the other.
fn outside_verification(text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if indent(line) == 2 && line.trim_start().starts_with("verification:") {
            i += 1;
            while let Some(next) = lines.get(i) {
                if !next.trim().is_empty() && indent(next) > 2 {
                    i += 1;
                    continue;
                }
                // A blank line belongs to the block only when the block goes on after it.
                let more = lines[i..].iter().find(|l| !l.trim().is_empty()).is_some_and(|l| indent(l) > 2);
                if next.trim().is_empty() && more {
                    i += 1;
                    continue;
                }
                break;
            }
            continue;
        }
        out.push_str(line);
        i += 1;
    }
    out
}

fn assert_contract_kept(what: &str, before: &str, after: &str) {
    assert_eq!(
        outside_verification(before),
        outside_verification(after),
        "{what}: bytes outside connection.verification changed\n--- before\n{before}\n--- after\n{after}"
    );
}

#[test]
fn the_cut_is_the_verification_block_alone() {
    let text =
        "a: 1\nconnection:\n  parameters: []\n\n  verification:\n    endpoint: /me\n\n    show: x\n\n  # c\nz: 2\n";
    assert_eq!(outside_verification(text), "a: 1\nconnection:\n  parameters: []\n\n\n  # c\nz: 2\n");
    let changed = text.replace("parameters: []", "parameters: [{name: x}]");
    assert_ne!(outside_verification(text), outside_verification(&changed));
}

#[test]
fn analyze_write_changes_only_the_verification_block_of_every_fixture() {
    let specs = fixture_specs();
    assert!(specs.len() >= 14, "{specs:?}");
    let docs = docs();
    assert!(docs.len() >= 10, "{docs:?}");
    let refs: Vec<&str> = specs.iter().map(String::as_str).collect();
    let repo = Test::with_fixtures(&refs);
    let mut wrote = 0;
    for name in &specs {
        let original = repo.read_spec(name);
        for doc in &docs {
            repo.write_spec(name, &original);
            let out =
                repo.authgen(["analyze", name, "--write", "--yes", "--accept-low-confidence", "--doc"]).arg(doc).run();
            let after = repo.read_spec(name);
            assert!(matches!(out.code, Some(0..=2)), "{name} {doc:?}: {}", out.stderr);
            assert_contract_kept(&format!("analyze {name} --doc {}", doc.display()), &original, &after);
            if after != original {
                wrote += 1;
            }
        }
    }
    // The test means something only if writes happened.
    assert!(wrote >= 20, "only {wrote} writes");
}

/// Each variant with the flags it needs, but no `--param` and no `--oauth-flow`.
const SPEC_RUNS: &[&[&str]] = &[
    &["--auth", "bearer"],
    &["--auth", "basic"],
    &["--auth", "api_key_header", "--header", "X-Api-Key"],
    &["--auth", "api_key_query", "--query-param", "key"],
    &["--auth", "oauth_refresh", "--token-url", "https://login.example.net/{tenant}/token", "--scopes", "read"],
    &["--auth", "oauth_client_credentials", "--token-url", "https://auth.example.net/token"],
    &["--auth", "bearer", "--base-url", "https://{instance}.example.net/api", "--endpoint", "/me", "--show", "id"],
    &["--auth", "a=basic", "--auth", "b=bearer"],
];

#[test]
fn spec_without_param_or_oauth_flow_changes_only_the_verification_block() {
    let specs = fixture_specs();
    let refs: Vec<&str> = specs.iter().map(String::as_str).collect();
    let repo = Test::with_fixtures(&refs);
    let mut wrote = 0;
    for name in &specs {
        let original = repo.read_spec(name);
        for flags in SPEC_RUNS {
            repo.write_spec(name, &original);
            let out = repo.authgen(["spec", name]).args(*flags).args(["--endpoint", "/probe", "--yes"]).run();
            let after = repo.read_spec(name);
            assert!(matches!(out.code, Some(0..=2)), "{name} {flags:?}: {}", out.stderr);
            assert_contract_kept(&format!("spec {name} {flags:?}"), &original, &after);
            if after != original {
                wrote += 1;
            }
        }
    }
    assert!(wrote >= 30, "only {wrote} writes");
}

#[test]
fn setup_changes_only_the_verification_block() {
    let specs = fixture_specs();
    let docs = docs();
    let refs: Vec<&str> = specs.iter().map(String::as_str).collect();
    let repo = Test::with_fixtures(&refs);
    let mut wrote = 0;
    for name in &specs {
        let original = repo.read_spec(name);
        // setup analyzes only when the spec has no verification block.
        let bare = outside_verification(&original);
        for doc in docs.iter().step_by(2) {
            repo.write_spec(name, &bare);
            let out = repo
                .authgen(["setup", name, "--yes", "--no-commit", "--doc"])
                .arg(doc)
                .env("CONNECTOR_TEST_CONFIG_JSON", "{}")
                .stdin("")
                .run();
            let after = repo.read_spec(name);
            assert!(out.code.is_some(), "{name}: {}", out.stderr);
            assert_contract_kept(&format!("setup {name} --doc {}", doc.display()), &bare, &after);
            if after != bare {
                wrote += 1;
            }
        }
    }
    assert!(wrote >= 10, "only {wrote} writes");
}

#[test]
fn what_the_proposal_needs_outside_verification_is_a_suggestion_with_its_yaml() {
    let repo = Test::with_fixtures(&["acme"]);
    let before = repo.read_spec("acme");
    let doc = manifest_dir().join("tests/fixtures/connectors/zendesk/zendesk_api_doc.md");
    let out = repo.authgen(["analyze", "acme", "--write", "--yes", "--accept-low-confidence", "--doc"]).arg(&doc).run();
    let err = &out.stderr;
    assert!(err.contains("suggestion, not applied: parameter"), "{err}");
    assert!(err.contains("under connection.parameters:\n    - name: "), "{err}");
    assert!(
        err.contains("not applied: the spec's parameters, auth_methods and oauth are the connector's contract"),
        "{err}"
    );
    assert_contract_kept("analyze acme", &before, &repo.read_spec("acme"));
}

#[test]
fn spec_param_and_oauth_flow_are_the_way_to_change_the_contract() {
    let repo = Test::with_fixtures(&["github"]);
    let out = repo
        .authgen([
            "spec",
            "github",
            "--auth",
            "bearer",
            "--base-url",
            "https://{host}/api/v3",
            "--endpoint",
            "/user",
            "--yes",
        ])
        .run();
    // Without --param the placeholder's parameter is a suggestion, and the
    // block that needs it is not written.
    assert!(out.stderr.contains("suggestion, not applied: parameter host"), "{}", out.stderr);
    assert!(!repo.read_spec("github").contains("{host}"));
    let out = repo
        .authgen([
            "spec",
            "github",
            "--auth",
            "bearer",
            "--base-url",
            "https://{host}/api/v3",
            "--endpoint",
            "/user",
            "--param",
            "host=GitHub Enterprise host",
            "--yes",
        ])
        .run();
    out.assert_code(0);
    let after = repo.read_spec("github");
    assert!(after.contains("    - name: host\n"), "{after}");
    assert!(after.contains("base_url: \"https://{host}/api/v3\""), "{after}");

    let repo = Test::with_fixtures(&["github"]);
    let url = "https://github.com/login/oauth/access_token";
    let out = repo.authgen(["spec", "github", "--auth", "oauth_refresh", "--token-url", url, "--yes"]).run();
    assert!(!repo.read_spec("github").contains("  oauth:"), "{}", out.stderr);
    let out = repo
        .authgen([
            "spec",
            "github",
            "--auth",
            "oauth_refresh",
            "--token-url",
            url,
            "--oauth-flow",
            "u2m",
            "--param",
            "client_id",
            "--param",
            "client_secret:secret",
            "--param",
            "refresh_token:secret",
            "--yes",
        ])
        .run();
    out.assert_code(0);
    let after = repo.read_spec("github");
    assert!(after.contains("  oauth:\n    flow: u2m\n"), "{after}");
}
