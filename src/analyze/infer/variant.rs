//! Which auth variants the doc supports, and the evidence of where their
//! credential goes: headers and their prefixes, query parameters, Basic
//! user:password pairs, keywords. The result ranks the variants, best first.

use std::collections::{BTreeMap, BTreeSet};

use super::context::Ctx;
use super::oauth::Oauth;
use super::score::{Score, best};
use super::weights::{
    AUTHORIZATION_SCHEME_IN_WORDS, BARE_AUTHORIZATION, BEARER_FOR_OAUTH_TOKEN, CUSTOM_HEADER_SAID, DISCOURAGED_FACTOR,
    KEY_HEADER_NAMED, KEYWORD_BASIC, KEYWORD_BEARER, KEYWORD_NO_AUTH, MIN_OAUTH_WITHOUT_MENTION, MIN_VARIANT,
    NO_HEADER_FACTOR, OAUTH_FOR_OTHERS_FACTOR, PREFERRED, QUERY_NAME_ABOUT_KEY, QUERY_NAME_OTHER,
    QUERY_SECRET_IN_REQUEST, QUERY_SECRET_IN_URL, VIA_CODE, VIA_INLINE, VIA_PROSE, VIA_REQUEST,
};
use crate::analyze::facts::{HeaderFact, Kw, Via};
use crate::analyze::scan::UnitKind;
use crate::analyze::text::{looks_like_secret_value, split_query, split_secret};
use crate::plan::Variant;

pub(super) fn via_weight(via: Via) -> f64 {
    match via {
        Via::Curl | Via::Request => VIA_REQUEST,
        Via::Code => VIA_CODE,
        Via::Inline | Via::Table => VIA_INLINE,
        Via::Prose => VIA_PROSE,
    }
}

/// Secret-looking header names that are not credentials.
pub(super) fn auth_header_name(lower: &str) -> bool {
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

/// An api_key_header candidate.
#[derive(Debug, Clone, Default)]
pub(super) struct KeyHeader {
    /// The header's name as the doc writes it.
    pub name: String,
    pub score: Score,
    /// What comes before the secret in its examples (`Token token=`, ``).
    pub prefixes: BTreeMap<String, Score>,
}

/// A user name and optional password from an example, with its evidence.
pub(super) struct BasicPair {
    pub user: String,
    pub pass: Option<String>,
    pub weight: f64,
    pub line: usize,
    pub unit: usize,
}

/// Everything the variant weighing found.
pub(super) struct Evidence {
    /// Variants at or above [`MIN_VARIANT`], best first.
    pub ranked: Vec<(Variant, Score)>,
    /// api_key_header candidates by lowercased header name.
    pub key_headers: BTreeMap<String, KeyHeader>,
    pub header_best: Option<(String, Score)>,
    pub query_best: Option<(String, Score)>,
    pub bearer_prefix: BTreeMap<String, Score>,
    /// Secret-looking example values, with their lines.
    pub secrets: Vec<(String, usize)>,
    pub basic_pairs: Vec<BasicPair>,
}

/// The evidence as it is collected.
struct Weighing<'c, 'a> {
    ctx: &'c Ctx<'a>,
    oauth_present: bool,
    /// Code blocks of the token request: Basic credentials there authenticate the client.
    token_blocks: BTreeSet<usize>,
    /// The doc shows the token request with its grant.
    token_request_shown: bool,
    scores: Vec<(Variant, Score)>,
    oauth_header: Score,
    key_headers: BTreeMap<String, KeyHeader>,
    bearer_prefix: BTreeMap<String, Score>,
    secrets: Vec<(String, usize)>,
    basic_pairs: Vec<BasicPair>,
    /// "the `Authorization` header" with no value and no scheme named beside it.
    bare_authorization: Vec<(usize, usize)>,
}

pub(super) fn weigh(ctx: &Ctx, oauth: &mut Oauth) -> Evidence {
    let has_oauth_mention = ctx.facts.mentions.iter().any(|m| m.kw == Kw::OAuth && !m.at.rejected);
    let oauth_present = oauth.token_url.is_some() && (has_oauth_mention || oauth.grant.is_some());
    let token_blocks: BTreeSet<usize> = oauth
        .token_url
        .iter()
        .flat_map(|(_, s)| s.units.iter().filter(|u| ctx.doc.units[**u].kind == UnitKind::Code))
        .map(|u| ctx.doc.units[*u].block)
        .collect();
    let token_request_shown = !token_blocks.is_empty() && oauth.grant.is_some();
    let mut w = Weighing {
        ctx,
        oauth_present,
        token_request_shown,
        token_blocks,
        scores: Vec::new(),
        oauth_header: Score::default(),
        key_headers: BTreeMap::new(),
        bearer_prefix: BTreeMap::new(),
        secrets: Vec::new(),
        basic_pairs: Vec::new(),
        bare_authorization: Vec::new(),
    };
    for h in ctx.facts.headers.iter().filter(|h| !h.at.rejected) {
        w.header(h, oauth);
    }
    w.keywords();
    w.signature_v4();
    w.user_passwords(oauth);
    w.bare_and_custom_headers();
    let query_best = best(w.query_evidence());
    if let Some((_, s)) = &query_best {
        w.get(Variant::ApiKeyQuery).merge(s);
    }
    let header_best = best(w.key_headers.iter().map(|(k, v)| (k.clone(), v.score.clone())));
    if let Some((_, s)) = &header_best {
        w.get(Variant::ApiKeyHeader).merge(s);
    }
    if oauth_present || oauth.token_url.is_some() && oauth.score.conf() >= MIN_OAUTH_WITHOUT_MENTION {
        let v = match oauth.grant.as_ref().map(|g| g.0.as_str()) {
            Some("client_credentials") => Variant::OauthClientCredentials,
            _ => Variant::OauthRefresh,
        };
        let mut s = oauth.score.clone();
        s.lines.extend(&w.oauth_header.lines);
        w.get(v).merge(&s);
    }
    let ranked = w.rank();
    Evidence {
        ranked,
        key_headers: w.key_headers,
        header_best,
        query_best,
        bearer_prefix: w.bearer_prefix,
        secrets: w.secrets,
        basic_pairs: w.basic_pairs,
    }
}

impl Weighing<'_, '_> {
    fn get(&mut self, v: Variant) -> &mut Score {
        let i = self.scores.iter().position(|(x, _)| *x == v).unwrap_or_else(|| {
            self.scores.push((v, Score::default()));
            self.scores.len() - 1
        });
        &mut self.scores[i].1
    }

    /// Bearer evidence about the OAuth access token belongs to the OAuth method.
    /// A doc that shows the token request itself (Auth0's `POST /oauth/token`
    /// with `grant_type`) speaks of that token when it says "send it as a
    /// bearer token", unless the sentence names a token of another kind.
    fn about_access_token(&self, unit: usize) -> bool {
        self.oauth_present && {
            let l = &self.ctx.unit_lower[unit];
            let said = l.contains("access token") || l.contains("access_token") || l.contains("oauth");
            let other_token = ["api key", "api_key", "api token", "personal", "private app", "integration token"]
                .iter()
                .any(|w| l.contains(w));
            said || self.token_request_shown && !other_token
        }
    }

    fn in_token_block(&self, unit: usize) -> bool {
        self.token_blocks.contains(&self.ctx.doc.units[unit].block)
    }

    fn key_header(&mut self, lower: &str, name: &str) -> &mut KeyHeader {
        self.key_headers
            .entry(lower.to_string())
            .or_insert_with(|| KeyHeader { name: name.to_string(), ..KeyHeader::default() })
    }

    fn header(&mut self, h: &HeaderFact, oauth: &mut Oauth) {
        let lower = h.name.to_ascii_lowercase();
        let w = via_weight(h.via) * if h.at.discouraged { DISCOURAGED_FACTOR } else { 1.0 };
        if lower == "authorization" {
            self.authorization_header(h, w, oauth);
        } else if auth_header_name(&lower) {
            let w = if h.value.is_none() && h.via == Via::Prose { KEY_HEADER_NAMED } else { w };
            let entry = self.key_header(&lower, &h.name);
            entry.score.add(w, h.at.line, h.at.unit);
            if let Some(value) = &h.value {
                let (prefix, secret) = split_secret(value).unwrap_or_else(|| (String::new(), value.clone()));
                entry.prefixes.entry(prefix).or_default().add(w, h.at.line, h.at.unit);
                self.secrets.push((secret, h.at.line));
            }
        }
    }

    /// An `Authorization` header: its scheme says the variant.
    fn authorization_header(&mut self, h: &HeaderFact, w: f64, oauth: &mut Oauth) {
        let (line, unit) = (h.at.line, h.at.unit);
        let scheme = h.value.as_deref().map(|v| v.split_whitespace().next().unwrap_or("").to_ascii_lowercase());
        match (scheme.as_deref(), h.value.as_deref()) {
            (Some("bearer"), Some(value)) => {
                if self.about_access_token(unit) {
                    self.oauth_header.add(w, line, unit);
                    return;
                }
                self.get(Variant::Bearer).add(w, line, unit);
                if let Some((prefix, secret)) = split_secret(value) {
                    self.bearer_prefix.entry(prefix).or_default().add(w, line, unit);
                    self.secrets.push((secret, line));
                }
            }
            (Some("basic"), Some(value)) => {
                if self.in_token_block(unit) {
                    oauth.client_auth.add(w, line, unit);
                    return;
                }
                self.get(Variant::Basic).add(w, line, unit);
                const BASE64_CALL: &str = "base64(";
                if let Some(start) = value.find(BASE64_CALL) {
                    let inner = value[start + BASE64_CALL.len()..].trim_end_matches(')').trim_matches(['"', '\'', ')']);
                    let (user, pass) = crate::analyze::facts::split_userpass(inner);
                    self.basic_pairs.push(BasicPair { user, pass, weight: w, line, unit });
                }
            }
            // `token <secret>` (GitHub's older scheme) is a bearer token with
            // another prefix; `Zoho-oauthtoken <token>` is an OAuth access token.
            (Some(scheme), Some(value))
                if scheme == "token" && !value.contains('=') || scheme.ends_with("-oauthtoken") =>
            {
                if let Some((prefix, secret)) = split_secret(value) {
                    self.bearer_prefix.entry(prefix).or_default().add(w, line, unit);
                    self.secrets.push((secret, line));
                }
                let oauth_token = scheme.ends_with("-oauthtoken");
                if oauth_token || self.about_access_token(unit) {
                    self.oauth_header.add(w, line, unit);
                }
                // The scheme names an OAuth access token: with the token
                // endpoint shown, it is not a static bearer token.
                if !(oauth_token && self.oauth_present) {
                    self.get(Variant::Bearer).add(w, line, unit);
                }
            }
            // An AWS signature, not a key: `AWS4-HMAC-SHA256 Credential=...`.
            (Some("aws4-hmac-sha256"), Some(_)) => self.get(Variant::AwsSigv4).add(w, line, unit),
            (Some(_), Some(value)) => {
                let entry = self.key_header("authorization", &h.name);
                entry.score.add(w, line, unit);
                if let Some((prefix, secret)) = split_secret(value) {
                    entry.prefixes.entry(prefix).or_default().add(w, line, unit);
                    self.secrets.push((secret, line));
                }
            }
            _ => {
                // "the `Authorization` header" with the scheme said in words.
                let bearer_said =
                    self.ctx.facts.mentions.iter().any(|m| m.kw == Kw::Bearer && !m.at.rejected && m.at.unit == unit);
                if bearer_said && !self.about_access_token(unit) {
                    self.get(Variant::Bearer).add(AUTHORIZATION_SCHEME_IN_WORDS, line, unit);
                } else if !self.about_access_token(unit) {
                    self.bare_authorization.push((line, unit));
                }
            }
        }
    }

    /// "Bearer", "HTTP Basic", "no authentication required" as words.
    fn keywords(&mut self) {
        for m in self.ctx.facts.mentions.iter().filter(|m| !m.at.rejected) {
            let w = if m.at.discouraged { DISCOURAGED_FACTOR } else { 1.0 };
            let (line, unit) = (m.at.line, m.at.unit);
            match m.kw {
                Kw::Bearer if self.about_access_token(unit) => {
                    self.oauth_header.add(BEARER_FOR_OAUTH_TOKEN, line, unit);
                }
                Kw::Bearer => self.get(Variant::Bearer).add(KEYWORD_BEARER * w, line, unit),
                Kw::Basic if self.in_token_block(unit) => {}
                Kw::Basic => self.get(Variant::Basic).add(KEYWORD_BASIC * w, line, unit),
                Kw::NoAuth => self.get(Variant::None).add(KEYWORD_NO_AUTH, line, unit),
                _ => {}
            }
        }
    }

    /// "Signature Version 4" in words: AWS request signing.
    fn signature_v4(&mut self) {
        for (ui, lower) in self.ctx.unit_lower.iter().enumerate() {
            if ["signature version 4", "sigv4"].iter().any(|c| lower.contains(c)) {
                let line = self.ctx.doc.units[ui].first_line();
                self.get(Variant::AwsSigv4).add(VIA_PROSE, line, ui);
            }
        }
    }

    /// User name and password pairs (`curl -u`, `base64("user:pass")`).
    fn user_passwords(&mut self, oauth: &mut Oauth) {
        for up in self.ctx.facts.userpass.iter().filter(|u| !u.at.rejected) {
            let (line, unit) = (up.at.line, up.at.unit);
            if self.in_token_block(unit) {
                oauth.client_auth.add(via_weight(up.via), line, unit);
                continue;
            }
            let w = via_weight(up.via) * if up.at.discouraged { DISCOURAGED_FACTOR } else { 1.0 };
            self.get(Variant::Basic).add(w, line, unit);
            self.basic_pairs.push(BasicPair { user: up.user.clone(), pass: up.pass.clone(), weight: w, line, unit });
        }
    }

    fn bare_and_custom_headers(&mut self) {
        // A bare mention of the Authorization header supports whichever method
        // the examples put there.
        let bare = std::mem::take(&mut self.bare_authorization);
        if let Some(entry) = self.key_headers.get_mut("authorization") {
            for (line, unit) in &bare {
                entry.score.add(BARE_AUTHORIZATION, *line, *unit);
            }
        } else if self.scores.iter().any(|(v, _)| *v == Variant::Bearer) {
            for (line, unit) in &bare {
                self.get(Variant::Bearer).add(BARE_AUTHORIZATION, *line, *unit);
            }
        }
        // A custom header said in words supports the header the doc names.
        for m in self.ctx.facts.mentions.iter().filter(|m| m.kw == Kw::CustomHeader && !m.at.rejected) {
            if let Some(entry) = self.key_headers.values_mut().find(|e| !e.name.eq_ignore_ascii_case("authorization")) {
                entry.score.add(CUSTOM_HEADER_SAID, m.at.line, m.at.unit);
            }
        }
    }

    /// Query parameters that carry the key.
    fn query_evidence(&mut self) -> BTreeMap<String, Score> {
        let mut query: BTreeMap<String, Score> = BTreeMap::new();
        for q in self.ctx.facts.query_names.iter().filter(|q| !q.at.rejected) {
            let clause = q.context.clause.as_str();
            let about_key = ["key", "token", "auth", "credential", "secret"].iter().any(|c| clause.contains(c));
            let w = if about_key { QUERY_NAME_ABOUT_KEY } else { QUERY_NAME_OTHER };
            query.entry(q.name.clone()).or_default().add(w, q.at.line, q.at.unit);
        }
        for u in self.ctx.facts.urls.iter().filter(|u| !u.at.rejected && !u.link && !u.data) {
            for (k, v) in split_query(&u.url).1 {
                if keyish_query(&k) && looks_like_secret_value(&v) {
                    let w = if matches!(u.via, Via::Curl | Via::Request) {
                        QUERY_SECRET_IN_REQUEST
                    } else {
                        QUERY_SECRET_IN_URL
                    };
                    query.entry(k.clone()).or_default().add(w, u.at.line, u.at.unit);
                    self.secrets.push((v, u.at.line));
                }
            }
        }
        query
    }

    /// The doc says OAuth is for apps that other people use or install
    /// ("integrations other users connect", "apps listed in the marketplace").
    fn oauth_is_for_others(&self) -> bool {
        const FOR_OTHERS: [&str; 6] =
            ["other users", "marketplace", "third-party", "third party", "public app", "on behalf of other"];
        self.ctx
            .unit_lower
            .iter()
            .any(|l| (l.contains("oauth") || l.contains("app")) && FOR_OTHERS.iter().any(|c| l.contains(c)))
    }

    /// Doc-wide qualifiers, then the variants worth reporting, best first.
    fn rank(&mut self) -> Vec<(Variant, Score)> {
        // "No header-based authentication" weighs against header methods.
        let no_header = self.ctx.facts.mentions.iter().any(|m| m.kw == Kw::NoHeader);
        for (v, s) in &mut self.scores {
            if no_header && matches!(v, Variant::Bearer | Variant::ApiKeyHeader | Variant::Basic) {
                s.set_conf((1.0 - s.miss) * NO_HEADER_FACTOR);
            }
        }
        // OAuth "for apps other users connect" beside a key of the user's own.
        let own_credential = self.scores.iter().any(|(v, s)| {
            matches!(v, Variant::Bearer | Variant::ApiKeyHeader | Variant::ApiKeyQuery | Variant::Basic)
                && s.conf() >= MIN_VARIANT
        });
        if own_credential && self.oauth_is_for_others() {
            for (v, s) in &mut self.scores {
                if matches!(v, Variant::OauthRefresh) {
                    s.set_conf(s.conf() * OAUTH_FOR_OTHERS_FACTOR);
                }
            }
        }
        // "Preferred" or "recommended" next to a method's evidence.
        let preferred: Vec<(usize, usize)> = self
            .ctx
            .facts
            .mentions
            .iter()
            .filter(|m| m.kw == Kw::Preferred && !m.at.rejected)
            .map(|m| (m.at.unit, m.at.line))
            .collect();
        for (_, s) in &mut self.scores {
            for (unit, line) in &preferred {
                if s.units.contains(unit) {
                    s.add(PREFERRED, *line, *unit);
                }
            }
        }
        let mut ranked: Vec<(Variant, Score)> =
            std::mem::take(&mut self.scores).into_iter().filter(|(_, s)| s.conf() >= MIN_VARIANT).collect();
        ranked.sort_by(|a, b| {
            b.1.conf()
                .partial_cmp(&a.1.conf())
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.1.first_line().cmp(&b.1.first_line()))
        });
        ranked
    }
}
