//! Schedulers: who calls `task.run()`, and where a woken task goes.
//!
//! * [`current_thread`]: one thread, the one in `block_on`.
//! * [`multi_thread`]: a pool of workers with local queues, a LIFO slot,
//!   work stealing, a shared inject queue and idle-worker parking.
//!
//! Both implement `task::Schedule` for `Arc<their Handle>`: that `Arc` is
//! stored in every task cell, and `Harness::schedule` calls
//! `scheduler.schedule(notified)` on it when a waker fires.

pub(crate) mod current_thread;
pub(crate) mod inject;
pub(crate) mod multi_thread;

use std::future::Future;
use std::sync::Arc;

use crate::task::{self, JoinHandle};
use crate::{blocking, driver};

/// A clonable reference to a running scheduler.
#[derive(Clone)]
pub(crate) enum Handle {
    CurrentThread(Arc<current_thread::Handle>),
    MultiThread(Arc<multi_thread::Handle>),
}

/// What the thread currently driving a scheduler keeps in its thread-local.
pub(crate) enum Context {
    CurrentThread(current_thread::Context),
    MultiThread(multi_thread::Context),
}

impl Handle {
    pub(crate) fn spawn<F>(&self, future: F, id: task::Id) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Handle::CurrentThread(h) => current_thread::Handle::spawn(h, future, id),
            Handle::MultiThread(h) => multi_thread::Handle::spawn(h, future, id),
        }
    }

    pub(crate) fn driver(&self) -> &driver::Handle {
        match self {
            Handle::CurrentThread(h) => &h.driver,
            Handle::MultiThread(h) => &h.driver,
        }
    }

    pub(crate) fn blocking_spawner(&self) -> &blocking::Spawner {
        match self {
            Handle::CurrentThread(h) => &h.blocking,
            Handle::MultiThread(h) => &h.blocking,
        }
    }

    pub(crate) fn is_current_thread(&self) -> bool {
        matches!(self, Handle::CurrentThread(_))
    }
}
