//! Unix domain sockets on the I/O driver: `UnixListener`, `UnixStream`,
//! `UnixDatagram`. Socket files live in a fresh directory under the
//! system temp dir, removed at the end of each test.
//!
//! epoll cannot run under Miri: every test here is skipped there.
#![cfg(unix)]

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use clockwork::io::{AsyncReadExt, AsyncWriteExt, Interest};
use clockwork::net::{UnixDatagram, UnixListener, UnixStream};
use clockwork::{Builder, Runtime};

fn runtimes() -> [(&'static str, Runtime); 2] {
    [
        (
            "current_thread",
            Builder::new_current_thread().enable_all().build().unwrap(),
        ),
        (
            "multi_thread",
            Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap(),
        ),
    ]
}

/// Fail instead of hanging.
async fn within<F: Future>(secs: u64, f: F) -> F::Output {
    clockwork::time::timeout(Duration::from_secs(secs), f)
        .await
        .expect("test timed out")
}

/// A directory for socket files, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "clockwork-unix-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An echo server on `path`.
fn echo_server(path: &Path) -> UnixListener {
    UnixListener::bind(path).unwrap()
}

fn serve_echo(listener: UnixListener) {
    clockwork::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            clockwork::spawn(async move {
                let mut buf = vec![0; 4096];
                while let Ok(n @ 1..) = socket.read(&mut buf).await {
                    if socket.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn unix_echo_round_trip() {
    for (name, rt) in runtimes() {
        let dir = TempDir::new();
        let path = dir.path("echo.sock");
        rt.block_on(within(10, async {
            let listener = echo_server(&path);
            assert_eq!(
                listener.local_addr().unwrap().as_pathname(),
                Some(path.as_path())
            );
            serve_echo(listener);
            let mut stream = UnixStream::connect(&path).await.unwrap();
            assert_eq!(
                stream.peer_addr().unwrap().as_pathname(),
                Some(path.as_path())
            );
            assert!(stream.local_addr().unwrap().is_unnamed());
            for i in 0..100u32 {
                let msg = format!("hello {i}");
                stream.write_all(msg.as_bytes()).await.unwrap();
                let mut back = vec![0; msg.len()];
                stream.read_exact(&mut back).await.unwrap();
                assert_eq!(back, msg.as_bytes(), "{name}");
            }
            // A payload larger than the socket buffers, written and read
            // concurrently through `split`.
            let big: Vec<u8> = (0..2_000_000u32).map(|i| (i % 251) as u8).collect();
            let (mut r, mut w) = stream.split();
            let write = async {
                w.write_all(&big).await.unwrap();
            };
            let read = async {
                let mut back = vec![0; big.len()];
                r.read_exact(&mut back).await.unwrap();
                back
            };
            let ((), back) = join(write, read).await;
            assert!(back == big, "{name}: big payload corrupted");
        }));
    }
}

/// Poll two futures concurrently in one task.
async fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    use std::pin::pin;
    use std::task::Poll;
    let mut a = pin!(a);
    let mut b = pin!(b);
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        if ra.is_some() && rb.is_some() {
            Poll::Ready((ra.take().unwrap(), rb.take().unwrap()))
        } else {
            Poll::Pending
        }
    })
    .await
}

#[test]
#[cfg_attr(miri, ignore)]
fn unix_many_clients() {
    for (name, rt) in runtimes() {
        let dir = TempDir::new();
        let path = Arc::new(dir.path("many.sock"));
        let done = Arc::new(AtomicUsize::new(0));
        rt.block_on(within(20, async {
            serve_echo(echo_server(&path));
            let mut clients = Vec::new();
            for c in 0..200 {
                let (path, done) = (path.clone(), done.clone());
                clients.push(clockwork::spawn(async move {
                    let mut stream = UnixStream::connect(&*path).await?;
                    for round in 0..3 {
                        let msg = format!("client {c} round {round}");
                        stream.write_all(msg.as_bytes()).await?;
                        let mut back = vec![0; msg.len()];
                        stream.read_exact(&mut back).await?;
                        assert_eq!(back, msg.as_bytes());
                    }
                    done.fetch_add(1, Ordering::SeqCst);
                    io::Result::Ok(())
                }));
            }
            for client in clients {
                client.await.unwrap().unwrap();
            }
        }));
        assert_eq!(done.load(Ordering::SeqCst), 200, "{name}");
    }
}

/// `into_split` halves in two tasks; dropping the write half sends EOF;
/// `reunite` takes only halves of the same stream.
#[test]
#[cfg_attr(miri, ignore)]
fn unix_into_split_half_close_and_reunite() {
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let (a, b) = UnixStream::pair().unwrap();
            let (mut ar, mut aw) = a.into_split();
            let (br, bw) = b.into_split();
            // Mismatched halves come back in the error.
            let err = ar.reunite(bw).unwrap_err();
            let (ar2, bw) = (err.0, err.1);
            ar = ar2;
            let mut b = br.reunite(bw).expect("same stream");
            // a's writer in its own task; b echoes until EOF, then answers.
            let writer = clockwork::spawn(async move {
                for i in 0..1000u32 {
                    aw.write_all(&i.to_le_bytes()).await.unwrap();
                }
                drop(aw); // shutdown(Write): b reads EOF
            });
            let mut got = Vec::new();
            let mut buf = [0u8; 1024];
            loop {
                let n = b.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            writer.await.unwrap();
            assert_eq!(got.len(), 4000, "{name}");
            for (i, chunk) in got.chunks(4).enumerate() {
                assert_eq!(u32::from_le_bytes(chunk.try_into().unwrap()), i as u32);
            }
            // The other direction is still open.
            b.write_all(b"done").await.unwrap();
            b.shutdown().await.unwrap();
            let mut answer = Vec::new();
            loop {
                let n = ar.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                answer.extend_from_slice(&buf[..n]);
            }
            assert_eq!(answer, b"done");
            assert!(ar.peer_addr().unwrap().is_unnamed());
        }));
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn unix_readiness_try_read_try_write() {
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let (mut client, server) = UnixStream::pair().unwrap();
            let mut buf = [0u8; 16];
            assert_eq!(
                server.try_read(&mut buf).unwrap_err().kind(),
                io::ErrorKind::WouldBlock
            );
            client.writable().await.unwrap();
            assert_eq!(client.try_write(b"abc").unwrap(), 3);
            let n = loop {
                server.readable().await.unwrap();
                match server.try_read(&mut buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                    Err(e) => panic!("{e}"),
                }
            };
            assert_eq!(&buf[..n], b"abc", "{name}");
            let ready = server
                .ready(Interest::READABLE | Interest::WRITABLE)
                .await
                .unwrap();
            assert!(ready.is_writable());
            // Fill the send buffer: try_write ends in WouldBlock, and
            // `writable` waits until the peer drains some.
            let chunk = [9u8; 64 * 1024];
            let mut sent = 0usize;
            loop {
                match client.try_write(&chunk) {
                    Ok(n) => sent += n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => panic!("{e}"),
                }
            }
            let drain = clockwork::spawn(async move {
                let mut server = server;
                let mut buf = vec![0u8; 64 * 1024];
                let mut total = 0;
                loop {
                    let n = server.read(&mut buf).await.unwrap();
                    if n == 0 {
                        return total;
                    }
                    total += n;
                }
            });
            loop {
                client.writable().await.unwrap();
                match client.try_write(&chunk) {
                    Ok(n) => break sent += n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                    Err(e) => panic!("{e}"),
                }
            }
            client.shutdown().await.unwrap();
            assert_eq!(drain.await.unwrap(), sent, "{name}");
        }));
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn unix_connect_and_bind_errors() {
    let dir = TempDir::new();
    let rt = Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(within(10, async {
        let missing = dir.path("missing.sock");
        let err = UnixStream::connect(&missing).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        // The file stays after the listener is dropped; nobody listens.
        let stale = dir.path("stale.sock");
        drop(UnixListener::bind(&stale).unwrap());
        assert!(stale.exists());
        let err = UnixStream::connect(&stale).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
        // Binding over an existing file fails.
        let err = UnixListener::bind(&stale).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
    }));
    // Outside a runtime with I/O: a clear error.
    let rt = Builder::new_current_thread().enable_time().build().unwrap();
    let err = rt.block_on(async { UnixStream::pair().unwrap_err() });
    assert!(err.to_string().contains("enable_io"), "{err}");
}

/// A task parked reading a `UnixStream` is aborted: the stream is dropped
/// with a waker stored; the peer reads EOF, and the driver has no
/// registration left for it.
#[test]
#[cfg_attr(miri, ignore)]
fn unix_stream_dropped_while_task_waits() {
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let before = clockwork::io::driver_stats().unwrap().registered;
            let (mut a, b) = UnixStream::pair().unwrap();
            let (parked_tx, parked) = clockwork::sync::oneshot::channel();
            let reader = clockwork::spawn(async move {
                let mut b = b;
                let mut buf = [0u8; 8];
                let mut read = std::pin::pin!(b.read(&mut buf));
                // Park once (waker stored), tell the test, then wait.
                std::future::poll_fn(|cx| {
                    assert!(read.as_mut().poll(cx).is_pending());
                    std::task::Poll::Ready(())
                })
                .await;
                parked_tx.send(()).unwrap();
                let _ = read.await;
                unreachable!("nothing is ever written");
            });
            parked.await.unwrap();
            reader.abort();
            assert!(reader.await.unwrap_err().is_cancelled());
            let mut buf = [0u8; 8];
            assert_eq!(a.read(&mut buf).await.unwrap(), 0, "{name}");
            drop(a);
            assert_eq!(clockwork::io::driver_stats().unwrap().registered, before);
        }));
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn unix_from_std() {
    let dir = TempDir::new();
    let path = dir.path("std.sock");
    let rt = Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(within(10, async {
        let listener =
            UnixListener::from_std(std::os::unix::net::UnixListener::bind(&path).unwrap()).unwrap();
        let std_client = std::os::unix::net::UnixStream::connect(&path).unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        let mut client = UnixStream::from_std(std_client).unwrap();
        client.write_all(b"adopted").await.unwrap();
        let mut buf = [0u8; 7];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"adopted");
    }));
}

#[test]
#[cfg_attr(miri, ignore)]
fn unix_datagram_send_recv() {
    for (name, rt) in runtimes() {
        let dir = TempDir::new();
        let (a_path, b_path) = (dir.path("a.sock"), dir.path("b.sock"));
        rt.block_on(within(10, async {
            let a = UnixDatagram::bind(&a_path).unwrap();
            let b = UnixDatagram::bind(&b_path).unwrap();
            assert_eq!(a.send_to(b"ping", &b_path).await.unwrap(), 4);
            let mut buf = [0u8; 64];
            let (n, from) = b.recv_from(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"ping", "{name}");
            assert_eq!(from.as_pathname(), Some(a_path.as_path()));
            // Datagram boundaries are kept.
            b.send_to(b"one", &a_path).await.unwrap();
            b.send_to(b"two!", &a_path).await.unwrap();
            assert_eq!(a.recv(&mut buf).await.unwrap(), 3);
            assert_eq!(a.recv(&mut buf).await.unwrap(), 4);
            assert_eq!(&buf[..4], b"two!");
            // Connected.
            a.connect(&b_path).unwrap();
            assert_eq!(a.peer_addr().unwrap().as_pathname(), Some(b_path.as_path()));
            a.send(b"hi").await.unwrap();
            assert_eq!(b.recv(&mut buf).await.unwrap(), 2);
            assert_eq!(
                b.try_recv(&mut buf).unwrap_err().kind(),
                io::ErrorKind::WouldBlock
            );
            // An unbound socket can send; the receiver sees no address.
            let anon = UnixDatagram::unbound().unwrap();
            anon.send_to(b"anon", &b_path).await.unwrap();
            let (n, from) = b.recv_from(&mut buf).await.unwrap();
            assert_eq!((&buf[..n], from.is_unnamed()), (&b"anon"[..], true));
        }));
    }
}

/// One `Arc<UnixDatagram>`, several tasks waiting in `recv` at once: each
/// datagram reaches exactly one of them.
#[test]
#[cfg_attr(miri, ignore)]
fn unix_datagram_pair_shared_by_tasks() {
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let (tx, rx) = UnixDatagram::pair().unwrap();
            let rx = Arc::new(rx);
            let mut parked = Vec::new();
            let mut tasks = Vec::new();
            for _ in 0..6 {
                let rx = rx.clone();
                let (parked_tx, parked_rx) = clockwork::sync::oneshot::channel();
                parked.push(parked_rx);
                tasks.push(clockwork::spawn(async move {
                    let mut buf = [0u8; 8];
                    let n = {
                        let mut recv = std::pin::pin!(rx.recv(&mut buf));
                        // One poll (parks in the waiter list), then tell the test.
                        let first = std::future::poll_fn(|cx| {
                            std::task::Poll::Ready(recv.as_mut().poll(cx))
                        })
                        .await;
                        parked_tx.send(()).unwrap();
                        match first {
                            std::task::Poll::Ready(res) => res.unwrap(),
                            std::task::Poll::Pending => recv.await.unwrap(),
                        }
                    };
                    assert_eq!(n, 1);
                    buf[0]
                }));
            }
            for p in parked {
                p.await.unwrap();
            }
            for i in 0..6u8 {
                tx.send(&[i]).await.unwrap();
            }
            let mut got: Vec<u8> = Vec::new();
            for t in tasks {
                got.push(t.await.unwrap());
            }
            got.sort();
            assert_eq!(got, [0, 1, 2, 3, 4, 5], "{name}");
        }));
    }
}

/// The `futures-io` impls cover `UnixStream` and its halves too.
#[cfg(feature = "futures-io")]
#[test]
#[cfg_attr(miri, ignore)]
fn unix_futures_io_traits() {
    use std::future::poll_fn;
    use std::pin::Pin;
    let rt = Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(within(10, async {
        let (a, mut b) = UnixStream::pair().unwrap();
        let (mut r, mut w) = a.into_split();
        let n = poll_fn(|cx| futures_io::AsyncWrite::poll_write(Pin::new(&mut w), cx, b"hey"))
            .await
            .unwrap();
        assert_eq!(n, 3);
        let mut buf = [0u8; 3];
        b.read_exact(&mut buf).await.unwrap();
        b.write_all(&buf).await.unwrap();
        let mut back = [0u8; 3];
        let mut got = 0;
        while got < 3 {
            got += poll_fn(|cx| {
                futures_io::AsyncRead::poll_read(Pin::new(&mut r), cx, &mut back[got..])
            })
            .await
            .unwrap();
        }
        assert_eq!(&back, b"hey");
        poll_fn(|cx| futures_io::AsyncWrite::poll_close(Pin::new(&mut w), cx))
            .await
            .unwrap();
        assert_eq!(b.read(&mut buf).await.unwrap(), 0);
    }));
}
