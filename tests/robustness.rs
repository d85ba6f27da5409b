//! No input makes authgen panic or stall. A property test with a fixed seed
//! mutates real specs and API docs (line breaks of every kind, YAML syntax,
//! format characters, spliced and duplicated lines) and feeds them to the
//! same library calls the commands make: spec reading, lint, planning and
//! rendering; doc analysis; the spec editor. Every case must end in a result
//! or a typed error whose exit code is 1 or 2, within 2 s. A sample goes
//! through the real binary too. Numeric options are range-checked; a spec
//! at the size limit is handled quickly, a larger one refused.
//!
//! AUTHGEN_FUZZ_CASES (default 100000, split over the three targets) and
//! AUTHGEN_FUZZ_SEED (default fixed) change the run.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use authgen::error::Error;
use authgen::layout::SourcePaths;
use authgen::plan::{AuthPlan, HttpClient, Overrides, Places};
use authgen::render::Renderer;
use authgen::spec::ConnectorSpec;
use authgen::specwrite::{Connection, Mode, Param};
use common::rng::Rng;
use common::*;

const SLOW: Duration = Duration::from_secs(2);

fn seed() -> u64 {
    std::env::var("AUTHGEN_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED_A17E_0000_0013)
}

/// Cases per target: a third of AUTHGEN_FUZZ_CASES each (100,000 in all by default).
fn cases() -> usize {
    std::env::var("AUTHGEN_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000_usize).div_ceil(3)
}

/// Pieces that matter to a YAML reader, a Markdown scanner or a terminal.
const TOKENS: &[&str] = &[
    "\r",
    "\r\n",
    "\n",
    "\n\n",
    "\t",
    " ",
    "  ",
    ": ",
    ":",
    "- ",
    "-",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"",
    "'",
    "\\",
    "#",
    "&a ",
    "*a",
    "!!str ",
    "!!binary ",
    "? ",
    "|",
    ">",
    "|-\n",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "~",
    "null",
    "true",
    "{param}",
    "{",
    "}}",
    "{{",
    "{%",
    "%}",
    "$",
    "`",
    "```",
    "```bash\n",
    "curl -H 'Authorization: Bearer x' ",
    "Authorization",
    "Bearer ",
    "api_key",
    "token",
    "https://",
    "http://127.0.0.1:1/",
    "?x=",
    "&",
    "%2F",
    "\u{0}",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{2028}",
    "\u{2029}",
    "\u{200b}",
    "\u{202e}",
    "\u{feff}",
    "é",
    "§",
    "😀",
    "\u{10ffff}",
    "0x1F",
    "1e300",
    "-0",
    "9999999999999999999999",
    ".inf",
    ".nan",
    "<<: *a\n",
    "name",
    "parameters:",
    "auth_methods:",
    "verification:",
    "oauth:",
    "secret: true",
    "auth: ",
    "header: ",
    "endpoint: /",
    "base_url: ",
    "method_for:",
    "derive:",
    "select_by: ",
    "defaults:",
    "token_url: ",
    "scopes: ",
    "# Authentication\n",
    "| a | b |\n",
    "<!--",
];

/// Inputs are kept under this size so that 100,000 cases stay quick; the
/// size limit itself is tested on its own below.
const MAX_INPUT: usize = 64 * 1024;

/// `text` with one to four random edits, at character boundaries.
fn mutate(rng: &mut Rng, text: &str, others: &[String]) -> String {
    let mut out = mutate_any(rng, text, others);
    out.truncate(boundary(&out, MAX_INPUT));
    out
}

fn mutate_any(rng: &mut Rng, text: &str, others: &[String]) -> String {
    let mut out = text.to_string();
    for _ in 0..=rng.below(4) {
        let at = boundary(&out, rng.below(out.len() + 1));
        match rng.below(9) {
            0 | 1 => {
                let token = rng.pick::<&str>(TOKENS);
                out.insert_str(at, token);
            }
            2 => {
                let end = boundary(&out, at + rng.below(40));
                let token = rng.pick::<&str>(TOKENS);
                out.replace_range(at..end, token);
            }
            3 => {
                let end = boundary(&out, at + rng.below(200));
                out.replace_range(at..end, "");
            }
            4 => {
                // Repeat a line: long lists, duplicated keys.
                let start = out[..at].rfind('\n').map_or(0, |i| i + 1);
                let end = out[at..].find('\n').map_or(out.len(), |i| at + i + 1);
                let line = out[start..end].to_string();
                let most = if rng.below(50) == 0 { 2000 } else { 4 };
                let times = 1 + rng.below(most);
                out.insert_str(end, &line.repeat(times));
            }
            5 => {
                // A line of another file.
                let other = rng.pick(others);
                let lines: Vec<&str> = other.lines().collect();
                if !lines.is_empty() {
                    let line = format!("{}\n", rng.pick(&lines));
                    out.insert_str(at, &line);
                }
            }
            6 => {
                let ending = *rng.pick(&["\r", "\r\n", "\n\r"]);
                out = out.replace('\n', ending);
            }
            7 => {
                // Shift indentation of the rest of a line.
                out.insert_str(at, &" ".repeat(rng.below(9)));
            }
            _ => {
                let c = char::from_u32(rng.next() as u32 % 0x11_0000).unwrap_or('\u{fffd}');
                out.insert(at, c);
            }
        }
    }
    out
}

fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn read_all(dir: &Path, name_ends: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(name_ends) {
                out.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    out.sort();
    out
}

fn specs() -> Vec<String> {
    read_all(&fixtures_dir(), ".yaml")
}

fn docs() -> Vec<String> {
    let mut docs = read_all(&manifest_dir().join("tests/fixtures/docs"), ".md");
    docs.extend(read_all(&fixtures_dir(), ".md"));
    // Keep cases small and quick: a window of each long doc.
    docs.iter()
        .flat_map(|d| {
            let cut = |s: usize| boundary(d, s);
            (0..d.len()).step_by(1000).map(move |s| d[cut(s)..cut(s + 1200)].to_string())
        })
        .collect()
}

/// How the command would end: 0, or the error's exit code.
fn code<T>(result: &Result<T, Error>) -> i32 {
    result.as_ref().map_or_else(Error::code, |_| 0)
}

/// Run `case` on every generated input, spread over the machine's cores;
/// fail on a panic, an exit code other than 0/1/2, or a case taking over
/// 2 s of CPU time, saving the input. Case `n` is the same input whatever
/// the number of threads: its generator is seeded from `n`.
fn property(target: &str, corpus: &[String], others: &[String], case: &(dyn Fn(&str) -> i32 + Sync)) {
    let target_seed = seed() ^ target.bytes().fold(0_u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let started = Instant::now();
    let threads = std::thread::available_parallelism().map_or(2, usize::from).clamp(1, 8);
    let total = cases();
    let results: Vec<([usize; 3], Duration)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut codes = [0usize; 3];
                    let mut slowest = Duration::ZERO;
                    for n in (t..total).step_by(threads) {
                        let mut rng = Rng(target_seed ^ (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                        let base = rng.pick(corpus);
                        let input = mutate(&mut rng, base, others);
                        // CPU time of this thread: other work sharing the machine does not count.
                        let t = cpu_time();
                        let outcome = catch_unwind(AssertUnwindSafe(|| case(&input)));
                        let took = cpu_time().saturating_sub(t);
                        slowest = slowest.max(took);
                        let fail = |why: String| -> ! {
                            let saved = std::env::temp_dir().join(format!("authgen-robustness-{target}-{n}.txt"));
                            let _ = std::fs::write(&saved, &input);
                            panic!("{target} case {n} (seed {:#x}): {why}; input saved to {}", seed(), saved.display());
                        };
                        match outcome {
                            Ok(c @ 0..=2) => codes[c as usize] += 1,
                            Ok(other) => fail(format!("exit code {other}")),
                            Err(_) => fail("panicked (exit 101)".into()),
                        }
                        if took > SLOW {
                            fail(format!("took {took:?} of CPU time"));
                        }
                    }
                    (codes, slowest)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    let mut codes = [0usize; 3];
    let mut slowest = Duration::ZERO;
    for (c, s) in results {
        for i in 0..3 {
            codes[i] += c[i];
        }
        slowest = slowest.max(s);
    }
    eprintln!(
        "{target}: {total} cases on {threads} threads in {:?}: exit 0 ×{}, 1 ×{}, 2 ×{}; slowest {slowest:?} of CPU time",
        started.elapsed(),
        codes[0],
        codes[1],
        codes[2]
    );
    assert!(codes[0] > 0 && codes[2] > 0, "{target}: the cases never succeed or never fail: {codes:?}");
}

fn cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes the timespec it is given and nothing else.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn spec_path() -> PathBuf {
    PathBuf::from("src/databricks/labs/community_connector/sources/fuzz/connector_spec.yaml")
}

#[test]
fn spec_text_never_panics_or_stalls() {
    let corpus = specs();
    let renderer = Renderer::new(None).unwrap();
    let path = spec_path();
    property("spec", &corpus, &corpus, &|text| {
        let spec = match ConnectorSpec::parse(&path, text.to_string()) {
            Ok(spec) => spec,
            Err(e) => return e.code(),
        };
        let problems = authgen::lint::lint(&spec);
        let worst = i32::from(!problems.is_empty());
        let client = if text.len() % 2 == 0 { HttpClient::Requests } else { HttpClient::Urllib };
        let plan = AuthPlan::build(&spec, "fuzz", client, &Overrides::default(), Places::default());
        let rendered = plan.and_then(|plan| renderer.render(&plan));
        worst.max(code(&rendered))
    });
}

/// Paths of the `fuzz` source in the default layout (only the spec's is used).
fn source_paths() -> SourcePaths {
    let at = |p: &str| PathBuf::from(p);
    SourcePaths {
        source: "fuzz".into(),
        spec: spec_path(),
        doc: at("doc.md"),
        test: at("auth_test.py"),
        credentials: at("dev_config.json"),
        loader: at("test_utils.py"),
        runtime: at("authgen_runtime.py"),
    }
}

#[test]
fn doc_text_never_panics_or_stalls() {
    let corpus = docs();
    let paths = source_paths();
    let specs = specs();
    property("doc", &corpus, &corpus, &|text| {
        let analysis = authgen::analyze::analyze(text);
        let want = authgen::ops::analysis::connection_from_analysis("fuzz", &analysis, None).connection;
        // One case in 32 goes on as `analyze --write` does: merge into a
        // spec, new or existing (the editor has a target of its own).
        if text.len() % 32 != 0 {
            return 0;
        }
        let old = specs.get(text.len() / 32 % (specs.len() + 1));
        code(&authgen::ops::spec_merge::merge(&paths, old.map(String::as_str), &want, Mode::Fill))
    });
}

#[test]
fn the_spec_editor_never_panics_or_stalls() {
    let corpus = specs();
    let paths = source_paths();
    let node = authgen::specwrite::emit::Node::text;
    let wants = [
        Connection {
            params: vec![Param::new("token", true)],
            verification: vec![("auth".into(), node("bearer")), ("endpoint".into(), node("/me"))],
            ..Connection::default()
        },
        Connection {
            display_name: "Fuzz".into(),
            params: vec![Param::new("subdomain", false), Param::new("api_token", true)],
            verification: vec![
                ("base_url".into(), node("https://{subdomain}.example.com/api")),
                ("endpoint".into(), node("/users/me.json")),
                ("auth".into(), node("basic")),
                ("username".into(), node("{email}/token")),
            ],
            ..Connection::default()
        },
    ];
    property("editor", &corpus, &corpus, &|text| {
        let want = &wants[text.len() % wants.len()];
        let mode = if text.len() % 3 == 0 { Mode::Replace } else { Mode::Fill };
        code(&authgen::ops::spec_merge::merge(&paths, Some(text), want, mode))
    });
}

#[test]
fn a_sample_through_the_binary_exits_0_1_or_2_quickly() {
    let specs = specs();
    let docs = docs();
    let repo = Test::new();
    let mut rng = Rng(seed());
    for n in 0..60 {
        let spec_base = rng.pick(&specs).clone();
        let spec = mutate(&mut rng, &spec_base, &specs);
        let doc_base = rng.pick(&docs).clone();
        let doc = mutate(&mut rng, &doc_base, &docs);
        repo.write(spec_path(), &spec);
        repo.write(Path::new(SPEC_DIR).join("fuzz/fuzz_api_doc.md"), &doc);
        let commands: [&[&str]; 4] = [
            &["lint", "fuzz"],
            &["generate", "fuzz", "--dry-run"],
            &["analyze", "fuzz"],
            &["spec", "fuzz", "--auth", "bearer", "--endpoint", "/me", "--dry-run"],
        ];
        for args in commands {
            let (code, took) = cpu_of(repo.authgen(args).command());
            assert!(
                matches!(code, Some(0..=2)) && took < SLOW,
                "case {n}: authgen {args:?} exit {code:?} after {took:?} of CPU time\nspec:\n{spec:?}\ndoc:\n{doc:?}"
            );
        }
    }
}

#[test]
fn yaml_with_bare_cr_line_breaks_is_edited_in_place() {
    for ending in ["\r", "\r\n", "\n"] {
        let repo = Test::with_fixtures(&["github"]);
        let spec = repo.read_spec("github").replace('\n', ending);
        repo.write_spec("github", &spec);
        let out = repo
            .authgen(["spec", "github", "--auth", "bearer", "--endpoint", "/user", "--credential", "token", "--yes"])
            .run();
        out.assert_code(0);
        let written = repo.read_spec("github");
        assert!(written.contains(&format!("    auth: bearer{ending}")), "{ending:?}: {written:?}");
        assert!(written.starts_with(&format!("# GitHub connector spec (fixture){ending}display_name: GitHub{ending}")));
        let breaks = written.matches(['\r', '\n']).count();
        assert_eq!(written.matches(ending).count() * ending.len(), breaks, "{ending:?}: mixed line breaks");
        repo.authgen(["generate", "github", "--dry-run"]).success();
    }
}

#[test]
fn numeric_options_are_range_checked_when_parsed() {
    let repo = Test::with_fixtures(&["github"]);
    let cases: [&[&str]; 9] = [
        &["run", "github", "--timeout", "1e300"],
        &["run", "github", "--timeout", "inf"],
        &["run", "github", "--timeout", "NaN"],
        &["run", "github", "--timeout", "0"],
        &["run", "github", "--timeout=-1"],
        &["credentials", "github", "--timeout", "18446744073709551615"],
        &["credentials", "github", "--timeout", "0"],
        &["setup", "github", "--credentials-timeout", "18446744073709551616"],
        &["setup", "github", "--timeout", "604801"],
    ];
    for args in cases {
        let out = repo.authgen(args).run();
        out.assert_code(2).assert_wrote_nothing();
        assert!(out.stderr.contains("--timeout") || out.stderr.contains("--credentials-timeout"), "{}", out.stderr);
        assert!(out.stderr.contains("seconds"), "{args:?}: {}", out.stderr);
    }
}

/// Run `cmd` (output discarded) and return its exit code and the CPU time
/// it used: unlike wall time, that does not grow when the machine is busy.
fn cpu_of(mut cmd: std::process::Command) -> (Option<i32>, Duration) {
    use std::process::Stdio;
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it and the status.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, whose pid we hold.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert!(pid > 0, "wait4 failed");
    // Already reaped by wait4: this only tells the handle so (an ECHILD error).
    let _ = child.wait();
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    (code, time(usage.ru_utime) + time(usage.ru_stime))
}

/// A spec of `params` parameters (about 110 bytes each).
fn big_spec(params: usize) -> String {
    let mut text = String::from(
        "display_name: Big\nconnection:\n  parameters:\n    - name: token\n      type: string\n      required: true\n      secret: true\n      description: Token.\n",
    );
    for i in 0..params {
        text.push_str(&format!(
            "    - name: p{i}\n      type: string\n      required: false\n      description: Parameter number {i} of many.\n"
        ));
    }
    text.push_str("  verification:\n    base_url: https://api.acme.io\n    endpoint: /me\n    auth: bearer\n    credential: token\n");
    text
}

#[test]
fn a_spec_at_the_size_limit_is_read_and_planned_quickly_and_a_larger_one_is_refused() {
    let limit = authgen::error::MAX_TEXT_BYTES as usize;
    let repo = Test::new();
    // Just under 4 MiB: about 38,000 parameters.
    let mut params = limit / 110;
    let mut spec = big_spec(params);
    while spec.len() > limit {
        params -= 200;
        spec = big_spec(params);
    }
    repo.write(spec_path(), &spec);
    for args in [&["lint", "fuzz"][..], &["generate", "fuzz", "--dry-run"]] {
        let (code, took) = cpu_of(repo.authgen(args).command());
        assert!(matches!(code, Some(0 | 1)), "{args:?}: exit {code:?}");
        assert!(took < Duration::from_secs(5), "{args:?} on a {} byte spec took {took:?} of CPU time", spec.len());
    }
    // 50 MB: refused before it is parsed.
    let huge = big_spec(50_000_000 / 110);
    repo.write(spec_path(), &huge);
    for args in [
        &["lint", "fuzz"][..],
        &["generate", "fuzz", "--dry-run"],
        &["spec", "fuzz", "--auth", "bearer", "--endpoint", "/me"],
    ] {
        let started = Instant::now();
        let out = repo.authgen(args).timeout(Duration::from_secs(60)).run();
        assert!(started.elapsed() < Duration::from_secs(5), "{args:?} took {:?}", started.elapsed());
        out.assert_code(2);
        assert!(out.output().contains("larger than 4 MiB"), "{args:?}: {}", out.output());
    }
}

#[test]
fn the_spec_editor_is_linear_on_a_one_line_flow_spec() {
    // 20,000 parameters on one line (590 KB): counting each mark's column
    // from the line's start made this take minutes.
    let items: Vec<String> = (0..20_000).map(|i| format!("{{name: p{i}, type: string}}")).collect();
    let spec = format!(
        "display_name: F\nconnection: {{parameters: [{{name: token, type: string, secret: true}}, {}], verification: {{endpoint: /me, auth: bearer, credential: token}}}}\n",
        items.join(", ")
    );
    let repo = Test::new();
    repo.write(spec_path(), &spec);
    let args = ["spec", "fuzz", "--auth", "bearer", "--endpoint", "/me", "--base-url", "https://api.example.com"];
    let (code, took) = cpu_of(repo.authgen(args).arg("--dry-run").command());
    assert!(matches!(code, Some(0 | 1)), "exit {code:?}");
    assert!(took < Duration::from_secs(10), "took {took:?} of CPU time");
}

#[test]
fn lint_reporting_thousands_of_problems_stays_linear() {
    // Each problem's line and column came from indexing the whole spec again.
    let spec = big_spec(20_000).replace("    - name: p", "    - name: token_p");
    let repo = Test::new();
    repo.write(spec_path(), &spec);
    let (code, took) = cpu_of(repo.authgen(["lint", "fuzz"]).command());
    assert_eq!(code, Some(1));
    assert!(took < Duration::from_secs(10), "took {took:?} of CPU time");
    let out = repo.authgen(["lint", "fuzz"]).run();
    assert!(out.output().contains("20000 problem(s)"), "{}", out.stderr);
}
