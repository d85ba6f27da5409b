//! Writing the `connection` section of `connector_spec.yaml` as text edits:
//! parameters, `auth_methods`, `oauth` and `verification` are added or
//! updated in place; every comment and the layout of the rest of the file
//! stay byte for byte. Before anything is returned the result is parsed
//! again and checked to hold every key and value of the original (bar the
//! values deliberately replaced).

pub mod edit;
pub mod emit;
pub mod tree;

use std::collections::BTreeSet;

use serde_yaml::Value;

use edit::{Editor, path_text};
pub use edit::{Mode, Outcome, Seg};
use emit::Node;

/// A connection parameter to declare.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub secret: bool,
    pub required: bool,
    pub description: String,
    /// The `auth_methods` entry it belongs to; `None` for the flat list.
    pub method: Option<String>,
}

impl Param {
    pub fn new(name: &str, secret: bool) -> Param {
        Param { name: name.to_string(), secret, required: true, description: describe(name), method: None }
    }

    /// The parameter as its spec list item.
    pub fn node(&self) -> Node {
        let mut entries = vec![
            ("name".to_string(), Node::text(&self.name)),
            ("type".to_string(), Node::text("string")),
            ("required".to_string(), Node::Bool(self.required)),
        ];
        if self.secret {
            entries.push(("secret".to_string(), Node::Bool(true)));
        }
        entries.push(("description".to_string(), Node::text(&self.description)));
        Node::Map(entries)
    }
}

/// A readable default description from a parameter name: `api_token` → "API token.".
pub fn describe(name: &str) -> String {
    let words: Vec<String> = name
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| match w {
            "api" | "url" | "id" | "oauth" | "pat" | "uri" => w.to_ascii_uppercase(),
            _ => w.to_string(),
        })
        .collect();
    let mut text = words.join(" ");
    if let Some(first) = text.get(..1) {
        text = format!("{}{}", first.to_ascii_uppercase(), &text[1..]);
    }
    format!("{text}.")
}

#[derive(Debug, Clone, PartialEq)]
pub struct Method {
    pub name: String,
    pub description: String,
}

/// What to write into `connection`.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    /// For a new spec file.
    pub display_name: String,
    pub params: Vec<Param>,
    pub methods: Vec<Method>,
    pub oauth: Vec<(String, Node)>,
    pub verification: Vec<(String, Node)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone)]
pub struct Merged {
    pub text: String,
    pub changes: Vec<Change>,
}

impl Merged {
    /// Keys where the spec already says something else and `Fill` kept it.
    pub fn kept(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| matches!(c.outcome, Outcome::Kept { .. }))
    }
}

/// A new spec with nothing in `connection` yet, in the template's shape.
pub fn skeleton(display_name: &str) -> String {
    format!("display_name: {}\nconnection:\nexternal_options_allowlist: \"\"\n", emit::scalar(display_name, false))
}

fn conn() -> Vec<Seg> {
    vec![Seg::key("connection")]
}

/// Where a parameter is declared now: the list that holds it.
fn param_home(root: &Value, name: &str) -> Option<Vec<Seg>> {
    let conn = root.get("connection")?;
    let has = |list: Option<&Value>| {
        list.and_then(Value::as_sequence)
            .is_some_and(|items| items.iter().any(|i| i.get("name").and_then(Value::as_str) == Some(name)))
    };
    if has(conn.get("parameters")) {
        let mut p = conn_path();
        p.push(Seg::key("parameters"));
        return Some(p);
    }
    for method in conn.get("auth_methods").and_then(Value::as_sequence).into_iter().flatten() {
        if has(method.get("parameters"))
            && let Some(m) = method.get("name").and_then(Value::as_str)
        {
            return Some(vec![
                Seg::key("connection"),
                Seg::key("auth_methods"),
                Seg::Named(m.to_string()),
                Seg::key("parameters"),
            ]);
        }
    }
    None
}

fn conn_path() -> Vec<Seg> {
    conn()
}

/// Merge `want` into the spec text `old` (or a new skeleton).
pub fn merge(old: Option<&str>, want: &Connection, mode: Mode) -> Result<Merged, String> {
    let original = old.map_or_else(|| skeleton(&want.display_name), str::to_string);
    // Edit with `\n` line ends; a CRLF file gets CRLF back and a file of
    // bare CRs gets CRs back, every line alike (to YAML each is a line break).
    let crlf = original.contains("\r\n");
    let cr_only = !crlf && original.contains('\r');
    let original = if original.contains('\r') { original.replace("\r\n", "\n").replace('\r', "\n") } else { original };
    let mut ed = Editor::new(&original)?;
    let mut changes: Vec<Change> = Vec::new();
    let record = |list: Vec<(String, Outcome)>, changes: &mut Vec<Change>| {
        for (path, outcome) in list {
            changes.push(Change { path, outcome });
        }
    };
    // auth_methods first, so their parameters have a home.
    for m in &want.methods {
        let item = Node::Map(vec![
            ("name".into(), Node::text(&m.name)),
            ("description".into(), Node::text(&m.description)),
            ("parameters".into(), Node::Seq(Vec::new())),
        ]);
        let mut path = conn();
        path.push(Seg::key("auth_methods"));
        if parse_value(ed.text())?.get("connection").and_then(|c| c.get("auth_methods")).is_none() {
            let made =
                ed.set(&path, &Node::Seq(vec![item.clone()]), Mode::Fill, &["parameters", "oauth", "verification"])?;
            record(made, &mut changes);
            continue;
        }
        let (p, o) = ed.ensure_item(&path, &item)?;
        changes.push(Change { path: p, outcome: o });
    }
    for param in &want.params {
        let root = parse_value(ed.text())?;
        match param_home(&root, &param.name) {
            Some(mut list) => {
                if param.secret {
                    list.push(Seg::Named(param.name.clone()));
                    list.push(Seg::key("secret"));
                    let done = ed.set(&list, &Node::Bool(true), mode, &[])?;
                    record(done, &mut changes);
                }
            }
            None => {
                let mut list = conn();
                if let Some(m) = &param.method {
                    list.push(Seg::key("auth_methods"));
                    list.push(Seg::Named(m.clone()));
                }
                list.push(Seg::key("parameters"));
                let before: &[&str] = if param.method.is_some() { &[] } else { &["oauth", "verification"] };
                if param.method.is_none() && root.get("connection").and_then(|c| c.get("parameters")).is_none() {
                    let made = ed.set(&list, &Node::Seq(vec![param.node()]), Mode::Fill, before)?;
                    record(made, &mut changes);
                    continue;
                }
                let (p, o) = ed.ensure_item(&list, &param.node())?;
                changes.push(Change { path: p, outcome: o });
            }
        }
    }
    for (key, value) in &want.oauth {
        let mut path = conn();
        path.push(Seg::key("oauth"));
        path.push(Seg::key(key));
        let before = if ed_has(&ed, "oauth")? { later(OAUTH_ORDER, key) } else { vec!["verification"] };
        let done = ed.set(&path, value, mode, &before)?;
        record(done, &mut changes);
    }
    for (key, value) in &want.verification {
        let mut path = conn();
        path.push(Seg::key("verification"));
        path.push(Seg::key(key));
        let before = if ed_has(&ed, "verification")? { later(VERIFICATION_ORDER, key) } else { Vec::new() };
        let done = ed.set(&path, value, mode, &before)?;
        record(done, &mut changes);
    }
    let text = ed.into_text();
    let replaced: BTreeSet<String> =
        changes.iter().filter(|c| matches!(c.outcome, Outcome::Replaced { .. })).map(|c| c.path.clone()).collect();
    check_preserved(&original, &text, &replaced)?;
    let text = if crlf {
        text.replace('\n', "\r\n")
    } else if cr_only {
        text.replace('\n', "\r")
    } else {
        text
    };
    Ok(Merged { text, changes })
}

/// The order of verification keys (the README's spec reference): a new key goes
/// before the first later key present.
const VERIFICATION_ORDER: &[&str] = &[
    "base_url",
    "endpoint",
    "method",
    "auth",
    "credential",
    "header",
    "prefix",
    "query_param",
    "username",
    "password",
    "params",
    "headers",
    "show",
    "expect",
    "token_url",
    "scopes",
    "client_auth",
    "audience",
    "token_params",
    "base_url_param",
    "select_by",
    "defaults",
    "derive",
    "method_for",
];
const OAUTH_ORDER: &[&str] = &["flow", "pkce", "scopes", "authorization_url", "token_url", "extra_auth_params"];

fn later<'a>(order: &[&'a str], key: &str) -> Vec<&'a str> {
    match order.iter().position(|k| *k == key) {
        Some(i) => order[i + 1..].to_vec(),
        None => Vec::new(),
    }
}

/// Whether `connection.<key>` exists.
fn ed_has(ed: &Editor, key: &str) -> Result<bool, String> {
    Ok(parse_value(ed.text())?.get("connection").and_then(|c| c.get(key)).is_some())
}

fn parse_value(text: &str) -> Result<Value, String> {
    serde_yaml::from_str(text).map_err(|e| format!("not valid YAML after editing: {e}"))
}

/// Every key of `old` is in `new` with the same value, unless replaced on purpose.
pub fn check_preserved(old: &str, new: &str, replaced: &BTreeSet<String>) -> Result<(), String> {
    let old_v = parse_value(old)?;
    let new_v = parse_value(new)?;
    let mut problems = Vec::new();
    compare(&old_v, &new_v, &mut Vec::new(), replaced, &mut problems);
    if problems.is_empty() { Ok(()) } else { Err(format!("the edit would lose or change: {}", problems.join(", "))) }
}

fn compare(old: &Value, new: &Value, path: &mut Vec<Seg>, replaced: &BTreeSet<String>, problems: &mut Vec<String>) {
    let here = path_text(path);
    if replaced.contains(&here) {
        return;
    }
    match (old, new) {
        (Value::Mapping(a), Value::Mapping(b)) => {
            for (k, v) in a {
                let key = match k {
                    Value::String(s) => s.clone(),
                    other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
                };
                path.push(Seg::Key(key));
                match b.get(k) {
                    Some(nv) => compare(v, nv, path, replaced, problems),
                    None => problems.push(path_text(path)),
                }
                path.pop();
            }
        }
        (Value::Sequence(a), Value::Sequence(b)) => {
            for (i, item) in a.iter().enumerate() {
                let seg = match item.get("name").and_then(Value::as_str) {
                    Some(n) => Seg::Named(n.to_string()),
                    None => Seg::Named(i.to_string()),
                };
                path.push(seg);
                match b.get(i) {
                    Some(ni) => compare(item, ni, path, replaced, problems),
                    None => problems.push(path_text(path)),
                }
                path.pop();
            }
        }
        // An empty value may be filled in.
        (Value::Null, _) => {}
        (a, b) if a == b => {}
        _ => problems.push(here),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions() {
        assert_eq!(describe("api_token"), "API token.");
        assert_eq!(describe("subdomain"), "Subdomain.");
        assert_eq!(describe("client_id"), "Client ID.");
    }

    #[test]
    fn new_spec_in_template_shape() {
        let want = Connection {
            display_name: "Zendesk".into(),
            params: vec![Param::new("subdomain", false), Param::new("api_token", true)],
            verification: vec![
                ("base_url".into(), Node::text("https://{subdomain}.zendesk.com/api/v2")),
                ("endpoint".into(), Node::text("/users/me.json")),
            ],
            ..Connection::default()
        };
        let merged = merge(None, &want, Mode::Replace).unwrap();
        assert_eq!(
            merged.text,
            "display_name: Zendesk\nconnection:\n  parameters:\n    - name: subdomain\n      type: string\n      required: true\n      description: Subdomain.\n    - name: api_token\n      type: string\n      required: true\n      secret: true\n      description: API token.\n  verification:\n    base_url: \"https://{subdomain}.zendesk.com/api/v2\"\n    endpoint: /users/me.json\nexternal_options_allowlist: \"\"\n"
        );
    }

    #[test]
    fn methods_get_their_parameters() {
        let mut pat = Param::new("personal_access_token", true);
        pat.method = Some("pat".into());
        let want = Connection {
            params: vec![Param::new("organization", false), pat],
            methods: vec![Method { name: "pat".into(), description: "PAT over Basic.".into() }],
            ..Connection::default()
        };
        let merged =
            merge(Some("display_name: A\nconnection:\n  verification:\n    endpoint: /x\n"), &want, Mode::Fill)
                .unwrap();
        assert_eq!(
            merged.text,
            "display_name: A\nconnection:\n  auth_methods:\n    - name: pat\n      description: PAT over Basic.\n      parameters:\n        - name: personal_access_token\n          type: string\n          required: true\n          secret: true\n          description: Personal access token.\n  parameters:\n    - name: organization\n      type: string\n      required: true\n      description: Organization.\n  verification:\n    endpoint: /x\n"
        );
    }

    #[test]
    fn crlf_files_and_flow_style_connections() {
        let want = Connection {
            params: vec![Param::new("token", true)],
            verification: vec![("auth".into(), Node::text("bearer")), ("endpoint".into(), Node::text("/me"))],
            ..Connection::default()
        };
        let old = "# c\r\nconnection:\r\n  verification:\r\n    endpoint: /me\r\n";
        let merged = merge(Some(old), &want, Mode::Fill).unwrap();
        assert_eq!(
            merged.text,
            "# c\r\nconnection:\r\n  parameters:\r\n    - name: token\r\n      type: string\r\n      required: true\r\n      secret: true\r\n      description: Token.\r\n  verification:\r\n    endpoint: /me\r\n    auth: bearer\r\n"
        );
        let old = "connection: {parameters: [{name: a}], verification: {endpoint: /me}}  # flow\n";
        let merged = merge(Some(old), &want, Mode::Fill).unwrap();
        assert_eq!(
            merged.text,
            "connection: {parameters: [{name: a}, {name: token, type: string, required: true, secret: true, description: Token.}], verification: {endpoint: /me, auth: bearer}}  # flow\n"
        );
    }

    #[test]
    fn preservation_is_checked() {
        assert!(check_preserved("a: 1\nb: [x]\n", "a: 1\nb: [x, y]\nc: 2\n", &BTreeSet::new()).is_ok());
        let err = check_preserved("a: 1\nb: {c: 2}\n", "a: 1\nb: {}\n", &BTreeSet::new()).unwrap_err();
        assert!(err.contains("b.c"), "{err}");
        let replaced: BTreeSet<String> = ["a".to_string()].into();
        assert!(check_preserved("a: 1\n", "a: 2\n", &replaced).is_ok());
    }
}
