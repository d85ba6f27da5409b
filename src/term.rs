//! The terminal: colour only on one (and never with NO_COLOR), confirmation
//! only when a person can answer.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

pub fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && no_color_unset()
}

pub fn color_stderr() -> bool {
    std::io::stderr().is_terminal() && no_color_unset()
}

fn no_color_unset() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A person is there to answer a question.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Ask on stderr, read the answer from stdin: yes only for y or yes.
pub fn confirm(question: &str) -> bool {
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

pub fn paint(on: bool, code: &str, text: &str) -> String {
    if on { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
}

/// Write `bytes` to stdout; a closed pipe is an error, not a panic.
pub fn write_stdout(bytes: &[u8]) -> crate::error::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| crate::error::Error::io(std::path::Path::new("<stdout>"), e))
}
