//! One rule, one answer: a spec that breaks a rule about the spec itself is
//! refused the same way (exit 2, the same `path:line:col`) by every command
//! that reads it.

mod common;

use common::{SPEC_DIR, Test};

/// `token` declared twice in the auth method `pat` (the second at line 7).
const TWICE_IN_ONE_METHOD: &str = "display_name: Twice
connection:
  auth_methods:
    - name: pat
      parameters:
        - {name: token, secret: true}
        - {name: token, secret: true}
  verification:
    base_url: https://api.example.com
    endpoint: /me
    auth: bearer
    credential: token
";

const UNKNOWN_FLOW: &str = "connection:
  parameters:
    - {name: client_id}
    - {name: client_secret, secret: true}
  oauth:
    flow: sideways
    token_url: https://x.io/token
  verification:
    base_url: https://x.io
    endpoint: /me
";

/// Every command that reads the spec, with the arguments it needs to get that far.
fn spec_readers(source: &str) -> Vec<Vec<String>> {
    let s = source.to_string();
    let words = |w: &[&str]| w.iter().map(std::string::ToString::to_string).collect::<Vec<_>>();
    vec![
        [words(&["generate", "--yes"]), vec![s.clone()]].concat(),
        [words(&["generate", "--dry-run"]), vec![s.clone()]].concat(),
        [words(&["check"]), vec![s.clone()]].concat(),
        [words(&["diff"]), vec![s.clone()]].concat(),
        [words(&["lint"]), vec![s.clone()]].concat(),
        [words(&["credentials"]), vec![s.clone()]].concat(),
        [words(&["spec"]), vec![s.clone()], words(&["--auth", "bearer", "--dry-run"])].concat(),
        [words(&["run"]), vec![s.clone()]].concat(),
        [words(&["commit"]), vec![s.clone()]].concat(),
        [words(&["setup", "--yes", "--no-commit"]), vec![s]].concat(),
    ]
}

fn refused_everywhere(source: &str, body: &str, at: &str, message: &str) {
    let repo = Test::with_spec(source, body);
    let path = repo.spec_path(source);
    let located = format!("{SPEC_DIR}/{source}/connector_spec.yaml:{at}: ");
    for args in spec_readers(source) {
        let out = repo.authgen(&args).run();
        let (stdout, stderr) = (&out.stdout, &out.stderr);
        assert_eq!(out.code, Some(2), "authgen {}:\n{stdout}{stderr}", args.join(" "));
        // `check` reports on stdout (its report), the others on stderr.
        let line = stderr.lines().chain(stdout.lines()).find(|l| l.contains(&located));
        assert!(
            line.is_some_and(|l| l.contains(message)),
            "authgen {}: no `{located}...{message}` in its output:\n{stdout}{stderr}",
            args.join(" ")
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), body, "authgen {} changed the spec", args.join(" "));
        out.assert_wrote_nothing();
    }
}

#[test]
fn a_parameter_twice_in_one_auth_method_is_refused_by_every_command() {
    refused_everywhere(
        "twice",
        TWICE_IN_ONE_METHOD,
        "7:12",
        "parameter \"token\" is declared twice in auth method \"pat\"",
    );
}

#[test]
fn an_unknown_oauth_flow_is_refused_by_every_command() {
    refused_everywhere("odd", UNKNOWN_FLOW, "6:5", "unknown OAuth flow \"sideways\"; use m2m, u2m or u2m_per_user");
}
