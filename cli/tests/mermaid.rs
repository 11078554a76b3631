//! `clockwork graph --format mermaid` parses with the real Mermaid parser. Needs node and a
//! `node_modules` holding `mermaid` and `jsdom` (`npm install mermaid jsdom` in some
//! directory), named by `CLOCKWORK_MERMAID_NODE_MODULES`; skipped, saying so, otherwise.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn mermaid_parses_the_diagrams() {
    let Some(modules) = std::env::var_os("CLOCKWORK_MERMAID_NODE_MODULES") else {
        eprintln!(
            "SKIPPED mermaid_parses_the_diagrams: set CLOCKWORK_MERMAID_NODE_MODULES to a node_modules with mermaid and jsdom"
        );
        return;
    };
    let inputs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/inputs");
    let dir = std::env::temp_dir().join(format!("clockwork-mermaid-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for (i, (file, item)) in [
        ("seed.rs", "example"),
        ("read_loop.rs", "read_frames"),
        ("method.rs", "0"),
        ("method.rs", "1"),
        ("runnable.rs", "sum_lines"),
    ]
    .into_iter()
    .enumerate()
    {
        let out = Command::new(env!("CARGO_BIN_EXE_clockwork"))
            .args(["graph", file, item, "--format", "mermaid"])
            .current_dir(&inputs)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = dir.join(format!("{i}.mmd"));
        std::fs::write(&path, out.stdout).unwrap();
        files.push(path);
    }
    // Awaited text full of Mermaid syntax characters.
    let tricky = dir.join("tricky.rs");
    std::fs::write(
        &tricky,
        "async fn f(v: Vec<u8>) { g::<Vec<u8>>(\"a;b:c{d}#e\", &v).await; }\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_clockwork"))
        .arg("graph")
        .arg(&tricky)
        .arg("f")
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(dir.join("tricky.mmd"), out.stdout).unwrap();
    files.push(dir.join("tricky.mmd"));

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mermaid/check.mjs");
    let res = Command::new("node")
        .arg(script)
        .arg(&modules)
        .args(&files)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&res.stdout);
    assert!(
        res.status.success(),
        "Mermaid rejected a diagram:\n{stdout}{}",
        String::from_utf8_lossy(&res.stderr)
    );
    assert_eq!(stdout.matches("ok ").count(), files.len(), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}
