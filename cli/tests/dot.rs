//! `clockwork graph --format dot` is accepted by Graphviz `dot` (skipped, saying so, when
//! Graphviz is not installed).

use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn graphviz_accepts_the_dot_output() {
    if Command::new("dot").arg("-V").output().is_err() {
        eprintln!("SKIPPED graphviz_accepts_the_dot_output: Graphviz `dot` is not installed");
        return;
    }
    let inputs = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/inputs");
    for (file, item) in [
        ("seed.rs", "example"),
        ("read_loop.rs", "read_frames"),
        ("method.rs", "0"),
        ("method.rs", "1"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_clockwork"))
            .args(["graph", file, item, "--format", "dot"])
            .current_dir(inputs)
            .output()
            .unwrap();
        assert!(out.status.success());
        let mut dot = Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        dot.stdin.take().unwrap().write_all(&out.stdout).unwrap();
        let res = dot.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert!(
            res.status.success() && stderr.trim().is_empty(),
            "dot rejected {file} {item}: {stderr}"
        );
        assert!(String::from_utf8_lossy(&res.stdout).contains("<svg"));
    }
}
