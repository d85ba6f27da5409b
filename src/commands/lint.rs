//! `authgen lint`: spec problems as `path:line:col: key: message`.

use std::path::Path;

use clap::Args;

use crate::args::{Format, Selection, resolve_sources};
use crate::error::Result;
use crate::layout::Layout;
use crate::lint::{self, Problem};
use crate::pipeline::load_spec;
use crate::term;

#[derive(Debug, Clone, Args)]
pub struct LintArgs {
    #[command(flatten)]
    pub selection: Selection,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn lint(repo: Option<&Path>, args: &LintArgs) -> Result<i32> {
    let layout = Layout::discover(repo)?;
    let sources = resolve_sources(&layout, &args.selection)?;
    let mut problems: Vec<Problem> = Vec::new();
    let mut unreadable = Vec::new();
    for source in &sources {
        let paths = layout.source(source)?;
        match load_spec(&layout, &paths) {
            Ok(spec) => problems.extend(lint::lint(&spec)),
            // A spec that does not parse is bad input, reported like any error.
            Err(error) => unreadable.push(error),
        }
    }
    if args.format == Format::Json {
        let errors: Vec<String> = unreadable.iter().map(ToString::to_string).collect();
        let report = serde_json::json!({"checked": sources.len(), "problems": problems, "errors": errors});
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        let color = term::color_stdout();
        for p in &problems {
            println!("{}:{}:{}: {}: {}", p.path, p.line, p.col, term::paint(color, "1", &p.key), p.message);
        }
        for e in &unreadable {
            let label = term::paint(term::color_stderr(), "1;31", "error");
            eprintln!("{label}: {e}");
        }
        if problems.is_empty() && unreadable.is_empty() {
            eprintln!("{} spec(s) checked: no problems", sources.len());
        } else if !problems.is_empty() {
            eprintln!("{} problem(s) in {} spec(s)", problems.len(), sources.len());
        }
    }
    if let Some(e) = unreadable.first() {
        return Ok(e.code());
    }
    Ok(if problems.is_empty() { 0 } else { 1 })
}
