//! Support for the differential tests: a deterministic executor, leaf futures whose readiness
//! follows a seeded schedule, drop guards that write to a trace, and [`compare`], which runs an
//! async fn as rustc compiles it and as `#[state_machine]` expands it and checks that everything
//! observable is the same.
//!
//! What is compared, for every seed of the schedule:
//! * the output (or the panic message) and the full trace of side effects, in order;
//! * dropping the future after 0, 1, 2, ... polls: the trace, including the drop order;
//! * polling again after completion (rustc panics with "`async fn` resumed after completion");
//! * polling again after a panic ("`async fn` resumed after panicking");
//! * `Send`-ness of the two futures (checked by the caller, see [`differential!`]).

use std::cell::{Cell, RefCell};
use std::fmt::Debug;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

thread_local! {
    static TRACE: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static RNG: Cell<u64> = const { Cell::new(1) };
    static DEFERRED: RefCell<Vec<Waker>> = const { RefCell::new(Vec::new()) };
}

/// Appends an event to the trace.
pub fn log(event: impl Into<String>) {
    TRACE.with(|t| t.borrow_mut().push(event.into()));
}

fn take_trace() -> Vec<String> {
    TRACE.with(|t| std::mem::take(&mut *t.borrow_mut()))
}

fn next_random() -> u64 {
    RNG.with(|r| {
        // xorshift64*: deterministic, and the same sequence for both futures under test.
        let mut x = r.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        r.set(x);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    })
}

fn seed(s: u64) {
    RNG.with(|r| r.set(s.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1));
}

/// A value that logs its drop: `drop <name>`.
#[derive(Debug, PartialEq)]
pub struct Guard(pub String);

impl Guard {
    pub fn new(name: impl Into<String>) -> Guard {
        let name = name.into();
        log(format!("make {name}"));
        Guard(name)
    }
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        log(format!("drop {}", self.0));
    }
}

/// A leaf future: returns `Pending` a seeded number of times (0 to 2), waking its waker now or
/// from the executor's deferred list, then `Ready(value)`. Logs its polls and its drop.
pub struct Step<T> {
    name: &'static str,
    value: Option<T>,
    pending: Option<u32>,
}

pub fn step<T>(name: &'static str, value: T) -> Step<T> {
    Step {
        name,
        value: Some(value),
        pending: None,
    }
}

impl<T> Unpin for Step<T> {}

impl<T> Future for Step<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let left = *self
            .pending
            .get_or_insert_with(|| (next_random() % 3) as u32);
        if left > 0 {
            self.pending = Some(left - 1);
            log(format!("pending {}", self.name));
            if next_random().is_multiple_of(2) {
                cx.waker().wake_by_ref();
            } else {
                DEFERRED.with(|d| d.borrow_mut().push(cx.waker().clone()));
            }
            return Poll::Pending;
        }
        log(format!("ready {}", self.name));
        Poll::Ready(self.value.take().expect("Step polled after completion"))
    }
}

impl<T> Drop for Step<T> {
    fn drop(&mut self) {
        if self.value.is_some() && self.pending.is_some() {
            log(format!("cancel {}", self.name));
        }
    }
}

/// A one-byte leaf future: `Pending` once (waking its waker at once), then `Ready(())`. The
/// shape of rust-lang/rust#62958's report, where the sub-future adds next to nothing to the size.
pub struct YieldOnce(bool);

pub fn yield_once() -> YieldOnce {
    YieldOnce(false)
}

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            log("ready yield");
            return Poll::Ready(());
        }
        self.0 = true;
        log("pending yield");
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// A future that panics when polled (after logging).
pub struct Boom(pub &'static str);

impl Future for Boom {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u32> {
        log(format!("boom {}", self.0));
        panic!("boom {}", self.0)
    }
}

struct CountingWaker(std::sync::atomic::AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// How one run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    Ready(T),
    Panicked(String),
    /// Dropped after this many polls while still pending.
    Cancelled(usize),
    /// Pending with no wake-up scheduled: a lost wake-up.
    Stalled,
}

fn panic_message(e: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = e.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = e.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic>".into()
    }
}

/// Everything observable about one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Run<T> {
    pub outcome: Outcome<T>,
    pub polls: usize,
    pub trace: Vec<String>,
    /// What polling once more said (after completion or after a panic).
    pub repoll: Option<String>,
}

/// Runs `fut` on the deterministic executor, dropping it after `cancel_after` polls if given.
pub fn run<F: Future>(fut: F, s: u64, cancel_after: Option<usize>) -> Run<F::Output> {
    seed(s);
    take_trace();
    DEFERRED.with(|d| d.borrow_mut().clear());
    let counter = Arc::new(CountingWaker(0.into()));
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    let mut fut = Box::pin(fut);
    let mut polls = 0;
    let outcome = loop {
        if cancel_after == Some(polls) {
            drop(fut);
            let trace = take_trace();
            return Run {
                outcome: Outcome::Cancelled(polls),
                polls,
                trace,
                repoll: None,
            };
        }
        let before = counter.0.load(std::sync::atomic::Ordering::SeqCst);
        polls += 1;
        log(format!("poll #{polls}"));
        match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(&mut cx))) {
            Ok(Poll::Ready(v)) => break Outcome::Ready(v),
            Ok(Poll::Pending) => {
                let deferred: Vec<Waker> = DEFERRED.with(|d| std::mem::take(&mut *d.borrow_mut()));
                for w in deferred {
                    w.wake();
                }
                if counter.0.load(std::sync::atomic::Ordering::SeqCst) == before {
                    break Outcome::Stalled;
                }
            }
            Err(e) => break Outcome::Panicked(panic_message(e)),
        }
        if polls > 10_000 {
            break Outcome::Stalled;
        }
    };
    let repoll = match outcome {
        Outcome::Ready(_) | Outcome::Panicked(_) => {
            match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(&mut cx).is_ready())) {
                Ok(ready) => Some(format!("no panic (ready: {ready})")),
                Err(e) => Some(panic_message(e)),
            }
        }
        _ => None,
    };
    drop(fut);
    log("future dropped");
    let trace = take_trace();
    Run {
        outcome,
        polls,
        trace,
        repoll,
    }
}

/// The seeds each case runs with (fewer under Miri, which is ~1000× slower).
pub const SEEDS: u64 = if cfg!(miri) { 2 } else { 12 };

/// Runs both entry points under every seed and every cancellation point and panics with a
/// readable diff at the first difference.
pub fn compare<T, A, B, FA, FB>(name: &str, native: A, machine: B)
where
    T: Debug + PartialEq,
    A: Fn() -> FA,
    B: Fn() -> FB,
    FA: Future<Output = T>,
    FB: Future<Output = T>,
{
    // Silence the default panic hook for expected panics inside cases.
    let quiet = QuietPanics::new();
    for s in 0..SEEDS {
        let full_native = run(native(), s, None);
        let full_machine = run(machine(), s, None);
        assert_same(name, s, None, &full_native, &full_machine);
        assert!(
            full_native.outcome != Outcome::Stalled,
            "{name}: the native future stalled (a bug in the case, not the transform)"
        );
        for cancel in 0..full_native.polls {
            let a = run(native(), s, Some(cancel));
            let b = run(machine(), s, Some(cancel));
            assert_same(name, s, Some(cancel), &a, &b);
        }
    }
    drop(quiet);
}

fn assert_same<T: Debug + PartialEq>(
    name: &str,
    s: u64,
    cancel: Option<usize>,
    a: &Run<T>,
    b: &Run<T>,
) {
    if a != b {
        let mut msg = format!(
            "{name}: seed {s}, cancel after {cancel:?}: rustc and #[state_machine] differ\n"
        );
        msg += &format!(
            "  outcome: {:?} vs {:?}\n  repoll: {:?} vs {:?}\n",
            a.outcome, b.outcome, a.repoll, b.repoll
        );
        let n = a.trace.len().max(b.trace.len());
        for i in 0..n {
            let x = a.trace.get(i).map(String::as_str).unwrap_or("-");
            let y = b.trace.get(i).map(String::as_str).unwrap_or("-");
            let mark = if x == y { " " } else { "!" };
            msg += &format!("  {mark} {x:<30} | {y}\n");
        }
        panic!("{msg}");
    }
}

struct QuietPanics(
    #[allow(clippy::type_complexity)]
    Option<Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send + 'static>>,
);

impl QuietPanics {
    fn new() -> Self {
        if std::env::var_os("CLOCKWORK_LOUD_PANICS").is_some() {
            return QuietPanics(None);
        }
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        QuietPanics(Some(prev))
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        // A failed comparison unwinds through here; the hook cannot change while panicking
        // (it stays quiet for the rest of this test thread's panic, which is reported anyway).
        if std::thread::panicking() {
            return;
        }
        if let Some(prev) = self.0.take() {
            std::panic::set_hook(prev);
        }
    }
}

/// `Send`/`Sync`/`Unpin`-ness of a value's type, on stable, through autoref specialisation.
pub struct Probe<'a, T>(pub &'a T);

pub trait IsSync {
    fn is_sync(&self) -> bool;
}
impl<T: Sync> IsSync for &Probe<'_, T> {
    fn is_sync(&self) -> bool {
        true
    }
}
pub trait NotSync {
    fn is_sync(&self) -> bool;
}
impl<T> NotSync for Probe<'_, T> {
    fn is_sync(&self) -> bool {
        false
    }
}
pub trait IsUnpin {
    fn is_unpin(&self) -> bool;
}
impl<T: Unpin> IsUnpin for &Probe<'_, T> {
    fn is_unpin(&self) -> bool {
        true
    }
}
pub trait NotUnpin {
    fn is_unpin(&self) -> bool;
}
impl<T> NotUnpin for Probe<'_, T> {
    fn is_unpin(&self) -> bool {
        false
    }
}

pub trait IsSend {
    fn is_send(&self) -> bool;
}
impl<T: Send> IsSend for &Probe<'_, T> {
    fn is_send(&self) -> bool {
        true
    }
}
pub trait NotSend {
    fn is_send(&self) -> bool;
}
impl<T> NotSend for Probe<'_, T> {
    fn is_send(&self) -> bool {
        false
    }
}

/// `(Send, Sync, Unpin)` of a value's type, as booleans.
///
/// The receiver must be `&&Probe`: method lookup tries the receiver's own type first, so with
/// `&Probe` the blanket `NotSend` impl (whose `&self` is `&Probe`) answers before `IsSend` is
/// looked at, and every type reads as `!Send`.
#[macro_export]
macro_rules! auto_traits {
    ($value:expr) => {{
        #[allow(unused_imports)]
        use $crate::{IsSend, IsSync, IsUnpin, NotSend, NotSync, NotUnpin};
        let probe = &&$crate::Probe(&$value);
        (probe.is_send(), probe.is_sync(), probe.is_unpin())
    }};
}

/// Declares differential cases: each case's items are compiled twice, once as written
/// (`native`) and once under `#[state_machine]` (`machine`); each must define `fn entry()`
/// returning the future to run.
#[macro_export]
macro_rules! differential {
    ($( $(#[$meta:meta])* $name:ident { $($items:item)* } )*) => {
        $(
            $(#[$meta])*
            #[allow(unused, clippy::all)]
            mod $name {
                pub mod native {
                    use $crate::*;
                    use super::super::*;
                    $($items)*
                }
                #[::clockwork_macros::state_machine]
                pub mod machine {
                    use $crate::*;
                    use super::super::*;
                    $($items)*
                }

                #[test]
                fn differential() {
                    $crate::compare(stringify!($name), native::entry, machine::entry);
                }

                #[test]
                fn same_auto_traits() {
                    let (a, b) = (native::entry(), machine::entry());
                    let (native_send, native_sync, native_unpin) = $crate::auto_traits!(a);
                    let (machine_send, machine_sync, machine_unpin) = $crate::auto_traits!(b);
                    drop((a, b));
                    assert_eq!(native_send, machine_send, "Send-ness differs");
                    assert_eq!(native_sync, machine_sync, "Sync-ness differs");
                    assert_eq!(native_unpin, machine_unpin, "Unpin-ness differs");
                }

                /// (name, rustc's size, ours)
                pub fn sizes() -> (&'static str, usize, usize) {
                    let (a, b) = (native::entry(), machine::entry());
                    let r = (stringify!($name), ::core::mem::size_of_val(&a), ::core::mem::size_of_val(&b));
                    drop((a, b));
                    r
                }
            }
        )*

        /// Every case's future sizes, for the size report.
        pub fn all_sizes() -> ::std::vec::Vec<(&'static str, usize, usize)> {
            ::std::vec![$( $name::sizes() ),*]
        }
    };
}

#[cfg(test)]
mod tests {
    /// The probe tells the auto traits apart (it once read every type as `!Send`).
    #[test]
    fn auto_traits_probe_sees_each_trait() {
        let plain = 1u32;
        let shared = std::rc::Rc::new(1u32);
        let cell = std::cell::Cell::new(1u32);
        let pinned = core::marker::PhantomPinned;
        assert_eq!(crate::auto_traits!(plain), (true, true, true));
        assert_eq!(crate::auto_traits!(shared), (false, false, true));
        assert_eq!(crate::auto_traits!(cell), (true, false, true));
        assert_eq!(crate::auto_traits!(pinned), (true, true, false));
    }
}
