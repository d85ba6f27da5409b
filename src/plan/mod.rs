//! The typed plan between spec and templates. Everything a template needs is
//! decided here: the variant (and why), where the credential goes, which
//! parameters each method needs, and every value already validated.

mod infer;
mod model;
pub mod pylit;
mod python;
mod signed;
pub mod values;

pub use model::*;
pub use python::PyContext;
pub use signed::{KEY_IS_NO_TOKEN, SIGNING_ALGS};

use crate::error::Result;
use crate::spec::{ConnectorSpec, DeriveRule, KeyPath, Parameter, Text, Verification};

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

        // Computed once for the whole check, before a method is chosen.
        for (_, over) in &base.method_for {
            let misplaced = [
                ("select_by", over.select_by.is_some()),
                ("derive", over.derive.is_some()),
                ("defaults", over.defaults.is_some()),
            ];
            if let Some((key, _)) = misplaced.iter().find(|(_, present)| *present) {
                return Err(spec.error(
                    &over.key.key(key),
                    format!("`{key}` belongs directly under connection.verification, not in method_for"),
                ));
            }
        }
        let derive = derive_plan(spec, &base, &params)?;
        let defaults: Vec<(String, String)> =
            base.defaults.iter().flatten().map(|(k, v)| (k.value.clone(), v.value.clone())).collect();
        let select_by = select_by(spec, &base, &params, &defaults)?;

        let mut methods = Vec::new();
        if spec.auth_methods.is_empty() && select_by.is_none() {
            methods.push(infer::method_plan(spec, None, &base, &mut params, overrides)?);
        } else if spec.auth_methods.is_empty() {
            // A flat spec whose methods live in `method_for` alone, chosen by `select_by`.
            for (name, over) in &base.method_for {
                let mut m = infer::method_plan(spec, None, &merge(&base, over), &mut params, overrides)?;
                m.name = Some(name.clone());
                methods.push(m);
            }
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
        for m in &mut methods {
            m.required = values::required(m, &derive, &defaults);
            // In the spec's order, as a reader of the spec expects them.
            m.required.sort_by_key(|name| params.iter().position(|p| &p.name == name));
        }
        signed::check_client_keys(spec, &base, &methods)?;
        let display_name = spec.display_name.clone().unwrap_or_else(|| heck::AsTitleCase(source).to_string());
        Ok(AuthPlan {
            source: source.to_string(),
            display_name,
            http_client,
            parameters: params,
            base_url_param,
            select_by: select_by.map(|t| t.value),
            derive,
            defaults,
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
        select_by: base.select_by.clone(),
        derive: base.derive.clone(),
        defaults: base.defaults.clone(),
        expect: pick(&over.expect, &base.expect),
        token_params: pick(&over.token_params, &base.token_params),
        audience: pick(&over.audience, &base.audience),
        base_url_param: pick(&over.base_url_param, &base.base_url_param),
        method_for: Vec::new(),
        key: over.key.clone(),
        signed: over.signed.over(&base.signed),
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

/// `derive` entries, each from a declared parameter.
fn derive_plan(spec: &ConnectorSpec, v: &Verification, params: &[ParamPlan]) -> Result<Vec<DerivePlan>> {
    let mut out = Vec::new();
    for d in v.derive.iter().flatten() {
        if !params.iter().any(|p| p.name == d.from.value) {
            return Err(spec.error(&d.from.key, format!("derive.{}: no parameter named {:?}", d.name, d.from.value)));
        }
        if params.iter().any(|p| p.name == d.name) {
            return Err(spec.error(&d.key, format!("derive.{} would hide the parameter of that name", d.name)));
        }
        let (arg, map, default) = match &d.rule {
            DeriveRule::AfterLast(sep) | DeriveRule::BeforeFirst(sep) => (sep.clone(), Vec::new(), None),
            DeriveRule::Map { entries, default } => (String::new(), entries.clone(), default.clone()),
        };
        out.push(DerivePlan {
            name: d.name.clone(),
            from: d.from.value.clone(),
            rule: d.rule.name(),
            arg,
            map,
            default,
        });
    }
    Ok(out)
}

/// `select_by`: a declared parameter, and every method it can name is one the
/// spec has (its default included); a flat spec needs `method_for` entries.
fn select_by(
    spec: &ConnectorSpec,
    v: &Verification,
    params: &[ParamPlan],
    defaults: &[(String, String)],
) -> Result<Option<Text>> {
    let Some(by) = &v.select_by else { return Ok(None) };
    if !params.iter().any(|p| p.name == by.value) {
        let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
        let guess = crate::suggest::closest(&by.value, names.iter().copied())
            .map_or(String::new(), |n| format!("; did you mean {n}?"));
        return Err(spec.error(&by.key, format!("select_by: no parameter named {:?}{guess}", by.value)));
    }
    let methods: Vec<&str> = if spec.auth_methods.is_empty() {
        v.method_for.iter().map(|(n, _)| n.as_str()).collect()
    } else {
        spec.auth_methods.iter().map(|m| m.name.as_str()).collect()
    };
    if methods.len() < 2 {
        return Err(spec
            .error(&by.key, "select_by picks among methods, but there is at most one")
            .with_hint("name each method under verification.method_for (or connection.auth_methods)"));
    }
    if let Some((_, default)) = defaults.iter().find(|(k, _)| k == &by.value)
        && !methods.contains(&default.as_str())
    {
        let key = v.key.key("defaults").key(&by.value);
        return Err(spec.error(
            &key,
            format!("the default {}: {default:?} names no method (one of: {})", by.value, methods.join(", ")),
        ));
    }
    if !spec.auth_methods.is_empty() {
        for (name, _) in &v.method_for {
            if !methods.contains(&name.as_str()) {
                let key = v.key.key("method_for").key(name);
                return Err(spec.error(
                    &key,
                    format!("{name:?} is no auth method that {} can select (one of: {})", by.value, methods.join(", ")),
                ));
            }
        }
    }
    Ok(Some(by.clone()))
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
