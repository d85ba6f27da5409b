//! Merge a connection into a source's spec, and write it after review.

use crate::error::{Error, Result};
use crate::layout::{Layout, SourcePaths};
use crate::plan::{AuthPlan, HttpClient, Overrides, Places};
use crate::spec::ConnectorSpec;
use crate::specwrite::{self, Connection, Merged, Mode, Outcome};
use crate::sync::{self, Status};
use crate::term;

/// Merge into the spec text, then prove the result still builds a plan.
pub fn merge(paths: &SourcePaths, old: Option<&str>, want: &Connection, mode: Mode) -> Result<Merged> {
    let merged = specwrite::merge(old, want, mode).map_err(|message| {
        Error::input(&paths.spec, message)
            .with_hint("the spec's layout is unusual here; edit the connection section by hand")
    })?;
    // The contract guard: with nothing asked for outside the verification
    // block, nothing outside it may change.
    if let Some(old) = old
        && want.params.is_empty()
        && want.methods.is_empty()
        && want.oauth.is_empty()
    {
        crate::ops::contract::check_unchanged(old, &merged.text).map_err(|message| {
            Error::input(&paths.spec, format!("{message}; nothing written"))
                .with_hint("edit connection.verification by hand")
        })?;
    }
    let spec = ConnectorSpec::parse(&paths.spec, merged.text.clone())?;
    AuthPlan::build(&spec, &paths.source, HttpClient::Requests, &Overrides::default(), Places::default()).map_err(
        |e| match e {
            Error::Input { path, pos, key, message, hint } => Error::Input {
                path,
                pos,
                key,
                message: format!("the spec would not generate: {message}; nothing written"),
                hint,
            },
            other => other,
        },
    )?;
    Ok(merged)
}

/// This command line again, with `--yes`: what to run to accept.
pub fn rerun_with_yes() -> String {
    let quote = |a: String| {
        if !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || "_./=:@%+-,".contains(c)) {
            a
        } else {
            format!("'{}'", a.replace('\'', "'\\''"))
        }
    };
    let mut words: Vec<String> = std::env::args().skip(1).map(quote).collect();
    words.retain(|w| w != "--dry-run");
    words.insert(0, "authgen".into());
    words.push("--yes".into());
    words.join(" ")
}

/// Show the diff, then write on confirmation (or `--yes`).
pub fn write_spec(
    layout: &Layout,
    paths: &SourcePaths,
    old: Option<&str>,
    merged: &Merged,
    yes: bool,
    dry_run: bool,
    accept: &str,
) -> Result<i32> {
    let rel = layout.rel(&paths.spec).to_path_buf();
    let status = match old {
        None => Status::Added,
        Some(o) if sync::normalize(o) == sync::normalize(&merged.text) => Status::Unchanged,
        Some(_) => Status::Modified,
    };
    for change in merged.kept() {
        if let Outcome::Kept { old, new } = &change.outcome {
            eprintln!("{}: kept {} = {old:?} (proposed: {new:?})", paths.source, change.path);
        }
    }
    if status == Status::Unchanged {
        eprintln!("{}: {} already holds all of this", paths.source, rel.display());
        return Ok(0);
    }
    let change = sync::Change {
        source: paths.source.clone(),
        path: paths.spec.clone(),
        rel: rel.clone(),
        old: old.map(str::to_string),
        new: merged.text.clone(),
        status,
    };
    let review =
        sync::Review { yes, dry_run, can_ask: term::interactive(), question: format!("Write {}?", rel.display()) };
    let decision = sync::review_and_apply(&[&change], &sync::Display::Diff, &review, None)?;
    if decision != sync::Decision::Write {
        return Ok(sync::explain(decision, "", accept));
    }
    let verb = if status == Status::Added { "created" } else { "updated" };
    eprintln!("{verb} {}", rel.display());
    Ok(0)
}
