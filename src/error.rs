//! One error type for the whole tool: every variant carries what the user
//! needs to act on it, the wording lives in `Display`, the exit code in `code`.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a file something is, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

#[derive(Debug)]
pub enum Error {
    /// Bad command-line usage.
    Usage(String),
    /// A file could not be read or written.
    Io { path: PathBuf, source: std::io::Error },
    /// A spec (or other input file) is malformed or lacks what is needed.
    Input { path: PathBuf, pos: Option<Pos>, key: Option<String>, message: String, hint: Option<String> },
    /// A template failed to parse or render (built-in or overridden).
    Template { name: String, message: String },
    /// What was checked is not right (stale file, refused overwrite, failed test).
    Failed(String),
    /// An external program failed in a way the user must see.
    External { program: String, message: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io { path: path.to_path_buf(), source }
    }

    pub fn input(path: &Path, message: impl Into<String>) -> Self {
        Error::Input { path: path.to_path_buf(), pos: None, key: None, message: message.into(), hint: None }
    }

    pub fn with_hint(mut self, text: impl Into<String>) -> Self {
        if let Error::Input { hint, .. } = &mut self {
            *hint = Some(text.into());
        }
        self
    }

    /// The file the error is about, and where in it, when there is one.
    pub fn location(&self) -> Option<(&Path, Option<Pos>)> {
        match self {
            Error::Io { path, .. } => Some((path, None)),
            Error::Input { path, pos, .. } => Some((path, *pos)),
            _ => None,
        }
    }

    /// Exit code of the authgen process for this error.
    pub fn code(&self) -> i32 {
        match self {
            Error::Failed(_) | Error::External { .. } => 1,
            Error::Usage(_) | Error::Io { .. } | Error::Input { .. } | Error::Template { .. } => 2,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) => write!(f, "{message}"),
            Error::Io { path, source } => write!(f, "{}: {source}", shown(path).display()),
            Error::Input { path, pos, key, message, hint } => {
                write!(f, "{}", shown(path).display())?;
                if let Some(pos) = pos {
                    write!(f, ":{}:{}", pos.line, pos.col)?;
                }
                write!(f, ": ")?;
                if let Some(key) = key {
                    write!(f, "{key}: ")?;
                }
                write!(f, "{message}")?;
                if let Some(hint) = hint {
                    write!(f, "\n  hint: {hint}")?;
                }
                Ok(())
            }
            Error::Template { name, message } => write!(f, "template {name}: {message}"),
            Error::Failed(message) => write!(f, "{message}"),
            Error::External { program, message } => write!(f, "{program}: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The largest text file authgen reads (spec, API doc, template, ...): far
/// above any real one, and small enough that parsing it stays quick.
pub const MAX_TEXT_BYTES: u64 = 4 * 1024 * 1024;

/// A text file's contents; `None` when it does not exist. Bytes that are not
/// UTF-8 are bad input, reported with their line, column and byte offset.
/// Files larger than [`MAX_TEXT_BYTES`] are refused before they are parsed.
pub fn read_text(path: &Path) -> Result<Option<String>> {
    use std::io::Read as _;
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    // Read one byte past the limit (not the whole file, which may be huge or endless).
    let mut bytes = Vec::new();
    file.take(MAX_TEXT_BYTES + 1).read_to_end(&mut bytes).map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_TEXT_BYTES {
        return Err(Error::Input {
            path: path.to_path_buf(),
            pos: None,
            key: None,
            message: format!(
                "larger than {} MiB: authgen reads specs, API docs, templates and the other text files it uses up to that size",
                MAX_TEXT_BYTES / (1024 * 1024)
            ),
            hint: Some("a connector spec is a few KiB; for an API doc, keep the authentication pages".into()),
        });
    }
    String::from_utf8(bytes).map(Some).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let offset = valid.len();
        Error::Input {
            path: path.to_path_buf(),
            pos: Some(Pos { line, col: offset - line_start + 1 }),
            key: None,
            message: format!("not valid UTF-8 (byte offset {offset})"),
            hint: Some("save the file as UTF-8".into()),
        }
    })
}

/// A path as the user would type it: relative to the working directory when under it.
pub fn shown(path: &Path) -> &Path {
    std::env::current_dir().ok().and_then(|cwd| path.strip_prefix(cwd).ok()).unwrap_or(path)
}

/// Tera's top error only says "Failed to render"; the cause is further down.
pub fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut next = err.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}
