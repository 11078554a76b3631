//! `clockwork-fuzz`: random async programs, run as rustc compiles them and as `#[state_machine]`
//! expands them, compared on everything the differential tests compare.
//!
//! ```text
//! cargo run -p clockwork-fuzz --release -- --count 300 --seed 1
//! ```
//!
//! 1. [`generate`] writes `--count` programs, each valid by construction (the plain copy compiles).
//! 2. Each program's async fns are first expanded in this process: a panic of the transform is a
//!    *macro panic*; a transform error is a *rejection* (the user would see a `compile_error!`).
//! 3. The rest are compiled in batches by [`driver`], one crate per batch: a case whose
//!    `#[state_machine]` copy does not compile is a *compile failure* (by rustc error code); the
//!    others run under `clockwork_tests::compare` (output, trace, drop order at completion and
//!    after a cancellation at every poll, panics, re-polls) and the `Send`/`Sync`/`Unpin` probe.
//! 4. Failures are shrunk ([`shrink`]) to small programs with the same failure, saved under
//!    `--out` (default `target/fuzz/failures`).
//!
//! The last line printed is `fuzz: P passed, F failed of N (seed S)`. The exit status is 1 when
//! more programs than `--max-differences` (default 0) ran differently, when any panicked the
//! macro or was invalid as plain Rust (a generator bug), or when more than
//! `--max-compile-failures` percent did not compile; 0 otherwise.

mod driver;
mod generate;
mod program;
mod shrink;

use driver::{Case, Driver, Verdict};
use program::Program;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What became of one program.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Passed,
    /// The transform panicked.
    MacroPanic(String),
    /// The transform refused the program with an error of its own (a `compile_error!`).
    Rejected(String),
    /// rustc refused the expansion: error code (or "-") and message.
    CompileFailure {
        code: String,
        message: String,
    },
    /// Both ran and differed (or the expansion crashed the run).
    Differs(String),
    /// The plain program did not compile: a generator bug.
    InvalidProgram(String),
}

impl Outcome {
    /// The failure's class: a shrunk program must keep it.
    pub fn class(&self) -> String {
        match self {
            Outcome::Passed => "passed".into(),
            Outcome::MacroPanic(_) => "macro-panic".into(),
            Outcome::Rejected(m) => format!("rejected: {}", first_words(m, 8)),
            Outcome::CompileFailure { code, message } if code.is_empty() || code == "-" => {
                format!("compile: {}", first_words(message, 6))
            }
            Outcome::CompileFailure { code, .. } => format!("compile: {code}"),
            Outcome::Differs(_) => "differs".into(),
            Outcome::InvalidProgram(_) => "invalid-program".into(),
        }
    }

    fn detail(&self) -> &str {
        match self {
            Outcome::Passed => "",
            Outcome::MacroPanic(m)
            | Outcome::Rejected(m)
            | Outcome::Differs(m)
            | Outcome::InvalidProgram(m)
            | Outcome::CompileFailure { message: m, .. } => m,
        }
    }
}

/// The lines of a failure worth reading first: for a difference, its head and the trace lines
/// that differ (marked `!`), with one line of context before each run of them.
fn summary(detail: &str) -> Vec<&str> {
    let lines: Vec<&str> = detail.lines().collect();
    if !lines.iter().any(|l| l.trim_start().starts_with("! ")) {
        return lines.into_iter().take(40).collect();
    }
    let mut keep: Vec<&str> = lines.iter().take(3).copied().collect();
    for (i, l) in lines.iter().enumerate().skip(3) {
        let marked = l.trim_start().starts_with("! ");
        let before_marked = lines
            .get(i + 1)
            .is_some_and(|n| n.trim_start().starts_with("! "));
        if (marked || before_marked) && keep.len() < 40 {
            keep.push(l);
        }
    }
    keep
}

/// The first `n` words of a message, with the names it quotes (`` `c12` ``) left out, so that
/// one kind of failure is one class whatever the program calls things.
fn first_words(s: &str, n: usize) -> String {
    let mut out = String::new();
    for (k, part) in s.split('`').enumerate() {
        out.push_str(if k % 2 == 1 { "`..`" } else { part });
    }
    let s = out;
    s.split_whitespace().take(n).collect::<Vec<_>>().join(" ")
}

struct Options {
    count: usize,
    seed: u64,
    batch: usize,
    out: PathBuf,
    shrink: usize,
    /// Programs shrunk among the run-time differences.
    shrink_differs: usize,
    max_compile_failures: f64,
    /// Run-time differences tolerated (a ratchet for CI: the count known for its seed).
    max_differences: usize,
    /// Print this program (formatted) and stop.
    print: Option<usize>,
    /// `--print` the text as compiled, unformatted: the layout of macro input can matter.
    raw: bool,
    /// The edition the programs are compiled as (`2024`, `2021`, `2018`): the transform
    /// applies some temporary rules by edition (`clockwork_expand::edition`).
    edition: u32,
}

fn parse_args(repo: &Path) -> Result<Options, String> {
    let mut o = Options {
        count: 100,
        seed: 1,
        batch: 150,
        out: repo.join("target/fuzz/failures"),
        shrink: 6,
        shrink_differs: 3,
        max_compile_failures: 100.0,
        max_differences: 0,
        print: None,
        raw: false,
        edition: 2024,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--count" => {
                o.count = value("--count")?
                    .parse()
                    .map_err(|e| format!("--count: {e}"))?
            }
            "--seed" => {
                o.seed = value("--seed")?
                    .parse()
                    .map_err(|e| format!("--seed: {e}"))?
            }
            "--batch" => {
                o.batch = value("--batch")?
                    .parse()
                    .map_err(|e| format!("--batch: {e}"))?
            }
            "--out" => o.out = PathBuf::from(value("--out")?),
            "--shrink" => {
                o.shrink = value("--shrink")?
                    .parse()
                    .map_err(|e| format!("--shrink: {e}"))?
            }
            "--shrink-differs" => {
                o.shrink_differs = value("--shrink-differs")?
                    .parse()
                    .map_err(|e| format!("--shrink-differs: {e}"))?
            }
            "--max-differences" => {
                o.max_differences = value("--max-differences")?
                    .parse()
                    .map_err(|e| format!("--max-differences: {e}"))?
            }
            "--max-compile-failures" => {
                o.max_compile_failures = value("--max-compile-failures")?
                    .parse()
                    .map_err(|e| format!("--max-compile-failures: {e}"))?
            }
            "--print" => {
                o.print = Some(
                    value("--print")?
                        .parse()
                        .map_err(|e| format!("--print: {e}"))?,
                )
            }
            "--raw" => o.raw = true,
            "--edition" => {
                o.edition = value("--edition")?
                    .parse()
                    .ok()
                    .filter(|e| [2018, 2021, 2024].contains(e))
                    .ok_or("--edition: 2018, 2021 or 2024")?
            }
            "-h" | "--help" => {
                return Err(
                    "usage: clockwork-fuzz [--count N] [--seed S] [--batch B] [--out DIR] \
                     [--shrink K] [--shrink-differs K] [--max-differences N] [--max-compile-failures PERCENT] [--print I [--raw]] [--edition E]"
                        .into(),
                );
            }
            other => return Err(format!("unknown argument `{other}` (see --help)")),
        }
    }
    o.batch = o.batch.max(1);
    Ok(o)
}

/// The program of index `i` under seed `seed`: its own generator, so a program can be made again
/// from `(seed, i)` alone.
pub fn program(seed: u64, i: usize) -> Program {
    generate::Gen::new(
        seed.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ (i as u64).wrapping_mul(0x9e37_79b9),
    )
    .program()
}

/// Expands every async fn of the program in this process: `Some` when the transform panics or
/// refuses it.
/// The edition of the run (`--edition`), for the expansion done in this process.
static EDITION: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(2024);

pub fn expand_in_process(p: &Program) -> Option<Outcome> {
    let file = match syn::parse_file(&p.native()) {
        Ok(f) => f,
        Err(e) => return Some(Outcome::InvalidProgram(format!("does not parse: {e}"))),
    };
    for item in file.items {
        let syn::Item::Fn(f) = &item else { continue };
        if f.sig.asyncness.is_none() {
            continue;
        }
        use clockwork_expand::edition::{Edition, with_edition};
        let edition = match EDITION.load(std::sync::atomic::Ordering::Relaxed) {
            e if e < 2024 => Edition::Upto2021,
            _ => Edition::From2024,
        };
        let result = std::panic::catch_unwind(|| {
            with_edition(edition, || {
                clockwork_expand::expand_item(
                    item.clone(),
                    &clockwork_expand::default_support_path(),
                )
            })
        });
        match result {
            Err(e) => return Some(Outcome::MacroPanic(panic_text(&*e))),
            Ok(Err(e)) => return Some(Outcome::Rejected(e.message().to_string())),
            Ok(Ok(_)) => {}
        }
    }
    None
}

fn panic_text(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "<non-string panic>".into())
}

/// Every outcome, in order: in-process expansion first, then the driver for the rest.
pub fn check(driver: &Driver, programs: &[(String, Program)]) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Outcome>> =
        programs.iter().map(|(_, p)| expand_in_process(p)).collect();
    let pending: Vec<usize> = (0..programs.len())
        .filter(|&i| outcomes[i].is_none())
        .collect();
    let cases: Vec<Case> = pending
        .iter()
        .map(|&i| {
            let (id, p) = &programs[i];
            Case {
                id: id.clone(),
                native: p.native(),
                machine: p.machine(),
                output_ty: p.output.rust().to_string(),
            }
        })
        .collect();
    if !cases.is_empty() {
        for (&i, v) in pending.iter().zip(driver.check(&cases)) {
            outcomes[i] = Some(match v {
                Verdict::Pass => Outcome::Passed,
                Verdict::NativeCompileError(m) => Outcome::InvalidProgram(m),
                Verdict::MachineCompileError { message, .. } if message.contains("panicked") => {
                    Outcome::MacroPanic(message)
                }
                Verdict::MachineCompileError { code, message } => {
                    Outcome::CompileFailure { code, message }
                }
                Verdict::Differs(m) => Outcome::Differs(m),
                Verdict::Crashed(m) => Outcome::Differs(format!("the run crashed: {m}")),
            });
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.expect("every program checked"))
        .collect()
}

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let repo = repo.canonicalize().unwrap_or(repo);
    let opts = match parse_args(&repo) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("clockwork-fuzz: {e}");
            std::process::exit(2);
        }
    };
    if let Some(i) = opts.print {
        let program = program(opts.seed, i);
        match opts.raw {
            true => print!("{}", program.machine()),
            false => print!("{}", program.pretty()),
        }
        return;
    }
    // The transform's panics are caught and reported; keep their default printing out of the way.
    std::panic::set_hook(Box::new(|_| {}));
    let fuzz_dir = repo.join("target/fuzz");
    // One run at a time: runs share the batch crate's directory.
    std::fs::create_dir_all(&fuzz_dir).expect("create target/fuzz");
    let lock = std::fs::File::create(fuzz_dir.join("lock")).expect("create target/fuzz/lock");
    if lock.try_lock().is_err() {
        eprintln!("clockwork-fuzz: another run holds target/fuzz/lock; waiting for it");
        lock.lock().expect("lock target/fuzz/lock");
    }
    EDITION.store(opts.edition, std::sync::atomic::Ordering::Relaxed);
    // (One work directory per edition: the crate's manifest names it.)
    let work = match opts.edition {
        2024 => fuzz_dir.join("work"),
        e => fuzz_dir.join(format!("work-{e}")),
    };
    let driver = Driver::new(
        &repo,
        &work,
        &fuzz_dir.join("target"),
        generate::PRELUDE,
        opts.edition,
    );

    let started = std::time::Instant::now();
    let mut outcomes: Vec<(usize, Program, Outcome)> = Vec::new();
    let indices: Vec<usize> = (0..opts.count).collect();
    for chunk in indices.chunks(opts.batch) {
        let programs: Vec<(String, Program)> = chunk
            .iter()
            .map(|&i| (format!("p{i}"), program(opts.seed, i)))
            .collect();
        let results = check(&driver, &programs);
        for ((&i, (_, p)), o) in chunk.iter().zip(programs).zip(results) {
            if o != Outcome::Passed {
                let detail = o.detail().lines().next().unwrap_or("");
                println!(
                    "program {i}: {}: {}",
                    o.class(),
                    detail.chars().take(160).collect::<String>()
                );
            }
            outcomes.push((i, p, o));
        }
        eprintln!(
            "fuzz: {} of {} checked ({:.0} s)",
            outcomes.len(),
            opts.count,
            started.elapsed().as_secs_f64()
        );
    }

    let mut by_class: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, _, o) in &outcomes {
        if *o != Outcome::Passed {
            by_class.entry(o.class()).or_default().push(*i);
        }
    }
    println!();
    println!("failures by class:");
    for (class, ids) in &by_class {
        let shown: Vec<String> = ids.iter().take(8).map(|i| i.to_string()).collect();
        println!(
            "  {:>5}  {class}  (programs {}{})",
            ids.len(),
            shown.join(", "),
            if ids.len() > 8 { ", .." } else { "" }
        );
    }

    // Shrink one program of each class (the first `--shrink` classes), run-time differences and
    // macro panics first.
    std::fs::create_dir_all(&opts.out).expect("create the failures directory");
    let mut order: Vec<(&String, &Vec<usize>)> = by_class.iter().collect();
    order.sort_by_key(|(class, _)| match class.as_str() {
        "differs" => 0,
        "macro-panic" => 1,
        "invalid-program" => 2,
        _ => 3,
    });
    // A run-time difference can have many causes: shrink several of them.
    let picked = order
        .into_iter()
        .take(opts.shrink)
        .flat_map(|(class, ids)| {
            let n = if class == "differs" {
                opts.shrink_differs
            } else {
                1
            };
            ids.iter().take(n).map(move |i| (class, *i))
        });
    for (class, id) in picked {
        let (i, p, o) = outcomes.iter().find(|(i, _, _)| *i == id).expect("listed");
        let (small, small_outcome) = shrink::shrink(&driver, p, o);
        let name = format!(
            "seed{}-p{i}-{}.rs",
            opts.seed,
            class
                .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
                .trim_matches('_')
        );
        let path = opts.out.join(&name);
        let text = format!(
            "// clockwork-fuzz --seed {} : program {i}, shrunk\n// {class}\n// {}\n\n{}",
            opts.seed,
            summary(small_outcome.detail()).join("\n// "),
            small.pretty()
        );
        std::fs::write(&path, text).expect("write the shrunk program");
        println!(
            "shrunk {class}: {} lines -> {}",
            p.pretty().lines().count(),
            path.display()
        );
    }

    let passed = outcomes
        .iter()
        .filter(|(_, _, o)| *o == Outcome::Passed)
        .count();
    let failed = outcomes.len() - passed;
    let count = |pred: fn(&Outcome) -> bool| outcomes.iter().filter(|(_, _, o)| pred(o)).count();
    let differs = count(|o| matches!(o, Outcome::Differs(_)));
    let panics = count(|o| matches!(o, Outcome::MacroPanic(_)));
    let invalid = count(|o| matches!(o, Outcome::InvalidProgram(_)));
    let not_compiling =
        count(|o| matches!(o, Outcome::CompileFailure { .. } | Outcome::Rejected(_)));
    println!(
        "run-time differences: {differs}; macro panics: {panics}; invalid programs: {invalid}; \
         not compiling: {not_compiling} ({:.1}%); {:.0} s",
        100.0 * not_compiling as f64 / outcomes.len().max(1) as f64,
        started.elapsed().as_secs_f64()
    );
    let too_many = 100.0 * not_compiling as f64 > opts.max_compile_failures * outcomes.len() as f64;
    if differs > opts.max_differences {
        println!(
            "fuzz: {differs} run-time differences, more than the {} allowed",
            opts.max_differences
        );
    }
    if too_many {
        println!(
            "fuzz: more than {}% of the programs do not compile",
            opts.max_compile_failures
        );
    }
    println!(
        "fuzz: {passed} passed, {failed} failed of {} (seed {})",
        outcomes.len(),
        opts.seed
    );
    if differs > opts.max_differences || panics + invalid > 0 || too_many {
        std::process::exit(1);
    }
}
