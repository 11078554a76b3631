//! `JoinSet`: a bag of spawned tasks, awaited in completion order.
//!
//! Kept deliberately simple: the handles live in a `Vec`, and
//! `poll_join_next` polls them in turn (a ready one is `swap_remove`d).
//! That is O(n) per poll, fine for the tens-to-thousands of tasks a set
//! usually holds; tokio's version keeps an intrusive "notified" list instead.
//! Dropping the set aborts every task still in it.

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{AbortHandle, JoinError, JoinHandle};

pub struct JoinSet<T> {
    handles: Vec<JoinHandle<T>>,
    /// Where the next scan starts, so early handles do not get all the budget.
    cursor: usize,
}

impl<T> JoinSet<T> {
    pub fn new() -> JoinSet<T> {
        JoinSet {
            handles: Vec::new(),
            cursor: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.handles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }

    /// Abort every task; they still have to be joined (as `Cancelled`).
    pub fn abort_all(&self) {
        self.handles.iter().for_each(JoinHandle::abort);
    }

    /// Forget every task, letting them run on detached.
    pub fn detach_all(&mut self) {
        self.handles.clear();
    }

    /// Wait for one task to finish. `None` once the set is empty.
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// Abort everything and wait for all of it to stop.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Wait for every task; outputs in completion order. Panics of tasks
    /// are resumed here.
    pub async fn join_all(mut self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len());
        while let Some(res) = self.join_next().await {
            match res {
                Ok(v) => out.push(v),
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(e) => panic!("{e}"),
            }
        }
        out
    }

    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        let len = self.handles.len();
        if len == 0 {
            return Poll::Ready(None);
        }
        for step in 0..len {
            let i = (self.cursor + step) % len;
            if let Poll::Ready(res) = Pin::new(&mut self.handles[i]).poll(cx) {
                drop(self.handles.swap_remove(i));
                self.cursor = i;
                return Poll::Ready(Some(res));
            }
        }
        Poll::Pending
    }
}

impl<T: Send + 'static> JoinSet<T> {
    /// Spawn a task on the current runtime into this set.
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(crate::spawn(future))
    }

    /// Run a blocking closure on the blocking pool, into this set.
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        self.insert(crate::spawn_blocking(f))
    }
}

impl<T: 'static> JoinSet<T> {
    /// Spawn a `!Send` task on the current-thread runtime into this set.
    pub fn spawn_local<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(crate::spawn_local(future))
    }

    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        self.handles.push(handle);
        abort
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len()).finish()
    }
}
