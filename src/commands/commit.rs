//! `authgen commit`: the generated test (and the runtime it imports, when new), nothing else, in one commit.

use std::path::Path;

use clap::Args;

use crate::error::Result;
use crate::layout::Layout;
use crate::ops::commit::commit_source;

#[derive(Debug, Clone, Args)]
pub struct CommitArgs {
    pub source: String,
    /// Commit message (default: "Add <SOURCE> auth test")
    #[arg(long, short = 'm', value_name = "MSG")]
    pub message: Option<String>,
}

pub fn commit(repo: Option<&Path>, args: &CommitArgs) -> Result<i32> {
    let layout = Layout::discover(repo)?;
    let message = args.message.clone().unwrap_or_else(|| format!("Add {} auth test", args.source));
    match commit_source(&layout, &args.source, &message)? {
        Some(done) => {
            let list: Vec<String> = done.paths.iter().map(|p| p.display().to_string()).collect();
            println!("committed {} \"{message}\": {}", done.id, list.join(", "));
        }
        None => eprintln!("{}: the test is already committed as it is; nothing to do", args.source),
    }
    Ok(0)
}
