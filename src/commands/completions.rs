//! `authgen completions SHELL`: generated from the clap definitions, so the
//! script always matches the real commands and flags.

use clap::{Args, ValueEnum};

use crate::error::Result;
use crate::term::write_stdout;

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

/// Print the completion script for `cmd` (the whole command line) on stdout.
pub fn exec(args: &CompletionsArgs, mut cmd: clap::Command) -> Result<i32> {
    let shell = match args.shell {
        ShellArg::Bash => clap_complete::Shell::Bash,
        ShellArg::Zsh => clap_complete::Shell::Zsh,
        ShellArg::Fish => clap_complete::Shell::Fish,
        ShellArg::Powershell => clap_complete::Shell::PowerShell,
    };
    // Generated into memory: the generator panics on a write error, and a
    // closed pipe must be an error, not a panic.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "authgen", &mut script);
    write_stdout(&script)?;
    Ok(0)
}
