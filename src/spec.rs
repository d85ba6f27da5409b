//! `connector_spec.yaml` as real connector repos write it: a plain model with
//! no logic. Unknown keys are ignored. Errors name the file, key and line.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::error::{Error, Pos, Result};

mod signed;
pub use signed::{KeyKind, Login, SignedKeys, key_material};

/// A dotted key path into the spec, such as `connection.parameters[0].name`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct KeyPath(Vec<Seg>);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Seg {
    Key(String),
    Index(usize),
}

impl KeyPath {
    pub fn root() -> Self {
        KeyPath(Vec::new())
    }
    pub fn key(&self, key: &str) -> Self {
        let mut next = self.clone();
        next.0.push(Seg::Key(key.to_string()));
        next
    }
    pub fn index(&self, index: usize) -> Self {
        let mut next = self.clone();
        next.0.push(Seg::Index(index));
        next
    }
    fn parent(&self) -> Option<KeyPath> {
        if self.0.is_empty() { None } else { Some(KeyPath(self.0[..self.0.len() - 1].to_vec())) }
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(key) if i == 0 => write!(f, "{key}")?,
                Seg::Key(key) => write!(f, ".{key}")?,
                Seg::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A string from the spec with the key it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub value: String,
    pub key: KeyPath,
}

#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub kind: Option<String>,
    pub required: bool,
    pub secret: bool,
    pub description: Option<String>,
    pub key: KeyPath,
}

#[derive(Debug, Clone)]
pub struct AuthMethod {
    pub name: String,
    pub description: Option<String>,
    pub parameters: Vec<Parameter>,
    pub key: KeyPath,
}

/// `connection.oauth.flow`: who consents. Absent means `u2m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OauthFlow {
    /// Client credentials: no user in the loop.
    #[value(name = "m2m")]
    M2m,
    /// A user consents once; the refresh token is the connector's.
    #[default]
    #[value(name = "u2m")]
    U2m,
    /// Each user of the connector consents with their own account.
    #[value(name = "u2m_per_user")]
    U2mPerUser,
}

impl OauthFlow {
    pub const ALL: [OauthFlow; 3] = [OauthFlow::M2m, OauthFlow::U2m, OauthFlow::U2mPerUser];

    pub fn name(self) -> &'static str {
        match self {
            OauthFlow::M2m => "m2m",
            OauthFlow::U2m => "u2m",
            OauthFlow::U2mPerUser => "u2m_per_user",
        }
    }

    /// A user consents in a browser (`u2m`, `u2m_per_user`).
    pub fn is_user(self) -> bool {
        self != OauthFlow::M2m
    }

    /// The spec's value; blank is the default.
    fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "" => Some(OauthFlow::default()),
            t => OauthFlow::ALL.into_iter().find(|f| f.name() == t),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct OAuth {
    pub flow: OauthFlow,
    /// Where `flow` is written (its parent `oauth` key when absent).
    pub flow_key: KeyPath,
    pub pkce: Option<bool>,
    pub scopes: Option<Text>,
    pub authorization_url: Option<Text>,
    pub token_url: Option<Text>,
    pub extra_auth_params: Vec<(String, Text)>,
    pub key: KeyPath,
}

/// `connection.verification`, or one entry of its `method_for`.
#[derive(Debug, Clone, Default)]
pub struct Verification {
    pub base_url: Option<Text>,
    pub endpoint: Option<Text>,
    pub method: Option<Text>,
    pub auth: Option<Text>,
    pub credential: Option<Text>,
    pub header: Option<Text>,
    pub prefix: Option<Text>,
    pub query_param: Option<Text>,
    pub username: Option<Text>,
    pub password: Option<Text>,
    pub params: Option<Vec<(Text, Text)>>,
    pub headers: Option<Vec<(Text, Text)>>,
    pub show: Option<Text>,
    pub token_url: Option<Text>,
    pub scopes: Option<Text>,
    pub client_auth: Option<Text>,
    /// The parameter whose value names the method to use.
    pub select_by: Option<Text>,
    /// Values computed from parameters before anything is filled.
    pub derive: Option<Vec<Derive>>,
    /// Values used when a parameter is absent or empty.
    pub defaults: Option<Vec<(Text, Text)>>,
    /// `json` (a 2xx must carry JSON) or `any` (status only).
    pub expect: Option<Text>,
    /// Extra form fields of the token request.
    pub token_params: Option<Vec<(Text, Text)>>,
    pub audience: Option<Text>,
    /// Absent: `None`; `base_url_param: null`: `Some(None)`.
    pub base_url_param: Option<Option<Text>>,
    pub method_for: Vec<(String, Verification)>,
    pub key: KeyPath,
    /// The keys of the signed and session variants (spec/signed.rs).
    pub signed: SignedKeys,
}

/// One `derive` entry: a value computed from a parameter by one fixed rule.
#[derive(Debug, Clone)]
pub struct Derive {
    pub name: String,
    pub from: Text,
    pub rule: DeriveRule,
    pub key: KeyPath,
}

/// The only rules there are: nothing else runs.
#[derive(Debug, Clone)]
pub enum DeriveRule {
    /// The text after the last separator.
    AfterLast(String),
    /// The text before the first separator.
    BeforeFirst(String),
    /// A lookup, keys lower-cased (they match case-insensitively), with an optional fallback.
    Map { entries: Vec<(String, String)>, default: Option<String> },
}

impl DeriveRule {
    pub const NAMES: [&str; 3] = ["after_last", "before_first", "map"];

    pub fn name(&self) -> &'static str {
        match self {
            DeriveRule::AfterLast(_) => "after_last",
            DeriveRule::BeforeFirst(_) => "before_first",
            DeriveRule::Map { .. } => "map",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ConnectorSpec {
    pub path: PathBuf,
    pub text: String,
    pub display_name: Option<String>,
    pub parameters: Vec<Parameter>,
    pub auth_methods: Vec<AuthMethod>,
    pub oauth: Option<OAuth>,
    pub verification: Option<Verification>,
    /// True when the verification block came from the older flat keys.
    pub legacy_verification: bool,
    /// Where every key is, built on the first error and kept: lint reports
    /// many problems, and indexing the text for each would be quadratic.
    index: std::sync::OnceLock<std::sync::Arc<KeyIndex>>,
}

impl ConnectorSpec {
    pub fn load(path: &Path) -> Result<Self> {
        let text = crate::error::read_text(path)?
            .ok_or_else(|| Error::io(path, std::io::Error::from(std::io::ErrorKind::NotFound)))?;
        Self::parse(path, text)
    }

    pub fn parse(path: &Path, text: String) -> Result<Self> {
        let root: Value = serde_yaml::from_str(&text).map_err(|err| {
            let pos = err.location().map(|l| Pos { line: l.line(), col: l.column() });
            Error::Input {
                path: path.to_path_buf(),
                pos,
                key: None,
                message: format!("not valid YAML: {}", strip_location(&err.to_string())),
                hint: Some("check the indentation of this line against the lines above it".into()),
            }
        })?;
        let mut spec = ConnectorSpec {
            path: path.to_path_buf(),
            text,
            display_name: None,
            parameters: Vec::new(),
            auth_methods: Vec::new(),
            oauth: None,
            verification: None,
            legacy_verification: false,
            index: std::sync::OnceLock::new(),
        };
        let reader = Reader { spec: &spec };
        let root_key = KeyPath::root();
        let map = match &root {
            Value::Mapping(map) => map,
            Value::Null => {
                return Err(reader.error(&root_key, "the spec is empty").with_hint("add a `connection:` section"));
            }
            _ => return Err(reader.error(&root_key, "expected a mapping at the top level")),
        };
        let display_name = reader.opt_text(map, &root_key, "display_name")?.map(|t| t.value);
        let conn_key = root_key.key("connection");
        let (parameters, auth_methods, oauth, verification, legacy) = match map.get("connection") {
            None | Some(Value::Null) => (Vec::new(), Vec::new(), None, None, false),
            Some(Value::Mapping(conn)) => {
                let parameters = reader.parameters(conn.get("parameters"), &conn_key.key("parameters"))?;
                let methods = reader.auth_methods(conn.get("auth_methods"), &conn_key.key("auth_methods"))?;
                let oauth = match conn.get("oauth") {
                    None | Some(Value::Null) => None,
                    Some(v) => Some(reader.oauth(v, &conn_key.key("oauth"))?),
                };
                let (verification, legacy) = match conn.get("verification") {
                    None | Some(Value::Null) => (reader.legacy_verification(conn, &conn_key)?, true),
                    Some(v) => (Some(reader.verification(v, &conn_key.key("verification"))?), false),
                };
                let legacy = legacy && verification.is_some();
                (parameters, methods, oauth, verification, legacy)
            }
            Some(_) => return Err(reader.error(&conn_key, "expected a mapping")),
        };
        spec.display_name = display_name;
        spec.parameters = parameters;
        spec.auth_methods = auth_methods;
        spec.oauth = oauth;
        spec.verification = verification;
        spec.legacy_verification = legacy;
        check_names(&spec)?;
        Ok(spec)
    }

    /// Where a key is in the file; for a key that is absent, where its
    /// nearest present parent is.
    pub fn locate(&self, key: &KeyPath) -> Option<Pos> {
        let index = self.index.get_or_init(|| std::sync::Arc::new(KeyIndex::build(&self.text)));
        let mut probe = Some(key.clone());
        while let Some(k) = probe {
            if let Some(pos) = index.0.get(&k) {
                return Some(*pos);
            }
            probe = k.parent();
        }
        None
    }

    /// An input error pointing at `key` in this spec.
    pub fn error(&self, key: &KeyPath, message: impl Into<String>) -> Error {
        Error::Input {
            path: self.path.clone(),
            pos: self.locate(key),
            key: if key.0.is_empty() { None } else { Some(key.to_string()) },
            message: message.into(),
            hint: None,
        }
    }

    /// Every parameter: the flat list, then each auth method's.
    pub fn all_parameters(&self) -> impl Iterator<Item = &Parameter> {
        self.parameters.iter().chain(self.auth_methods.iter().flat_map(|m| m.parameters.iter()))
    }
}

/// The one rule for parameter and auth method names: they become JSON keys,
/// form fields, placeholders and Python identifiers.
pub fn is_identifier(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parameter names that hold secrets even when the spec forgets `secret: true`
/// (the one rule: plan, lint, credentials and spec writing all use it). Names of
/// URLs, ids and other settings that merely mention a secret word are not secrets.
pub fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let not_secret =
        ["_url", "_uri", "_endpoint", "_type", "_id", "_name", "_header", "_param", "_path", "_file", "_prefix"]
            .iter()
            .any(|s| n.ends_with(s))
            || n.starts_with("public_");
    if not_secret {
        return false;
    }
    ["token", "secret", "password", "passwd", "api_key", "apikey", "private_key", "credential"]
        .iter()
        .any(|w| n.contains(w))
        || n.ends_with("_key")
        || n == "key"
        || n == "pat"
}

/// The names rule and the duplicate rule, checked once when a spec is read so
/// every command gives the same answer: each name an identifier; a parameter
/// declared once in `connection.parameters`, and an auth method's own
/// parameter neither shared nor repeated in that method (two methods may each
/// declare the same name: it is one credential key); auth method names unique.
fn check_names(spec: &ConnectorSpec) -> Result<()> {
    for p in spec.all_parameters() {
        if !is_identifier(&p.name) {
            return Err(spec.error(
                &p.key.key("name"),
                format!("parameter name {:?} is not an identifier (letters, digits, '_')", p.name),
            ));
        }
    }
    let twice = |p: &Parameter, place: &str| {
        spec.error(&p.key.key("name"), format!("parameter {:?} is declared twice {place}", p.name))
    };
    let mut shared = std::collections::BTreeSet::new();
    for p in &spec.parameters {
        if !shared.insert(p.name.as_str()) {
            return Err(twice(p, "in connection.parameters"));
        }
    }
    let mut methods = std::collections::BTreeSet::new();
    for m in &spec.auth_methods {
        if !methods.insert(m.name.as_str()) {
            return Err(spec.error(&m.key.key("name"), format!("auth method {:?} is declared twice", m.name)));
        }
        let mut own = std::collections::BTreeSet::new();
        for p in &m.parameters {
            if shared.contains(p.name.as_str()) {
                return Err(twice(p, "(also in connection.parameters)"));
            }
            if !own.insert(p.name.as_str()) {
                return Err(twice(p, &format!("in auth method {:?}", m.name)));
            }
        }
    }
    Ok(())
}

fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

struct Reader<'a> {
    spec: &'a ConnectorSpec,
}

impl Reader<'_> {
    fn error(&self, key: &KeyPath, message: impl Into<String>) -> Error {
        self.spec.error(key, message)
    }

    fn scalar(&self, value: &Value, key: &KeyPath) -> Result<Text> {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => String::new(),
            _ => return Err(self.error(key, "expected a single value (text or number), not a list or mapping")),
        };
        Ok(Text { value: text, key: key.clone() })
    }

    fn opt_text(&self, map: &Mapping, parent: &KeyPath, name: &str) -> Result<Option<Text>> {
        match map.get(name) {
            None => Ok(None),
            Some(Value::Null) if name != "username" && name != "prefix" && name != "password" => Ok(None),
            Some(v) => self.scalar(v, &parent.key(name)).map(Some),
        }
    }

    fn opt_bool(&self, map: &Mapping, parent: &KeyPath, name: &str) -> Result<Option<bool>> {
        match map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s == "true" || s == "false" => Ok(Some(s == "true")),
            Some(_) => Err(self.error(&parent.key(name), "expected true or false")),
        }
    }

    fn pairs(&self, value: Option<&Value>, key: &KeyPath) -> Result<Option<Vec<(Text, Text)>>> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Mapping(map)) => {
                let mut out = Vec::with_capacity(map.len());
                for (k, v) in map {
                    let name = self.scalar(k, key)?;
                    let entry_key = key.key(&name.value);
                    let name = Text { value: name.value, key: entry_key.clone() };
                    out.push((name, self.scalar(v, &entry_key)?));
                }
                Ok(Some(out))
            }
            Some(_) => Err(self.error(key, "expected a mapping of names to values")),
        }
    }

    /// Scopes may be written as one space-separated string or as a list.
    fn scopes(&self, map: &Mapping, parent: &KeyPath) -> Result<Option<Text>> {
        match map.get("scopes") {
            Some(Value::Sequence(items)) => {
                let key = parent.key("scopes");
                let mut all = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    all.push(self.scalar(item, &key.index(i))?.value);
                }
                Ok(Some(Text { value: all.join(" "), key }))
            }
            _ => self.opt_text(map, parent, "scopes"),
        }
    }

    fn parameters(&self, value: Option<&Value>, key: &KeyPath) -> Result<Vec<Parameter>> {
        let items = match value {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Sequence(items)) => items,
            Some(_) => return Err(self.error(key, "expected a list of parameters")),
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let item_key = key.index(i);
            let Value::Mapping(map) = item else {
                return Err(self.error(&item_key, "expected a parameter mapping with at least `name`"));
            };
            let Some(name) = self.opt_text(map, &item_key, "name")? else {
                return Err(self
                    .error(&item_key, "parameter without `name`")
                    .with_hint("add `name: <parameter name>`"));
            };
            out.push(Parameter {
                name: name.value,
                kind: self.opt_text(map, &item_key, "type")?.map(|t| t.value),
                required: self.opt_bool(map, &item_key, "required")?.unwrap_or(false),
                secret: self.opt_bool(map, &item_key, "secret")?.unwrap_or(false),
                description: self.opt_text(map, &item_key, "description")?.map(|t| t.value),
                key: item_key,
            });
        }
        Ok(out)
    }

    fn auth_methods(&self, value: Option<&Value>, key: &KeyPath) -> Result<Vec<AuthMethod>> {
        let items = match value {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Sequence(items)) => items,
            Some(_) => return Err(self.error(key, "expected a list of auth methods")),
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let item_key = key.index(i);
            let Value::Mapping(map) = item else {
                return Err(self.error(&item_key, "expected an auth method mapping with `name` and `parameters`"));
            };
            let Some(name) = self.opt_text(map, &item_key, "name")? else {
                return Err(self.error(&item_key, "auth method without `name`"));
            };
            out.push(AuthMethod {
                name: name.value,
                description: self.opt_text(map, &item_key, "description")?.map(|t| t.value),
                parameters: self.parameters(map.get("parameters"), &item_key.key("parameters"))?,
                key: item_key,
            });
        }
        Ok(out)
    }

    fn oauth(&self, value: &Value, key: &KeyPath) -> Result<OAuth> {
        let Value::Mapping(map) = value else {
            return Err(self.error(key, "expected a mapping"));
        };
        let extra = self.pairs(map.get("extra_auth_params"), &key.key("extra_auth_params"))?;
        let flow_text = self.opt_text(map, key, "flow")?;
        let flow_key = flow_text.as_ref().map_or_else(|| key.key("flow"), |f| f.key.clone());
        let flow = match &flow_text {
            None => OauthFlow::default(),
            Some(t) => OauthFlow::parse(&t.value).ok_or_else(|| {
                self.error(&t.key, format!("unknown OAuth flow {:?}; use m2m, u2m or u2m_per_user", t.value))
            })?,
        };
        Ok(OAuth {
            flow,
            flow_key,
            pkce: self.opt_bool(map, key, "pkce")?,
            scopes: self.scopes(map, key)?,
            authorization_url: self.opt_text(map, key, "authorization_url")?,
            token_url: self.opt_text(map, key, "token_url")?,
            extra_auth_params: extra.unwrap_or_default().into_iter().map(|(k, v)| (k.value, v)).collect(),
            key: key.clone(),
        })
    }

    fn verification(&self, value: &Value, key: &KeyPath) -> Result<Verification> {
        let Value::Mapping(map) = value else {
            return Err(self.error(key, "expected a mapping with at least `endpoint`"));
        };
        let t = |name: &str| self.opt_text(map, key, name);
        let base_url_param = match map.get("base_url_param") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(v) => Some(Some(self.scalar(v, &key.key("base_url_param"))?)),
        };
        let mut method_for = Vec::new();
        match map.get("method_for") {
            None | Some(Value::Null) => {}
            Some(Value::Mapping(entries)) => {
                for (name, entry) in entries {
                    let name = self.scalar(name, &key.key("method_for"))?.value;
                    let entry_key = key.key("method_for").key(&name);
                    method_for.push((name, self.verification(entry, &entry_key)?));
                }
            }
            Some(_) => {
                return Err(self.error(&key.key("method_for"), "expected a mapping of auth method names to overrides"));
            }
        }
        Ok(Verification {
            base_url: t("base_url")?,
            endpoint: t("endpoint")?,
            method: t("method")?,
            auth: t("auth")?,
            credential: t("credential")?,
            header: t("header")?,
            prefix: t("prefix")?,
            query_param: t("query_param")?,
            username: t("username")?,
            password: t("password")?,
            params: self.pairs(map.get("params"), &key.key("params"))?,
            headers: self.pairs(map.get("headers"), &key.key("headers"))?,
            show: t("show")?,
            token_url: t("token_url")?,
            scopes: self.scopes(map, key)?,
            client_auth: t("client_auth")?,
            select_by: t("select_by")?,
            derive: self.derive(map.get("derive"), &key.key("derive"))?,
            defaults: self.pairs(map.get("defaults"), &key.key("defaults"))?,
            expect: t("expect")?,
            token_params: self.pairs(map.get("token_params"), &key.key("token_params"))?,
            audience: t("audience")?,
            base_url_param,
            method_for,
            key: key.clone(),
            signed: self.signed_keys(map, key)?,
        })
    }

    /// `derive: {name: {from: param, <rule>: ...}}`; an unknown rule is refused here.
    fn derive(&self, value: Option<&Value>, key: &KeyPath) -> Result<Option<Vec<Derive>>> {
        let entries = match value {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Mapping(entries)) => entries,
            Some(_) => return Err(self.error(key, "expected a mapping of names to rules")),
        };
        let rules = "after_last, before_first or map (with an optional default)";
        let mut out = Vec::with_capacity(entries.len());
        for (name, entry) in entries {
            let name = self.scalar(name, key)?.value;
            let entry_key = key.key(&name);
            if !is_identifier(&name) {
                return Err(self.error(&entry_key, format!("derive name {name:?} is not an identifier")));
            }
            let Value::Mapping(map) = entry else {
                return Err(
                    self.error(&entry_key, format!("expected `{{from: <parameter>, <rule>: ...}}`; a rule is {rules}"))
                );
            };
            for k in map.keys() {
                let k = self.scalar(k, &entry_key)?.value;
                if !["from", "default"].contains(&k.as_str()) && !DeriveRule::NAMES.contains(&k.as_str()) {
                    return Err(self
                        .error(
                            &entry_key.key(&k),
                            format!("unknown derive rule {k:?} in derive.{name}; a rule is {rules}"),
                        )
                        .with_hint(
                            "nothing else runs: derive only cuts a value at a separator or looks it up in a map",
                        ));
                }
            }
            let Some(from) = self.opt_text(map, &entry_key, "from")? else {
                return Err(self.error(&entry_key, format!("derive.{name} has no `from: <parameter>`")));
            };
            let given: Vec<&str> = DeriveRule::NAMES.into_iter().filter(|r| map.contains_key(*r)).collect();
            let [rule] = given.as_slice() else {
                return Err(self.error(&entry_key, format!("derive.{name} needs exactly one rule: {rules}")));
            };
            let default = self.opt_text(map, &entry_key, "default")?;
            if default.is_some() && *rule != "map" {
                return Err(self.error(&entry_key.key("default"), "`default` goes with a `map` rule only"));
            }
            let rule = match *rule {
                "map" => {
                    let pairs = self.pairs(map.get("map"), &entry_key.key("map"))?.unwrap_or_default();
                    let entries = pairs.into_iter().map(|(k, v)| (k.value.to_lowercase(), v.value)).collect();
                    DeriveRule::Map { entries, default: default.map(|d| d.value) }
                }
                r => {
                    let sep = self.opt_text(map, &entry_key, r)?.map(|t| t.value).unwrap_or_default();
                    if sep.is_empty() {
                        return Err(self.error(&entry_key.key(r), format!("{r} needs a separator text")));
                    }
                    if r == "after_last" { DeriveRule::AfterLast(sep) } else { DeriveRule::BeforeFirst(sep) }
                }
            };
            out.push(Derive { name, from, rule, key: entry_key });
        }
        Ok(Some(out))
    }

    /// The older flat keys `auth_type`, `base_url`, `verification_endpoint`.
    fn legacy_verification(&self, conn: &Mapping, conn_key: &KeyPath) -> Result<Option<Verification>> {
        let auth = self.opt_text(conn, conn_key, "auth_type")?;
        let base_url = self.opt_text(conn, conn_key, "base_url")?;
        let endpoint = self.opt_text(conn, conn_key, "verification_endpoint")?;
        if auth.is_none() && base_url.is_none() && endpoint.is_none() {
            return Ok(None);
        }
        Ok(Some(Verification { auth, base_url, endpoint, key: conn_key.clone(), ..Verification::default() }))
    }
}

/// Position of every key (and list item) in a YAML text, by key path.
#[derive(Debug)]
struct KeyIndex(HashMap<KeyPath, Pos>);

impl KeyIndex {
    fn build(text: &str) -> Self {
        let mut builder = IndexBuilder::default();
        // A text serde_yaml accepted parses here too; if not, we just know less.
        let _ = Parser::new_from_str(text).load(&mut builder, false);
        KeyIndex(builder.found)
    }
}

#[derive(Default)]
struct IndexBuilder {
    stack: Vec<Frame>,
    found: HashMap<KeyPath, Pos>,
}

enum Frame {
    /// A mapping: the path of the mapping, the pending key if a value is
    /// expected, and (for a list item) the item whose position is that of the
    /// first key: a block mapping's start mark comes after its first key.
    Map {
        path: KeyPath,
        pending: Option<KeyPath>,
        item: Option<KeyPath>,
    },
    Seq {
        path: KeyPath,
        next: usize,
    },
}

impl IndexBuilder {
    /// The path for the node starting now, advancing the parent's state.
    fn enter(&mut self, mark: &Marker, scalar: Option<&str>) -> Option<KeyPath> {
        let pos = Pos { line: mark.line(), col: mark.col() + 1 };
        match self.stack.last_mut() {
            None => Some(KeyPath::root()),
            Some(Frame::Seq { path, next }) => {
                let item = path.index(*next);
                *next += 1;
                self.found.entry(item.clone()).or_insert(pos);
                Some(item)
            }
            Some(Frame::Map { path, pending, item }) => match pending.take() {
                Some(value_path) => Some(value_path),
                None => {
                    // This node is a key.
                    let key = path.key(scalar.unwrap_or("?"));
                    self.found.entry(key.clone()).or_insert(pos);
                    if let Some(item) = item.take() {
                        self.found.insert(item, pos);
                    }
                    *pending = Some(key);
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for IndexBuilder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, ..) => {
                self.enter(&mark, Some(&value));
            }
            Event::Alias(_) => {
                self.enter(&mark, None);
            }
            Event::MappingStart(..) => {
                let in_list = matches!(self.stack.last(), Some(Frame::Seq { .. }));
                let path = self.enter(&mark, None).unwrap_or_default();
                let item = in_list.then(|| path.clone());
                self.stack.push(Frame::Map { path, pending: None, item });
            }
            Event::SequenceStart(..) => {
                let path = self.enter(&mark, None).unwrap_or_default();
                self.stack.push(Frame::Seq { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_keys_and_items() {
        let text = "a: 1\nconnection:\n  parameters:\n    - name: x\n    - {name: y, secret: true}\n  verification:\n    header: X\n";
        let spec = ConnectorSpec::parse(Path::new("s.yaml"), text.to_string()).unwrap();
        let conn = KeyPath::root().key("connection");
        assert_eq!(spec.locate(&conn.key("verification").key("header")), Some(Pos { line: 7, col: 5 }));
        assert_eq!(spec.locate(&conn.key("parameters").index(1).key("secret")), Some(Pos { line: 5, col: 17 }));
        // Absent key: nearest present parent.
        assert_eq!(spec.locate(&conn.key("verification").key("endpoint")), Some(Pos { line: 6, col: 3 }));
    }

    #[test]
    fn names_that_hold_secrets() {
        for name in ["key", "pat", "api_token", "client_secret", "secret_key", "access_key", "password", "credentials"]
        {
            assert!(looks_secret(name), "{name}");
        }
        for name in ["subdomain", "path", "token_url", "access_key_id", "public_key", "auth_type", "keys"] {
            assert!(!looks_secret(name), "{name}");
        }
    }

    #[test]
    fn legacy_flat_keys_are_a_verification_block_located_at_connection() {
        let text = "display_name: X\nconnection:\n  auth_type: bearer\n  verification_endpoint: /me\n";
        let spec = ConnectorSpec::parse(Path::new("s.yaml"), text.to_string()).unwrap();
        let v = spec.verification.as_ref().unwrap();
        assert!(spec.legacy_verification);
        assert_eq!(v.auth.as_ref().map(|t| t.value.as_str()), Some("bearer"));
        assert_eq!(v.endpoint.as_ref().map(|t| t.value.as_str()), Some("/me"));
        // Errors about keys the flat form lacks point at `connection`, line 2.
        assert_eq!(v.key, KeyPath::root().key("connection"));
        assert_eq!(spec.locate(&v.key.key("credential")), Some(Pos { line: 2, col: 1 }));

        // Any one of the flat keys alone makes a block, read into its own field.
        let keys = ["auth_type", "base_url", "verification_endpoint"];
        for (i, key) in keys.iter().enumerate() {
            let text = format!("connection:\n  {key}: v\n");
            let spec = ConnectorSpec::parse(Path::new("s.yaml"), text).unwrap();
            let v = spec.verification.as_ref().expect(key);
            let read = [&v.auth, &v.base_url, &v.endpoint].map(|t| t.as_ref().map(|t| t.value.as_str()));
            let mut expected = [None; 3];
            expected[i] = Some("v");
            assert_eq!(read, expected, "{key}");
        }
    }
}

#[cfg(test)]
mod locate_items {
    use super::*;

    #[test]
    fn block_list_items_point_at_their_first_key() {
        let text = "connection:\n  parameters:\n    - name: token\n      secret: true\n    - name: other\n";
        let spec = ConnectorSpec::parse(Path::new("s.yaml"), text.to_string()).unwrap();
        let params = KeyPath::root().key("connection").key("parameters");
        assert_eq!(spec.locate(&params.index(1)), Some(Pos { line: 5, col: 7 }));
        assert_eq!(spec.locate(&params.index(0).key("secret")), Some(Pos { line: 4, col: 7 }));
    }
}
