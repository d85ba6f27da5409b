//! Tera templates, embedded in the binary and overridable file by file.

use std::path::Path;

use crate::error::{Error, Result, chain};
use crate::plan::{AuthPlan, PyContext};

/// The templates shipped with authgen: (name, text). Partials hold what only
/// some files need; the main template includes each only where it is used.
pub const BUILTIN: &[(&str, &str)] = &[
    ("auth_test.py.tera", include_str!("../templates/auth_test.py.tera")),
    ("authgen_runtime.py.tera", include_str!("../templates/authgen_runtime.py.tera")),
    ("partials/imports.py.tera", include_str!("../templates/partials/imports.py.tera")),
    ("partials/facts_single.py.tera", include_str!("../templates/partials/facts_single.py.tera")),
    ("partials/facts_methods.py.tera", include_str!("../templates/partials/facts_methods.py.tera")),
    ("partials/oauth.py.tera", include_str!("../templates/partials/oauth.py.tera")),
    ("partials/oauth_client_basic.py.tera", include_str!("../templates/partials/oauth_client_basic.py.tera")),
    ("partials/oauth_client_body.py.tera", include_str!("../templates/partials/oauth_client_body.py.tera")),
    ("partials/put_header.py.tera", include_str!("../templates/partials/put_header.py.tera")),
    ("partials/put_query.py.tera", include_str!("../templates/partials/put_query.py.tera")),
    ("partials/put_basic.py.tera", include_str!("../templates/partials/put_basic.py.tera")),
    ("partials/put_oauth.py.tera", include_str!("../templates/partials/put_oauth.py.tera")),
    // Signed and session auth.
    ("partials/put_session.py.tera", include_str!("../templates/partials/put_session.py.tera")),
    ("partials/put_jwt_bearer.py.tera", include_str!("../templates/partials/put_jwt_bearer.py.tera")),
    ("partials/sign_sigv4.py.tera", include_str!("../templates/partials/sign_sigv4.py.tera")),
    ("partials/oauth_client_key.py.tera", include_str!("../templates/partials/oauth_client_key.py.tera")),
];

const MAIN: &str = "auth_test.py.tera";
const RUNTIME: &str = "authgen_runtime.py.tera";
/// The line length generated files are checked against.
pub const LINE_LENGTH: usize = 100;

pub struct Renderer {
    tera: tera::Tera,
}

impl Renderer {
    /// The built-in templates, with any file of the same name in `overrides`
    /// taking its place.
    pub fn new(overrides: Option<&Path>) -> Result<Self> {
        let mut templates: Vec<(String, String)> =
            BUILTIN.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        // Where each template came from, for messages: its override file, or its built-in name.
        let mut origins: Vec<String> = templates.iter().map(|(n, _)| n.clone()).collect();
        if let Some(dir) = overrides {
            if !dir.is_dir() {
                return Err(Error::Usage(format!("--templates {}: not a directory", dir.display())));
            }
            for ((name, text), origin) in templates.iter_mut().zip(&mut origins) {
                let path = dir.join(name.as_str());
                if let Some(custom) = crate::error::read_text(&path)? {
                    *text = custom;
                    *origin = crate::error::shown(&path).display().to_string();
                }
            }
        }
        // A partial is included in place of its tag line, whose own line break
        // follows: drop the partial's final one so lines are not doubled.
        for (name, text) in &mut templates {
            if name.as_str() != MAIN && name.as_str() != RUNTIME {
                let trimmed = text.trim_end_matches(['\n', '\r']).len();
                text.truncate(trimmed);
            }
        }
        let mut tera = tera::Tera::default();
        // Python is not HTML: values are already safe literals.
        tera.autoescape_on(Vec::new());
        crate::sandbox::disable_outside_functions(&mut tera);
        let sources = templates.clone();
        tera.add_raw_templates(templates)
            .map_err(|e| Error::Template { name: "templates".into(), message: chain(&e) })?;
        for ((name, text), origin) in sources.iter().zip(&origins) {
            let Ok(template) = tera.get_template(name) else { continue };
            if let Some(call) = crate::sandbox::forbidden_call(&template.ast) {
                let line = crate::sandbox::line_of_call(text, &call).map_or_else(String::new, |l| format!(":{l}"));
                return Err(Error::Template {
                    name: format!("{origin}{line}"),
                    message: format!(
                        "calls {call}(), which templates may not use: they render the plan only, never the environment, files, time or randomness (allowed functions: {})",
                        crate::sandbox::ALLOWED_FUNCTIONS.join(", ")
                    ),
                });
            }
        }
        Ok(Renderer { tera })
    }

    pub fn render(&self, plan: &AuthPlan) -> Result<String> {
        let context = tera::Context::from_serialize(PyContext::new(plan))
            .map_err(|e| Error::Template { name: MAIN.into(), message: chain(&e) })?;
        let text =
            self.tera.render(MAIN, &context).map_err(|e| Error::Template { name: MAIN.into(), message: chain(&e) })?;
        Ok(finish(&text))
    }
}

impl Renderer {
    /// The shared runtime module: the same for every source of a repository.
    pub fn render_runtime(&self) -> Result<String> {
        let text = self
            .tera
            .render(RUNTIME, &tera::Context::new())
            .map_err(|e| Error::Template { name: RUNTIME.into(), message: chain(&e) })?;
        Ok(finish(&text))
    }
}

/// One trailing newline, and a lint waiver on lines a long spec string made
/// too long: a string literal cannot be wrapped without changing the file's
/// shape, and the formatter leaves such lines alone.
fn finish(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.trim_end().lines() {
        let line = line.trim_end();
        out.push_str(line);
        // Bytes bound characters from above: count characters only when it can matter.
        if line.len() > LINE_LENGTH && line.chars().count() > LINE_LENGTH && is_data_line(line) {
            out.push_str("  # noqa: E501");
        }
        out.push('\n');
    }
    out
}

/// A constant, a dict/tuple entry or a `Method(...)` keyword argument holding
/// spec data: the only lines a spec string can make long. Code lines are
/// never waived.
fn is_data_line(line: &str) -> bool {
    let t = line.trim_start();
    let keyword = t.split_once('=').is_some_and(|(name, value)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            && value.starts_with(['"', '\'', '('])
    });
    t.starts_with('"')
        || t.starts_with('\'')
        || keyword
        || t.split_once(" = ").is_some_and(|(name, _)| name.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
}
