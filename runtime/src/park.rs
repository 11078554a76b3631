//! Parking a thread until it is unparked (or a timeout passes).
//!
//! `ParkThread` is the bottom of the driver stack: when there is no I/O
//! driver, "wait for events" means "sleep on this condvar until someone calls
//! `unpark` or the next timer is due". An `unpark` that arrives before the
//! `park` is remembered (`NOTIFIED`), so wakeups are never lost.
//!
//! It also provides `block_on_thread`: drive one future on the calling
//! thread, parking it between polls (the multi-thread runtime's `block_on`).

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use crate::coop;

const EMPTY: usize = 0;
const PARKED: usize = 1;
const NOTIFIED: usize = 2;

#[derive(Clone)]
pub(crate) struct ParkThread {
    inner: Arc<Inner>,
}

/// The other half: wakes the parked thread. Cheap to clone.
#[derive(Clone)]
pub(crate) struct UnparkThread {
    inner: Arc<Inner>,
}

struct Inner {
    state: AtomicUsize,
    mutex: Mutex<()>,
    condvar: Condvar,
}

impl ParkThread {
    pub(crate) fn new() -> ParkThread {
        ParkThread {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                mutex: Mutex::new(()),
                condvar: Condvar::new(),
            }),
        }
    }

    pub(crate) fn unpark(&self) -> UnparkThread {
        UnparkThread {
            inner: self.inner.clone(),
        }
    }

    /// Block until unparked, or until `timeout` (if any) passes. Returns
    /// `true` if an unpark was consumed (as opposed to a timeout).
    pub(crate) fn park(&self, timeout: Option<Duration>) -> bool {
        self.inner.park(timeout)
    }
}

impl UnparkThread {
    pub(crate) fn unpark(&self) {
        self.inner.unpark();
    }
}

impl Inner {
    fn park(&self, timeout: Option<Duration>) -> bool {
        // Fast path: a pending notification is consumed without locking.
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return true;
        }
        if timeout == Some(Duration::ZERO) {
            return false;
        }
        let mut guard = self.mutex.lock().unwrap();
        match self.state.compare_exchange(EMPTY, PARKED, SeqCst, SeqCst) {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.state.store(EMPTY, SeqCst);
                return true;
            }
            Err(actual) => panic!("inconsistent park state: {actual}"),
        }
        match timeout {
            None => loop {
                guard = self.condvar.wait(guard).unwrap();
                if self
                    .state
                    .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                    .is_ok()
                {
                    return true; // real unpark, not a spurious wakeup
                }
            },
            Some(timeout) => {
                let (_guard, _) = self.condvar.wait_timeout(guard, timeout).unwrap();
                // Timed out or notified: either way we are awake now.
                self.state.swap(EMPTY, SeqCst) == NOTIFIED
            }
        }
    }

    fn unpark(&self) {
        match self.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED => {
                // Taking the lock orders us after the parker's check of the
                // state, so the notify cannot slip in before its `wait`.
                drop(self.mutex.lock().unwrap());
                self.condvar.notify_one();
            }
            actual => panic!("inconsistent park state: {actual}"),
        }
    }
}

impl Wake for Inner {
    fn wake(self: Arc<Self>) {
        self.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.unpark();
    }
}

impl UnparkThread {
    pub(crate) fn into_waker(self) -> Waker {
        Waker::from(self.inner)
    }
}

/// Poll `future` on this thread until it completes, parking in between.
pub(crate) fn block_on_thread<F: Future>(future: F) -> F::Output {
    let park = ParkThread::new();
    let waker = park.unpark().into_waker();
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(v) = coop::budget(|| future.as_mut().poll(&mut cx)) {
            return v;
        }
        park.park(None);
    }
}
