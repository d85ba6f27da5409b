//! The forms a secret takes in a text file: a committed `auth_test.py` can
//! hold a credential not only as typed but as the Python literal authgen
//! renders for it (`\` doubled, `§` as `\xa7`), percent-encoded, or in base64.
//! `commit` searches every form before it lets a file through.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Python's `urllib.parse.quote(s, safe="")`: all but letters, digits and `_.-~`.
const QUOTE_ALL: &AsciiSet = &NON_ALPHANUMERIC.remove(b'_').remove(b'.').remove(b'-').remove(b'~');
/// Python's `quote(s)`: the same, `/` kept.
const QUOTE_PATH: &AsciiSet = &QUOTE_ALL.remove(b'/');

/// Base64 text shorter than this, cut out of a longer encoding, would match
/// by chance; whole encodings are always searched.
const MIN_EMBEDDED_BASE64: usize = 12;

/// Every form of `secret` to search for, each with its name, without repeats.
pub fn forms(secret: &str) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let mut add = |name: &'static str, text: String| {
        if !text.is_empty() && !out.iter().any(|(_, t)| *t == text) {
            out.push((name, text));
        }
    };
    add("as typed", secret.to_string());
    for body in python_bodies(secret) {
        add("as a Python string literal", body);
    }
    let quoted = utf8_percent_encode(secret, QUOTE_ALL).to_string();
    add("percent-encoded", quoted.clone());
    add("percent-encoded", lower_hex(&quoted));
    add("percent-encoded", utf8_percent_encode(secret, QUOTE_PATH).to_string());
    // Form bodies (`quote_plus`): a space is `+`.
    add(
        "percent-encoded",
        utf8_percent_encode(&secret.replace(' ', "\u{0}"), QUOTE_ALL).to_string().replace("%00", "+"),
    );
    let bytes = secret.as_bytes();
    add("base64", STANDARD.encode(bytes));
    add("base64", STANDARD_NO_PAD.encode(bytes));
    add("base64url", URL_SAFE.encode(bytes));
    add("base64url", URL_SAFE_NO_PAD.encode(bytes));
    // Inside a longer encoding (such as Basic's `user:secret`) the secret starts
    // at any of three alignments: search the characters it alone decides.
    for shift in 0..3 {
        for (name, core) in
            [("base64", embedded_core(bytes, shift, false)), ("base64url", embedded_core(bytes, shift, true))]
        {
            if core.len() >= MIN_EMBEDDED_BASE64 {
                add(name, core);
            }
        }
    }
    out
}

/// The name of the first form of `secret` found in `text`, also when the
/// file writes it in pieces that Python joins.
pub fn find(text: &str, secret: &str) -> Option<&'static str> {
    let forms = forms(secret);
    if let Some((name, _)) = forms.iter().find(|(_, form)| text.contains(form.as_str())) {
        return Some(name);
    }
    let joined = joined_literals(text);
    forms.iter().any(|(_, form)| joined.contains(form.as_str())).then_some("split across Python string literals")
}

/// `text` with Python's joins of string literals undone: `"ab" "cd"`,
/// `"ab" + "cd"`, `"ab" f"cd"` and literals on lines of their own inside
/// brackets all read as `"abcd"`.
fn joined_literals(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut at, mut copied) = (0, 0);
    while at < bytes.len() {
        let quote = bytes[at];
        if quote == b'"' || quote == b'\'' {
            let mut next = at + 1;
            while next < bytes.len() && matches!(bytes[next], b' ' | b'\t' | b'\n' | b'\r' | b'\\' | b'+') {
                next += 1;
            }
            // A string prefix (`f`, `rb`, ...) may open the next literal.
            let prefix = bytes[next..].iter().take(2).take_while(|b| b"rbfuRBFU".contains(b)).count();
            if matches!(bytes.get(next + prefix), Some(b'"' | b'\'')) {
                out.push_str(&text[copied..at]);
                at = next + prefix + 1;
                copied = at;
                continue;
            }
        }
        at += 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// `%2F` as `%2f`: some encoders write lower-case hex digits.
fn lower_hex(quoted: &str) -> String {
    let mut out = String::with_capacity(quoted.len());
    let mut hex_left = 0;
    for c in quoted.chars() {
        if c == '%' {
            hex_left = 2;
            out.push(c);
        } else if hex_left > 0 {
            hex_left -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// What stands between the quotes of the Python literal authgen renders for
/// `secret`, for either quote character (which one a literal uses depends on
/// the whole string the secret sits in).
fn python_bodies(secret: &str) -> Vec<String> {
    let rendered = crate::plan::pylit::py_str(secret);
    let Some(quote) = rendered.chars().next() else { return Vec::new() };
    let body = &rendered[quote.len_utf8()..rendered.len() - quote.len_utf8()];
    let other = if quote == '"' { '\'' } else { '"' };
    // The same body, written for the other quote: `\"` becomes `"`, `'` becomes `\'`.
    let mut swapped = String::with_capacity(body.len() + 4);
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(q) if q == quote => swapped.push(q),
                Some(next) => {
                    swapped.push('\\');
                    swapped.push(next);
                }
                None => swapped.push('\\'),
            }
        } else if c == other {
            swapped.push('\\');
            swapped.push(c);
        } else {
            swapped.push(c);
        }
    }
    vec![body.to_string(), swapped]
}

/// The base64 characters that depend on `bytes` alone when they follow
/// `shift` other bytes and are followed by more.
fn embedded_core(bytes: &[u8], shift: usize, url: bool) -> String {
    let mut padded = vec![0u8; shift];
    padded.extend_from_slice(bytes);
    let encoded = if url { URL_SAFE_NO_PAD.encode(&padded) } else { STANDARD_NO_PAD.encode(&padded) };
    // Characters 6 bits each: skip those touching the leading bytes, stop
    // before the one touching whatever follows.
    let first = (shift * 8).div_ceil(6);
    let last = (padded.len() * 8) / 6;
    encoded.get(first..last).map(str::to_string).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, secret: &str) -> Option<&'static str> {
        find(text, secret)
    }

    #[test]
    fn python_literals_of_either_quote() {
        // Each secret alone, then inside a longer string whose quotes make
        // the literal use the other quote character.
        for (secret, around) in [(r#"ab\c§"d"#, "''''"), ("a'b", "\"\"\"\""), ("a\"b''", "\"\"\"")] {
            let alone = crate::plan::pylit::py_str(secret);
            assert!(found(&format!("X = {alone}\n"), secret).is_some(), "{secret}");
            let inside = crate::plan::pylit::py_str(&format!("{secret}{around}"));
            assert_ne!(inside.chars().next(), alone.chars().next(), "{inside} uses the other quote");
            assert!(!inside.contains(&alone[1..alone.len() - 1]), "{inside}: only the other form is in it");
            assert_eq!(found(&inside, secret), Some("as a Python string literal"), "{secret} in {inside}");
        }
    }

    #[test]
    fn encodings() {
        let secret = "s3cr3t/with space+and=signs";
        let std = STANDARD.encode(secret);
        assert_eq!(found(&std, secret), Some("base64"));
        assert_eq!(found(std.trim_end_matches('='), secret), Some("base64"));
        assert_eq!(found(&URL_SAFE_NO_PAD.encode(">>>?>>>?"), ">>>?>>>?"), Some("base64url"));
        assert_eq!(found("x=s3cr3t%2Fwith%20space%2Band%3Dsigns&", secret), Some("percent-encoded"));
        assert_eq!(found("x=s3cr3t%2fwith%20space%2band%3dsigns&", secret), Some("percent-encoded"));
        assert_eq!(found("x=s3cr3t%2Fwith+space%2Band%3Dsigns&", secret), Some("percent-encoded"));
        for prefix in ["u:", "us:", "use:"] {
            let basic = STANDARD.encode(format!("{prefix}{secret}!"));
            assert_eq!(found(&basic, secret), Some("base64"), "{prefix}");
        }
        assert_eq!(found("nothing here", secret), None);
    }

    #[test]
    fn a_secret_in_pieces_python_joins_is_found() {
        let secret = "ghp-split-secret-0123";
        for text in [
            "X = \"ghp-split-\" \"secret-0123\"\n",
            "X = \"ghp-split-\" + 'secret-0123'\n",
            "X = (\n    \"ghp-split-\"\n    \"secret-\"\n    f\"0123\"\n)\n",
            "X = \"ghp-split-\" \\\n    \"secret-0123\"\n",
            "X = \"ghp-split-\"\"secret-0123\"\n",
        ] {
            assert_eq!(found(text, secret), Some("split across Python string literals"), "{text}");
        }
        // Pieces Python does not join stay apart.
        assert_eq!(found("X = (\"ghp-split-\", \"secret-0123\")\n", secret), None);
        assert_eq!(found("X = \"ghp-split-\"\nY = \"secret-0123\"\n", secret), None);
        assert_eq!(joined_literals("a = \"x\" \"y\" + \"z\""), "a = \"xyz\"");
    }

    #[test]
    fn lower_hex_lowers_the_two_digits_after_a_percent_and_nothing_else() {
        assert_eq!(lower_hex("a%2FBc%3DD%C2%A7Z"), "a%2fBc%3dD%c2%a7Z");
        assert_eq!(found("x=Ab%2fCd&", "Ab/Cd"), Some("percent-encoded"));
    }

    #[test]
    fn forms_are_listed_once_each_and_never_empty() {
        // A plain secret is the same text percent-encoded: listed once, first as typed.
        let all = forms("plainsecret123");
        let texts: std::collections::BTreeSet<&str> = all.iter().map(|(_, f)| f.as_str()).collect();
        assert_eq!(texts.len(), all.len(), "{all:?}");
        assert_eq!(all[0], ("as typed", "plainsecret123".to_string()));
        assert!(forms("").is_empty(), "an empty value would match every file");
    }

    #[test]
    fn short_cores_are_not_searched() {
        assert!(forms("abcd").iter().all(|(_, f)| f.len() >= 4));
        assert_eq!(embedded_core(b"abc", 0, false), "YWJj");
        assert_eq!(embedded_core(b"abcd", 0, false), "YWJjZ");
        assert_eq!(embedded_core(b"abcd", 1, false), "FiY2");
    }
}
