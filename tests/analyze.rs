//! `authgen analyze` on the six fixture docs and on docs written in the
//! styles real connector docs use: every finding, with its lines; the
//! proposed block against the fixture's own spec; `--write` into a spec that
//! then generates.

mod common;

use std::path::{Path, PathBuf};

use common::{SPEC_DIR, Test};
use serde_json::{Value, json};

fn docs_dir() -> PathBuf {
    common::manifest_dir().join("tests/fixtures/docs")
}

/// `analyze --format json` in `dir`; (exit code, parsed stdout, stderr).
fn analyze_json(repo: &Test, source: &str, doc: Option<&Path>) -> (i32, Value, String) {
    let mut cmd = repo.authgen(["analyze", source, "--format", "json"]);
    if let Some(doc) = doc {
        cmd = cmd.arg("--doc").arg(doc);
    }
    let out = cmd.run();
    let json = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
    (out.code.unwrap_or(-1), json, out.stderr)
}

type Expected = (&'static str, Value, &'static [u64]);

/// Every finding, in order: kind, value and lines exactly; confidence in (0, 1).
fn assert_findings(report: &Value, expected: &[Expected]) {
    let findings = report["findings"].as_array().expect("findings");
    let got: Vec<(String, Value, Vec<u64>)> = findings
        .iter()
        .map(|f| {
            let lines = f["lines"].as_array().unwrap().iter().map(|l| l.as_u64().unwrap()).collect();
            (f["kind"].as_str().unwrap().to_string(), f["value"].clone(), lines)
        })
        .collect();
    let want: Vec<(String, Value, Vec<u64>)> =
        expected.iter().map(|(k, v, l)| (k.to_string(), v.clone(), l.to_vec())).collect();
    assert_eq!(got, want, "findings of {}", report["doc"]);
    for f in findings {
        let c = f["confidence"].as_f64().unwrap();
        assert!(c > 0.0 && c < 1.0, "confidence {c} of {f}");
    }
    let auth = findings[0]["confidence"].as_f64().unwrap();
    assert!(auth >= 0.6, "the chosen variant has confidence {auth}");
}

/// The fixture's own verification block: every key both have agrees,
/// except those listed as differing; fixture keys the proposal lacks are
/// ones the doc cannot tell.
fn assert_matches_fixture(name: &str, proposed: &Value, differs: &[&str], doc_cannot_tell: &[&str]) {
    let spec: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(common::fixtures_dir().join(name).join("connector_spec.yaml")).unwrap(),
    )
    .unwrap();
    let fixture: Value = serde_json::to_value(&spec["connection"]["verification"]).unwrap();
    let fixture = fixture.as_object().unwrap();
    let proposed = proposed.as_object().unwrap();
    for (key, value) in fixture {
        let value = match value {
            Value::Number(n) => json!(n.to_string()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), if let Value::Number(n) = v { json!(n.to_string()) } else { v.clone() }))
                    .collect(),
            ),
            v => v.clone(),
        };
        match proposed.get(key) {
            Some(p) if differs.contains(&key.as_str()) => assert_ne!(p, &value, "{name}: {key} was expected to differ"),
            Some(p) => assert_eq!(p, &value, "{name}: {key}"),
            None => assert!(doc_cannot_tell.contains(&key.as_str()), "{name}: the proposal lacks {key}"),
        }
    }
}

#[test]
fn github_doc() {
    let repo = Test::with_fixtures(&["github"]);
    let (code, report, _) = analyze_json(&repo, "github", None);
    assert_eq!(code, 0);
    assert_eq!(report["source"], "github");
    assert_eq!(
        report["verification"],
        json!({"base_url": "https://api.github.com", "endpoint": "/user", "auth": "bearer", "credential": "token",
               "headers": {"Accept": "application/vnd.github+json"}, "show": "login"})
    );
    assert_findings(
        &report,
        &[
            ("auth", json!("bearer"), &[7, 8, 16]),
            ("header", json!("Authorization"), &[7, 8, 16]),
            ("prefix", json!("Bearer "), &[8, 16]),
            ("credential", json!("token"), &[8]),
            ("base_url", json!("https://api.github.com"), &[6, 18]),
            ("endpoint", json!("/user"), &[10, 18, 30]),
            ("headers", json!({"Accept": "application/vnd.github+json"}), &[9, 17]),
            ("show", json!("login"), &[11]),
            ("parameter", json!({"name": "token", "secret": true}), &[8]),
        ],
    );
    assert_matches_fixture("github", &report["verification"], &[], &[]);
}

#[test]
fn zendesk_doc() {
    let repo = Test::with_fixtures(&["zendesk"]);
    let (code, report, _) = analyze_json(&repo, "zendesk", None);
    assert_eq!(code, 0);
    assert_eq!(
        report["verification"],
        json!({"base_url": "https://{subdomain}.zendesk.com/api/v2", "endpoint": "/users/me.json", "auth": "basic",
               "username": "{email}/token", "password": "api_token"})
    );
    assert_findings(
        &report,
        &[
            ("auth", json!("basic"), &[5, 10, 19]),
            ("username", json!("{email}/token"), &[5, 10, 19]),
            ("password", json!("api_token"), &[6, 10, 19]),
            ("base_url", json!("https://{subdomain}.zendesk.com/api/v2"), &[13, 18]),
            ("endpoint", json!("/users/me.json"), &[15, 18]),
            ("parameter", json!({"name": "email", "secret": false}), &[5, 10, 19]),
            ("parameter", json!({"name": "api_token", "secret": true}), &[6, 10, 19]),
            ("parameter", json!({"name": "subdomain", "secret": false}), &[13, 18]),
        ],
    );
    assert_matches_fixture("zendesk", &report["verification"], &[], &["show"]);
}

#[test]
fn shopify_doc_never_proposes_the_rejected_bearer() {
    let repo = Test::with_fixtures(&["shopify"]);
    let (code, report, _) = analyze_json(&repo, "shopify", None);
    assert_eq!(code, 0);
    assert_eq!(
        report["verification"],
        json!({"base_url": "https://{shop}.myshopify.com/admin/api/{api_version}", "endpoint": "/shop.json",
               "auth": "api_key_header", "credential": "access_token", "header": "X-Shopify-Access-Token"})
    );
    assert_findings(
        &report,
        &[
            ("auth", json!("api_key_header"), &[5, 9, 19]),
            ("header", json!("X-Shopify-Access-Token"), &[5, 9, 19]),
            ("prefix", json!(""), &[9, 19]),
            ("credential", json!("access_token"), &[5, 9, 19]),
            ("base_url", json!("https://{shop}.myshopify.com/admin/api/{api_version}"), &[12, 20]),
            ("endpoint", json!("/shop.json"), &[15, 20]),
            ("parameter", json!({"name": "access_token", "secret": true}), &[5, 9, 19]),
            ("parameter", json!({"name": "shop", "secret": false}), &[12, 20]),
            ("parameter", json!({"name": "api_version", "secret": false}), &[12, 20]),
        ],
    );
    // Line 10 says Bearer is ignored: no finding may rest on it or name it.
    let all = report["findings"].to_string();
    assert!(!all.contains("bearer") && !all.contains("Bearer"), "{all}");
    assert!(
        report["findings"].as_array().unwrap().iter().all(|f| !f["lines"].as_array().unwrap().contains(&json!(10)))
    );
    // The fixture pins the API version the doc leaves as a placeholder.
    assert_matches_fixture("shopify", &report["verification"], &["base_url"], &["show"]);
}

#[test]
fn pagerduty_doc() {
    let repo = Test::with_fixtures(&["pagerduty"]);
    let (code, report, _) = analyze_json(&repo, "pagerduty", None);
    assert_eq!(code, 0);
    assert_eq!(
        report["verification"],
        json!({"base_url": "https://api.pagerduty.com", "endpoint": "/users", "auth": "api_key_header",
               "credential": "api_key", "header": "Authorization", "prefix": "Token token=", "params": {"limit": "1"},
               "headers": {"Accept": "application/vnd.pagerduty+json;version=2"}})
    );
    assert_findings(
        &report,
        &[
            ("auth", json!("api_key_header"), &[5, 8, 16]),
            ("header", json!("Authorization"), &[5, 8, 16]),
            ("prefix", json!("Token token="), &[8, 16]),
            ("credential", json!("api_key"), &[5]),
            ("base_url", json!("https://api.pagerduty.com"), &[11, 18]),
            ("endpoint", json!("/users"), &[13, 18]),
            ("params", json!({"limit": "1"}), &[13, 18]),
            ("headers", json!({"Accept": "application/vnd.pagerduty+json;version=2"}), &[9, 17]),
            ("parameter", json!({"name": "api_key", "secret": true}), &[5]),
        ],
    );
    assert_matches_fixture("pagerduty", &report["verification"], &[], &["show"]);
}

#[test]
fn openweather_doc() {
    let repo = Test::with_fixtures(&["openweather"]);
    let (code, report, _) = analyze_json(&repo, "openweather", None);
    assert_eq!(code, 0);
    assert_eq!(
        report["verification"],
        json!({"base_url": "https://api.openweathermap.org/data/2.5", "endpoint": "/weather", "auth": "api_key_query",
               "credential": "api_key", "query_param": "appid", "params": {"q": "London"}})
    );
    assert_findings(
        &report,
        &[
            ("auth", json!("api_key_query"), &[5, 9]),
            ("query_param", json!("appid"), &[5, 9]),
            ("credential", json!("api_key"), &[9]),
            ("base_url", json!("https://api.openweathermap.org/data/2.5"), &[8, 9]),
            ("endpoint", json!("/weather"), &[9]),
            ("params", json!({"q": "London"}), &[9]),
            ("parameter", json!({"name": "api_key", "secret": true}), &[9]),
        ],
    );
    assert_matches_fixture("openweather", &report["verification"], &[], &["show"]);
}

#[test]
fn gmail_doc() {
    let repo = Test::with_fixtures(&["gmail"]);
    let (code, report, _) = analyze_json(&repo, "gmail", None);
    assert_eq!(code, 0);
    assert_eq!(
        report["verification"],
        json!({"base_url": "https://gmail.googleapis.com/gmail/v1", "endpoint": "/users/me/profile",
               "auth": "oauth_refresh", "show": "emailAddress"})
    );
    assert_eq!(
        report["oauth"],
        json!({"flow": "u2m", "scopes": "https://www.googleapis.com/auth/gmail.readonly",
               "authorization_url": "https://accounts.google.com/o/oauth2/v2/auth",
               "token_url": "https://oauth2.googleapis.com/token",
               "extra_auth_params": {"access_type": "offline", "prompt": "consent"}})
    );
    assert_findings(
        &report,
        &[
            ("auth", json!("oauth_refresh"), &[5, 6, 9, 10, 12, 14, 15]),
            ("grant", json!("refresh_token"), &[6, 10, 14, 15]),
            ("token_url", json!("https://oauth2.googleapis.com/token"), &[9]),
            ("authorization_url", json!("https://accounts.google.com/o/oauth2/v2/auth"), &[14]),
            ("scopes", json!("https://www.googleapis.com/auth/gmail.readonly"), &[16]),
            ("extra_auth_params", json!({"access_type": "offline", "prompt": "consent"}), &[15]),
            ("base_url", json!("https://gmail.googleapis.com/gmail/v1"), &[17]),
            ("endpoint", json!("/users/me/profile"), &[18]),
            ("show", json!("emailAddress"), &[18]),
            ("parameter", json!({"name": "client_id", "secret": false}), &[5, 6, 9, 10, 12, 14, 15]),
            ("parameter", json!({"name": "client_secret", "secret": true}), &[5, 6, 9, 10, 12, 14, 15]),
        ],
    );
    assert_matches_fixture("gmail", &report["verification"], &[], &[]);
    // The proposed oauth block is the fixture's, bar pkce (the doc does not say).
    let spec: serde_yaml::Value = serde_yaml::from_str(&repo.read_spec("gmail")).unwrap();
    for key in ["flow", "scopes", "authorization_url", "token_url"] {
        assert_eq!(report["oauth"][key].as_str(), spec["connection"]["oauth"][key].as_str(), "oauth.{key}");
    }
}

/// A repo holding one of the docs under tests/fixtures/docs as `source`'s
/// API doc (and the fixture spec of that name, when there is one).
fn doc_repo(source: &str) -> Test {
    let repo = Test::new();
    if common::fixtures_dir().join(source).is_dir() {
        repo.add_fixture(source);
    }
    let doc = format!("{source}_api_doc.md");
    repo.write(Path::new(SPEC_DIR).join(source).join(&doc), std::fs::read(docs_dir().join(&doc)).unwrap());
    repo
}

#[test]
fn several_methods_curl_and_basic_with_an_empty_password() {
    let repo = doc_repo("stripe");
    let (code, report, _) = analyze_json(&repo, "stripe", None);
    assert_eq!(code, 0);
    assert_eq!(
        report["verification"],
        json!({"base_url": "https://api.stripe.com/v1", "endpoint": "/balance", "auth": "basic",
               "username": "api_key", "password": "", "show": "livemode"})
    );
    assert_findings(
        &report,
        &[
            ("auth", json!("basic"), &[9, 10, 14]),
            ("auth", json!("bearer"), &[18, 23]),
            ("username", json!("api_key"), &[10, 14]),
            ("password", json!(""), &[10, 14]),
            ("base_url", json!("https://api.stripe.com/v1"), &[13, 22, 26]),
            ("endpoint", json!("/balance"), &[13, 22, 31]),
            ("show", json!("livemode"), &[32]),
            ("parameter", json!({"name": "api_key", "secret": true}), &[10, 14]),
        ],
    );
}

#[test]
fn tables_only_oauth_client_credentials_with_a_templated_token_url() {
    let repo = doc_repo("microsoft_graph");
    let (code, report, _) = analyze_json(&repo, "microsoft_graph", None);
    assert_eq!(code, 0);
    assert_eq!(
        report["verification"],
        json!({"base_url": "https://graph.microsoft.com/v1.0", "endpoint": "/organization",
               "auth": "oauth_client_credentials", "show": "value[0].displayName"})
    );
    assert_eq!(
        report["oauth"],
        json!({"flow": "m2m", "scopes": "https://graph.microsoft.com/.default",
               "token_url": "https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token"})
    );
    assert_findings(
        &report,
        &[
            ("auth", json!("oauth_client_credentials"), &[6, 10, 11, 20, 23, 26]),
            ("grant", json!("client_credentials"), &[6, 11, 23]),
            ("token_url", json!("https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token"), &[10, 20]),
            ("scopes", json!("https://graph.microsoft.com/.default"), &[12]),
            ("base_url", json!("https://graph.microsoft.com/v1.0"), &[14]),
            ("endpoint", json!("/organization"), &[15, 28]),
            ("show", json!("value[0].displayName"), &[28]),
            ("parameter", json!({"name": "client_id", "secret": false}), &[6, 10, 11, 20, 23, 26]),
            ("parameter", json!({"name": "client_secret", "secret": true}), &[6, 10, 11, 20, 23, 26]),
            ("parameter", json!({"name": "tenant_id", "secret": false}), &[10, 20]),
        ],
    );
    assert_matches_fixture("microsoft_graph", &report["verification"], &[], &[]);
}

#[test]
fn own_scheme_in_authorization_and_an_example_host_beside_the_template() {
    let repo = doc_repo("okta");
    let (code, report, _) = analyze_json(&repo, "okta", None);
    assert_eq!(code, 0);
    assert_eq!(
        report["verification"],
        json!({"base_url": "https://{okta_domain}/api/v1", "endpoint": "/users/me", "auth": "api_key_header",
               "credential": "api_token", "header": "Authorization", "prefix": "SSWS ",
               "headers": {"Accept": "application/json"}, "show": "profile.login"})
    );
    assert_findings(
        &report,
        &[
            ("auth", json!("api_key_header"), &[8, 14]),
            ("header", json!("Authorization"), &[8, 14]),
            ("prefix", json!("SSWS "), &[14]),
            ("credential", json!("api_token"), &[14]),
            ("base_url", json!("https://{okta_domain}/api/v1"), &[15, 18, 19]),
            ("endpoint", json!("/users/me"), &[15, 29]),
            ("headers", json!({"Accept": "application/json"}), &[13]),
            // "it returns `profile.login`": said in the paragraph that names the call.
            ("show", json!("profile.login"), &[30]),
            ("parameter", json!({"name": "api_token", "secret": true}), &[14]),
            ("parameter", json!({"name": "okta_domain", "secret": false}), &[15, 18, 19]),
        ],
    );
}

#[test]
fn curl_only_doc_with_the_key_as_user_name() {
    let repo = doc_repo("freshdesk");
    let (code, report, _) = analyze_json(&repo, "freshdesk", None);
    assert_eq!(code, 0);
    assert_eq!(
        report["verification"],
        json!({"base_url": "https://{domain}.freshdesk.com/api/v2", "endpoint": "/agents/me", "auth": "basic",
               "username": "api_key", "password": "X"})
    );
    assert_findings(
        &report,
        &[
            ("auth", json!("basic"), &[6, 9, 15, 21]),
            ("username", json!("api_key"), &[6, 9, 15, 21]),
            ("password", json!("X"), &[6, 10, 15, 21]),
            ("base_url", json!("https://{domain}.freshdesk.com/api/v2"), &[6, 15, 21]),
            ("endpoint", json!("/agents/me"), &[6, 12, 15]),
            ("parameter", json!({"name": "api_key", "secret": true}), &[6, 9, 15, 21]),
            ("parameter", json!({"name": "domain", "secret": false}), &[6, 15, 21]),
        ],
    );
}

#[test]
fn header_table_with_a_required_version_header() {
    let repo = doc_repo("notion");
    let (code, report, _) = analyze_json(&repo, "notion", None);
    assert_eq!(code, 0);
    assert_eq!(
        report["verification"],
        json!({"base_url": "https://api.notion.com/v1", "endpoint": "/users/me", "auth": "bearer",
               "credential": "integration_token", "headers": {"Notion-Version": "2022-06-28"},
               "show": "name"})
    );
    assert_findings(
        &report,
        &[
            ("auth", json!("bearer"), &[12, 20]),
            ("header", json!("Authorization"), &[12, 20]),
            ("prefix", json!("Bearer "), &[12, 20]),
            ("credential", json!("integration_token"), &[12]),
            ("base_url", json!("https://api.notion.com/v1"), &[8, 19]),
            ("endpoint", json!("/users/me"), &[16, 19]),
            ("headers", json!({"Notion-Version": "2022-06-28"}), &[13, 21]),
            ("show", json!("name"), &[24]),
            ("parameter", json!({"name": "integration_token", "secret": true}), &[12]),
        ],
    );
}

#[test]
fn http_request_block_with_a_required_lowercase_header_and_a_list_call() {
    let repo = doc_repo("klaviyo");
    let (code, report, _) = analyze_json(&repo, "klaviyo", None);
    assert_eq!(code, 0);
    // The example asks for 10 items; the check asks for one.
    assert_eq!(
        report["verification"],
        json!({"base_url": "https://a.klaviyo.com/api", "endpoint": "/lists/", "auth": "api_key_header",
               "credential": "api_key", "header": "Authorization", "prefix": "Klaviyo-API-Key ",
               "params": {"page[size]": "1"}, "headers": {"revision": "2024-10-15", "accept": "application/json"}})
    );
    assert_findings(
        &report,
        &[
            ("auth", json!("api_key_header"), &[11, 18]),
            ("header", json!("Authorization"), &[11, 18]),
            ("prefix", json!("Klaviyo-API-Key "), &[11, 18]),
            ("credential", json!("api_key"), &[11]),
            ("base_url", json!("https://a.klaviyo.com/api"), &[7, 17, 31]),
            ("endpoint", json!("/lists/"), &[17, 31]),
            ("params", json!({"page[size]": "1"}), &[17]),
            ("headers", json!({"revision": "2024-10-15", "accept": "application/json"}), &[12, 19, 20]),
            ("parameter", json!({"name": "api_key", "secret": true}), &[11]),
        ],
    );
    // OAuth is named but "not recommended" and has no token URL: not a method here.
    assert_eq!(report["findings"].as_array().unwrap().iter().filter(|f| f["kind"] == "auth").count(), 1);
}

#[test]
fn a_method_the_doc_no_longer_supports_is_not_proposed() {
    let repo = doc_repo("hubspot");
    let (code, report, _) = analyze_json(&repo, "hubspot", None);
    assert_eq!(code, 0);
    assert_eq!(
        report["verification"],
        json!({"base_url": "https://api.hubapi.com", "endpoint": "/account-info/v3/details", "auth": "bearer",
               "credential": "access_token", "show": "portalId"})
    );
    assert_findings(
        &report,
        &[
            ("auth", json!("bearer"), &[5, 8]),
            ("header", json!("Authorization"), &[5, 8]),
            ("prefix", json!("Bearer "), &[8]),
            ("credential", json!("access_token"), &[8]),
            ("base_url", json!("https://api.hubapi.com"), &[22]),
            ("endpoint", json!("/account-info/v3/details"), &[27]),
            ("show", json!("portalId"), &[28]),
            ("parameter", json!({"name": "access_token", "secret": true}), &[8]),
        ],
    );
    assert!(!report.to_string().contains("hapikey"));
}

#[test]
fn recommended_method_wins_over_oauth_and_the_site_host_is_templated() {
    let repo = doc_repo("jira");
    let (code, report, _) = analyze_json(&repo, "jira", None);
    assert_eq!(code, 0);
    assert_eq!(
        report["verification"],
        json!({"base_url": "https://{domain}.atlassian.net", "endpoint": "/rest/api/3/myself", "auth": "basic",
               "username": "email", "password": "api_token", "headers": {"Accept": "application/json"},
               "show": "accountId"})
    );
    assert_findings(
        &report,
        &[
            ("auth", json!("basic"), &[7, 20]),
            ("auth", json!("oauth_refresh"), &[10, 11, 12]),
            ("username", json!("email"), &[7, 20]),
            ("password", json!("api_token"), &[8, 20]),
            ("base_url", json!("https://{domain}.atlassian.net"), &[15, 19]),
            ("endpoint", json!("/rest/api/3/myself"), &[19, 24]),
            ("headers", json!({"Accept": "application/json"}), &[21]),
            ("show", json!("accountId"), &[24]),
            ("parameter", json!({"name": "email", "secret": false}), &[7, 20]),
            ("parameter", json!({"name": "api_token", "secret": true}), &[8, 20]),
            ("parameter", json!({"name": "domain", "secret": false}), &[15, 19]),
        ],
    );
}

#[test]
fn a_doc_that_says_no_auth_is_needed_proposes_none() {
    let repo = doc_repo("open_meteo");
    let (code, report, _) = analyze_json(&repo, "open_meteo", None);
    assert_eq!(code, 0);
    assert_eq!(
        report["verification"],
        json!({"base_url": "https://api.open-meteo.com/v1", "endpoint": "/forecast", "auth": "none",
               "params": {"latitude": "52.52", "longitude": "13.41", "current": "temperature_2m"},
               "show": "latitude"})
    );
    assert_eq!(report["findings"][0], json!({"kind": "auth", "value": "none", "lines": [5], "confidence": 0.6}));
}

#[test]
fn a_doc_with_no_auth_evidence_exits_1() {
    let repo = doc_repo("nothing");
    let (code, report, stderr) = analyze_json(&repo, "nothing", None);
    assert_eq!(code, 1);
    assert_eq!(report["verification"], Value::Null);
    assert_eq!(report["findings"], json!([]));
    assert!(stderr.contains("shows no way to authenticate"), "{stderr}");
}

#[test]
fn a_missing_doc_exits_2_naming_the_path_and_doc() {
    let repo = Test::with_fixtures(&["acme"]);
    let (code, _, stderr) = analyze_json(&repo, "acme", None);
    assert_eq!(code, 2);
    assert!(stderr.contains("acme/acme_api_doc.md: no API doc here"), "{stderr}");
    assert!(stderr.contains("--doc PATH"), "{stderr}");
    let (code, _, stderr) = analyze_json(&repo, "acme", Some(Path::new("nowhere.md")));
    assert_eq!(code, 2);
    assert!(stderr.contains("nowhere.md"), "{stderr}");
}

#[test]
fn doc_given_with_doc_flag_and_output_is_deterministic() {
    let repo = Test::new();
    let doc = common::fixtures_dir().join("pagerduty/pagerduty_api_doc.md");
    let runs: Vec<String> = (0..3)
        .map(|i| {
            let cmd = repo.authgen(["analyze", "pagerduty", "--doc"]).arg(&doc);
            let cmd = if i == 2 { cmd.args(["--format", "json"]) } else { cmd };
            cmd.run().stdout
        })
        .collect();
    assert_eq!(runs[0], runs[1]);
    let again = repo.authgen(["analyze", "pagerduty", "--format", "json", "--doc"]).arg(&doc).run().stdout;
    assert_eq!(runs[2], again);
}

#[test]
fn text_report_quotes_the_lines_and_ends_with_the_block() {
    let repo = Test::with_fixtures(&["pagerduty"]);
    let out = repo.authgen(["analyze", "pagerduty"]).run();
    out.assert_code(0);
    let stdout = &out.stdout;
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("  prefix ") && l.contains(" Token token= ") && l.ends_with("0.82  lines 8, 16")),
        "{stdout}"
    );
    assert!(stdout.contains("   8 |     Authorization: Token token=y_NbAkKc66ryYTWUXYEu\n"), "{stdout}");
    assert!(
        stdout.ends_with(
            "proposed connection.verification (each key's confidence and doc lines):\n  verification:\n    base_url: https://api.pagerduty.com  # 0.66, lines 11, 18\n    endpoint: /users  # 0.89, lines 13, 18\n    auth: api_key_header  # 0.87, lines 5, 8, 16\n    credential: api_key  # 0.40, line 5\n    header: Authorization  # 0.87, lines 5, 8, 16\n    prefix: Token token=  # 0.82, lines 8, 16\n    params:  # 0.70, lines 13, 18\n      limit: 1\n    headers:  # 0.82, lines 9, 17\n      Accept: application/vnd.pagerduty+json;version=2\n"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains('\x1b'), "no colour without a terminal");
}

/// `analyze --write --yes`, then `generate --dry-run` must succeed; every
/// line of the original spec is still there, in order.
fn write_then_generate(repo: &Test, source: &str) -> String {
    let before = std::fs::read_to_string(repo.spec_path(source)).ok();
    // Merging is what is tested here; the confidence threshold has its own tests.
    let out = repo.authgen(["analyze", source, "--write", "--yes", "--accept-low-confidence"]).run();
    assert_eq!(out.code, Some(0), "{source}: {}", out.stderr);
    let spec = format!("{SPEC_DIR}/{source}/connector_spec.yaml");
    assert!(out.written.iter().all(|w| *w == spec), "{source}: only the spec may be written: {:?}", out.written);
    let after = repo.read_spec(source);
    if let Some(before) = before {
        let mut rest = after.lines();
        for line in before.lines() {
            assert!(rest.any(|l| l == line), "{source}: line {line:?} lost or moved:\n{after}");
        }
    }
    let gen_out = repo.authgen(["generate", source, "--dry-run"]).run();
    assert_eq!(gen_out.code, Some(0), "{source}: generate: {}\n{after}", gen_out.stderr);
    after
}

#[test]
fn write_merges_into_each_fixture_spec_and_generate_succeeds() {
    let names = ["github", "zendesk", "shopify", "pagerduty", "openweather", "gmail"];
    let repo = Test::with_fixtures(&names);
    for name in names {
        write_then_generate(&repo, name);
    }
    let github = repo.read_spec("github");
    assert!(
        github.contains("    endpoint: /user\n    auth: bearer\n    credential: token\n    headers:\n"),
        "{github}"
    );
    assert!(github.starts_with("# GitHub connector spec (fixture)\n"));
    // A second run finds nothing to add.
    let out = repo.authgen(["analyze", "github", "--write", "--yes"]).run();
    out.assert_code(0);
    assert!(out.stderr.contains("already holds all of this"), "{}", out.stderr);
}

#[test]
fn write_keeps_what_the_spec_says_and_names_the_difference() {
    let repo = Test::with_fixtures(&["shopify"]);
    let before = repo.read_spec("shopify");
    let out = repo.authgen(["analyze", "shopify", "--write", "--yes"]).run();
    out.assert_code(0);
    let stderr = out.stderr;
    assert!(
        stderr.contains("kept connection.verification.base_url = \"https://{shop}.myshopify.com/admin/api/2024-10\" (proposed: \"https://{shop}.myshopify.com/admin/api/{api_version}\")"),
        "{stderr}"
    );
    assert_eq!(repo.read_spec("shopify"), before);
}

#[test]
fn write_fits_the_doc_names_to_the_spec_parameters() {
    // The doc calls the secret an API key; the fixture spec calls it secret_key.
    let repo = doc_repo("stripe");
    let after = write_then_generate(&repo, "stripe");
    assert!(after.contains("    auth: basic\n    username: secret_key\n    password: \"\"\n"), "{after}");
    let repo = doc_repo("microsoft_graph");
    let after = write_then_generate(&repo, "microsoft_graph");
    assert!(after.contains("    endpoint: /organization\n    auth: oauth_client_credentials\n"), "{after}");
}

#[test]
fn write_creates_a_spec_for_a_new_source() {
    for source in ["notion", "okta", "freshdesk", "jira", "hubspot", "open_meteo", "klaviyo"] {
        let repo = doc_repo(source);
        assert!(!repo.spec_path(source).exists());
        let after = write_then_generate(&repo, source);
        assert!(after.starts_with("display_name: "), "{after}");
        assert!(after.ends_with("external_options_allowlist: \"\"\n"), "{after}");
    }
    let repo = doc_repo("okta");
    write_then_generate(&repo, "okta");
    let spec = repo.read_spec("okta");
    assert!(
        spec.contains("    - name: api_token\n      type: string\n      required: true\n      secret: true\n"),
        "{spec}"
    );
    assert!(spec.contains("    - name: okta_domain\n"), "{spec}");
}

#[test]
fn write_without_a_terminal_needs_yes() {
    let repo = Test::with_fixtures(&["github"]);
    let before = repo.read_spec("github");
    let out = repo.authgen(["analyze", "github", "--write"]).run();
    out.assert_code(1);
    assert!(out.stdout.contains("+    auth: bearer"), "the diff is shown first");
    assert!(out.stderr.contains("run `authgen analyze github --write --yes` to accept"), "{}", out.stderr);
    assert_eq!(repo.read_spec("github"), before);
    out.assert_wrote_nothing();
}

#[test]
fn write_refuses_json_and_a_doc_without_auth() {
    let repo = doc_repo("nothing");
    let out = repo.authgen(["analyze", "nothing", "--write", "--yes"]).run();
    out.assert_code(1);
    assert!(!repo.spec_path("nothing").exists());
    out.assert_wrote_nothing();
    let out = repo.authgen(["analyze", "nothing", "--write", "--format", "json"]).run();
    out.assert_code(2);
    out.assert_wrote_nothing();
}

/// Every proposed key carries its confidence and doc lines, in the JSON
/// report and beside each key of the text report's block.
#[test]
fn every_proposed_key_has_its_confidence_and_lines_in_both_outputs() {
    for source in ["notion", "okta", "freshdesk", "jira", "hubspot", "klaviyo", "stripe"] {
        let repo = doc_repo(source);
        let out = repo.authgen(["analyze", source, "--format", "json"]).run();
        let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let block: Vec<&str> = report["verification"].as_object().unwrap().keys().map(String::as_str).collect();
        let keys: Vec<&str> = report["keys"].as_array().unwrap().iter().map(|k| k["key"].as_str().unwrap()).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(block, sorted, "{source}: one confidence per key");
        for k in report["keys"].as_array().unwrap() {
            let c = k["confidence"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&c), "{source}: {k}");
            assert!(c == 0.0 || !k["lines"].as_array().unwrap().is_empty(), "{source}: {k} has no doc line");
        }
        assert_eq!(report["write_threshold"].as_f64(), Some(0.40));
        let text = repo.authgen(["analyze", source]).run().stdout;
        let block_text = text.split("proposed connection.verification").nth(1).unwrap();
        for k in &keys {
            let line = block_text.lines().find(|l| l.starts_with(&format!("    {k}:"))).unwrap();
            assert!(line.contains("  # 0.") || line.contains("  # 1.00"), "{source}: {line}");
        }
    }
}

/// `--write --yes` refuses a block whose least sure key is below 0.40, says
/// which key and why, writes nothing; `--accept-low-confidence` writes it.
#[test]
fn write_yes_refuses_a_low_confidence_key_unless_accepted() {
    let repo = Test::with_fixtures(&["openweather"]);
    let spec = repo.read_spec("openweather");
    // Without a verification block, the analysis's own keys are written.
    let bare = spec.split("  verification:").next().unwrap().to_string() + "external_options_allowlist: \"\"\n";
    repo.write_spec("openweather", &bare);
    let json = repo.authgen(["analyze", "openweather", "--format", "json"]).run().stdout;
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let weakest = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .min_by(|a, b| a["confidence"].as_f64().unwrap().total_cmp(&b["confidence"].as_f64().unwrap()))
        .unwrap()
        .clone();
    assert!(weakest["confidence"].as_f64().unwrap() < 0.40, "{json}");
    let key = weakest["key"].as_str().unwrap();
    let out = repo.authgen(["analyze", "openweather", "--write", "--yes"]).run();
    out.assert_code(1);
    assert!(out.stderr.contains(&format!("openweather: {key} has confidence")), "names the key: {}", out.stderr);
    assert!(
        out.stderr.contains("below the write threshold 0.40: the doc says it only in passing (line"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--accept-low-confidence"), "{}", out.stderr);
    out.assert_wrote_nothing();
    assert_eq!(repo.read_spec("openweather"), bare);
    let out = repo.authgen(["analyze", "openweather", "--write", "--yes", "--accept-low-confidence"]).run();
    out.assert_code(0);
    assert!(out.stderr.contains(&format!("warning: openweather: {key} has confidence")), "{}", out.stderr);
    assert!(repo.read_spec("openweather").contains("  verification:\n"));
    // setup --yes applies the same threshold.
    repo.write_spec("openweather", &bare);
    let out = repo.authgen(["setup", "openweather", "--yes", "--no-commit"]).stdin("").run();
    out.assert_code(1);
    assert!(out.stderr.contains(&format!("openweather: {key} has confidence")), "{}", out.stderr);
    assert_eq!(repo.read_spec("openweather"), bare);
}

const EHR_BACKEND_DOC: &str = "# Backend OAuth 2.0

Backend apps use the OAuth 2.0 client credentials grant. There is no client
secret: register a public key, then sign a JWT with the private key and send
it as a client assertion.

The token endpoint is `https://fhir.ehrvendor.com/interconnect-fhir-oauth/oauth2/token`.

```
POST https://fhir.ehrvendor.com/interconnect-fhir-oauth/oauth2/token
Content-Type: application/x-www-form-urlencoded

grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJhbGciOiJSUzM4NCJ9...
```

The JWT is signed with RS384; `iss` and `sub` are your client ID, `aud` is the
token endpoint, and `exp` is at most 5 minutes away.

The FHIR base URL is `https://fhir.ehrvendor.com/interconnect-fhir-oauth/api/FHIR/R4`.
`GET /metadata` returns the CapabilityStatement, with `fhirVersion`.
";

/// A service-account doc in the style of Google's server-to-server guide,
/// with an identity call so the block can be written whole.
const SERVICE_ACCOUNT_DOC: &str = "# Drive API: service accounts

Server-to-server apps authenticate as a service account. Download the
service account's JSON key file from the Cloud console; it holds
`client_email` and `private_key`.

The app signs a JWT with that key and exchanges it at
`https://oauth2.googleapis.com/token` with the grant type
`urn:ietf:params:oauth:grant-type:jwt-bearer`. Request the scope
`https://www.googleapis.com/auth/drive.metadata.readonly`.

All URLs below are relative to the base URL `https://www.googleapis.com/drive/v3`.
`GET /about?fields=user` returns the account the token belongs to, with `user`.
";

/// A private key or a service-account key proposes a signed JWT
/// (`client_auth: private_key_jwt`, `oauth_jwt_bearer`), never a header
/// carrying the key; `--write` writes these keys into the verification block,
/// the key parameter being the spec's own (fitted by its name or
/// description), and refuses when the spec has no parameter holding the key.
#[test]
fn a_private_key_proposes_a_signed_jwt_never_a_header() {
    for (doc, wants) in [
        ("smart_fhir", &["auth: oauth_client_credentials", "client_auth: private_key_jwt", "signing_alg: RS384"][..]),
        (
            "google_analytics",
            &[
                "auth: oauth_jwt_bearer",
                "key_json: service_account_json",
                "scopes: https://www.googleapis.com/auth/analytics.readonly",
            ][..],
        ),
    ] {
        let repo = Test::with_spec("s", "display_name: S\nconnection:\n  parameters: []\n");
        let path = docs_dir().join(format!("{doc}_api_doc.md"));
        let (_, report, _) = analyze_json(&repo, "s", Some(&path));
        let v = &report["verification"];
        assert!(v["header"].is_null() && v["credential"].is_null() && v["prefix"].is_null(), "{doc}: {v}");
        for want in wants {
            let (k, val) = want.split_once(": ").unwrap();
            assert_eq!(v[k], val, "{doc}: {k} in {v}");
        }
        let text = repo.authgen(["analyze", "s", "--doc"]).arg(&path).run().stdout;
        assert!(text.contains("the key is never sent as a header"), "{doc}: {text}");
    }
    // A JWT bearer grant needs no client id or secret, and no oauth block.
    let repo = Test::with_spec("s", "display_name: S\nconnection:\n  parameters: []\n");
    let (_, report, _) = analyze_json(&repo, "s", Some(&docs_dir().join("google_analytics_api_doc.md")));
    assert!(report["oauth"].is_null(), "{report}");
    let names: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "parameter")
        .filter_map(|f| f["value"]["name"].as_str())
        .collect();
    assert!(names.contains(&"service_account_json") && !names.iter().any(|n| n.starts_with("client_")), "{names:?}");

    // Written: the spec's PEM parameter (found by its description) signs.
    let params = "    - {name: client_id, type: string, required: true, description: Client id registered with the EHR.}\n    - {name: signing_key, type: string, required: true, secret: true, description: PEM private key registered with the EHR.}\n";
    let spec = format!("display_name: S\nconnection:\n  parameters:\n{params}external_options_allowlist: \"\"\n");
    let repo = Test::with_spec("s", &spec);
    // Backend services in the style of an EHR vendor's guide: token URL and
    // FHIR base stated, so the block can be written whole.
    let smart = repo.path().join("ehr_backend_doc.md");
    std::fs::write(&smart, EHR_BACKEND_DOC).unwrap();
    let out = repo.authgen(["analyze", "s", "--write", "--yes", "--accept-low-confidence", "--doc"]).arg(&smart).run();
    out.assert_code(0);
    let after = repo.read_spec("s");
    for want in [
        "auth: oauth_client_credentials\n",
        "client_auth: private_key_jwt\n",
        "private_key: signing_key\n",
        "signing_alg: RS384\n",
    ] {
        assert!(after.contains(want), "{want}\n{after}\n{}", out.stderr);
    }
    assert!(!after.contains("header:") && !after.contains("private_key_pem"), "{after}");
    assert!(
        out.stderr.contains("the doc's key private_key_pem is the spec's key parameter signing_key"),
        "{}",
        out.stderr
    );
    // A service-account key: the spec's key-file parameter, found by its name.
    let params =
        "    - {name: credentials_json, type: string, required: true, secret: true, description: The key file.}\n";
    let spec = format!("display_name: S\nconnection:\n  parameters:\n{params}external_options_allowlist: \"\"\n");
    let repo = Test::with_spec("g", &spec);
    let drive = repo.path().join("drive_doc.md");
    std::fs::write(&drive, SERVICE_ACCOUNT_DOC).unwrap();
    let out = repo.authgen(["analyze", "g", "--write", "--yes", "--accept-low-confidence", "--doc"]).arg(&drive).run();
    out.assert_code(0);
    let after = repo.read_spec("g");
    for want in [
        "auth: oauth_jwt_bearer\n",
        "key_json: credentials_json\n",
        "scopes: https://www.googleapis.com/auth/drive.metadata.readonly\n",
    ] {
        assert!(after.contains(want), "{want}\n{after}\n{}", out.stderr);
    }
    assert!(!after.contains("client_id") && !after.contains("oauth:"), "{after}");
    // No parameter holds a key: nothing written, the missing key named.
    let bare = "display_name: S\nconnection:\n  parameters:\n    - {name: api_token, type: string, required: true, secret: true, description: Token.}\nexternal_options_allowlist: \"\"\n".to_string();
    let repo = Test::with_spec("s", &bare);
    let out = repo.authgen(["analyze", "s", "--write", "--yes", "--accept-low-confidence", "--doc"]).arg(&smart).run();
    out.assert_code(1);
    assert!(out.stderr.contains("{private_key_pem}") && out.stderr.contains("nothing written"), "{}", out.stderr);
    assert_eq!(repo.read_spec("s"), bare);
}

/// What a token flow needs is read from the doc: Auth0's client-credentials
/// request posts an `audience` (and its bearer token is that flow's, not a
/// static one), Zoho's refresh flow sends the token with `Zoho-oauthtoken`,
/// and Microsoft's client-credentials flow asks for the `.default` scope.
#[test]
fn token_flows_take_the_audience_prefix_and_default_scope_the_doc_names() {
    let repo = Test::with_spec("s", "display_name: S\nconnection:\n  parameters: []\n");
    let report = |doc: &str| analyze_json(&repo, "s", Some(&docs_dir().join(format!("{doc}_api_doc.md")))).1;
    let auth0 = report("auth0");
    assert_eq!(auth0["verification"]["auth"], "oauth_client_credentials", "{auth0}");
    assert_eq!(auth0["verification"]["audience"], "https://{domain}/api/v2/", "{auth0}");
    assert_eq!(auth0["oauth"]["token_url"], "https://{domain}/oauth/token", "{auth0}");
    assert!(auth0["verification"]["credential"].is_null(), "{auth0}");
    let zoho = report("zoho_crm");
    assert_eq!(zoho["verification"]["auth"], "oauth_refresh", "{zoho}");
    assert_eq!(zoho["verification"]["prefix"], "Zoho-oauthtoken ", "{zoho}");
    assert_eq!(zoho["oauth"]["token_url"], "{accounts_server}/oauth/v2/token", "{zoho}");
    let graph = report("microsoft_graph");
    assert_eq!(graph["verification"]["auth"], "oauth_client_credentials", "{graph}");
    assert_eq!(graph["oauth"]["scopes"], "https://graph.microsoft.com/.default", "{graph}");

    // Written on a spec without an oauth block: the audience, token URL and
    // scopes go into the verification block, the parameters stay as they are.
    let params = "    - {name: domain, type: string, required: true, description: Tenant domain.}\n    - {name: client_id, type: string, required: true, description: Client id.}\n    - {name: client_secret, type: string, required: true, secret: true, description: Client secret.}\n";
    let spec = format!("display_name: S\nconnection:\n  parameters:\n{params}external_options_allowlist: \"\"\n");
    let repo = Test::with_spec("a0", &spec);
    let out = repo
        .authgen(["analyze", "a0", "--write", "--yes", "--accept-low-confidence", "--doc"])
        .arg(docs_dir().join("auth0_api_doc.md"))
        .run();
    out.assert_code(0);
    let after = repo.read_spec("a0");
    for want in [
        "    auth: oauth_client_credentials\n",
        "    audience: \"https://{domain}/api/v2/\"\n",
        "    token_url: \"https://{domain}/oauth/token\"\n",
    ] {
        assert!(after.contains(want), "{want}\n{after}\n{}", out.stderr);
    }
    assert!(after.starts_with(&format!("display_name: S\nconnection:\n  parameters:\n{params}")), "{after}");
}
