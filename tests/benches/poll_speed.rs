//! Poll speed: the same async fns as rustc compiles them and as `#[state_machine]` expands them.
//!
//! `cargo bench -p clockwork-tests --bench poll_speed` prints, per workload, the median time of
//! each (runs alternate between the two, so machine drift hits both alike) and the ratio
//! ours/rustc. Target: ≤ 1.05.
//!
//! Two things move these ratios that are not the code's quality, so check a surprising figure
//! against them:
//! - **Code placement.** On Intel cores with the JCC erratum (Skylake and its descendants), a
//!   loop whose fused compare-and-branch crosses a 32-byte boundary runs at half speed. (a)'s
//!   loop is five identical instructions on both sides, and its ratio flipped between 1.00 and
//!   2.00 when unrelated code moved. `RUSTFLAGS="-C
//!   llvm-args=-x86-branches-within-32B-boundaries"` pads the branches and takes placement out.
//! - **Codegen units.** How far LLVM folds the fully inlined chain of (b) depends on how the
//!   crate is split: with the default 16 units both chains fold, after the first `Pending`, to
//!   the leaf's poll alone; with `CARGO_PROFILE_BENCH_CODEGEN_UNITS=1` rustc's checks every
//!   level's state on every poll and ours still folds. `--only NAME` with
//!   `valgrind --tool=cachegrind` counts instructions, which placement does not move.
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

/// The leaf future of the chains, defined in each pair of modules (each its own type, so that
/// LLVM's inlining choices for one workload do not depend on another's).
macro_rules! pending_once {
    () => {
        use std::future::Future;
        use std::pin::Pin;
        use std::task::{Context, Poll};

        /// A future that is `Pending` once (waking itself), then ready.
        pub struct PendingOnce(bool);
        impl Future for PendingOnce {
            type Output = u64;
            fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
                if std::hint::black_box(self.0) {
                    Poll::Ready(std::hint::black_box(1))
                } else {
                    self.0 = true;
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
            }
        }
    };
}

macro_rules! twins {
    ($native:ident, $machine:ident, $($items:item)*) => {
        mod $native { $($items)* }
        #[clockwork_macros::state_machine]
        mod $machine { $($items)* }
    };
}

twins! {
    native,
    machine,
    pending_once!();

    /// (a) one million awaits of always-ready futures in a loop.
    pub async fn ready_loop(n: u64) -> u64 {
        let mut sum = 0u64;
        for i in 0..n {
            sum = sum.wrapping_add(core::future::ready(std::hint::black_box(i)).await);
        }
        sum
    }

    async fn level0() -> u64 { PendingOnce(false).await }
    async fn level1() -> u64 { level0().await + 1 }
    async fn level2() -> u64 { level1().await + 1 }
    async fn level3() -> u64 { level2().await + 1 }
    async fn level4() -> u64 { level3().await + 1 }
    async fn level5() -> u64 { level4().await + 1 }
    async fn level6() -> u64 { level5().await + 1 }
    async fn level7() -> u64 { level6().await + 1 }
    async fn level8() -> u64 { level7().await + 1 }
    /// (b) a 10-deep chain of async fns whose innermost future is `Pending` once.
    pub async fn chain10() -> u64 { level8().await + 1 }
}

// (b) again, in its own modules, polled through a `dyn Future` (see `block_on_dyn`). The same
// chain polled by `block_on` is the best case, which LLVM folds as far as it can; this is the
// case of a task in an executor, where nothing is folded across polls.
twins! {
    dyn_native_mod,
    dyn_machine_mod,
    pending_once!();

    async fn level0() -> u64 { PendingOnce(false).await }
    async fn level1() -> u64 { level0().await + 1 }
    async fn level2() -> u64 { level1().await + 1 }
    async fn level3() -> u64 { level2().await + 1 }
    async fn level4() -> u64 { level3().await + 1 }
    async fn level5() -> u64 { level4().await + 1 }
    async fn level6() -> u64 { level5().await + 1 }
    async fn level7() -> u64 { level6().await + 1 }
    async fn level8() -> u64 { level7().await + 1 }
    /// (b, dyn) the chain of (b), polled as a task.
    pub async fn chain10() -> u64 { level8().await + 1 }
}

// (b') in its own modules, with its own leaf type, so that LLVM's inlining choices for (b) are
// the same as without it.
twins! {
    each_native_mod,
    each_machine_mod,
    pending_once!();

    async fn each0() -> u64 { PendingOnce(false).await }
    async fn each1() -> u64 { PendingOnce(false).await + each0().await }
    async fn each2() -> u64 { PendingOnce(false).await + each1().await }
    async fn each3() -> u64 { PendingOnce(false).await + each2().await }
    async fn each4() -> u64 { PendingOnce(false).await + each3().await }
    async fn each5() -> u64 { PendingOnce(false).await + each4().await }
    async fn each6() -> u64 { PendingOnce(false).await + each5().await }
    async fn each7() -> u64 { PendingOnce(false).await + each6().await }
    async fn each8() -> u64 { PendingOnce(false).await + each7().await }
    /// (b') the other reading of (b): every level of the chain awaits its own `Pending`-once
    /// future before the level below, so the chain suspends ten times.
    pub async fn each10() -> u64 { PendingOnce(false).await + each8().await }
}

// (c) one fn with 20 `.await`s in a row, each `Pending` once: how fast a state is found among
// many (rustc jumps through a table).
twins! {
    long_native_mod,
    long_machine_mod,
    pending_once!();

    pub async fn twenty() -> u64 {
        let mut s = PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s += PendingOnce(false).await;
        s
    }
}

#[inline(always)]
fn block_on<F: Future>(fut: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// `block_on`, but polling through a `dyn Future` whose vtable LLVM cannot see (as an executor
/// polls a task): the future's poll is then compiled on its own, with its state in memory, and
/// nothing can be folded away across polls.
#[inline(always)]
fn block_on_dyn<F: Future>(fut: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    let mut fut = pin!(fut);
    let mut fut: std::pin::Pin<&mut dyn Future<Output = F::Output>> = black_box(fut.as_mut());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn time<T>(f: impl Fn() -> T) -> f64 {
    let start = Instant::now();
    black_box(f());
    start.elapsed().as_nanos() as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn compare(name: &str, samples: usize, native: impl Fn() -> u64, machine: impl Fn() -> u64) {
    assert_eq!(native(), machine(), "{name}: outputs differ");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..samples {
        if i % 2 == 0 {
            a.push(time(&native));
            b.push(time(&machine));
        } else {
            b.push(time(&machine));
            a.push(time(&native));
        }
    }
    let (a, b) = (median(a), median(b));
    println!(
        "poll_speed {name} rustc_ns={a:.0} ours_ns={b:.0} ratio={:.3}",
        b / a
    );
}

// Each workload behind its own non-inlined function, so that LLVM's decisions for one do not
// depend on the other being in the same function.
macro_rules! workload {
    ($($name:ident => $block_on:ident($fut:expr);)*) => {
        $(
            #[inline(never)]
            fn $name() -> u64 {
                $block_on($fut)
            }
        )*
    };
}

workload! {
    ready_native => block_on(native::ready_loop(black_box(1_000_000)));
    ready_machine => block_on(machine::ready_loop(black_box(1_000_000)));
    chain_native => block_on(native::chain10());
    chain_machine => block_on(machine::chain10());
    chain_dyn_native => block_on_dyn(dyn_native_mod::chain10());
    chain_dyn_machine => block_on_dyn(dyn_machine_mod::chain10());
    each_native => block_on(each_native_mod::each10());
    each_machine => block_on(each_machine_mod::each10());
    long_native => block_on(long_native_mod::twenty());
    long_machine => block_on(long_machine_mod::twenty());
}

fn main() {
    // `--only NAME`: run one side of one workload 100k times (`ready_*` 100 times), for a
    // profiler (`valgrind --tool=cachegrind` counts the instructions).
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--only") {
        let f: fn() -> u64 = match args.get(i + 1).map(String::as_str) {
            Some("ready_native") => ready_native,
            Some("ready_machine") => ready_machine,
            Some("chain_native") => chain_native,
            Some("chain_machine") => chain_machine,
            Some("chain_dyn_native") => chain_dyn_native,
            Some("chain_dyn_machine") => chain_dyn_machine,
            Some("each_native") => each_native,
            Some("each_machine") => each_machine,
            Some("long_native") => long_native,
            Some("long_machine") => long_machine,
            other => panic!("--only: unknown workload {other:?}"),
        };
        let runs = if args[i + 1].starts_with("ready") {
            100
        } else {
            100_000
        };
        let total: u64 = (0..runs).map(|_| f()).sum();
        println!("{total}");
        return;
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let samples = if quick { 11 } else { 51 };
    compare("ready_loop_1m", samples, ready_native, ready_machine);
    let chains = 100_000;
    compare(
        "chain10_pending_once_x100k",
        samples,
        || (0..chains).map(|_| chain_native()).sum(),
        || (0..chains).map(|_| chain_machine()).sum(),
    );
    compare(
        "chain10_dyn_pending_once_x100k",
        samples,
        || (0..chains).map(|_| chain_dyn_native()).sum(),
        || (0..chains).map(|_| chain_dyn_machine()).sum(),
    );
    compare(
        "chain10_each_pending_once_x100k",
        samples,
        || (0..chains).map(|_| each_native()).sum(),
        || (0..chains).map(|_| each_machine()).sum(),
    );
    compare(
        "twenty_awaits_pending_once_x100k",
        samples,
        || (0..chains).map(|_| long_native()).sum(),
        || (0..chains).map(|_| long_machine()).sum(),
    );
}
