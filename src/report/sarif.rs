//! SARIF 2.1.0, the format code-scanning services read: one run of authgen,
//! its rules, and one result per finding with the file (a URI relative to
//! the repository root) and the line and column.

use std::path::{Component, Path};

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Value, json};

/// The repository root, as results' `uriBaseId` names it.
const ROOT_ID: &str = "SRCROOT";

/// What a path segment may not hold raw in a URI (RFC 3986 `pchar`).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// One finding: a rule broken at a place.
pub struct Finding<'a> {
    pub rule: &'a str,
    /// `warning` or `error`.
    pub level: &'a str,
    pub message: &'a str,
    /// Relative to the repository root.
    pub file: Option<&'a Path>,
    /// 1-based line and column.
    pub position: Option<(usize, usize)>,
}

/// A path relative to the repository root as a URI reference: `/`
/// separators, each segment percent-encoded.
pub fn uri(path: &Path) -> String {
    let segments: Vec<String> = path
        .components()
        .filter(|c| !matches!(c, Component::RootDir | Component::Prefix(_)))
        .map(|c| utf8_percent_encode(&c.as_os_str().to_string_lossy(), SEGMENT).to_string())
        .collect();
    let joined = segments.join("/");
    if path.has_root() { format!("/{joined}") } else { joined }
}

/// The log: `rules` as `(id, description)`, every finding a result.
pub fn log(root: &Path, rules: &[(&str, &str)], findings: &[Finding<'_>]) -> Value {
    let rules: Vec<Value> =
        rules.iter().map(|(id, text)| json!({"id": id, "shortDescription": {"text": message(text)}})).collect();
    let results: Vec<Value> = findings.iter().map(result).collect();
    let mut root_uri = format!("file://{}", uri(root));
    if !root_uri.ends_with('/') {
        root_uri.push('/');
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "authgen",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {ROOT_ID: {"uri": root_uri}},
            "results": results,
        }],
    })
}

fn result(finding: &Finding<'_>) -> Value {
    let mut value = json!({
        "ruleId": finding.rule,
        "level": finding.level,
        "message": {"text": message(finding.message)},
    });
    if let Some(file) = finding.file {
        let mut location = json!({"artifactLocation": {"uri": uri(file), "uriBaseId": ROOT_ID}});
        if let Some((line, col)) = finding.position {
            location["region"] = json!({"startLine": line, "startColumn": col});
        }
        value["locations"] = json!([{"physicalLocation": location}]);
    }
    value
}

/// A SARIF message string: `{0}` there is a placeholder for an argument, so
/// literal braces (a spec's `{region}`) are doubled, as the format says.
fn message(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_encodes_each_segment_and_keeps_slashes() {
        assert_eq!(uri(Path::new("src/my source/spec#1.yaml")), "src/my%20source/spec%231.yaml");
        assert_eq!(uri(Path::new("src/é/100%.yaml")), "src/%C3%A9/100%25.yaml");
        assert_eq!(uri(Path::new("/tmp/repo")), "/tmp/repo");
    }

    #[test]
    fn braces_in_messages_are_doubled() {
        assert_eq!(message("placeholder {0} names no parameter"), "placeholder {{0}} names no parameter");
    }
}
