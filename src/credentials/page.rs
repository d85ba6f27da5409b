//! The pages of the loopback server. Tera escapes every value in `.html`
//! templates, so no spec text can become markup.

use serde::Serialize;
use tera::{Context, Tera};

use crate::error::{Error, Result};

pub struct Pages {
    tera: Tera,
}

#[derive(Debug, Serialize)]
pub struct MethodView {
    pub index: usize,
    pub name: String,
    pub description: Option<String>,
    pub checked: bool,
}

#[derive(Debug, Serialize)]
pub struct FieldView {
    pub name: String,
    pub description: Option<String>,
    pub secret: bool,
    /// Key material: a textarea and a file input.
    pub key: bool,
    /// Pre-filled for non-secret fields only: secrets never go back to the page.
    pub value: String,
    pub placeholder: Option<String>,
    /// `m for-0 for-2` for fields of auth methods 0 and 2; empty when shared.
    pub classes: String,
}

#[derive(Debug, Serialize)]
pub struct OauthView {
    pub flow: String,
    /// A person signs in: the Authorize button and the redirect URI.
    pub user: bool,
    pub classes: String,
    pub authorization_url: String,
    pub token_url: String,
    pub scopes: String,
    pub status: String,
    pub note: String,
    /// The refresh token field, shown beside the Authorize button.
    pub refresh: Option<FieldView>,
}

#[derive(Debug, Serialize)]
pub struct FormView {
    pub title: String,
    pub target: String,
    pub csrf_token: String,
    pub errors: Vec<String>,
    pub notice: Option<String>,
    pub methods: Vec<MethodView>,
    pub required: Vec<FieldView>,
    pub optional: Vec<FieldView>,
    pub oauth: Option<OauthView>,
    pub redirect_uri: String,
}

#[derive(Debug, Default, Serialize)]
pub struct MessageView {
    /// `ok` or `error`: the heading's colour.
    pub kind: &'static str,
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub target: Option<String>,
    pub changes: Vec<String>,
    /// Offer "Replace the file" (posting the CSRF token).
    pub confirm: bool,
    pub csrf_token: String,
    pub back: bool,
}

impl MessageView {
    pub fn ok(heading: impl Into<String>, paragraphs: Vec<String>) -> Self {
        MessageView { kind: "ok", heading: heading.into(), paragraphs, ..MessageView::default() }
    }

    pub fn error(heading: impl Into<String>, paragraphs: Vec<String>) -> Self {
        MessageView { kind: "error", heading: heading.into(), paragraphs, back: true, ..MessageView::default() }
    }
}

impl Pages {
    pub fn new() -> Result<Self> {
        let mut tera = Tera::default();
        tera.add_raw_templates([
            ("form.html", include_str!("form.html")),
            ("field.html", include_str!("field.html")),
            ("oauth.html", include_str!("oauth.html")),
            ("message.html", include_str!("message.html")),
        ])
        .map_err(|e| Error::Template { name: "credentials form".into(), message: crate::error::chain(&e) })?;
        Ok(Pages { tera })
    }

    pub fn form(&self, view: &FormView) -> Result<String> {
        self.render("form.html", view)
    }

    pub fn message(&self, view: &MessageView) -> Result<String> {
        self.render("message.html", view)
    }

    fn render(&self, name: &str, view: &impl Serialize) -> Result<String> {
        let context = Context::from_serialize(view)
            .map_err(|e| Error::Template { name: name.into(), message: crate::error::chain(&e) })?;
        self.tera
            .render(name, &context)
            .map_err(|e| Error::Template { name: name.into(), message: crate::error::chain(&e) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_heading_is_coloured_by_its_kind() {
        let pages = Pages::new().unwrap();
        let ok = pages.message(&MessageView::ok("Saved", vec![])).unwrap();
        assert!(ok.contains("<h1 class=\"ok\" id=\"heading\">Saved</h1>"), "{ok}");
        let error = pages.message(&MessageView::error("Refused", vec![])).unwrap();
        assert!(error.contains("<h1 class=\"error\" id=\"heading\">Refused</h1>"), "{error}");
        // An error leads back to the form; a success has nowhere to go back to.
        assert!(error.contains("id=\"back\""), "{error}");
        assert!(!ok.contains("id=\"back\""), "{ok}");
    }

    #[test]
    fn spec_text_is_escaped_everywhere() {
        let evil = "<img src=x onerror=alert(1)>\"'&";
        let view = FormView {
            title: evil.into(),
            target: evil.into(),
            csrf_token: "tok".into(),
            errors: vec![evil.into()],
            notice: Some(evil.into()),
            methods: vec![MethodView { index: 0, name: evil.into(), description: Some(evil.into()), checked: true }],
            required: vec![FieldView {
                name: "token".into(),
                description: Some(evil.into()),
                secret: true,
                key: false,
                value: evil.into(),
                placeholder: Some(evil.into()),
                classes: String::new(),
            }],
            optional: Vec::new(),
            oauth: Some(OauthView {
                flow: "u2m".into(),
                user: true,
                classes: String::new(),
                authorization_url: evil.into(),
                token_url: evil.into(),
                scopes: evil.into(),
                status: evil.into(),
                note: evil.into(),
                refresh: Some(FieldView {
                    name: "refresh_token".into(),
                    description: Some(evil.into()),
                    secret: true,
                    key: false,
                    value: String::new(),
                    placeholder: Some(evil.into()),
                    classes: String::new(),
                }),
            }),
            redirect_uri: "http://127.0.0.1:1/oauth/callback".into(),
        };
        let html = Pages::new().unwrap().form(&view).unwrap();
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("\"'&"), "a quote or ampersand got through");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("type=\"password\""));
        assert!(html.contains("id=\"f-refresh_token\""), "the refresh token field sits in the OAuth block");
    }
}
