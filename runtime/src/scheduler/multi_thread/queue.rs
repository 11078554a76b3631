//! The worker's local run queue: a fixed ring of 256 slots that only its
//! owner pushes to, and that any worker may steal half of. Lock-free; the
//! same design as tokio's `queue.rs`.
//!
//! ```text
//! head: AtomicU64 = (steal: u32, real: u32)    tail: AtomicU32
//!          steal ≤ real ≤ tail  (wrapping)
//! [steal, real)  being copied out by a thief (the owner must not reuse it)
//! [real, tail)   queued tasks
//! ```
//!
//! The owner pops at `real` and pushes at `tail`. A thief first moves
//! `real` forward by half the queue (claiming `[real, real + n)`) while
//! leaving `steal` behind, copies the tasks, then catches `steal` up. Only
//! one thief at a time: a queue with `steal != real` is skipped.
//! When the ring is full, the owner moves half of it to the inject queue.

use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::sync::Arc;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicU32, AtomicU64};

use crate::scheduler::inject::Inject;
use crate::task::{Notified, RawTask};

const CAPACITY: usize = 256;
const MASK: usize = CAPACITY - 1;

struct Inner {
    head: AtomicU64,
    tail: AtomicU32,
    buffer: Box<[UnsafeCell<MaybeUninit<RawTask>>]>,
}

// SAFETY: slots are only accessed under the head/tail protocol above, which
// gives each slot a single owner at a time.
unsafe impl Send for Inner {}
// SAFETY: as above.
unsafe impl Sync for Inner {}

/// The owner's end.
pub(crate) struct Local<S: 'static> {
    inner: Arc<Inner>,
    _p: std::marker::PhantomData<S>,
}

/// A thief's end (kept in the shared `Remote` of each worker).
pub(crate) struct Steal<S: 'static> {
    inner: Arc<Inner>,
    _p: std::marker::PhantomData<S>,
}

pub(crate) fn local<S: 'static>() -> (Steal<S>, Local<S>) {
    let buffer = (0..CAPACITY)
        .map(|_| UnsafeCell::new(MaybeUninit::uninit()))
        .collect();
    let inner = Arc::new(Inner {
        head: AtomicU64::new(0),
        tail: AtomicU32::new(0),
        buffer,
    });
    (
        Steal {
            inner: inner.clone(),
            _p: std::marker::PhantomData,
        },
        Local {
            inner,
            _p: std::marker::PhantomData,
        },
    )
}

fn pack(steal: u32, real: u32) -> u64 {
    (u64::from(steal) << 32) | u64::from(real)
}

fn unpack(n: u64) -> (u32, u32) {
    ((n >> 32) as u32, n as u32)
}

impl Inner {
    fn len(&self) -> u32 {
        let (_, head) = unpack(self.head.load(Acquire));
        self.tail.load(Acquire).wrapping_sub(head)
    }

    /// # Safety
    /// The caller owns slot `pos` (it is outside `[steal, tail)`).
    unsafe fn write(&self, pos: u32, task: RawTask) {
        // SAFETY: by the caller's contract nobody else touches the slot.
        unsafe { (*self.buffer[pos as usize & MASK].get()).write(task) };
    }

    /// # Safety
    /// The caller claimed slot `pos`, which holds a task.
    unsafe fn read(&self, pos: u32) -> RawTask {
        // SAFETY: by the caller's contract the slot is initialised and ours.
        unsafe { (*self.buffer[pos as usize & MASK].get()).assume_init_read() }
    }
}

impl<S: 'static> Local<S> {
    pub(crate) fn len(&self) -> usize {
        self.inner.len() as usize
    }

    pub(crate) fn has_tasks(&self) -> bool {
        self.inner.len() > 0
    }

    pub(crate) fn remaining_slots(&self) -> usize {
        let (steal, _) = unpack(self.inner.head.load(Acquire));
        let tail = self.inner.tail.load(Relaxed);
        CAPACITY - tail.wrapping_sub(steal) as usize
    }

    pub(crate) fn max_capacity(&self) -> usize {
        CAPACITY
    }

    /// Push tasks known to fit (`remaining_slots` was checked).
    pub(crate) fn push_back(&mut self, tasks: impl ExactSizeIterator<Item = Notified<S>>) {
        let len = tasks.len();
        assert!(len <= self.remaining_slots());
        if len == 0 {
            return;
        }
        let mut tail = self.inner.tail.load(Relaxed);
        for task in tasks {
            // SAFETY: only the owner writes at `tail`, and the slots up to
            // `steal + CAPACITY` are free (checked above).
            unsafe { self.inner.write(tail, task.into_raw()) };
            tail = tail.wrapping_add(1);
        }
        self.inner.tail.store(tail, Release);
    }

    /// Push one task; if the ring is full, move half of it (plus this task)
    /// to the inject queue.
    pub(crate) fn push_back_or_overflow(&mut self, mut task: Notified<S>, inject: &Inject<S>) {
        let tail = loop {
            let head = self.inner.head.load(Acquire);
            let (steal, real) = unpack(head);
            let tail = self.inner.tail.load(Relaxed);
            if tail.wrapping_sub(steal) < CAPACITY as u32 {
                break tail;
            } else if steal != real {
                // A thief is mid-copy and will free room soon; do not wait.
                inject.push(task);
                return;
            } else {
                match self.push_overflow(task, real, tail, inject) {
                    Ok(()) => return,
                    Err(t) => task = t, // lost a race with a thief: retry
                }
            }
        };
        // SAFETY: `tail - steal < CAPACITY`: the slot is free and ours.
        unsafe { self.inner.write(tail, task.into_raw()) };
        self.inner.tail.store(tail.wrapping_add(1), Release);
    }

    fn push_overflow(
        &mut self,
        task: Notified<S>,
        head: u32,
        tail: u32,
        inject: &Inject<S>,
    ) -> Result<(), Notified<S>> {
        const HALF: u32 = (CAPACITY / 2) as u32;
        debug_assert_eq!(tail.wrapping_sub(head) as usize, CAPACITY);
        let prev = pack(head, head);
        let next = pack(head.wrapping_add(HALF), head.wrapping_add(HALF));
        // Claim the older half, as a thief would.
        if self
            .inner
            .head
            .compare_exchange(prev, next, Release, Relaxed)
            .is_err()
        {
            return Err(task);
        }
        let inner = &self.inner;
        let batch = (0..HALF).map(|i| {
            // SAFETY: the CAS above claimed `[head, head + HALF)`.
            let raw = unsafe { inner.read(head.wrapping_add(i)) };
            // SAFETY: every slot holds a `Notified<S>` turned into a RawTask.
            unsafe { Notified::<S>::from_raw(raw) }
        });
        inject.push_batch(batch.chain(std::iter::once(task)));
        Ok(())
    }

    pub(crate) fn pop(&mut self) -> Option<Notified<S>> {
        let mut head = self.inner.head.load(Acquire);
        let pos = loop {
            let (steal, real) = unpack(head);
            let tail = self.inner.tail.load(Relaxed);
            if real == tail {
                return None;
            }
            let next_real = real.wrapping_add(1);
            // No thief in progress: move both halves together.
            let next = if steal == real {
                pack(next_real, next_real)
            } else {
                debug_assert_ne!(steal, next_real);
                pack(steal, next_real)
            };
            match self
                .inner
                .head
                .compare_exchange(head, next, AcqRel, Acquire)
            {
                Ok(_) => break real,
                Err(actual) => head = actual,
            }
        };
        // SAFETY: the CAS claimed slot `pos`, which holds a task.
        let raw = unsafe { self.inner.read(pos) };
        // SAFETY: only `Notified<S>`s are pushed.
        Some(unsafe { Notified::from_raw(raw) })
    }
}

impl<S: 'static> Steal<S> {
    pub(crate) fn is_empty(&self) -> bool {
        self.inner.len() == 0
    }

    /// Move about half of this queue into `dst` (another worker's own
    /// queue), returning one of the stolen tasks to run right away.
    pub(crate) fn steal_into(&self, dst: &mut Local<S>) -> Option<Notified<S>> {
        let dst_tail = dst.inner.tail.load(Relaxed);
        let (steal, _) = unpack(dst.inner.head.load(Acquire));
        if dst_tail.wrapping_sub(steal) > (CAPACITY / 2) as u32 {
            return None; // we have plenty of our own
        }
        let mut n = self.steal_into2(dst, dst_tail);
        if n == 0 {
            return None;
        }
        n -= 1;
        let ret_pos = dst_tail.wrapping_add(n);
        // SAFETY: `steal_into2` wrote `n + 1` tasks at `dst_tail..`; the
        // last is ours to take since `tail` was not published past it.
        let raw = unsafe { dst.inner.read(ret_pos) };
        if n > 0 {
            dst.inner.tail.store(dst_tail.wrapping_add(n), Release);
        }
        // SAFETY: only `Notified<S>`s are queued.
        Some(unsafe { Notified::from_raw(raw) })
    }

    fn steal_into2(&self, dst: &mut Local<S>, dst_tail: u32) -> u32 {
        let src = &self.inner;
        let mut prev_packed = src.head.load(Acquire);
        let mut next_packed;
        let n = loop {
            let (src_steal, src_real) = unpack(prev_packed);
            let src_tail = src.tail.load(Acquire);
            if src_steal != src_real {
                return 0; // another thief is at work
            }
            let n = src_tail.wrapping_sub(src_real);
            let n = n - n / 2;
            if n == 0 {
                return 0;
            }
            let steal_to = src_real.wrapping_add(n);
            next_packed = pack(src_steal, steal_to);
            match src
                .head
                .compare_exchange(prev_packed, next_packed, AcqRel, Acquire)
            {
                Ok(_) => break n,
                Err(actual) => prev_packed = actual,
            }
        };
        let (first, _) = unpack(next_packed);
        for i in 0..n {
            // SAFETY: the CAS claimed `[first, first + n)` in src; the dst
            // slots past its tail are free (dst was at most half full) and
            // only dst's owner, which is us, writes them.
            unsafe {
                let task = src.read(first.wrapping_add(i));
                dst.inner.write(dst_tail.wrapping_add(i), task);
            }
        }
        // Done copying: let `steal` catch up with `real`.
        let mut prev_packed = next_packed;
        loop {
            let (_, real) = unpack(prev_packed);
            let next = pack(real, real);
            match src
                .head
                .compare_exchange(prev_packed, next, AcqRel, Acquire)
            {
                Ok(_) => return n,
                Err(actual) => {
                    let (steal, real) = unpack(actual);
                    debug_assert_ne!(steal, real);
                    prev_packed = actual;
                }
            }
        }
    }
}

impl<S: 'static> Drop for Local<S> {
    fn drop(&mut self) {
        // Shutdown drains the queue first; drop leftovers to release refs.
        while let Some(task) = self.pop() {
            drop(task);
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests;
