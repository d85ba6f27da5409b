//! The one place authgen runs `git`: commit exactly the paths authgen wrote
//! (through the `git` command so hooks, signing and the user's config apply;
//! never pushes), ask what git ignores or tracks, set up the demo's repo.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::error::{Error, Result};

pub struct Git {
    root: PathBuf,
}

impl Git {
    pub fn new(root: &Path) -> Self {
        Git { root: root.to_path_buf() }
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new("git");
        cmd.current_dir(&self.root).stdin(Stdio::null());
        cmd
    }

    fn output(&self, args: &[&str]) -> Result<Output> {
        self.command()
            .args(args)
            .output()
            .map_err(|e| Error::External { program: "git".into(), message: format!("cannot run git: {e}") })
    }

    /// Exit code of `git ARGS`; `None` when git cannot be run or was stopped
    /// by a signal. Its output is captured, never shown.
    pub fn status(&self, args: &[&str]) -> Option<i32> {
        self.output(args).ok().and_then(|o| o.status.code())
    }

    /// Run `git ARGS`; its trimmed stdout, or an error with git's message.
    pub fn run(&self, args: &[&str]) -> Result<String> {
        self.checked(args)
    }

    fn checked(&self, args: &[&str]) -> Result<String> {
        let out = self.output(args)?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(Error::External {
                program: "git".into(),
                message: format!("git {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()),
            })
        }
    }

    pub fn is_repo(&self) -> bool {
        self.output(&["rev-parse", "--git-dir"]).is_ok_and(|o| o.status.success())
    }

    /// True when git ignores the path (and does not already track it).
    pub fn ignores(&self, path: &Path) -> Result<bool> {
        let rel = path.to_string_lossy();
        let out = self.output(&["check-ignore", "-q", "--", &rel])?;
        match out.status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(Error::External {
                program: "git".into(),
                message: format!("git check-ignore failed: {}", String::from_utf8_lossy(&out.stderr).trim()),
            }),
        }
    }

    pub fn tracks(&self, path: &Path) -> Result<bool> {
        let rel = path.to_string_lossy();
        Ok(self.output(&["ls-files", "--error-unmatch", "--", &rel])?.status.success())
    }

    /// Whether the path differs from HEAD (or HEAD does not have it).
    pub fn differs_from_head(&self, path: &Path) -> Result<bool> {
        let rel = path.to_string_lossy();
        let has_head = self.output(&["rev-parse", "-q", "--verify", "HEAD"])?.status.success();
        if !has_head {
            return Ok(true);
        }
        let tracked = self.output(&["cat-file", "-e", &format!("HEAD:{rel}")])?.status.success();
        if !tracked {
            return Ok(true);
        }
        Ok(!self.output(&["diff", "--quiet", "HEAD", "--", &rel])?.status.success())
    }

    /// The path's text as HEAD has it, byte for byte; `None` when HEAD
    /// does not have it (or there is no HEAD yet).
    pub fn show_head(&self, path: &Path) -> Result<Option<String>> {
        let rel = path.to_string_lossy();
        let out = self.output(&["show", &format!("HEAD:{rel}")])?;
        Ok(out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned()))
    }

    /// HEAD names a commit, not a branch: a commit made now is on no branch.
    pub fn detached(&self) -> bool {
        self.status(&["rev-parse", "-q", "--verify", "HEAD"]) == Some(0)
            && self.status(&["symbolic-ref", "-q", "HEAD"]) == Some(1)
    }

    /// The index entries of `rels` (`git ls-files -s -z`: NUL-terminated
    /// `mode id stage<TAB>path` records), to put back exactly as they were.
    fn index_entries(&self, rels: &[String]) -> Result<Vec<u8>> {
        let mut args = vec!["ls-files", "-s", "-z", "--"];
        args.extend(rels.iter().map(String::as_str));
        let out = self.output(&args)?;
        if !out.status.success() {
            return Err(Error::External {
                program: "git".into(),
                message: format!("git ls-files failed: {}", String::from_utf8_lossy(&out.stderr).trim()),
            });
        }
        Ok(out.stdout)
    }

    /// Put the index entries of `rels` back to `saved`: the same version
    /// staged before, or no entry at all.
    fn restore_index(&self, rels: &[String], saved: &[u8]) {
        let mut remove = vec!["update-index", "-q", "--force-remove", "--"];
        remove.extend(rels.iter().map(String::as_str));
        let _ = self.output(&remove);
        if saved.is_empty() {
            return;
        }
        let child = self
            .command()
            .args(["update-index", "-z", "--index-info"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        if let Ok(mut child) = child {
            if let Some(mut stdin) = child.stdin.take() {
                use std::io::Write as _;
                let _ = stdin.write_all(saved);
            }
            let _ = child.wait();
        }
    }

    /// Commit only `paths` (relative to the root): other staged work stays
    /// staged and out of the commit, and when the commit fails (a hook, say)
    /// the index entries of `paths` are put back as they were. Returns the
    /// short commit id.
    pub fn commit_only(&self, paths: &[PathBuf], message: &str) -> Result<String> {
        let rels: Vec<String> = paths.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        let saved = self.index_entries(&rels)?;
        let mut add = vec!["add", "--"];
        add.extend(rels.iter().map(String::as_str));
        self.checked(&add)?;
        let mut commit = vec!["commit", "-q", "-m", message, "--only", "--"];
        commit.extend(rels.iter().map(String::as_str));
        let out = self.output(&commit)?;
        if !out.status.success() {
            self.restore_index(&rels, &saved);
            let mut message = String::from_utf8_lossy(&out.stderr).trim().to_string();
            let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if !stdout.is_empty() {
                message = format!("{stdout}\n{message}").trim().to_string();
            }
            return Err(Error::External {
                program: "git commit".into(),
                message: format!("nothing committed:\n{message}"),
            });
        }
        self.checked(&["rev-parse", "--short", "HEAD"])
    }

    /// Paths in a commit, relative to the root.
    pub fn paths_in(&self, rev: &str) -> Result<Vec<String>> {
        let out = self.checked(&["show", "--name-only", "--format=", rev])?;
        Ok(out.lines().filter(|l| !l.is_empty()).map(str::to_string).collect())
    }
}
