//! Run a generated test with the project's Python: find the interpreter,
//! stream the output, stop the whole process group on timeout, and turn the
//! exit code into a verdict that says what to do next.

use std::collections::VecDeque;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

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

/// How long asking an interpreter its version (or whether it has a module)
/// may take: a real one answers in well under a second, a hung launcher
/// must not hang authgen.
pub const PROBE_LIMIT: Duration = Duration::from_secs(10);

fn probe(path: &Path, origin: &str) -> Result<((u32, u32), PathBuf)> {
    let mut cmd = Command::new(path);
    // -I -S: no site packages to load, so the check costs little.
    cmd.args(["-I", "-S", "-c", "import sys; print('%d %d' % sys.version_info[:2]); print(sys.executable)"]);
    let answer = output_within(cmd, PROBE_LIMIT)
        .map_err(|e| Error::Usage(format!("cannot start Python {} (from {origin}): {e}", path.display())))?;
    let Some((success, stdout)) = answer else {
        return Err(Error::Usage(format!(
            "{} (from {origin}) did not report a Python version within {} s; it was stopped (use --python PATH)",
            path.display(),
            PROBE_LIMIT.as_secs()
        )));
    };
    let text = String::from_utf8_lossy(&stdout);
    let mut lines = text.lines();
    let mut parts = lines.next().unwrap_or("").split_whitespace().filter_map(|p| p.parse::<u32>().ok());
    let version = match (parts.next(), parts.next()) {
        (Some(major), Some(minor)) if success => (major, minor),
        _ => return Err(Error::Usage(format!("{} (from {origin}) did not report a Python version", path.display()))),
    };
    let real = lines.next().map(PathBuf::from).filter(|p| p.is_absolute() && p.exists());
    Ok((version, real.unwrap_or_else(|| path.to_path_buf())))
}

/// Whether a Python can import a module (to pick the HTTP client); one that
/// does not answer within `PROBE_LIMIT` cannot.
pub fn has_module(python: &Path, module: &str) -> bool {
    let mut cmd = Command::new(python);
    cmd.args(["-c", &format!("import {module}")]);
    matches!(output_within(cmd, PROBE_LIMIT), Ok(Some((true, _))))
}

/// Start `cmd` in its own process group and collect what it prints (up to
/// 64 KiB): `None` when it has not ended within `limit`, in which case the
/// group is killed.
fn output_within(mut cmd: Command, limit: Duration) -> std::io::Result<Option<(bool, Vec<u8>)>> {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        cmd.process_group(0);
    }
    let mut child = cmd.spawn()?;
    let pid = child.id();
    let stdout = child.stdout.take();
    let (tx, rx) = mpsc::channel();
    // Not joined: a pipe held open by a process in another session is given up on.
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(out) = stdout {
            let _ = out.take(64 * 1024).read_to_end(&mut buf);
        }
        let success = child.wait().is_ok_and(|s| s.success());
        let _ = tx.send((success, buf));
    });
    let answer = rx.recv_timeout(limit).ok();
    if answer.is_none() {
        kill_group(pid);
    }
    Ok(answer)
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// The script's exit code (0–3); 3 as well when it was stopped on timeout.
    pub code: i32,
    pub timed_out: bool,
    /// The last `TAIL_BYTES` of what the script printed, stdout and stderr
    /// lines interleaved as read (all of it streamed as it came).
    pub output: String,
}

/// Output kept for the verdict: a script printing without end must not make
/// authgen hold it all.
pub const TAIL_BYTES: usize = 1 << 20;
/// After the script ends (or is killed), how long its pipes may stay open:
/// a process it started in another session can hold them forever.
pub const PIPE_GRACE: Duration = Duration::from_secs(2);
/// A line longer than this is passed on in pieces, so no line is held whole.
const MAX_LINE: usize = 64 * 1024;

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

/// The last lines read, at most `limit` bytes of them.
#[derive(Debug)]
pub struct Tail {
    lines: VecDeque<String>,
    bytes: usize,
    limit: usize,
}

impl Tail {
    pub fn new(limit: usize) -> Self {
        Tail { lines: VecDeque::new(), bytes: 0, limit }
    }

    pub fn push(&mut self, line: String) {
        self.bytes += line.len() + 1;
        self.lines.push_back(line);
        while self.bytes > self.limit {
            let Some(old) = self.lines.pop_front() else { break };
            self.bytes -= old.len() + 1;
        }
    }

    pub fn text(&self) -> String {
        self.lines.iter().map(String::as_str).collect::<Vec<_>>().join("\n")
    }
}

/// Splits a byte stream into lines decoded lossily (a non-UTF-8 byte becomes
/// U+FFFD), and lines longer than `MAX_LINE` into pieces.
#[derive(Default)]
pub struct LineSplitter {
    pending: Vec<u8>,
}

impl LineSplitter {
    pub fn feed(&mut self, bytes: &[u8], mut line: impl FnMut(String)) {
        self.pending.extend_from_slice(bytes);
        let mut start = 0;
        while let Some(i) = self.pending[start..].iter().position(|&b| b == b'\n') {
            let end = start + i;
            let text = self.pending[start..end].strip_suffix(b"\r").unwrap_or(&self.pending[start..end]);
            line(String::from_utf8_lossy(text).into_owned());
            start = end + 1;
        }
        self.pending.drain(..start);
        while self.pending.len() > MAX_LINE {
            // Cut before a character that the next bytes may complete.
            let mut cut = MAX_LINE;
            while cut > MAX_LINE - 4 && self.pending[cut] & 0xC0 == 0x80 {
                cut -= 1;
            }
            line(String::from_utf8_lossy(&self.pending[..cut]).into_owned());
            self.pending.drain(..cut);
        }
    }

    /// What is left when the stream ends.
    pub fn finish(&mut self, line: impl FnMut(String)) {
        if !self.pending.is_empty() {
            self.pending.push(b'\n');
            self.feed(&[], line);
        }
    }
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
    let tail = Arc::new(Mutex::new(Tail::new(TAIL_BYTES)));
    let (closed_tx, closed_rx) = mpsc::channel::<()>();
    let mut pipes = 0;
    for (stream, is_err) in [
        (child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>), false),
        (child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>), true),
    ] {
        let Some(stream) = stream else { continue };
        pipes += 1;
        let (tail, closed_tx, echo) = (Arc::clone(&tail), closed_tx.clone(), req.echo);
        // Not joined: a pipe held open by a stray process is given up on.
        std::thread::spawn(move || {
            drain(stream, echo, is_err, &tail);
            let _ = closed_tx.send(());
        });
    }
    drop(closed_tx);
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
    let grace = Instant::now() + PIPE_GRACE;
    for _ in 0..pipes {
        if closed_rx.recv_timeout(grace.saturating_duration_since(Instant::now())).is_err() {
            break;
        }
    }
    let output = tail.lock().map(|t| t.text()).unwrap_or_default();
    let code = if timed_out { 3 } else { status.code().unwrap_or(1) };
    Ok(RunOutcome { code, timed_out, output })
}

/// Read a pipe to its end: echo each line, keep the tail. Reading goes on
/// whatever happens to the echo, so the script never sees a broken pipe.
fn drain(mut stream: Box<dyn Read + Send>, echo: Echo, is_err: bool, tail: &Mutex<Tail>) {
    let mut splitter = LineSplitter::default();
    let mut chunk = vec![0u8; 16 * 1024];
    let mut emit = |line: String| {
        match (echo, is_err) {
            (Echo::Mirror, false) => {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{line}");
                let _ = out.flush();
            }
            (Echo::Mirror | Echo::AllToStderr, _) => {
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }
            (Echo::Quiet, _) => {}
        }
        if let Ok(mut tail) = tail.lock() {
            tail.push(line);
        }
    };
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => splitter.feed(&chunk[..n], &mut emit),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    splitter.finish(&mut emit);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&[u8]]) -> Vec<String> {
        let mut lines = Vec::new();
        let mut splitter = LineSplitter::default();
        for chunk in chunks {
            splitter.feed(chunk, |l| lines.push(l));
        }
        splitter.finish(|l| lines.push(l));
        lines
    }

    #[test]
    fn lines_are_split_across_chunks_and_decoded_lossily() {
        assert_eq!(split(&[b"a\nb", b"c\r\n", b"\xffd\n", b"tail"]), ["a", "bc", "\u{fffd}d", "tail"]);
        // A character split between two reads is kept whole.
        assert_eq!(split(&["é".as_bytes()[..1].as_ref(), &"é\n".as_bytes()[1..]]), ["é"]);
        assert_eq!(split(&[b""]), Vec::<String>::new());
    }

    #[test]
    fn a_long_line_comes_in_pieces_without_cutting_a_character() {
        let mut text = "x".repeat(MAX_LINE - 1);
        text.push('é');
        text.push_str("yz");
        let lines = split(&[text.as_bytes()]);
        assert_eq!(lines.len(), 2, "{:?}", lines.iter().map(String::len).collect::<Vec<_>>());
        assert_eq!(lines[0], "x".repeat(MAX_LINE - 1));
        assert_eq!(lines[1], "éyz");
        assert_eq!(lines.concat(), text);
    }

    #[test]
    fn the_tail_keeps_the_last_lines_within_its_limit() {
        let mut tail = Tail::new(10);
        for line in ["aaaa", "bbbb", "cccc"] {
            tail.push(line.to_string());
        }
        assert_eq!(tail.text(), "bbbb\ncccc");
        assert_eq!(tail.bytes, 10);
        tail.push("0123456789abc".into());
        assert_eq!(tail.text(), "", "a line over the limit is not kept");
        tail.push("x".into());
        assert_eq!(tail.text(), "x");
    }
}
