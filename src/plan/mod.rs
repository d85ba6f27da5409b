//! The typed plan between spec and templates. Everything a template needs is
//! decided here: the variant (and why), where the credential goes, which
//! parameters each method needs, and every value already validated.

mod infer;
mod model;
pub mod pylit;
mod python;

pub use model::*;
pub use python::PyContext;

use crate::error::Result;
use crate::spec::{ConnectorSpec, KeyPath, Parameter, Text, Verification};

impl AuthPlan {
    /// The plan for one source.
    pub fn build(
        spec: &ConnectorSpec,
        source: &str,
        http_client: HttpClient,
        overrides: &Overrides,
        places: Places,
    ) -> Result<Self> {
        let Some(base) = spec.verification.clone() else {
            return Err(spec
                .error(&KeyPath::root().key("connection").key("verification"), "no verification block: authgen cannot tell where to send the check")
                .with_hint(format!(
                    "run `authgen analyze {source} --write` to propose one from the API doc, or add under `connection:`\n\n    verification:\n      base_url: https://api.example.com   # the API root\n      endpoint: /me                       # a cheap read-only GET\n"
                )));
        };
        let base = apply_overrides(base, overrides);
        let mut params = collect_parameters(spec)?;
        let base_url_param = base_url_param(spec, &base, &params)?;

        let mut methods = Vec::new();
        if spec.auth_methods.is_empty() {
            methods.push(infer::method_plan(spec, None, &base, &mut params, overrides)?);
        } else {
            for (name, _) in &base.method_for {
                if !spec.auth_methods.iter().any(|m| &m.name == name) {
                    let key = base.key.key("method_for").key(name);
                    return Err(spec.error(&key, format!("no auth method named {name:?} in connection.auth_methods")));
                }
            }
            for method in &spec.auth_methods {
                let merged = match base.method_for.iter().find(|(n, _)| n == &method.name) {
                    Some((_, over)) => merge(&base, over),
                    None => base.clone(),
                };
                methods.push(infer::method_plan(spec, Some(method), &merged, &mut params, overrides)?);
            }
        }
        let display_name = spec.display_name.clone().unwrap_or_else(|| heck::AsTitleCase(source).to_string());
        Ok(AuthPlan {
            source: source.to_string(),
            display_name,
            http_client,
            parameters: params,
            base_url_param,
            methods,
            places,
        })
    }

    /// One line per method: what was decided and why.
    pub fn notes(&self) -> Vec<String> {
        self.methods
            .iter()
            .map(|m| match &m.name {
                Some(name) => format!("{}: method {name}: {}: {}", self.source, m.variant, m.reason),
                None => format!("{}: {}: {}", self.source, m.variant, m.reason),
            })
            .collect()
    }

    pub fn secret_params(&self) -> Vec<&str> {
        self.parameters.iter().filter(|p| p.secret).map(|p| p.name.as_str()).collect()
    }
}

fn apply_overrides(mut v: Verification, overrides: &Overrides) -> Verification {
    let key = v.key.clone();
    let text = |value: &String, name: &str| Text { value: value.clone(), key: key.key(name) };
    if let Some(auth) = &overrides.auth {
        v.auth = Some(text(auth, "auth"));
        // An explicit variant applies to every method.
        for (_, over) in &mut v.method_for {
            over.auth = None;
        }
    }
    if let Some(url) = &overrides.base_url {
        v.base_url = Some(text(url, "base_url"));
        for (_, over) in &mut v.method_for {
            over.base_url = None;
        }
    }
    if let Some(endpoint) = &overrides.endpoint {
        v.endpoint = Some(text(endpoint, "endpoint"));
        for (_, over) in &mut v.method_for {
            over.endpoint = None;
        }
    }
    v
}

/// `base` with `over`'s keys on top (a `method_for` entry).
fn merge(base: &Verification, over: &Verification) -> Verification {
    fn pick<T: Clone>(over: &Option<T>, base: &Option<T>) -> Option<T> {
        over.clone().or_else(|| base.clone())
    }
    Verification {
        base_url: pick(&over.base_url, &base.base_url),
        endpoint: pick(&over.endpoint, &base.endpoint),
        method: pick(&over.method, &base.method),
        auth: pick(&over.auth, &base.auth),
        credential: pick(&over.credential, &base.credential),
        header: pick(&over.header, &base.header),
        prefix: pick(&over.prefix, &base.prefix),
        query_param: pick(&over.query_param, &base.query_param),
        username: pick(&over.username, &base.username),
        password: pick(&over.password, &base.password),
        params: pick(&over.params, &base.params),
        headers: pick(&over.headers, &base.headers),
        show: pick(&over.show, &base.show),
        token_url: pick(&over.token_url, &base.token_url),
        scopes: pick(&over.scopes, &base.scopes),
        client_auth: pick(&over.client_auth, &base.client_auth),
        base_url_param: pick(&over.base_url_param, &base.base_url_param),
        method_for: Vec::new(),
        key: over.key.clone(),
    }
}

/// Every spec parameter once, shared ones first.
fn collect_parameters(spec: &ConnectorSpec) -> Result<Vec<ParamPlan>> {
    let mut out: Vec<ParamPlan> = Vec::new();
    // A set, not a search of `out`: planning stays linear in the spec's size.
    let mut seen = std::collections::HashSet::new();
    let mut add = |p: &Parameter, method: Option<&str>| -> Result<()> {
        // Names and duplicates were checked when the spec was read: a name seen
        // again here is in two auth methods, and is one credential key.
        if !seen.insert(p.name.clone()) {
            return Ok(());
        }
        out.push(ParamPlan {
            name: p.name.clone(),
            required: p.required,
            secret: p.secret || crate::spec::looks_secret(&p.name),
            description: p.description.clone(),
            method: method.map(str::to_string),
            implicit: false,
        });
        Ok(())
    };
    for p in &spec.parameters {
        add(p, None)?;
    }
    for m in &spec.auth_methods {
        for p in &m.parameters {
            add(p, Some(&m.name))?;
        }
    }
    Ok(out)
}

fn base_url_param(spec: &ConnectorSpec, v: &Verification, params: &[ParamPlan]) -> Result<Option<String>> {
    match &v.base_url_param {
        Some(None) => Ok(None),
        Some(Some(name)) => {
            if params.iter().any(|p| p.name == name.value) {
                Ok(Some(name.value.clone()))
            } else {
                Err(spec.error(&name.key, format!("no parameter named {:?}", name.value)))
            }
        }
        None => Ok(params.iter().find(|p| p.name == "base_url").map(|p| p.name.clone())),
    }
}
