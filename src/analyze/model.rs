//! What an analysis proposes: the verification block, the OAuth block, the
//! parameters, and every finding behind them.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::plan::Variant;

use super::finding::{Finding, Kind, Value};

/// The proposed `connection.verification` block, keys in the order specs write them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Block {
    pub base_url: Option<String>,
    pub endpoint: Option<String>,
    pub auth: Option<Variant>,
    pub credential: Option<String>,
    pub header: Option<String>,
    pub prefix: Option<String>,
    pub query_param: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Keys of the variant beyond the credential, in spec order: OAuth's
    /// `key_json`, `scopes`, `client_auth`, `private_key`, `signing_alg`,
    /// `audience`; AWS's `access_key_id`, `secret_access_key`,
    /// `session_token`, `region`, `service`.
    pub oauth_keys: Vec<(&'static str, String)>,
    /// `derive` rules: the name they fill, and the rule.
    pub derive: Vec<(String, DeriveRule)>,
    pub params: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub show: Option<String>,
}

impl Block {
    /// (key, value) in order; maps as nested pairs.
    pub fn entries(&self) -> Vec<(&'static str, Entry)> {
        let mut out = Vec::new();
        let mut text = |k: &'static str, v: &Option<String>| {
            if let Some(v) = v {
                out.push((k, Entry::Text(v.clone())));
            }
        };
        text("base_url", &self.base_url);
        text("endpoint", &self.endpoint);
        text("auth", &self.auth.map(|v| v.name().to_string()));
        text("credential", &self.credential);
        text("header", &self.header);
        text("prefix", &self.prefix);
        text("query_param", &self.query_param);
        text("username", &self.username);
        text("password", &self.password);
        for (k, v) in &self.oauth_keys {
            out.push((*k, Entry::Text(v.clone())));
        }
        if !self.derive.is_empty() {
            out.push(("derive", Entry::Derive(self.derive.clone())));
        }
        if !self.params.is_empty() {
            out.push(("params", Entry::Pairs(self.params.clone())));
        }
        if !self.headers.is_empty() {
            out.push(("headers", Entry::Pairs(self.headers.clone())));
        }
        if let Some(show) = &self.show {
            out.push(("show", Entry::Text(show.clone())));
        }
        out
    }
}

/// One proposed `derive` rule (DESIGN.md): a part of a parameter's value,
/// or a value looked up from it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeriveRule {
    /// The parameter the value comes from.
    pub from: String,
    pub how: Derivation,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Derivation {
    /// `after_last: "-"` or `before_first: "-"`.
    Split { key: &'static str, separator: String },
    /// `map: {US: amplitude.com, ...}` and the `default` for a value it lacks.
    Map { map: Vec<(String, String)>, default: Option<String> },
}

impl DeriveRule {
    /// The rule's keys in the order specs write them; `map` as its own pairs.
    pub fn keys(&self) -> Vec<(&'static str, DeriveValue)> {
        let mut out = vec![("from", DeriveValue::Text(self.from.clone()))];
        match &self.how {
            Derivation::Split { key, separator } => out.push((key, DeriveValue::Text(separator.clone()))),
            Derivation::Map { map, default } => {
                out.push(("map", DeriveValue::Map(map.clone())));
                if let Some(d) = default {
                    out.push(("default", DeriveValue::Text(d.clone())));
                }
            }
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum DeriveValue {
    Text(String),
    Map(Vec<(String, String)>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Text(String),
    Pairs(Vec<(String, String)>),
    /// `derive`: each name and its rule.
    Derive(Vec<(String, DeriveRule)>),
}

impl Serialize for Block {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_entries(&self.entries(), s)
    }
}

/// A block's entries as a JSON object, in their order.
fn serialize_entries<S: Serializer>(entries: &[(&'static str, Entry)], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(entries.len()))?;
    for (k, v) in entries {
        match v {
            Entry::Text(t) => map.serialize_entry(k, t)?,
            Entry::Pairs(p) => map.serialize_entry(k, &Value::Pairs(p.clone()))?,
            Entry::Derive(rules) => {
                let inner: serde_json::Map<String, serde_json::Value> = rules
                    .iter()
                    .map(|(name, rule)| {
                        let keys = rule
                            .keys()
                            .into_iter()
                            .map(|(key, value)| {
                                let value = match value {
                                    DeriveValue::Text(t) => serde_json::Value::from(t),
                                    DeriveValue::Map(m) => serde_json::Value::Object(
                                        m.into_iter().map(|(a, b)| (a, serde_json::Value::from(b))).collect(),
                                    ),
                                };
                                (key.to_string(), value)
                            })
                            .collect();
                        (name.clone(), serde_json::Value::Object(keys))
                    })
                    .collect();
                map.serialize_entry(k, &inner)?;
            }
        }
    }
    map.end()
}

/// The proposed `connection.oauth` block for OAuth variants.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OauthBlock {
    pub flow: String,
    pub scopes: Option<String>,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    pub extra_auth_params: Vec<(String, String)>,
}

impl OauthBlock {
    pub fn entries(&self) -> Vec<(&'static str, Entry)> {
        let mut out = vec![("flow", Entry::Text(self.flow.clone()))];
        for (k, v) in
            [("scopes", &self.scopes), ("authorization_url", &self.authorization_url), ("token_url", &self.token_url)]
        {
            if let Some(v) = v {
                out.push((k, Entry::Text(v.clone())));
            }
        }
        if !self.extra_auth_params.is_empty() {
            out.push(("extra_auth_params", Entry::Pairs(self.extra_auth_params.clone())));
        }
        out
    }
}

impl Serialize for OauthBlock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_entries(&self.entries(), s)
    }
}

/// A parameter the proposed connection needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamSuggestion {
    pub name: String,
    pub secret: bool,
}

/// A doc that authenticates with a signed JWT: RFC 7523 client assertions
/// (`client_auth: private_key_jwt`, SMART Backend Services) or the JWT bearer
/// grant of a service-account key (`oauth_jwt_bearer`). The key is never
/// sent as a header; these keys replace the block's credential keys.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignedJwt {
    /// The verification keys to use, in spec order.
    pub keys: Vec<(String, String)>,
    pub lines: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Analysis {
    /// Every finding, the chosen variant's first.
    pub findings: Vec<Finding>,
    /// The proposed verification block; `None` when the doc shows no way to authenticate.
    pub block: Option<Block>,
    pub oauth: Option<OauthBlock>,
    pub parameters: Vec<ParamSuggestion>,
    /// A signed-JWT method the doc uses, if any.
    pub signed_jwt: Option<SignedJwt>,
    /// The doc lines, for quoting.
    pub lines: Vec<String>,
}

impl Analysis {
    /// Every variant found, best first, with its confidence.
    pub fn variants(&self) -> Vec<(Variant, f64)> {
        self.findings
            .iter()
            .filter(|f| f.kind == Kind::Auth)
            .filter_map(|f| match &f.value {
                Value::Text(t) => Variant::parse(t).map(|v| (v, f.confidence)),
                _ => None,
            })
            .collect()
    }

    pub fn finding(&self, kind: Kind) -> Option<&Finding> {
        self.findings.iter().find(|f| f.kind == kind)
    }

    /// Every key of the proposed verification block with the confidence and
    /// doc lines of the finding behind it (a key no finding names: 0, no lines).
    pub fn key_confidences(&self) -> Vec<KeyConfidence> {
        let Some(block) = &self.block else { return Vec::new() };
        block
            .entries()
            .into_iter()
            .map(|(key, _)| {
                let kind = match key {
                    "base_url" => Kind::BaseUrl,
                    "endpoint" => Kind::Endpoint,
                    // The signing keys stand or fall with the variant the doc says.
                    "auth" | "access_key_id" | "secret_access_key" | "session_token" | "region" | "service" => {
                        Kind::Auth
                    }
                    "credential" => Kind::Credential,
                    "header" => Kind::Header,
                    "prefix" => Kind::Prefix,
                    "query_param" => Kind::QueryParam,
                    "username" => Kind::Username,
                    "password" => Kind::Password,
                    "params" => Kind::Params,
                    "headers" => Kind::Headers,
                    "key_json" | "client_auth" | "private_key" | "signing_alg" => Kind::SignedJwt,
                    "scopes" => Kind::Scopes,
                    "audience" => Kind::Audience,
                    "derive" => Kind::Derive,
                    _ => Kind::Show,
                };
                let found = self.finding(kind);
                KeyConfidence {
                    key,
                    confidence: found.map_or(0.0, |f| super::finding::round2(f.confidence)),
                    lines: found.map_or_else(Vec::new, |f| f.lines.clone()),
                }
            })
            .collect()
    }

    /// The key the write threshold judges: the least sure one.
    pub fn weakest_key(&self) -> Option<KeyConfidence> {
        self.key_confidences().into_iter().min_by(|a, b| a.confidence.total_cmp(&b.confidence))
    }
}

/// How sure the analysis is of one proposed key, and the doc lines it rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyConfidence {
    pub key: &'static str,
    pub confidence: f64,
    pub lines: Vec<usize>,
}
