//! Which parameters a method needs: computed from what its request actually
//! uses (the credential, the placeholders it fills, the Basic fields, the
//! OAuth client fields), never from `required: true` alone, so a complete
//! set of credentials for this method is never called incomplete.

use super::model::{CredentialPlan, DerivePlan, MethodPlan, SignedPlan, dedup, placeholders};

/// Every template string of the method, where placeholders may be filled.
pub fn templates(m: &MethodPlan) -> Vec<&str> {
    let r = &m.request;
    let mut out: Vec<&str> = vec![&r.base_url, &r.endpoint];
    for (name, value) in &r.headers {
        out.extend([name.as_str(), value.as_str()]);
    }
    out.extend(r.params.iter().map(|(_, v)| v.as_str()));
    match &m.credential {
        CredentialPlan::None | CredentialPlan::Query { .. } => {}
        CredentialPlan::Header { header, prefix, .. } => out.extend([header.as_str(), prefix.as_str()]),
        CredentialPlan::Basic { username, password } => out.extend([username.as_str(), password.as_str()]),
        CredentialPlan::Oauth(o) => {
            out.extend([o.token_url.as_str(), o.header.as_str(), o.prefix.as_str()]);
            out.extend(o.scopes.as_deref());
            out.extend(o.audience.as_deref());
            out.extend(o.token_params.iter().map(|(_, v)| v.as_str()));
            if let Some(k) = &o.client_key {
                out.extend([k.key_id.as_str(), k.signing_alg.as_str()]);
            }
        }
        CredentialPlan::Signed(SignedPlan::AwsSigv4 { region, .. }) => out.push(region),
        CredentialPlan::Signed(SignedPlan::SessionLogin { endpoint, fields, header, prefix, .. }) => {
            out.extend([endpoint.as_str(), header.as_str(), prefix.as_str()]);
            out.extend(fields.iter().map(|(_, v)| v.as_str()));
        }
        CredentialPlan::Signed(SignedPlan::JwtBearer { token_url, subject, scopes, .. }) => {
            out.extend([token_url.as_str(), subject.as_str()]);
            out.extend(scopes.as_deref());
        }
    }
    out
}

/// The parameters `m` cannot run without, in the order it uses them. A
/// placeholder naming a derived value needs the parameter it comes from
/// (unless a `map` default covers its absence); one with a default needs nothing.
pub fn required(m: &MethodPlan, derive: &[DerivePlan], defaults: &[(String, String)]) -> Vec<String> {
    let has_default = |name: &str| defaults.iter().any(|(k, _)| k == name);
    let mut out: Vec<String> = Vec::new();
    match &m.credential {
        CredentialPlan::Header { credential, .. } | CredentialPlan::Query { credential, .. } => {
            out.push(credential.clone());
        }
        CredentialPlan::Oauth(o) => {
            out.push(o.client_id.clone());
            // A client that signs an assertion has a key, no secret.
            if !o.client_secret.is_empty() {
                out.push(o.client_secret.clone());
            }
            out.extend(o.refresh_token.clone());
            out.extend(o.client_key.as_ref().map(|k| k.private_key.clone()));
        }
        CredentialPlan::Signed(s) => out.extend(s.named()),
        CredentialPlan::Basic { .. } | CredentialPlan::None => {}
    }
    for text in templates(m) {
        for name in placeholders(text) {
            if has_default(name) {
                continue;
            }
            match derive.iter().find(|d| d.name == name) {
                Some(d) if d.default.is_some() || has_default(&d.from) => {}
                Some(d) => out.push(d.from.clone()),
                None => out.push(name.to_string()),
            }
        }
    }
    dedup(out)
}

/// Every parameter some method of the plan reads: what it requires, what it
/// fills even when a default covers it, the sources of derived values, the
/// parameter that selects the method. `authgen credentials` asks for these
/// (and for what the spec requires of the connector).
pub fn used(plan: &super::model::AuthPlan) -> Vec<String> {
    let mut out: Vec<String> = plan.select_by.iter().cloned().collect();
    for m in &plan.methods {
        out.extend(m.required.iter().cloned());
        for text in templates(m) {
            for name in placeholders(text) {
                match plan.derive.iter().find(|d| d.name == name) {
                    Some(d) => out.push(d.from.clone()),
                    None => out.push(name.to_string()),
                }
            }
        }
    }
    if plan.base_url_param.is_some() {
        out.extend(plan.base_url_param.clone());
    }
    dedup(out)
}

#[cfg(test)]
mod tests {
    use super::super::model::{RequestPlan, Variant};
    use super::*;

    fn method(base_url: &str, headers: Vec<(&str, &str)>, credential: CredentialPlan) -> MethodPlan {
        MethodPlan {
            name: None,
            variant: Variant::ApiKeyHeader,
            reason: String::new(),
            required: Vec::new(),
            expect: "json".into(),
            request: RequestPlan {
                base_url: base_url.into(),
                endpoint: "/ping".into(),
                method: "GET".into(),
                headers: headers.into_iter().map(|(a, b)| (a.into(), b.into())).collect(),
                params: Vec::new(),
                show: None,
            },
            credential,
        }
    }

    fn derive(name: &str, from: &str, default: Option<&str>) -> DerivePlan {
        DerivePlan {
            name: name.into(),
            from: from.into(),
            rule: if default.is_some() { "map" } else { "after_last" },
            arg: "-".into(),
            map: Vec::new(),
            default: default.map(str::to_string),
        }
    }

    #[test]
    fn a_derived_placeholder_needs_its_source_and_a_default_needs_nothing() {
        let header = CredentialPlan::Header {
            header: "{api_key_header}".into(),
            prefix: String::new(),
            credential: "api_key".into(),
        };
        let m = method("https://{dc}.api.mailchimp.com/3.0", vec![("X-Region", "{region}")], header);
        let d = [derive("dc", "api_key", None), derive("region", "data_region", Some("us"))];
        let defaults = [("api_key_header".to_string(), "x-api-key".to_string())];
        assert_eq!(required(&m, &d, &defaults), vec!["api_key"]);
        // Without the default, the header name's parameter is needed too.
        assert_eq!(required(&m, &d, &[]), vec!["api_key", "api_key_header"]);
    }

    #[test]
    fn escaped_braces_are_no_placeholder() {
        let m = method("https://api.example.com", vec![("X-Note", "{{literal}}")], CredentialPlan::None);
        assert!(required(&m, &[], &[]).is_empty());
    }
}
