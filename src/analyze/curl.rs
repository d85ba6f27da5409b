//! `curl` command lines from a doc's examples: the method, URL, headers and
//! `-u` credentials, each with its byte offset so it can cite its line.

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Curl {
    pub method: String,
    pub url: Option<(usize, String)>,
    pub headers: Vec<(usize, String, String)>,
    pub user: Option<(usize, String)>,
}

/// Shell words with the byte offset where each starts; quotes removed.
fn words(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut word = String::new();
        let mut content_start = None;
        while let Some(&(i, c)) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            match c {
                '\'' => {
                    content_start.get_or_insert(i + 1);
                    for (_, q) in chars.by_ref() {
                        if q == '\'' {
                            break;
                        }
                        word.push(q);
                    }
                }
                '"' => {
                    content_start.get_or_insert(i + 1);
                    while let Some((_, q)) = chars.next() {
                        match q {
                            '"' => break,
                            '\\' => {
                                if let Some((_, e)) = chars.next() {
                                    word.push(e);
                                }
                            }
                            q => word.push(q),
                        }
                    }
                }
                '\\' => {
                    if let Some((_, e)) = chars.next() {
                        word.push(e);
                    }
                }
                c => {
                    content_start.get_or_insert(i);
                    word.push(c);
                }
            }
        }
        out.push((content_start.unwrap_or(start), word));
    }
    out
}

/// Parse a `curl` command (optionally after a `$ ` prompt).
pub fn parse(text: &str) -> Option<Curl> {
    let words = words(text);
    let mut it = words.into_iter().peekable();
    while it.peek().is_some_and(|(_, w)| w == "$" || w == ">" || w == "sudo") {
        it.next();
    }
    if it.next().map(|(_, w)| w) != Some("curl".to_string()) {
        return None;
    }
    let mut curl = Curl::default();
    let mut explicit_method = None;
    let mut data = false;
    let mut get = false;
    while let Some((at, word)) = it.next() {
        let (flag, attached) = split_flag(&word);
        match flag {
            "-H" | "--header" => {
                let (at, value) = match attached {
                    Some(v) => (at + 2, v.to_string()),
                    None => match it.next() {
                        Some(next) => next,
                        None => break,
                    },
                };
                if let Some((name, val)) = value.split_once(':') {
                    let name = name.trim();
                    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                        curl.headers.push((at, name.to_string(), val.trim().to_string()));
                    }
                }
            }
            "-u" | "--user" => {
                let value = match attached {
                    Some(v) => Some((at + 2, v.to_string())),
                    None => it.next(),
                };
                curl.user = value;
            }
            "-X" | "--request" => {
                let value = match attached {
                    Some(v) => Some(v.to_string()),
                    None => it.next().map(|(_, w)| w),
                };
                explicit_method = value.map(|m| m.to_ascii_uppercase());
            }
            "-d" | "--data" | "--data-raw" | "--data-binary" | "--data-urlencode" | "-F" | "--form" | "--json" => {
                data = true;
                if attached.is_none() {
                    it.next();
                }
            }
            "-G" | "--get" => get = true,
            "--url" => {
                if let Some((at, url)) = it.next() {
                    curl.url = Some((at, url));
                }
            }
            "-o" | "--output" | "-A" | "--user-agent" | "-e" | "--referer" | "-b" | "--cookie" | "-w"
            | "--write-out" | "-m" | "--max-time" | "--connect-timeout" | "-x" | "--proxy"
                if attached.is_none() =>
            {
                it.next();
            }
            _ if (word.starts_with("http://") || word.starts_with("https://")) && curl.url.is_none() => {
                curl.url = Some((at, word.clone()));
            }
            _ => {}
        }
    }
    curl.method = explicit_method.unwrap_or_else(|| if data && !get { "POST".into() } else { "GET".into() });
    Some(curl)
}

/// `-Hvalue` → (`-H`, Some(value)); `--header` → (`--header`, None).
fn split_flag(word: &str) -> (&str, Option<&str>) {
    if word.starts_with("--") {
        return match word.split_once('=') {
            Some((flag, value)) => (flag, Some(value)),
            None => (word, None),
        };
    }
    if word.starts_with('-') && word.len() > 2 && word.is_char_boundary(2) {
        return (&word[..2], Some(&word[2..]));
    }
    (word, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_user_and_url() {
        let text = r#"curl -H "Authorization: Bearer $T"  -H 'Accept: application/json' "https://a.b/c?x=1" -u me@x.com/token:abc"#;
        let c = parse(text).unwrap();
        assert_eq!(c.method, "GET");
        assert_eq!(c.headers[0].1, "Authorization");
        assert_eq!(c.headers[0].2, "Bearer $T");
        assert_eq!(&text[c.headers[0].0..c.headers[0].0 + 13], "Authorization");
        assert_eq!(c.url.as_ref().unwrap().1, "https://a.b/c?x=1");
        assert_eq!(c.user.as_ref().unwrap().1, "me@x.com/token:abc");
    }

    #[test]
    fn data_means_post() {
        assert_eq!(parse("curl https://x/t -d grant_type=refresh_token").unwrap().method, "POST");
        assert_eq!(parse("curl -G https://x/t -d q=1").unwrap().method, "GET");
        assert_eq!(parse("$ curl -X DELETE https://x/t").unwrap().method, "DELETE");
        assert!(parse("echo curl").is_none());
    }
}
