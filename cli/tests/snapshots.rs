//! Snapshots of what the `clockwork` binary prints for the inputs in `tests/inputs/`.

use std::path::PathBuf;
use std::process::Command;

fn inputs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/inputs")
}

/// Runs `clockwork ARGS` in `tests/inputs/`; returns (stdout, stderr, exit status).
fn clockwork(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_clockwork"))
        .args(args)
        .current_dir(inputs())
        .env_remove("NO_COLOR")
        .output()
        .expect("run clockwork");
    (
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
        out.status.code().unwrap_or(-1),
    )
}

/// Stdout of a run that must succeed with nothing on stderr.
fn ok(args: &[&str]) -> String {
    let (out, err, code) = clockwork(args);
    assert_eq!((code, err.as_str()), (0, ""), "clockwork {args:?}");
    assert!(!out.contains('\x1b'), "no colors when piped");
    out
}

/// Stderr of a run that must fail with `code` and print nothing on stdout.
fn fails(args: &[&str], code: i32) -> String {
    let (out, err, got) = clockwork(args);
    assert_eq!((got, out.as_str()), (code, ""), "clockwork {args:?}: {err}");
    err
}

#[test]
fn expand_seed() {
    let out = ok(&["expand", "seed.rs"]);
    assert!(out.starts_with("fn example() -> impl ::core::future::Future<Output = i32> {"));
    assert!(!out.contains("#[doc = \"//"), "comments are plain comments");
    assert!(out.contains("// SAFETY: "));
    insta::assert_snapshot!("expand_seed", out);
}

#[test]
fn expand_whole_file_keeps_unmarked_fns() {
    let out = ok(&["expand", "read_loop.rs"]);
    assert!(
        out.contains("async fn plain(src: &mut Source) -> usize"),
        "not marked: left alone"
    );
    assert!(out.contains("pub fn read_frames("));
    insta::assert_snapshot!("expand_read_loop", out);
    let all = ok(&["expand", "--all", "read_loop.rs"]);
    assert!(
        !all.contains("async fn plain") && all.contains("fn plain(src: &mut Source) -> impl"),
        "--all rewrites every async fn"
    );
}

#[test]
fn expand_one_method() {
    let out = ok(&["expand", "method.rs", "Conn::request"]);
    assert!(out.starts_with("impl Conn {"), "{out}");
    assert!(!out.contains("fn idle"), "only the selected method");
    insta::assert_snapshot!("expand_method", out);
    let free = ok(&["expand", "method.rs", "retry::request"]);
    assert!(free.starts_with("pub fn request(attempts: u32)"), "{free}");
}

#[test]
fn expand_ugly_is_one_token_stream() {
    let out = ok(&["expand", "--ugly", "seed.rs"]);
    assert_eq!(out.lines().count(), 1);
    assert!(out.starts_with("fn example () -> impl :: core :: future :: Future < Output = i32 >"));
}

#[test]
fn expand_color_always_highlights() {
    let out = ok(&["expand", "--color", "never", "seed.rs"]);
    let (colored, _, code) = clockwork(&["expand", "--color", "always", "seed.rs"]);
    assert_eq!(code, 0);
    assert!(colored.contains("\x1b[1;35mfn\x1b[0m"));
    assert_eq!(clockwork_cli::highlight::strip(&colored), out);
}

#[test]
fn explain_all_inputs() {
    insta::assert_snapshot!("explain_seed", ok(&["explain", "seed.rs", "example"]));
    insta::assert_snapshot!(
        "explain_read_loop",
        ok(&["explain", "read_loop.rs", "read_frames"])
    );
    insta::assert_snapshot!(
        "explain_method",
        ok(&["explain", "method.rs", "Conn::request"])
    );
}

#[test]
fn graphs() {
    for (file, item) in [
        ("seed.rs", "example"),
        ("read_loop.rs", "read_frames"),
        ("method.rs", "Conn::request"),
    ] {
        let stem = file.trim_end_matches(".rs");
        for format in ["mermaid", "dot", "json"] {
            let out = ok(&["graph", file, item, "--format", format]);
            insta::assert_snapshot!(format!("graph_{stem}_{format}"), out);
        }
    }
}

#[test]
fn graph_json_is_valid_and_consistent() {
    for (file, item) in [
        ("seed.rs", "example"),
        ("read_loop.rs", "read_frames"),
        ("method.rs", "retry::request"),
    ] {
        let out = ok(&["graph", file, item, "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
        assert_eq!(v["schema"], "clockwork-graph/1");
        let nodes: Vec<&str> = v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap())
            .collect();
        assert_eq!(nodes.first(), Some(&"Start"));
        assert!(nodes.ends_with(&["Done", "Panicked"]));
        for e in v["edges"].as_array().unwrap() {
            assert!(nodes.contains(&e["from"].as_str().unwrap()), "{e}");
            assert!(nodes.contains(&e["to"].as_str().unwrap()), "{e}");
            let kind = e["kind"].as_str().unwrap();
            assert!(["poll", "pending", "ready", "return", "panic"].contains(&kind));
            assert_eq!(kind == "return", e["to"] == "Done");
            if kind == "pending" {
                assert_eq!(e["from"], e["to"]);
            }
        }
        let awaits = v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "await")
            .count();
        let pending = v["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "pending")
            .count();
        assert_eq!(
            awaits, pending,
            "one Pending self loop per suspension point"
        );
    }
}

#[test]
fn stdin_input() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_clockwork"))
        .args(["explain", "-", "example"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(include_bytes!("inputs/seed.rs"))
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("async fn example (<stdin>:2:1)")
    );
}

#[test]
fn errors() {
    let dir = std::env::temp_dir().join(format!("clockwork-cli-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.rs");
    std::fs::write(&bad, "async fn f() {\n    let x = foo(.await);\n}\n").unwrap();
    let err = fails(&["expand", bad.to_str().unwrap()], 1);
    insta::assert_snapshot!("error_parse", err.replace(dir.to_str().unwrap(), "DIR"));

    // A fn the transform rejects is printed as written after its error, as a comment; the
    // others are expanded; the error goes to stderr; the exit status is 1.
    let rejected = dir.join("rejected.rs");
    std::fs::write(
        &rejected,
        "#[state_machine]\nconst async fn f() {}\n#[state_machine]\nasync fn g() -> u32 { h().await }\n",
    )
    .unwrap();
    let (out, err, code) = clockwork(&["expand", rejected.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.starts_with(
            "// error: an `async fn` cannot be `const`\n#[state_machine]\nconst async fn f() {}\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("fn g() -> impl ::core::future::Future<Output = u32>"),
        "{out}"
    );
    insta::assert_snapshot!("error_transform", err.replace(dir.to_str().unwrap(), "DIR"));
    std::fs::remove_dir_all(&dir).unwrap();

    insta::assert_snapshot!(
        "error_no_such_item",
        fails(&["explain", "read_loop.rs", "read_frame"], 1)
    );
    insta::assert_snapshot!(
        "error_ambiguous",
        fails(&["graph", "method.rs", "request"], 1)
    );
    let by_index = ok(&["graph", "method.rs", "1", "--format", "json"]);
    assert!(by_index.contains("\"fn\": \"retry::request\""));
    insta::assert_snapshot!("error_missing_file", fails(&["expand", "nope.rs"], 1));
    fails(&["graph", "seed.rs", "example", "--format", "svg"], 2);
    fails(&["explain", "seed.rs"], 2);
}
