//! `ScheduledIo`: the per-socket state the driver and the tasks share. It is
//! the last link of the chain before `wake()`:
//!
//! ```text
//! driver turn: event (token) ─► slab ─► ScheduledIo
//!     set_readiness(tick, |bits| bits | ready)      one atomic word
//!     wake(ready, wake_list): take the reader / writer wakers whose
//!                             interest matches; the caller wakes them
//!                             after the lock is released
//! task: poll_ready(interest) ─► bits ready? Ready(ReadyEvent{tick, ready})
//!                               else store the waker, re-check, Pending
//!       syscall → WouldBlock ─► clear_readiness(event): only if the tick
//!                               is still the one the task saw
//! ```
//!
//! The readiness word packs `[shutdown:1][tick:8][ready:8]`. The tick is
//! the driver turn that last set readiness. A task that observed readiness
//! at tick 5, then got `WouldBlock`, clears it with a compare-and-swap that
//! fails if the driver has meanwhile stored readiness from tick 6: the
//! newer event is not lost (tokio's `Tick::Clear`).
//!
//! Waiters: one reader slot and one writer slot (the common case: one task
//! reads, one writes, e.g. the two halves of a stream), plus an overflow
//! list for extra tasks waiting on a shared socket (`Arc<UdpSocket>`).

use std::sync::Mutex;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::{AcqRel, Acquire};
use std::task::{Context, Poll, Waker};

use super::ready::{Interest, Ready};

const READY_MASK: usize = 0xff;
const TICK_SHIFT: usize = 8;
const TICK_MASK: usize = 0xff << TICK_SHIFT;
const SHUTDOWN: usize = 1 << 16;

/// How many wakers the driver gathers before waking them (with no lock
/// held) and continuing.
pub(crate) const WAKE_BATCH: usize = 32;

pub(crate) struct ScheduledIo {
    readiness: AtomicUsize,
    waiters: Mutex<Waiters>,
}

#[derive(Default)]
struct Waiters {
    reader: Option<Waker>,
    writer: Option<Waker>,
    /// Further tasks waiting at the same time as the slot holders.
    others: Vec<(Interest, Waker)>,
}

/// What `poll_ready` saw: the ready bits, and the turn that set them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ReadyEvent {
    pub(crate) tick: u8,
    pub(crate) ready: Ready,
    pub(crate) is_shutdown: bool,
}

/// Wakers taken out under a lock, woken after it is released.
pub(crate) struct WakeList {
    wakers: Vec<Waker>,
}

impl WakeList {
    pub(crate) fn new() -> WakeList {
        WakeList {
            wakers: Vec::with_capacity(WAKE_BATCH),
        }
    }

    pub(crate) fn can_push(&self) -> bool {
        self.wakers.len() < WAKE_BATCH
    }

    pub(crate) fn push(&mut self, waker: Waker) {
        self.wakers.push(waker);
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.wakers.len()
    }

    /// `waker.wake()` for each: `wake_by_val` → `schedule()`.
    pub(crate) fn wake_all(&mut self) {
        for waker in self.wakers.drain(..) {
            waker.wake();
        }
    }
}

impl ScheduledIo {
    pub(crate) fn new() -> ScheduledIo {
        ScheduledIo {
            readiness: AtomicUsize::new(0),
            waiters: Mutex::new(Waiters::default()),
        }
    }

    /// Driver side: store readiness observed at turn `tick`.
    pub(crate) fn set_readiness(&self, tick: u8, f: impl Fn(Ready) -> Ready) {
        let mut current = self.readiness.load(Acquire);
        loop {
            let ready = f(Ready::from_usize(current & READY_MASK));
            let next = (current & SHUTDOWN)
                | (usize::from(tick) << TICK_SHIFT)
                | (ready.as_usize() & READY_MASK);
            match self
                .readiness
                .compare_exchange_weak(current, next, AcqRel, Acquire)
            {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }

    /// Task side: the syscall said `WouldBlock`, so the readiness seen in
    /// `event` was used up. Clears it unless a newer turn has set readiness
    /// since (the tick moved on). Closed bits stay.
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        let clear = event.ready - Ready::READ_CLOSED - Ready::WRITE_CLOSED;
        let mut current = self.readiness.load(Acquire);
        loop {
            let tick = ((current & TICK_MASK) >> TICK_SHIFT) as u8;
            if tick != event.tick {
                return; // newer readiness: keep it
            }
            let ready = Ready::from_usize(current & READY_MASK) - clear;
            let next = (current & !READY_MASK) | ready.as_usize();
            match self
                .readiness
                .compare_exchange_weak(current, next, AcqRel, Acquire)
            {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }

    pub(crate) fn readiness(&self, interest: Interest) -> ReadyEvent {
        let current = self.readiness.load(Acquire);
        ReadyEvent {
            tick: ((current & TICK_MASK) >> TICK_SHIFT) as u8,
            ready: Ready::from_usize(current & READY_MASK) & interest.mask(),
            is_shutdown: current & SHUTDOWN != 0,
        }
    }

    /// Task side: ready now, or register `cx`'s waker for `interest`.
    pub(crate) fn poll_ready(&self, cx: &mut Context<'_>, interest: Interest) -> Poll<ReadyEvent> {
        let event = self.readiness(interest);
        if !event.ready.is_empty() || event.is_shutdown {
            return Poll::Ready(event);
        }
        let mut waiters = self.waiters.lock().unwrap();
        waiters.register(cx.waker(), interest);
        // Re-check under the lock: the driver stores readiness *before*
        // taking this lock to collect wakers, so either we see its bits now
        // or it sees our waker.
        let event = self.readiness(interest);
        if !event.ready.is_empty() || event.is_shutdown {
            return Poll::Ready(event);
        }
        Poll::Pending
    }

    /// Driver side: move the wakers interested in `ready` into `list`.
    /// Returns `false` if `list` filled up before all were taken (the
    /// caller wakes the batch and calls again).
    pub(crate) fn wake(&self, ready: Ready, list: &mut WakeList) -> bool {
        let mut waiters = self.waiters.lock().unwrap();
        let read = ready.intersects(Interest::READABLE.mask());
        let write = ready.intersects(Interest::WRITABLE.mask());
        if read
            && list.can_push()
            && let Some(w) = waiters.reader.take()
        {
            list.push(w);
        }
        if write
            && list.can_push()
            && let Some(w) = waiters.writer.take()
        {
            list.push(w);
        }
        let mut i = 0;
        while i < waiters.others.len() {
            if !list.can_push() {
                return false;
            }
            if ready.intersects(waiters.others[i].0.mask()) {
                list.push(waiters.others.swap_remove(i).1);
            } else {
                i += 1;
            }
        }
        !(read && waiters.reader.is_some() || write && waiters.writer.is_some())
    }

    /// Driver shutdown or deregistration: every waiter wakes and sees an
    /// error.
    pub(crate) fn shutdown(&self, list: &mut WakeList) -> bool {
        self.readiness.fetch_or(SHUTDOWN, AcqRel);
        self.wake(Ready::ALL, list)
    }

    #[cfg(test)]
    fn num_waiters(&self) -> usize {
        let w = self.waiters.lock().unwrap();
        usize::from(w.reader.is_some()) + usize::from(w.writer.is_some()) + w.others.len()
    }
}

impl Waiters {
    /// Store `waker` for `interest`. Nothing is ever replaced (so no waker
    /// is dropped under the lock): a slot held by another waker sends this
    /// one to the overflow list.
    fn register(&mut self, waker: &Waker, interest: Interest) {
        let slot = match (interest.is_readable(), interest.is_writable()) {
            (true, false) => Some(&mut self.reader),
            (false, true) => Some(&mut self.writer),
            _ => None, // both: overflow list
        };
        if let Some(slot) = slot {
            match slot {
                Some(w) if w.will_wake(waker) => return,
                None => {
                    *slot = Some(waker.clone());
                    return;
                }
                Some(_) => {} // another task holds the slot
            }
        }
        for (i, w) in &mut self.others {
            if w.will_wake(waker) {
                *i = i.with(interest);
                return;
            }
        }
        self.others.push((interest, waker.clone()));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    use super::*;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn waker() -> (Arc<Count>, Waker) {
        let c = Arc::new(Count(AtomicUsize::new(0)));
        (c.clone(), Waker::from(c))
    }

    #[test]
    fn ready_then_clear_with_same_tick() {
        let io = ScheduledIo::new();
        let (_, w) = waker();
        let mut cx = Context::from_waker(&w);
        assert!(io.poll_ready(&mut cx, Interest::READABLE).is_pending());
        io.set_readiness(1, |r| r | Ready::READABLE);
        let Poll::Ready(ev) = io.poll_ready(&mut cx, Interest::READABLE) else {
            panic!("not ready")
        };
        assert_eq!((ev.tick, ev.ready), (1, Ready::READABLE));
        io.clear_readiness(ev);
        assert!(io.poll_ready(&mut cx, Interest::READABLE).is_pending());
    }

    #[test]
    fn stale_clear_keeps_newer_readiness() {
        let io = ScheduledIo::new();
        io.set_readiness(7, |r| r | Ready::READABLE);
        let old = io.readiness(Interest::READABLE);
        // The driver sees the socket readable again in a later turn.
        io.set_readiness(8, |r| r | Ready::READABLE);
        io.clear_readiness(old);
        assert_eq!(io.readiness(Interest::READABLE).ready, Ready::READABLE);
        // Clearing with the current tick works.
        io.clear_readiness(io.readiness(Interest::READABLE));
        assert!(io.readiness(Interest::READABLE).ready.is_empty());
    }

    #[test]
    fn tick_wraps_and_closed_bits_are_sticky() {
        let io = ScheduledIo::new();
        io.set_readiness(255, |r| r | Ready::READABLE | Ready::READ_CLOSED);
        let ev = io.readiness(Interest::READABLE);
        assert_eq!(ev.tick, 255);
        io.clear_readiness(ev);
        assert_eq!(io.readiness(Interest::READABLE).ready, Ready::READ_CLOSED);
        io.set_readiness(0, |r| r | Ready::WRITABLE);
        let ev = io.readiness(Interest::WRITABLE);
        assert_eq!((ev.tick, ev.ready), (0, Ready::WRITABLE));
    }

    #[test]
    fn wake_matches_interest_and_takes_slots() {
        let io = ScheduledIo::new();
        let (rc, rw) = waker();
        let (wc, ww) = waker();
        assert!(
            io.poll_ready(&mut Context::from_waker(&rw), Interest::READABLE)
                .is_pending()
        );
        assert!(
            io.poll_ready(&mut Context::from_waker(&ww), Interest::WRITABLE)
                .is_pending()
        );
        assert_eq!(io.num_waiters(), 2);
        let mut list = WakeList::new();
        io.set_readiness(1, |r| r | Ready::WRITABLE);
        assert!(io.wake(Ready::WRITABLE, &mut list));
        list.wake_all();
        assert_eq!(rc.0.load(Ordering::SeqCst), 0);
        assert_eq!(wc.0.load(Ordering::SeqCst), 1);
        assert_eq!(io.num_waiters(), 1);
        // Shutdown wakes the rest and makes every poll ready.
        assert!(io.shutdown(&mut list));
        list.wake_all();
        assert_eq!(rc.0.load(Ordering::SeqCst), 1);
        let Poll::Ready(ev) = io.poll_ready(&mut Context::from_waker(&rw), Interest::READABLE)
        else {
            panic!("shutdown must be ready")
        };
        assert!(ev.is_shutdown);
    }

    #[test]
    fn second_waiter_goes_to_overflow_and_is_woken() {
        let io = ScheduledIo::new();
        let counts: Vec<_> = (0..40).map(|_| waker()).collect();
        for (_, w) in &counts {
            let mut cx = Context::from_waker(w);
            assert!(io.poll_ready(&mut cx, Interest::READABLE).is_pending());
            // Polling again with the same waker does not add an entry.
            assert!(io.poll_ready(&mut cx, Interest::READABLE).is_pending());
        }
        assert_eq!(io.num_waiters(), 40);
        io.set_readiness(3, |r| r | Ready::READABLE);
        let mut list = WakeList::new();
        // 40 waiters, batches of 32: the first call fills the list.
        assert!(!io.wake(Ready::READABLE, &mut list));
        assert_eq!(list.len(), WAKE_BATCH);
        list.wake_all();
        assert!(io.wake(Ready::READABLE, &mut list));
        list.wake_all();
        for (c, _) in &counts {
            assert_eq!(c.0.load(Ordering::SeqCst), 1);
        }
        assert_eq!(io.num_waiters(), 0);
    }
}
