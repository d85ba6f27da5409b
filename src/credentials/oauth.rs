//! OAuth 2.0 pieces: random single-use values, PKCE (RFC 7636), the
//! authorization URL, and requests to the token endpoint.

use std::time::Duration;

use sha2::{Digest as _, Sha256};

use super::needs::{OauthConfig, Session, Values, plain, redact};
use crate::error::{Error, Result};
use crate::http::{form_encode, percent_encode};

/// 32 random bytes, base64url: a state, PKCE verifier or CSRF token
/// (256 bits; RFC 7636 asks for at least 43 characters, this gives 43).
pub fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| Error::External { program: "random source".into(), message: e.to_string() })?;
    Ok(base64(&bytes, true))
}

/// Base64 (RFC 4648): URL-safe without padding, or standard with it.
pub fn base64(bytes: &[u8], url_safe: bool) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    if url_safe { URL_SAFE_NO_PAD.encode(bytes) } else { STANDARD.encode(bytes) }
}

/// The S256 code challenge for a verifier.
pub fn pkce_challenge(verifier: &str) -> String {
    base64(&Sha256::digest(verifier.as_bytes()), true)
}

/// Constant-time equality, for tokens compared with what a client sent.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Replace `{param}` placeholders with values; Err names the first one
/// without a value.
pub fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start + 1..].find('}') else { break };
        let name = &rest[start + 1..start + 1 + len];
        out.push_str(&rest[..start]);
        match value(name).filter(|v| !v.trim().is_empty()) {
            Some(v) => out.push_str(v.trim()),
            None => return Err(name.to_string()),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// An endpoint URL we may send secrets to: https, or http on this machine.
pub fn check_url(url: &str, what: &str) -> Result<(), String> {
    if url.is_empty() {
        return Err(format!("{what} is empty"));
    }
    let uri: ureq::http::Uri = url.parse().map_err(|_| format!("{what} {url:?} is not a URL"))?;
    if url.contains('#') {
        return Err(format!("{what} {url:?} must not hold a #fragment"));
    }
    let host = uri.host().unwrap_or_default();
    match uri.scheme_str() {
        Some("https") if !host.is_empty() => Ok(()),
        Some("http") if is_loopback(host) => Ok(()),
        Some("http") => {
            Err(format!("{what} {url:?} is plain http: the provider must use https (http only on 127.0.0.1)"))
        }
        _ => Err(format!("{what} {url:?} is not an http(s) URL")),
    }
}

fn is_loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "[::1]" | "::1")
}

/// `base` with `pairs` added to its query.
pub fn with_query<'a>(base: &str, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let joiner = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    format!("{base}{joiner}{}", form_encode(pairs))
}

/// A token endpoint's successful answer (it held an access token).
#[derive(Debug)]
pub struct Token {
    pub refresh_token: Option<String>,
    pub token_type: Option<String>,
    pub expires_in: Option<u64>,
}

#[derive(Debug)]
pub enum TokenError {
    /// The provider said no: its `error` and `error_description`, or the status.
    Provider { status: u16, error: String, description: String },
    /// The provider could not be reached or answered nonsense.
    Transport(String),
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenError::Provider { status, error, description } if description.is_empty() => {
                write!(f, "the provider refused (HTTP {status}): {error}")
            }
            TokenError::Provider { status, error, description } => {
                write!(f, "the provider refused (HTTP {status}): {error}: {description}")
            }
            TokenError::Transport(message) => write!(f, "{message}"),
        }
    }
}

/// POST a grant to `url`. Client credentials go in the body, or in an
/// HTTP Basic header when `basic` (RFC 6749 §2.3.1: each form-encoded first).
pub fn request_token(
    url: &str,
    grant: &[(&str, &str)],
    client: (&str, &str),
    basic: bool,
) -> Result<Token, TokenError> {
    check_url(url, "token URL").map_err(TokenError::Transport)?;
    let loopback = url.parse::<ureq::http::Uri>().ok().is_some_and(|u| is_loopback(u.host().unwrap_or_default()));
    let mut config = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(20)))
        .http_status_as_error(false)
        // A token endpoint that redirects is misconfigured; following it
        // would carry the grant somewhere else.
        .max_redirects(0)
        .user_agent("authgen");
    if loopback {
        config = config.proxy(None);
    }
    let agent: ureq::Agent = config.build().into();
    let mut form: Vec<(&str, &str)> = grant.to_vec();
    let mut request = agent.post(url).header("Accept", "application/json");
    if basic {
        let pair = format!("{}:{}", percent_encode(client.0), percent_encode(client.1));
        request = request.header("Authorization", format!("Basic {}", base64(pair.as_bytes(), false)));
    } else {
        form.push(("client_id", client.0));
        if !client.1.is_empty() {
            form.push(("client_secret", client.1));
        }
    }
    let host = url.parse::<ureq::http::Uri>().ok().and_then(|u| u.host().map(str::to_string)).unwrap_or_default();
    let mut response = request
        .send_form(form)
        .map_err(|e| TokenError::Transport(format!("could not reach the token endpoint {host}: {e}")))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(1 << 20)
        .read_to_string()
        .map_err(|e| TokenError::Transport(format!("reading the token endpoint's answer: {e}")))?;
    let json: Option<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(&body).ok();
    let text = |key: &str| json.as_ref().and_then(|m| m.get(key)).and_then(|v| v.as_str()).map(str::to_string);
    if !(200..300).contains(&status) || text("access_token").is_none() {
        let error = text("error").unwrap_or_else(|| {
            if (200..300).contains(&status) {
                "no access_token in the answer".into()
            } else {
                "no OAuth error given".into()
            }
        });
        let description =
            text("error_description").unwrap_or_else(|| if json.is_some() { String::new() } else { preview(&body) });
        return Err(TokenError::Provider { status, error: preview(&error), description: preview(&description) });
    }
    Ok(Token {
        refresh_token: text("refresh_token").filter(|t| !t.is_empty()),
        token_type: text("token_type"),
        expires_in: json
            .as_ref()
            .and_then(|m| m.get("expires_in"))
            .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok())),
    })
}

/// Provider text for a message: one line, cut short.
fn preview(text: &str) -> String {
    let line = plain(text);
    if line.chars().count() > 300 { format!("{}…", line.chars().take(300).collect::<String>()) } else { line }
}

/// `--verify` for the client credentials flow: fetch a token, say what the
/// provider answered. Ok and Err are both messages without secrets.
pub fn verify_m2m(
    session: &Session,
    oauth_config: &OauthConfig,
    token_url: &str,
    scopes: &str,
    values: &Values,
) -> Result<String, String> {
    let secrets = session.needs.secrets(values);
    let get = |n: &str| values.get(n).cloned();
    let url = fill(token_url, get).map_err(|name| format!("--verify: the token URL needs {name}"))?;
    check_url(&url, "token URL").map_err(|m| format!("--verify: {m}"))?;
    let client_id = values.get("client_id").map(String::as_str).unwrap_or_default();
    let client_secret = values.get("client_secret").map(String::as_str).unwrap_or_default();
    // As the generated check sends them: placeholders filled from the values.
    let scopes = fill(scopes, get).map_err(|name| format!("--verify: the scopes need {name}"))?;
    let mut extra = Vec::new();
    for (name, value) in &oauth_config.token_params {
        extra.push((name.as_str(), fill(value, get).map_err(|n| format!("--verify: {name} needs {n}"))?));
    }
    let mut grant = vec![("grant_type", "client_credentials")];
    if !scopes.is_empty() {
        grant.push(("scope", scopes.as_str()));
    }
    grant.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
    let host = url.parse::<ureq::http::Uri>().ok().and_then(|u| u.host().map(str::to_string)).unwrap_or_default();
    match request_token(&url, &grant, (client_id, client_secret), oauth_config.client_auth_basic) {
        Ok(token) => {
            let mut message = format!("--verify: {host} issued an access token for these client credentials");
            let mut details = Vec::new();
            if let Some(t) = &token.token_type {
                details.push(format!("type {}", plain(t)));
            }
            if let Some(s) = token.expires_in {
                details.push(format!("expires in {s} s"));
            }
            if !details.is_empty() {
                message.push_str(&format!(" ({})", details.join(", ")));
            }
            eprintln!("{}: {message}", session.source);
            Ok(message)
        }
        Err(e) => {
            let message = redact(&format!("--verify: {host}: {e}"), &secrets);
            eprintln!("{}: {message}", session.source);
            Err(message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_cuts_after_300_characters() {
        let exact = "é".repeat(300);
        assert_eq!(preview(&exact), exact);
        let long = "é".repeat(301);
        assert_eq!(preview(&long), format!("{exact}…"));
    }

    /// A token endpoint on 127.0.0.1 that answers one request with `status` and `body`.
    fn one_answer(status: u16, body: &'static str) -> String {
        use std::io::{Read as _, Write as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/token", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            if let Ok((mut conn, _)) = listener.accept() {
                conn.set_read_timeout(Some(std::time::Duration::from_secs(5))).ok();
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf);
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = conn.write_all(head.as_bytes());
                let _ = conn.write_all(body.as_bytes());
            }
        });
        url
    }

    #[test]
    fn a_token_answer_needs_both_a_2xx_and_an_access_token() {
        let grant = [("grant_type", "client_credentials")];
        let url = one_answer(200, r#"{"token_type": "Bearer"}"#);
        let err = request_token(&url, &grant, ("id", "secret"), false).unwrap_err();
        assert_eq!(err.to_string(), "the provider refused (HTTP 200): no access_token in the answer");
        let url = one_answer(400, r#"{"access_token": "at-1", "error": "invalid_scope"}"#);
        let err = request_token(&url, &grant, ("id", "secret"), false).unwrap_err();
        assert_eq!(err.to_string(), "the provider refused (HTTP 400): invalid_scope");
        let url = one_answer(200, r#"{"access_token": "at-1", "expires_in": "60"}"#);
        let token = request_token(&url, &grant, ("id", "secret"), false).unwrap();
        assert_eq!(token.expires_in, Some(60));
    }

    #[test]
    fn with_query_joins_whatever_the_base_ends_with() {
        assert_eq!(with_query("https://a.io/auth", [("x", "1")]), "https://a.io/auth?x=1");
        assert_eq!(with_query("https://a.io/auth?", [("x", "1")]), "https://a.io/auth?x=1");
        assert_eq!(with_query("https://a.io/auth?t=2", [("x", "1")]), "https://a.io/auth?t=2&x=1");
        assert_eq!(with_query("https://a.io/auth?t=2&", [("x", "1")]), "https://a.io/auth?t=2&x=1");
    }

    #[test]
    fn a_refusal_without_description_ends_with_the_error() {
        let bare = TokenError::Provider { status: 400, error: "invalid_grant".into(), description: String::new() };
        assert_eq!(bare.to_string(), "the provider refused (HTTP 400): invalid_grant");
        let said = TokenError::Provider { status: 401, error: "invalid_client".into(), description: "no".into() };
        assert_eq!(said.to_string(), "the provider refused (HTTP 401): invalid_client: no");
    }

    #[test]
    fn only_https_with_a_host_or_loopback_http_is_sent_secrets() {
        assert!(check_url("https://login.example.io/token", "token URL").is_ok());
        assert!(check_url("http://127.0.0.1:9/token", "token URL").is_ok());
        assert!(check_url("http://login.example.io/token", "token URL").is_err());
        // No host: refused whether the parser or the host check says so.
        assert!(check_url("https:///token", "token URL").is_err());
        assert!(check_url("https:/token", "token URL").is_err());
        assert!(check_url("https://:443/token", "token URL").is_err(), "a port and no host");
    }

    #[test]
    fn same_is_equality_whatever_the_differences() {
        assert!(same("state-1234", "state-1234"));
        assert!(same("", ""));
        assert!(!same("state-1234", "state-1235"));
        assert!(!same("state", "state-"));
        // Two differences whose bits cancel out under xor are still a difference.
        assert!(!same("ab", "ba"));
        assert!(!same("ac", "ca"));
    }

    #[test]
    fn pkce_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn base64_both_alphabets() {
        assert_eq!(base64(b"", false), "");
        assert_eq!(base64(b"f", false), "Zg==");
        assert_eq!(base64(b"fo", false), "Zm8=");
        assert_eq!(base64(b"foobar", false), "Zm9vYmFy");
        assert_eq!(base64(&[0xfb, 0xff], true), "-_8");
        assert_eq!(base64(&[0xfb, 0xff], false), "+/8=");
    }

    #[test]
    fn random_tokens_are_long_and_differ() {
        let (a, b) = (random_token().unwrap(), random_token().unwrap());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }

    #[test]
    fn fill_placeholders() {
        let get = |n: &str| (n == "tenant").then(|| "t-1".to_string());
        assert_eq!(fill("https://l/{tenant}/token", get).unwrap(), "https://l/t-1/token");
        assert_eq!(fill("https://l/{other}/token", get).unwrap_err(), "other");
        assert_eq!(fill("https://l/{unclosed", get).unwrap(), "https://l/{unclosed");
    }

    #[test]
    fn only_https_or_loopback_http() {
        assert!(check_url("https://login.example.com/token", "t").is_ok());
        assert!(check_url("http://127.0.0.1:8080/token", "t").is_ok());
        assert!(check_url("http://login.example.com/token", "t").unwrap_err().contains("plain http"));
        assert!(check_url("https://a/b#frag", "t").is_err());
        assert!(check_url("https://a/b\r\nX: y", "t").is_err());
        assert!(check_url("javascript:alert(1)", "t").is_err());
    }

    #[test]
    fn query_joining() {
        assert_eq!(with_query("https://a/auth", [("x", "1 2")]), "https://a/auth?x=1%202");
        assert_eq!(with_query("https://a/auth?hd=x", [("y", "/")]), "https://a/auth?hd=x&y=%2F");
    }

    #[test]
    fn constant_time_compare() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
