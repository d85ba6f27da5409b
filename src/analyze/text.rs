//! Small text helpers shared by the scanner and the scorer: URLs and
//! placeholders, clauses, negation, identifiers.

/// Lowercase ASCII with markdown emphasis and backticks blanked, the same
/// byte length as the input so offsets carry over.
pub fn plain_lower(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '*' | '`' => ' ',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Byte ranges of the clauses of a prose text: split after `.`, `!`, `?` or
/// `;` followed by a space (outside inline code, not in `e.g.`/`i.e.`).
pub fn clauses(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_code = false;
    for i in 0..bytes.len() {
        let b = bytes[i];
        if b == b'`' {
            in_code = !in_code;
            continue;
        }
        if in_code || !matches!(b, b'.' | b'!' | b'?' | b';') {
            continue;
        }
        let next_space = bytes.get(i + 1).is_none_or(|n| *n == b' ');
        if !next_space {
            continue;
        }
        // Only the last few bytes matter: lowering the whole clause at every
        // stop would make a long paragraph quadratic.
        let before = bytes[i.saturating_sub(4).max(start)..i].to_ascii_lowercase();
        if b == b'.'
            && (before.ends_with(b"e.g")
                || before.ends_with(b"i.e")
                || before.ends_with(b" etc")
                || before.ends_with(b" vs"))
        {
            continue;
        }
        out.push((start, i + 1));
        start = i + 1;
    }
    if start < bytes.len() {
        out.push((start, bytes.len()));
    }
    out.retain(|(s, e)| !text[*s..*e].trim().is_empty());
    out
}

/// The clause of `text` holding byte `offset`.
pub fn clause_at(text: &str, offset: usize) -> (usize, usize) {
    clause_in(text, &clauses(text), offset)
}

/// The longest stretch of text around a mention that counts as its clause:
/// real sentences are far shorter, and a bound keeps the work per mention
/// constant in a paragraph without stops.
pub const MAX_CLAUSE: usize = 1000;

/// The clause of `text` holding byte `offset`, among `clauses` (from
/// [`clauses`], computed once per text), at most [`MAX_CLAUSE`] bytes around it.
pub fn clause_in(text: &str, clauses: &[(usize, usize)], offset: usize) -> (usize, usize) {
    let i = clauses.partition_point(|(_, e)| *e <= offset);
    let (s, e) = clauses.get(i).copied().filter(|(s, _)| *s <= offset).unwrap_or((0, text.len()));
    if e - s <= MAX_CLAUSE {
        return (s, e);
    }
    let mut from = offset.saturating_sub(MAX_CLAUSE / 2).max(s);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (from + MAX_CLAUSE).min(e);
    while !text.is_char_boundary(to) {
        to += 1;
    }
    (from, to)
}

/// Phrases that reject whatever their clause names.
const REJECT: [&str; 16] = [
    "not used",
    "not supported",
    "unsupported",
    "no longer",
    "deprecated",
    "is ignored",
    "are ignored",
    "be ignored",
    "ignored by",
    "do not use",
    "don't use",
    "must not",
    "never use",
    "is rejected",
    "not accepted",
    "not available",
];

/// Phrases that make a method a fallback rather than the one to use.
const DISCOURAGE: [&str; 4] = ["not recommended", "discouraged", "legacy", "avoid"];

/// Whether the mention at `offset` of `lower` (from `plain_lower`) is
/// rejected: a rejecting phrase in its clause, or `not`/`no`/`never`
/// right before it.
pub fn rejected(lower: &str, clause: (usize, usize), offset: usize) -> bool {
    let text = &lower[clause.0..clause.1];
    if REJECT.iter().any(|p| text.contains(p)) {
        return true;
    }
    preceded_by_not(lower, clause.0, offset)
}

pub fn discouraged(lower: &str, clause: (usize, usize)) -> bool {
    let text = &lower[clause.0..clause.1];
    DISCOURAGE.iter().any(|p| text.contains(p)) && !text.contains("recommended instead")
}

/// `not`, `no` or `never` among the three words before `offset`, with no
/// comma or colon between.
pub fn preceded_by_not(lower: &str, clause_start: usize, offset: usize) -> bool {
    // Callers may count back bytes into a character: round to whole ones.
    let mut end = offset.min(lower.len());
    while !lower.is_char_boundary(end) {
        end -= 1;
    }
    let mut start = clause_start.min(end);
    while !lower.is_char_boundary(start) {
        start += 1;
    }
    let before = &lower[start..end];
    let tail = before.rsplit([',', ':', '(', '|']).next().unwrap_or("");
    let words: Vec<&str> =
        tail.split(|c: char| !c.is_ascii_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).collect();
    words
        .iter()
        .rev()
        .take(3)
        .any(|w| matches!(*w, "not" | "no" | "never" | "without" | "cannot" | "can't" | "isn't" | "aren't" | "don't"))
}

/// Whole-word occurrences of `word` (lowercase) in `lower`.
pub fn word_hits(lower: &str, word: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = lower[from..].find(word) {
        let at = from + rel;
        let end = at + word.len();
        let ok_before = at == 0 || !is_word_byte(lower.as_bytes()[at - 1]);
        let ok_after = end >= lower.len() || !is_word_byte(lower.as_bytes()[end]);
        if ok_before && ok_after {
            out.push(at);
        }
        from = at + word.len().max(1);
    }
    out
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A parameter name from a placeholder or phrase: `yourOktaDomain` →
/// `okta_domain`, `API key` → `api_key`, `your-domain` → `domain`.
pub fn ident(raw: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            cur.push(c.to_ascii_lowercase());
        } else {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    while words.len() > 1 && matches!(words[0].as_str(), "your" | "my" | "the" | "a" | "an") {
        words.remove(0);
    }
    let name = words.join("_");
    if name.chars().next().is_some_and(|c| c.is_ascii_digit()) { format!("p_{name}") } else { name }
}

/// A placeholder written as `{x}`, `<x>`, `${x}`, `$X` or `[x]`: its name.
pub fn placeholder_name(token: &str) -> Option<String> {
    let t = token.trim();
    let inner = if let Some(rest) = t.strip_prefix("${") {
        rest.strip_suffix('}')?
    } else if let Some(rest) = t.strip_prefix('$') {
        if !rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || rest.is_empty() {
            return None;
        }
        rest
    } else if let Some(rest) = t.strip_prefix('{') {
        rest.strip_suffix('}')?
    } else if let Some(rest) = t.strip_prefix('<') {
        rest.strip_suffix('>')?
    } else {
        return None;
    };
    let inner = inner.trim_matches(['{', '}']);
    if inner.is_empty() || inner.len() > 40 || !inner.chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    if inner.contains(['…', '.']) {
        // `<pk_…>`: an example shape, not a name.
        return None;
    }
    let name = ident(inner);
    (!name.is_empty()).then_some(name)
}

/// A token that stands for a secret in an example: a placeholder, an
/// elided value (`shpat_...`), a `YOUR_KEY`-style name, or a long random string.
pub fn looks_like_secret_value(token: &str) -> bool {
    let t = token.trim().trim_matches(['"', '\'']);
    if t.is_empty() {
        return false;
    }
    if placeholder_name(t).is_some() || t.starts_with(['<', '{']) || t.starts_with("${") {
        return true;
    }
    if t.contains("...") || t.contains('…') {
        return true;
    }
    // `yourapikey`, `your_token`: a placeholder written in words.
    let lower = t.to_ascii_lowercase();
    if (lower.starts_with("your") || lower.starts_with("my_"))
        && t.len() > 6
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return true;
    }
    let upper_words = t.chars().all(|c| c.is_ascii_uppercase() || c == '_' || c == '-' || c.is_ascii_digit());
    if upper_words && (t.contains("KEY") || t.contains("TOKEN") || t.contains("SECRET") || t.starts_with("YOUR")) {
        return true;
    }
    let alnum = t.chars().all(|c| c.is_ascii_alphanumeric() || "_-.=+/".contains(c));
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let letters = t.chars().filter(char::is_ascii_alphabetic).count();
    alnum && t.len() >= 8 && (digits > 0 && letters > 0 || t.len() >= 20)
}

/// Characters a URL may hold here (placeholders included).
fn url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%{}<>".contains(c) && c != '\''
}

/// URLs in a text: (start, end, raw). `{API key}` placeholders may hold spaces.
pub fn find_urls(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = text[from..].find("http") {
        let start = from + rel;
        let rest = &text[start..];
        if !(rest.starts_with("http://") || rest.starts_with("https://"))
            || start > 0 && text.as_bytes()[start - 1].is_ascii_alphanumeric()
        {
            from = start + 4;
            continue;
        }
        let mut end = start;
        let mut chars = rest.char_indices().peekable();
        let mut depth_paren = 0i32;
        while let Some((i, c)) = chars.next() {
            if c == '{' {
                // A placeholder: take it whole, spaces included, if it closes soon.
                if let Some(close) = rest[i..].find('}').filter(|c| *c <= 40) {
                    end = start + i + close + 1;
                    while chars.peek().is_some_and(|(j, _)| *j < i + close + 1) {
                        chars.next();
                    }
                    continue;
                }
                break;
            }
            if c == '<' {
                match rest[i..].find('>').filter(|c| *c <= 40 && !rest[i..i + c].contains(' ')) {
                    Some(close) => {
                        end = start + i + close + 1;
                        while chars.peek().is_some_and(|(j, _)| *j < i + close + 1) {
                            chars.next();
                        }
                        continue;
                    }
                    None => break,
                }
            }
            if c == '(' {
                depth_paren += 1;
            }
            if c == ')' {
                depth_paren -= 1;
                if depth_paren < 0 {
                    break;
                }
            }
            if !url_char(c) {
                break;
            }
            end = start + i + c.len_utf8();
        }
        let mut raw = &text[start..end];
        raw = raw.trim_end_matches(['.', ',', ';', ':', '!', '?', '*', ')']);
        if raw.len() > "https://".len() {
            out.push((start, start + raw.len(), raw.to_string()));
        }
        from = start + raw.len().max(4);
    }
    out
}

/// A URL with every placeholder written `{name}`: `<your-domain>` → `{domain}`,
/// `${TOKEN}` → `{token}`, an all-capitals host label such as `HOST` → `{host}`.
pub fn normalize_url(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while !rest.is_empty() {
        let next = rest.find(['{', '<', '$']);
        let Some(at) = next else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        // `?$top=1`, `&$filter=`: an OData query option's name, not a placeholder.
        let option_name = tail.starts_with('$') && (out.ends_with('?') || out.ends_with('&'));
        if option_name {
            out.push('$');
            rest = &tail[1..];
            continue;
        }
        let close = match tail.as_bytes()[0] {
            b'{' => tail.find('}'),
            b'<' => tail.find('>'),
            _ if tail.starts_with("${") => tail.find('}'),
            _ => {
                let n =
                    tail[1..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(tail.len(), |n| n + 1);
                Some(n - 1)
            }
        };
        match close.and_then(|c| placeholder_name(&tail[..=c]).map(|name| (c, name))) {
            Some((c, name)) => {
                out.push('{');
                out.push_str(&name);
                out.push('}');
                rest = &tail[c + 1..];
            }
            None => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    // An all-capitals host label stands for the user's host.
    if let Some((scheme, after)) = out.split_once("://") {
        let host_end = after.find('/').unwrap_or(after.len());
        let host = &after[..host_end];
        let labels: Vec<String> = host
            .split('.')
            .map(|l| {
                if l.len() >= 3 && l.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                    format!("{{{}}}", ident(l))
                } else {
                    l.to_string()
                }
            })
            .collect();
        out = format!("{scheme}://{}{}", labels.join("."), &after[host_end..]);
    }
    out
}

/// `https://h/p?a=1&b=2` → (`https://h/p`, [(a, 1), (b, 2)]).
pub fn split_query(url: &str) -> (String, Vec<(String, String)>) {
    let no_fragment = url.split('#').next().unwrap_or(url);
    match no_fragment.split_once('?') {
        None => (no_fragment.to_string(), Vec::new()),
        Some((base, query)) => {
            let pairs = query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (k.to_string(), v.to_string()),
                    None => (p.to_string(), String::new()),
                })
                .collect();
            (base.to_string(), pairs)
        }
    }
}

/// `https://host/path` → (`https://host`, `/path`).
pub fn split_origin(url: &str) -> (&str, &str) {
    let after = url.find("://").map_or(0, |i| i + 3);
    match url[after..].find('/') {
        Some(i) => url.split_at(after + i),
        None => (url, ""),
    }
}

/// The lengths of the prefixes of `concrete` that are instances of
/// `template`, placeholders matching any non-empty run without `/`. A
/// forward search over (template, concrete) positions: no backtracking, so
/// no doc can make it slow.
fn instance_ends(template: &str, concrete: &str) -> Vec<usize> {
    let t = template.as_bytes();
    let c = concrete.as_bytes();
    if t.len() > 400 || c.len() > 400 {
        return Vec::new();
    }
    let mut seen = vec![vec![false; c.len() + 1]; t.len() + 1];
    let mut stack = vec![(0usize, 0usize)];
    let mut ends = Vec::new();
    while let Some((i, j)) = stack.pop() {
        if seen[i][j] {
            continue;
        }
        seen[i][j] = true;
        if i == t.len() {
            ends.push(j);
            continue;
        }
        if t[i] == b'{'
            && let Some(close) = t[i..].iter().position(|b| *b == b'}')
        {
            let mut n = j;
            while n < c.len() && c[n] != b'/' {
                n += 1;
                stack.push((i + close + 1, n));
            }
            continue;
        }
        if j < c.len() && c[j] == t[i] {
            stack.push((i + 1, j + 1));
        }
    }
    ends.sort_unstable();
    ends.dedup();
    ends
}

/// Whether `concrete` is an instance of `template`.
pub fn matches_template(template: &str, concrete: &str) -> bool {
    instance_ends(template, concrete).contains(&concrete.len())
}

/// The length of the longest prefix of `concrete` that is an instance of
/// `template` and ends at a path or query boundary.
pub fn template_prefix(template: &str, concrete: &str) -> Option<usize> {
    instance_ends(template, concrete)
        .into_iter()
        .rev()
        .find(|n| *n == concrete.len() || matches!(concrete.as_bytes()[*n], b'/' | b'?'))
}

/// `Bearer <token>` → (`Bearer `, `<token>`); `Token token=abc123def` →
/// (`Token token=`, `abc123def`); `shpat_...` → (``, `shpat_...`).
pub(crate) fn split_secret(value: &str) -> Option<(String, String)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_back_into_a_character_is_no_panic() {
        let lower = "the \u{55cb} way is recommended";
        let hit = lower.find("recommended").unwrap();
        assert!(!preceded_by_not(lower, hit - 10, hit));
        let lower = "\u{55cb} not recommended";
        assert!(preceded_by_not(lower, 1, lower.find("recommended").unwrap()));
    }

    #[test]
    fn identifiers() {
        assert_eq!(ident("yourOktaDomain"), "okta_domain");
        assert_eq!(ident("API key"), "api_key");
        assert_eq!(ident("your-domain"), "domain");
        assert_eq!(ident("GITHUB_TOKEN"), "github_token");
    }

    #[test]
    fn urls_and_placeholders() {
        let found = find_urls("Example: `GET https://x.org/data/2.5/weather?q=London&appid={API key}` ok");
        assert_eq!(found[0].2, "https://x.org/data/2.5/weather?q=London&appid={API key}");
        assert_eq!(normalize_url("https://<your-domain>.atlassian.net/rest"), "https://{domain}.atlassian.net/rest");
        assert_eq!(normalize_url("https://HOST/api/v3"), "https://{host}/api/v3");
        assert_eq!(normalize_url("https://${yourOktaDomain}/api/v1"), "https://{okta_domain}/api/v1");
        let found = find_urls("(see https://a.b/c).");
        assert_eq!(found[0].2, "https://a.b/c");
    }

    #[test]
    fn many_placeholders() {
        // A backtracking search would not finish on this.
        let template = format!("https://{}x", "{p}".repeat(60));
        assert!(!matches_template(&template, &format!("https://{}", "a".repeat(300))));
        assert!(matches_template(&template, &format!("https://{}x", "a".repeat(60))));
    }

    #[test]
    fn templates() {
        assert!(matches_template("https://{s}.zendesk.com/api/v2", "https://acme.zendesk.com/api/v2"));
        assert!(!matches_template("https://{s}.zendesk.com/api/v2", "https://a/b.zendesk.com/api/v2"));
        assert_eq!(
            template_prefix("https://{s}.z.com/api/v2", "https://acme.z.com/api/v2/users/me.json"),
            Some("https://acme.z.com/api/v2".len())
        );
    }

    #[test]
    fn negation() {
        let text = plain_lower("REST API keys go in the `Authorization` header using our own scheme, not `Bearer`:");
        let at = text.find("bearer").unwrap();
        assert!(rejected(&text, clause_at(&text, at), at));
        let at = text.find("authorization").unwrap();
        assert!(!rejected(&text, clause_at(&text, at), at));
    }

    #[test]
    fn secret_values() {
        assert!(looks_like_secret_value("y_NbAkKc66ryYTWUXYEu"));
        assert!(looks_like_secret_value("shpat_..."));
        assert!(looks_like_secret_value("$PD_KEY"));
        assert!(looks_like_secret_value("<token>"));
        assert!(!looks_like_secret_value("X"));
        assert!(!looks_like_secret_value("Bearer"));
    }
}
