//! Values the doc says are part of the secret: Mailchimp's data center is
//! "the part of your API key after the dash". Such a placeholder is not a
//! parameter to ask for but a `derive` rule (DESIGN.md) computed from the
//! secret, so the spec needs no new parameter.

use super::context::{Ctx, Proposal};
use super::weights::DERIVE_SAID;
use crate::analyze::finding::{Finding, Kind, Value};

/// Cues, and the rule each one says.
const CUES: [(&str, &str); 9] = [
    ("after the last dash", "after_last"),
    ("after the last hyphen", "after_last"),
    ("after the dash", "after_last"),
    ("after the hyphen", "after_last"),
    ("last part of your api key", "after_last"),
    ("last part of the api key", "after_last"),
    ("before the first dash", "before_first"),
    ("before the dash", "before_first"),
    ("before the hyphen", "before_first"),
];

/// How many lines before a cue may name the placeholder ("The `<dc>` part of
/// the URL ... is the part of your API key after the dash").
const WINDOW_LINES: usize = 3;

/// Turn placeholders of the base URL that the doc derives from the secret
/// into `derive` rules, and drop them from the parameters.
pub(super) fn derive(ctx: &Ctx, proposal: &mut Proposal) {
    let secrets: Vec<String> = proposal
        .params
        .iter()
        .filter(|p| p.secret && !p.name.starts_with("client_") && p.name != "refresh_token")
        .map(|p| p.name.clone())
        .collect();
    let [secret] = secrets.as_slice() else { return };
    let Some(base) = proposal.block.base_url.clone() else { return };
    let lower: Vec<String> = ctx.doc.lines.iter().map(|l| l.to_ascii_lowercase()).collect();
    for name in crate::plan::placeholders(&base) {
        let forms = [format!("{{{name}}}"), format!("<{name}>"), format!("`{name}`")];
        let said = lower.iter().enumerate().find_map(|(i, line)| {
            let (_, rule) = CUES.iter().find(|(cue, _)| line.contains(cue))?;
            let window = lower[i.saturating_sub(WINDOW_LINES)..=i].join(" ");
            forms.iter().any(|f| window.contains(f.as_str())).then_some((i + 1, *rule))
        });
        let Some((line, rule)) = said else { continue };
        let pairs = vec![("from".to_string(), secret.clone()), (rule.to_string(), "-".to_string())];
        proposal.findings.push(Finding {
            kind: Kind::Derive,
            value: Value::Pairs(vec![(name.to_string(), format!("{rule} \"-\" of {secret}"))]),
            lines: vec![line],
            confidence: DERIVE_SAID,
        });
        proposal.block.derive.push((name.to_string(), pairs));
        proposal.params.retain(|p| p.name != name);
        proposal.findings.retain(|f| {
            !(f.kind == Kind::Parameter && matches!(&f.value, Value::Parameter { name: n, .. } if n == name))
        });
    }
}
