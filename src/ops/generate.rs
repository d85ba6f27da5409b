//! Generate, check and diff a selection of sources: render, compare with
//! disk, review, write.

use std::path::Path;

use serde::Serialize;

use crate::args::{RenderArgs, ReportFormat, Selection, resolve_sources};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::pipeline::{self, Options, Prep};
use crate::plan::Overrides;
use crate::render::Renderer;
use crate::report::junit;
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
    overrides_fit(&sources, &overrides)?;
    let opts = options(&layout, render, overrides);
    let renderer = Renderer::new(opts.templates.as_deref())?;
    let preps = pipeline::prepare_many(&layout, &renderer, &sources, &opts, selection.all);
    let any_ready = preps.iter().any(|p| matches!(p, Prep::Ready(_)));
    let runtime = if any_ready { Some(pipeline::runtime_change(&layout, &renderer)?) } else { None };
    Ok(Batch { preps, runtime })
}

/// `--auth`, `--base-url` and `--endpoint` change one source's spec.
fn overrides_fit(sources: &[String], overrides: &Overrides) -> Result<()> {
    if sources.len() > 1 && (overrides.auth.is_some() || overrides.base_url.is_some() || overrides.endpoint.is_some()) {
        return Err(Error::Usage("--auth, --base-url and --endpoint apply to one source at a time".into()));
    }
    Ok(())
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

/// Render, show the diff, and write on confirmation. Named sources are all
/// or nothing: one error and nothing is written. With `--all`, every source
/// that renders is written and each one that does not is reported (exit 2).
pub fn generate(repo: Option<&Path>, args: &GenerateRequest) -> Result<i32> {
    if args.check {
        return check_with(repo, &args.selection, &args.render, args.overrides.clone(), ReportFormat::Text);
    }
    let batch = prepare(repo, &args.selection, &args.render, args.overrides.clone())?;
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
    let failed = batch.preps.iter().filter(|p| matches!(p, Prep::Failed { .. })).count();
    if problems != 0 && !args.selection.all {
        if !changes.is_empty() {
            eprintln!("nothing written: fix the errors above first");
        }
        return Ok(problems);
    }
    let code = write_changes(&changes, args)?;
    if failed > 0 {
        eprintln!(
            "{failed} source(s) not generated: fix the errors above and run `authgen generate --all` again (the others are done)"
        );
    }
    Ok(code.max(problems))
}

/// Review and write the changed files; the exit code of the decision.
fn write_changes(changes: &[&sync::Change], args: &GenerateRequest) -> Result<i32> {
    if changes.is_empty() {
        return Ok(0);
    }
    let review = sync::Review {
        yes: args.yes,
        dry_run: args.dry_run,
        can_ask: term::interactive(),
        question: format!("Write {} file(s)?", changes.len()),
    };
    let decision = sync::review_and_apply(changes, &sync::Display::Shown, &review, None)?;
    if decision != sync::Decision::Write {
        let accept = args.accept.clone().unwrap_or_else(|| accept_command(changes, args.selection.all));
        return Ok(sync::explain(decision, &format!("{} file(s) would change; ", changes.len()), &accept));
    }
    for change in changes {
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
fn accept_command(changes: &[&sync::Change], all: bool) -> String {
    let names: Vec<&str> =
        changes.iter().map(|c| c.source.as_str()).filter(|s| *s != pipeline::RUNTIME_LABEL).collect();
    if all || names.is_empty() {
        return "authgen generate --all --yes".into();
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

/// Write nothing; exit 1 when a file is missing or stale. Sources are
/// rendered and compared one window at a time and reported as they come, so
/// memory stays flat however many sources the repository holds.
pub fn check(repo: Option<&Path>, selection: &Selection, render: &RenderArgs, format: ReportFormat) -> Result<i32> {
    check_with(repo, selection, render, Overrides::default(), format)
}

fn check_with(
    repo: Option<&Path>,
    selection: &Selection,
    render: &RenderArgs,
    overrides: Overrides,
    format: ReportFormat,
) -> Result<i32> {
    let layout = Layout::discover(repo)?;
    let sources = resolve_sources(&layout, selection)?;
    overrides_fit(&sources, &overrides)?;
    let opts = options(&layout, render, overrides);
    let renderer = Renderer::new(opts.templates.as_deref())?;
    let mut report = CheckReport::new(format, selection.all);
    pipeline::for_each_prepared(&layout, &renderer, &sources, &opts, selection.all, |prep| report.add(&prep));
    if report.first_ready.is_some() {
        report.add_runtime(&pipeline::runtime_change(&layout, &renderer)?);
    }
    Ok(report.finish())
}

/// Stale or missing files shown in full (diff and name) in the text report;
/// past this, the report sums up and points at the JSON one.
const SHOWN_IN_FULL: usize = 20;

/// One source's line in the JSON report.
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

/// The check's report, written as sources come in: text and JSON go out at
/// once, JUnit (whose header holds the counts) is kept to the end.
struct CheckReport {
    format: ReportFormat,
    all: bool,
    color: bool,
    checked: usize,
    ok: usize,
    stale: usize,
    missing: usize,
    errors: usize,
    code: i32,
    /// Sources to regenerate: every name for a named selection (the command
    /// repeats them), the first [`SHOWN_IN_FULL`] for `--all`.
    to_fix: Vec<String>,
    junit: junit::Suite,
    /// A source that rendered: the runtime is checked only then, and comes with it.
    first_ready: Option<String>,
    /// The shared runtime's JSON entry, and whether it is missing or stale.
    runtime_json: Option<String>,
    runtime_to_fix: Option<String>,
}

impl CheckReport {
    fn new(format: ReportFormat, all: bool) -> CheckReport {
        if format == ReportFormat::Json {
            print!("{{\n  \"files\": [");
        }
        CheckReport {
            format,
            all,
            color: term::color_stdout(),
            checked: 0,
            ok: 0,
            stale: 0,
            missing: 0,
            errors: 0,
            code: 0,
            to_fix: Vec::new(),
            junit: junit::Suite::new("check"),
            first_ready: None,
            runtime_json: None,
            runtime_to_fix: None,
        }
    }

    fn add(&mut self, prep: &Prep) {
        self.checked += 1;
        if let (Prep::Ready(p), None) = (prep, &self.first_ready) {
            self.first_ready = Some(p.change.source.clone());
        }
        let entry = match prep {
            Prep::Ready(p) => {
                let c = &p.change;
                let status = match c.status {
                    Status::Added => "missing",
                    Status::Modified => "stale",
                    Status::Unchanged => "ok",
                };
                // The text report prints its own (coloured) diff.
                let wanted = c.status != Status::Unchanged && self.format != ReportFormat::Text;
                let diff = wanted.then(|| sync::unified_plain(c));
                CheckEntry { source: &c.source, path: Some(c.rel.display().to_string()), status, diff, message: None }
            }
            Prep::Skipped { source, reason } => {
                CheckEntry { source, path: None, status: "skipped", diff: None, message: Some(reason.clone()) }
            }
            Prep::Failed { source, error } => {
                CheckEntry { source, path: None, status: "error", diff: None, message: Some(error.to_string()) }
            }
        };
        match entry.status {
            "ok" => self.ok += 1,
            "stale" => self.stale += 1,
            "missing" => self.missing += 1,
            "error" => self.errors += 1,
            _ => {}
        }
        if matches!(entry.status, "stale" | "missing") {
            self.code = self.code.max(1);
        }
        if let Prep::Failed { error, .. } = prep {
            self.code = self.code.max(error.code());
        }
        match self.format {
            ReportFormat::Json => self.json_entry(&entry),
            ReportFormat::Junit => self.junit_case(&entry),
            ReportFormat::Text => self.text_entry(&entry, prep),
        }
    }

    /// The shared runtime every test imports: missing or stale fails the
    /// check like a test, and one `generate` of any source writes it.
    fn add_runtime(&mut self, c: &sync::Change) {
        let status = match c.status {
            Status::Added => "missing",
            Status::Modified => "stale",
            Status::Unchanged => "ok",
        };
        let rel = c.rel.display().to_string();
        let command = format!("authgen generate {} --yes", self.first_ready.as_deref().unwrap_or("--all"));
        if c.status != Status::Unchanged {
            self.code = self.code.max(1);
            self.runtime_to_fix = Some(format!("{rel} is {status}: run `{command}` locally and commit the result"));
        }
        let diff = (c.status != Status::Unchanged).then(|| sync::unified_plain(c));
        match self.format {
            ReportFormat::Json => {
                let entry = CheckEntry { source: &c.source, path: Some(rel), status, diff, message: None };
                self.runtime_json = Some(serde_json::to_string_pretty(&entry).unwrap_or_default());
            }
            ReportFormat::Junit => {
                let message = self.runtime_to_fix.clone().unwrap_or_default();
                let outcome = match &diff {
                    Some(text) => junit::Outcome::Failed { kind: status, message: &message, text },
                    None => junit::Outcome::Passed,
                };
                let case = junit::Case { name: &c.source, file: Some(&rel), time: None, outcome, output: None };
                self.junit.add(&case);
            }
            ReportFormat::Text if c.status != Status::Unchanged => {
                let label = term::paint(self.color, "1;33", status);
                println!("{label}: {rel} (the runtime every generated test imports)");
                print!("{}", sync::unified(c, self.color));
            }
            ReportFormat::Text => {}
        }
    }

    fn json_entry(&self, entry: &CheckEntry<'_>) {
        let text = serde_json::to_string_pretty(entry).unwrap_or_default();
        // Nested two levels down; the JSON strings hold no raw line breaks.
        let comma = if self.checked > 1 { "," } else { "" };
        print!("{comma}\n    {}", text.replace('\n', "\n    "));
    }

    fn junit_case(&mut self, entry: &CheckEntry<'_>) {
        let fix = format!("run `authgen generate {} --yes`", entry.source);
        let message = match entry.status {
            "missing" => format!("{} is missing: {fix}", entry.path.as_deref().unwrap_or("")),
            "stale" => format!("{} is stale against its spec: {fix}", entry.path.as_deref().unwrap_or("")),
            _ => entry.message.clone().unwrap_or_default(),
        };
        let diff = entry.diff.as_deref().unwrap_or("");
        let outcome = match entry.status {
            "missing" | "stale" => junit::Outcome::Failed { kind: entry.status, message: &message, text: diff },
            "skipped" => junit::Outcome::Skipped { message: &message },
            "error" => junit::Outcome::Error { kind: "error", message: &message, text: &message },
            _ => junit::Outcome::Passed,
        };
        let case = junit::Case { name: entry.source, file: entry.path.as_deref(), time: None, outcome, output: None };
        self.junit.add(&case);
    }

    fn text_entry(&mut self, entry: &CheckEntry<'_>, prep: &Prep) {
        let color = self.color;
        match (entry.status, prep) {
            ("missing" | "stale", Prep::Ready(p)) => {
                let fixing = self.stale + self.missing;
                if fixing <= SHOWN_IN_FULL {
                    println!(
                        "{}: {} ({})",
                        term::paint(color, "1;33", entry.status),
                        p.change.rel.display(),
                        entry.source
                    );
                    print!("{}", sync::unified(&p.change, color));
                }
                if !self.all || fixing <= SHOWN_IN_FULL {
                    self.to_fix.push(entry.source.to_string());
                }
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

    /// Close the report; the exit code.
    fn finish(self) -> i32 {
        match self.format {
            ReportFormat::Json => {
                let (ok, checked, stale, missing, errors) =
                    (self.code == 0, self.checked, self.stale, self.missing, self.errors);
                let runtime = self
                    .runtime_json
                    .as_ref()
                    .map(|entry| format!(",\n  \"runtime\": {}", entry.replace('\n', "\n  ")))
                    .unwrap_or_default();
                println!(
                    "\n  ]{runtime},\n  \"ok\": {ok},\n  \"checked\": {checked},\n  \"stale\": {stale},\n  \"missing\": {missing},\n  \"errors\": {errors}\n}}"
                );
            }
            ReportFormat::Junit => {
                // CI logs still say why the step failed when the report goes to a file.
                eprintln!(
                    "{} of {} generated test(s) missing or stale, {} spec(s) could not be checked",
                    self.stale + self.missing,
                    self.checked,
                    self.errors
                );
                print!("{}", self.junit.finish());
            }
            ReportFormat::Text => self.text_summary(),
        }
        self.code
    }

    fn text_summary(&self) {
        let fixing = self.stale + self.missing;
        if fixing == 0 && self.errors == 0 && self.runtime_to_fix.is_none() {
            eprintln!("{} generated test(s) up to date", self.ok);
            return;
        }
        if let (0, Some(fix)) = (fixing, &self.runtime_to_fix) {
            eprintln!("{fix}");
        }
        if fixing > SHOWN_IN_FULL {
            eprintln!("... and {} more missing or stale file(s), not shown", fixing - SHOWN_IN_FULL);
        }
        if fixing > 0 {
            let (names, command) = if self.all && fixing > SHOWN_IN_FULL {
                (format!(" (the first {SHOWN_IN_FULL}: {})", self.to_fix.join(", ")), "--all".to_string())
            } else {
                (String::new(), self.to_fix.join(" "))
            };
            eprintln!(
                "{fixing} of {} generated test(s) missing or stale{names}: run `authgen generate {command} --yes` locally and commit the result",
                self.checked
            );
            if self.all && fixing > SHOWN_IN_FULL {
                eprintln!("`authgen check --all --format json` lists every one");
            }
        }
        if self.errors > 0 {
            eprintln!("{} spec(s) could not be checked: fix the errors above", self.errors);
        }
    }
}
