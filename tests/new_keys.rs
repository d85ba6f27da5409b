//! The keys real connectors need (`select_by`, `derive`, `defaults`,
//! placeholders everywhere, `expect`, `token_params`, `audience`): what
//! `generate` refuses, with `path:line:col`, and what each method requires.

mod common;

use common::{SPEC_DIR, Test};

/// A mailchimp-shaped spec with `verification` lines to replace.
fn spec(verification: &str) -> String {
    format!(
        "display_name: Case
connection:
  parameters:
    - {{name: api_key, secret: true, required: true}}
    - {{name: auth_type}}
    - {{name: region}}
  verification:
{verification}"
    )
}

/// `generate` exits 2, names `path:line:col` and the message, writes nothing.
fn refused(verification: &str, at: &str, message: &str) {
    let repo = Test::with_spec("case", &spec(verification));
    let out = repo.authgen(["generate", "case", "--yes"]).code(2);
    let located = format!("{SPEC_DIR}/case/connector_spec.yaml:{at}: ");
    assert!(out.stderr.contains(&located), "expected {located:?} in:\n{}", out.stderr);
    assert!(out.stderr.contains(message), "expected {message:?} in:\n{}", out.stderr);
    assert!(!repo.test_path("case").exists(), "nothing may be written");
}

const BASE: &str = "    base_url: \"https://{dc}.api.mailchimp.com/3.0\"
    endpoint: /ping
    auth: basic
    username: anystring
    password: api_key
";

#[test]
fn an_unknown_derive_rule_is_refused_at_its_line() {
    let v = format!("{BASE}    derive:\n      dc: {{from: api_key, split_at: \"-\"}}\n");
    refused(&v, "14:27", "unknown derive rule \"split_at\"");
    // Two rules, or none, cannot be right either.
    let v = format!("{BASE}    derive:\n      dc: {{from: api_key, after_last: \"-\", before_first: \"-\"}}\n");
    refused(&v, "14:7", "derive.dc needs exactly one rule");
    let v = format!("{BASE}    derive:\n      dc: {{from: api_key, after_last: \"-\", default: us1}}\n");
    refused(&v, "14:44", "`default` goes with a `map` rule only");
}

#[test]
fn a_derive_from_no_parameter_is_refused() {
    let v = format!("{BASE}    derive:\n      dc: {{from: apikey, after_last: \"-\"}}\n");
    refused(&v, "14:12", "derive.dc: no parameter named \"apikey\"");
}

#[test]
fn a_placeholder_naming_nothing_is_refused_wherever_it_is() {
    // Without the derive entry, {dc} names nothing.
    refused(BASE, "8:5", "placeholder {dc} names no parameter, derived value or default");
    let ok = format!("{BASE}    derive:\n      dc: {{from: api_key, after_last: \"-\"}}\n");
    for (extra, at) in [
        ("    headers:\n      X-Region: \"{regoin}\"\n", "16:7"),
        ("    headers:\n      \"{header_name}\": x\n", "16:7"),
        ("    params:\n      region: \"{regoin}\"\n", "16:7"),
    ] {
        refused(&format!("{ok}{extra}"), at, "names no parameter, derived value or default");
    }
    let user = ok.replace("username: anystring", "username: \"{user}\"");
    refused(&user, "11:5", "placeholder {user} names no parameter");
}

#[test]
fn a_select_by_parameter_that_does_not_exist_is_refused() {
    let v = "    base_url: https://api.example.com
    endpoint: /me
    select_by: auth_typ
    method_for:
      token: {auth: bearer, credential: api_key}
      key: {auth: api_key_header, header: X-Key, credential: api_key}
";
    refused(v, "10:5", "select_by: no parameter named \"auth_typ\"; did you mean auth_type?");
}

#[test]
fn select_by_method_names_must_match() {
    let methods = "    method_for:
      token: {auth: bearer, credential: api_key}
      key: {auth: api_key_header, header: X-Key, credential: api_key}
";
    // A default that names no method.
    let v = format!(
        "    base_url: https://api.example.com\n    endpoint: /me\n    select_by: auth_type\n    defaults:\n      auth_type: bearer\n{methods}"
    );
    refused(&v, "12:7", "the default auth_type: \"bearer\" names no method (one of: token, key)");
    // Nothing to select among.
    let v =
        "    base_url: https://api.example.com\n    endpoint: /me\n    select_by: auth_type\n    credential: api_key\n";
    refused(v, "10:5", "select_by picks among methods, but there is at most one");
}

#[test]
fn select_by_with_auth_methods_refuses_a_method_for_that_names_no_method() {
    let text = "connection:
  parameters:
    - {name: auth_type}
  auth_methods:
    - name: pat
      parameters: [{name: token, secret: true}]
    - name: basic
      parameters: [{name: username}, {name: password, secret: true}]
  verification:
    base_url: https://api.example.com
    endpoint: /me
    select_by: auth_type
    method_for:
      pta: {auth: bearer, credential: token}
";
    let repo = Test::with_spec("case", text);
    let out = repo.authgen(["generate", "case", "--yes"]).code(2);
    assert!(out.stderr.contains("connector_spec.yaml:14:7: "), "{}", out.stderr);
    assert!(
        out.stderr.contains("\"pta\" is no auth method that auth_type can select (one of: pat, basic)"),
        "{}",
        out.stderr
    );
}

#[test]
fn expect_takes_json_or_any() {
    let v = format!("{BASE}    derive:\n      dc: {{from: api_key, after_last: \"-\"}}\n    expect: html\n");
    refused(&v, "15:5", "expect must be `json` or `any`");
}

#[test]
fn literal_braces_are_doubled() {
    let v = format!(
        "{BASE}    derive:\n      dc: {{from: api_key, after_last: \"-\"}}\n    headers:\n      X-Note: \"{{ x\"\n"
    );
    refused(&v, "16:7", "write {{ and }} for literal braces");
}

/// The generated check requires only what its method uses: a spec-required
/// parameter the request never reads is not demanded, one with a default is
/// not either, and a derived value needs its source.
#[test]
fn a_method_requires_only_what_it_uses() {
    let text = "connection:
  parameters:
    - {name: api_key, secret: true, required: true}
    - {name: api_key_header, required: true}
    - {name: ontology_api_name, required: true}
    - {name: account, required: true}
  verification:
    base_url: \"https://{dc}.example.com\"
    endpoint: /v1/me
    auth: api_key_header
    credential: api_key
    header: \"{api_key_header}\"
    defaults: {api_key_header: x-api-key}
    derive:
      dc: {from: account, before_first: \".\"}
";
    let repo = Test::with_spec("case", text);
    repo.authgen(["generate", "case", "--yes"]).success();
    let test = repo.read_test("case");
    assert!(test.contains("REQUIRED = (\"api_key\", \"account\")\n"), "{test}");
}

#[test]
fn derive_defaults_and_select_by_belong_to_the_whole_check() {
    let v = "    base_url: https://api.example.com
    endpoint: /me
    select_by: auth_type
    method_for:
      token: {auth: bearer, credential: api_key, defaults: {region: us}}
      key: {auth: api_key_header, header: X-Key, credential: api_key}
";
    refused(v, "12:50", "`defaults` belongs directly under connection.verification, not in method_for");
}
