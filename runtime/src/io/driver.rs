//! The I/O driver: `mio::Poll` (epoll on Linux) and the token → `ScheduledIo`
//! table. This is where a socket event becomes a `wake()`:
//!
//! ```text
//! Driver::park(timeout)              timeout = the timer wheel's next deadline
//!   └─ turn(timeout)
//!        poll.poll(&mut events, timeout)      blocks in epoll_wait
//!        tick += 1
//!        for event in events:
//!            WAKE_TOKEN?  ─► someone called unpark (a remote wake); nothing to do
//!            token ─► slab.get(token)         generation checked: a stale
//!                                             token (entry reused) is ignored
//!                 ─► ScheduledIo::set_readiness(tick, |r| r | ready)
//!                 ─► ScheduledIo::wake(ready, &mut wake_list)
//!            wake_list full (32)? ─► unlock the slab, wake them all, relock
//!        unlock; wake_list.wake_all()         waker.wake() ─► schedule()
//! ```
//!
//! `Handle` is the shared half: `Registration` uses it to add and remove
//! sources, and the schedulers use `unpark` to interrupt `epoll_wait`
//! through a `mio::Waker` (an eventfd). `unpark` only writes to the eventfd
//! when the driver is actually parked (state word as in `park.rs`), so a
//! busy runtime pays no syscall per remote wake.

use std::io;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mio::Token;

use super::ready::{Interest, Ready};
use super::scheduled_io::{ScheduledIo, WakeList};

/// Reserved for the `mio::Waker`; the slab never produces it (index
/// `INDEX_MASK` is never allocated).
const WAKE_TOKEN: Token = Token(usize::MAX);

/// Events read per `epoll_wait`.
const EVENTS_CAPACITY: usize = 1024;

const EMPTY: usize = 0;
const PARKED: usize = 1;
const NOTIFIED: usize = 2;

pub(crate) struct Driver {
    poll: mio::Poll,
    events: mio::Events,
    /// Incremented every turn; stored next to readiness (see `ScheduledIo`).
    tick: u16,
    handle: Handle,
}

#[derive(Clone)]
pub(crate) struct Handle {
    inner: Arc<Inner>,
}

struct Inner {
    registry: mio::Registry,
    registrations: Mutex<Slab>,
    waker: mio::Waker,
    /// `EMPTY` / `PARKED` (inside `epoll_wait`) / `NOTIFIED`.
    state: AtomicUsize,
    is_shutdown: AtomicBool,
}

impl Driver {
    pub(crate) fn new() -> io::Result<(Driver, Handle)> {
        let poll = mio::Poll::new()?;
        let waker = mio::Waker::new(poll.registry(), WAKE_TOKEN)?;
        let registry = poll.registry().try_clone()?;
        let handle = Handle {
            inner: Arc::new(Inner {
                registry,
                registrations: Mutex::new(Slab::new()),
                waker,
                state: AtomicUsize::new(EMPTY),
                is_shutdown: AtomicBool::new(false),
            }),
        };
        let driver = Driver {
            poll,
            events: mio::Events::with_capacity(EVENTS_CAPACITY),
            tick: 0,
            handle: handle.clone(),
        };
        Ok((driver, handle))
    }

    /// Wait for I/O events (at most `timeout`), then wake their tasks.
    /// Returns `true` if anything happened (an unpark or an event), `false`
    /// on a plain timeout: the paused clock uses this to auto-advance.
    pub(crate) fn park(&mut self, timeout: Option<Duration>) -> bool {
        let inner = self.handle.inner.clone();
        let state = &inner.state;
        let mut timeout = timeout;
        let mut notified = false;
        if state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            // An unpark came first: just poll.
            notified = true;
            timeout = Some(Duration::ZERO);
        } else if timeout != Some(Duration::ZERO)
            && state
                .compare_exchange(EMPTY, PARKED, SeqCst, SeqCst)
                .is_err()
        {
            // NOTIFIED raced in between the two compare-exchanges.
            state.store(EMPTY, SeqCst);
            notified = true;
            timeout = Some(Duration::ZERO);
        }
        let events = self.turn(timeout);
        if state.swap(EMPTY, SeqCst) == NOTIFIED {
            notified = true;
        }
        notified || events > 0
    }

    /// One `epoll_wait` and the wakes it produces. Returns how many socket
    /// events were dispatched.
    fn turn(&mut self, timeout: Option<Duration>) -> usize {
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return 0,
            Err(e) => panic!("clockwork I/O driver: epoll_wait failed: {e}"),
        }
        self.tick = self.tick.wrapping_add(1);
        let tick = self.tick;
        let mut dispatched = 0;
        let mut wake_list = WakeList::new();
        let mut retired = Vec::new();
        let mut slab = self.handle.inner.registrations.lock().unwrap();
        for event in self.events.iter() {
            let token = event.token();
            if token == WAKE_TOKEN {
                continue; // the eventfd only interrupts the wait
            }
            let Some(io) = slab.get(token).cloned() else {
                continue; // deregistered (maybe reused) since the event
            };
            let ready = Ready::from_mio(event);
            io.set_readiness(tick, |current| current | ready);
            dispatched += 1;
            // Collect this entry's wakers. When the batch is full, release
            // the lock to wake them, then carry on.
            let mut relocked = false;
            while !io.wake(ready, &mut wake_list) {
                drop(slab);
                wake_list.wake_all();
                slab = self.handle.inner.registrations.lock().unwrap();
                relocked = true;
            }
            if relocked {
                // The entry may have been released while the lock was
                // free: ours could be the last reference, and its drop
                // (wakers, so maybe tasks) must not run under the lock.
                retired.push(io);
            } else {
                drop(io); // the slab still holds a reference
            }
            if !wake_list.can_push() {
                drop(slab);
                wake_list.wake_all();
                slab = self.handle.inner.registrations.lock().unwrap();
            }
        }
        drop(slab);
        drop(retired);
        wake_list.wake_all();
        dispatched
    }

    /// Runtime shutdown: no new registrations; every task waiting on a
    /// socket wakes and gets an error.
    pub(crate) fn shutdown(&mut self) {
        self.handle.inner.is_shutdown.store(true, SeqCst);
        let all: Vec<Arc<ScheduledIo>> = {
            let slab = self.handle.inner.registrations.lock().unwrap();
            slab.entries.iter().filter_map(|e| e.io.clone()).collect()
        };
        let mut wake_list = WakeList::new();
        for io in all {
            while !io.shutdown(&mut wake_list) {
                wake_list.wake_all();
            }
            if !wake_list.can_push() {
                wake_list.wake_all();
            }
        }
        wake_list.wake_all();
    }
}

impl Handle {
    /// Interrupt `epoll_wait` (or make the next `park` return at once).
    pub(crate) fn unpark(&self) {
        match self.inner.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED => {
                if let Err(e) = self.inner.waker.wake() {
                    panic!("clockwork I/O driver: failed to wake epoll: {e}");
                }
            }
            actual => panic!("inconsistent I/O driver state: {actual}"),
        }
    }

    /// Register `source` with epoll under a fresh token.
    pub(crate) fn add_source(
        &self,
        source: &mut impl mio::event::Source,
        interest: Interest,
    ) -> io::Result<(Token, Arc<ScheduledIo>)> {
        if self.inner.is_shutdown.load(SeqCst) {
            return Err(shutdown_error());
        }
        let io = Arc::new(ScheduledIo::new());
        let token = self
            .inner
            .registrations
            .lock()
            .unwrap()
            .insert(io.clone())?;
        if let Err(e) = self
            .inner
            .registry
            .register(source, token, interest.to_mio())
        {
            self.inner.registrations.lock().unwrap().remove(token);
            return Err(e);
        }
        Ok((token, io))
    }

    /// Remove `source` from epoll. The slab entry goes in `release`.
    pub(crate) fn deregister_source(&self, source: &mut impl mio::event::Source) -> io::Result<()> {
        self.inner.registry.deregister(source)
    }

    /// Free the token: a later event carrying it is ignored, and the index
    /// is reused with the next generation. Wakes anyone still waiting.
    pub(crate) fn release(&self, token: Token) {
        let removed = self.inner.registrations.lock().unwrap().remove(token);
        if let Some(io) = removed {
            let mut wake_list = WakeList::new();
            while !io.shutdown(&mut wake_list) {
                wake_list.wake_all();
            }
            wake_list.wake_all();
        }
    }
}

/// Counters of a driver's token table; see [`crate::io::driver_stats`].
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DriverStats {
    /// Sources registered now (sockets alive).
    pub registered: usize,
    /// Slots in the token table. It never shrinks (freed slots are reused),
    /// so this is the peak number of registrations at any one time.
    pub slots: usize,
}

impl Handle {
    pub(crate) fn stats(&self) -> DriverStats {
        let slab = self.inner.registrations.lock().unwrap();
        DriverStats {
            registered: slab.len,
            slots: slab.entries.len(),
        }
    }
}

pub(crate) fn shutdown_error() -> io::Error {
    io::Error::other("the clockwork runtime's I/O driver has shut down")
}

// ---------------------------------------------------------------------------
// The token table.

/// Low bits of a token: the slab index. High bits: the entry's generation
/// when the token was handed out.
const INDEX_BITS: u32 = 24;
const INDEX_MASK: usize = (1 << INDEX_BITS) - 1;
const GENERATION_MASK: usize = usize::MAX >> INDEX_BITS;
/// The last index is never allocated, so no token equals `WAKE_TOKEN`.
const MAX_ENTRIES: usize = INDEX_MASK;

/// A slab of `ScheduledIo`s with a generation per slot. Removing an entry
/// bumps its slot's generation, so tokens handed out earlier stop
/// resolving, even after the slot is reused.
pub(crate) struct Slab {
    entries: Vec<Entry>,
    free: Vec<usize>,
    len: usize,
}

struct Entry {
    generation: usize,
    io: Option<Arc<ScheduledIo>>,
}

impl Slab {
    pub(crate) fn new() -> Slab {
        Slab {
            entries: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }

    pub(crate) fn insert(&mut self, io: Arc<ScheduledIo>) -> io::Result<Token> {
        let index = match self.free.pop() {
            Some(index) => index,
            None if self.entries.len() < MAX_ENTRIES => {
                self.entries.push(Entry {
                    generation: 0,
                    io: None,
                });
                self.entries.len() - 1
            }
            None => return Err(io::Error::other("too many I/O resources registered")),
        };
        let entry = &mut self.entries[index];
        debug_assert!(entry.io.is_none());
        entry.io = Some(io);
        self.len += 1;
        Ok(Token((entry.generation << INDEX_BITS) | index))
    }

    fn lookup(&self, token: Token) -> Option<&Entry> {
        let entry = self.entries.get(token.0 & INDEX_MASK)?;
        (entry.generation == token.0 >> INDEX_BITS && entry.io.is_some()).then_some(entry)
    }

    pub(crate) fn get(&self, token: Token) -> Option<&Arc<ScheduledIo>> {
        self.lookup(token)?.io.as_ref()
    }

    pub(crate) fn remove(&mut self, token: Token) -> Option<Arc<ScheduledIo>> {
        self.lookup(token)?;
        let index = token.0 & INDEX_MASK;
        let entry = &mut self.entries[index];
        entry.generation = (entry.generation + 1) & GENERATION_MASK;
        self.free.push(index);
        self.len -= 1;
        entry.io.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // These run under Miri too (it emulates epoll and eventfd).

    #[test]
    fn unpark_before_park_is_remembered() {
        let (mut driver, handle) = Driver::new().unwrap();
        handle.unpark();
        handle.unpark(); // coalesced
        // Returns at once (timeout None would otherwise block forever).
        assert!(driver.park(None));
        assert_eq!(handle.inner.state.load(SeqCst), EMPTY);
        // Nothing pending any more: a short park times out.
        assert!(!driver.park(Some(Duration::from_millis(5))));
    }

    #[test]
    fn unpark_from_another_thread_interrupts_epoll() {
        let (mut driver, handle) = Driver::new().unwrap();
        let remote = handle.clone();
        let t = std::thread::spawn(move || {
            // Wait until the driver is inside epoll_wait, then wake it.
            while remote.inner.state.load(SeqCst) != PARKED {
                std::thread::yield_now();
            }
            remote.unpark();
        });
        assert!(driver.park(None));
        t.join().unwrap();
        assert_eq!(handle.inner.state.load(SeqCst), EMPTY);
    }

    /// A source that registers nowhere: exercises the table without an fd.
    struct NoFd;
    impl mio::event::Source for NoFd {
        fn register(&mut self, _: &mio::Registry, _: Token, _: mio::Interest) -> io::Result<()> {
            Ok(())
        }
        fn reregister(&mut self, _: &mio::Registry, _: Token, _: mio::Interest) -> io::Result<()> {
            Ok(())
        }
        fn deregister(&mut self, _: &mio::Registry) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn shutdown_refuses_new_registrations_and_wakes_waiters() {
        use std::sync::atomic::AtomicUsize;
        use std::task::{Context, Wake, Waker};
        struct Count(AtomicUsize);
        impl Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, SeqCst);
            }
        }
        let (mut driver, handle) = Driver::new().unwrap();
        let (token, io) = handle.add_source(&mut NoFd, Interest::READABLE).unwrap();
        let (t2, _io2) = handle.add_source(&mut NoFd, Interest::WRITABLE).unwrap();
        assert_ne!(token, t2);
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        assert!(io.poll_ready(&mut cx, Interest::READABLE).is_pending());

        driver.shutdown();
        assert_eq!(count.0.load(SeqCst), 1, "the waiter is woken");
        assert!(io.readiness(Interest::READABLE).is_shutdown);
        let Err(err) = handle.add_source(&mut NoFd, Interest::READABLE) else {
            panic!("registered after shutdown");
        };
        assert!(err.to_string().contains("shut down"));
        handle.release(token);
        handle.release(t2);
        handle.release(t2); // twice: no-op
        assert_eq!(handle.inner.registrations.lock().unwrap().len, 0);
    }

    #[test]
    fn stale_token_never_resolves_to_reused_entry() {
        let mut slab = Slab::new();
        let a = Arc::new(ScheduledIo::new());
        let t1 = slab.insert(a.clone()).unwrap();
        assert!(Arc::ptr_eq(slab.get(t1).unwrap(), &a));
        assert!(slab.remove(t1).is_some());
        assert!(slab.get(t1).is_none());
        assert!(slab.remove(t1).is_none(), "double remove is a no-op");

        let b = Arc::new(ScheduledIo::new());
        let t2 = slab.insert(b.clone()).unwrap();
        // Same slot, new generation.
        assert_eq!(t1.0 & INDEX_MASK, t2.0 & INDEX_MASK);
        assert_ne!(t1, t2);
        assert!(
            slab.get(t1).is_none(),
            "stale token must not reach the new entry"
        );
        assert!(Arc::ptr_eq(slab.get(t2).unwrap(), &b));
        assert_eq!(slab.len, 1);
    }

    #[test]
    fn many_entries_and_generation_wrap() {
        let mut slab = Slab::new();
        let tokens: Vec<Token> = (0..100)
            .map(|_| slab.insert(Arc::new(ScheduledIo::new())).unwrap())
            .collect();
        assert!(tokens.iter().all(|t| *t != WAKE_TOKEN));
        for t in &tokens[..50] {
            slab.remove(*t).unwrap();
        }
        assert_eq!(slab.len, 50);
        for t in &tokens[50..] {
            assert!(slab.get(*t).is_some());
        }
        // Force the generation of slot 0 to the edge: it wraps to 0.
        slab.entries[0].generation = GENERATION_MASK;
        let t = slab.insert(Arc::new(ScheduledIo::new())).unwrap();
        let index = t.0 & INDEX_MASK;
        slab.entries[index].generation = GENERATION_MASK;
        let t = Token((GENERATION_MASK << INDEX_BITS) | index);
        assert!(slab.remove(t).is_some());
        assert_eq!(slab.entries[index].generation, 0);
    }
}
