//! `credentials`: arguments to options; the work is in `crate::credentials`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use crate::args::ModeArg;
use crate::credentials::{self, Mode, Options};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Args)]
pub struct CredentialsArgs {
    /// Connector source name
    #[arg(value_name = "SOURCE")]
    pub source: String,
    /// Where to enter the values
    #[arg(long, short = 'm', value_enum, default_value = "cli")]
    pub mode: ModeArg,
    /// Port of the browser form; 0, or a busy port, takes a free one
    #[arg(long, value_name = "N", default_value_t = 9876)]
    pub port: u16,
    /// Where to write (default: the source's dev_config.json)
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Print the form's URL without opening a browser
    #[arg(long)]
    pub no_open: bool,
    /// Stop the browser form after this long without a save, writing nothing
    #[arg(long, value_name = "SECONDS", default_value_t = 600, value_parser = crate::args::whole_seconds)]
    pub timeout: u64,
    /// Replace an existing file without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// OAuth m2m: fetch a token with the client credentials before saving
    #[arg(long)]
    pub verify: bool,
    /// Read a value from a file, unchanged (a PEM or service-account key): NAME=PATH, repeatable
    #[arg(long = "from-file", value_name = "NAME=PATH")]
    pub from_file: Vec<String>,
}

pub fn credentials(repo: Option<&Path>, args: &CredentialsArgs) -> Result<i32> {
    if args.timeout == 0 {
        return Err(Error::Usage("--timeout must be at least 1 second".into()));
    }
    let mut from_file = Vec::new();
    for pair in &args.from_file {
        let Some((name, path)) = pair.split_once('=').filter(|(n, p)| !n.is_empty() && !p.is_empty()) else {
            return Err(Error::Usage(format!("--from-file {pair:?}: give NAME=PATH")));
        };
        from_file.push((name.to_string(), PathBuf::from(path)));
    }
    if args.mode == ModeArg::Browser && !from_file.is_empty() {
        return Err(Error::Usage("--from-file is for --mode cli; the browser form takes a file itself".into()));
    }
    let opts = Options {
        from_file,
        mode: match args.mode {
            ModeArg::Cli => Mode::Cli,
            ModeArg::Browser => Mode::Browser,
        },
        port: args.port,
        open: !args.no_open,
        timeout: Duration::from_secs(args.timeout),
        output: args.output.clone(),
        yes: args.yes,
        verify: args.verify,
    };
    credentials::run(repo, &args.source, &opts)
}
