//! Run a generated test with the project's Python: find the interpreter,
//! stream the output, stop the whole process group on timeout, and turn the
//! exit code into a verdict that says what to do next.

use std::io::{BufRead as _, BufReader, Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde::Serialize;

use crate::error::{Error, Result};

/// The interpreter and why it was chosen.
#[derive(Debug, Clone, Serialize)]
pub struct Python {
    pub path: PathBuf,
    pub origin: &'static str,
    pub version: (u32, u32),
}

/// `--python`, then `$VIRTUAL_ENV`, then `.venv/bin/python` at the repo
/// root, then `python3`; 3.10 or newer.
pub fn find_python(explicit: Option<&Path>, root: &Path) -> Result<Python> {
    let (path, origin) = if let Some(p) = explicit {
        (p.to_path_buf(), "--python")
    } else if let Some(venv) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
        (PathBuf::from(venv).join("bin/python"), "$VIRTUAL_ENV")
    } else if root.join(".venv/bin/python").exists() {
        (root.join(".venv/bin/python"), ".venv at the repo root")
    } else {
        (PathBuf::from("python3"), "python3 on PATH")
    };
    // A venv records its version; otherwise ask the interpreter, which also
    // names its real executable, so a launcher (such as a version-manager
    // shim) is not started a second time for the run.
    let (version, path) = match venv_version(&path) {
        Some(version) => (version, path),
        None => probe(&path, origin)?,
    };
    if version < (3, 10) {
        return Err(Error::Usage(format!(
            "{} (from {origin}) is Python {}.{}; generated tests need 3.10 or newer (use --python PATH)",
            path.display(),
            version.0,
            version.1
        )));
    }
    Ok(Python { path, origin, version })
}

/// A virtual environment records its Python version in `pyvenv.cfg`:
/// reading it saves starting an interpreter just to ask.
fn venv_version(python: &Path) -> Option<(u32, u32)> {
    let cfg = python.parent()?.parent()?.join("pyvenv.cfg");
    let text = std::fs::read_to_string(cfg).ok()?;
    text.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        if !matches!(key.trim(), "version" | "version_info") {
            return None;
        }
        let mut parts = value.trim().split('.').map(|p| p.parse::<u32>().ok());
        Some((parts.next()??, parts.next()??))
    })
}

fn probe(path: &Path, origin: &str) -> Result<((u32, u32), PathBuf)> {
    let out = Command::new(path)
        // -I -S: no site packages to load, so the check costs little.
        .args(["-I", "-S", "-c", "import sys; print('%d %d' % sys.version_info[:2]); print(sys.executable)"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::Usage(format!("cannot start Python {} (from {origin}): {e}", path.display())))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let mut parts = lines.next().unwrap_or("").split_whitespace().filter_map(|p| p.parse::<u32>().ok());
    let version = match (parts.next(), parts.next()) {
        (Some(major), Some(minor)) if out.status.success() => (major, minor),
        _ => return Err(Error::Usage(format!("{} (from {origin}) did not report a Python version", path.display()))),
    };
    let real = lines.next().map(PathBuf::from).filter(|p| p.is_absolute() && p.exists());
    Ok((version, real.unwrap_or_else(|| path.to_path_buf())))
}

/// Whether a Python can import a module (to pick the HTTP client).
pub fn has_module(python: &Path, module: &str) -> bool {
    Command::new(python)
        .args(["-c", &format!("import {module}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// The script's exit code (0–3); 3 as well when it was stopped on timeout.
    pub code: i32,
    pub timed_out: bool,
    /// Everything the script printed, stdout then stderr lines interleaved as read.
    pub output: String,
}

pub struct RunRequest<'a> {
    pub python: &'a Path,
    pub script: &'a Path,
    pub cwd: &'a Path,
    pub env: Vec<(String, String)>,
    pub env_remove: Vec<String>,
    pub timeout: Duration,
    /// Echo the script's output as it comes (to our stdout/stderr, or all to stderr).
    pub echo: Echo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Echo {
    Mirror,
    AllToStderr,
    Quiet,
}

/// Run the script, streaming its output, and stop its process group on timeout.
pub fn run_script(req: &RunRequest<'_>) -> Result<RunOutcome> {
    let mut cmd = Command::new(req.python);
    cmd.arg(req.script).current_dir(req.cwd).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    // Unbuffered, so lines appear as the script prints them.
    cmd.env("PYTHONUNBUFFERED", "1");
    for k in &req.env_remove {
        cmd.env_remove(k);
    }
    for (k, v) in &req.env {
        cmd.env(k, v);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        cmd.process_group(0);
    }
    let mut child = cmd.spawn().map_err(|e| Error::External {
        program: req.python.display().to_string(),
        message: format!("cannot start: {e}"),
    })?;
    let pid = child.id();
    let (tx, rx) = mpsc::channel::<String>();
    let mut readers = Vec::new();
    for (stream, is_err) in [
        (child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>), false),
        (child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>), true),
    ] {
        let Some(stream) = stream else { continue };
        let tx = tx.clone();
        let echo = req.echo;
        readers.push(std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                match (echo, is_err) {
                    (Echo::Mirror, false) => {
                        let mut out = std::io::stdout().lock();
                        let _ = writeln!(out, "{line}");
                        let _ = out.flush();
                    }
                    (Echo::Mirror | Echo::AllToStderr, _) => eprintln!("{line}"),
                    (Echo::Quiet, _) => {}
                }
                let _ = tx.send(line);
            }
        }));
    }
    drop(tx);
    let (done_tx, done_rx) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let status = child.wait();
        let _ = done_tx.send(());
        status
    });
    let timed_out = done_rx.recv_timeout(req.timeout).is_err();
    if timed_out {
        kill_group(pid);
    }
    let status = waiter.join().map_err(|_| Error::Failed("the process waiter panicked".into()))?;
    let status =
        status.map_err(|e| Error::External { program: req.python.display().to_string(), message: e.to_string() })?;
    for reader in readers {
        let _ = reader.join();
    }
    let output: Vec<String> = rx.try_iter().collect();
    let code = if timed_out { 3 } else { status.code().unwrap_or(1) };
    Ok(RunOutcome { code, timed_out, output: output.join("\n") })
}

#[cfg(unix)]
fn kill_group(pid: u32) {
    if let Ok(pid) = i32::try_from(pid) {
        // SAFETY: killpg only sends a signal; the group is the child's own.
        unsafe {
            libc::killpg(pid, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn kill_group(_pid: u32) {}
