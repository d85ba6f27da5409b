//! Just enough HTTP/1.1 for authgen's servers on 127.0.0.1 (the credentials
//! form and the demo's API): one request per connection, read with size
//! limits and a deadline, answered with `Connection: close`. Also the one
//! percent-encoder and form codec.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Request line and headers together.
const MAX_HEAD: usize = 16 * 1024;
/// A form of credentials, or a demo request, is a few kilobytes.
const MAX_BODY: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The form fields of a `application/x-www-form-urlencoded` body.
    pub fn form(&self) -> Vec<(String, String)> {
        form_decode(&String::from_utf8_lossy(&self.body))
    }

    pub fn query_pairs(&self) -> Vec<(String, String)> {
        form_decode(&self.query)
    }
}

/// Why a request could not be read, and the status to answer with.
#[derive(Debug)]
pub struct Refused {
    pub status: u16,
    pub message: &'static str,
}

impl Refused {
    /// The client went away or went quiet (a browser's spare connection):
    /// close without an answer.
    pub fn quiet(&self) -> bool {
        self.status == 408 || self.status == CLOSED
    }
}

/// Not an HTTP status: the connection ended before a request did.
const CLOSED: u16 = 0;

/// Read one request; the whole read must finish by `deadline`.
pub fn read_request(stream: &mut TcpStream, deadline: Instant) -> Result<Request, Refused> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err(Refused { status: 431, message: "request headers too large" });
        }
        let n = read_some(stream, &mut chunk, deadline)?;
        if n == 0 {
            return Err(Refused { status: CLOSED, message: "connection closed before the request ended" });
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head =
        std::str::from_utf8(&buf[..head_end]).map_err(|_| Refused { status: 400, message: "headers are not UTF-8" })?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refused { status: 400, message: "malformed request line" });
    };
    if !version.starts_with("HTTP/1.") {
        return Err(Refused { status: 505, message: "HTTP/1.x only" });
    }
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(Refused { status: 400, message: "malformed header line" });
        };
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut request = Request {
        method: method.to_string(),
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body: Vec::new(),
    };
    if request.header("transfer-encoding").is_some() {
        return Err(Refused { status: 411, message: "send a Content-Length, not chunked" });
    }
    let length = match request.header("content-length") {
        None => 0,
        Some(v) => v.parse::<usize>().map_err(|_| Refused { status: 400, message: "bad Content-Length" })?,
    };
    if length > MAX_BODY {
        return Err(Refused { status: 413, message: "request body too large" });
    }
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = read_some(stream, &mut chunk, deadline)?;
        if n == 0 {
            return Err(Refused { status: CLOSED, message: "connection closed before the body ended" });
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    request.body = body;
    Ok(request)
}

fn read_some(stream: &mut TcpStream, chunk: &mut [u8], deadline: Instant) -> Result<usize, Refused> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(Refused { status: 408, message: "request took too long" });
    }
    let _ = stream.set_read_timeout(Some(left.max(Duration::from_millis(1))));
    stream.read(chunk).map_err(|_| Refused { status: 408, message: "request took too long" })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub location: Option<String>,
    pub body: String,
}

impl Response {
    pub fn html(status: u16, body: String) -> Self {
        Response { status, content_type: "text/html; charset=utf-8", location: None, body }
    }

    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Response { status, content_type: "application/json", location: None, body: body.into() }
    }

    pub fn text(status: u16, body: impl Into<String>) -> Self {
        Response { status, content_type: "text/plain; charset=utf-8", location: None, body: body.into() }
    }

    pub fn see_other(location: String) -> Self {
        Response {
            status: 303,
            content_type: "text/plain; charset=utf-8",
            location: Some(location),
            body: String::new(),
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        303 => "See Other",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    }
}

/// Write the response and close. Every answer forbids caching, framing,
/// scripts and cross-origin referrers: the pages hold a CSRF token and the
/// callback URL holds an authorization code.
pub fn write_response(stream: &mut TcpStream, response: &Response) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\
         Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'\r\n\
         X-Frame-Options: DENY\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: same-origin\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    if let Some(location) = &response.location {
        head.push_str(&format!("Location: {location}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    stream.write_all(head.as_bytes())?;
    stream.write_all(response.body.as_bytes())?;
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    Ok(())
}

/// `application/x-www-form-urlencoded` pairs (also a URL's query).
pub fn form_decode(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(&text.replace('+', " ")).decode_utf8_lossy().into_owned()
}

/// All but RFC 3986's unreserved characters (letters, digits, `-._~`).
const RESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encode all but RFC 3986's unreserved characters.
pub fn percent_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, RESERVED).to_string()
}

pub fn form_encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs.into_iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect::<Vec<_>>().join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_round_trip() {
        let pairs = [("a b", "c&d=e"), ("x", "ü%+"), ("empty", "")];
        let text = form_encode(pairs);
        let back = form_decode(&text);
        let expected: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(back, expected);
        assert_eq!(form_encode([("k", "a b/ü~-._*")]), "k=a%20b%2F%C3%BC~-._%2A");
        assert_eq!(
            form_decode("a=1+2&b=%zz&c=%4"),
            [("a".into(), "1 2".into()), ("b".into(), "%zz".into()), ("c".into(), "%4".into())]
        );
    }
}
