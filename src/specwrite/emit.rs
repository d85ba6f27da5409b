//! A tiny YAML emitter for what authgen writes into specs: scalars plain
//! when that is unambiguous to every YAML reader (1.1 and 1.2), double-quoted
//! with escapes otherwise; mappings and lists in block style.

use std::fmt::Write as _;

/// A value to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(String),
    /// A whole number written bare (`limit: 1`), read back as the same digits.
    Int(String),
    Bool(bool),
    /// `null` (`base_url_param: null` turns the override off).
    Null,
    Map(Vec<(String, Node)>),
    Seq(Vec<Node>),
}

impl Node {
    pub fn text(s: impl Into<String>) -> Node {
        Node::Text(s.into())
    }

    /// `1` as a bare number when it is one in canonical form, else text.
    pub fn number_or_text(s: &str) -> Node {
        if canonical_int(s) { Node::Int(s.to_string()) } else { Node::Text(s.to_string()) }
    }

    pub fn pairs(pairs: &[(String, String)]) -> Node {
        Node::Map(pairs.iter().map(|(k, v)| (k.clone(), Node::text(v))).collect())
    }

    pub fn is_scalar(&self) -> bool {
        matches!(self, Node::Text(_) | Node::Int(_) | Node::Bool(_) | Node::Null)
    }
}

fn canonical_int(s: &str) -> bool {
    s == "0"
        || s.len() <= 15 && s.starts_with(|c: char| ('1'..='9').contains(&c)) && s.chars().all(|c| c.is_ascii_digit())
}

/// Words some YAML reader takes for a boolean or null.
const RESERVED: [&str; 12] = ["null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", "=", "<<"];

/// Whether `s` can be written without quotes and read back as the same
/// string by YAML 1.1 and 1.2 readers. `flow`: inside `{...}` or `[...]`.
pub fn plain_ok(s: &str, flow: bool) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if s.trim() != s || s.len() > 200 {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`<=.+0123456789".contains(first) {
        // Indicators, and anything that could start a number or date.
        return false;
    }
    if RESERVED.contains(&s.to_ascii_lowercase().as_str()) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.contains(['{', '}', '[', ']']) {
        return false;
    }
    if flow && s.contains(',') {
        return false;
    }
    s.chars().all(|c| c == ' ' || c.is_ascii_graphic() && c != '\\' || !c.is_ascii() && c.is_alphanumeric())
}

/// A scalar as YAML text.
pub fn scalar(s: &str, flow: bool) -> String {
    if plain_ok(s, flow) { s.to_string() } else { double_quoted(s) }
}

pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if ('\u{80}'..='\u{9f}').contains(&c)
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn scalar_node(node: &Node, flow: bool) -> String {
    match node {
        Node::Text(s) => scalar(s, flow),
        Node::Int(s) => s.clone(),
        Node::Bool(b) => b.to_string(),
        Node::Null => "null".into(),
        Node::Map(m) if m.is_empty() => "{}".into(),
        Node::Seq(s) if s.is_empty() => "[]".into(),
        Node::Map(m) => {
            let parts: Vec<String> =
                m.iter().map(|(k, v)| format!("{}: {}", scalar(k, true), scalar_node(v, true))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        Node::Seq(s) => {
            let parts: Vec<String> = s.iter().map(|v| scalar_node(v, true)).collect();
            format!("[{}]", parts.join(", "))
        }
    }
}

/// How a file indents: spaces per level, and how far a list's `-` sits
/// right of its key (0 or the same as a level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub unit: usize,
    pub seq_offset: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style { unit: 2, seq_offset: 2 }
    }
}

/// A mapping in block style, each line indented by `indent` spaces, nested
/// levels as `style` says. Ends with a newline.
pub fn block_map(entries: &[(String, Node)], indent: usize, style: Style) -> String {
    let mut out = String::new();
    for (key, value) in entries {
        entry(&mut out, key, value, indent, style);
    }
    out
}

fn entry(out: &mut String, key: &str, value: &Node, indent: usize, style: Style) {
    let pad = " ".repeat(indent);
    let key = scalar(key, false);
    match value {
        Node::Map(m) if !m.is_empty() => {
            let _ = writeln!(out, "{pad}{key}:");
            out.push_str(&block_map(m, indent + style.unit, style));
        }
        Node::Seq(items) if !items.is_empty() => {
            let _ = writeln!(out, "{pad}{key}:");
            out.push_str(&block_seq(items, indent + style.seq_offset, style));
        }
        v => {
            let _ = writeln!(out, "{pad}{key}: {}", scalar_node(v, false));
        }
    }
}

/// A list in block style: `- ` at `indent`, an item mapping's other keys
/// aligned under its first.
pub fn block_seq(items: &[Node], indent: usize, style: Style) -> String {
    let mut out = String::new();
    let pad = " ".repeat(indent);
    for item in items {
        match item {
            Node::Map(m) if !m.is_empty() => {
                let body = block_map(m, indent + 2, style);
                // The first line's indentation becomes the dash.
                let body = body.get(indent + 2..).unwrap_or("");
                let _ = write!(out, "{pad}- {body}");
            }
            Node::Seq(s) if !s.is_empty() => {
                let body = block_seq(s, indent + 2, style);
                let _ = write!(out, "{pad}- {}", body.get(indent + 2..).unwrap_or(""));
            }
            v => {
                let _ = writeln!(out, "{pad}- {}", scalar_node(v, false));
            }
        }
    }
    out
}

/// A value in flow style: `{name: x, secret: true}`, or a scalar.
pub fn flow(node: &Node) -> String {
    scalar_node(node, true)
}

/// A scalar value in block context.
pub fn inline(node: &Node) -> String {
    scalar_node(node, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(yaml: &str) -> serde_yaml::Value {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn strings_round_trip() {
        let nasty = [
            "plain",
            "https://api.github.com",
            "https://{subdomain}.zendesk.com/api/v2",
            "Bearer ",
            "Token token=",
            "a: b",
            "a #b",
            "#x",
            "\"quoted\" 'single'",
            "line\nbreak",
            "tab\there",
            "back\\slash",
            "",
            " lead",
            "yes",
            "No",
            "null",
            "~",
            "1",
            "007",
            "1e3",
            "2024-10-15",
            ".inf",
            "- dash",
            "{x}",
            "[0]",
            "users[0].name",
            "a, b",
            "bell\u{7}",
            "next\u{85}line",
            "sep\u{2028}",
            "naïve café",
            "<<",
            "application/vnd.pagerduty+json;version=2",
            "%TAG",
            "@at",
            "`tick`",
            "ends:",
            "? q",
        ];
        for s in nasty {
            for flow_ctx in [false, true] {
                let text = scalar(s, flow_ctx);
                let doc = if flow_ctx { format!("{{k: {text}, z: 1}}") } else { format!("k: {text}\n") };
                let back = read_back(&doc);
                assert_eq!(back["k"], serde_yaml::Value::String(s.to_string()), "{s:?} written as {text}");
            }
        }
    }

    #[test]
    fn blocks() {
        let node = Node::Map(vec![
            ("endpoint".into(), Node::text("/user")),
            ("params".into(), Node::Map(vec![("limit".into(), Node::number_or_text("1"))])),
        ]);
        let Node::Map(entries) = &node else { unreachable!() };
        assert_eq!(block_map(entries, 2, Style::default()), "  endpoint: /user\n  params:\n    limit: 1\n");
        let items = vec![Node::Map(vec![("name".into(), Node::text("token")), ("secret".into(), Node::Bool(true))])];
        assert_eq!(block_seq(&items, 4, Style::default()), "    - name: token\n      secret: true\n");
        assert_eq!(flow(&items[0]), "{name: token, secret: true}");
    }
}
