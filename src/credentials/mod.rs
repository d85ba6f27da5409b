//! `authgen credentials`: collect the values a spec asks for into the
//! source's `dev_config.json`, from the terminal (`prompt`) or from a form on
//! a loopback server that also runs the OAuth 2.0 flows (`server`, `oauth`).
//!
//! What to ask for comes from the spec itself, not from the plan: at this
//! step a spec may have no verification block yet.

mod oauth;
mod page;
mod prompt;
mod server;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::git::Git;
use crate::layout::Layout;
use crate::spec::{ConnectorSpec, OauthFlow, Parameter, looks_secret};

use crate::sync;
use crate::term;

/// Collected values by parameter name; sorted, so the file is stable.
pub type Values = BTreeMap<String, String>;

/// Form field names of our own: never a parameter name.
pub const CSRF_FIELD: &str = "csrf_token";

/// One value to collect.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub description: Option<String>,
    pub required: bool,
    pub secret: bool,
    /// Added for the OAuth block (such as `refresh_token`), not declared in the spec.
    pub implicit: bool,
}

#[derive(Debug, Clone)]
pub struct Method {
    pub name: String,
    pub description: Option<String>,
    pub fields: Vec<Field>,
    /// The spec's `oauth` block is this method's way to authenticate.
    pub oauth: bool,
}

/// The spec's `oauth` block, as plain values.
#[derive(Debug, Clone)]
pub struct OauthConfig {
    pub flow: OauthFlow,
    pub pkce: bool,
    pub scopes: String,
    pub authorization_url: String,
    pub token_url: String,
    pub extra_auth_params: Vec<(String, String)>,
    /// `verification.client_auth: basic`: client credentials in an
    /// Authorization header rather than the form body.
    pub client_auth_basic: bool,
}

/// Everything a spec asks for.
#[derive(Debug, Clone)]
pub struct Needs {
    pub title: String,
    /// Parameters every method needs (the flat `parameters` list).
    pub shared: Vec<Field>,
    /// `auth_methods`; empty when the spec has none.
    pub methods: Vec<Method>,
    pub oauth: Option<OauthConfig>,
}

impl Needs {
    pub fn from_spec(spec: &ConnectorSpec, source: &str) -> Result<Needs> {
        // Names and duplicates were checked when the spec was read; this name is
        // the form's own.
        for p in spec.all_parameters() {
            if p.name == CSRF_FIELD {
                return Err(spec.error(
                    &p.key.key("name"),
                    format!("parameter name {CSRF_FIELD:?} is reserved by `authgen credentials`"),
                ));
            }
        }

        let oauth = match &spec.oauth {
            None => None,
            Some(o) => {
                let flow = o.flow;
                let client_auth_basic = spec
                    .verification
                    .as_ref()
                    .and_then(|v| v.client_auth.as_ref())
                    .is_some_and(|c| c.value.trim() == "basic");
                Some(OauthConfig {
                    flow,
                    pkce: o.pkce.unwrap_or(true),
                    scopes: o.scopes.as_ref().map(|s| s.value.trim().to_string()).unwrap_or_default(),
                    authorization_url: o
                        .authorization_url
                        .as_ref()
                        .map(|t| t.value.trim().to_string())
                        .unwrap_or_default(),
                    token_url: o.token_url.as_ref().map(|t| t.value.trim().to_string()).unwrap_or_default(),
                    extra_auth_params: o.extra_auth_params.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect(),
                    client_auth_basic,
                })
            }
        };

        let field = |p: &Parameter| Field {
            name: p.name.clone(),
            description: p.description.as_ref().map(|d| d.trim().to_string()).filter(|d| !d.is_empty()),
            required: p.required,
            secret: p.secret || looks_secret(&p.name),
            implicit: false,
        };
        let mut shared: Vec<Field> = spec.parameters.iter().map(field).collect();
        let mut methods: Vec<Method> = spec
            .auth_methods
            .iter()
            .map(|m| Method {
                name: m.name.clone(),
                description: m.description.as_ref().map(|d| d.trim().to_string()).filter(|d| !d.is_empty()),
                fields: m.parameters.iter().map(field).collect(),
                oauth: false,
            })
            .collect();
        if let Some(o) = &oauth {
            // As the plan decides: the block belongs to the methods that carry
            // client credentials, or to the whole spec when it has no methods.
            if methods.is_empty() {
                add_oauth_fields(&mut shared, &[], o.flow);
            } else {
                for m in &mut methods {
                    let has = |n: &str| m.fields.iter().chain(&shared).any(|f| f.name == n);
                    if has("client_id") && has("client_secret") {
                        m.oauth = true;
                        add_oauth_fields(&mut m.fields, &shared, o.flow);
                    }
                }
            }
        }
        let title = spec.display_name.clone().unwrap_or_else(|| heck::AsTitleCase(source).to_string());
        Ok(Needs { title, shared, methods, oauth })
    }

    pub fn method_index(&self, name: &str) -> Option<usize> {
        self.methods.iter().position(|m| m.name == name)
    }

    /// The fields to ask for with one method (or none): required first,
    /// shared before the method's own, then the optional ones likewise.
    pub fn fields(&self, method: Option<usize>) -> Vec<&Field> {
        let own = method.and_then(|i| self.methods.get(i)).map(|m| m.fields.as_slice()).unwrap_or(&[]);
        let all: Vec<&Field> = self.shared.iter().chain(own).collect();
        all.iter().filter(|f| f.required).chain(all.iter().filter(|f| !f.required)).copied().collect()
    }

    /// The OAuth block applies with this method (or to the whole spec).
    pub fn oauth_for(&self, method: Option<usize>) -> Option<&OauthConfig> {
        let applies = match method {
            None => self.methods.is_empty(),
            Some(i) => self.methods.get(i).is_some_and(|m| m.oauth),
        };
        self.oauth.as_ref().filter(|_| applies)
    }

    /// Some choice of method uses the OAuth client credentials flow (m2m).
    pub fn has_client_credentials_flow(&self) -> bool {
        let applies = self.methods.is_empty() || self.methods.iter().any(|m| m.oauth);
        applies && self.oauth.as_ref().is_some_and(|o| o.flow == OauthFlow::M2m)
    }

    pub fn is_empty(&self) -> bool {
        self.shared.is_empty() && self.methods.iter().all(|m| m.fields.is_empty())
    }

    /// The values to save for a method: non-empty ones only. Err names the
    /// required fields left empty.
    pub fn collect(&self, method: Option<usize>, get: impl Fn(&str) -> Option<String>) -> Result<Values, Vec<String>> {
        let mut values = Values::new();
        let mut missing = Vec::new();
        for f in self.fields(method) {
            match get(&f.name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
                Some(v) => {
                    values.insert(f.name.clone(), v);
                }
                None if f.required => missing.push(f.name.clone()),
                None => {}
            }
        }
        if missing.is_empty() { Ok(values) } else { Err(missing) }
    }

    /// Secret values among `values`, for masking anything printed.
    pub fn secrets<'a>(&self, values: &'a Values) -> Vec<&'a str> {
        let secret = |name: &str| {
            self.shared.iter().chain(self.methods.iter().flat_map(|m| &m.fields)).any(|f| f.name == name && f.secret)
        };
        values.iter().filter(|(k, _)| secret(k)).map(|(_, v)| v.as_str()).collect()
    }
}

/// `client_id`, `client_secret` and, for a user flow, `refresh_token`,
/// unless the spec declares them.
fn add_oauth_fields(fields: &mut Vec<Field>, shared: &[Field], flow: OauthFlow) {
    let mut ensure = |name: &str, description: &str| {
        if !fields.iter().chain(shared).any(|f| f.name == name) {
            fields.push(Field {
                name: name.to_string(),
                description: Some(description.to_string()),
                required: true,
                secret: looks_secret(name),
                implicit: true,
            });
        }
    };
    ensure("client_id", "OAuth 2.0 client ID.");
    ensure("client_secret", "OAuth 2.0 client secret.");
    if flow.is_user() {
        ensure("refresh_token", "OAuth 2.0 refresh token, from the provider's sign-in.");
    }
}

/// Where the values go, and how the command was asked to behave.
#[derive(Debug, Clone)]
pub struct Session {
    pub source: String,
    pub needs: Needs,
    pub path: PathBuf,
    /// `path` as shown in messages.
    pub shown: String,
    pub yes: bool,
    pub verify: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Cli,
    Browser,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub mode: Mode,
    pub port: u16,
    pub open: bool,
    pub timeout: Duration,
    pub output: Option<PathBuf>,
    pub yes: bool,
    pub verify: bool,
}

/// `authgen credentials`: returns the exit code.
pub fn run(repo: Option<&Path>, source: &str, opts: &Options) -> Result<i32> {
    let layout = Layout::discover(repo)?;
    let paths = layout.source(source)?;
    let spec = crate::pipeline::load_spec(&paths)?;
    let needs = Needs::from_spec(&spec, source)?;
    let path = match &opts.output {
        Some(p) if p.is_absolute() => p.clone(),
        Some(p) => std::env::current_dir().map_err(|e| Error::io(Path::new("."), e))?.join(p),
        None => paths.credentials.clone(),
    };
    let shown = match path.strip_prefix(&layout.root) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => crate::error::shown(&path).display().to_string(),
    };
    if opts.verify && !needs.has_client_credentials_flow() {
        return Err(Error::Usage(
            "--verify fetches a token with client credentials: it needs an oauth block with flow m2m".into(),
        ));
    }
    if needs.is_empty() {
        eprintln!("{source}: the spec asks for no credentials: nothing to collect, nothing written");
        return Ok(0);
    }
    let session = Session { source: source.to_string(), needs, path, shown, yes: opts.yes, verify: opts.verify };
    match opts.mode {
        Mode::Cli => prompt::run(&session),
        Mode::Browser => {
            server::run(&session, &server::Options { port: opts.port, open: opts.open, timeout: opts.timeout })
        }
    }
}

/// `--verify` for the client credentials flow: fetch a token, say what the
/// provider answered. Ok and Err are both messages without secrets.
pub fn verify_m2m(
    session: &Session,
    oauth_config: &OauthConfig,
    token_url: &str,
    scopes: &str,
    values: &Values,
) -> Result<String, String> {
    let secrets = session.needs.secrets(values);
    let get = |n: &str| values.get(n).cloned();
    let url = oauth::fill(token_url, get).map_err(|name| format!("--verify: the token URL needs {name}"))?;
    oauth::check_url(&url, "token URL").map_err(|m| format!("--verify: {m}"))?;
    let client_id = values.get("client_id").map(String::as_str).unwrap_or_default();
    let client_secret = values.get("client_secret").map(String::as_str).unwrap_or_default();
    let mut grant = vec![("grant_type", "client_credentials")];
    if !scopes.is_empty() {
        grant.push(("scope", scopes));
    }
    let host = url.parse::<ureq::http::Uri>().ok().and_then(|u| u.host().map(str::to_string)).unwrap_or_default();
    match oauth::request_token(&url, &grant, (client_id, client_secret), oauth_config.client_auth_basic) {
        Ok(token) => {
            let mut message = format!("--verify: {host} issued an access token for these client credentials");
            let mut details = Vec::new();
            if let Some(t) = &token.token_type {
                details.push(format!("type {}", plain(t)));
            }
            if let Some(s) = token.expires_in {
                details.push(format!("expires in {s} s"));
            }
            if !details.is_empty() {
                message.push_str(&format!(" ({})", details.join(", ")));
            }
            eprintln!("{}: {message}", session.source);
            Ok(message)
        }
        Err(e) => {
            let message = redact(&format!("--verify: {host}: {e}"), &secrets);
            eprintln!("{}: {message}", session.source);
            Err(message)
        }
    }
}

/// What saving `values` would change in the existing file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyChange {
    Added(String),
    Changed(String),
    Removed(String),
}

impl KeyChange {
    /// One line, the value masked.
    pub fn line(&self) -> String {
        match self {
            KeyChange::Added(k) => format!("+ {k} = ***"),
            KeyChange::Changed(k) => format!("~ {k} = *** (changed)"),
            KeyChange::Removed(k) => format!("- {k}"),
        }
    }
}

/// The file on disk now.
#[derive(Debug)]
pub enum Existing {
    Absent,
    Values(serde_json::Map<String, serde_json::Value>),
    /// Not a JSON object: replaced whole.
    Unreadable,
}

pub fn read_existing(path: &Path) -> Result<Existing> {
    Ok(match sync::read_optional(path)? {
        None => Existing::Absent,
        Some(text) => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(map)) => Existing::Values(map),
            _ => Existing::Unreadable,
        },
    })
}

/// Key by key, what `values` changes in `existing`; empty when nothing does.
pub fn changes(existing: &Existing, values: &Values) -> Vec<KeyChange> {
    let old = match existing {
        Existing::Absent => return values.keys().map(|k| KeyChange::Added(k.clone())).collect(),
        Existing::Unreadable => {
            let mut all: Vec<KeyChange> = values.keys().map(|k| KeyChange::Added(k.clone())).collect();
            if all.is_empty() {
                all.push(KeyChange::Removed("(unreadable content)".into()));
            }
            return all;
        }
        Existing::Values(map) => map,
    };
    let mut out = Vec::new();
    for (k, v) in values {
        match old.get(k) {
            None => out.push(KeyChange::Added(k.clone())),
            Some(serde_json::Value::String(s)) if s == v => {}
            Some(_) => out.push(KeyChange::Changed(k.clone())),
        }
    }
    for k in old.keys().filter(|k| !values.contains_key(*k)) {
        out.push(KeyChange::Removed(k.clone()));
    }
    out
}

/// The file's text: the values only, as a JSON object of strings.
pub fn file_text(values: &Values) -> String {
    let map: serde_json::Map<String, serde_json::Value> =
        values.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
    let mut text = serde_json::to_string_pretty(&serde_json::Value::Object(map)).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

/// Write the credentials file: first make sure git ignores it, then write
/// it atomically with mode 0600. Returns status lines to print.
pub fn write(session: &Session, values: &Values) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    let dir = session.path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    if let Some(note) = ensure_ignored(&session.path)? {
        notes.push(note);
    }
    sync::write_atomic(&session.path, file_text(values).as_bytes(), Some(0o600))?;
    notes.push(format!(
        "{}: wrote {} ({} value{}, mode 0600)",
        session.source,
        session.shown,
        values.len(),
        if values.len() == 1 { "" } else { "s" }
    ));
    Ok(notes)
}

/// When git would track `path`, add it to a `.gitignore` beside it.
/// Outside a git work tree (or without git) there is nothing to do.
fn ensure_ignored(path: &Path) -> Result<Option<String>> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return Ok(None) };
    let repo = Git::new(if dir.as_os_str().is_empty() { Path::new(".") } else { dir });
    let git = |args: &[&str]| repo.status(&[args, &[name]].concat());
    // --no-index: the ignore rules, whether or not the file is tracked.
    let note = match git(&["check-ignore", "-q", "--no-index", "--"]) {
        Some(1) => {
            let ignore = add_to_gitignore(path)?;
            Some(format!("added /{name} to {} so git never tracks it", crate::error::shown(&ignore).display()))
        }
        _ => None,
    };
    if git(&["ls-files", "--error-unmatch", "--"]) == Some(0) {
        let warn = term::paint(term::color_stderr(), "1;33", "warning");
        eprintln!(
            "{warn}: {} is tracked by git; stop tracking it with `git rm --cached {}`",
            path.display(),
            path.display()
        );
    }
    Ok(note)
}

/// Add `path`'s file name to the `.gitignore` beside it, unless a line there
/// already names it; returns the `.gitignore`'s path. (Used by `commit` too.)
pub fn add_to_gitignore(path: &Path) -> Result<PathBuf> {
    let ignore = path.parent().unwrap_or(Path::new(".")).join(".gitignore");
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let pattern = gitignore_escape(&name);
    let mut text = sync::read_optional(&ignore)?.unwrap_or_default();
    if text.lines().map(str::trim).any(|l| l == pattern || l.strip_prefix('/') == Some(pattern.as_str())) {
        return Ok(ignore);
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if text.is_empty() {
        text.push_str("# Credentials collected by `authgen credentials`: never commit them.\n");
    }
    text.push_str(&format!("/{pattern}\n"));
    sync::write_atomic(&ignore, text.as_bytes(), None)?;
    Ok(ignore)
}

/// A file name as a literal .gitignore pattern.
fn gitignore_escape(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '*' | '?' | '[' | '\\' | '!' | '#') || (c == ' ' && out.is_empty()) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Spec text for the terminal: one line, control characters shown escaped,
/// so a spec cannot move the cursor or change colours.
pub fn plain(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// `text` with every secret value replaced by `***`.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 3) {
        out = out.replace(*s, "***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs(yaml: &str) -> Result<Needs> {
        let spec = ConnectorSpec::parse(Path::new("s.yaml"), yaml.to_string())?;
        Needs::from_spec(&spec, "demo")
    }

    #[test]
    fn flat_spec_orders_required_first() {
        let n = needs(
            "connection:\n  parameters:\n    - {name: opt, required: false}\n    - {name: token, required: true}\n    - {name: host, required: true}\n",
        )
        .unwrap();
        let names: Vec<&str> = n.fields(None).iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["token", "host", "opt"]);
        assert!(n.fields(None)[0].secret, "token looks secret");
        assert!(!n.fields(None)[1].secret);
    }

    #[test]
    fn oauth_u2m_adds_refresh_token_and_m2m_does_not() {
        let u2m = needs("connection:\n  parameters:\n    - {name: client_id, required: true}\n  oauth:\n    token_url: https://x/t\n").unwrap();
        let names: Vec<&str> = u2m.fields(None).iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["client_id", "client_secret", "refresh_token"]);
        assert!(u2m.fields(None)[2].implicit && u2m.fields(None)[2].secret);
        let m2m = needs("connection:\n  oauth:\n    flow: m2m\n    token_url: https://x/t\n").unwrap();
        let names: Vec<&str> = m2m.fields(None).iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["client_id", "client_secret"]);
    }

    #[test]
    fn oauth_applies_to_methods_with_client_credentials() {
        let n = needs(
            "connection:\n  parameters:\n    - {name: org, required: true}\n  auth_methods:\n    - name: pat\n      parameters: [{name: pat, required: true}]\n    - name: sp\n      parameters: [{name: client_id, required: true}, {name: client_secret, required: true}]\n  oauth:\n    flow: m2m\n",
        )
        .unwrap();
        assert!(n.oauth_for(Some(0)).is_none());
        assert!(n.oauth_for(Some(1)).is_some());
        let names: Vec<&str> = n.fields(Some(1)).iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["org", "client_id", "client_secret"]);
        let v = n.collect(Some(0), |name| (name == "pat").then(|| " abc ".to_string())).unwrap_err();
        assert_eq!(v, ["org"]);
    }

    #[test]
    fn bad_names_and_flows_are_refused_with_their_line() {
        let err = needs("connection:\n  parameters:\n    - {name: \"a b\"}\n").unwrap_err().to_string();
        assert!(err.contains("s.yaml:3:") && err.contains("not an identifier"), "{err}");
        let err = needs("connection:\n  parameters:\n    - {name: csrf_token}\n").unwrap_err().to_string();
        assert!(err.contains("reserved"), "{err}");
        let err = needs("connection:\n  oauth:\n    flow: device\n").unwrap_err().to_string();
        assert!(err.contains("s.yaml:3:") && err.contains("unknown OAuth flow"), "{err}");
        let err = needs("connection:\n  parameters:\n    - {name: a}\n  auth_methods:\n    - name: m\n      parameters: [{name: a}]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("declared twice"), "{err}");
    }

    #[test]
    fn changes_mask_nothing_and_name_keys() {
        let mut old = serde_json::Map::new();
        old.insert("a".into(), "1".into());
        old.insert("b".into(), "2".into());
        let values: Values = [("a".to_string(), "1".to_string()), ("c".to_string(), "3".to_string())].into();
        let c = changes(&Existing::Values(old), &values);
        assert_eq!(c, [KeyChange::Added("c".into()), KeyChange::Removed("b".into())]);
        assert!(changes(&Existing::Values(serde_json::Map::new()), &Values::new()).is_empty());
    }

    #[test]
    fn plain_and_redact() {
        assert_eq!(plain("a\x1b[31mb\n  c"), "a\\u{1b}[31mb c");
        assert_eq!(redact("token s3cret here", &["s3cret"]), "token *** here");
    }
}
