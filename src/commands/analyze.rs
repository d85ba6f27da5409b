//! `authgen analyze`: read the source's API doc, report how it
//! authenticates with the lines that say so, and propose the verification
//! block (`--write` merges it into the spec, diff first).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analyze::{Block, Finding, OauthBlock};
use clap::Args;

use crate::args::Format;
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::ops::analysis::{analyze_source, connection_from_analysis, text_report};
use crate::ops::spec_merge;
use crate::spec::ConnectorSpec;
use crate::specwrite::Mode;
use crate::sync;
use crate::term;

#[derive(Debug, Clone, Args)]
pub struct AnalyzeArgs {
    /// Connector source name
    #[arg(value_name = "SOURCE")]
    pub source: String,
    /// The API doc to read (default: the source's `{source}_api_doc.md`)
    #[arg(long, value_name = "PATH")]
    pub doc: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Merge the proposed block into the spec (diff first)
    #[arg(long)]
    pub write: bool,
    /// With --write: write without asking
    #[arg(long, short = 'y', requires = "write")]
    pub yes: bool,
}

#[derive(Serialize)]
struct Report<'a> {
    source: &'a str,
    doc: String,
    verification: Option<&'a Block>,
    #[serde(skip_serializing_if = "Option::is_none")]
    oauth: Option<&'a OauthBlock>,
    findings: &'a [Finding],
}

pub fn analyze(repo: Option<&Path>, args: &AnalyzeArgs) -> Result<i32> {
    if args.write && args.format == Format::Json {
        return Err(Error::Usage("--write shows a diff: use it without --format json".into()));
    }
    let layout = Layout::discover(repo)?;
    let (analysis, doc_path) = analyze_source(&layout, &args.source, args.doc.as_deref())?;
    let doc_shown = crate::error::shown(&doc_path).display().to_string();
    if args.format == Format::Json {
        let report = Report {
            source: &args.source,
            doc: doc_shown.clone(),
            verification: analysis.block.as_ref(),
            oauth: analysis.oauth.as_ref(),
            findings: &analysis.findings,
        };
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        print!("{}", text_report(&args.source, &doc_shown, &analysis, term::color_stdout()));
    }
    let Some(block) = &analysis.block else {
        eprintln!(
            "{}: the doc shows no way to authenticate (no auth header, query key, Basic credentials or OAuth token URL); nothing to propose",
            args.source
        );
        return Ok(1);
    };
    if !args.write {
        return Ok(0);
    }
    if block.endpoint.is_none() {
        eprintln!(
            "{}: nothing written: the doc names no call to verify with; add one with `authgen spec {} --auth {} --endpoint PATH`",
            args.source,
            args.source,
            block.auth.map_or("VARIANT", |v| v.name())
        );
        return Ok(1);
    }
    let paths = layout.source(&args.source)?;
    let old = sync::read_optional(&paths.spec)?;
    let existing = match &old {
        Some(text) => Some(ConnectorSpec::parse(&paths.spec, text.clone())?),
        None => None,
    };
    let (want, notes) = connection_from_analysis(&args.source, &analysis, existing.as_ref());
    let merged = spec_merge::merge(&paths, old.as_deref(), &want, Mode::Fill)?;
    println!();
    for note in notes {
        eprintln!("{}: {note}", args.source);
    }
    let accept = spec_merge::rerun_with_yes();
    spec_merge::write_spec(&layout, &paths, old.as_deref(), &merged, args.yes, false, &accept)
}
