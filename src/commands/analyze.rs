//! `authgen analyze`: read the source's API doc, report how it
//! authenticates with the lines that say so, and propose the verification
//! block (`--write` merges it into the spec, diff first).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analyze::{Analysis, Block, Finding, KeyConfidence, OauthBlock, SignedJwt, WRITE_THRESHOLD};
use clap::Args;

use crate::args::Format;
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::ops::analysis::{Proposed, analyze_source, connection_from_analysis, text_report};
use crate::ops::contract;
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
    /// With --write --yes: write even when a key's confidence is below the threshold (0.40)
    #[arg(long, requires = "write")]
    pub accept_low_confidence: bool,
}

#[derive(Serialize)]
struct Report<'a> {
    source: &'a str,
    doc: String,
    verification: Option<&'a Block>,
    /// Each proposed key's confidence and doc lines.
    keys: Vec<KeyConfidence>,
    write_threshold: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    oauth: Option<&'a OauthBlock>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signed_jwt: Option<&'a SignedJwt>,
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
            keys: analysis.key_confidences(),
            write_threshold: WRITE_THRESHOLD,
            oauth: analysis.oauth.as_ref(),
            signed_jwt: analysis.signed_jwt.as_ref(),
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
    if let Some(refusal) = low_confidence_refusal(&args.source, &analysis, args.yes, args.accept_low_confidence) {
        eprintln!("{refusal}");
        return Ok(1);
    }
    let paths = layout.source(&args.source)?;
    let old = sync::read_optional(&paths.spec)?;
    let existing = match &old {
        Some(text) => Some(ConnectorSpec::parse(&paths.spec, text.clone())?),
        None => None,
    };
    let proposed = connection_from_analysis(&args.source, &analysis, existing.as_ref());
    println!();
    for note in &proposed.notes {
        eprintln!("{}: {note}", args.source);
    }
    eprint!("{}", contract::report(&args.source, &proposed.suggestions));
    if let Some(refusal) = unmapped_refusal(&args.source, &doc_shown, &proposed) {
        eprintln!("{refusal}");
        return Ok(1);
    }
    let merged = spec_merge::merge(&paths, old.as_deref(), &proposed.connection, Mode::Fill)?;
    let accept = spec_merge::rerun_with_yes();
    spec_merge::write_spec(&layout, &paths, old.as_deref(), &merged, args.yes, false, &accept)
}

/// Placeholders that name no spec parameter block the write: a spec whose
/// check asks for a value no connection option holds cannot run.
pub fn unmapped_refusal(source: &str, doc: &str, proposed: &Proposed) -> Option<String> {
    if proposed.unmapped.is_empty() {
        return None;
    }
    let list: Vec<String> = proposed
        .unmapped
        .iter()
        .map(|(name, line)| match line {
            Some(l) => format!("{{{name}}} ({doc}:{l})"),
            None => format!("{{{name}}}"),
        })
        .collect();
    Some(format!(
        "{source}: nothing written: the proposal's placeholder(s) {} name no parameter of the spec; add the parameter with `authgen spec {source} --auth VARIANT --param NAME`, or write connection.verification by hand",
        list.join(", ")
    ))
}

/// `--yes` writes without a look: refuse when the least sure key is below
/// [`WRITE_THRESHOLD`], naming it and why, unless the user accepts it. On a
/// terminal (no `--yes`) the user sees the diff and the warning and decides.
pub fn low_confidence_refusal(source: &str, analysis: &Analysis, yes: bool, accept: bool) -> Option<String> {
    let weakest = analysis.weakest_key()?;
    if weakest.confidence >= WRITE_THRESHOLD {
        return None;
    }
    let why = if weakest.lines.is_empty() {
        "no doc line says it".to_string()
    } else {
        let lines: Vec<String> = weakest.lines.iter().map(usize::to_string).collect();
        format!("the doc says it only in passing (line {})", lines.join(", "))
    };
    let what = format!(
        "{source}: {} has confidence {:.2}, below the write threshold {WRITE_THRESHOLD:.2}: {why}",
        weakest.key, weakest.confidence
    );
    if !yes || accept {
        eprintln!("warning: {what}");
        return None;
    }
    Some(format!(
        "{what}; nothing written. Check it against the doc, then write with --accept-low-confidence, or set it with `authgen spec {source} --auth VARIANT --{} VALUE`",
        weakest.key.replace('_', "-")
    ))
}
