//! The homes of a machine while a state holds them: [`Held`] in the state, the value in its
//! home, and [`Homes::clear`] to drop what the state leaves behind.
//!
//! A [`Home`] handle is a pointer to its slot (8 bytes). While the local is in a state, the
//! state only needs to know *that* it holds the local: where the home is, the code that takes
//! the state apart knows already (`slots.k`). So the state keeps a [`Held`], which has no
//! bytes, and the handle comes back with [`Held::resume`] from the slot.
//!
//! Without a handle in the state, the state cannot drop the value, so the machine does: when
//! the state is dropped wholesale (the future dropped half-way, a poll that panics, a `return`
//! made while the state still holds locals), [`StateMachine`](super::StateMachine) drops the
//! state first and then clears the homes, last declared first. That is rustc's order only when
//! the held locals are the ones a state would drop last anyway: those declared before every
//! other local it holds (or declared after only locals with nothing to drop). The expansion
//! gives a local a [`Held`] only then, and a [`Home`] handle, which drops the value where it
//! lies in the state, otherwise.

use super::home::{Home, HomeSlot};
use core::marker::PhantomData;

/// What a state holds for a local whose value is in its home: nothing but the type.
pub struct Held<V>(PhantomData<V>);

impl<V> Home<V, 0> {
    /// The state holds the local from here: the handle goes, the value stays in its home, and
    /// [`Homes::clear`] drops it if the state is dropped before the handle comes back.
    #[inline(always)]
    pub fn hold(self) -> Held<V> {
        core::mem::forget(self);
        Held(PhantomData)
    }

    /// [`Home::hold`] for a state that is written before its sub-future is made from the
    /// handle (which is then forgotten, `mem::forget`).
    #[inline(always)]
    pub fn held(&self) -> Held<V> {
        Held(PhantomData)
    }
}

impl<V> Held<V> {
    /// The handle again, as the state is taken apart (its `Held` is left behind).
    ///
    /// # Safety
    /// `slot` is the home of a local a state holds (for which [`Home::hold`] was called), and
    /// this is the only handle made from it since, on the terms of [`Home::new`].
    #[inline(always)]
    pub unsafe fn resume(slot: *mut HomeSlot<V, 0>) -> Home<V, 0> {
        // SAFETY: the caller passes the slot of a held local; the handle was forgotten by
        // `hold`, so this one is the only one.
        unsafe { Home::resumed(slot) }
    }
}

/// A set of homes: one [`HomeSlot`], or a tuple of them (nested, past twelve).
pub trait Homes {
    /// No homes at all (`()`): nothing to clear, and no guard to clear them with.
    const NONE: bool = false;

    /// Drops the value each home still holds, the last one first (the homes are in the order
    /// the body declares their locals), and leaves them empty. After a destructor that panics,
    /// the rest are still dropped.
    fn clear(&mut self);
}

impl Homes for () {
    const NONE: bool = true;

    #[inline(always)]
    fn clear(&mut self) {}
}

impl<V, const N: usize> Homes for HomeSlot<V, N> {
    #[inline(always)]
    fn clear(&mut self) {
        let slot: *mut Self = self;
        // A value with parts moved out was never held: a handle with parts drops it, and
        // leaves the slot empty. Should one be left here, it leaks rather than drops twice.
        // SAFETY: `slot` is `self`; the flags are read, the rest of the slot left alone.
        let parts_moved = unsafe { (*slot).moved }.contains(&true);
        // SAFETY: as above; this is the only reference to the value while it lives.
        if let Some(value) = unsafe { (*slot).value.as_mut() } {
            let _emptied = Emptied(slot);
            if !parts_moved {
                // SAFETY: the value is dropped once, in place (it may be pinned); `_emptied`
                // then marks the slot empty without dropping it again.
                unsafe { core::ptr::drop_in_place(value) }
            }
        }
    }
}

/// Marks a slot empty when dropped: after its value was dropped in place, and also when that
/// value's destructor panics (what is left of it is not dropped again).
pub(super) struct Emptied<V, const N: usize>(pub(super) *mut HomeSlot<V, N>);

impl<V, const N: usize> Drop for Emptied<V, N> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: the slot is valid (the caller's); its value was dropped, so it is
        // overwritten without dropping it.
        unsafe { Home::<V, N>::fill(self.0, None) }
    }
}

/// Clears the homes when dropped (see [`Homes::clear`]): made before the state is dropped,
/// so that the homes are cleared after it, also when one of its destructors panics.
pub(super) struct ClearOnDrop<'a, H: Homes>(pub(super) &'a mut H);

impl<H: Homes> Drop for ClearOnDrop<'_, H> {
    #[inline(always)]
    fn drop(&mut self) {
        self.0.clear();
    }
}

/// `Homes` for a tuple of homes: a tuple of [`ClearOnDrop`]s, last home first, so that each
/// is cleared even when one before it panics (a tuple drops its fields in order, and goes on
/// after a panic).
macro_rules! homes_tuple {
    ($($H:ident $i:tt)+) => {
        impl<$($H: Homes),+> Homes for ($($H,)+) {
            #[inline(always)]
            fn clear(&mut self) {
                homes_tuple!(@reversed self; []; $($i)+);
            }
        }
    };
    (@reversed $this:ident; [$($done:tt)*]; $first:tt $($rest:tt)*) => {
        homes_tuple!(@reversed $this; [$first $($done)*]; $($rest)*)
    };
    (@reversed $this:ident; [$($i:tt)*];) => {
        let _clear = ($(ClearOnDrop(&mut $this.$i),)*);
    };
}

homes_tuple!(A 0);
homes_tuple!(A 0 B 1);
homes_tuple!(A 0 B 1 C 2);
homes_tuple!(A 0 B 1 C 2 D 3);
homes_tuple!(A 0 B 1 C 2 D 3 E 4);
homes_tuple!(A 0 B 1 C 2 D 3 E 4 F 5);
homes_tuple!(A 0 B 1 C 2 D 3 E 4 F 5 G 6);
homes_tuple!(A 0 B 1 C 2 D 3 E 4 F 5 G 6 H 7);
homes_tuple!(A 0 B 1 C 2 D 3 E 4 F 5 G 6 H 7 I 8);
homes_tuple!(A 0 B 1 C 2 D 3 E 4 F 5 G 6 H 7 I 8 J 9);
homes_tuple!(A 0 B 1 C 2 D 3 E 4 F 5 G 6 H 7 I 8 J 9 K 10);
homes_tuple!(A 0 B 1 C 2 D 3 E 4 F 5 G 6 H 7 I 8 J 9 K 10 L 11);

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::String;
    use std::vec::Vec;
    use std::{cell::RefCell, rc::Rc};

    struct Noisy(&'static str, Rc<RefCell<Vec<&'static str>>>);
    impl Drop for Noisy {
        fn drop(&mut self) {
            self.1.borrow_mut().push(self.0);
            if self.0.starts_with("panics") {
                panic!("{}", self.0);
            }
        }
    }

    /// A held value is dropped by `clear`, once, and the last home first.
    #[test]
    fn clear_drops_held_values_last_first_once() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut homes = (Home::EMPTY, Home::EMPTY, Home::<String, 0>::EMPTY);
        // SAFETY: each slot is empty, outlives its handle and is used by it alone.
        unsafe {
            Home::new(&raw mut homes.0, Noisy("a", log.clone())).hold();
            Home::new(&raw mut homes.1, Noisy("b", log.clone())).hold();
        }
        homes.clear();
        homes.clear();
        assert_eq!(*log.borrow(), ["b", "a"]);
    }

    /// A destructor that panics still leaves the other homes cleared, and its own empty.
    #[test]
    fn clear_goes_on_after_a_panicking_destructor() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut homes = (Home::EMPTY, Home::EMPTY, Home::EMPTY);
        // SAFETY: as above.
        unsafe {
            Home::new(&raw mut homes.0, Noisy("a", log.clone())).hold();
            Home::new(&raw mut homes.1, Noisy("panics b", log.clone())).hold();
            Home::new(&raw mut homes.2, Noisy("c", log.clone())).hold();
        }
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| homes.clear()));
        assert!(caught.is_err());
        homes.clear();
        assert_eq!(*log.borrow(), ["c", "panics b", "a"]);
    }

    /// A handle resumed from its home drops the value, and the home is then empty.
    #[test]
    fn a_resumed_handle_drops_the_value_and_empties_the_home() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut homes = (Home::EMPTY,);
        // SAFETY: as above; `resume` is given the slot `hold` left the value in.
        unsafe {
            let _held = Home::new(&raw mut homes.0, Noisy("a", log.clone())).hold();
            drop(Held::resume(&raw mut homes.0));
        }
        homes.clear();
        assert_eq!(*log.borrow(), ["a"]);
    }
}
