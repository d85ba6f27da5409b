//! Markdown into units: headings, paragraphs, list items, table rows and code
//! lines (a `curl` command continued with `\` is one unit). Every unit keeps
//! the doc line each part of its text came from, so a finding can cite it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Heading,
    Prose,
    Bullet,
    TableRow,
    Code,
}

#[derive(Debug, Clone)]
pub struct Heading {
    pub line: usize,
    pub level: usize,
    pub title: String,
    /// The nearest heading before it of a lower level: its section's parent.
    pub parent: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Unit {
    pub kind: UnitKind,
    /// The unit's text; continuation lines of prose are joined with a space.
    pub text: String,
    /// (byte offset in `text`, doc line) where each source line starts.
    marks: Vec<(usize, usize)>,
    /// Index of the enclosing block (paragraph, list, table, code block):
    /// units of one block are read together.
    pub block: usize,
    /// Index into `Doc::headings` of the nearest heading above, if any.
    pub section: Option<usize>,
    /// Info string of the enclosing fenced code block (`bash`, `json`, ...).
    pub lang: String,
    /// Table rows: the cells, trimmed, with their byte offsets in `text`.
    pub cells: Vec<(usize, String)>,
    /// Table rows: the header row of the table, lowercased.
    pub header_cells: Vec<String>,
}

impl Unit {
    /// The doc line holding byte `offset` of the text.
    pub fn line_at(&self, offset: usize) -> usize {
        let mut line = self.marks.first().map_or(0, |m| m.1);
        for &(start, l) in &self.marks {
            if start <= offset {
                line = l;
            } else {
                break;
            }
        }
        line
    }

    pub fn first_line(&self) -> usize {
        self.marks.first().map_or(0, |m| m.1)
    }

    pub fn last_line(&self) -> usize {
        self.marks.last().map_or(0, |m| m.1)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub lines: Vec<String>,
    pub units: Vec<Unit>,
    pub headings: Vec<Heading>,
}

impl Doc {
    /// The text of doc line `n` (1-based).
    pub fn line(&self, n: usize) -> &str {
        n.checked_sub(1).and_then(|i| self.lines.get(i)).map_or("", String::as_str)
    }

    /// Lowercased titles of the section of `unit` and its parents.
    pub fn section_titles(&self, unit: &Unit) -> Vec<String> {
        let mut titles = Vec::new();
        let mut index = unit.section;
        while let Some(i) = index {
            titles.push(self.headings[i].title.to_lowercase());
            index = self.headings[i].parent;
        }
        titles
    }
}

fn indent_of(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ' || *c == '\t').map(|c| if c == '\t' { 4 } else { 1 }).sum()
}

fn fence_of(line: &str) -> Option<(&str, String)> {
    let trimmed = line.trim_start();
    if indent_of(line) > 3 {
        return None;
    }
    for fence in ["```", "~~~"] {
        if let Some(rest) = trimmed.strip_prefix(fence) {
            let lang = rest.trim_start_matches(['`', '~']).trim().to_ascii_lowercase();
            return Some((fence, lang));
        }
    }
    None
}

fn heading_of(line: &str) -> Option<(usize, String)> {
    let trimmed = line.trim_start();
    if indent_of(line) > 3 {
        return None;
    }
    let level = trimmed.chars().take_while(|c| *c == '#').count();
    if (1..=6).contains(&level) && trimmed[level..].starts_with([' ', '\t']) || level >= 1 && trimmed.len() == level {
        let title = trimmed[level..].trim().trim_end_matches('#').trim();
        let title = title.replace("**", "").replace('`', "");
        return Some((level, title));
    }
    None
}

/// `- item`, `* item`, `+ item`, `1. item`, `1) item`: the byte length of the marker with its space.
fn bullet_of(line: &str) -> Option<usize> {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let first = rest.chars().next()?;
    if matches!(first, '-' | '*' | '+') && rest[1..].starts_with([' ', '\t']) {
        // `---` and `***` are rules, not bullets; `**bold**` is text.
        return Some(indent + 2);
    }
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if (1..=3).contains(&digits)
        && rest[digits..].starts_with(['.', ')'])
        && rest[digits + 1..].starts_with([' ', '\t'])
    {
        return Some(indent + digits + 2);
    }
    None
}

fn is_table_separator(line: &str) -> bool {
    let t = line.trim();
    t.contains('-')
        && t.contains('|') | t.starts_with(':') | t.starts_with('-')
        && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
        && t.matches('-').count() >= 3
}

fn is_table_row(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') || t.contains(" | ") || t.contains("| ") && t.contains('|')
}

/// The cells of a table row with their byte offsets in the row text.
fn split_cells(row: &str) -> Vec<(usize, String)> {
    let mut cells = Vec::new();
    let mut start = 0;
    let mut in_code = false;
    let bytes = row.as_bytes();
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\\' => {
                escaped = !escaped;
                continue;
            }
            b'`' if !escaped => in_code = !in_code,
            b'|' if !in_code && !escaped => {
                cells.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
        escaped = false;
    }
    cells.push((start, row.len()));
    let trimmed = row.trim();
    let skip_first = trimmed.starts_with('|');
    let skip_last = trimmed.ends_with('|') && trimmed.len() > 1;
    let n = cells.len();
    cells
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !(skip_first && *i == 0 || skip_last && *i == n - 1))
        .map(|(_, (s, e))| {
            let raw = &row[s..e];
            let lead = raw.len() - raw.trim_start().len();
            (s + lead, raw.trim().to_string())
        })
        .collect()
}

struct Builder {
    doc: Doc,
    block: usize,
    section: Option<usize>,
}

impl Builder {
    fn push(&mut self, kind: UnitKind, parts: &[(usize, &str)], lang: &str, joiner: &str) {
        let mut text = String::new();
        let mut marks = Vec::new();
        for (i, (line, part)) in parts.iter().enumerate() {
            if i > 0 {
                text.push_str(joiner);
            }
            marks.push((text.len(), *line));
            text.push_str(part);
        }
        self.doc.units.push(Unit {
            kind,
            text,
            marks,
            block: self.block,
            section: self.section,
            lang: lang.to_string(),
            cells: Vec::new(),
            header_cells: Vec::new(),
        });
    }

    fn new_block(&mut self) {
        self.block += 1;
    }
}

/// Scan a markdown document.
pub fn scan(text: &str) -> Doc {
    // LF, CRLF and a bare CR each end a line.
    let lines: Vec<String> = text.replace("\r\n", "\n").split_terminator(['\n', '\r']).map(str::to_string).collect();
    let mut b = Builder { doc: Doc { lines: lines.clone(), ..Doc::default() }, block: 0, section: None };
    let n = lines.len();
    let mut i = 0;
    // The previous block was a list: indented lines continue it rather than start code.
    let mut after_list = false;
    let mut prev_blank = true;
    while i < n {
        let line = &lines[i];
        let no = i + 1;
        if line.trim().is_empty() {
            prev_blank = true;
            i += 1;
            continue;
        }
        if let Some((fence, lang)) = fence_of(line) {
            b.new_block();
            i += 1;
            let mut code: Vec<(usize, String)> = Vec::new();
            while i < n && !lines[i].trim_start().starts_with(fence) {
                code.push((i + 1, lines[i].clone()));
                i += 1;
            }
            i += 1; // closing fence
            push_code(&mut b, &code, &lang);
            after_list = false;
            prev_blank = false;
            continue;
        }
        if let Some((level, title)) = heading_of(line) {
            b.new_block();
            // Up the previous heading's parents to one of a lower level: each
            // heading is passed over once at most, so this stays linear.
            let mut parent = b.doc.headings.len().checked_sub(1);
            while let Some(p) = parent.filter(|p| b.doc.headings[*p].level >= level) {
                parent = b.doc.headings[p].parent;
            }
            b.doc.headings.push(Heading { line: no, level, title: title.clone(), parent });
            b.section = Some(b.doc.headings.len() - 1);
            b.push(UnitKind::Heading, &[(no, title.as_str())], "", " ");
            i += 1;
            after_list = false;
            prev_blank = false;
            continue;
        }
        let indent = indent_of(line);
        if indent >= 4 && prev_blank && !after_list {
            b.new_block();
            let mut code: Vec<(usize, String)> = Vec::new();
            while i < n && (indent_of(&lines[i]) >= 4 || lines[i].trim().is_empty()) {
                code.push((i + 1, lines[i].clone()));
                i += 1;
            }
            while code.last().is_some_and(|(_, l)| l.trim().is_empty()) {
                code.pop();
            }
            push_code(&mut b, &code, "");
            prev_blank = true;
            continue;
        }
        if is_table_row(line) && i + 1 < n && is_table_separator(&lines[i + 1]) {
            i = scan_table(&mut b, &lines, i);
            after_list = false;
            prev_blank = false;
            continue;
        }
        if let Some(marker) = bullet_of(line) {
            if !after_list {
                b.new_block();
            }
            i = scan_bullet(&mut b, &lines, i, marker);
            after_list = true;
            prev_blank = false;
            continue;
        }
        i = scan_paragraph(&mut b, &lines, i, after_list);
        // Indented text right after a list continues the list item.
        after_list = after_list && indent >= 2;
        prev_blank = false;
    }
    b.doc
}

/// A table from its header row at `i`: one unit per row, each knowing the
/// header's cells. Returns the index of the first line after the table.
fn scan_table(b: &mut Builder, lines: &[String], mut i: usize) -> usize {
    let n = lines.len();
    let line = &lines[i];
    b.new_block();
    let header: Vec<String> = split_cells(line).into_iter().map(|(_, c)| c.to_lowercase()).collect();
    b.push(UnitKind::TableRow, &[(i + 1, line.as_str())], "", " ");
    if let Some(unit) = b.doc.units.last_mut() {
        unit.cells = split_cells(line);
        unit.header_cells = header.clone();
    }
    i += 2;
    while i < n && !lines[i].trim().is_empty() && is_table_row(&lines[i]) {
        let row = &lines[i];
        b.push(UnitKind::TableRow, &[(i + 1, row.as_str())], "", " ");
        if let Some(unit) = b.doc.units.last_mut() {
            unit.cells = split_cells(row);
            unit.header_cells = header.clone();
        }
        i += 1;
    }
    i
}

/// A list item at `i` (its content starts at byte `marker`) with its
/// continuation lines. Returns the index of the first line after it.
fn scan_bullet(b: &mut Builder, lines: &[String], mut i: usize, marker: usize) -> usize {
    let n = lines.len();
    let line = &lines[i];
    let content_indent = indent_of(&line[..marker.min(line.len())]);
    let mut parts: Vec<(usize, String)> = vec![(i + 1, line[marker..].trim().to_string())];
    i += 1;
    while i < n {
        let next = &lines[i];
        if next.trim().is_empty()
            || bullet_of(next).is_some()
            || heading_of(next).is_some()
            || fence_of(next).is_some()
            || indent_of(next) < content_indent.min(2) && is_table_row(next)
        {
            break;
        }
        parts.push((i + 1, next.trim().to_string()));
        i += 1;
    }
    let refs: Vec<(usize, &str)> = parts.iter().map(|(l, t)| (*l, t.as_str())).collect();
    b.push(UnitKind::Bullet, &refs, "", " ");
    i
}

/// A paragraph: consecutive lines from `i` up to a blank line or another
/// block. Returns the index of the first line after it.
fn scan_paragraph(b: &mut Builder, lines: &[String], mut i: usize, after_list: bool) -> usize {
    let n = lines.len();
    b.new_block();
    let quote = |l: &str| l.trim().trim_start_matches('>').trim().to_string();
    let mut parts: Vec<(usize, String)> = vec![(i + 1, quote(&lines[i]))];
    i += 1;
    while i < n {
        let next = &lines[i];
        if next.trim().is_empty()
            || bullet_of(next).is_some() && !after_list
            || heading_of(next).is_some()
            || fence_of(next).is_some()
            || is_table_row(next) && i + 1 < n && is_table_separator(&lines[i + 1])
        {
            break;
        }
        parts.push((i + 1, quote(next)));
        i += 1;
    }
    let refs: Vec<(usize, &str)> = parts.iter().map(|(l, t)| (*l, t.as_str())).collect();
    b.push(UnitKind::Prose, &refs, "", " ");
    i
}

/// Code lines; a command continued with a trailing `\` becomes one unit.
fn push_code(b: &mut Builder, code: &[(usize, String)], lang: &str) {
    let mut j = 0;
    while j < code.len() {
        let mut parts: Vec<(usize, &str)> = Vec::new();
        loop {
            let (no, text) = &code[j];
            let trimmed = text.trim_end();
            j += 1;
            if let Some(head) = trimmed.strip_suffix('\\') {
                parts.push((*no, head));
                if j < code.len() {
                    continue;
                }
            } else {
                parts.push((*no, trimmed));
            }
            break;
        }
        if parts.iter().all(|(_, t)| t.trim().is_empty()) {
            continue;
        }
        b.push(UnitKind::Code, &parts, lang, " ");
    }
}

/// Inline code spans of a text: (start of content, end of content, content).
pub fn inline_code(text: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let ticks = bytes[i..].iter().take_while(|b| **b == b'`').count();
            let start = i + ticks;
            let closing = "`".repeat(ticks);
            if let Some(rel) = text[start..].find(&closing) {
                let end = start + rel;
                let content = &text[start..end];
                let trimmed_start = start + (content.len() - content.trim_start().len());
                out.push((trimmed_start, trimmed_start + content.trim().len(), content.trim()));
                i = end + ticks;
                continue;
            }
            i = start;
            continue;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_keep_their_lines() {
        let doc = scan(
            "# Title\n\n## Auth\n\n- Base URL: `https://x`\n  continued\n- second\n\n| a | b |\n|---|---|\n| `X-Key` | v |\n\n```bash\ncurl -H \"A: b\" \\\n  https://x/y\n```\n\n    Authorization: Token t\n\nA paragraph\nover two lines.\n",
        );
        let kinds: Vec<(UnitKind, usize, usize)> =
            doc.units.iter().map(|u| (u.kind, u.first_line(), u.last_line())).collect();
        assert_eq!(
            kinds,
            vec![
                (UnitKind::Heading, 1, 1),
                (UnitKind::Heading, 3, 3),
                (UnitKind::Bullet, 5, 6),
                (UnitKind::Bullet, 7, 7),
                (UnitKind::TableRow, 9, 9),
                (UnitKind::TableRow, 11, 11),
                (UnitKind::Code, 14, 15),
                (UnitKind::Code, 18, 18),
                (UnitKind::Prose, 20, 21),
            ]
        );
        let bullet = &doc.units[2];
        assert_eq!(bullet.line_at(bullet.text.find("continued").unwrap()), 6);
        assert_eq!(doc.units[5].cells[0].1, "`X-Key`");
        assert_eq!(doc.units[5].header_cells, vec!["a", "b"]);
        assert_eq!(doc.section_titles(&doc.units[2]), vec!["auth", "title"]);
    }

    #[test]
    fn inline_code_spans() {
        let spans: Vec<&str> = inline_code("use `a: b` and ``c ` d`` then `e").into_iter().map(|s| s.2).collect();
        assert_eq!(spans, vec!["a: b", "c ` d"]);
    }
}
