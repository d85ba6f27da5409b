//! `authgen lint`: spec problems as `path:line:col: key: message`, or as a
//! JSON, JUnit or SARIF report.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::args::{LintFormat, Selection, resolve_sources};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::lint::{self, Problem};
use crate::pipeline::load_spec;
use crate::report::{junit, sarif};
use crate::term;

#[derive(Debug, Clone, Args)]
pub struct LintArgs {
    #[command(flatten)]
    pub selection: Selection,
    #[arg(long, value_enum, default_value = "text")]
    pub format: LintFormat,
}

/// Rule id of a spec that cannot be read at all.
const UNREADABLE: (&str, &str) = ("unreadable-spec", "The spec cannot be read or parsed");

/// One source's outcome: its spec (relative to the repo root) and either
/// its problems or why it could not be read.
struct Linted {
    source: String,
    spec: PathBuf,
    result: std::result::Result<Vec<Problem>, Error>,
}

pub fn lint(repo: Option<&Path>, args: &LintArgs) -> Result<i32> {
    let layout = Layout::discover(repo)?;
    let sources = resolve_sources(&layout, &args.selection)?;
    let mut linted = Vec::with_capacity(sources.len());
    for source in &sources {
        let paths = layout.source(source)?;
        // A spec that does not parse is bad input, reported like any error.
        let result = load_spec(&layout, &paths).map(|spec| lint::lint(&spec));
        linted.push(Linted { source: source.clone(), spec: layout.rel(&paths.spec).to_path_buf(), result });
    }
    let problems: Vec<&Problem> = linted.iter().filter_map(|l| l.result.as_ref().ok()).flatten().collect();
    let unreadable: Vec<&Error> = linted.iter().filter_map(|l| l.result.as_ref().err()).collect();
    match args.format {
        LintFormat::Json => {
            let errors: Vec<String> = unreadable.iter().map(ToString::to_string).collect();
            let report = serde_json::json!({"checked": sources.len(), "problems": problems, "errors": errors});
            println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
        }
        LintFormat::Junit => print!("{}", junit_report(&linted)),
        LintFormat::Sarif => {
            println!("{}", serde_json::to_string_pretty(&sarif_report(&layout, &linted)).unwrap_or_default());
        }
        LintFormat::Text => print_problems(&problems),
    }
    // CI logs still say why the step failed when the report goes to a file.
    if args.format != LintFormat::Json {
        print_summary(&problems, &unreadable, sources.len());
    }
    if let Some(e) = unreadable.first() {
        return Ok(e.code());
    }
    Ok(if problems.is_empty() { 0 } else { 1 })
}

fn print_problems(problems: &[&Problem]) {
    let color = term::color_stdout();
    for p in problems {
        let (key, message) = (term::clean(&p.key), term::clean(&p.message));
        println!("{}:{}:{}: {}: {message}", p.path, p.line, p.col, term::paint(color, "1", &key));
    }
}

fn print_summary(problems: &[&Problem], unreadable: &[&Error], checked: usize) {
    for e in unreadable {
        let label = term::paint(term::color_stderr(), "1;31", "error");
        eprintln!("{label}: {}", term::clean(&e.to_string()));
    }
    if problems.is_empty() && unreadable.is_empty() {
        eprintln!("{checked} spec(s) checked: no problems");
    } else if !problems.is_empty() {
        eprintln!("{} problem(s) in {checked} spec(s)", problems.len());
    }
}

/// One test case per spec: its problems as one failure, or the error.
fn junit_report(linted: &[Linted]) -> String {
    let mut suite = junit::Suite::new("lint");
    for l in linted {
        let file = l.spec.to_string_lossy();
        let (message, text);
        let outcome = match &l.result {
            Ok(problems) if problems.is_empty() => junit::Outcome::Passed,
            Ok(problems) => {
                message = format!("{} problem(s) in {file}", problems.len());
                text = problems.iter().map(|p| format!("{p}\n")).collect::<String>();
                junit::Outcome::Failed { kind: "lint", message: &message, text: &text }
            }
            Err(error) => {
                message = error.to_string();
                junit::Outcome::Error { kind: UNREADABLE.0, message: &message, text: &message }
            }
        };
        suite.add(&junit::Case { name: &l.source, file: Some(&file), time: None, outcome, output: None });
    }
    suite.finish()
}

/// One result per problem at its line and column; an unreadable spec is an
/// error-level result at the place the parser stopped.
fn sarif_report(layout: &Layout, linted: &[Linted]) -> serde_json::Value {
    let messages: Vec<String> =
        linted.iter().map(|l| l.result.as_ref().err().map(ToString::to_string).unwrap_or_default()).collect();
    let mut findings = Vec::new();
    for (l, message) in linted.iter().zip(&messages) {
        match &l.result {
            Ok(problems) => findings.extend(problems.iter().map(|p| sarif::Finding {
                rule: p.rule,
                level: "warning",
                message: &p.message,
                file: Some(&l.spec),
                position: Some((p.line, p.col)),
            })),
            Err(error) => {
                let (file, pos) = match error.location() {
                    Some((path, pos)) => (layout.rel(path), pos),
                    None => (l.spec.as_path(), None),
                };
                findings.push(sarif::Finding {
                    rule: UNREADABLE.0,
                    level: "error",
                    message,
                    file: Some(file),
                    position: pos.map(|p| (p.line, p.col)),
                });
            }
        }
    }
    let mut rules = lint::RULES.to_vec();
    rules.push(UNREADABLE);
    sarif::log(&layout.root, &rules, &findings)
}
