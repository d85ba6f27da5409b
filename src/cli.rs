//! Command-line arguments and dispatch. Each command lives in `commands/`.

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand};

use crate::commands;
use crate::commands::analyze::AnalyzeArgs;
use crate::commands::commit::CommitArgs;
use crate::commands::credentials::CredentialsArgs;
use crate::commands::demo::DemoArgs;
use crate::commands::generate::{CheckArgs, DiffArgs, GenerateArgs, VariantsArgs};
use crate::commands::lint::LintArgs;
use crate::commands::run::RunArgs;
use crate::commands::setup::SetupArgs;
use crate::commands::spec::SpecArgs;
use crate::error::Result;

#[derive(Debug, Parser)]
#[command(
    name = "authgen",
    version,
    about = "From a connector's connector_spec.yaml to a reviewed, passing, committed auth_test.py",
    after_help = "Exit codes: 0 done; 1 what was checked is not right (stale file, failed auth test, refused overwrite); 2 bad input or usage."
)]
pub struct Cli {
    /// Connector repository root (default: nearest ancestor with .git, or a pyproject.toml with [tool.authgen])
    #[arg(long, global = true, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render auth_test.py, show the diff, write on confirmation
    Generate(GenerateArgs),
    /// CI: write nothing; exit 1 and print the diff if any file is missing or stale
    Check(CheckArgs),
    /// Show what generate would change
    Diff(DiffArgs),
    /// List the auth variants and what each sends
    Variants(VariantsArgs),
    /// Run a generated test with the project's Python and explain the outcome
    Run(RunArgs),
    /// Commit the generated test, and only it
    Commit(CommitArgs),
    /// The whole flow on an embedded example, in a temporary directory
    Demo(DemoArgs),
    /// Collect the credentials the spec asks for into dev_config.json (terminal or browser form)
    Credentials(CredentialsArgs),
    /// Read the source's API doc: how it authenticates, with the lines that say so
    Analyze(AnalyzeArgs),
    /// Write or complete the spec's connection section (diff first)
    Spec(Box<SpecArgs>),
    /// Report spec problems as path:line:col; exit 1 when there are any
    Lint(LintArgs),
    /// All four steps: analyze, spec, credentials (waits for you), generate, run, commit
    Setup(SetupArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell)
    Completions(commands::completions::CompletionsArgs),
    /// Print the man page (roff), or write one page per command with --dir
    Man(commands::man::ManArgs),
}

/// Parse, run, print any error once, and return the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return code;
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            let label = crate::term::paint(crate::term::color_stderr(), "1;31", "error");
            // Errors quote spec and doc text.
            eprintln!("{label}: {}", crate::term::clean(&err.to_string()));
            err.code()
        }
    }
}

pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Generate(args) => commands::generate::generate(cli.repo.as_deref(), &args),
        Command::Check(args) => commands::generate::check(cli.repo.as_deref(), &args),
        Command::Diff(args) => commands::generate::diff(cli.repo.as_deref(), &args),
        Command::Variants(args) => commands::generate::variants(&args),
        Command::Run(args) => commands::run::run(cli.repo.as_deref(), &args),
        Command::Commit(args) => commands::commit::commit(cli.repo.as_deref(), &args),
        Command::Demo(args) => commands::demo::demo(&args),
        Command::Credentials(args) => commands::credentials::credentials(cli.repo.as_deref(), &args),
        Command::Analyze(args) => commands::analyze::analyze(cli.repo.as_deref(), &args),
        Command::Spec(args) => commands::spec::spec(cli.repo.as_deref(), &args),
        Command::Lint(args) => commands::lint::lint(cli.repo.as_deref(), &args),
        Command::Setup(args) => commands::setup::setup(cli.repo.as_deref(), &args),
        Command::Completions(args) => commands::completions::exec(&args, Cli::command()),
        Command::Man(args) => commands::man::exec(&args, Cli::command()),
    }
}
