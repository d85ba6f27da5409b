//! Files against the disk: a changeset, its review (a diff, or masked lines
//! for a file of secrets), the decision (`--yes`, a terminal's answer, or
//! `--dry-run`), and one atomic apply. `generate`, `spec`, `analyze --write`
//! and `credentials` all write through here.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use crate::error::{Error, Result};
use crate::term;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Added,
    Modified,
    Unchanged,
}

#[derive(Debug, Clone)]
pub struct Change {
    pub source: String,
    pub path: PathBuf,
    /// Relative to the repo root, for messages.
    pub rel: PathBuf,
    pub old: Option<String>,
    pub new: String,
    pub status: Status,
}

pub fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// How a rendered text stands against the file on disk (if any).
pub fn status(old: Option<&str>, new: &str) -> Status {
    match old {
        None => Status::Added,
        // Line endings don't make a file stale; normalise only when needed.
        Some(old) if old == new || old.contains('\r') && normalize(old) == new => Status::Unchanged,
        Some(_) => Status::Modified,
    }
}

/// Compare a rendered file with what is on disk.
pub fn compare(source: &str, path: &Path, rel: &Path, new: String) -> Result<Change> {
    let old = read_optional(path)?;
    let status = status(old.as_deref(), &new);
    Ok(Change { source: source.to_string(), path: path.to_path_buf(), rel: rel.to_path_buf(), old, new, status })
}

pub fn read_optional(path: &Path) -> Result<Option<String>> {
    crate::error::read_text(path)
}

/// A git-style unified diff of the change, coloured when asked.
/// For the terminal: spec text in the files shows its control and format
/// characters escaped.
pub fn unified(change: &Change, color: bool) -> String {
    unified_with(change, color, term::clean)
}

/// For reports (JSON, JUnit), which escape such characters their own way.
pub fn unified_plain(change: &Change) -> String {
    unified_with(change, false, str::to_string)
}

fn unified_with(change: &Change, color: bool, shown: impl Fn(&str) -> String) -> String {
    let old = shown(&change.old.as_deref().map(normalize).unwrap_or_default());
    let new = shown(&change.new);
    let rel = change.rel.display();
    let (from, to) = match change.status {
        Status::Added => ("/dev/null".to_string(), format!("b/{rel}")),
        _ => (format!("a/{rel}"), format!("b/{rel}")),
    };
    text_diff(&old, &new, &from, &to, color)
}

pub fn text_diff(old: &str, new: &str, from: &str, to: &str, color: bool) -> String {
    let diff = TextDiff::from_lines(old, new);
    let mut out = String::new();
    let paint = |code: &str, text: &str| if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() };
    out.push_str(&paint("1", &format!("--- {from}\n+++ {to}\n")));
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        out.push_str(&paint("36", &format!("{}\n", hunk.header())));
        for change in hunk.iter_changes() {
            let (sign, code) = match change.tag() {
                ChangeTag::Delete => ("-", "31"),
                ChangeTag::Insert => ("+", "32"),
                ChangeTag::Equal => (" ", ""),
            };
            let mut line = format!("{sign}{}", change.value());
            if change.missing_newline() {
                line.push_str("\n\\ No newline at end of file\n");
            }
            if code.is_empty() { out.push_str(&line) } else { out.push_str(&paint(code, &line)) }
        }
    }
    out
}

/// Write `contents` to `path` atomically: a temporary file beside it, then a
/// rename, so a reader never sees half a file. The existing mode is kept.
pub fn write_atomic(path: &Path, contents: &[u8], mode: Option<u32>) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.authgen-{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            let keep = std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o777);
            options.mode(mode.or(keep).unwrap_or(0o644));
        }
        let mut file = options.open(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        #[cfg(unix)]
        if let Some(mode) = mode {
            use std::os::unix::fs::PermissionsExt;
            // The umask may have narrowed or widened nothing: set it exactly.
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode))?;
        }
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// Write a file of secrets: mode 0600, atomically, and never leaving a
/// secret where git would pick it up. The temporary copy is written in a
/// directory of its own, beside `path`, that only the user can enter and whose
/// own `.gitignore` ignores everything in it; a crash between write and
/// rename leaves only that ignored directory. Directories made for `path`
/// are 0700 whatever the umask.
pub fn write_secret(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    create_private_dirs(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let scratch = dir.join(format!(".authgen-tmp-{}", std::process::id()));
    let tmp = scratch.join(name);
    let result = (|| -> std::io::Result<()> {
        let _ = std::fs::remove_dir_all(&scratch);
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&scratch)?;
        set_mode(&scratch, 0o700)?;
        std::fs::write(scratch.join(".gitignore"), "# authgen's scratch space for a file of secrets\n*\n")?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp)?;
        set_mode(&tmp, 0o600)?;
        file.write_all(contents)?;
        file.sync_all()?;
        pause_before_rename(&tmp);
        std::fs::rename(&tmp, path)
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    result.map_err(|e| Error::io(path, e))
}

/// Tests only: with AUTHGEN_TEST_PAUSE_BEFORE_RENAME=SECONDS, say so on
/// stderr and wait between write and rename, so a test can kill the process
/// at the worst moment.
fn pause_before_rename(tmp: &Path) {
    let Some(secs) = std::env::var("AUTHGEN_TEST_PAUSE_BEFORE_RENAME").ok().and_then(|v| v.parse::<u64>().ok()) else {
        return;
    };
    eprintln!("paused before rename: {}", tmp.display());
    std::thread::sleep(std::time::Duration::from_secs(secs.min(60)));
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// `dir` and any missing parents, each one created 0700 (set after creation,
/// so the umask cannot widen or narrow it).
pub fn create_private_dirs(dir: &Path) -> Result<()> {
    let mut missing = Vec::new();
    let mut at = dir;
    while !at.as_os_str().is_empty() && !at.exists() {
        missing.push(at);
        match at.parent() {
            Some(parent) => at = parent,
            None => break,
        }
    }
    for made in missing.into_iter().rev() {
        match std::fs::create_dir(made) {
            Ok(()) => set_mode(made, 0o700).map_err(|e| Error::io(made, e))?,
            // Made meanwhile by someone else: not ours to change.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::io(made, e)),
        }
    }
    Ok(())
}

/// How changes are shown for review.
pub enum Display<'a> {
    /// A unified diff per file.
    Diff,
    /// Given lines instead of a diff: for a file of secrets, whose diff would print them.
    Masked(&'a [String]),
    /// Already shown by the caller (next to other output).
    Shown,
}

/// Print the changes for review (unchanged files show nothing).
pub fn show(changes: &[&Change], display: &Display) {
    match display {
        Display::Diff => {
            let color = term::color_stdout();
            for change in changes.iter().filter(|c| c.status != Status::Unchanged) {
                print!("{}", unified(change, color));
            }
        }
        Display::Masked(lines) => {
            for line in *lines {
                eprintln!("  {line}");
            }
        }
        Display::Shown => {}
    }
}

/// How to decide once the changes are shown.
pub struct Review {
    /// `--yes`: write without asking.
    pub yes: bool,
    /// `--dry-run`: show only.
    pub dry_run: bool,
    /// Whether a person can answer (a terminal on stdin and stderr, and for
    /// `credentials` values that did not come from a pipe).
    pub can_ask: bool,
    /// Asked on the terminal, such as "Write 2 file(s)?".
    pub question: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Write,
    /// `--dry-run`: nothing written.
    DryRun,
    /// Asked, and the answer was no.
    Declined,
    /// No `--yes` and nobody to ask.
    NoTerminal,
}

/// The one decision: `--dry-run` shows only, `--yes` writes, otherwise a
/// terminal is asked; without one nothing is written.
pub fn decide(review: &Review) -> Decision {
    if review.dry_run {
        Decision::DryRun
    } else if review.yes {
        Decision::Write
    } else if !review.can_ask {
        Decision::NoTerminal
    } else if term::confirm(&review.question) {
        Decision::Write
    } else {
        Decision::Declined
    }
}

/// Say why nothing was written, and return the exit code for it: 0 for a dry
/// run or a write, 1 when the changes wait for a person. `pending` leads the
/// message ("2 file(s) would change; "), `accept` is the command that accepts.
pub fn explain(decision: Decision, pending: &str, accept: &str) -> i32 {
    match decision {
        Decision::Write => 0,
        Decision::DryRun => {
            eprintln!("dry run: {pending}nothing written");
            0
        }
        Decision::Declined => {
            eprintln!("nothing written");
            1
        }
        Decision::NoTerminal => {
            eprintln!("not written: {pending}there is no terminal to confirm; run `{accept}` to accept");
            1
        }
    }
}

/// Show, decide, and write each changed file atomically (with `mode` when
/// given, else the file's own). Returns the decision; what it means for the
/// exit code and the message is the caller's.
pub fn review_and_apply(
    changes: &[&Change],
    display: &Display,
    review: &Review,
    mode: Option<u32>,
) -> Result<Decision> {
    show(changes, display);
    let decision = decide(review);
    if decision == Decision::Write {
        for change in changes.iter().filter(|c| c.status != Status::Unchanged) {
            write_atomic(&change.path, change.new.as_bytes(), mode)?;
        }
    }
    Ok(decision)
}

/// Write every changed file; unchanged files are not touched.
pub fn apply(changes: &[Change]) -> Result<usize> {
    let mut written = 0;
    for change in changes.iter().filter(|c| c.status != Status::Unchanged) {
        write_atomic(&change.path, change.new.as_bytes(), None)?;
        written += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_is_not_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        std::fs::write(&path, "x = 1\r\ny = 2\r\n").unwrap();
        let change = compare("s", &path, Path::new("a.py"), "x = 1\ny = 2\n".into()).unwrap();
        assert_eq!(change.status, Status::Unchanged);
    }

    #[test]
    fn atomic_write_sets_mode_and_leaves_no_temp() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/secret.json");
        write_atomic(&path, b"{}", Some(0o600)).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_dir(dir.path().join("sub")).unwrap().count(), 1);
    }

    #[test]
    fn review_writes_only_on_yes_and_never_on_a_dry_run() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dev_config.json");
        let change = compare("s", &path, Path::new("dev_config.json"), "{}\n".into()).unwrap();
        let review = |yes, dry_run| Review { yes, dry_run, can_ask: false, question: String::new() };
        let masked = ["+ token = ***".to_string()];
        let shown = Display::Masked(&masked);
        assert_eq!(review_and_apply(&[&change], &shown, &review(true, true), Some(0o600)).unwrap(), Decision::DryRun);
        assert_eq!(review_and_apply(&[&change], &shown, &review(false, false), None).unwrap(), Decision::NoTerminal);
        assert!(!path.exists());
        assert_eq!(review_and_apply(&[&change], &shown, &review(true, false), Some(0o600)).unwrap(), Decision::Write);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
