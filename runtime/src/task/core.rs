//! The task's single heap allocation, and `Core::poll`, the step where the
//! future is finally pinned and polled with the `Context` the harness built.
//!
//! ```text
//! Cell<T, S> (repr(C), one Box per spawned task)
//! ├── Header   state word, vtable, id, slot in the owned-tasks list
//! ├── Core     scheduler handle S, Stage: Running(future) | Finished(output) | Consumed
//! └── Trailer  the JoinHandle's waker
//! ```
//!
//! The header comes first so that a `NonNull<Header>` (what `RawTask`, the
//! waker's data pointer and the run queues carry) is also a pointer to the
//! whole cell; the header's vtable knows the concrete `T` and `S` to get the
//! rest back.

use std::cell::UnsafeCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::AtomicUsize;
use std::task::{Context, Poll, Waker};

use super::raw::Vtable;
use super::state::State;
use super::{Id, JoinError};

#[repr(C)]
pub(super) struct Cell<T: Future, S> {
    pub(super) header: Header,
    pub(super) core: Core<T, S>,
    pub(super) trailer: Trailer,
}

/// The type-erased part every queue and waker sees.
pub(crate) struct Header {
    pub(super) state: State,
    pub(super) vtable: &'static Vtable,
    pub(super) id: Id,
    /// Index in the owned-tasks list, `usize::MAX` when not in it. Only read
    /// or written with that list's lock held.
    pub(crate) owned_index: AtomicUsize,
}

pub(super) struct Core<T: Future, S> {
    pub(super) scheduler: S,
    /// Accessed only by the thread holding `RUNNING`, or by the `JoinHandle`
    /// once `COMPLETE` is set and it still has `JOIN_INTEREST`.
    stage: UnsafeCell<Stage<T>>,
}

pub(super) enum Stage<T: Future> {
    Running(T),
    Finished(Result<T::Output, JoinError>),
    Consumed,
}

pub(super) struct Trailer {
    /// Written by the `JoinHandle` only while `JOIN_WAKER` is unset; read by
    /// the task only after `COMPLETE` with `JOIN_WAKER` set.
    waker: UnsafeCell<Option<Waker>>,
}

impl<T: Future, S> Cell<T, S> {
    pub(super) fn new(future: T, scheduler: S, id: Id, vtable: &'static Vtable) -> Box<Self> {
        Box::new(Cell {
            header: Header {
                state: State::new(),
                vtable,
                id,
                owned_index: AtomicUsize::new(usize::MAX),
            },
            core: Core {
                scheduler,
                stage: UnsafeCell::new(Stage::Running(future)),
            },
            trailer: Trailer {
                waker: UnsafeCell::new(None),
            },
        })
    }
}

impl<T: Future, S> Core<T, S> {
    /// Poll the future. On `Ready` the future is dropped right away (its
    /// resources go now, not when the output is read).
    ///
    /// # Safety
    /// The caller holds `RUNNING`, so nobody else touches the stage.
    pub(super) unsafe fn poll(&self, mut cx: Context<'_>) -> Poll<T::Output> {
        // SAFETY: exclusive access by the caller's contract.
        let stage = unsafe { &mut *self.stage.get() };
        let Stage::Running(future) = stage else {
            unreachable!("polled a task that is not running");
        };
        // SAFETY: the future lives inside the task's heap cell, which is
        // never moved and is only freed after the future has been dropped.
        let future = unsafe { Pin::new_unchecked(future) };
        let res = future.poll(&mut cx);
        if res.is_ready() {
            // SAFETY: as above.
            unsafe { self.drop_future_or_output() };
        }
        res
    }

    /// # Safety
    /// Same exclusivity contract as `poll`.
    pub(super) unsafe fn drop_future_or_output(&self) {
        // SAFETY: caller guarantees exclusive access.
        unsafe { self.set_stage(Stage::Consumed) };
    }

    /// # Safety
    /// Same exclusivity contract as `poll`.
    pub(super) unsafe fn store_output(&self, output: Result<T::Output, JoinError>) {
        // SAFETY: caller guarantees exclusive access.
        unsafe { self.set_stage(Stage::Finished(output)) };
    }

    /// # Safety
    /// Called by the `JoinHandle` after it saw `COMPLETE` with join interest.
    pub(super) unsafe fn take_output(&self) -> Result<T::Output, JoinError> {
        // SAFETY: caller guarantees exclusive access.
        let stage = unsafe { &mut *self.stage.get() };
        match std::mem::replace(stage, Stage::Consumed) {
            Stage::Finished(output) => output,
            _ => panic!("JoinHandle polled after completion"),
        }
    }

    unsafe fn set_stage(&self, stage: Stage<T>) {
        // SAFETY: caller guarantees exclusive access. The old stage (the
        // future or an unread output) is dropped here and may panic; callers
        // that care wrap this in `catch_unwind`.
        unsafe { *self.stage.get() = stage };
    }
}

impl Trailer {
    /// # Safety
    /// `JOIN_WAKER` is unset and the caller is the `JoinHandle`.
    pub(super) unsafe fn set_waker(&self, waker: Option<Waker>) {
        // SAFETY: nobody else reads or writes while JOIN_WAKER is unset.
        unsafe { *self.waker.get() = waker };
    }

    /// # Safety
    /// `JOIN_WAKER` is set: only shared reads happen.
    pub(super) unsafe fn will_wake(&self, waker: &Waker) -> bool {
        // SAFETY: see above.
        unsafe { (*self.waker.get()).as_ref() }.is_some_and(|w| w.will_wake(waker))
    }

    /// # Safety
    /// `COMPLETE` and `JOIN_WAKER` are both set.
    pub(super) unsafe fn wake_join(&self) {
        // SAFETY: see above.
        match unsafe { &*self.waker.get() } {
            Some(waker) => waker.wake_by_ref(),
            None => panic!("join waker missing"),
        }
    }
}
