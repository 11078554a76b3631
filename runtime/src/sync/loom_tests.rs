//! Loom models of `oneshot`. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p clockwork --lib --release loom`.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use loom::thread;

use super::oneshot;

#[test]
fn loom_send_recv_across_threads() {
    loom::model(|| {
        let (tx, rx) = oneshot::channel::<u32>();
        let sender = thread::spawn(move || tx.send(7).unwrap());
        assert_eq!(block_on(rx), Ok(7));
        sender.join().unwrap();
    });
}

#[test]
fn loom_sender_dropped_wakes_receiver() {
    loom::model(|| {
        let (tx, rx) = oneshot::channel::<u32>();
        let sender = thread::spawn(move || drop(tx));
        assert!(block_on(rx).is_err());
        sender.join().unwrap();
    });
}

#[test]
fn loom_receiver_dropped_races_send() {
    loom::model(|| {
        let (tx, rx) = oneshot::channel::<Box<u32>>();
        let receiver = thread::spawn(move || drop(rx));
        // Either delivered (and dropped with the channel) or handed back.
        let _ = tx.send(Box::new(1));
        receiver.join().unwrap();
    });
}

/// The receiver is polled once, then again with a different waker, while
/// the value is sent: the waker swap must not lose the notification.
#[test]
fn loom_waker_swap_races_send() {
    loom::model(|| {
        let (tx, mut rx) = oneshot::channel::<u32>();
        let sender = thread::spawn(move || tx.send(3).unwrap());
        let first = block_on(poll_fn(|cx| Poll::Ready(Pin::new(&mut rx).poll(cx))));
        let value = match first {
            Poll::Ready(v) => v,
            // `block_on` polls with a fresh waker: a swap.
            Poll::Pending => block_on(&mut rx),
        };
        assert_eq!(value, Ok(3));
        sender.join().unwrap();
    });
}

#[test]
fn loom_closed_races_receiver_drop() {
    loom::model(|| {
        let (mut tx, rx) = oneshot::channel::<u32>();
        let receiver = thread::spawn(move || drop(rx));
        block_on(tx.closed());
        assert!(tx.is_closed());
        receiver.join().unwrap();
    });
}

/// Poll on a loom thread, parking it between polls. Every call makes a new
/// waker, which is what the waker-swap model relies on.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
        thread::park();
    }
}
