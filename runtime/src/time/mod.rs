//! Time: a hierarchical timer wheel and the futures built on it.
//!
//! The seed's timer step, in this crate:
//!
//! ```text
//! sleep(d).await ─► Sleep::poll ─► driver::Handle::register ─► TimerWheel::insert
//!   ... the scheduler runs out of work ...
//! Driver::park ─► driver::Handle::park_internal (sleep until the next expiration)
//!   ─► process_at_time(now) ─► TimerWheel::poll_expired ─► entry.fire()
//!   ─► wake list ─► waker.wake() ─► wake_by_val ─► schedule()
//! ```
//!
//! * `wheel`: `TimerWheel`, 6 × 64 slots with occupancy bitmaps.
//! * `driver`: the shared, locked wheel; parking; firing outside the lock.
//! * `clock`: `Instant`, and `pause`/`advance` for deterministic tests.
//! * `sleep`, `timeout`, `interval`: the public futures.

mod clock;
pub(crate) mod driver;
mod interval;
mod sleep;
mod timeout;
pub(crate) mod wheel;

use std::time::Duration;

pub use self::clock::Instant;
pub use self::interval::{Interval, MissedTickBehavior, interval, interval_at};
pub use self::sleep::{Sleep, sleep, sleep_until};
pub use self::timeout::{Elapsed, Timeout, timeout, timeout_at};

/// Freeze the current runtime's clock. While paused, time moves only through
/// [`advance`], or automatically: when the runtime has nothing to run but
/// timers, it jumps straight to the next one instead of sleeping.
///
/// # Panics
/// Outside a current-thread runtime with the time driver, or if already paused.
pub fn pause() {
    let handle = require_current_thread("pause");
    handle.clock().pause();
}

/// Unfreeze the clock.
pub fn resume() {
    let handle = require_current_thread("resume");
    handle.clock().resume();
}

/// Move a paused clock forward by `duration`, fire the timers now due, and
/// yield so their tasks can run.
pub async fn advance(duration: Duration) {
    let handle = require_current_thread("advance");
    handle.clock().advance(duration);
    handle.process_after_advance();
    crate::task::yield_now().await;
}

fn require_current_thread(what: &str) -> driver::Handle {
    let handle = crate::context::current_handle()
        .unwrap_or_else(|| panic!("`time::{what}` called outside of a clockwork runtime"));
    assert!(
        handle.is_current_thread(),
        "`time::{what}` requires the current-thread runtime"
    );
    handle
        .driver()
        .time
        .clone()
        .unwrap_or_else(|| panic!("`time::{what}` requires the time driver (`enable_time`)"))
}

#[cfg(all(test, not(loom)))]
pub(crate) fn sleep_handle_for_tests() -> driver::Handle {
    sleep::current_time_handle()
}
