//! `oneshot`: send exactly one value from one task to another.
//!
//! One `Arc`, one atomic state word, no lock (tokio's design):
//!
//! ```text
//! RX_TASK_SET  the receiver's waker is stored (only the sender reads it then)
//! VALUE_SENT   the sender is done: a value is stored, or the sender dropped
//! CLOSED       the receiver is gone (or closed)
//! TX_TASK_SET  the sender's waker (for `closed()`) is stored
//! ```
//!
//! `send` writes the value, then sets `VALUE_SENT` and wakes the receiver if
//! `RX_TASK_SET` was set. The receiver swaps its waker in and out only while
//! `VALUE_SENT` is clear, retrying when a send slips in between.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering::{AcqRel, Acquire};
use std::task::{Context, Poll, Waker, ready};

use crate::coop;
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::AtomicUsize;

const RX_TASK_SET: usize = 0b0001;
const VALUE_SENT: usize = 0b0010;
const CLOSED: usize = 0b0100;
const TX_TASK_SET: usize = 0b1000;

pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: AtomicUsize::new(0),
        value: UnsafeCell::new(None),
        rx_task: UnsafeCell::new(None),
        tx_task: UnsafeCell::new(None),
    });
    (
        Sender {
            inner: Some(inner.clone()),
        },
        Receiver { inner: Some(inner) },
    )
}

pub struct Sender<T> {
    inner: Option<Arc<Inner<T>>>,
}

pub struct Receiver<T> {
    inner: Option<Arc<Inner<T>>>,
}

struct Inner<T> {
    state: AtomicUsize,
    /// Written by the sender before `VALUE_SENT`; read by the receiver after.
    value: UnsafeCell<Option<T>>,
    /// Written by the receiver while `RX_TASK_SET` is clear.
    rx_task: UnsafeCell<Option<Waker>>,
    /// Written by the sender while `TX_TASK_SET` is clear.
    tx_task: UnsafeCell<Option<Waker>>,
}

// SAFETY: the state word hands each `UnsafeCell` to one side at a time (see
// the field docs); `T` moves from sender to receiver, so it must be `Send`.
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Inner<T> {}

/// The sender was dropped without sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecvError(());

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TryRecvError {
    Empty,
    Closed,
}

impl<T> Sender<T> {
    /// Send the value; gives it back if the receiver is gone.
    pub fn send(mut self, value: T) -> Result<(), T> {
        let inner = self.inner.take().expect("sender used after send");
        // SAFETY: VALUE_SENT is clear and only the sender writes `value`.
        unsafe { inner.value.with_mut(|v| *v = Some(value)) };
        if !inner.complete() {
            // SAFETY: the receiver is closed and never reads `value` now.
            let value = unsafe { inner.value.with_mut(|v| (*v).take()) }.expect("value missing");
            return Err(value);
        }
        Ok(())
    }

    /// Has the receiver been dropped or closed?
    pub fn is_closed(&self) -> bool {
        let inner = self.inner.as_ref().expect("sender used after send");
        inner.state.load(Acquire) & CLOSED != 0
    }

    /// Wait until the receiver is dropped or closed.
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| self.poll_closed(cx)).await
    }

    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let inner = self.inner.as_ref().expect("sender used after send");
        let mut state = inner.state.load(Acquire);
        if state & CLOSED != 0 {
            return Poll::Ready(());
        }
        if state & TX_TASK_SET != 0 {
            // SAFETY: TX_TASK_SET: only shared reads of tx_task.
            let same = unsafe { will_wake(&inner.tx_task, cx.waker()) };
            if !same {
                state = inner.state.fetch_and(!TX_TASK_SET, AcqRel);
                if state & CLOSED != 0 {
                    inner.state.fetch_or(TX_TASK_SET, AcqRel);
                    return Poll::Ready(());
                }
                // SAFETY: TX_TASK_SET is clear: the sender owns the slot.
                unsafe { inner.tx_task.with_mut(|w| *w = None) };
            }
        }
        if state & TX_TASK_SET == 0 {
            // SAFETY: TX_TASK_SET is clear: the sender owns the slot.
            unsafe { inner.tx_task.with_mut(|w| *w = Some(cx.waker().clone())) };
            state = inner.state.fetch_or(TX_TASK_SET, AcqRel);
            if state & CLOSED != 0 {
                return Poll::Ready(());
            }
        }
        Poll::Pending
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            // Complete with no value: the receiver gets `RecvError`.
            inner.complete();
        }
    }
}

impl<T> Inner<T> {
    /// Set `VALUE_SENT` unless closed; wake the receiver. `false` if closed.
    fn complete(&self) -> bool {
        let mut state = self.state.load(Acquire);
        loop {
            if state & CLOSED != 0 {
                return false;
            }
            match self
                .state
                .compare_exchange_weak(state, state | VALUE_SENT, AcqRel, Acquire)
            {
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        if state & RX_TASK_SET != 0 {
            // SAFETY: RX_TASK_SET and now VALUE_SENT: the receiver no longer
            // writes rx_task.
            unsafe { wake_by_ref(&self.rx_task) };
        }
        true
    }

    /// # Safety
    /// `VALUE_SENT` is set and the caller is the receiver.
    unsafe fn take_value(&self) -> Option<T> {
        // SAFETY: the sender is done with `value`.
        unsafe { self.value.with_mut(|v| (*v).take()) }
    }
}

impl<T> Receiver<T> {
    /// Non-blocking receive.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let inner = self.inner.as_ref().ok_or(TryRecvError::Closed)?;
        let state = inner.state.load(Acquire);
        if state & VALUE_SENT != 0 {
            // SAFETY: VALUE_SENT observed with Acquire.
            let value = unsafe { inner.take_value() };
            self.inner = None;
            return value.ok_or(TryRecvError::Closed);
        }
        if state & CLOSED != 0 {
            return Err(TryRecvError::Closed);
        }
        Err(TryRecvError::Empty)
    }

    /// Refuse the value: a later `send` fails and returns it.
    pub fn close(&mut self) {
        if let Some(inner) = &self.inner {
            let prev = inner.state.fetch_or(CLOSED, AcqRel);
            if prev & TX_TASK_SET != 0 && prev & VALUE_SENT == 0 {
                // SAFETY: TX_TASK_SET: the sender does not write tx_task.
                unsafe { wake_by_ref(&inner.tx_task) };
            }
        }
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<T, RecvError>> {
        let coop = ready!(coop::poll_proceed(cx));
        let inner = self.inner.as_ref().expect("called after complete");
        let mut state = inner.state.load(Acquire);
        if state & VALUE_SENT != 0 {
            coop.made_progress();
            // SAFETY: VALUE_SENT observed with Acquire.
            return Poll::Ready(unsafe { inner.take_value() }.ok_or(RecvError(())));
        }
        if state & CLOSED != 0 {
            coop.made_progress();
            return Poll::Ready(Err(RecvError(())));
        }
        if state & RX_TASK_SET != 0 {
            // SAFETY: RX_TASK_SET: shared reads only.
            let same = unsafe { will_wake(&inner.rx_task, cx.waker()) };
            if !same {
                state = inner.state.fetch_and(!RX_TASK_SET, AcqRel);
                if state & VALUE_SENT != 0 {
                    // Sent meanwhile; keep the flag so the old waker is
                    // dropped with `Inner`.
                    inner.state.fetch_or(RX_TASK_SET, AcqRel);
                    coop.made_progress();
                    // SAFETY: VALUE_SENT observed.
                    return Poll::Ready(unsafe { inner.take_value() }.ok_or(RecvError(())));
                }
                // SAFETY: RX_TASK_SET clear, VALUE_SENT clear: ours.
                unsafe { inner.rx_task.with_mut(|w| *w = None) };
                state &= !RX_TASK_SET;
            }
        }
        if state & RX_TASK_SET == 0 {
            // SAFETY: RX_TASK_SET clear: only the receiver touches rx_task.
            unsafe { inner.rx_task.with_mut(|w| *w = Some(cx.waker().clone())) };
            state = inner.state.fetch_or(RX_TASK_SET, AcqRel);
            if state & VALUE_SENT != 0 {
                coop.made_progress();
                // SAFETY: VALUE_SENT observed.
                return Poll::Ready(unsafe { inner.take_value() }.ok_or(RecvError(())));
            }
        }
        Poll::Pending
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let res = ready!(self.poll_recv(cx));
        self.inner = None;
        Poll::Ready(res)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.close();
    }
}

/// # Safety
/// The slot's `*_TASK_SET` bit is set: only shared reads happen.
unsafe fn will_wake(slot: &UnsafeCell<Option<Waker>>, waker: &Waker) -> bool {
    // SAFETY: shared read, by the caller's contract.
    slot.with(|w| unsafe { (*w).as_ref() }.is_some_and(|w| w.will_wake(waker)))
}

/// # Safety
/// As for `will_wake`.
unsafe fn wake_by_ref(slot: &UnsafeCell<Option<Waker>>) {
    // SAFETY: shared read, by the caller's contract.
    slot.with(|w| {
        if let Some(w) = unsafe { (*w).as_ref() } {
            w.wake_by_ref();
        }
    });
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("oneshot::Sender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("oneshot::Receiver").finish_non_exhaustive()
    }
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        "channel closed".fmt(f)
    }
}

impl std::error::Error for RecvError {}
