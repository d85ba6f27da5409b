//! What a spec asks `authgen credentials` to collect, and the session that
//! collects it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::Result;
use crate::spec::{ConnectorSpec, OauthFlow, Parameter, key_material, looks_secret};

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
    /// Some method of the auth check reads it (false: only the connector needs it).
    pub for_check: bool,
    /// Key material (a PEM key, a service-account key file): several lines,
    /// kept exactly as given.
    pub key: bool,
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
    /// More token request fields (`audience`, `token_params`); values may hold placeholders.
    pub token_params: Vec<(String, String)>,
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
                    token_params: spec.verification.as_ref().map_or_else(Vec::new, |v| {
                        let mut out: Vec<(String, String)> =
                            v.token_params.iter().flatten().map(|(k, t)| (k.value.clone(), t.value.clone())).collect();
                        out.extend(v.audience.iter().map(|a| ("audience".to_string(), a.value.clone())));
                        out
                    }),
                })
            }
        };

        let field = |p: &Parameter| Field {
            name: p.name.clone(),
            description: p.description.as_ref().map(|d| d.trim().to_string()).filter(|d| !d.is_empty()),
            required: p.required,
            secret: p.secret || looks_secret(&p.name) || key_material(&p.name, p.description.as_deref()).is_some(),
            implicit: false,
            for_check: true,
            key: key_material(&p.name, p.description.as_deref()).is_some(),
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
        // Only what some method of the check reads, plus what the spec requires
        // for the connector (said so); without a plan, everything the spec declares.
        let plan = crate::plan::AuthPlan::build(
            spec,
            source,
            crate::plan::HttpClient::Requests,
            &crate::plan::Overrides::default(),
            crate::plan::Places::default(),
        );
        if let Ok(plan) = plan {
            let used = crate::plan::values::used(&plan);
            let mark = |fields: &mut Vec<Field>| {
                fields.retain(|f| f.implicit || f.required || used.contains(&f.name));
                for f in fields.iter_mut().filter(|f| !f.implicit && !used.contains(&f.name)) {
                    f.for_check = false;
                    let note = "Required by the connector; the auth check does not use it.";
                    f.description = Some(f.description.take().map_or(note.to_string(), |d| format!("{d} ({note})")));
                }
            };
            mark(&mut shared);
            for m in &mut methods {
                mark(&mut m.fields);
            }
        }
        // A client that signs an assertion (private_key_jwt) has a key, no secret.
        let signs = spec
            .verification
            .as_ref()
            .and_then(|v| v.client_auth.as_ref())
            .is_some_and(|c| c.value.trim() == "private_key_jwt");
        if signs {
            let keep = |f: &Field| !(f.implicit && f.name == "client_secret");
            shared.retain(keep);
            for m in &mut methods {
                m.fields.retain(keep);
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
            // A key is kept as given (a PEM ends with its line break).
            let value = get(&f.name).filter(|v| !v.trim().is_empty());
            match value.map(|v| if f.key { v } else { v.trim().to_string() }) {
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
                for_check: true,
                key: false,
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
    /// `--from-file NAME=PATH`: values read from files, unchanged, never prompted for.
    pub from_file: Vec<(String, PathBuf)>,
}

/// Spec text for the terminal: one line, control and format characters
/// shown escaped, so a spec cannot move the cursor, change colours or
/// reorder what is printed.
pub fn plain(text: &str) -> String {
    crate::term::clean(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// `text` with every secret value replaced by `***`.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 3) {
        out = out.replace(*s, "***");
    }
    out
}
