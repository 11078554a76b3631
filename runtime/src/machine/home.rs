//! Fixed homes: locals that stay borrowed across an `.await`.
//!
//! In `let v = vec![1, 2, 3]; for x in &v { step(x).await; }` the loop's iterator borrows `v`
//! across the `.await`, so `v` must not move from one state to the next. Such a local gets a
//! slot of its own in the pinned future (`homes` in the expansion), where its value stays from
//! its `let` to the end of its scope. The local itself becomes a [`Home`], a handle that moves
//! between states like any other local and drops the value where rustc would drop the local.
//! (A state may keep a [`Held`](super::Held) instead, which has no bytes: see `homes.rs`.)

use core::marker::{PhantomData, PhantomPinned};
use core::mem::ManuallyDrop;

/// A slot in the pinned future: room for the value, and a flag for each of `N` parts that the
/// body moves out of it. `!Unpin`, since it is pinned memory that handles point into: under
/// Stacked Borrows, a `&mut` to an `Unpin` value would claim unique access to it and so
/// invalidate those pointers at every poll.
pub struct HomeSlot<V, const N: usize> {
    /// `None` while the local holds no value: not yet assigned, or moved out. This is rustc's
    /// drop flag for the local, and like rustc's it usually costs nothing: `Option<V>` keeps
    /// `None` in a value `V` cannot have (a null pointer, a `bool`'s 2) when there is one.
    /// (`ManuallyDrop`: the handle drops the value, and the slot outlives the handle.)
    pub(super) value: ManuallyDrop<Option<V>>,
    /// Flag `k`: part `k` of the value (a field taken by value, `consume(p.a)`) was moved out.
    pub(super) moved: [bool; N],
    _pinned: PhantomPinned,
}

/// How a [`Home`] drops its value: `()` drops it whole; [`DropRestParts`] lets the parts that
/// were moved out go (`mem::forget`) and drops only the rest, field by field, as rustc drops a
/// partly moved local.
pub trait DropRest<V, const N: usize> {
    /// # Safety
    /// `value` holds a value, which is dropped (or taken apart) here and not used again.
    unsafe fn drop_rest(&self, value: *mut V, moved: &[bool; N]);
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
    unsafe fn drop_rest(&self, value: *mut V, moved: &[bool; N]) {
        // SAFETY: `self.0` is `drop_rest_parts::<V, N, _>` (see `with_parts`); the caller
        // passes a value it may read once.
        unsafe { (self.0)(value.cast(), moved) }
    }
}

/// Calls the closure `F` (which captures nothing) on the value behind `value`.
///
/// # Safety
/// `value` points to a `V`, which is read (moved out) once.
pub unsafe fn drop_rest_parts<V, const N: usize, F: Fn(V, &[bool; N])>(
    value: *mut (),
    moved: &[bool; N],
) {
    const { assert!(size_of::<F>() == 0) };
    // SAFETY: `F` captures nothing (asserted above): a type without bytes, so without invalid
    // values, which is made here from nothing.
    let rest: F = unsafe { core::mem::zeroed() };
    // SAFETY: the caller's value is read once and never used again in place.
    rest(unsafe { value.cast::<V>().read() }, moved)
}

/// The fixed home of a local that stays borrowed across an `.await`: the value lives in a slot
/// of the pinned future and never moves; the state holds this handle, which drops the value
/// where the local would have been dropped.
///
/// The slot also says whether it holds the value (see [`HomeSlot`]), and has a flag for each of
/// the `N` parts the body moves out (a field taken by value, `consume(p.a)`): `D` drops what
/// is left of a partly moved value.
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
        value: ManuallyDrop::new(None),
        moved: [false; N],
        _pinned: PhantomPinned,
    };

    /// # Safety
    /// `slot` is valid for writes, and its value (if any) was dropped or moved out already.
    #[inline(always)]
    pub(super) unsafe fn fill(slot: *mut HomeSlot<V, N>, value: Option<V>) {
        // SAFETY: the caller's slot is valid; writing the fields one by one drops nothing
        // (the old value, if any, was dropped or moved out with its handle).
        unsafe {
            (&raw mut (*slot).value).write(ManuallyDrop::new(value));
            (&raw mut (*slot).moved).write([false; N]);
        }
    }

    /// The handle of a home that holds its local's value already (see [`Held::resume`]).
    ///
    /// # Safety
    /// As for [`Home::new`], and no other handle of this slot is left.
    ///
    /// [`Held::resume`]: super::Held::resume
    #[inline(always)]
    pub(super) unsafe fn resumed(slot: *mut HomeSlot<V, N>) -> Self {
        Home { slot, rest: () }
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
        unsafe { Self::fill(slot, Some(value)) };
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
        // SAFETY: the caller's slot is valid, and its old value gone.
        unsafe { Self::fill(slot, None) };
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
        unsafe { Self::fill(slot, Some(value)) };
        Home {
            slot,
            rest: DropRestParts(drop_rest_parts::<V, N, F>),
        }
    }

    /// [`Home::vacant`], for a local some parts of which may be moved out (see
    /// [`Home::with_parts`]): `let p: (A, B); p = (a, b); consume(p.0);`.
    ///
    /// # Safety
    /// As for [`Home::vacant`].
    #[inline(always)]
    pub unsafe fn vacant_with_parts<F: Fn(V, &[bool; N])>(
        slot: *mut HomeSlot<V, N>,
        rest: F,
    ) -> Home<V, N, DropRestParts<N>> {
        let _ = rest;
        // SAFETY: the caller's slot is valid, and its old value gone.
        unsafe { Self::fill(slot, None) };
        Home {
            slot,
            rest: DropRestParts(drop_rest_parts::<V, N, F>),
        }
    }

    /// [`Home::vacant_with_parts`] for a local declared with neither a value nor a type
    /// (`let p; p = (a, b); consume(p.0);`): what drops the rest names the parts, so it
    /// comes with the first value, which gives the type ([`Home::set_with_parts`]).
    ///
    /// # Safety
    /// As for [`Home::vacant`].
    #[inline(always)]
    pub unsafe fn vacant_untyped(slot: *mut HomeSlot<V, N>) -> Home<V, N, DropRestParts<N>> {
        // SAFETY: the caller's slot is valid, and its old value gone.
        unsafe { Self::fill(slot, None) };
        Home {
            slot,
            rest: DropRestParts(drop_nothing::<N>),
        }
    }
}

/// What a [`Home::vacant_untyped`] handle drops its value with until its first assignment:
/// never called, since the slot holds no value until then.
unsafe fn drop_nothing<const N: usize>(_: *mut (), _: &[bool; N]) {}

impl<V, const N: usize> Home<V, N, DropRestParts<N>> {
    /// `v = value` for a local made by [`Home::vacant_untyped`]: the assignment, and `rest`
    /// (as for [`Home::with_parts`]), which drops what is left of this value.
    #[inline(always)]
    pub fn set_with_parts<F: Fn(V, &[bool; N])>(&mut self, value: V, rest: F) {
        let _ = rest;
        self.set(value);
        self.rest = DropRestParts(drop_rest_parts::<V, N, F>);
    }
}

impl<V, const N: usize, D: DropRest<V, N>> Home<V, N, D> {
    /// The value, to drop or replace it. Only where the body as written moves, assigns or
    /// drops the local, where no borrow of it is left: the `&mut` made here would end them.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    fn whole(&self) -> &mut Option<V> {
        // SAFETY: the slot points into the pinned future, which outlives the handle (`new`).
        unsafe { &mut (*self.slot).value }
    }

    // (A `&mut` from `&self`: the flags live in the slot, not in the handle.)
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    fn moved(&self) -> &mut [bool; N] {
        // SAFETY: the slot points into the pinned future, which outlives the handle (`new`).
        unsafe { &mut (*self.slot).moved }
    }

    /// `&v`, for as long as the home holds the value.
    #[inline(always)]
    pub fn shared<'b>(&self) -> &'b V {
        // SAFETY: the slot outlives every state that can hold the reference and holds a value
        // while the local is in scope; the body as written passed the borrow checker, so no
        // conflicting use overlaps this borrow (the contract of `new`).
        unsafe { (*self.slot).value.as_ref().unwrap_unchecked() }
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
        unsafe { (*self.slot).value.as_mut().unwrap_unchecked() }
    }

    /// The value's place, for a method call whose borrow of it may outlive the handle
    /// (`unsafe { (*v.place()).get(k) }`). Called on a place, the method's receiver is borrowed
    /// by rustc's autoref, `&` or `&mut` as the method takes it, exactly as in the body as
    /// written. Neither [`shared`](Self::shared) (no `&mut self` method) nor
    /// [`exclusive`](Self::exclusive) can stand for an unknown method: a `&mut` made for a
    /// method that takes `&self` claims the value alone, and under Stacked Borrows that ends
    /// every shared borrow of it still in use (`let a = m.get(0).await; let b =
    /// m.get(1).await; a + b`, where the body as written holds two shared borrows at once).
    ///
    /// Dereferencing the pointer is `unsafe` on the terms of [`shared`](Self::shared): the
    /// borrow autoref makes is used only as the body as written uses it.
    #[inline(always)]
    pub fn place(&self) -> *mut V {
        // The value's address inside the slot's `Option`, with the slot's provenance (a
        // pointer made from `shared()` would allow reads only).
        let at = core::ptr::from_ref(self.shared()).addr();
        self.slot.cast::<V>().with_addr(at)
    }

    /// The home, for an island (a macro that awaits or leaves the fn, run as an `async`
    /// block) whose code may move the local out on some paths (see [`Taker`]).
    #[inline(always)]
    pub fn taker<'b>(&self) -> Taker<'b, V, N> {
        Taker {
            slot: self.slot,
            _borrow: PhantomData,
        }
    }

    /// `v = value`.
    #[inline(always)]
    pub fn set(&mut self, value: V) {
        /// Writes the new value when dropped: after the old value is dropped, and also when
        /// its destructor panics, as rustc's assignment does (the local then holds the new
        /// value, which unwinding drops at the end of its scope).
        struct Fill<V, const N: usize>(*mut HomeSlot<V, N>, ManuallyDrop<V>);
        impl<V, const N: usize> Drop for Fill<V, N> {
            fn drop(&mut self) {
                // SAFETY: `set`'s slot, whose old value is dropped or moved out by now; the
                // new value is taken out of the guard once, here.
                unsafe { Home::<V, N>::fill(self.0, Some(ManuallyDrop::take(&mut self.1))) }
            }
        }
        let _fill = Fill(self.slot, ManuallyDrop::new(value));
        if let Some(old) = self.whole() {
            // SAFETY: the old value is dropped once, in place (it may be pinned); `_fill` then
            // writes over it without dropping it.
            unsafe { self.rest.drop_rest(old, self.moved()) };
        }
    }

    /// A move out of the local (or a copy).
    #[inline(always)]
    pub fn take(&mut self) -> V {
        // SAFETY: the slot outlives the handle (`new`) and holds the value: taking twice would
        // be a use after move in the body, which rustc rejected.
        unsafe { take_from(self.slot) }
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
        self.moved()[k] = true;
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
        let moved = self.moved();
        if moved[k] {
            moved[k] = false;
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
        if let Some(value) = self.whole() {
            // The slot is empty afterwards (also when a destructor panics): the machine
            // clears its homes after the state (see `Homes`), which must find nothing here.
            let _emptied = super::homes::Emptied(self.slot);
            // SAFETY: the slot still holds the value; it is dropped once, in place.
            unsafe { self.rest.drop_rest(value, self.moved()) }
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

/// Moves the value out of its slot, or copies it. A move leaves `None`, so that the handle
/// does not drop the value again. A value that needs no drop is read and left where it is:
/// syntax cannot tell a move from a copy (`let borrowed0 = this.take()` for a closure, with
/// `this` a `&S`), and after a copy the body may read the local again, even while a borrow of
/// it is held (so only a shared reference is made here).
///
/// # Safety
/// `slot` is valid and holds the value, which is not used again after a move.
#[inline(always)]
unsafe fn take_from<V, const N: usize>(slot: *mut HomeSlot<V, N>) -> V {
    if core::mem::needs_drop::<V>() {
        // SAFETY: the caller's slot is valid; a type with a destructor is not `Copy`, so this
        // is a move, after which no borrow of the value is left to invalidate.
        match unsafe { (*slot).value.take() } {
            Some(value) => value,
            // (Checked, not assumed: a move is taken out of the home on the receiver
            // heuristic's word, `g.into_val()`, and were that method to borrow, a second one
            // would find the slot empty. A panic, not undefined behaviour.)
            None => taken_twice(),
        }
    } else {
        // SAFETY: the caller's slot holds the value; it is read (copied bit for bit), and
        // left there: dropping it later does nothing.
        unsafe { core::ptr::read((*slot).value.as_ref().unwrap_unchecked()) }
    }
}

#[cold]
#[inline(never)]
fn taken_twice() -> ! {
    panic!(
        "#[state_machine] moved a local out of its fixed home twice: a method it took to \
         consume its receiver borrows it; call it as a path (`Type::method(&v)`)"
    )
}

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
/// macro given a `?`), run as an `async` block that is not `move` (also lent to a closure that
/// assigns the local: [`Taker::set`] drops the old value only if there is one). In the `async fn` the
/// macro's code runs in place, and where it moves the local (`v.into_inner()` in one branch)
/// the local is gone from there on; elsewhere it stays, and drops at the end of its scope.
/// The block gets this instead of a borrow: a move is [`Taker::take`], which clears the
/// value out of the slot as [`Home::take`] does, so the handle (still in the state, which holds it
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
        // it holds the value, since the body as written (borrow-checked) moves it at most once.
        unsafe { take_from(self.slot) }
    }

    /// `v = value` in the island: drops the old value if the local holds one (it may have
    /// been moved out, or not yet assigned), as the assignment in the `async fn` does.
    #[inline(always)]
    pub fn set(&mut self, value: V) {
        const { assert!(N == 0, "a part moved out of a local assigned in an island") };
        // SAFETY: as in `take`, the slot is valid, and the island its only user meanwhile.
        // The assignment drops the old `Option` in place, then writes the new one (also
        // when that drop panics, as rustc's assignment does).
        unsafe { *(*self.slot).value = Some(value) }
    }

    /// `v.f` taken by value in the island: a move of part `k` (see [`Home::part`]).
    ///
    /// # Safety
    /// `field` points to the part of the value that flag `k` stands for.
    #[inline(always)]
    pub unsafe fn part<T>(&mut self, k: usize, field: *const T) -> T {
        // SAFETY: as in `take`, the slot is valid; the caller passes a field of the value,
        // moved out once, and flag `k` makes the handle forget it instead of dropping it.
        unsafe {
            (*self.slot).moved[k] = true;
            field.read()
        }
    }
}

impl<'a, V, const N: usize> Taker<'a, V, N> {
    /// What a string's `{v}` names in the island (`logv!("at {v}")`, see [`Shown`]).
    #[inline(always)]
    pub fn shown(&self) -> Shown<'a, V> {
        // (`ManuallyDrop` is `repr(transparent)`.)
        Shown(
            // SAFETY: the slot outlives the island (`Home::new`'s contract); this only makes
            // a pointer to its value.
            unsafe { (&raw const (*self.slot).value).cast() },
            PhantomData,
        )
    }
}

/// A local that an island may move, as a string's inline format argument names it (`{v}`):
/// formatted from its home when the string is. A reference made at the top of the island
/// (`let v = &*taker;`) would hold a shared borrow of the [`Taker`] for as long as the string
/// comes later, and the island's move or write of `v` before that string needs it exclusive
/// (E0502). The body as written reads `v` where the string is, so it holds a value there.
pub struct Shown<'a, V>(*const Option<V>, PhantomData<&'a V>);

impl<V> Clone for Shown<'_, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V> Copy for Shown<'_, V> {}

// SAFETY: a `Shown` only reads the value, as a `&V` does: it is `Send` and `Sync` when `&V`
// is (an island holding one across an `.await` stays `Send`, as the `async fn` is).
unsafe impl<V: Sync> Send for Shown<'_, V> {}

// SAFETY: as for `Send`.
unsafe impl<V: Sync> Sync for Shown<'_, V> {}

/// A local that a closure or island writes through its `&mut` (`borrowed0`, from
/// [`Home::exclusive`]), as a string's inline format argument names it (`{v}`): formatted
/// through that `&mut` when the string is. A reference made at the top of the block (`let v =
/// &*borrowed0;`) would hold a shared borrow for as long as the string comes later, and a
/// write before that string is E0506. This points to the block's own `&mut`, not to the value,
/// so that the writes through it leave it valid.
pub struct ShownThrough<'a, V>(*const &'a mut V);

impl<'a, V> ShownThrough<'a, V> {
    /// `reference` is the place of the block's `&mut` (`&raw const borrowed0`).
    #[inline(always)]
    pub fn new(reference: *const &'a mut V) -> Self {
        ShownThrough(reference)
    }
}

// SAFETY: as for `Shown`: it only reads the value.
unsafe impl<V: Sync> Send for ShownThrough<'_, V> {}

// SAFETY: as for `Send`.
unsafe impl<V: Sync> Sync for ShownThrough<'_, V> {}

/// `Shown` and `ShownThrough` format as their value does, with any of the format traits.
macro_rules! shown_formats {
    ($($format:ident)*) => {$(
        impl<V: core::fmt::$format> core::fmt::$format for Shown<'_, V> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                // SAFETY: the slot outlives the island (`Home::new`'s contract), whose
                // string this is.
                match unsafe { &*self.0 } {
                    Some(v) => v.fmt(f),
                    None => unreachable!("the body as written reads the local here"),
                }
            }
        }
        impl<V: core::fmt::$format> core::fmt::$format for ShownThrough<'_, V> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                // SAFETY: the `&mut` is a local of the block whose string this is, declared
                // before this and alive while it is; the body as written reads the value
                // here, so no write through it is under way.
                unsafe { &**self.0 }.fmt(f)
            }
        }
    )*};
}
shown_formats!(Display Debug LowerHex UpperHex Octal Binary LowerExp UpperExp Pointer);

impl<V, const N: usize> core::ops::Deref for Taker<'_, V, N> {
    type Target = V;
    #[inline(always)]
    fn deref(&self) -> &V {
        // SAFETY: as in `take`: the slot holds the value wherever the body as written uses it.
        unsafe { (*self.slot).value.as_ref().unwrap_unchecked() }
    }
}

impl<V, const N: usize> core::ops::DerefMut for Taker<'_, V, N> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut V {
        // SAFETY: as in `deref`; the island is the only user of the home while it runs.
        unsafe { (*self.slot).value.as_mut().unwrap_unchecked() }
    }
}

// SAFETY: a taker is an exclusive borrow of the value (`&mut V`), which may also move it out.
unsafe impl<V: Send, const N: usize> Send for Taker<'_, V, N> {}

// SAFETY: as for `Send`: sharing a `&mut V` shares `&V`.
unsafe impl<V: Sync, const N: usize> Sync for Taker<'_, V, N> {}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::String;

    /// A second move out of a home (the receiver heuristic took a borrowing method to consume)
    /// panics, where assuming a value there would be undefined behaviour.
    #[test]
    #[should_panic(expected = "moved a local out of its fixed home twice")]
    fn a_second_take_panics() {
        let mut slot = Home::<String, 0>::EMPTY;
        // SAFETY: the slot is empty, outlives the handle and is used by it alone.
        let mut home = unsafe { Home::new(&raw mut slot, String::from("v")) };
        assert_eq!(home.take(), "v");
        let _ = home.take();
    }
}
