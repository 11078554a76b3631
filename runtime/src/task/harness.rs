//! `Harness`: everything that happens to a task, as methods on a typed
//! pointer to its cell. This is the heart of the seed's chain:
//!
//! ```text
//! scheduler pops a Notified ── task.run()
//!   └─ Harness::poll
//!        └─ poll_inner
//!             ├─ state.transition_to_running()         (take RUNNING)
//!             ├─ waker_ref(header)                     (borrow a Waker, no ref-count traffic)
//!             ├─ Context::from_waker(&waker)
//!             └─ poll_future → Core::poll → Future::poll(cx)
//!                                           └─ the future keeps cx.waker().clone()
//!  ... later, from a timer, a channel, another thread:
//!  waker.wake() → RawTask::wake_by_val → transition_to_notified_by_val
//!                                      → Harness::schedule → S::schedule(Notified)
//! ```
//!
//! After the poll: `Pending` → `transition_to_idle` (and reschedule if a wake
//! arrived meanwhile); `Ready` or a panic → store the output, `complete`
//! (wake the `JoinHandle`, leave the owned-tasks list, drop references).

use std::future::Future;
use std::mem::{self, ManuallyDrop};
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

use super::core::{Cell, Core, Header, Trailer};
use super::raw::RawTask;
use super::state::{
    Snapshot, State, TransitionToIdle, TransitionToNotifiedByRef, TransitionToNotifiedByVal,
    TransitionToRunning,
};
use super::waker::waker_ref;
use super::{JoinError, Notified, Schedule, Task};

pub(super) struct Harness<T: Future, S: 'static> {
    cell: NonNull<Cell<T, S>>,
}

/// What `poll` does after `poll_inner` returns.
enum PollFuture {
    Complete,
    Notified,
    Done,
    Dealloc,
}

impl<T: Future, S: 'static> Harness<T, S> {
    /// # Safety
    /// `ptr` must be the header of a live `Cell<T, S>`.
    pub(super) unsafe fn from_raw(ptr: NonNull<Header>) -> Harness<T, S> {
        Harness { cell: ptr.cast() }
    }

    fn header_ptr(&self) -> NonNull<Header> {
        self.cell.cast()
    }

    fn header(&self) -> &Header {
        // SAFETY: the caller of `from_raw` holds a reference: the cell is alive.
        unsafe { &self.cell.as_ref().header }
    }

    fn state(&self) -> &State {
        &self.header().state
    }

    fn core(&self) -> &Core<T, S> {
        // SAFETY: as in `header`.
        unsafe { &self.cell.as_ref().core }
    }

    fn trailer(&self) -> &Trailer {
        // SAFETY: as in `header`.
        unsafe { &self.cell.as_ref().trailer }
    }

    /// A `Task`/`Notified` for this cell *without* taking a new reference:
    /// the caller transfers one it already owns.
    fn get_new_task(&self) -> Task<S> {
        // SAFETY: the cell is alive; reference accounting is the caller's.
        Task::from_raw(unsafe { RawTask::from_raw(self.header_ptr()) })
    }
}

impl<T: Future, S: Schedule> Harness<T, S> {
    /// `task.run()` lands here, holding the `Notified`'s reference.
    pub(super) fn poll(self) {
        match self.poll_inner() {
            PollFuture::Notified => {
                // Woken during the poll: the running reference becomes the
                // new `Notified`. `yield_now` sends it to the back of the
                // queue so that a self-waking task cannot hog the worker.
                self.core()
                    .scheduler
                    .yield_now(Notified(self.get_new_task()));
            }
            PollFuture::Complete => self.complete(),
            PollFuture::Dealloc => self.dealloc(),
            PollFuture::Done => {}
        }
    }

    fn poll_inner(&self) -> PollFuture {
        match self.state().transition_to_running() {
            TransitionToRunning::Success => {
                // The waker handed to the future is borrowed from the task
                // itself: building it costs no atomic operation. A future
                // that wants to keep it calls `clone()`, which does.
                let header_ptr = self.header_ptr();
                let waker_ref = waker_ref(&header_ptr);
                let cx = Context::from_waker(&waker_ref);
                if poll_future(self.core(), self.header().id, cx).is_ready() {
                    return PollFuture::Complete;
                }
                match self.state().transition_to_idle() {
                    TransitionToIdle::Ok => PollFuture::Done,
                    TransitionToIdle::OkNotified => PollFuture::Notified,
                    TransitionToIdle::OkDealloc => PollFuture::Dealloc,
                    TransitionToIdle::Cancelled => {
                        // `abort()` arrived while we were polling.
                        cancel_task(self.core(), self.header().id);
                        PollFuture::Complete
                    }
                }
            }
            TransitionToRunning::Cancelled => {
                cancel_task(self.core(), self.header().id);
                PollFuture::Complete
            }
            TransitionToRunning::Failed => PollFuture::Done,
            TransitionToRunning::Dealloc => PollFuture::Dealloc,
        }
    }

    /// Runtime shutdown, with the caller's reference (the owned-list one).
    pub(super) fn shutdown(self) {
        if !self.state().transition_to_shutdown() {
            // Running elsewhere: that thread sees CANCELLED when its poll
            // returns and cancels the task itself.
            self.drop_reference();
            return;
        }
        cancel_task(self.core(), self.header().id);
        self.complete();
    }

    /// The future is gone and the output stored. Tell the `JoinHandle`, leave
    /// the owned list and release references.
    fn complete(self) {
        let snapshot = self.state().transition_to_complete();
        // Dropping an unread output or waking the join waker runs user code.
        let _ = panic::catch_unwind(AssertUnwindSafe(|| {
            if !snapshot.is_join_interested() {
                // Nobody will read it: drop the output now.
                // SAFETY: COMPLETE without join interest: the task owns the stage.
                unsafe { self.core().drop_future_or_output() };
            } else if snapshot.is_join_waker_set() {
                // SAFETY: COMPLETE and JOIN_WAKER: the handle no longer writes it.
                unsafe { self.trailer().wake_join() };
            }
        }));
        // One reference for the running `Notified` (or the shutdown caller),
        // plus the owned-list one if we were still in the list.
        let me = ManuallyDrop::new(self.get_new_task());
        let num_release = match self.core().scheduler.release(&me) {
            Some(task) => {
                mem::forget(task);
                2
            }
            None => 1,
        };
        if self.state().transition_to_terminal(num_release) {
            self.dealloc();
        }
    }

    /// Called through the vtable by `RawTask::wake_by_val`/`wake_by_ref` once
    /// the state says "submit": the caller's reference goes to the scheduler.
    pub(super) fn schedule(self) {
        self.core()
            .scheduler
            .schedule(Notified(self.get_new_task()));
    }

    pub(super) fn dealloc(self) {
        // SAFETY: the last reference is gone; the cell came from a `Box`
        // in `RawTask::new`. Dropping it drops the scheduler handle, any
        // remaining stage and the join waker.
        drop(unsafe { Box::from_raw(self.cell.as_ptr()) });
    }

    fn drop_reference(self) {
        if self.state().ref_dec() {
            self.dealloc();
        }
    }

    /// `JoinHandle::poll`: if complete, move the output out; otherwise make
    /// sure the task will wake `waker` when it completes.
    pub(super) fn try_read_output(
        self,
        dst: *mut Poll<Result<T::Output, JoinError>>,
        waker: &Waker,
    ) {
        if can_read_output(self.state(), self.trailer(), waker) {
            // SAFETY: COMPLETE with join interest: the handle owns the stage.
            let output = unsafe { self.core().take_output() };
            // SAFETY: `dst` points to a valid `Poll<..>` owned by the handle.
            unsafe { *dst = Poll::Ready(output) };
        }
    }

    /// `JoinHandle::drop`.
    pub(super) fn drop_join_handle(self) {
        let prev = self.state().unset_join_interested();
        if prev.is_complete() {
            // The task kept the output for us; we drop it. Its destructor is
            // user code: a panic there must not escape `JoinHandle::drop`.
            let _ = panic::catch_unwind(AssertUnwindSafe(|| {
                // SAFETY: COMPLETE and we had join interest: we own the stage.
                unsafe { self.core().drop_future_or_output() };
            }));
        } else if prev.is_join_waker_set() {
            // We cleared JOIN_WAKER before completion: the waker is ours again.
            // SAFETY: JOIN_WAKER is now unset and we are the handle.
            unsafe { self.trailer().set_waker(None) };
        }
        self.drop_reference();
    }
}

fn can_read_output(state: &State, trailer: &Trailer, waker: &Waker) -> bool {
    let snapshot = state.load();
    debug_assert!(snapshot.is_join_interested());
    if snapshot.is_complete() {
        return true;
    }
    let res = if snapshot.is_join_waker_set() {
        // SAFETY: JOIN_WAKER set: shared reads only.
        if unsafe { trailer.will_wake(waker) } {
            return false;
        }
        // Different waker: take the slot back, then store the new one.
        state
            .unset_join_waker()
            .and_then(|_| set_join_waker(state, trailer, waker.clone()))
    } else {
        set_join_waker(state, trailer, waker.clone())
    };
    match res {
        Ok(_) => false,
        Err(snapshot) => {
            assert!(snapshot.is_complete());
            true
        }
    }
}

fn set_join_waker(state: &State, trailer: &Trailer, waker: Waker) -> Result<Snapshot, Snapshot> {
    // SAFETY: JOIN_WAKER is unset and only the handle writes the slot.
    unsafe { trailer.set_waker(Some(waker)) };
    let res = state.set_join_waker();
    if res.is_err() {
        // Completed in between: the task will not read it; drop it now.
        // SAFETY: still unset, still ours.
        unsafe { trailer.set_waker(None) };
    }
    res
}

/// Drop the future (catching a panicking destructor) and store `Cancelled`.
fn cancel_task<T: Future, S>(core: &Core<T, S>, id: super::Id) {
    // SAFETY (both blocks): the caller holds RUNNING.
    let res = panic::catch_unwind(AssertUnwindSafe(|| unsafe { core.drop_future_or_output() }));
    let err = match res {
        Ok(()) => JoinError::cancelled(id),
        Err(panic) => JoinError::panic(id, panic),
    };
    let _ = panic::catch_unwind(AssertUnwindSafe(|| unsafe { core.store_output(Err(err)) }));
}

/// Poll the future with `catch_unwind`: a panic becomes `JoinError::Panic`
/// instead of tearing down the worker thread.
fn poll_future<T: Future, S>(core: &Core<T, S>, id: super::Id, cx: Context<'_>) -> Poll<()> {
    /// Drops the future if `poll` unwinds, while we still hold RUNNING.
    struct Guard<'a, T: Future, S> {
        core: &'a Core<T, S>,
    }
    impl<T: Future, S> Drop for Guard<'_, T, S> {
        fn drop(&mut self) {
            // SAFETY: only alive during the poll, while RUNNING is held.
            unsafe { self.core.drop_future_or_output() };
        }
    }

    let output = panic::catch_unwind(AssertUnwindSafe(|| {
        let guard = Guard { core };
        // SAFETY: the caller holds RUNNING.
        let res = unsafe { guard.core.poll(cx) };
        mem::forget(guard);
        res
    }));
    let output = match output {
        Ok(Poll::Pending) => return Poll::Pending,
        Ok(Poll::Ready(output)) => Ok(output),
        Err(panic) => Err(JoinError::panic(id, panic)),
    };
    // SAFETY: RUNNING is still held.
    let _ = panic::catch_unwind(AssertUnwindSafe(|| unsafe { core.store_output(output) }));
    Poll::Ready(())
}

/// The non-generic half of waking: state transition first, and only if it
/// says so, the typed `schedule` through the vtable.
impl RawTask {
    /// `Waker::wake`: consumes the waker's reference.
    pub(super) fn wake_by_val(self) {
        match self.header().state.transition_to_notified_by_val() {
            TransitionToNotifiedByVal::Submit => self.schedule(),
            TransitionToNotifiedByVal::Dealloc => self.dealloc(),
            TransitionToNotifiedByVal::DoNothing => {}
        }
    }

    /// `Waker::wake_by_ref`: a submit takes a fresh reference.
    pub(super) fn wake_by_ref(self) {
        match self.header().state.transition_to_notified_by_ref() {
            TransitionToNotifiedByRef::Submit => self.schedule(),
            TransitionToNotifiedByRef::DoNothing => {}
        }
    }

    /// `JoinHandle::abort` / `AbortHandle::abort`.
    pub(super) fn remote_abort(self) {
        if self.header().state.transition_to_notified_and_cancel() {
            // Idle task: a worker must run it so the future is dropped on a
            // thread of the runtime. The transition took the reference.
            self.schedule();
        }
    }
}
