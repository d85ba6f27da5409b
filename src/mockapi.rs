//! A small API server on 127.0.0.1 that enforces one credential, for the
//! demo: one thread, bounded reads, stopped on drop.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::{Error, Result};

/// What the server accepts: `GET <path>` with `<header>: <value>`.
#[derive(Debug, Clone)]
pub struct Expect {
    pub path: String,
    pub header: String,
    pub value: String,
    /// JSON answered on success.
    pub body: String,
    /// A header value that authenticates but may not read: answered with 403.
    pub forbidden: Option<String>,
}

pub struct MockApi {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl MockApi {
    pub fn start(expect: Expect) -> Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| Error::External {
            program: "mock API".into(),
            message: format!("cannot listen on 127.0.0.1: {e}"),
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::External { program: "mock API".into(), message: e.to_string() })?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let _ = serve(stream, &expect);
                }
            }
        });
        Ok(MockApi { addr, stop, handle: Some(handle) })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for MockApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

fn serve(stream: TcpStream, expect: &Expect) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?.take(64 * 1024));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(());
    }
    let mut authorized = false;
    let mut forbidden = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':')
            && name.trim().eq_ignore_ascii_case(&expect.header)
        {
            authorized |= value.trim() == expect.value;
            forbidden |= expect.forbidden.as_deref() == Some(value.trim());
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    let (status, body) = if method != "GET" || path != expect.path {
        ("404 Not Found", r#"{"message": "Not Found"}"#.to_string())
    } else if forbidden {
        ("403 Forbidden", r#"{"message": "Resource not accessible by this token"}"#.to_string())
    } else if authorized {
        ("200 OK", expect.body.clone())
    } else {
        ("401 Unauthorized", r#"{"message": "Bad credentials"}"#.to_string())
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}
