//! The parameters the proposal needs, each as a finding that rests on the
//! findings naming it.

use std::collections::BTreeSet;

use super::context::Proposal;
use crate::analyze::finding::{Finding, Kind, Value};
use crate::analyze::model::ParamSuggestion;

/// Add the base URL's placeholders, then one `parameter` finding per parameter.
pub(super) fn finish(proposal: &mut Proposal) {
    if let Some(url) = proposal.block.base_url.clone() {
        for name in crate::plan::placeholders(&url) {
            if !proposal.params.iter().any(|p| p.name == name) {
                proposal.params.push(ParamSuggestion { name: name.to_string(), secret: false });
            }
        }
    }
    let param_findings: Vec<Finding> =
        proposal.params.iter().map(|p| finding(&proposal.findings, &p.name, p.secret)).collect();
    proposal.findings.extend(param_findings);
}

/// A parameter's lines are those of the findings that name it (OAuth client
/// credentials rest on the variant's); its confidence is theirs at best.
fn finding(findings: &[Finding], name: &str, secret: bool) -> Finding {
    let placeholder = format!("{{{name}}}");
    let mut lines = BTreeSet::new();
    let mut confidence: f64 = 0.0;
    for f in findings {
        let names_it = match &f.value {
            Value::Text(t) => t == name || t.contains(&placeholder),
            // The signed-JWT keys name their key parameter.
            Value::Pairs(p) => f.kind == Kind::SignedJwt && p.iter().any(|(_, v)| v == name),
            _ => false,
        };
        let oauth_client = name.starts_with("client_") && f.kind == Kind::Auth;
        if names_it && f.kind != Kind::Auth || oauth_client {
            lines.extend(f.lines.iter().copied());
            confidence = confidence.max(f.confidence);
        }
    }
    Finding {
        kind: Kind::Parameter,
        value: Value::Parameter { name: name.to_string(), secret },
        lines: lines.into_iter().collect(),
        confidence,
    }
}
