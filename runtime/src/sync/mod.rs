//! Synchronisation between tasks. Every primitive here parks a task by
//! keeping its `cx.waker()` and calling `wake()` later: the same path
//! (`wake_by_val` → `schedule()`) a timer or the I/O driver uses.
//!
//! * [`oneshot`]: one value, one time; lock-free (an atomic state word).
//! * [`mpsc`]: a queue with many senders, bounded or unbounded.
//! * [`Notify`]: a wake-up without data.
//! * [`Semaphore`]: permits, FIFO waiters; [`Mutex`] is built on it.
//!
//! Waiting operations spend the cooperative budget (`coop`), so a task that
//! always finds its channel ready still yields now and then.

pub mod mpsc;
mod mutex;
mod notify;
pub mod oneshot;
mod semaphore;

pub use self::mutex::{Mutex, MutexGuard, TryLockError};
pub use self::notify::{Notified, Notify};
pub use self::semaphore::{
    AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};

#[cfg(all(test, not(loom)))]
mod tests;

#[cfg(all(test, loom))]
mod loom_tests;
