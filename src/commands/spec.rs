//! `authgen spec`: write or complete the `connection` section of a
//! source's `connector_spec.yaml` from command-line flags, diff first.

use std::path::Path;

use clap::Args;

use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::ops::contract;
use crate::ops::spec_merge::{merge, rerun_with_yes, write_spec};
use crate::plan::{self, Variant};
use crate::spec::{ConnectorSpec, OauthFlow, Verification, is_identifier, looks_secret};
use crate::specwrite::emit::Node;
use crate::specwrite::{Connection, Method, Mode, Param};
use crate::sync::{self};

#[derive(Debug, Clone, Args)]
pub struct SpecArgs {
    /// Connector source name
    #[arg(value_name = "SOURCE")]
    pub source: String,
    /// Auth variant (see `authgen variants`); repeat for several auth_methods, named as METHOD=VARIANT
    #[arg(long = "auth", value_name = "[METHOD=]VARIANT", required = true)]
    pub auth: Vec<String>,
    /// A connection parameter: NAME[:secret][:optional][@METHOD][=DESCRIPTION]
    #[arg(long = "param", value_name = "NAME[:secret]")]
    pub params: Vec<String>,
    /// verification.base_url ({param} placeholders allowed)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// verification.endpoint: a cheap read-only call
    #[arg(long, value_name = "PATH")]
    pub endpoint: Option<String>,
    /// verification.method (default GET)
    #[arg(long = "http-method", value_name = "METHOD")]
    pub http_method: Option<String>,
    /// The parameter holding the secret (bearer, api_key_*)
    #[arg(long, value_name = "NAME")]
    pub credential: Option<String>,
    /// Header carrying the secret (bearer, api_key_header)
    #[arg(long, value_name = "NAME")]
    pub header: Option<String>,
    /// Text before the secret in the header, such as "Token token="
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub prefix: Option<String>,
    /// Query parameter carrying the secret (api_key_query)
    #[arg(long, value_name = "NAME")]
    pub query_param: Option<String>,
    /// Basic user name: a parameter name or a {param} pattern
    #[arg(long, value_name = "NAME|PATTERN", allow_hyphen_values = true)]
    pub username: Option<String>,
    /// Basic password: a parameter name or a {param} pattern
    #[arg(long, value_name = "NAME|PATTERN", allow_hyphen_values = true)]
    pub password: Option<String>,
    /// Extra query parameter of the check (repeatable)
    #[arg(long = "verify-param", value_name = "KEY=VALUE")]
    pub verify_params: Vec<String>,
    /// Extra header of the check (repeatable)
    #[arg(long = "verify-header", value_name = "NAME=VALUE")]
    pub verify_headers: Vec<String>,
    /// JSON field printed on success (dot path, [0] allowed)
    #[arg(long, value_name = "PATH")]
    pub show: Option<String>,
    /// oauth.token_url (OAuth variants)
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,
    /// oauth.authorization_url (oauth_refresh)
    #[arg(long, value_name = "URL")]
    pub authorization_url: Option<String>,
    /// oauth.scopes, space-separated
    #[arg(long, value_name = "SCOPES")]
    pub scopes: Option<String>,
    /// oauth.flow for oauth_refresh (oauth_client_credentials is m2m); on an
    /// existing spec, the only way to write its oauth block
    #[arg(long = "oauth-flow", alias = "flow", value_enum)]
    pub flow: Option<OauthFlow>,
    /// oauth.pkce
    #[arg(long, value_name = "BOOL")]
    pub pkce: Option<bool>,
    /// oauth.extra_auth_params entry (repeatable)
    #[arg(long = "auth-param", value_name = "KEY=VALUE")]
    pub auth_params: Vec<String>,
    /// display_name of a new spec (default: from the source name)
    #[arg(long, value_name = "NAME")]
    pub display_name: Option<String>,
    /// Write without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Show the diff, write nothing
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,
}

/// One `--auth [METHOD=]VARIANT`.
struct AuthArg {
    method: Option<String>,
    variant: Variant,
}

fn parse_auth(text: &str) -> Result<AuthArg> {
    let (method, variant) = match text.split_once('=') {
        Some((m, v)) => (Some(m.trim().to_string()), v.trim()),
        None => (None, text.trim()),
    };
    let variant =
        Variant::parse(variant).ok_or_else(|| Error::Usage(format!("--auth {text}: {}", Variant::unknown(variant))))?;
    if let Some(m) = &method
        && !is_identifier(m)
    {
        return Err(Error::Usage(format!("--auth {text}: {m:?} is not a method name (letters, digits, '_')")));
    }
    Ok(AuthArg { method, variant })
}

/// `NAME[:secret][:optional][@METHOD][=DESCRIPTION]`.
pub fn parse_param(text: &str) -> Result<Param> {
    let (spec, description) = match text.split_once('=') {
        Some((s, d)) => (s, Some(d.trim().to_string())),
        None => (text, None),
    };
    let (spec, method) = match spec.split_once('@') {
        Some((s, m)) => (s, Some(m.trim().to_string())),
        None => (spec, None),
    };
    let mut parts = spec.split(':');
    let name = parts.next().unwrap_or("").trim();
    if !is_identifier(name) {
        return Err(Error::Usage(format!(
            "--param {text}: {name:?} is not a parameter name (letters, digits, '_'); write NAME[:secret][:optional][@METHOD][=DESCRIPTION]"
        )));
    }
    let mut param = Param::new(name, false);
    for flag in parts {
        match flag.trim() {
            "secret" => param.secret = true,
            "optional" => param.required = false,
            "required" => param.required = true,
            other => {
                return Err(Error::Usage(format!("--param {text}: unknown flag {other:?}; use :secret or :optional")));
            }
        }
    }
    if let Some(d) = description.filter(|d| !d.is_empty()) {
        param.description = d;
    }
    param.method = method;
    Ok(param)
}

/// `KEY=VALUE` (or `Name: value` for headers).
fn parse_pair(flag: &str, text: &str) -> Result<(String, String)> {
    let colon = text.find(':');
    let equals = text.find('=');
    let split = match (colon, equals) {
        (Some(c), Some(e)) if flag == "--verify-header" && c < e => c,
        (Some(c), None) if flag == "--verify-header" => c,
        (_, Some(e)) => e,
        _ => return Err(Error::Usage(format!("{flag} {text}: write KEY=VALUE"))),
    };
    let key = text[..split].trim();
    let value = text[split + 1..].trim();
    if key.is_empty() {
        return Err(Error::Usage(format!("{flag} {text}: the key is empty")));
    }
    Ok((key.to_string(), value.to_string()))
}

/// `{name}` placeholders of a text.
fn placeholder_names(text: &str) -> Vec<String> {
    plan::placeholders(text).into_iter().map(str::to_string).collect()
}

/// Names the user gave (or the spec has) plus those added here.
struct Params {
    list: Vec<Param>,
    /// The spec's parameters: name, and whether it is a secret that can be sent
    /// as the credential (key material never is).
    existing: Vec<(String, bool)>,
}

impl Params {
    fn has(&self, name: &str) -> bool {
        self.list.iter().any(|p| p.name == name) || self.existing.iter().any(|(n, _)| n == name)
    }
    fn add(&mut self, param: Param, notes: &mut Vec<String>, why: &str) {
        if !self.has(&param.name) {
            notes.push(format!(
                "added parameter {}{} ({why})",
                param.name,
                if param.secret { " (secret)" } else { "" }
            ));
            self.list.push(param);
        }
    }
    /// Secret, non-OAuth-client parameters of a method (or the flat list).
    fn secrets(&self, method: Option<&str>) -> Vec<String> {
        let mut out: Vec<String> = self
            .list
            .iter()
            .filter(|p| p.secret && p.method.as_deref() == method && !p.name.starts_with("client_"))
            .filter(|p| crate::spec::key_material(&p.name, Some(&p.description)).is_none())
            .map(|p| p.name.clone())
            .collect();
        if method.is_none() {
            out.extend(self.existing.iter().filter(|(n, s)| *s && !n.starts_with("client_")).map(|(n, _)| n.clone()));
        }
        out.dedup();
        out
    }
}

pub fn spec(repo: Option<&Path>, args: &SpecArgs) -> Result<i32> {
    let layout = Layout::discover(repo)?;
    let paths = layout.source(&args.source)?;
    let old = sync::read_optional(&paths.spec)?;
    let existing = match &old {
        Some(text) => Some(ConnectorSpec::parse(&paths.spec, text.clone())?),
        None => None,
    };
    let mut notes = Vec::new();
    let mut want = connection_from_args(&args.source, args, existing.as_ref(), &mut notes)?;
    if let Some(spec) = &existing {
        // The contract: only what a flag names reaches parameters and oauth.
        let explicit = contract::Explicit {
            params: args.params.iter().filter_map(|p| parse_param(p).ok()).map(|p| p.name).collect(),
            oauth: args.flow.is_some(),
        };
        let suggestions = contract::restrict(&mut want, spec, &explicit);
        // Parameters added on the side are suggestions now.
        notes.retain(|n| !n.starts_with("added parameter"));
        eprint!("{}", contract::report(&args.source, &suggestions));
    }
    for note in &notes {
        eprintln!("{}: {note}", args.source);
    }
    let merged = merge(&paths, old.as_deref(), &want, Mode::Replace)?;
    let accept = rerun_with_yes();
    write_spec(&layout, &paths, old.as_deref(), &merged, args.yes, args.dry_run, &accept)
}

/// One auth method's verification keys, and what it adds to the parameters.
struct MethodArgs<'a> {
    args: &'a SpecArgs,
    existing: Option<&'a ConnectorSpec>,
    /// The method's name when there are several (keys go under `method_for`).
    method_key: Option<&'a str>,
    variant: Variant,
}

impl MethodArgs<'_> {
    /// The parameter that holds the secret: `--credential`, the method's one
    /// secret, or a new one named `default`. `None` when the spec already names it.
    fn pick_credential(&self, params: &mut Params, notes: &mut Vec<String>, default: &str) -> Option<String> {
        let (args, existing, method_key, variant) = (self.args, self.existing, self.method_key, self.variant);
        if let Some(c) = &args.credential {
            if !params.has(c) {
                let mut p = Param::new(c, true);
                p.method = method_key.map(str::to_string);
                params.add(p, notes, "named by --credential");
            }
            return Some(c.clone());
        }
        if existing_key(existing, method_key, "credential").is_some() {
            return None;
        }
        let secrets = params.secrets(method_key);
        if let [one] = secrets.as_slice() {
            return Some(one.clone());
        }
        let mut p = Param::new(default, true);
        p.method = method_key.map(str::to_string);
        params.add(p, notes, &format!("the {} credential", variant.name()));
        Some(default.to_string())
    }

    /// The verification keys of this method; OAuth settings go to `oauth`.
    fn keys(
        &self,
        params: &mut Params,
        notes: &mut Vec<String>,
        oauth: &mut Vec<(String, Node)>,
    ) -> Result<Vec<(String, Node)>> {
        let (args, existing, method_key, variant) = (self.args, self.existing, self.method_key, &self.variant);
        let text = |s: &str| Node::text(s);
        let mut keys: Vec<(String, Node)> = vec![("auth".into(), text(variant.name()))];
        match variant {
            Variant::Bearer | Variant::ApiKeyHeader => {
                let header = args.header.clone().or_else(|| existing_key(existing, method_key, "header"));
                if *variant == Variant::ApiKeyHeader && header.is_none() {
                    return Err(Error::Usage(
                        "api_key_header needs --header NAME (the header that carries the key)".into(),
                    ));
                }
                let default = if *variant == Variant::Bearer { "token" } else { "api_key" };
                if let Some(cred) = self.pick_credential(params, notes, default) {
                    keys.push(("credential".into(), text(&cred)));
                }
                if let Some(h) = &args.header {
                    keys.push(("header".into(), text(h)));
                }
                if let Some(p) = &args.prefix {
                    keys.push(("prefix".into(), text(p)));
                }
            }
            Variant::ApiKeyQuery => {
                let q = args.query_param.clone().or_else(|| existing_key(existing, method_key, "query_param"));
                let Some(q) = q else {
                    return Err(Error::Usage(
                        "api_key_query needs --query-param NAME (the query parameter that carries the key)".into(),
                    ));
                };
                if let Some(cred) = self.pick_credential(params, notes, "api_key") {
                    keys.push(("credential".into(), text(&cred)));
                }
                if args.query_param.is_some() {
                    keys.push(("query_param".into(), text(&q)));
                }
            }
            Variant::Basic => self.basic_keys(params, notes, &mut keys),
            Variant::OauthRefresh | Variant::OauthClientCredentials => oauth.extend(self.oauth_keys(params, notes)?),
            Variant::None => {}
            Variant::OauthJwtBearer | Variant::SessionLogin | Variant::AwsSigv4 => {
                keys.extend(self.signed_keys(params, notes)?);
            }
        }
        Ok(keys)
    }

    /// The keys of the signed and session variants, with the parameters they name.
    fn signed_keys(&self, params: &mut Params, notes: &mut Vec<String>) -> Result<Vec<(String, Node)>> {
        let (args, method_key, variant, existing) = (self.args, self.method_key, self.variant, self.existing);
        let text = |s: &str| Node::text(s);
        let mut add = |name: &str, secret: bool, required: bool, why: &str| {
            let mut p = Param::new(name, secret);
            p.required = required;
            p.method = method_key.map(str::to_string);
            params.add(p, notes, why);
        };
        let mut keys: Vec<(String, Node)> = Vec::new();
        match variant {
            Variant::AwsSigv4 => {
                // The signing name is the host's first label: https://sqs.{region}.amazonaws.com.
                let service = args
                    .base_url
                    .as_deref()
                    .and_then(|u| u.split_once("://"))
                    .and_then(|(_, rest)| rest.split_once(".amazonaws.com").map(|(host, _)| host))
                    .and_then(|host| host.split('.').next())
                    .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
                    .map(str::to_string)
                    // A spec that names its service keeps it.
                    .or_else(|| existing_key(existing, method_key, "service"));
                let Some(service) = service else {
                    return Err(Error::Usage(
                        "aws_sigv4 takes the service from --base-url https://SERVICE.{region}.amazonaws.com".into(),
                    ));
                };
                add("aws_access_key_id", false, true, "the AWS access key id");
                add("aws_secret_access_key", true, true, "the AWS secret access key");
                add("aws_session_token", true, false, "the session token of temporary credentials");
                add("region", false, true, "the AWS region the request is signed for");
                keys.push(("access_key_id".into(), text("aws_access_key_id")));
                keys.push(("secret_access_key".into(), text("aws_secret_access_key")));
                keys.push(("session_token".into(), text("aws_session_token")));
                keys.push(("region".into(), text("{region}")));
                keys.push(("service".into(), text(&service)));
            }
            Variant::SessionLogin => {
                // A spec that has its login request keeps it: it names its own fields.
                let has_login = existing_block(existing, method_key).is_some_and(|v| v.signed.login.is_some());
                if !has_login {
                    add("username", false, true, "the login's user name");
                    add("password", true, true, "the login's password");
                    notes.push(
                        "login: endpoint /login and token_field token are guesses: set them from the API doc".into(),
                    );
                }
                let login = vec![
                    ("endpoint".to_string(), text("/login")),
                    ("method".to_string(), text("POST")),
                    (
                        "json".to_string(),
                        Node::pairs(&[
                            ("username".to_string(), "{username}".to_string()),
                            ("password".to_string(), "{password}".to_string()),
                        ]),
                    ),
                    ("token_field".to_string(), text("token")),
                ];
                if !has_login {
                    keys.push(("login".into(), Node::Map(login)));
                }
                if let Some(h) = &args.header {
                    keys.push(("header".into(), text(h)));
                }
                if let Some(p) = &args.prefix {
                    keys.push(("prefix".into(), text(p)));
                }
            }
            _ => {
                add("service_account_json", true, true, "the service-account key file (JSON, raw or base64)");
                keys.push(("key_json".into(), text("service_account_json")));
                if let Some(s) = &args.scopes {
                    keys.push(("scopes".into(), text(s)));
                }
                if let Some(u) = &args.token_url {
                    keys.push(("token_url".into(), text(u)));
                }
            }
        }
        Ok(keys)
    }

    /// Basic's user name and password: what the spec already says stands
    /// unless a flag says otherwise; names in them become parameters.
    fn basic_keys(&self, params: &mut Params, notes: &mut Vec<String>, keys: &mut Vec<(String, Node)>) {
        let (args, existing, method_key) = (self.args, self.existing, self.method_key);
        let text = |s: &str| Node::text(s);
        let given = [
            ("username", args.username.clone(), existing_key(existing, method_key, "username"), "username", false),
            ("password", args.password.clone(), existing_key(existing, method_key, "password"), "password", true),
        ];
        for (key, flag, present, default, secret_default) in given {
            let value = match (flag, present) {
                (Some(v), _) => v,
                (None, Some(_)) => continue,
                (None, _) => default.to_string(),
            };
            let names = if value.contains('{') {
                placeholder_names(&value)
            } else if is_identifier(&value) {
                vec![value.clone()]
            } else {
                Vec::new()
            };
            for n in names {
                let mut p = Param::new(&n, secret_default || looks_secret(&n));
                p.method = method_key.map(str::to_string);
                params.add(p, notes, "named by the Basic user name or password");
            }
            keys.push((key.into(), text(&value)));
        }
    }

    /// The `oauth` block's keys, and the client id and secret parameters.
    fn oauth_keys(&self, params: &mut Params, notes: &mut Vec<String>) -> Result<Vec<(String, Node)>> {
        let (args, existing, method_key, variant) = (self.args, self.existing, self.method_key, &self.variant);
        let text = |s: &str| Node::text(s);
        let mut oauth: Vec<(String, Node)> = Vec::new();
        let token_url = args.token_url.clone().or_else(|| {
            existing.and_then(|s| s.oauth.as_ref()).and_then(|o| o.token_url.as_ref()).map(|t| t.value.clone())
        });
        if token_url.is_none() {
            return Err(Error::Usage(format!("{} needs --token-url URL", variant.name())));
        }
        let flow = match variant {
            Variant::OauthClientCredentials => OauthFlow::M2m,
            _ => args.flow.unwrap_or_default(),
        };
        if *variant == Variant::OauthClientCredentials && args.flow.is_some_and(|f| f != OauthFlow::M2m) {
            return Err(Error::Usage("oauth_client_credentials is flow m2m; --flow u2m needs oauth_refresh".into()));
        }
        oauth.push(("flow".into(), text(flow.name())));
        if let Some(p) = args.pkce {
            oauth.push(("pkce".into(), Node::Bool(p)));
        }
        if let Some(s) = &args.scopes {
            oauth.push(("scopes".into(), text(s)));
        }
        if let Some(u) = &args.authorization_url {
            oauth.push(("authorization_url".into(), text(u)));
        } else if flow.is_user()
            && existing.and_then(|s| s.oauth.as_ref()).and_then(|o| o.authorization_url.as_ref()).is_none()
        {
            notes.push("no --authorization-url: `authgen credentials` needs one to run the browser flow that yields the refresh token".into());
        }
        if let Some(u) = &args.token_url {
            oauth.push(("token_url".into(), text(u)));
        }
        if !args.auth_params.is_empty() {
            let pairs: Vec<(String, String)> =
                args.auth_params.iter().map(|p| parse_pair("--auth-param", p)).collect::<Result<_>>()?;
            oauth.push(("extra_auth_params".into(), Node::pairs(&pairs)));
        }
        for (n, secret) in [("client_id", false), ("client_secret", true)] {
            let mut p = Param::new(n, secret);
            p.description = if secret { "OAuth 2.0 client secret.".into() } else { "OAuth 2.0 client ID.".into() };
            p.method = method_key.map(str::to_string);
            params.add(p, notes, "OAuth client");
        }
        Ok(oauth)
    }
}

/// The auth methods the `--auth` flags name, checked against the flags that
/// fit only one method.
fn methods_from_args(args: &SpecArgs) -> Result<Vec<(String, Variant)>> {
    let auths: Vec<AuthArg> = args.auth.iter().map(|a| parse_auth(a)).collect::<Result<_>>()?;
    let several = auths.len() > 1;
    let oauth_count = auths.iter().filter(|a| a.variant.is_oauth()).count();
    if oauth_count > 1 {
        return Err(Error::Usage("give at most one OAuth variant: a spec has one oauth block".into()));
    }
    let mut methods: Vec<(String, Variant)> = Vec::new();
    for a in &auths {
        let name = a
            .method
            .clone()
            .unwrap_or_else(|| if a.variant.is_oauth() { "oauth".into() } else { a.variant.name().into() });
        if methods.iter().any(|(n, _)| *n == name) {
            return Err(Error::Usage(format!(
                "two auth methods named {name:?}: name them, as in --auth pat=basic --auth token=bearer"
            )));
        }
        methods.push((name, a.variant));
    }
    if several {
        for (flag, given) in [("--credential", args.credential.is_some())] {
            if given {
                return Err(Error::Usage(format!(
                    "{flag} applies to one method; with several --auth, give each method its secret with --param NAME:secret@METHOD"
                )));
            }
        }
        for (variant_flag, given, fits) in [
            (
                "--header/--prefix",
                args.header.is_some() || args.prefix.is_some(),
                [Variant::Bearer, Variant::ApiKeyHeader].as_slice(),
            ),
            ("--query-param", args.query_param.is_some(), &[Variant::ApiKeyQuery]),
            ("--username/--password", args.username.is_some() || args.password.is_some(), &[Variant::Basic]),
        ] {
            if given && methods.iter().filter(|(_, v)| fits.contains(v)).count() > 1 {
                return Err(Error::Usage(format!(
                    "{variant_flag}: more than one method could take it; write method_for by hand"
                )));
            }
        }
    }
    Ok(methods)
}

/// `--param` values, each naming a method that exists.
fn params_from_args(
    args: &SpecArgs,
    existing: Option<&ConnectorSpec>,
    methods: &[(String, Variant)],
    several: bool,
) -> Result<Params> {
    let params = Params {
        list: args.params.iter().map(|p| parse_param(p)).collect::<Result<_>>()?,
        existing: existing.map_or_else(Vec::new, |s| {
            s.all_parameters()
                .map(|p| {
                    let sendable = p.secret && crate::spec::key_material(&p.name, p.description.as_deref()).is_none();
                    (p.name.clone(), sendable)
                })
                .collect()
        }),
    };
    for p in &params.list {
        if let Some(m) = &p.method
            && !methods.iter().any(|(n, _)| n == m)
        {
            return Err(Error::Usage(format!(
                "--param {}@{m}: no --auth method named {m:?} (name one with --auth {m}=VARIANT)",
                p.name
            )));
        }
        if p.method.is_some() && !several {
            return Err(Error::Usage(format!("--param {}@…: methods need several --auth", p.name)));
        }
    }
    Ok(params)
}

/// The check's own keys (`params`, `headers`, `show`), and the parameters
/// that URL placeholders name.
fn check_keys(
    args: &SpecArgs,
    verification: &mut Vec<(String, Node)>,
    params: &mut Params,
    notes: &mut Vec<String>,
) -> Result<()> {
    let text = |s: &str| Node::text(s);
    if !args.verify_params.is_empty() {
        let pairs: Vec<(String, String)> =
            args.verify_params.iter().map(|p| parse_pair("--verify-param", p)).collect::<Result<_>>()?;
        verification.push((
            "params".into(),
            Node::Map(pairs.iter().map(|(k, v)| (k.clone(), Node::number_or_text(v))).collect()),
        ));
    }
    if !args.verify_headers.is_empty() {
        let pairs: Vec<(String, String)> =
            args.verify_headers.iter().map(|p| parse_pair("--verify-header", p)).collect::<Result<_>>()?;
        verification.push(("headers".into(), Node::pairs(&pairs)));
    }
    if let Some(s) = &args.show {
        verification.push(("show".into(), text(s)));
    }
    // Placeholders in URLs name parameters; declare the missing ones.
    let urls = [&args.base_url, &args.token_url, &args.authorization_url, &args.endpoint];
    for url in urls.into_iter().flatten() {
        for n in placeholder_names(url) {
            if is_identifier(&n) {
                params.add(Param::new(&n, false), notes, "named by a {placeholder}");
            }
        }
    }
    Ok(())
}

fn connection_from_args(
    source: &str,
    args: &SpecArgs,
    existing: Option<&ConnectorSpec>,
    notes: &mut Vec<String>,
) -> Result<Connection> {
    let methods = methods_from_args(args)?;
    // A flat spec whose methods live in method_for alone, chosen by select_by:
    // a named method goes there too, and no auth_methods list is added.
    let flat_select = existing
        .is_some_and(|s| s.auth_methods.is_empty() && s.verification.as_ref().is_some_and(|v| v.select_by.is_some()));
    let named = args.auth.iter().any(|a| a.contains('='));
    let several = methods.len() > 1 || (flat_select && named);
    let mut params = params_from_args(args, existing, &methods, several)?;
    if flat_select {
        for p in &mut params.list {
            p.method = None;
        }
    }
    let mut verification: Vec<(String, Node)> = Vec::new();
    let mut method_for: Vec<(String, Node)> = Vec::new();
    let text = |s: &str| Node::text(s);
    if let Some(url) = &args.base_url {
        verification.push(("base_url".into(), text(url)));
    }
    if let Some(e) = &args.endpoint {
        verification.push(("endpoint".into(), text(e)));
    }
    if let Some(m) = &args.http_method {
        verification.push(("method".into(), text(&m.to_ascii_uppercase())));
    }
    let mut oauth: Vec<(String, Node)> = Vec::new();
    for (name, variant) in &methods {
        let method = MethodArgs { args, existing, method_key: several.then_some(name.as_str()), variant: *variant };
        let keys = method.keys(&mut params, notes, &mut oauth)?;
        if several {
            method_for.push((name.clone(), Node::Map(keys)));
        } else {
            verification.extend(keys);
        }
    }
    if !method_for.is_empty() {
        verification.push(("method_for".into(), Node::Map(method_for)));
    }
    check_keys(args, &mut verification, &mut params, notes)?;
    let display_name = args
        .display_name
        .clone()
        .or_else(|| existing.and_then(|s| s.display_name.clone()))
        .unwrap_or_else(|| heck::AsTitleCase(source).to_string());
    Ok(Connection {
        display_name,
        params: params.list,
        methods: if several && !flat_select {
            methods
                .iter()
                .map(|(n, v)| Method { name: n.clone(), description: method_description(*v).into() })
                .collect()
        } else {
            Vec::new()
        },
        oauth,
        verification,
    })
}

fn method_description(variant: Variant) -> &'static str {
    match variant {
        Variant::Bearer => "Bearer token in the Authorization header.",
        Variant::Basic => "HTTP Basic with a user name and password.",
        Variant::ApiKeyHeader => "API key in a request header.",
        Variant::ApiKeyQuery => "API key in a query parameter.",
        Variant::OauthRefresh => "OAuth 2.0: a refresh token exchanged for access tokens.",
        Variant::OauthClientCredentials => "OAuth 2.0 client credentials.",
        Variant::None => "No authentication.",
        Variant::OauthJwtBearer => "OAuth 2.0 JWT bearer grant signed with a service-account key.",
        Variant::SessionLogin => "Log in with a user name and password; the session token is sent.",
        Variant::AwsSigv4 => "AWS Signature Version 4 with an access key.",
    }
}

/// The verification block (or `method_for` entry) the spec already has for `method`.
fn existing_block<'a>(spec: Option<&'a ConnectorSpec>, method: Option<&str>) -> Option<&'a Verification> {
    let top = spec?.verification.as_ref()?;
    match method {
        Some(m) => Some(&top.method_for.iter().find(|(n, _)| n == m)?.1),
        None => Some(top),
    }
}

/// A verification key the spec already has: top level, or in `method_for.<method>`.
fn existing_key(spec: Option<&ConnectorSpec>, method: Option<&str>, key: &str) -> Option<String> {
    let v = existing_block(spec, method)?;
    let t = match key {
        "service" => v.signed.service.as_ref(),
        "header" => v.header.as_ref(),
        "query_param" => v.query_param.as_ref(),
        "username" => v.username.as_ref(),
        "password" => v.password.as_ref(),
        "credential" => v.credential.as_ref(),
        _ => None,
    };
    t.map(|t| t.value.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_syntax() {
        let p = parse_param("api_token:secret@pat=API token from Admin Center").unwrap();
        assert_eq!((p.name.as_str(), p.secret, p.required), ("api_token", true, true));
        assert_eq!(p.method.as_deref(), Some("pat"));
        assert_eq!(p.description, "API token from Admin Center");
        let p = parse_param("base_url:optional").unwrap();
        assert!(!p.required && !p.secret);
        assert!(parse_param("bad-name").is_err());
        assert!(parse_param("x:secrett").is_err());
    }

    #[test]
    fn pairs() {
        assert_eq!(parse_pair("--verify-header", "Accept: application/json").unwrap().1, "application/json");
        assert_eq!(parse_pair("--verify-header", "Authorization=Token token=x").unwrap().1, "Token token=x");
        assert_eq!(parse_pair("--verify-param", "limit=1").unwrap(), ("limit".into(), "1".into()));
    }
}
