//! A finding: what the doc says about one part of the connection, how sure
//! we are, and the doc lines it rests on.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// What a finding is about. Printed (text and JSON) by its [`Kind::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A variant the doc supports (one finding per variant, best first).
    Auth,
    Header,
    Prefix,
    Credential,
    QueryParam,
    Username,
    Password,
    Grant,
    TokenUrl,
    AuthorizationUrl,
    Scopes,
    ExtraAuthParams,
    ClientAuth,
    /// The keys of a signed-JWT method (`key_json`, `private_key`...).
    SignedJwt,
    Audience,
    Derive,
    BaseUrl,
    Endpoint,
    Params,
    Headers,
    Show,
    /// A parameter the proposal needs.
    Parameter,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Auth => "auth",
            Kind::Header => "header",
            Kind::Prefix => "prefix",
            Kind::Credential => "credential",
            Kind::QueryParam => "query_param",
            Kind::Username => "username",
            Kind::Password => "password",
            Kind::Grant => "grant",
            Kind::TokenUrl => "token_url",
            Kind::AuthorizationUrl => "authorization_url",
            Kind::Scopes => "scopes",
            Kind::ExtraAuthParams => "extra_auth_params",
            Kind::ClientAuth => "client_auth",
            Kind::SignedJwt => "signed_jwt",
            Kind::Audience => "audience",
            Kind::Derive => "derive",
            Kind::BaseUrl => "base_url",
            Kind::Endpoint => "endpoint",
            Kind::Params => "params",
            Kind::Headers => "headers",
            Kind::Show => "show",
            Kind::Parameter => "parameter",
        }
    }
}

impl std::fmt::Display for Kind {
    /// Honours width and alignment (`{:<18}`), as a `&str` would.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// What a finding says.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Pairs(Vec<(String, String)>),
    Parameter { name: String, secret: bool },
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Text(t) => s.serialize_str(t),
            Value::Pairs(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Value::Parameter { name, secret } => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("name", name)?;
                map.serialize_entry("secret", secret)?;
                map.end()
            }
        }
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Text(t) if t.is_empty() || t.trim() != t => write!(f, "{t:?}"),
            Value::Text(t) => f.write_str(t),
            Value::Pairs(pairs) => {
                let parts: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                f.write_str(&parts.join(", "))
            }
            Value::Parameter { name, secret } => {
                if *secret {
                    write!(f, "{name} (secret)")
                } else {
                    f.write_str(name)
                }
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub kind: Kind,
    pub value: Value,
    pub lines: Vec<usize>,
    #[serde(serialize_with = "two_places")]
    pub confidence: f64,
}

fn two_places<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round2(*x))
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn kinds_print_like_the_strings_they_replace() {
        assert_eq!(format!("[{:<12}]", Kind::QueryParam), "[query_param ]");
        assert_eq!(serde_json::to_string(&Kind::ExtraAuthParams).unwrap(), "\"extra_auth_params\"");
    }
}
