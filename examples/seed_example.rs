//! The seed document's `example()`: two awaits and a sum, under `#[state_machine]`.
//!
//! `cargo run -p clockwork-examples --example seed_example` runs it;
//! `clockwork expand examples/seed_example.rs` shows the state machine it becomes.

use clockwork::state_machine;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A leaf future that is `Pending` once (waking itself), then ready with `value`.
struct YieldOnce {
    value: i32,
    yielded: bool,
}

impl Future for YieldOnce {
    type Output = i32;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<i32> {
        if self.yielded {
            Poll::Ready(self.value)
        } else {
            self.yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn async_operation() -> YieldOnce {
    YieldOnce {
        value: 40,
        yielded: false,
    }
}

fn another_operation() -> YieldOnce {
    YieldOnce {
        value: 2,
        yielded: false,
    }
}

#[state_machine]
async fn example() -> i32 {
    let x = async_operation().await;
    let y = another_operation().await;
    x + y
}

fn main() {
    // The generated future runs on any executor: here, clockwork's own runtime.
    let out = clockwork::Runtime::new().block_on(example());
    println!("example() = {out}");
    assert_eq!(out, 42);
}
