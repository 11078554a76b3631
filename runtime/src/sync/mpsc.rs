//! `mpsc`: many senders, one receiver, bounded or unbounded.
//!
//! The queue is a mutex-guarded `VecDeque` together with the receiver's
//! waker: a send pushes and takes the waker under the lock, then wakes it
//! outside. A bounded channel adds a `Semaphore` with `buffer` permits: a
//! send first acquires one (waiting if the channel is full), the receiver
//! releases one per message taken. Closing the receiver closes the
//! semaphore, failing waiting and future sends.

use std::collections::VecDeque;
use std::fmt;
use std::future::poll_fn;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::{AcqRel, Relaxed};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker, ready};

use super::semaphore::{Semaphore, TryAcquireError};
use crate::coop;

/// A bounded channel holding at most `buffer` messages.
///
/// # Panics
/// If `buffer` is zero.
pub fn channel<T>(buffer: usize) -> (Sender<T>, Receiver<T>) {
    assert!(buffer > 0, "mpsc bounded channel requires buffer > 0");
    let chan = Chan::new(Some(Semaphore::new(buffer)));
    (Sender { chan: chan.clone() }, Receiver { chan })
}

pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let chan = Chan::new(None);
    (
        UnboundedSender { chan: chan.clone() },
        UnboundedReceiver { chan },
    )
}

struct Chan<T> {
    queue: Mutex<Queue<T>>,
    /// `Some` for bounded channels: one permit per free slot.
    slots: Option<Semaphore>,
    tx_count: AtomicUsize,
}

struct Queue<T> {
    items: VecDeque<T>,
    rx_waker: Option<Waker>,
    rx_closed: bool,
    tx_closed: bool,
}

impl<T> Chan<T> {
    fn new(slots: Option<Semaphore>) -> Arc<Chan<T>> {
        Arc::new(Chan {
            queue: Mutex::new(Queue {
                items: VecDeque::new(),
                rx_waker: None,
                rx_closed: false,
                tx_closed: false,
            }),
            slots,
            tx_count: AtomicUsize::new(1),
        })
    }

    fn push(&self, value: T) -> Result<(), T> {
        let waker = {
            let mut q = self.queue.lock().unwrap();
            if q.rx_closed {
                return Err(value);
            }
            q.items.push_back(value);
            q.rx_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let coop = ready!(coop::poll_proceed(cx));
        let mut q = self.queue.lock().unwrap();
        if let Some(value) = q.items.pop_front() {
            drop(q);
            if let Some(slots) = &self.slots {
                slots.release(1);
            }
            coop.made_progress();
            return Poll::Ready(Some(value));
        }
        if q.tx_closed || q.rx_closed {
            coop.made_progress();
            return Poll::Ready(None);
        }
        match &q.rx_waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => q.rx_waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut q = self.queue.lock().unwrap();
        match q.items.pop_front() {
            Some(value) => {
                drop(q);
                if let Some(slots) = &self.slots {
                    slots.release(1);
                }
                Ok(value)
            }
            None if q.tx_closed || q.rx_closed => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    fn close_rx(&self) {
        let items = {
            let mut q = self.queue.lock().unwrap();
            q.rx_closed = true;
            std::mem::take(&mut q.items)
        };
        if let Some(slots) = &self.slots {
            slots.close();
        }
        drop(items); // user destructors, outside the lock
    }

    fn is_closed(&self) -> bool {
        self.queue.lock().unwrap().rx_closed
    }

    fn add_sender(self: &Arc<Self>) -> Arc<Self> {
        self.tx_count.fetch_add(1, Relaxed);
        self.clone()
    }

    fn drop_sender(&self) {
        if self.tx_count.fetch_sub(1, AcqRel) != 1 {
            return;
        }
        let waker = {
            let mut q = self.queue.lock().unwrap();
            q.tx_closed = true;
            q.rx_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// Sending half of a bounded channel.
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
}

/// Receiving half of a bounded channel.
pub struct Receiver<T> {
    chan: Arc<Chan<T>>,
}

pub struct UnboundedSender<T> {
    chan: Arc<Chan<T>>,
}

pub struct UnboundedReceiver<T> {
    chan: Arc<Chan<T>>,
}

/// The receiver is gone; the value is handed back.
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct SendError<T>(pub T);

#[derive(PartialEq, Eq, Clone, Copy)]
pub enum TrySendError<T> {
    Full(T),
    Closed(T),
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TryRecvError {
    Empty,
    Disconnected,
}

impl<T> Sender<T> {
    /// Wait for a free slot, then send.
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        let slots = self.slots();
        match slots.acquire().await {
            Ok(permit) => permit.forget(), // the receiver gives it back
            Err(_) => return Err(SendError(value)),
        }
        self.chan.push(value).map_err(SendError)
    }

    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        match self.slots().try_acquire() {
            Ok(permit) => permit.forget(),
            Err(TryAcquireError::NoPermits) => return Err(TrySendError::Full(value)),
            Err(TryAcquireError::Closed) => return Err(TrySendError::Closed(value)),
        }
        self.chan.push(value).map_err(TrySendError::Closed)
    }

    /// Send from outside any runtime, blocking the thread.
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        crate::park::block_on_thread(self.send(value))
    }

    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// Free slots right now.
    pub fn capacity(&self) -> usize {
        self.slots().available_permits()
    }

    fn slots(&self) -> &Semaphore {
        self.chan
            .slots
            .as_ref()
            .expect("bounded channel has a semaphore")
    }
}

impl<T> UnboundedSender<T> {
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.chan.push(value).map_err(SendError)
    }

    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }
}

macro_rules! receiver_impl {
    ($rx:ident) => {
        impl<T> $rx<T> {
            /// The next message; `None` once every sender is gone and the
            /// queue is empty.
            pub async fn recv(&mut self) -> Option<T> {
                poll_fn(|cx| self.chan.poll_recv(cx)).await
            }

            pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
                self.chan.poll_recv(cx)
            }

            pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
                self.chan.try_recv()
            }

            /// Receive from outside any runtime, blocking the thread.
            pub fn blocking_recv(&mut self) -> Option<T> {
                crate::park::block_on_thread(self.recv())
            }

            /// Refuse further messages; those already queued are dropped.
            pub fn close(&mut self) {
                self.chan.close_rx();
            }
        }

        impl<T> Drop for $rx<T> {
            fn drop(&mut self) {
                self.chan.close_rx();
            }
        }

        impl<T> fmt::Debug for $rx<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($rx)).finish_non_exhaustive()
            }
        }
    };
}

macro_rules! sender_common {
    ($tx:ident) => {
        impl<T> Clone for $tx<T> {
            fn clone(&self) -> Self {
                $tx {
                    chan: self.chan.add_sender(),
                }
            }
        }

        impl<T> Drop for $tx<T> {
            fn drop(&mut self) {
                self.chan.drop_sender();
            }
        }

        impl<T> fmt::Debug for $tx<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($tx)).finish_non_exhaustive()
            }
        }
    };
}

receiver_impl!(Receiver);
receiver_impl!(UnboundedReceiver);
sender_common!(Sender);
sender_common!(UnboundedSender);

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("channel closed")
    }
}

impl<T> std::error::Error for SendError<T> {}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("Full(..)"),
            TrySendError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("no available capacity"),
            TrySendError::Closed(_) => f.write_str("channel closed"),
        }
    }
}

impl<T> std::error::Error for TrySendError<T> {}
