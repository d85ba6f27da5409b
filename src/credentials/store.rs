//! The credentials file: what saving changes (masked), and the write itself
//! (git ignores the file first; atomic, mode 0600).

use std::path::{Path, PathBuf};

use super::needs::{Session, Values};
use crate::error::Result;
use crate::git::Git;
use crate::sync;
use crate::term;

/// What saving `values` would change in the existing file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyChange {
    Added(String),
    Changed(String),
    Removed(String),
}

impl KeyChange {
    /// One line, the value masked.
    pub fn line(&self) -> String {
        match self {
            KeyChange::Added(k) => format!("+ {k} = ***"),
            KeyChange::Changed(k) => format!("~ {k} = *** (changed)"),
            KeyChange::Removed(k) => format!("- {k}"),
        }
    }
}

/// The file on disk now.
#[derive(Debug)]
pub enum Existing {
    Absent,
    Values(serde_json::Map<String, serde_json::Value>),
    /// Not a JSON object: replaced whole.
    Unreadable,
}

pub fn read_existing(path: &Path) -> Result<Existing> {
    Ok(match sync::read_optional(path)? {
        None => Existing::Absent,
        Some(text) => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(map)) => Existing::Values(map),
            _ => Existing::Unreadable,
        },
    })
}

/// Key by key, what `values` changes in `existing`; empty when nothing does.
pub fn changes(existing: &Existing, values: &Values) -> Vec<KeyChange> {
    let old = match existing {
        Existing::Absent => return values.keys().map(|k| KeyChange::Added(k.clone())).collect(),
        Existing::Unreadable => {
            let mut all: Vec<KeyChange> = values.keys().map(|k| KeyChange::Added(k.clone())).collect();
            if all.is_empty() {
                all.push(KeyChange::Removed("(unreadable content)".into()));
            }
            return all;
        }
        Existing::Values(map) => map,
    };
    let mut out = Vec::new();
    for (k, v) in values {
        match old.get(k) {
            None => out.push(KeyChange::Added(k.clone())),
            Some(serde_json::Value::String(s)) if s == v => {}
            Some(_) => out.push(KeyChange::Changed(k.clone())),
        }
    }
    for k in old.keys().filter(|k| !values.contains_key(*k)) {
        out.push(KeyChange::Removed(k.clone()));
    }
    out
}

/// The file's text: the values only, as a JSON object of strings.
pub fn file_text(values: &Values) -> String {
    let map: serde_json::Map<String, serde_json::Value> =
        values.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
    let mut text = serde_json::to_string_pretty(&serde_json::Value::Object(map)).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

/// Write the credentials file: first make sure git ignores it, then write
/// it atomically with mode 0600. Returns status lines to print.
pub fn write(session: &Session, values: &Values) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    let dir = session.path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    sync::create_private_dirs(dir)?;
    if let Some(note) = ensure_ignored(&session.path)? {
        notes.push(note);
    }
    sync::write_secret(&session.path, file_text(values).as_bytes())?;
    notes.push(format!(
        "{}: wrote {} ({} value{}, mode 0600)",
        session.source,
        session.shown,
        values.len(),
        if values.len() == 1 { "" } else { "s" }
    ));
    Ok(notes)
}

/// When git would track `path`, add it to a `.gitignore` beside it.
/// Outside a git work tree (or without git) there is nothing to do.
fn ensure_ignored(path: &Path) -> Result<Option<String>> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return Ok(None) };
    let repo = Git::new(if dir.as_os_str().is_empty() { Path::new(".") } else { dir });
    let git = |args: &[&str]| repo.status(&[args, &[name]].concat());
    // --no-index: the ignore rules, whether or not the file is tracked.
    let note = match git(&["check-ignore", "-q", "--no-index", "--"]) {
        Some(1) => {
            let ignore = add_to_gitignore(path)?;
            Some(format!("added /{name} to {} so git never tracks it", crate::error::shown(&ignore).display()))
        }
        _ => None,
    };
    if git(&["ls-files", "--error-unmatch", "--"]) == Some(0) {
        let warn = term::paint(term::color_stderr(), "1;33", "warning");
        eprintln!(
            "{warn}: {} is tracked by git; stop tracking it with `git rm --cached {}`",
            path.display(),
            path.display()
        );
    }
    Ok(note)
}

/// Add `path`'s file name to the `.gitignore` beside it, unless a line there
/// already names it; returns the `.gitignore`'s path. (Used by `commit` too.)
pub fn add_to_gitignore(path: &Path) -> Result<PathBuf> {
    let ignore = path.parent().unwrap_or(Path::new(".")).join(".gitignore");
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let pattern = gitignore_escape(&name);
    let mut text = sync::read_optional(&ignore)?.unwrap_or_default();
    if text.lines().map(str::trim).any(|l| l == pattern || l.strip_prefix('/') == Some(pattern.as_str())) {
        return Ok(ignore);
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if text.is_empty() {
        text.push_str("# Credentials collected by `authgen credentials`: never commit them.\n");
    }
    text.push_str(&format!("/{pattern}\n"));
    sync::write_atomic(&ignore, text.as_bytes(), None)?;
    Ok(ignore)
}

/// A file name as a literal .gitignore pattern.
fn gitignore_escape(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '*' | '?' | '[' | '\\' | '!' | '#') || (c == ' ' && out.is_empty()) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
