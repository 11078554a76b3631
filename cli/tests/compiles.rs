//! The expansion printed by `clockwork expand --standalone` compiles with plain `rustc`, with
//! no crate but std (the support module is printed inline), and behaves like the original:
//! both are built by `rustc` and must print the same lines.

use std::path::{Path, PathBuf};
use std::process::Command;

fn rustc() -> Command {
    Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
}

/// Runs `cmd`, which must succeed (else the test fails with `what` and its stderr); its stdout.
fn stdout_of(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{what}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A fixed place under the target directory.
fn work_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("clockwork-cli-compile-test")
}

/// Builds `src` into the binary `bin` with plain `rustc` (a debug build).
fn build(dir: &Path, bin: &str, src: &str) -> PathBuf {
    let file = dir.join(format!("{bin}.rs"));
    std::fs::write(&file, src).unwrap();
    stdout_of(
        rustc()
            .args([
                "--edition",
                "2024",
                "--crate-name",
                bin,
                "-C",
                "debug-assertions=on",
            ])
            .arg("-o")
            .arg(dir.join(bin))
            .arg(&file),
        &format!("{bin} does not compile with plain rustc"),
    );
    dir.join(bin)
}

#[test]
fn expansion_compiles_and_runs_like_the_original() {
    let input = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/inputs/runnable.rs");
    let original = std::fs::read_to_string(&input).unwrap();
    let expanded = stdout_of(
        Command::new(env!("CARGO_BIN_EXE_clockwork"))
            .args(["expand", "--standalone", "--color", "never"])
            .arg(&input),
        "clockwork expand --standalone failed",
    );
    let fns = &expanded[..expanded
        .find("mod clockwork_machine")
        .unwrap_or(expanded.len())];
    assert!(!fns.contains("#[state_machine]") && fns.contains("fn example() -> impl"));
    // The original, as rustc's own async fns: without the attribute it would need the macro.
    let plain: String = original
        .lines()
        .filter(|l| l.trim() != "#[state_machine]")
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        original.matches("#[state_machine]").count(),
        3,
        "the input marks three fns"
    );

    assert!(fns.contains("crate::clockwork_machine::StateMachine::new("));
    assert_eq!(
        expanded.matches("mod clockwork_machine {").count(),
        1,
        "the support module is printed once"
    );
    let dir = work_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let original = build(&dir, "original", &plain);
    let expanded = build(&dir, "expanded", &expanded);
    let run = |bin: &Path| stdout_of(&mut Command::new(bin), &format!("{} failed", bin.display()));
    let (a, b) = (run(&original), run(&expanded));
    assert_eq!(a.lines().count(), 4, "{a}");
    // (A debug build, so `example`'s `#[cfg(debug_assertions)]` await is there: one poll more.)
    assert!(
        a.contains("example: (42, 4)"),
        "each await is pending once: {a}"
    );
    assert_eq!(a, b, "the expansion behaves like the original");
}
