//! Fixed homes: locals that stay borrowed across an `.await`.
//!
//! In `let v = vec![1, 2, 3]; for x in &v { step(x).await; }` the loop's iterator borrows `v`
//! across the `.await`, so `v` must not move from one state to the next. Such a local gets a
//! slot of its own in the pinned future (`homes` in the expansion), where its value stays from
//! its `let` to the end of its scope. The local itself becomes a [`Home`], a handle that moves
//! between states like any other local and drops the value where rustc would drop the local.

use core::marker::{PhantomData, PhantomPinned};
use core::mem::MaybeUninit;

/// A slot in the pinned future: room for the value, and its `N` flags. `!Unpin`, since it is
/// pinned memory that handles point into: under Stacked Borrows, a `&mut` to an `Unpin` value
/// would claim unique access to it and so invalidate those pointers at every poll.
#[repr(C)]
pub struct HomeSlot<V, const N: usize> {
    /// First, so that a pointer to the slot is a pointer to the value.
    value: MaybeUninit<V>,
    flags: [bool; N],
    _pinned: PhantomPinned,
}

/// How a [`Home`] drops its value: `()` drops it whole; [`DropRestParts`] lets the parts that
/// were moved out go (`mem::forget`) and drops only the rest, field by field, as rustc drops a
/// partly moved local.
pub trait DropRest<V, const N: usize> {
    /// # Safety
    /// `value` holds a value, which is dropped (or taken apart) here and not used again.
    unsafe fn drop_rest(&self, value: *mut V, flags: &[bool; N]);
}

impl<V, const N: usize> DropRest<V, N> for () {
    #[inline(always)]
    unsafe fn drop_rest(&self, value: *mut V, _: &[bool; N]) {
        // SAFETY: the caller passes a value that is dropped once, here, in place.
        unsafe { core::ptr::drop_in_place(value) }
    }
}

/// What [`Home::with_parts`] keeps: the function that lets the moved-out parts go and drops
/// the rest, with the value's type erased. (The closure's type stays out of the handle's: a
/// `Send` future holding it would need the closure to be more general than it is, for every
/// lifetime in `V`, when rustc checks a future that awaits this one.)
pub struct DropRestParts<const N: usize>(unsafe fn(*mut (), &[bool; N]));

impl<V, const N: usize> DropRest<V, N> for DropRestParts<N> {
    #[inline(always)]
    unsafe fn drop_rest(&self, value: *mut V, flags: &[bool; N]) {
        // SAFETY: `self.0` is `drop_rest_parts::<V, N, _>` (see `with_parts`); the caller
        // passes a value it may read once.
        unsafe { (self.0)(value.cast(), flags) }
    }
}

/// Calls the closure `F` (which captures nothing) on the value behind `value`.
///
/// # Safety
/// `value` points to a `V`, which is read (moved out) once.
pub unsafe fn drop_rest_parts<V, const N: usize, F: Fn(V, &[bool; N])>(
    value: *mut (),
    flags: &[bool; N],
) {
    const { assert!(size_of::<F>() == 0) };
    // SAFETY: `F` captures nothing (asserted above): a type without bytes, so without invalid
    // values, which is made here from nothing.
    let rest: F = unsafe { core::mem::zeroed() };
    // SAFETY: the caller's value is read once and never used again in place.
    rest(unsafe { value.cast::<V>().read() }, flags)
}

/// The fixed home of a local that stays borrowed across an `.await`: the value lives in a slot
/// of the pinned future and never moves; the state holds this handle, which drops the value
/// where the local would have been dropped.
///
/// The slot also holds `N` flags: none when the body never moves the local out; else flag 0
/// says whether the slot still holds the value, and flag `k` whether part `k` of it (a field
/// taken by value, `consume(p.a)`) was moved out. `D` drops what is left of a partly moved value.
///
/// A `Home` is only made by [`Home::new`] or [`Home::with_parts`], both `unsafe`: their caller
/// vouches for the handle's whole life. The references it hands out ([`Home::shared`],
/// [`Home::exclusive`]) are not tied to the handle; the expansion also contains the body as
/// written, borrow-checked inside `if false { .. }`, which is what proves they are used as
/// rustc allows.
pub struct Home<V, const N: usize, D: DropRest<V, N> = ()> {
    slot: *mut HomeSlot<V, N>,
    rest: D,
}

impl<V, const N: usize> Home<V, N> {
    /// An empty slot, for the expansion's `homes`.
    pub const EMPTY: HomeSlot<V, N> = HomeSlot {
        value: MaybeUninit::uninit(),
        flags: [false; N],
        _pinned: PhantomPinned,
    };

    /// # Safety
    /// `slot` is valid for writes and holds no value.
    #[inline(always)]
    unsafe fn fill(slot: *mut HomeSlot<V, N>, value: V, flags: [bool; N]) {
        // SAFETY: the caller's slot is valid; writing the fields one by one drops nothing
        // (the old value, if any, was dropped or moved out with its handle).
        unsafe {
            (&raw mut (*slot).value).write(MaybeUninit::new(value));
            (&raw mut (*slot).flags).write(flags);
        }
    }

    /// Moves `value` into its home.
    ///
    /// # Safety
    /// `slot` points into the pinned future, holds no value, and outlives the handle and every
    /// reference it hands out; those references are used only as the body as written (which
    /// passed the borrow checker) uses the local.
    #[inline(always)]
    pub unsafe fn new(slot: *mut HomeSlot<V, N>, value: V) -> Self {
        // SAFETY: the caller guarantees that `slot` is valid, pinned and empty.
        unsafe { Self::fill(slot, value, [true; N]) };
        Home { slot, rest: () }
    }

    /// The handle of a home that holds no value yet: a local moved out (or overwritten) before
    /// an `.await` and assigned again after it (`let mut v; .. v = x;`), whose assignment
    /// ([`Home::set`]) then drops nothing.
    ///
    /// # Safety
    /// As for [`Home::new`]; the slot's value, if any, was dropped or moved out already.
    #[inline(always)]
    pub unsafe fn vacant(slot: *mut HomeSlot<V, N>) -> Self {
        const { assert!(N >= 1, "a home that may hold no value has a drop flag") };
        // SAFETY: the caller's slot is valid; clearing the flags says it holds nothing.
        unsafe { (&raw mut (*slot).flags).write([false; N]) };
        Home { slot, rest: () }
    }

    /// Moves `value` into its home, for a local some parts of which may be moved out; `rest`
    /// (a closure that captures nothing) forgets the parts whose flag is set, dropping the rest.
    ///
    /// # Safety
    /// As for [`Home::new`].
    #[inline(always)]
    pub unsafe fn with_parts<F: Fn(V, &[bool; N])>(
        slot: *mut HomeSlot<V, N>,
        value: V,
        rest: F,
    ) -> Home<V, N, DropRestParts<N>> {
        let _ = rest;
        // SAFETY: the caller guarantees that `slot` is valid, pinned and empty.
        unsafe { Self::fill(slot, value, Home::<V, N, DropRestParts<N>>::HOLDS_ALL) };
        Home {
            slot,
            rest: DropRestParts(drop_rest_parts::<V, N, F>),
        }
    }
}

impl<V, const N: usize, D: DropRest<V, N>> Home<V, N, D> {
    /// The flags of a slot that holds the whole value: flag 0 set, no part moved out.
    const HOLDS_ALL: [bool; N] = {
        let mut flags = [false; N];
        if N > 0 {
            flags[0] = true;
        }
        flags
    };

    #[inline(always)]
    fn ptr(&self) -> *mut V {
        // `MaybeUninit<V>` has `V`'s layout; no reference is made here.
        self.slot.cast::<V>()
    }

    // (A `&mut` from `&self`: the flags live in the slot, not in the handle.)
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    fn flags(&self) -> &mut [bool; N] {
        // SAFETY: the slot points into the pinned future, which outlives the handle (`new`).
        unsafe { &mut (*self.slot).flags }
    }

    /// Does the slot hold the value (all of it, or what is left of it)?
    #[inline(always)]
    fn live(&self) -> bool {
        self.flags().first().copied().unwrap_or(true)
    }

    /// `&v`, for as long as the home holds the value.
    #[inline(always)]
    pub fn shared<'b>(&self) -> &'b V {
        // SAFETY: the slot outlives every state that can hold the reference and holds a value
        // while the local is in scope; the body as written passed the borrow checker, so no
        // conflicting use overlaps this borrow (the contract of `new`).
        unsafe { &*self.ptr() }
    }

    /// `&v` for a closure or `async` block that is not `move`, which takes it with
    /// [`Lent::get`] (see [`Lent`]).
    #[inline(always)]
    pub fn lend<'b>(&self) -> Lent<'b, V> {
        Lent(self.shared())
    }

    /// `&mut v`, for as long as the home holds the value.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub fn exclusive<'b>(&self) -> &'b mut V {
        // SAFETY: as in `shared`; the borrow checker saw this `&mut` in the body as written.
        unsafe { &mut *self.ptr() }
    }

    /// The home, for an island (a macro that awaits or leaves the fn, run as an `async`
    /// block) whose code may move the local out on some paths (see [`Taker`]).
    #[inline(always)]
    pub fn taker<'b>(&self) -> Taker<'b, V, N> {
        const { assert!(N >= 1, "a home that may be moved out of has a drop flag") };
        Taker {
            slot: self.slot,
            _borrow: PhantomData,
        }
    }

    /// `v = value`.
    #[inline(always)]
    pub fn set(&mut self, value: V) {
        if self.live() {
            // SAFETY: the slot holds a value when `live()`.
            unsafe { self.rest.drop_rest(self.ptr(), self.flags()) };
        }
        // SAFETY: the slot's old value was dropped above, or moved out before.
        unsafe { self.ptr().write(value) };
        *self.flags() = Self::HOLDS_ALL;
    }

    /// A move out of the local (or a copy).
    #[inline(always)]
    pub fn take(&mut self) -> V {
        self.flags()[0] = false;
        // SAFETY: the value is moved out once; clearing flag 0 keeps the handle from dropping
        // it. (Taking twice would be a use after move in the body, which rustc rejected.)
        unsafe { self.ptr().read() }
    }

    /// `if let P = v`: a move out when the value matches `P` (`matches` tests it), else
    /// `None`, and the home keeps the value.
    #[inline(always)]
    pub fn take_if(&mut self, matches: impl FnOnce(&V) -> bool) -> Option<V> {
        if matches(self.shared()) {
            Some(self.take())
        } else {
            None
        }
    }

    /// `v.f` taken by value: a move of part `k` (or a copy).
    ///
    /// # Safety
    /// `field` points to the part of the value that flag `k` stands for.
    #[inline(always)]
    pub unsafe fn part<T>(&self, k: usize, field: *const T) -> T {
        self.flags()[k] = true;
        // SAFETY: the caller passes a field of the value; it is moved out once, and flag `k`
        // makes the handle forget it instead of dropping it.
        unsafe { field.read() }
    }

    /// `v.f = value` for part `k`, which may have been moved out.
    ///
    /// # Safety
    /// As for [`Home::part`].
    #[inline(always)]
    pub unsafe fn put<T>(&self, k: usize, field: *mut T, value: T) {
        let flags = self.flags();
        if flags[k] {
            flags[k] = false;
            // SAFETY: the part was moved out: the field holds no value to drop.
            unsafe { field.write(value) }
        } else {
            // SAFETY: the part is still there: the assignment drops it.
            unsafe { *field = value }
        }
    }
}

impl<V, const N: usize, D: DropRest<V, N>> core::ops::Deref for Home<V, N, D> {
    type Target = V;
    #[inline(always)]
    fn deref(&self) -> &V {
        self.shared()
    }
}

impl<V, const N: usize, D: DropRest<V, N>> core::ops::DerefMut for Home<V, N, D> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut V {
        self.exclusive()
    }
}

impl<V, const N: usize, D: DropRest<V, N>> Drop for Home<V, N, D> {
    #[inline(always)]
    fn drop(&mut self) {
        if self.live() {
            // SAFETY: `live()` says the slot still holds the value; it is dropped once, in place.
            unsafe { self.rest.drop_rest(self.ptr(), self.flags()) }
        }
    }
}

impl<V: core::fmt::Debug, const N: usize, D: DropRest<V, N>> core::fmt::Debug for Home<V, N, D> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&**self, f)
    }
}

impl<V: core::fmt::Display, const N: usize, D: DropRest<V, N>> core::fmt::Display
    for Home<V, N, D>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&**self, f)
    }
}

// SAFETY: the handle owns the value in its home, like a `Box<V>`.
unsafe impl<V: Send, const N: usize, D: DropRest<V, N> + Send> Send for Home<V, N, D> {}

// SAFETY: as for `Send`: sharing the handle shares the value, as sharing a `Box<V>` would;
// `exclusive` is only called where the body as written had a `&mut` (the contract of `new`).
unsafe impl<V: Sync, const N: usize, D: DropRest<V, N> + Sync> Sync for Home<V, N, D> {}

/// A shared borrow of a home, handed to a closure or `async` block that is not `move`:
/// `let borrowed0 = v.lend();` before the block, `let borrowed0 = borrowed0.get();` as its
/// first statement.
///
/// Such a block captures what it uses by reference. In edition 2018 it captures whole
/// variables, so a `&V` (which is `Copy`, and so is captured by reference even when used by
/// value) would be captured as `&&V`: a reference to a local of the code that made the block,
/// gone once the block is made (E0716). `Lent` is not `Copy`, so `get(self)` has the block
/// take it by value, in every edition; the block then holds the `&V` itself.
pub struct Lent<'a, V>(&'a V);

impl<'a, V> Lent<'a, V> {
    /// The reference.
    #[inline(always)]
    pub fn get(self) -> &'a V {
        self.0
    }
}

/// A fixed home lent to an island: a macro that awaits or leaves the fn (`select!`, a logging
/// macro given a `?`), run as an `async` block that is not `move`. In the `async fn` the
/// macro's code runs in place, and where it moves the local (`v.into_inner()` in one branch)
/// the local is gone from there on; elsewhere it stays, and drops at the end of its scope.
/// The block gets this instead of a borrow: a move is [`Taker::take`], which clears the
/// home's flag 0 as [`Home::take`] does, so the handle (still in the state, which holds it
/// while the island runs) does not drop the value; any other use reads or writes it in place
/// through `Deref`/`DerefMut`.
pub struct Taker<'a, V, const N: usize> {
    slot: *mut HomeSlot<V, N>,
    _borrow: PhantomData<&'a mut V>,
}

impl<V, const N: usize> Taker<'_, V, N> {
    /// A move out of the local.
    #[inline(always)]
    pub fn take(&mut self) -> V {
        // SAFETY: the slot outlives the island that holds the taker (`Home::new`'s contract);
        // it holds the value, since the body as written (borrow-checked) moves it at most
        // once; clearing flag 0 hands the value over, as `Home::take` does.
        unsafe {
            (*self.slot).flags[0] = false;
            (&raw const (*self.slot).value).cast::<V>().read()
        }
    }
}

impl<V, const N: usize> core::ops::Deref for Taker<'_, V, N> {
    type Target = V;
    #[inline(always)]
    fn deref(&self) -> &V {
        // SAFETY: as in `take`: the slot holds the value wherever the body as written uses it.
        unsafe { &*(&raw const (*self.slot).value).cast::<V>() }
    }
}

impl<V, const N: usize> core::ops::DerefMut for Taker<'_, V, N> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut V {
        // SAFETY: as in `deref`; the island is the only user of the home while it runs.
        unsafe { &mut *(&raw mut (*self.slot).value).cast::<V>() }
    }
}

// SAFETY: a taker is an exclusive borrow of the value (`&mut V`), which may also move it out.
unsafe impl<V: Send, const N: usize> Send for Taker<'_, V, N> {}

// SAFETY: as for `Send`: sharing a `&mut V` shares `&V`.
unsafe impl<V: Sync, const N: usize> Sync for Taker<'_, V, N> {}
