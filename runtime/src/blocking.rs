//! `spawn_blocking`: run a closure that blocks on a small pool of threads,
//! so it does not stall a scheduler.
//!
//! The closure is wrapped in a future that runs it on its first poll, then
//! spawned as an ordinary task (same cell, same `JoinHandle`) whose
//! scheduler, `BlockingSchedule`, never reschedules: a pool thread pops the
//! `Notified` and calls `task.run()` once. Threads are started on demand up
//! to a limit and exit after idling for a while.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use crate::task::{self, JoinHandle, Notified, Schedule, Task};
use crate::{context, scheduler};

const KEEP_ALIVE: Duration = Duration::from_secs(10);

pub(crate) struct BlockingPool {
    spawner: Spawner,
}

#[derive(Clone)]
pub(crate) struct Spawner {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Mutex<Shared>,
    condvar: Condvar,
    max_threads: usize,
    thread_name: String,
    /// Filled in once the runtime exists, so that pool threads can `spawn`.
    handle: Mutex<Option<scheduler::Handle>>,
}

struct Shared {
    queue: VecDeque<Notified<BlockingSchedule>>,
    num_threads: usize,
    num_idle: usize,
    /// Idle threads already signalled but not yet awake.
    num_notify: usize,
    shutdown: bool,
    threads: Vec<std::thread::JoinHandle<()>>,
}

/// The "scheduler" of a blocking task: it runs exactly once.
pub(crate) struct BlockingSchedule;

impl Schedule for BlockingSchedule {
    fn release(&self, _task: &Task<Self>) -> Option<Task<Self>> {
        None // never in an owned list
    }

    fn schedule(&self, _task: Notified<Self>) {
        // A blocking task is Ready on its only poll, and `abort()` on a
        // queued task finds it NOTIFIED already, so nothing ever wakes it.
        unreachable!("blocking tasks are never rescheduled");
    }
}

/// Runs the closure on first poll.
struct BlockingTask<F> {
    func: Option<F>,
}

impl<F> Unpin for BlockingTask<F> {}

impl<F: FnOnce() -> R, R> Future for BlockingTask<F> {
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let func = self
            .func
            .take()
            .expect("blocking task polled after completion");
        Poll::Ready(func())
    }
}

impl BlockingPool {
    pub(crate) fn new(max_threads: usize, thread_name: String) -> BlockingPool {
        BlockingPool {
            spawner: Spawner {
                inner: Arc::new(Inner {
                    shared: Mutex::new(Shared {
                        queue: VecDeque::new(),
                        num_threads: 0,
                        num_idle: 0,
                        num_notify: 0,
                        shutdown: false,
                        threads: Vec::new(),
                    }),
                    condvar: Condvar::new(),
                    max_threads,
                    thread_name,
                    handle: Mutex::new(None),
                }),
            },
        }
    }

    pub(crate) fn spawner(&self) -> &Spawner {
        &self.spawner
    }

    pub(crate) fn set_handle(&self, handle: scheduler::Handle) {
        *self.spawner.inner.handle.lock().unwrap() = Some(handle);
    }

    /// Drop queued (not started) closures, wait for running ones.
    pub(crate) fn shutdown(&self) {
        let (queue, threads) = {
            let mut shared = self.spawner.inner.shared.lock().unwrap();
            shared.shutdown = true;
            (
                std::mem::take(&mut shared.queue),
                std::mem::take(&mut shared.threads),
            )
        };
        self.spawner.inner.condvar.notify_all();
        for task in queue {
            // Not started: cancel it so its JoinHandle sees `Cancelled`.
            task.shutdown();
        }
        let me = std::thread::current().id();
        for thread in threads {
            if thread.thread().id() != me {
                let _ = thread.join();
            }
        }
        // Break the handle → pool → handle cycle.
        self.spawner.inner.handle.lock().unwrap().take();
    }
}

impl Spawner {
    pub(crate) fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let id = task::Id::next();
        let (task, notified, join) =
            task::new_task(BlockingTask { func: Some(func) }, BlockingSchedule, id);
        // Not in any owned list: drop the list's reference right away.
        drop(task);
        let mut shared = self.inner.shared.lock().unwrap();
        if shared.shutdown {
            drop(shared);
            notified.shutdown();
            return join;
        }
        shared.queue.push_back(notified);
        if shared.num_idle > shared.num_notify {
            shared.num_notify += 1;
            self.inner.condvar.notify_one();
        } else if shared.num_threads < self.inner.max_threads {
            shared.num_threads += 1;
            let inner = self.inner.clone();
            let thread = std::thread::Builder::new()
                .name(self.inner.thread_name.clone())
                .spawn(move || inner.run())
                .expect("failed to spawn a blocking pool thread");
            shared.threads.push(thread);
        }
        join
    }
}

impl Inner {
    fn run(&self) {
        let handle = self.handle.lock().unwrap().clone();
        let _current = handle.as_ref().map(context::set_current);
        let mut shared = self.shared.lock().unwrap();
        loop {
            while let Some(task) = shared.queue.pop_front() {
                drop(shared);
                task.run();
                shared = self.shared.lock().unwrap();
            }
            if shared.shutdown {
                break;
            }
            shared.num_idle += 1;
            let (guard, timeout) = self.condvar.wait_timeout(shared, KEEP_ALIVE).unwrap();
            shared = guard;
            shared.num_idle -= 1;
            shared.num_notify = shared.num_notify.saturating_sub(1);
            if timeout.timed_out() && shared.queue.is_empty() && !shared.shutdown {
                break; // idle for too long: this thread leaves the pool
            }
        }
        shared.num_threads -= 1;
    }
}

/// Run `func` on the blocking pool of the current runtime.
///
/// # Panics
/// Outside a runtime.
pub fn spawn_blocking<F, R>(func: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    context::with_current(|handle| match handle {
        Some(handle) => handle.blocking_spawner().spawn_blocking(func),
        None => panic!("`spawn_blocking` called outside of a clockwork runtime"),
    })
}
