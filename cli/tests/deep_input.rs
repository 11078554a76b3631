//! Deeply nested input is refused with an error (exit 1), never a stack overflow.

use std::process::Command;

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let dir = std::env::temp_dir().join(format!("clockwork-deep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            "parens",
            format!(
                "async fn f() {{ let x = {}g().await{}; }}",
                "(".repeat(20_000),
                ")".repeat(20_000)
            ),
        ),
        (
            "generics",
            format!(
                "fn f() -> {}u8{} {{ 0 }}",
                "Option<".repeat(20_000),
                ">".repeat(20_000)
            ),
        ),
        (
            "closures",
            format!("fn f() {{ let x = {}y; }}", "move |a| ".repeat(20_000)),
        ),
        (
            "returns",
            format!("fn f() {{ {}y; }}", "return ".repeat(100_000)),
        ),
        (
            "unary",
            format!("fn f() {{ let x = {}y; }}", "!".repeat(100_000)),
        ),
        (
            "fn types",
            format!("type T = {}u8;", "fn() -> ".repeat(50_000)),
        ),
    ];
    for (name, text) in cases {
        let path = dir.join(format!("{}.rs", name.replace(' ', "_")));
        std::fs::write(&path, text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_clockwork"))
            .args(["expand", "--all"])
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains("clockwork does not take files this deep"),
            "{name}: {stderr}"
        );
    }
    // Long but flat input is fine.
    let flat = dir.join("flat.rs");
    std::fs::write(
        &flat,
        format!(
            "async fn f() -> u32 {{ let x = a(){}; x }}",
            " + a()".repeat(20_000)
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_clockwork"))
        .args(["expand", "--all"])
        .arg(&flat)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
