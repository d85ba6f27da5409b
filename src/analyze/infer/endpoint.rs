//! The call to verify with: a cheap read-only GET relative to the base URL,
//! preferring identity calls and calls the doc says are for checking.

use std::collections::{BTreeMap, BTreeSet};

use super::base_url::doc_link_host;
use super::score::{Score, best};
use super::weights::{
    ABSOLUTE_FACTOR, CALL_ELSEWHERE, CALL_IN_REQUEST, CHEAP_PATH, EXAMPLE_CLAUSE, EXAMPLE_SECTION, MIN_ENDPOINT,
    PAGE_SIZE_ONE, UNRESOLVED_FACTOR, VERIFY_CUE, VERIFY_SECTION,
};
use crate::analyze::facts::{CallFact, Facts, Via};
use crate::analyze::text::{split_origin, split_query, template_prefix};

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

/// Query parameters that set a list call's page size.
pub(super) const PAGE_SIZE: [&str; 10] =
    ["limit", "per_page", "page_size", "pageSize", "$top", "maxResults", "page[size]", "count", "size", "max"];

pub(super) struct Endpoint<'a> {
    pub path: String,
    pub score: Score,
    /// The doc's examples of this call, in doc order.
    pub calls: Vec<&'a CallFact>,
}

/// A call's target relative to the base URL (query kept).
pub(super) fn relative_to(base: Option<&str>, target: &str) -> String {
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

/// An identity call: `/me`, `/user`, `/whoami`, an account or profile.
pub(super) fn cheap_path(path: &str) -> bool {
    let segments: Vec<String> =
        path.split('/').filter(|s| !s.is_empty()).map(|s| s.trim_end_matches(".json").to_ascii_lowercase()).collect();
    segments.iter().any(|s| s == "me" || s == "@me" || s == "self" || s == "myself")
        || segments.last().is_some_and(|s| {
            [
                "user",
                "whoami",
                "account",
                "profile",
                "userinfo",
                "current_user",
                "currentuser",
                "myself",
                "me",
                "about",
                "ping",
                "introspect",
                "tokeninfo",
                "identity",
                "session",
                "verify",
                "validate",
            ]
            .contains(&s.as_str())
        })
}

/// Exports, incremental and bulk endpoints (heavy, often rate-limited), and
/// calls the doc marks as admin-only: they prove more than the credentials.
fn avoided(path: &str, clause: &str) -> bool {
    let heavy = path.split(['/', '.', '?']).any(|s| {
        let s = s.to_ascii_lowercase();
        ["export", "exports", "incremental", "bulk", "batch", "dump", "backup", "audit_logs", "audit-logs"]
            .contains(&s.as_str())
    });
    let admin = [
        "admin-only",
        "admin only",
        "administrators only",
        "only administrators",
        "only admins",
        "requires admin",
        "admin role",
        "admin rights",
        "account owner only",
    ]
    .iter()
    .any(|c| clause.contains(c));
    heavy || admin
}

pub(super) fn is_page_size(name: &str) -> bool {
    PAGE_SIZE.iter().any(|p| p.eq_ignore_ascii_case(name))
}

fn page_size_one(query: &[(String, String)]) -> bool {
    query.iter().any(|(k, v)| v == "1" && is_page_size(k))
}

/// GET calls by path: (score, examples, units already counted for a cue).
type Groups<'a> = BTreeMap<String, (Score, Vec<&'a CallFact>, BTreeSet<usize>)>;

/// The parameter a path placeholder names (`{AccountSid}`, `$TWILIO_ACCOUNT_SID`
/// → `account_sid`): same letters and digits, or ending in them.
pub(super) fn names_parameter<'p>(placeholder: &str, params: &'p [String]) -> Option<&'p String> {
    let norm = |s: &str| s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    let n = norm(placeholder);
    params.iter().find(|p| {
        let k = norm(p);
        n == k || k.len() >= 6 && n.ends_with(&k)
    })
}

/// `known`: the parameters the proposal already has (not secrets): a path
/// placeholder naming one is no resource ID we lack.
pub(super) fn endpoint<'a>(
    facts: &'a Facts,
    base: Option<&str>,
    oauth_urls: &BTreeSet<String>,
    known: &[String],
) -> Option<Endpoint<'a>> {
    let mut scored: Vec<(String, Score, Vec<&CallFact>)> = Vec::new();
    for (path, (mut score, calls, _)) in group_calls(facts, base, oauth_urls, known) {
        if cheap_path(&path) {
            score.miss *= 1.0 - CHEAP_PATH;
        }
        let base_names: Vec<&str> = base.map(crate::plan::placeholders).unwrap_or_default();
        let unresolved = crate::plan::placeholders(&path)
            .iter()
            .any(|n| !base_names.contains(n) && names_parameter(n, known).is_none());
        let mut conf = score.conf();
        if unresolved {
            conf *= UNRESOLVED_FACTOR;
        }
        if path.starts_with("http") {
            conf *= ABSOLUTE_FACTOR;
        }
        score.set_conf(conf);
        scored.push((path, score, calls));
    }
    let (path, score) = best(scored.iter().map(|(p, s, _)| (p.clone(), s.clone())))?;
    if score.conf() < MIN_ENDPOINT {
        return None;
    }
    let mut calls = scored.into_iter().find(|(p, _, _)| *p == path).map(|t| t.2).unwrap_or_default();
    calls.sort_by_key(|c| c.at.line);
    Some(Endpoint { path, score, calls })
}

/// Each GET call's evidence, grouped by its path relative to the base.
fn group_calls<'a>(
    facts: &'a Facts,
    base: Option<&str>,
    oauth_urls: &BTreeSet<String>,
    known: &[String],
) -> Groups<'a> {
    let mut groups: Groups = BTreeMap::new();
    for c in facts.calls.iter().filter(|c| c.method == "GET" && !c.at.rejected) {
        if oauth_urls.contains(&split_query(&c.target).0) || doc_link_host(&c.target) {
            continue;
        }
        let rel = relative_to(base, &c.target);
        let (mut path, query) = split_query(&rel);
        // `{AccountSid}` and `$TWILIO_ACCOUNT_SID` are one call when both name a parameter.
        for name in crate::plan::placeholders(&path.clone()) {
            if let Some(param) = names_parameter(name, known) {
                path = path.replace(&format!("{{{name}}}"), &format!("{{{param}}}"));
            }
        }
        // Doc examples, and calls that are heavy, write or admin-only, never prove credentials.
        if crate::doc_example::why(&path).is_some() || avoided(&path, &c.context.clause) {
            continue;
        }
        let entry = groups.entry(path).or_default();
        let w = if matches!(c.via, Via::Curl | Via::Request) { CALL_IN_REQUEST } else { CALL_ELSEWHERE };
        entry.0.add(w, c.at.line, c.at.unit);
        let clause = c.context.clause.as_str();
        if VERIFY_CUES.iter().any(|q| clause.contains(q)) && entry.2.insert(c.at.unit) {
            entry.0.add(VERIFY_CUE, c.at.line, c.at.unit);
            if let Some(lead) = c.lead_line {
                entry.0.lines.insert(lead);
            }
        }
        if clause.contains("example") && entry.2.insert(c.at.unit) {
            entry.0.add(EXAMPLE_CLAUSE, c.at.line, c.at.unit);
        }
        // A section titled "Verifying a key" or "Example".
        let sections = c.context.sections.split(" / ").next().unwrap_or("");
        if ["verif", "check", "validat", "test"].iter().any(|q| sections.contains(q)) && entry.2.insert(c.at.unit) {
            entry.0.add(VERIFY_SECTION, c.at.line, c.at.unit);
        } else if sections.contains("example") && entry.2.insert(c.at.unit) {
            entry.0.add(EXAMPLE_SECTION, c.at.line, c.at.unit);
        }
        if page_size_one(&query) {
            entry.0.add(PAGE_SIZE_ONE, c.at.line, c.at.unit);
        }
        entry.1.push(c);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::cheap_path;

    #[test]
    fn a_placeholder_names_a_parameter_by_its_letters() {
        let params = vec!["account_sid".to_string(), "id".to_string()];
        assert_eq!(super::names_parameter("AccountSid", &params).map(String::as_str), Some("account_sid"));
        assert_eq!(super::names_parameter("TWILIO_ACCOUNT_SID", &params).map(String::as_str), Some("account_sid"));
        // A short name is matched whole only: `property_id` is not `id`.
        assert_eq!(super::names_parameter("property_id", &params), None);
        assert_eq!(super::names_parameter("id", &params).map(String::as_str), Some("id"));
    }

    #[test]
    fn cheap_paths() {
        assert!(cheap_path("/user"));
        assert!(cheap_path("/users/me.json"));
        assert!(cheap_path("/users/me/profile"));
        assert!(!cheap_path("/repos/{owner}/{repo}/issues"));
    }
}
