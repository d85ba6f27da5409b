//! Snapshots under `snapshots/`: the plan and the rendered file of every
//! fixture for both HTTP clients (reviewed apart, so an IR change and a text
//! change are separate diffs), `--help`, and representative error and diff
//! output. Review changes with `cargo insta review`.

mod common;

use authgen::plan::HttpClient;
use authgen::render::Renderer;
use common::*;

macro_rules! snap {
    ($name:expr, $value:expr) => {
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

#[test]
fn plans() {
    for name in GENERATING {
        let plan = plan_for(name, HttpClient::Requests);
        snap!(format!("plan__{name}"), serde_json::to_string_pretty(&plan).unwrap());
    }
}

#[test]
fn rendered_files() {
    let renderer = Renderer::new(None).unwrap();
    for name in GENERATING {
        for client in [HttpClient::Requests, HttpClient::Urllib] {
            let rendered = renderer.render(&plan_for(name, client)).unwrap();
            snap!(format!("render__{name}__{}", client.name()), rendered);
        }
    }
    snap!("render__runtime", renderer.render_runtime().unwrap());
}

#[test]
fn help() {
    for args in [&["--help"][..], &["generate", "--help"], &["check", "--help"]] {
        let out = Test::new().authgen(args).current_dir("/").success();
        snap!(format!("help__{}", args.join("_").trim_start_matches("--").replace("_--help", "")), out.stdout);
    }
}

#[test]
fn errors() {
    for name in ["acme", "broken", "hostile_header", "hostile_url"] {
        let out = Test::with_fixtures(&[name]).authgen(["generate", name, "--yes"]).code(2);
        snap!(format!("error__{name}"), out.stderr);
    }
}

#[test]
fn check_diff_output() {
    let repo = Test::with_fixtures(&["pagerduty"]);
    repo.authgen(["generate", "pagerduty", "--yes"]).success();
    let edited = repo.read_spec("pagerduty").replace("limit: 1", "limit: 2").replace("/users", "/users/me");
    repo.write_spec("pagerduty", &edited);
    let out = repo.authgen(["check", "pagerduty"]).code(1);
    snap!("check__pagerduty_stale", format!("--- stdout\n{}--- stderr\n{}", out.stdout, out.stderr));
}
