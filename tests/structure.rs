//! The crate's shape: the file-level import graph has no cycle, and no
//! function in `src/` runs over 120 lines.
//!
//! Both are read from the source text (rustfmt's layout is assumed), so the
//! rules hold for code written after these tests.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const MAX_FN_LINES: usize = 120;

/// Cycles whose files belong to work in flight on other branches, allowed until it lands
/// (each fails the test once it is gone, so the entry is removed): `analyze/` is being split
/// by concern, and `plan/python.rs` (the render context) has yet to import the plan's types
/// from `plan/model.rs` instead of `plan/mod.rs` — a one-line change there.
const PENDING_CYCLES: &[&[&str]] = &[];

/// Folders whose long functions are being split on another branch: reported, allowed until
/// none is left (then the test fails so the entry is removed).
const PENDING_FN_FOLDERS: &[&str] = &[];

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, as paths relative to `src/` with `/`.
fn source_files() -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        let mut entries: Vec<_> =
            fs::read_dir(dir).expect("read src dir").map(|e| e.expect("dir entry").path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).expect("under src").to_string_lossy().replace('\\', "/");
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(&src_dir(), &src_dir(), &mut out);
    out
}

/// The module path a file defines: `plan/mod.rs` → `["plan"]`, `plan/infer.rs` → `["plan", "infer"]`.
fn module_of(file: &str) -> Vec<String> {
    let stem = file.strip_suffix(".rs").expect(".rs file");
    let mut parts: Vec<String> = stem.split('/').map(str::to_string).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The file of the deepest module that exists along `path` (item names past it are dropped).
fn file_of(path: &[String], files: &BTreeSet<String>) -> Option<String> {
    for len in (1..=path.len()).rev() {
        let joined = path[..len].join("/");
        for candidate in [format!("{joined}.rs"), format!("{joined}/mod.rs")] {
            if files.contains(&candidate) {
                return Some(candidate);
            }
        }
    }
    files.contains("lib.rs").then(|| "lib.rs".to_string())
}

/// The file's text without comments and without its trailing `#[cfg(test)]` module, whose
/// `super::` means the file itself. Inside an inline `mod x { .. }`, `super::` also means
/// the file itself, so it is read as `self::`.
fn code_of(text: &str) -> String {
    let body = match text.find("#[cfg(test)]\nmod ") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut out = Vec::new();
    let mut inline_end: Option<String> = None;
    for line in body.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        if inline_end.is_none() && trimmed.trim_start_matches("pub ").starts_with("mod ") && trimmed.ends_with('{') {
            inline_end = Some(format!("{}}}", &line[..line.len() - trimmed.len()]));
        } else if inline_end.as_deref() == Some(line) {
            inline_end = None;
        }
        out.push(if inline_end.is_some() { line.replace("super::", "self::") } else { line.to_string() });
    }
    out.join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Paths after `at` in `code`: `a::b::C`, or each member of a `{a::b, c}` group (first
/// level), each with the name it binds (`x as y` binds `y`; `{self}` binds the prefix).
fn paths_after(code: &str, at: usize) -> Vec<(Vec<String>, Option<String>)> {
    let rest = &code[at..];
    let Some(group) = rest.strip_prefix('{') else { return vec![simple_path(rest)] };
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                out.push(simple_path(group[start..i].trim()));
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(simple_path(group[start..i].trim()));
                start = i + 1;
            }
            _ => {}
        }
    }
    out
}

fn simple_path(text: &str) -> (Vec<String>, Option<String>) {
    let mut segs = Vec::new();
    let mut rest = text;
    loop {
        let len = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
        if len == 0 {
            break;
        }
        segs.push(rest[..len].to_string());
        match rest[len..].strip_prefix("::") {
            Some(next) => rest = next,
            None => {
                rest = &rest[len..];
                break;
            }
        }
    }
    if segs == ["self"] {
        return (Vec::new(), None); // `{self, ..}`: the prefix itself
    }
    let alias = match rest.trim_start().strip_prefix("as ") {
        Some(a) => Some(a.trim_start().chars().take_while(|c| is_ident(*c)).collect()),
        None => segs.last().cloned(),
    };
    (segs, alias)
}

/// File-level edges from `crate::`, `super::` and `self::` paths, from paths through a name
/// such a `use` bound (`use crate::commands; commands::run::x`), and in a module root from
/// paths through its own child modules (`server::serve`). `pub mod` declarations alone are
/// not edges.
fn import_graph() -> (BTreeSet<String>, BTreeMap<String, BTreeSet<String>>) {
    let files: BTreeSet<String> = source_files().into_iter().filter(|f| f != "main.rs").collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let text = fs::read_to_string(src_dir().join(file)).expect("read source file");
        let code = code_of(&text);
        let module = module_of(file);
        let mut bound: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if file.ends_with("mod.rs") || file == "lib.rs" {
            for child in code.lines().filter_map(|l| l.trim().trim_start_matches("pub ").strip_prefix("mod ")) {
                let child = child.trim_end_matches(';').trim().to_string();
                let mut path = module.clone();
                path.push(child.clone());
                bound.insert(child, path);
            }
        }
        let mut targets = BTreeSet::new();
        // Two passes: a `use` binding a module name may come after its first use in the text.
        for pass in 0..2 {
            for (pos, _) in code.match_indices("::") {
                let start = code[..pos].rfind(|c: char| !is_ident(c)).map_or(0, |i| i + 1);
                if start > 0 && code[..start].ends_with("::") {
                    continue; // the middle of a longer path
                }
                let base: Vec<String> = match &code[start..pos] {
                    "crate" => Vec::new(),
                    "super" => module[..module.len().saturating_sub(1)].to_vec(),
                    "self" => module.clone(),
                    name => match bound.get(name) {
                        Some(path) if pass == 1 => path.clone(),
                        _ => continue,
                    },
                };
                for (tail, alias) in paths_after(&code, pos + 2) {
                    let mut path = base.clone();
                    let binds_prefix = tail.is_empty();
                    path.extend(tail);
                    let Some(target) = file_of(&path, &files) else { continue };
                    targets.insert(target.clone());
                    let name = if binds_prefix { path.last().cloned() } else { alias };
                    let is_module = module_of(&target) == path;
                    if let (Some(name), true, 0) = (name, is_module, pass) {
                        bound.insert(name, path);
                    }
                }
            }
        }
        targets.remove(file);
        graph.insert(file.clone(), targets);
    }
    (files, graph)
}

/// Strongly connected components with more than one file (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

#[test]
fn import_graph_between_files_is_acyclic() {
    let (files, graph) = import_graph();
    let edges: usize = graph.values().map(BTreeSet::len).sum();
    println!("import graph: {} files, {edges} edges", files.len());
    for (file, targets) in &graph {
        println!("  {file} -> {}", targets.iter().cloned().collect::<Vec<_>>().join(", "));
    }
    let found = cycles(&graph);
    println!("cycles (strongly connected groups of files): {}", found.len());
    for group in &found {
        println!("  cycle among: {}", group.join(", "));
    }
    let pending = |g: &Vec<String>| PENDING_CYCLES.iter().any(|p| p.iter().copied().eq(g.iter().map(String::as_str)));
    let new: Vec<_> = found.iter().filter(|g| !pending(g)).collect();
    assert!(new.is_empty(), "the file-level import graph has cycles: {new:#?}");
    for p in PENDING_CYCLES {
        let still = found.iter().any(|g| p.iter().copied().eq(g.iter().map(String::as_str)));
        assert!(still, "the cycle among {p:?} is gone: remove it from PENDING_CYCLES");
    }
}

#[test]
fn the_graph_reader_finds_a_cycle() {
    let graph: BTreeMap<String, BTreeSet<String>> =
        [("a.rs", vec!["b/mod.rs"]), ("b/mod.rs", vec!["b/c.rs"]), ("b/c.rs", vec!["a.rs"]), ("d.rs", vec!["a.rs"])]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
            .collect();
    assert_eq!(cycles(&graph), vec![vec!["a.rs".to_string(), "b/c.rs".into(), "b/mod.rs".into()]]);
    let files: BTreeSet<String> = ["lib.rs", "b/mod.rs", "b/c.rs"].into_iter().map(str::to_string).collect();
    let path: Vec<String> = ["b", "c", "Item"].into_iter().map(str::to_string).collect();
    assert_eq!(file_of(&path, &files).as_deref(), Some("b/c.rs"));
    let found = paths_after("{self, x::Y as Z}", 0);
    assert_eq!(found, vec![(Vec::new(), None), (vec!["x".to_string(), "Y".into()], Some("Z".into()))]);
}

/// `(file, fn name, first line, length in lines)` of every function with a body.
fn functions() -> Vec<(String, String, usize, usize)> {
    let mut out = Vec::new();
    for file in source_files() {
        let text = fs::read_to_string(src_dir().join(&file)).expect("read source file");
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let Some(at) = trimmed.find("fn ") else { continue };
            let prefix = &trimmed[..at];
            let is_decl = prefix.split_whitespace().all(|w| {
                matches!(w, "pub" | "pub(crate)" | "pub(super)" | "async" | "const" | "unsafe" | "extern" | "\"C\"")
            });
            if !is_decl || trimmed.starts_with("//") {
                continue;
            }
            let name: String = trimmed[at + 3..].chars().take_while(|c| is_ident(*c)).collect();
            let indent = &line[..line.len() - trimmed.len()];
            let close = format!("{indent}}}");
            // A one-line function or a bodiless declaration.
            if trimmed.ends_with('}') || trimmed.ends_with(';') {
                continue;
            }
            let end = lines[i + 1..].iter().position(|l| *l == close || l.starts_with(&format!("{close} ")));
            if let Some(end) = end {
                out.push((file.clone(), name, i + 1, end + 2));
            }
        }
    }
    out
}

#[test]
fn no_function_in_src_runs_over_120_lines() {
    let all = functions();
    assert!(all.len() > 100, "the scanner found only {} functions", all.len());
    let long: Vec<_> = all.iter().filter(|f| f.3 > MAX_FN_LINES).collect();
    for (file, name, line, len) in &long {
        println!("src/{file}:{line}: fn {name} is {len} lines");
    }
    let pending = |file: &str| PENDING_FN_FOLDERS.iter().any(|d| file.starts_with(d));
    let new: Vec<_> = long.iter().filter(|f| !pending(&f.0)).collect();
    assert!(new.is_empty(), "functions over {MAX_FN_LINES} lines: {new:#?}");
    for folder in PENDING_FN_FOLDERS {
        let still = long.iter().any(|f| f.0.starts_with(folder));
        assert!(
            still,
            "no function over {MAX_FN_LINES} lines is left in src/{folder}: remove it from PENDING_FN_FOLDERS"
        );
    }
}
