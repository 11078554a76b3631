//! Compiles and runs a batch of generated cases in one cargo crate.
//!
//! Each [`Case`] is a pair of copies of the same Rust items: `native`, compiled as written, and
//! `machine`, with `#[state_machine]` on its async fns. Both define `entry()`, which returns the
//! future to compare. Building one crate per case would cost a cargo invocation each, so
//! [`Driver::check`] puts the whole batch in one crate (`<work>/src/main.rs`):
//!
//! ```text
//! pub mod prelude { pub use clockwork_tests::*; <prelude> }
//! mod <id> {
//!     pub mod native { use crate::prelude::*; <native> }
//!     pub mod machine { use crate::prelude::*; <machine> }
//!     pub fn run() { /* compare, then the Send/Sync/Unpin check (see SUPPORT_MODULE) */ }
//! }
//! fn main() { /* for each case named in argv (all if none): print START <id>, run it under
//!               catch_unwind, print RESULT <id> PASS or RESULT <id> DIFF <escaped message> */ }
//! ```
//!
//! **Compiling.** `cargo build --message-format=short` prints one line per error,
//! `src/main.rs:LINE:COL: error[CODE]: message`; the line tells which case, and which copy, is
//! at fault. rustc stops early after some error classes (name resolution before type checking,
//! type checking before borrow checking), so a failed build only shows some of the errors: the
//! cases it blames are taken out (a native error removes the case; a machine error removes the
//! machine copy but keeps the native one in the crate, so that a native error found in a later
//! round still wins) and the crate is built again, until it builds. A failure that blames no
//! case (an error in another file, or a crash of rustc) is bisected: each half of the cases is
//! built on its own, down to a single case, which is then built without its machine copy to
//! tell whose fault it is. (A crate that fails without any case, i.e. a broken prelude, makes
//! [`Driver::new`] panic.) Errors on the shared lines of a case's `run()` (say, an output type
//! that is not `Debug`) are the generator's, unless the case has an error in a copy too.
//!
//! **Running.** The binary runs each case under `catch_unwind` and prints one line per case. If
//! it dies or stays silent for [`SILENCE_LIMIT`], the case it had started is [`Verdict::Crashed`]
//! and the binary is started again for the cases after it.

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long the batch binary may print nothing before it is taken to hang.
pub const SILENCE_LIMIT: Duration = Duration::from_secs(20);
/// Build rounds (each taking out the cases it blames) before falling back to bisection.
const MAX_ROUNDS: usize = 10;
const PACKAGE: &str = "clockwork-fuzz-batch";

/// One generated test program.
pub struct Case {
    /// A Rust identifier, unique in the batch, e.g. "p17" or "p17_s3".
    pub id: String,
    /// Rust items defining `pub fn entry() -> impl core::future::Future<Output = T>`.
    pub native: String,
    /// The same items, with `#[::clockwork_macros::state_machine]` on each async fn.
    pub machine: String,
    /// `T`, e.g. "u32" or "Option<u32>" (Debug + PartialEq).
    pub output_ty: String,
}

/// What became of one case.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Pass,
    /// The native copy does not compile: a bug of the generator, not of the macro. First error line.
    NativeCompileError(String),
    /// The machine copy does not compile. `code` is e.g. "E0505", or "" when rustc gave none;
    /// `message` the first error's text (including "custom attribute panicked" when the
    /// proc-macro panicked: the caller classifies that).
    MachineCompileError {
        code: String,
        message: String,
    },
    /// Both compile and behave differently: the panic message of `compare`, or "Send-ness
    /// differs: native true, machine false" etc.
    Differs(String),
    /// The batch binary died (abort, signal) or hung while running this case.
    Crashed(String),
}

/// Compiles and runs batches of cases in a cargo package of its own.
pub struct Driver {
    work: PathBuf,
    target: PathBuf,
    prelude: String,
}

impl Driver {
    /// `repo`: the workspace root; `work`: a directory the driver owns (reused across calls so
    /// that incremental caches help); `target`: the CARGO_TARGET_DIR to build in; `prelude`:
    /// items put in the crate's `prelude` module, which every case glob-imports. Builds the
    /// crate without cases (and so the dependencies); panics if that fails.
    pub fn new(repo: &Path, work: &Path, target: &Path, prelude: &str, edition: u32) -> Driver {
        fs::create_dir_all(work.join("src")).expect("cannot create the driver's work directory");
        let manifest = format!(
            "[package]\nname = \"{PACKAGE}\"\nversion = \"0.0.0\"\nedition = \"{edition}\"\n\
             publish = false\n\n[workspace]\n\n[dependencies]\n\
             clockwork-tests = {{ path = {:?} }}\nclockwork-macros = {{ path = {:?} }}\n\
             clockwork = {{ path = {:?}, default-features = false }}\n\n\
             [profile.dev]\ndebug = 0\n",
            repo.join("tests"),
            repo.join("macro"),
            repo.join("runtime"),
        );
        write_if_changed(&work.join("Cargo.toml"), &manifest);
        fs::copy(repo.join("Cargo.lock"), work.join("Cargo.lock"))
            .expect("cannot copy the workspace's Cargo.lock");
        let driver = Driver {
            work: work.to_path_buf(),
            target: target.to_path_buf(),
            prelude: prelude.to_string(),
        };
        // Without this, a broken prelude would look like a failure of every case.
        if let (_, Err(errors)) = driver.build(&[], &[]) {
            let errors: Vec<&str> = errors.iter().map(|e| e.text.as_str()).collect();
            panic!(
                "the batch crate does not build without cases:\n{}",
                errors.join("\n")
            );
        }
        driver
    }

    /// Compiles and runs `cases`; one verdict per case, in order.
    pub fn check(&self, cases: &[Case]) -> Vec<Verdict> {
        let mut verdicts: Vec<Option<Verdict>> = vec![None; cases.len()];
        let members = (0..cases.len()).map(|case| (case, Parts::Both)).collect();
        let mut batch = Batch {
            cases,
            verdicts: &mut verdicts,
        };
        self.compile_and_run(&mut batch, members);
        verdicts
            .into_iter()
            .map(|verdict| verdict.unwrap_or_else(|| Verdict::Crashed("no verdict reached".into())))
            .collect()
    }

    /// Builds `members` round after round, taking out the cases each failed build blames (and
    /// setting their verdicts), then runs the cases that built with both copies.
    fn compile_and_run(&self, batch: &mut Batch, mut members: Vec<(usize, Parts)>) {
        for _ in 0..MAX_ROUNDS {
            if members.is_empty() {
                return;
            }
            let (owners, built) = self.build(batch.cases, &members);
            let Err(errors) = built else {
                let runnable: Vec<usize> = members
                    .iter()
                    .filter(|m| m.1 == Parts::Both)
                    .map(|m| m.0)
                    .collect();
                return self.run(batch, &runnable);
            };
            let blamed: Vec<(usize, Side, &CompileError)> = errors
                .iter()
                .filter_map(|error| {
                    owners
                        .get(&error.line?)
                        .map(|&(case, side)| (case, side, error))
                })
                .collect();
            if !blamed.is_empty() {
                // Errors on a runner's shared lines may follow from errors in a copy.
                let in_copies: Vec<usize> = blamed
                    .iter()
                    .filter(|b| b.1 != Side::Runner)
                    .map(|b| b.0)
                    .collect();
                for (case, side, error) in blamed {
                    // A case's first error counts, except that a native error beats a machine one.
                    let Some(member) = members.iter().position(|m| m.0 == case) else {
                        continue;
                    };
                    match side {
                        Side::Runner if in_copies.contains(&case) => {}
                        Side::Native | Side::Runner => {
                            batch.verdicts[case] =
                                Some(Verdict::NativeCompileError(error.text.clone()));
                            members.remove(member);
                        }
                        Side::Machine if members[member].1 == Parts::Both => {
                            batch.verdicts[case] = Some(Verdict::MachineCompileError {
                                code: error.code.clone(),
                                message: error.message.clone(),
                            });
                            members[member].1 = Parts::NativeOnly;
                        }
                        Side::Machine => {}
                    }
                }
                continue;
            }
            // Nothing to blame (the crate without cases builds: `new` checked it).
            return self.bisect(batch, members, errors.into_iter().next());
        }
        self.bisect(batch, members, None);
    }

    /// Splits a failing build that blames no case in two halves; blames a single case directly.
    fn bisect(
        &self,
        batch: &mut Batch,
        mut members: Vec<(usize, Parts)>,
        error: Option<CompileError>,
    ) {
        let [(case, parts)] = members[..] else {
            let second_half = members.split_off(members.len() / 2);
            self.compile_and_run(batch, members);
            return self.compile_and_run(batch, second_half);
        };
        let error = error.unwrap_or_else(|| CompileError::unparsed("build failed"));
        if parts == Parts::NativeOnly {
            batch.verdicts[case] = Some(Verdict::NativeCompileError(error.text));
            return;
        }
        batch.verdicts[case] = Some(Verdict::MachineCompileError {
            code: error.code,
            message: error.text,
        });
        // Build the native copy alone: if it fails too, a native verdict replaces this one.
        self.compile_and_run(batch, vec![(case, Parts::NativeOnly)]);
    }

    /// Writes main.rs for `members` and builds it: whose fault each line is, and on failure
    /// the errors rustc printed (at least one).
    fn build(
        &self,
        cases: &[Case],
        members: &[(usize, Parts)],
    ) -> (LineOwners, Result<(), Vec<CompileError>>) {
        let (source, owners) = self.main_rs(cases, members);
        write_if_changed(&self.work.join("src/main.rs"), &source);
        let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["build", "--quiet", "--message-format=short"])
            .current_dir(&self.work)
            .env("CARGO_TARGET_DIR", &self.target)
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .expect("cannot run cargo");
        if output.status.success() {
            return (owners, Ok(()));
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut errors: Vec<CompileError> =
            stderr.lines().filter_map(CompileError::parse).collect();
        if errors.is_empty() {
            // No error line (cargo itself failed, rustc crashed...): keep the last words.
            let last = last_line(&stderr).unwrap_or("");
            errors.push(CompileError::unparsed(&format!(
                "{last} ({})",
                output.status
            )));
        }
        (owners, Err(errors))
    }

    /// The batch crate's main.rs for `members`, and whose fault an error on each line is.
    fn main_rs(&self, cases: &[Case], members: &[(usize, Parts)]) -> (String, LineOwners) {
        let mut out = Source::default();
        out.push("#![allow(warnings, clippy::all)]");
        out.push("pub mod prelude {\n    pub use clockwork_tests::*;");
        out.push(&self.prelude);
        out.push("}");
        out.push(SUPPORT_MODULE);
        for &(case, parts) in members {
            let Case {
                id,
                native,
                machine,
                output_ty,
            } = &cases[case];
            let mut owned = |text: &str, side| out.push_owned(text, case, side);
            let native_start = format!("mod {id} {{\n    pub mod native {{ use crate::prelude::*;");
            owned(&native_start, Side::Native);
            owned(native, Side::Native);
            owned("    }", Side::Native);
            if parts == Parts::Both {
                owned(
                    "    pub mod machine { use crate::prelude::*;",
                    Side::Machine,
                );
                owned(machine, Side::Machine);
                owned("    }", Side::Machine);
                // The runner. A line naming one copy only is that copy's fault; the others (the
                // output type, the comparison) are the generator's.
                let typed = |copy| {
                    format!(
                        "        let {copy}_entry = crate::support::typed_entry::<{output_ty}, _, _>({copy}::entry);"
                    )
                };
                let compare = format!(
                    "        ::clockwork_tests::compare({id:?}, native_entry, machine_entry);"
                );
                owned(CASE_RUN_START, Side::Runner);
                owned(&typed("native"), Side::Native);
                owned(&typed("machine"), Side::Machine);
                owned(&compare, Side::Runner);
                owned("        let native_future = native_entry();", Side::Native);
                owned(
                    "        let machine_future = machine_entry();",
                    Side::Machine,
                );
                owned(CASE_RUN_END, Side::Runner);
            }
            owned("}", Side::Native);
        }
        out.push("fn main() {\n    crate::support::run_cases(&[");
        for &(case, _) in members.iter().filter(|m| m.1 == Parts::Both) {
            let id = &cases[case].id;
            out.push(&format!("        ({id:?}, {id}::run as fn()),"));
        }
        out.push("    ]);\n}");
        (out.text, out.owners)
    }

    /// Runs the binary just built on `runnable`, starting it again after a crash or a hang.
    fn run(&self, batch: &mut Batch, runnable: &[usize]) {
        let binary = self.target.join("debug").join(PACKAGE);
        let stderr_path = self.work.join("run-stderr.txt");
        let mut pending = runnable.to_vec();
        while !pending.is_empty() {
            let by_id: HashMap<&str, usize> = pending
                .iter()
                .map(|&case| (batch.cases[case].id.as_str(), case))
                .collect();
            let stderr = fs::File::create(&stderr_path).expect("cannot create run-stderr.txt");
            let mut child = Command::new(&binary)
                .args(pending.iter().map(|&case| &batch.cases[case].id))
                .stdout(Stdio::piped())
                .stderr(stderr)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
            let stdout = child.stdout.take().expect("stdout is piped");
            let (sender, lines) = mpsc::channel();
            let reader = std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            });
            let mut started = None;
            let mut hung = false;
            loop {
                let line = match lines.recv_timeout(SILENCE_LIMIT) {
                    Ok(line) => line,
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        hung = true;
                        let _ = child.kill();
                        break;
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                };
                if let Some(id) = line.strip_prefix("START ") {
                    started = by_id.get(id).copied();
                } else if let Some(result) = line.strip_prefix("RESULT ") {
                    let (id, outcome) = result.split_once(' ').unwrap_or((result, ""));
                    if let Some(&case) = by_id.get(id) {
                        batch.verdicts[case] = Some(match outcome.strip_prefix("DIFF ") {
                            Some(message) => Verdict::Differs(unescape(message)),
                            None => Verdict::Pass,
                        });
                    }
                    started = None;
                }
            }
            let status = child.wait().expect("cannot wait for the batch binary");
            let _ = reader.join();
            pending.retain(|&case| batch.verdicts[case].is_none());
            if pending.is_empty() {
                break;
            }
            let why = if hung {
                format!("hang (no output for {} s)", SILENCE_LIMIT.as_secs())
            } else {
                let stderr = fs::read_to_string(&stderr_path).unwrap_or_default();
                format!(
                    "{status}: {}",
                    last_line(&stderr).unwrap_or("(nothing on stderr)")
                )
            };
            let Some(case) = started else {
                // It died outside any case: starting it again would do the same.
                for &case in &pending {
                    batch.verdicts[case] =
                        Some(Verdict::Crashed(format!("outside any case: {why}")));
                }
                return;
            };
            batch.verdicts[case] = Some(Verdict::Crashed(why));
            pending.retain(|&other| other != case);
        }
    }
}

/// The state of one `check`.
struct Batch<'a> {
    cases: &'a [Case],
    verdicts: &'a mut [Option<Verdict>],
}

/// Which copies of a case go into the crate.
#[derive(Clone, Copy, PartialEq)]
enum Parts {
    Both,
    /// The machine copy failed; the native one stays, in case it has an error not yet reported.
    NativeOnly,
}

/// Which part of a case is to blame for an error.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Native,
    Machine,
    /// The case's `run()`, apart from the lines naming one copy: the generator's fault (e.g. an
    /// output type that is not `Debug`), unless the case has errors in a copy too.
    Runner,
}

/// Line number in main.rs (1-based) → the case, and the copy, whose fault an error there is.
type LineOwners = HashMap<usize, (usize, Side)>;

/// main.rs being written, with the owner of each line.
#[derive(Default)]
struct Source {
    text: String,
    lines: usize,
    owners: LineOwners,
}

impl Source {
    /// Appends `text` and a newline.
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.text.push('\n');
        self.lines += text.matches('\n').count() + 1;
    }

    /// Appends `text` and a newline, blaming errors on those lines on `side` of `case`.
    fn push_owned(&mut self, text: &str, case: usize, side: Side) {
        let first = self.lines + 1;
        self.push(text);
        for line in first..=self.lines {
            self.owners.insert(line, (case, side));
        }
    }
}

/// One `error` line of rustc's short output.
struct CompileError {
    /// Its line in src/main.rs, if it is there.
    line: Option<usize>,
    /// "E0505", or "".
    code: String,
    /// The text after `error[...]: `.
    message: String,
    /// The whole line.
    text: String,
}

impl CompileError {
    /// Parses `src/main.rs:12:5: error[E0505]: message` (or another file, or no file); `None`
    /// for warnings, notes and the `could not compile` / `aborting due to` summaries.
    fn parse(line: &str) -> Option<CompileError> {
        let (location, rest) = match line.find(": error") {
            Some(at) => (&line[..at], &line[at + 2..]),
            None => ("", line),
        };
        let rest = rest.strip_prefix("error")?;
        let (code, message) = match rest.strip_prefix('[') {
            Some(coded) => coded.split_once("]: ")?,
            None => ("", rest.strip_prefix(": ")?),
        };
        let summary =
            message.starts_with("could not compile") || message.starts_with("aborting due to");
        if location.is_empty() && summary {
            return None;
        }
        let line_number = location
            .strip_prefix("src/main.rs:")
            .and_then(|l| l.split(':').next()?.parse().ok());
        Some(CompileError {
            line: line_number,
            code: code.to_string(),
            message: message.to_string(),
            text: line.to_string(),
        })
    }

    /// An error known only by its text.
    fn unparsed(text: &str) -> CompileError {
        CompileError {
            line: None,
            code: String::new(),
            message: text.to_string(),
            text: text.to_string(),
        }
    }
}

/// Writes `text` to `path` unless it holds it already: an unchanged file keeps its mtime, so
/// that cargo has nothing to rebuild.
fn write_if_changed(path: &Path, text: &str) {
    if fs::read_to_string(path).ok().as_deref() != Some(text) {
        fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
}

/// The last line of `text` that is not blank.
fn last_line(text: &str) -> Option<&str> {
    text.lines().rev().find(|line| !line.trim().is_empty())
}

/// Undoes the batch binary's escaping of `\`, newlines and carriage returns.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next() {
            Some('n') => '\n',
            Some('r') => '\r',
            Some(other) => other,
            None => '\\',
        });
    }
    out
}

/// The batch crate's helpers and the loop of its `main`.
const SUPPORT_MODULE: &str = r#"mod support {
    use std::io::Write;

    /// Pins down an entry point's output type, so that a wrong one is blamed on its own line.
    pub fn typed_entry<T, F: std::future::Future<Output = T>, E: Fn() -> F>(entry: E) -> E {
        entry
    }

    pub fn same_traits(native: (bool, bool, bool), machine: (bool, bool, bool)) {
        let (native, machine) = ([native.0, native.1, native.2], [machine.0, machine.1, machine.2]);
        for ((name, n), m) in ["Send", "Sync", "Unpin"].iter().zip(native).zip(machine) {
            assert!(n == m, "{name}-ness differs: native {n}, machine {m}");
        }
    }

    /// Runs the cases named in argv (all if none), one `START`/`RESULT` pair of lines each.
    pub fn run_cases(cases: &[(&str, fn())]) {
        std::panic::set_hook(Box::new(|_| {}));
        let wanted: Vec<String> = std::env::args().skip(1).collect();
        let mut out = std::io::stdout();
        for &(id, run) in cases {
            if !wanted.is_empty() && !wanted.iter().any(|w| w == id) {
                continue;
            }
            writeln!(out, "START {id}").and_then(|_| out.flush()).expect("stdout");
            let result = match std::panic::catch_unwind(run) {
                Ok(()) => "PASS".to_string(),
                Err(payload) => {
                    let message = payload.downcast_ref::<&str>().map(|s| s.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "<non-string panic>".into());
                    let escaped = message.replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "\\r");
                    format!("DIFF {escaped}")
                }
            };
            writeln!(out, "RESULT {id} {result}").and_then(|_| out.flush()).expect("stdout");
        }
    }
}"#;

/// The start of each case's `run()`.
const CASE_RUN_START: &str = "    pub fn run() {\n        use crate::prelude::*;";

/// The end of each case's `run()`: the Send/Sync/Unpin check of `differential!`.
const CASE_RUN_END: &str =
    "        let native_traits = clockwork_tests::auto_traits!(native_future);
        let machine_traits = clockwork_tests::auto_traits!(machine_future);
        drop((native_future, machine_future));
        crate::support::same_traits(native_traits, machine_traits);
    }";
