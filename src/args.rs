//! Argument types several commands share: the source selection, the render
//! options, output formats and value enums.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::plan::HttpClient;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClientArg {
    Requests,
    Urllib,
}

impl From<ClientArg> for HttpClient {
    fn from(c: ClientArg) -> Self {
        match c {
            ClientArg::Requests => HttpClient::Requests,
            ClientArg::Urllib => HttpClient::Urllib,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// `check` and `run`: also a JUnit XML report for CI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    // JUnit XML on stdout: one test case per source.
    Junit,
}

/// `lint`: also JUnit XML, and SARIF 2.1.0 for code scanning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    Text,
    Json,
    // JUnit XML on stdout: one test case per spec.
    Junit,
    // SARIF 2.1.0 on stdout: one result per problem, with file, line and column.
    Sarif,
}

#[derive(Debug, Clone, Args)]
pub struct Selection {
    /// Connector source names (directory names under the sources folder)
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// Every source that has a spec
    #[arg(long, conflicts_with = "sources")]
    pub all: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    /// HTTP client of the generated script (default: the existing file's, else requests)
    #[arg(long, value_enum)]
    pub http_client: Option<ClientArg>,
    /// Directory whose files replace the built-in templates of the same name
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// One prompt per value on the terminal (or one line each from a pipe)
    Cli,
    /// A form on http://127.0.0.1:PORT/ that also runs the OAuth flows
    Browser,
}

/// The longest wait a `--timeout` takes: a week. Larger numbers are typos,
/// and past about 584 billion years they no longer fit a clock.
pub const MAX_TIMEOUT_SECS: u64 = 7 * 24 * 3600;

/// A `--timeout` in seconds, fractions allowed: above 0, at most a week.
pub fn seconds(text: &str) -> Result<f64, String> {
    let value: f64 = text.trim().parse().map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if value.is_finite() && value > 0.0 && value <= MAX_TIMEOUT_SECS as f64 {
        Ok(value)
    } else {
        Err(format!("give a number of seconds above 0 and at most {MAX_TIMEOUT_SECS} (a week)"))
    }
}

/// A `--timeout` in whole seconds: 1 to a week.
pub fn whole_seconds(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(value) if (1..=MAX_TIMEOUT_SECS).contains(&value) => Ok(value),
        _ => Err(format!("give a whole number of seconds from 1 to {MAX_TIMEOUT_SECS} (a week)")),
    }
}

/// Sources named, or all with `--all`; at least one.
pub fn resolve_sources(layout: &Layout, selection: &Selection) -> Result<Vec<String>> {
    if selection.all {
        let all = layout.all_sources()?;
        if all.is_empty() {
            return Err(Error::Usage(format!("--all: no connector specs under {}", layout.root.display())));
        }
        return Ok(all);
    }
    if selection.sources.is_empty() {
        return Err(Error::Usage("name at least one SOURCE, or use --all".into()));
    }
    Ok(selection.sources.clone())
}
