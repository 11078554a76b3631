//! `JoinHandle` and `AbortHandle`: the caller's two ways to hold on to a task.
//!
//! `JoinHandle<T>` is a future of `Result<T, JoinError>`. Polling it goes
//! through the vtable to `Harness::try_read_output`, which either moves the
//! output out or leaves the handle's waker in the task's trailer (the
//! `JOIN_WAKER` dance in `harness.rs`). Dropping it detaches the task.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::raw::RawTask;
use super::{Id, JoinError};
use crate::coop;

/// An owned permission to await a spawned task's output. Dropping it lets
/// the task run on, detached.
pub struct JoinHandle<T> {
    raw: RawTask,
    _p: PhantomData<T>,
}

// SAFETY: the handle only moves `T` out of the task, so it is as sendable as
// `T` is; all shared state goes through the atomic state word.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: `&JoinHandle` offers `abort`/`is_finished`, which are atomic.
unsafe impl<T: Send> Sync for JoinHandle<T> {}

impl<T> Unpin for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    pub(super) fn new(raw: RawTask) -> JoinHandle<T> {
        JoinHandle {
            raw,
            _p: PhantomData,
        }
    }

    /// Cancel the task: its future is dropped the next time a worker would
    /// run it (right away if idle), and the handle resolves to
    /// `Err(JoinError::Cancelled)` unless it already completed.
    pub fn abort(&self) {
        self.raw.remote_abort();
    }

    /// Has the task completed (with output, panic, or cancellation)?
    pub fn is_finished(&self) -> bool {
        self.raw.header().state.load().is_complete()
    }

    /// A handle that can abort the task but not read its output.
    pub fn abort_handle(&self) -> AbortHandle {
        self.raw.ref_inc();
        AbortHandle { raw: self.raw }
    }

    pub fn id(&self) -> Id {
        self.raw.header().id
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Awaiting a finished task in a loop must still let others run.
        let coop = ready!(coop::poll_proceed(cx));
        let mut ret = Poll::Pending;
        // SAFETY: `ret` has the `Poll<Result<T, JoinError>>` type the task's
        // vtable writes, since the handle was built for this task's output.
        unsafe {
            self.raw
                .try_read_output((&raw mut ret).cast::<()>(), cx.waker())
        };
        if ret.is_ready() {
            coop.made_progress();
        }
        ret
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        self.raw.drop_join_handle();
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .finish()
    }
}

/// Can abort a task, cannot await it. Cloneable.
pub struct AbortHandle {
    raw: RawTask,
}

// SAFETY: only atomic operations on the header are reachable.
unsafe impl Send for AbortHandle {}
// SAFETY: as above.
unsafe impl Sync for AbortHandle {}

impl AbortHandle {
    pub fn abort(&self) {
        self.raw.remote_abort();
    }

    pub fn is_finished(&self) -> bool {
        self.raw.header().state.load().is_complete()
    }

    pub fn id(&self) -> Id {
        self.raw.header().id
    }
}

impl Clone for AbortHandle {
    fn clone(&self) -> AbortHandle {
        self.raw.ref_inc();
        AbortHandle { raw: self.raw }
    }
}

impl Drop for AbortHandle {
    fn drop(&mut self) {
        self.raw.drop_reference();
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.id())
            .finish()
    }
}
