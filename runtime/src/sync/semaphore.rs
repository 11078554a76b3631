//! `Semaphore`: a count of permits that tasks acquire and release.
//!
//! The count lives in an atomic, so an uncontended `acquire` is one CAS.
//! Tasks that must wait queue up (FIFO) in a mutex-guarded list; a release
//! first hands permits to queued waiters, so a waiter is never overtaken by
//! later waiters. (A fresh `acquire` can still win a race against a waiter
//! that is about to be served: a small, deliberate unfairness that keeps
//! the fast path lock-free.)
//!
//! A waiter that is dropped (its future cancelled) leaves the queue, and
//! gives back permits it was already handed.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering::{self, SeqCst};
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker, ready};

use crate::coop;

const CLOSED: usize = 1;
const PERMIT_SHIFT: usize = 1;

pub struct Semaphore {
    /// `permits << 1 | CLOSED`.
    permits: AtomicUsize,
    /// Set while the wait list is non-empty, so `release` can skip the lock.
    has_waiters: AtomicBool,
    waiters: Mutex<VecDeque<Arc<Waiter>>>,
}

struct Waiter {
    needed: usize,
    /// Set (under the list lock) once the permits were handed over.
    assigned: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

/// Returned by acquiring; gives the permits back when dropped.
#[must_use]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    permits: usize,
}

/// Like `SemaphorePermit`, but holds an `Arc` to the semaphore.
#[must_use]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    permits: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquireError(());

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TryAcquireError {
    Closed,
    NoPermits,
}

impl Semaphore {
    pub const MAX_PERMITS: usize = usize::MAX >> PERMIT_SHIFT;

    pub fn new(permits: usize) -> Semaphore {
        assert!(permits <= Self::MAX_PERMITS, "too many permits");
        Semaphore {
            permits: AtomicUsize::new(permits << PERMIT_SHIFT),
            has_waiters: AtomicBool::new(false),
            waiters: Mutex::new(VecDeque::new()),
        }
    }

    pub fn available_permits(&self) -> usize {
        self.permits.load(Ordering::Acquire) >> PERMIT_SHIFT
    }

    pub fn is_closed(&self) -> bool {
        self.permits.load(Ordering::Acquire) & CLOSED != 0
    }

    pub fn add_permits(&self, n: usize) {
        self.release(n);
    }

    /// Fail every current and future `acquire`.
    pub fn close(&self) {
        self.permits.fetch_or(CLOSED, SeqCst);
        let waiters = {
            let mut list = self.waiters.lock().unwrap();
            self.has_waiters.store(false, SeqCst);
            std::mem::take(&mut *list)
        };
        for w in waiters {
            if let Some(waker) = w.waker.lock().unwrap().take() {
                waker.wake();
            }
        }
    }

    pub async fn acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.acquire_many(1).await
    }

    pub async fn acquire_many(&self, n: usize) -> Result<SemaphorePermit<'_>, AcquireError> {
        Acquire::new(self, n).await?;
        Ok(SemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    pub async fn acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        Acquire::new(&self, 1).await?;
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: 1,
        })
    }

    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    pub fn try_acquire_many(&self, n: usize) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_take(n)?;
        Ok(SemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Take `n` permits from the counter if available.
    fn try_take(&self, n: usize) -> Result<(), TryAcquireError> {
        let mut curr = self.permits.load(Ordering::Acquire);
        loop {
            if curr & CLOSED != 0 {
                return Err(TryAcquireError::Closed);
            }
            if curr >> PERMIT_SHIFT < n {
                return Err(TryAcquireError::NoPermits);
            }
            let next = curr - (n << PERMIT_SHIFT);
            match self
                .permits
                .compare_exchange_weak(curr, next, SeqCst, Ordering::Acquire)
            {
                Ok(_) => return Ok(()),
                Err(actual) => curr = actual,
            }
        }
    }

    /// Return permits; serve queued waiters first.
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        self.permits.fetch_add(n << PERMIT_SHIFT, SeqCst);
        // Pairs with the waiter's `has_waiters` store before its last
        // `try_take`: one of us sees the other.
        if self.has_waiters.load(SeqCst) {
            self.serve_waiters();
        }
    }

    fn serve_waiters(&self) {
        let mut woken = Vec::new();
        {
            let mut waiters = self.waiters.lock().unwrap();
            while let Some(front) = waiters.front() {
                if self.try_take(front.needed).is_err() {
                    break;
                }
                let w = waiters.pop_front().unwrap();
                w.assigned.store(true, SeqCst);
                if let Some(waker) = w.waker.lock().unwrap().take() {
                    woken.push(waker);
                }
            }
            if waiters.is_empty() {
                self.has_waiters.store(false, SeqCst);
            }
        }
        for waker in woken {
            waker.wake();
        }
    }
}

/// The acquire future: fast path, then queue, then wait to be assigned.
struct Acquire<'a> {
    sem: &'a Semaphore,
    needed: usize,
    waiter: Option<Arc<Waiter>>,
    done: bool,
}

impl<'a> Acquire<'a> {
    fn new(sem: &'a Semaphore, needed: usize) -> Acquire<'a> {
        Acquire {
            sem,
            needed,
            waiter: None,
            done: false,
        }
    }
}

impl Acquire<'_> {
    /// The fast path failed: join the queue (unless the permits appeared
    /// meanwhile and nobody is ahead of us).
    fn enqueue(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), AcquireError>> {
        let sem = self.sem;
        let mut waiters = sem.waiters.lock().unwrap();
        // Announce ourselves before the last try (see `release`).
        sem.has_waiters.store(true, SeqCst);
        let res = if waiters.is_empty() {
            sem.try_take(self.needed)
        } else {
            Err(TryAcquireError::NoPermits)
        };
        let ready = match res {
            Ok(()) => Ok(()),
            Err(TryAcquireError::Closed) => Err(AcquireError(())),
            Err(TryAcquireError::NoPermits) => {
                let waiter = Arc::new(Waiter {
                    needed: self.needed,
                    assigned: AtomicBool::new(false),
                    waker: Mutex::new(Some(cx.waker().clone())),
                });
                waiters.push_back(waiter.clone());
                self.waiter = Some(waiter);
                return Poll::Pending;
            }
        };
        if waiters.is_empty() {
            sem.has_waiters.store(false, SeqCst);
        }
        Poll::Ready(ready)
    }

    fn poll_queued(
        waiter: &Waiter,
        sem: &Semaphore,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), AcquireError>> {
        if waiter.assigned.load(SeqCst) {
            return Poll::Ready(Ok(()));
        }
        if sem.is_closed() {
            return Poll::Ready(Err(AcquireError(())));
        }
        {
            let mut slot = waiter.waker.lock().unwrap();
            match &*slot {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => *slot = Some(cx.waker().clone()),
            }
        }
        // Assigned (or closed) while we swapped the waker in?
        if waiter.assigned.load(SeqCst) {
            Poll::Ready(Ok(()))
        } else if sem.is_closed() {
            Poll::Ready(Err(AcquireError(())))
        } else {
            Poll::Pending
        }
    }
}

impl Future for Acquire<'_> {
    type Output = Result<(), AcquireError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let coop = ready!(coop::poll_proceed(cx));
        let res = match &self.waiter {
            None => match self.sem.try_take(self.needed) {
                Ok(()) => Poll::Ready(Ok(())),
                Err(TryAcquireError::Closed) => Poll::Ready(Err(AcquireError(()))),
                Err(TryAcquireError::NoPermits) => self.enqueue(cx),
            },
            Some(waiter) => Self::poll_queued(waiter, self.sem, cx),
        };
        if res.is_ready() {
            self.done = true;
            coop.made_progress();
        }
        res
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        let Some(waiter) = self.waiter.take() else {
            return;
        };
        if self.done {
            return; // the permits now belong to the returned permit object
        }
        let mut waiters = self.sem.waiters.lock().unwrap();
        if let Some(i) = waiters.iter().position(|w| Arc::ptr_eq(w, &waiter)) {
            waiters.remove(i);
            if waiters.is_empty() {
                self.sem.has_waiters.store(false, SeqCst);
            }
            return;
        }
        drop(waiters);
        if waiter.assigned.load(SeqCst) {
            // Handed permits, then cancelled: pass them on.
            self.sem.release(waiter.needed);
        }
    }
}

impl SemaphorePermit<'_> {
    /// Keep the permits taken forever.
    pub fn forget(mut self) {
        self.permits = 0;
    }

    pub fn num_permits(&self) -> usize {
        self.permits
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.sem.release(self.permits);
    }
}

impl OwnedSemaphorePermit {
    pub fn forget(mut self) {
        self.permits = 0;
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.sem.release(self.permits);
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("permits", &self.available_permits())
            .finish()
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        "semaphore closed".fmt(f)
    }
}

impl std::error::Error for AcquireError {}
