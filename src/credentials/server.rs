//! `--mode browser`: a form on a server bound to 127.0.0.1, and the OAuth
//! 2.0 authorization-code flow for native apps (RFC 8252: loopback redirect,
//! RFC 7636: PKCE, RFC 9700: one-time state, exact redirect URI).
//!
//! Each connection is read and answered on its own thread, within a
//! deadline, so a slow or half-sent request never holds up another; the
//! requests themselves are handled one at a time on this one. Anything
//! running on this machine can reach the port and read the form's CSRF
//! token, so no field of the form decides where a secret goes: the OAuth
//! URLs, the scopes and the redirect URI come from the spec and the port.

use std::collections::{BTreeMap, VecDeque};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::needs::{CSRF_FIELD, Needs, OauthConfig, Session, Values, plain, redact};
use super::oauth::{self, TokenError};
use super::page::{FieldView, FormView, MessageView, MethodView, OauthView, Pages};
use super::store::{self, Existing, KeyChange};
use crate::error::{Error, Result};
use crate::http::{self, Request, Response};
use crate::spec::OauthFlow;

pub struct Options {
    pub port: u16,
    pub open: bool,
    pub timeout: Duration,
}

/// The form field that is ours, not a parameter (a dot never is in a parameter name).
const METHOD_FIELD: &str = "authgen.method";

/// How long the provider may take to send the user back.
const AUTHORIZATION_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// Connections being read at once; a new one beyond this closes the one
/// that has been reading longest, so clients that never finish a request
/// cannot keep a new one out.
const MAX_READERS: usize = 64;
/// One request must arrive whole within this.
const READ_DEADLINE: Duration = Duration::from_secs(10);
/// How long the last answer may take to write before the server stops.
const LAST_WRITE: Duration = Duration::from_secs(5);

/// A request read whole, and where its answer goes.
struct Job {
    request: Request,
    reply: mpsc::SyncSender<Reply>,
}

/// The answer, and whom to tell once it is written (the last one, so the
/// process does not exit before the browser has it).
struct Reply {
    response: Response,
    written: Option<mpsc::Sender<()>>,
}

/// Connections still being read, oldest first.
type Readers = Arc<Mutex<VecDeque<(u64, TcpStream)>>>;

/// Accept connections, each on its own thread: read it within the
/// deadline, hand the request over, write the answer.
fn serve(listener: TcpListener, jobs: mpsc::Sender<Job>) {
    let readers: Readers = Arc::new(Mutex::new(VecDeque::new()));
    let mut next_id = 0u64;
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let Ok(handle) = stream.try_clone() else { continue };
        next_id += 1;
        let id = next_id;
        if let Ok(mut open) = readers.lock() {
            while open.len() >= MAX_READERS {
                let Some((_, oldest)) = open.pop_front() else { break };
                let _ = oldest.shutdown(Shutdown::Both);
            }
            open.push_back((id, handle));
        }
        let (jobs, readers) = (jobs.clone(), Arc::clone(&readers));
        std::thread::spawn(move || connection(stream, id, &jobs, &readers));
    }
}

fn connection(mut stream: TcpStream, id: u64, jobs: &mpsc::Sender<Job>, readers: &Readers) {
    let request = http::read_request(&mut stream, Instant::now() + READ_DEADLINE);
    if let Ok(mut open) = readers.lock() {
        open.retain(|(other, _)| *other != id);
    }
    let response = match request {
        Ok(request) => {
            let (reply, answer) = mpsc::sync_channel(1);
            if jobs.send(Job { request, reply }).is_err() {
                return;
            }
            match answer.recv() {
                Ok(reply) => {
                    let _ = http::write_response(&mut stream, &reply.response);
                    if let Some(written) = reply.written {
                        let _ = written.send(());
                    }
                    return;
                }
                Err(_) => return,
            }
        }
        // A browser's spare connection that stays idle, or a client gone.
        Err(refused) if refused.quiet() => return,
        Err(refused) => Response::text(refused.status, refused.message),
    };
    let _ = http::write_response(&mut stream, &response);
}

/// Answer `job`; when it is the last answer, wait (briefly) until it is written.
fn answer(job: Job, response: Response, last: bool) {
    let (written, was_written) = mpsc::channel();
    let reply = Reply { response, written: last.then_some(written) };
    if job.reply.send(reply).is_ok() && last {
        let _ = was_written.recv_timeout(LAST_WRITE);
    }
}

pub fn run(session: &Session, opts: &Options) -> Result<i32> {
    let (listener, port) = bind(opts.port)?;
    let url = format!("http://127.0.0.1:{port}/");
    let mut state = State::new(session, port)?;
    let bold = |text: &str| crate::term::paint(crate::term::color_stdout(), "1", text);
    println!("{} credentials for {}: open {}", session.source, plain(&session.needs.title), bold(&url));
    if session.needs.oauth.as_ref().is_some_and(|o| o.flow.is_user()) {
        println!("OAuth redirect URI (register it with the provider): {}", state.redirect_uri);
    }
    eprintln!("waiting up to {} for the form to be saved; Ctrl-C stops without writing", human(opts.timeout));
    if opts.open {
        open_browser(&url);
    }

    let (tx, rx) = mpsc::channel::<Job>();
    std::thread::spawn(move || serve(listener, tx));

    let deadline = Instant::now() + opts.timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let job = match rx.recv_timeout(left) {
            Ok(item) => item,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(Error::Failed(format!(
                    "{}: no credentials saved within {}: nothing written",
                    session.source,
                    human(opts.timeout)
                )));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Error::External { program: "server".into(), message: "the listener stopped".into() });
            }
        };
        match state.handle(&job.request) {
            Ok((response, done)) => {
                answer(job, response, done);
                if done {
                    return Ok(0);
                }
            }
            Err(error) => {
                // Such as a file that cannot be written: the page says so too.
                answer(job, Response::text(500, format!("authgen: {error}\n")), true);
                return Err(error);
            }
        }
    }
}

/// The port asked for, or any free one when it is 0 or busy.
fn bind(port: u16) -> Result<(TcpListener, u16)> {
    let fail = |e: std::io::Error| Error::External {
        program: "server".into(),
        message: format!("cannot listen on 127.0.0.1: {e}"),
    };
    let listener = match TcpListener::bind(("127.0.0.1", port)) {
        Ok(listener) => listener,
        Err(e) if port != 0 && e.kind() == std::io::ErrorKind::AddrInUse => {
            let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(fail)?;
            let other = listener.local_addr().map_err(fail)?.port();
            eprintln!("port {port} is busy; using {other} instead (the OAuth redirect URI changes with it)");
            listener
        }
        Err(e) => return Err(fail(e)),
    };
    let port = listener.local_addr().map_err(fail)?.port();
    Ok((listener, port))
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 && s.is_multiple_of(60) {
        format!("{} minute{}", s / 60, if s == 60 { "" } else { "s" })
    } else {
        format!("{s} s")
    }
}

/// Best effort: the URL is printed either way.
fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let child = std::process::Command::new(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Ok(mut child) = child {
        std::thread::spawn(move || child.wait());
    }
}

/// An authorization the form started and the provider has not yet answered.
struct Pending {
    state: String,
    verifier: Option<String>,
    token_url: String,
    client_id: String,
    client_secret: String,
    basic: bool,
    /// `scheme://host[:port]` of the authorization URL: an `iss` in the
    /// answer must name it (RFC 9207, against mix-up attacks).
    issuer_origin: String,
    started: Instant,
}

struct State<'a> {
    session: &'a Session,
    pages: Pages,
    csrf: String,
    hosts: [String; 2],
    redirect_uri: String,
    /// What the form last posted: non-secret values go back into the page,
    /// secrets stay here (used when their field comes back empty).
    kept: Values,
    method: Option<usize>,
    refresh_token: Option<String>,
    notice: Option<String>,
    pending: Vec<Pending>,
    used_states: Vec<String>,
    pending_save: Option<Values>,
}

type Handled = Result<(Response, bool)>;

impl<'a> State<'a> {
    fn new(session: &'a Session, port: u16) -> Result<Self> {
        Ok(State {
            session,
            pages: Pages::new()?,
            csrf: oauth::random_token()?,
            hosts: [format!("127.0.0.1:{port}"), format!("localhost:{port}")],
            redirect_uri: format!("http://127.0.0.1:{port}/oauth/callback"),
            kept: Values::new(),
            method: if session.needs.methods.is_empty() { None } else { Some(0) },
            refresh_token: None,
            notice: None,
            pending: Vec::new(),
            used_states: Vec::new(),
            pending_save: None,
        })
    }

    fn needs(&self) -> &'a Needs {
        &self.session.needs
    }

    fn handle(&mut self, request: &Request) -> Handled {
        // DNS rebinding: a page from another site whose name now points here
        // still sends its own name as Host.
        let host_ok = request.header("host").is_some_and(|h| self.hosts.iter().any(|ok| h.eq_ignore_ascii_case(ok)));
        if !host_ok {
            return Ok((
                Response::text(421, "this server answers only to 127.0.0.1 and localhost on its own port\n"),
                false,
            ));
        }
        if request.method == "POST"
            && let Some(origin) = request.header("origin")
            && !self.hosts.iter().any(|h| origin.eq_ignore_ascii_case(&format!("http://{h}")))
        {
            return Ok((Response::text(403, "cross-origin request refused\n"), false));
        }
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/") => Ok((self.form(200, Vec::new())?, false)),
            ("POST", "/save") => self.save(request),
            ("POST", "/save/confirm") => self.confirm(request),
            ("POST", "/oauth/start") => self.start(request),
            ("GET", "/oauth/callback") => self.callback(request),
            (_, "/" | "/save" | "/save/confirm" | "/oauth/start" | "/oauth/callback") => {
                Ok((Response::text(405, "method not allowed\n"), false))
            }
            _ => Ok((Response::text(404, "not found\n"), false)),
        }
    }

    /// The posted fields, first value of each name, once the CSRF token is right.
    fn posted(&self, request: &Request) -> Option<BTreeMap<String, String>> {
        let mut fields = BTreeMap::new();
        for (k, v) in request.form() {
            fields.entry(k).or_insert(v);
        }
        let token = fields.get(CSRF_FIELD)?;
        oauth::same(token, &self.csrf).then_some(fields)
    }

    fn forbidden(&self) -> Handled {
        let page = MessageView::error(
            "Refused: the form's security token is missing or wrong",
            vec!["Nothing was written. Reload the form from the address authgen printed and try again.".into()],
        );
        Ok((Response::html(403, self.pages.message(&page)?), false))
    }

    /// Take in what the form posted: the method and every known field.
    /// Err: the method named is not one of the spec's.
    fn absorb(&mut self, fields: &BTreeMap<String, String>) -> Result<(), String> {
        let needs = self.needs();
        if !needs.methods.is_empty() {
            let name = fields.get(METHOD_FIELD).map(String::as_str).unwrap_or_default();
            match needs.method_index(name) {
                Some(i) => self.method = Some(i),
                None => return Err("choose an authentication method".into()),
            }
        }
        // A value that fills an OAuth URL decides where secrets go: when a
        // post changes one, secrets kept from before are forgotten, so they
        // are sent only where the user typed them for.
        let steering = needs.oauth.as_ref().map(url_params).unwrap_or_default();
        let moved = steering.iter().any(|name| {
            let posted = fields.get(name).map(|v| v.trim()).unwrap_or_default();
            self.kept.get(name).is_some_and(|old| old != posted)
        });
        let all: Vec<&super::needs::Field> =
            needs.shared.iter().chain(needs.methods.iter().flat_map(|m| &m.fields)).collect();
        if moved {
            for f in all.iter().filter(|f| f.secret) {
                self.kept.remove(&f.name);
            }
        }
        for f in all {
            match fields.get(&f.name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                // A form sends a textarea's line breaks as CRLF: a key keeps its own LF ones.
                Some(v) if f.key => {
                    let key = v.replace("\r\n", "\n");
                    let key = if key.contains('\n') { key + "\n" } else { key };
                    self.kept.insert(f.name.clone(), key);
                }
                Some(v) => {
                    self.kept.insert(f.name.clone(), v.to_string());
                }
                // An emptied visible field means empty; a secret left empty keeps what we have.
                None if !f.secret => {
                    self.kept.remove(&f.name);
                }
                None => {}
            }
        }
        Ok(())
    }

    /// A field's value now: what was posted or kept, then the refresh token
    /// the authorization flow received.
    fn value(&self, name: &str) -> Option<String> {
        self.kept.get(name).cloned().or_else(|| if name == "refresh_token" { self.refresh_token.clone() } else { None })
    }

    fn save(&mut self, request: &Request) -> Handled {
        let Some(fields) = self.posted(request) else { return self.forbidden() };
        if let Err(message) = self.absorb(&fields) {
            return Ok((self.form(400, vec![message])?, false));
        }
        let needs = self.needs();
        let values = match needs.collect(self.method, |n| self.value(n)) {
            Ok(values) => values,
            Err(missing) => {
                let errors = missing.iter().map(|n| format!("{n} is required")).collect();
                return Ok((self.form(400, errors)?, false));
            }
        };
        if self.session.verify
            && let Some(o) = needs.oauth_for(self.method).filter(|o| o.flow == OauthFlow::M2m)
        {
            match oauth::verify_m2m(self.session, o, &o.token_url, &o.scopes, &values) {
                Ok(message) => self.notice = Some(message),
                Err(message) => return Ok((self.form(400, vec![message])?, false)),
            }
        }
        let existing = store::read_existing(&self.session.path)?;
        let changes = store::changes(&existing, &values);
        if changes.is_empty() {
            eprintln!("{}: {} already holds these values: nothing written", self.session.source, self.session.shown);
            let page = MessageView {
                target: Some(self.session.shown.clone()),
                ..MessageView::ok(
                    "Nothing to change",
                    vec!["The file already holds these values; it was not touched. You can close this tab.".into()],
                )
            };
            return Ok((Response::html(200, self.pages.message(&page)?), true));
        }
        if !matches!(existing, Existing::Absent) && !self.session.yes {
            self.pending_save = Some(values);
            let page = MessageView {
                kind: "ok",
                heading: "Replace the existing file?".into(),
                paragraphs: vec!["The file exists. Saving changes these keys (values hidden):".into()],
                target: Some(self.session.shown.clone()),
                changes: changes.iter().map(KeyChange::line).collect(),
                confirm: true,
                csrf_token: self.csrf.clone(),
                back: true,
            };
            return Ok((Response::html(200, self.pages.message(&page)?), false));
        }
        self.write(&values, &changes)
    }

    fn confirm(&mut self, request: &Request) -> Handled {
        if self.posted(request).is_none() {
            return self.forbidden();
        }
        let Some(values) = self.pending_save.take() else {
            let page = MessageView::error("Nothing to confirm", vec!["Save the form first.".into()]);
            return Ok((Response::html(400, self.pages.message(&page)?), false));
        };
        let changes = store::changes(&store::read_existing(&self.session.path)?, &values);
        self.write(&values, &changes)
    }

    fn write(&mut self, values: &Values, changes: &[KeyChange]) -> Handled {
        for note in store::write(self.session, values)? {
            eprintln!("{note}");
        }
        let mut paragraphs = vec![format!(
            "Saved {} value{} to the file below, readable by you only. You can close this tab.",
            values.len(),
            if values.len() == 1 { "" } else { "s" }
        )];
        paragraphs.extend(self.notice.take());
        let page = MessageView {
            target: Some(self.session.shown.clone()),
            changes: changes.iter().map(KeyChange::line).collect(),
            ..MessageView::ok("Credentials saved", paragraphs)
        };
        Ok((Response::html(200, self.pages.message(&page)?), true))
    }

    /// "Authorize": send the browser to the provider with a fresh state and
    /// PKCE challenge.
    fn start(&mut self, request: &Request) -> Handled {
        let Some(fields) = self.posted(request) else { return self.forbidden() };
        if let Err(message) = self.absorb(&fields) {
            return Ok((self.form(400, vec![message])?, false));
        }
        let needs = self.needs();
        let Some(config) = needs.oauth_for(self.method).filter(|o| o.flow.is_user()) else {
            return Ok((
                self.form(400, vec!["this authentication method does not use the OAuth authorization flow".into()])?,
                false,
            ));
        };
        let Some(client_id) = self.value("client_id") else {
            return Ok((self.form(400, vec!["fill client_id before authorizing".into()])?, false));
        };
        let mut errors = Vec::new();
        let mut endpoint = |template: &str, what: &str| -> Option<String> {
            match oauth::fill(template, |n| self.value(n)) {
                Ok(url) => match oauth::check_url(&url, what) {
                    Ok(()) => Some(url),
                    Err(message) => {
                        errors.push(message);
                        None
                    }
                },
                Err(name) => {
                    errors.push(format!("the {what} needs {name}: fill it first"));
                    None
                }
            }
        };
        let authorization_url = endpoint(&config.authorization_url, "authorization URL");
        let token_url = endpoint(&config.token_url, "token URL");
        let (Some(authorization_url), Some(token_url)) = (authorization_url, token_url) else {
            return Ok((self.form(400, errors)?, false));
        };

        let state = oauth::random_token()?;
        let verifier = if config.pkce { Some(oauth::random_token()?) } else { None };
        let challenge = verifier.as_deref().map(oauth::pkce_challenge);
        let mut query: Vec<(&str, &str)> =
            vec![("response_type", "code"), ("client_id", &client_id), ("redirect_uri", &self.redirect_uri)];
        if !config.scopes.is_empty() {
            query.push(("scope", &config.scopes));
        }
        query.push(("state", &state));
        if let Some(challenge) = &challenge {
            query.push(("code_challenge", challenge));
            query.push(("code_challenge_method", "S256"));
        }
        const OURS: [&str; 7] =
            ["response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"];
        for (k, v) in &config.extra_auth_params {
            if OURS.contains(&k.as_str()) {
                eprintln!("{}: oauth.extra_auth_params.{k} ignored: authgen sets {k} itself", self.session.source);
            } else {
                query.push((k, v));
            }
        }
        let location = oauth::with_query(&authorization_url, query);
        if let Err(message) = oauth::check_url(&location, "authorization URL") {
            return Ok((self.form(400, vec![message])?, false));
        }

        // Old attempts expire; a handful at once is plenty.
        self.pending.retain(|p| p.started.elapsed() < AUTHORIZATION_LIFETIME);
        if self.pending.len() >= 8 {
            self.pending.remove(0);
        }
        self.pending.push(Pending {
            state,
            verifier,
            token_url,
            client_id,
            client_secret: self.value("client_secret").unwrap_or_default(),
            basic: config.client_auth_basic,
            issuer_origin: origin(&authorization_url).unwrap_or_default(),
            started: Instant::now(),
        });
        let host =
            location.parse::<ureq::http::Uri>().ok().and_then(|u| u.host().map(str::to_string)).unwrap_or_default();
        eprintln!(
            "{}: authorization started at {host}; waiting for the provider to send the browser back",
            self.session.source
        );
        Ok((Response::see_other(location), false))
    }

    /// The provider sends the browser back here with a code (or an error).
    fn callback(&mut self, request: &Request) -> Handled {
        let mut query = BTreeMap::new();
        for (k, v) in request.query_pairs() {
            query.entry(k).or_insert(v);
        }
        let source = self.session.source.clone();
        let refuse = |this: &Self, heading: &str, text: String| -> Handled {
            eprintln!("{source}: authorization callback refused: {heading}");
            let page = MessageView::error(
                heading,
                vec![text, "Nothing was exchanged. Go back to the form and press Authorize again.".into()],
            );
            Ok((Response::html(400, this.pages.message(&page)?), false))
        };
        let Some(state) = query.get("state").filter(|s| !s.is_empty()) else {
            return refuse(
                self,
                "No state in the callback",
                "The provider's answer carries no state, so authgen cannot tell it started this sign-in.".into(),
            );
        };
        if self.used_states.iter().any(|s| oauth::same(s, state)) {
            return refuse(
                self,
                "This callback was already used",
                "Each authorization answer is accepted once; this one was replayed.".into(),
            );
        }
        let Some(index) = self.pending.iter().position(|p| oauth::same(&p.state, state)) else {
            return refuse(
                self,
                "State mismatch",
                "The state in the provider's answer does not match any sign-in this form started.".into(),
            );
        };
        let pending = self.pending.remove(index);
        self.used_states.push(pending.state.clone());
        if pending.started.elapsed() >= AUTHORIZATION_LIFETIME {
            return refuse(
                self,
                "This sign-in expired",
                "More than 10 minutes passed since Authorize was pressed.".into(),
            );
        }
        if let Some(text) = issuer_mismatch(query.get("iss"), &pending.issuer_origin) {
            return refuse(self, "Issuer mismatch", text);
        }
        if let Some(error) = query.get("error") {
            let description = query.get("error_description").map(|d| plain(d)).unwrap_or_default();
            let heading = if error == "access_denied" { "Access was denied" } else { "The provider did not authorize" };
            let mut text = if error == "access_denied" {
                "The sign-in or the consent screen was declined, so the provider sent no authorization code."
                    .to_string()
            } else {
                format!("The provider answered with the error {:?}.", plain(error))
            };
            if !description.is_empty() {
                text.push_str(&format!(" It said: {description}"));
            }
            return refuse(self, heading, text);
        }
        let Some(code) = query.get("code").filter(|c| !c.is_empty()) else {
            return refuse(self, "No authorization code", "The provider sent the browser back without a code.".into());
        };
        let mut grant = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", self.redirect_uri.as_str()),
        ];
        if let Some(verifier) = &pending.verifier {
            grant.push(("code_verifier", verifier));
        }
        let secrets = [pending.client_secret.as_str(), code.as_str()];
        match oauth::request_token(
            &pending.token_url,
            &grant,
            (&pending.client_id, &pending.client_secret),
            pending.basic,
        ) {
            Err(e) => {
                let text = redact(&e.to_string(), &secrets);
                let heading = match e {
                    TokenError::Provider { .. } => "The token endpoint refused the code",
                    TokenError::Transport(_) => "The token endpoint could not be reached",
                };
                refuse(self, heading, text)
            }
            Ok(token) if token.refresh_token.is_none() => refuse(
                self,
                "No refresh token was issued",
                "The provider gave an access token but no refresh token, and the test needs one to sign in later. \
                 Ask for offline access (for example access_type=offline and prompt=consent in extra_auth_params, \
                 or the offline_access scope), then press Authorize again."
                    .into(),
            ),
            Ok(token) => {
                self.refresh_token = token.refresh_token;
                self.notice =
                    Some("Authorized: the provider issued a refresh token. It is kept here until you save.".into());
                eprintln!("{}: authorization complete: refresh token received", self.session.source);
                let page = MessageView {
                    back: true,
                    ..MessageView::ok(
                        "Authorized",
                        vec![
                            "The provider issued a refresh token. Go back to the form and press Save credentials."
                                .into(),
                        ],
                    )
                };
                Ok((Response::html(200, self.pages.message(&page)?), false))
            }
        }
    }

    fn form(&self, status: u16, errors: Vec<String>) -> Result<Response> {
        let needs = self.needs();
        let methods = needs
            .methods
            .iter()
            .enumerate()
            .map(|(i, m)| MethodView {
                index: i,
                name: m.name.clone(),
                description: m.description.clone(),
                checked: self.method == Some(i),
            })
            .collect();
        // Each name once; a field several methods share shows with any of them.
        let mut required = Vec::new();
        let mut optional = Vec::new();
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let owners = needs
            .shared
            .iter()
            .map(|f| (None, f))
            .chain(needs.methods.iter().enumerate().flat_map(|(i, m)| m.fields.iter().map(move |f| (Some(i), f))));
        let mut placed: Vec<(bool, FieldView)> = Vec::new();
        for (method, f) in owners {
            if let Some(&at) = seen.get(f.name.as_str()) {
                if let Some(i) = method {
                    placed[at].1.classes.push_str(&format!(" for-{i}"));
                }
                continue;
            }
            seen.insert(&f.name, placed.len());
            let kept = self.kept.get(&f.name);
            let placeholder = if f.name == "refresh_token" && self.refresh_token.is_some() && kept.is_none() {
                Some("received from the provider (kept until you save)".to_string())
            } else if f.secret && kept.is_some() {
                Some("kept from before (type to replace)".to_string())
            } else if f.name == "refresh_token" {
                Some("press Authorize below to get one, or paste one".to_string())
            } else {
                None
            };
            placed.push((
                f.required,
                FieldView {
                    name: f.name.clone(),
                    description: f.description.clone(),
                    secret: f.secret,
                    key: f.key,
                    value: if f.secret { String::new() } else { kept.cloned().unwrap_or_default() },
                    placeholder,
                    classes: method.map(|i| format!("m for-{i}")).unwrap_or_default(),
                },
            ));
        }
        let user_flow = needs.oauth.as_ref().is_some_and(|o| o.flow.is_user());
        let mut refresh = None;
        for (is_required, view) in placed {
            if user_flow && view.name == "refresh_token" {
                refresh = Some(view);
            } else if is_required {
                required.push(view);
            } else {
                optional.push(view);
            }
        }
        let oauth = needs.oauth.as_ref().map(|o| {
            let mut view = oauth_view(needs, o, self.refresh_token.is_some());
            view.refresh = refresh;
            view
        });
        let view = FormView {
            title: needs.title.clone(),
            target: self.session.shown.clone(),
            csrf_token: self.csrf.clone(),
            errors,
            notice: self.notice.clone(),
            methods,
            required,
            optional,
            oauth,
            redirect_uri: self.redirect_uri.clone(),
        };
        Ok(Response::html(status, self.pages.form(&view)?))
    }
}

fn oauth_view(needs: &Needs, o: &OauthConfig, authorized: bool) -> OauthView {
    let classes = if needs.methods.is_empty() {
        String::new()
    } else {
        let owners: Vec<String> =
            needs.methods.iter().enumerate().filter(|(_, m)| m.oauth).map(|(i, _)| format!("for-{i}")).collect();
        format!("m {}", owners.join(" "))
    };
    let status = if authorized {
        "Authorized: refresh token received.".to_string()
    } else {
        "Not authorized yet: fill the client credentials, then press Authorize.".to_string()
    };
    let note = if o.flow.is_user() {
        "The URLs and scopes come from the spec; {param} placeholders are filled from the fields above. Authorize sends \
         you to the provider to sign in; it sends you back here with a code that authgen exchanges for a refresh token."
    } else {
        "Client credentials flow (m2m): no sign-in. The URL and scopes come from the spec; {param} placeholders are \
         filled from the fields above; with --verify, saving first fetches a token to check the credentials."
    };
    OauthView {
        flow: o.flow.name().to_string(),
        user: o.flow.is_user(),
        classes,
        authorization_url: o.authorization_url.clone(),
        token_url: o.token_url.clone(),
        scopes: o.scopes.clone(),
        status,
        note: note.to_string(),
        refresh: None,
    }
}

/// The `{param}` names the OAuth URLs are filled with.
fn url_params(o: &OauthConfig) -> Vec<String> {
    let mut names = Vec::new();
    for url in [&o.authorization_url, &o.token_url] {
        let mut rest = url.as_str();
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start + 1..].find('}') else { break };
            names.push(rest[start + 1..start + 1 + len].to_string());
            rest = &rest[start + len + 2..];
        }
    }
    names
}

/// RFC 9207: an `iss` in the provider's answer must name the issuer the
/// sign-in went to (against mix-up attacks). Some: why it does not.
fn issuer_mismatch(iss: Option<&String>, expected: &str) -> Option<String> {
    let iss = iss?;
    origin(iss).is_none_or(|o| o != expected).then(|| {
        format!(
            "The answer says it comes from {:?}, not from the provider this sign-in went to ({expected}).",
            plain(iss)
        )
    })
}

/// `scheme://host[:port]` of a URL, lower case; `None` when it has no host.
fn origin(url: &str) -> Option<String> {
    let uri: ureq::http::Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host().filter(|h| !h.is_empty())?.to_ascii_lowercase();
    let port = match uri.port_u16() {
        Some(p) if !matches!((scheme.as_str(), p), ("https", 443) | ("http", 80)) => format!(":{p}"),
        _ => String::new(),
    };
    Some(format!("{scheme}://{host}{port}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_said_in_minutes_when_whole() {
        assert_eq!(human(Duration::from_secs(60)), "1 minute");
        assert_eq!(human(Duration::from_secs(600)), "10 minutes");
        assert_eq!(human(Duration::from_secs(90)), "90 s");
        assert_eq!(human(Duration::from_secs(30)), "30 s");
        assert_eq!(human(Duration::from_secs(0)), "0 s");
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert_eq!(origin("https://Login.Example.com/o/auth?x=1").as_deref(), Some("https://login.example.com"));
        assert_eq!(origin("https://login.example.com:443/a").as_deref(), Some("https://login.example.com"));
        assert_eq!(origin("http://127.0.0.1:8080/a").as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(origin("https://a.example:8443").as_deref(), Some("https://a.example:8443"));
        assert_eq!(origin("not a url"), None);
        assert_eq!(origin("/relative"), None);
    }

    #[test]
    fn url_params_names_every_placeholder_of_both_urls() {
        let o = OauthConfig {
            flow: crate::spec::OauthFlow::U2m,
            pkce: true,
            scopes: String::new(),
            authorization_url: "{h}/authorize?tenant={tenant_id}".into(),
            token_url: "https://{ab}.example/{x}/token".into(),
            extra_auth_params: Vec::new(),
            client_auth_basic: false,
            token_params: Vec::new(),
        };
        assert_eq!(url_params(&o), ["h", "tenant_id", "ab", "x"]);
    }
}
