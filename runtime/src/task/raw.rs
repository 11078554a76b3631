//! `RawTask`: a type-erased pointer to a task cell, plus the per-`(T, S)`
//! vtable that gets the concrete types back.
//!
//! Queues, wakers and handles all carry a `RawTask` (one pointer). Each
//! function in [`Vtable`] is `Harness::<T, S>::something` monomorphised for
//! the task's future `T` and scheduler `S`; the static vtable for a given
//! pair is built once by the compiler (`vtable::<T, S>()` returns a
//! `&'static` promoted constant).

use std::future::Future;
use std::ptr::NonNull;

use super::core::{Cell, Header};
use super::harness::Harness;
use super::{Id, Schedule};

pub(super) struct Vtable {
    /// `Notified::run`: poll the future (or cancel it).
    pub(super) poll: unsafe fn(NonNull<Header>),
    /// Hand a `Notified` carrying the caller's reference to the scheduler.
    pub(super) schedule: unsafe fn(NonNull<Header>),
    /// Free the cell (last reference gone).
    pub(super) dealloc: unsafe fn(NonNull<Header>),
    /// `JoinHandle::poll`: read the output into `dst` or register the waker.
    pub(super) try_read_output: unsafe fn(NonNull<Header>, *mut (), &std::task::Waker),
    /// `JoinHandle::drop`.
    pub(super) drop_join_handle: unsafe fn(NonNull<Header>),
    /// Runtime shutdown: cancel the task if idle.
    pub(super) shutdown: unsafe fn(NonNull<Header>),
}

pub(super) fn vtable<T: Future, S: Schedule>() -> &'static Vtable {
    &Vtable {
        poll: poll::<T, S>,
        schedule: schedule::<T, S>,
        dealloc: dealloc::<T, S>,
        try_read_output: try_read_output::<T, S>,
        drop_join_handle: drop_join_handle::<T, S>,
        shutdown: shutdown::<T, S>,
    }
}

/// One pointer to a task's header. `Copy`: owning a reference is tracked by
/// the wrappers (`Task`, `Notified`, `JoinHandle`, `Waker`), not by this.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawTask {
    ptr: NonNull<Header>,
}

impl RawTask {
    pub(super) fn new<T, S>(future: T, scheduler: S, id: Id) -> RawTask
    where
        T: Future,
        S: Schedule,
    {
        let cell = Cell::new(future, scheduler, id, vtable::<T, S>());
        // `Cell` is `repr(C)` with the header first: a pointer to the cell is
        // a pointer to its header.
        let ptr = NonNull::from(Box::leak(cell)).cast::<Header>();
        RawTask { ptr }
    }

    /// # Safety
    /// `ptr` must point to a live task header.
    pub(super) unsafe fn from_raw(ptr: NonNull<Header>) -> RawTask {
        RawTask { ptr }
    }

    pub(crate) fn header_ptr(self) -> NonNull<Header> {
        self.ptr
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: a `RawTask` is only used while its owner holds a reference,
        // so the cell is alive.
        unsafe { self.ptr.as_ref() }
    }

    pub(super) fn poll(self) {
        // SAFETY: the vtable belongs to this cell's concrete types.
        unsafe { (self.header().vtable.poll)(self.ptr) }
    }

    pub(super) fn schedule(self) {
        // SAFETY: as above.
        unsafe { (self.header().vtable.schedule)(self.ptr) }
    }

    pub(super) fn dealloc(self) {
        // SAFETY: as above; the caller released the last reference.
        unsafe { (self.header().vtable.dealloc)(self.ptr) }
    }

    /// # Safety
    /// `dst` must be a `*mut Poll<Result<T::Output, JoinError>>` for this
    /// task's `T`.
    pub(super) unsafe fn try_read_output(self, dst: *mut (), waker: &std::task::Waker) {
        // SAFETY: forwarded contract.
        unsafe { (self.header().vtable.try_read_output)(self.ptr, dst, waker) }
    }

    pub(super) fn drop_join_handle(self) {
        // SAFETY: the vtable belongs to this cell's concrete types.
        unsafe { (self.header().vtable.drop_join_handle)(self.ptr) }
    }

    pub(super) fn shutdown(self) {
        // SAFETY: the vtable belongs to this cell's concrete types.
        unsafe { (self.header().vtable.shutdown)(self.ptr) }
    }

    pub(super) fn ref_inc(self) {
        self.header().state.ref_inc();
    }

    /// Release one reference, freeing the cell if it was the last.
    pub(super) fn drop_reference(self) {
        if self.header().state.ref_dec() {
            self.dealloc();
        }
    }
}

unsafe fn poll<T: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the vtable was built for `Cell<T, S>`.
    unsafe { Harness::<T, S>::from_raw(ptr) }.poll();
}

unsafe fn schedule<T: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the vtable was built for `Cell<T, S>`.
    unsafe { Harness::<T, S>::from_raw(ptr) }.schedule();
}

unsafe fn dealloc<T: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the vtable was built for `Cell<T, S>`.
    unsafe { Harness::<T, S>::from_raw(ptr) }.dealloc();
}

unsafe fn try_read_output<T: Future, S: Schedule>(
    ptr: NonNull<Header>,
    dst: *mut (),
    waker: &std::task::Waker,
) {
    // SAFETY: the vtable was built for `Cell<T, S>`; `dst` has the matching
    // type by `RawTask::try_read_output`'s contract.
    unsafe { Harness::<T, S>::from_raw(ptr).try_read_output(dst.cast(), waker) };
}

unsafe fn drop_join_handle<T: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the vtable was built for `Cell<T, S>`.
    unsafe { Harness::<T, S>::from_raw(ptr) }.drop_join_handle();
}

unsafe fn shutdown<T: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the vtable was built for `Cell<T, S>`.
    unsafe { Harness::<T, S>::from_raw(ptr) }.shutdown();
}
