//! Commit a source's generated test (with the shared runtime when it is new), and nothing else.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::git::Git;
use crate::layout::Layout;
use crate::pipeline::{self, Options, Prepared};
use crate::render::Renderer;
use crate::sync::{self, Status};

pub struct Committed {
    pub id: String,
    pub paths: Vec<PathBuf>,
}

/// Commit the source's test, the shared runtime when it is new or changed,
/// and a `.gitignore` for its credentials when needed; `None` when there is
/// nothing new to commit.
pub fn commit_source(layout: &Layout, source: &str, message: &str) -> Result<Option<Committed>> {
    commit_source_with(layout, source, message, false, &mut |note| eprintln!("{note}"))
}

/// `commit_source` for `setup`, which wrote a new spec in the same run (the
/// user confirmed it there): that spec, never committed, goes in the commit
/// with the test, and the commit says so.
pub fn commit_source_and_new_spec(layout: &Layout, source: &str, message: &str) -> Result<Option<Committed>> {
    commit_source_with(layout, source, message, true, &mut |note| eprintln!("{note}"))
}

/// `commit_source`, handing each note about the credentials' `.gitignore` to
/// `note` (the quiet demo drops them).
pub fn commit_source_with(
    layout: &Layout,
    source: &str,
    message: &str,
    new_spec_ok: bool,
    note: &mut dyn FnMut(String),
) -> Result<Option<Committed>> {
    let git = Git::new(&layout.root);
    if !git.is_repo() {
        return Err(Error::Usage(format!("{} is not a git repository", layout.root.display())));
    }
    let renderer = Renderer::new(layout.templates.as_deref())?;
    let prepared = pipeline::prepare(layout, &renderer, source, &Options::default())?;
    let rel_test = layout.rel(&prepared.paths.test).to_path_buf();
    match prepared.change.status {
        Status::Added => {
            return Err(Error::Failed(format!(
                "refused: {} does not exist: run `authgen generate {source}` first; nothing committed",
                rel_test.display()
            )));
        }
        Status::Modified => {
            return Err(Error::Failed(format!(
                "refused: {} is stale against its spec: run `authgen generate {source}` first; nothing committed",
                rel_test.display()
            )));
        }
        Status::Unchanged => {}
    }
    refuse_secrets(&prepared, &rel_test)?;
    // The test imports the runtime: a commit without it would fail in a fresh clone.
    let runtime = pipeline::runtime_change(layout, &renderer)?;
    if runtime.status != Status::Unchanged {
        let state = if runtime.status == Status::Added { "does not exist" } else { "is stale" };
        return Err(Error::Failed(format!(
            "refused: {} {state}: run `authgen generate {source}` first; nothing committed",
            runtime.rel.display()
        )));
    }

    let mut paths = vec![rel_test.clone(), runtime.rel.clone()];
    // The test is generated from the spec: committed without the spec's
    // verification block, CI's `authgen check` fails on the committed state.
    if let Some((rel_spec, new)) = spec_to_include(layout, &git, source, &prepared.paths.spec, new_spec_ok)? {
        let why = if new {
            "it is new, written in this run, and the test is generated from it"
        } else {
            "its only change is inside connection.verification, which the test is generated from"
        };
        note(format!("including {}: {why}", rel_spec.display()));
        paths.push(rel_spec);
    }
    let creds = &prepared.paths.credentials;
    let rel_creds = layout.rel(creds).to_path_buf();
    if creds.is_file() {
        if git.tracks(&rel_creds)? {
            note(format!(
                "warning: {} is tracked by git: it holds secrets; remove it with `git rm --cached {}`",
                rel_creds.display(),
                rel_creds.display()
            ));
        } else if !git.ignores(&rel_creds)? {
            let ignore = crate::credentials::add_to_gitignore(creds)?;
            let rel_ignore = layout.rel(&ignore).to_path_buf();
            note(format!("added {} so that {} is never committed", rel_ignore.display(), rel_creds.display()));
            paths.push(rel_ignore);
        } else if let Some(rel_ignore) = uncommitted_ignore(layout, &git, creds)? {
            // `authgen credentials` wrote it: without it in the commit, a
            // fresh clone would not ignore the credentials file.
            note(format!("including {}, which keeps {} out of git", rel_ignore.display(), rel_creds.display()));
            paths.push(rel_ignore);
        }
    }
    let changed: Vec<PathBuf> = paths.into_iter().filter(|p| git.differs_from_head(p).unwrap_or(true)).collect();
    if changed.is_empty() {
        return Ok(None);
    }
    if git.detached() {
        note(
            "warning: HEAD is detached: this commit will be on no branch; `git switch -c NAME` afterwards keeps it"
                .to_string(),
        );
    }
    let id = git.commit_only(&changed, message)?;
    Ok(Some(Committed { id, paths: changed }))
}

/// The spec, when it differs from HEAD only inside `connection.verification`;
/// `None` when it is committed as it is; a refusal with the command to run
/// when it is not committed at all or changes the connector's contract.
fn spec_to_include(
    layout: &Layout,
    git: &Git,
    source: &str,
    spec: &Path,
    new_spec_ok: bool,
) -> Result<Option<(PathBuf, bool)>> {
    let rel = layout.rel(spec).to_path_buf();
    if !git.differs_from_head(&rel)? {
        return Ok(None);
    }
    let shown = rel.display();
    let now = std::fs::read_to_string(spec).map_err(|e| Error::io(spec, e))?;
    let Some(committed) = git.show_head(&rel)? else {
        if new_spec_ok {
            return Ok(Some((rel, true)));
        }
        return Err(Error::Failed(format!(
            "refused: {shown} is not committed, and the test is generated from it: review it (it is the connector's contract), commit it with `git add -- {shown} && git commit -m \"Add {source} connector spec\" -- {shown}`, then run `authgen commit {source}` again; nothing committed"
        )));
    };
    if crate::ops::contract::check_unchanged(&committed, &now).is_err() {
        return Err(Error::Failed(format!(
            "refused: {shown} changes outside connection.verification (the connector's contract: parameters, auth_methods, oauth or other keys), which authgen does not commit for you: review it, commit it with `git commit -m \"Update {source} connector spec\" -- {shown}`, then run `authgen commit {source}` again; nothing committed"
        )));
    }
    Ok(Some((rel, false)))
}

/// The `.gitignore` beside the credentials file, when it names the file and
/// is not committed as it is.
fn uncommitted_ignore(layout: &Layout, git: &Git, creds: &Path) -> Result<Option<PathBuf>> {
    let ignore = creds.parent().unwrap_or(Path::new(".")).join(".gitignore");
    let name = creds.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let Some(text) = sync::read_optional(&ignore)? else { return Ok(None) };
    let names_it = text.lines().map(str::trim).any(|l| l == name || l.trim_start_matches('/') == name);
    let rel = layout.rel(&ignore).to_path_buf();
    Ok((names_it && git.differs_from_head(&rel)?).then_some(rel))
}

/// Credential values that must not appear in the test: from the credentials
/// file and `CONNECTOR_TEST_CONFIG_JSON`. Short non-secret values (such as
/// "1") would match by chance and are left out.
fn credential_values(prepared: &Prepared) -> Vec<(String, String)> {
    let secret: Vec<&str> = prepared.plan.secret_params();
    let mut values = Vec::new();
    let mut take = |text: &str| {
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) {
            for (key, value) in map {
                let value = match value {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                let min = if secret.contains(&key.as_str()) { 4 } else { 8 };
                if value.chars().count() >= min {
                    values.push((key, value));
                }
            }
        }
    };
    if let Ok(text) = std::fs::read_to_string(&prepared.paths.credentials) {
        take(&text);
    }
    if let Ok(text) = std::env::var("CONNECTOR_TEST_CONFIG_JSON") {
        take(&text);
    }
    values
}

fn refuse_secrets(prepared: &Prepared, rel_test: &Path) -> Result<()> {
    let text = std::fs::read_to_string(&prepared.paths.test).map_err(|e| Error::io(&prepared.paths.test, e))?;
    // The file may hold a value escaped or encoded, not only as typed.
    let found: Vec<String> = credential_values(prepared)
        .into_iter()
        .filter_map(|(k, v)| crate::secret_forms::find(&text, &v).map(|form| format!("{k} ({form})")))
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    Err(Error::Failed(format!(
        "refused: {} contains the value of credential(s) {}; remove it (the value is not shown); nothing committed",
        rel_test.display(),
        found.join(", ")
    )))
}
