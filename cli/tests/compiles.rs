//! The expansion printed by `clockwork expand` compiles and behaves like the original: both go
//! into one std-only crate as two binaries, built by one `cargo build`, and must print the
//! same lines.

use std::path::PathBuf;
use std::process::Command;

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// A fixed place under the target directory, so rebuilds are incremental.
fn work_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("clockwork-cli-compile-test")
}

#[test]
fn expansion_compiles_and_runs_like_the_original() {
    let input = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/inputs/runnable.rs");
    let original = std::fs::read_to_string(&input).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_clockwork"))
        .args(["expand", "--color", "never"])
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expanded = String::from_utf8(out.stdout).unwrap();
    assert!(!expanded.contains("#[state_machine]") && expanded.contains("fn example() -> impl"));
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

    let dir = work_dir();
    let krate = dir.join("crate");
    std::fs::create_dir_all(krate.join("src/bin")).unwrap();
    std::fs::write(
        krate.join("Cargo.toml"),
        "[package]\nname = \"clockwork-compile-check\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(krate.join("src/bin/original.rs"), plain).unwrap();
    std::fs::write(krate.join("src/bin/expanded.rs"), &expanded).unwrap();
    let target = dir.join("target");
    let build = cargo()
        .args(["build", "--quiet", "--bins", "--manifest-path"])
        .arg(krate.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "the expansion does not compile:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let run = |bin: &str| {
        let out = Command::new(target.join("debug").join(bin))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{bin} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let (a, b) = (run("original"), run("expanded"));
    assert_eq!(a.lines().count(), 4, "{a}");
    // (A debug build, so `example`'s `#[cfg(debug_assertions)]` await is there: one poll more.)
    assert!(
        a.contains("example: (42, 4)"),
        "each await is pending once: {a}"
    );
    assert_eq!(a, b, "the expansion behaves like the original");
}
