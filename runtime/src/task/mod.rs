//! Tasks: a spawned future in one heap allocation, driven by a scheduler and
//! woken by a waker whose data pointer is the task itself.
//!
//! # The life of a task
//!
//! ```text
//! spawn(fut) ─► RawTask::new: Box<Cell{Header, Core{scheduler, Stage::Running(fut)}, Trailer}>
//!               state = NOTIFIED | JOIN_INTEREST, 3 references:
//!                 Task      (kept in the scheduler's OwnedTasks list, for shutdown)
//!                 Notified  (pushed into a run queue)
//!                 JoinHandle(returned to the caller)
//!
//! scheduler pops Notified ─► task.run() ─► Harness::poll ─► poll_inner
//!     transition_to_running: NOTIFIED → RUNNING
//!     waker_ref(header) ─► Context::from_waker ─► Core::poll ─► Future::poll(cx)
//!       Pending: transition_to_idle: clear RUNNING; if NOTIFIED was set meanwhile,
//!                push the task back (yield_now), else drop the Notified's ref
//!       Ready / panic: store Ok(output) / Err(JoinError::Panic), complete()
//!
//! waker.wake() ─► wake_by_val ─► transition_to_notified_by_val
//!       idle:          set NOTIFIED, the waker's ref becomes a Notified ─► schedule()
//!       running:       set NOTIFIED only (the poller reschedules)
//!       notified/done: drop the waker's ref
//!
//! complete(): RUNNING → COMPLETE; wake the JoinHandle's waker (JOIN_WAKER) or
//!             drop the output if nobody wants it (no JOIN_INTEREST);
//!             leave OwnedTasks; release refs; the last one frees the cell.
//! ```
//!
//! # The state word (see `state.rs`)
//!
//! | bit | meaning |
//! |---|---|
//! | `RUNNING` | one thread owns the future right now |
//! | `COMPLETE` | the future is gone, the output is stored |
//! | `NOTIFIED` | a `Notified` exists (in a queue, or about to be) |
//! | `JOIN_INTEREST` | the `JoinHandle` is alive |
//! | `JOIN_WAKER` | the `JoinHandle`'s waker is in the trailer, readable by the task |
//! | `CANCELLED` | abort or shutdown: drop the future instead of polling |
//! | bits 6.. | reference count |
//!
//! Every reference is owned by exactly one thing: the `Task` in the owned
//! list, a `Notified` in a queue, a `JoinHandle`, an `AbortHandle`, or a
//! `Waker` clone. The lent `waker_ref` owns none.
//!
//! # Files
//!
//! * `state.rs`: the atomic word and its transitions.
//! * `core.rs`: the cell layout and `Core::poll`.
//! * `raw.rs`: the type-erased pointer and the per-type vtable.
//! * `harness.rs`: `poll`, `poll_inner`, `complete`, `shutdown`, waking.
//! * `waker.rs`: the `RawWakerVTable` and `waker_ref`.
//! * `join.rs`: `JoinHandle`, `AbortHandle`; `join_set.rs`: `JoinSet`.
//! * `list.rs`: `OwnedTasks`, how shutdown finds every live task.

mod core;
mod error;
mod harness;
mod join;
mod join_set;
mod list;
mod raw;
mod state;
mod waker;
mod yield_now;

use std::future::Future;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

pub use self::error::JoinError;
pub use self::join::{AbortHandle, JoinHandle};
pub use self::join_set::JoinSet;
pub(crate) use self::list::OwnedTasks;
pub(crate) use self::raw::RawTask;
pub use self::yield_now::yield_now;
pub use crate::blocking::spawn_blocking;
pub use crate::{spawn, spawn_local};

/// A task's identifier, unique for the life of the process.
#[derive(Clone, Copy, Debug, Hash, Eq, PartialEq)]
pub struct Id(pub(crate) u64);

impl Id {
    pub(crate) fn next() -> Id {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Id(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What a task needs from its scheduler. `S` is stored in every task cell.
pub(crate) trait Schedule: Sync + Sized + 'static {
    /// The task completed: take it out of the owned list, returning the
    /// list's reference (or `None` if it was already taken out).
    fn release(&self, task: &Task<Self>) -> Option<Task<Self>>;

    /// A waker fired (or `abort()` was called): queue the task to run.
    fn schedule(&self, task: Notified<Self>);

    /// The task woke itself during its own poll: queue it, but behind others.
    fn yield_now(&self, task: Notified<Self>) {
        self.schedule(task);
    }
}

/// Owns one reference: the owned-list's handle on a task.
pub(crate) struct Task<S: 'static> {
    raw: RawTask,
    _p: PhantomData<S>,
}

/// Owns one reference: "this task should run". Lives in run queues.
pub(crate) struct Notified<S: 'static>(Task<S>);

// SAFETY: a `Task` is a reference-counted pointer whose shared state is all
// atomics or guarded by the state word. Tasks whose future is `!Send`
// (`spawn_local`) also travel between threads in queues, but are only polled
// or dropped on their owning thread; the current-thread scheduler ensures it.
unsafe impl<S> Send for Task<S> {}
// SAFETY: as above; `&Task` only exposes the header.
unsafe impl<S> Sync for Task<S> {}

impl<S: 'static> Task<S> {
    fn from_raw(raw: RawTask) -> Task<S> {
        Task {
            raw,
            _p: PhantomData,
        }
    }

    pub(crate) fn header(&self) -> &core::Header {
        self.raw.header()
    }

    pub(crate) fn id(&self) -> Id {
        self.header().id
    }

    /// Runtime shutdown: cancel the task (or let its current poller do it).
    /// Consumes this reference.
    pub(crate) fn shutdown(self) {
        let raw = self.raw;
        std::mem::forget(self);
        raw.shutdown();
    }
}

impl<S: 'static> Notified<S> {
    /// The scheduler's entry point: poll the task once (`Harness::poll`).
    /// The `Notified`'s reference is handed to the harness.
    pub(crate) fn run(self) {
        let raw = self.0.raw;
        std::mem::forget(self);
        raw.poll();
    }

    #[cfg(all(test, not(loom)))]
    pub(crate) fn raw_id(&self) -> u64 {
        self.0.id().0
    }

    /// Cancel a task that never started (a closed queue dropping it).
    pub(crate) fn shutdown(self) {
        let raw = self.into_raw();
        raw.shutdown();
    }

    pub(crate) fn into_raw(self) -> RawTask {
        let raw = self.0.raw;
        std::mem::forget(self);
        raw
    }

    /// # Safety
    /// `raw` must come from `into_raw` on a `Notified<S>` with the same `S`.
    pub(crate) unsafe fn from_raw(raw: RawTask) -> Notified<S> {
        Notified(Task::from_raw(raw))
    }
}

impl<S: 'static> Drop for Task<S> {
    fn drop(&mut self) {
        self.raw.drop_reference();
    }
}

/// Allocate a task. The caller puts `Task` in its owned list and `Notified`
/// in a run queue, and returns the `JoinHandle`.
pub(crate) fn new_task<T, S>(
    future: T,
    scheduler: S,
    id: Id,
) -> (Task<S>, Notified<S>, JoinHandle<T::Output>)
where
    T: Future + 'static,
    S: Schedule,
{
    let raw = RawTask::new::<T, S>(future, scheduler, id);
    let task = Task::from_raw(raw);
    let notified = Notified(Task::from_raw(raw));
    let join = JoinHandle::new(raw);
    (task, notified, join)
}

#[cfg(all(test, not(loom)))]
mod tests;

#[cfg(all(test, loom))]
mod loom_tests;
