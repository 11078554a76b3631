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
//! The readiness word packs `[shutdown:1][tick:16][ready:8]`. The tick is
//! the driver turn that last set readiness. A task that observed readiness
//! at tick 5, then got `WouldBlock`, clears it with a compare-and-swap that
//! fails if the driver has meanwhile stored readiness from tick 6: the
//! newer event is not lost (tokio's `Tick::Clear`).
//!
//! Waiters, two kinds (as in tokio):
//!
//! * `poll_ready`: one reader slot and one writer slot, for the `poll_*`
//!   methods (`AsyncRead::poll_read`, ...). Last poller wins, as tokio
//!   documents for its `poll_read_ready`: one task reads, one writes (e.g.
//!   the two halves of a stream).
//! * `poll_ready_waiter`: a list of waiters keyed by an id the future owns
//!   (`Readiness` in registration.rs), for the `async fn`s (`accept`,
//!   `recv_from`, `readable`, ...). Any number of tasks can wait on one
//!   socket (`Arc<UdpSocket>`); a future removes its entry when dropped.

use std::sync::Mutex;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::{AcqRel, Acquire};
use std::task::{Context, Poll, Waker};

use super::ready::{Interest, Ready};

const READY_MASK: usize = 0xff;
const TICK_SHIFT: usize = 8;
const TICK_MASK: usize = 0xffff << TICK_SHIFT;
const SHUTDOWN: usize = 1 << 24;

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
    /// Waiting `Readiness` futures; an entry leaves when woken or dropped.
    list: Vec<Waiter>,
    next_id: u64,
}

struct Waiter {
    id: u64,
    interest: Interest,
    waker: Waker,
}

/// What `poll_ready` saw: the ready bits, and the turn that set them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ReadyEvent {
    pub(crate) tick: u16,
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
    pub(crate) fn set_readiness(&self, tick: u16, f: impl Fn(Ready) -> Ready) {
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
            let tick = ((current & TICK_MASK) >> TICK_SHIFT) as u16;
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
            tick: ((current & TICK_MASK) >> TICK_SHIFT) as u16,
            ready: Ready::from_usize(current & READY_MASK) & interest.mask(),
            is_shutdown: current & SHUTDOWN != 0,
        }
    }

    /// Task side, slot form: ready now, or `cx`'s waker goes in the reader
    /// (or writer) slot, replacing what was there.
    pub(crate) fn poll_ready(&self, cx: &mut Context<'_>, interest: Interest) -> Poll<ReadyEvent> {
        let event = self.readiness(interest);
        if !event.ready.is_empty() || event.is_shutdown {
            return Poll::Ready(event);
        }
        let mut waiters = self.waiters.lock().unwrap();
        let slot = if interest.is_readable() {
            &mut waiters.reader
        } else {
            &mut waiters.writer
        };
        let replaced = match slot {
            Some(w) if w.will_wake(cx.waker()) => None,
            _ => slot.replace(cx.waker().clone()),
        };
        // Re-check under the lock: the driver stores readiness *before*
        // taking this lock to collect wakers, so either we see its bits now
        // or it sees our waker.
        let event = self.readiness(interest);
        drop(waiters);
        // A replaced waker may hold the last reference to a task: dropped
        // with no lock held.
        drop(replaced);
        if !event.ready.is_empty() || event.is_shutdown {
            return Poll::Ready(event);
        }
        Poll::Pending
    }

    /// Task side, list form: like `poll_ready`, but the waiter is an entry
    /// of its own, found again through `*id` (set on the first `Pending`).
    pub(crate) fn poll_ready_waiter(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        id: &mut Option<u64>,
    ) -> Poll<ReadyEvent> {
        let event = self.readiness(interest);
        if !event.ready.is_empty() || event.is_shutdown {
            self.remove_waiter(id);
            return Poll::Ready(event);
        }
        let mut waiters = self.waiters.lock().unwrap();
        let mut replaced = None;
        let existing = id.and_then(|id| waiters.list.iter_mut().find(|w| w.id == id));
        match existing {
            Some(w) if w.waker.will_wake(cx.waker()) => {}
            Some(w) => replaced = Some(std::mem::replace(&mut w.waker, cx.waker().clone())),
            // First poll, or woken (entry removed) but not ready after all.
            None => {
                let new_id = waiters.next_id;
                waiters.next_id += 1;
                waiters.list.push(Waiter {
                    id: new_id,
                    interest,
                    waker: cx.waker().clone(),
                });
                *id = Some(new_id);
            }
        }
        let event = self.readiness(interest);
        drop(waiters);
        drop(replaced);
        if !event.ready.is_empty() || event.is_shutdown {
            self.remove_waiter(id);
            return Poll::Ready(event);
        }
        Poll::Pending
    }

    /// A `Readiness` future is done or dropped: forget its entry.
    pub(crate) fn remove_waiter(&self, id: &mut Option<u64>) {
        let Some(id) = id.take() else { return };
        let mut waiters = self.waiters.lock().unwrap();
        let removed = waiters
            .list
            .iter()
            .position(|w| w.id == id)
            .map(|i| waiters.list.swap_remove(i));
        drop(waiters);
        drop(removed);
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
        while i < waiters.list.len() {
            if !list.can_push() {
                return false;
            }
            if ready.intersects(waiters.list[i].interest.mask()) {
                list.push(waiters.list.swap_remove(i).waker);
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
        usize::from(w.reader.is_some()) + usize::from(w.writer.is_some()) + w.list.len()
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
        io.set_readiness(u16::MAX, |r| r | Ready::READABLE | Ready::READ_CLOSED);
        let ev = io.readiness(Interest::READABLE);
        assert_eq!(ev.tick, u16::MAX);
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
    fn slot_keeps_only_the_last_poller() {
        let io = ScheduledIo::new();
        let (c1, w1) = waker();
        let (c2, w2) = waker();
        for _ in 0..3 {
            assert!(
                io.poll_ready(&mut Context::from_waker(&w1), Interest::READABLE)
                    .is_pending()
            );
        }
        assert!(
            io.poll_ready(&mut Context::from_waker(&w2), Interest::READABLE)
                .is_pending()
        );
        assert_eq!(io.num_waiters(), 1, "the slot is bounded");
        io.set_readiness(1, |r| r | Ready::READABLE);
        let mut list = WakeList::new();
        assert!(io.wake(Ready::READABLE, &mut list));
        list.wake_all();
        assert_eq!(c1.0.load(Ordering::SeqCst), 0);
        assert_eq!(c2.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn many_list_waiters_woken_in_batches() {
        let io = ScheduledIo::new();
        let counts: Vec<_> = (0..40).map(|_| waker()).collect();
        let mut ids = vec![None; counts.len()];
        for ((_, w), id) in counts.iter().zip(&mut ids) {
            let mut cx = Context::from_waker(w);
            assert!(
                io.poll_ready_waiter(&mut cx, Interest::READABLE, id)
                    .is_pending()
            );
            // Polling again finds the same entry (by id, not by waker).
            let before = *id;
            assert!(
                io.poll_ready_waiter(&mut cx, Interest::READABLE, id)
                    .is_pending()
            );
            assert_eq!(before, *id);
        }
        assert_eq!(io.num_waiters(), 40);
        // A dropped future's entry leaves at once.
        io.remove_waiter(&mut ids[39]);
        assert_eq!(io.num_waiters(), 39);
        // A writer-only waiter is not woken by READABLE.
        let (wc, ww) = waker();
        let mut wid = None;
        assert!(
            io.poll_ready_waiter(&mut Context::from_waker(&ww), Interest::WRITABLE, &mut wid)
                .is_pending()
        );
        io.set_readiness(3, |r| r | Ready::READABLE);
        let mut list = WakeList::new();
        // 39 readers, batches of 32: the first call fills the list.
        assert!(!io.wake(Ready::READABLE, &mut list));
        assert_eq!(list.len(), WAKE_BATCH);
        list.wake_all();
        assert!(io.wake(Ready::READABLE, &mut list));
        list.wake_all();
        for (c, _) in &counts[..39] {
            assert_eq!(c.0.load(Ordering::SeqCst), 1);
        }
        assert_eq!(counts[39].0.0.load(Ordering::SeqCst), 0);
        assert_eq!(wc.0.load(Ordering::SeqCst), 0);
        assert_eq!(io.num_waiters(), 1);
        // Ready now: the poll completes and forgets its entry.
        let mut cx = Context::from_waker(&counts[0].1);
        assert!(
            io.poll_ready_waiter(&mut cx, Interest::READABLE, &mut ids[0])
                .is_ready()
        );
        assert_eq!(ids[0], None);
    }
}
