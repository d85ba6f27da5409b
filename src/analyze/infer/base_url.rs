//! The API's base URL: stated by the doc ("Base URL: ..."), or else the
//! common root of the calls' absolute URLs. Example hosts support the
//! template they instantiate.

use std::collections::{BTreeMap, BTreeSet};

use super::score::{Score, best};
use super::weights::{
    BASE_ALONE_SLACK, BASE_CONFIRMED_BY_CALL, BASE_FROM_CALL_ORIGIN, BASE_FROM_CALL_PATH, BASE_STATED,
    BASE_STATED_ASIDE,
};
use crate::analyze::facts::{Facts, UrlFact, Via};
use crate::analyze::text::{matches_template, split_origin, split_query, template_prefix};

const BASE_CUES: [&str; 19] = [
    "relative to",
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
    "requests go to",
    "requests are sent to",
    "api url",
    "api endpoint:",
    "available at",
];

/// A link to documentation, not an API address.
pub(super) fn doc_link_host(url: &str) -> bool {
    let (origin, path) = split_origin(url);
    let host = origin.split("://").nth(1).unwrap_or("").to_ascii_lowercase();
    ["docs.", "developer.", "developers.", "support.", "help.", "community.", "github.com", "www.postman.com"]
        .iter()
        .any(|p| host.starts_with(p))
        || path.contains("/docs")
        || path.contains("/doc/")
}

pub(super) fn base_url(facts: &Facts, oauth_urls: &BTreeSet<String>) -> Option<(String, Score)> {
    let usable = |u: &&UrlFact| {
        !u.at.rejected && !u.link && !u.data && !doc_link_host(&u.url) && !oauth_urls.contains(&split_query(&u.url).0)
    };
    let mut cands = stated(facts.urls.iter().filter(usable));
    if cands.is_empty() {
        cands = from_calls(facts, oauth_urls);
    }
    fold_examples(&mut cands);
    // An example host (`your-pacs.example.com`, `fabrikam`) is never the API root.
    cands.retain(|url, _| crate::doc_example::why(url).is_none());
    let (url, mut score) = best(cands)?;
    // Call URLs under the base confirm it.
    for u in facts.urls.iter().filter(usable) {
        if matches!(u.via, Via::Curl | Via::Request | Via::Inline | Via::Prose | Via::Code)
            && !score.lines.contains(&u.at.line)
            && split_query(&u.url).0.len() > url.len()
            && template_prefix(&url, &u.url).is_some()
        {
            score.add(BASE_CONFIRMED_BY_CALL, u.at.line, u.at.unit);
        }
    }
    Some((url, score))
}

/// URLs the doc calls the base URL, or that sit alone under such a heading.
fn stated<'a>(urls: impl Iterator<Item = &'a UrlFact>) -> BTreeMap<String, Score> {
    let mut cands: BTreeMap<String, Score> = BTreeMap::new();
    for u in urls {
        let clause = u.context.clause.as_str();
        let sections = u.context.sections.as_str();
        if clause.contains("scope") {
            continue;
        }
        // `GET https://…/videos?key=…` "of every request" is a call, not the base.
        let lower_url = u.url.to_ascii_lowercase();
        // A curl or request line is a call even under a lead-in that says
        // "every request goes to ...": its URL includes the call's path.
        if ["get ", "post ", "put ", "delete ", "patch "].iter().any(|m| clause.contains(&format!("{m}{lower_url}")))
            || u.url.contains('?')
            || matches!(u.via, Via::Curl | Via::Request)
        {
            continue;
        }
        // A section titled "Base URL" holding little but the URL.
        let alone = u.context.clause.trim().len() <= u.url.len() + BASE_ALONE_SLACK;
        let cue = BASE_CUES.iter().any(|c| clause.contains(c))
            || ["base url", "host", "base uri", "environment", "server"].iter().any(|c| sections.contains(c))
                && (u.via == Via::Code || alone);
        if cue {
            let url = split_query(&u.url).0.trim_end_matches('/').to_string();
            let w = if u.aside || u.example { BASE_STATED_ASIDE } else { BASE_STATED };
            cands.entry(url).or_default().add(w, u.at.line, u.at.unit);
        }
    }
    cands
}

/// Without a stated base: absolute URLs of calls, minus a documented path
/// (or kept to their `/api`, `/rest`, `/v1` segments).
fn from_calls(facts: &Facts, oauth_urls: &BTreeSet<String>) -> BTreeMap<String, Score> {
    let mut cands: BTreeMap<String, Score> = BTreeMap::new();
    let relative: BTreeSet<String> =
        facts.calls.iter().filter(|c| c.target.starts_with('/')).map(|c| split_query(&c.target).0).collect();
    for c in facts.calls.iter().filter(|c| !c.at.rejected && c.target.starts_with("http")) {
        if oauth_urls.contains(&split_query(&c.target).0) || doc_link_host(&c.target) {
            continue;
        }
        let noq = split_query(&c.target).0;
        let from_path = relative.iter().filter(|p| p.len() > 1 && noq.ends_with(p.as_str())).max_by_key(|p| p.len());
        let base = match from_path {
            Some(p) => noq[..noq.len() - p.len()].to_string(),
            None => api_root(&noq),
        };
        let w = if from_path.is_some() { BASE_FROM_CALL_PATH } else { BASE_FROM_CALL_ORIGIN };
        cands.entry(base.trim_end_matches('/').to_string()).or_default().add(w, c.at.line, c.at.unit);
    }
    cands
}

/// A URL's origin and its leading `api`, `rest` and version segments.
fn api_root(url: &str) -> String {
    let (origin, path) = split_origin(url);
    let keep: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .take_while(|s| {
            let s = s.to_ascii_lowercase();
            // `v1`, `v2.1`, `v1beta`, and bare versions: `1`, `2.0`, a dated `2010-04-01`.
            let version = |v: &str| {
                v.starts_with(|c: char| c.is_ascii_digit())
                    && v.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-')
            };
            let pre_release = |v: &str| {
                let rest = v.trim_start_matches(|c: char| c.is_ascii_digit());
                rest.len() < v.len()
                    && ["alpha", "beta"]
                        .iter()
                        .any(|p| rest.strip_prefix(p).is_some_and(|n| n.chars().all(|c| c.is_ascii_digit())))
            };
            s == "api" || s == "rest" || s.starts_with('v') && (version(&s[1..]) || pre_release(&s[1..])) || version(&s)
        })
        .collect();
    let mut b = origin.to_string();
    for k in keep {
        b.push('/');
        b.push_str(k);
    }
    b
}

/// Example hosts (acme.zendesk.com) support the template they instantiate.
fn fold_examples(cands: &mut BTreeMap<String, Score>) {
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
}
