//! `authgen run`: the generated test, run with the project's Python, and a
//! verdict that says what to do next.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::args::Format;
use crate::error::Result;
use crate::layout::Layout;
use crate::ops::verdict::{RunOptions, execute, print_verdict};
use crate::runner::Echo;

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    pub source: String,
    /// Python interpreter (default: $VIRTUAL_ENV, then .venv/bin/python at the repo root, then python3)
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Stop the test (and everything it started) after this many seconds
    #[arg(long, value_name = "S", default_value_t = 60.0)]
    pub timeout: f64,
    /// Credentials file to use (sets CONNECTOR_TEST_CONFIG_PATH)
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn run(repo: Option<&Path>, args: &RunArgs) -> Result<i32> {
    let layout = Layout::discover(repo)?;
    let opts = RunOptions {
        python: args.python.clone(),
        config: args.config.clone(),
        timeout: args.timeout,
        echo: if args.format == Format::Json { Echo::AllToStderr } else { Echo::Mirror },
        env: Vec::new(),
    };
    let report = execute(&layout, &args.source, &opts)?;
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        print_verdict(&report);
    }
    Ok(report.exit_code)
}
