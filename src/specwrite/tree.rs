//! Where each node of a YAML text is: a tree built from the event parser's
//! marks, with the byte spans the editor needs (a scalar's exact extent, the
//! last line of a block, a flow collection's closing bracket).

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A position: 1-based line, 0-based column in characters, byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct At {
    pub line: usize,
    pub col: usize,
    pub byte: usize,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Scalar { value: String, style: TScalarStyle },
    Map(Vec<(Node, Node)>),
    Seq(Vec<Node>),
    Alias,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    pub start: At,
    /// `{...}` or `[...]`.
    pub flow: bool,
    /// The mark of the event that ends this node (a flow collection's bracket).
    pub end_mark: At,
    /// The mark of the first event after this node.
    pub boundary: At,
}

impl Node {
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { value, style: TScalarStyle::Plain } if value.is_empty() || value == "~" || value == "null")
    }

    pub fn scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|(k, _)| k.scalar() == Some(key)).map(|(k, v)| (k, v)),
            _ => None,
        }
    }
}

pub struct Tree {
    pub root: Option<Node>,
    line_starts: Vec<usize>,
    text: String,
    /// The last position found (line, column, byte): marks come in order, so
    /// the next one is counted on from here, not from its line's start (a
    /// long one-line flow mapping would otherwise cost its length per mark).
    last: std::cell::Cell<(usize, usize, usize)>,
}

struct Collect {
    events: Vec<(Event, Marker)>,
}

impl MarkedEventReceiver for Collect {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        self.events.push((ev, mark));
    }
}

impl Tree {
    pub fn parse(text: &str) -> Result<Tree, String> {
        let mut collect = Collect { events: Vec::new() };
        Parser::new_from_str(text).load(&mut collect, false).map_err(|e| e.to_string())?;
        // Lines as the YAML parser counts them: LF, CRLF and a bare CR each end one.
        let mut line_starts = vec![0];
        let bytes = text.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                line_starts.push(i + 1);
            }
        }
        let mut tree = Tree { root: None, line_starts, text: text.to_string(), last: std::cell::Cell::new((0, 0, 0)) };
        let events = collect.events;
        let first = events.iter().position(|(e, _)| {
            matches!(e, Event::Scalar(..) | Event::MappingStart(..) | Event::SequenceStart(..) | Event::Alias(..))
        });
        if let Some(i) = first {
            let mut next = i;
            tree.root = Some(tree.node(&events, &mut next));
        }
        Ok(tree)
    }

    fn at(&self, mark: &Marker) -> At {
        let line = mark.line().max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(self.text.len());
        let (last_line, last_col, last_byte) = self.last.get();
        let (from_col, from) = if last_line == line && last_col <= mark.col() && last_byte >= start {
            (last_col, last_byte)
        } else {
            (0, start)
        };
        let rest = &self.text[from..];
        let byte = from + rest.char_indices().nth(mark.col() - from_col).map_or(rest.len(), |(b, _)| b);
        let byte = byte.min(self.text.len());
        self.last.set((line, mark.col(), byte));
        At { line, col: mark.col(), byte }
    }

    fn node(&self, events: &[(Event, Marker)], i: &mut usize) -> Node {
        let (event, mark) = &events[*i];
        let start = self.at(mark);
        *i += 1;
        let (kind, flow, end_mark) = match event {
            Event::Scalar(value, style, ..) => (Kind::Scalar { value: value.clone(), style: *style }, false, start),
            Event::Alias(_) => (Kind::Alias, false, start),
            Event::MappingStart(..) => {
                let flow = self.text[start.byte..].starts_with('{');
                let mut entries = Vec::new();
                while *i < events.len() && !matches!(events[*i].0, Event::MappingEnd) {
                    let key = self.node(events, i);
                    if *i >= events.len() || matches!(events[*i].0, Event::MappingEnd) {
                        break;
                    }
                    let value = self.node(events, i);
                    entries.push((key, value));
                }
                let end = events.get(*i).map_or(start, |(_, m)| self.at(m));
                *i += 1;
                (Kind::Map(entries), flow, end)
            }
            Event::SequenceStart(..) => {
                let flow = self.text[start.byte..].starts_with('[');
                let mut items = Vec::new();
                while *i < events.len() && !matches!(events[*i].0, Event::SequenceEnd) {
                    items.push(self.node(events, i));
                }
                let end = events.get(*i).map_or(start, |(_, m)| self.at(m));
                *i += 1;
                (Kind::Seq(items), flow, end)
            }
            _ => (Kind::Alias, false, start),
        };
        let boundary = events
            .get(*i)
            .map_or(At { line: self.line_starts.len() + 1, col: 0, byte: self.text.len() }, |(_, m)| self.at(m));
        // A block mapping's own mark is unreliable: it starts at its first key.
        let start = match &kind {
            Kind::Map(entries) if !flow => entries.first().map_or(start, |(k, _)| k.start),
            _ => start,
        };
        Node { kind, start, flow, end_mark, boundary }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line.saturating_sub(1)).copied().unwrap_or(self.text.len())
    }

    /// Byte offset just past the end of `line` (its newline included, if any).
    pub fn line_end(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.text.len())
    }

    pub fn line_text(&self, line: usize) -> &str {
        let s = self.line_start(line);
        let e = self.line_end(line);
        self.text[s..e].trim_end_matches(['\n', '\r'])
    }

    fn blank_or_comment(&self, line: usize) -> bool {
        let t = self.line_text(line).trim();
        t.is_empty() || t.starts_with('#')
    }

    /// The last line holding this node's content (comments and blank lines
    /// after it belong to what follows).
    pub fn last_line(&self, node: &Node) -> usize {
        if node.flow {
            return node.end_mark.line;
        }
        if node.is_null() {
            return node.start.line.min(node.boundary.line);
        }
        let b = node.boundary;
        let before = &self.text[self.line_start(b.line)..b.byte];
        let mut line = if before.trim().is_empty() || before.trim() == "-" { b.line.saturating_sub(1) } else { b.line };
        while line > node.start.line && self.blank_or_comment(line) {
            line -= 1;
        }
        line.max(node.start.line)
    }

    /// The exact byte span of a scalar written on one line, or `None` when
    /// it spans lines (block scalars, folded plain or quoted text).
    pub fn scalar_span(&self, node: &Node, in_flow: bool) -> Option<(usize, usize)> {
        let Kind::Scalar { value, style } = &node.kind else { return None };
        let line_end = self.line_end(node.start.line);
        let rest = self.text[node.start.byte..line_end].trim_end_matches(['\n', '\r']);
        let len = match style {
            TScalarStyle::DoubleQuoted => {
                let mut escaped = false;
                let close = rest.char_indices().skip(1).find(|(_, c)| {
                    let hit = *c == '"' && !escaped;
                    escaped = *c == '\\' && !escaped;
                    hit
                });
                close.map(|(i, _)| i + 1)?
            }
            TScalarStyle::SingleQuoted => {
                let bytes = rest.as_bytes();
                let mut j = 1;
                loop {
                    if j >= bytes.len() {
                        return None;
                    }
                    if bytes[j] == b'\'' {
                        if bytes.get(j + 1) == Some(&b'\'') {
                            j += 2;
                            continue;
                        }
                        break j + 1;
                    }
                    j += 1;
                }
            }
            TScalarStyle::Plain => {
                if value.is_empty() {
                    return None;
                }
                let mut end = rest.len();
                if let Some(c) = rest.find(" #") {
                    end = end.min(c);
                }
                if in_flow && let Some(c) = rest.find([',', '}', ']']) {
                    end = end.min(c);
                }
                let text = rest[..end].trim_end();
                if text != value {
                    return None;
                }
                text.len()
            }
            _ => return None,
        };
        Some((node.start.byte, node.start.byte + len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# c\na: 1\nconnection:\n  parameters:\n    - name: token\n      description: >\n        long\n        text\n\n    - {name: y, secret: true}\n  empty:\n  verification:   # trailing\n    endpoint: /x  # c2\n    params: {a: 1}\n  list: []\n  # end comment\nz: \"q\"\n";

    #[test]
    fn spans_and_last_lines() {
        let tree = Tree::parse(TEXT).unwrap();
        let root = tree.root.as_ref().unwrap();
        let (_, conn) = root.get("connection").unwrap();
        assert_eq!(conn.start.line, 4);
        assert_eq!(tree.last_line(conn), 15);
        let (_, params) = conn.get("parameters").unwrap();
        assert_eq!(tree.last_line(params), 10);
        let Kind::Seq(items) = &params.kind else { panic!() };
        assert_eq!(tree.last_line(&items[0]), 8);
        assert!(items[1].flow);
        let (_, empty) = conn.get("empty").unwrap();
        assert!(empty.is_null());
        let (_, ver) = conn.get("verification").unwrap();
        let (_, ep) = ver.get("endpoint").unwrap();
        let (s, e) = tree.scalar_span(ep, false).unwrap();
        assert_eq!(&TEXT[s..e], "/x");
        let (_, z) = root.get("z").unwrap();
        let (s, e) = tree.scalar_span(z, false).unwrap();
        assert_eq!(&TEXT[s..e], "\"q\"");
        let Kind::Map(p0) = &items[0].kind else { panic!() };
        assert!(tree.scalar_span(&p0[1].1, false).is_none());
    }
}
