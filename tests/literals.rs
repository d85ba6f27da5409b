//! Property test of the one path by which spec text reaches Python.
//!
//! 10,000 generated strings (quotes, triple quotes, backslashes, `\N{...}`,
//! braces, `%`, line breaks, NUL, bidi and other invisible characters,
//! non-ASCII and astral characters) go into every string field a spec can
//! carry into the generated file. One Python process then compiles and
//! executes every rendered file and checks that each value reads back as the
//! exact original string. Values that can never be valid (header names with
//! non-token characters, header values with line breaks, non-http(s) URLs)
//! must instead be refused with the spec's path, key and line.

mod common;

use std::io::Write as _;
use std::path::Path;

use authgen::error::Error;
use authgen::plan::pylit::py_str;
use authgen::plan::{AuthPlan, HttpClient, Overrides};
use authgen::render::Renderer;
use authgen::spec::ConnectorSpec;
use common::mock::percent_encode;
use common::rng::Rng;
use common::*;
use serde_json::{Value, json};

const CASES: usize = 10_000;

const PIECES: &[&str] = &[
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "\\",
    "\\\\",
    "\\N{BULLET}",
    "\\x41",
    "\\u0041",
    "\\'",
    "\\\"",
    "{",
    "}",
    "{{",
    "}}",
    "{token}",
    "{x}",
    "%s",
    "%",
    "%(a)s",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "\0",
    "#",
    " ",
    "  ",
    "é",
    "Zürich",
    "日本",
    "😀",
    "\u{202e}",
    "\u{2066}",
    "\u{2028}",
    "\u{2029}",
    "\u{feff}",
    "\u{85}",
    "\u{a0}",
    "\u{7f}",
    "\u{1b}",
    "\u{200b}",
    "${x}",
    "{{ config }}",
    "{% raw %}",
    "{# c #}",
    "__import__('os').system('touch /tmp/authgen-pwned')",
    "f\"{x}\"",
    "b'",
    "r'",
    "u'",
    ")",
    "]",
    ",",
    ":",
    "=",
    ";",
    "--",
    "*/",
    "<img src=x onerror=alert(1)>",
];

fn random_string(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(9) {
        match rng.below(4) {
            0 => {
                // Any Unicode scalar value (surrogates are not chars).
                let c = loop {
                    let raw = (rng.next() % 0x11_0000) as u32;
                    if let Some(c) = char::from_u32(raw) {
                        break c;
                    }
                };
                s.push(c);
            }
            1 => s.push((b' ' + rng.below(95) as u8) as char),
            _ => s.push_str(PIECES[rng.below(PIECES.len())]),
        }
    }
    s
}

/// What a header value may hold: printable ASCII and tabs, not leading whitespace.
fn header_ok(c: char) -> bool {
    matches!(c, ' '..='~' | '\t')
}

/// Header values and prefixes hold printable ASCII, no leading whitespace;
/// their braces are doubled, since a single `{name}` is a placeholder.
fn header_safe(s: &str) -> String {
    escaped(s.chars().filter(|c| header_ok(*c)).collect::<String>().trim_start_matches([' ', '\t']))
}

/// Literal braces in a sent value (not a URL) are written doubled.
fn escaped(s: &str) -> String {
    s.replace('{', "{{").replace('}', "}}")
}

/// Braces that are `{{`, `}}` or a placeholder naming one of `known`.
fn braces_ok(s: &str, known: &[&str]) -> bool {
    let mut rest = s;
    while let Some(i) = rest.find(['{', '}']) {
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            rest = &tail[2..];
            continue;
        }
        match tail.strip_prefix('{').and_then(|t| t.split_once('}')) {
            Some((name, after)) if known.contains(&name) => rest = after,
            _ => return false,
        }
    }
    true
}

fn spec_yaml(value: &Value) -> String {
    serde_yaml::to_string(value).expect("yaml")
}

fn build(yaml: String) -> Result<AuthPlan, Error> {
    let spec = ConnectorSpec::parse(Path::new("case/connector_spec.yaml"), yaml)?;
    AuthPlan::build(&spec, "case", HttpClient::Requests, &Overrides::default(), authgen::plan::Places::default())
}

/// One spec with generated strings in every free-text field, and the values
/// the rendered file must hold.
fn case(i: usize, rng: &mut Rng) -> (Value, Value) {
    let s: Vec<String> = (0..9).map(|_| random_string(rng)).collect();
    let base_url = format!("https://api.example.com/{}", percent_encode(&s[6]));
    let endpoint = format!("/{}", percent_encode(&s[7]));
    let mut verification = json!({
        "base_url": base_url,
        "endpoint": endpoint,
        "headers": {"X-Test": header_safe(&s[2])},
        "params": {s[3].clone(): escaped(&s[4])},
        "show": s[5],
    });
    let mut parameters =
        vec![json!({"name": "token", "type": "string", "required": true, "secret": true, "description": s[1]})];
    let mut expect = json!({
        "display": s[0],
        "base_url": base_url,
        "endpoint": endpoint,
        "headers": {"X-Test": header_safe(&s[2])},
        "params": {s[3].clone(): escaped(&s[4])},
        "show_label": s[5],
    });
    let extra = &s[8];
    let v = verification.as_object_mut().expect("object");
    let e = expect.as_object_mut().expect("object");
    match i % 5 {
        0 => {
            v.insert("auth".into(), json!("bearer"));
            v.insert("prefix".into(), json!(header_safe(extra)));
            e.insert("prefix".into(), json!(header_safe(extra)));
        }
        1 => {
            let q = if extra.is_empty() { "k".to_string() } else { extra.clone() };
            v.insert("auth".into(), json!("api_key_query"));
            v.insert("query_param".into(), json!(q));
            e.insert("query_param".into(), json!(q));
        }
        2 => {
            // Literal user name text: braces would be placeholders.
            let user: String = extra.chars().filter(|c| *c != '{' && *c != '}').collect();
            v.insert("auth".into(), json!("basic"));
            v.insert("username".into(), json!(user));
            v.insert("password".into(), json!("token"));
            // A user name that is a parameter's name means that parameter.
            let rendered = if user == "token" { "{token}".to_string() } else { user.clone() };
            e.insert("username".into(), json!(rendered));
        }
        3 => {
            let token_url = format!("https://login.example.com/{}/token", percent_encode(extra));
            let scopes = escaped(&s[1].chars().filter(|c| !c.is_control()).collect::<String>());
            v.insert("auth".into(), json!("oauth_client_credentials"));
            v.insert("token_url".into(), json!(token_url));
            v.insert("scopes".into(), json!(scopes));
            parameters.push(json!({"name": "client_id", "type": "string", "required": true}));
            parameters.push(json!({"name": "client_secret", "type": "string", "required": true, "secret": true}));
            e.insert("token_url".into(), json!(token_url));
            e.insert("scopes".into(), if scopes.trim().is_empty() { Value::Null } else { json!(scopes) });
        }
        _ => {
            v.insert("auth".into(), json!("api_key_header"));
            v.insert("header".into(), json!("X-Key"));
            v.insert("prefix".into(), json!(header_safe(extra)));
            e.insert("prefix".into(), json!(header_safe(extra)));
        }
    }
    let spec = json!({
        "display_name": s[0],
        "connection": {"parameters": parameters, "verification": verification},
        "external_options_allowlist": "",
    });
    (spec, expect)
}

const CHECKER: &str = r#"
import ast, json, sys

failures = []
files = 0
literals = 0
with open(sys.argv[1], encoding="utf-8") as cases:
    for line in cases:
        case = json.loads(line)
        for lit, original in case["literals"]:
            literals += 1
            if ast.literal_eval(lit) != original:
                failures.append(f"literal {lit!r} != {original!r}")
        # The shared runtime sits one directory up, where the default layout puts it.
        ns = {"__name__": "authgen_case", "__file__": sys.argv[2] + "/case/auth_test.py"}
        exec(compile(case["source"], f"case{case['i']}", "exec"), ns)
        files += 1
        # A single-method file states its facts as module constants.
        method = {k.lower(): v for k, v in ns.items() if k.isupper()}
        got = {"display": ns["DISPLAY_NAME"], "headers": method["headers"], "params": method["params"]}
        for key in ("base_url", "endpoint", "show_label", "prefix", "query_param", "username", "token_url", "scopes"):
            if key in method:
                got[key] = method[key]
        for key, want in case["expect"].items():
            if got.get(key) != want:
                failures.append(f"case {case['i']}: {key}: {got.get(key)!r} != {want!r}")
        for step in method.get("show", ()):
            if isinstance(step, str) and step not in method["show_label"]:
                failures.append(f"case {case['i']}: show step {step!r} not in label")
print(json.dumps({"files": files, "literals": literals, "failures": failures[:20], "failed": len(failures)}))
"#;

#[test]
fn ten_thousand_generated_strings_render_as_exact_python_literals() {
    let renderer = Renderer::new(None).expect("templates");
    let dir = tempfile::tempdir().expect("tempdir");
    let cases_path = dir.path().join("cases.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&cases_path).expect("create"));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..CASES {
        let (spec, expect) = case(i, &mut rng);
        let plan = build(spec_yaml(&spec)).unwrap_or_else(|e| panic!("case {i} refused: {e}\n{spec}"));
        let source = renderer.render(&plan).expect("render");
        let strings = [random_string(&mut rng), random_string(&mut rng)];
        let literals: Vec<(String, &String)> = strings.iter().map(|s| (py_str(s), s)).collect();
        let line = json!({"i": i, "source": source, "expect": expect, "literals": literals});
        writeln!(out, "{line}").expect("write");
    }
    out.flush().expect("flush");
    drop(out);
    let mut checker = std::process::Command::new(python());
    std::fs::create_dir(dir.path().join("case")).expect("mkdir");
    std::fs::write(dir.path().join("authgen_runtime.py"), renderer.render_runtime().expect("runtime")).expect("write");
    let checked =
        scrub(&mut checker).arg("-c").arg(CHECKER).arg(&cases_path).arg(dir.path()).output().expect("run the checker");
    assert!(checked.status.success(), "checker crashed:\n{}", text(&checked.stderr));
    let report: Value = serde_json::from_slice(&checked.stdout).expect("report");
    assert_eq!(report["failed"], 0, "{report:#}");
    assert_eq!(report["files"], CASES);
    assert_eq!(report["literals"], CASES * 2);
}

/// Fields that can never hold some values: refused with path, key and line;
/// accepted values are exactly those the rules allow.
#[test]
fn invalid_values_are_refused_naming_file_key_and_line() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    let url_char = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c);
    for i in 0..CASES {
        let s = random_string(&mut rng);
        let field = i % 3;
        let mut verification = json!({"base_url": "https://api.example.com", "endpoint": "/me", "auth": "api_key_header", "header": "X-Key"});
        let (key, valid) = match field {
            0 => {
                verification["header"] = json!(s);
                ("connection.verification.header", !s.is_empty() && s.chars().all(token))
            }
            1 => {
                verification["prefix"] = json!(s);
                let valid = s.chars().all(header_ok) && !s.starts_with([' ', '\t']) && braces_ok(&s, &["api_key"]);
                ("connection.verification.prefix", valid)
            }
            _ => {
                let url = format!("https://api.example.com/{s}");
                verification["base_url"] = json!(url);
                ("connection.verification.base_url", s.chars().all(url_char))
            }
        };
        let spec = json!({"connection": {"parameters": [{"name": "api_key", "secret": true, "required": true}], "verification": verification}});
        match build(spec_yaml(&spec)) {
            Ok(_) => assert!(valid, "case {i}: {key} = {s:?} was accepted"),
            Err(Error::Input { path, pos, key: Some(k), .. }) => {
                assert!(!valid, "case {i}: {key} = {s:?} was refused");
                assert_eq!(k, key, "case {i}");
                assert_eq!(path, Path::new("case/connector_spec.yaml"));
                assert!(pos.is_some_and(|p| p.line > 1), "case {i}: no line");
            }
            Err(other) => panic!("case {i}: unexpected error {other}"),
        }
    }
}

#[test]
fn non_http_urls_and_unknown_variants_are_refused() {
    for (field, value, message) in [
        ("base_url", "ftp://files.example.com", "is not an http:// or https:// URL"),
        ("base_url", "javascript:alert(1)", "is not an http:// or https:// URL"),
        ("endpoint", "file:///etc/passwd", "is not a path or an http(s) URL"),
        ("auth", "kerberos", "unknown variant \"kerberos\""),
    ] {
        let mut verification = json!({"base_url": "https://api.example.com", "endpoint": "/me", "auth": "bearer"});
        verification[field] = json!(value);
        let spec =
            json!({"connection": {"parameters": [{"name": "token", "secret": true}], "verification": verification}});
        let err = build(spec_yaml(&spec)).expect_err(value).to_string();
        assert!(err.contains(&format!("connection.verification.{field}: ")), "{err}");
        assert!(err.contains(message), "{err}");
    }
    let missing = build(spec_yaml(&json!({"connection": {"verification": {"base_url": "https://x.example"}}})))
        .expect_err("endpoint");
    assert!(missing.to_string().contains("connection.verification.endpoint: no verification endpoint"), "{missing}");
}

#[test]
fn lone_surrogates_in_yaml_are_bad_input_not_a_crash() {
    for yaml in ["display_name: \"\\ud800\"\n", "display_name: \"\\udc00x\"\n"] {
        let err = ConnectorSpec::parse(Path::new("s.yaml"), yaml.to_string()).expect_err(yaml);
        assert_eq!(err.code(), 2);
        assert!(err.to_string().starts_with("s.yaml:1:"), "{err}");
    }
    // An escaped astral character is fine.
    let spec =
        ConnectorSpec::parse(Path::new("s.yaml"), "display_name: \"\\U0001F600\"\n".to_string()).expect("astral");
    assert_eq!(spec.display_name.as_deref(), Some("😀"));
}
