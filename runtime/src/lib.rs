//! Clockwork: a companion async runtime written to be read.
//!
//! Follow one `wake()` through the crate, in the order the seed document
//! walks through tokio:
//!
//! | step | file |
//! |---|---|
//! | scheduler picks a task, `task.run()` | `current_thread.rs`, `multi_thread/worker.rs` |
//! | `Harness::poll` → `poll_inner`, state transitions | `task/harness.rs`, `task/state.rs` |
//! | `waker_ref`, the `RawWakerVTable` | `task/waker.rs` |
//! | `Core::poll` pins and polls the future, panics caught | `task/core.rs`, `task/harness.rs` |
//! | `wake_by_val` → `schedule()` | `task/harness.rs` → the scheduler's `Schedule` impl |
//! | timer wheel `process_at_time` → `entry.fire()` → wake list | `wheel.rs`, `driver.rs` |
//! | I/O driver `turn()`: epoll → token → `ScheduledIo::wake` → wake list | `io/driver.rs`, `io/scheduled_io.rs` |
//!
//! ```
//! use std::time::Duration;
//!
//! let rt = clockwork::Builder::new_current_thread().enable_time().build().unwrap();
//! rt.block_on(async {
//!     let (tx, rx) = clockwork::sync::oneshot::channel();
//!     clockwork::spawn(async move {
//!         clockwork::time::sleep(Duration::from_millis(1)).await;
//!         tx.send("tick").unwrap();
//!     });
//!     assert_eq!(rx.await.unwrap(), "tick");
//! });
//! ```
//!
//! # Features
//! `rt` (on by default) is the runtime. Without it (`default-features = false`) the crate is
//! `#![no_std]` and holds only [`machine`], the support module `#[state_machine]` expansions
//! call, and the attributes: what a user of another runtime needs, with no scheduler, no `mio`
//! and no threads.

#![cfg_attr(not(feature = "rt"), no_std)]

pub use clockwork_macros::state_machine;
#[cfg(feature = "rt")]
pub use clockwork_macros::{main, test};

pub mod machine;

/// Items that are the runtime: compiled with the `rt` feature only.
macro_rules! cfg_rt {
    ($($item:item)*) => { $( #[cfg(feature = "rt")] $item )* };
}

cfg_rt! {
    mod blocking;
    mod context;
    mod coop;
    mod driver;
    pub mod io;
    mod loom;
    pub mod net;
    mod park;
    mod runtime;
    mod scheduler;
    pub mod sync;
    pub mod task;
    pub mod time;

    use std::future::Future;

    pub use crate::blocking::spawn_blocking;
    pub use crate::runtime::{Builder, EnterGuard, Handle, Runtime};
    pub use crate::task::{AbortHandle, JoinError, JoinHandle, JoinSet, yield_now};

    /// Spawn a task on the current runtime.
    ///
    /// # Panics
    /// Outside a runtime (`block_on`, a task, or `Runtime::enter`).
    pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let id = task::Id::next();
        context::with_current(|handle| match handle {
            Some(handle) => handle.spawn(future, id),
            None => panic!("`spawn` called outside of a clockwork runtime"),
        })
    }

    /// Spawn a `!Send` task. Only on the current-thread runtime, from inside its
    /// `block_on`; the runtime is then tied to this thread.
    ///
    /// # Panics
    /// Anywhere else.
    pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let id = task::Id::next();
        context::with_current(|handle| match handle {
            Some(scheduler::Handle::CurrentThread(h)) => {
                scheduler::current_thread::Handle::spawn_local(h, future, id)
            }
            _ => panic!("`spawn_local` requires being inside a current-thread runtime's `block_on`"),
        })
    }
}

#[cfg(all(test, not(loom), feature = "rt"))]
mod tests;
