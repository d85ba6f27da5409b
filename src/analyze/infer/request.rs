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
use crate::analyze::scan::{Doc, inline_code};
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

/// The first field the doc says the chosen call returns, with its line: in
/// the call's own clause, or else in the paragraph that names the call
/// ("`GET /user` returns the user. The response includes `login`").
pub(super) fn show(doc: &Doc, ep: &Endpoint) -> Option<(String, usize)> {
    if let Some(found) = ep.calls.iter().find_map(|c| c.returns.first().cloned()) {
        return Some(found);
    }
    let path = split_query(&ep.path).0;
    let last = path.rsplit('/').find(|s| !s.is_empty())?.to_string();
    let names_call = |text: &str| {
        text.contains(&format!("{path}`")) || text.contains(&format!("{path} ")) || text.contains(&format!("{path}?"))
    };
    for unit in doc.units.iter().filter(|u| u.lang.is_empty() && names_call(&u.text)) {
        let lower = unit.text.to_ascii_lowercase();
        let Some(cue) =
            ["returns", "return ", "response includes", "response holds", "with `", "including `", "check `"]
                .iter()
                .filter_map(|c| lower.find(c))
                .min()
        else {
            continue;
        };
        let found = inline_code(&unit.text[cue..]).into_iter().find(|(_, _, code)| {
            let field = code.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && code.chars().all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c))
                && code.len() <= 60;
            field && !code.contains(&last) && !code.contains("true") && !code.contains("false")
        });
        if let Some((at, _, code)) = found {
            return Some((code.to_string(), unit.line_at(cue + at)));
        }
    }
    None
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
    fn list_call_gets_the_page_size_its_section_names() {
        let doc = "## Auth\n\n- Header: `Authorization: Bearer {token}`\n\nBase URL: `https://api.x.io/v1`\n\n### Users\n\n**Endpoint**: `GET /users`\n\n- `page_size`: 1-100 (default 100)\n";
        let a = crate::analyze::analyze(doc);
        let block = a.block.clone().unwrap();
        assert_eq!(block.endpoint.as_deref(), Some("/users"));
        assert_eq!(block.params, vec![("page_size".to_string(), "1".to_string())]);
        assert_eq!(a.finding(Kind::Params).unwrap().lines, vec![11]);
    }
}
