//! Problems in a spec that `generate` would not stop at but that are almost
//! certainly mistakes: secrets not marked secret,
//! placeholders naming nothing, OAuth blocks missing what their flow needs,
//! verification keys the variant never uses.

use serde::Serialize;

use crate::error::Pos;
use crate::plan::{self, Variant};
use crate::spec::{ConnectorSpec, KeyPath, OauthFlow, Text, Verification, looks_secret};

/// The kinds of problem, as `(id, what it means)`: the id names the rule in
/// reports (SARIF's `ruleId`, the JSON report's `rule`).
pub const RULES: &[(&str, &str)] = &[
    (SECRET_NOT_MARKED, "A parameter whose name looks secret is not marked `secret: true`"),
    (UNBALANCED_PLACEHOLDER, "A text has unbalanced `{` or `}`"),
    (UNKNOWN_PLACEHOLDER, "A {placeholder} names no parameter, derived value or default"),
    (UNKNOWN_SOURCE, "verification.select_by or a derive entry's `from` names no parameter"),
    (OAUTH_URL_MISSING, "An OAuth flow lacks a URL it needs"),
    (UNKNOWN_VARIANT, "verification.auth names no variant"),
    (UNKNOWN_CREDENTIAL, "verification.credential names no parameter"),
    (UNKNOWN_METHOD, "verification.method_for names no auth method"),
    (UNUSED_KEY, "A verification key means nothing to the variant"),
    (
        DOC_EXAMPLE,
        "A verification value is a doc example (YOUR_…, <…>, xxx, example.com, a sample ID, a value cut short)",
    ),
    (KEY_AS_TOKEN, "Key material (a PEM key, a service-account key) would be sent as a token"),
];
const SECRET_NOT_MARKED: &str = "secret-not-marked";
const UNBALANCED_PLACEHOLDER: &str = "unbalanced-placeholder";
const UNKNOWN_PLACEHOLDER: &str = "unknown-placeholder";
const UNKNOWN_SOURCE: &str = "unknown-source";
const OAUTH_URL_MISSING: &str = "oauth-url-missing";
const UNKNOWN_VARIANT: &str = "unknown-variant";
const UNKNOWN_CREDENTIAL: &str = "unknown-credential";
const UNKNOWN_METHOD: &str = "unknown-method";
const UNUSED_KEY: &str = "unused-key";
const DOC_EXAMPLE: &str = "doc-example";
const KEY_AS_TOKEN: &str = "key-as-token";

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Problem {
    /// One of [`RULES`].
    pub rule: &'static str,
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}: {}: {}", self.path, self.line, self.col, self.key, self.message)
    }
}

struct Linter<'a> {
    spec: &'a ConnectorSpec,
    shown: String,
    problems: Vec<Problem>,
}

impl Linter<'_> {
    fn report(&mut self, rule: &'static str, key: &KeyPath, message: impl Into<String>) {
        let Pos { line, col } = self.spec.locate(key).unwrap_or(Pos { line: 1, col: 1 });
        self.problems.push(Problem {
            rule,
            path: self.shown.clone(),
            line,
            col,
            key: key.to_string(),
            message: message.into(),
        });
    }
}

/// Every problem of one spec, in file order.
pub fn lint(spec: &ConnectorSpec) -> Vec<Problem> {
    let shown = crate::error::shown(&spec.path).display().to_string();
    let mut l = Linter { spec, shown, problems: Vec::new() };
    let names: Vec<&str> = spec.all_parameters().map(|p| p.name.as_str()).collect();

    // Secrets (names and duplicates are refused when the spec is read).
    for p in spec.all_parameters() {
        if !p.secret && looks_secret(&p.name) {
            l.report(
                SECRET_NOT_MARKED,
                &p.key.key("name"),
                format!("parameter {:?} looks secret but has no `secret: true`", p.name),
            );
        }
    }

    // Placeholders name parameters, derived values or defaults.
    let mut texts: Vec<&Text> = Vec::new();
    let mut known = names.clone();
    if let Some(v) = &spec.verification {
        collect_texts(v, &mut texts);
        known.extend(v.derive.iter().flatten().map(|d| d.name.as_str()));
        known.extend(v.defaults.iter().flatten().map(|(k, _)| k.value.as_str()));
        for d in v.derive.iter().flatten() {
            if !names.contains(&d.from.value.as_str()) {
                let message =
                    format!("derive.{} takes its value from {:?}, which names no parameter", d.name, d.from.value);
                l.report(UNKNOWN_SOURCE, &d.from.key, message);
            }
        }
        if let Some(by) = &v.select_by
            && !names.contains(&by.value.as_str())
        {
            l.report(UNKNOWN_SOURCE, &by.key, format!("select_by {:?} names no parameter", by.value));
        }
    }
    if let Some(o) = &spec.oauth {
        texts.extend(o.token_url.iter().chain(o.authorization_url.iter()).chain(o.scopes.iter()));
    }
    // Doc examples anywhere in the verification block never prove credentials.
    let mut values: Vec<&Text> = Vec::new();
    if let Some(v) = &spec.verification {
        request_values(v, &mut values);
    }
    for text in values {
        // Unbalanced braces have their own rule.
        let braces_off = text.value.matches('{').count() != text.value.matches('}').count();
        if !braces_off && let Some(why) = crate::doc_example::why(&text.value) {
            l.report(DOC_EXAMPLE, &text.key, format!("{:?} is {why}: it would never reach the real API", text.value));
        }
    }
    for text in texts {
        if text.value.matches('{').count() != text.value.matches('}').count() {
            l.report(
                UNBALANCED_PLACEHOLDER,
                &text.key,
                "unbalanced `{` or `}`: a placeholder is written {parameter_name}",
            );
        }
        for name in plan::placeholders(&text.value) {
            if !known.contains(&name) {
                l.report(UNKNOWN_PLACEHOLDER, &text.key, format!("placeholder {{{name}}} names no parameter"));
            }
        }
    }

    // OAuth blocks.
    if let Some(o) = &spec.oauth {
        let flow = o.flow.name();
        if o.flow == OauthFlow::M2m {
            if o.token_url.is_none() {
                l.report(
                    OAUTH_URL_MISSING,
                    &o.key.key("token_url"),
                    "flow m2m needs token_url (where the client credentials are exchanged)",
                );
            }
        } else {
            if o.authorization_url.is_none() {
                l.report(
                    OAUTH_URL_MISSING,
                    &o.key.key("authorization_url"),
                    format!("flow {flow} needs authorization_url (where the user consents)"),
                );
            }
            if o.token_url.is_none() {
                l.report(
                    OAUTH_URL_MISSING,
                    &o.key.key("token_url"),
                    format!("flow {flow} needs token_url (where the code and refresh token are exchanged)"),
                );
            }
        }
    }

    // Verification keys against the variant.
    if let Some(v) = &spec.verification {
        let base_auth = v.auth.as_ref().and_then(|a| Variant::parse(a.value.trim()));
        check_variant_keys(&mut l, v, base_auth, spec, &names);
        for (name, entry) in &v.method_for {
            let auth = entry.auth.as_ref().and_then(|a| Variant::parse(a.value.trim())).or(base_auth);
            check_variant_keys(&mut l, entry, auth, spec, &names);
            // A flat spec may keep its methods in method_for alone, chosen by select_by.
            let flat_select = spec.auth_methods.is_empty() && v.select_by.is_some();
            if !flat_select && !spec.auth_methods.iter().any(|m| &m.name == name) {
                l.report(
                    UNKNOWN_METHOD,
                    &entry.key,
                    format!("no auth method named {name:?} in connection.auth_methods"),
                );
            }
        }
    }
    key_as_token(&mut l);
    l.problems.sort_by_key(|p| (p.line, p.col));
    l.problems
}

/// Every value of a verification block that goes into the request.
fn request_values<'a>(v: &'a Verification, out: &mut Vec<&'a Text>) {
    out.extend([&v.base_url, &v.endpoint, &v.token_url, &v.scopes, &v.audience, &v.username].into_iter().flatten());
    for pairs in [&v.params, &v.headers, &v.token_params].into_iter().flatten() {
        out.extend(pairs.iter().map(|(_, value)| value));
    }
    for (_, entry) in &v.method_for {
        request_values(entry, out);
    }
}

/// Every text of a verification block where placeholders are filled.
/// The plan's rule that a key is never a token (plan/signed.rs), asked the
/// same way `generate` asks it.
fn key_as_token(l: &mut Linter) {
    let built = plan::AuthPlan::build(
        l.spec,
        "lint",
        plan::HttpClient::Requests,
        &plan::Overrides::default(),
        plan::Places::default(),
    );
    if let Err(crate::error::Error::Input { pos, key, message, .. }) = built
        && message.contains(plan::KEY_IS_NO_TOKEN)
    {
        let Pos { line, col } = pos.unwrap_or(Pos { line: 1, col: 1 });
        let (path, key) = (l.shown.clone(), key.unwrap_or_default());
        l.problems.push(Problem { rule: KEY_AS_TOKEN, path, line, col, key, message });
    }
}

fn collect_texts<'a>(v: &'a Verification, out: &mut Vec<&'a Text>) {
    let single = [&v.base_url, &v.endpoint, &v.username, &v.password, &v.token_url, &v.header, &v.prefix];
    out.extend(single.into_iter().chain([&v.scopes, &v.audience]).flatten());
    for (name, value) in v.headers.iter().flatten() {
        out.extend([name, value]);
    }
    out.extend(v.params.iter().flatten().chain(v.token_params.iter().flatten()).map(|(_, value)| value));
    for (_, entry) in &v.method_for {
        collect_texts(entry, out);
    }
}

fn check_variant_keys(
    l: &mut Linter,
    v: &Verification,
    variant: Option<Variant>,
    spec: &ConnectorSpec,
    names: &[&str],
) {
    if let Some(auth) = &v.auth
        && Variant::parse(auth.value.trim()).is_none()
    {
        l.report(UNKNOWN_VARIANT, &auth.key, Variant::unknown(&auth.value));
        return;
    }
    if let Some(c) = &v.credential
        && !names.contains(&c.value.as_str())
    {
        l.report(UNKNOWN_CREDENTIAL, &c.key, format!("credential {:?} names no parameter", c.value));
    }
    let Some(variant) = variant else { return };
    let s = &v.signed;
    let keys: [(&str, &Option<Text>); 17] = [
        ("key_json", &s.key_json),
        ("subject", &s.subject),
        ("access_key_id", &s.access_key_id),
        ("secret_access_key", &s.secret_access_key),
        ("session_token", &s.session_token),
        ("region", &s.region),
        ("service", &s.service),
        ("private_key", &s.private_key),
        ("key_id", &s.key_id),
        ("credential", &v.credential),
        ("header", &v.header),
        ("prefix", &v.prefix),
        ("query_param", &v.query_param),
        ("username", &v.username),
        ("password", &v.password),
        ("token_url", &v.token_url),
        ("scopes", &v.scopes),
    ];
    let used: &[&str] = match variant {
        Variant::Bearer | Variant::ApiKeyHeader => &["credential", "header", "prefix"],
        Variant::ApiKeyQuery => &["credential", "query_param"],
        Variant::Basic => &["username", "password"],
        Variant::OauthRefresh | Variant::OauthClientCredentials => {
            &["header", "prefix", "token_url", "scopes", "private_key", "key_id"]
        }
        Variant::None => &[],
        Variant::AwsSigv4 => &["access_key_id", "secret_access_key", "session_token", "region", "service"],
        Variant::OauthJwtBearer => &["header", "prefix", "token_url", "scopes", "key_json", "subject"],
        Variant::SessionLogin => &["header", "prefix"],
    };
    for (name, value) in keys {
        if let Some(t) = value
            && !used.contains(&name)
        {
            l.report(
                UNUSED_KEY,
                &t.key,
                format!("`{name}` means nothing to auth {variant}: remove it or change the variant"),
            );
        }
    }
    if variant.is_oauth() && v.token_url.is_none() && spec.oauth.as_ref().and_then(|o| o.token_url.as_ref()).is_none() {
        l.report(
            OAUTH_URL_MISSING,
            &v.key.key("auth"),
            format!("{variant} needs a token_url (in connection.oauth or here)"),
        );
    }
    if !variant.is_oauth() {
        let oauth_only = [("client_auth", &v.client_auth), ("audience", &v.audience)];
        for (name, t) in oauth_only.into_iter().filter_map(|(n, t)| t.as_ref().map(|t| (n, t))) {
            l.report(UNUSED_KEY, &t.key, format!("`{name}` means nothing to auth {variant}"));
        }
        if let Some((first, _)) = v.token_params.iter().flatten().next() {
            l.report(UNUSED_KEY, &first.key, format!("`token_params` mean nothing to auth {variant}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn problems(text: &str) -> Vec<String> {
        let spec = ConnectorSpec::parse(Path::new("s.yaml"), text.to_string()).unwrap();
        lint(&spec).into_iter().map(|p| format!("{}:{} {}: {}", p.line, p.col, p.key, p.message)).collect()
    }

    #[test]
    fn finds_each_kind() {
        let text = "connection:\n  parameters:\n    - name: api_key\n    - name: region\n      secret: true\n  oauth:\n    flow: u2m\n    token_url: https://x/{tenant}/token\n  verification:\n    base_url: https://{sub}.x.com\n    endpoint: /me/{x\n    auth: basic\n    header: X-Key\n";
        assert_eq!(
            problems(text),
            vec![
                "3:7 connection.parameters[0].name: parameter \"api_key\" looks secret but has no `secret: true`",
                "6:3 connection.oauth.authorization_url: flow u2m needs authorization_url (where the user consents)",
                "8:5 connection.oauth.token_url: placeholder {tenant} names no parameter",
                "10:5 connection.verification.base_url: placeholder {sub} names no parameter",
                "11:5 connection.verification.endpoint: unbalanced `{` or `}`: a placeholder is written {parameter_name}",
                "13:5 connection.verification.header: `header` means nothing to auth basic: remove it or change the variant",
            ]
        );
    }

    #[test]
    fn same_name_in_two_methods_is_fine() {
        let text = "connection:\n  auth_methods:\n    - name: a\n      parameters:\n        - {name: token, secret: true}\n    - name: b\n      parameters:\n        - {name: token, secret: true}\n  verification:\n    endpoint: /x\n    base_url: https://x\n";
        assert!(problems(text).is_empty(), "{:?}", problems(text));
    }
}
