//! Compile cost: `cargo check` of a crate of 100 async fns, with `#[state_machine]` on each and
//! without it (rustc's own lowering), in the same run. Prints the ratio (target: at most 3),
//! and the ratio when proc-macros are built optimized (`[profile.dev.build-override]
//! opt-level = 3` in the checked crate), which leaves rustc's own work on the longer code.
//!
//! `cargo bench -p clockwork-tests --bench check_cost`. The crate is written under the target
//! directory; its dependencies (clockwork without the runtime, the attribute) are built once
//! first, so the figures are the crate's own check. Each variant is checked `RUNS` times after
//! touching its source; the best time counts.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod shapes;

const FNS: usize = 100;
const RUNS: usize = 5;

/// The types and leaf futures the fns use: enough for the crate to type-check.
const PRELUDE: &str = r#"
#![allow(dead_code, unused)]
use std::future::{ready, Ready};
use std::io;
pub struct Client;
pub struct Request(String);
pub struct Response(u16);
pub enum Error { Status(u16), Parse }
pub struct Record(usize);
impl Client { pub fn get(&self, url: &str) -> Request { Request(url.to_string()) } }
impl Request { pub fn send(self) -> Ready<Result<Response, Error>> { ready(Ok(Response(self.0.len() as u16))) } }
impl Response {
    pub fn status(&self) -> u16 { self.0 }
    // (`&self`: reqwest's `text(self)` is the by-value method on a local that the attribute
    // still guesses to borrow, a compile error; see the README's known limits.)
    pub fn text(&self) -> Ready<Result<String, Error>> { ready(Ok(String::new())) }
}
impl Record { pub fn parse(body: &str, i: usize) -> Result<Record, Error> { Ok(Record(body.len() + i)) } }
pub enum Msg { Data(Vec<u8>), Flush, Stop }
pub struct Receiver<T>(Vec<T>);
impl<T> Receiver<T> { pub fn recv(&mut self) -> Ready<Option<T>> { ready(self.0.pop()) } }
pub fn flush(n: usize) -> Ready<()> { ready(()) }
pub struct Source(u32);
impl Source {
    pub fn read_u32(&mut self) -> Ready<io::Result<u32>> { ready(Ok(self.0)) }
    pub fn ack(&mut self, n: u64) -> Ready<io::Result<()>> { ready(Ok(())) }
}
pub fn weight(n: u64, k: u64) -> Ready<u64> { ready(n + k) }
pub struct Machine(u64);
pub enum Event { Tick(u64), Load(String), Quit }
pub struct Output(u64);
impl Machine {
    pub fn tick(&mut self, t: u64) -> Ready<u64> { ready(t) }
    pub fn load(&mut self, p: &str) -> Ready<Result<u64, Error>> { ready(Ok(p.len() as u64)) }
    pub fn commit(&mut self, n: u64, i: u64) -> Ready<Output> { ready(Output(n + i)) }
}
"#;

/// 100 fns of the shapes the CLI bench expands (lets, awaits in expressions, `?`, early
/// returns, loops, `while let`, matches), each with the attribute when `attr`.
fn generate(attr: bool) -> String {
    let mut s = String::from(PRELUDE);
    let attr = if attr {
        "#[clockwork::state_machine]\n"
    } else {
        ""
    };
    for i in 0..FNS {
        shapes::push_async_fn(&mut s, i, attr);
    }
    s
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Writes the crate `name` (with or without the attribute) under `dir`; `optimized_macros`
/// builds proc-macros with `opt-level = 3` (cargo builds them unoptimized for `check` by
/// default, so the attribute's own run is part of the default figure).
fn write_crate(dir: &Path, name: &str, attr: bool, optimized_macros: bool) -> PathBuf {
    let root = dir.join(name);
    std::fs::create_dir_all(root.join("src")).unwrap();
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nclockwork = {{ path = {:?}, default-features = false }}\n\n[workspace]\n{}",
            runtime.canonicalize().unwrap(),
            if optimized_macros {
                "\n[profile.dev.build-override]\nopt-level = 3\n"
            } else {
                ""
            }
        ),
    )
    .unwrap();
    std::fs::write(root.join("src/lib.rs"), generate(attr)).unwrap();
    root
}

/// The best of `RUNS` checks of the crate at `root`, each after touching its source.
fn check(root: &Path, target: &Path) -> Duration {
    let run = || {
        let out = cargo()
            .args(["check", "--quiet", "--manifest-path"])
            .arg(root.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(target)
            .env_remove("RUSTFLAGS")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{} does not check:\n{}",
            root.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(); // the dependencies
    (0..RUNS)
        .map(|_| {
            let src = root.join("src/lib.rs");
            let text = std::fs::read_to_string(&src).unwrap();
            std::fs::write(&src, text).unwrap();
            let t = Instant::now();
            run();
            t.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/check-cost");
    let target = dir.join("target");
    let plain = check(
        &write_crate(&dir, "check_cost_plain", false, false),
        &target,
    );
    let machine = check(
        &write_crate(&dir, "check_cost_machine", true, false),
        &target,
    );
    // (Its own target directory: the build override changes how every dependency is built.)
    let optimized = check(
        &write_crate(&dir, "check_cost_machine_opt", true, true),
        &dir.join("target-opt"),
    );
    let ratio = |t: Duration| t.as_secs_f64() / plain.as_secs_f64();
    println!(
        "check_cost fns={FNS} plain_ms={} machine_ms={} ratio={:.2} \
         machine_with_optimized_macros_ms={} ratio={:.2}",
        plain.as_millis(),
        machine.as_millis(),
        ratio(machine),
        optimized.as_millis(),
        ratio(optimized),
    );
}
