//! spec → plan → rendered text → change, for one source or many. Writes nothing.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::layout::{Layout, SourcePaths, relative};
use crate::plan::{AuthPlan, HttpClient, Overrides, Places};
use crate::render::Renderer;
use crate::spec::ConnectorSpec;
use crate::sync::{self, Change};

/// The marker line that records which HTTP client a generated file uses, so
/// `check` renders it the same way.
pub const CLIENT_MARKER: &str = "# authgen: http-client=";

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub http_client: Option<HttpClient>,
    pub overrides: Overrides,
    pub templates: Option<PathBuf>,
}

#[derive(Debug)]
pub struct Prepared {
    pub plan: AuthPlan,
    pub change: Change,
    pub paths: SourcePaths,
}

#[derive(Debug)]
pub enum Prep {
    Ready(Box<Prepared>),
    /// `--all` only: a source with no verification block and no test yet.
    Skipped {
        source: String,
        reason: String,
    },
    Failed {
        source: String,
        error: Error,
    },
}

/// The HTTP client a generated file was rendered for, from its marker line.
pub fn existing_client(text: &str) -> Option<HttpClient> {
    text.lines().take(5).find_map(|l| l.strip_prefix(CLIENT_MARKER)).and_then(|c| HttpClient::parse(c.trim()))
}

pub fn load_spec(layout: &Layout, paths: &SourcePaths) -> Result<ConnectorSpec> {
    if !paths.spec.is_file() {
        let create =
            format!("create it with `authgen spec {} --auth VARIANT --base-url URL --endpoint PATH`", paths.source);
        let hint = match layout.did_you_mean(&paths.source) {
            Some(name) => format!("did you mean {name}? Or {create}"),
            None => format!("{create}, or check the source name and the repo root ({})", layout.root.display()),
        };
        return Err(Error::input(&paths.spec, "no connector spec here").with_hint(hint));
    }
    ConnectorSpec::load(&paths.spec)
}

/// Plan for one source, reading its spec (no rendering).
pub fn plan(layout: &Layout, source: &str, opts: &Options, existing: Option<&str>) -> Result<(AuthPlan, SourcePaths)> {
    let paths = layout.source(source)?;
    let spec = load_spec(layout, &paths)?;
    plan_spec(layout, &spec, paths, opts, existing)
}

fn plan_spec(
    layout: &Layout,
    spec: &ConnectorSpec,
    paths: SourcePaths,
    opts: &Options,
    existing: Option<&str>,
) -> Result<(AuthPlan, SourcePaths)> {
    let client = choose_client(layout, opts, existing)?;
    let test_dir = paths.test.parent().unwrap_or(&layout.root).to_path_buf();
    let place = |path| relative(&test_dir, path).to_string_lossy().replace('\\', "/");
    let places =
        Places { loader: place(&paths.loader), credentials: place(&paths.credentials), runtime: place(&paths.runtime) };
    let plan = AuthPlan::build(spec, &paths.source, client, &opts.overrides, places).map_err(|e| {
        // `authgen analyze --write` needs the API doc: without one, point at the command that works.
        if spec.verification.is_none() && !paths.doc.is_file() {
            e.with_hint(format!(
                "there is no API doc to analyze ({}): write the block with `authgen spec {} --auth VARIANT --base-url URL --endpoint PATH` (the URL may hold {{parameter}} placeholders), or add under `connection:`\n\n    verification:\n      base_url: https://api.example.com   # the API root\n      endpoint: /me                       # a cheap read-only GET\n",
                layout.rel(&paths.doc).display(),
                paths.source
            ))
        } else {
            e
        }
    })?;
    Ok((plan, paths))
}

/// Explicit flag, then the existing file's marker, then pyproject, then requests.
fn choose_client(layout: &Layout, opts: &Options, existing: Option<&str>) -> Result<HttpClient> {
    if let Some(client) = opts.http_client {
        return Ok(client);
    }
    if let Some(client) = existing.and_then(existing_client) {
        return Ok(client);
    }
    match &layout.http_client {
        Some(name) => HttpClient::parse(name).ok_or_else(|| {
            Error::input(
                &layout.root.join("pyproject.toml"),
                format!("tool.authgen.http-client: {name:?} is neither requests nor urllib"),
            )
        }),
        None => Ok(HttpClient::Requests),
    }
}

/// What names the shared runtime where messages name a source; not a valid
/// source name, so it never clashes with one.
pub const RUNTIME_LABEL: &str = "(shared runtime)";

/// The shared runtime module every generated test imports, compared with
/// disk: written with the tests, checked with them, committed when new.
pub fn runtime_change(layout: &Layout, renderer: &Renderer) -> Result<Change> {
    let path = layout.runtime_path();
    let rel = layout.rel(&path).to_path_buf();
    let change = sync::compare(RUNTIME_LABEL, &path, &rel, renderer.render_runtime()?)?;
    Ok(change)
}

/// One source, ready to write or compare.
pub fn prepare(layout: &Layout, renderer: &Renderer, source: &str, opts: &Options) -> Result<Prepared> {
    match prepare_one(layout, renderer, source, opts, false) {
        Prep::Ready(p) => Ok(*p),
        Prep::Failed { error, .. } => Err(error),
        Prep::Skipped { reason, .. } => Err(Error::Failed(format!("{source}: {reason}"))),
    }
}

fn prepare_one(layout: &Layout, renderer: &Renderer, source: &str, opts: &Options, all: bool) -> Prep {
    let attempt = || -> Result<Prep> {
        let paths = layout.source(source)?;
        let existing = sync::read_optional(&paths.test)?;
        let spec = load_spec(layout, &paths)?;
        if all && spec.verification.is_none() && existing.is_none() {
            return Ok(Prep::Skipped {
                source: source.to_string(),
                reason: "no verification block and no generated test yet".into(),
            });
        }
        let (plan, paths) = plan_spec(layout, &spec, paths, opts, existing.as_deref())?;
        let text = renderer.render(&plan)?;
        let rel = layout.rel(&paths.test).to_path_buf();
        let status = sync::status(existing.as_deref(), &text);
        // An unchanged file's text is not needed again: over a thousand
        // sources, keeping it would double peak memory.
        let (old, new) = if status == sync::Status::Unchanged { (None, String::new()) } else { (existing, text) };
        let change = Change { source: source.to_string(), path: paths.test.clone(), rel, old, new, status };
        Ok(Prep::Ready(Box::new(Prepared { plan, change, paths })))
    };
    attempt().unwrap_or_else(|error| Prep::Failed { source: source.to_string(), error })
}

/// Prepare many sources, on every core; results in the order given.
pub fn prepare_many(layout: &Layout, renderer: &Renderer, sources: &[String], opts: &Options, all: bool) -> Vec<Prep> {
    let mut preps = Vec::with_capacity(sources.len());
    for_each_prepared(layout, renderer, sources, opts, all, |prep| preps.push(prep));
    preps
}

/// Sources prepared together before their results are handed on: enough to
/// keep every core busy, few enough that memory does not grow with the repo.
const WINDOW_PER_WORKER: usize = 32;

/// Prepare many sources on every core and hand each result to `each`, in the
/// order given. Only one window of results is held at a time, so `check
/// --all` over ten thousand sources needs no more memory than over a hundred.
pub fn for_each_prepared(
    layout: &Layout,
    renderer: &Renderer,
    sources: &[String],
    opts: &Options,
    all: bool,
    mut each: impl FnMut(Prep),
) {
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(sources.len().max(1));
    if workers <= 1 || sources.len() < 16 {
        for source in sources {
            each(prepare_one(layout, renderer, source, opts, all));
        }
        return;
    }
    for window in sources.chunks(workers * WINDOW_PER_WORKER) {
        let chunk = window.len().div_ceil(workers);
        let preps: Vec<Prep> = std::thread::scope(|scope| {
            let handles: Vec<_> = window
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter().map(|s| prepare_one(layout, renderer, s, opts, all)).collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    h.join().unwrap_or_else(|_| {
                        vec![Prep::Failed {
                            source: "?".into(),
                            error: Error::Failed("a worker thread panicked".into()),
                        }]
                    })
                })
                .collect()
        });
        preps.into_iter().for_each(&mut each);
    }
}
