//! The pip-installable wheel: built with maturin from pyproject.toml,
//! installed into a fresh virtual environment, and run from its `bin/`.

mod common;
mod packaging;

use std::process::Command;
use std::time::Instant;

use common::{authgen, run, scrub, text};
use packaging::{for_wheel_build, pip_install, show, venv};

#[test]
fn wheel_installs_with_pip_and_runs_the_demo() {
    let tmp = tempfile::tempdir().unwrap();
    let tools = venv(&tmp.path().join("tools"));
    pip_install(&tools, &["maturin>=1,<2"]);

    let dist = tmp.path().join("dist");
    let started = Instant::now();
    let out = for_wheel_build(&mut Command::new(tools.join("maturin")))
        .args(["build", "--release", "--out"])
        .arg(&dist)
        .arg("--manifest-path")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .output()
        .expect("spawn maturin");
    assert!(out.status.success(), "maturin build failed:\n{}", show(&out));
    let wheels: Vec<_> = std::fs::read_dir(&dist).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(wheels.len(), 1, "one wheel in {}: {wheels:?}", dist.display());
    let wheel = &wheels[0];
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    let version = env!("CARGO_PKG_VERSION");
    assert!(name.starts_with(&format!("authgen-{version}-py3-none-")) && name.ends_with(".whl"), "{name}");
    let size = std::fs::metadata(wheel).unwrap().len();
    eprintln!("wheel {name}: {size} bytes, built in {:.1?}", started.elapsed());

    // A fresh environment with nothing but the wheel: no index, no Rust.
    let bin = venv(&tmp.path().join("env"));
    pip_install(&bin, &["--no-index", &wheel.to_string_lossy()]);
    let exe = bin.join("authgen");
    assert!(exe.is_file(), "pip put no authgen in {}", bin.display());

    let out = run(scrub(&mut Command::new(&exe)).arg("--version"));
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(text(&out.stdout).trim(), format!("authgen {version}"));

    // The installed binary is the one this test built, not some other authgen.
    let ours = run(authgen(tmp.path()).arg("--help"));
    let installed = run(scrub(&mut Command::new(&exe)).arg("--help"));
    assert_eq!(text(&installed.stdout), text(&ours.stdout));

    let demo = tmp.path().join("demo");
    let out = run(scrub(&mut Command::new(&exe)).args(["demo", "--quiet", "--dir"]).arg(&demo).current_dir(tmp.path()));
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "--quiet prints one line:\n{stdout}");
    assert!(stdout.starts_with("Done: the right token passed (exit 0); the wrong one failed (exit 1: "), "{stdout}");
    assert!(stdout.contains("demo_api/auth_test.py"), "{stdout}");
    assert!(stdout.trim_end().ends_with(&demo.display().to_string()), "{stdout}");
    assert_eq!(text(&out.stderr), "", "--quiet prints nothing on stderr");
    assert!(demo.join("tests/unit/sources/demo_api/auth_test.py").is_file());
}
