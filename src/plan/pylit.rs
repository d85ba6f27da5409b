//! The one path by which spec text reaches Python: a literal that evaluates
//! back to the exact string, in the quote style the formatter would choose
//! (so generated files stay format-clean), with every character that could
//! change how the source reads (line breaks, controls, bidi marks) escaped.

use std::fmt::Write as _;

/// A Python string literal for `text`.
pub fn py_str(text: &str) -> String {
    let doubles = text.matches('"').count();
    let singles = text.matches('\'').count();
    // Prefer double quotes unless that needs more escapes, as the formatter does.
    let quote = if doubles > singles { '\'' } else { '"' };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c if !c.is_ascii() && c.is_alphanumeric() => out.push(c),
            c => {
                let code = c as u32;
                // Infallible: writing to a String.
                let _ = if code <= 0xff {
                    write!(out, "\\x{code:02x}")
                } else if code <= 0xffff {
                    write!(out, "\\u{code:04x}")
                } else {
                    write!(out, "\\U{code:08x}")
                };
            }
        }
    }
    out.push(quote);
    out
}

/// `None` or the literal.
pub fn py_opt_str(text: Option<&str>) -> String {
    text.map_or_else(|| "None".to_string(), py_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        assert_eq!(py_str("abc"), "\"abc\"");
        assert_eq!(py_str("it's"), "\"it's\"");
        assert_eq!(py_str("say \"hi\""), "'say \"hi\"'");
        assert_eq!(py_str("a\\b\n"), "\"a\\\\b\\n\"");
        assert_eq!(py_str("\u{0}\u{7f}"), "\"\\x00\\x7f\"");
        assert_eq!(py_str("Zürich"), "\"Zürich\"");
        assert_eq!(py_str("\u{202e}\u{2028}"), "\"\\u202e\\u2028\"");
        assert_eq!(py_str("😀"), "\"\\U0001f600\"");
        assert_eq!(py_str("\u{a0}"), "\"\\xa0\"");
    }
}
