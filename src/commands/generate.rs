//! `generate`, `check`, `diff` and `variants`.

use std::path::Path;

use clap::Args;

use crate::args::{Format, RenderArgs, ReportFormat, Selection};
use crate::error::{Error, Result};
use crate::ops::generate::{self as ops, GenerateRequest};
use crate::plan::{Overrides, Variant};

#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub selection: Selection,
    #[command(flatten)]
    pub render: RenderArgs,
    /// Write without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Show the diff, write nothing
    #[arg(long, conflicts_with_all = ["yes", "check"])]
    pub dry_run: bool,
    /// Like `authgen check`: exit 1 if any file is missing or stale
    #[arg(long)]
    pub check: bool,
    /// Override the variant (see `authgen variants`)
    #[arg(long, value_name = "VARIANT")]
    pub auth: Option<String>,
    /// Override verification.base_url
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Override verification.endpoint
    #[arg(long, value_name = "PATH")]
    pub endpoint: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Sources to check (default: all)
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// Every source that has a spec (the default when no source is named)
    #[arg(long, conflicts_with = "sources")]
    pub all: bool,
    #[command(flatten)]
    pub render: RenderArgs,
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
}

#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub selection: Selection,
    #[command(flatten)]
    pub render: RenderArgs,
}

#[derive(Debug, Clone, Args)]
pub struct VariantsArgs {
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn generate(repo: Option<&Path>, args: &GenerateArgs) -> Result<i32> {
    // The flag's value, not the spec, is what is wrong: say so before reading any spec.
    if let Some(auth) = &args.auth
        && Variant::parse(auth.trim()).is_none()
    {
        return Err(Error::Usage(format!("--auth {auth}: {}", Variant::unknown(auth.trim()))));
    }
    let request = GenerateRequest {
        selection: args.selection.clone(),
        render: args.render.clone(),
        overrides: Overrides {
            auth: args.auth.clone(),
            base_url: args.base_url.clone(),
            endpoint: args.endpoint.clone(),
        },
        yes: args.yes,
        dry_run: args.dry_run,
        check: args.check,
        accept: None,
    };
    ops::generate(repo, &request)
}

pub fn check(repo: Option<&Path>, args: &CheckArgs) -> Result<i32> {
    let selection = Selection { sources: args.sources.clone(), all: args.all || args.sources.is_empty() };
    ops::check(repo, &selection, &args.render, args.format)
}

pub fn diff(repo: Option<&Path>, args: &DiffArgs) -> Result<i32> {
    ops::diff(repo, &args.selection, &args.render)
}

pub fn variants(args: &VariantsArgs) -> Result<i32> {
    if args.format == Format::Json {
        let list: Vec<serde_json::Value> = Variant::ALL
            .iter()
            .map(|v| {
                let common = Variant::COMMON_KEYS;
                serde_json::json!({"name": v.name(), "wire": v.wire(), "keys": v.typical_keys(), "common_keys": common})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
        return Ok(0);
    }
    for v in Variant::ALL {
        println!("{:<26} {}", v.name(), v.wire());
        println!("{:<26} keys: {}", "", v.typical_keys());
    }
    println!("{:<26} keys: {}", "every variant", Variant::COMMON_KEYS);
    Ok(0)
}
