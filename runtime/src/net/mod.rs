//! TCP and UDP sockets on the I/O driver.
//!
//! Each socket is a mio socket inside a `PollEvented` (src/io/registration.rs):
//! its `Registration` holds the token and the `ScheduledIo` the driver
//! wakes. Every operation has the same shape:
//!
//! ```text
//! stream.read(buf).await
//!   ─► AsyncRead::poll_read ─► PollEvented::poll_read
//!        ScheduledIo readiness has READABLE? no ─► store waker, Pending
//!        ... epoll: token ─► ScheduledIo::wake ─► task scheduled ...
//!        read(2) ─► Ok(n): done   WouldBlock: clear_readiness(tick), wait again
//! ```
//!
//! * [`TcpListener`]: `bind`, `accept`, `local_addr`.
//! * [`TcpStream`]: `connect`; [`AsyncRead`](crate::io::AsyncRead) /
//!   [`AsyncWrite`](crate::io::AsyncWrite) (so `read`, `read_exact`, `write`,
//!   `write_all`, `flush`, `shutdown` through the `*Ext` traits);
//!   `split` / `into_split`; `readable`, `writable`, `try_read`, `try_write`.
//! * [`UdpSocket`]: `bind`, `connect`, `send` / `recv`, `send_to` / `recv_from`.
//! * Unix domain sockets ([`unix`]): [`UnixListener`], [`UnixStream`] (the
//!   same API as `TcpStream`, paths for addresses), [`UnixDatagram`].
//! * With the cargo feature `futures-io`: `futures_io::{AsyncRead, AsyncWrite}`
//!   for the TCP types.
//!
//! Addresses are resolved with std's `ToSocketAddrs` on the calling thread
//! (instant for IP literals; a host name may block on DNS).
//!
//! ```
//! use clockwork::io::{AsyncReadExt, AsyncWriteExt};
//! use clockwork::net::{TcpListener, TcpStream};
//!
//! let rt = clockwork::Builder::new_current_thread().enable_io().build().unwrap();
//! rt.block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     let server = clockwork::spawn(async move {
//!         let (mut socket, _) = listener.accept().await?;
//!         let mut buf = [0; 5];
//!         socket.read_exact(&mut buf).await?;
//!         socket.write_all(&buf).await?; // echo it back
//!         std::io::Result::Ok(())
//!     });
//!     let mut client = TcpStream::connect(addr).await?;
//!     client.write_all(b"hello").await?;
//!     let mut back = [0; 5];
//!     client.read_exact(&mut back).await?;
//!     assert_eq!(&back, b"hello");
//!     server.await.unwrap()
//! })
//! .unwrap();
//! ```

#[cfg(feature = "futures-io")]
mod futures_io;
mod split;
mod tcp;
mod udp;
#[cfg(unix)]
pub mod unix;

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

pub use self::split::{
    OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, SplitStream, WriteHalf,
};
pub use self::tcp::{TcpListener, TcpStream};
pub use self::udp::UdpSocket;
#[cfg(unix)]
pub use self::unix::{UnixDatagram, UnixListener, UnixStream};

/// Try `f` on each resolved address; the last error if all fail.
fn each_addr<A: ToSocketAddrs, T>(
    addr: A,
    mut f: impl FnMut(SocketAddr) -> io::Result<T>,
) -> io::Result<T> {
    let mut last_err = None;
    for addr in addr.to_socket_addrs()? {
        match f(addr) {
            Ok(v) => return Ok(v),
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any address",
        )
    }))
}
