//! `authgen completions SHELL`: generated from the clap definitions, so the
//! script always matches the real commands and flags.

use std::io::Write;
use std::path::Path;

use clap::{Args, CommandFactory, ValueEnum};

use crate::cli::Cli;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// Shell to complete in
    #[arg(value_enum)]
    pub shell: ShellArg,
}

/// Print the completion script on stdout.
pub fn exec(args: &CompletionsArgs) -> Result<i32> {
    let shell = match args.shell {
        ShellArg::Bash => clap_complete::Shell::Bash,
        ShellArg::Zsh => clap_complete::Shell::Zsh,
        ShellArg::Fish => clap_complete::Shell::Fish,
        ShellArg::Powershell => clap_complete::Shell::PowerShell,
    };
    let mut cmd = Cli::command();
    // Generated into memory: the generator panics on a write error, and a
    // closed pipe must be an error, not a panic.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "authgen", &mut script);
    write_stdout(&script)?;
    Ok(0)
}

pub(crate) fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|()| out.flush()).map_err(|e| Error::io(Path::new("<stdout>"), e))
}
