//! Tests for the sync primitives. The hand-polled ones (no runtime, no
//! timers) also run under Miri.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use super::*;
use crate::{Builder, JoinSet, Runtime, spawn, yield_now};

#[derive(Default)]
struct CountWaker(AtomicUsize);
impl Wake for CountWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}
fn count_waker() -> (Arc<CountWaker>, Waker) {
    let w = Arc::new(CountWaker::default());
    (w.clone(), Waker::from(w))
}

fn poll_once<F: Future + Unpin>(f: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(f).poll(&mut Context::from_waker(waker))
}

/// Smaller workloads under Miri, same code paths.
fn n(full: usize) -> usize {
    if cfg!(miri) { (full / 25).max(4) } else { full }
}

fn rts() -> Vec<Runtime> {
    vec![
        Builder::new_current_thread().enable_all().build().unwrap(),
        Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
    ]
}

#[test]
fn oneshot_send_then_recv() {
    let (tx, mut rx) = oneshot::channel();
    let (_, waker) = count_waker();
    tx.send(5).unwrap();
    assert_eq!(poll_once(&mut rx, &waker), Poll::Ready(Ok(5)));
}

#[test]
fn oneshot_recv_waits_then_is_woken() {
    let (tx, mut rx) = oneshot::channel::<String>();
    let (count, waker) = count_waker();
    assert!(poll_once(&mut rx, &waker).is_pending());
    // A different waker replaces the first one.
    let (count2, waker2) = count_waker();
    assert!(poll_once(&mut rx, &waker2).is_pending());
    tx.send("hi".into()).unwrap();
    assert_eq!(count.0.load(Ordering::SeqCst), 0);
    assert_eq!(count2.0.load(Ordering::SeqCst), 1);
    assert_eq!(
        poll_once(&mut rx, &waker2),
        Poll::Ready(Ok("hi".to_string()))
    );
}

#[test]
fn oneshot_sender_dropped() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    let (count, waker) = count_waker();
    assert!(poll_once(&mut rx, &waker).is_pending());
    drop(tx);
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert!(matches!(poll_once(&mut rx, &waker), Poll::Ready(Err(_))));
}

#[test]
fn oneshot_receiver_dropped_returns_value_and_wakes_closed() {
    let (mut tx, rx) = oneshot::channel::<Box<u32>>();
    let (count, waker) = count_waker();
    assert!(
        tx.poll_closed(&mut Context::from_waker(&waker))
            .is_pending()
    );
    drop(rx);
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert!(tx.is_closed());
    assert_eq!(tx.send(Box::new(3)), Err(Box::new(3)));
}

#[test]
fn oneshot_value_dropped_with_channel() {
    let drops = Arc::new(AtomicUsize::new(0));
    struct D(Arc<AtomicUsize>);
    impl Drop for D {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let (tx, rx) = oneshot::channel();
    tx.send(D(drops.clone())).ok().unwrap();
    drop(rx);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn oneshot_across_threads() {
    for _ in 0..if cfg!(miri) { 5 } else { 200 } {
        let (tx, rx) = oneshot::channel();
        let t = std::thread::spawn(move || tx.send(1u64).unwrap());
        assert_eq!(crate::park::block_on_thread(rx), Ok(1));
        t.join().unwrap();
    }
}

#[test]
fn mpsc_unbounded_hand_polled() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (count, waker) = count_waker();
    let mut cx = Context::from_waker(&waker);
    assert!(rx.poll_recv(&mut cx).is_pending());
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(1)));
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Err(mpsc::TryRecvError::Empty));
    drop(tx);
    assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(None));
}

#[test]
fn mpsc_bounded_backpressure_hand_polled() {
    let (tx, mut rx) = mpsc::channel(2);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    assert!(matches!(tx.try_send(3), Err(mpsc::TrySendError::Full(3))));
    let (count, waker) = count_waker();
    let mut send = pin!(tx.send(3));
    assert!(
        send.as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    );
    assert_eq!(rx.try_recv(), Ok(1)); // frees a slot, hands it to the waiter
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert!(
        send.as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_ready()
    );
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Ok(3));
    drop(rx);
    assert!(matches!(tx.try_send(4), Err(mpsc::TrySendError::Closed(4))));
}

#[test]
fn mpsc_many_producers() {
    for rt in rts() {
        rt.block_on(async {
            let (tx, mut rx) = mpsc::channel(16);
            for p in 0..5u64 {
                let tx = tx.clone();
                drop(spawn(async move {
                    for i in 0..n(1000) as u64 {
                        tx.send(p * 1000 + i).await.unwrap();
                    }
                }));
            }
            drop(tx);
            let mut sum = 0;
            let mut count = 0;
            while let Some(v) = rx.recv().await {
                sum += v;
                count += 1;
            }
            let k = n(1000) as u64;
            assert_eq!(count, 5 * k);
            assert_eq!(
                sum,
                (0..5u64)
                    .map(|p| (0..k).map(|i| p * 1000 + i).sum::<u64>())
                    .sum::<u64>()
            );
        });
    }
}

#[test]
fn request_reply_round_trips() {
    for rt in rts() {
        rt.block_on(async {
            let (tx, mut rx) = mpsc::unbounded_channel::<(u32, oneshot::Sender<u32>)>();
            let server = spawn(async move {
                while let Some((v, reply)) = rx.recv().await {
                    let _ = reply.send(v * 2);
                }
            });
            for i in 0..n(500) as u32 {
                let (rtx, rrx) = oneshot::channel();
                tx.send((i, rtx)).unwrap();
                assert_eq!(rrx.await.unwrap(), i * 2);
            }
            drop(tx);
            server.await.unwrap();
        });
    }
}

#[test]
fn notify_one_stores_a_permit() {
    let notify = Notify::new();
    notify.notify_one();
    notify.notify_one(); // permits do not accumulate
    let (_, waker) = count_waker();
    let mut a = Box::pin(notify.notified());
    assert!(a.as_mut().poll(&mut Context::from_waker(&waker)).is_ready());
    let mut b = Box::pin(notify.notified());
    assert!(
        b.as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    );
}

#[test]
fn notify_waiters_wakes_all_created_before() {
    let notify = Notify::new();
    let (count, waker) = count_waker();
    let mut polled = Box::pin(notify.notified());
    let mut unpolled = Box::pin(notify.notified());
    assert!(
        polled
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    );
    notify.notify_waiters();
    let mut later = Box::pin(notify.notified());
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert!(
        polled
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_ready()
    );
    assert!(
        unpolled
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_ready()
    );
    assert!(
        later
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    );
}

#[test]
fn notify_one_is_passed_on_when_the_chosen_waiter_is_dropped() {
    let notify = Notify::new();
    let (_, waker) = count_waker();
    let mut a = Box::pin(notify.notified());
    let mut b = Box::pin(notify.notified());
    assert!(
        a.as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    );
    assert!(
        b.as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    );
    notify.notify_one(); // picks `a`
    drop(a);
    assert!(b.as_mut().poll(&mut Context::from_waker(&waker)).is_ready());
}

#[test]
fn semaphore_fifo_and_cancellation() {
    let sem = Semaphore::new(1);
    let (_, waker) = count_waker();
    let mut cx = Context::from_waker(&waker);
    let held = sem.try_acquire().unwrap();
    let mut a = Box::pin(sem.acquire());
    let mut b = Box::pin(sem.acquire());
    assert!(a.as_mut().poll(&mut cx).is_pending());
    assert!(b.as_mut().poll(&mut cx).is_pending());
    drop(held); // goes to `a`
    assert!(sem.try_acquire().is_err(), "not stolen from the queue");
    drop(a); // cancelled after being assigned: passes to `b`
    let permit = match b.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(p)) => p,
        _ => panic!("b should have the permit"),
    };
    drop(permit);
    assert_eq!(sem.available_permits(), 1);
    sem.close();
    assert!(sem.try_acquire().is_err());
}

#[test]
fn mutex_counts_correctly_under_contention() {
    for rt in rts() {
        rt.block_on(async {
            let m = Arc::new(Mutex::new(0u64));
            let mut set = JoinSet::new();
            for _ in 0..n(20) {
                let m = m.clone();
                set.spawn(async move {
                    for _ in 0..n(100) {
                        let mut g = m.lock().await;
                        let v = *g;
                        yield_now().await; // hold the lock across an await
                        *g = v + 1;
                    }
                });
            }
            while let Some(r) = set.join_next().await {
                r.unwrap();
            }
            assert_eq!(*m.lock().await, (n(20) * n(100)) as u64);
        });
    }
}

#[test]
fn notify_between_tasks() {
    for rt in rts() {
        rt.block_on(async {
            let n = Arc::new(Notify::new());
            let n2 = n.clone();
            let waiter = spawn(async move { n2.notified().await });
            yield_now().await;
            n.notify_one();
            waiter.await.unwrap();
        });
    }
}
