//! Analyze a source's API doc, and turn the analysis into a connection to merge.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::analyze::{self, Analysis, Block, Derivation, DeriveRule, DeriveValue, Entry, OauthBlock, round2};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::ops::contract::{self, Suggestion};
use crate::spec::ConnectorSpec;
use crate::spec::KeyKind;
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
    // The spec's own parameters, when it has one that reads: a call needing
    // one of them is fine. A spec that does not parse is reported where it is used.
    let spec_params: Vec<String> = crate::error::read_text(&paths.spec)
        .ok()
        .flatten()
        .and_then(|text| ConnectorSpec::parse(&paths.spec, text).ok())
        .map(|spec| spec.all_parameters().filter(|p| !p.secret).map(|p| p.name.clone()).collect())
        .unwrap_or_default();
    Ok((analyze::analyze_for(&text, &spec_params), path))
}

/// A proposal fitted to the spec: what to merge, and what was left out.
pub struct Proposed {
    pub connection: Connection,
    pub notes: Vec<String>,
    /// What it would need outside `connection.verification`, not applied.
    pub suggestions: Vec<Suggestion>,
    /// Placeholders of the block that name no spec parameter, with the doc
    /// line they come from: writing them would give a spec that cannot run.
    pub unmapped: Vec<(String, Option<usize>)>,
}

/// The analysis as a connection to merge, its names fitted to the spec's:
/// a secret the doc calls `api_key` is the spec's one secret parameter, a
/// `{datacenterid}` placeholder is the spec's `datacenter_id`. On a spec
/// that exists only `connection.verification` is proposed for writing
/// ([`contract`]).
pub fn connection_from_analysis(source: &str, analysis: &Analysis, spec: Option<&ConnectorSpec>) -> Proposed {
    let mut notes = Vec::new();
    let declared: Vec<Declared> = spec.map_or_else(Vec::new, |s| {
        s.all_parameters()
            .map(|p| Declared { name: p.name.clone(), secret: p.secret, description: p.description.clone() })
            .collect()
    });
    let Fitted { mut params, renames, derive } = fit_to_spec(analysis, &declared, &mut notes);
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
    block.derive = derive;
    for field in
        [&mut block.credential, &mut block.username, &mut block.password, &mut block.base_url, &mut block.endpoint]
    {
        if let Some(v) = field.as_mut() {
            *v = rename(v);
        }
    }
    for (_, v) in block.params.iter_mut().chain(block.headers.iter_mut()) {
        *v = rename(v);
    }
    for (_, v) in &mut block.oauth_keys {
        *v = rename(v);
    }
    for (_, rule) in &mut block.derive {
        rule.from = rename(&rule.from);
        rekey_to_spec(rule, &declared);
    }
    if spec.is_some() {
        use_default_hosts(&mut block, &declared, &mut notes);
    }
    // The parameter a map rule with a default reads may be left unset.
    let defaulted = |name: &str| {
        analysis
            .block
            .iter()
            .flat_map(|b| &b.derive)
            .any(|(_, rule)| rule.from == name && matches!(&rule.how, Derivation::Map { default: Some(_), .. }))
    };
    for p in &mut params {
        if defaulted(&p.name) {
            p.required = false;
        }
    }
    let mut verification = match block_node(&block) {
        Node::Map(entries) => entries,
        _ => Vec::new(),
    };
    if spec.is_some_and(|s| !s.auth_methods.is_empty()) {
        let shared = ["base_url", "endpoint", "derive", "params", "headers", "show"];
        verification.retain(|(k, _)| shared.contains(&k.as_str()));
        params.clear();
        notes.push("the spec has auth_methods: only the shared verification keys are written; add per-method keys under verification.method_for".into());
    }
    keep_login_server_out(&declared, &mut verification, &mut notes);
    let mut oauth_block = analysis.oauth.clone();
    if let Some(o) = oauth_block.as_mut() {
        for field in [&mut o.token_url, &mut o.authorization_url] {
            if let Some(v) = field.as_mut() {
                *v = rename(v);
            }
        }
    }
    let oauth = match oauth_block.as_ref().map(oauth_node) {
        Some(Node::Map(entries)) => entries,
        _ => Vec::new(),
    };
    let display_name =
        spec.and_then(|s| s.display_name.clone()).unwrap_or_else(|| heck::AsTitleCase(source).to_string());
    let mut connection = Connection { display_name, params, methods: Vec::new(), oauth, verification };
    let mut suggestions = Vec::new();
    let mut unmapped = Vec::new();
    if let Some(spec) = spec {
        suggestions = contract::restrict(&mut connection, spec, &contract::Explicit::default());
        unmapped = unmapped_in(analysis, &declared, &block, &renames, &connection);
    }
    Proposed { connection, notes, suggestions, unmapped }
}

/// The analysis' parameters fitted to the spec's: what it names itself,
/// what it renames (doc name → spec name), and the derive rules left.
struct Fitted {
    params: Vec<Param>,
    renames: Vec<(String, String)>,
    derive: Vec<(String, DeriveRule)>,
}

fn fit_to_spec(analysis: &Analysis, declared: &[Declared], notes: &mut Vec<String>) -> Fitted {
    let spec_secrets: Vec<&str> = declared
        .iter()
        .filter(|d| {
            (d.secret || crate::spec::looks_secret(&d.name))
                && !d.name.starts_with("client_")
                && d.name != "refresh_token"
        })
        .map(|d| d.name.as_str())
        .collect();
    let mut renames: Vec<(String, String)> = Vec::new();
    let mut params = Vec::new();
    let block_keys = analysis.block.as_ref().map_or(&[][..], |b| b.oauth_keys.as_slice());
    let key_kind = |name: &str| {
        block_keys.iter().find(|(_, v)| v == name).and_then(|(k, _)| match *k {
            "key_json" => Some(KeyKind::ServiceAccount),
            "private_key" => Some(KeyKind::PrivateKey),
            _ => None,
        })
    };
    for p in &analysis.parameters {
        if declared.iter().any(|d| d.name == p.name) {
            params.push(Param::new(&p.name, p.secret));
            continue;
        }
        // Key material fits only a parameter that holds the same kind of key.
        if let Some(kind) = key_kind(&p.name) {
            let fits: Vec<&Declared> = declared
                .iter()
                .filter(|d| crate::spec::key_material(&d.name, d.description.as_deref()) == Some(kind))
                .collect();
            if let [one] = fits.as_slice() {
                notes.push(format!("the doc's key {} is the spec's key parameter {}", p.name, one.name));
                renames.push((p.name.clone(), one.name.clone()));
            } else {
                params.push(Param::new(&p.name, p.secret));
            }
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
        if !p.secret
            && let Some((to, why)) = fit_name(&p.name, declared)
        {
            notes.push(format!("the doc's {{{}}} is the spec's parameter {to} ({why})", p.name));
            renames.push((p.name.clone(), to));
            continue;
        }
        params.push(Param::new(&p.name, p.secret));
    }
    // A value the doc derives from the secret that the spec already holds
    // as a parameter is that parameter: the connector's option wins.
    let mut derive = analysis.block.as_ref().map_or_else(Vec::new, |b| b.derive.clone());
    derive.retain(|(name, _)| {
        if declared.iter().any(|d| d.name == *name) {
            return false;
        }
        match fit_name(name, declared) {
            Some((to, why)) => {
                notes.push(format!("the doc's {{{name}}} is the spec's parameter {to} ({why})"));
                renames.push((name.clone(), to));
                false
            }
            None => true,
        }
    });
    Fitted { params, renames, derive }
}

/// Placeholders of the proposed block that name nothing the spec has, and
/// key parameters it lacks, each with the doc line it comes from.
fn unmapped_in(
    analysis: &Analysis,
    declared: &[Declared],
    block: &Block,
    renames: &[(String, String)],
    connection: &Connection,
) -> Vec<(String, Option<usize>)> {
    let mut unmapped: Vec<(String, Option<usize>)> = Vec::new();
    let known: Vec<&str> =
        declared.iter().map(|d| d.name.as_str()).chain(block.derive.iter().map(|(n, _)| n.as_str())).collect();
    for name in placeholders_of(&connection.verification) {
        if !known.contains(&name.as_str()) && !unmapped.iter().any(|(n, _)| *n == name) {
            let original = renames.iter().find(|(_, to)| *to == name).map_or(name.as_str(), |(from, _)| from);
            unmapped.push((name.clone(), doc_line_of(analysis, original)));
        }
    }
    // A map rule reading a parameter the spec lacks.
    for (name, rule) in &block.derive {
        if !known.contains(&rule.from.as_str()) && !unmapped.iter().any(|(n, _)| *n == rule.from) {
            let rows = analysis.findings.iter().find(|f| {
                f.kind == crate::analyze::Kind::Derive
                    && matches!(&f.value, crate::analyze::Value::Pairs(p) if p.iter().any(|(k, _)| k == name))
            });
            let line = rows.and_then(|f| f.lines.first().copied()).or_else(|| doc_line_of(analysis, &rule.from));
            unmapped.push((rule.from.clone(), line));
        }
    }
    // A key parameter the spec lacks: the check could not sign.
    for (key, value) in &block.oauth_keys {
        if matches!(*key, "key_json" | "private_key") && !known.contains(&value.as_str()) {
            let original = renames.iter().find(|(_, to)| to == value).map_or(value.as_str(), |(from, _)| from);
            unmapped.push((value.clone(), doc_line_of(analysis, original)));
        }
    }
    unmapped
}

/// A map rule keyed on a parameter the spec does not have: every connection
/// of this connector uses the doc's default, so the check does too (the
/// optional parameter that would reach the other regions is a suggestion).
/// A rule without a default is left, and reported as unmapped.
fn use_default_hosts(block: &mut Block, declared: &[Declared], notes: &mut Vec<String>) {
    let mut filled = Vec::new();
    block.derive.retain(|(name, rule)| match &rule.how {
        Derivation::Map { default: Some(value), .. } if !declared.iter().any(|d| d.name == rule.from) => {
            filled.push((name.clone(), value.clone(), rule.from.clone()));
            false
        }
        _ => true,
    });
    for (name, value, from) in filled {
        let placeholder = format!("{{{name}}}");
        let texts = [&mut block.base_url, &mut block.endpoint, &mut block.credential, &mut block.username];
        for text in texts.into_iter().flatten() {
            *text = text.replace(&placeholder, &value);
        }
        for (_, text) in block.params.iter_mut().chain(block.headers.iter_mut()) {
            *text = text.replace(&placeholder, &value);
        }
        notes.push(format!(
            "the spec has no {from} parameter: {placeholder} is the doc's default {value}; the suggested {from} parameter would reach the other regions"
        ));
    }
}

/// A `base_url` parameter the spec describes as the login (accounts)
/// server is not the API root: it must not override the check's base URL.
fn keep_login_server_out(declared: &[Declared], verification: &mut Vec<(String, Node)>, notes: &mut Vec<String>) {
    let login_server = declared.iter().any(|d| {
        let text = d.description.as_deref().unwrap_or("").to_ascii_lowercase();
        d.name == "base_url"
            && [
                "accounts server",
                "accounts url",
                "login server",
                "login url",
                "authorization server",
                "auth server",
                "token server",
                "identity server",
            ]
            .iter()
            .any(|c| text.contains(c))
    });
    if login_server && verification.iter().any(|(k, _)| k == "base_url") {
        notes.push("the spec's base_url parameter is a login server, not the API root: base_url_param: null keeps it out of the check's URL".into());
        verification.push(("base_url_param".into(), Node::Null));
    }
}

/// A spec parameter, as fitting reads it.
struct Declared {
    name: String,
    secret: bool,
    description: Option<String>,
}

/// A `map` rule's keys in the values the spec's parameter takes: the doc
/// labels its rows ("EU residency server", "Standard server"), the spec
/// says "US (default) or EU". A row whose label holds one of the values as
/// a word takes it; one row left and one value left go together.
fn rekey_to_spec(rule: &mut DeriveRule, declared: &[Declared]) {
    let Derivation::Map { map, .. } = &mut rule.how else { return };
    let Some(param) = declared.iter().find(|d| d.name == rule.from) else { return };
    let description = param.description.as_deref().unwrap_or("");
    let mut values: Vec<&str> = description
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_')
        .filter(|w| (2..=4).contains(&w.len()) && w.chars().all(|c| c.is_ascii_uppercase()))
        .collect();
    values.dedup();
    if values.is_empty() {
        return;
    }
    let mut left: Vec<&str> = values.clone();
    let mut unmatched = Vec::new();
    for (i, (label, _)) in map.iter_mut().enumerate() {
        match left.iter().position(|v| label.eq_ignore_ascii_case(v)) {
            Some(at) => *label = left.remove(at).to_string(),
            None => unmatched.push(i),
        }
    }
    if let ([row], [value]) = (unmatched.as_slice(), left.as_slice()) {
        map[*row].0 = (*value).to_string();
    }
}

/// Lowercase letters and digits only: `datacenter_id` and `datacenterId` are `datacenterid`.
fn normalised(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// What a placeholder stands for, by its name, and the words a spec
/// parameter's description uses for the same thing.
const ROLES: &[(&[&str], &[&str])] = &[
    (
        &[
            "subdomain",
            "domain",
            "host",
            "hostname",
            "instance",
            "instanceurl",
            "site",
            "server",
            "shop",
            "store",
            "org",
            "organization",
            "account",
            "company",
            "workspace",
            "tenantdomain",
        ],
        &[
            "subdomain",
            "hostname",
            "host name",
            "domain",
            "instance url",
            "instance name",
            "your instance",
            "server url",
            "site",
            "shop",
            "store name",
            "organization",
            "account name",
            "workspace",
        ],
    ),
    (
        &["dc", "datacenter", "datacenterid", "datacentre", "region", "dataregion", "location", "zone"],
        &["data center", "datacenter", "data centre", "region", "location"],
    ),
    (&["tenant", "tenantid", "directory", "directoryid"], &["tenant", "directory id", "directory (tenant)"]),
    (
        &["accounts", "accountsserver", "accountsurl", "accountsdomain", "loginserver", "authserver"],
        &["accounts server", "accounts url", "login server", "authorization server", "accounts domain"],
    ),
    (&["project", "projectid"], &["project id", "project"]),
];

/// The spec parameter a doc placeholder stands for, and why: the same name
/// normalised, one name holding the other, or a description that says it.
/// Only a unique fit counts.
fn fit_name(name: &str, declared: &[Declared]) -> Option<(String, String)> {
    let n = normalised(name);
    let unique = |hits: Vec<&Declared>| -> Option<String> {
        match hits.as_slice() {
            [one] => Some(one.name.clone()),
            _ => None,
        }
    };
    let candidates: Vec<&Declared> =
        declared.iter().filter(|d| !d.secret && !crate::spec::looks_secret(&d.name)).collect();
    if let Some(hit) = unique(candidates.iter().copied().filter(|d| normalised(&d.name) == n).collect()) {
        return Some((hit, "same name".into()));
    }
    if n.len() >= 4
        && let Some(hit) = unique(
            candidates
                .iter()
                .copied()
                .filter(|d| {
                    let dn = normalised(&d.name);
                    dn.len() >= 4 && (dn.contains(&n) || n.contains(&dn))
                })
                .collect(),
        )
    {
        return Some((hit, "one name holds the other".into()));
    }
    let (names, cues) = ROLES.iter().find(|(names, _)| names.contains(&n.as_str()))?;
    let by_name =
        unique(candidates.iter().copied().filter(|d| names.contains(&normalised(&d.name).as_str())).collect());
    if let Some(hit) = by_name {
        return Some((hit, "a name for the same thing".into()));
    }
    let by_description = unique(
        candidates
            .iter()
            .copied()
            .filter(|d| {
                let text = d.description.as_deref().unwrap_or("").to_ascii_lowercase();
                cues.iter().any(|c| text.contains(c))
            })
            .collect(),
    )?;
    Some((by_description, "its description says so".into()))
}

/// `{name}` placeholders in the block's texts.
fn placeholders_of(entries: &[(String, Node)]) -> Vec<String> {
    let mut out = Vec::new();
    for (key, node) in entries {
        if key == "show" || key == "auth" || key == "method" {
            continue;
        }
        let texts: Vec<&str> = match node {
            Node::Text(t) => vec![t.as_str()],
            Node::Map(m) => {
                m.iter().filter_map(|(_, v)| if let Node::Text(t) = v { Some(t.as_str()) } else { None }).collect()
            }
            _ => Vec::new(),
        };
        for t in texts {
            for p in crate::plan::placeholders(t) {
                if !out.iter().any(|o: &String| o == p) {
                    out.push(p.to_string());
                }
            }
        }
    }
    out
}

/// The first doc line a parameter's finding rests on.
fn doc_line_of(analysis: &Analysis, name: &str) -> Option<usize> {
    let placeholder = format!("{{{name}}}");
    analysis
        .findings
        .iter()
        .filter(|f| match &f.value {
            crate::analyze::Value::Parameter { name: n, .. } => n == name,
            crate::analyze::Value::Text(t) => t.contains(&placeholder),
            crate::analyze::Value::Pairs(p) => p.iter().any(|(_, v)| v.contains(&placeholder)),
        })
        .find_map(|f| f.lines.first().copied())
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
    if let Some(jwt) = &analysis.signed_jwt {
        let lines: Vec<String> = jwt.lines.iter().map(usize::to_string).collect();
        out.push_str(&format!(
            "\nthe doc signs a JWT with a private key ({} {}): the key is never sent as a header; the block below uses\n",
            if lines.len() == 1 { "line" } else { "lines" },
            lines.join(", ")
        ));
        for (k, v) in &jwt.keys {
            out.push_str(&format!("    {k}: {v}\n"));
        }
    }
    if let Some(block) = &analysis.block {
        out.push_str("\nproposed connection.verification (each key's confidence and doc lines):\n");
        let yaml = emit::block_map(&[("verification".to_string(), block_node(block))], 2, emit::Style::default());
        let keys = analysis.key_confidences();
        for line in yaml.lines() {
            let key = line.strip_prefix("    ").filter(|l| !l.starts_with(' ')).and_then(|l| l.split(':').next());
            match key.and_then(|k| keys.iter().find(|c| c.key == k)) {
                Some(c) => {
                    let lines: Vec<String> = c.lines.iter().map(usize::to_string).collect();
                    let at = match lines.len() {
                        0 => "no doc line".to_string(),
                        1 => format!("line {}", lines[0]),
                        _ => format!("lines {}", lines.join(", ")),
                    };
                    let low =
                        if c.confidence < crate::analyze::WRITE_THRESHOLD { ", below the write threshold" } else { "" };
                    out.push_str(&format!("{line}  # {:.2}, {at}{low}\n", c.confidence));
                }
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
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
                    Entry::Derive(rules) => Node::Map(
                        rules
                            .iter()
                            .map(|(name, rule)| {
                                let keys = rule.keys().into_iter().map(|(key, value)| {
                                    let node = match value {
                                        DeriveValue::Text(t) => Node::Text(t),
                                        DeriveValue::Map(m) => Node::pairs(&m),
                                    };
                                    (key.to_string(), node)
                                });
                                (name.clone(), Node::Map(keys.collect()))
                            })
                            .collect(),
                    ),
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
