//! `authgen completions` loads in each shell and completes commands and
//! flags; `authgen man` is roff that man and groff render without warnings.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{authgen, run, scrub, text};

/// A shell that must be installed (`.ci/run` installs zsh and fish).
fn shell(name: &str) -> Command {
    let found = Command::new("sh").args(["-c", &format!("command -v {name}")]).output().expect("sh");
    assert!(found.status.success(), "{name} is not installed: apt-get install -y zsh fish (as .ci/run does)");
    let mut cmd = Command::new(name);
    scrub(&mut cmd);
    // The shell finds the authgen under test first.
    let bin = Path::new(env!("CARGO_BIN_EXE_authgen")).parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    cmd.env("PATH", path);
    cmd
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "exit {:?}\n{}\n{}", out.status.code(), text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

/// Words bash's completion function offers for the command line `words`.
fn bash_complete(words: &[&str]) -> Vec<String> {
    let script = format!(
        "source <(authgen completions bash) || exit 3\n\
         COMP_WORDS=({words})\nCOMP_CWORD={cword}\nCOMP_LINE=\"${{COMP_WORDS[*]}}\"\nCOMP_POINT=${{#COMP_LINE}}\n\
         _authgen authgen \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words = words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" "),
        cword = words.len() - 1,
    );
    ok(&run(shell("bash").args(["-c", &script]))).lines().map(str::to_string).collect()
}

#[test]
fn bash_completion_loads_and_completes_commands_and_flags() {
    let registered = ok(&run(shell("bash").args(["-c", "source <(authgen completions bash) && complete -p authgen"])));
    assert!(registered.contains("-F _authgen") && registered.trim_end().ends_with(" authgen"), "{registered}");

    assert_eq!(bash_complete(&["authgen", "gen"]), ["generate"]);
    let both = bash_complete(&["authgen", "c"]);
    for command in ["check", "commit", "credentials", "completions"] {
        assert!(both.contains(&command.to_string()), "{command} missing from {both:?}");
    }
    assert_eq!(bash_complete(&["authgen", "generate", "--dry"]), ["--dry-run"]);
    assert_eq!(bash_complete(&["authgen", "completions", "fi"]), ["fish"]);
}

#[test]
fn zsh_completion_loads_and_registers_the_function() {
    let out = ok(&run(shell("zsh").args([
        "-f",
        "-c",
        "autoload -U compinit && compinit -u -D && source <(authgen completions zsh) && print -r -- $_comps[authgen] && whence -w _authgen",
    ])));
    assert_eq!(out, "_authgen\n_authgen: function\n");
}

#[test]
fn fish_completion_loads_and_completes_commands() {
    let out = ok(&run(shell("fish").args([
        "--no-config",
        "-c",
        "authgen completions fish | source; and complete -C 'authgen gen'; and complete -C 'authgen generate --dry'",
    ])));
    let words: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap_or_default()).collect();
    assert_eq!(words, ["generate", "--dry-run"], "{out}");
}

#[test]
fn powershell_completion_registers_a_completer() {
    let out = ok(&run(authgen(Path::new("/")).args(["completions", "powershell"])));
    assert!(out.contains("Register-ArgumentCompleter -Native -CommandName 'authgen'"), "{out}");
    assert!(out.contains("'authgen;generate'"), "subcommands are listed");
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let out = run(authgen(Path::new("/")).args(["completions", "tcsh"]));
    assert_eq!(out.status.code(), Some(2));
}

/// `man -l FILE`, with runs of spaces (justification) made single.
fn man(file: &Path) -> String {
    let out = ok(&run(scrub(&mut Command::new("man")).arg("-l").arg(file).env("MANWIDTH", "100")));
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// groff with every warning on: the page must produce none.
fn groff_warnings(roff: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("groff is not installed: apt-get install -y groff-base (as .ci/run does)");
    child.stdin.take().unwrap().write_all(roff).unwrap();
    text(&child.wait_with_output().unwrap().stderr)
}

#[test]
fn man_page_is_roff_that_man_renders() {
    let page = run(authgen(Path::new("/")).arg("man"));
    assert!(page.status.success());
    assert!(page.stdout.starts_with(b".ie \\n(.g .ds Aq"), "roff, not text");
    assert_eq!(groff_warnings(&page.stdout), "");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("authgen.1");
    std::fs::write(&file, &page.stdout).unwrap();
    let rendered = man(&file);
    for expected in
        ["NAME", "SYNOPSIS", "authgen - From a connector's connector_spec.yaml", "--repo", "generate", "completions"]
    {
        assert!(rendered.contains(expected), "{expected:?} missing from:\n{rendered}");
    }
}

#[test]
fn man_dir_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&run(authgen(Path::new("/")).args(["man", "--dir"]).arg(dir.path())));
    assert_eq!(out.lines().count(), 15, "authgen.1 and 14 commands:\n{out}");
    let page = std::fs::read(dir.path().join("authgen-generate.1")).unwrap();
    assert_eq!(groff_warnings(&page), "");
    let rendered = man(&dir.path().join("authgen-generate.1"));
    assert!(rendered.contains("authgen generate [--all]"), "{rendered}");
    assert!(rendered.contains("--dry-run"), "{rendered}");
}
