//! `authgen setup`: the four steps in a row, each skipped when already done.
//! analyze (when the spec has no verification block) → spec (when there is
//! no spec) → credentials (waits for the user) → generate → run → commit
//! (only when the run passed). A failed step stops the chain with what to do.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use crate::args::{ClientArg, ModeArg, RenderArgs, Selection};
use crate::credentials;
use crate::error::{Error, Result};
use crate::layout::{Layout, SourcePaths};
use crate::ops::analysis::{analyze_source, connection_from_analysis};
use crate::ops::commit::{commit_source, commit_source_and_new_spec};
use crate::ops::generate::{self as generate, GenerateRequest};
use crate::ops::spec_merge;
use crate::ops::verdict::{RunOptions, execute, print_verdict};
use crate::pipeline::{self, Options};
use crate::plan::AuthPlan;
use crate::plan::Overrides;
use crate::render::Renderer;
use crate::runner::Echo;
use crate::spec::ConnectorSpec;
use crate::specwrite::Mode;
use crate::sync::{self, Status};
use crate::term;

#[derive(Debug, Clone, Args)]
pub struct SetupArgs {
    pub source: String,
    /// API doc to analyze when the spec has no verification block
    #[arg(long, value_name = "PATH")]
    pub doc: Option<PathBuf>,
    /// How to collect credentials
    #[arg(long, short = 'm', value_enum, default_value = "cli")]
    pub mode: ModeArg,
    /// Port of the browser form (0 or a busy port takes a free one)
    #[arg(long, value_name = "N", default_value_t = 9876)]
    pub port: u16,
    /// Print the form's URL without opening a browser
    #[arg(long)]
    pub no_open: bool,
    /// Stop waiting for the browser form after this many seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 600, value_parser = crate::args::whole_seconds)]
    pub credentials_timeout: u64,
    /// Write the spec, credentials and test without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// With --yes: write a proposed verification block even when a key's confidence is below 0.40
    #[arg(long)]
    pub accept_low_confidence: bool,
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
    #[arg(long, value_name = "S", default_value_t = 60.0, value_parser = crate::args::seconds)]
    pub timeout: f64,
}

const STEPS: usize = 5;

struct Steps {
    color: bool,
    n: usize,
}

impl Steps {
    fn start(&mut self, name: &str, what: &str) {
        self.n += 1;
        let head = term::paint(self.color, "1;36", &format!("[{}/{STEPS}] {name}", self.n));
        eprintln!("\n{head}: {what}");
    }
    fn skip(&mut self, name: &str, why: &str) {
        self.n += 1;
        let head = term::paint(self.color, "1;36", &format!("[{}/{STEPS}] {name}", self.n));
        eprintln!("\n{head}: skipped: {why}");
    }
}

/// Stop the chain: what failed and what to do next, with the step's code.
fn stop(code: i32, source: &str, what: &str) -> Result<i32> {
    let label = term::paint(term::color_stderr(), "1;31", "setup stopped");
    eprintln!("\n{label}: {what}\n  then run `authgen setup {source}` again: finished steps are skipped");
    Ok(code)
}

pub fn setup(repo: Option<&Path>, args: &SetupArgs) -> Result<i32> {
    let layout = Layout::discover(repo)?;
    let source = args.source.as_str();
    let paths = layout.source(source)?;
    let mut steps = Steps { color: term::color_stderr(), n: 0 };

    // 1. The spec: analyze the doc when there is no verification block.
    let spec_text = sync::read_optional(&paths.spec)?;
    if spec_text.is_none()
        && !paths.doc.is_file()
        && let Some(name) = layout.did_you_mean(source)
    {
        return Err(Error::Usage(format!(
            "{source}: no spec and no API doc here; did you mean {name}? (`authgen setup {name}`)"
        )));
    }
    let has_block = match &spec_text {
        Some(text) => ConnectorSpec::parse(&paths.spec, text.clone())?.verification.is_some(),
        None => false,
    };
    if has_block {
        steps.skip("spec", &format!("{} has a verification block", layout.rel(&paths.spec).display()));
    } else {
        let what = if spec_text.is_some() {
            "propose a verification block from the API doc"
        } else {
            "write the spec from the API doc"
        };
        steps.start("analyze + spec", what);
        let code = write_spec_from_doc(&layout, &paths, spec_text.as_deref(), args)?;
        if code != 0 {
            return Ok(code);
        }
    }

    // 2. Credentials: the gate.
    let plan = plan_for(&layout, source)?;
    match credentials_ready(&plan, &paths) {
        Some(origin) => steps.skip("credentials", &format!("{origin} holds what one auth method needs")),
        None => {
            steps.start("credentials", &format!("collect them into {}", layout.rel(&paths.credentials).display()));
            let code = collect_credentials(&layout, source, args);
            if code != 0 {
                return stop(code, source, "no credentials were saved");
            }
            if credentials_ready(&plan, &paths).is_none() {
                return stop(
                    2,
                    source,
                    &format!("{} still lacks what the test needs", layout.rel(&paths.credentials).display()),
                );
            }
        }
    }

    // 3. Generate, diff first.
    let renderer = Renderer::new(layout.templates.as_deref())?;
    let opts = Options { http_client: args.http_client.map(Into::into), ..Options::default() };
    let prepared = pipeline::prepare(&layout, &renderer, source, &opts)?;
    let runtime = pipeline::runtime_change(&layout, &renderer)?;
    if prepared.change.status == Status::Unchanged && runtime.status == Status::Unchanged {
        steps.skip("generate", &format!("{} is up to date", prepared.change.rel.display()));
    } else {
        steps.start("generate", &format!("render {}", prepared.change.rel.display()));
        let gen_args = GenerateRequest {
            selection: Selection { sources: vec![source.to_string()], all: false },
            render: RenderArgs { http_client: args.http_client, templates: None },
            overrides: Overrides::default(),
            yes: args.yes,
            dry_run: false,
            check: false,
            accept: Some(format!("authgen setup {source} --yes")),
        };
        let code = generate::generate(Some(&layout.root), &gen_args)?;
        if code != 0 {
            return stop(code, source, "the test was not written");
        }
    }

    // 4. Run.
    steps.start("run", "make the one authenticated call");
    let verdict = execute(
        &layout,
        source,
        &RunOptions {
            python: args.python.clone(),
            config: None,
            timeout: args.timeout,
            echo: Echo::Mirror,
            env: Vec::new(),
        },
    )?;
    print_verdict(&verdict);
    if verdict.exit_code != 0 {
        return stop(verdict.exit_code, source, &format!("the test did not pass: {}", verdict.next));
    }

    // 5. Commit.
    let spec_rel = layout.rel(&paths.spec);
    let spec_committed = if args.no_commit {
        steps.skip("commit", "--no-commit");
        false
    } else {
        steps.start("commit", "the generated test (with its runtime when new), nothing else");
        commit_step(&layout, source, spec_text.is_none())?.is_some_and(|paths| paths.iter().any(|p| *p == spec_rel))
    };
    let done = term::paint(steps.color, "1;32", "setup done");
    let spec_state = if spec_committed { "was committed with the test" } else { "is yours to review and commit" };
    eprintln!("\n{done}: {source} authenticates; the spec ({}) {spec_state}", spec_rel.display());
    Ok(0)
}

/// Commit the test; a spec this run created goes with it (the user confirmed
/// it in step 1), a spec changed elsewhere is refused by the commit. Returns
/// the paths committed, if a commit was made.
fn commit_step(layout: &Layout, source: &str, new_spec: bool) -> Result<Option<Vec<PathBuf>>> {
    let message = format!("Add {source} auth test");
    let done = if new_spec {
        commit_source_and_new_spec(layout, source, &message)?
    } else {
        commit_source(layout, source, &message)?
    };
    match done {
        Some(done) => {
            let list: Vec<String> = done.paths.iter().map(|p| p.display().to_string()).collect();
            eprintln!("committed {}: {}", done.id, list.join(", "));
            Ok(Some(done.paths))
        }
        None => {
            eprintln!("already committed as it is");
            Ok(None)
        }
    }
}

fn write_spec_from_doc(layout: &Layout, paths: &SourcePaths, old: Option<&str>, args: &SetupArgs) -> Result<i32> {
    let (analysis, doc) = match analyze_source(layout, &paths.source, args.doc.as_deref()) {
        Ok(found) => found,
        Err(err) => {
            eprintln!("{err}");
            let how = format!(
                "write the API doc, or the spec itself: `authgen spec {} --auth VARIANT --base-url URL --endpoint PATH`",
                paths.source
            );
            return stop(err.code(), &paths.source, &how);
        }
    };
    eprintln!("read {}", crate::error::shown(&doc).display());
    let Some(block) = &analysis.block else {
        return stop(1, &paths.source, "the doc shows no way to authenticate: write the spec with `authgen spec`");
    };
    if block.endpoint.is_none() {
        return stop(
            1,
            &paths.source,
            &format!(
                "the doc names no call to verify with: add one with `authgen spec {} --endpoint PATH`",
                paths.source
            ),
        );
    }
    if let Some(refusal) =
        crate::commands::analyze::low_confidence_refusal(&paths.source, &analysis, args.yes, args.accept_low_confidence)
    {
        eprintln!("{refusal}");
        return stop(1, &paths.source, "the spec was not written");
    }
    let existing = match old {
        Some(text) => Some(ConnectorSpec::parse(&paths.spec, text.to_string())?),
        None => None,
    };
    let proposed = connection_from_analysis(&paths.source, &analysis, existing.as_ref());
    for note in &proposed.notes {
        eprintln!("{}: {note}", paths.source);
    }
    eprint!("{}", crate::ops::contract::report(&paths.source, &proposed.suggestions));
    let doc_shown = crate::error::shown(&doc).display().to_string();
    if let Some(refusal) = crate::commands::analyze::unmapped_refusal(&paths.source, &doc_shown, &proposed) {
        eprintln!("{refusal}");
        return stop(1, &paths.source, "the spec was not written");
    }
    let merged = spec_merge::merge(paths, old, &proposed.connection, Mode::Fill)?;
    let accept = format!("authgen setup {} --yes", paths.source);
    match spec_merge::write_spec(layout, paths, old, &merged, args.yes, false, &accept)? {
        0 => Ok(0),
        code => stop(code, &paths.source, "the spec was not written"),
    }
}

/// Run `authgen credentials` for the source; its exit code (an error is
/// printed here, so the chain can say what to do next).
fn collect_credentials(layout: &Layout, source: &str, args: &SetupArgs) -> i32 {
    let opts = credentials::Options {
        mode: match args.mode {
            ModeArg::Cli => credentials::Mode::Cli,
            ModeArg::Browser => credentials::Mode::Browser,
        },
        port: args.port,
        open: !args.no_open,
        timeout: Duration::from_secs(args.credentials_timeout.max(1)),
        from_file: Vec::new(),
        output: None,
        yes: args.yes,
        verify: false,
    };
    credentials::run(Some(&layout.root), source, &opts).unwrap_or_else(|err| {
        let label = term::paint(term::color_stderr(), "1;31", "error");
        eprintln!("{label}: {err}");
        err.code()
    })
}

fn plan_for(layout: &Layout, source: &str) -> Result<AuthPlan> {
    let (plan, _) = pipeline::plan(layout, source, &Options::default(), None)?;
    Ok(plan)
}

/// Where complete credentials are (the variable or the file), if anywhere:
/// complete means every required parameter of at least one method.
fn credentials_ready(plan: &AuthPlan, paths: &SourcePaths) -> Option<String> {
    let complete = |text: &str| -> bool {
        let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) else {
            return false;
        };
        let present = |name: &str| match map.get(name) {
            None | Some(serde_json::Value::Null) => false,
            Some(serde_json::Value::String(s)) => !s.is_empty(),
            Some(_) => true,
        };
        plan.methods.iter().any(|m| m.required.iter().all(|r| present(r)))
    };
    if let Ok(text) = std::env::var("CONNECTOR_TEST_CONFIG_JSON")
        && !text.trim().is_empty()
    {
        return complete(&text).then(|| "CONNECTOR_TEST_CONFIG_JSON".to_string());
    }
    let file = std::env::var_os("CONNECTOR_TEST_CONFIG_PATH")
        .filter(|p| !p.is_empty())
        .map_or_else(|| paths.credentials.clone(), Into::into);
    let text = std::fs::read_to_string(&file).ok()?;
    complete(&text).then(|| crate::error::shown(&file).display().to_string())
}
