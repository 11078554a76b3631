//! `Notify`: wake one waiting task (or all of them) without sending data.
//!
//! * `notify_one()` wakes the oldest waiter; with nobody waiting it stores
//!   a single permit that the next `notified().await` consumes at once.
//! * `notify_waiters()` wakes every `Notified` created before the call
//!   (even those not polled yet) and stores no permit.
//!
//! State is a mutex-guarded FIFO of waiters plus a generation counter that
//! `notify_waiters` bumps; a `Notified` remembers the generation it was
//! created in.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::atomic::{AtomicU8, AtomicU64};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

pub struct Notify {
    state: Mutex<State>,
    generation: AtomicU64,
}

struct State {
    permit: bool,
    waiters: VecDeque<Arc<Waiter>>,
}

const WAITING: u8 = 0;
const NOTIFIED_ONE: u8 = 1;
const NOTIFIED_ALL: u8 = 2;

struct Waiter {
    notified: AtomicU8,
    waker: Mutex<Option<Waker>>,
}

/// The future returned by [`Notify::notified`].
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Notified<'a> {
    notify: &'a Notify,
    generation: u64,
    waiter: Option<Arc<Waiter>>,
    done: bool,
}

impl Notify {
    pub fn new() -> Notify {
        Notify {
            state: Mutex::new(State {
                permit: false,
                waiters: VecDeque::new(),
            }),
            generation: AtomicU64::new(0),
        }
    }

    pub fn notified(&self) -> Notified<'_> {
        Notified {
            notify: self,
            generation: self.generation.load(SeqCst),
            waiter: None,
            done: false,
        }
    }

    pub fn notify_one(&self) {
        let mut state = self.state.lock().unwrap();
        match state.waiters.pop_front() {
            Some(waiter) => {
                drop(state);
                waiter.notified.store(NOTIFIED_ONE, SeqCst);
                let waker = waiter.waker.lock().unwrap().take();
                if let Some(w) = waker {
                    w.wake();
                }
            }
            None => state.permit = true,
        }
    }

    pub fn notify_waiters(&self) {
        let waiters = {
            let mut state = self.state.lock().unwrap();
            self.generation.fetch_add(1, SeqCst);
            std::mem::take(&mut state.waiters)
        };
        for waiter in waiters {
            waiter.notified.store(NOTIFIED_ALL, SeqCst);
            let waker = waiter.waker.lock().unwrap().take();
            if let Some(w) = waker {
                w.wake();
            }
        }
    }
}

impl Default for Notify {
    fn default() -> Self {
        Notify::new()
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.done {
            return Poll::Ready(());
        }
        let ready = match &self.waiter {
            None => {
                let mut state = self.notify.state.lock().unwrap();
                if self.notify.generation.load(SeqCst) != self.generation {
                    true // notify_waiters ran after we were created
                } else if state.permit {
                    state.permit = false;
                    true
                } else {
                    let waiter = Arc::new(Waiter {
                        notified: AtomicU8::new(WAITING),
                        waker: Mutex::new(Some(cx.waker().clone())),
                    });
                    state.waiters.push_back(waiter.clone());
                    drop(state);
                    self.waiter = Some(waiter);
                    false
                }
            }
            Some(waiter) => {
                if waiter.notified.load(SeqCst) != WAITING {
                    true
                } else {
                    {
                        let mut slot = waiter.waker.lock().unwrap();
                        match &*slot {
                            Some(w) if w.will_wake(cx.waker()) => {}
                            _ => *slot = Some(cx.waker().clone()),
                        }
                    }
                    waiter.notified.load(SeqCst) != WAITING
                }
            }
        };
        if ready {
            self.done = true;
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        let Some(waiter) = self.waiter.take() else {
            return;
        };
        let mut state = self.notify.state.lock().unwrap();
        if let Some(i) = state.waiters.iter().position(|w| Arc::ptr_eq(w, &waiter)) {
            state.waiters.remove(i);
            return;
        }
        drop(state);
        // Picked by `notify_one` but cancelled before noticing: pass the
        // notification on so it is not lost.
        if !self.done && waiter.notified.load(SeqCst) == NOTIFIED_ONE {
            self.notify.notify_one();
        }
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notify").finish_non_exhaustive()
    }
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified").finish_non_exhaustive()
    }
}
