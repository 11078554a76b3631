//! The injection queue: where tasks go when they are woken from outside the
//! scheduler's own thread(s) (another thread, a timer on a thread without
//! the core, `spawn` from outside). A mutex-guarded `VecDeque`, with an
//! atomic length so that the common "is it empty?" check takes no lock.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::task::Notified;

pub(crate) struct Inject<S: 'static> {
    queue: Mutex<Queue<S>>,
    len: AtomicUsize,
}

struct Queue<S: 'static> {
    tasks: VecDeque<Notified<S>>,
    closed: bool,
}

impl<S: 'static> Inject<S> {
    pub(crate) fn new() -> Inject<S> {
        Inject {
            queue: Mutex::new(Queue {
                tasks: VecDeque::new(),
                closed: false,
            }),
            len: AtomicUsize::new(0),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// Push a task. After `close`, the task is dropped instead: shutdown has
    /// already cancelled it through the owned-tasks list.
    pub(crate) fn push(&self, task: Notified<S>) {
        let mut q = self.queue.lock().unwrap();
        if q.closed {
            drop(q);
            drop(task);
            return;
        }
        q.tasks.push_back(task);
        self.len.store(q.tasks.len(), Ordering::Release);
    }

    pub(crate) fn push_batch(&self, tasks: impl Iterator<Item = Notified<S>>) {
        let mut q = self.queue.lock().unwrap();
        if q.closed {
            drop(q);
            tasks.for_each(drop);
            return;
        }
        q.tasks.extend(tasks);
        self.len.store(q.tasks.len(), Ordering::Release);
    }

    pub(crate) fn pop(&self) -> Option<Notified<S>> {
        if self.is_empty() {
            return None;
        }
        let mut q = self.queue.lock().unwrap();
        let task = q.tasks.pop_front();
        self.len.store(q.tasks.len(), Ordering::Release);
        task
    }

    /// Pop up to `n` tasks at once (a worker refilling its local queue).
    pub(crate) fn pop_n(&self, n: usize) -> Vec<Notified<S>> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut q = self.queue.lock().unwrap();
        let n = n.min(q.tasks.len());
        let tasks: Vec<_> = q.tasks.drain(..n).collect();
        self.len.store(q.tasks.len(), Ordering::Release);
        tasks
    }

    /// Refuse further pushes and return what is left (for the caller to drop
    /// outside the lock).
    pub(crate) fn close(&self) -> VecDeque<Notified<S>> {
        let mut q = self.queue.lock().unwrap();
        q.closed = true;
        self.len.store(0, Ordering::Release);
        std::mem::take(&mut q.tasks)
    }
}
