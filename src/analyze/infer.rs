//! Facts into findings. Each piece of evidence carries a weight (how
//! directly the doc says it: a header in a `curl` example says more than a
//! word in prose); the pieces for one finding combine as independent
//! signals, `1 - Π(1 - w)`, so agreement raises confidence and no single
//! mention reaches certainty. Rejected evidence ("not used") counts for nothing.

use std::collections::{BTreeMap, BTreeSet};

use super::facts::{CallFact, Facts, Kw, Via};
use super::scan::{Doc, inline_code};
use super::text::{
    clauses, looks_like_secret_value, matches_template, placeholder_name, plain_lower, split_origin, split_query,
    template_prefix,
};
use super::{Analysis, Block, Finding, OauthBlock, ParamSuggestion, Value};
use crate::plan::Variant;

/// Evidence for one finding: combined weight and the lines and units it came from.
#[derive(Debug, Clone)]
struct Score {
    miss: f64,
    lines: BTreeSet<usize>,
    units: BTreeSet<usize>,
}

impl Default for Score {
    fn default() -> Self {
        Score { miss: 1.0, lines: BTreeSet::new(), units: BTreeSet::new() }
    }
}

impl Score {
    fn add(&mut self, weight: f64, line: usize, unit: usize) {
        self.miss *= 1.0 - weight.clamp(0.0, 0.95);
        self.lines.insert(line);
        self.units.insert(unit);
    }
    fn merge(&mut self, other: &Score) {
        self.miss *= other.miss;
        self.lines.extend(&other.lines);
        self.units.extend(&other.units);
    }
    fn conf(&self) -> f64 {
        (1.0 - self.miss).min(0.99)
    }
    fn first_line(&self) -> usize {
        self.lines.first().copied().unwrap_or(usize::MAX)
    }
    fn lines(&self) -> Vec<usize> {
        self.lines.iter().copied().collect()
    }
}

/// The candidate with the highest confidence; ties go to the one the doc names first.
fn best<K: Clone>(cands: impl IntoIterator<Item = (K, Score)>) -> Option<(K, Score)> {
    let mut out: Option<(K, Score)> = None;
    for (k, s) in cands {
        let better = match &out {
            None => true,
            Some((_, b)) => {
                s.conf() > b.conf() + 1e-9 || (s.conf() - b.conf()).abs() <= 1e-9 && s.first_line() < b.first_line()
            }
        };
        if better {
            out = Some((k, s));
        }
    }
    out
}

fn via_weight(via: Via) -> f64 {
    match via {
        Via::Curl | Via::Request => 0.6,
        Via::Code => 0.55,
        Via::Inline | Via::Table => 0.5,
        Via::Prose => 0.35,
    }
}

const VERIFY_CUES: [&str; 25] = [
    "cheapest",
    "cheap ",
    "smallest",
    "simplest",
    "lightweight",
    "read-only check",
    "check a token",
    "check the token",
    "check a key",
    "check the key",
    "check your",
    "to check",
    "verify",
    "validate",
    "test the",
    "test your",
    "proves",
    "current user",
    "authenticated user",
    "who am i",
    "whoami",
    "sanity check",
    "token works",
    "key works",
    "credentials work",
];

const BASE_CUES: [&str; 16] = [
    "base url",
    "base uri",
    "base endpoint",
    "base path",
    "api root",
    "root url",
    "root endpoint",
    "own host",
    "host:",
    "hostname",
    "server url",
    "all requests",
    "every request",
    "api url",
    "api endpoint:",
    "available at",
];

/// Secret-looking header names that are not credentials.
fn auth_header_name(lower: &str) -> bool {
    let credential_word =
        ["key", "token", "auth", "secret", "session", "password", "access"].iter().any(|w| lower.contains(w));
    let not_credential = ["idempotency", "ratelimit", "rate-limit", "request-id", "csrf", "accept", "expires", "cache"]
        .iter()
        .any(|w| lower.contains(w));
    credential_word && !not_credential
}

fn keyish_query(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    if n.contains("page") || n.contains("type") || n.contains("cursor") {
        return false;
    }
    matches!(n.as_str(), "key" | "appid" | "app_id" | "auth" | "apikey" | "hapikey" | "code")
        || n.contains("key")
        || n.contains("token")
        || n.contains("secret")
}

/// `Bearer <token>` → (`Bearer `, `<token>`); `Token token=abc123def` →
/// (`Token token=`, `abc123def`); `shpat_...` → (``, `shpat_...`).
fn split_secret(value: &str) -> Option<(String, String)> {
    let v = value.trim();
    let cut = if v.ends_with('}') || v.ends_with('>') {
        let open = if v.ends_with('}') { '{' } else { '<' };
        v.rfind(open).map(|i| if i > 0 && v.as_bytes()[i - 1] == b'$' { i - 1 } else { i })?
    } else {
        v.rfind([' ', '=']).map_or(0, |i| i + 1)
    };
    let (prefix, secret) = v.split_at(cut);
    if secret.is_empty() || !looks_like_secret_value(secret) {
        return None;
    }
    Some((prefix.to_string(), secret.to_string()))
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
    .find(|(p, _)| {
        !super::text::word_hits(lower, p).is_empty() || !super::text::word_hits(lower, &format!("{p}s")).is_empty()
    })
    .map(|(_, n)| n.to_string())
}

/// Generalise an example user name or password: emails become `{email}`,
/// secret-looking values `{<credential>}`, placeholders keep their name.
fn generalise(example: &str, credential: &str) -> String {
    let t = example.trim();
    if t.is_empty() {
        return String::new();
    }
    if t.contains('{') || t.contains('<') {
        return super::text::normalize_url(t);
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

struct Variants {
    scores: Vec<(Variant, Score)>,
}

impl Variants {
    fn get(&mut self, v: Variant) -> &mut Score {
        let i = self.scores.iter().position(|(x, _)| *x == v).unwrap_or_else(|| {
            self.scores.push((v, Score::default()));
            self.scores.len() - 1
        });
        &mut self.scores[i].1
    }
}

struct Oauth {
    score: Score,
    token_url: Option<(String, Score)>,
    authorization_url: Option<(String, Score)>,
    grant: Option<(String, Score)>,
    client_auth: Score,
}

fn oauth_evidence(doc: &Doc, facts: &Facts) -> Oauth {
    let grant_kinds = [Kw::RefreshToken, Kw::ClientCredentials, Kw::AuthorizationCode];
    let mut token: BTreeMap<String, Score> = BTreeMap::new();
    let mut authz: BTreeMap<String, Score> = BTreeMap::new();
    for u in facts.urls.iter().filter(|u| !u.at.rejected && !u.link) {
        let (noq, _) = split_query(&u.url);
        let path = split_origin(&noq).1.to_ascii_lowercase();
        let clause = u.context.clause.as_str();
        if clause.contains("scope") && !clause.contains("token") {
            continue;
        }
        let block = doc.units[u.at.unit].block;
        let grant_near =
            facts.mentions.iter().any(|m| grant_kinds.contains(&m.kw) && doc.units[m.at.unit].block == block);
        let post = u.call.is_some_and(|c| facts.calls[c].method == "POST");
        let mut w_token: f64 = 0.0;
        if path.ends_with("/token") || path.ends_with("/access_token") || path.ends_with("/oauth/token") {
            w_token += 0.35;
        }
        if ["token endpoint", "token url", "token uri", "token_url"].iter().any(|c| clause.contains(c)) {
            w_token += 0.35;
        }
        if post && grant_near {
            w_token += 0.3;
        }
        if w_token > 0.0 {
            token.entry(noq.clone()).or_default().add(w_token.min(0.9), u.at.line, u.at.unit);
            continue;
        }
        let mut w_auth: f64 = 0.0;
        if path.ends_with("/authorize") || path.ends_with("/auth") || path.contains("/authorize/") {
            w_auth += 0.35;
        }
        if ["authorization endpoint", "authorization url", "authorize url", "authorization_url", "consent"]
            .iter()
            .any(|c| clause.contains(c))
        {
            w_auth += 0.35;
        }
        if w_auth > 0.0 {
            authz.entry(noq).or_default().add(w_auth.min(0.9), u.at.line, u.at.unit);
        }
    }
    let token_url = best(token);
    let authorization_url = best(authz);
    let mut score = Score::default();
    let mut refresh = Score::default();
    let mut client = Score::default();
    for m in facts.mentions.iter().filter(|m| !m.at.rejected) {
        let w = if m.at.discouraged { 0.5 } else { 1.0 };
        match m.kw {
            Kw::OAuth => score.add(0.3 * w, m.at.line, m.at.unit),
            Kw::RefreshToken | Kw::AuthorizationCode => {
                refresh.add(0.3 * w, m.at.line, m.at.unit);
            }
            Kw::ClientCredentials => client.add(0.3 * w, m.at.line, m.at.unit),
            _ => {}
        }
    }
    if let Some((_, s)) = &authorization_url {
        refresh.add(0.2, s.first_line(), s.units.first().copied().unwrap_or(0));
    }
    let grant = if client.conf() > refresh.conf() {
        Some(("client_credentials".to_string(), client))
    } else if refresh.conf() > 0.0 {
        Some(("refresh_token".to_string(), refresh))
    } else {
        None
    };
    if let Some((_, s)) = &token_url {
        let mut t = s.clone();
        t.miss = 1.0 - s.conf() * 0.6;
        score.merge(&t);
    }
    if let Some((_, s)) = &grant {
        let mut g = s.clone();
        g.miss = 1.0 - s.conf() * 0.6;
        score.merge(&g);
    }
    if let Some((_, s)) = &authorization_url {
        let mut a = s.clone();
        a.miss = 1.0 - s.conf() * 0.3;
        score.merge(&a);
    }
    Oauth { score, token_url, authorization_url, grant, client_auth: Score::default() }
}

pub fn infer(doc: &Doc, facts: &Facts) -> Analysis {
    let mut oauth = oauth_evidence(doc, facts);
    let has_oauth_mention = facts.mentions.iter().any(|m| m.kw == Kw::OAuth && !m.at.rejected);
    let oauth_present = oauth.token_url.is_some() && (has_oauth_mention || oauth.grant.is_some());
    let unit_lower: Vec<String> = doc.units.iter().map(|u| plain_lower(&u.text)).collect();
    // Bearer evidence about the OAuth access token belongs to the OAuth method.
    let about_access_token = |unit: usize| {
        oauth_present && {
            let l = &unit_lower[unit];
            l.contains("access token") || l.contains("access_token") || l.contains("oauth")
        }
    };
    // Code blocks of the token request: Basic credentials there authenticate the client.
    let token_blocks: BTreeSet<usize> = oauth
        .token_url
        .iter()
        .flat_map(|(_, s)| s.units.iter().filter(|u| doc.units[**u].kind == super::scan::UnitKind::Code))
        .map(|u| doc.units[*u].block)
        .collect();

    let mut variants = Variants { scores: Vec::new() };
    let mut oauth_header = Score::default();
    // api_key_header candidates by lowercased header name: (display name, score, prefixes).
    let mut key_headers: BTreeMap<String, (String, Score, BTreeMap<String, Score>)> = BTreeMap::new();
    let mut bearer_prefix: BTreeMap<String, Score> = BTreeMap::new();
    let mut secrets: Vec<(String, usize)> = Vec::new();
    let mut basic_pairs: Vec<(String, Option<String>, f64, usize, usize)> = Vec::new();
    // "the `Authorization` header" with no value and no scheme named beside it.
    let mut bare_authorization: Vec<(usize, usize)> = Vec::new();

    for h in facts.headers.iter().filter(|h| !h.at.rejected) {
        let lower = h.name.to_ascii_lowercase();
        let w = via_weight(h.via) * if h.at.discouraged { 0.5 } else { 1.0 };
        let scheme = h.value.as_deref().map(|v| v.split_whitespace().next().unwrap_or("").to_ascii_lowercase());
        if lower == "authorization" {
            match (scheme.as_deref(), h.value.as_deref()) {
                (Some("bearer"), Some(value)) => {
                    if about_access_token(h.at.unit) {
                        oauth_header.add(w, h.at.line, h.at.unit);
                        continue;
                    }
                    variants.get(Variant::Bearer).add(w, h.at.line, h.at.unit);
                    if let Some((prefix, secret)) = split_secret(value) {
                        bearer_prefix.entry(prefix).or_default().add(w, h.at.line, h.at.unit);
                        secrets.push((secret, h.at.line));
                    }
                }
                (Some("basic"), Some(value)) => {
                    if token_blocks.contains(&doc.units[h.at.unit].block) {
                        oauth.client_auth.add(w, h.at.line, h.at.unit);
                        continue;
                    }
                    variants.get(Variant::Basic).add(w, h.at.line, h.at.unit);
                    if let Some(start) = value.find("base64(") {
                        let inner = value[start + 7..].trim_end_matches(')').trim_matches(['"', '\'', ')']);
                        let (u, p) = super::facts::split_userpass(inner);
                        basic_pairs.push((u, p, w, h.at.line, h.at.unit));
                    }
                }
                (Some(_), Some(value)) => {
                    let entry = key_headers
                        .entry(lower.clone())
                        .or_insert_with(|| (h.name.clone(), Score::default(), BTreeMap::new()));
                    entry.1.add(w, h.at.line, h.at.unit);
                    if let Some((prefix, secret)) = split_secret(value) {
                        entry.2.entry(prefix).or_default().add(w, h.at.line, h.at.unit);
                        secrets.push((secret, h.at.line));
                    }
                }
                _ => {
                    // "the `Authorization` header" with the scheme said in words.
                    let bearer_said =
                        facts.mentions.iter().any(|m| m.kw == Kw::Bearer && !m.at.rejected && m.at.unit == h.at.unit);
                    if bearer_said && !about_access_token(h.at.unit) {
                        variants.get(Variant::Bearer).add(0.35, h.at.line, h.at.unit);
                    } else if !about_access_token(h.at.unit) {
                        bare_authorization.push((h.at.line, h.at.unit));
                    }
                }
            }
        } else if auth_header_name(&lower) {
            let entry =
                key_headers.entry(lower.clone()).or_insert_with(|| (h.name.clone(), Score::default(), BTreeMap::new()));
            let w = if h.value.is_none() && h.via == Via::Prose { 0.35 } else { w };
            entry.1.add(w, h.at.line, h.at.unit);
            if let Some(value) = &h.value {
                let (prefix, secret) = split_secret(value).unwrap_or_else(|| (String::new(), value.clone()));
                entry.2.entry(prefix).or_default().add(w, h.at.line, h.at.unit);
                secrets.push((secret, h.at.line));
            }
        }
    }
    for m in facts.mentions.iter().filter(|m| !m.at.rejected) {
        let w = if m.at.discouraged { 0.5 } else { 1.0 };
        match m.kw {
            Kw::Bearer if about_access_token(m.at.unit) => oauth_header.add(0.2, m.at.line, m.at.unit),
            Kw::Bearer => variants.get(Variant::Bearer).add(0.3 * w, m.at.line, m.at.unit),
            Kw::Basic if token_blocks.contains(&doc.units[m.at.unit].block) => {}
            Kw::Basic => variants.get(Variant::Basic).add(0.4 * w, m.at.line, m.at.unit),
            Kw::NoAuth => variants.get(Variant::None).add(0.6, m.at.line, m.at.unit),
            _ => {}
        }
    }
    // User name and password pairs (`curl -u`, `base64("user:pass")`).
    for up in facts.userpass.iter().filter(|u| !u.at.rejected) {
        if token_blocks.contains(&doc.units[up.at.unit].block) {
            oauth.client_auth.add(via_weight(up.via), up.at.line, up.at.unit);
            continue;
        }
        let w = via_weight(up.via) * if up.at.discouraged { 0.5 } else { 1.0 };
        variants.get(Variant::Basic).add(w, up.at.line, up.at.unit);
        basic_pairs.push((up.user.clone(), up.pass.clone(), w, up.at.line, up.at.unit));
    }
    // A bare mention of the Authorization header supports whichever method
    // the examples put there.
    if let Some(entry) = key_headers.get_mut("authorization") {
        for (line, unit) in &bare_authorization {
            entry.1.add(0.3, *line, *unit);
        }
    } else if variants.scores.iter().any(|(v, _)| *v == Variant::Bearer) {
        for (line, unit) in &bare_authorization {
            variants.get(Variant::Bearer).add(0.3, *line, *unit);
        }
    }
    // A custom header said in words supports the header the doc names.
    for m in facts.mentions.iter().filter(|m| m.kw == Kw::CustomHeader && !m.at.rejected) {
        if let Some(entry) = key_headers.values_mut().find(|e| !e.0.eq_ignore_ascii_case("authorization")) {
            entry.1.add(0.2, m.at.line, m.at.unit);
        }
    }
    // Query parameters that carry the key.
    let mut query: BTreeMap<String, Score> = BTreeMap::new();
    for q in facts.query_names.iter().filter(|q| !q.at.rejected) {
        let clause = q.context.clause.as_str();
        let w = if ["key", "token", "auth", "credential", "secret"].iter().any(|c| clause.contains(c)) {
            0.55
        } else {
            0.25
        };
        query.entry(q.name.clone()).or_default().add(w, q.at.line, q.at.unit);
    }
    for u in facts.urls.iter().filter(|u| !u.at.rejected && !u.link && !u.data) {
        for (k, v) in split_query(&u.url).1 {
            if keyish_query(&k) && looks_like_secret_value(&v) {
                let w = if matches!(u.via, Via::Curl | Via::Request) { 0.55 } else { 0.5 };
                query.entry(k.clone()).or_default().add(w, u.at.line, u.at.unit);
                secrets.push((v, u.at.line));
            }
        }
    }
    let query_best = best(query.clone());
    if let Some((_, s)) = &query_best {
        variants.get(Variant::ApiKeyQuery).merge(s);
    }
    let header_best = best(key_headers.iter().map(|(k, v)| (k.clone(), v.1.clone())));
    if let Some((_, s)) = &header_best {
        variants.get(Variant::ApiKeyHeader).merge(s);
    }
    if oauth_present || oauth.token_url.is_some() && oauth.score.conf() >= 0.3 {
        let v = match oauth.grant.as_ref().map(|g| g.0.as_str()) {
            Some("client_credentials") => Variant::OauthClientCredentials,
            _ => Variant::OauthRefresh,
        };
        let mut s = oauth.score.clone();
        s.lines.extend(&oauth_header.lines);
        variants.get(v).merge(&s);
    }
    // "No header-based authentication" weighs against header methods.
    let no_header = facts.mentions.iter().any(|m| m.kw == Kw::NoHeader);
    for (v, s) in &mut variants.scores {
        if no_header && matches!(v, Variant::Bearer | Variant::ApiKeyHeader | Variant::Basic) {
            s.miss = 1.0 - (1.0 - s.miss) * 0.3;
        }
    }
    // "Preferred" or "recommended" next to a method's evidence.
    let preferred: Vec<(usize, usize)> = facts
        .mentions
        .iter()
        .filter(|m| m.kw == Kw::Preferred && !m.at.rejected)
        .map(|m| (m.at.unit, m.at.line))
        .collect();
    for (_, s) in &mut variants.scores {
        for (unit, line) in &preferred {
            if s.units.contains(unit) {
                s.add(0.15, *line, *unit);
            }
        }
    }
    let mut ranked: Vec<(Variant, Score)> = variants.scores.into_iter().filter(|(_, s)| s.conf() >= 0.3).collect();
    ranked.sort_by(|a, b| {
        b.1.conf()
            .partial_cmp(&a.1.conf())
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.first_line().cmp(&b.1.first_line()))
    });

    let mut findings: Vec<Finding> = Vec::new();
    for (v, s) in &ranked {
        findings.push(Finding {
            kind: "auth",
            value: Value::Text(v.name().into()),
            lines: s.lines(),
            confidence: s.conf(),
        });
    }
    let Some((variant, auth_score)) = ranked.first().cloned() else {
        return Analysis { findings, block: None, oauth: None, parameters: Vec::new(), lines: doc.lines.clone() };
    };
    let mut block = Block { auth: Some(variant), ..Block::default() };
    let mut params: Vec<ParamSuggestion> = Vec::new();
    let add_param = |name: &str, secret: bool, params: &mut Vec<ParamSuggestion>| {
        if !name.is_empty() && !params.iter().any(|p| p.name == name) {
            params.push(ParamSuggestion { name: name.to_string(), secret });
        }
    };
    let text = |s: &str| Value::Text(s.to_string());
    let push = |findings: &mut Vec<Finding>, kind: &'static str, value: Value, s: &Score| {
        findings.push(Finding { kind, value, lines: s.lines(), confidence: s.conf() });
    };

    // The credential's parameter name: a placeholder in the examples, the
    // header's name, or how the doc's sentences call it.
    let credential = |default: &str, header: Option<&str>| -> (String, Score) {
        let mut s = Score::default();
        for (secret, line) in &secrets {
            if auth_score.lines.contains(line)
                && let Some(name) = credential_placeholder(secret)
            {
                s.add(0.5, *line, 0);
                return (name, s);
            }
        }
        if let Some(name) = header.and_then(credential_from_header) {
            for line in &auth_score.lines {
                s.add(0.3, *line, 0);
            }
            return (name, s);
        }
        // Sentences say what the credential is called better than code does.
        let mut units: Vec<usize> = auth_score.units.iter().copied().collect();
        units.sort_by_key(|u| (doc.units[*u].kind == super::scan::UnitKind::Code, *u));
        for unit in units {
            if let Some(name) = credential_from_text(&unit_lower[unit]) {
                s.add(0.4, doc.units[unit].first_line(), unit);
                return (name, s);
            }
        }
        if let Some(line) = auth_score.lines.first() {
            s.add(0.2, *line, 0);
        }
        (default.to_string(), s)
    };

    let mut auth_query_param: Option<String> = None;
    match variant {
        Variant::Bearer => {
            let (prefix, ps) = best(bearer_prefix).unwrap_or_else(|| ("Bearer ".to_string(), auth_score.clone()));
            let mut hs = Score::default();
            hs.merge(&auth_score);
            push(&mut findings, "header", text("Authorization"), &hs);
            push(&mut findings, "prefix", text(&prefix), &ps);
            let (name, cs) = credential("token", None);
            push(&mut findings, "credential", text(&name), &cs);
            add_param(&name, true, &mut params);
            block.credential = Some(name);
            if prefix != "Bearer " {
                block.prefix = Some(prefix);
            }
        }
        Variant::ApiKeyHeader => {
            let (key, hs) = header_best.clone().unwrap_or_default();
            let (name, _, prefixes) = key_headers.get(&key).cloned().unwrap_or_default();
            push(&mut findings, "header", text(&name), &hs);
            let prefix = best(prefixes);
            if let Some((p, ps)) = &prefix {
                push(&mut findings, "prefix", text(p), ps);
            }
            let (cred, cs) = credential("api_key", Some(&name));
            push(&mut findings, "credential", text(&cred), &cs);
            add_param(&cred, true, &mut params);
            block.credential = Some(cred);
            block.header = Some(name.clone());
            match prefix {
                Some((p, _)) if !p.is_empty() => block.prefix = Some(p),
                // Authorization without a prefix must say so: the default there is "Bearer ".
                _ if name.eq_ignore_ascii_case("authorization") => block.prefix = Some(String::new()),
                _ => {}
            }
        }
        Variant::ApiKeyQuery => {
            if let Some((name, qs)) = &query_best {
                push(&mut findings, "query_param", text(name), qs);
                block.query_param = Some(name.clone());
                auth_query_param = Some(name.clone());
            }
            let (cred, cs) = credential("api_key", None);
            push(&mut findings, "credential", text(&cred), &cs);
            add_param(&cred, true, &mut params);
            block.credential = Some(cred);
        }
        Variant::Basic => {
            let (cred, _) = credential("api_key", None);
            let mut users: BTreeMap<String, Score> = BTreeMap::new();
            let mut passes: BTreeMap<String, Score> = BTreeMap::new();
            for (u, p, w, line, unit) in &basic_pairs {
                users.entry(generalise(u, &cred)).or_default().add(*w, *line, *unit);
                if let Some(p) = p {
                    passes.entry(generalise(p, &cred)).or_default().add(*w, *line, *unit);
                }
            }
            let (mut user_best, mut pass_best) = (best(users), best(passes));
            // Sentences that say what the user name and password are.
            for unit in &auth_score.units {
                let u = &doc.units[*unit];
                if u.kind == super::scan::UnitKind::Code {
                    continue;
                }
                let lower = &unit_lower[*unit];
                for (words, target) in
                    [(&["user name", "username"][..], &mut user_best), (&["password"][..], &mut pass_best)]
                {
                    if let Some(at) = words.iter().filter_map(|w| lower.find(w)).min()
                        && let Some((_, s)) = target.as_mut()
                    {
                        s.add(0.2, u.line_at(at), *unit);
                    }
                }
            }
            for (kind, found) in [("username", user_best), ("password", pass_best)] {
                if let Some((pattern, s)) = found {
                    for name in crate::plan::placeholders(&pattern) {
                        let secret = kind == "password" || name == cred || super::text::ident(name).contains("key");
                        add_param(name, secret, &mut params);
                    }
                    let value = name_or_pattern(&pattern);
                    push(&mut findings, kind, text(&value), &s);
                    if kind == "username" {
                        block.username = Some(value);
                    } else {
                        block.password = Some(value);
                    }
                }
            }
        }
        Variant::OauthRefresh | Variant::OauthClientCredentials => {
            let (grant, gs) = oauth.grant.clone().unwrap_or_else(|| ("refresh_token".into(), Score::default()));
            push(&mut findings, "grant", text(&grant), &gs);
            let mut ob = OauthBlock {
                flow: if variant == Variant::OauthClientCredentials { "m2m".into() } else { "u2m".into() },
                ..OauthBlock::default()
            };
            if let Some((url, s)) = &oauth.token_url {
                push(&mut findings, "token_url", text(url), s);
                ob.token_url = Some(url.clone());
            }
            if variant == Variant::OauthRefresh
                && let Some((url, s)) = &oauth.authorization_url
            {
                push(&mut findings, "authorization_url", text(url), s);
                ob.authorization_url = Some(url.clone());
            }
            if let Some((scopes, s)) = scopes(doc, &unit_lower) {
                push(&mut findings, "scopes", text(&scopes), &s);
                ob.scopes = Some(scopes);
            }
            let (extra, es) = extra_auth_params(doc, oauth.authorization_url.as_ref().map(|a| a.0.as_str()));
            if !extra.is_empty() && variant == Variant::OauthRefresh {
                push(&mut findings, "extra_auth_params", Value::Pairs(extra.clone()), &es);
                ob.extra_auth_params = extra;
            }
            if oauth.client_auth.conf() > 0.0 {
                push(&mut findings, "client_auth", text("basic"), &oauth.client_auth);
            }
            add_param("client_id", false, &mut params);
            add_param("client_secret", true, &mut params);
            for url in [&ob.token_url, &ob.authorization_url].into_iter().flatten() {
                for name in crate::plan::placeholders(url) {
                    add_param(name, false, &mut params);
                }
            }
            return finish(doc, facts, findings, block, Some(ob), params, auth_query_param, &oauth);
        }
        Variant::None => {}
    }
    finish(doc, facts, findings, block, None, params, auth_query_param, &oauth)
}

#[allow(clippy::too_many_arguments)]
fn finish(
    doc: &Doc,
    facts: &Facts,
    mut findings: Vec<Finding>,
    mut block: Block,
    oauth_block: Option<OauthBlock>,
    mut params: Vec<ParamSuggestion>,
    auth_query_param: Option<String>,
    oauth: &Oauth,
) -> Analysis {
    let oauth_urls: BTreeSet<String> =
        [&oauth.token_url, &oauth.authorization_url].into_iter().flatten().map(|(u, _)| u.clone()).collect();
    let base = base_url(facts, &oauth_urls);
    if let Some((url, s)) = &base {
        findings.push(Finding {
            kind: "base_url",
            value: Value::Text(url.clone()),
            lines: s.lines(),
            confidence: s.conf(),
        });
        block.base_url = Some(url.clone());
    }
    let base_text = base.as_ref().map(|b| b.0.clone());
    if let Some(ep) = endpoint(doc, facts, base_text.as_deref(), &oauth_urls) {
        findings.push(Finding {
            kind: "endpoint",
            value: Value::Text(ep.path.clone()),
            lines: ep.score.lines(),
            confidence: ep.score.conf(),
        });
        block.endpoint = Some(ep.path.clone());
        // Extra query parameters from the examples of this call.
        let mut qp: Vec<(String, String)> = Vec::new();
        let mut qs = Score::default();
        for c in &ep.calls {
            for (k, v) in split_query(&c.target).1 {
                if Some(&k) == auth_query_param.as_ref() || v.starts_with('{') || v.is_empty() {
                    continue;
                }
                // One item is enough to prove the credential works.
                let v = if PAGE_SIZE.iter().any(|p| p.eq_ignore_ascii_case(&k)) && v.parse::<u64>().is_ok() {
                    "1".into()
                } else {
                    v
                };
                if !qp.iter().any(|(x, _)| *x == k) {
                    qp.push((k, v));
                }
                qs.add(0.45, c.at.line, c.at.unit);
            }
        }
        // A list call: ask for one item, with the page-size parameter its section names.
        if qp.is_empty() && !cheap_path(&ep.path) && !ep.path.contains('{') {
            let sections: BTreeSet<Option<usize>> = ep.calls.iter().map(|c| doc.units[c.at.unit].section).collect();
            let named =
                doc.units.iter().enumerate().filter(|(_, u)| sections.contains(&u.section)).find_map(|(ui, u)| {
                    inline_code(&u.text).into_iter().find_map(|(at, _, code)| {
                        PAGE_SIZE
                            .iter()
                            .find(|n| code.eq_ignore_ascii_case(n))
                            .map(|_| (code.to_string(), u.line_at(at), ui))
                    })
                });
            if let Some((name, line, unit)) = named {
                qp.push((name, "1".to_string()));
                qs.add(0.4, line, unit);
            }
        }
        if !qp.is_empty() {
            findings.push(Finding {
                kind: "params",
                value: Value::Pairs(qp.clone()),
                lines: qs.lines(),
                confidence: qs.conf(),
            });
            block.params = qp;
        }
        let (headers, hs) = extra_headers(doc, facts, &ep, base_text.as_deref());
        if !headers.is_empty() {
            findings.push(Finding {
                kind: "headers",
                value: Value::Pairs(headers.clone()),
                lines: hs.lines(),
                confidence: hs.conf(),
            });
            block.headers = headers;
        }
        if let Some((field, line)) = ep.calls.iter().find_map(|c| c.returns.first().cloned()) {
            findings.push(Finding {
                kind: "show",
                value: Value::Text(field.clone()),
                lines: vec![line],
                confidence: 0.5,
            });
            block.show = Some(field);
        }
    }
    if let Some(url) = &block.base_url {
        for name in crate::plan::placeholders(url) {
            if !params.iter().any(|p| p.name == name) {
                params.push(ParamSuggestion { name: name.to_string(), secret: false });
            }
        }
    }
    // Each parameter rests on the findings that name it.
    let mut param_findings = Vec::new();
    for p in &params {
        let placeholder = format!("{{{}}}", p.name);
        let mut lines = BTreeSet::new();
        let mut confidence: f64 = 0.0;
        for f in &findings {
            let names_it = match &f.value {
                Value::Text(t) => t == &p.name || t.contains(&placeholder),
                _ => false,
            };
            let oauth_client = p.name.starts_with("client_") && f.kind == "auth";
            if names_it && f.kind != "auth" || oauth_client {
                lines.extend(f.lines.iter().copied());
                confidence = confidence.max(f.confidence);
            }
        }
        param_findings.push(Finding {
            kind: "parameter",
            value: Value::Parameter { name: p.name.clone(), secret: p.secret },
            lines: lines.into_iter().collect(),
            confidence,
        });
    }
    findings.extend(param_findings);
    Analysis { findings, block: Some(block), oauth: oauth_block, parameters: params, lines: doc.lines.clone() }
}

fn doc_link_host(url: &str) -> bool {
    let (origin, path) = split_origin(url);
    let host = origin.split("://").nth(1).unwrap_or("").to_ascii_lowercase();
    ["docs.", "developer.", "developers.", "support.", "help.", "community.", "github.com", "www.postman.com"]
        .iter()
        .any(|p| host.starts_with(p))
        || path.contains("/docs")
        || path.contains("/doc/")
}

fn base_url(facts: &Facts, oauth_urls: &BTreeSet<String>) -> Option<(String, Score)> {
    let mut cands: BTreeMap<String, Score> = BTreeMap::new();
    let usable = |u: &&super::facts::UrlFact| {
        !u.at.rejected && !u.link && !u.data && !doc_link_host(&u.url) && !oauth_urls.contains(&split_query(&u.url).0)
    };
    for u in facts.urls.iter().filter(usable) {
        let clause = u.context.clause.as_str();
        let sections = u.context.sections.as_str();
        if clause.contains("scope") {
            continue;
        }
        // A section titled "Base URL" holding little but the URL.
        let alone = u.context.clause.trim().len() <= u.url.len() + 8;
        let cue = BASE_CUES.iter().any(|c| clause.contains(c))
            || ["base url", "host", "base uri", "environment", "server"].iter().any(|c| sections.contains(c))
                && (u.via == Via::Code || alone);
        if cue {
            let url = split_query(&u.url).0.trim_end_matches('/').to_string();
            let w = if u.aside || u.example { 0.2 } else { 0.6 };
            cands.entry(url).or_default().add(w, u.at.line, u.at.unit);
        }
    }
    // Without a stated base: absolute URLs of calls, minus a documented path.
    let relative: BTreeSet<String> =
        facts.calls.iter().filter(|c| c.target.starts_with('/')).map(|c| split_query(&c.target).0).collect();
    if cands.is_empty() {
        for c in facts.calls.iter().filter(|c| !c.at.rejected && c.target.starts_with("http")) {
            if oauth_urls.contains(&split_query(&c.target).0) || doc_link_host(&c.target) {
                continue;
            }
            let noq = split_query(&c.target).0;
            let from_path =
                relative.iter().filter(|p| p.len() > 1 && noq.ends_with(p.as_str())).max_by_key(|p| p.len());
            let base = match from_path {
                Some(p) => noq[..noq.len() - p.len()].to_string(),
                None => {
                    let (origin, path) = split_origin(&noq);
                    let keep: Vec<&str> = path
                        .split('/')
                        .filter(|s| !s.is_empty())
                        .take_while(|s| {
                            let s = s.to_ascii_lowercase();
                            s == "api"
                                || s == "rest"
                                || s.starts_with('v') && s[1..].chars().all(|c| c.is_ascii_digit() || c == '.')
                        })
                        .collect();
                    let mut b = origin.to_string();
                    for k in keep {
                        b.push('/');
                        b.push_str(k);
                    }
                    b
                }
            };
            let w = if from_path.is_some() { 0.35 } else { 0.2 };
            cands.entry(base.trim_end_matches('/').to_string()).or_default().add(w, c.at.line, c.at.unit);
        }
    }
    // Example hosts (acme.zendesk.com) support the template they instantiate.
    let keys: Vec<String> = cands.keys().cloned().collect();
    for t in keys.iter().filter(|k| k.contains('{')) {
        for c in keys.iter().filter(|k| !k.contains('{')) {
            let (t_origin, t_path) = split_origin(t);
            let (c_origin, c_path) = split_origin(c);
            let same_host = matches_template(t_origin, c_origin) && t_path.starts_with(c_path);
            // Only an example folds into the rule, not a stated base into an aside.
            let weaker = cands.get(c).map_or(0.0, Score::conf) <= cands.get(t).map_or(0.0, Score::conf);
            if (matches_template(t, c) || same_host && weaker)
                && let Some(s) = cands.remove(c)
                && let Some(ts) = cands.get_mut(t)
            {
                ts.merge(&s);
            }
        }
    }
    let (url, mut score) = best(cands)?;
    // Call URLs under the base confirm it.
    for u in facts.urls.iter().filter(usable) {
        if matches!(u.via, Via::Curl | Via::Request | Via::Inline | Via::Prose | Via::Code)
            && !score.lines.contains(&u.at.line)
            && split_query(&u.url).0.len() > url.len()
            && template_prefix(&url, &u.url).is_some()
        {
            score.add(0.15, u.at.line, u.at.unit);
        }
    }
    Some((url, score))
}

struct Endpoint<'a> {
    path: String,
    score: Score,
    calls: Vec<&'a CallFact>,
}

/// A call's target relative to the base URL (query kept).
fn relative_to(base: Option<&str>, target: &str) -> String {
    if target.starts_with("http") {
        if let Some(b) = base
            && let Some(n) = template_prefix(b, target)
        {
            let rest = &target[n..];
            return if rest.is_empty() || rest.starts_with('?') { format!("/{rest}") } else { rest.to_string() };
        }
        return target.to_string();
    }
    if let Some(b) = base {
        let base_path = split_origin(b).1.trim_end_matches('/');
        if !base_path.is_empty()
            && let Some(rest) = target.strip_prefix(base_path)
            && rest.starts_with(['/', '?'])
        {
            return rest.to_string();
        }
    }
    target.to_string()
}

fn cheap_path(path: &str) -> bool {
    let segments: Vec<String> =
        path.split('/').filter(|s| !s.is_empty()).map(|s| s.trim_end_matches(".json").to_ascii_lowercase()).collect();
    segments.iter().any(|s| s == "me" || s == "@me" || s == "self" || s == "myself")
        || segments.last().is_some_and(|s| {
            ["user", "whoami", "account", "profile", "userinfo", "current_user", "currentuser", "myself", "me"]
                .contains(&s.as_str())
        })
}

/// Query parameters that set a list call's page size.
const PAGE_SIZE: [&str; 10] =
    ["limit", "per_page", "page_size", "pageSize", "$top", "maxResults", "page[size]", "count", "size", "max"];

fn page_size_one(query: &[(String, String)]) -> bool {
    query.iter().any(|(k, v)| v == "1" && PAGE_SIZE.iter().any(|p| p.eq_ignore_ascii_case(k)))
}

fn endpoint<'a>(
    doc: &Doc,
    facts: &'a Facts,
    base: Option<&str>,
    oauth_urls: &BTreeSet<String>,
) -> Option<Endpoint<'a>> {
    let mut groups: BTreeMap<String, (Score, Vec<&CallFact>, BTreeSet<usize>)> = BTreeMap::new();
    for c in facts.calls.iter().filter(|c| c.method == "GET" && !c.at.rejected) {
        if oauth_urls.contains(&split_query(&c.target).0) || doc_link_host(&c.target) {
            continue;
        }
        let rel = relative_to(base, &c.target);
        let (path, query) = split_query(&rel);
        let entry = groups.entry(path).or_default();
        let w = if matches!(c.via, Via::Curl | Via::Request) { 0.2 } else { 0.15 };
        entry.0.add(w, c.at.line, c.at.unit);
        let clause = c.context.clause.as_str();
        if VERIFY_CUES.iter().any(|q| clause.contains(q)) && entry.2.insert(c.at.unit) {
            entry.0.add(0.55, c.at.line, c.at.unit);
            if let Some(lead) = c.lead_line {
                entry.0.lines.insert(lead);
            }
        }
        if clause.contains("example") && entry.2.insert(c.at.unit) {
            entry.0.add(0.25, c.at.line, c.at.unit);
        }
        // A section titled "Verifying a key" or "Example".
        let sections = c.context.sections.split(" / ").next().unwrap_or("");
        if ["verif", "check", "validat", "test"].iter().any(|q| sections.contains(q)) && entry.2.insert(c.at.unit) {
            entry.0.add(0.3, c.at.line, c.at.unit);
        } else if sections.contains("example") && entry.2.insert(c.at.unit) {
            entry.0.add(0.2, c.at.line, c.at.unit);
        }
        if page_size_one(&query) {
            entry.0.add(0.4, c.at.line, c.at.unit);
        }
        entry.1.push(c);
    }
    let mut scored: Vec<(String, Score, Vec<&CallFact>)> = Vec::new();
    for (path, (mut score, calls, _)) in groups {
        if cheap_path(&path) {
            score.miss *= 1.0 - 0.45;
        }
        let base_names: Vec<&str> = base.map(crate::plan::placeholders).unwrap_or_default();
        let unresolved = crate::plan::placeholders(&path).iter().any(|n| !base_names.contains(n));
        let mut conf = score.conf();
        if unresolved {
            conf *= 0.3;
        }
        if path.starts_with("http") {
            conf *= 0.5;
        }
        score.miss = 1.0 - conf;
        scored.push((path, score, calls));
    }
    let _ = doc;
    let (path, score) = best(scored.iter().map(|(p, s, _)| (p.clone(), s.clone())))?;
    if score.conf() < 0.15 {
        return None;
    }
    let calls = scored.into_iter().find(|(p, _, _)| *p == path).map(|t| t.2).unwrap_or_default();
    let mut calls = calls;
    calls.sort_by_key(|c| c.at.line);
    Some(Endpoint { path, score, calls })
}

/// Non-credential headers the doc sends with the chosen call, or beside the
/// credential header, or tells the reader to send.
fn extra_headers(doc: &Doc, facts: &Facts, ep: &Endpoint, base: Option<&str>) -> (Vec<(String, String)>, Score) {
    const SKIP: [&str; 7] =
        ["content-type", "content-length", "host", "connection", "accept-encoding", "user-agent", "cookie"];
    let auth_blocks: BTreeSet<usize> = facts
        .headers
        .iter()
        .filter(|h| {
            !h.at.rejected
                && (h.name.eq_ignore_ascii_case("authorization") || auth_header_name(&h.name.to_ascii_lowercase()))
        })
        .map(|h| doc.units[h.at.unit].block)
        .collect();
    let auth_sections: BTreeSet<Option<usize>> = facts
        .headers
        .iter()
        .filter(|h| {
            !h.at.rejected
                && (h.name.eq_ignore_ascii_case("authorization") || auth_header_name(&h.name.to_ascii_lowercase()))
        })
        .map(|h| doc.units[h.at.unit].section)
        .collect();
    let ep_calls: BTreeSet<usize> = facts
        .calls
        .iter()
        .enumerate()
        .filter(|(_, c)| split_query(&relative_to(base, &c.target)).0 == ep.path)
        .map(|(i, _)| i)
        .collect();
    let mut by_name: BTreeMap<String, (String, BTreeMap<String, Score>)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for h in facts.headers.iter().filter(|h| !h.at.rejected) {
        let lower = h.name.to_ascii_lowercase();
        let Some(value) = &h.value else { continue };
        if lower == "authorization" || auth_header_name(&lower) || SKIP.contains(&lower.as_str()) {
            continue;
        }
        let unit = &doc.units[h.at.unit];
        let w = if h.call.is_some_and(|c| ep_calls.contains(&c)) {
            0.6
        } else if auth_blocks.contains(&unit.block) {
            0.55
        } else if auth_sections.contains(&unit.section) && matches!(h.via, Via::Inline | Via::Table | Via::Code)
            || h.call.is_none() && plain_lower(&unit.text).contains("required")
        {
            0.45
        } else {
            continue;
        };
        if !order.contains(&lower) {
            order.push(lower.clone());
        }
        let entry = by_name.entry(lower).or_insert_with(|| (h.name.clone(), BTreeMap::new()));
        entry.1.entry(value.clone()).or_default().add(w, h.at.line, h.at.unit);
    }
    let mut out = Vec::new();
    let mut all = Score::default();
    for name in order {
        let Some((display, values)) = by_name.get(&name) else { continue };
        if let Some((value, s)) = best(values.clone())
            && s.conf() >= 0.5
        {
            out.push((display.clone(), value));
            all.merge(&s);
        }
    }
    (out, all)
}

/// Scopes: inline code (or URLs) in clauses that speak of scopes.
fn scopes(doc: &Doc, unit_lower: &[String]) -> Option<(String, Score)> {
    let mut found: Vec<String> = Vec::new();
    let mut score = Score::default();
    for (ui, unit) in doc.units.iter().enumerate() {
        let lower = &unit_lower[ui];
        if !lower.contains("scope") {
            continue;
        }
        for (s, e) in clauses(&unit.text) {
            if !lower[s..e].contains("scope") {
                continue;
            }
            let spans: Vec<(usize, String)> =
                inline_code(&unit.text[s..e]).into_iter().map(|(a, _, c)| (s + a, c.to_string())).collect();
            for (at, scope) in spans {
                let ok = !scope.is_empty()
                    && !scope.contains([' ', '='])
                    && !scope.eq_ignore_ascii_case("scope")
                    && !scope.eq_ignore_ascii_case("scopes")
                    && !scope.starts_with('/');
                if ok && !found.contains(&scope) {
                    found.push(scope);
                    score.add(0.5, unit.line_at(at), ui);
                }
            }
        }
    }
    (!found.is_empty()).then(|| (found.join(" "), score))
}

/// `access_type=offline`-style parameters for the authorization request.
fn extra_auth_params(doc: &Doc, authorization_url: Option<&str>) -> (Vec<(String, String)>, Score) {
    const KNOWN: [&str; 7] =
        ["access_type", "prompt", "audience", "resource", "duration", "token_access_type", "include_granted_scopes"];
    const STANDARD: [&str; 7] =
        ["client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge", "code_challenge_method"];
    let mut out: Vec<(String, String)> = Vec::new();
    let mut score = Score::default();
    if let Some(url) = authorization_url {
        for (k, v) in split_query(url).1 {
            if !STANDARD.contains(&k.as_str()) && !out.iter().any(|(x, _)| *x == k) {
                out.push((k, v));
            }
        }
    }
    for (ui, unit) in doc.units.iter().enumerate() {
        for (at, _, code) in inline_code(&unit.text) {
            if let Some((k, v)) = code.split_once('=')
                && KNOWN.contains(&k)
                && !v.is_empty()
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                if !out.iter().any(|(x, _)| x == k) {
                    out.push((k.to_string(), v.to_string()));
                }
                score.add(0.5, unit.line_at(at), ui);
            }
        }
    }
    (out, score)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn generalised_examples() {
        assert_eq!(generalise("jane@acme.com/token", "api_token"), "{email}/token");
        assert_eq!(generalise("6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv", "api_token"), "{api_token}");
        assert_eq!(generalise("X", "api_key"), "X");
        assert_eq!(name_or_pattern("{api_token}"), "api_token");
        assert_eq!(name_or_pattern("{email}/token"), "{email}/token");
    }

    #[test]
    fn list_call_gets_the_page_size_its_section_names() {
        let doc = "## Auth\n\n- Header: `Authorization: Bearer {token}`\n\nBase URL: `https://api.x.io/v1`\n\n### Users\n\n**Endpoint**: `GET /users`\n\n- `page_size`: 1-100 (default 100)\n";
        let a = super::super::analyze(doc);
        let block = a.block.clone().unwrap();
        assert_eq!(block.endpoint.as_deref(), Some("/users"));
        assert_eq!(block.params, vec![("page_size".to_string(), "1".to_string())]);
        assert_eq!(a.finding("params").unwrap().lines, vec![11]);
    }

    #[test]
    fn cheap_paths() {
        assert!(cheap_path("/user"));
        assert!(cheap_path("/users/me.json"));
        assert!(cheap_path("/users/me/profile"));
        assert!(!cheap_path("/repos/{owner}/{repo}/issues"));
    }
}
