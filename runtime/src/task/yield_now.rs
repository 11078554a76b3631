//! `yield_now`: return `Pending` once, after asking to be polled again.
//!
//! The wake happens during our own poll, so the state machine takes the
//! "woken while running" path: `transition_to_idle` returns `OkNotified` and
//! `Harness::poll` hands the task to `Schedule::yield_now`, which puts it at
//! the *back* of the run queue.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Let other tasks run before continuing.
pub async fn yield_now() {
    struct YieldNow {
        yielded: bool,
    }

    impl Future for YieldNow {
        type Output = ();

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.yielded {
                return Poll::Ready(());
            }
            self.yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    YieldNow { yielded: false }.await
}
