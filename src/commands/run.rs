//! `authgen run`: the generated test, run with the project's Python, and a
//! verdict that says what to do next.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;

use crate::args::ReportFormat;
use crate::error::Result;
use crate::layout::Layout;
use crate::ops::verdict::{RunOptions, Verdict, execute, print_verdict};
use crate::report::junit;
use crate::runner::Echo;
use crate::term;

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    pub source: String,
    /// Python interpreter (default: $VIRTUAL_ENV, then .venv/bin/python at the repo root, then python3)
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Stop the test (and everything it started) after this many seconds
    #[arg(long, value_name = "S", default_value_t = 60.0, value_parser = crate::args::seconds)]
    pub timeout: f64,
    /// Credentials file to use (sets CONNECTOR_TEST_CONFIG_PATH)
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
}

pub fn run(repo: Option<&Path>, args: &RunArgs) -> Result<i32> {
    let layout = Layout::discover(repo)?;
    let opts = RunOptions {
        python: args.python.clone(),
        config: args.config.clone(),
        timeout: args.timeout,
        // stdout holds the report; the script's own output goes to stderr.
        echo: if args.format == ReportFormat::Text { Echo::Mirror } else { Echo::AllToStderr },
        env: Vec::new(),
    };
    let started = Instant::now();
    let result = execute(&layout, &args.source, &opts);
    match args.format {
        ReportFormat::Json => {
            let report = result?;
            println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
            Ok(report.exit_code)
        }
        ReportFormat::Junit => {
            let seconds = started.elapsed().as_secs_f64();
            let mut suite = junit::Suite::new("run");
            let code = match &result {
                Ok(report) => {
                    let message = format!("{}; {}", report.verdict, report.next);
                    suite.add(&junit_case(report, &message, seconds));
                    print_verdict(report);
                    report.exit_code
                }
                // The test could not run (missing, bad input): a report still
                // tells CI which source and why.
                Err(error) => {
                    let message = error.to_string();
                    let outcome = junit::Outcome::Error { kind: "error", message: &message, text: &message };
                    suite.add(&junit::Case { name: &args.source, file: None, time: None, outcome, output: None });
                    eprintln!("{}: {message}", term::paint(term::color_stderr(), "1;31", "error"));
                    error.code()
                }
            };
            print!("{}", suite.finish());
            Ok(code)
        }
        ReportFormat::Text => {
            let report = result?;
            print_verdict(&report);
            Ok(report.exit_code)
        }
    }
}

/// The test case of one run: passed on exit 0, else a failure whose message
/// is the verdict and the next step; the script's output goes with it.
fn junit_case<'a>(report: &'a Verdict, message: &'a str, seconds: f64) -> junit::Case<'a> {
    let outcome = if report.exit_code == 0 {
        junit::Outcome::Passed
    } else {
        junit::Outcome::Failed { kind: failure_kind(report), message, text: message }
    };
    junit::Case {
        name: &report.source,
        file: Some(&report.test),
        time: Some(seconds),
        outcome,
        output: Some(&report.output),
    }
}

fn failure_kind(report: &Verdict) -> &'static str {
    match report.exit_code {
        _ if report.timed_out => "timeout",
        1 => "rejected",
        2 => "credentials-missing",
        3 => "unreachable",
        _ => "failed",
    }
}
