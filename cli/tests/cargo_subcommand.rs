//! `cargo clockwork ..` on a package: items found by module path through `mod x;` files.

use std::path::{Path, PathBuf};
use std::process::Command;

fn package(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("clockwork-cargo-{name}-{}", std::process::id()));
    let files = [
        (
            "Cargo.toml",
            "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace]\n",
        ),
        (
            "src/lib.rs",
            "mod net;\npub mod util {\n    pub mod inner;\n}\n",
        ),
        (
            "src/net.rs",
            "pub mod frame;\n\n#[state_machine]\npub async fn read(n: usize) -> usize {\n    let got = fill(n).await;\n    got + 1\n}\n",
        ),
        (
            "src/net/frame.rs",
            "pub struct Codec;\n\nimpl Codec {\n    #[state_machine]\n    pub async fn decode(&mut self) -> u8 {\n        next_byte().await\n    }\n}\n",
        ),
        (
            "src/util/inner.rs",
            "pub async fn helper() {\n    tick().await;\n}\n",
        ),
    ];
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn cargo_clockwork(dir: &Path, args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-clockwork"))
        .arg("clockwork")
        .args(args)
        .current_dir(dir.join("src/net"))
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn items_by_module_path() {
    let dir = package("by-path");
    let (out, err, code) = cargo_clockwork(&dir, &["expand", "net::read"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("pub fn read(n: usize) -> impl ::core::future::Future<Output = usize> {"),
        "{out}"
    );

    let (out, _, code) = cargo_clockwork(&dir, &["expand", "crate::net::frame::Codec::decode"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("impl Codec {\n    pub fn decode(&mut self)"),
        "{out}"
    );

    let (out, _, code) = cargo_clockwork(&dir, &["explain", "util::inner::helper"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("async fn util::inner::helper (") && out.contains("tick()"),
        "{out}"
    );

    let (out, _, code) = cargo_clockwork(&dir, &["graph", "read", "--format", "json"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("\"fn\": \"net::read\"") && !out.contains("frame"),
        "{out}"
    );

    // The whole package, modules inlined, marked fns expanded, the rest left alone.
    let (out, _, code) = cargo_clockwork(&dir, &["expand"]);
    assert_eq!(code, 0);
    for needle in [
        "mod net {",
        "pub mod frame {",
        "pub mod inner {",
        "pub fn read(",
        "pub fn decode(",
        "pub async fn helper()",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }

    let (_, err, code) = cargo_clockwork(&dir, &["explain", "net::raed"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no async fn matches `net::raed`") && err.contains("net::read ("),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn through_cargo_itself() {
    let dir = package("via-cargo");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_cargo-clockwork"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["clockwork", "explain", "Codec::decode"])
        .current_dir(&dir)
        .env("PATH", path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("async fn net::frame::Codec::decode (src/net/frame.rs:5:9)"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
