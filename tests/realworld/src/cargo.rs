//! Running cargo on a crate copy, and reading what it says: rustc's errors from
//! `--message-format=json`, and libtest's per-test lines and `test result:` summaries.

use serde_json::Value;
use std::collections::BTreeSet;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How a command ended.
pub struct Ran {
    pub status: Option<ExitStatus>,
    pub timed_out: bool,
}

impl Ran {
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }
}

/// Runs `cmd` in its own process group, stdout to `out`, stderr to `err` (the same file when
/// both paths are equal, so the two keep their order), and kills the group after `timeout`.
pub fn run(mut cmd: Command, out: &Path, err: &Path, timeout: Duration) -> std::io::Result<Ran> {
    let stdout = File::create(out)?;
    let stderr = if err == out {
        stdout.try_clone()?
    } else {
        File::create(err)?
    };
    cmd.stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .process_group(0);
    let mut child = cmd.spawn()?;
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Ran {
                status: Some(status),
                timed_out: false,
            });
        }
        if start.elapsed() > timeout {
            // The whole group: cargo and the test binary it runs.
            let _ = Command::new("kill")
                .args(["-KILL", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            return Ok(Ran {
                status: None,
                timed_out: true,
            });
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// One error rustc reported.
#[derive(Clone, Debug)]
pub struct CompileError {
    /// `E0308`, a lint name, or `-`.
    pub code: String,
    /// The message's first line.
    pub message: String,
    /// (file as rustc printed it, line) of the primary spans, then of the macro invocations
    /// they came from (innermost first), then of the other spans and the notes' spans.
    pub places: Vec<(String, usize)>,
}

impl CompileError {
    /// `code: message`, as the TSV's cause column.
    pub fn cause(&self) -> String {
        format!("{}: {}", self.code, self.message)
    }
}

/// The errors in cargo's `--message-format=json` output (the summary "aborting due to ..."
/// lines excluded), without duplicates (the same error shows once per target that has it).
pub fn compile_errors(json: &str) -> Vec<CompileError> {
    let mut seen = BTreeSet::new();
    let mut errors = Vec::new();
    for line in json.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if v["reason"] != "compiler-message" {
            continue;
        }
        let msg = &v["message"];
        if msg["level"] != "error" && msg["level"] != "error: internal compiler error" {
            continue;
        }
        let text = msg["message"].as_str().unwrap_or("").to_string();
        if text.starts_with("aborting due to") {
            continue;
        }
        let code = msg["code"]["code"].as_str().unwrap_or("-").to_string();
        let mut places = Vec::new();
        let spans = msg["spans"].as_array().cloned().unwrap_or_default();
        for span in spans.iter().filter(|s| s["is_primary"] == true) {
            push_place(&mut places, span);
            let mut exp = &span["expansion"];
            while exp.is_object() {
                push_place(&mut places, &exp["span"]);
                exp = &exp["span"]["expansion"];
            }
        }
        for span in spans.iter().filter(|s| s["is_primary"] != true) {
            push_place(&mut places, span);
        }
        for child in msg["children"].as_array().into_iter().flatten() {
            for span in child["spans"].as_array().into_iter().flatten() {
                push_place(&mut places, span);
            }
        }
        let key = (code.clone(), text.clone(), places.clone());
        if seen.insert(key) {
            errors.push(CompileError {
                code,
                message: text.lines().next().unwrap_or("").to_string(),
                places,
            });
        }
    }
    errors
}

fn push_place(places: &mut Vec<(String, usize)>, span: &Value) {
    if let (Some(file), Some(line)) = (span["file_name"].as_str(), span["line_start"].as_u64()) {
        places.push((file.to_string(), line as usize));
    }
}

/// What `cargo test --no-fail-fast` printed, summed over its test binaries.
#[derive(Clone, Debug, Default)]
pub struct TestRun {
    pub passed: usize,
    pub failed: usize,
    pub ignored: usize,
    /// `target: test` of every test reported `FAILED`.
    pub failed_tests: BTreeSet<String>,
    /// Test binaries cargo reported as failed (`--lib`, `--test name`, `--doc`).
    pub failed_targets: BTreeSet<String>,
    /// Test binaries killed by a signal.
    pub crashed: Vec<String>,
    pub timed_out: bool,
}

impl TestRun {
    pub fn total(&self) -> usize {
        self.passed + self.failed
    }
}

/// Reads libtest's lines (`test a::b ... FAILED`, `test result: ok. 3 passed; 0 failed; ...`)
/// and cargo's (`Running tests/x.rs (...)`, `Doc-tests name`, `to rerun pass `--test x``).
pub fn parse_tests(log: &str) -> TestRun {
    let mut run = TestRun::default();
    let mut target = String::from("?");
    let mut in_failed_list = false;
    for line in log.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("Running ") {
            target = rest.split(" (").next().unwrap_or(rest).to_string();
        } else if let Some(rest) = trimmed.strip_prefix("Doc-tests ") {
            target = format!("doctests {rest}");
        } else if let Some(rest) = trimmed.strip_prefix("test result: ") {
            for part in rest.split(['.', ';']) {
                let mut words = part.split_whitespace();
                let (Some(n), Some(what)) = (words.next(), words.next()) else {
                    continue;
                };
                let Ok(n) = n.parse::<usize>() else { continue };
                match what {
                    "passed" => run.passed += n,
                    "failed" => run.failed += n,
                    "ignored" => run.ignored += n,
                    _ => {}
                }
            }
        } else if let Some(rest) = trimmed.strip_prefix("test ")
            && let Some(name) = rest.strip_suffix(" ... FAILED")
        {
            run.failed_tests.insert(format!("{target}: {name}"));
        } else if trimmed.contains("didn't exit successfully") && trimmed.contains("signal") {
            run.crashed.push(format!("{target}: {trimmed}"));
        }
        if let Some(i) = trimmed.find("to rerun pass `") {
            let rest = &trimmed[i + "to rerun pass `".len()..];
            run.failed_targets
                .insert(rest.split('`').next().unwrap_or("").to_string());
        }
        if trimmed.starts_with("error:")
            && trimmed.contains(" target")
            && trimmed.ends_with("failed:")
        {
            in_failed_list = true;
        } else if in_failed_list {
            match trimmed.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
                Some(t) => {
                    run.failed_targets.insert(t.to_string());
                }
                None => in_failed_list = false,
            }
        }
    }
    run
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_test_output() {
        let log = "\
     Running unittests src/lib.rs (target/debug/deps/x-1)
test a::b ... ok
test a::c ... FAILED
test result: FAILED. 1 passed; 1 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.01s
     Running tests/t.rs (target/debug/deps/t-2)
test result: ok. 5 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
   Doc-tests x
test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
error: 1 target failed:
    `--lib`
";
        let run = parse_tests(log);
        assert_eq!((run.passed, run.failed, run.ignored), (6, 1, 2));
        assert_eq!(
            run.failed_tests.iter().collect::<Vec<_>>(),
            ["unittests src/lib.rs: a::c"]
        );
        assert_eq!(run.failed_targets.iter().collect::<Vec<_>>(), ["--lib"]);
    }

    #[test]
    fn reads_errors() {
        let json = r#"{"reason":"compiler-message","message":{"level":"error","message":"mismatched types\nmore","code":{"code":"E0308"},"spans":[{"file_name":"src/lib.rs","line_start":7,"is_primary":true,"expansion":{"span":{"file_name":"src/lib.rs","line_start":5,"is_primary":false,"expansion":null}}}],"children":[]}}
{"reason":"compiler-message","message":{"level":"error","message":"aborting due to 1 previous error","code":null,"spans":[],"children":[]}}
{"reason":"build-finished","success":false}"#;
        let errors = compile_errors(json);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].cause(), "E0308: mismatched types");
        assert_eq!(
            errors[0].places,
            [("src/lib.rs".to_string(), 7), ("src/lib.rs".to_string(), 5)]
        );
    }
}
