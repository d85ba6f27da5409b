//! `credentials`: arguments to options; the work is in `crate::credentials`.

use std::path::Path;
use std::time::Duration;

use crate::cli::{CredentialsArgs, ModeArg};
use crate::credentials::{self, Mode, Options};
use crate::error::{Error, Result};

pub fn credentials(repo: Option<&Path>, args: &CredentialsArgs) -> Result<i32> {
    if args.timeout == 0 {
        return Err(Error::Usage("--timeout must be at least 1 second".into()));
    }
    let opts = Options {
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
