//! The driver stack: what a scheduler does when it has nothing to run.
//!
//! ```text
//! scheduler has no task ─► Driver::park(handle)
//!   └─ turn(timeout)
//!        ├─ time:  how long until the next timer? (TimerWheel::next_expiration)
//!        ├─ I/O:   wait for events at most that long
//!        │         (today a condvar: `ParkThread`; the I/O issue puts
//!        │          mio's `Poll::poll` → token → `ScheduledIo::wake` here)
//!        └─ time:  process_at_time(now) → entry.fire() → wake list → wake()
//! ```
//!
//! Every `wake()` that lands in a queue while the scheduler sleeps calls
//! `Handle::unpark`, which interrupts the wait.

use std::time::Duration;

use crate::park::{ParkThread, UnparkThread};
use crate::time;

pub(crate) struct Driver {
    /// Where the thread actually sleeps. The I/O driver replaces this.
    park: ParkThread,
}

/// Shared with every thread that may need to wake the driver or register a
/// timer.
pub(crate) struct Handle {
    unpark: UnparkThread,
    pub(crate) time: Option<time::driver::Handle>,
}

pub(crate) struct Config {
    pub(crate) enable_time: bool,
    pub(crate) enable_io: bool,
    pub(crate) start_paused: bool,
}

impl Driver {
    pub(crate) fn new(config: &Config) -> (Driver, Handle) {
        // `enable_io` is accepted but there is no I/O driver yet: the
        // `ParkThread` below is where it will go.
        let _ = config.enable_io;
        let park = ParkThread::new();
        let unpark = park.unpark();
        let time = config
            .enable_time
            .then(|| time::driver::Handle::new(unpark.clone(), config.start_paused));
        (Driver { park }, Handle { unpark, time })
    }

    /// Sleep until woken, or until the next timer is due; then fire timers.
    pub(crate) fn park(&mut self, handle: &Handle) {
        self.turn(handle, None);
    }

    /// Like `park`, but return after at most `duration` (zero: just poll).
    pub(crate) fn park_timeout(&mut self, handle: &Handle, duration: Duration) {
        self.turn(handle, Some(duration));
    }

    fn turn(&mut self, handle: &Handle, timeout: Option<Duration>) {
        match &handle.time {
            Some(time) => time.park_internal(&self.park, timeout),
            None => {
                self.park.park(timeout);
            }
        }
    }

    /// Runtime shutdown: drop every registered timer's waker (so no task is
    /// kept alive by the wheel).
    pub(crate) fn shutdown(&mut self, handle: &Handle) {
        if let Some(time) = &handle.time {
            time.shutdown();
        }
    }
}

impl Handle {
    /// Interrupt a `park` in progress (or make the next one return at once).
    pub(crate) fn unpark(&self) {
        self.unpark.unpark();
    }
}
