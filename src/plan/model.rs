//! The plan's types (the variant, the HTTP client, each method's request and
//! credential) and the small text helpers building and inferring share.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use crate::error::Error;
use crate::spec::{ConnectorSpec, Text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    Bearer,
    Basic,
    ApiKeyHeader,
    ApiKeyQuery,
    OauthRefresh,
    OauthClientCredentials,
    None,
    // Signed and session auth (plan/signed.rs).
    OauthJwtBearer,
    SessionLogin,
    AwsSigv4,
}

impl Variant {
    pub const ALL: [Variant; 10] = [
        Variant::Bearer,
        Variant::Basic,
        Variant::ApiKeyHeader,
        Variant::ApiKeyQuery,
        Variant::OauthRefresh,
        Variant::OauthClientCredentials,
        Variant::None,
        Variant::OauthJwtBearer,
        Variant::SessionLogin,
        Variant::AwsSigv4,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Variant::Bearer => "bearer",
            Variant::Basic => "basic",
            Variant::ApiKeyHeader => "api_key_header",
            Variant::ApiKeyQuery => "api_key_query",
            Variant::OauthRefresh => "oauth_refresh",
            Variant::OauthClientCredentials => "oauth_client_credentials",
            Variant::None => "none",
            Variant::OauthJwtBearer => "oauth_jwt_bearer",
            Variant::SessionLogin => "session_login",
            Variant::AwsSigv4 => "aws_sigv4",
        }
    }

    pub fn parse(name: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|v| v.name() == name)
    }

    /// Why `name` is no variant: the nearest one when it looks like a typo, and the list.
    pub fn unknown(name: &str) -> String {
        let names: Vec<&str> = Variant::ALL.iter().map(|v| v.name()).collect();
        let guess = crate::suggest::closest(name, names.iter().copied())
            .map_or(String::new(), |n| format!("; did you mean {n}?"));
        format!("unknown variant {name:?}{guess} (one of: {})", names.join(", "))
    }

    /// What goes on the wire, for `authgen variants`.
    pub fn wire(self) -> &'static str {
        match self {
            Variant::Bearer => "Authorization: Bearer <secret> (header and prefix configurable)",
            Variant::Basic => "HTTP Basic from username and password (names or {param} patterns)",
            Variant::ApiKeyHeader => "<header>: <prefix><secret>",
            Variant::ApiKeyQuery => "?<query_param>=<secret>",
            Variant::OauthRefresh => {
                "POST token_url grant refresh_token (client_id, client_secret, refresh_token) -> Bearer access token"
            }
            Variant::OauthClientCredentials => {
                "POST token_url grant client_credentials (+ scopes) -> Bearer access token"
            }
            Variant::None => "no credential (public endpoints)",
            Variant::OauthJwtBearer => {
                "POST the key's token URL grant jwt-bearer, assertion = a JWT signed with a service-account key -> Bearer access token"
            }
            Variant::SessionLogin => "log in (POST json or form), read the session token, send it like bearer",
            Variant::AwsSigv4 => {
                "AWS Signature Version 4 on the request (access key id, secret access key, region, service)"
            }
        }
    }

    pub fn is_oauth(self) -> bool {
        matches!(self, Variant::OauthRefresh | Variant::OauthClientCredentials)
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HttpClient {
    Requests,
    Urllib,
}

impl HttpClient {
    pub fn name(self) -> &'static str {
        match self {
            HttpClient::Requests => "requests",
            HttpClient::Urllib => "urllib",
        }
    }
    pub fn parse(name: &str) -> Option<HttpClient> {
        match name {
            "requests" => Some(HttpClient::Requests),
            "urllib" => Some(HttpClient::Urllib),
            _ => None,
        }
    }
}

/// Command-line overrides of the spec's verification block.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub auth: Option<String>,
    pub base_url: Option<String>,
    pub endpoint: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuthPlan {
    pub source: String,
    pub display_name: String,
    pub http_client: HttpClient,
    pub parameters: Vec<ParamPlan>,
    /// The spec parameter whose value, when supplied, replaces the base URL.
    pub base_url_param: Option<String>,
    /// The parameter whose value names the method (`select_by`).
    pub select_by: Option<String>,
    /// Values computed before anything is filled, in the spec's order.
    pub derive: Vec<DerivePlan>,
    /// Values used when a parameter is absent or empty.
    pub defaults: Vec<(String, String)>,
    pub methods: Vec<MethodPlan>,
    #[serde(flatten)]
    pub places: Places,
}

/// Files the generated test reads, relative to its own directory.
#[derive(Debug, Clone, Serialize)]
pub struct Places {
    pub loader: String,
    pub credentials: String,
    /// The shared runtime module every generated test imports.
    pub runtime: String,
}

impl Default for Places {
    /// The default layout's places.
    fn default() -> Self {
        Places {
            loader: "../test_utils.py".into(),
            credentials: "configs/dev_config.json".into(),
            runtime: "../authgen_runtime.py".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ParamPlan {
    pub name: String,
    pub required: bool,
    pub secret: bool,
    pub description: Option<String>,
    /// Which auth method the parameter belongs to; `None` for shared ones.
    pub method: Option<String>,
    /// Added by authgen (such as an OAuth refresh token), not in the spec.
    pub implicit: bool,
}

/// One `derive` entry: `name` from parameter `from` by `rule` (`after_last`,
/// `before_first` with separator `arg`; `map` with `map` and `default`).
#[derive(Debug, Clone, Serialize)]
pub struct DerivePlan {
    pub name: String,
    pub from: String,
    pub rule: &'static str,
    pub arg: String,
    /// Keys lower-cased: they match case-insensitively.
    pub map: Vec<(String, String)>,
    pub default: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodPlan {
    /// The `auth_methods` entry, or `None` for a spec without them.
    pub name: Option<String>,
    pub variant: Variant,
    /// Why this variant: "given in ..." or "inferred from ...".
    pub reason: String,
    /// Every parameter this method uses that must be present (see `values`).
    pub required: Vec<String>,
    /// `json`: a 2xx must carry a JSON body (or none); `any`: the status decides.
    pub expect: String,
    pub request: RequestPlan,
    pub credential: CredentialPlan,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestPlan {
    /// May hold `{param}` placeholders.
    pub base_url: String,
    pub endpoint: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub params: Vec<(String, String)>,
    pub show: Option<ShowPath>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShowPath {
    pub label: String,
    pub segments: Vec<ShowSegment>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShowSegment {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CredentialPlan {
    None,
    Header {
        header: String,
        prefix: String,
        credential: String,
    },
    Query {
        query_param: String,
        credential: String,
    },
    Basic {
        username: String,
        password: String,
    },
    Oauth(OauthPlan),
    /// `oauth_jwt_bearer`, `session_login`, `aws_sigv4` (plan/signed.rs).
    Signed(SignedPlan),
}

#[derive(Debug, Clone, Serialize)]
pub struct OauthPlan {
    pub grant: String,
    /// May hold `{param}` placeholders.
    pub token_url: String,
    pub scopes: Option<String>,
    pub client_auth: String,
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: Option<String>,
    /// Extra form fields of the token request; values may hold placeholders.
    pub token_params: Vec<(String, String)>,
    pub audience: Option<String>,
    pub header: String,
    pub prefix: String,
    /// `client_auth: private_key_jwt`: the key that signs the client assertion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_key: Option<ClientKeyPlan>,
}

/// Names inside `{...}` in a template string, in order; `{{` and `}}` are
/// literal braces.
pub fn placeholders(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"{{") || bytes[i..].starts_with(b"}}") {
            i += 2;
            continue;
        }
        if bytes[i] == b'{'
            && let Some(end) = text[i + 1..].find('}')
        {
            out.push(&text[i + 1..i + 1 + end]);
            i += end + 2;
            continue;
        }
        i += 1;
    }
    out
}

/// Required names, deduplicated, in first-seen order.
pub(crate) fn dedup(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    names.into_iter().filter(|n| seen.insert(n.clone())).collect()
}

pub(crate) fn input_error(spec: &ConnectorSpec, text: &Text, message: impl Into<String>) -> Error {
    spec.error(&text.key, message)
}

// ---------------------------------------------------------------------------
// Signed and session auth (built in plan/signed.rs)

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "scheme", rename_all = "snake_case")]
pub enum SignedPlan {
    AwsSigv4 {
        access_key_id: String,
        secret_access_key: String,
        session_token: Option<String>,
        /// Text or a `{param}` pattern.
        region: String,
        service: String,
    },
    SessionLogin {
        /// Joined to the base URL like the endpoint; may hold placeholders.
        endpoint: String,
        method: String,
        /// `json` or `form`.
        body: String,
        /// Field name to `{param}` pattern or text.
        fields: Vec<(String, String)>,
        token_field: ShowPath,
        header: String,
        prefix: String,
    },
    JwtBearer {
        key_json: String,
        scopes: Option<String>,
        /// Empty: the key's own `token_uri`.
        token_url: String,
        subject: String,
        header: String,
        prefix: String,
    },
}

/// `client_auth: private_key_jwt`: what signs the client assertion.
#[derive(Debug, Clone, Serialize)]
pub struct ClientKeyPlan {
    pub private_key: String,
    /// Text or `{param}`; empty: no `kid` header.
    pub key_id: String,
    /// One of `SIGNING_ALGS` (plan/signed.rs), or a `{param}` pattern checked at run time.
    pub signing_alg: String,
}

impl SignedPlan {
    /// Every parameter this plan reads: the ones it names and those its
    /// patterns fill (an optional session token is not required).
    pub fn required(&self) -> Vec<String> {
        let mut out = Vec::new();
        let filled = |t: &str, out: &mut Vec<String>| out.extend(placeholders(t).into_iter().map(str::to_string));
        match self {
            SignedPlan::AwsSigv4 { access_key_id, secret_access_key, region, .. } => {
                out.push(access_key_id.clone());
                out.push(secret_access_key.clone());
                filled(region, &mut out);
            }
            SignedPlan::SessionLogin { endpoint, fields, .. } => {
                filled(endpoint, &mut out);
                for (_, value) in fields {
                    filled(value, &mut out);
                }
            }
            SignedPlan::JwtBearer { key_json, token_url, subject, .. } => {
                out.push(key_json.clone());
                filled(token_url, &mut out);
                filled(subject, &mut out);
            }
        }
        out
    }

    /// Some string holds a `{param}` placeholder the runtime fills.
    pub fn fills(&self) -> bool {
        self.required().len() > self.named().len()
    }

    /// The parameters it names directly (not through a placeholder).
    pub(crate) fn named(&self) -> Vec<String> {
        match self {
            SignedPlan::AwsSigv4 { access_key_id, secret_access_key, .. } => {
                vec![access_key_id.clone(), secret_access_key.clone()]
            }
            SignedPlan::SessionLogin { .. } => Vec::new(),
            SignedPlan::JwtBearer { key_json, .. } => vec![key_json.clone()],
        }
    }
}
