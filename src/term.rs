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

/// Text for the terminal: control characters (but line breaks and tabs) and
/// invisible format characters (bidi controls, zero-width characters, the
/// BOM) shown as escapes, so text from a spec or doc can neither move the
/// cursor nor reorder or hide what is printed around it.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if (c.is_control() && c != '\n' && c != '\t') || is_format(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Unicode's format characters (general category Cf), which a terminal
/// does not show but which change how the text around them reads.
pub fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_escapes_controls_and_format_characters_only() {
        assert_eq!(
            clean("a\u{202E}b\u{200B}c\u{FEFF}d\u{2066}e\u{00AD}f"),
            "a\\u{202e}b\\u{200b}c\\u{feff}d\\u{2066}e\\u{ad}f"
        );
        assert_eq!(clean("x\u{1b}[31my\rz\u{7f}"), "x\\u{1b}[31my\\rz\\u{7f}");
        assert_eq!(clean("line one\n\tindented é ü 日本 👍"), "line one\n\tindented é ü 日本 👍");
        for c in ['\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{2069}', '\u{E0041}', '\u{110BD}'] {
            assert!(is_format(c), "{c:?}");
        }
        for c in ['a', ' ', '\u{2028}', '\u{00A0}', '\u{FFFD}', '\u{200A}', '\u{2010}'] {
            assert!(!is_format(c), "{c:?}");
        }
    }
}
