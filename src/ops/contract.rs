//! The connector's contract: on a spec that exists, the spec-writing
//! commands change only `connection.verification`. Every spec parameter is a
//! connection option and `connection.oauth` decides the connection's auth
//! type, so what a proposal would need there is printed as a suggestion
//! (with the YAML to add), never applied; `spec --param` and
//! `spec --oauth-flow` are the only ways to change them.

use serde_yaml::Value;

use crate::spec::ConnectorSpec;
use crate::specwrite::Connection;
use crate::specwrite::emit::{self, Node, Style};

/// Something the proposal needs outside `connection.verification`, not applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// What it is, in words.
    pub what: String,
    /// Where the YAML goes (`connection.parameters`, `connection.oauth`).
    pub under: String,
    /// The YAML to add there.
    pub yaml: String,
}

/// What the user asked for by flag: these reach the contract.
#[derive(Debug, Clone, Default)]
pub struct Explicit {
    /// Parameters named with `--param`.
    pub params: Vec<String>,
    /// `--oauth-flow` was given: the oauth block may be written.
    pub oauth: bool,
}

/// Keep `want` inside `connection.verification` when the spec exists: every
/// parameter, auth method and oauth key it would add or change becomes a
/// suggestion. OAuth's token URL and scopes, which the check needs, move into
/// the verification block (where they override the spec's oauth block for
/// the check alone) when the spec's oauth block does not say them.
pub fn restrict(want: &mut Connection, spec: &ConnectorSpec, explicit: &Explicit) -> Vec<Suggestion> {
    let mut out = Vec::new();
    let declared = |name: &str| spec.all_parameters().any(|p| p.name == name);
    let mut kept = Vec::new();
    for p in std::mem::take(&mut want.params) {
        if explicit.params.contains(&p.name) {
            kept.push(p);
            continue;
        }
        if declared(&p.name) {
            // Marking an existing parameter secret changes the contract too.
            continue;
        }
        let under = match &p.method {
            Some(m) => format!("connection.auth_methods[{m}].parameters"),
            None => "connection.parameters".to_string(),
        };
        out.push(Suggestion {
            what: format!("parameter {}{}", p.name, if p.secret { " (secret)" } else { "" }),
            under,
            yaml: emit::block_seq(&[p.node()], 0, Style::default()),
        });
    }
    want.params = kept;
    for m in std::mem::take(&mut want.methods) {
        if !spec.auth_methods.iter().any(|a| a.name == m.name) {
            let node = Node::Map(vec![
                ("name".into(), Node::text(&m.name)),
                ("description".into(), Node::text(&m.description)),
                ("parameters".into(), Node::Seq(Vec::new())),
            ]);
            out.push(Suggestion {
                what: format!("auth method {}", m.name),
                under: "connection.auth_methods".into(),
                yaml: emit::block_seq(&[node], 0, Style::default()),
            });
        }
    }
    if !explicit.oauth && !want.oauth.is_empty() {
        let have = spec.oauth.as_ref();
        let has_text = |key: &str| match (key, have) {
            ("token_url", Some(o)) => o.token_url.as_ref().map(|t| t.value.clone()),
            ("scopes", Some(o)) => o.scopes.as_ref().map(|t| t.value.clone()),
            _ => None,
        };
        let mut rest: Vec<(String, Node)> = Vec::new();
        for (key, node) in std::mem::take(&mut want.oauth) {
            let proposed = match &node {
                Node::Text(t) => Some(t.clone()),
                _ => None,
            };
            let movable = key == "token_url" || key == "scopes";
            match has_text(&key) {
                Some(old) if Some(&old) == proposed.as_ref() => {}
                None if movable => want.verification.push((key, node)),
                _ => rest.push((key, node)),
            }
        }
        let same_flow = |flow: &str| have.is_some_and(|o| o.flow.name() == flow);
        rest.retain(|(k, n)| {
            !(k == "flow" && matches!(n, Node::Text(t) if same_flow(t) || have.is_none() && t == "u2m"))
        });
        if !rest.is_empty() {
            let keys: Vec<&str> = rest.iter().map(|(k, _)| k.as_str()).collect();
            out.push(Suggestion {
                what: format!("oauth {}", keys.join(", ")),
                under: "connection.oauth".into(),
                yaml: emit::block_map(&rest, 0, Style::default()),
            });
        }
    }
    out
}

/// Suggestions as the commands print them: each with its YAML, and that it was not applied.
pub fn report(source: &str, suggestions: &[Suggestion]) -> String {
    if suggestions.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    for s in suggestions {
        out.push_str(&format!("{source}: suggestion, not applied: {} under {}:\n", s.what, s.under));
        for line in s.yaml.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out.push_str(&format!(
        "{source}: not applied: the spec's parameters, auth_methods and oauth are the connector's contract; only connection.verification was changed. Add them by hand, or with `authgen spec {source} --auth VARIANT --param NAME[:secret]` (and `--oauth-flow FLOW` for the oauth block)\n"
    ));
    out
}

/// The spec with `connection.verification` taken out, as a value.
fn without_verification(text: &str) -> Result<Value, String> {
    let mut v: Value = serde_yaml::from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
    if let Some(Value::Mapping(conn)) = v.get_mut("connection") {
        conn.remove("verification");
    }
    Ok(v)
}

/// The text of a spec with the `connection.verification` block's lines taken
/// out (block style); `None` when the layout is not one this can cut (flow style).
pub fn text_outside_verification(text: &str) -> Option<String> {
    let tree = crate::specwrite::tree::Tree::parse(text).ok()?;
    let root = tree.root.as_ref()?;
    let Some((_, conn)) = root.get("connection") else { return Some(text.to_string()) };
    if conn.flow {
        return None;
    }
    let Some((key, value)) = conn.get("verification") else { return Some(text.to_string()) };
    if value.flow && value.end_mark.line != key.start.line {
        return None;
    }
    let start = tree.line_start(key.start.line);
    let end = tree.line_end(tree.last_line(value).max(key.start.line));
    Some(format!("{}{}", &text[..start], &text[end..]))
}

/// The guard every spec write on an existing spec passes: nothing outside
/// `connection.verification` differs, by value and (where the layout allows
/// cutting the block out) byte for byte.
pub fn check_unchanged(old: &str, new: &str) -> Result<(), String> {
    if without_verification(old)? != without_verification(new)? {
        return Err("the edit would change the spec outside connection.verification".into());
    }
    match (text_outside_verification(old), text_outside_verification(new)) {
        (Some(a), Some(b)) if a != b => {
            Err("the edit would change the spec's text outside connection.verification".into())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_verification_block_is_cut_out() {
        let text = "a: 1\nconnection:\n  parameters: []\n  verification:\n    endpoint: /me\n    params:\n      x: 1\n  # after\nz: 2\n";
        assert_eq!(text_outside_verification(text).unwrap(), "a: 1\nconnection:\n  parameters: []\n  # after\nz: 2\n");
        assert!(check_unchanged(text, &text.replace("/me", "/users/me")).is_ok());
        assert!(check_unchanged(text, &text.replace("parameters: []", "parameters: [{name: x}]")).is_err());
        assert!(check_unchanged(text, &text.replace("# after", "# later")).is_err());
        assert!(check_unchanged(text, &text.replace("z: 2", "z: 3")).is_err());
    }
}
