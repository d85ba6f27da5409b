//! Where the chosen variant's credential goes: the header and prefix, the
//! query parameter, the Basic user name and password, and what the
//! credential parameter is called.

use std::collections::BTreeMap;

use super::context::{Ctx, Proposal};
use super::score::{Score, best};
use super::variant::Evidence;
use super::weights::{
    CREDENTIAL_DEFAULT, CREDENTIAL_FROM_HEADER, CREDENTIAL_FROM_TEXT, CREDENTIAL_PLACEHOLDER, USERPASS_SAID,
};
use crate::analyze::finding::Kind;
use crate::analyze::scan::UnitKind;
use crate::analyze::text::{ident, looks_like_secret_value, normalize_url, placeholder_name, word_hits};
use crate::plan::Variant;

/// The chosen variant's findings and keys.
pub(super) fn place(
    ctx: &Ctx,
    ev: &Evidence,
    oauth: &super::oauth::Oauth,
    variant: Variant,
    auth_score: &Score,
    proposal: &mut Proposal,
) {
    let credential = |default: &str, header: Option<&str>| credential(ctx, ev, auth_score, default, header);
    match variant {
        Variant::AwsSigv4 => sigv4(ctx, proposal),
        // Not proposed from API docs yet: `authgen spec --auth` writes them.
        Variant::OauthJwtBearer | Variant::SessionLogin => {}
        Variant::Bearer => {
            let (prefix, ps) =
                best(ev.bearer_prefix.clone()).unwrap_or_else(|| ("Bearer ".to_string(), auth_score.clone()));
            let mut hs = Score::default();
            hs.merge(auth_score);
            proposal.push_text(Kind::Header, "Authorization", &hs);
            proposal.push_text(Kind::Prefix, &prefix, &ps);
            let (name, cs) = credential("token", None);
            proposal.push_text(Kind::Credential, &name, &cs);
            proposal.add_param(&name, true);
            proposal.block.credential = Some(name);
            if prefix != "Bearer " {
                proposal.block.prefix = Some(prefix);
            }
        }
        Variant::ApiKeyHeader => {
            let (key, hs) = ev.header_best.clone().unwrap_or_default();
            let header = ev.key_headers.get(&key).cloned().unwrap_or_default();
            let name = header.name;
            proposal.push_text(Kind::Header, &name, &hs);
            let prefix = best(header.prefixes);
            if let Some((p, ps)) = &prefix {
                proposal.push_text(Kind::Prefix, p, ps);
            }
            let (cred, cs) = credential("api_key", Some(&name));
            proposal.push_text(Kind::Credential, &cred, &cs);
            proposal.add_param(&cred, true);
            proposal.block.credential = Some(cred);
            proposal.block.header = Some(name.clone());
            match prefix {
                Some((p, _)) if !p.is_empty() => proposal.block.prefix = Some(p),
                // Authorization without a prefix must say so: the default there is "Bearer ".
                _ if name.eq_ignore_ascii_case("authorization") => proposal.block.prefix = Some(String::new()),
                _ => {}
            }
        }
        Variant::ApiKeyQuery => {
            if let Some((name, qs)) = &ev.query_best {
                proposal.push_text(Kind::QueryParam, name, qs);
                proposal.block.query_param = Some(name.clone());
                proposal.auth_query_param = Some(name.clone());
            }
            let (cred, cs) = credential("api_key", None);
            proposal.push_text(Kind::Credential, &cred, &cs);
            proposal.add_param(&cred, true);
            proposal.block.credential = Some(cred);
        }
        Variant::Basic => {
            let (cred, _) = credential("api_key", None);
            basic(ctx, ev, auth_score, &cred, proposal);
        }
        Variant::OauthRefresh | Variant::OauthClientCredentials => {
            super::oauth::place(ctx, oauth, variant, proposal);
            // The access token's scheme, when the doc says another (`Zoho-oauthtoken `).
            if let Some((prefix, ps)) = best(ev.bearer_prefix.clone())
                && !prefix.eq_ignore_ascii_case("bearer ")
            {
                proposal.push_text(Kind::Prefix, &prefix, &ps);
                proposal.block.prefix = Some(prefix);
            }
        }
        Variant::None => {}
    }
}

/// AWS Signature Version 4: the key pair (and a session token when the doc
/// speaks of temporary credentials), the region as a parameter, and the
/// service's signing name from the credential scope of an example
/// (`.../us-east-1/sts/aws4_request`) or from the doc's words.
fn sigv4(ctx: &Ctx, proposal: &mut Proposal) {
    let mut keys: Vec<(&'static str, String)> =
        vec![("access_key_id", "aws_access_key_id".into()), ("secret_access_key", "aws_secret_access_key".into())];
    proposal.add_param("aws_access_key_id", false);
    proposal.add_param("aws_secret_access_key", true);
    if ctx.unit_lower.iter().any(|l| l.contains("session token")) {
        keys.push(("session_token", "aws_session_token".into()));
        proposal.add_param("aws_session_token", true);
    }
    keys.push(("region", "{region}".into()));
    proposal.add_param("region", false);
    let service = ctx.doc.units.iter().find_map(|u| {
        let at = u.text.find("/aws4_request")?;
        let name = u.text[..at].rsplit('/').next()?;
        (!name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
            .then(|| name.to_string())
    });
    if let Some(service) = service {
        keys.push(("service", service));
    }
    proposal.block.oauth_keys.extend(keys);
}

/// Basic: the user name and password patterns from the examples, confirmed by
/// sentences that say which is which.
fn basic(ctx: &Ctx, ev: &Evidence, auth_score: &Score, cred: &str, proposal: &mut Proposal) {
    let mut users: BTreeMap<String, Score> = BTreeMap::new();
    let mut passes: BTreeMap<String, Score> = BTreeMap::new();
    for pair in &ev.basic_pairs {
        users.entry(generalise(&pair.user, cred)).or_default().add(pair.weight, pair.line, pair.unit);
        if let Some(p) = &pair.pass {
            passes.entry(generalise(p, cred)).or_default().add(pair.weight, pair.line, pair.unit);
        }
    }
    let (mut user_best, mut pass_best) = (best(users), best(passes));
    // Sentences that say what the user name and password are.
    for unit in &auth_score.units {
        let u = &ctx.doc.units[*unit];
        if u.kind == UnitKind::Code {
            continue;
        }
        let lower = &ctx.unit_lower[*unit];
        for (words, target) in [(&["user name", "username"][..], &mut user_best), (&["password"][..], &mut pass_best)] {
            if let Some(at) = words.iter().filter_map(|w| lower.find(w)).min()
                && let Some((_, s)) = target.as_mut()
            {
                s.add(USERPASS_SAID, u.line_at(at), *unit);
            }
        }
    }
    for (kind, found) in [(Kind::Username, user_best), (Kind::Password, pass_best)] {
        if let Some((pattern, s)) = found {
            for name in crate::plan::placeholders(&pattern) {
                let secret = kind == Kind::Password || name == cred || ident(name).contains("key");
                proposal.add_param(name, secret);
            }
            let value = name_or_pattern(&pattern);
            proposal.push_text(kind, &value, &s);
            if kind == Kind::Username {
                proposal.block.username = Some(value);
            } else {
                proposal.block.password = Some(value);
            }
        }
    }
}

/// The credential's parameter name: a placeholder in the examples, the
/// header's name, or how the doc's sentences call it.
fn credential(ctx: &Ctx, ev: &Evidence, auth_score: &Score, default: &str, header: Option<&str>) -> (String, Score) {
    let mut s = Score::default();
    for (secret, line) in &ev.secrets {
        if auth_score.lines.contains(line)
            && let Some(name) = credential_placeholder(secret)
        {
            s.add(CREDENTIAL_PLACEHOLDER, *line, 0);
            return (name, s);
        }
    }
    if let Some(name) = header.and_then(credential_from_header) {
        for line in &auth_score.lines {
            s.add(CREDENTIAL_FROM_HEADER, *line, 0);
        }
        return (name, s);
    }
    // Sentences say what the credential is called better than code does.
    let mut units: Vec<usize> = auth_score.units.iter().copied().collect();
    units.sort_by_key(|u| (ctx.doc.units[*u].kind == UnitKind::Code, *u));
    for unit in units {
        if let Some(name) = credential_from_text(&ctx.unit_lower[unit]) {
            s.add(CREDENTIAL_FROM_TEXT, ctx.doc.units[unit].first_line(), unit);
            return (name, s);
        }
    }
    if let Some(line) = auth_score.lines.first() {
        s.add(CREDENTIAL_DEFAULT, *line, 0);
    }
    (default.to_string(), s)
}

/// A placeholder name from a secret-looking example value, when it names a
/// credential (`<token>`, `{API key}`); environment variables don't count.
fn credential_placeholder(secret: &str) -> Option<String> {
    if secret.starts_with('$') && !secret.starts_with("${") {
        return None;
    }
    let name = placeholder_name(secret)?;
    ["key", "token", "secret", "password", "pat"].iter().any(|w| name.contains(w)).then_some(name)
}

fn credential_from_header(name: &str) -> Option<String> {
    let n = name.to_ascii_lowercase().replace('_', "-");
    let found = [
        ("access-token", "access_token"),
        ("api-token", "api_token"),
        ("api-key", "api_key"),
        ("apikey", "api_key"),
        ("auth-token", "auth_token"),
        ("private-token", "token"),
        ("token", "token"),
        ("key", "api_key"),
    ]
    .iter()
    .find(|(p, _)| n.contains(p))?;
    Some(found.1.to_string())
}

fn credential_from_text(lower: &str) -> Option<String> {
    [
        ("api token", "api_token"),
        ("access token", "access_token"),
        ("api key", "api_key"),
        ("apikey", "api_key"),
        ("secret key", "secret_key"),
        ("token", "token"),
        ("key", "api_key"),
    ]
    .iter()
    .find(|(p, _)| !word_hits(lower, p).is_empty() || !word_hits(lower, &format!("{p}s")).is_empty())
    .map(|(_, n)| n.to_string())
}

/// Generalise an example user name or password: emails become `{email}`,
/// secret-looking values `{<credential>}`, placeholders keep their name.
fn generalise(example: &str, credential: &str) -> String {
    let t = example.trim();
    if t.is_empty() {
        return String::new();
    }
    // `$TWILIO_ACCOUNT_SID`, `${apikey}`: the variable names the value;
    // a leading vendor word of a longer name is dropped.
    if let Some(var) = t.strip_prefix('$') {
        let var = var.trim_start_matches('{').trim_end_matches('}').to_ascii_lowercase();
        let parts: Vec<&str> = var.split('_').filter(|p| !p.is_empty()).collect();
        let name = if parts.len() >= 3 { parts[1..].join("_") } else { parts.join("_") };
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return format!("{{{name}}}");
        }
    }
    if t.contains('{') || t.contains('<') {
        return normalize_url(t);
    }
    if let Some(at) = t.find('@') {
        let end = t[at..].find(['/', ':', ' ']).map_or(t.len(), |e| at + e);
        let start = t[..at].rfind(['/', ':', ' ']).map_or(0, |s| s + 1);
        if t[at..end].contains('.') {
            return format!("{}{{email}}{}", &t[..start], &t[end..]);
        }
    }
    if looks_like_secret_value(t) {
        return format!("{{{credential}}}");
    }
    t.to_string()
}

/// `{name}` alone → `name` (a parameter name, as specs write it); else the pattern.
fn name_or_pattern(pattern: &str) -> String {
    match pattern.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
        Some(inner) if !inner.contains(['{', '}']) => inner.to_string(),
        _ => pattern.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::text::split_secret;

    #[test]
    fn secrets_split_from_prefixes() {
        assert_eq!(split_secret("Bearer <token>"), Some(("Bearer ".into(), "<token>".into())));
        assert_eq!(
            split_secret("Token token=y_NbAkKc66ryYTWUXYEu"),
            Some(("Token token=".into(), "y_NbAkKc66ryYTWUXYEu".into()))
        );
        assert_eq!(split_secret("Token token=$PD_KEY"), Some(("Token token=".into(), "$PD_KEY".into())));
        assert_eq!(split_secret("shpat_0123"), Some((String::new(), "shpat_0123".into())));
        assert_eq!(split_secret("SSWS ${apiToken}"), Some(("SSWS ".into(), "${apiToken}".into())));
        assert_eq!(split_secret("Bearer {API key}"), Some(("Bearer ".into(), "{API key}".into())));
    }

    #[test]
    fn an_aws_signature_is_signed_never_sent_as_a_key() {
        let doc = "## Signing\n\nSign every request with AWS Signature Version 4 using your access key ID and secret access key; temporary credentials add a session token.\n\n```\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7\n```\n";
        let block = crate::analyze::analyze(doc).block.unwrap();
        assert_eq!(block.auth, Some(Variant::AwsSigv4));
        assert_eq!(block.header, None);
        let keys: Vec<(&str, &str)> = block.oauth_keys.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            keys,
            vec![
                ("access_key_id", "aws_access_key_id"),
                ("secret_access_key", "aws_secret_access_key"),
                ("session_token", "aws_session_token"),
                ("region", "{region}"),
                ("service", "iam"),
            ]
        );
    }

    #[test]
    fn generalised_examples() {
        assert_eq!(generalise("jane@acme.com/token", "api_token"), "{email}/token");
        assert_eq!(generalise("6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv", "api_token"), "{api_token}");
        assert_eq!(generalise("X", "api_key"), "X");
        // Variables name the value; a vendor word before a longer name is dropped.
        assert_eq!(generalise("$TWILIO_ACCOUNT_SID", "token"), "{account_sid}");
        assert_eq!(generalise("$TWILIO_AUTH_TOKEN", "token"), "{auth_token}");
        assert_eq!(generalise("${apikey}", "token"), "{apikey}");
        assert_eq!(generalise("$API_KEY", "token"), "{api_key}");
        assert_eq!(name_or_pattern("{api_token}"), "api_token");
        assert_eq!(name_or_pattern("{email}/token"), "{email}/token");
    }
}
