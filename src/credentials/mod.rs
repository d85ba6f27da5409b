//! `authgen credentials`: collect the values a spec asks for into the
//! source's `dev_config.json`, from the terminal (`prompt`) or from a form on
//! a loopback server that also runs the OAuth 2.0 flows (`server`, `oauth`).
//!
//! What to ask for comes from the spec itself, not from the plan: at this
//! step a spec may have no verification block yet (`needs`). Saving goes
//! through `store`.

pub mod needs;
mod oauth;
mod page;
mod prompt;
mod server;
pub mod store;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::layout::Layout;
use needs::{Needs, Session};
pub use store::add_to_gitignore;

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
    pub from_file: Vec<(String, PathBuf)>,
}

/// `authgen credentials`: returns the exit code.
pub fn run(repo: Option<&Path>, source: &str, opts: &Options) -> Result<i32> {
    let layout = Layout::discover(repo)?;
    let paths = layout.source(source)?;
    let spec = crate::pipeline::load_spec(&layout, &paths)?;
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
    // A file that cannot be read is reported now, before anything is typed.
    store::read_existing(&path)?;
    let session = Session {
        source: source.to_string(),
        needs,
        path,
        shown,
        yes: opts.yes,
        verify: opts.verify,
        from_file: opts.from_file.clone(),
    };
    match opts.mode {
        Mode::Cli => prompt::run(&session),
        Mode::Browser => {
            server::run(&session, &server::Options { port: opts.port, open: opts.open, timeout: opts.timeout })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::needs::*;
    use super::store::*;
    use super::*;
    use crate::spec::ConnectorSpec;

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
