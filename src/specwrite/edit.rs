//! Text-level edits of a YAML file: set a key, add a list item. Every edit
//! splices new text in at the right place and indentation; everything else
//! (comments, quoting, blank lines, key order) stays byte for byte.

use super::emit::{self, Node, Style};
use super::tree::{Kind, Node as YNode, Tree};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    /// The item of a list of mappings whose `name` is this.
    Named(String),
}

impl Seg {
    pub fn key(k: &str) -> Seg {
        Seg::Key(k.to_string())
    }
}

pub fn path_text(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Named(n) => out.push_str(&format!("[{n}]")),
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A different value already there is replaced.
    Replace,
    /// Only what is missing is added; values already there are kept.
    Fill,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Added,
    Same,
    Replaced {
        old: String,
    },
    /// `Fill` left `old` where `new` was proposed.
    Kept {
        old: String,
        new: String,
    },
}

pub struct Editor {
    text: String,
    style: Style,
}

enum Found<'t> {
    /// The path exists: its key node (none for the root) and value.
    Here { key: Option<&'t YNode>, value: &'t YNode, in_flow: bool },
    /// It does not: the deepest node that does, and how many segments were found.
    Missing { key: Option<&'t YNode>, value: Option<&'t YNode>, depth: usize },
}

fn locate<'t>(tree: &'t Tree, path: &[Seg]) -> Found<'t> {
    let Some(mut value) = tree.root.as_ref() else {
        return Found::Missing { key: None, value: None, depth: 0 };
    };
    let mut key: Option<&YNode> = None;
    let mut in_flow = false;
    for (depth, seg) in path.iter().enumerate() {
        let next = match (seg, &value.kind) {
            (Seg::Key(k), Kind::Map(_)) => value.get(k),
            (Seg::Named(n), Kind::Seq(items)) => items.iter().find_map(|item| {
                let (_, name) = item.get("name")?;
                (name.scalar() == Some(n.as_str())).then_some((item, item))
            }),
            _ => None,
        };
        match next {
            Some((k, v)) => {
                in_flow = in_flow || value.flow;
                key = if matches!(seg, Seg::Named(_)) { None } else { Some(k) };
                value = v;
            }
            None => return Found::Missing { key, value: Some(value), depth },
        }
    }
    Found::Here { key, value, in_flow }
}

fn scalar_text(node: &Node) -> Option<String> {
    match node {
        Node::Text(s) | Node::Int(s) => Some(s.clone()),
        Node::Bool(b) => Some(b.to_string()),
        Node::Null => Some("null".into()),
        _ => None,
    }
}

impl Editor {
    pub fn new(text: &str) -> Result<Editor, String> {
        let tree = Tree::parse(text)?;
        let style = detect_style(&tree);
        Ok(Editor { text: text.to_string(), style })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn into_text(self) -> String {
        self.text
    }

    fn splice(&mut self, start: usize, end: usize, with: &str) -> Result<(), String> {
        let mut next = String::with_capacity(self.text.len() + with.len());
        next.push_str(&self.text[..start]);
        next.push_str(with);
        next.push_str(&self.text[end..]);
        Tree::parse(&next).map_err(|e| format!("an edit would break the YAML ({e})"))?;
        self.text = next;
        Ok(())
    }

    /// Set `path` to `value`. Mappings merge key by key; a list value is
    /// only written where the key is missing.
    pub fn set(
        &mut self,
        path: &[Seg],
        value: &Node,
        mode: Mode,
        before: &[&str],
    ) -> Result<Vec<(String, Outcome)>, String> {
        let tree = Tree::parse(&self.text)?;
        match locate(&tree, path) {
            Found::Here { key, value: existing, in_flow } => {
                if let Node::Map(entries) = value {
                    if existing.is_null() || matches!(existing.kind, Kind::Map(_)) {
                        let mut out = Vec::new();
                        for (k, v) in entries {
                            let mut sub = path.to_vec();
                            sub.push(Seg::Key(k.clone()));
                            out.extend(self.set(&sub, v, mode, &[])?);
                        }
                        return Ok(out);
                    }
                    return Err(format!("{}: expected a mapping here", path_text(path)));
                }
                if let Node::Seq(items) = value {
                    if existing.is_null() {
                        let mut out = Vec::new();
                        for item in items {
                            out.push(self.ensure_item(path, item)?);
                        }
                        return Ok(out);
                    }
                    return Ok(vec![(path_text(path), Outcome::Same)]);
                }
                let want = scalar_text(value).unwrap_or_default();
                let outcome = match &existing.kind {
                    Kind::Scalar { value: old, .. } if !existing.is_null() => {
                        if *old == want {
                            Outcome::Same
                        } else if mode == Mode::Fill {
                            Outcome::Kept { old: old.clone(), new: want.clone() }
                        } else {
                            self.replace_scalar(&tree, key, existing, in_flow, value)?;
                            Outcome::Replaced { old: old.clone() }
                        }
                    }
                    Kind::Scalar { .. } => {
                        // `key:` with nothing after it.
                        self.replace_scalar(&tree, key, existing, in_flow, value)?;
                        Outcome::Added
                    }
                    _ => return Err(format!("{}: expected a single value, found a list or mapping", path_text(path))),
                };
                Ok(vec![(path_text(path), outcome)])
            }
            Found::Missing { key, value: parent, depth } => {
                let mut node = value.clone();
                for seg in path[depth + 1..].iter().rev() {
                    match seg {
                        Seg::Key(k) => node = Node::Map(vec![(k.clone(), node)]),
                        Seg::Named(n) => return Err(format!("no list item named {n:?} at {}", path_text(path))),
                    }
                }
                let Seg::Key(first) = &path[depth] else {
                    return Err(format!("no list item at {}", path_text(&path[..=depth])));
                };
                self.insert_entry(&tree, key, parent, first, &node, before)?;
                Ok(vec![(path_text(path), Outcome::Added)])
            }
        }
    }

    fn replace_scalar(
        &mut self,
        tree: &Tree,
        key: Option<&YNode>,
        node: &YNode,
        in_flow: bool,
        value: &Node,
    ) -> Result<(), String> {
        let text = if in_flow { emit::flow(value) } else { emit::inline(value) };
        if let Some((s, e)) = tree
            .scalar_span(node, in_flow)
            .filter(|_| !node.is_null() || node.start.line == key.map_or(0, |k| k.start.line))
        {
            return self.splice(s, e, &text);
        }
        // A value over several lines, or none at all: rewrite everything
        // after the key's colon up to the value's last line.
        let key = key.ok_or("cannot replace the document root")?;
        let line_text = tree.line_text(key.start.line);
        let key_end = tree.line_start(key.start.line) + line_text.len();
        let after_key = &tree.text()[key.start.byte..key_end];
        let colon = find_colon(after_key).ok_or("no `:` after the key")?;
        let start = key.start.byte + colon + 1;
        let last = tree.last_line(node).max(key.start.line);
        let end = tree.line_start(last) + tree.line_text(last).len();
        // Keep a comment that follows an empty value on the key's line.
        let rest = &tree.text()[start..end];
        let comment = if node.is_null() && last == key.start.line { rest.find('#').map(|i| &rest[i..]) } else { None };
        let replacement = match comment {
            Some(c) => format!(" {text}  {c}"),
            None => format!(" {text}"),
        };
        self.splice(start, end, &replacement)
    }

    /// Add `name: node` to the mapping `parent` (the value of `key`).
    fn insert_entry(
        &mut self,
        tree: &Tree,
        key: Option<&YNode>,
        parent: Option<&YNode>,
        name: &str,
        node: &Node,
        before: &[&str],
    ) -> Result<(), String> {
        let Some(parent) = parent else {
            // An empty document.
            let text = emit::block_map(&[(name.to_string(), node.clone())], 0, self.style);
            let sep = if self.text.is_empty() || self.text.ends_with('\n') { "" } else { "\n" };
            let at = self.text.len();
            return self.splice(at, at, &format!("{sep}{text}"));
        };
        if parent.is_null() {
            let key = key.ok_or("the document is empty")?;
            let indent = key.start.col + self.style.unit;
            let text = emit::block_map(&[(name.to_string(), node.clone())], indent, self.style);
            // Drop an explicit `null`/`~` on the key's line.
            if let Some((s, e)) = tree.scalar_span(parent, false).filter(|_| parent.start.line == key.start.line) {
                let prefix_start = tree.text()[..s].trim_end_matches(' ').len();
                self.splice(prefix_start, e, "")?;
                let tree = Tree::parse(&self.text)?;
                return self.insert_after_line(&tree, key.start.line, &text);
            }
            return self.insert_after_line(tree, key.start.line, &text);
        }
        let Kind::Map(entries) = &parent.kind else {
            return Err(format!("cannot add `{name}`: its parent is not a mapping"));
        };
        if parent.flow {
            let sep = if entries.is_empty() { "" } else { ", " };
            let close = parent.end_mark.byte;
            let text = format!("{sep}{}: {}", emit::scalar(name, true), emit::flow(node));
            // `{}` written with spaces, or entries: insert right before `}`.
            let trimmed = tree.text()[..close].trim_end_matches(' ').len();
            return self.splice(trimmed, trimmed, &text);
        }
        let indent = parent.start.col;
        let text = emit::block_map(&[(name.to_string(), node.clone())], indent, self.style);
        // Before a named sibling (with the comments right above it), else after the last entry.
        if let Some((k, _)) = before.iter().find_map(|b| entries.iter().find(|(k, _)| k.scalar() == Some(b))) {
            let mut line = k.start.line;
            while line > 1 && tree.line_text(line - 1).trim_start().starts_with('#') {
                line -= 1;
            }
            let at = tree.line_start(line);
            return self.splice(at, at, &text);
        }
        let last = tree.last_line(parent);
        self.insert_after_line(tree, last, &text)
    }

    fn insert_after_line(&mut self, tree: &Tree, line: usize, text: &str) -> Result<(), String> {
        let at = tree.line_end(line);
        let needs_newline = at == self.text.len() && !self.text.is_empty() && !self.text.ends_with('\n');
        let with = if needs_newline { format!("\n{text}") } else { text.to_string() };
        self.splice(at, at, &with)
    }

    /// Append `item` (a mapping with a `name`) to the list at `path` unless
    /// an item of that name is there; create the list when missing.
    pub fn ensure_item(&mut self, path: &[Seg], item: &Node) -> Result<(String, Outcome), String> {
        let name = match item {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == "name").and_then(|(_, v)| scalar_text(v)),
            _ => None,
        }
        .ok_or("a list item needs a `name`")?;
        let mut item_path = path.to_vec();
        item_path.push(Seg::Named(name.clone()));
        let label = path_text(&item_path);
        let tree = Tree::parse(&self.text)?;
        match locate(&tree, path) {
            Found::Here { key, value: list, .. } => match &list.kind {
                Kind::Seq(items) => {
                    if items.iter().any(|i| i.get("name").and_then(|(_, v)| v.scalar()) == Some(name.as_str())) {
                        return Ok((label, Outcome::Same));
                    }
                    if list.flow {
                        if items.is_empty() {
                            // `key: []` becomes a block list under the key.
                            let key = key.ok_or("a list at the document root")?;
                            let indent = key.start.col + self.style.seq_offset;
                            let block = emit::block_seq(std::slice::from_ref(item), indent, self.style);
                            let start = tree.text()[..list.start.byte].trim_end_matches(' ').len();
                            let end = list.end_mark.byte + 1;
                            self.splice(start, end, &format!("\n{}", block.trim_end_matches('\n')))?;
                        } else {
                            let close = list.end_mark.byte;
                            let at = tree.text()[..close].trim_end().len();
                            self.splice(at, at, &format!(", {}", emit::flow(item)))?;
                        }
                        return Ok((label, Outcome::Added));
                    }
                    let dash = list.start.col;
                    let flow_items = items.last().is_some_and(|i| i.flow);
                    let text = if flow_items {
                        format!("{}- {}\n", " ".repeat(dash), emit::flow(item))
                    } else {
                        emit::block_seq(std::slice::from_ref(item), dash, self.style)
                    };
                    let last = tree.last_line(list);
                    self.insert_after_line(&tree, last, &text)?;
                    Ok((label, Outcome::Added))
                }
                _ if list.is_null() => {
                    let key = key.ok_or("a list at the document root")?;
                    let indent = key.start.col + self.style.seq_offset;
                    let text = emit::block_seq(std::slice::from_ref(item), indent, self.style);
                    self.insert_after_line(&tree, key.start.line, &text)?;
                    Ok((label, Outcome::Added))
                }
                _ => Err(format!("{}: expected a list", path_text(path))),
            },
            Found::Missing { .. } => {
                self.set(path, &Node::Seq(vec![item.clone()]), Mode::Fill, &[])?;
                Ok((label, Outcome::Added))
            }
        }
    }
}

/// The `:` that ends a key (outside quotes).
fn find_colon(text: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ':') => return Some(i),
            _ => {}
        }
    }
    None
}

/// The file's indentation: from its first nested block mapping and list.
fn detect_style(tree: &Tree) -> Style {
    let mut style = Style::default();
    let Some(root) = &tree.root else { return style };
    let mut unit = None;
    let mut seq_offset = None;
    fn walk(node: &YNode, unit: &mut Option<usize>, seq: &mut Option<usize>) {
        if let Kind::Map(entries) = &node.kind {
            for (k, v) in entries {
                match &v.kind {
                    Kind::Map(_) if !v.flow && v.start.line > k.start.line && unit.is_none() => {
                        *unit = v.start.col.checked_sub(k.start.col).filter(|u| *u > 0);
                    }
                    Kind::Seq(_) if !v.flow && v.start.line > k.start.line && seq.is_none() => {
                        *seq = v.start.col.checked_sub(k.start.col);
                    }
                    _ => {}
                }
                walk(v, unit, seq);
            }
        }
        if let Kind::Seq(items) = &node.kind {
            for item in items {
                walk(item, unit, seq);
            }
        }
    }
    walk(root, &mut unit, &mut seq_offset);
    if let Some(u) = unit {
        style.unit = u;
        style.seq_offset = u;
    }
    if let Some(s) = seq_offset {
        style.seq_offset = s;
    }
    style
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(path: &str) -> Vec<Seg> {
        path.split('.').map(Seg::key).collect()
    }

    const SPEC: &str = "# top comment\ndisplay_name: X\nconnection:\n  parameters:\n    - name: token   # the key\n      type: string\n      description: >\n        Folded\n        text.\n\n    - {name: b, type: string}\n  verification:\n    base_url: https://a.example.com  # keep me\n    endpoint: /me\n\n# allowlist\nexternal_options_allowlist: \"\"\n";

    #[test]
    fn replace_keeps_comments() {
        let mut ed = Editor::new(SPEC).unwrap();
        let out = ed
            .set(&k("connection.verification.base_url"), &Node::text("https://{s}.example.com"), Mode::Replace, &[])
            .unwrap();
        assert_eq!(out[0].1, Outcome::Replaced { old: "https://a.example.com".into() });
        assert!(ed.text().contains("    base_url: \"https://{s}.example.com\"  # keep me\n"));
        assert_eq!(ed.text().lines().count(), SPEC.lines().count());
    }

    #[test]
    fn fill_keeps_values_and_adds_missing() {
        let mut ed = Editor::new(SPEC).unwrap();
        let block = Node::Map(vec![
            ("base_url".into(), Node::text("https://b.example.com")),
            ("auth".into(), Node::text("bearer")),
            ("params".into(), Node::Map(vec![("limit".into(), Node::number_or_text("1"))])),
        ]);
        let out = ed.set(&k("connection.verification"), &block, Mode::Fill, &[]).unwrap();
        assert_eq!(
            out[0].1,
            Outcome::Kept { old: "https://a.example.com".into(), new: "https://b.example.com".into() }
        );
        let expected =
            SPEC.replace("    endpoint: /me\n", "    endpoint: /me\n    auth: bearer\n    params:\n      limit: 1\n");
        assert_eq!(ed.text(), expected);
    }

    #[test]
    fn items_in_block_and_flow_lists() {
        let mut ed = Editor::new(SPEC).unwrap();
        let item = Node::Map(vec![("name".into(), Node::text("c")), ("secret".into(), Node::Bool(true))]);
        ed.ensure_item(&k("connection.parameters"), &item).unwrap();
        assert!(ed.text().contains("    - {name: b, type: string}\n    - {name: c, secret: true}\n  verification:"));
        let mut path = k("connection.parameters");
        path.push(Seg::Named("b".into()));
        path.push(Seg::key("secret"));
        ed.set(&path, &Node::Bool(true), Mode::Fill, &[]).unwrap();
        assert!(ed.text().contains("    - {name: b, type: string, secret: true}\n"));
        let mut path = k("connection.parameters");
        path.push(Seg::Named("token".into()));
        path.push(Seg::key("secret"));
        ed.set(&path, &Node::Bool(true), Mode::Fill, &[]).unwrap();
        assert!(ed.text().contains("        text.\n      secret: true\n\n    - {name: b"));
    }

    #[test]
    fn new_sections_and_empty_values() {
        let text = "connection:\n  parameters: []\n  verification:  # to do\nother: 1\n";
        let mut ed = Editor::new(text).unwrap();
        let item = Node::Map(vec![("name".into(), Node::text("t"))]);
        ed.ensure_item(&k("connection.parameters"), &item).unwrap();
        ed.set(&k("connection.verification.endpoint"), &Node::text("/me"), Mode::Fill, &[]).unwrap();
        ed.set(&k("connection.oauth.flow"), &Node::text("m2m"), Mode::Fill, &["verification"]).unwrap();
        assert_eq!(
            ed.text(),
            "connection:\n  parameters:\n    - name: t\n  oauth:\n    flow: m2m\n  verification:  # to do\n    endpoint: /me\nother: 1\n"
        );
    }

    #[test]
    fn indentation_of_the_file_is_followed() {
        let text = "connection:\n    parameters:\n    -   name: a\n    verification:\n        endpoint: /x\n";
        let mut ed = Editor::new(text).unwrap();
        ed.set(&k("connection.verification.params"), &Node::Map(vec![("a".into(), Node::text("b"))]), Mode::Fill, &[])
            .unwrap();
        assert!(ed.text().ends_with("        endpoint: /x\n        params:\n            a: b\n"), "{}", ed.text());
    }
}
