//! Values an API doc shows as examples, never meant to reach a request:
//! `YOUR_API_KEY`, `<tenant>`, `xxx`, hosts under `example.com` or
//! `example.org`, sample names and IDs (`fabrikam`, `my-project`,
//! `properties/123456789`), elided values (`…`), values cut at a quote or
//! with unbalanced brackets, and the doc's own template syntax (`{{var}}`,
//! `${var}`, `:id`, `$filter`). The analyzer drops them from what it
//! proposes; `lint` reports them in a verification block (rule `doc-example`).

/// Names docs use for made-up organisations and projects.
const SAMPLE_NAMES: &[&str] = &[
    "fabrikam",
    "contoso",
    "northwind",
    "adventureworks",
    "adventure-works",
    "my-project",
    "my_project",
    "myproject",
    "my-app",
    "myapp",
    "my-company",
    "mycompany",
    "yourcompany",
    "your-company",
    "yourdomain",
    "your-domain",
    "mydomain",
    "my-domain",
    "mysite",
    "yoursite",
    "mystore",
    "my-store",
    "yourstore",
    "your-store",
    "myshop",
    "my-shop",
    "your-pacs",
    "sample",
    "placeholder",
];

/// Why `value` is a doc example, or `None` when it may reach a request.
/// `{name}` placeholders (filled from the spec's parameters) are fine.
pub fn why(value: &str) -> Option<&'static str> {
    let lower = value.to_ascii_lowercase();
    if lower.contains("{{") || lower.contains("}}") || lower.contains("${") {
        return Some("a template variable of the doc");
    }
    if unbalanced(value) {
        return Some("cut short: its brackets or quotes do not balance");
    }
    if value.contains(['"', '\'', '`']) {
        return Some("cut at a quote");
    }
    if value.contains('<') || value.contains('>') {
        return Some("a <…> placeholder of the doc");
    }
    if value.contains('…') || value.contains("...") {
        return Some("an elided example value");
    }
    if has_word_starting(&lower, "your_") || has_word_starting(&lower, "your-") || lower.contains("yourapikey") {
        return Some("a YOUR_… placeholder of the doc");
    }
    if lower.contains("xxx") {
        return Some("an xxx example value");
    }
    if let Some(host) = host_of(&lower)
        && ["example.com", "example.org"].iter().any(|d| host == *d || host.ends_with(&format!(".{d}")))
    {
        return Some("an example.com/example.org host");
    }
    let words: Vec<&str> = lower.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).collect();
    if words.iter().any(|w| SAMPLE_NAMES.contains(w)) {
        return Some("a sample name from the doc");
    }
    // `properties/123456789` or `properties/123456789:runReport`.
    let sample_id =
        |s: &str| s.split(':').next().is_some_and(|id| id.len() >= 6 && id.chars().all(|c| c.is_ascii_digit()));
    if path_segments(&lower).any(sample_id) {
        return Some("a sample ID from the doc");
    }
    if path_segments(&lower).any(|s| s.starts_with(':') && s.len() > 1 || s.starts_with('$') && s.len() > 1) {
        return Some("a template variable of the doc");
    }
    if let Some(path) = lower.split('?').next()
        && (path.ends_with(".json/") || path.ends_with(".xml/"))
    {
        return Some("cut short: a path that goes on after its file suffix");
    }
    None
}

fn has_word_starting(lower: &str, prefix: &str) -> bool {
    lower.match_indices(prefix).any(|(i, _)| i == 0 || !lower.as_bytes()[i - 1].is_ascii_alphanumeric())
}

/// The host of an absolute URL.
fn host_of(lower: &str) -> Option<&str> {
    let rest = lower.split_once("://")?.1;
    let end = rest.find(['/', '?', '#', ':']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Path segments of a URL or path (query left out).
fn path_segments(lower: &str) -> impl Iterator<Item = &str> {
    let no_query = lower.split('?').next().unwrap_or("");
    let path = match no_query.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => no_query,
    };
    path.split('/').filter(|s| !s.is_empty())
}

/// `(`/`)`, `[`/`]`, `{`/`}` and `"` out of balance.
fn unbalanced(value: &str) -> bool {
    let mut stack = Vec::new();
    for c in value.chars() {
        match c {
            '(' | '[' | '{' => stack.push(c),
            ')' | ']' | '}' => {
                let open = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if stack.pop() != Some(open) {
                    return true;
                }
            }
            _ => {}
        }
    }
    !stack.is_empty() || value.matches('"').count() % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::why;

    #[test]
    fn doc_examples_are_caught() {
        for value in [
            "https://www.googleapis.com/youtube/v3/channels?key=YOUR_API_KEY",
            "https://<your-domain>.atlassian.net",
            "https://dev.azure.com/fabrikam",
            "/v1/projects/my-project/datasets",
            "/v1beta/properties/123456789:runReport",
            "https://your-pacs.example.com/dicom-web",
            "https://api.example.org/v2",
            "/odata/Entries?$filter=name eq 'x",
            "/items(",
            "/api/{resource}.json/",
            "xxxxxxxx",
            "/users/{{user_id}}",
            "/users/:id",
            "sk_test_…",
        ] {
            assert!(why(value).is_some(), "{value}");
        }
    }

    #[test]
    fn real_values_pass() {
        for value in [
            "https://{subdomain}.zendesk.com/api/v2",
            "/users/me.json",
            "https://graph.microsoft.com/v1.0",
            "https://graph.microsoft.com/.default",
            "/2.0/me",
            "https://api.example.net",
            "1",
            "application/json",
            "https://www.googleapis.com/auth/youtube.readonly",
            "/_apis/projects",
            "/v3/lists?count=1",
        ] {
            assert_eq!(why(value), None, "{value}");
        }
    }
}
