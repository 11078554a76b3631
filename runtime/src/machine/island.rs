//! Islands: a macro that awaits in its own expansion (`select!`, `join!`), run as one `async`
//! block that the machine awaits as one state.
//!
//! The block's output type is the fn's own, so a `return` or `?` inside the macro keeps its
//! meaning. The macro's value, and a `break` or `continue` to a loop outside it, leave through
//! an [`IslandSlot`]: the block fills the slot, then stops on an [`IslandStall`], and the
//! [`Island`] polling it sees the filled slot and is ready with `None`.

use core::cell::UnsafeCell;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};

/// What an island left in its slot.
pub enum IslandExit<V> {
    Running,
    Value(V),
    Jump(u32),
}

/// Where an island leaves its value, or a `break`/`continue` to a loop outside it.
pub struct IslandSlot<V>(UnsafeCell<IslandExit<V>>);

// SAFETY: the slot is reached only by the island's block and by the `Island` polling it, never
// at the same time (the contract of `new`): the block runs only inside `Island::poll`, which
// reads the slot after the block's poll returned, and `take` runs after the island is done. No
// reference into the cell is ever handed out.
unsafe impl<V: Send> Sync for IslandSlot<V> {}

impl<V> IslandSlot<V> {
    /// An empty slot.
    ///
    /// # Safety
    /// The slot is used only by one island's block and the [`Island`] that polls it (and read
    /// with `take` once that island is done), so no two of its methods ever run at once.
    #[inline(always)]
    pub unsafe fn new() -> Self {
        IslandSlot(UnsafeCell::new(IslandExit::Running))
    }

    #[inline(always)]
    fn set(&self, exit: IslandExit<V>) {
        // SAFETY: see the `Sync` impl: no other access to the cell is under way.
        unsafe { *self.0.get() = exit };
    }

    #[inline(always)]
    fn stopped(&self) -> bool {
        // SAFETY: see the `Sync` impl: no other access to the cell is under way.
        !matches!(unsafe { &*self.0.get() }, IslandExit::Running)
    }

    /// What the island left; the slot is empty again.
    #[inline(always)]
    pub fn take(&self) -> IslandExit<V> {
        // SAFETY: see the `Sync` impl: no other access to the cell is under way.
        unsafe { core::ptr::replace(self.0.get(), IslandExit::Running) }
    }

    /// The macro's value: the island is done.
    #[inline(always)]
    pub fn finish<R>(&self, value: V) -> IslandStall<R> {
        self.set(IslandExit::Value(value));
        IslandStall(PhantomData)
    }

    /// `break`/`continue` number `k` out of the macro.
    #[inline(always)]
    pub fn jump(&self, k: u32) -> IslandStall<core::convert::Infallible> {
        self.set(IslandExit::Jump(k));
        IslandStall(PhantomData)
    }
}

/// A future that is never ready: an island's block stops on it once it has filled its slot.
pub struct IslandStall<R>(PhantomData<fn() -> R>);

impl<R> Future for IslandStall<R> {
    type Output = R;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<R> {
        Poll::Pending
    }
}

/// Polls an island's block: ready with `Some(output)` when the block returns (a `return` or
/// `?` inside the macro), with `None` once it has filled the slot.
pub struct Island<'a, V, F> {
    slot: &'a IslandSlot<V>,
    block: F,
}

impl<'a, V, F> Island<'a, V, F> {
    #[inline(always)]
    pub fn new(slot: &'a IslandSlot<V>, block: F) -> Self {
        Island { slot, block }
    }
}

impl<V, F: Future> Island<'_, V, F> {
    /// Runs the block of a macro that does not await (its input only leaves the fn: `return`,
    /// `?`, `break`, `continue`) to its end, here, without a state of its own: one poll, with
    /// a waker nothing ever wakes, is enough, since the block only ever waits on the slot. So
    /// what the statement around it holds is not kept across a suspension that rustc does not
    /// have (which would change the future's `Send`-ness).
    pub fn run_now(self) -> Option<F::Output> {
        let island = core::pin::pin!(self);
        let mut cx = Context::from_waker(core::task::Waker::noop());
        match island.poll(&mut cx) {
            Poll::Ready(output) => output,
            Poll::Pending => unreachable!("an island without `.await` waited"),
        }
    }
}

impl<V, F: Future> Future for Island<'_, V, F> {
    type Output = Option<F::Output>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: a projection of the pin to the block, which is never moved out of the pinned
        // `Island` (no `Drop` or `Unpin` impl of its own moves it).
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: as above.
        let block = unsafe { Pin::new_unchecked(&mut this.block) };
        match Future::poll(block, cx) {
            Poll::Ready(output) => Poll::Ready(Some(output)),
            Poll::Pending if this.slot.stopped() => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The expression it is given, unchanged: a statement `#[state_machine]` runs as an island
/// because a method of unknown `self` (by value or borrowed) is called on a temporary that
/// must live across an `.await` there (`Toplevel::new(..).catch_signals().run(..).await`).
/// Inside the island's block, rustc settles each such call and drops the temporaries where
/// the statement ends, as in the `async fn`; the macro only marks the statement for the
/// transform, which runs any macro whose input awaits as an island.
#[doc(hidden)]
#[macro_export]
macro_rules! __clockwork_machine_statement {
    ($e:expr) => {
        $e
    };
}
