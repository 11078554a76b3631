//! `OwnedTasks`: every live task of one scheduler, so shutdown can find and
//! cancel the ones nobody is polling.
//!
//! Each task's `Task` reference sits in one of a few mutex-guarded vectors
//! (sharded by task id, so two workers spawning at once rarely contend).
//! The header remembers its index; removal is a `swap_remove` that fixes up
//! the index of the task moved into the hole. Once closed, newly bound tasks
//! are cancelled on the spot.

use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Id, JoinHandle, Notified, Schedule, Task, new_task};

const SHARDS: usize = 16;

pub(crate) struct OwnedTasks<S: 'static> {
    shards: Box<[Mutex<Vec<Task<S>>>]>,
    closed: AtomicBool,
}

impl<S: Schedule> OwnedTasks<S> {
    pub(crate) fn new() -> OwnedTasks<S> {
        OwnedTasks {
            shards: (0..SHARDS).map(|_| Mutex::new(Vec::new())).collect(),
            closed: AtomicBool::new(false),
        }
    }

    /// Allocate a task and register it. Returns `None` for the `Notified` if
    /// the scheduler is shut down (the task is then already cancelled).
    pub(crate) fn bind<T>(
        &self,
        future: T,
        scheduler: S,
        id: Id,
    ) -> (JoinHandle<T::Output>, Option<Notified<S>>)
    where
        T: Future + Send + 'static,
        T::Output: Send + 'static,
    {
        let (task, notified, join) = new_task(future, scheduler, id);
        (join, self.bind_inner(task, notified))
    }

    /// `bind` for a `!Send` future.
    ///
    /// # Safety
    /// The scheduler must only poll and drop this task on the current thread.
    pub(crate) unsafe fn bind_local<T>(
        &self,
        future: T,
        scheduler: S,
        id: Id,
    ) -> (JoinHandle<T::Output>, Option<Notified<S>>)
    where
        T: Future + 'static,
        T::Output: 'static,
    {
        let (task, notified, join) = new_task(future, scheduler, id);
        (join, self.bind_inner(task, notified))
    }

    fn bind_inner(&self, task: Task<S>, notified: Notified<S>) -> Option<Notified<S>> {
        let mut shard = self.shard(task.id()).lock().unwrap();
        // Read under the shard lock: see `close_and_shutdown_all`.
        if self.closed.load(Ordering::Acquire) {
            drop(shard);
            drop(notified);
            task.shutdown();
            return None;
        }
        task.header()
            .owned_index
            .store(shard.len(), Ordering::Relaxed);
        shard.push(task);
        Some(notified)
    }

    /// Take `task` out of the list, returning the list's reference.
    pub(crate) fn remove(&self, task: &Task<S>) -> Option<Task<S>> {
        let mut shard = self.shard(task.id()).lock().unwrap();
        let index = task.header().owned_index.load(Ordering::Relaxed);
        if index == usize::MAX {
            return None; // shutdown already took it
        }
        let removed = shard.swap_remove(index);
        debug_assert!(removed.raw == task.raw);
        if let Some(moved) = shard.get(index) {
            moved.header().owned_index.store(index, Ordering::Relaxed);
        }
        removed
            .header()
            .owned_index
            .store(usize::MAX, Ordering::Relaxed);
        Some(removed)
    }

    /// Refuse new tasks, then cancel every task still in the list. Futures
    /// are dropped here, outside the lock (their destructors may spawn or
    /// drop other tasks).
    pub(crate) fn close_and_shutdown_all(&self) {
        // Set before draining: a `bind` that takes a shard lock after we
        // drained that shard is guaranteed to see `closed`.
        self.closed.store(true, Ordering::Release);
        for shard in self.shards.iter() {
            loop {
                let task = {
                    let mut shard = shard.lock().unwrap();
                    let Some(task) = shard.pop() else { break };
                    task.header()
                        .owned_index
                        .store(usize::MAX, Ordering::Relaxed);
                    task
                };
                task.shutdown();
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.shards.iter().all(|s| s.lock().unwrap().is_empty())
    }

    fn shard(&self, id: Id) -> &Mutex<Vec<Task<S>>> {
        &self.shards[id.0 as usize % SHARDS]
    }
}
