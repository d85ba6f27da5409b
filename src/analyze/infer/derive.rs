//! Values derived from another parameter (DESIGN.md `derive`): a part of
//! the secret (Mailchimp's data center is "the part of your API key after
//! the dash"), so the spec needs no new parameter; or a host looked up from
//! a region (a table of the API's hosts per data region).

use super::context::{Ctx, Proposal};
use super::weights::{DERIVE_REGION_ROWS, DERIVE_SAID};
use crate::analyze::finding::{Finding, Kind, Value};
use crate::analyze::model::{Derivation, DeriveRule};
use crate::analyze::scan::UnitKind;
use crate::analyze::text::{split_origin, split_query};

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
        let rule_of = DeriveRule { from: secret.clone(), how: Derivation::Split { key: rule, separator: "-".into() } };
        proposal.findings.push(Finding {
            kind: Kind::Derive,
            value: Value::Pairs(vec![(name.to_string(), format!("{rule} \"-\" of {secret}"))]),
            lines: vec![line],
            confidence: DERIVE_SAID,
        });
        proposal.block.derive.push((name.to_string(), rule_of));
        proposal.params.retain(|p| p.name != name);
        proposal.findings.retain(|f| {
            !(f.kind == Kind::Parameter && matches!(&f.value, Value::Parameter { name: n, .. } if n == name))
        });
    }
}

/// Words that say a list of hosts is per region.
const REGION_WORDS: [&str; 7] = ["region", "residency", "data center", "datacenter", "data centre", "eu ", "location"];
/// Words that mark the host used when no region is given.
const DEFAULT_WORDS: [&str; 5] = ["default", "standard", "global", "us ", "united states"];

/// The base URL's root served from several hosts, one per region: the
/// host becomes `{host}`, looked up from a `region` parameter.
pub(super) fn region_hosts(ctx: &Ctx, proposal: &mut Proposal) {
    let Some(base) = proposal.block.base_url.clone() else { return };
    if base.contains('{') || proposal.block.derive.iter().any(|(n, _)| n == "host") {
        return;
    }
    let (origin, path) = split_origin(&base);
    let Some((scheme, base_host)) = origin.split_once("://") else { return };
    let mut rows: Vec<(String, String, usize)> = Vec::new();
    let mut said = false;
    for u in ctx.facts.urls.iter().filter(|u| !u.at.rejected && !u.link && !u.data) {
        let unit = &ctx.doc.units[u.at.unit];
        if !matches!(unit.kind, UnitKind::TableRow | UnitKind::Bullet) {
            continue;
        }
        let url = split_query(&u.url).0;
        let (o, p) = split_origin(&url);
        let host = o.split_once("://").map_or("", |(_, h)| h);
        if p.trim_end_matches('/') != path.trim_end_matches('/') || host.is_empty() || host.contains('{') {
            continue;
        }
        if rows.iter().any(|(_, h, _)| h == host) {
            continue;
        }
        let label = row_label(unit, &u.url);
        let lower = format!("{} {} ", label.to_ascii_lowercase(), ctx.unit_lower[u.at.unit]);
        said |= REGION_WORDS.iter().any(|w| lower.contains(w) || u.context.sections.contains(w.trim_end()));
        rows.push((label, host.to_string(), u.at.line));
    }
    if rows.len() < 2 || !said || !rows.iter().any(|(_, h, _)| h == base_host) {
        return;
    }
    let default = rows
        .iter()
        .find(|(label, _, _)| {
            let l = format!("{} ", label.to_ascii_lowercase());
            DEFAULT_WORDS.iter().any(|w| l.contains(w))
        })
        .map(|(_, h, _)| h.clone());
    let map: Vec<(String, String)> = rows.iter().map(|(label, host, _)| (region_key(label), host.clone())).collect();
    let lines: Vec<usize> = rows.iter().map(|(_, _, l)| *l).collect();
    let templated = format!("{scheme}://{{host}}{path}");
    for f in proposal.findings.iter_mut().filter(|f| f.kind == Kind::BaseUrl) {
        f.value = Value::Text(templated.clone());
    }
    proposal.block.base_url = Some(templated);
    proposal.findings.push(Finding {
        kind: Kind::Derive,
        value: Value::Pairs(vec![("host".into(), format!("map of {} hosts by region", map.len()))]),
        lines,
        confidence: DERIVE_REGION_ROWS,
    });
    proposal
        .block
        .derive
        .push(("host".into(), DeriveRule { from: "region".into(), how: Derivation::Map { map, default } }));
    proposal.add_param("region", false);
}

/// What a row says beside the URL: its other cells, or a bullet's words.
fn row_label(unit: &crate::analyze::scan::Unit, url: &str) -> String {
    let text = if unit.cells.is_empty() {
        unit.text.replace(url, " ")
    } else {
        unit.cells.iter().filter(|(_, c)| !c.contains("://")).map(|(_, c)| c.as_str()).collect::<Vec<_>>().join(" ")
    };
    text.replace(['`', '*', '|', ':', '(', ')', '-'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The key a row's label gives the region: a code such as `EU` or `US` when
/// it holds one, else its first word.
fn region_key(label: &str) -> String {
    let words: Vec<&str> = label.split_whitespace().collect();
    words
        .iter()
        .find(|w| (2..=3).contains(&w.len()) && w.chars().all(|c| c.is_ascii_uppercase()))
        .map(|w| (*w).to_string())
        .or_else(|| words.first().map(|w| w.to_ascii_lowercase()))
        .unwrap_or_default()
}
