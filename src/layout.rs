//! Where specs, docs, generated tests and credentials live in a connector
//! repository: the defaults the README's "Connector repository layout" lists,
//! changeable in `pyproject.toml`.

use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

pub const DEFAULT_SPEC: &str = "src/databricks/labs/community_connector/sources/{source}/connector_spec.yaml";
pub const DEFAULT_DOC: &str = "src/databricks/labs/community_connector/sources/{source}/{source}_api_doc.md";
pub const DEFAULT_TEST: &str = "tests/unit/sources/{source}/auth_test.py";
pub const DEFAULT_CREDENTIALS: &str = "tests/unit/sources/{source}/configs/dev_config.json";
pub const DEFAULT_LOADER: &str = "tests/unit/sources/test_utils.py";
pub const DEFAULT_RUNTIME: &str = "tests/unit/sources/authgen_runtime.py";

/// `[tool.authgen]` in the connector repo's `pyproject.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ToolConfig {
    spec: Option<String>,
    doc: Option<String>,
    test: Option<String>,
    credentials: Option<String>,
    loader: Option<String>,
    runtime: Option<String>,
    templates: Option<String>,
    http_client: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub root: PathBuf,
    /// The root with every symlink resolved: what paths must stay under.
    real_root: PathBuf,
    /// The `[tool.authgen]` keys `pyproject.toml` sets (the rest are defaults).
    configured: Vec<&'static str>,
    spec: String,
    doc: String,
    test: String,
    credentials: String,
    loader: String,
    runtime: String,
    /// Template override directory from `pyproject.toml`, resolved.
    pub templates: Option<PathBuf>,
    pub http_client: Option<String>,
}

/// Paths of one source, absolute.
#[derive(Debug, Clone)]
pub struct SourcePaths {
    pub source: String,
    pub spec: PathBuf,
    pub doc: PathBuf,
    pub test: PathBuf,
    pub credentials: PathBuf,
    pub loader: PathBuf,
    /// The shared runtime every generated test imports.
    pub runtime: PathBuf,
}

impl Layout {
    /// The repo root: `--repo`, else the nearest ancestor of the working
    /// directory with `.git`, or a `pyproject.toml` with `[tool.authgen]`
    /// (a source folder's own `pyproject.toml` is not the root).
    pub fn discover(repo: Option<&Path>) -> Result<Self> {
        let root = match repo {
            Some(dir) => {
                if !dir.is_dir() {
                    return Err(Error::Usage(format!("--repo {}: not a directory", dir.display())));
                }
                dir.to_path_buf()
            }
            None => {
                let cwd = std::env::current_dir().map_err(|e| Error::io(Path::new("."), e))?;
                cwd.ancestors().find(|dir| is_repo_root(dir)).map(Path::to_path_buf).ok_or_else(|| {
                    Error::Usage(format!(
                        "no connector repository here: neither {} nor any parent holds .git or a pyproject.toml with [tool.authgen] (use --repo DIR)",
                        cwd.display()
                    ))
                })?
            }
        };
        Self::at(root)
    }

    pub fn at(root: PathBuf) -> Result<Self> {
        let config = read_tool_config(&root.join("pyproject.toml"))?;
        let templates = config.templates.as_deref().map(|dir| root.join(dir));
        if let Some(runtime) = &config.runtime {
            check_runtime_name(&root.join("pyproject.toml"), runtime)?;
        }
        let real_root = root.canonicalize().map_err(|e| Error::io(&root, e))?;
        let configured = [
            ("spec", config.spec.is_some()),
            ("doc", config.doc.is_some()),
            ("test", config.test.is_some()),
            ("credentials", config.credentials.is_some()),
            ("loader", config.loader.is_some()),
            ("runtime", config.runtime.is_some()),
            ("templates", config.templates.is_some()),
        ]
        .into_iter()
        .filter_map(|(key, set)| set.then_some(key))
        .collect();
        let layout = Layout {
            spec: config.spec.unwrap_or_else(|| DEFAULT_SPEC.into()),
            doc: config.doc.unwrap_or_else(|| DEFAULT_DOC.into()),
            test: config.test.unwrap_or_else(|| DEFAULT_TEST.into()),
            credentials: config.credentials.unwrap_or_else(|| DEFAULT_CREDENTIALS.into()),
            loader: config.loader.unwrap_or_else(|| DEFAULT_LOADER.into()),
            runtime: config.runtime.unwrap_or_else(|| DEFAULT_RUNTIME.into()),
            templates,
            http_client: config.http_client,
            root,
            real_root,
            configured,
        };
        layout.confine("loader", &layout.root.join(&layout.loader))?;
        layout.confine("runtime", &layout.runtime_path())?;
        if let Some(dir) = &layout.templates {
            layout.confine("templates", dir)?;
        }
        Ok(layout)
    }

    pub fn source(&self, source: &str) -> Result<SourcePaths> {
        check_source_name(source)?;
        let fill = |key: &str, pattern: &str| -> Result<PathBuf> {
            let path = self.root.join(pattern.replace("{source}", source));
            self.confine(key, &path)?;
            Ok(path)
        };
        Ok(SourcePaths {
            source: source.to_string(),
            spec: fill("spec", &self.spec)?,
            doc: fill("doc", &self.doc)?,
            test: fill("test", &self.test)?,
            credentials: fill("credentials", &self.credentials)?,
            loader: self.root.join(&self.loader),
            runtime: self.runtime_path(),
        })
    }

    /// A repository's own files (and a pull request changing them) must not
    /// make authgen read or write elsewhere: `path`, once every symlink in it
    /// is followed, must lie under the root. `key` is the `[tool.authgen]`
    /// key the path comes from.
    fn confine(&self, key: &str, path: &Path) -> Result<()> {
        let resolved = resolve(path);
        if resolved.starts_with(&self.real_root) {
            return Ok(());
        }
        let pyproject = self.root.join("pyproject.toml");
        let message = format!(
            "resolves to {}, outside the repository root {}; authgen reads and writes only inside the repository",
            resolved.display(),
            self.real_root.display()
        );
        let hint = "use a path under the repository root, without '..' or a symlink that leads out of it";
        if self.configured.contains(&key) {
            return Err(Error::Input {
                path: pyproject,
                pos: None,
                key: Some(format!("tool.authgen.{key}")),
                message,
                hint: Some(hint.into()),
            });
        }
        Err(Error::Usage(format!(
            "{key} path {} (the default of tool.authgen.{key}, through a symlink) {message}\n  hint: {hint}",
            crate::error::shown(path).display()
        )))
    }

    /// The shared runtime module: one per repository.
    pub fn runtime_path(&self) -> PathBuf {
        self.root.join(&self.runtime)
    }

    /// Every source that has a spec, sorted by name.
    pub fn all_sources(&self) -> Result<Vec<String>> {
        let (before, after) = self.spec.split_once("{source}").ok_or_else(|| {
            Error::Usage(format!("the spec path pattern {:?} has no {{source}}: --all cannot list sources", self.spec))
        })?;
        let dir = self.root.join(before);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(&dir, e)),
        };
        let mut sources = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let Some(name) = entry.file_name().to_str().map(str::to_string) else { continue };
            if check_source_name(&name).is_err() {
                continue;
            }
            let spec = dir.join(format!("{name}{}", after.replace("{source}", &name)));
            if spec.is_file() {
                sources.push(name);
            }
        }
        sources.sort();
        Ok(sources)
    }

    /// The source with a spec whose name is nearest to a mistyped `source`.
    pub fn did_you_mean(&self, source: &str) -> Option<String> {
        let all = self.all_sources().ok()?;
        crate::suggest::closest(source, all.iter().map(String::as_str)).map(str::to_string)
    }

    /// A path relative to the repo root, for messages and git.
    pub fn rel<'a>(&self, path: &'a Path) -> &'a Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }
}

/// `path` as the system will find it: the longest part that exists with
/// every symlink followed, then the rest (which cannot hold a symlink yet)
/// with `.` and `..` applied.
pub fn resolve(path: &Path) -> PathBuf {
    let mut existing = path;
    let mut rest: Vec<Component> = Vec::new();
    let real = loop {
        if let Ok(real) = existing.canonicalize() {
            break real;
        }
        let Some(parent) = existing.parent() else { break PathBuf::new() };
        if let Some(last) = existing.components().next_back() {
            rest.push(last);
        }
        existing = parent;
    };
    let mut out = real;
    for part in rest.iter().rev() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A git checkout's top, or a folder whose `pyproject.toml` configures authgen.
fn is_repo_root(dir: &Path) -> bool {
    dir.join(".git").exists() || configures_authgen(&dir.join("pyproject.toml"))
}

fn configures_authgen(pyproject: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(pyproject) else { return false };
    match toml::from_str::<toml::Table>(&text) {
        Ok(table) => table.get("tool").and_then(|t| t.get("authgen")).is_some(),
        // Taken as the root when it tries to, so its error is reported with its line.
        Err(_) => text.lines().any(|l| l.trim_start().starts_with("[tool.authgen")),
    }
}

/// Source names become directory names, Python comments and commit messages.
pub fn check_source_name(source: &str) -> Result<()> {
    let ok = !source.is_empty()
        && source.len() <= 100
        && source.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !source.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "{source:?} is not a source name: use letters, digits, '_' and '-' (the connector's directory name)"
        )))
    }
}

const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// Generated tests import the runtime by its file name: it must be a Python
/// module name.
fn check_runtime_name(pyproject: &Path, runtime: &str) -> Result<()> {
    let stem = runtime.strip_suffix(".py").map(|p| p.rsplit('/').next().unwrap_or(p));
    if stem.is_some_and(|s| crate::spec::is_identifier(s) && !PYTHON_KEYWORDS.contains(&s)) {
        return Ok(());
    }
    Err(Error::input(pyproject, format!("tool.authgen.runtime: {runtime:?} is not a Python module path"))
        .with_hint("end it in a file name like authgen_runtime.py (letters, digits and '_')"))
}

fn read_tool_config(path: &Path) -> Result<ToolConfig> {
    let Some(text) = crate::error::read_text(path)? else { return Ok(ToolConfig::default()) };
    #[derive(Deserialize)]
    struct Pyproject {
        tool: Option<Tool>,
    }
    #[derive(Deserialize)]
    struct Tool {
        authgen: Option<ToolConfig>,
    }
    let parsed: Pyproject = toml::from_str(&text).map_err(|e| {
        let pos = e.span().map(|span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            crate::error::Pos { line, col }
        });
        Error::Input {
            path: path.to_path_buf(),
            pos,
            key: Some("tool.authgen".into()),
            message: e.message().to_string(),
            hint: None,
        }
    })?;
    Ok(parsed.tool.and_then(|t| t.authgen).unwrap_or_default())
}

/// `to` relative to directory `from`, both absolute and lexically clean.
pub fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component> = from.components().collect();
    let to_parts: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to_parts[common..] {
        out.push(part.as_os_str());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/r/tests/unit/sources/x"), Path::new("/r/tests/unit/sources/test_utils.py")),
            PathBuf::from("../test_utils.py")
        );
        assert_eq!(
            relative(Path::new("/r/t/x"), Path::new("/r/t/x/configs/dev.json")),
            PathBuf::from("configs/dev.json")
        );
    }

    #[test]
    fn source_names() {
        assert!(check_source_name("microsoft_graph").is_ok());
        assert!(check_source_name("../etc").is_err());
        assert!(check_source_name("").is_err());
        assert!(check_source_name("-x").is_err());
    }
}
