//! `JoinSet`: a bag of spawned tasks, awaited in completion order.
//!
//! Every entry is polled with its own waker, which records "entry `i` may be
//! ready" in a shared list before waking the `JoinSet`'s owner. So
//! `join_next` only polls entries that were woken (plus new ones, once, to
//! register that waker): O(1) per completed task, not a scan of the set.
//! Dropping the set aborts every task still in it.

use std::collections::VecDeque;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use super::{AbortHandle, JoinError, JoinHandle};

pub struct JoinSet<T> {
    /// A slab: `None` slots are listed in `free`.
    entries: Vec<Option<Entry<T>>>,
    free: Vec<usize>,
    len: usize,
    shared: Arc<Shared>,
}

struct Entry<T> {
    handle: JoinHandle<T>,
    /// An `EntryWaker` for this slot; the same one every poll.
    waker: Waker,
}

struct Shared {
    ready: Mutex<Ready>,
}

struct Ready {
    /// Slots to poll. May hold stale or duplicate indexes: polling those is
    /// merely a wasted poll.
    slots: VecDeque<usize>,
    /// The task awaiting `join_next`.
    owner: Option<Waker>,
}

/// The waker given to one entry's `JoinHandle`.
struct EntryWaker {
    slot: usize,
    shared: Arc<Shared>,
}

impl Wake for EntryWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let owner = {
            let mut ready = self.shared.ready.lock().unwrap();
            ready.slots.push_back(self.slot);
            ready.owner.take()
        };
        if let Some(owner) = owner {
            owner.wake();
        }
    }
}

impl<T> JoinSet<T> {
    pub fn new() -> JoinSet<T> {
        JoinSet {
            entries: Vec::new(),
            free: Vec::new(),
            len: 0,
            shared: Arc::new(Shared {
                ready: Mutex::new(Ready {
                    slots: VecDeque::new(),
                    owner: None,
                }),
            }),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Abort every task; they still have to be joined (as `Cancelled`).
    pub fn abort_all(&self) {
        for entry in self.entries.iter().flatten() {
            entry.handle.abort();
        }
    }

    /// Forget every task, letting them run on detached.
    pub fn detach_all(&mut self) {
        self.entries.clear();
        self.free.clear();
        self.len = 0;
        self.shared.ready.lock().unwrap().slots.clear();
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
        if self.len == 0 {
            return Poll::Ready(None);
        }
        // Bounded: an exhausted coop budget makes every handle re-wake
        // itself at once, which must not turn into a busy loop here.
        for _ in 0..=self.len {
            let slot = {
                let mut ready = self.shared.ready.lock().unwrap();
                match ready.slots.pop_front() {
                    Some(slot) => slot,
                    None => {
                        match &ready.owner {
                            Some(w) if w.will_wake(cx.waker()) => {}
                            _ => ready.owner = Some(cx.waker().clone()),
                        }
                        return Poll::Pending;
                    }
                }
            };
            let Some(Some(entry)) = self.entries.get_mut(slot) else {
                continue; // stale: the entry already left
            };
            let mut entry_cx = Context::from_waker(&entry.waker);
            if let Poll::Ready(res) = Pin::new(&mut entry.handle).poll(&mut entry_cx) {
                self.entries[slot] = None;
                self.free.push(slot);
                self.len -= 1;
                return Poll::Ready(Some(res));
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        let slot = self.free.pop().unwrap_or_else(|| {
            self.entries.push(None);
            self.entries.len() - 1
        });
        let waker = Waker::from(Arc::new(EntryWaker {
            slot,
            shared: self.shared.clone(),
        }));
        self.entries[slot] = Some(Entry { handle, waker });
        self.len += 1;
        // Poll it once soon, to hand it our waker.
        self.shared.ready.lock().unwrap().slots.push_back(slot);
        abort
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
