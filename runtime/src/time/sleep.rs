//! `Sleep`: a future that completes at a deadline.
//!
//! Creating one only records the deadline. The first poll registers it in
//! the wheel with the task's waker (`Handle::register`); the driver later
//! fires it and wakes that waker; the next poll sees "fired". Dropping a
//! registered `Sleep` cancels its timer. So `timeout(d, ready_future)`
//! never touches the wheel at all.
//!
//! Unlike tokio's, this `Sleep` is `Unpin`: the wheel refers to it by key,
//! not by pointer.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use super::clock::Instant;
use super::driver::Handle;
use super::wheel::TimerKey;
use crate::{context, coop};

/// Wait until `duration` has elapsed.
pub fn sleep(duration: Duration) -> Sleep {
    let deadline = Instant::now()
        .checked_add(duration)
        .unwrap_or_else(Instant::far_future);
    Sleep::new(deadline)
}

/// Wait until `deadline`.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(deadline)
}

#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    deadline: Instant,
    registered: Option<(Handle, TimerKey)>,
    elapsed: bool,
}

impl Sleep {
    pub(crate) fn new(deadline: Instant) -> Sleep {
        Sleep {
            deadline,
            registered: None,
            elapsed: false,
        }
    }

    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    pub fn is_elapsed(&self) -> bool {
        self.elapsed
    }

    /// Move the deadline (the old timer, if any, is cancelled).
    pub fn reset(&mut self, deadline: Instant) {
        self.cancel();
        self.deadline = deadline;
        self.elapsed = false;
    }

    fn cancel(&mut self) {
        if let Some((handle, key)) = self.registered.take() {
            handle.deregister(key);
        }
    }

    fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.elapsed {
            return Poll::Ready(());
        }
        let coop = ready!(coop::poll_proceed(cx));
        let fired = match &self.registered {
            Some((handle, key)) => handle.poll_fired(*key, cx.waker()),
            None => {
                let handle = current_time_handle();
                match handle.register(self.deadline, cx.waker()) {
                    Some(key) => {
                        self.registered = Some((handle, key));
                        false
                    }
                    None => true,
                }
            }
        };
        if fired {
            self.elapsed = true;
            self.cancel(); // free the wheel entry now
            coop.made_progress();
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.poll_elapsed(cx)
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.cancel();
    }
}

impl std::fmt::Debug for Sleep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("elapsed", &self.elapsed)
            .finish()
    }
}

pub(crate) fn current_time_handle() -> Handle {
    context::with_current(|handle| match handle {
        Some(handle) => match &handle.driver().time {
            Some(time) => time.clone(),
            None => panic!(
                "A timer was polled on a runtime without the time driver: \
                 call `enable_time()` (or `enable_all()`) on the runtime builder."
            ),
        },
        None => panic!("A timer was polled outside of a clockwork runtime."),
    })
}
