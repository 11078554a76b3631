//! The multi-thread, work-stealing scheduler.
//!
//! ```text
//!                 ┌──────────── Shared ─────────────┐
//!   spawn/wake ──►│ inject queue (Mutex<VecDeque>)  │◄── overflow
//!   from outside  │ remotes[i]: steal end, unparker │
//!                 │ idle: who sleeps, who searches  │
//!                 │ owned tasks (for shutdown)      │
//!                 └─────────────────────────────────┘
//!   worker i (a thread) owns a Core:
//!     lifo_slot   the task woken last by this worker (run next: message
//!                 passing ping-pongs stay hot in cache)
//!     run_queue   256-slot ring; others steal half of it
//!     loop: next_task (lifo → local → inject every 61 ticks / when empty)
//!           else steal_work (random victim, then inject)
//!           else park (in the driver if free, else on a condvar)
//! ```
//!
//! A `wake()` on a worker thread goes to that worker's LIFO slot (or its
//! queue for `yield_now`); from anywhere else it goes to the inject queue and
//! wakes a sleeping worker. `block_on` runs its future on the calling
//! thread, which is not a worker.

mod idle;
mod park;
mod queue;
mod worker;

use std::future::Future;
use std::sync::{Arc, Mutex};

pub(crate) use self::worker::Context;
use self::worker::Core;
use crate::driver::{self, Driver};
use crate::park::block_on_thread;
use crate::scheduler::inject::Inject;
use crate::task::{self, JoinHandle, OwnedTasks};
use crate::{blocking, context, scheduler};

pub(crate) struct MultiThread {
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

pub(crate) struct Handle {
    pub(super) shared: worker::Shared,
    pub(crate) driver: driver::Handle,
    pub(crate) blocking: blocking::Spawner,
}

pub(crate) struct Config {
    pub(crate) worker_threads: usize,
    pub(crate) thread_name: String,
    pub(crate) stack_size: Option<usize>,
}

impl MultiThread {
    #[allow(clippy::vec_box)] // cores stay boxed for their whole life
    pub(crate) fn new(
        config: &Config,
        driver: Driver,
        driver_handle: driver::Handle,
        blocking: blocking::Spawner,
    ) -> (MultiThread, Arc<Handle>, Vec<Box<Core>>) {
        let driver = Arc::new(Mutex::new(driver));
        let n = config.worker_threads.max(1);
        let mut cores = Vec::with_capacity(n);
        let mut remotes = Vec::with_capacity(n);
        for index in 0..n {
            let (core, remote) = Core::new(index, driver.clone());
            cores.push(core);
            remotes.push(remote);
        }
        let handle = Arc::new(Handle {
            shared: worker::Shared::new(remotes.into_boxed_slice(), driver),
            driver: driver_handle,
            blocking,
        });
        (
            MultiThread {
                threads: Mutex::new(Vec::new()),
            },
            handle,
            cores,
        )
    }

    /// Start one OS thread per core.
    #[allow(clippy::vec_box)]
    pub(crate) fn launch(
        &self,
        handle: &scheduler::Handle,
        cores: Vec<Box<Core>>,
        config: &Config,
    ) -> std::io::Result<()> {
        let mut threads = self.threads.lock().unwrap();
        for core in cores {
            let handle = handle.clone();
            let mut builder = std::thread::Builder::new().name(config.thread_name.clone());
            if let Some(size) = config.stack_size {
                builder = builder.stack_size(size);
            }
            threads.push(builder.spawn(move || worker::run(handle, core))?);
        }
        Ok(())
    }

    pub(crate) fn block_on<F: Future>(&self, handle: &scheduler::Handle, future: F) -> F::Output {
        let _enter = context::enter_runtime(handle);
        block_on_thread(future)
    }

    /// Stop the workers, then cancel every remaining task here.
    pub(crate) fn shutdown(&self, handle: &scheduler::Handle) {
        let scheduler::Handle::MultiThread(me) = handle else {
            unreachable!()
        };
        me.shared.close(&me.driver);
        let threads = std::mem::take(&mut *self.threads.lock().unwrap());
        let here = std::thread::current().id();
        for thread in threads {
            if thread.thread().id() != here {
                let _ = thread.join();
            }
        }
        let _current = context::set_current(handle);
        me.shared.shutdown_tasks(&me.driver);
    }
}

impl Handle {
    pub(crate) fn spawn<F>(me: &Arc<Self>, future: F, id: task::Id) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (join, notified) = me.shared.owned.bind(future, me.clone(), id);
        if let Some(notified) = notified {
            me.schedule_task(notified, false);
        }
        join
    }
}

pub(super) type Owned = OwnedTasks<Arc<Handle>>;
pub(super) type InjectQueue = Inject<Arc<Handle>>;
