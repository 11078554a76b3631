//! The seed document's `AsyncTimerFuture`, twice.
//!
//! 1. As the seed wrote it: the future starts a thread that sleeps, then calls `waker.wake()`.
//! 2. With the runtime's timer wheel: `clockwork::time::sleep` registers an entry in the wheel;
//!    the driver's `process_at_time` fires it and the wake list calls `wake()` (on the thread
//!    that turns the driver).
//!
//! Both print which thread woke the task. `cargo run -p clockwork-examples --example seed_timer`.

use clockwork::state_machine;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;

/// The seed's timer: shared state between the future and the thread that completes it.
struct SharedState {
    completed: bool,
    waker: Option<Waker>,
    woken_by: Option<String>,
}

struct AsyncTimerFuture {
    shared: Arc<Mutex<SharedState>>,
}

impl AsyncTimerFuture {
    fn new(duration: Duration) -> Self {
        let shared = Arc::new(Mutex::new(SharedState {
            completed: false,
            waker: None,
            woken_by: None,
        }));
        let thread_shared = shared.clone();
        thread::Builder::new()
            .name("seed-timer-thread".into())
            .spawn(move || {
                thread::sleep(duration);
                let mut state = thread_shared.lock().unwrap();
                state.completed = true;
                state.woken_by = thread::current().name().map(String::from);
                // The step the seed is about: the timer thread calls wake().
                if let Some(waker) = state.waker.take() {
                    waker.wake();
                }
            })
            .expect("spawn the timer thread");
        AsyncTimerFuture { shared }
    }
}

impl Future for AsyncTimerFuture {
    type Output = String;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<String> {
        let mut state = self.shared.lock().unwrap();
        if state.completed {
            Poll::Ready(state.woken_by.clone().unwrap_or_default())
        } else {
            // Store the waker from the Context the executor injected (`Context::from_waker`).
            state.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

/// Which thread is running this code.
fn here() -> String {
    thread::current().name().unwrap_or("<unnamed>").to_string()
}

#[state_machine]
async fn both_timers() -> (String, String) {
    let by_thread = AsyncTimerFuture::new(Duration::from_millis(20)).await;
    println!(
        "1. seed timer: woken by `{by_thread}`, resumed on `{}`",
        here()
    );
    clockwork::time::sleep(Duration::from_millis(20)).await;
    let by_wheel = here();
    println!(
        "2. timer wheel: resumed on `{by_wheel}` (the wheel fired the entry on the driver's turn)"
    );
    (by_thread, by_wheel)
}

fn main() {
    let rt = clockwork::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let (by_thread, _) = rt.block_on(both_timers());
    assert_eq!(by_thread, "seed-timer-thread");
}
