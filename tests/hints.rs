//! Every command a hint suggests works when run as suggested. Error cases on
//! a FHIR-shaped spec (a private key next to an access token, a
//! `fhir_base_url` parameter, no verification block, no API doc) and on a mistyped source print hints; each
//! `authgen …` command in backticks is run in the same repo, its upper-case
//! placeholders filled as a user would, and the hints it prints in turn are
//! followed too. None may be a usage error or refused as bad input.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use common::mock::{MockApi, Reply};
use common::*;

const FHIR_SPEC: &str = r#"display_name: FHIR (SMART backend services)
connection:
  parameters:
    - name: fhir_base_url
      type: string
      required: true
      description: FHIR server base URL, such as https://fhir.example.com/r4
    - name: client_id
      type: string
      required: true
    - name: private_key
      type: string
      required: true
      secret: true
      description: PEM private key registered for the client (private_key_jwt)
    - name: access_token
      type: string
      required: false
      secret: true
      description: A token issued to the client, sent as a bearer token
"#;

/// Answers to any prompt: one line per value.
const ANSWERS: &str = "value-0001\nvalue-0002\nvalue-0003\nvalue-0004\nvalue-0005\nvalue-0006\n";

/// At most this many suggested commands are run, so a hint loop cannot run on.
const MAX_RUNS: usize = 30;

/// The `authgen …` commands in backticks in `text`, in order.
fn suggested(text: &str) -> Vec<String> {
    text.split('`').skip(1).step_by(2).filter(|s| s.starts_with("authgen ")).map(str::to_string).collect()
}

struct Follower<'a> {
    repo: &'a Test,
    api_url: String,
    venv: std::path::PathBuf,
    seen: BTreeSet<String>,
    ran: Vec<(String, Option<i32>)>,
}

impl Follower<'_> {
    fn authgen(&self, args: &[String]) -> Ran {
        self.repo.authgen(args).env("VIRTUAL_ENV", &self.venv).stdin(ANSWERS).timeout(Duration::from_secs(60)).run()
    }

    /// The command's words with its placeholders filled.
    fn fill(&self, command: &str) -> Vec<String> {
        let words: Vec<&str> = command.split_whitespace().skip(1).collect();
        let mut out = Vec::new();
        for (i, word) in words.iter().enumerate() {
            let flag = if i > 0 { words[i - 1] } else { "" };
            let filled = match (*word, flag) {
                ("VARIANT", "--auth") => "bearer".to_string(),
                ("URL", "--base-url") => self.api_url.clone(),
                ("PATH", "--endpoint") => "/metadata".to_string(),
                ("PATH", "--doc") => self.repo.join("docs/fhir.md").display().to_string(),
                _ => {
                    let placeholder = word.len() > 1 && word.chars().all(|c| c.is_ascii_uppercase() || c == '_');
                    assert!(!placeholder && *word != "...", "{command:?}: no value known for {word:?}");
                    (*word).to_string()
                }
            };
            out.push(filled);
        }
        out
    }

    /// Run every command the messages suggest, then what those suggest.
    fn follow(&mut self, output: &str) {
        for command in suggested(output) {
            let args = self.fill(&command);
            let key = args.join(" ");
            if !self.seen.insert(key.clone()) {
                continue;
            }
            assert!(self.ran.len() < MAX_RUNS, "hints keep suggesting new commands: {:?}", self.ran);
            let out = self.authgen(&args);
            let said = format!("`authgen {key}` (suggested as `{command}`):\n{}\n{}", out.stdout, out.stderr);
            assert!(!out.stderr.contains("Usage: authgen"), "a usage error: {said}");
            assert!(!(out.code == Some(2) && out.stderr.contains("error:")), "refused as bad input: {said}");
            assert!(out.code.is_some(), "did not finish: {said}");
            self.ran.push((key, out.code));
            // Hints go to stderr; stdout carries diffs, whose text is file content.
            self.follow(&out.stderr);
        }
    }
}

#[test]
fn every_command_a_hint_suggests_runs_without_a_usage_error() {
    let repo = Test::with_spec("fhir", FHIR_SPEC);
    repo.write("docs/fhir.md", "# FHIR API\n\nSend `Authorization: Bearer <token>` with every request.\n\n`GET /metadata` returns the capability statement.\n");
    repo.git(["add", "."]).success();
    repo.git(["commit", "-q", "-m", "fhir spec"]).success();
    let api = MockApi::start_with_cap(64, |r| {
        if r.path == "/metadata" {
            Reply::json(200, serde_json::json!({"resourceType": "CapabilityStatement"}))
        } else {
            Reply::json(404, serde_json::json!({"error": "not found"}))
        }
    });
    let mut follower = Follower {
        repo: &repo,
        api_url: api.url(),
        venv: python().parent().unwrap().parent().unwrap().to_path_buf(),
        seen: BTreeSet::new(),
        ran: Vec::new(),
    };

    // The error cases, all on the repo as it is now; their hints are followed after.
    let mut hints = String::new();
    for args in [
        &["generate", "fhir", "--dry-run"][..],
        &["run", "fhir"],
        &["commit", "fhir"],
        &["setup", "fhir"],
        &["analyze", "fhir"],
        &["generate", "fhri"],
    ] {
        let args: Vec<String> = args.iter().map(ToString::to_string).collect();
        let out = follower.authgen(&args);
        assert_ne!(out.code, Some(0), "{args:?} is an error case:\n{}", out.stderr);
        assert!(!suggested(&out.stderr).is_empty(), "{args:?} suggests no command:\n{}", out.stderr);
        hints.push_str(&out.stderr);
        hints.push('\n');
    }
    assert!(
        hints.contains("`authgen spec fhir --auth VARIANT --base-url URL --endpoint PATH`"),
        "no API doc: the hint is the spec command, not analyze --write:\n{hints}"
    );
    assert!(!hints.contains("`authgen analyze fhir --write`"), "{hints}");
    follower.follow(&hints);

    println!("ran, with exit codes: {:#?}", follower.ran);
    let ran: Vec<&str> = follower.ran.iter().map(|(c, _)| c.as_str()).collect();
    let spec = format!("spec fhir --auth bearer --base-url {} --endpoint /metadata", api.url());
    for want in [spec.as_str(), "setup fhir --yes"] {
        assert!(ran.iter().any(|c| c.starts_with(want)), "{want:?} was never suggested: {ran:#?}");
    }
    // Following the hints got the connector all the way: a committed, passing test.
    assert!(repo.test_path("fhir").is_file(), "{ran:#?}");
    let subject = repo.git(["log", "-1", "--format=%s"]).success().stdout;
    assert_eq!(subject.trim(), "Add fhir auth test", "{ran:#?}");
    assert!(Path::new(&repo.credentials_path("fhir")).is_file());
}
