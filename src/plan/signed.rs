//! Plans of the signed and session variants: `oauth_jwt_bearer` (RFC 7523
//! 2.1), `session_login`, `aws_sigv4`, and the key of `client_auth:
//! private_key_jwt` (RFC 7523 2.2). Also the rule that no key travels as a token.

use super::model::{
    ClientKeyPlan, CredentialPlan, MethodPlan, ParamPlan, ShowPath, SignedPlan, Variant, input_error, placeholders,
};
use crate::error::Result;
use crate::spec::{ConnectorSpec, KeyPath, Text, Verification, key_material};

/// What the refusal of a key sent as a token says (lint reports the same).
pub const KEY_IS_NO_TOKEN: &str = "a key is never sent as a token";

/// The JWT algorithms the runtime signs with.
pub const SIGNING_ALGS: [&str; 4] = ["RS256", "RS384", "ES256", "ES384"];

/// The variant a verification block's signed keys imply, and why.
pub(super) fn infer(v: &Verification) -> Option<(Variant, String)> {
    let s = &v.signed;
    if s.login.is_some() {
        return Some((Variant::SessionLogin, "inferred from verification.login".into()));
    }
    if s.access_key_id.is_some() || s.secret_access_key.is_some() {
        return Some((Variant::AwsSigv4, "inferred from verification.access_key_id/secret_access_key".into()));
    }
    if s.key_json.is_some() {
        return Some((Variant::OauthJwtBearer, "inferred from verification.key_json".into()));
    }
    None
}

/// The parameter `given` names, else the first of `names` the spec
/// declares, else one whose kind `fits`; `None` when nothing does.
fn param_for(
    spec: &ConnectorSpec,
    given: Option<&Text>,
    names: &[&str],
    params: &[ParamPlan],
    fits: impl Fn(&ParamPlan) -> bool,
) -> Result<Option<String>> {
    if let Some(t) = given {
        if !params.iter().any(|p| p.name == t.value) {
            return Err(input_error(spec, t, format!("no parameter named {:?}", t.value))
                .with_hint("name a parameter declared under connection.parameters or the auth method"));
        }
        return Ok(Some(t.value.clone()));
    }
    let by_name = names.iter().find_map(|n| params.iter().find(|p| p.name == *n));
    Ok(by_name.or_else(|| params.iter().find(|p| fits(p))).map(|p| p.name.clone()))
}

fn need(spec: &ConnectorSpec, found: Option<String>, key: KeyPath, variant: Variant, what: &str) -> Result<String> {
    found.ok_or_else(|| {
        spec.error(&key, format!("{variant}: no parameter holds {what}"))
            .with_hint(format!("add `{}: <parameter name>` under connection.verification", last(&key)))
    })
}

fn last(key: &KeyPath) -> String {
    key.to_string().rsplit('.').next().unwrap_or_default().to_string()
}

/// Key material is never shown: the parameter is secret whatever the spec says.
fn secret(params: &mut [ParamPlan], name: &str) {
    if let Some(p) = params.iter_mut().find(|p| p.name == name) {
        p.secret = true;
    }
}

/// Placeholders in `text` must name parameters.
fn check_placeholders(spec: &ConnectorSpec, text: &Text, params: &[ParamPlan]) -> Result<()> {
    for name in placeholders(&text.value) {
        if !params.iter().any(|p| p.name == name) {
            return Err(input_error(spec, text, format!("placeholder {{{name}}} names no parameter"))
                .with_hint(format!("declare a parameter `{name}` or remove the placeholder")));
        }
    }
    if text.value.chars().any(char::is_control) {
        return Err(input_error(spec, text, "holds a control character"));
    }
    Ok(())
}

pub(super) fn signed_plan(
    spec: &ConnectorSpec,
    variant: Variant,
    v: &Verification,
    params: &mut [ParamPlan],
    header: &dyn Fn(&str) -> Result<String>,
    prefix: &dyn Fn(&str) -> Result<String>,
    parse_path: &dyn Fn(&str) -> ShowPath,
) -> Result<CredentialPlan> {
    let plan = match variant {
        Variant::AwsSigv4 => aws_plan(spec, v, params)?,
        Variant::SessionLogin => session_plan(spec, v, params, header, prefix, parse_path)?,
        Variant::OauthJwtBearer => jwt_plan(spec, v, params, header, prefix)?,
        other => unreachable!("{other} is not a signed variant"),
    };
    Ok(CredentialPlan::Signed(plan))
}

/// `aws_sigv4`: the key parameters, the region and the service.
fn aws_plan(spec: &ConnectorSpec, v: &Verification, params: &mut [ParamPlan]) -> Result<SignedPlan> {
    let (s, variant) = (&v.signed, Variant::AwsSigv4);
    let key = |name: &str| v.key.key(name);
    let id = param_for(
        spec,
        s.access_key_id.as_ref(),
        &["aws_access_key_id", "access_key_id", "access_key"],
        params,
        |_| false,
    )?;
    let id = need(spec, id, key("access_key_id"), variant, "the access key id")?;
    let sk = param_for(
        spec,
        s.secret_access_key.as_ref(),
        &["aws_secret_access_key", "secret_access_key", "secret_key"],
        params,
        |_| false,
    )?;
    let sk = need(spec, sk, key("secret_access_key"), variant, "the secret access key")?;
    let session =
        param_for(spec, s.session_token.as_ref(), &["aws_session_token", "session_token"], params, |_| false)?;
    let region = match &s.region {
        Some(r) => {
            check_placeholders(spec, r, params)?;
            r.value.clone()
        }
        None => match ["aws_region", "region"].iter().find(|n| params.iter().any(|p| &p.name == *n)) {
            Some(n) => format!("{{{n}}}"),
            None => {
                return Err(spec
                    .error(&key("region"), "aws_sigv4: no region")
                    .with_hint("add `region: us-east-1` (or `region: \"{region}\"`) under connection.verification"));
            }
        },
    };
    let service = match &s.service {
        Some(t) if !t.value.is_empty() && t.value.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) => {
            t.value.clone()
        }
        Some(t) => {
            return Err(input_error(spec, t, format!("{:?} is not an AWS service name (such as sqs)", t.value)));
        }
        None => {
            return Err(spec
                .error(&key("service"), "aws_sigv4: no service")
                .with_hint("add `service: sqs` (the signing name of the AWS service) under connection.verification"));
        }
    };
    secret(params, &sk);
    if let Some(t) = &session {
        secret(params, t);
    }
    Ok(SignedPlan::AwsSigv4 { access_key_id: id, secret_access_key: sk, session_token: session, region, service })
}

/// `session_login`: the login request and where its answer holds the token.
fn session_plan(
    spec: &ConnectorSpec,
    v: &Verification,
    params: &mut [ParamPlan],
    header: &dyn Fn(&str) -> Result<String>,
    prefix: &dyn Fn(&str) -> Result<String>,
    parse_path: &dyn Fn(&str) -> ShowPath,
) -> Result<SignedPlan> {
    let s = &v.signed;
    let key = |name: &str| v.key.key(name);
    let Some(login) = &s.login else {
        return Err(spec.error(&key("login"), "session_login: no login block").with_hint(
            "add under connection.verification:\n\n    login:\n      endpoint: /authenticate\n      json: {username: \"{username}\", password: \"{password}\"}\n      token_field: token\n",
        ));
    };
    let endpoint = login
        .endpoint
        .clone()
        .ok_or_else(|| spec.error(&login.key.key("endpoint"), "session_login: the login block has no endpoint"))?;
    check_placeholders(spec, &endpoint, params)?;
    let method = match &login.method {
        Some(m) if ["POST", "PUT", "GET"].contains(&m.value.to_ascii_uppercase().as_str()) => {
            m.value.to_ascii_uppercase()
        }
        Some(m) => return Err(input_error(spec, m, format!("login method {:?}: use POST", m.value))),
        None => "POST".to_string(),
    };
    let (body, pairs) = match (&login.json, &login.form) {
        (Some(j), _) => ("json", j),
        (None, Some(f)) => ("form", f),
        (None, None) => {
            return Err(spec
                .error(&login.key.key("json"), "session_login: the login block sends no fields")
                .with_hint("add `json: {username: \"{username}\", password: \"{password}\"}` (or `form:`)"));
        }
    };
    let mut fields = Vec::new();
    for (name, value) in pairs {
        check_placeholders(spec, value, params)?;
        fields.push((name.value.clone(), value.value.clone()));
    }
    let token_field = login.token_field.clone().ok_or_else(|| {
        spec.error(&login.key.key("token_field"), "session_login: no token_field")
            .with_hint("add `token_field: token` (a dot path into the login answer, such as data.token)")
    })?;
    Ok(SignedPlan::SessionLogin {
        endpoint: endpoint.value,
        method,
        body: body.to_string(),
        fields,
        token_field: parse_path(&token_field.value),
        header: header("Authorization")?,
        prefix: prefix("Bearer ")?,
    })
}

/// `oauth_jwt_bearer`: the key parameter, scopes, token URL and subject.
fn jwt_plan(
    spec: &ConnectorSpec,
    v: &Verification,
    params: &mut [ParamPlan],
    header: &dyn Fn(&str) -> Result<String>,
    prefix: &dyn Fn(&str) -> Result<String>,
) -> Result<SignedPlan> {
    let (s, variant) = (&v.signed, Variant::OauthJwtBearer);
    let key = |name: &str| v.key.key(name);
    let names = ["key_json", "service_account_json", "service_account_key", "credentials_json", "service_account"];
    let fits = |p: &ParamPlan| key_material(&p.name, p.description.as_deref()).is_some();
    let key_json = param_for(spec, s.key_json.as_ref(), &names, params, fits)?;
    let key_json = need(spec, key_json, key("key_json"), variant, "the service-account key (JSON)")?;
    let scopes = v.scopes.clone().or_else(|| spec.oauth.as_ref().and_then(|o| o.scopes.clone()));
    if let Some(t) = &scopes {
        check_placeholders(spec, t, params)?;
    }
    let token_url = v.token_url.clone().or_else(|| spec.oauth.as_ref().and_then(|o| o.token_url.clone()));
    if let Some(t) = &token_url {
        check_placeholders(spec, t, params)?;
        if !(t.value.starts_with("https://") || t.value.starts_with("http://") || t.value.starts_with('{')) {
            return Err(input_error(spec, t, format!("{:?} is not an http:// or https:// URL", t.value)));
        }
    }
    if let Some(t) = &s.subject {
        check_placeholders(spec, t, params)?;
    }
    secret(params, &key_json);
    Ok(SignedPlan::JwtBearer {
        key_json,
        scopes: scopes.map(|t| t.value).filter(|t| !t.trim().is_empty()),
        token_url: token_url.map(|t| t.value).unwrap_or_default(),
        subject: s.subject.as_ref().map(|t| t.value.clone()).unwrap_or_default(),
        header: header("Authorization")?,
        prefix: prefix("Bearer ")?,
    })
}

/// `client_auth: private_key_jwt`: the key parameter and how it signs.
pub(super) fn client_key(spec: &ConnectorSpec, v: &Verification, params: &mut [ParamPlan]) -> Result<ClientKeyPlan> {
    let s = &v.signed;
    let fits = |p: &ParamPlan| key_material(&p.name, p.description.as_deref()).is_some();
    let found = param_for(spec, s.private_key.as_ref(), &["private_key", "private_key_pem"], params, fits)?;
    let private_key = found.ok_or_else(|| {
        spec.error(&v.key.key("private_key"), "client_auth private_key_jwt: no parameter holds the private key")
            .with_hint("add `private_key: <parameter holding the PEM key>` under connection.verification")
    })?;
    let key_id = match &s.key_id {
        Some(t) => {
            check_placeholders(spec, t, params)?;
            t.value.clone()
        }
        None => String::new(),
    };
    let signing_alg = match &s.signing_alg {
        Some(t) if SIGNING_ALGS.contains(&t.value.as_str()) => t.value.clone(),
        Some(t) if t.value.starts_with('{') && !placeholders(&t.value).is_empty() => {
            check_placeholders(spec, t, params)?;
            t.value.clone()
        }
        Some(t) => {
            return Err(input_error(
                spec,
                t,
                format!("signing_alg {:?}: use one of {}", t.value, SIGNING_ALGS.join(", ")),
            ));
        }
        None => "RS256".to_string(),
    };
    secret(params, &private_key);
    Ok(ClientKeyPlan { private_key, key_id, signing_alg })
}

/// A key is never a token: a parameter that holds key material may not go
/// into a header or the query string as it is.
pub(super) fn refuse_key_as_token(
    spec: &ConnectorSpec,
    v: &Verification,
    credential: &CredentialPlan,
    request: [&[(String, String)]; 2],
    params: &[ParamPlan],
) -> Result<()> {
    let mut sent: Vec<(String, KeyPath, String)> = Vec::new();
    match credential {
        CredentialPlan::Header { credential, header, .. } => {
            let at = v.credential.as_ref().map_or_else(|| v.key.key("auth"), |c| c.key.clone());
            sent.push((credential.clone(), at, format!("the {header} header")));
        }
        CredentialPlan::Query { credential, query_param } => {
            let at = v.credential.as_ref().map_or_else(|| v.key.key("auth"), |c| c.key.clone());
            sent.push((credential.clone(), at, format!("the query parameter {query_param}")));
        }
        CredentialPlan::Basic { username, password } => {
            for (text, name) in [(username, "username"), (password, "password")] {
                for p in placeholders(text) {
                    sent.push((p.to_string(), v.key.key(name), "the Authorization header (HTTP Basic)".into()));
                }
            }
        }
        _ => {}
    }
    for (texts, name) in request.into_iter().zip(["headers", "params"]) {
        for (_, value) in texts {
            for p in placeholders(value) {
                sent.push((p.to_string(), v.key.key(name), name.to_string()));
            }
        }
    }
    for (name, at, place) in sent {
        let Some(p) = params.iter().find(|p| p.name == name) else { continue };
        if let Some(kind) = key_material(&p.name, p.description.as_deref()) {
            return Err(spec
                .error(
                    &at,
                    format!(
                        "parameter {name:?} holds {}: {KEY_IS_NO_TOKEN}, yet this plan puts it in {place}",
                        kind.what()
                    ),
                )
                .with_hint(format!("sign with it instead: use {}", kind.instead())));
        }
    }
    Ok(())
}

/// One generated file authenticates its OAuth clients with a key or with
/// secrets, not both: the token code reads the one it has.
pub(super) fn check_client_keys(spec: &ConnectorSpec, v: &Verification, methods: &[MethodPlan]) -> Result<()> {
    let oauth: Vec<bool> = methods
        .iter()
        .filter_map(|m| match &m.credential {
            CredentialPlan::Oauth(o) => Some(o.client_key.is_some()),
            _ => None,
        })
        .collect();
    if oauth.contains(&true) && oauth.contains(&false) {
        return Err(spec
            .error(&v.key.key("client_auth"), "auth methods mix client_auth private_key_jwt with a client secret")
            .with_hint("give every OAuth method of this spec the same kind of client_auth"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{AuthPlan, HttpClient, Overrides, Places};
    use crate::spec::ConnectorSpec;
    use std::path::Path;

    fn secret_params(connection: &str) -> Vec<String> {
        let text = format!("connection:\n{connection}");
        let spec = ConnectorSpec::parse(Path::new("s.yaml"), text).unwrap();
        let plan = AuthPlan::build(&spec, "s", HttpClient::Requests, &Overrides::default(), Places::default()).unwrap();
        plan.secret_params().into_iter().map(String::from).collect()
    }

    /// The generated test masks what `secret_params` names: key material is
    /// in it even when neither `secret: true` nor the name says so.
    #[test]
    fn key_material_is_secret_whatever_the_spec_says() {
        let aws = "  parameters: [{name: ak}, {name: sak}, {name: st}]
  verification: {auth: aws_sigv4, base_url: 'https://h', endpoint: /, access_key_id: ak,
    secret_access_key: sak, session_token: st, region: us-east-1, service: sqs}\n";
        assert_eq!(secret_params(aws), ["sak", "st"]);

        let jwt = "  parameters: [{name: sa}]
  verification: {auth: oauth_jwt_bearer, key_json: sa, scopes: s, base_url: 'https://h', endpoint: /}\n";
        assert_eq!(secret_params(jwt), ["sa"]);

        let client_key = "  parameters: [{name: client_id}, {name: pem}]
  oauth: {flow: m2m, token_url: 'https://h/token'}
  verification: {base_url: 'https://h', endpoint: /, client_auth: private_key_jwt, private_key: pem,
    key_id: k, signing_alg: RS256}\n";
        assert_eq!(secret_params(client_key), ["pem"]);
    }
}
