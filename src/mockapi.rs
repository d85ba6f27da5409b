//! A small API server on 127.0.0.1 that enforces one credential, for the
//! demo: one thread, requests read by `http` (bounded), stopped on drop.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::http::{self, Response};

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

fn serve(mut stream: TcpStream, expect: &Expect) -> std::io::Result<()> {
    let Ok(request) = http::read_request(&mut stream, Instant::now() + Duration::from_secs(5)) else {
        return Ok(());
    };
    let sent =
        |value: &str| request.headers.iter().any(|(name, v)| name.eq_ignore_ascii_case(&expect.header) && v == value);
    let response = if request.method != "GET" || request.path != expect.path {
        Response::json(404, r#"{"message": "Not Found"}"#)
    } else if expect.forbidden.as_deref().is_some_and(sent) {
        Response::json(403, r#"{"message": "Resource not accessible by this token"}"#)
    } else if sent(&expect.value) {
        Response::json(200, expect.body.clone())
    } else {
        Response::json(401, r#"{"message": "Bad credentials"}"#)
    };
    http::write_response(&mut stream, &response)
}
