//! Task-level tests against a tiny hand-cranked scheduler, no runtime and
//! (mostly) no threads: they exercise the state word, the waker vtable and
//! the harness, and run under Miri.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use super::*;

/// A scheduler that just collects `Notified`s; tests run them by hand.
#[derive(Clone)]
struct TestSched(Arc<Inner>);

struct Inner {
    queue: Mutex<Vec<Notified<TestSched>>>,
    owned: OwnedTasks<TestSched>,
    scheduled: AtomicUsize,
}

impl Schedule for TestSched {
    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.0.owned.remove(task)
    }

    fn schedule(&self, task: Notified<Self>) {
        self.0.scheduled.fetch_add(1, Ordering::SeqCst);
        self.0.queue.lock().unwrap().push(task);
    }
}

impl TestSched {
    fn new() -> TestSched {
        TestSched(Arc::new(Inner {
            queue: Mutex::new(Vec::new()),
            owned: OwnedTasks::new(),
            scheduled: AtomicUsize::new(0),
        }))
    }

    fn spawn<F>(&self, f: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (join, notified) = self.0.owned.bind(f, self.clone(), Id::next());
        if let Some(n) = notified {
            self.schedule(n);
        }
        join
    }

    /// Run everything queued until the queue is empty; returns runs.
    fn tick(&self) -> usize {
        let mut n = 0;
        loop {
            let batch = std::mem::take(&mut *self.0.queue.lock().unwrap());
            if batch.is_empty() {
                return n;
            }
            for task in batch {
                task.run();
                n += 1;
            }
        }
    }

    fn shutdown(&self) {
        self.0.owned.close_and_shutdown_all();
        drop(std::mem::take(&mut *self.0.queue.lock().unwrap()));
    }
}

/// Counts how many times a future (or output) is dropped.
struct DropCount(Arc<AtomicUsize>);
impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A future that stores its waker in a shared slot and completes when told.
#[derive(Clone, Default)]
struct Trigger(Arc<TriggerInner>);
#[derive(Default)]
struct TriggerInner {
    waker: Mutex<Option<Waker>>,
    done: AtomicBool,
}
impl Trigger {
    fn fire(&self) {
        self.0.done.store(true, Ordering::SeqCst);
        if let Some(w) = self.0.waker.lock().unwrap().take() {
            w.wake();
        }
    }
    fn take_waker(&self) -> Option<Waker> {
        self.0.waker.lock().unwrap().take()
    }
}
impl Future for Trigger {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.done.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        *self.0.waker.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// A waker that counts wakes (for polling `JoinHandle`s by hand).
#[derive(Default)]
struct CountWaker(AtomicUsize);
impl Wake for CountWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn poll_join<T>(join: &mut JoinHandle<T>, waker: &Waker) -> Poll<Result<T, JoinError>> {
    Pin::new(join).poll(&mut Context::from_waker(waker))
}

#[test]
fn run_to_completion_and_read_output() {
    let sched = TestSched::new();
    let mut join = sched.spawn(async { 40 + 2 });
    assert!(!join.is_finished());
    assert_eq!(sched.tick(), 1);
    assert!(join.is_finished());
    let waker = Waker::from(Arc::new(CountWaker::default()));
    assert!(matches!(poll_join(&mut join, &waker), Poll::Ready(Ok(42))));
}

#[test]
fn join_waker_is_woken_on_completion_and_can_be_replaced() {
    let sched = TestSched::new();
    let trigger = Trigger::default();
    let mut join = sched.spawn(trigger.clone());
    sched.tick();
    let w1 = Arc::new(CountWaker::default());
    let w2 = Arc::new(CountWaker::default());
    assert!(poll_join(&mut join, &Waker::from(w1.clone())).is_pending());
    // Same waker again: kept. A different one: replaced.
    assert!(poll_join(&mut join, &Waker::from(w1.clone())).is_pending());
    assert!(poll_join(&mut join, &Waker::from(w2.clone())).is_pending());
    trigger.fire();
    sched.tick();
    assert_eq!(w1.0.load(Ordering::SeqCst), 0);
    assert_eq!(w2.0.load(Ordering::SeqCst), 1);
    assert!(poll_join(&mut join, &Waker::from(w2)).is_ready());
}

#[test]
fn waker_outlives_its_task() {
    let sched = TestSched::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let trigger = Trigger::default();
    let d = DropCount(drops.clone());
    let t = trigger.clone();
    let join = sched.spawn(async move {
        let _d = d;
        t.await;
    });
    sched.tick();
    let waker = trigger.take_waker().expect("task stored its waker");
    let extra = waker.clone();
    // Complete the task by a different route: abort it.
    join.abort();
    sched.tick();
    assert_eq!(drops.load(Ordering::SeqCst), 1, "future dropped on abort");
    drop(join);
    // The cell is still alive thanks to the wakers; waking is a no-op.
    waker.wake_by_ref();
    extra.wake();
    assert_eq!(sched.tick(), 0, "a completed task is never rescheduled");
    drop(waker); // last reference: the cell is freed here (Miri checks)
}

#[test]
fn wake_after_completion_is_a_no_op() {
    let sched = TestSched::new();
    let slot: Arc<Mutex<Option<Waker>>> = Arc::default();
    let s = slot.clone();
    let join = sched.spawn(std::future::poll_fn(move |cx| {
        *s.lock().unwrap() = Some(cx.waker().clone());
        Poll::Ready(())
    }));
    sched.tick();
    assert!(join.is_finished());
    drop(join);
    let waker = slot.lock().unwrap().take().unwrap();
    let before = sched.0.scheduled.load(Ordering::SeqCst);
    waker.wake();
    assert_eq!(sched.0.scheduled.load(Ordering::SeqCst), before);
}

#[test]
fn wake_during_poll_reschedules_once() {
    let sched = TestSched::new();
    let polls = Arc::new(AtomicUsize::new(0));
    let p = polls.clone();
    let join = sched.spawn(std::future::poll_fn(move |cx| {
        if p.fetch_add(1, Ordering::SeqCst) == 0 {
            // Two wakes while RUNNING: one reschedule.
            cx.waker().wake_by_ref();
            #[allow(clippy::waker_clone_wake)] // on purpose: the by-value path
            cx.waker().clone().wake();
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }));
    assert_eq!(sched.tick(), 2);
    assert_eq!(polls.load(Ordering::SeqCst), 2);
    assert!(join.is_finished());
}

#[test]
fn wake_from_another_thread_during_poll() {
    let sched = TestSched::new();
    let polls = Arc::new(AtomicUsize::new(0));
    let p = polls.clone();
    let join = sched.spawn(std::future::poll_fn(move |cx| {
        if p.fetch_add(1, Ordering::SeqCst) == 0 {
            let waker = cx.waker().clone();
            // The other thread wakes while we are still inside `poll`.
            std::thread::spawn(move || waker.wake()).join().unwrap();
            Poll::Pending
        } else {
            Poll::Ready(7)
        }
    }));
    assert_eq!(sched.tick(), 2);
    let mut join = join;
    let waker = Waker::from(Arc::new(CountWaker::default()));
    assert!(matches!(poll_join(&mut join, &waker), Poll::Ready(Ok(7))));
}

#[test]
fn abort_idle_task_drops_future() {
    let sched = TestSched::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let d = DropCount(drops.clone());
    let mut join = sched.spawn(async move {
        let _d = d;
        std::future::pending::<()>().await;
    });
    sched.tick();
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    let abort = join.abort_handle();
    abort.abort();
    abort.abort(); // twice is fine
    assert_eq!(sched.tick(), 1);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    assert!(abort.is_finished());
    let waker = Waker::from(Arc::new(CountWaker::default()));
    match poll_join(&mut join, &waker) {
        Poll::Ready(Err(e)) => assert!(e.is_cancelled()),
        _ => panic!("expected cancellation"),
    }
}

#[test]
fn abort_before_first_poll() {
    let sched = TestSched::new();
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    let mut join = sched.spawn(async move { r.store(true, Ordering::SeqCst) });
    join.abort();
    sched.tick();
    assert!(!ran.load(Ordering::SeqCst), "cancelled before it ever ran");
    let waker = Waker::from(Arc::new(CountWaker::default()));
    assert!(matches!(poll_join(&mut join, &waker), Poll::Ready(Err(e)) if e.is_cancelled()));
}

#[test]
fn abort_while_running() {
    let sched = TestSched::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let slot: Arc<Mutex<Option<AbortHandle>>> = Arc::default();
    let s = slot.clone();
    let d = DropCount(drops.clone());
    let mut join = sched.spawn(async move {
        let _d = d;
        // Abort ourselves mid-poll, then return Pending.
        s.lock().unwrap().take().unwrap().abort();
        std::future::pending::<()>().await;
    });
    *slot.lock().unwrap() = Some(join.abort_handle());
    assert_eq!(sched.tick(), 1);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    let waker = Waker::from(Arc::new(CountWaker::default()));
    assert!(matches!(poll_join(&mut join, &waker), Poll::Ready(Err(e)) if e.is_cancelled()));
}

#[test]
fn panic_becomes_join_error() {
    let sched = TestSched::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let d = DropCount(drops.clone());
    let mut join = sched.spawn(async move {
        let _d = d;
        panic!("boom");
    });
    sched.tick();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    let waker = Waker::from(Arc::new(CountWaker::default()));
    match poll_join(&mut join, &waker) {
        Poll::Ready(Err(e)) => {
            assert!(e.is_panic());
            assert!(e.to_string().contains("boom"), "{e}");
            assert_eq!(*e.into_panic().downcast::<&str>().unwrap(), "boom");
        }
        _ => panic!("expected a panic error"),
    }
}

#[test]
fn detached_output_is_dropped_by_the_task() {
    let sched = TestSched::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let d = drops.clone();
    let join = sched.spawn(async move { DropCount(d) });
    drop(join); // detach before it runs
    sched.tick();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn unread_output_is_dropped_with_the_handle() {
    let sched = TestSched::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let d = drops.clone();
    let join = sched.spawn(async move { DropCount(d) });
    sched.tick();
    assert_eq!(drops.load(Ordering::SeqCst), 0, "kept for the JoinHandle");
    drop(join);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn shutdown_cancels_idle_and_queued_tasks() {
    let sched = TestSched::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let mut joins = Vec::new();
    for i in 0..10 {
        let d = DropCount(drops.clone());
        joins.push(sched.spawn(async move {
            let _d = d;
            if i % 2 == 0 {
                std::future::pending::<()>().await;
            }
        }));
    }
    // Run half of them once: even ones park forever, odd ones finish.
    let batch: Vec<_> = sched.0.queue.lock().unwrap().drain(..5).collect();
    batch.into_iter().for_each(Notified::run);
    sched.shutdown();
    assert_eq!(drops.load(Ordering::SeqCst), 10, "every future dropped");
    let waker = Waker::from(Arc::new(CountWaker::default()));
    for (i, mut join) in joins.into_iter().enumerate() {
        match poll_join(&mut join, &waker) {
            Poll::Ready(Ok(())) => assert!(i < 5 && i % 2 == 1),
            Poll::Ready(Err(e)) => assert!(e.is_cancelled()),
            Poll::Pending => panic!("task {i} still pending after shutdown"),
        }
    }
}

#[test]
fn spawn_after_shutdown_is_cancelled() {
    let sched = TestSched::new();
    sched.shutdown();
    let mut join = sched.spawn(async { 1 });
    assert_eq!(sched.tick(), 0);
    let waker = Waker::from(Arc::new(CountWaker::default()));
    assert!(matches!(poll_join(&mut join, &waker), Poll::Ready(Err(e)) if e.is_cancelled()));
}

#[test]
fn join_handle_from_another_thread_races_completion() {
    for _ in 0..if cfg!(miri) { 3 } else { 50 } {
        let sched = TestSched::new();
        let trigger = Trigger::default();
        let mut join = sched.spawn(trigger.clone());
        sched.tick();
        let w = Arc::new(CountWaker::default());
        let waker = Waker::from(w.clone());
        let t = trigger.clone();
        let s = sched.clone();
        let th = std::thread::spawn(move || {
            t.fire();
            s.tick();
        });
        let res = loop {
            if let Poll::Ready(r) = poll_join(&mut join, &waker) {
                break r;
            }
            std::thread::yield_now();
        };
        th.join().unwrap();
        assert!(res.is_ok());
    }
}
