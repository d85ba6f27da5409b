//! `--mode cli`: one prompt per value on the terminal, secrets without echo.
//! With piped standard input, one line per prompt, so it can be scripted.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use super::needs::{Field, Needs, Session, Values, plain};
use super::oauth::verify_m2m;
use super::store::{self, Existing, KeyChange};
use crate::error::{Error, Result};
use crate::sync;
use crate::term;

/// Where the answers come from.
struct Input {
    /// A person at a terminal: hide secrets, ask again after a mistake.
    tty: bool,
    line: usize,
}

impl Input {
    /// The next line as read (hidden for a secret at a terminal); `None` at end of input.
    fn read(&mut self, prompt: &str, secret: bool) -> Result<Option<String>> {
        self.line += 1;
        let line = if self.tty && secret {
            hidden::read_line(prompt)
        } else {
            show_prompt(prompt);
            read_line()
        };
        line.map_err(|e| Error::Usage(format!("reading standard input: {e}")))
    }

    /// The next answer, trimmed; `None` at end of input.
    fn ask(&mut self, prompt: &str, secret: bool) -> Result<Option<String>> {
        let line = self.read(prompt, secret);
        if !self.tty {
            // The answer is not echoed: end the prompt's line so the transcript reads well.
            eprintln!();
        }
        Ok(line?.map(|l| l.trim().to_string()))
    }

    /// The next line with only its line end removed; `None` at end of input.
    fn ask_raw(&mut self, prompt: &str, secret: bool) -> Result<Option<String>> {
        Ok(self.read(prompt, secret)?.map(|l| l.trim_end_matches(['\r', '\n']).to_string()))
    }

    /// Not answered: at a terminal, say so and ask again; piped, stop.
    fn wrong(&self, message: String) -> Result<()> {
        if self.tty {
            eprintln!("  {message}");
            Ok(())
        } else {
            Err(Error::Usage(format!("standard input line {}: {message}; nothing written", self.line)))
        }
    }
}

fn show_prompt(prompt: &str) {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
}

fn read_line() -> std::io::Result<Option<String>> {
    let mut line = String::new();
    let n = std::io::stdin().lock().read_line(&mut line)?;
    Ok((n > 0).then_some(line))
}

fn ended(what: &str) -> Error {
    Error::Usage(format!("input ended at the prompt for {what}: nothing written"))
}

pub fn run(session: &Session) -> Result<i32> {
    let needs = &session.needs;
    let mut input = Input { tty: std::io::stdin().is_terminal(), line: 0 };
    let bold = |text: &str| term::paint(term::color_stderr(), "1", text);
    eprintln!("{} credentials for {} → {}", bold(&session.source), plain(&needs.title), session.shown);

    let method = choose_method(needs, &mut input)?;
    let fields = needs.fields(method);
    let required = fields.iter().filter(|f| f.required).count();
    if required > 0 {
        eprintln!("{}", bold(&format!("Required ({required}):")));
    }
    let mut values = Values::new();
    for (name, path) in &session.from_file {
        if !fields.iter().any(|f| &f.name == name) {
            let known: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            return Err(Error::Usage(format!(
                "--from-file {name}: no such value to collect (one of: {})",
                known.join(", ")
            )));
        }
        let text = crate::error::read_text(path)?
            .ok_or_else(|| Error::io(path, std::io::Error::from(std::io::ErrorKind::NotFound)))?;
        if text.trim().is_empty() {
            return Err(Error::input(path, format!("{name}: the file is empty")));
        }
        eprintln!("  {name}: read from {} ({} lines, kept as they are)", path.display(), text.lines().count());
        values.insert(name.clone(), text);
    }
    for (i, field) in fields.iter().enumerate() {
        if values.contains_key(&field.name) {
            continue;
        }
        if i == required {
            eprintln!("{}", bold(&format!("Optional ({}, Enter skips):", fields.len() - required)));
        }
        if field.name == "refresh_token" && needs.oauth_for(method).is_some_and(|o| o.flow.is_user()) {
            eprintln!(
                "  (none yet? `authgen credentials {} --mode browser` signs in at the provider and gets one)",
                session.source
            );
        }
        if let Some(value) = ask_field(field, &mut input)? {
            values.insert(field.name.clone(), value);
        }
    }

    if session.verify {
        match needs.oauth_for(method).filter(|o| o.flow == crate::spec::OauthFlow::M2m) {
            Some(oauth) => {
                let (token_url, scopes) = (oauth.token_url.clone(), oauth.scopes.clone());
                if let Err(message) = verify_m2m(session, oauth, &token_url, &scopes, &values) {
                    return Err(Error::Failed(format!(
                        "{message}\nnothing written (run without --verify to save anyway)"
                    )));
                }
            }
            None => eprintln!(
                "{}: --verify: nothing to verify for this method (no client credentials flow)",
                session.source
            ),
        }
    }
    save(session, &values, &mut input)
}

fn choose_method(needs: &Needs, input: &mut Input) -> Result<Option<usize>> {
    if needs.methods.is_empty() {
        return Ok(None);
    }
    // Piped input has one order whatever the spec: the method line comes
    // first whenever the spec has auth_methods, even just one, so a script
    // written for it does not shift when a method is added or removed.
    if needs.methods.len() == 1 && input.tty {
        eprintln!("Authentication method: {} (the only one)", plain(&needs.methods[0].name));
        return Ok(Some(0));
    }
    eprintln!("Authentication methods:");
    for (i, m) in needs.methods.iter().enumerate() {
        match &m.description {
            Some(d) => eprintln!("  {}) {} — {}", i + 1, plain(&m.name), plain(d)),
            None => eprintln!("  {}) {}", i + 1, plain(&m.name)),
        }
    }
    let prompt = match needs.methods.len() {
        1 => "method [1 or name]: ".to_string(),
        n => format!("method [1-{n} or name]: "),
    };
    loop {
        let Some(answer) = input.ask(&prompt, false)? else { return Err(ended("the method")) };
        let by_number = answer.parse::<usize>().ok().filter(|n| (1..=needs.methods.len()).contains(n)).map(|n| n - 1);
        if let Some(i) = by_number.or_else(|| needs.method_index(&answer)) {
            return Ok(Some(i));
        }
        input.wrong(format!("{:?} is not one of the methods: give its number or name", plain(&answer)))?;
    }
}

fn ask_field(field: &Field, input: &mut Input) -> Result<Option<String>> {
    if let Some(d) = &field.description {
        eprintln!("  {}", term::paint(term::color_stderr(), "2", &plain(d)));
    }
    let mut notes = Vec::new();
    if field.secret {
        notes.push(if input.tty { "secret, not shown" } else { "secret" });
    }
    if !field.required {
        notes.push("optional");
    }
    if !field.for_check {
        notes.push("for the connector, not the check");
    }
    if field.key {
        notes.push("paste it whole, or use --from-file NAME=PATH");
    }
    let prompt =
        if notes.is_empty() { format!("{}: ", field.name) } else { format!("{} ({}): ", field.name, notes.join(", ")) };
    if field.key {
        return ask_key(field, &prompt, input);
    }
    loop {
        let Some(answer) = input.ask(&prompt, field.secret)? else {
            // Piped input that stops after the required values leaves the
            // optional ones empty, as Enter would.
            return if field.required { Err(ended(&field.name)) } else { Ok(None) };
        };
        if !answer.is_empty() {
            return Ok(Some(answer));
        }
        if !field.required {
            return Ok(None);
        }
        input.wrong(format!("{} is required", field.name))?;
    }
}

/// Key material, kept as given but for line ends: a PEM block read to its
/// `-----END` line (and ending with a line break, as a PEM file does), a JSON
/// key file to its closing brace, anything else as one line; an empty line
/// ends a paste early. One line per prompt from a pipe still works.
fn ask_key(field: &Field, prompt: &str, input: &mut Input) -> Result<Option<String>> {
    loop {
        let first = match input.ask_raw(prompt, field.secret)? {
            None => return if field.required { Err(ended(&field.name)) } else { Ok(None) },
            Some(line) if line.trim().is_empty() => {
                if !field.required {
                    return Ok(None);
                }
                input.wrong(format!("{} is required", field.name))?;
                continue;
            }
            Some(line) => line,
        };
        let pem = first.trim_start().starts_with("-----BEGIN");
        let depth = |line: &str| line.matches('{').count() as i64 - line.matches('}').count() as i64;
        let mut open = depth(&first);
        if !pem && open <= 0 {
            return Ok(Some(first.trim().to_string()));
        }
        let mut lines = vec![first];
        loop {
            match input.ask_raw("", field.secret)? {
                Some(line) if line.trim().is_empty() => break,
                Some(line) => {
                    open += depth(&line);
                    let done = if pem { line.trim_start().starts_with("-----END") } else { open <= 0 };
                    lines.push(line);
                    if done {
                        break;
                    }
                }
                None => break,
            }
        }
        return Ok(Some(lines.join("\n") + "\n"));
    }
}

/// Show what changes, confirm when a file would be replaced, write.
fn save(session: &Session, values: &Values, input: &mut Input) -> Result<i32> {
    let existing = store::read_existing(&session.path)?;
    let changes = store::changes(&existing, values);
    if changes.is_empty() {
        eprintln!("{}: {} already holds these values: nothing written", session.source, session.shown);
        return Ok(0);
    }
    if !matches!(existing, Existing::Absent) {
        eprintln!("{} exists; saving changes:", session.shown);
        // Masked: a diff of this file would print the secrets.
        let lines: Vec<String> = changes.iter().map(KeyChange::line).collect();
        sync::show(&[], &sync::Display::Masked(&lines));
        let review = sync::Review {
            yes: session.yes,
            dry_run: false,
            can_ask: input.tty && term::interactive(),
            question: format!("Replace {}?", session.shown),
        };
        match sync::decide(&review) {
            sync::Decision::Write => {}
            sync::Decision::NoTerminal => {
                return Err(Error::Failed(format!(
                    "{} exists: pass --yes to replace it (nothing written)",
                    session.shown
                )));
            }
            sync::Decision::Declined | sync::Decision::DryRun => {
                return Err(Error::Failed("not confirmed: nothing written".into()));
            }
        }
    }
    for note in store::write(session, values)? {
        eprintln!("{note}");
    }
    Ok(0)
}

/// Reading a line with the terminal's echo off, and putting it back even
/// when the user presses Ctrl-C in the middle.
mod hidden {
    use std::cell::UnsafeCell;
    use std::mem::MaybeUninit;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// The terminal settings to restore, readable from a signal handler.
    struct Saved(UnsafeCell<MaybeUninit<libc::termios>>);
    // Written only before ACTIVE is set, read only while it is.
    unsafe impl Sync for Saved {}

    static SAVED: Saved = Saved(UnsafeCell::new(MaybeUninit::uninit()));
    static ACTIVE: AtomicBool = AtomicBool::new(false);
    const SIGNALS: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

    extern "C" fn restore_and_die(signal: libc::c_int) {
        // tcsetattr, signal and raise are async-signal-safe.
        if ACTIVE.load(Ordering::SeqCst) {
            unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, (*SAVED.0.get()).as_ptr()) };
        }
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }

    /// Echo goes off before the prompt shows, so a value pasted the moment
    /// it appears is not echoed either.
    pub fn read_line(prompt: &str) -> std::io::Result<Option<String>> {
        let mut original = MaybeUninit::<libc::termios>::uninit();
        if unsafe { libc::tcgetattr(libc::STDIN_FILENO, original.as_mut_ptr()) } != 0 {
            super::show_prompt(prompt);
            return super::read_line();
        }
        let original = unsafe { original.assume_init() };
        unsafe { (*SAVED.0.get()).write(original) };
        ACTIVE.store(true, Ordering::SeqCst);
        let handler = restore_and_die as extern "C" fn(libc::c_int) as libc::sighandler_t;
        let previous: Vec<libc::sighandler_t> = SIGNALS.iter().map(|s| unsafe { libc::signal(*s, handler) }).collect();
        let mut quiet = original;
        // No echo, but the Enter still moves to the next line.
        quiet.c_lflag = (quiet.c_lflag & !libc::ECHO) | libc::ECHONL;
        unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &quiet) };
        super::show_prompt(prompt);
        let line = super::read_line();
        unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &original) };
        ACTIVE.store(false, Ordering::SeqCst);
        for (s, old) in SIGNALS.iter().zip(previous) {
            unsafe { libc::signal(*s, old) };
        }
        line
    }
}
