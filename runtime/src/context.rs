//! Thread-local runtime context: which runtime this thread is inside (so
//! `spawn` knows where to go), which scheduler core it is driving (so a wake
//! on this thread can push to the local queue without a lock), and the
//! cooperative budget of the task being polled.

use std::cell::{Cell, RefCell};

use crate::coop::Budget;
use crate::scheduler;

struct Context {
    /// The runtime `spawn` uses; set by `block_on`, by worker threads, and by
    /// `Handle::enter`.
    current: RefCell<Option<scheduler::Handle>>,
    /// The scheduler this thread is running right now, if any.
    scheduler: Scoped<scheduler::Context>,
    /// Inside `block_on` or a worker: nested `block_on` would deadlock.
    runtime_entered: Cell<bool>,
    budget: Cell<Budget>,
}

thread_local! {
    static CONTEXT: Context = const {
        Context {
            current: RefCell::new(None),
            scheduler: Scoped::new(),
            runtime_entered: Cell::new(false),
            budget: Cell::new(Budget::unconstrained()),
        }
    };
}

/// Run `f` with the handle of the runtime this thread is in, if any.
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&scheduler::Handle>) -> R) -> R {
    CONTEXT.with(|c| f(c.current.borrow().as_ref()))
}

pub(crate) fn current_handle() -> Option<scheduler::Handle> {
    CONTEXT
        .try_with(|c| c.current.borrow().clone())
        .ok()
        .flatten()
}

/// Restores the previous current handle when dropped.
pub(crate) struct SetCurrentGuard {
    prev: Option<scheduler::Handle>,
}

pub(crate) fn set_current(handle: &scheduler::Handle) -> SetCurrentGuard {
    let prev = CONTEXT.with(|c| c.current.borrow_mut().replace(handle.clone()));
    SetCurrentGuard { prev }
}

impl Drop for SetCurrentGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        let _ = CONTEXT.try_with(|c| *c.current.borrow_mut() = prev);
    }
}

/// Marks the thread as driving a runtime; see `enter_runtime`.
pub(crate) struct EnterRuntimeGuard {
    _current: SetCurrentGuard,
}

/// Called by `block_on` and worker threads.
pub(crate) fn enter_runtime(handle: &scheduler::Handle) -> EnterRuntimeGuard {
    CONTEXT.with(|c| {
        if c.runtime_entered.replace(true) {
            panic!(
                "Cannot start a runtime from within a runtime. This happens because a \
                 function (like `block_on`) attempted to block the current thread while \
                 the thread is being used to drive asynchronous tasks."
            );
        }
    });
    EnterRuntimeGuard {
        _current: set_current(handle),
    }
}

impl Drop for EnterRuntimeGuard {
    fn drop(&mut self) {
        let _ = CONTEXT.try_with(|c| c.runtime_entered.set(false));
    }
}

pub(crate) fn set_scheduler<R>(cx: &scheduler::Context, f: impl FnOnce() -> R) -> R {
    CONTEXT.with(|c| c.scheduler.set(cx, f))
}

pub(crate) fn with_scheduler<R>(f: impl FnOnce(Option<&scheduler::Context>) -> R) -> R {
    match CONTEXT.try_with(|c| c.scheduler.get()) {
        // SAFETY: `Scoped::set` keeps the pointee alive while it is set.
        Ok(ptr) => f(unsafe { ptr.as_ref() }),
        // Thread-local already destroyed (a waker fired from a TLS destructor).
        Err(_) => f(None),
    }
}

pub(crate) fn budget<R>(f: impl FnOnce(&Cell<Budget>) -> R) -> Option<R> {
    CONTEXT.try_with(|c| f(&c.budget)).ok()
}

/// A thread-local "pointer to something on the stack", set for the length of
/// a closure (what scoped-tls does).
struct Scoped<T> {
    inner: Cell<*const T>,
}

impl<T> Scoped<T> {
    const fn new() -> Scoped<T> {
        Scoped {
            inner: Cell::new(std::ptr::null()),
        }
    }

    fn set<R>(&self, t: &T, f: impl FnOnce() -> R) -> R {
        struct Reset<'a, T> {
            cell: &'a Cell<*const T>,
            prev: *const T,
        }
        impl<T> Drop for Reset<'_, T> {
            fn drop(&mut self) {
                self.cell.set(self.prev);
            }
        }
        let prev = self.inner.replace(t);
        let _reset = Reset {
            cell: &self.inner,
            prev,
        };
        f()
    }

    fn get(&self) -> *const T {
        self.inner.get()
    }
}
