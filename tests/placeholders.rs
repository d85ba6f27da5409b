//! The doc's placeholders map onto the spec's own parameters: by name, by
//! normalised name, by what the parameters' descriptions say; a value the
//! doc derives from the secret is proposed as a `derive` rule; one that maps
//! to nothing blocks `--write`, named with its doc line. A `base_url`
//! parameter the spec calls a login server is kept out of the check's URL.

mod common;

use common::{Test, manifest_dir};

fn doc(name: &str) -> std::path::PathBuf {
    manifest_dir().join(format!("tests/fixtures/docs/{name}_api_doc.md"))
}

fn write(repo: &Test, source: &str, doc_name: &str) -> common::Ran {
    repo.authgen(["analyze", source, "--write", "--yes", "--accept-low-confidence", "--doc"]).arg(doc(doc_name)).run()
}

const SPEC_HEAD: &str = "display_name: X\nconnection:\n  parameters:\n";

fn spec_with(params: &str) -> String {
    format!("{SPEC_HEAD}{params}external_options_allowlist: \"\"\n")
}

#[test]
fn a_placeholder_maps_by_normalised_name() {
    // The doc says {dc}; the spec calls it data_center.
    let spec = spec_with(
        "    - {name: data_center, type: string, required: true, description: Data center.}\n    - {name: api_key, type: string, required: true, secret: true, description: Key.}\n",
    );
    let repo = Test::with_spec("mc", &spec);
    let out = write(&repo, "mc", "mailchimp");
    out.assert_code(0);
    let after = repo.read_spec("mc");
    assert!(after.contains("base_url: \"https://{data_center}.api.mailchimp.com/3.0\""), "{after}\n{}", out.stderr);
    assert!(out.stderr.contains("the doc's {dc} is the spec's parameter data_center"), "{}", out.stderr);
    // Parameters untouched.
    assert!(after.starts_with(&spec.replace("external_options_allowlist: \"\"\n", "")), "{after}");
}

#[test]
fn a_placeholder_maps_by_the_parameters_description() {
    let spec = spec_with(
        "    - {name: foundry, type: string, required: true, description: Your Foundry hostname such as acme.palantirfoundry.com.}\n    - {name: token, type: string, required: true, secret: true, description: User token.}\n",
    );
    let repo = Test::with_spec("pf", &spec);
    let out = write(&repo, "pf", "palantir_foundry");
    out.assert_code(0);
    let after = repo.read_spec("pf");
    assert!(after.contains("{foundry}"), "{after}\n{}", out.stderr);
    assert!(out.stderr.contains("(its description says so)"), "{}", out.stderr);
}

#[test]
fn an_unmapped_placeholder_blocks_write_with_its_doc_line() {
    let spec = spec_with("    - {name: token, type: string, required: true, secret: true, description: Token.}\n");
    let repo = Test::with_spec("zd", &spec);
    let zendesk = manifest_dir().join("tests/fixtures/connectors/zendesk/zendesk_api_doc.md");
    let out =
        repo.authgen(["analyze", "zd", "--write", "--yes", "--accept-low-confidence", "--doc"]).arg(&zendesk).run();
    out.assert_code(1);
    let line = std::fs::read_to_string(&zendesk)
        .unwrap()
        .lines()
        .position(|l| l.contains("{subdomain}"))
        .map(|i| i + 1)
        .unwrap();
    assert!(
        out.stderr.contains(&format!("{{subdomain}} ({}:{line})", zendesk.display())),
        "names the placeholder and its doc line: {}",
        out.stderr
    );
    assert!(out.stderr.contains("nothing written"), "{}", out.stderr);
    assert_eq!(repo.read_spec("zd"), spec);
}

#[test]
fn hosts_listed_per_region_are_a_map_rule_keyed_by_the_spec_parameters_values() {
    let spec = spec_with(
        "    - {name: api_key, type: string, required: true, secret: true, description: Project API key.}\n    - {name: secret_key, type: string, required: true, secret: true, description: Project secret key.}\n    - {name: data_region, type: string, required: false, description: \"US (default) or EU, where the project's data is stored.\"}\n",
    );
    let repo = Test::with_spec("amp", &spec);
    let out = write(&repo, "amp", "amplitude");
    out.assert_code(0);
    let after = repo.read_spec("amp");
    assert!(after.contains("    base_url: \"https://{host}/api/2\"\n"), "{after}\n{}", out.stderr);
    assert!(
        after.contains(
            "    derive:\n      host:\n        from: data_region\n        map:\n          US: amplitude.com\n          EU: analytics.eu.amplitude.com\n        default: amplitude.com\n"
        ),
        "{after}\n{}",
        out.stderr
    );
    assert!(out.stderr.contains("the doc's {region} is the spec's parameter data_region"), "{}", out.stderr);
    assert!(after.starts_with(&spec.replace("external_options_allowlist: \"\"\n", "")), "{after}");
    repo.authgen(["lint", "amp"]).success();
    // The doc alone: the map keyed by the rows' own words, from a `region` parameter.
    let json = repo.authgen(["analyze", "amp", "--format", "json", "--doc"]).arg(doc("amplitude")).run().stdout;
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let host = &report["verification"]["derive"]["host"];
    assert_eq!(host["from"], "region", "{json}");
    assert_eq!(host["map"]["EU"], "analytics.eu.amplitude.com", "{json}");
    assert_eq!(host["default"], "amplitude.com", "{json}");
    // One host, or hosts the doc does not tie to regions: no rule.
    let one = repo.write(
        "one_doc.md",
        std::fs::read_to_string(doc("amplitude"))
            .unwrap()
            .replace("| EU residency server | `https://analytics.eu.amplitude.com/api/2` |\n", ""),
    );
    let json = repo.authgen(["analyze", "amp", "--format", "json", "--doc"]).arg(&one).run().stdout;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&json).unwrap()["verification"]["base_url"],
        "https://amplitude.com/api/2",
        "{json}"
    );
}

#[test]
fn a_call_needing_a_resource_id_is_taken_only_when_the_spec_holds_it() {
    let report = |repo: &Test| -> serde_json::Value {
        let out = repo.authgen(["analyze", "ga", "--format", "json", "--doc"]).arg(doc("google_analytics")).run();
        serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{}", out.stderr))
    };
    let key = "    - {name: service_account_json, type: string, required: true, secret: true, description: Service account key JSON.}\n";
    // The spec holds the property's ID: the call that needs it is the check.
    let with = Test::with_spec(
        "ga",
        &spec_with(&format!(
            "    - {{name: property_id, type: string, required: true, description: GA4 property.}}\n{key}"
        )),
    );
    let v = &report(&with)["verification"];
    assert_eq!(v["endpoint"], "/properties/{property_id}/metadata", "{v}");
    assert_eq!(v["show"], "name", "{v}");
    // Without it, no call needing an ID we lack is proposed.
    let without = Test::with_spec("ga", &spec_with(key));
    let v = &report(&without)["verification"];
    assert!(!v["endpoint"].as_str().unwrap_or("").contains('{'), "{v}");
}

#[test]
fn a_value_derived_from_the_secret_is_proposed_as_a_derive_rule() {
    let spec = spec_with("    - {name: api_key, type: string, required: true, secret: true, description: Key.}\n");
    let repo = Test::with_spec("mc", &spec);
    let out = write(&repo, "mc", "mailchimp");
    out.assert_code(0);
    let after = repo.read_spec("mc");
    // Written into the verification block, computed from the spec's secret;
    // no `dc` parameter is asked for.
    assert!(
        after.contains("    derive:\n      dc:\n        from: api_key\n        after_last: \"-\"\n"),
        "{after}\n{}",
        out.stderr
    );
    assert!(after.contains("base_url: \"https://{dc}.api.mailchimp.com/3.0\""), "{after}");
    assert!(!out.stderr.contains("parameter dc"), "{}", out.stderr);
    assert!(after.starts_with(&spec.replace("external_options_allowlist: \"\"\n", "")), "{after}");
    // The JSON report carries the rule and its doc line.
    let json = repo.authgen(["analyze", "mc", "--format", "json", "--doc"]).arg(doc("mailchimp")).run().stdout;
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["verification"]["derive"]["dc"]["after_last"], "-", "{json}");
    assert!(
        report["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["key"] == "derive" && k["lines"] == serde_json::json!([26])),
        "{json}"
    );
    // A doc that does not say where the value comes from: {dc} stays a
    // placeholder naming no parameter, and nothing is written.
    let silent = repo.path().join("silent_doc.md");
    let text = std::fs::read_to_string(doc("mailchimp"))
        .unwrap()
        .replace("it is the part of your API key\nafter the dash", "see your account page");
    assert!(!text.contains("after the dash"));
    std::fs::write(&silent, text).unwrap();
    let repo = Test::with_spec("mc", &spec);
    let out =
        repo.authgen(["analyze", "mc", "--write", "--yes", "--accept-low-confidence", "--doc"]).arg(&silent).run();
    out.assert_code(1);
    assert!(out.stderr.contains("{dc}") && out.stderr.contains("nothing written"), "{}", out.stderr);
    assert_eq!(repo.read_spec("mc"), spec);
}

#[test]
fn a_base_url_parameter_that_is_a_login_server_is_not_the_api_root() {
    let spec = spec_with(
        "    - {name: base_url, type: string, required: true, description: Zoho accounts server URL such as https://accounts.zoho.eu.}\n    - {name: access_token, type: string, required: true, secret: true, description: OAuth access token.}\n",
    );
    let repo = Test::with_spec("zoho", &spec);
    let out = write(&repo, "zoho", "zoho_crm");
    out.assert_code(0);
    let after = repo.read_spec("zoho");
    assert!(after.contains("    base_url: https://www.zohoapis.com/crm/v6\n"), "{after}");
    assert!(after.contains("    base_url_param: null\n"), "{after}");
    assert!(after.contains("    prefix: \"Zoho-oauthtoken \"\n"), "{after}");
    // The refresh flow's token URL is on that accounts server.
    assert!(after.contains("    auth: oauth_refresh\n"), "{after}");
    assert!(after.contains("    token_url: \"{base_url}/oauth/v2/token\"\n"), "{after}\n{}", out.stderr);
    // Without that description, base_url is the API root as DESIGN.md says,
    // and the accounts server is the parameter that says so.
    let spec = spec.replace("Zoho accounts server URL", "API root").replace(
        "    - {name: access_token",
        "    - {name: accounts, type: string, required: true, description: Zoho accounts server.}\n    - {name: access_token",
    );
    let repo = Test::with_spec("zoho", &spec);
    let out = write(&repo, "zoho", "zoho_crm");
    out.assert_code(0);
    let after = repo.read_spec("zoho");
    assert!(!after.contains("base_url_param"), "{after}");
    assert!(after.contains("    token_url: \"{accounts}/oauth/v2/token\"\n"), "{after}\n{}", out.stderr);
}

#[test]
fn a_region_host_the_spec_cannot_choose_is_the_docs_default_or_blocks_write() {
    let spec = spec_with(
        "    - {name: api_key, type: string, required: true, secret: true, description: Project API key.}\n    - {name: secret_key, type: string, required: true, secret: true, description: Project secret key.}\n",
    );
    // No region parameter, and the doc names a default host: every connection
    // of this connector uses it, so the check does; the parameter that would
    // reach the other regions is suggested, optional.
    let repo = Test::with_spec("amp", &spec);
    let out = write(&repo, "amp", "amplitude");
    out.assert_code(0);
    let after = repo.read_spec("amp");
    assert!(after.contains("    base_url: https://amplitude.com/api/2\n"), "{after}\n{}", out.stderr);
    assert!(!after.contains("derive"), "{after}");
    assert!(
        out.stderr.contains("the spec has no region parameter: {host} is the doc's default amplitude.com"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("parameter region under connection.parameters:\n    - name: region\n      type: string\n      required: false\n"),
        "{}",
        out.stderr
    );
    repo.authgen(["lint", "amp"]).success();
    // Rows with no default: nothing to fall back on, so nothing is written
    // and the parameter is named with its doc line.
    let no_default = repo.write(
        "no_default.md",
        std::fs::read_to_string(doc("amplitude")).unwrap().replace("| Standard server |", "| India residency server |"),
    );
    let repo = Test::with_spec("amp", &spec);
    let out =
        repo.authgen(["analyze", "amp", "--write", "--yes", "--accept-low-confidence", "--doc"]).arg(&no_default).run();
    out.assert_code(1);
    let rows = format!("{{region}} ({}:18)", no_default.display());
    assert!(out.stderr.contains(&format!("nothing written: the proposal's placeholder(s) {rows}")), "{}", out.stderr);
    assert_eq!(repo.read_spec("amp"), spec);
}
