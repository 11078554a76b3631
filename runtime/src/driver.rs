//! The driver stack: what a scheduler does when it has nothing to run.
//!
//! ```text
//! scheduler has no task ─► Driver::park(handle)
//!   └─ turn(timeout)
//!        ├─ time:  how long until the next timer? (TimerWheel::next_expiration)
//!        ├─ I/O:   wait for events at most that long: IoStack::park
//!        │           enabled:  io::driver::Driver::park → epoll_wait → token
//!        │                     → ScheduledIo::wake → wake list   (src/io/driver.rs)
//!        │           disabled: a condvar (`ParkThread`)
//!        └─ time:  process_at_time(now) → entry.fire() → wake list → wake()
//! ```
//!
//! Every `wake()` that lands in a queue while the scheduler sleeps calls
//! `Handle::unpark`, which interrupts the wait (the condvar, or epoll via a
//! `mio::Waker`).

use std::io;
use std::time::Duration;

use crate::park::{ParkThread, UnparkThread};
use crate::{io as cw_io, time};

pub(crate) struct Driver {
    /// Where the thread actually sleeps.
    io: IoStack,
}

/// The bottom of the stack: epoll if I/O is enabled, else a condvar.
pub(crate) enum IoStack {
    Enabled(cw_io::driver::Driver),
    Disabled(ParkThread),
}

/// Wakes whatever `IoStack` the driver sleeps in.
#[derive(Clone)]
pub(crate) enum Unpark {
    Io(cw_io::driver::Handle),
    Thread(UnparkThread),
}

/// Shared with every thread that may need to wake the driver, register a
/// timer or register a socket.
pub(crate) struct Handle {
    unpark: Unpark,
    pub(crate) time: Option<time::driver::Handle>,
    pub(crate) io: Option<cw_io::driver::Handle>,
}

pub(crate) struct Config {
    pub(crate) enable_time: bool,
    pub(crate) enable_io: bool,
    pub(crate) start_paused: bool,
}

impl Driver {
    pub(crate) fn new(config: &Config) -> io::Result<(Driver, Handle)> {
        let (stack, unpark, io) = if config.enable_io {
            let (driver, handle) = cw_io::driver::Driver::new()?;
            (
                IoStack::Enabled(driver),
                Unpark::Io(handle.clone()),
                Some(handle),
            )
        } else {
            let park = ParkThread::new();
            let unpark = Unpark::Thread(park.unpark());
            (IoStack::Disabled(park), unpark, None)
        };
        let time = config
            .enable_time
            .then(|| time::driver::Handle::new(unpark.clone(), config.start_paused));
        Ok((Driver { io: stack }, Handle { unpark, time, io }))
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
            Some(time) => time.park_internal(&mut self.io, timeout),
            None => {
                self.io.park(timeout);
            }
        }
    }

    /// Runtime shutdown: drop every registered timer's waker (so no task is
    /// kept alive by the wheel), and fail every pending socket operation.
    pub(crate) fn shutdown(&mut self, handle: &Handle) {
        if let Some(time) = &handle.time {
            time.shutdown();
        }
        if let IoStack::Enabled(io) = &mut self.io {
            io.shutdown();
        }
    }
}

impl IoStack {
    /// Block until unparked, an I/O event, or `timeout`. Returns `false`
    /// on a plain timeout.
    pub(crate) fn park(&mut self, timeout: Option<Duration>) -> bool {
        match self {
            IoStack::Enabled(io) => io.park(timeout),
            IoStack::Disabled(park) => park.park(timeout),
        }
    }
}

impl Unpark {
    pub(crate) fn unpark(&self) {
        match self {
            Unpark::Io(io) => io.unpark(),
            Unpark::Thread(thread) => thread.unpark(),
        }
    }
}

impl Handle {
    /// Interrupt a `park` in progress (or make the next one return at once).
    pub(crate) fn unpark(&self) {
        self.unpark.unpark();
    }
}
