//! One type for the future of an `.await` whose code is written twice.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// The future of an `.await` whose code the expansion writes in more than one place (a loop's
/// entry and its back edge): each place's `async` block or closure is a type of its own, and
/// the state holds whichever one was made. Copy `i` of `n` is `Other(Other(..First(f)))`.
pub enum Copies<A, B> {
    First(A),
    Other(B),
}

impl<A, B> Future for Copies<A, B>
where
    A: Future,
    B: Future<Output = A::Output>,
{
    type Output = A::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<A::Output> {
        // SAFETY: a projection of the pin to the one field of the variant; it is never moved
        // out while pinned (`Copies` has no `Drop` and no `Unpin` impl of its own).
        unsafe {
            match self.get_unchecked_mut() {
                Copies::First(a) => Future::poll(Pin::new_unchecked(a), cx),
                Copies::Other(b) => Future::poll(Pin::new_unchecked(b), cx),
            }
        }
    }
}
