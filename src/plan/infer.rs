//! Variant inference and validation of one method's verification settings.

use super::model::{
    AuthPlan, CredentialPlan, MethodPlan, OauthPlan, Overrides, ParamPlan, RequestPlan, ShowPath, ShowSegment, Variant,
    input_error, placeholders,
};
use crate::error::Result;
use crate::spec::{AuthMethod, ConnectorSpec, KeyPath, OauthFlow, Text, Verification, looks_secret};

/// Secret parameter names, most credential-like first.
const CREDENTIAL_NAMES: [&str; 10] = [
    "access_token",
    "token",
    "api_token",
    "api_key",
    "apikey",
    "secret_key",
    "personal_access_token",
    "pat",
    "key",
    "bearer_token",
];

pub(super) fn method_plan(
    spec: &ConnectorSpec,
    method: Option<&AuthMethod>,
    v: &Verification,
    params: &mut Vec<ParamPlan>,
    overrides: &Overrides,
) -> Result<MethodPlan> {
    // Parameters this method may use: the shared ones and its own.
    let own: Vec<ParamPlan> = params
        .iter()
        .filter(|p| p.method.is_none() || method.is_some_and(|m| p.method.as_deref() == Some(m.name.as_str())))
        .cloned()
        .collect();
    // Inference looks at the method's own parameters, not the shared ones.
    let candidates: Vec<&ParamPlan> = own.iter().filter(|p| method.is_none() || p.method.is_some()).collect();

    let (variant, reason) = choose_variant(spec, method, v, &candidates, overrides)?;

    let endpoint = v.endpoint.clone().ok_or_else(|| {
        spec.error(&v.key.key("endpoint"), "no verification endpoint")
            .with_hint("add `endpoint: /me` (a cheap read-only GET) under connection.verification")
    })?;
    if let Some(url) = &v.base_url {
        check_url_text(spec, url, false)?;
    }
    check_url_text(spec, &endpoint, true)?;
    let endpoint_absolute = is_absolute(&endpoint.value);
    let base_url = match &v.base_url {
        Some(url) => url.value.clone(),
        None if endpoint_absolute => String::new(),
        None => {
            return Err(spec
                .error(&v.key.key("base_url"), "no base_url, and the endpoint is not an absolute URL")
                .with_hint("add `base_url: https://api.example.com` under connection.verification"));
        }
    };
    let http_method = match &v.method {
        Some(m) => {
            let upper = m.value.to_ascii_uppercase();
            if !["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].contains(&upper.as_str()) {
                return Err(input_error(spec, m, format!("unknown HTTP method {:?}", m.value)));
            }
            upper
        }
        None => "GET".to_string(),
    };
    let mut headers = Vec::new();
    for (name, value) in v.headers.iter().flatten() {
        check_header_name(spec, name)?;
        check_header_value(spec, value)?;
        headers.push((name.value.clone(), value.value.clone()));
    }
    for (_, value) in v.params.iter().flatten() {
        check_text_braces(spec, value)?;
    }
    let params_list: Vec<(String, String)> =
        v.params.iter().flatten().map(|(k, val)| (k.value.clone(), val.value.clone())).collect();
    let expect = match &v.expect {
        None => "json".to_string(),
        Some(e) if e.value == "json" || e.value == "any" => e.value.clone(),
        Some(e) => return Err(input_error(spec, e, format!("expect must be `json` or `any`, not {:?}", e.value))),
    };
    let show = v.show.as_ref().map(|s| parse_show(&s.value));

    let credential = credential_plan(spec, variant, v, &candidates, params, method)?;

    // Every placeholder must name a parameter, a derived value or a default.
    let known: Vec<&str> = params
        .iter()
        .map(|p| p.name.as_str())
        .chain(v.derive.iter().flatten().map(|d| d.name.as_str()))
        .chain(v.defaults.iter().flatten().map(|(k, _)| k.value.as_str()))
        .collect();
    let mut templated: Vec<&Text> = v.base_url.iter().chain(std::iter::once(&endpoint)).collect();
    for (name, value) in v.headers.iter().flatten().chain(v.token_params.iter().flatten()) {
        templated.extend([name, value]);
    }
    templated.extend(v.params.iter().flatten().map(|(_, value)| value));
    let oauth = spec.oauth.as_ref();
    let fallbacks = [
        v.token_url.as_ref().or(oauth.and_then(|o| o.token_url.as_ref())),
        v.scopes.as_ref().or(oauth.and_then(|o| o.scopes.as_ref())),
    ];
    templated.extend(fallbacks.into_iter().flatten());
    templated.extend([&v.header, &v.prefix, &v.username, &v.password, &v.audience].into_iter().flatten());
    for text in templated {
        for name in placeholders(&text.value) {
            if !known.contains(&name) {
                return Err(input_error(
                    spec,
                    text,
                    format!("placeholder {{{name}}} names no parameter, derived value or default"),
                )
                .with_hint(format!("declare a parameter `{name}`, derive it, or write {{{{ for a literal brace")));
            }
        }
    }
    super::signed::refuse_key_as_token(spec, v, &credential, [&headers, &params_list], params)?;
    Ok(MethodPlan {
        name: method.map(|m| m.name.clone()),
        variant,
        reason,
        // Filled in by `values::required` once derive and defaults are known.
        required: Vec::new(),
        expect,
        request: RequestPlan {
            base_url,
            endpoint: endpoint.value,
            method: http_method,
            headers,
            params: params_list,
            show,
        },
        credential,
    })
}

fn choose_variant(
    spec: &ConnectorSpec,
    method: Option<&AuthMethod>,
    v: &Verification,
    candidates: &[&ParamPlan],
    overrides: &Overrides,
) -> Result<(Variant, String)> {
    if let Some(auth) = &v.auth {
        let variant =
            Variant::parse(auth.value.trim()).ok_or_else(|| input_error(spec, auth, Variant::unknown(&auth.value)))?;
        let origin =
            if overrides.auth.is_some() { "given with --auth".to_string() } else { format!("given in {}", auth.key) };
        return Ok((variant, origin));
    }
    if let Some(found) = super::signed::infer(v) {
        return Ok(found);
    }
    let names: Vec<&str> = candidates.iter().map(|p| p.name.as_str()).collect();
    let has = |n: &str| names.contains(&n);
    // An oauth block (or token_url) with client credentials means OAuth.
    let oauth_flow = spec.oauth.as_ref().map(|o| o.flow);
    let has_client = has("client_id") && has("client_secret") || method.is_none() && spec.oauth.is_some();
    if let Some(flow) = oauth_flow
        && has_client
    {
        return Ok(if flow == OauthFlow::M2m {
            (Variant::OauthClientCredentials, "inferred from the oauth block (flow m2m)".to_string())
        } else {
            (Variant::OauthRefresh, format!("inferred from the oauth block (flow {})", flow.name()))
        });
    }
    if v.token_url.is_some() && has_client {
        return Ok(if has("refresh_token") {
            (Variant::OauthRefresh, "inferred from verification.token_url and parameter 'refresh_token'".to_string())
        } else {
            (
                Variant::OauthClientCredentials,
                "inferred from verification.token_url without a refresh token".to_string(),
            )
        });
    }
    if v.query_param.is_some() {
        return Ok((Variant::ApiKeyQuery, "inferred from verification.query_param".to_string()));
    }
    if v.username.is_some() || v.password.is_some() {
        return Ok((Variant::Basic, "inferred from verification.username/password".to_string()));
    }
    if let Some(header) = &v.header
        && !header.value.eq_ignore_ascii_case("authorization")
    {
        return Ok((Variant::ApiKeyHeader, format!("inferred from verification.header {:?}", header.value)));
    }
    if let Some(user) = ["username", "user", "email", "login"].iter().find(|n| has(n))
        && has("password")
    {
        return Ok((Variant::Basic, format!("inferred from parameters '{user}' and 'password'")));
    }
    if let Some(cred) = v.credential.as_ref().map(|c| c.value.as_str()).or_else(|| pick_credential(candidates)) {
        return Ok((Variant::Bearer, format!("inferred from parameter '{cred}'")));
    }
    if candidates.iter().all(|p| !p.secret) {
        let whose = method.map_or(String::new(), |m| format!(" of auth method {:?}", m.name));
        return Ok((Variant::None, format!("inferred: no secret parameters{whose}")));
    }
    if let Some((p, kind)) =
        candidates.iter().find_map(|p| crate::spec::key_material(&p.name, p.description.as_deref()).map(|k| (p, k)))
    {
        return Err(spec
            .error(
                &v.key.key("auth"),
                format!(
                    "parameter {:?} holds {}: {}; say how it signs",
                    p.name,
                    kind.what(),
                    super::signed::KEY_IS_NO_TOKEN
                ),
            )
            .with_hint(format!("use {}", kind.instead())));
    }
    Err(spec
        .error(&v.key.key("auth"), "cannot tell how the credential is sent")
        .with_hint("add `auth: bearer` (or another variant from `authgen variants`) under connection.verification"))
}

/// The parameter that holds the token; key material never is one.
fn pick_credential<'a>(candidates: &[&'a ParamPlan]) -> Option<&'a str> {
    let sendable: Vec<&ParamPlan> = candidates
        .iter()
        .copied()
        .filter(|p| crate::spec::key_material(&p.name, p.description.as_deref()).is_none())
        .collect();
    CREDENTIAL_NAMES
        .iter()
        .find_map(|n| sendable.iter().find(|p| p.name == *n))
        .or_else(|| sendable.iter().find(|p| p.secret && !p.name.contains("client")))
        .map(|p| p.name.as_str())
}

fn credential_plan(
    spec: &ConnectorSpec,
    variant: Variant,
    v: &Verification,
    candidates: &[&ParamPlan],
    params: &mut Vec<ParamPlan>,
    method: Option<&AuthMethod>,
) -> Result<CredentialPlan> {
    let credential = |what: &str| -> Result<String> {
        if let Some(c) = &v.credential {
            if !params.iter().any(|p| p.name == c.value) {
                return Err(input_error(spec, c, format!("no parameter named {:?}", c.value)));
            }
            return Ok(c.value.clone());
        }
        pick_credential(candidates).map(str::to_string).ok_or_else(|| {
            spec.error(&v.key.key("credential"), format!("{what}: no parameter looks like the secret"))
                .with_hint("add `credential: <parameter name>` under connection.verification")
        })
    };
    let header = |default: &str| -> Result<String> {
        match &v.header {
            Some(h) => {
                check_header_name(spec, h)?;
                Ok(h.value.clone())
            }
            None => Ok(default.to_string()),
        }
    };
    let prefix = |default: &str| -> Result<String> {
        match &v.prefix {
            Some(p) => {
                check_header_value(spec, p)?;
                check_text_braces(spec, p)?;
                Ok(p.value.clone())
            }
            None => Ok(default.to_string()),
        }
    };
    Ok(match variant {
        Variant::None => CredentialPlan::None,
        Variant::Bearer => CredentialPlan::Header {
            header: header("Authorization")?,
            prefix: prefix("Bearer ")?,
            credential: credential("bearer")?,
        },
        Variant::ApiKeyHeader => {
            let h = header("X-API-Key")?;
            let default_prefix = if h.eq_ignore_ascii_case("authorization") { "Bearer " } else { "" };
            CredentialPlan::Header {
                header: h,
                prefix: prefix(default_prefix)?,
                credential: credential("api_key_header")?,
            }
        }
        Variant::ApiKeyQuery => {
            let q = match &v.query_param {
                Some(q) if q.value.is_empty() => return Err(input_error(spec, q, "empty query parameter name")),
                Some(q) => q.value.clone(),
                None => "api_key".to_string(),
            };
            CredentialPlan::Query { query_param: q, credential: credential("api_key_query")? }
        }
        Variant::Basic => basic_plan(spec, v, candidates, params)?,
        Variant::OauthRefresh | Variant::OauthClientCredentials => {
            oauth_plan(spec, variant, v, params, method, &header, &prefix)?
        }
        Variant::OauthJwtBearer | Variant::SessionLogin | Variant::AwsSigv4 => {
            super::signed::signed_plan(spec, variant, v, params, &header, &prefix, &parse_show)?
        }
    })
}

/// Basic: the user name and password, as `{param}` patterns or literal text.
fn basic_plan(
    spec: &ConnectorSpec,
    v: &Verification,
    candidates: &[&ParamPlan],
    params: &[ParamPlan],
) -> Result<CredentialPlan> {
    let names: Vec<&str> = candidates.iter().map(|p| p.name.as_str()).collect();
    let as_pattern = |t: &Text| -> Result<String> {
        if params.iter().any(|p| p.name == t.value) {
            return Ok(format!("{{{}}}", t.value));
        }
        check_text_braces(spec, t)?;
        Ok(t.value.clone())
    };
    let username = match &v.username {
        Some(u) => as_pattern(u)?,
        None => match ["username", "user", "email", "login", "client_id"].iter().find(|n| names.contains(n)) {
            Some(n) => format!("{{{n}}}"),
            None => {
                return Err(spec
                    .error(&v.key.key("username"), "basic: no user name")
                    .with_hint("add `username: <parameter name or {param} pattern>` under connection.verification"));
            }
        },
    };
    let password = match &v.password {
        Some(p) => as_pattern(p)?,
        None => {
            match ["password", "api_token", "token", "client_secret", "secret"].iter().find(|n| names.contains(n)) {
                Some(n) => format!("{{{n}}}"),
                None => {
                    return Err(spec
                        .error(&v.key.key("password"), "basic: no password")
                        .with_hint("add `password: <parameter name>` under connection.verification"));
                }
            }
        }
    };
    Ok(CredentialPlan::Basic { username, password })
}

/// OAuth: the token request, and the client (and refresh token) parameters it
/// adds when the spec does not declare them.
fn oauth_plan(
    spec: &ConnectorSpec,
    variant: Variant,
    v: &Verification,
    params: &mut Vec<ParamPlan>,
    method: Option<&AuthMethod>,
    header: &dyn Fn(&str) -> Result<String>,
    prefix: &dyn Fn(&str) -> Result<String>,
) -> Result<CredentialPlan> {
    let token_url =
        v.token_url.clone().or_else(|| spec.oauth.as_ref().and_then(|o| o.token_url.clone())).ok_or_else(|| {
            spec.error(&token_url_key(spec, v), format!("{variant}: no token_url"))
                .with_hint("add `token_url:` to connection.oauth (or connection.verification)")
        })?;
    check_url_text(spec, &token_url, false)?;
    let scopes = v.scopes.clone().or_else(|| spec.oauth.as_ref().and_then(|o| o.scopes.clone()));
    if let Some(s) = &scopes
        && s.value.chars().any(char::is_control)
    {
        return Err(input_error(spec, s, "scopes hold a control character"));
    }
    for (name, value) in v.token_params.iter().flatten() {
        if !crate::spec::is_identifier(&name.value.replace(['-', '.'], "_")) {
            return Err(input_error(spec, name, format!("{:?} is not a form field name", name.value)));
        }
        check_text_braces(spec, value)?;
    }
    if let Some(a) = &v.audience {
        check_text_braces(spec, a)?;
    }
    if let Some(s) = &scopes {
        check_text_braces(spec, s)?;
    }
    let client_auth = match &v.client_auth {
        Some(c) if ["body", "basic", "private_key_jwt"].contains(&c.value.as_str()) => c.value.clone(),
        Some(c) => return Err(input_error(spec, c, "client_auth must be `body`, `basic` or `private_key_jwt`")),
        None => "body".to_string(),
    };
    let mut ensure = |name: &str, description: &str| {
        if !params.iter().any(|p| p.name == name) {
            params.push(ParamPlan {
                name: name.to_string(),
                required: true,
                secret: looks_secret(name),
                description: Some(description.to_string()),
                method: method.map(|m| m.name.clone()),
                implicit: true,
            });
        }
    };
    ensure("client_id", "OAuth 2.0 client ID.");
    // A client that signs an assertion has a key, not a secret.
    let signs = client_auth == "private_key_jwt";
    if !signs {
        ensure("client_secret", "OAuth 2.0 client secret.");
    }
    let refresh_token = if variant == Variant::OauthRefresh {
        ensure("refresh_token", "OAuth 2.0 refresh token (collected by `authgen credentials`).");
        Some("refresh_token".to_string())
    } else {
        None
    };
    Ok(CredentialPlan::Oauth(OauthPlan {
        grant: if variant == Variant::OauthRefresh { "refresh_token" } else { "client_credentials" }.to_string(),
        token_url: token_url.value,
        scopes: scopes.map(|s| s.value).filter(|s| !s.trim().is_empty()),
        client_auth,
        client_id: "client_id".to_string(),
        client_secret: if signs { String::new() } else { "client_secret".to_string() },
        refresh_token,
        token_params: v.token_params.iter().flatten().map(|(k, val)| (k.value.clone(), val.value.clone())).collect(),
        audience: v.audience.as_ref().map(|a| a.value.clone()),
        header: header("Authorization")?,
        prefix: prefix("Bearer ")?,
        client_key: if signs { Some(super::signed::client_key(spec, v, params)?) } else { None },
    }))
}

fn token_url_key(spec: &ConnectorSpec, v: &Verification) -> KeyPath {
    match (&v.token_url, &spec.oauth) {
        (Some(t), _) => t.key.clone(),
        (None, Some(o)) => o.token_url.as_ref().map_or_else(|| o.key.key("token_url"), |t| t.key.clone()),
        (None, None) => v.key.key("token_url"),
    }
}

fn is_absolute(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

/// URLs: http(s) only (or a leading placeholder), RFC 3986 characters plus
/// `{param}` placeholders. Anything else cannot be a URL we should call.
fn check_url_text(spec: &ConnectorSpec, text: &Text, relative_ok: bool) -> Result<()> {
    let value = text.value.as_str();
    if value.is_empty() {
        return Err(input_error(spec, text, "empty URL"));
    }
    if let Some(bad) = value.chars().find(|c| !(c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%{}".contains(*c)))
    {
        return Err(input_error(spec, text, format!("{bad:?} cannot appear in a URL (percent-encode it)")));
    }
    let starts_ok = is_absolute(value) || value.starts_with('{') || relative_ok && !value.contains("://");
    if !starts_ok {
        let what = if relative_ok { "a path or an http(s) URL" } else { "an http:// or https:// URL" };
        return Err(input_error(spec, text, format!("{value:?} is not {what}")));
    }
    check_braces(spec, text)
}

/// Braces only as `{parameter_name}` placeholders.
fn check_braces(spec: &ConnectorSpec, text: &Text) -> Result<()> {
    let mut rest = text.value.as_str();
    while let Some(i) = rest.find(['{', '}']) {
        let after = &rest[i + 1..];
        let name_len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
        let closed = rest[i..].starts_with('{') && name_len > 0 && after[name_len..].starts_with('}');
        if !closed {
            return Err(input_error(spec, text, "braces may only wrap a parameter name, as in {subdomain}"));
        }
        rest = &after[name_len + 1..];
    }
    Ok(())
}

/// RFC 9110 token characters; a CR or LF would inject headers. A name may
/// come whole or in part from placeholders, which the runtime checks once filled.
fn check_header_name(spec: &ConnectorSpec, name: &Text) -> Result<()> {
    if name.value.contains(['{', '}']) {
        check_text_braces(spec, name)?;
        let rest = strip_placeholders(&name.value, true);
        if rest.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)) {
            return Ok(());
        }
    }
    let ok = !name.value.is_empty()
        && name.value.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
    if ok {
        Ok(())
    } else {
        Err(input_error(
            spec,
            name,
            format!("{:?} is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)", name.value),
        ))
    }
}

/// What both HTTP clients send as they are: printable ASCII and tabs.
/// Anything else fails at run time (`http.client` encodes headers as
/// Latin-1 and `requests` refuses leading whitespace), so it is refused here.
fn check_header_value(spec: &ConnectorSpec, value: &Text) -> Result<()> {
    if let Some(c) = value.value.chars().find(|c| !matches!(c, ' '..='~' | '\t')) {
        let what = if c.is_control() {
            "a control character"
        } else if crate::term::is_format(c) {
            "an invisible format character"
        } else {
            "a character that is not ASCII"
        };
        return Err(input_error(
            spec,
            value,
            format!(
                "header value holds {what}, {} (U+{:04X}): HTTP headers carry printable ASCII only",
                c.escape_default(),
                u32::from(c)
            ),
        ));
    }
    if value.value.starts_with([' ', '\t']) {
        return Err(input_error(spec, value, "header value begins with whitespace, which HTTP clients refuse"));
    }
    check_text_braces(spec, value)
}

/// Outside URLs, braces are `{name}` placeholders or doubled (`{{`, `}}`) literal braces.
pub(super) fn check_text_braces(spec: &ConnectorSpec, text: &Text) -> Result<()> {
    let rest = strip_placeholders(&text.value, false);
    if rest.contains(['{', '}']) {
        return Err(input_error(
            spec,
            text,
            "braces may only wrap a name, as in {api_key_header}; write {{ and }} for literal braces",
        ));
    }
    Ok(())
}

/// `text` without its `{name}` placeholders; `{{` and `}}` become the brace
/// they stand for when `keep_escaped`, else are dropped too.
fn strip_placeholders(text: &str, keep_escaped: bool) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            if keep_escaped {
                out.push_str(&tail[..1]);
            }
            rest = &tail[2..];
            continue;
        }
        let name_len = tail[1..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(tail.len() - 1);
        if tail.starts_with('{') && name_len > 0 && tail[1 + name_len..].starts_with('}') {
            rest = &tail[name_len + 2..];
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// `users[0].name` → key users, index 0, key name. A part that is not
/// `name[digits]...` is taken whole as a key.
fn parse_show(text: &str) -> ShowPath {
    let mut segments = Vec::new();
    for part in text.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        let mut indexes = Vec::new();
        while let Some(stripped) = rest.strip_prefix('[') {
            match stripped.find(']').and_then(|end| stripped[..end].parse::<usize>().ok().map(|n| (n, end))) {
                Some((n, end)) => {
                    indexes.push(n);
                    rest = &stripped[end + 1..];
                }
                None => break,
            }
        }
        if rest.is_empty() {
            if !name.is_empty() {
                segments.push(ShowSegment::Key(name.to_string()));
            }
            segments.extend(indexes.into_iter().map(ShowSegment::Index));
        } else {
            segments.push(ShowSegment::Key(part.to_string()));
        }
    }
    ShowPath { label: text.to_string(), segments }
}

impl AuthPlan {
    /// For callers that want to know whether any method uses a variant.
    pub fn uses(&self, variant: Variant) -> bool {
        self.methods.iter().any(|m| m.variant == variant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_paths() {
        let p = parse_show("users[0].name");
        assert!(
            matches!(&p.segments[..], [ShowSegment::Key(a), ShowSegment::Index(0), ShowSegment::Key(b)] if a == "users" && b == "name")
        );
        let p = parse_show("a\"]; x");
        assert!(matches!(&p.segments[..], [ShowSegment::Key(a)] if a == "a\"]; x"));
    }
}
