//! `authgen demo`: the whole flow on an embedded example, in a temporary
//! directory, against an in-process mock API. Needs only git and python3.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::error::{Error, Result};
use crate::git::Git;
use crate::layout::{Layout, SourcePaths};
use crate::mockapi::{Expect, MockApi};
use crate::ops::commit::commit_source_with;
use crate::ops::verdict::{RunOptions, execute, print_verdict};
use crate::pipeline::{self, Options};
use crate::plan::HttpClient;
use crate::render::Renderer;
use crate::runner::{self, Echo};
use crate::sync;
use crate::term;

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Directory for the demo repo, kept afterwards (default: a temporary one, removed at the end)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Print only the final one-line summary (on stdout)
    #[arg(long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print every step, the generated file's diff and the script's output
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

/// How much the demo prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Quiet,
    Summary,
    Verbose,
}

const SOURCE: &str = "demo_api";

const SPEC: &str = r#"# An example connector spec: one secret token, sent as a Bearer token.
display_name: Demo API
connection:
  parameters:
    - name: token
      type: string
      required: true
      secret: true
      description: API token from the Demo API account page.
  verification:
    base_url: {BASE_URL}
    endpoint: /user
    headers:
      Accept: application/json
    show: login
external_options_allowlist: ""
"#;

pub fn demo(args: &DemoArgs) -> Result<i32> {
    let level = match (args.quiet, args.verbose) {
        (true, _) => Level::Quiet,
        (false, true) => Level::Verbose,
        (false, false) => Level::Summary,
    };
    // Removed when the demo ends, on failure too, unless the user chose it.
    let dir = DemoDir::create(args.dir.as_deref())?;
    run_demo(&dir.path, level, dir.keep)
}

fn run_demo(dir: &Path, level: Level, keep: bool) -> Result<i32> {
    let color = term::color_stderr();
    let verbose = |text: &str| {
        if level == Level::Verbose {
            eprintln!("{text}");
        }
    };
    let summary = |text: &str| {
        if level != Level::Quiet {
            eprintln!("{text}");
        }
    };
    let step = |n: u32, text: &str| verbose(&format!("\n{} {text}", term::paint(color, "1;36", &format!("{n}."))));
    verbose(&format!("authgen demo: the whole flow on an example connector, in {}", dir.display()));

    // 1. A connector repo.
    let repo = init_repo(dir)?;
    let api = MockApi::start(Expect {
        path: "/user".into(),
        header: "Authorization".into(),
        value: format!("Bearer {}", demo_token()),
        body: r#"{"login": "demo-user", "id": 1}"#.into(),
        forbidden: None,
    })?;
    let (layout, paths) = commit_spec(dir, &repo, &api.url())?;
    step(1, &format!("A connector repo with a spec: {}", layout.rel(&paths.spec).display()));
    summary(&format!("authgen demo: connector {SOURCE} in a new repo, mock API on {}", api.url()));

    // 2. The mock API.
    step(2, &format!("A mock API on {} that answers GET /user only with Authorization: Bearer <token>", api.url()));

    // 3. Credentials.
    let creds = format!("{{\n  \"token\": \"{}\"\n}}\n", demo_token());
    sync::write_secret(&paths.credentials, creds.as_bytes())?;
    step(
        3,
        &format!(
            "Credentials written to {} (mode 0600; the token is not shown; the commit will git-ignore the file)",
            layout.rel(&paths.credentials).display()
        ),
    );

    // 4. Generate, diff first.
    let python = runner::find_python(None, dir)?;
    let client = client_for(&python.path);
    let renderer = Renderer::new(None)?;
    let opts = Options { http_client: Some(client), ..Options::default() };
    let prepared = pipeline::prepare(&layout, &renderer, SOURCE, &opts)?;
    step(4, &format!("Generate {}: the new file's diff", prepared.change.rel.display()));
    for note in prepared.plan.notes() {
        verbose(&format!("   {note}"));
    }
    if level == Level::Verbose {
        print!("{}", sync::unified(&prepared.change, term::color_stdout()));
    }
    let runtime = pipeline::runtime_change(&layout, &renderer)?;
    sync::apply(&[prepared.change.clone(), runtime.clone()])?;
    verbose(&format!("   created {} and {}", prepared.change.rel.display(), runtime.rel.display()));
    if level == Level::Summary {
        let lines = prepared.change.new.lines().count();
        eprintln!(
            "generated {} ({lines} lines, importing {}; --verbose shows its diff)",
            prepared.change.rel.display(),
            runtime.rel.display()
        );
    }

    // 5. Run: passes.  6. Run with a wrong credential: fails, explained.
    step(5, &format!("Run it with {} ({})", python.path.display(), python.origin));
    let run_opts = |env: Vec<(String, String)>| RunOptions {
        python: Some(python.path.clone()),
        config: None,
        timeout: 30.0,
        echo: if level == Level::Verbose { Echo::AllToStderr } else { Echo::Quiet },
        env,
    };
    let good = execute(&layout, SOURCE, &run_opts(Vec::new()))?;
    show_verdict(level, "the right token", &good);
    step(6, "Run it again with a wrong token (from CONNECTOR_TEST_CONFIG_JSON)");
    let wrong_env = vec![("CONNECTOR_TEST_CONFIG_JSON".into(), r#"{"token": "wrong-token-0000"}"#.into())];
    let wrong = execute(&layout, SOURCE, &run_opts(wrong_env))?;
    show_verdict(level, "a wrong token", &wrong);

    // 7. Commit only the test.
    step(7, "Commit the test and the runtime it imports (nothing else)");
    let done = commit_source_with(&layout, SOURCE, &format!("Add {SOURCE} auth test"), false, &mut |note| {
        verbose(&format!("   {note}"));
    })?;
    drop(api);
    let Some(done) = done else {
        return Err(Error::Failed("the demo's commit found nothing to commit".into()));
    };
    let list: Vec<String> = done.paths.iter().map(|p| p.display().to_string()).collect();
    summary(&format!("committed {}: {}", done.id, list.join(", ")));

    let ok = good.exit_code == 0 && wrong.exit_code == 1;
    let head = if ok { "Done:" } else { "Finished with surprises:" };
    let outcome = format!(
        "the right token passed (exit {}); the wrong one failed (exit {}: {}); commit {} holds {}",
        good.exit_code,
        wrong.exit_code,
        wrong.verdict,
        done.id,
        list.join(" and ")
    );
    let place = if keep {
        format!("the repo is {}", dir.display())
    } else {
        "the temporary repo is removed (keep one with --dir DIR)".to_string()
    };
    if level == Level::Quiet {
        println!("{head} {outcome}; {place}");
    } else {
        eprintln!("\n{} {outcome}.\n   The mock API has stopped; {place}.", term::paint(color, "1;32", head));
    }
    Ok(if ok { 0 } else { 1 })
}

/// The run's verdict: in full when verbose, one line saying which run it was otherwise.
fn show_verdict(level: Level, which: &str, verdict: &crate::ops::verdict::Verdict) {
    match level {
        Level::Verbose => print_verdict(verdict),
        Level::Summary => {
            let label = if verdict.exit_code == 0 { "passed" } else { "failed" };
            eprintln!("run with {which}: {label}: {}", verdict.verdict);
        }
        Level::Quiet => {}
    }
}

/// The demo's directory: one the user named (kept), or a new temporary one
/// (removed when this is dropped, whatever happened).
struct DemoDir {
    path: PathBuf,
    keep: bool,
}

impl DemoDir {
    fn create(requested: Option<&Path>) -> Result<DemoDir> {
        let path = make_dir(requested)?;
        Ok(DemoDir { path, keep: requested.is_some() })
    }
}

impl Drop for DemoDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// The demo repo's `pyproject.toml` and spec (pointing at the mock API at
/// `api_url`), committed.
fn commit_spec(dir: &Path, repo: &Git, api_url: &str) -> Result<(Layout, SourcePaths)> {
    let layout = Layout::at(dir.to_path_buf())?;
    let paths = layout.source(SOURCE)?;
    sync::write_atomic(
        &dir.join("pyproject.toml"),
        b"[project]\nname = \"demo-connectors\"\nversion = \"0.1.0\"\n",
        None,
    )?;
    sync::write_atomic(&paths.spec, SPEC.replace("{BASE_URL}", api_url).as_bytes(), None)?;
    repo.run(&["add", "."])?;
    repo.run(&["commit", "-q", "-m", "Add demo_api connector spec"])?;
    Ok((layout, paths))
}

/// A token that differs per run and is not a real secret.
/// A new git repository in `dir` with its own identity, so the demo's
/// commit works on a machine without one.
fn init_repo(dir: &Path) -> Result<Git> {
    let repo = Git::new(dir);
    repo.run(&["init", "-q"])?;
    repo.run(&["config", "user.name", "authgen demo"])?;
    repo.run(&["config", "user.email", "demo@example.invalid"])?;
    repo.run(&["config", "commit.gpgsign", "false"])?;
    Ok(repo)
}

/// `requests` when that Python has it, else the standard library's urllib.
fn client_for(python: &Path) -> HttpClient {
    if runner::has_module(python, "requests") {
        return HttpClient::Requests;
    }
    eprintln!("   (requests is not installed for {}: rendering the standard-library urllib client)", python.display());
    HttpClient::Urllib
}

fn demo_token() -> String {
    static TOKEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TOKEN
        .get_or_init(|| {
            let nanos =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
            format!("demo-{:08x}{:08x}", std::process::id(), nanos)
        })
        .clone()
}

fn make_dir(requested: Option<&Path>) -> Result<PathBuf> {
    let dir = match requested {
        Some(dir) => dir.to_path_buf(),
        None => {
            let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
            std::env::temp_dir().join(format!("authgen-demo-{}-{}", std::process::id(), stamp % 1_000_000_000))
        }
    };
    if dir.exists() && std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?.next().is_some() {
        return Err(Error::Usage(format!("{}: not empty; the demo needs an empty or new directory", dir.display())));
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    Ok(dir)
}
