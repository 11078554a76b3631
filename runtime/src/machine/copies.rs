//! One type for the future of an `.await` whose code is written twice.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// The future of an `.await` whose code the expansion writes in more than one place (a loop's
/// entry and its back edge): each place's `async` block or closure is a type of its own, and
/// the state holds whichever one was made. Copy `i` of `n` is `Other(Other(..First(f)))`.
///
/// `O`, the output, is a parameter of its own so that rustc can infer it from whichever copy
/// the text shows first: after a join point, the code that makes the `Other` copy may come
/// before the `First` one, and an output read from `A` alone would not be known there yet
/// (E0282). The third variant only names `O`; it cannot be made.
pub enum Copies<A, B, O> {
    First(A),
    Other(B),
    #[doc(hidden)]
    Never(
        core::convert::Infallible,
        core::marker::PhantomData<fn() -> O>,
    ),
}

impl<A, B, O> Future for Copies<A, B, O>
where
    A: Future<Output = O>,
    B: Future<Output = O>,
{
    type Output = O;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<O> {
        // SAFETY: a projection of the pin to the one field of the variant; it is never moved
        // out while pinned (`Copies` has no `Drop` and no `Unpin` impl of its own).
        unsafe {
            match self.get_unchecked_mut() {
                Copies::First(a) => Future::poll(Pin::new_unchecked(a), cx),
                Copies::Other(b) => Future::poll(Pin::new_unchecked(b), cx),
                Copies::Never(never, _) => match *never {},
            }
        }
    }
}
