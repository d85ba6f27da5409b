//! Analyze a source's API doc, and turn the analysis into a connection to merge.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::analyze::{self, Analysis, Block, Entry, OauthBlock, round2};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::spec::ConnectorSpec;
use crate::specwrite::emit::{self, Node};
use crate::specwrite::{Connection, Param};
use crate::term;

/// The doc of a source (or the one given with `--doc`), analysed.
pub fn analyze_source(layout: &Layout, source: &str, doc: Option<&Path>) -> Result<(Analysis, PathBuf)> {
    let paths = layout.source(source)?;
    let path = doc.map_or(paths.doc.clone(), Path::to_path_buf);
    let Some(text) = crate::error::read_text(&path)? else {
        let typo = if doc.is_none() && !paths.spec.is_file() { layout.did_you_mean(source) } else { None };
        let hint = match typo {
            Some(name) => format!("did you mean {name}? (`authgen analyze {name}`)"),
            None => {
                format!("write the source's API doc there, or point at it with `authgen analyze {source} --doc PATH`")
            }
        };
        return Err(Error::input(&path, "no API doc here").with_hint(hint));
    };
    Ok((analyze::analyze(&text), path))
}

/// The analysis as a connection to merge, its names fitted to the spec's:
/// a secret the doc calls `api_key` is the spec's one secret parameter.
pub fn connection_from_analysis(
    source: &str,
    analysis: &Analysis,
    spec: Option<&ConnectorSpec>,
) -> (Connection, Vec<String>) {
    let mut notes = Vec::new();
    let declared: Vec<(String, bool)> =
        spec.map_or_else(Vec::new, |s| s.all_parameters().map(|p| (p.name.clone(), p.secret)).collect());
    let spec_secrets: Vec<&str> = declared
        .iter()
        .filter(|(n, s)| (*s || crate::spec::looks_secret(n)) && !n.starts_with("client_") && n != "refresh_token")
        .map(|(n, _)| n.as_str())
        .collect();
    let mut renames: Vec<(String, String)> = Vec::new();
    let mut params = Vec::new();
    for p in &analysis.parameters {
        if declared.iter().any(|(n, _)| *n == p.name) {
            params.push(Param::new(&p.name, p.secret));
            continue;
        }
        if p.secret
            && !p.name.starts_with("client_")
            && let [only] = spec_secrets.as_slice()
        {
            notes.push(format!("the doc's {} is the spec's secret parameter {only}", p.name));
            renames.push((p.name.clone(), only.to_string()));
            continue;
        }
        params.push(Param::new(&p.name, p.secret));
    }
    let rename = |text: &str| -> String {
        let mut out = text.to_string();
        for (from, to) in &renames {
            if out == *from {
                out = to.clone();
            }
            out = out.replace(&format!("{{{from}}}"), &format!("{{{to}}}"));
        }
        out
    };
    let mut block = analysis.block.clone().unwrap_or_default();
    for field in [&mut block.credential, &mut block.username, &mut block.password] {
        if let Some(v) = field.as_mut() {
            *v = rename(v);
        }
    }
    let mut verification = match block_node(&block) {
        Node::Map(entries) => entries,
        _ => Vec::new(),
    };
    if spec.is_some_and(|s| !s.auth_methods.is_empty()) {
        let shared = ["base_url", "endpoint", "params", "headers", "show"];
        verification.retain(|(k, _)| shared.contains(&k.as_str()));
        params.clear();
        notes.push("the spec has auth_methods: only the shared verification keys are written; add per-method keys under verification.method_for".into());
    }
    let oauth = match analysis.oauth.as_ref().map(oauth_node) {
        Some(Node::Map(entries)) => entries,
        _ => Vec::new(),
    };
    let display_name =
        spec.and_then(|s| s.display_name.clone()).unwrap_or_else(|| heck::AsTitleCase(source).to_string());
    (Connection { display_name, params, methods: Vec::new(), oauth, verification }, notes)
}

/// Findings, the doc lines they rest on, then the proposed blocks.
pub fn text_report(source: &str, doc: &str, analysis: &Analysis, color: bool) -> String {
    let mut out = format!("{} ({doc})\n", term::paint(color, "1", source));
    let width = analysis.findings.iter().map(|f| f.value.to_string().chars().count()).max().unwrap_or(0).min(60);
    for f in &analysis.findings {
        let lines: Vec<String> = f.lines.iter().map(usize::to_string).collect();
        let value = f.value.to_string();
        let label = if lines.len() == 1 { "line" } else { "lines" };
        // Pad before painting: escape codes have no width on screen.
        let kind = term::paint(color, "36", &format!("{:<18}", f.kind));
        out.push_str(&format!(
            "  {kind} {value:<width$}  {:.2}  {label} {}\n",
            round2(f.confidence),
            lines.join(", "),
            width = width
        ));
    }
    let cited: BTreeSet<usize> = analysis.findings.iter().flat_map(|f| f.lines.iter().copied()).collect();
    if !cited.is_empty() {
        out.push_str("\nfrom the doc:\n");
        let pad = cited.iter().max().map_or(1, |n| n.to_string().len());
        for n in cited {
            let text = n.checked_sub(1).and_then(|i| analysis.lines.get(i)).map_or("", String::as_str);
            let text: String = text.chars().take(110).collect();
            out.push_str(&format!("  {n:>pad$} | {text}\n"));
        }
    }
    if let Some(oauth) = &analysis.oauth {
        out.push_str("\nproposed connection.oauth:\n");
        out.push_str(&emit::block_map(&[("oauth".to_string(), oauth_node(oauth))], 2, emit::Style::default()));
    }
    if let Some(block) = &analysis.block {
        out.push_str("\nproposed connection.verification:\n");
        out.push_str(&emit::block_map(&[("verification".to_string(), block_node(block))], 2, emit::Style::default()));
    }
    out
}

fn entries_node(entries: Vec<(&'static str, Entry)>, numbers: &[&str]) -> Node {
    Node::Map(
        entries
            .into_iter()
            .map(|(k, v)| {
                let node = match v {
                    Entry::Text(t) => Node::Text(t),
                    Entry::Pairs(p) if numbers.contains(&k) => {
                        Node::Map(p.iter().map(|(a, b)| (a.clone(), Node::number_or_text(b))).collect())
                    }
                    Entry::Pairs(p) => Node::pairs(&p),
                };
                (k.to_string(), node)
            })
            .collect(),
    )
}

/// The verification block as YAML nodes (`params` values bare when whole numbers).
pub fn block_node(block: &Block) -> Node {
    entries_node(block.entries(), &["params"])
}

pub fn oauth_node(oauth: &OauthBlock) -> Node {
    entries_node(oauth.entries(), &[])
}
