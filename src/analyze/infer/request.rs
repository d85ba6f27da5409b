//! What goes with the chosen call: its query parameters (one item for a
//! list call), the non-credential headers the doc sends, and a field the
//! response holds for `show`.

use std::collections::{BTreeMap, BTreeSet};

use super::endpoint::{Endpoint, PAGE_SIZE, cheap_path, is_page_size, relative_to};
use super::score::{Score, best};
use super::variant::auth_header_name;
use super::weights::{
    CALL_QUERY_PARAM, HEADER_BESIDE_CREDENTIAL, HEADER_IN_AUTH_SECTION, HEADER_WITH_CALL, MIN_HEADER, PAGE_SIZE_NAMED,
};
use crate::analyze::facts::{Facts, HeaderFact, Via};
use crate::analyze::scan::{Doc, UnitKind, inline_code};
use crate::analyze::text::{plain_lower, split_query};

/// Extra query parameters from the examples of the chosen call (not the
/// credential's), or the page-size parameter its section names.
pub(super) fn query_params(doc: &Doc, ep: &Endpoint, auth_query_param: Option<&str>) -> (Vec<(String, String)>, Score) {
    let mut qp: Vec<(String, String)> = Vec::new();
    let mut qs = Score::default();
    for c in &ep.calls {
        for (k, v) in split_query(&c.target).1 {
            // Doc examples (`part=YOUR_PART`, a sample ID) never reach the request.
            if Some(k.as_str()) == auth_query_param
                || v.starts_with('{')
                || v.is_empty()
                || crate::doc_example::why(&v).is_some()
            {
                continue;
            }
            // One item is enough to prove the credential works.
            let v = if is_page_size(&k) && v.parse::<u64>().is_ok() { "1".into() } else { v };
            if !qp.iter().any(|(x, _)| *x == k) {
                qp.push((k, v));
            }
            qs.add(CALL_QUERY_PARAM, c.at.line, c.at.unit);
        }
    }
    // A list call: ask for one item, with the page-size parameter its section names.
    if qp.is_empty() && !cheap_path(&ep.path) && !ep.path.contains('{') {
        let sections: BTreeSet<Option<usize>> = ep.calls.iter().map(|c| doc.units[c.at.unit].section).collect();
        let named = doc.units.iter().enumerate().filter(|(_, u)| sections.contains(&u.section)).find_map(|(ui, u)| {
            inline_code(&u.text).into_iter().find_map(|(at, _, code)| {
                PAGE_SIZE.iter().find(|n| code.eq_ignore_ascii_case(n)).map(|_| (code.to_string(), u.line_at(at), ui))
            })
        });
        if let Some((name, line, unit)) = named {
            qp.push((name, "1".to_string()));
            qs.add(PAGE_SIZE_NAMED, line, unit);
        }
    }
    (qp, qs)
}

/// The field the doc says the chosen call returns, with its line: in the
/// call's own clause, or else in the prose that speaks of the call (a
/// paragraph naming it, the lead-in just before its example, the paragraph
/// just after). A field the doc says to check wins over one it lists; a
/// true/false flag is taken only when nothing else is named.
pub(super) fn show(doc: &Doc, ep: &Endpoint) -> Option<(String, usize)> {
    let path = split_query(&ep.path).0;
    let last = path.rsplit('/').find(|s| !s.is_empty())?.to_string();
    let names_call = |text: &str| {
        [format!("{path}`"), format!("{path} "), format!("{path}?"), format!("`{last}`")]
            .iter()
            .any(|form| text.contains(form.as_str()))
    };
    let prose = |ui: &usize| doc.units.get(*ui).is_some_and(|u| u.lang.is_empty());
    let mut units: Vec<usize> =
        (0..doc.units.len()).filter(|ui| prose(ui) && names_call(&doc.units[*ui].text)).collect();
    for call in &ep.calls {
        let (block, section) = (doc.units[call.at.unit].block, doc.units[call.at.unit].section);
        let same_section = |ui: &usize| doc.units[*ui].section == section;
        let before = (0..call.at.unit).rev().find(|ui| doc.units[*ui].block != block).filter(same_section);
        let after = (call.at.unit..doc.units.len()).find(|ui| doc.units[*ui].block != block).filter(same_section);
        let lead_in = before.filter(|ui| doc.units[*ui].text.trim_end().ends_with(':'));
        units.extend([Some(call.at.unit), lead_in, after].into_iter().flatten().filter(prose));
    }
    let mut seen = BTreeSet::new();
    units.retain(|ui| seen.insert(*ui));
    let checked = |cues: &[&str]| units.iter().find_map(|ui| field_after(&doc.units[*ui], cues, &last));
    checked(&["check `"])
        .or_else(|| ep.calls.iter().find_map(|c| c.returns.first().cloned()))
        .or_else(|| checked(&RETURN_CUES))
        .or_else(|| example_response_field(doc, ep))
}

/// Fields that name who the credentials belong to, most telling first.
const IDENTITY_FIELDS: [&str; 13] = [
    "login",
    "username",
    "user_name",
    "userName",
    "email",
    "email_address",
    "emailAddress",
    "display_name",
    "displayName",
    "name",
    "user_id",
    "account_id",
    "id",
];
/// Objects a response wraps its subject in.
const WRAPPERS: [&str; 7] = ["data", "user", "viewer", "me", "account", "result", "profile"];

/// The identity field of the example response the doc shows after the
/// call, in the call's section: `login` of `{"id": 1, "login": "octocat"}`,
/// `data.email` of `{"data": {"email": ...}}`.
fn example_response_field(doc: &Doc, ep: &Endpoint) -> Option<(String, usize)> {
    for call in &ep.calls {
        let unit = &doc.units[call.at.unit];
        let mut blocks: BTreeMap<usize, (String, usize)> = BTreeMap::new();
        for u in doc.units[call.at.unit..]
            .iter()
            .take_while(|u| u.section == unit.section)
            .filter(|u| u.kind == UnitKind::Code && u.block != unit.block)
        {
            let entry = blocks.entry(u.block).or_insert_with(|| (String::new(), u.line_at(0)));
            entry.0.push_str(&u.text);
            entry.0.push('\n');
        }
        for (text, line) in blocks.values() {
            let Ok(serde_json::Value::Object(body)) = serde_json::from_str::<serde_json::Value>(text) else { continue };
            if let Some(path) = identity_path(&body, 0) {
                return Some((path, *line));
            }
        }
    }
    None
}

fn identity_path(body: &serde_json::Map<String, serde_json::Value>, depth: usize) -> Option<String> {
    let scalar = |v: &serde_json::Value| v.is_string() || v.is_number();
    if let Some(field) = IDENTITY_FIELDS.iter().find(|f| body.get(**f).is_some_and(scalar)) {
        return Some((*field).to_string());
    }
    let objects: Vec<(&String, &serde_json::Map<String, serde_json::Value>)> =
        body.iter().filter_map(|(k, v)| v.as_object().map(|o| (k, o))).collect();
    let inner = WRAPPERS
        .iter()
        .find_map(|w| objects.iter().find(|(k, _)| k.as_str() == *w))
        .or(if objects.len() == 1 { objects.first() } else { None });
    let (key, object) = inner.filter(|_| depth < 3)?;
    identity_path(object, depth + 1).map(|rest| format!("{key}.{rest}"))
}

/// Words after which a doc lists what a call returns.
const RETURN_CUES: [&str; 6] = ["returns", "return ", "response includes", "response holds", "with `", "including `"];

/// The first field named after one of `cues` in the unit, a flag only when
/// it is the only one.
fn field_after(unit: &crate::analyze::scan::Unit, cues: &[&str], last: &str) -> Option<(String, usize)> {
    let lower = unit.text.to_ascii_lowercase();
    let cue = cues.iter().filter_map(|c| lower.find(c)).min()?;
    let fields: Vec<(usize, String, bool)> = inline_code(&unit.text[cue..])
        .into_iter()
        .filter_map(|(at, _, code)| field_in(code, last).map(|(field, flag)| (at, field, flag)))
        .collect();
    let (at, field, _) = fields.iter().find(|f| !f.2).or(fields.first())?;
    Some((field.clone(), unit.line_at(cue + at)))
}

/// The field a backticked bit names, and whether it is shown as a flag:
/// `login`, `valid: true` (a flag), `"ok": true` (a flag); not a value
/// (`"id": null`), not the call's own name.
fn field_in(code: &str, last: &str) -> Option<(String, bool)> {
    let (key, flag) = match code.split_once(':') {
        Some((key, value)) if matches!(value.trim(), "true" | "false") => (key.trim().trim_matches('"'), true),
        Some(_) => return None,
        None => (code, false),
    };
    let field = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c))
        && key.len() <= 60;
    let names_call = key.split(['.', '[']).any(|part| part == last);
    (field && !names_call && !matches!(key, "true" | "false")).then(|| (key.to_string(), flag))
}

fn is_credential_header(h: &HeaderFact) -> bool {
    !h.at.rejected && (h.name.eq_ignore_ascii_case("authorization") || auth_header_name(&h.name.to_ascii_lowercase()))
}

/// Non-credential headers the doc sends with the chosen call, or beside the
/// credential header, or tells the reader to send.
pub(super) fn extra_headers(
    doc: &Doc,
    facts: &Facts,
    ep: &Endpoint,
    base: Option<&str>,
) -> (Vec<(String, String)>, Score) {
    const SKIP: [&str; 7] =
        ["content-type", "content-length", "host", "connection", "accept-encoding", "user-agent", "cookie"];
    let auth_blocks: BTreeSet<usize> =
        facts.headers.iter().filter(|h| is_credential_header(h)).map(|h| doc.units[h.at.unit].block).collect();
    let auth_sections: BTreeSet<Option<usize>> =
        facts.headers.iter().filter(|h| is_credential_header(h)).map(|h| doc.units[h.at.unit].section).collect();
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
            HEADER_WITH_CALL
        } else if auth_blocks.contains(&unit.block) {
            HEADER_BESIDE_CREDENTIAL
        } else if auth_sections.contains(&unit.section) && matches!(h.via, Via::Inline | Via::Table | Via::Code)
            || h.call.is_none() && plain_lower(&unit.text).contains("required")
        {
            HEADER_IN_AUTH_SECTION
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
            && s.conf() >= MIN_HEADER
        {
            out.push((display.clone(), value));
            all.merge(&s);
        }
    }
    (out, all)
}

#[cfg(test)]
mod tests {
    use crate::analyze::finding::Kind;

    #[test]
    fn a_field_is_named_plainly_or_as_a_flag_never_as_a_value() {
        use super::field_in;
        assert_eq!(field_in("login", "user"), Some(("login".into(), false)));
        assert_eq!(field_in("valid: true", "validate"), Some(("valid".into(), true)));
        assert_eq!(field_in("\"ok\": false", "auth.test"), Some(("ok".into(), true)));
        assert_eq!(field_in("\"id\": null", "me"), None);
        // `name` is not the call `/users/me`; `me.id` would be.
        assert_eq!(field_in("name", "me"), Some(("name".into(), false)));
        assert_eq!(field_in("me.id", "me"), None);
        assert_eq!(field_in("401 Unauthorized", "me"), None);
    }

    #[test]
    fn the_field_the_doc_says_to_check_wins_and_a_flag_comes_last() {
        let doc = "## Auth\n\nHeader: `Authorization: Bearer {token}`. Base URL: `https://api.x.io/v1`.\n\n`GET /whoami` returns `ok: true`, `kind` and `name`; check `name`.\n";
        assert_eq!(crate::analyze::analyze(doc).block.unwrap().show.as_deref(), Some("name"));
        let doc = "## Auth\n\nHeader: `Authorization: Bearer {token}`. Base URL: `https://api.x.io/v1`.\n\nCall it:\n\n```\nGET https://api.x.io/v1/whoami\n```\n\nIt returns `ok: true` and `team`.\n";
        assert_eq!(crate::analyze::analyze(doc).block.unwrap().show.as_deref(), Some("team"));
    }

    #[test]
    fn the_identity_field_of_an_example_response() {
        use super::identity_path;
        let path = |json: &str| {
            identity_path(serde_json::from_str::<serde_json::Value>(json).unwrap().as_object().unwrap(), 0)
        };
        assert_eq!(path(r#"{"id": 1, "name": "N", "login": "octocat"}"#).as_deref(), Some("login"));
        assert_eq!(path(r#"{"data": {"gid": "1", "email": "a@b.c"}}"#).as_deref(), Some("data.email"));
        assert_eq!(
            path(r#"{"data": {"viewer": {"id": "x", "email": "a@b.c"}}}"#).as_deref(),
            Some("data.viewer.email")
        );
        // A name that is an object is not the name to show.
        assert_eq!(path(r#"{"name": {"first": "A"}, "account_id": "dbid:1"}"#).as_deref(), Some("account_id"));
        assert_eq!(path(r#"{"error": "invalid_auth", "ok": false}"#), None);
    }

    #[test]
    fn list_call_gets_the_page_size_its_section_names() {
        let doc = "## Auth\n\n- Header: `Authorization: Bearer {token}`\n\nBase URL: `https://api.x.io/v1`\n\n### Users\n\n**Endpoint**: `GET /users`\n\n- `page_size`: 1-100 (default 100)\n";
        let a = crate::analyze::analyze(doc);
        let block = a.block.clone().unwrap();
        assert_eq!(block.endpoint.as_deref(), Some("/users"));
        assert_eq!(block.params, vec![("page_size".to_string(), "1".to_string())]);
        assert_eq!(a.finding(Kind::Params).unwrap().lines, vec![11]);
    }
}
