//! The task's `Waker`: one static `RawWakerVTable` whose data pointer is the
//! task header.
//!
//! ```text
//! RawWaker { data: *const Header, vtable: &WAKER_VTABLE }
//!   clone       → ref_inc, same pointer
//!   wake        → RawTask::wake_by_val  (spends the waker's reference)
//!   wake_by_ref → RawTask::wake_by_ref  (takes a new one if it submits)
//!   drop        → ref_dec, dealloc on the last one
//! ```
//!
//! `waker_ref` builds the waker lent to `Future::poll` inside
//! `Harness::poll_inner`. It is wrapped in `ManuallyDrop` and never dropped,
//! so lending it costs no reference-count traffic: the running `Notified`
//! already keeps the task alive for the duration of the poll.

use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::core::Header;
use super::raw::RawTask;

/// A `Waker` borrowed from a task for the length of one poll.
pub(super) struct WakerRef<'a> {
    waker: ManuallyDrop<Waker>,
    _p: PhantomData<&'a Header>,
}

pub(super) fn waker_ref(header: &NonNull<Header>) -> WakerRef<'_> {
    // SAFETY: the vtable functions below uphold `RawWaker`'s contract for a
    // header pointer; the waker is never dropped, so it does not release a
    // reference it never took, and it cannot outlive the borrow of `header`.
    let waker = unsafe { Waker::from_raw(raw_waker(*header)) };
    WakerRef {
        waker: ManuallyDrop::new(waker),
        _p: PhantomData,
    }
}

impl Deref for WakerRef<'_> {
    type Target = Waker;

    fn deref(&self) -> &Waker {
        &self.waker
    }
}

static WAKER_VTABLE: RawWakerVTable =
    RawWakerVTable::new(clone_waker, wake_by_val, wake_by_ref, drop_waker);

fn raw_waker(header: NonNull<Header>) -> RawWaker {
    RawWaker::new(header.as_ptr().cast_const().cast(), &WAKER_VTABLE)
}

/// # Safety
/// `ptr` is the data pointer of one of our wakers, which keeps the task alive.
unsafe fn raw_task(ptr: *const ()) -> RawTask {
    // SAFETY: our wakers are only built from non-null header pointers.
    unsafe { RawTask::from_raw(NonNull::new_unchecked(ptr.cast_mut().cast::<Header>())) }
}

unsafe fn clone_waker(ptr: *const ()) -> RawWaker {
    // SAFETY: called by `Waker::clone` on a live waker.
    let task = unsafe { raw_task(ptr) };
    task.ref_inc();
    raw_waker(task.header_ptr())
}

unsafe fn wake_by_val(ptr: *const ()) {
    // SAFETY: called by `Waker::wake`, which hands us the waker's reference.
    unsafe { raw_task(ptr) }.wake_by_val();
}

unsafe fn wake_by_ref(ptr: *const ()) {
    // SAFETY: called by `Waker::wake_by_ref` on a live waker.
    unsafe { raw_task(ptr) }.wake_by_ref();
}

unsafe fn drop_waker(ptr: *const ()) {
    // SAFETY: called by `Waker::drop`: we release the waker's reference.
    unsafe { raw_task(ptr) }.drop_reference();
}
