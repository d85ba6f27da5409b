//! OAuth: the token and authorization URLs, the grant, how the client
//! authenticates to the token endpoint, the scopes and extra authorization
//! parameters, and the proposed `connection.oauth` block.

use std::collections::BTreeMap;

use super::context::{Ctx, Proposal};
use super::score::{Score, best};
use super::weights::{
    AUDIENCE_IN_TOKEN_REQUEST, AUTH_PARAM_MENTION, AUTHORIZE_CUE, AUTHORIZE_PATH, AUTHORIZE_URL_IMPLIES_REFRESH,
    AUTHORIZE_URL_SHARE, DISCOURAGED_FACTOR, GRANT_SHARE, KEYWORD_OAUTH, MAX_URL_ROLE, SCOPE_MENTION, TOKEN_CUE,
    TOKEN_PATH, TOKEN_POST_WITH_GRANT, TOKEN_URL_SHARE,
};
use crate::analyze::facts::{Kw, UrlFact};
use crate::analyze::finding::{Kind, Value};
use crate::analyze::model::OauthBlock;
use crate::analyze::scan::{Doc, UnitKind, inline_code};
use crate::analyze::text::{clauses, normalize_url, split_origin, split_query};
use crate::plan::Variant;

pub(super) struct Oauth {
    /// How strongly the doc says the API uses OAuth at all.
    pub score: Score,
    pub token_url: Option<(String, Score)>,
    pub authorization_url: Option<(String, Score)>,
    pub grant: Option<(String, Score)>,
    /// Basic credentials in the token request: the client authenticates with them.
    pub client_auth: Score,
}

pub(super) fn evidence(ctx: &Ctx) -> Oauth {
    let (token, authz) = endpoint_urls(ctx);
    let token_url = best(token);
    let authorization_url = best(authz);
    let mut score = Score::default();
    let mut refresh = Score::default();
    let mut client = Score::default();
    for m in ctx.facts.mentions.iter().filter(|m| !m.at.rejected) {
        let w = if m.at.discouraged { DISCOURAGED_FACTOR } else { 1.0 };
        match m.kw {
            Kw::OAuth => score.add(KEYWORD_OAUTH * w, m.at.line, m.at.unit),
            Kw::RefreshToken | Kw::AuthorizationCode => {
                refresh.add(KEYWORD_OAUTH * w, m.at.line, m.at.unit);
            }
            Kw::ClientCredentials => client.add(KEYWORD_OAUTH * w, m.at.line, m.at.unit),
            _ => {}
        }
    }
    if let Some((_, s)) = &authorization_url {
        refresh.add(AUTHORIZE_URL_IMPLIES_REFRESH, s.first_line(), s.units.first().copied().unwrap_or(0));
    }
    let grant = if client.conf() > refresh.conf() {
        Some(("client_credentials".to_string(), client))
    } else if refresh.conf() > 0.0 {
        Some(("refresh_token".to_string(), refresh))
    } else {
        None
    };
    for (part, share) in
        [(&token_url, TOKEN_URL_SHARE), (&grant, GRANT_SHARE), (&authorization_url, AUTHORIZE_URL_SHARE)]
    {
        if let Some((_, s)) = part {
            let mut counted = s.clone();
            counted.set_conf(s.conf() * share);
            score.merge(&counted);
        }
    }
    Oauth { score, token_url, authorization_url, grant, client_auth: Score::default() }
}

/// Candidate token and authorization URLs, by URL without its query.
fn endpoint_urls(ctx: &Ctx) -> (BTreeMap<String, Score>, BTreeMap<String, Score>) {
    let mut token: BTreeMap<String, Score> = BTreeMap::new();
    let mut authz: BTreeMap<String, Score> = BTreeMap::new();
    for u in ctx.facts.urls.iter().filter(|u| !u.at.rejected && !u.link) {
        let (noq, _) = split_query(&u.url);
        let clause = u.context.clause.as_str();
        if clause.contains("scope") && !clause.contains("token") {
            continue;
        }
        let w_token = token_weight(ctx, u, &noq);
        if w_token > 0.0 {
            token.entry(noq.clone()).or_default().add(w_token.min(MAX_URL_ROLE), u.at.line, u.at.unit);
            continue;
        }
        let path = split_origin(&noq).1.to_ascii_lowercase();
        let mut w_auth: f64 = 0.0;
        if path.ends_with("/authorize") || path.ends_with("/auth") || path.contains("/authorize/") {
            w_auth += AUTHORIZE_PATH;
        }
        if ["authorization endpoint", "authorization url", "authorize url", "authorization_url", "consent"]
            .iter()
            .any(|c| clause.contains(c))
        {
            w_auth += AUTHORIZE_CUE;
        }
        if w_auth > 0.0 {
            authz.entry(noq).or_default().add(w_auth.min(MAX_URL_ROLE), u.at.line, u.at.unit);
        }
    }
    // A token URL whose host is a placeholder (Zoho's
    // `POST {accounts-server}/oauth/v2/token`): the server differs per region.
    for (ui, unit) in ctx.doc.units.iter().enumerate() {
        for (at, url) in placeholder_host_urls(&unit.text) {
            let path =
                split_origin(&format!("https://x{}", &url[url.find('}').unwrap_or(0) + 1..])).1.to_ascii_lowercase();
            if !(path.ends_with("/token") || path.ends_with("/access_token")) {
                continue;
            }
            let post = unit.text[..at].trim_end().ends_with("POST");
            let w = TOKEN_PATH + if post { TOKEN_POST_WITH_GRANT } else { 0.0 };
            token.entry(url).or_default().add(w.min(MAX_URL_ROLE), unit.line_at(at), ui);
        }
    }
    (token, authz)
}

/// `{server}/path` URLs (no scheme: the placeholder holds it), without their
/// query, placeholder names written with underscores.
fn placeholder_host_urls(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices('{') {
        let starts_token = at == 0 || text[..at].ends_with([' ', '\t', '\n', '`', '"', '\'', '(']);
        let Some(close) = text[at..].find('}').map(|c| at + c) else { continue };
        if !starts_token || !text[close + 1..].starts_with('/') {
            continue;
        }
        let name = &text[at + 1..close];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            continue;
        }
        let path: String = text[close + 1..]
            .chars()
            .take_while(|c| !c.is_whitespace() && !['?', '`', '"', '\'', ')'].contains(c))
            .collect();
        out.push((at, format!("{{{}}}{path}", name.replace('-', "_").to_ascii_lowercase())));
    }
    out
}

/// How much a URL looks like the token endpoint (0 when not at all).
fn token_weight(ctx: &Ctx, u: &UrlFact, noq: &str) -> f64 {
    let grant_kinds = [Kw::RefreshToken, Kw::ClientCredentials, Kw::AuthorizationCode];
    let path = split_origin(noq).1.to_ascii_lowercase();
    let clause = u.context.clause.as_str();
    let block = ctx.doc.units[u.at.unit].block;
    let grant_near =
        ctx.facts.mentions.iter().any(|m| grant_kinds.contains(&m.kw) && ctx.doc.units[m.at.unit].block == block);
    let post = u.call.is_some_and(|c| ctx.facts.calls[c].method == "POST");
    let mut w_token: f64 = 0.0;
    if path.ends_with("/token") || path.ends_with("/access_token") || path.ends_with("/oauth/token") {
        w_token += TOKEN_PATH;
    }
    if ["token endpoint", "token url", "token uri", "token_url"].iter().any(|c| clause.contains(c)) {
        w_token += TOKEN_CUE;
    }
    if post && grant_near {
        w_token += TOKEN_POST_WITH_GRANT;
    }
    w_token
}

/// The OAuth variants' findings and `connection.oauth` block.
pub(super) fn place(ctx: &Ctx, oauth: &Oauth, variant: Variant, proposal: &mut Proposal) {
    let (grant, gs) = oauth.grant.clone().unwrap_or_else(|| ("refresh_token".into(), Score::default()));
    proposal.push_text(Kind::Grant, &grant, &gs);
    let mut ob = OauthBlock {
        flow: if variant == Variant::OauthClientCredentials { "m2m".into() } else { "u2m".into() },
        ..OauthBlock::default()
    };
    // An example host (`auth.example.org`) says OAuth is used, not where.
    let usable = |url: &str| crate::doc_example::why(url).is_none();
    if let Some((url, s)) = oauth.token_url.as_ref().filter(|(u, _)| usable(u)) {
        proposal.push_text(Kind::TokenUrl, url, s);
        ob.token_url = Some(url.clone());
    }
    if variant == Variant::OauthRefresh
        && let Some((url, s)) = oauth.authorization_url.as_ref().filter(|(u, _)| usable(u))
    {
        proposal.push_text(Kind::AuthorizationUrl, url, s);
        ob.authorization_url = Some(url.clone());
    }
    // A client-credentials token request the doc shows without `scope` says
    // the scopes are granted to the client, not asked for (Auth0): the ones
    // it names are what a call needs, not a field to send.
    let granted_not_asked = variant == Variant::OauthClientCredentials && token_request_without_scope(ctx.doc);
    if let Some((scopes, s)) = scopes(ctx.doc, &ctx.unit_lower).filter(|_| !granted_not_asked) {
        proposal.push_text(Kind::Scopes, &scopes, &s);
        ob.scopes = Some(scopes);
    }
    let (extra, es) = extra_auth_params(ctx.doc, oauth.authorization_url.as_ref().map(|a| a.0.as_str()));
    if !extra.is_empty() && variant == Variant::OauthRefresh {
        proposal.push(Kind::ExtraAuthParams, Value::Pairs(extra.clone()), &es);
        ob.extra_auth_params = extra;
    }
    if variant == Variant::OauthClientCredentials
        && let Some((audience, s)) = audience(ctx.doc)
    {
        proposal.push_text(Kind::Audience, &audience, &s);
        proposal.block.oauth_keys.push(("audience", audience.clone()));
        for name in crate::plan::placeholders(&audience) {
            proposal.add_param(name, false);
        }
    }
    if oauth.client_auth.conf() > 0.0 {
        proposal.push_text(Kind::ClientAuth, "basic", &oauth.client_auth);
    }
    proposal.add_param("client_id", false);
    proposal.add_param("client_secret", true);
    for url in [&ob.token_url, &ob.authorization_url].into_iter().flatten() {
        for name in crate::plan::placeholders(url) {
            proposal.add_param(name, false);
        }
    }
    proposal.oauth = Some(ob);
}

/// The token request's `audience` field (Auth0 style), from a form body
/// (`audience=...`) or a JSON one (`"audience": "..."`) in a code example.
fn audience(doc: &Doc) -> Option<(String, Score)> {
    for (ui, unit) in doc.units.iter().enumerate().filter(|(_, u)| u.kind == UnitKind::Code) {
        let text = &unit.text;
        let Some(at) = text.find("audience") else { continue };
        let rest = text[at + "audience".len()..].trim_start_matches(['"', '\'']);
        let Some(rest) = rest.strip_prefix('=').or_else(|| rest.trim_start().strip_prefix(':')) else { continue };
        let value: String = rest
            .trim_start()
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| !c.is_whitespace() && !['&', '"', '\'', '\\'].contains(c))
            .collect();
        let value = if value.starts_with("http") { normalize_url(&value) } else { value };
        if value.is_empty() || crate::doc_example::why(&value).is_some() {
            continue;
        }
        let mut s = Score::default();
        s.add(AUDIENCE_IN_TOKEN_REQUEST, unit.line_at(at), ui);
        return Some((value, s));
    }
    None
}

/// A code example of a client-credentials token request with no `scope` field.
fn token_request_without_scope(doc: &Doc) -> bool {
    let mut blocks: BTreeMap<usize, String> = BTreeMap::new();
    for unit in doc.units.iter().filter(|u| u.kind == UnitKind::Code) {
        blocks.entry(unit.block).or_default().push_str(&unit.text.to_ascii_lowercase());
    }
    blocks.values().any(|code| code.contains("client_credentials") && !code.contains("scope"))
}

/// Scopes: inline code (or URLs) in clauses that speak of scopes, or in a
/// section about them; not one the doc says is not needed.
fn scopes(doc: &Doc, unit_lower: &[String]) -> Option<(String, Score)> {
    let mut found: Vec<String> = Vec::new();
    let mut score = Score::default();
    for (ui, unit) in doc.units.iter().enumerate() {
        let lower = &unit_lower[ui];
        let in_scope_section =
            unit.kind != UnitKind::Code && doc.section_titles(unit).first().is_some_and(|t| t.contains("scope"));
        if !lower.contains("scope") && !in_scope_section {
            continue;
        }
        for (s, e) in clauses(&unit.text) {
            let clause = &lower[s..e];
            if !clause.contains("scope") && !in_scope_section
                || ["not needed", "not required", "isn't needed", "is not necessary"].iter().any(|c| clause.contains(c))
            {
                continue;
            }
            let spans: Vec<(usize, String)> =
                inline_code(&unit.text[s..e]).into_iter().map(|(a, _, c)| (s + a, c.to_string())).collect();
            // Under a scopes heading, a URL the clause does not call a scope is an address.
            let said_scope = clause.contains("scope");
            for (at, scope) in spans {
                let ok = !scope.is_empty()
                    && (said_scope || !scope.contains("://"))
                    && !scope.contains([' ', '='])
                    && !scope.eq_ignore_ascii_case("scope")
                    && !scope.eq_ignore_ascii_case("scopes")
                    && !scope.starts_with('/')
                    && crate::doc_example::why(&scope).is_none()
                    // A scope the doc says is refused (`invalid_scope`) is never proposed.
                    && !crate::analyze::text::rejected(lower, (s, e), at.min(e))
                    && !lower[s..e].contains("invalid_scope");
                if ok && !found.contains(&scope) {
                    found.push(scope);
                    score.add(SCOPE_MENTION, unit.line_at(at), ui);
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
                score.add(AUTH_PARAM_MENTION, unit.line_at(at), ui);
            }
        }
    }
    (out, score)
}
