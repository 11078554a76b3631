//! Runs with std alone: `rustc` compiles it as it is (without the attributes), and the
//! expansion printed by `clockwork expand` must print the same.
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Pending on the first poll, ready on the second.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

async fn async_operation() -> i32 {
    YieldOnce(false).await;
    40
}

async fn another_operation() -> i32 {
    YieldOnce(false).await;
    2
}

#[state_machine]
async fn example() -> i32 {
    let x = async_operation().await;
    // Expanded once per value of the condition; rustc keeps one copy.
    #[cfg(debug_assertions)]
    let x = x + 0 * another_operation().await;
    let y = another_operation().await;
    x + y
}

async fn next_line(lines: &mut Vec<&'static str>) -> Option<&'static str> {
    YieldOnce(false).await;
    if lines.is_empty() { None } else { Some(lines.remove(0)) }
}

#[state_machine]
async fn sum_lines(mut lines: Vec<&'static str>) -> Result<i64, String> {
    let mut total = 0;
    loop {
        let Some(line) = next_line(&mut lines).await else {
            break;
        };
        if line.is_empty() {
            continue;
        }
        let n: i64 = line.trim().parse().map_err(|e| format!("bad line {line:?}: {e}"))?;
        total += n;
    }
    Ok(total)
}

struct Counter {
    count: u32,
}

impl Counter {
    #[state_machine]
    async fn tick(&mut self, by: u32) -> u32 {
        for _ in 0..by {
            YieldOnce(false).await;
            self.count += 1;
        }
        self.count
    }
}

fn block_on<F: Future>(fut: F) -> (F::Output, usize) {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 1;
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return (v, polls);
        }
        polls += 1;
    }
}

fn main() {
    println!("example: {:?}", block_on(example()));
    println!("sum: {:?}", block_on(sum_lines(vec!["1", "", "20", "300"])));
    println!("sum: {:?}", block_on(sum_lines(vec!["1", "x"])));
    let mut c = Counter { count: 5 };
    println!("tick: {:?}", block_on(c.tick(3)));
}
