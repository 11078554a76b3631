//! The runtime's clock and `Instant`, with `pause`/`advance` for tests.
//!
//! Unpaused, `now()` is `std::time::Instant::now()`. Paused, it is frozen
//! at `base` and only moves by `advance` (or by the driver's auto-advance:
//! when the runtime has nothing to do but wait for a timer, it jumps the
//! clock to that timer instead of sleeping).

use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::context;

pub(crate) struct Clock {
    /// Fast path: a clock that was never paused is the system clock.
    ever_paused: AtomicBool,
    inner: Mutex<Inner>,
}

struct Inner {
    base: std::time::Instant,
    /// `Some(when)` while running: time is `base + when.elapsed()`.
    unfrozen: Option<std::time::Instant>,
}

impl Clock {
    pub(crate) fn new(start_paused: bool) -> Clock {
        let now = std::time::Instant::now();
        let clock = Clock {
            ever_paused: AtomicBool::new(false),
            inner: Mutex::new(Inner {
                base: now,
                unfrozen: Some(now),
            }),
        };
        if start_paused {
            clock.pause();
        }
        clock
    }

    pub(crate) fn now(&self) -> Instant {
        if !self.ever_paused.load(Ordering::Acquire) {
            return Instant::from_std(std::time::Instant::now());
        }
        let inner = self.inner.lock().unwrap();
        let mut now = inner.base;
        if let Some(unfrozen) = inner.unfrozen {
            now += unfrozen.elapsed();
        }
        Instant::from_std(now)
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.ever_paused.load(Ordering::Acquire) && self.inner.lock().unwrap().unfrozen.is_none()
    }

    pub(crate) fn pause(&self) {
        let mut inner = self.inner.lock().unwrap();
        let unfrozen = inner.unfrozen.take().expect("time is already frozen");
        inner.base += unfrozen.elapsed();
        self.ever_paused.store(true, Ordering::Release);
    }

    pub(crate) fn resume(&self) {
        let mut inner = self.inner.lock().unwrap();
        assert!(inner.unfrozen.is_none(), "time is not frozen");
        inner.unfrozen = Some(std::time::Instant::now());
    }

    pub(crate) fn advance(&self, duration: Duration) {
        let mut inner = self.inner.lock().unwrap();
        assert!(inner.unfrozen.is_none(), "time is not frozen");
        inner.base += duration;
    }
}

/// A point in time, read from the current runtime's clock (which may be
/// paused). Outside a runtime it is the system clock.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    std: std::time::Instant,
}

impl Instant {
    pub fn now() -> Instant {
        context::with_current(
            |handle| match handle.and_then(|h| h.driver().time.as_ref()) {
                Some(time) => time.clock().now(),
                None => Instant::from_std(std::time::Instant::now()),
            },
        )
    }

    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant { std }
    }

    pub fn into_std(self) -> std::time::Instant {
        self.std
    }

    /// Far enough in the future to mean "never" (about 30 years).
    pub(crate) fn far_future() -> Instant {
        Instant::now() + Duration::from_secs(86400 * 365 * 30)
    }

    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_add(duration).map(Instant::from_std)
    }

    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_sub(duration).map(Instant::from_std)
    }

    pub fn elapsed(&self) -> Duration {
        Instant::now().saturating_duration_since(*self)
    }
}

impl From<std::time::Instant> for Instant {
    fn from(std: std::time::Instant) -> Instant {
        Instant::from_std(std)
    }
}

impl From<Instant> for std::time::Instant {
    fn from(i: Instant) -> std::time::Instant {
        i.std
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, rhs: Duration) -> Instant {
        Instant::from_std(self.std + rhs)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        self.std += rhs;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, rhs: Duration) -> Instant {
        Instant::from_std(self.std - rhs)
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, rhs: Duration) {
        self.std -= rhs;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    fn sub(self, rhs: Instant) -> Duration {
        self.std.saturating_duration_since(rhs.std)
    }
}

impl std::fmt::Debug for Instant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.std.fmt(f)
    }
}
