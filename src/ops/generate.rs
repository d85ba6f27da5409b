//! Generate, check and diff a selection of sources: render, compare with
//! disk, review, write.

use std::path::Path;

use serde::Serialize;

use crate::args::{Format, RenderArgs, Selection, resolve_sources};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::pipeline::{self, Options, Prep};
use crate::plan::Overrides;
use crate::render::Renderer;
use crate::sync::{self, Status};
use crate::term;

fn options(layout: &Layout, render: &RenderArgs, overrides: Overrides) -> Options {
    let templates = render.templates.clone().or_else(|| layout.templates.clone());
    Options { http_client: render.http_client.map(Into::into), overrides, templates }
}

struct Batch {
    preps: Vec<Prep>,
    /// The shared runtime, when some source rendered.
    runtime: Option<sync::Change>,
}

fn prepare(repo: Option<&Path>, selection: &Selection, render: &RenderArgs, overrides: Overrides) -> Result<Batch> {
    let layout = Layout::discover(repo)?;
    let sources = resolve_sources(&layout, selection)?;
    if sources.len() > 1 && (overrides.auth.is_some() || overrides.base_url.is_some() || overrides.endpoint.is_some()) {
        return Err(Error::Usage("--auth, --base-url and --endpoint apply to one source at a time".into()));
    }
    let opts = options(&layout, render, overrides);
    let renderer = Renderer::new(opts.templates.as_deref())?;
    let preps = pipeline::prepare_many(&layout, &renderer, &sources, &opts, selection.all);
    let any_ready = preps.iter().any(|p| matches!(p, Prep::Ready(_)));
    let runtime = if any_ready { Some(pipeline::runtime_change(&layout, &renderer)?) } else { None };
    Ok(Batch { preps, runtime })
}

/// Print errors and skips; the highest exit code they call for.
fn report_problems(preps: &[Prep]) -> i32 {
    let mut code = 0;
    for prep in preps {
        match prep {
            Prep::Failed { source, error } => {
                let label = term::paint(term::color_stderr(), "1;31", "error");
                eprintln!("{label}: {source}: {error}");
                code = code.max(error.code());
            }
            Prep::Skipped { source, reason } => eprintln!("{source}: skipped: {reason}"),
            Prep::Ready(_) => {}
        }
    }
    code
}

/// What `generate` does: which sources, how to render, how to review.
pub struct GenerateRequest {
    pub selection: Selection,
    pub render: RenderArgs,
    pub overrides: Overrides,
    /// Write without asking.
    pub yes: bool,
    /// Show the diff, write nothing.
    pub dry_run: bool,
    /// Like `check`: exit 1 if any file is missing or stale.
    pub check: bool,
    /// The command that accepts the changes, when not `authgen generate … --yes`
    /// (`setup` names itself, so the user re-runs the whole chain).
    pub accept: Option<String>,
}

/// Render, show the diff, and write on confirmation.
pub fn generate(repo: Option<&Path>, args: &GenerateRequest) -> Result<i32> {
    let batch = prepare(repo, &args.selection, &args.render, args.overrides.clone())?;
    if args.check {
        return Ok(print_check(&batch, Format::Text));
    }
    for prep in &batch.preps {
        if let Prep::Ready(p) = prep {
            for note in p.plan.notes() {
                eprintln!("{note}");
            }
        }
    }
    let problems = report_problems(&batch.preps);
    let changes: Vec<&sync::Change> = ready(&batch.preps)
        .map(|p| &p.change)
        .chain(&batch.runtime)
        .filter(|c| c.status != Status::Unchanged)
        .collect();
    for prep in ready(&batch.preps) {
        if prep.change.status == Status::Unchanged {
            eprintln!("{}: {} is up to date", prep.change.source, prep.change.rel.display());
        }
    }
    sync::show(&changes, &sync::Display::Diff);
    if problems != 0 {
        if !changes.is_empty() {
            eprintln!("nothing written: fix the errors above first");
        }
        return Ok(problems);
    }
    if changes.is_empty() {
        return Ok(0);
    }
    let review = sync::Review {
        yes: args.yes,
        dry_run: args.dry_run,
        can_ask: term::interactive(),
        question: format!("Write {} file(s)?", changes.len()),
    };
    let decision = sync::review_and_apply(&changes, &sync::Display::Shown, &review, None)?;
    if decision != sync::Decision::Write {
        return Ok(sync::explain(
            decision,
            &format!("{} file(s) would change; ", changes.len()),
            &args.accept.clone().unwrap_or_else(|| accept_command(&changes, &batch)),
        ));
    }
    for change in &changes {
        let verb = if change.status == Status::Added { "created" } else { "updated" };
        eprintln!("{verb} {}", change.rel.display());
    }
    Ok(0)
}

fn ready(preps: &[Prep]) -> impl Iterator<Item = &pipeline::Prepared> {
    preps.iter().filter_map(|p| match p {
        Prep::Ready(p) => Some(p.as_ref()),
        _ => None,
    })
}

/// The command that writes these changes; the runtime comes with any source.
fn accept_command(changes: &[&sync::Change], batch: &Batch) -> String {
    let mut names: Vec<&str> =
        changes.iter().map(|c| c.source.as_str()).filter(|s| *s != pipeline::RUNTIME_LABEL).collect();
    if names.is_empty() {
        names.extend(ready(&batch.preps).map(|p| p.change.source.as_str()).take(1));
    }
    format!("authgen generate {} --yes", names.join(" "))
}

/// Print what `generate` would change.
pub fn diff(repo: Option<&Path>, selection: &Selection, render: &RenderArgs) -> Result<i32> {
    let batch = prepare(repo, selection, render, Overrides::default())?;
    let problems = report_problems(&batch.preps);
    let color = term::color_stdout();
    for prep in ready(&batch.preps) {
        if prep.change.status == Status::Unchanged {
            eprintln!("{}: no changes", prep.change.source);
        } else {
            print!("{}", sync::unified(&prep.change, color));
        }
    }
    if let Some(runtime) = batch.runtime.as_ref().filter(|c| c.status != Status::Unchanged) {
        print!("{}", sync::unified(runtime, color));
    }
    Ok(problems)
}

/// Write nothing; exit 1 when a file is missing or stale.
pub fn check(repo: Option<&Path>, selection: &Selection, render: &RenderArgs, format: Format) -> Result<i32> {
    let batch = prepare(repo, selection, render, Overrides::default())?;
    Ok(print_check(&batch, format))
}

#[derive(Serialize)]
struct CheckReport<'a> {
    ok: bool,
    checked: usize,
    stale: usize,
    missing: usize,
    errors: usize,
    files: Vec<CheckEntry<'a>>,
    /// The shared runtime the tests import; absent when no source rendered.
    #[serde(skip_serializing_if = "Option::is_none")]
    runtime: Option<CheckEntry<'a>>,
}

#[derive(Serialize)]
struct CheckEntry<'a> {
    source: &'a str,
    path: Option<String>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

fn check_entry(c: &sync::Change) -> CheckEntry<'_> {
    let status = match c.status {
        Status::Added => "missing",
        Status::Modified => "stale",
        Status::Unchanged => "ok",
    };
    let diff = (c.status != Status::Unchanged).then(|| sync::unified(c, false));
    CheckEntry { source: &c.source, path: Some(c.rel.display().to_string()), status, diff, message: None }
}

fn print_check(batch: &Batch, format: Format) -> i32 {
    let mut entries = Vec::new();
    let mut code = 0;
    for prep in &batch.preps {
        let entry = match prep {
            Prep::Ready(p) => {
                code = code.max(i32::from(p.change.status != Status::Unchanged));
                check_entry(&p.change)
            }
            Prep::Skipped { source, reason } => {
                CheckEntry { source, path: None, status: "skipped", diff: None, message: Some(reason.clone()) }
            }
            Prep::Failed { source, error } => {
                code = code.max(error.code());
                CheckEntry { source, path: None, status: "error", diff: None, message: Some(error.to_string()) }
            }
        };
        entries.push(entry);
    }
    let runtime_entry = batch.runtime.as_ref().map(check_entry);
    if runtime_entry.as_ref().is_some_and(|e| e.status != "ok") {
        code = code.max(1);
    }
    let count = |s: &str| entries.iter().filter(|e| e.status == s).count();
    let (stale, missing, errors) = (count("stale"), count("missing"), count("error"));
    if format == Format::Json {
        let report = CheckReport {
            ok: code == 0,
            checked: entries.len(),
            stale,
            missing,
            errors,
            files: entries,
            runtime: runtime_entry,
        };
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
        return code;
    }
    let color = term::color_stdout();
    let mut to_fix = Vec::new();
    for (entry, prep) in entries.iter().zip(&batch.preps) {
        match (entry.status, prep) {
            ("missing" | "stale", Prep::Ready(p)) => {
                println!("{}: {} ({})", term::paint(color, "1;33", entry.status), p.change.rel.display(), entry.source);
                print!("{}", sync::unified(&p.change, color));
                to_fix.push(entry.source);
            }
            ("error", _) => println!(
                "{}: {}: {}",
                term::paint(color, "1;31", "error"),
                entry.source,
                entry.message.as_deref().unwrap_or("")
            ),
            ("skipped", _) => eprintln!("{}: skipped: {}", entry.source, entry.message.as_deref().unwrap_or("")),
            _ => {}
        }
    }
    let runtime = batch.runtime.as_ref().filter(|c| c.status != Status::Unchanged);
    if let Some(c) = runtime {
        let status = if c.status == Status::Added { "missing" } else { "stale" };
        println!(
            "{}: {} (the runtime every generated test imports)",
            term::paint(color, "1;33", status),
            c.rel.display()
        );
        print!("{}", sync::unified(c, color));
    }
    let sources = entries.len();
    let fine = count("ok");
    if to_fix.is_empty() && errors == 0 && runtime.is_none() {
        eprintln!("{fine} generated test(s) up to date");
    } else {
        if !to_fix.is_empty() {
            eprintln!(
                "{} of {sources} generated test(s) missing or stale: run `authgen generate {} --yes` locally and commit the result",
                to_fix.len(),
                to_fix.join(" ")
            );
        } else if let Some(c) = runtime {
            let any = ready(&batch.preps).map(|p| p.change.source.as_str()).next().unwrap_or("--all");
            eprintln!(
                "{} is missing or stale: run `authgen generate {any} --yes` locally and commit the result",
                c.rel.display()
            );
        }
        if errors > 0 {
            eprintln!("{errors} spec(s) could not be checked: fix the errors above");
        }
    }
    code
}
