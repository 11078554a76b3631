//! `futures_io::{AsyncRead, AsyncWrite}` for the TCP and Unix stream types
//! (cargo feature `futures-io`), so they plug into the `futures` ecosystem.
//! Each impl forwards to the crate's own poll methods; `poll_close` is
//! `shutdown(Write)`.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

#[cfg(unix)]
use super::UnixStream;
use super::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, TcpStream, WriteHalf};
use crate::io::{AsyncRead, AsyncWrite};

macro_rules! futures_io_impls {
    ($($ty:ty => read: $read:tt, write: $write:tt;)*) => {$(
        futures_io_impls!(@read $read $ty);
        futures_io_impls!(@write $write $ty);
    )*};
    (@read yes $ty:ty) => {
        impl futures_io::AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                AsyncRead::poll_read(self, cx, buf)
            }
        }
    };
    (@write yes $ty:ty) => {
        impl futures_io::AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                AsyncWrite::poll_write(self, cx, buf)
            }
            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                AsyncWrite::poll_flush(self, cx)
            }
            fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                AsyncWrite::poll_shutdown(self, cx)
            }
        }
    };
    (@read no $ty:ty) => {};
    (@write no $ty:ty) => {};
}

futures_io_impls! {
    TcpStream => read: yes, write: yes;
    ReadHalf<'_> => read: yes, write: no;
    OwnedReadHalf => read: yes, write: no;
    WriteHalf<'_> => read: no, write: yes;
    OwnedWriteHalf => read: no, write: yes;
}

#[cfg(unix)]
futures_io_impls! {
    UnixStream => read: yes, write: yes;
    ReadHalf<'_, UnixStream> => read: yes, write: no;
    OwnedReadHalf<UnixStream> => read: yes, write: no;
    WriteHalf<'_, UnixStream> => read: no, write: yes;
    OwnedWriteHalf<UnixStream> => read: no, write: yes;
}
