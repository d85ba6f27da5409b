//! Run a source's generated test with the project's Python, and a verdict that
//! says what to do next.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::pipeline::{self, Options};
use crate::plan::{AuthPlan, CredentialPlan, SignedPlan};
use crate::render::Renderer;
use crate::runner::{self, Echo, RunOutcome, RunRequest};
use crate::sync::Status;
use crate::term;

/// Where the script will read credentials from, in its own order.
#[derive(Debug, Clone, Serialize)]
pub struct CredentialOrigin {
    pub kind: &'static str,
    pub location: String,
}

pub fn credential_origin(config: Option<&Path>, default: &Path) -> CredentialOrigin {
    if let Some(path) = config {
        return CredentialOrigin { kind: "file", location: path.display().to_string() };
    }
    if std::env::var("CONNECTOR_TEST_CONFIG_JSON").is_ok_and(|v| !v.trim().is_empty()) {
        return CredentialOrigin { kind: "variable", location: "CONNECTOR_TEST_CONFIG_JSON".into() };
    }
    if let Some(path) = std::env::var_os("CONNECTOR_TEST_CONFIG_PATH").filter(|v| !v.is_empty()) {
        return CredentialOrigin { kind: "file", location: PathBuf::from(path).display().to_string() };
    }
    CredentialOrigin { kind: "file", location: default.display().to_string() }
}

#[derive(Debug, Serialize)]
pub struct Verdict {
    pub source: String,
    pub exit_code: i32,
    pub verdict: String,
    pub next: String,
    pub credentials: CredentialOrigin,
    pub python: String,
    pub test: String,
    pub stale: bool,
    pub timed_out: bool,
    /// What the script printed (the JUnit report carries it; JSON readers got it on stderr).
    #[serde(skip)]
    pub output: String,
}

/// How to run one source's test.
pub struct RunOptions {
    pub python: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub timeout: f64,
    pub echo: Echo,
    /// Extra environment for the script (the demo's wrong-credential run).
    pub env: Vec<(String, String)>,
}

pub fn print_verdict(report: &Verdict) {
    let color = term::color_stderr();
    let label =
        if report.exit_code == 0 { term::paint(color, "1;32", "passed") } else { term::paint(color, "1;31", "failed") };
    eprintln!("{label}: {}; {}", report.verdict, report.next);
}

/// Run the source's generated test and explain the outcome.
pub fn execute(layout: &Layout, source: &str, opts: &RunOptions) -> Result<Verdict> {
    if !(opts.timeout > 0.0 && opts.timeout.is_finite()) {
        return Err(Error::Usage(format!("--timeout {}: give a number of seconds above 0", opts.timeout)));
    }
    let renderer = Renderer::new(layout.templates.as_deref())?;
    let prepared = pipeline::prepare(layout, &renderer, source, &Options::default())?;
    let rel = layout.rel(&prepared.paths.test).display().to_string();
    let stale = match prepared.change.status {
        Status::Added => {
            return Err(Error::Usage(format!(
                "{source}: {rel} does not exist yet: run `authgen generate {source}` first"
            )));
        }
        Status::Modified => {
            eprintln!(
                "{}: {rel} is stale against its spec (run `authgen generate {source}` to update it); running it as it is",
                term::paint(term::color_stderr(), "1;33", "warning")
            );
            true
        }
        Status::Unchanged => false,
    };
    let runtime = pipeline::runtime_change(layout, &renderer)?;
    let rel_runtime = runtime.rel.display();
    match runtime.status {
        Status::Added => {
            return Err(Error::Usage(format!(
                "{source}: {rel_runtime}, which the test imports, does not exist yet: run `authgen generate {source}` first"
            )));
        }
        Status::Modified => eprintln!(
            "{}: {rel_runtime} is stale (run `authgen generate {source}` to update it); running it as it is",
            term::paint(term::color_stderr(), "1;33", "warning")
        ),
        Status::Unchanged => {}
    }
    let python = runner::find_python(opts.python.as_deref(), &layout.root)?;
    let config = opts.config.as_ref().map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()));
    let mut env = opts.env.clone();
    if let Some(path) = &config {
        env.push(("CONNECTOR_TEST_CONFIG_PATH".to_string(), path.display().to_string()));
    }
    let json_override = env.iter().find(|(k, _)| k == "CONNECTOR_TEST_CONFIG_JSON").is_some();
    let origin = if json_override {
        CredentialOrigin { kind: "variable", location: "CONNECTOR_TEST_CONFIG_JSON".into() }
    } else {
        credential_origin(config.as_deref(), &prepared.paths.credentials)
    };
    let outcome = runner::run_script(&RunRequest {
        python: &python.path,
        script: &prepared.paths.test,
        cwd: &layout.root,
        env,
        // An explicit --config wins over a variable left in the shell.
        env_remove: if config.is_some() { vec!["CONNECTOR_TEST_CONFIG_JSON".into()] } else { Vec::new() },
        timeout: Duration::from_secs_f64(opts.timeout),
        echo: opts.echo,
    })?;
    let (verdict, next) = explain(source, &prepared.plan, &outcome, &origin, opts.timeout);
    Ok(Verdict {
        source: source.to_string(),
        exit_code: outcome.code,
        verdict,
        next,
        credentials: origin,
        python: python.path.display().to_string(),
        test: rel,
        stale,
        timed_out: outcome.timed_out,
        output: outcome.output,
    })
}

/// The one-line verdict and the next step, from the exit code and output.
pub fn explain(
    source: &str,
    plan: &AuthPlan,
    outcome: &RunOutcome,
    origin: &CredentialOrigin,
    timeout: f64,
) -> (String, String) {
    let out = outcome.output.as_str();
    let creds = match origin.kind {
        "variable" => format!("the {} variable", origin.location),
        _ => origin.location.clone(),
    };
    if outcome.timed_out {
        return (
            format!("{source}: no result within {timeout} s; the test was stopped"),
            "check that the host answers, or raise --timeout".into(),
        );
    }
    if matches!(outcome.code, 1 | 2)
        && let Some(found) = signed_failure(source, plan, out, &creds)
    {
        return found;
    }
    match outcome.code {
        0 => (format!("{source} authenticated"), format!("commit the test with `authgen commit {source}`")),
        // Before the status checks: a token error quotes the token endpoint's status.
        1 if out.contains("OAuth token error") => {
            let error = after(out, "grant, HTTP ", "\n").unwrap_or_default();
            let (status, said) = error.split_once("): ").unwrap_or(("", error.as_str()));
            let fields = client_fields(plan, out);
            (
                format!("{source}: the OAuth token endpoint refused the credentials (HTTP {status}): {said}"),
                format!(
                    "check {fields} in {creds}; an answer without an access_token is a refusal, whatever its status"
                ),
            )
        }
        1 if out.contains("the answer is an HTML page") => (
            format!("{source}: the server answered with a web page (a sign-in page?), not the API's JSON"),
            format!(
                "the credentials were probably not accepted: check the values in {creds}, and that the base URL is the API's, not its web site"
            ),
        ),
        1 if out.contains("a 203 is not the API's own answer") => (
            format!("{source}: a proxy or gateway answered (HTTP 203), not the API"),
            "check the base URL and any proxy between here and the API".into(),
        ),
        1 if out.contains("HTTP 401") => (
            format!("{source}: the server rejected the credentials (HTTP 401)"),
            format!("check the values in {creds}, or collect them again with `authgen credentials {source}`"),
        ),
        1 if out.contains("HTTP 403") => (
            format!("{source}: the credentials were accepted but lack permission (HTTP 403)"),
            format!("grant {}", permissions(plan, out)),
        ),
        1 => (format!("{source}: the check failed"), "see the script's message above".into()),
        2 if out.contains("has no requests package") => (
            format!("{source}: this Python has no requests package"),
            format!(
                "`pip install requests` for that Python (or pass another with --python), or `authgen generate {source} --http-client urllib`"
            ),
        ),
        2 if out.contains("cannot apply") || out.contains("cannot go into") || out.contains("not a valid HTTP") => {
            let why = out.lines().find(|l| l.contains(": credentials incomplete: ")).unwrap_or_default();
            let why = why.split_once(": credentials incomplete: ").map_or("", |(_, w)| w);
            (
                format!("{source}: a credential value does not fit where it goes: {why}"),
                format!("correct that value in {creds}; the check sent nothing"),
            )
        }
        2 if out.contains("names no auth method") => (
            format!("{source}: the credentials name no auth method the spec has"),
            format!("set the parameter the spec selects by to one of the methods the message lists, in {creds}"),
        ),
        2 if out.contains("which HTTP headers cannot") => (
            format!("{source}: a credential value holds a character HTTP headers cannot carry"),
            format!("check the values in {creds} (a stray space, line separator or invisible mark from a paste)"),
        ),
        2 => {
            let missing = after(out, "missing required parameter(s) ", " in ")
                .or_else(|| after(out, "has all its parameters in ", "\n"))
                .unwrap_or_else(|| "credentials".into());
            (
                format!("{source}: credentials missing or incomplete ({missing})"),
                format!("run `authgen credentials {source}` (reading {creds})"),
            )
        }
        3 => {
            let host =
                after(out, "cannot reach ", ": ").map(|url| host_of(&url)).unwrap_or_else(|| "the server".into());
            // The script names the token URL's variable when the token request
            // was the one that failed; the API's base URL was never tried then.
            let next = if unreachable_line(out).is_some_and(|line| line.contains("CONNECTOR_TEST_TOKEN_URL")) {
                "check the OAuth token URL, the network or proxy, or set CONNECTOR_TEST_TOKEN_URL"
            } else {
                "check the base URL, the network or proxy, or set CONNECTOR_TEST_BASE_URL"
            };
            (format!("{source}: could not reach {host}"), next.into())
        }
        code => (format!("{source}: the test ended with exit code {code}"), "see its output above".into()),
    }
}

/// The token request's client fields (and what else it sends) for the method that ran.
fn client_fields(plan: &AuthPlan, output: &str) -> String {
    let method = plan
        .methods
        .iter()
        .find(|m| m.name.as_ref().is_some_and(|n| output.contains(&format!("(auth method {n})"))))
        .or_else(|| plan.methods.iter().find(|m| matches!(m.credential, CredentialPlan::Oauth(_))));
    let Some(CredentialPlan::Oauth(o)) = method.map(|m| &m.credential) else {
        return "client_id, client_secret (and refresh_token)".into();
    };
    let mut fields = vec![o.client_id.clone(), o.client_secret.clone()];
    fields.extend(o.refresh_token.clone());
    let mut sent: Vec<&str> = o.token_params.iter().map(|(k, _)| k.as_str()).collect();
    sent.extend(o.audience.as_ref().map(|_| "audience"));
    let also = if sent.is_empty() { String::new() } else { format!(" and the {} the spec sends", sent.join(", ")) };
    format!("{}{also}", fields.join(", "))
}

/// The scopes or permissions the spec names for the method that ran.
fn permissions(plan: &AuthPlan, output: &str) -> String {
    let method = plan
        .methods
        .iter()
        .find(|m| m.name.as_ref().is_some_and(|n| output.contains(&format!("(auth method {n})"))))
        .or(plan.methods.first());
    if let Some(m) = method
        && let CredentialPlan::Oauth(o) = &m.credential
        && let Some(scopes) = &o.scopes
    {
        return format!("the scopes the spec names: {scopes}");
    }
    let hints: Vec<String> = plan
        .parameters
        .iter()
        .filter_map(|p| {
            let d = p.description.as_deref()?;
            let lower = d.to_ascii_lowercase();
            (lower.contains("scope") || lower.contains("permission") || lower.contains("access"))
                .then(|| format!("{}: {}", p.name, d.split_whitespace().collect::<Vec<_>>().join(" ")))
        })
        .collect();
    if hints.is_empty() {
        "the permissions or scopes this call needs to the credential".into()
    } else {
        format!("what the spec says the credential needs ({})", hints.join("; "))
    }
}

/// The script's line that says which address it could not reach.
fn unreachable_line(text: &str) -> Option<&str> {
    text.lines().find(|line| line.contains("cannot reach "))
}

fn after(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let rest = &text[from..];
    let to = rest.find(end).unwrap_or(rest.len());
    Some(rest[..to].trim().to_string())
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or(rest).to_string()
}

/// The failures of signed and session auth, said in their own terms: an AWS
/// signature refused, a login refused, a signed JWT refused by the token endpoint.
fn signed_failure(source: &str, plan: &AuthPlan, out: &str, creds: &str) -> Option<(String, String)> {
    let names = |pick: fn(&SignedPlan) -> Vec<String>| -> String {
        let found: Vec<String> = plan
            .methods
            .iter()
            .filter_map(|m| match &m.credential {
                CredentialPlan::Signed(s) => Some(pick(s)),
                _ => None,
            })
            .flatten()
            .collect();
        if found.is_empty() { "the credentials".into() } else { found.join(", ") }
    };
    if out.contains("pip install cryptography") {
        return Some((
            format!("{source}: this Python cannot sign JWTs (no cryptography package)"),
            "`pip install cryptography` for that Python, or pass another with --python".into(),
        ));
    }
    if out.contains("SignatureDoesNotMatch") {
        let keys = names(|s| match s {
            SignedPlan::AwsSigv4 { secret_access_key, .. } => vec![secret_access_key.clone()],
            _ => Vec::new(),
        });
        return Some((
            format!("{source}: AWS refused the signature (SignatureDoesNotMatch)"),
            format!(
                "check {keys} in {creds} (it must belong to the access key id), and the region and service of the spec"
            ),
        ));
    }
    if out.contains("InvalidClientTokenId") {
        let keys = names(|s| match s {
            SignedPlan::AwsSigv4 { access_key_id, .. } => vec![access_key_id.clone()],
            _ => Vec::new(),
        });
        return Some((
            format!("{source}: AWS does not know the access key id (InvalidClientTokenId)"),
            format!("check {keys} in {creds}; temporary (ASIA...) keys also need their session token"),
        ));
    }
    if out.contains(": login failed: ") || out.contains(": login answer from ") {
        let fields = names(|s| match s {
            SignedPlan::SessionLogin { fields, .. } => {
                fields.iter().flat_map(|(_, v)| crate::plan::placeholders(v)).map(str::to_string).collect()
            }
            _ => Vec::new(),
        });
        return Some((
            format!("{source}: the login was refused"),
            format!("check {fields} in {creds}; the login endpoint's answer is above"),
        ));
    }
    if out.contains("OAuth token error") && out.contains("invalid_grant") && out.contains("jwt-bearer grant") {
        let keys = names(|s| match s {
            SignedPlan::JwtBearer { key_json, .. } => vec![key_json.clone()],
            _ => Vec::new(),
        });
        return Some((
            format!("{source}: the token endpoint refused the signed JWT (invalid_grant)"),
            format!(
                "check {keys} in {creds} (a current key of an enabled service account), its access to the scopes, and this machine's clock"
            ),
        ));
    }
    None
}
