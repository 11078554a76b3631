//! What `#[state_machine]` expansions call: the few types and functions every machine needs,
//! written and proved once here instead of in every expanded fn.
//!
//! This module uses `core` only: with `default-features = false` the `clockwork` crate is
//! `#![no_std]`, holds this module and the attributes, and brings no scheduler, no `mio` and no
//! threads, so an expansion runs on any executor (tokio, smol, ours). `#[state_machine(crate =
//! path)]` names another path to it; `clockwork expand --standalone` prints it inline.
//!
//! # The shape of an expansion
//!
//! For
//! ```text
//! async fn example() -> i32 {
//!     let x = async_operation().await;
//!     let y = another_operation().await;
//!     x + y
//! }
//! ```
//! the expansion declares `enum State<Fut0, Fut1, X> { Start {}, AwaitAsyncOperation { fut:
//! Slot<Fut0> }, AwaitAnotherOperation { fut: Slot<Fut1>, x: X }, Done, Panicked }` and
//! returns
//! ```text
//! StateMachine::new(State::Start {}, (), || State::Panicked, || State::Done, move |state, _, cx| {
//!     // one block per state: poll its sub-future (`fut.poll(cx)`), then run on to the next
//!     // `.await` and store the new state, or return `Poll::Ready`.
//! })
//! ```
//! Every state's poll and transition is written out, in plain Rust, in the expanded fn. What
//! lives here is what does not change from one fn to the next:
//!
//! | item | what for |
//! |---|---|
//! | [`StateMachine`] | the `Future`: owns the state, pinned, and leaves `Done` / `Panicked` behind |
//! | [`Slot`] | where a state keeps its sub-future: polled where it lies, dropped there |
//! | [`returning`] | gives a body's `return`s a type to coerce to when it names `'_` |
//! | [`Home`] | the fixed home of a local that stays borrowed across an `.await` |
//! | [`Held`], [`Homes`] | a home's local while a state holds it, with no handle; the homes |
//! | [`Copies`] | one field type for a future whose code is written in two places |
//! | [`IslandSlot`], [`Island`] | a macro that awaits (`select!`), run as one `async` block |
//! | `statement!` | marks a statement run as an island for its temporaries (see `island.rs`) |
//! | [`Never`] | `!`, the output of an `async fn() -> !`, named on stable |
//!
//! # Why this is sound
//!
//! The whole argument rests on one fact: **the state never moves once it has been polled.**
//! [`StateMachine`] is `!Unpin` and reaches its state only through `Pin<&mut Self>`; the step
//! closure is handed `&mut S` and the expansion never moves the state out while it holds a
//! polled sub-future: a sub-future is polled where it lies ([`Slot::poll`]) and dropped there
//! (its slot is emptied the moment it is ready). Each `unsafe` in an expansion cites
//! this; each `unsafe fn` here says what its caller must add.
//!
//! One more fact, for the aliasing model: a sub-future may point into the state (a local it
//! borrows), and a [`Home`] handle points into the machine's `homes`. Under Stacked Borrows a
//! `&mut` to an `Unpin` value asserts unique access to all of it each time it is made (at every
//! poll), which would invalidate those pointers; a `&mut` to a `!Unpin` value does not. So
//! [`Slot`] and [`HomeSlot`] are `!Unpin`, and with them every state and set of homes that holds
//! one. (Miri found this when the state's last `PhantomPinned` field went away.)

mod copies;
mod home;
mod homes;
mod island;

#[doc(hidden)]
pub use crate::__clockwork_machine_statement as statement;
pub use copies::Copies;
pub use home::{
    DropRest, DropRestParts, Home, HomeSlot, Lent, Shown, ShownThrough, Taker, drop_rest_parts,
};
pub use homes::{Held, Homes};
pub use island::{Island, IslandExit, IslandSlot, IslandStall};

use homes::ClearOnDrop;

use core::future::{Future, IntoFuture};
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::task::{Context, Poll};

/// The future an expanded `async fn` returns: its state `S`, the fixed homes `H` of the locals
/// that stay borrowed across an `.await` (`()` when there are none, see [`Home`]), and the
/// closure `step` that runs the state on from one `.await` to the next
/// (`core::future::poll_fn`, with the state beside the closure instead of inside it).
///
/// `panicked` and `done` make the two final states: a poll that panics leaves
/// `panicked()` behind (dropping what the state held, as rustc's coroutine does), and one that
/// returns `Ready` leaves `done()`; the step closure panics when it finds either. Wherever the
/// state is dropped wholesale (there, or with the future), the homes are cleared after it: a
/// state keeps only a [`Held`] for some of the values in them (see `homes.rs`).
pub struct StateMachine<S, H: Homes, P, D, F> {
    state: S,
    // (After `state`: fields drop in order.)
    homes: HomesAfterState<H>,
    panicked: P,
    done: D,
    step: F,
    _pinned: PhantomPinned,
}

/// The homes, cleared when the machine is dropped: after its state, which is dropped first.
struct HomesAfterState<H: Homes>(H);

impl<H: Homes> Drop for HomesAfterState<H> {
    #[inline(always)]
    fn drop(&mut self) {
        self.0.clear();
    }
}

impl<S, H: Homes, P, D, F> StateMachine<S, H, P, D, F> {
    #[inline(always)]
    pub fn new<T>(start: S, homes: H, panicked: P, done: D, step: F) -> Self
    where
        P: Fn() -> S,
        D: Fn() -> S,
        F: FnMut(&mut S, &mut H, &mut Context<'_>) -> Poll<T>,
    {
        StateMachine {
            state: start,
            homes: HomesAfterState(homes),
            panicked,
            done,
            step,
            _pinned: PhantomPinned,
        }
    }
}

impl<S, H: Homes, P, D, F, T> Future for StateMachine<S, H, P, D, F>
where
    P: Fn() -> S,
    D: Fn() -> S,
    F: FnMut(&mut S, &mut H, &mut Context<'_>) -> Poll<T>,
{
    type Output = T;

    // `#[inline]`: without it LLVM rarely inlines a state machine into its caller, and rustc's
    // own `async fn`s are inlined.
    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        // SAFETY: nothing here moves the state, the homes or the closure out of `self`: the
        // state and the homes are handed to `step` by reference and only changed in place.
        let this = unsafe { self.get_unchecked_mut() };
        let running = Running {
            state: &mut this.state,
            homes: &mut this.homes.0,
            panicked: &this.panicked,
        };
        // A `match` rather than `if poll.is_ready() { .. } poll`: with the `if`, both outcomes
        // meet again before the caller's own test of `poll`, and LLVM then no longer sees which
        // one it has (measured: a 10-deep chain of machines stayed 2.9x rustc's).
        match (this.step)(running.state, running.homes, cx) {
            Poll::Ready(output) => {
                let (state, homes) = running.disarm();
                if H::NONE {
                    *state = (this.done)();
                } else {
                    // (A `return` made while the state holds locals leaves them to this.)
                    let _homes = ClearOnDrop(homes);
                    *state = (this.done)();
                }
                Poll::Ready(output)
            }
            Poll::Pending => {
                running.disarm();
                Poll::Pending
            }
        }
    }
}

/// While a poll runs, a panic (in the body or in a sub-future) must leave the state
/// `Panicked`, dropping what it held, as rustc does: `Running` does that when it is dropped
/// without being disarmed, that is, while unwinding.
struct Running<'a, S, H: Homes, P: Fn() -> S> {
    state: &'a mut S,
    homes: &'a mut H,
    panicked: &'a P,
}

impl<'a, S, H: Homes, P: Fn() -> S> Running<'a, S, H, P> {
    /// The poll returned: hands back the state and the homes, with the guard gone.
    #[inline(always)]
    fn disarm(self) -> (&'a mut S, &'a mut H) {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so the references are moved out once.
        unsafe { (core::ptr::read(&this.state), core::ptr::read(&this.homes)) }
    }
}

impl<S, H: Homes, P: Fn() -> S> Drop for Running<'_, S, H, P> {
    #[inline(always)]
    fn drop(&mut self) {
        if H::NONE {
            *self.state = (self.panicked)();
        } else {
            // The homes after the state, also when a destructor in the state panics.
            let _homes = ClearOnDrop(&mut *self.homes);
            *self.state = (self.panicked)();
        }
    }
}

/// Where a state keeps its sub-future: polled in place by [`Slot::poll`], and dropped there
/// the moment it is ready (the slot is then empty).
///
/// `!Unpin` whatever `F` is, and so is every state that has one: a sub-future may point into
/// the state (a local it borrows), and under Stacked Borrows a `&mut` to an `Unpin` state
/// would claim unique access to all of it at every poll, invalidating that pointer.
pub struct Slot<F>(Option<F>, PhantomPinned);

/// The slot of a state's sub-future, from the awaited value: `f.into_future()`, as `.await`
/// calls it.
#[inline(always)]
pub fn slot<F: IntoFuture>(f: F) -> Slot<F::IntoFuture> {
    Slot(Some(f.into_future()), PhantomPinned)
}

impl<F> Slot<F> {
    /// A slot whose future is made later (after the locals it borrows are in place).
    pub const EMPTY: Self = Slot(None, PhantomPinned);

    /// Polls the sub-future where it lies; once it is ready, drops it there.
    ///
    /// # Safety
    /// The slot holds a future, and does not move from its first poll until the future is
    /// dropped: it lies in the state of a [`StateMachine`], which never moves, and the state is
    /// not replaced while the slot holds a future. (Once `Ready`, the slot is empty.)
    #[inline(always)]
    pub unsafe fn poll(&mut self, cx: &mut Context<'_>) -> Poll<F::Output>
    where
        F: Future,
    {
        // SAFETY: the caller guarantees the slot holds a future.
        let fut = unsafe { self.0.as_mut().unwrap_unchecked() };
        // SAFETY: the caller guarantees the slot does not move while it holds a polled future.
        let poll = Future::poll(unsafe { Pin::new_unchecked(fut) }, cx);
        if poll.is_ready() {
            self.0 = None;
        }
        poll
    }
}

/// Runs `body` with `T` as the type its `return`s coerce to. A closure's return type cannot
/// name the fn's anonymous lifetime `'_`; the type argument of a call can (`returning::<&'_
/// str, _>`), and there `'_` is inferred.
#[inline(always)]
pub fn returning<T, F: FnOnce() -> Poll<T>>(body: F) -> Poll<T> {
    body()
}

/// `!`, for the output of an `async fn() -> !`: stable Rust does not let a type argument be
/// `!` (`Future<Output = !>` needs `#![feature(never_type)]`), but the return type of a fn
/// pointer may be, and a projection names it.
pub type Never = <fn() -> ! as ReturnOf>::Output;

/// The return type of a fn pointer type (see [`Never`]).
pub trait ReturnOf {
    /// What the fn returns.
    type Output;
}

impl<T> ReturnOf for fn() -> T {
    type Output = T;
}

/// The panic of a poll after `Ready`, as rustc words it.
#[cold]
#[track_caller]
pub fn resumed_after_completion() -> ! {
    panic!("`async fn` resumed after completion")
}

/// The panic of a poll after a poll that panicked, as rustc words it.
#[cold]
#[track_caller]
pub fn resumed_after_panicking() -> ! {
    panic!("`async fn` resumed after panicking")
}
