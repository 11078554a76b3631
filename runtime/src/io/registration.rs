//! `Registration`: a socket's link to the I/O driver, and the task-side half
//! of the chain.
//!
//! ```text
//! TcpStream::read ─► Registration::poll_io(READABLE, || socket.read(buf))
//!     loop:
//!       poll_ready ─► ScheduledIo::poll_ready     not ready: waker stored, Pending
//!       f()        ─► Ok / error               ─► Ready(result)
//!                  ─► WouldBlock               ─► clear_readiness(event), loop
//! ```
//!
//! `PollEvented` (below) owns the mio socket next to its `Registration`
//! and deregisters it before closing it.

use std::future::Future;
use std::io::{self, Read, Write};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use mio::Token;

use super::driver::{self, shutdown_error};
use super::ready::Interest;
use super::scheduled_io::{ReadyEvent, ScheduledIo};
use crate::{context, coop};

pub(crate) struct Registration {
    handle: driver::Handle,
    token: Token,
    shared: Arc<ScheduledIo>,
}

impl Registration {
    /// Register `source` with the current runtime's I/O driver.
    pub(crate) fn new(
        source: &mut impl mio::event::Source,
        interest: Interest,
    ) -> io::Result<Self> {
        let handle = current_io_handle()?;
        let (token, shared) = handle.add_source(source, interest)?;
        Ok(Registration {
            handle,
            token,
            shared,
        })
    }

    /// Ready for `interest`, or the waker is stored. Spends one unit of the
    /// task's cooperative budget (given back if not ready).
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
    ) -> Poll<io::Result<ReadyEvent>> {
        let restore = ready!(coop::poll_proceed(cx));
        let event = ready!(self.shared.poll_ready(cx, interest));
        if event.is_shutdown {
            return Poll::Ready(Err(shutdown_error()));
        }
        restore.made_progress();
        Poll::Ready(Ok(event))
    }

    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        self.shared.clear_readiness(event);
    }

    /// Run the non-blocking `f` once readiness allows; on `WouldBlock`
    /// clear the readiness it used and wait again.
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        mut f: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            let event = ready!(self.poll_ready(cx, interest))?;
            match f() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(event),
                res => return Poll::Ready(res),
            }
        }
    }

    /// `f` now if the driver last reported readiness, else `WouldBlock`.
    pub(crate) fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        let event = self.shared.readiness(interest);
        if event.is_shutdown {
            return Err(shutdown_error());
        }
        if event.ready.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let res = f();
        if matches!(&res, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            self.clear_readiness(event);
        }
        res
    }

    /// Wait for `interest` as an entry of the waiter list: any number of
    /// tasks can wait on one socket at once.
    pub(crate) fn readiness(&self, interest: Interest) -> Readiness<'_> {
        Readiness {
            registration: self,
            interest,
            id: None,
        }
    }

    /// `f` once readiness allows; on `WouldBlock` clear and wait again.
    pub(crate) async fn async_io<R>(
        &self,
        interest: Interest,
        mut f: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            let event = self.readiness(interest).await?;
            match f() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(event),
                res => return res,
            }
        }
    }

    fn deregister(&self, source: &mut impl mio::event::Source) -> io::Result<()> {
        self.handle.deregister_source(source)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.handle.release(self.token);
    }
}

/// Future of [`Registration::readiness`]. Owns one entry of the
/// `ScheduledIo` waiter list while pending; dropping it removes the entry.
pub(crate) struct Readiness<'a> {
    registration: &'a Registration,
    interest: Interest,
    id: Option<u64>,
}

impl Future for Readiness<'_> {
    type Output = io::Result<ReadyEvent>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.get_mut();
        let restore = ready!(coop::poll_proceed(cx));
        let shared = &me.registration.shared;
        let event = ready!(shared.poll_ready_waiter(cx, me.interest, &mut me.id));
        if event.is_shutdown {
            return Poll::Ready(Err(shutdown_error()));
        }
        restore.made_progress();
        Poll::Ready(Ok(event))
    }
}

impl Drop for Readiness<'_> {
    fn drop(&mut self) {
        self.registration.shared.remove_waiter(&mut self.id);
    }
}

pub(crate) fn current_io_handle() -> io::Result<driver::Handle> {
    let handle = context::current_handle().ok_or_else(|| {
        io::Error::other("no clockwork runtime: create I/O resources inside `block_on` or a task")
    })?;
    handle.driver().io.clone().ok_or_else(|| {
        io::Error::other("the clockwork runtime has no I/O driver: build it with `enable_io()`")
    })
}

/// A mio socket registered with the driver. Dropping it deregisters, then
/// closes.
pub(crate) struct PollEvented<E: mio::event::Source> {
    io: Option<E>,
    registration: Registration,
}

impl<E: mio::event::Source> PollEvented<E> {
    pub(crate) fn new(io: E, interest: Interest) -> io::Result<Self> {
        let mut io = io;
        let registration = Registration::new(&mut io, interest)?;
        Ok(PollEvented {
            io: Some(io),
            registration,
        })
    }

    pub(crate) fn registration(&self) -> &Registration {
        &self.registration
    }

    pub(crate) fn get_ref(&self) -> &E {
        self.io.as_ref().expect("I/O resource already taken")
    }
}

impl<E: mio::event::Source> PollEvented<E>
where
    for<'a> &'a E: Read + Write,
{
    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            let event = ready!(self.registration.poll_ready(cx, Interest::READABLE))?;
            match self.get_ref().read(buf) {
                // A short read drained the socket (epoll is edge-triggered
                // through mio): clear now and save the `WouldBlock` syscall.
                Ok(n) if n > 0 && n < buf.len() => {
                    self.registration.clear_readiness(event);
                    return Poll::Ready(Ok(n));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.registration.clear_readiness(event);
                }
                res => return Poll::Ready(res),
            }
        }
    }

    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        loop {
            let event = ready!(self.registration.poll_ready(cx, Interest::WRITABLE))?;
            match self.get_ref().write(buf) {
                // A short write filled the send buffer.
                Ok(n) if n > 0 && n < buf.len() => {
                    self.registration.clear_readiness(event);
                    return Poll::Ready(Ok(n));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.registration.clear_readiness(event);
                }
                res => return Poll::Ready(res),
            }
        }
    }
}

impl<E: mio::event::Source> Drop for PollEvented<E> {
    fn drop(&mut self) {
        if let Some(mut io) = self.io.take() {
            // Errors here mean the fd is already gone from epoll; closing
            // it below is all that is left to do.
            let _ = self.registration.deregister(&mut io);
        }
    }
}
