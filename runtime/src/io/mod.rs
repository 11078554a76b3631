//! I/O: the driver that turns epoll events into `wake()` calls, and the
//! small read/write traits the sockets in [`crate::net`] implement.
//!
//! The seed's I/O step, in this crate:
//!
//! ```text
//! scheduler idle ─► crate::driver::Driver::park
//!   ─► time: next timer deadline = the epoll timeout
//!   ─► io::driver::Driver::turn: mio::Poll::poll (epoll_wait)
//!        ─► event.token() ─► Slab (index + generation) ─► ScheduledIo
//!        ─► ScheduledIo::set_readiness(tick, ready)
//!        ─► ScheduledIo::wake(ready): reader / writer wakers ─► wake list
//!   ─► (slab lock released) wake_list.wake_all() ─► waker.wake() ─► schedule()
//! the task runs again ─► Registration::poll_io ─► read(2) / write(2)
//!   WouldBlock ─► ScheduledIo::clear_readiness (only if the tick matches)
//! ```
//!
//! * `driver`: `mio::Poll`, the token slab, `turn`, `unpark` (a `mio::Waker`).
//! * `scheduled_io`: per-socket readiness word (bits + tick) and waiters.
//! * `registration`: `Registration` / `PollEvented`, what a socket holds.
//! * `ready`: [`Ready`] and [`Interest`].
//!
//! The traits: [`AsyncRead`] / [`AsyncWrite`] are poll-based (like tokio's,
//! on a plain `&mut [u8]`); [`AsyncReadExt`] / [`AsyncWriteExt`] add the
//! `async` methods `read`, `read_exact`, `write`, `write_all`, `flush`,
//! `shutdown`.

pub(crate) mod driver;
mod ready;
pub(crate) mod registration;
pub(crate) mod scheduled_io;

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

#[doc(hidden)]
pub use self::driver::DriverStats;
pub use self::ready::{Interest, Ready};

/// The current runtime's I/O driver counters (registered sources, token
/// table slots), for leak tests; `None` outside a runtime with I/O.
#[doc(hidden)]
pub fn driver_stats() -> Option<DriverStats> {
    registration::current_io_handle()
        .ok()
        .map(|handle| handle.stats())
}

/// Read bytes asynchronously.
pub trait AsyncRead {
    /// Read into `buf`; `Ok(0)` is end of stream (or an empty `buf`).
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>>;
}

/// Write bytes asynchronously.
pub trait AsyncWrite {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>>;
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
    /// Close the write direction (for TCP: `shutdown(Write)`, the peer reads EOF).
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
}

impl<T: AsyncRead + Unpin + ?Sized> AsyncRead for &mut T {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut **self).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin + ?Sized> AsyncWrite for &mut T {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut **self).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut **self).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut **self).poll_shutdown(cx)
    }
}

/// `async` read helpers for every [`AsyncRead`].
pub trait AsyncReadExt: AsyncRead {
    /// Read some bytes; `Ok(0)` at end of stream.
    fn read<'a>(&'a mut self, buf: &'a mut [u8]) -> ReadFut<'a, Self>
    where
        Self: Unpin,
    {
        ReadFut { io: self, buf }
    }

    /// Fill `buf` completely; `UnexpectedEof` if the stream ends first.
    fn read_exact<'a>(&'a mut self, buf: &'a mut [u8]) -> ReadExact<'a, Self>
    where
        Self: Unpin,
    {
        ReadExact {
            io: self,
            buf,
            filled: 0,
        }
    }
}

impl<R: AsyncRead + ?Sized> AsyncReadExt for R {}

/// `async` write helpers for every [`AsyncWrite`].
pub trait AsyncWriteExt: AsyncWrite {
    fn write<'a>(&'a mut self, buf: &'a [u8]) -> WriteFut<'a, Self>
    where
        Self: Unpin,
    {
        WriteFut { io: self, buf }
    }

    /// Write all of `buf`; `WriteZero` if the stream stops accepting bytes.
    fn write_all<'a>(&'a mut self, buf: &'a [u8]) -> WriteAll<'a, Self>
    where
        Self: Unpin,
    {
        WriteAll { io: self, buf }
    }

    fn flush(&mut self) -> Flush<'_, Self>
    where
        Self: Unpin,
    {
        Flush { io: self }
    }

    /// Close the write direction.
    fn shutdown(&mut self) -> Shutdown<'_, Self>
    where
        Self: Unpin,
    {
        Shutdown { io: self }
    }
}

impl<W: AsyncWrite + ?Sized> AsyncWriteExt for W {}

/// Future of [`AsyncReadExt::read`].
#[must_use = "futures do nothing unless polled"]
pub struct ReadFut<'a, R: ?Sized> {
    io: &'a mut R,
    buf: &'a mut [u8],
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadFut<'_, R> {
    type Output = io::Result<usize>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.get_mut();
        Pin::new(&mut *me.io).poll_read(cx, me.buf)
    }
}

/// Future of [`AsyncReadExt::read_exact`].
#[must_use = "futures do nothing unless polled"]
pub struct ReadExact<'a, R: ?Sized> {
    io: &'a mut R,
    buf: &'a mut [u8],
    filled: usize,
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadExact<'_, R> {
    type Output = io::Result<()>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.get_mut();
        while me.filled < me.buf.len() {
            let n = ready!(Pin::new(&mut *me.io).poll_read(cx, &mut me.buf[me.filled..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into()));
            }
            me.filled += n;
        }
        Poll::Ready(Ok(()))
    }
}

/// Future of [`AsyncWriteExt::write`].
#[must_use = "futures do nothing unless polled"]
pub struct WriteFut<'a, W: ?Sized> {
    io: &'a mut W,
    buf: &'a [u8],
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for WriteFut<'_, W> {
    type Output = io::Result<usize>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.get_mut();
        Pin::new(&mut *me.io).poll_write(cx, me.buf)
    }
}

/// Future of [`AsyncWriteExt::write_all`].
#[must_use = "futures do nothing unless polled"]
pub struct WriteAll<'a, W: ?Sized> {
    io: &'a mut W,
    buf: &'a [u8],
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for WriteAll<'_, W> {
    type Output = io::Result<()>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.get_mut();
        while !me.buf.is_empty() {
            let n = ready!(Pin::new(&mut *me.io).poll_write(cx, me.buf))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            me.buf = &me.buf[n..];
        }
        Poll::Ready(Ok(()))
    }
}

/// Future of [`AsyncWriteExt::flush`].
#[must_use = "futures do nothing unless polled"]
pub struct Flush<'a, W: ?Sized> {
    io: &'a mut W,
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for Flush<'_, W> {
    type Output = io::Result<()>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut *self.get_mut().io).poll_flush(cx)
    }
}

/// Future of [`AsyncWriteExt::shutdown`].
#[must_use = "futures do nothing unless polled"]
pub struct Shutdown<'a, W: ?Sized> {
    io: &'a mut W,
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for Shutdown<'_, W> {
    type Output = io::Result<()>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut *self.get_mut().io).poll_shutdown(cx)
    }
}
