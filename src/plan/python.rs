//! The render context: the plan with every string already a Python literal.
//! Templates print these as they are and decide nothing.

use serde::Serialize;

use super::pylit::{py_opt_str, py_str};
use super::{AuthPlan, CredentialPlan, ShowSegment, Variant};

#[derive(Debug, Serialize)]
pub struct PyContext {
    /// Validated source name (letters, digits, `_`, `-`): safe in comments.
    pub source: String,
    pub http_client: &'static str,
    pub source_lit: String,
    pub display_name_lit: String,
    pub base_url_param_lit: String,
    pub secret_params: Vec<String>,
    pub loader_parts: Vec<String>,
    pub credentials_parts: Vec<String>,
    pub methods: Vec<PyMethod>,
    pub uses: Uses,
}

#[derive(Debug, Serialize)]
pub struct PyMethod {
    /// `(key, literal)` pairs, in order, for the method's dict.
    pub fields: Vec<(String, String)>,
    pub required: Vec<String>,
    pub headers: Vec<(String, String)>,
    pub params: Vec<(String, String)>,
    pub show: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct Uses {
    pub header: bool,
    pub query: bool,
    pub basic: bool,
    pub oauth: bool,
    pub oauth_basic_client: bool,
    pub none: bool,
    pub show: bool,
    pub several_methods: bool,
}

impl PyContext {
    pub fn new(plan: &AuthPlan) -> Self {
        let mut uses = Uses { several_methods: plan.methods.len() > 1, ..Uses::default() };
        let methods = plan
            .methods
            .iter()
            .map(|m| {
                let mut fields = vec![
                    ("name".to_string(), py_opt_str(m.name.as_deref())),
                    ("auth".to_string(), py_str(m.variant.name())),
                    ("base_url".to_string(), py_str(&m.request.base_url)),
                    ("endpoint".to_string(), py_str(&m.request.endpoint)),
                    ("http_method".to_string(), py_str(&m.request.method)),
                ];
                let mut add = |k: &str, v: String| fields.push((k.to_string(), v));
                match &m.credential {
                    CredentialPlan::None => uses.none = true,
                    CredentialPlan::Header { header, prefix, credential } => {
                        uses.header = true;
                        add("header", py_str(header));
                        add("prefix", py_str(prefix));
                        add("credential", py_str(credential));
                    }
                    CredentialPlan::Query { query_param, credential } => {
                        uses.query = true;
                        add("query_param", py_str(query_param));
                        add("credential", py_str(credential));
                    }
                    CredentialPlan::Basic { username, password } => {
                        uses.basic = true;
                        add("username", py_str(username));
                        add("password", py_str(password));
                    }
                    CredentialPlan::Oauth(o) => {
                        uses.oauth = true;
                        uses.oauth_basic_client |= o.client_auth == "basic";
                        add("grant", py_str(&o.grant));
                        add("token_url", py_str(&o.token_url));
                        add("scopes", py_opt_str(o.scopes.as_deref()));
                        add("client_auth", py_str(&o.client_auth));
                        add("client_id", py_str(&o.client_id));
                        add("client_secret", py_str(&o.client_secret));
                        add("refresh_token", py_opt_str(o.refresh_token.as_deref()));
                        add("header", py_str(&o.header));
                        add("prefix", py_str(&o.prefix));
                    }
                }
                let show = m.request.show.as_ref().map_or_else(Vec::new, |s| {
                    s.segments
                        .iter()
                        .map(|seg| match seg {
                            ShowSegment::Key(k) => py_str(k),
                            ShowSegment::Index(i) => i.to_string(),
                        })
                        .collect()
                });
                uses.show |= m.request.show.is_some();
                fields.push(("show_label".to_string(), py_opt_str(m.request.show.as_ref().map(|s| s.label.as_str()))));
                PyMethod {
                    fields,
                    required: m.required.iter().map(|r| py_str(r)).collect(),
                    headers: m.request.headers.iter().map(|(k, v)| (py_str(k), py_str(v))).collect(),
                    params: m.request.params.iter().map(|(k, v)| (py_str(k), py_str(v))).collect(),
                    show,
                }
            })
            .collect();
        let parts = |rel: &str| rel.split('/').filter(|p| !p.is_empty()).map(py_str).collect();
        PyContext {
            source: plan.source.clone(),
            http_client: plan.http_client.name(),
            source_lit: py_str(&plan.source),
            display_name_lit: py_str(&plan.display_name),
            base_url_param_lit: py_opt_str(plan.base_url_param.as_deref()),
            secret_params: plan.secret_params().into_iter().map(py_str).collect(),
            loader_parts: parts(&plan.loader),
            credentials_parts: parts(&plan.credentials),
            methods,
            uses,
        }
    }
}

impl Variant {
    /// Parameters a variant typically needs, for `authgen variants`.
    pub fn typical_keys(self) -> &'static str {
        match self {
            Variant::Bearer => "credential, header, prefix",
            Variant::Basic => "username, password",
            Variant::ApiKeyHeader => "credential, header, prefix",
            Variant::ApiKeyQuery => "credential, query_param",
            Variant::OauthRefresh => "token_url, scopes (client_id, client_secret, refresh_token)",
            Variant::OauthClientCredentials => "token_url, scopes, client_auth (client_id, client_secret)",
            Variant::None => "-",
        }
    }
}
