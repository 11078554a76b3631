//! `#[clockwork::main]`, `spawn`, `JoinHandle`, and a `#[state_machine]` fn as a task.
//! `cargo run -p clockwork-examples --example spawn_and_join`.

use clockwork::state_machine;
use std::time::Duration;

#[state_machine]
async fn slow_square(n: u64) -> u64 {
    clockwork::time::sleep(Duration::from_millis(n)).await;
    n * n
}

#[clockwork::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let handles: Vec<_> = (1..=5).map(|n| clockwork::spawn(slow_square(n))).collect();
    let mut total = 0;
    for h in handles {
        total += h.await.expect("task panicked");
    }
    println!("sum of squares 1..=5 = {total}");
    assert_eq!(total, 55);
}
