//! JUnit XML as CI services read it: one `<testsuite>` per command run, one
//! `<testcase>` per source; a failure carries a one-line message and, as its
//! text, the diff or the problems.

use std::fmt::Write as _;

/// How one source came out.
pub enum Outcome<'a> {
    Passed,
    Skipped {
        message: &'a str,
    },
    /// What was checked is not right (stale file, spec problem, failed test).
    Failed {
        kind: &'a str,
        message: &'a str,
        text: &'a str,
    },
    /// It could not be checked at all (unreadable spec, bad input).
    Error {
        kind: &'a str,
        message: &'a str,
        text: &'a str,
    },
}

/// One test case: a source and how it came out.
pub struct Case<'a> {
    pub name: &'a str,
    /// The file the case is about, relative to the repo root.
    pub file: Option<&'a str>,
    /// Seconds it took, where that means something (`run`).
    pub time: Option<f64>,
    pub outcome: Outcome<'a>,
    /// What the case printed (`run`: the script's output).
    pub output: Option<&'a str>,
}

/// A suite being written: the cases' XML, and the counts its header needs.
pub struct Suite {
    name: String,
    classname: String,
    cases: String,
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Suite {
    /// `command` names the suite (`authgen check`) and the cases' class (`authgen.check`).
    pub fn new(command: &str) -> Suite {
        Suite {
            name: format!("authgen {command}"),
            classname: format!("authgen.{command}"),
            cases: String::new(),
            tests: 0,
            failures: 0,
            errors: 0,
            skipped: 0,
        }
    }

    pub fn add(&mut self, case: &Case<'_>) {
        self.tests += 1;
        let out = &mut self.cases;
        let _ = write!(out, "    <testcase classname=\"{}\" name=\"{}\"", attr(&self.classname), attr(case.name));
        if let Some(file) = case.file {
            let _ = write!(out, " file=\"{}\"", attr(file));
        }
        if let Some(time) = case.time {
            let _ = write!(out, " time=\"{time:.3}\"");
        }
        out.push('>');
        match &case.outcome {
            Outcome::Passed => {}
            Outcome::Skipped { message } => {
                self.skipped += 1;
                let _ = write!(out, "\n      <skipped message=\"{}\"/>", attr(message));
            }
            Outcome::Failed { kind, message, text } => {
                self.failures += 1;
                result(out, "failure", kind, message, text);
            }
            Outcome::Error { kind, message, text } => {
                self.errors += 1;
                result(out, "error", kind, message, text);
            }
        }
        if let Some(output) = case.output {
            let _ = write!(out, "\n      <system-out>{}</system-out>", text(output));
        }
        if !matches!(case.outcome, Outcome::Passed) || case.output.is_some() {
            out.push_str("\n    ");
        }
        out.push_str("</testcase>\n");
    }

    /// The whole document.
    pub fn finish(self) -> String {
        let counts = format!(
            "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            self.tests, self.failures, self.errors, self.skipped
        );
        let name = attr(&self.name);
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{name}\" {counts}>\n  <testsuite name=\"{name}\" {counts}>\n{}  </testsuite>\n</testsuites>\n",
            self.cases
        )
    }
}

fn result(out: &mut String, element: &str, kind: &str, message: &str, body: &str) {
    let _ = write!(
        out,
        "\n      <{element} type=\"{}\" message=\"{}\">{}</{element}>",
        attr(kind),
        attr(message),
        text(body)
    );
}

/// Element text: markup escaped, and characters XML 1.0 cannot hold at all
/// (most control characters) written as `\xNN`, so any spec text is safe.
fn text(s: &str) -> String {
    escape(s, false)
}

/// An attribute value: as [`text`], with quotes escaped and line breaks kept
/// (a parser turns a raw one into a space).
fn attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_xml_cannot_hold_is_written_visibly() {
        assert_eq!(text("a<b>&\"c\"\u{1b}[0m\u{ffff}\n"), "a&lt;b&gt;&amp;\"c\"\\x1b[0m\\u{ffff}\n");
        assert_eq!(attr("say \"hi\"\nthen\tgo"), "say &quot;hi&quot;&#10;then&#9;go");
    }

    #[test]
    fn counts_follow_the_cases() {
        let mut suite = Suite::new("check");
        suite.add(&Case { name: "a", file: None, time: None, outcome: Outcome::Passed, output: None });
        let failed = Outcome::Failed { kind: "stale", message: "m", text: "diff" };
        suite.add(&Case { name: "b", file: Some("t/b.py"), time: None, outcome: failed, output: None });
        suite.add(&Case {
            name: "c",
            file: None,
            time: None,
            outcome: Outcome::Skipped { message: "s" },
            output: None,
        });
        let xml = suite.finish();
        assert!(
            xml.contains("<testsuite name=\"authgen check\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\">")
        );
        assert!(xml.contains("<failure type=\"stale\" message=\"m\">diff</failure>"), "{xml}");
    }
}
