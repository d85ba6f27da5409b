//! Support for the packaging tests (wheel, pre-commit): throwaway virtual
//! environments filled from the package registry, and the cargo target
//! directory the wheel builds share.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The target directory of wheel builds: its own, so a build started by a
/// test does not wait on the lock `cargo test` holds, and shared by every
/// wheel build so only the first one is cold.
pub fn wheel_target_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"), PathBuf::from);
    target.join("wheel")
}

/// A command that builds the wheel with cargo: the shared target directory,
/// and none of the `CARGO_*` variables `cargo test` gave this process (build
/// scripts watch some of them, so they would make every dependency rebuild
/// and the next build from a shell rebuild again).
pub fn for_wheel_build(cmd: &mut Command) -> &mut Command {
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_") && key != "CARGO_HOME" {
            cmd.env_remove(key.as_ref());
        }
    }
    cmd.env("CARGO_TARGET_DIR", wheel_target_dir())
}

/// A new virtual environment at `dir` from the tests' Python (3.10+).
pub fn venv(dir: &Path) -> PathBuf {
    let python = crate::common::python();
    let out = Command::new(&python).args(["-m", "venv"]).arg(dir).output().expect("spawn python -m venv");
    assert!(out.status.success(), "{} -m venv {} failed:\n{}", python.display(), dir.display(), show(&out));
    dir.join("bin")
}

/// `pip install ARGS` into the environment whose `bin/` is given.
pub fn pip_install(bin: &Path, args: &[&str]) {
    let out = Command::new(bin.join("python"))
        .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
        .args(args)
        .output()
        .expect("spawn pip");
    assert!(out.status.success(), "pip install {} failed:\n{}", args.join(" "), show(&out));
}

pub fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The project files a wheel build needs, copied to `dest` (a clean tree:
/// no `target/`, no local virtual environments).
pub fn copy_project(dest: &Path) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for file in ["Cargo.toml", "Cargo.lock", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml"] {
        std::fs::copy(root.join(file), dest.join(file)).unwrap_or_else(|e| panic!("copy {file}: {e}"));
    }
    for dir in ["src", "templates"] {
        copy_tree(&root.join(dir), &dest.join(dir));
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
