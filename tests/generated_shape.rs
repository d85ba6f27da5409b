//! The shape of every generated auth_test.py: a reader sees the request it
//! makes in the first 40 lines, and the file carries only what its connector
//! needs (bounded size, no branch for a variant it cannot take).

mod common;

use authgen::plan::pylit::py_str;
use authgen::plan::{AuthPlan, CredentialPlan, HttpClient, Variant};
use authgen::render::Renderer;
use common::*;

/// The request is stated within this many lines.
const FACTS_WITHIN: usize = 40;
/// Size bounds: a single-method file of a simple variant, and an OAuth or
/// `auth_methods` file (they were 335-409 lines before the request moved
/// first and unused code paths were dropped).
const SIMPLE_MAX: usize = 150;
const COMPLEX_MAX: usize = 230;

fn rendered() -> Vec<(String, AuthPlan, String)> {
    let renderer = Renderer::new(None).unwrap();
    let mut out = Vec::new();
    for name in GENERATING {
        for client in [HttpClient::Requests, HttpClient::Urllib] {
            let plan = plan_for(name, client);
            let text = renderer.render(&plan).unwrap();
            out.push((format!("{name} ({})", client.name()), plan, text));
        }
    }
    out
}

/// The literals a reader needs to see first: per method, where the request
/// goes and where the credential goes.
fn facts(plan: &AuthPlan) -> Vec<String> {
    let mut out = vec![py_str(&plan.source)];
    for m in &plan.methods {
        out.push(py_str(m.variant.name()));
        out.push(py_str(&m.request.method));
        out.push(py_str(&m.request.base_url));
        out.push(py_str(&m.request.endpoint));
        for (k, v) in m.request.headers.iter().chain(&m.request.params) {
            out.push(format!("{}: {}", py_str(k), py_str(v)));
        }
        if let Some(show) = &m.request.show {
            out.push(py_str(&show.label));
        }
        match &m.credential {
            CredentialPlan::None => {}
            CredentialPlan::Header { header, credential, .. } => {
                out.push(py_str(header));
                out.push(py_str(credential));
            }
            CredentialPlan::Query { query_param, credential } => {
                out.push(py_str(query_param));
                out.push(py_str(credential));
            }
            CredentialPlan::Basic { username, password } => {
                out.push(py_str(username));
                out.push(py_str(password));
            }
            CredentialPlan::Oauth(o) => out.push(py_str(&o.token_url)),
            // Their facts are checked in tests/signed_auth.rs.
            CredentialPlan::Signed(_) => {}
        }
    }
    out
}

#[test]
fn the_request_is_stated_in_the_first_40_lines() {
    for (label, plan, text) in rendered() {
        let head: Vec<&str> = text.lines().take(FACTS_WITHIN).collect();
        for fact in facts(&plan) {
            assert!(
                head.iter().any(|line| line.contains(&fact)),
                "{label}: {fact} is not in the first {FACTS_WITHIN} lines:\n{}",
                head.join("\n")
            );
        }
    }
}

#[test]
fn files_carry_only_what_their_connector_needs() {
    for (label, plan, text) in rendered() {
        let lines = text.lines().count();
        let complex = plan.methods.len() > 1 || plan.methods.iter().any(|m| m.variant.is_oauth());
        let max = if complex { COMPLEX_MAX } else { SIMPLE_MAX };
        // The size table of the issue note: `cargo test --test generated_shape -- --nocapture`.
        eprintln!("{label}: {lines} lines (bound {max})");
        assert!(lines <= max, "{label}: {lines} lines, more than {max}");
        // No generic interpreter over untyped method dicts.
        assert!(!text.contains("METHODS = [") && !text.contains("method[\""), "{label}: a list of method dicts");
        // `client_auth` takes the value "basic" too: that is no variant.
        let variant_text: String =
            text.lines().filter(|l| !l.to_ascii_lowercase().contains("client_auth")).collect::<Vec<_>>().join("\n");
        for v in Variant::ALL {
            let used = plan.methods.iter().any(|m| m.variant == v);
            let quoted = py_str(v.name());
            assert!(used || !variant_text.contains(&quoted), "{label}: names {quoted}, a variant it cannot take");
        }
        let oauth = plan.methods.iter().any(|m| m.variant.is_oauth());
        assert_eq!(text.contains("def fetch_token"), oauth, "{label}: token code iff OAuth");
        assert_eq!(text.contains("class Method"), plan.methods.len() > 1, "{label}: a Method dataclass iff several");
        let client = format!("\nHTTP_CLIENT = \"{}\"\n", plan.http_client.name());
        assert!(text.contains(&client), "{label}: states its HTTP client");
    }
}
