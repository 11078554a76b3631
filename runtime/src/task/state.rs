//! The task's atomic state word: lifecycle bits and the reference count in
//! one `usize`, so every transition is a single compare-and-swap.
//!
//! ```text
//!  63 ............................ 6 | 5         4          3             2        1        0
//! [        reference count          | CANCELLED JOIN_WAKER JOIN_INTEREST NOTIFIED COMPLETE RUNNING]
//! ```
//!
//! * `RUNNING`: someone holds the right to touch the future (a worker in
//!   `Harness::poll`, or `shutdown`). Exactly one thread at a time.
//! * `COMPLETE`: the future is gone; the output (or the `JoinError`) is stored.
//! * `NOTIFIED`: a `Notified` for this task sits in some run queue, or the
//!   running thread must put one back there when the poll returns.
//! * `JOIN_INTEREST`: the `JoinHandle` is alive and wants the output.
//! * `JOIN_WAKER`: the `JoinHandle` stored a waker in the trailer; while set,
//!   only the task may read it and nobody may write it.
//! * `CANCELLED`: `abort()` or runtime shutdown asked the task to stop; the
//!   next thread to own it drops the future instead of polling it.
//!
//! Each transition below is named after what the caller is about to do, and
//! returns what the caller must do next (submit, dealloc, ...). They mirror
//! tokio's `runtime/task/state.rs`.

use std::fmt;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed};

use crate::loom::sync::atomic::AtomicUsize;

const RUNNING: usize = 0b00_0001;
const COMPLETE: usize = 0b00_0010;
const LIFECYCLE_MASK: usize = RUNNING | COMPLETE;
const NOTIFIED: usize = 0b00_0100;
const JOIN_INTEREST: usize = 0b00_1000;
const JOIN_WAKER: usize = 0b01_0000;
const CANCELLED: usize = 0b10_0000;
const REF_COUNT_SHIFT: usize = 6;
const REF_ONE: usize = 1 << REF_COUNT_SHIFT;

/// A new task is born with three references (the owned-tasks list, the
/// `Notified` pushed into a run queue by `spawn`, the `JoinHandle`), already
/// notified, with join interest.
const INITIAL_STATE: usize = (REF_ONE * 3) | JOIN_INTEREST | NOTIFIED;

pub(super) struct State {
    val: AtomicUsize,
}

/// A copy of the state word, with readable accessors.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(super) struct Snapshot(usize);

#[must_use]
pub(super) enum TransitionToRunning {
    Success,
    Cancelled,
    Failed,
    Dealloc,
}

#[must_use]
pub(super) enum TransitionToIdle {
    Ok,
    OkNotified,
    OkDealloc,
    Cancelled,
}

#[must_use]
pub(super) enum TransitionToNotifiedByVal {
    DoNothing,
    Submit,
    Dealloc,
}

#[must_use]
pub(super) enum TransitionToNotifiedByRef {
    DoNothing,
    Submit,
}

impl State {
    pub(super) fn new() -> State {
        State {
            val: AtomicUsize::new(INITIAL_STATE),
        }
    }

    pub(super) fn load(&self) -> Snapshot {
        Snapshot(self.val.load(Acquire))
    }

    /// A scheduler popped our `Notified` and calls `run()`. Take the
    /// `RUNNING` bit; if the task is already running or finished (shutdown
    /// got there first), the `Notified` reference is simply dropped.
    pub(super) fn transition_to_running(&self) -> TransitionToRunning {
        self.fetch_update_action(|mut next| {
            debug_assert!(next.is_notified());
            if !next.is_idle() {
                next.ref_dec();
                let action = if next.ref_count() == 0 {
                    TransitionToRunning::Dealloc
                } else {
                    TransitionToRunning::Failed
                };
                return (action, Some(next));
            }
            next.set_running();
            next.unset_notified();
            let action = if next.is_cancelled() {
                TransitionToRunning::Cancelled
            } else {
                TransitionToRunning::Success
            };
            (action, Some(next))
        })
    }

    /// The future returned `Pending`. Drop `RUNNING`. If a wake arrived while
    /// we were polling (`NOTIFIED` set), the reference that came with our
    /// `Notified` is reused for the new one the caller will push; otherwise it
    /// is released here.
    pub(super) fn transition_to_idle(&self) -> TransitionToIdle {
        self.fetch_update_action(|curr| {
            debug_assert!(curr.is_running());
            if curr.is_cancelled() {
                return (TransitionToIdle::Cancelled, None);
            }
            let mut next = curr;
            next.unset_running();
            let action = if next.is_notified() {
                TransitionToIdle::OkNotified
            } else {
                next.ref_dec();
                if next.ref_count() == 0 {
                    TransitionToIdle::OkDealloc
                } else {
                    TransitionToIdle::Ok
                }
            };
            (action, Some(next))
        })
    }

    /// The future finished (or was cancelled): `RUNNING` → `COMPLETE`.
    pub(super) fn transition_to_complete(&self) -> Snapshot {
        const DELTA: usize = RUNNING | COMPLETE;
        let prev = Snapshot(self.val.fetch_xor(DELTA, AcqRel));
        debug_assert!(prev.is_running());
        debug_assert!(!prev.is_complete());
        Snapshot(prev.0 ^ DELTA)
    }

    /// Drop `count` references after completion; `true` means the caller
    /// released the last one and must deallocate.
    pub(super) fn transition_to_terminal(&self, count: usize) -> bool {
        let prev = Snapshot(self.val.fetch_sub(count * REF_ONE, AcqRel));
        assert!(
            prev.ref_count() >= count,
            "task reference count underflow: {} < {count}",
            prev.ref_count()
        );
        prev.ref_count() == count
    }

    /// `Waker::wake` (by value: the waker's reference is ours to spend).
    pub(super) fn transition_to_notified_by_val(&self) -> TransitionToNotifiedByVal {
        self.fetch_update_action(|mut next| {
            let action = if next.is_running() {
                // The polling thread will see NOTIFIED in `transition_to_idle`
                // and reschedule; our reference is not needed.
                next.set_notified();
                next.ref_dec();
                debug_assert!(next.ref_count() > 0);
                TransitionToNotifiedByVal::DoNothing
            } else if next.is_complete() || next.is_notified() {
                next.ref_dec();
                if next.ref_count() == 0 {
                    TransitionToNotifiedByVal::Dealloc
                } else {
                    TransitionToNotifiedByVal::DoNothing
                }
            } else {
                // Idle: the waker's reference becomes the `Notified`'s.
                next.set_notified();
                TransitionToNotifiedByVal::Submit
            };
            (action, Some(next))
        })
    }

    /// `Waker::wake_by_ref`: like by-value, but a submit needs a new reference.
    pub(super) fn transition_to_notified_by_ref(&self) -> TransitionToNotifiedByRef {
        self.fetch_update_action(|mut next| {
            if next.is_complete() || next.is_notified() {
                (TransitionToNotifiedByRef::DoNothing, None)
            } else if next.is_running() {
                next.set_notified();
                (TransitionToNotifiedByRef::DoNothing, Some(next))
            } else {
                next.set_notified();
                next.ref_inc();
                (TransitionToNotifiedByRef::Submit, Some(next))
            }
        })
    }

    /// `abort()`: set `CANCELLED`. Returns `true` if the task was idle, in
    /// which case a new `Notified` (with a fresh reference) must be submitted
    /// so that some worker runs it and drops the future.
    pub(super) fn transition_to_notified_and_cancel(&self) -> bool {
        self.fetch_update_action(|mut next| {
            if next.is_cancelled() || next.is_complete() {
                (false, None)
            } else if next.is_running() || next.is_notified() {
                // Whoever runs it next sees the bit.
                next.set_cancelled();
                (false, Some(next))
            } else {
                next.set_cancelled();
                next.set_notified();
                next.ref_inc();
                (true, Some(next))
            }
        })
    }

    /// Runtime shutdown: set `CANCELLED`, and take `RUNNING` if the task is
    /// idle. Returns `true` if the caller now owns the future and must cancel.
    pub(super) fn transition_to_shutdown(&self) -> bool {
        let mut prev = Snapshot(0);
        let _ = self.fetch_update(|mut snapshot| {
            prev = snapshot;
            if snapshot.is_idle() {
                snapshot.set_running();
            }
            snapshot.set_cancelled();
            Some(snapshot)
        });
        prev.is_idle()
    }

    /// `JoinHandle` dropped. Returns the previous snapshot: if it was
    /// complete, the handle must drop the output; if not and it had a join
    /// waker, the handle now owns that waker again and must drop it.
    pub(super) fn unset_join_interested(&self) -> Snapshot {
        let mut prev = Snapshot(0);
        let _ = self.fetch_update(|mut next| {
            prev = next;
            debug_assert!(next.is_join_interested());
            next.unset_join_interested();
            if !next.is_complete() {
                next.unset_join_waker();
            }
            Some(next)
        });
        prev
    }

    /// The `JoinHandle` wrote its waker into the trailer; publish it.
    /// Fails (returns the snapshot) if the task completed meanwhile.
    pub(super) fn set_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update(|mut next| {
            debug_assert!(next.is_join_interested());
            debug_assert!(!next.is_join_waker_set());
            if next.is_complete() {
                return None;
            }
            next.set_join_waker();
            Some(next)
        })
    }

    /// Take the join waker back so it can be replaced. Fails if complete.
    pub(super) fn unset_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update(|mut next| {
            debug_assert!(next.is_join_interested());
            debug_assert!(next.is_join_waker_set());
            if next.is_complete() {
                return None;
            }
            next.unset_join_waker();
            Some(next)
        })
    }

    pub(super) fn ref_inc(&self) {
        let prev = self.val.fetch_add(REF_ONE, Relaxed);
        // Like `Arc`: an absurd count means leaked clones; abort rather than wrap.
        if prev > isize::MAX as usize {
            std::process::abort();
        }
    }

    /// Returns `true` if this was the last reference.
    pub(super) fn ref_dec(&self) -> bool {
        let prev = Snapshot(self.val.fetch_sub(REF_ONE, AcqRel));
        debug_assert!(prev.ref_count() >= 1);
        prev.ref_count() == 1
    }

    fn fetch_update_action<F, T>(&self, mut f: F) -> T
    where
        F: FnMut(Snapshot) -> (T, Option<Snapshot>),
    {
        let mut curr = self.load();
        loop {
            let (output, next) = f(curr);
            let Some(next) = next else { return output };
            match self
                .val
                .compare_exchange_weak(curr.0, next.0, AcqRel, Acquire)
            {
                Ok(_) => return output,
                Err(actual) => curr = Snapshot(actual),
            }
        }
    }

    fn fetch_update<F>(&self, mut f: F) -> Result<Snapshot, Snapshot>
    where
        F: FnMut(Snapshot) -> Option<Snapshot>,
    {
        let mut curr = self.load();
        loop {
            let Some(next) = f(curr) else {
                return Err(curr);
            };
            match self
                .val
                .compare_exchange_weak(curr.0, next.0, AcqRel, Acquire)
            {
                Ok(_) => return Ok(next),
                Err(actual) => curr = Snapshot(actual),
            }
        }
    }
}

impl Snapshot {
    pub(super) fn is_idle(self) -> bool {
        self.0 & LIFECYCLE_MASK == 0
    }
    pub(super) fn is_running(self) -> bool {
        self.0 & RUNNING == RUNNING
    }
    pub(super) fn is_complete(self) -> bool {
        self.0 & COMPLETE == COMPLETE
    }
    pub(super) fn is_notified(self) -> bool {
        self.0 & NOTIFIED == NOTIFIED
    }
    pub(super) fn is_cancelled(self) -> bool {
        self.0 & CANCELLED == CANCELLED
    }
    pub(super) fn is_join_interested(self) -> bool {
        self.0 & JOIN_INTEREST == JOIN_INTEREST
    }
    pub(super) fn is_join_waker_set(self) -> bool {
        self.0 & JOIN_WAKER == JOIN_WAKER
    }
    pub(super) fn ref_count(self) -> usize {
        self.0 >> REF_COUNT_SHIFT
    }
    fn set_running(&mut self) {
        self.0 |= RUNNING;
    }
    fn unset_running(&mut self) {
        self.0 &= !RUNNING;
    }
    fn set_notified(&mut self) {
        self.0 |= NOTIFIED;
    }
    fn unset_notified(&mut self) {
        self.0 &= !NOTIFIED;
    }
    fn set_cancelled(&mut self) {
        self.0 |= CANCELLED;
    }
    fn unset_join_interested(&mut self) {
        self.0 &= !JOIN_INTEREST;
    }
    fn set_join_waker(&mut self) {
        self.0 |= JOIN_WAKER;
    }
    fn unset_join_waker(&mut self) {
        self.0 &= !JOIN_WAKER;
    }
    fn ref_inc(&mut self) {
        self.0 += REF_ONE;
    }
    fn ref_dec(&mut self) {
        debug_assert!(self.ref_count() > 0);
        self.0 -= REF_ONE;
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("running", &self.is_running())
            .field("complete", &self.is_complete())
            .field("notified", &self.is_notified())
            .field("cancelled", &self.is_cancelled())
            .field("join_interested", &self.is_join_interested())
            .field("join_waker", &self.is_join_waker_set())
            .field("ref_count", &self.ref_count())
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn initial_state() {
        let s = State::new().load();
        assert_eq!(s.ref_count(), 3);
        assert!(s.is_notified() && s.is_join_interested() && s.is_idle());
        assert!(!s.is_cancelled() && !s.is_join_waker_set());
    }

    #[test]
    fn run_then_idle_releases_the_notified_reference() {
        let state = State::new();
        assert!(matches!(
            state.transition_to_running(),
            TransitionToRunning::Success
        ));
        assert!(state.load().is_running() && !state.load().is_notified());
        assert!(matches!(state.transition_to_idle(), TransitionToIdle::Ok));
        assert_eq!(state.load().ref_count(), 2);
        assert!(state.load().is_idle());
    }

    #[test]
    fn wake_while_running_reschedules_on_idle() {
        let state = State::new();
        let _ = state.transition_to_running();
        assert!(matches!(
            state.transition_to_notified_by_ref(),
            TransitionToNotifiedByRef::DoNothing
        ));
        assert!(matches!(
            state.transition_to_idle(),
            TransitionToIdle::OkNotified
        ));
        // The running reference was kept for the new Notified.
        assert_eq!(state.load().ref_count(), 3);
    }

    #[test]
    fn wake_by_val_on_idle_reuses_the_waker_reference() {
        let state = State::new();
        let _ = state.transition_to_running();
        let _ = state.transition_to_idle();
        state.ref_inc(); // a cloned waker
        assert!(matches!(
            state.transition_to_notified_by_val(),
            TransitionToNotifiedByVal::Submit
        ));
        assert_eq!(state.load().ref_count(), 3);
        // A second wake while notified just drops its reference.
        state.ref_inc();
        assert!(matches!(
            state.transition_to_notified_by_val(),
            TransitionToNotifiedByVal::DoNothing
        ));
        assert_eq!(state.load().ref_count(), 3);
    }

    #[test]
    fn cancel_idle_task_requests_a_run() {
        let state = State::new();
        let _ = state.transition_to_running();
        let _ = state.transition_to_idle();
        assert!(state.transition_to_notified_and_cancel());
        assert!(!state.transition_to_notified_and_cancel());
        assert!(matches!(
            state.transition_to_running(),
            TransitionToRunning::Cancelled
        ));
    }

    #[test]
    fn join_waker_cannot_be_set_after_complete() {
        let state = State::new();
        let _ = state.transition_to_running();
        let snapshot = state.transition_to_complete();
        assert!(snapshot.is_complete() && !snapshot.is_running());
        assert!(state.set_join_waker().is_err());
        let prev = state.unset_join_interested();
        assert!(prev.is_complete());
        assert!(!state.transition_to_terminal(1));
        assert!(!state.transition_to_terminal(1));
        assert!(state.transition_to_terminal(1));
    }

    #[test]
    fn shutdown_claims_only_idle_tasks() {
        let state = State::new();
        assert!(state.transition_to_shutdown());
        assert!(state.load().is_running() && state.load().is_cancelled());
        let state = State::new();
        let _ = state.transition_to_running();
        assert!(!state.transition_to_shutdown());
        assert!(matches!(
            state.transition_to_idle(),
            TransitionToIdle::Cancelled
        ));
    }
}
