//! The render context: the plan with every string already a Python literal.
//! Templates print these as they are; the only choices they make are which
//! code paths this file needs, read from `uses`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::model::SignedPlan;
use super::model::{AuthPlan, CredentialPlan, DerivePlan, MethodPlan, RequestPlan, ShowSegment, Variant};
use super::pylit::{py_opt_str, py_str};

/// The line length generated files are formatted for.
const WIDTH: usize = 100;
/// Where a method's keyword arguments sit: inside `return (`, inside `Method(`.
const ARG_INDENT: usize = 12;

#[derive(Debug, Serialize)]
pub struct PyContext {
    /// Validated source name (letters, digits, `_`, `-`): safe in comments.
    pub source: String,
    pub http_client: &'static str,
    pub source_lit: String,
    pub display_name_lit: String,
    pub base_url_param_lit: Option<String>,
    /// `("a", "b")`, as the formatter lays it out at module level.
    pub secret_params: String,
    pub loader_parts: Vec<String>,
    pub credentials_parts: Vec<String>,
    pub runtime_parts: Vec<String>,
    /// The runtime's module name, and what this file imports from it.
    pub runtime_module: String,
    pub runtime_imports: Vec<&'static str>,
    /// `DEFAULTS` and `DERIVE`, when the plan has either (or selects its method).
    pub defaults: Option<String>,
    pub derive: Option<String>,
    /// `select_by`: the parameter naming the method.
    pub select_by_lit: Option<String>,
    /// The arguments of `CHECK.judge`, laid out as the formatter would.
    pub judge_args: String,
    /// More than one auth method: the file picks one at run time.
    pub several: bool,
    /// The request, when every method makes the same one: module constants.
    pub request: Option<PyRequest>,
    /// The only method of a file without `auth_methods`: module constants.
    pub single: Option<PyMethod>,
    /// One `Method(...)` each, for a file with several methods.
    pub methods: Vec<PyMethod>,
    /// The `Method` dataclass fields this file's methods use, in order.
    pub fields: Vec<PyField>,
    /// One `if`/`elif` per kind of credential the file's methods use.
    pub kinds: Vec<PyKind>,
    /// How the code names each fact: `ENDPOINT` or `method.endpoint`.
    pub at: BTreeMap<&'static str, String>,
    pub uses: Uses,
}

#[derive(Debug, Serialize)]
pub struct PyRequest {
    pub http_method: String,
    pub base_url: String,
    pub endpoint: String,
    pub headers: String,
    pub params: String,
    pub show: Option<String>,
    pub show_label: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PyMethod {
    /// The `auth_methods` entry, if the spec has them.
    pub name: Option<String>,
    pub auth: String,
    pub required: String,
    /// `(field, literal)`: the request, when methods differ in it.
    pub request: Vec<(&'static str, String)>,
    /// `(field, literal)`: where the credential goes.
    pub credential: Vec<(&'static str, String)>,
    /// For a file with several methods: `field=literal`, in the order a
    /// reader wants them, and whether they fit on the `Method(...)` line.
    pub args: Vec<String>,
    pub flat: bool,
}

#[derive(Debug, Serialize)]
pub struct PyField {
    pub name: &'static str,
    pub annotation: &'static str,
    /// `None` for a field every method sets.
    pub default: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct PyKind {
    /// `header`, `query`, `basic`, `oauth` or `none`: which partial puts the credential.
    pub kind: &'static str,
    /// The condition that selects it, e.g. `method.auth == "basic"`.
    pub test: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Uses {
    /// Some method sends a credential (not every one is `none`).
    pub authorize: bool,
    pub header: bool,
    pub query: bool,
    pub basic: bool,
    pub oauth: bool,
    /// OAuth client authentication by HTTP Basic, in the request body, or both.
    pub oauth_client_basic: bool,
    pub oauth_client_body: bool,
    /// Some OAuth method sends a refresh token; some other sends scopes.
    pub oauth_refresh: bool,
    pub oauth_scope: bool,
    /// Some method names scopes, which a 403 message then quotes.
    pub scopes: bool,
    /// Some templated string holds `{param}` placeholders.
    pub fill: bool,
    /// Defaults or derived values are computed before anything is filled.
    pub values: bool,
    /// The method is the one a parameter names.
    pub select: bool,
    /// Some header or query value (or header name) holds a placeholder.
    pub fill_request: bool,
    /// Some credential header name or prefix holds a placeholder.
    pub fill_header: bool,
    /// Some method judges by status alone (`expect: any`).
    pub expect_any: bool,
    /// Some method's scopes hold a placeholder: a 403 quotes them filled.
    pub fill_scopes: bool,
    /// Some OAuth method sends extra token request fields.
    pub token_params: bool,
    /// Some method shows a response field on success; not every one does.
    pub show: bool,
    pub show_varies: bool,
    /// Signed and session auth (plan/signed.rs): which of them some method uses.
    pub sigv4: bool,
    pub sigv4_session: bool,
    pub session: bool,
    pub jwt_bearer: bool,
    pub oauth_client_key: bool,
}

/// Every fact a method can carry, with its annotation and default: the
/// order in which `Method` declares them and each instance states them.
const FIELDS: &[(&str, &str, Option<&str>)] = &[
    ("name", "str", None),
    ("auth", "str", None),
    ("required", "tuple[str, ...]", None),
    ("http_method", "str", None),
    ("base_url", "str", None),
    ("endpoint", "str", None),
    ("headers", "dict", None),
    ("params", "dict", None),
    ("show", "tuple", None),
    ("show_label", "str | None", None),
    ("header", "str", Some("\"\"")),
    ("prefix", "str", Some("\"\"")),
    ("credential", "str", Some("\"\"")),
    ("query_param", "str", Some("\"\"")),
    ("username", "str", Some("\"\"")),
    ("password", "str", Some("\"\"")),
    ("token_url", "str", Some("\"\"")),
    ("grant", "str", Some("\"\"")),
    ("scopes", "str | None", Some("None")),
    ("client_auth", "str", Some("\"\"")),
    ("client_id", "str", Some("\"\"")),
    ("client_secret", "str", Some("\"\"")),
    ("refresh_token", "str", Some("\"\"")),
    ("token_params", "dict | None", Some("None")),
    ("expect", "str", Some("\"json\"")),
    ("private_key", "str", Some("\"\"")),
    ("key_id", "str", Some("\"\"")),
    ("signing_alg", "str", Some("\"\"")),
    ("key_json", "str", Some("\"\"")),
    ("subject", "str", Some("\"\"")),
    ("login_endpoint", "str", Some("\"\"")),
    ("login_method", "str", Some("\"\"")),
    ("login_body", "str", Some("\"\"")),
    ("login_fields", "dict | None", Some("None")),
    ("token_field", "tuple", Some("()")),
    ("access_key_id", "str", Some("\"\"")),
    ("secret_access_key", "str", Some("\"\"")),
    ("session_token", "str", Some("\"\"")),
    ("region", "str", Some("\"\"")),
    ("service", "str", Some("\"\"")),
];

const REQUEST_FIELDS: [&str; 7] = ["http_method", "base_url", "endpoint", "headers", "params", "show", "show_label"];

impl PyContext {
    pub fn new(plan: &AuthPlan) -> Self {
        let several = plan.methods.len() > 1;
        let shared = plan.methods.windows(2).all(|w| same_request(&w[0].request, &w[1].request));
        let mut uses = Uses::default();
        for m in &plan.methods {
            note_uses(m, &mut uses);
        }
        uses.values = !plan.derive.is_empty() || !plan.defaults.is_empty();
        uses.select = plan.select_by.is_some();
        uses.show_varies = !shared && plan.methods.iter().any(|m| m.request.show.is_none());

        let request = shared.then(|| py_request(&plan.methods[0].request)).filter(|_| !plan.methods.is_empty());
        let py_methods: Vec<PyMethod> = plan.methods.iter().map(|m| py_method(m, !shared, several)).collect();
        let used: Vec<&str> =
            py_methods.iter().flat_map(|m| m.request.iter().chain(&m.credential).map(|(k, _)| *k)).collect();
        let fields = FIELDS
            .iter()
            .filter(|(name, _, _)| ["name", "auth", "required"].contains(name) || used.contains(name))
            .map(|&(name, annotation, default)| PyField { name, annotation, default })
            .collect();

        let mut at = BTreeMap::new();
        for (name, _, _) in FIELDS {
            let on_method = several && !(shared && REQUEST_FIELDS.contains(name));
            at.insert(*name, if on_method { format!("method.{name}") } else { name.to_ascii_uppercase() });
        }

        let single_named = plan.methods.first().is_some_and(|m| m.name.is_some());
        let (single, methods) = if several { (None, py_methods) } else { (py_methods.into_iter().next(), Vec::new()) };
        let parts = |rel: &str| rel.split('/').filter(|p| !p.is_empty()).map(py_str).collect();
        let secrets: Vec<String> = plan.secret_params().into_iter().map(py_str).collect();
        PyContext {
            source: plan.source.clone(),
            http_client: plan.http_client.name(),
            source_lit: py_str(&plan.source),
            display_name_lit: py_str(&plan.display_name),
            base_url_param_lit: plan.base_url_param.as_deref().map(py_str),
            secret_params: collection('(', ')', &secrets, 0, "SECRET_PARAMS = ".len(), 0),
            loader_parts: parts(&plan.places.loader),
            credentials_parts: parts(&plan.places.credentials),
            runtime_parts: parts(&plan.places.runtime),
            runtime_module: runtime_module(&plan.places.runtime),
            runtime_imports: if uses.basic
                || uses.oauth_scope
                || uses.token_params
                || uses.fill_header
                || uses.fill_scopes
                || uses.oauth_client_key
                || uses.signed()
            {
                vec!["Check", "fill"]
            } else {
                vec!["Check"]
            },
            defaults: (uses.values || uses.select)
                .then(|| collection('{', '}', &pairs(&plan.defaults), 0, "DEFAULTS = ".len(), 0)),
            derive: uses.values.then(|| derive_literal(plan)),
            select_by_lit: plan.select_by.as_deref().map(py_str),
            judge_args: judge_args(&at, &uses, several || single_named),
            several,
            request,
            single,
            methods,
            fields,
            kinds: kinds(plan),
            at,
            uses,
        }
    }
}

/// `authgen_runtime` from `../authgen_runtime.py`; the layout checked it is a
/// module name.
fn runtime_module(path: &str) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.strip_suffix(".py").unwrap_or(file).to_string()
}

/// `(answer, using, origin, required, ...)`: the scopes a 403 quotes and
/// the field a success must hold only where this file has them.
fn judge_args(at: &BTreeMap<&'static str, String>, uses: &Uses, named: bool) -> String {
    let mut args = vec!["answer".to_string(), if named { "using" } else { "AUTH" }.to_string(), "origin".into()];
    args.push(at["required"].clone());
    if uses.fill_scopes && at["scopes"].starts_with("method.") {
        args.push(format!("scopes=fill({} or \"\", config)", at["scopes"]));
    } else if uses.fill_scopes {
        args.push(format!("scopes=fill({}, config)", at["scopes"]));
    } else if uses.scopes {
        args.push(format!("scopes={}", at["scopes"]));
    }
    if uses.show {
        args.push(format!("show={}", at["show"]));
        args.push(format!("show_label={}", at["show_label"]));
    }
    if uses.expect_any {
        args.push(format!("expect={}", at["expect"]));
    }
    collection('(', ')', &args, 4, "return CHECK.judge".len(), 0)
}

fn same_request(a: &RequestPlan, b: &RequestPlan) -> bool {
    let show = |r: &RequestPlan| r.show.as_ref().map(|s| (s.label.clone(), segments(&s.segments)));
    a.base_url == b.base_url
        && a.endpoint == b.endpoint
        && a.method == b.method
        && a.headers == b.headers
        && a.params == b.params
        && show(a) == show(b)
}

fn note_uses(m: &MethodPlan, uses: &mut Uses) {
    let templated = |t: &str| t.contains('{');
    uses.fill |= templated(&m.request.base_url) || templated(&m.request.endpoint);
    uses.fill_request |= m.request.headers.iter().any(|(k, v)| templated(k) || templated(v))
        || m.request.params.iter().any(|(_, v)| templated(v));
    uses.expect_any |= m.expect != "json";
    uses.show |= m.request.show.is_some();
    uses.authorize |= !matches!(m.credential, CredentialPlan::None);
    match &m.credential {
        CredentialPlan::None => {}
        CredentialPlan::Header { header, prefix, .. } => {
            uses.header = true;
            uses.fill_header |= templated(header) || templated(prefix);
        }
        CredentialPlan::Query { .. } => uses.query = true,
        CredentialPlan::Basic { username, password } => {
            uses.basic = true;
            uses.fill |= templated(username) || templated(password);
        }
        CredentialPlan::Oauth(o) => {
            uses.oauth = true;
            uses.fill |= templated(&o.token_url);
            uses.oauth_client_basic |= o.client_auth == "basic";
            uses.oauth_client_body |= o.client_auth == "body";
            uses.oauth_refresh |= o.refresh_token.is_some();
            uses.oauth_scope |= o.refresh_token.is_none() && o.scopes.is_some();
            uses.scopes |= o.scopes.is_some();
            uses.fill_scopes |= o.scopes.as_deref().is_some_and(templated);
            uses.token_params |= !o.token_params.is_empty() || o.audience.is_some();
            uses.fill_header |= templated(&o.header) || templated(&o.prefix);
            uses.oauth_client_key |= o.client_key.is_some();
        }
        CredentialPlan::Signed(plan) => {
            uses.fill |= plan.fills();
            match plan {
                SignedPlan::AwsSigv4 { session_token, .. } => {
                    uses.sigv4 = true;
                    uses.sigv4_session |= session_token.is_some();
                }
                SignedPlan::SessionLogin { .. } => uses.session = true,
                SignedPlan::JwtBearer { scopes, .. } => {
                    uses.jwt_bearer = true;
                    uses.scopes |= scopes.is_some();
                }
            }
        }
    }
}

impl Uses {
    /// Some method uses a signed or session variant.
    fn signed(&self) -> bool {
        self.sigv4 || self.session || self.jwt_bearer
    }
}

fn kind(m: &MethodPlan) -> &'static str {
    match m.credential {
        CredentialPlan::None => "none",
        CredentialPlan::Header { .. } => "header",
        CredentialPlan::Query { .. } => "query",
        CredentialPlan::Basic { .. } => "basic",
        CredentialPlan::Oauth(_) => "oauth",
        CredentialPlan::Signed(SignedPlan::SessionLogin { .. }) => "session",
        CredentialPlan::Signed(SignedPlan::JwtBearer { .. }) => "jwt_bearer",
        // Signed after the URL is known, outside the dispatch.
        CredentialPlan::Signed(SignedPlan::AwsSigv4 { .. }) => "sigv4",
    }
}

/// The dispatch of a file with several methods, in the order methods first
/// use each kind; `none` needs no branch.
fn kinds(plan: &AuthPlan) -> Vec<PyKind> {
    let mut order: Vec<&'static str> = Vec::new();
    for m in &plan.methods {
        let k = kind(m);
        if k != "none" && k != "sigv4" && !order.contains(&k) {
            order.push(k);
        }
    }
    order
        .into_iter()
        .map(|k| {
            let mut variants: Vec<Variant> = Vec::new();
            for m in plan.methods.iter().filter(|m| kind(m) == k) {
                if !variants.contains(&m.variant) {
                    variants.push(m.variant);
                }
            }
            let test = match variants.as_slice() {
                [one] => format!("method.auth == {}", py_str(one.name())),
                many => {
                    let names: Vec<String> = many.iter().map(|v| py_str(v.name())).collect();
                    format!("method.auth in ({})", names.join(", "))
                }
            };
            PyKind { kind: k, test }
        })
        .collect()
}

fn segments(segs: &[ShowSegment]) -> Vec<String> {
    segs.iter()
        .map(|seg| match seg {
            ShowSegment::Key(k) => py_str(k),
            ShowSegment::Index(i) => i.to_string(),
        })
        .collect()
}

fn pairs(items: &[(String, String)]) -> Vec<String> {
    items.iter().map(|(k, v)| format!("{}: {}", py_str(k), py_str(v))).collect()
}

/// `DERIVE = {name: (from, rule, separator or map, default)}`, laid out as the
/// formatter would: a `map` rule's table is the only nested collection.
fn derive_literal(plan: &AuthPlan) -> String {
    let prefix = "DERIVE = ".len();
    let item = |d: &DerivePlan, indent: usize| -> String {
        let head = format!("{}: ", py_str(&d.name));
        let default = py_opt_str(d.default.as_deref());
        let arg = |at: usize, exploded: bool| match d.rule {
            "map" => collection('{', '}', &pairs(&d.map), at, 0, if exploded { 1 } else { 0 }),
            _ => py_str(&d.arg),
        };
        let flat = format!("({}, {}, {}, {default})", py_str(&d.from), py_str(d.rule), arg(0, false));
        if flat.is_ascii() && !flat.contains('\n') && indent + head.len() + flat.len() < WIDTH {
            // `<`: room for the trailing comma
            return format!("{head}{flat}");
        }
        let pad = " ".repeat(indent + 4);
        let parts = [py_str(&d.from), py_str(d.rule), arg(indent + 4, true), default];
        let body: String = parts.iter().map(|p| format!("\n{pad}{p},")).collect();
        format!("{head}({body}\n{})", " ".repeat(indent))
    };
    let flat: Vec<String> = plan.derive.iter().map(|d| item(d, 0)).collect();
    let one_line = format!("{{{}}}", flat.join(", "));
    if !one_line.contains('\n') && one_line.is_ascii() && prefix + one_line.len() <= WIDTH {
        return one_line;
    }
    let items: String = plan.derive.iter().map(|d| format!("\n    {},", item(d, 4))).collect();
    format!("{{{items}\n}}")
}

/// The request as module constants.
fn py_request(r: &RequestPlan) -> PyRequest {
    PyRequest {
        http_method: py_str(&r.method),
        base_url: py_str(&r.base_url),
        endpoint: py_str(&r.endpoint),
        headers: collection('{', '}', &pairs(&r.headers), 0, "HEADERS = ".len(), 0),
        params: collection('{', '}', &pairs(&r.params), 0, "PARAMS = ".len(), 0),
        show: r.show.as_ref().map(|s| collection('(', ')', &segments(&s.segments), 0, "SHOW = ".len(), 0)),
        show_label: r.show.as_ref().map(|s| py_str(&s.label)),
    }
}

/// The facts of one method; each collection laid out for where it goes (a module constant, or a keyword argument of `Method(...)`).
fn py_method(m: &MethodPlan, with_request: bool, several: bool) -> PyMethod {
    let flat = py_method_at(m, with_request, several, None);
    if !several {
        return flat;
    }
    // `        Method(` ... `),`
    let line = 8 + "Method()".len() + flat.args.join(", ").len() + 1;
    if flat.args.iter().all(|a| a.is_ascii()) && line <= WIDTH {
        return PyMethod { flat: true, ..flat };
    }
    py_method_at(m, with_request, several, Some(ARG_INDENT))
}

/// The method's facts with collections on one line (`indent` `None`) or laid
/// out one keyword argument per line at `indent`.
fn py_method_at(m: &MethodPlan, with_request: bool, several: bool, indent: Option<usize>) -> PyMethod {
    let lay = |open, close, items: &[String], name: &str| match indent {
        None if several => collection(open, close, items, 0, 0, 0),
        None => collection(open, close, items, 0, name.len() + 3, 0),
        Some(i) => collection(open, close, items, i, name.len() + 1, 1),
    };
    let required: Vec<String> = m.required.iter().map(|r| py_str(r)).collect();
    let mut request: Vec<(&'static str, String)> = Vec::new();
    if with_request {
        let r = &m.request;
        request.push(("http_method", py_str(&r.method)));
        request.push(("base_url", py_str(&r.base_url)));
        request.push(("endpoint", py_str(&r.endpoint)));
        request.push(("headers", lay('{', '}', &pairs(&r.headers), "headers")));
        request.push(("params", lay('{', '}', &pairs(&r.params), "params")));
        let show = r.show.as_ref().map(|s| segments(&s.segments)).unwrap_or_default();
        request.push(("show", lay('(', ')', &show, "show")));
        request.push(("show_label", py_opt_str(r.show.as_ref().map(|s| s.label.as_str()))));
    }
    let mut credential: Vec<(&'static str, String)> = Vec::new();
    let mut put = |k: &'static str, v: &str| credential.push((k, py_str(v)));
    match &m.credential {
        CredentialPlan::None => {}
        // The parameter that holds the secret, then where it goes.
        CredentialPlan::Header { header, prefix, credential } => {
            put("credential", credential);
            put("header", header);
            put("prefix", prefix);
        }
        CredentialPlan::Query { query_param, credential } => {
            put("credential", credential);
            put("query_param", query_param);
        }
        CredentialPlan::Basic { username, password } => {
            put("username", username);
            put("password", password);
        }
        CredentialPlan::Oauth(o) => {
            put("token_url", &o.token_url);
            put("grant", &o.grant);
            if let Some(scopes) = &o.scopes {
                put("scopes", scopes);
            }
            put("client_auth", &o.client_auth);
            put("client_id", &o.client_id);
            if o.client_key.is_none() {
                put("client_secret", &o.client_secret);
            }
            if let Some(refresh) = &o.refresh_token {
                put("refresh_token", refresh);
            }
            let mut extra = o.token_params.clone();
            extra.extend(o.audience.iter().map(|a| ("audience".to_string(), a.clone())));
            if let Some(k) = &o.client_key {
                put("private_key", &k.private_key);
                put("key_id", &k.key_id);
                put("signing_alg", &k.signing_alg);
            }
            put("header", &o.header);
            put("prefix", &o.prefix);
            if !extra.is_empty() {
                credential.push(("token_params", lay('{', '}', &pairs(&extra), "token_params")));
            }
        }
        CredentialPlan::Signed(SignedPlan::AwsSigv4 {
            access_key_id,
            secret_access_key,
            session_token,
            region,
            service,
        }) => {
            credential.push(("access_key_id", py_str(access_key_id)));
            credential.push(("secret_access_key", py_str(secret_access_key)));
            if let Some(t) = session_token {
                credential.push(("session_token", py_str(t)));
            }
            credential.push(("region", py_str(region)));
            credential.push(("service", py_str(service)));
        }
        CredentialPlan::Signed(SignedPlan::JwtBearer { key_json, scopes, token_url, subject, header, prefix }) => {
            credential.push(("key_json", py_str(key_json)));
            credential.push(("token_url", py_str(token_url)));
            credential.push(("scopes", py_opt_str(scopes.as_deref())));
            credential.push(("subject", py_str(subject)));
            credential.push(("header", py_str(header)));
            credential.push(("prefix", py_str(prefix)));
        }
        CredentialPlan::Signed(SignedPlan::SessionLogin {
            endpoint,
            method,
            body,
            fields,
            token_field,
            header,
            prefix,
        }) => {
            credential.push(("login_method", py_str(method)));
            credential.push(("login_endpoint", py_str(endpoint)));
            credential.push(("login_body", py_str(body)));
            credential.push(("login_fields", lay('{', '}', &pairs(fields), "login_fields")));
            credential.push(("token_field", lay('(', ')', &segments(&token_field.segments), "token_field")));
            credential.push(("header", py_str(header)));
            credential.push(("prefix", py_str(prefix)));
        }
    }
    if m.expect != "json" {
        credential.push(("expect", py_str(&m.expect)));
    }
    let name = m.name.as_deref().map(py_str);
    let auth = py_str(m.variant.name());
    let required = lay('(', ')', &required, "required");
    // Where the credential goes first: it is what tells methods apart.
    let mut args = vec![format!("name={}", name.as_deref().unwrap_or(&auth)), format!("auth={auth}")];
    args.extend(credential.iter().chain(&request).map(|(k, v)| format!("{k}={v}")));
    args.push(format!("required={required}"));
    PyMethod { name, auth, required, request, credential, args, flat: false }
}

/// A tuple or dict literal laid out as the formatter would: on one line when
/// that line fits, else one item per line with a trailing comma (which keeps
/// it so). `prefix` and `suffix` count what shares its first and last line.
fn collection(open: char, close: char, items: &[String], indent: usize, prefix: usize, suffix: usize) -> String {
    let lone_tuple = open == '(' && items.len() == 1;
    let flat = format!("{open}{}{}{close}", items.join(", "), if lone_tuple { "," } else { "" });
    // Only ASCII is measured: other characters may be wider than one column.
    if items.is_empty() || (flat.is_ascii() && indent + prefix + flat.len() + suffix <= WIDTH) {
        return flat;
    }
    let pad = " ".repeat(indent + 4);
    let mut out = String::from(open);
    for item in items {
        out.push('\n');
        out.push_str(&pad);
        out.push_str(item);
        out.push(',');
    }
    out.push('\n');
    out.push_str(&" ".repeat(indent));
    out.push(close);
    out
}

impl Variant {
    /// Keys every variant takes, for `authgen variants`.
    pub const COMMON_KEYS: &str = "base_url, endpoint, method, headers, params, show, expect (json|any), \
        select_by, derive (after_last, before_first, map + default), defaults; {param} placeholders in any text";

    /// Parameters a variant typically needs, for `authgen variants`.
    pub fn typical_keys(self) -> &'static str {
        match self {
            Variant::Bearer => "credential, header, prefix",
            Variant::Basic => "username, password",
            Variant::ApiKeyHeader => "credential, header, prefix",
            Variant::ApiKeyQuery => "credential, query_param",
            Variant::OauthRefresh => {
                "token_url, scopes, client_auth, token_params (client_id, client_secret, refresh_token)"
            }
            Variant::OauthClientCredentials => {
                "token_url, scopes, client_auth, audience, token_params (client_id, client_secret)"
            }
            Variant::None => "-",
            Variant::OauthJwtBearer => "key_json, scopes, token_url (default: the key's token_uri), subject",
            Variant::SessionLogin => "login {endpoint, method, json or form, token_field}, header, prefix",
            Variant::AwsSigv4 => "access_key_id, secret_access_key, session_token, region, service",
        }
    }
}
