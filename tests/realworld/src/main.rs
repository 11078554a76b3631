//! `clockwork-realworld`: how much published async code `#[state_machine]` compiles and runs
//! correctly.
//!
//! ```text
//! cargo run -q -p clockwork-realworld -- [--crates NAME@VERSION[:FEATURES],...] [--work DIR] [--jobs N]
//! ```
//!
//! For each crate of [`DEFAULT_CRATES`] (or `--crates`; `FEATURES` is `all` or `f1+f2`):
//!
//! 1. Its published source is fetched from crates.io as a user gets it (a throwaway project
//!    depending on `NAME = "=VERSION"`, `cargo fetch`) and copied from
//!    `$CARGO_HOME/registry/src/*/NAME-VERSION` to `WORK/crates/NAME-VERSION`, fresh each run,
//!    made its own workspace, with its own target dir `WORK/targets/NAME-VERSION` (kept). Its
//!    published `Cargo.lock` is removed: dependencies resolve as they do for a dependent.
//! 2. Baseline: the copy is built (`cargo build --tests --examples`) and tested
//!    (`cargo test --no-fail-fast`) untouched; the `test result:` lines are summed.
//! 3. `clockwork-macros` (this repo's `macro/`) is added to its dependencies and
//!    `#[::clockwork_macros::state_machine]` is put on every `async fn` with a body in every
//!    `.rs` file ([`annotate`]: free fns, methods of inherent and trait impls, fns in inline
//!    modules, nested fns; not fns in `macro_rules!` or other macro bodies, not `async fn`s of
//!    trait definitions, not `benches/`, which `cargo test` does not build).
//! 4. The copy is built with `--message-format=json`; each error is mapped back to the
//!    annotated fn whose lines hold its primary span or one of the macro invocations it came
//!    from (or the nearest annotated fn of that file); those fns lose the attribute, with the
//!    first error as the cause, and the build is repeated (at most [`MAX_ROUNDS`] rounds). When
//!    no error maps to a fn, half of the annotated fns of the files named (or of all files)
//!    lose it, with the cause `unmapped`.
//! 5. The copy is tested again with the attribute left on the fns that compiled.
//!
//! It prints `realworld: CRATE T/N transformed, tests X/Y (baseline B/Y)` per crate (N async
//! fns annotated, T still annotated in the final build), the tests that failed only with the
//! attribute, how many of the T sit in files that no target compiles (dep-info), and writes `WORK/failures.tsv` (crate, file, line, fn, cause). Logs of every
//! cargo run are kept under `WORK/logs/NAME-VERSION/`. The exit status is 0 even when fns fail
//! to compile or tests fail; 1 when the tool itself fails or a baseline does not build.

mod annotate;
mod cargo;

use annotate::Sources;
use cargo::{TestRun, compile_errors, parse_tests};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The crates checked by default: (name, version, features: `""`, `"all"` or `"f1+f2"`).
/// Chosen for their many `async fn`s (most of them `#[tokio::test]`s), and test suites that run
/// offline in a few minutes.
const DEFAULT_CRATES: &[(&str, &str, &str)] = &[
    ("tokio-util", "0.7.20", "full"),
    ("tokio-stream", "0.1.19", "full"),
    ("tower", "0.5.3", "full"),
    ("bb8", "0.9.1", ""),
    ("deadpool", "0.13.1", "rt_tokio_1"),
];

/// Build-and-remove rounds before every remaining attribute is removed.
const MAX_ROUNDS: usize = 10;
/// Limit for one cargo command (a test that deadlocks with the attribute ends here).
const TIMEOUT: Duration = Duration::from_secs(20 * 60);

struct Options {
    crates: Vec<Spec>,
    work: PathBuf,
    jobs: Option<String>,
}

#[derive(Clone)]
struct Spec {
    name: String,
    version: String,
    features: String,
}

impl Spec {
    fn id(&self) -> String {
        format!("{}-{}", self.name, self.version)
    }

    fn parse(s: &str) -> Result<Spec, String> {
        let (name, rest) = s
            .split_once('@')
            .ok_or_else(|| format!("`{s}`: expected NAME@VERSION[:FEATURES]"))?;
        let (version, features) = rest.split_once(':').unwrap_or((rest, ""));
        let features = match (features, DEFAULT_CRATES.iter().find(|c| c.0 == name)) {
            ("", Some(c)) => c.2.to_string(),
            (f, _) => f.to_string(),
        };
        Ok(Spec {
            name: name.to_string(),
            version: version.to_string(),
            features,
        })
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn parse_args() -> Result<Options, String> {
    let mut opts = Options {
        crates: DEFAULT_CRATES
            .iter()
            .map(|(name, version, features)| Spec {
                name: name.to_string(),
                version: version.to_string(),
                features: features.to_string(),
            })
            .collect(),
        work: repo_root().join("target/realworld"),
        jobs: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--crates" => {
                opts.crates = value()?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(Spec::parse)
                    .collect::<Result<_, _>>()?
            }
            "--work" => opts.work = PathBuf::from(value()?),
            "--jobs" => opts.jobs = Some(value()?),
            "-h" | "--help" => {
                println!(
                    "usage: clockwork-realworld [--crates NAME@VERSION[:FEATURES],...] [--work DIR] [--jobs N]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(opts)
}

fn main() {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("realworld: {e}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    if let Err(e) = std::fs::create_dir_all(&opts.work) {
        eprintln!("realworld: cannot create {}: {e}", opts.work.display());
        std::process::exit(1);
    }
    let work = opts.work.canonicalize().unwrap_or(opts.work.clone());
    let mut tsv = String::from("crate\tfile\tline\tfn\tcause\n");
    let mut failed = false;
    let (mut all_t, mut all_n) = (0, 0);
    for spec in &opts.crates {
        let t0 = Instant::now();
        match check_crate(spec, &work, opts.jobs.as_deref(), &mut tsv) {
            Ok((t, n)) => {
                all_t += t;
                all_n += n;
            }
            Err(e) => {
                println!("realworld: {} FAILED: {e}", spec.id());
                failed = true;
            }
        }
        eprintln!("realworld: {} took {:.0?}", spec.id(), t0.elapsed());
    }
    let tsv_path = work.join("failures.tsv");
    if let Err(e) = std::fs::write(&tsv_path, tsv) {
        eprintln!("realworld: cannot write {}: {e}", tsv_path.display());
        failed = true;
    }
    println!(
        "realworld: {all_t}/{all_n} async fns transformed over {} crates in {:.0?}; failures: {}",
        opts.crates.len(),
        started.elapsed(),
        tsv_path.display()
    );
    std::process::exit(i32::from(failed));
}

/// Checks one crate; returns (T, N) and appends its rows to `tsv`.
fn check_crate(
    spec: &Spec,
    work: &Path,
    jobs: Option<&str>,
    tsv: &mut String,
) -> Result<(usize, usize), String> {
    let id = spec.id();
    let published = fetch(spec, work)?;
    let copy = work.join("crates").join(&id);
    let target = work.join("targets").join(&id);
    let logs = work.join("logs").join(&id);
    if copy.exists() {
        std::fs::remove_dir_all(&copy).map_err(|e| format!("remove {}: {e}", copy.display()))?;
    }
    copy_dir(&published, &copy).map_err(|e| format!("copy {}: {e}", published.display()))?;
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    // A library's published `Cargo.lock` is not what its users build with (tower's pins
    // versions too old to build its own `full` feature): resolve afresh, as a dependent does.
    let _ = std::fs::remove_file(copy.join("Cargo.lock"));
    let manifest = copy.join("Cargo.toml");
    let mut toml = std::fs::read_to_string(&manifest).map_err(|e| e.to_string())?;
    if !toml
        .lines()
        .any(|l| l.trim_start().starts_with("[workspace"))
    {
        toml.push_str("\n[workspace]\n");
    }
    std::fs::write(&manifest, &toml).map_err(|e| e.to_string())?;
    let cx = Cx {
        spec,
        copy: &copy,
        target: &target,
        logs: &logs,
        jobs,
    };

    // 2. Baseline.
    let (ok, _) = cx.build("baseline-build")?;
    if !ok {
        return Err(format!(
            "the baseline does not build (see {})",
            logs.join("baseline-build.stderr").display()
        ));
    }
    let baseline = cx.test("baseline-test")?;

    // 3. Annotate every async fn.
    let macro_dir = repo_root().join("macro");
    let macro_dir = macro_dir.canonicalize().unwrap_or(macro_dir);
    let runtime_dir = repo_root().join("runtime");
    let runtime_dir = runtime_dir.canonicalize().unwrap_or(runtime_dir);
    toml.push_str(&format!(
        "\n[dependencies.clockwork-macros]\npath = {:?}\n\
         \n[dependencies.clockwork]\npath = {:?}\ndefault-features = false\n",
        macro_dir.display().to_string(),
        runtime_dir.display().to_string()
    ));
    std::fs::write(&manifest, &toml).map_err(|e| e.to_string())?;
    let sources = Sources::scan(&copy).map_err(|e| format!("scan: {e}"))?;
    let n = sources.fns.len();
    let mut on = vec![true; n];
    let mut causes: Vec<Option<String>> = vec![None; n];

    // 4. Build, remove the attribute from the fns with errors, repeat.
    let mut round = 0;
    loop {
        round += 1;
        sources
            .write(&on)
            .map_err(|e| format!("write sources: {e}"))?;
        let (ok, errors) = cx.build(&format!("round{round}"))?;
        if ok {
            break;
        }
        if round > MAX_ROUNDS {
            return Err(format!(
                "the copy does not build even without any attribute (see {})",
                logs.join(format!("round{round}.stderr")).display()
            ));
        }
        let removed = remove_failing(&sources, &mut on, &mut causes, &errors, round == MAX_ROUNDS);
        if removed == 0 {
            return Err(format!(
                "build failed in round {round} with nothing left to remove (see {})",
                logs.join(format!("round{round}.stderr")).display()
            ));
        }
    }
    let t = on.iter().filter(|&&b| b).count();

    // 5. Tests with the attribute.
    let annotated = cx.test("annotated-test")?;
    println!(
        "realworld: {id} {t}/{n} transformed, tests {}/{} (baseline {}/{})",
        annotated.passed,
        annotated.total(),
        baseline.passed,
        baseline.total()
    );
    report_differences(&baseline, &annotated);
    let compiled = compiled_files(&target, &copy);
    let idle = (0..n)
        .filter(|&i| on[i] && !compiled.contains(&sources.files[sources.fns[i].file].0))
        .count();
    if idle > 0 {
        println!("  {idle} of the {t} are in files that no target compiles");
    }
    if !sources.unparsed.is_empty() {
        println!(
            "  {} files syn could not parse: {}",
            sources.unparsed.len(),
            sources.unparsed.join(", ")
        );
    }
    for (i, f) in sources.fns.iter().enumerate() {
        if let Some(cause) = &causes[i] {
            let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
            let _ = writeln!(
                tsv,
                "{}\t{}\t{}\t{}\t{}",
                spec.name,
                sources.files[f.file].0,
                f.line,
                clean(&f.name),
                clean(cause)
            );
        }
    }
    Ok((t, n))
}

/// The files of the copy (relative paths) that rustc read, from the dep-info (`.d`) files in
/// its target dir.
fn compiled_files(target: &Path, copy: &Path) -> std::collections::BTreeSet<String> {
    let mut files = std::collections::BTreeSet::new();
    let prefix = format!("{}/", copy.display());
    for dir in ["debug/deps", "debug/examples"] {
        let Ok(entries) = std::fs::read_dir(target.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "d") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            // Paths are absolute, or relative to the copy (`tests/x/../support.rs`).
            for word in text.split_whitespace() {
                let word = word.trim_end_matches(':');
                let rel = match word.strip_prefix(&prefix) {
                    Some(rel) => rel,
                    None if !word.starts_with('/') => word,
                    None => continue,
                };
                let mut parts: Vec<&str> = Vec::new();
                for part in rel.split('/') {
                    match part {
                        "." | "" => {}
                        ".." => {
                            parts.pop();
                        }
                        p => parts.push(p),
                    }
                }
                files.insert(parts.join("/"));
            }
        }
    }
    files
}

/// Prints the tests and test binaries that failed only with the attribute.
fn report_differences(baseline: &TestRun, annotated: &TestRun) {
    for test in annotated.failed_tests.difference(&baseline.failed_tests) {
        println!("  newly failing: {test}");
    }
    for target in annotated
        .failed_targets
        .difference(&baseline.failed_targets)
    {
        println!("  newly failing target: {target}");
    }
    for crash in &annotated.crashed {
        println!("  crashed: {crash}");
    }
    if annotated.timed_out && !baseline.timed_out {
        println!("  the annotated test run timed out after {TIMEOUT:?}");
    }
    if baseline.timed_out {
        println!("  the baseline test run timed out after {TIMEOUT:?}");
    }
}

/// Takes the attribute off the fns that the errors point into (at most one cause each).
/// Without any mapped error, takes it off half of the annotated fns of the files the errors
/// name, or of all files; with `all`, off every fn still annotated. Returns how many it took off.
fn remove_failing(
    sources: &Sources,
    on: &mut [bool],
    causes: &mut [Option<String>],
    errors: &[cargo::CompileError],
    all: bool,
) -> usize {
    let mut removed = 0;
    let mut take_off = |i: usize, cause: String, on: &mut [bool]| {
        let was_on = on[i];
        if was_on {
            on[i] = false;
            causes[i] = Some(cause);
        }
        usize::from(was_on)
    };
    // Map against the fns annotated in this build, so that a fn's second error does not go
    // to its neighbour once the first has taken the attribute off.
    let built = on.to_vec();
    let mut unmapped = Vec::new();
    for error in errors {
        match map_error(sources, &built, error) {
            Some((i, nearest)) => {
                let cause = if nearest {
                    format!("{} (nearest fn)", error.cause())
                } else {
                    error.cause()
                };
                removed += take_off(i, cause, on);
            }
            None => unmapped.push(error),
        }
    }
    if removed > 0 && !all {
        return removed;
    }
    let first = unmapped
        .first()
        .map_or_else(|| "-".to_string(), |e| e.cause());
    let files: Vec<usize> = unmapped
        .iter()
        .flat_map(|e| &e.places)
        .filter_map(|(file, _)| file_index(sources, file))
        .collect();
    let mut candidates: Vec<usize> = (0..on.len())
        .filter(|&i| on[i] && (files.is_empty() || files.contains(&sources.fns[i].file)))
        .collect();
    if candidates.is_empty() {
        candidates = (0..on.len()).filter(|&i| on[i]).collect();
    }
    let keep = if all { 0 } else { candidates.len() / 2 };
    for &i in &candidates[..candidates.len() - keep] {
        removed += take_off(i, format!("unmapped ({first})"), on);
    }
    removed
}

fn file_index(sources: &Sources, file: &str) -> Option<usize> {
    let root = sources.root.to_string_lossy();
    let rel = file
        .strip_prefix(root.as_ref())
        .map_or(file, |r| r.trim_start_matches('/'));
    sources.files.iter().position(|(f, _)| f == rel)
}

/// The annotated fn an error belongs to: the innermost one whose lines hold the first of its
/// places that falls in one; else the nearest annotated fn in the file of its first place in
/// this crate (`true` then).
fn map_error(sources: &Sources, on: &[bool], error: &cargo::CompileError) -> Option<(usize, bool)> {
    let mut nearest_file = None;
    for (file, line) in &error.places {
        let Some(file) = file_index(sources, file) else {
            continue;
        };
        nearest_file.get_or_insert((file, *line));
        let inside = (0..on.len())
            .filter(|&i| on[i])
            .filter(|&i| {
                let f = &sources.fns[i];
                f.file == file && f.first_line <= *line && *line <= f.last_line
            })
            .min_by_key(|&i| sources.fns[i].last_line - sources.fns[i].first_line);
        if let Some(i) = inside {
            return Some((i, false));
        }
    }
    let (file, line) = nearest_file?;
    (0..on.len())
        .filter(|&i| on[i] && sources.fns[i].file == file)
        .min_by_key(|&i| {
            let f = &sources.fns[i];
            f.first_line.abs_diff(line).min(f.last_line.abs_diff(line))
        })
        .map(|i| (i, true))
}

/// Where and how to run cargo on one copy.
struct Cx<'a> {
    spec: &'a Spec,
    copy: &'a Path,
    target: &'a Path,
    logs: &'a Path,
    jobs: Option<&'a str>,
}

impl Cx<'_> {
    fn cargo(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.args(args)
            .current_dir(self.copy)
            .env("CARGO_TARGET_DIR", self.target)
            .env("CARGO_TERM_COLOR", "never");
        match self.spec.features.as_str() {
            "" => {}
            "all" => {
                cmd.arg("--all-features");
            }
            f => {
                cmd.args(["--features", &f.replace('+', ",")]);
            }
        }
        if let Some(j) = self.jobs {
            cmd.args(["--jobs", j]);
        }
        cmd
    }

    /// `cargo build --tests --examples --keep-going --message-format=json`: did it build, and
    /// the errors.
    fn build(&self, name: &str) -> Result<(bool, Vec<cargo::CompileError>), String> {
        let cmd = self.cargo(&[
            "build",
            "--tests",
            "--examples",
            "--keep-going",
            "--message-format=json",
        ]);
        let (out, err) = (
            self.logs.join(format!("{name}.json")),
            self.logs.join(format!("{name}.stderr")),
        );
        let ran = cargo::run(cmd, &out, &err, TIMEOUT).map_err(|e| format!("cargo: {e}"))?;
        let json = std::fs::read_to_string(&out).unwrap_or_default();
        Ok((ran.success(), compile_errors(&json)))
    }

    /// `cargo test --no-fail-fast`, its output read.
    fn test(&self, name: &str) -> Result<TestRun, String> {
        let cmd = self.cargo(&["test", "--no-fail-fast"]);
        let log = self.logs.join(format!("{name}.log"));
        let ran = cargo::run(cmd, &log, &log, TIMEOUT).map_err(|e| format!("cargo: {e}"))?;
        let mut run = parse_tests(&std::fs::read_to_string(&log).unwrap_or_default());
        run.timed_out = ran.timed_out;
        Ok(run)
    }
}

/// Fetches `NAME = "=VERSION"` as a user would (a throwaway project and `cargo fetch`), and
/// returns its unpacked source under `$CARGO_HOME/registry/src`.
fn fetch(spec: &Spec, work: &Path) -> Result<PathBuf, String> {
    let dir = work.join("fetch").join(spec.id());
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/lib.rs"), "").map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"realworld-fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\n\n[dependencies]\n{} = \"={}\"\n\n[workspace]\n",
            spec.name, spec.version
        ),
    )
    .map_err(|e| e.to_string())?;
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .arg("fetch")
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", work.join("fetch/target"))
        .output()
        .map_err(|e| format!("cargo fetch: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo fetch failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .ok_or("neither CARGO_HOME nor HOME is set")?;
    let registry = cargo_home.join("registry/src");
    let entries =
        std::fs::read_dir(&registry).map_err(|e| format!("{}: {e}", registry.display()))?;
    for entry in entries.flatten() {
        let candidate = entry.path().join(spec.id());
        if candidate.join("Cargo.toml").exists() {
            return Ok(candidate);
        }
    }
    Err(format!(
        "{} not found under {}",
        spec.id(),
        registry.display()
    ))
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type()?.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}
