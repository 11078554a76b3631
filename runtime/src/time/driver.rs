//! The time driver: the shared `TimerWheel`, and the two places it meets
//! the rest of the runtime.
//!
//! ```text
//! Sleep::poll (first time) ─► Handle::register ─► wheel.insert(deadline, waker)
//!                              earlier than what the driver sleeps toward? ─► unpark it
//!
//! scheduler idle ─► Driver::park ─► Handle::park_internal
//!     sleep until the wheel's next expiration (or auto-advance a paused clock)
//!     process_at_time(now):
//!         lock; wheel.poll_expired(now): entry.fire() → waker into the wake list; unlock
//!         wake every waker in the list  (outside the lock: a wake may run
//!                                        scheduler code that registers timers)
//! ```
//!
//! Time in the wheel is whole milliseconds since the driver started;
//! deadlines round up, "now" rounds down, so a timer never fires early.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Waker;
use std::time::Duration;

use super::clock::{Clock, Instant};
use super::wheel::{TimerKey, TimerWheel};
use crate::driver::{IoStack, Unpark};

#[derive(Clone)]
pub(crate) struct Handle {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    clock: Clock,
    /// Tick 0.
    start: Instant,
    unpark: Unpark,
    is_shutdown: AtomicBool,
}

struct State {
    wheel: TimerWheel,
    /// The tick the parked driver will wake at (`None`: not waiting on a
    /// timer). A new timer due earlier must unpark it.
    next_wake: Option<u64>,
}

impl Handle {
    pub(crate) fn new(unpark: Unpark, start_paused: bool) -> Handle {
        let clock = Clock::new(start_paused);
        let start = clock.now();
        Handle {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    wheel: TimerWheel::new(),
                    next_wake: None,
                }),
                clock,
                start,
                unpark,
                is_shutdown: AtomicBool::new(false),
            }),
        }
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Register a timer. `None` means it is already due (nothing stored).
    pub(crate) fn register(&self, deadline: Instant, waker: &Waker) -> Option<TimerKey> {
        let tick = self.deadline_to_tick(deadline);
        if tick <= self.now_tick() || self.inner.is_shutdown.load(Ordering::Acquire) {
            return None;
        }
        let mut state = self.inner.state.lock().unwrap();
        let key = state.wheel.insert(tick, Some(waker.clone())).ok()?;
        if state.next_wake.is_none_or(|next| tick < next) {
            state.next_wake = Some(tick);
            drop(state);
            self.inner.unpark.unpark();
        }
        Some(key)
    }

    /// Has the timer fired? If not, make sure it will wake `waker`.
    pub(crate) fn poll_fired(&self, key: TimerKey, waker: &Waker) -> bool {
        let mut state = self.inner.state.lock().unwrap();
        if state.wheel.is_fired(key) {
            return true;
        }
        state.wheel.set_waker(key, waker);
        false
    }

    pub(crate) fn deregister(&self, key: TimerKey) {
        // Take the waker out under the lock, drop it after.
        let mut state = self.inner.state.lock().unwrap();
        state.wheel.remove(key);
    }

    /// The driver's turn: wait (on `park`: epoll, or a condvar) until the next
    /// timer or until woken, then fire what is due.
    pub(crate) fn park_internal(&self, park: &mut IoStack, limit: Option<Duration>) {
        let next = {
            let mut state = self.inner.state.lock().unwrap();
            let next = state.wheel.next_expiration_time();
            state.next_wake = next;
            next
        };
        match next {
            Some(tick) => {
                let deadline = self.tick_to_instant(tick);
                let mut duration = deadline.saturating_duration_since(self.inner.clock.now());
                if let Some(limit) = limit {
                    duration = duration.min(limit);
                }
                if duration.is_zero() {
                    park.park(Some(Duration::ZERO));
                } else if limit.is_none() && self.inner.clock.is_paused() {
                    // Idle with a paused clock: nothing can happen until the
                    // timer, so jump there, unless something woke us.
                    if !park.park(Some(Duration::ZERO)) {
                        self.inner.clock.advance(duration);
                    }
                } else {
                    park.park(Some(duration));
                }
            }
            None => {
                park.park(limit);
            }
        }
        self.process();
    }

    /// Fire every timer due by the clock's now.
    pub(crate) fn process(&self) {
        self.process_at_time(self.now_tick());
    }

    /// After `time::advance`: fire timers due by now, counting the current
    /// millisecond as elapsed. Deadlines are rounded up to whole ms, so a
    /// `sleep(100ms)` created a fraction of a ms after tick 0 sits at tick
    /// 101; advancing a paused clock by exactly 100 ms must still fire it.
    pub(crate) fn process_after_advance(&self) {
        let now = self.deadline_to_tick(self.inner.clock.now());
        self.process_at_time(now);
    }

    fn process_at_time(&self, now: u64) {
        let mut wake_list: Vec<Waker> = Vec::new();
        {
            let mut state = self.inner.state.lock().unwrap();
            let now = now.max(state.wheel.elapsed());
            state.wheel.poll_expired(now, &mut wake_list);
            state.next_wake = state.wheel.next_expiration_time();
        }
        for waker in wake_list {
            waker.wake();
        }
    }

    /// Runtime shutdown: forget every timer. Their wakers are dropped (not
    /// woken) outside the lock; the `Sleep`s still alive see "fired".
    pub(crate) fn shutdown(&self) {
        self.inner.is_shutdown.store(true, Ordering::Release);
        let wakers = self.inner.state.lock().unwrap().wheel.clear();
        drop(wakers);
    }

    #[cfg(all(test, not(loom)))]
    pub(crate) fn num_timers(&self) -> usize {
        self.inner.state.lock().unwrap().wheel.len()
    }

    fn now_tick(&self) -> u64 {
        let since = self
            .inner
            .clock
            .now()
            .saturating_duration_since(self.inner.start);
        since.as_millis() as u64
    }

    fn deadline_to_tick(&self, deadline: Instant) -> u64 {
        let since = deadline.saturating_duration_since(self.inner.start);
        // Round up: never fire early.
        let ms = since.as_millis() + u128::from(!since.subsec_nanos().is_multiple_of(1_000_000));
        u64::try_from(ms).unwrap_or(u64::MAX)
    }

    fn tick_to_instant(&self, tick: u64) -> Instant {
        self.inner.start + Duration::from_millis(tick)
    }
}
