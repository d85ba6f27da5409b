//! Command-line arguments and dispatch. Each command lives in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;
use crate::error::{Error, Result};
use crate::plan::HttpClient;

#[derive(Debug, Parser)]
#[command(
    name = "authgen",
    version,
    about = "From a connector's connector_spec.yaml to a reviewed, passing, committed auth_test.py",
    after_help = "Exit codes: 0 done; 1 what was checked is not right (stale file, failed auth test, refused overwrite); 2 bad input or usage."
)]
pub struct Cli {
    /// Connector repository root (default: nearest ancestor with pyproject.toml or .git)
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
    pub format: Format,
}

#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub selection: Selection,
    #[command(flatten)]
    pub render: RenderArgs,
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    pub source: String,
    /// Python interpreter (default: $VIRTUAL_ENV, then .venv/bin/python at the repo root, then python3)
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Stop the test (and everything it started) after this many seconds
    #[arg(long, value_name = "S", default_value_t = 60.0)]
    pub timeout: f64,
    /// Credentials file to use (sets CONNECTOR_TEST_CONFIG_PATH)
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Clone, Args)]
pub struct CommitArgs {
    pub source: String,
    /// Commit message (default: "Add <SOURCE> auth test")
    #[arg(long, short = 'm', value_name = "MSG")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Directory for the demo repo (default: a new one under the system temp dir)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Print only the final one-line summary
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Args)]
pub struct VariantsArgs {
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// One prompt per value on the terminal (or one line each from a pipe)
    Cli,
    /// A form on http://127.0.0.1:PORT/ that also runs the OAuth flows
    Browser,
}

#[derive(Debug, Clone, Args)]
pub struct CredentialsArgs {
    /// Connector source name
    #[arg(value_name = "SOURCE")]
    pub source: String,
    /// Where to enter the values
    #[arg(long, value_enum, default_value = "cli")]
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
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub timeout: u64,
    /// Replace an existing file without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// OAuth m2m: fetch a token with the client credentials before saving
    #[arg(long)]
    pub verify: bool,
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlowArg {
    #[value(name = "m2m")]
    M2m,
    #[value(name = "u2m")]
    U2m,
    #[value(name = "u2m_per_user")]
    U2mPerUser,
}

impl FlowArg {
    pub fn name(self) -> &'static str {
        match self {
            FlowArg::M2m => "m2m",
            FlowArg::U2m => "u2m",
            FlowArg::U2mPerUser => "u2m_per_user",
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct SpecArgs {
    /// Connector source name
    #[arg(value_name = "SOURCE")]
    pub source: String,
    /// Auth variant (see `authgen variants`); repeat for several auth_methods, named as METHOD=VARIANT
    #[arg(long = "auth", value_name = "[METHOD=]VARIANT", required = true)]
    pub auth: Vec<String>,
    /// A connection parameter: NAME[:secret][:optional][@METHOD][=DESCRIPTION]
    #[arg(long = "param", value_name = "NAME[:secret]")]
    pub params: Vec<String>,
    /// verification.base_url ({param} placeholders allowed)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// verification.endpoint: a cheap read-only call
    #[arg(long, value_name = "PATH")]
    pub endpoint: Option<String>,
    /// verification.method (default GET)
    #[arg(long = "http-method", value_name = "METHOD")]
    pub http_method: Option<String>,
    /// The parameter holding the secret (bearer, api_key_*)
    #[arg(long, value_name = "NAME")]
    pub credential: Option<String>,
    /// Header carrying the secret (bearer, api_key_header)
    #[arg(long, value_name = "NAME")]
    pub header: Option<String>,
    /// Text before the secret in the header, such as "Token token="
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub prefix: Option<String>,
    /// Query parameter carrying the secret (api_key_query)
    #[arg(long, value_name = "NAME")]
    pub query_param: Option<String>,
    /// Basic user name: a parameter name or a {param} pattern
    #[arg(long, value_name = "NAME|PATTERN", allow_hyphen_values = true)]
    pub username: Option<String>,
    /// Basic password: a parameter name or a {param} pattern
    #[arg(long, value_name = "NAME|PATTERN", allow_hyphen_values = true)]
    pub password: Option<String>,
    /// Extra query parameter of the check (repeatable)
    #[arg(long = "verify-param", value_name = "KEY=VALUE")]
    pub verify_params: Vec<String>,
    /// Extra header of the check (repeatable)
    #[arg(long = "verify-header", value_name = "NAME=VALUE")]
    pub verify_headers: Vec<String>,
    /// JSON field printed on success (dot path, [0] allowed)
    #[arg(long, value_name = "PATH")]
    pub show: Option<String>,
    /// oauth.token_url (OAuth variants)
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,
    /// oauth.authorization_url (oauth_refresh)
    #[arg(long, value_name = "URL")]
    pub authorization_url: Option<String>,
    /// oauth.scopes, space-separated
    #[arg(long, value_name = "SCOPES")]
    pub scopes: Option<String>,
    /// oauth.flow for oauth_refresh (oauth_client_credentials is m2m)
    #[arg(long, value_enum)]
    pub flow: Option<FlowArg>,
    /// oauth.pkce
    #[arg(long, value_name = "BOOL")]
    pub pkce: Option<bool>,
    /// oauth.extra_auth_params entry (repeatable)
    #[arg(long = "auth-param", value_name = "KEY=VALUE")]
    pub auth_params: Vec<String>,
    /// display_name of a new spec (default: from the source name)
    #[arg(long, value_name = "NAME")]
    pub display_name: Option<String>,
    /// Write without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Show the diff, write nothing
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Args)]
pub struct SetupArgs {
    pub source: String,
    /// API doc to analyze when the spec has no verification block
    #[arg(long, value_name = "PATH")]
    pub doc: Option<PathBuf>,
    /// How to collect credentials
    #[arg(long, value_enum, default_value = "cli")]
    pub mode: ModeArg,
    /// Port of the browser form (0 or a busy port takes a free one)
    #[arg(long, value_name = "N", default_value_t = 9876)]
    pub port: u16,
    /// Print the form's URL without opening a browser
    #[arg(long)]
    pub no_open: bool,
    /// Stop waiting for the browser form after this many seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub credentials_timeout: u64,
    /// Write the spec, credentials and test without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Stop after a passing run; commit nothing
    #[arg(long)]
    pub no_commit: bool,
    /// HTTP client of the generated script
    #[arg(long, value_enum)]
    pub http_client: Option<ClientArg>,
    /// Python for the run (default: $VIRTUAL_ENV, .venv, python3)
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Stop the run after this many seconds
    #[arg(long, value_name = "S", default_value_t = 60.0)]
    pub timeout: f64,
}

#[derive(Debug, Clone, Args)]
pub struct LintArgs {
    #[command(flatten)]
    pub selection: Selection,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
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
            eprintln!("{label}: {err}");
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
        Command::Completions(args) => commands::completions::exec(&args),
        Command::Man(args) => commands::man::exec(&args),
    }
}

/// Sources named, or all with `--all`; at least one.
pub fn resolve_sources(layout: &crate::layout::Layout, selection: &Selection) -> Result<Vec<String>> {
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
