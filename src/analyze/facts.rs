//! Units into facts: headers with values, URLs, calls (`GET /x`, `curl`
//! commands, HTTP request blocks), user:password pairs, query parameters
//! named in prose, and keywords. Each fact knows its doc line and whether
//! the doc rejects it ("not used", "not `Bearer`").

use super::curl;
use super::scan::{Doc, Unit, UnitKind, inline_code};
use super::text::{
    MAX_CLAUSE, clause_in, clauses, discouraged, find_urls, normalize_url, plain_lower, preceded_by_not, rejected,
    word_hits,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A `curl` command.
    Curl,
    /// An HTTP request written out in a code block (`GET https://...` and header lines).
    Request,
    /// Another code line.
    Code,
    /// Inline code in prose or a list.
    Inline,
    /// A table row.
    Table,
    /// Plain prose.
    Prose,
}

/// Where a fact is and how the doc qualifies it.
#[derive(Debug, Clone, Copy)]
pub struct At {
    pub line: usize,
    pub unit: usize,
    pub rejected: bool,
    pub discouraged: bool,
}

#[derive(Debug, Clone)]
pub struct HeaderFact {
    pub name: String,
    pub value: Option<String>,
    pub via: Via,
    pub at: At,
    /// The call this header is sent with, when the doc shows one.
    pub call: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct UrlFact {
    /// Placeholders written `{name}`.
    pub url: String,
    pub via: Via,
    pub at: At,
    /// Inside parentheses: an aside ("(Enterprise: ...)").
    pub aside: bool,
    /// A documentation link rather than an API address.
    pub link: bool,
    /// Inside a JSON or other data block: example data, not an address to call.
    pub data: bool,
    /// Introduced as an example ("for example https://acme..."): an instance, not the rule.
    pub example: bool,
    pub context: Context,
    pub call: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct CallFact {
    pub method: String,
    /// A path or an absolute URL, placeholders written `{name}`.
    pub target: String,
    pub via: Via,
    pub at: At,
    pub context: Context,
    /// Field names the doc says the response holds: (name, line).
    pub returns: Vec<(String, usize)>,
    /// The line of the prose that introduces this call's code block.
    pub lead_line: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct UserPassFact {
    pub user: String,
    pub pass: Option<String>,
    pub via: Via,
    pub at: At,
}

#[derive(Debug, Clone)]
pub struct QueryNameFact {
    pub name: String,
    pub at: At,
    pub context: Context,
}

/// The words around a fact, lowercased: its clause (a table row with its
/// header; a code line with the prose that introduces its block) and the
/// titles of its section and the sections above.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub clause: String,
    pub sections: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kw {
    Bearer,
    Basic,
    OAuth,
    NoAuth,
    NoHeader,
    CustomHeader,
    RefreshToken,
    ClientCredentials,
    AuthorizationCode,
    Preferred,
}

#[derive(Debug, Clone)]
pub struct Mention {
    pub kw: Kw,
    pub at: At,
}

#[derive(Debug, Default)]
pub struct Facts {
    pub headers: Vec<HeaderFact>,
    pub urls: Vec<UrlFact>,
    pub calls: Vec<CallFact>,
    pub userpass: Vec<UserPassFact>,
    pub query_names: Vec<QueryNameFact>,
    pub mentions: Vec<Mention>,
}

const KNOWN_HEADERS: [&str; 12] = [
    "authorization",
    "accept",
    "content-type",
    "cookie",
    "user-agent",
    "api-key",
    "apikey",
    "x-api-key",
    "private-token",
    "token",
    "proxy-authorization",
    "accept-language",
];

const METHODS: [&str; 6] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];
/// A URL on a request line with no more than a method before it (the longest,
/// `OPTIONS`, has 7 letters) is the line's own target.
const REQUEST_LINE_LEAD: usize = 7;

/// Code languages whose `name: value` lines are data, not headers.
fn data_lang(lang: &str) -> bool {
    matches!(
        lang,
        "json" | "jsonc" | "yaml" | "yml" | "python" | "py" | "javascript" | "js" | "ts" | "typescript" | "xml"
    )
}

fn header_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 60
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A clear header name: a known one, `X-...`, or hyphenated capitalised words.
fn clearly_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    KNOWN_HEADERS.contains(&lower.as_str())
        || lower.starts_with("x-")
        || name.contains('-') && name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

/// `Name: value` → (name, value). The scheme of a URL is not a header.
fn header_line(text: &str) -> Option<(usize, String, String)> {
    let lead = text.len() - text.trim_start().len();
    let t = text.trim();
    let (name, value) = t.split_once(':')?;
    if !header_name_ok(name) || value.starts_with("//") || !value.starts_with([' ', '\t']) {
        return None;
    }
    let value = value.trim().trim_end_matches(['`']).trim();
    if value.is_empty() {
        return None;
    }
    Some((lead, name.to_string(), value.to_string()))
}

/// `"Name": "value"` pairs of code (Python dicts, JSON, JS objects).
fn quoted_pairs(text: &str) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let q = bytes[i];
        if q != b'"' && q != b'\'' {
            i += 1;
            continue;
        }
        let Some(close) = text[i + 1..].find(q as char).map(|c| i + 1 + c) else { break };
        let name = &text[i + 1..close];
        let rest = text[close + 1..].trim_start();
        if let Some(after_colon) = rest.strip_prefix(':') {
            let v = after_colon.trim_start();
            let v = v.strip_prefix('f').unwrap_or(v);
            if let Some(vq) = v.chars().next().filter(|c| *c == '"' || *c == '\'')
                && let Some(vend) = v[1..].find(vq)
                && header_name_ok(name)
                && clearly_header(name)
            {
                out.push((i + 1, name.to_string(), v[1..1 + vend].to_string()));
            }
        }
        i = close + 1;
    }
    out
}

/// `METHOD target` occurrences: (offset of the method, method, raw target).
fn method_targets(text: &str) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    for method in METHODS {
        let mut from = 0;
        while let Some(rel) = text[from..].find(method) {
            let at = from + rel;
            from = at + method.len();
            let before_ok = at == 0 || !text.as_bytes()[at - 1].is_ascii_alphanumeric();
            let rest = &text[at + method.len()..];
            let gap = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            if !before_ok || gap == 0 {
                continue;
            }
            let target_text = &rest[gap..];
            if !(target_text.starts_with('/')
                || target_text.starts_with("http://")
                || target_text.starts_with("https://"))
            {
                continue;
            }
            let target = if target_text.starts_with("http") {
                find_urls(target_text).into_iter().next().map(|u| u.2).unwrap_or_default()
            } else {
                let end = target_text
                    .find(|c: char| c.is_whitespace() || c == '`' || c == '"' || c == '\'' || c == '|' || c == ')')
                    .unwrap_or(target_text.len());
                target_text[..end].trim_end_matches(['.', ',', ';', ':']).to_string()
            };
            if !target.is_empty() {
                out.push((at, method.to_string(), target));
            }
        }
    }
    out.sort_by_key(|t| t.0);
    out
}

/// Backticked field names after "returns"/"response" in a clause.
fn returned_fields(
    text: &str,
    from: usize,
    clause_end: usize,
    line_at: &dyn Fn(usize) -> usize,
) -> Vec<(String, usize)> {
    let lower = text.to_ascii_lowercase();
    let window = &lower[from..clause_end];
    let Some(cue) = ["returns", "return ", "responds with", "response contains", "response has", "gives"]
        .iter()
        .filter_map(|c| window.find(c))
        .min()
    else {
        return Vec::new();
    };
    let start = from + cue;
    inline_code(&text[start..clause_end])
        .into_iter()
        .filter(|(_, _, c)| is_field_name(c))
        .map(|(s, _, c)| (c.to_string(), line_at(start + s)))
        .collect()
}

fn is_field_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c))
        && !text.contains("..")
        && text.len() <= 60
}

pub fn collect(doc: &Doc) -> Facts {
    let mut facts = Facts::default();
    // Code blocks: the request line that header lines below it belong to.
    let mut request_of_block: Option<(usize, usize)> = None;
    // A code block's lead-in, found once per block (not once per line).
    let mut lead: Option<(usize, (String, Option<usize>))> = None;
    for (ui, unit) in doc.units.iter().enumerate() {
        let mut view = UnitView {
            unit,
            ui,
            lower: plain_lower(&unit.text),
            sections: doc.section_titles(unit).join(" / "),
            lead: String::new(),
        };
        match unit.kind {
            UnitKind::Code => {
                if lead.as_ref().is_none_or(|(block, _)| *block != unit.block) {
                    lead = Some((unit.block, lead_in(doc, ui)));
                }
                let lead_in = lead.as_ref().map(|(_, l)| l.clone()).unwrap_or_default();
                code_unit(&view, lead_in, &mut facts, &mut request_of_block, doc);
            }
            UnitKind::Prose | UnitKind::Bullet | UnitKind::TableRow | UnitKind::Heading => {
                request_of_block = None;
                // A URL on a line of its own reads with its lead-in ("Requests go to:").
                if unit.kind == UnitKind::Prose && unit.text.len() <= LONE_URL_UNIT && unit.text.contains("://") {
                    view.lead = lead_in(doc, ui).0.to_lowercase();
                }
                text_unit(&view, &mut facts);
            }
        }
    }
    facts
}

/// One unit as the fact collectors read it.
struct UnitView<'a> {
    unit: &'a Unit,
    ui: usize,
    lower: String,
    sections: String,
    /// The lead-in of a short unit holding a URL, read as part of its clause.
    lead: String,
}

/// A prose unit this short holding a URL is the URL on its own (and its
/// lead-in tells what it is).
const LONE_URL_UNIT: usize = 160;

impl UnitView<'_> {
    /// Where the text at `offset` (in `clause`) is, and how the doc qualifies it.
    fn at(&self, offset: usize, clause: (usize, usize)) -> At {
        // At most MAX_CLAUSE bytes around the offset: a unit as long as a
        // curl command of a thousand headers costs no more per mention.
        let clause = clause_in(&self.unit.text, &[clause], offset);
        At {
            line: self.unit.line_at(offset),
            unit: self.ui,
            rejected: rejected(&self.lower, clause, offset),
            discouraged: discouraged(&self.lower, clause),
        }
    }
    fn whole(&self) -> (usize, usize) {
        (0, self.unit.text.len())
    }
}

/// A code block's line: a `curl` command, a request line, header lines,
/// quoted header pairs, a grant type, URLs.
fn code_unit(
    u: &UnitView,
    (lead, lead_line): (String, Option<usize>),
    facts: &mut Facts,
    request_of_block: &mut Option<(usize, usize)>,
    doc: &Doc,
) {
    let unit = u.unit;
    let whole = u.whole();
    // Bounded, as every clause is: each fact keeps a copy and rules search it.
    let lead = lead.to_lowercase();
    let clause = format!("{} {}", tail(&lead, MAX_CLAUSE), head(&u.lower, MAX_CLAUSE));
    let context = Context { clause, sections: u.sections.clone() };
    if request_of_block.is_some_and(|(b, _)| b != unit.block) {
        *request_of_block = None;
    }
    let data = data_lang(&unit.lang);
    if let Some(c) = curl::parse(&unit.text) {
        curl_facts(u, &c, &context, lead_line, facts);
        return;
    }
    let trimmed = unit.text.trim_start();
    let request = METHODS.iter().find(|m| {
        trimmed.starts_with(*m) && trimmed[m.len()..].starts_with(' ') && {
            let t = trimmed[m.len()..].trim_start();
            t.starts_with('/') || t.starts_with("http")
        }
    });
    if let Some(method) = request {
        let off = unit.text.len() - trimmed.len();
        if let Some((_, _, target)) = method_targets(&unit.text[off..]).into_iter().next() {
            facts.calls.push(CallFact {
                method: method.to_string(),
                target: normalize_url(&target),
                via: Via::Request,
                at: u.at(off, whole),
                context: context.clone(),
                returns: Vec::new(),
                lead_line,
            });
            *request_of_block = Some((unit.block, facts.calls.len() - 1));
        }
    } else if !data && let Some((off, name, value)) = header_line(&unit.text) {
        let in_request = request_of_block.is_some();
        let known_block = in_request
            || facts
                .headers
                .iter()
                .any(|h| doc.units[h.at.unit].block == unit.block && clearly_header(&h.name) && h.via == Via::Code);
        if clearly_header(&name) || known_block {
            facts.headers.push(HeaderFact {
                name,
                value: Some(value),
                via: if in_request { Via::Request } else { Via::Code },
                at: u.at(off, whole),
                call: request_of_block.map(|r| r.1),
            });
        }
    }
    for (off, name, value) in quoted_pairs(&unit.text) {
        facts.headers.push(HeaderFact { name, value: Some(value), via: Via::Code, at: u.at(off, whole), call: None });
    }
    if let Some(pos) = u.lower.find("grant_type=") {
        let value: String =
            u.lower[pos + 11..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let kw = match value.as_str() {
            "refresh_token" => Some(Kw::RefreshToken),
            "client_credentials" => Some(Kw::ClientCredentials),
            "authorization_code" => Some(Kw::AuthorizationCode),
            _ => None,
        };
        if let Some(kw) = kw {
            facts.mentions.push(Mention { kw, at: u.at(pos, whole) });
        }
    }
    let request_call = request.is_some().then_some(*request_of_block);
    code_urls(u, request_call, data, &context, facts);
}

/// A `curl` command: its call and URL, headers, and `-u` user:password.
fn curl_facts(u: &UnitView, c: &curl::Curl, context: &Context, lead_line: Option<usize>, facts: &mut Facts) {
    let whole = u.whole();
    let call = c.url.as_ref().map(|(off, url)| {
        facts.calls.push(CallFact {
            method: c.method.clone(),
            target: normalize_url(url),
            via: Via::Curl,
            at: u.at(*off, whole),
            context: context.clone(),
            returns: Vec::new(),
            lead_line,
        });
        facts.urls.push(UrlFact {
            url: normalize_url(url),
            via: Via::Curl,
            at: u.at(*off, whole),
            aside: false,
            link: false,
            data: false,
            example: false,
            context: context.clone(),
            call: Some(facts.calls.len() - 1),
        });
        facts.calls.len() - 1
    });
    for (off, name, value) in &c.headers {
        facts.headers.push(HeaderFact {
            name: name.clone(),
            value: Some(value.clone()),
            via: Via::Curl,
            at: u.at(*off, whole),
            call,
        });
    }
    if let Some((off, user)) = &c.user {
        let (user, pass) = split_userpass(user);
        facts.userpass.push(UserPassFact { user, pass, via: Via::Curl, at: u.at(*off, whole) });
    }
}

/// URLs in a code line. `request_call` is set on a request line: `Some` of
/// the block's call, whose own URL is already a call.
fn code_urls(
    u: &UnitView,
    request_call: Option<Option<(usize, usize)>>,
    data: bool,
    context: &Context,
    facts: &mut Facts,
) {
    let text = &u.unit.text;
    for (start, _, raw) in find_urls(text) {
        if let Some(request_of_block) = request_call
            && text[..start].trim().len() <= REQUEST_LINE_LEAD
        {
            // The request line's own URL, already a call.
            facts.urls.push(UrlFact {
                url: normalize_url(&raw),
                via: Via::Request,
                at: u.at(start, u.whole()),
                aside: false,
                link: false,
                data,
                example: false,
                context: context.clone(),
                call: request_of_block.map(|r| r.1),
            });
            continue;
        }
        facts.urls.push(UrlFact {
            url: normalize_url(&raw),
            via: Via::Code,
            at: u.at(start, u.whole()),
            aside: false,
            link: false,
            data: data || text.trim_start().starts_with(['"', '{']),
            example: false,
            context: context.clone(),
            call: None,
        });
    }
}

/// A prose, bullet, table-row or heading unit with its inline code spans.
struct TextView<'u, 'a> {
    u: &'u UnitView<'a>,
    is_row: bool,
    codes: Vec<(usize, usize, &'a str)>,
    /// The unit's clauses, found once (not once per mention).
    clauses: Vec<(usize, usize)>,
}

impl TextView<'_, '_> {
    fn clause_of(&self, offset: usize) -> (usize, usize) {
        let text = &self.u.unit.text;
        if self.is_row { clause_in(text, &[(0, text.len())], offset) } else { clause_in(text, &self.clauses, offset) }
    }
    fn at(&self, offset: usize) -> At {
        self.u.at(offset, self.clause_of(offset))
    }
    fn ctx(&self, offset: usize) -> Context {
        let (s, e) = self.clause_of(offset);
        let mut context = self.u.lower[s..e].to_string();
        if self.is_row {
            context = format!("{context} {}", self.u.unit.header_cells.join(" "));
        }
        if !self.u.lead.is_empty() {
            context = format!("{} {context}", self.u.lead);
        }
        Context { clause: context, sections: self.u.sections.clone() }
    }
    fn via_at(&self, offset: usize) -> Via {
        if self.is_row {
            Via::Table
        } else if self.codes.iter().any(|(s, e, _)| *s <= offset && offset < *e) {
            Via::Inline
        } else {
            Via::Prose
        }
    }
}

fn text_unit(u: &UnitView, facts: &mut Facts) {
    let unit = u.unit;
    let is_row = unit.kind == UnitKind::TableRow;
    let clauses = if is_row { Vec::new() } else { clauses(&unit.text) };
    let t = TextView { u, is_row, codes: inline_code(&unit.text), clauses };
    // Headers with values in inline code.
    for (s, _, content) in &t.codes {
        if let Some((off, name, value)) = header_line(content) {
            let lower_name = name.to_ascii_lowercase();
            let plausible = clearly_header(&name) || u.lower.contains("header");
            if plausible && lower_name != "http" && lower_name != "https" {
                facts.headers.push(HeaderFact {
                    name,
                    value: Some(value),
                    via: t.via_at(*s),
                    at: u.at(s + off, t.clause_of(*s)),
                    call: None,
                });
            }
        }
    }
    // Tables of headers: a column named "header".
    if t.is_row && !unit.header_cells.is_empty() {
        table_facts(unit, facts, u.at(0, u.whole()), &t.ctx(0));
    }
    named_headers_and_query(&t, facts);
    // Calls: `GET /path` anywhere in the text.
    for (off, method, target) in method_targets(&unit.text) {
        let clause = t.clause_of(off);
        let line_at = |o: usize| unit.line_at(o);
        let returns = returned_fields(&unit.text, off, clause.1, &line_at);
        facts.calls.push(CallFact {
            method,
            target: normalize_url(&target),
            via: t.via_at(off),
            at: u.at(off, clause),
            context: t.ctx(off),
            returns,
            lead_line: None,
        });
    }
    text_urls(&t, facts);
    mentions(&unit.text, &u.lower, facts, &|offset| t.at(offset));
}

/// Header names in prose ("the `X-Api-Key` header", "header `Authorization`")
/// and query parameter names ("the `key` query parameter").
fn named_headers_and_query(t: &TextView, facts: &mut Facts) {
    let lower = &t.u.lower;
    for (s, e, content) in &t.codes {
        if !header_name_ok(content) || content.contains(':') {
            continue;
        }
        let after = lower[*e..].trim_start_matches(['`', ' ']);
        let before = lower[..*s].trim_end_matches(['`', ' ']);
        if after.starts_with("header") || before.ends_with("header") {
            facts.headers.push(HeaderFact {
                name: content.to_string(),
                value: None,
                via: Via::Prose,
                at: t.at(*s),
                call: None,
            });
        }
        let query_cue = |t: &str| {
            t.starts_with("query param")
                || t.starts_with("query string")
                || t.starts_with("url param")
                || t.starts_with("parameter in the query")
        };
        if query_cue(after) || before.ends_with("query parameter") || before.ends_with("query param") {
            facts.query_names.push(QueryNameFact { name: content.to_string(), at: t.at(*s), context: t.ctx(*s) });
        }
    }
}

/// URLs in prose: links, asides in parentheses, and examples ("for example https://...").
fn text_urls(t: &TextView, facts: &mut Facts) {
    let text = &t.u.unit.text;
    for (start, end, raw) in find_urls(text) {
        let link = text[..start].ends_with("](") || text[..start].ends_with('<');
        let before = &text[..start];
        let aside = before.matches('(').count() > before.matches(')').count() && text[end..].contains(')');
        let (clause_start, _) = t.clause_of(start);
        let lead = &t.u.lower[clause_start..start];
        let example = ["for example", "e.g.", "such as", "for instance"].iter().any(|c| lead.contains(c));
        facts.urls.push(UrlFact {
            url: normalize_url(&raw),
            via: t.via_at(start),
            at: t.at(start),
            aside,
            link,
            data: false,
            example,
            context: t.ctx(start),
            call: None,
        });
    }
}

/// Rows of a table whose header names a "header" (or "in"/"location") column.
fn table_facts(unit: &Unit, facts: &mut Facts, at: At, context: &Context) {
    let head = &unit.header_cells;
    let cells = &unit.cells;
    if cells.len() != head.len() || cells.iter().map(|c| c.1.to_lowercase()).eq(head.iter().cloned()) {
        return;
    }
    let strip = |c: &str| c.trim().trim_matches('`').trim().to_string();
    let header_col = head.iter().position(|h| h == "header" || h == "header name" || h == "http header");
    let value_col = head.iter().position(|h| h.contains("value") || h.contains("format") || h.contains("example"));
    if let Some(hc) = header_col {
        let name = strip(&cells[hc].1);
        if header_name_ok(&name) {
            let value = value_col.map(|vc| {
                let cell = &cells[vc].1;
                inline_code(cell).first().map(|(_, _, c)| c.to_string()).unwrap_or_else(|| cell.trim().to_string())
            });
            facts.headers.push(HeaderFact { name, value, via: Via::Table, at, call: None });
        }
        return;
    }
    // | Parameter | In | ... | with `header` or `query` in the location column.
    let name_col =
        head.iter().position(|h| h == "name" || h == "parameter" || h == "param" || h == "key" || h == "field");
    let where_col =
        head.iter().position(|h| h == "in" || h == "location" || h == "where" || h == "sent in" || h == "place");
    if let (Some(nc), Some(wc)) = (name_col, where_col) {
        let name = strip(&cells[nc].1);
        let place = cells[wc].1.to_lowercase();
        if header_name_ok(&name) {
            if place.contains("header") {
                facts.headers.push(HeaderFact { name, value: None, via: Via::Table, at, call: None });
            } else if place.contains("query") {
                facts.query_names.push(QueryNameFact { name, at, context: context.clone() });
            }
        }
    }
}

fn mentions(text: &str, lower: &str, facts: &mut Facts, at: &dyn Fn(usize) -> At) {
    let mut push = |kw: Kw, offset: usize| facts.mentions.push(Mention { kw, at: at(offset) });
    for hit in word_hits(lower, "bearer") {
        push(Kw::Bearer, hit);
    }
    for hit in word_hits(lower, "basic") {
        let original = &text[hit..hit + 5];
        let after = &lower[hit + 5..];
        let before = &lower[..hit];
        if original == "Basic"
            || after.trim_start().starts_with("auth")
            || before.trim_end().ends_with("http")
            || after.trim_start().starts_with("access authentication")
        {
            push(Kw::Basic, hit);
        }
    }
    for word in ["oauth", "oauth2"] {
        for hit in word_hits(lower, word) {
            push(Kw::OAuth, hit);
        }
    }
    const NO_AUTH: [&str; 12] = [
        "requires no authentication",
        "require no authentication",
        "no authentication is required",
        "no authentication required",
        "does not require authentication",
        "doesn't require authentication",
        "do not require authentication",
        "no api key is required",
        "no api key required",
        "no auth required",
        "no credentials are required",
        "anonymous access is allowed",
    ];
    for phrase in NO_AUTH {
        if let Some(hit) = lower.find(phrase) {
            // The phrase is itself a negation: only a rejection phrase counts against it.
            let mut a = at(hit);
            a.rejected = false;
            facts.mentions.push(Mention { kw: Kw::NoAuth, at: a });
        }
    }
    for phrase in ["no header-based", "not in a header", "not in the header", "no header"] {
        if let Some(hit) = lower.find(phrase) {
            let mut a = at(hit);
            a.rejected = false;
            facts.mentions.push(Mention { kw: Kw::NoHeader, at: a });
            break;
        }
    }
    let mut push = |kw: Kw, offset: usize| facts.mentions.push(Mention { kw, at: at(offset) });
    for phrase in ["custom header", "custom http header", "request header"] {
        for hit in word_hits(lower, phrase) {
            push(Kw::CustomHeader, hit);
        }
    }
    for (phrase, kw) in [
        ("refresh token", Kw::RefreshToken),
        ("refresh_token", Kw::RefreshToken),
        ("client credentials", Kw::ClientCredentials),
        ("client_credentials", Kw::ClientCredentials),
        ("authorization code", Kw::AuthorizationCode),
        ("authorization_code", Kw::AuthorizationCode),
    ] {
        for hit in word_hits(lower, phrase) {
            push(kw, hit);
        }
    }
    for word in ["preferred", "recommended"] {
        for hit in word_hits(lower, word) {
            if !preceded_by_not(lower, hit.saturating_sub(20), hit) {
                push(Kw::Preferred, hit);
            }
        }
    }
}

/// `user:pass` → (user, Some(pass)); the split is at the first `:` outside
/// a placeholder. `user` alone (curl then prompts) → (user, None).
pub fn split_userpass(text: &str) -> (String, Option<String>) {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '{' | '<' => depth += 1,
            '}' | '>' => depth -= 1,
            ':' if depth == 0 => return (text[..i].to_string(), Some(text[i + 1..].to_string())),
            _ => {}
        }
    }
    (text.to_string(), None)
}

/// The prose that introduces a code block ("To check a token, fetch the
/// current user:") and its last line.
/// At most the first `max` bytes of `text` (at a character boundary).
fn head(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// At most the last `max` bytes of `text` (at a character boundary).
fn tail(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

fn lead_in(doc: &Doc, ui: usize) -> (String, Option<usize>) {
    let block = doc.units[ui].block;
    doc.units[..ui]
        .iter()
        .rev()
        .take_while(|u| u.block + 1 >= block)
        .find(|u| u.block + 1 == block && matches!(u.kind, UnitKind::Prose | UnitKind::Bullet))
        .filter(|u| u.text.trim_end().ends_with(':'))
        .map(|u| (u.text.clone(), Some(u.last_line())))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::scan::scan;

    #[test]
    fn headers_calls_and_rejections() {
        let doc = scan(
            "## Auth\n\n| Header | Value |\n|---|---|\n| `X-Token` | `abc...` |\n| (not used) | `Authorization: Bearer ...` is ignored |\n\nSmallest call: `GET /shop.json`, which returns `name`.\n",
        );
        let facts = collect(&doc);
        let names: Vec<(&str, bool)> = facts.headers.iter().map(|h| (h.name.as_str(), h.at.rejected)).collect();
        assert_eq!(names, vec![("X-Token", false), ("Authorization", true)]);
        assert_eq!(facts.calls[0].target, "/shop.json");
        assert_eq!(facts.calls[0].returns, vec![("name".to_string(), 8)]);
    }

    #[test]
    fn userpass_split() {
        assert_eq!(split_userpass("{email}/token:{api_token}"), ("{email}/token".into(), Some("{api_token}".into())));
        assert_eq!(split_userpass("sk_test_x:"), ("sk_test_x".into(), Some(String::new())));
    }
}
