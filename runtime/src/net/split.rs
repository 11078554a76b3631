//! Splitting a stream so one task (or future) reads while another writes.
//! Both halves share one registration: the reader waits in the
//! `ScheduledIo` reader slot, the writer in the writer slot, so neither
//! steals the other's wakeup.
//!
//! The halves are generic over the stream, [`TcpStream`] (the default type
//! parameter, so `OwnedReadHalf` alone means TCP) or
//! [`UnixStream`](super::UnixStream) (`net::unix::OwnedReadHalf` and
//! friends are aliases for the Unix ones). What a stream must provide is
//! the sealed [`SplitStream`] trait below.

use std::error::Error;
use std::fmt;
use std::io;
use std::net::Shutdown;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::TcpStream;
use crate::io::{AsyncRead, AsyncWrite};

pub(super) mod sealed {
    pub trait Sealed {}
}

/// A stream that can be split into halves: [`TcpStream`] or
/// [`UnixStream`](super::UnixStream). Sealed; its methods are the stream's
/// own, used by the halves.
pub trait SplitStream: sealed::Sealed + fmt::Debug {
    /// `SocketAddr` of the family (`std::net::SocketAddr`, or
    /// `std::os::unix::net::SocketAddr`).
    type Addr;
    #[doc(hidden)]
    fn poll_read_priv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>;
    #[doc(hidden)]
    fn poll_write_priv(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>>;
    #[doc(hidden)]
    fn shutdown_std(&self, how: Shutdown) -> io::Result<()>;
    #[doc(hidden)]
    fn readable_priv(&self) -> impl Future<Output = io::Result<()>> + Send + '_;
    #[doc(hidden)]
    fn writable_priv(&self) -> impl Future<Output = io::Result<()>> + Send + '_;
    #[doc(hidden)]
    fn try_read_priv(&self, buf: &mut [u8]) -> io::Result<usize>;
    #[doc(hidden)]
    fn try_write_priv(&self, buf: &[u8]) -> io::Result<usize>;
    #[doc(hidden)]
    fn peer_addr_priv(&self) -> io::Result<Self::Addr>;
    #[doc(hidden)]
    fn local_addr_priv(&self) -> io::Result<Self::Addr>;
}

/// Borrowed read half of `split` ([`TcpStream::split`],
/// [`UnixStream::split`](super::UnixStream::split)).
#[derive(Debug)]
pub struct ReadHalf<'a, S = TcpStream>(&'a S);

/// Borrowed write half of `split`.
#[derive(Debug)]
pub struct WriteHalf<'a, S = TcpStream>(&'a S);

/// Owned read half of `into_split` ([`TcpStream::into_split`],
/// [`UnixStream::into_split`](super::UnixStream::into_split)).
#[derive(Debug)]
pub struct OwnedReadHalf<S = TcpStream> {
    inner: Arc<S>,
}

/// Owned write half of `into_split`. Dropping it shuts down the write
/// direction (the peer reads EOF).
#[derive(Debug)]
pub struct OwnedWriteHalf<S: SplitStream = TcpStream> {
    inner: Arc<S>,
    shutdown_on_drop: bool,
}

pub(super) fn split<S: SplitStream>(stream: &mut S) -> (ReadHalf<'_, S>, WriteHalf<'_, S>) {
    (ReadHalf(stream), WriteHalf(stream))
}

pub(super) fn into_split<S: SplitStream>(stream: S) -> (OwnedReadHalf<S>, OwnedWriteHalf<S>) {
    let inner = Arc::new(stream);
    (
        OwnedReadHalf {
            inner: inner.clone(),
        },
        OwnedWriteHalf {
            inner,
            shutdown_on_drop: true,
        },
    )
}

/// [`OwnedReadHalf::reunite`] was given halves of two different streams.
#[derive(Debug)]
pub struct ReuniteError<S: SplitStream = TcpStream>(pub OwnedReadHalf<S>, pub OwnedWriteHalf<S>);

impl<S: SplitStream> fmt::Display for ReuniteError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same socket")
    }
}

impl<S: SplitStream> Error for ReuniteError<S> {}

impl<S: SplitStream> OwnedReadHalf<S> {
    /// Put the stream back together.
    pub fn reunite(self, other: OwnedWriteHalf<S>) -> Result<S, ReuniteError<S>> {
        if !Arc::ptr_eq(&self.inner, &other.inner) {
            return Err(ReuniteError(self, other));
        }
        let mut other = other;
        other.shutdown_on_drop = false;
        drop(other);
        Ok(Arc::try_unwrap(self.inner).expect("exactly two halves"))
    }

    pub fn peer_addr(&self) -> io::Result<S::Addr> {
        self.inner.peer_addr_priv()
    }

    pub fn local_addr(&self) -> io::Result<S::Addr> {
        self.inner.local_addr_priv()
    }

    pub async fn readable(&self) -> io::Result<()> {
        self.inner.readable_priv().await
    }

    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.try_read_priv(buf)
    }
}

impl<S: SplitStream> OwnedWriteHalf<S> {
    pub fn peer_addr(&self) -> io::Result<S::Addr> {
        self.inner.peer_addr_priv()
    }

    pub fn local_addr(&self) -> io::Result<S::Addr> {
        self.inner.local_addr_priv()
    }

    pub async fn writable(&self) -> io::Result<()> {
        self.inner.writable_priv().await
    }

    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.try_write_priv(buf)
    }
}

impl<S: SplitStream> Drop for OwnedWriteHalf<S> {
    fn drop(&mut self) {
        if self.shutdown_on_drop {
            let _ = self.inner.shutdown_std(Shutdown::Write);
        }
    }
}

impl<S: SplitStream> AsyncRead for ReadHalf<'_, S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.0.poll_read_priv(cx, buf)
    }
}

impl<S: SplitStream> AsyncRead for OwnedReadHalf<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_read_priv(cx, buf)
    }
}

impl<S: SplitStream> AsyncWrite for WriteHalf<'_, S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.0.poll_write_priv(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.0.shutdown_std(Shutdown::Write))
    }
}

impl<S: SplitStream> AsyncWrite for OwnedWriteHalf<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_write_priv(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let res = self.inner.shutdown_std(Shutdown::Write);
        if res.is_ok() {
            self.get_mut().shutdown_on_drop = false;
        }
        Poll::Ready(res)
    }
}
