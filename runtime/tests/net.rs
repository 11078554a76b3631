//! Loopback networking tests for the I/O driver (127.0.0.1 only).
//!
//! Sizes are kept small for CI (1,000 connections). The full-size run
//! (10,000 connections; both ends live in this process, so it needs an fd
//! limit above 20,100):
//!
//! ```sh
//! ulimit -n 65536
//! CLOCKWORK_NET_CONNS=10000 cargo test -p clockwork --release --test net many_concurrent
//! ```
//!
//! epoll cannot run under Miri: every test here is skipped there.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use clockwork::io::{AsyncReadExt, AsyncWriteExt, Interest};
use clockwork::net::{TcpListener, TcpStream, UdpSocket};
use clockwork::{Builder, Runtime};

fn current() -> Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}

fn multi(n: usize) -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(n)
        .enable_all()
        .build()
        .unwrap()
}

/// Both flavors, so every test covers both schedulers.
fn runtimes() -> [(&'static str, Runtime); 2] {
    [("current_thread", current()), ("multi_thread", multi(2))]
}

/// Fail instead of hanging.
async fn within<F: Future>(secs: u64, f: F) -> F::Output {
    clockwork::time::timeout(Duration::from_secs(secs), f)
        .await
        .expect("test timed out")
}

/// An echo server on 127.0.0.1:0; returns its address.
async fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    clockwork::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            clockwork::spawn(async move {
                let mut buf = vec![0; 4096];
                loop {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            if socket.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    addr
}

/// The fd-counting tests read the process-wide `/proc/self/fd`: tests
/// take this lock so none opens sockets while another counts.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
#[cfg_attr(miri, ignore)]
fn echo_round_trip() {
    let _serial = serial();
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let addr = echo_server().await;
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            assert!(stream.nodelay().unwrap());
            assert_eq!(stream.peer_addr().unwrap(), addr);
            for i in 0..100u32 {
                let msg = format!("hello {i}");
                stream.write_all(msg.as_bytes()).await.unwrap();
                let mut back = vec![0; msg.len()];
                stream.read_exact(&mut back).await.unwrap();
                assert_eq!(back, msg.as_bytes(), "{name}");
            }
            // A large payload exercises partial writes / WouldBlock on both
            // sides: write and read concurrently through `split`.
            let big: Vec<u8> = (0..4_000_000u32).map(|i| (i % 251) as u8).collect();
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

/// `CLOCKWORK_NET_CONNS` connections (default 1,000) open at the same
/// time, then all of them doing 5 echo round trips concurrently.
///
/// The connects are made at most 64 at a time: the listen backlog is 128
/// (mio's, the same as std's `listen(fd, 128)`), and thousands of SYNs at
/// once overflow it. The kernel then drops SYNs and the clients resend
/// them after 1, 3, 7, 15, ... s, which stretches a 10,000-connection
/// storm to minutes: a backlog effect, not the runtime's.
#[test]
#[cfg_attr(miri, ignore)]
fn many_concurrent_connections() {
    let _serial = serial();
    let conns: usize = std::env::var("CLOCKWORK_NET_CONNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    for (name, rt) in runtimes() {
        let done = Arc::new(AtomicUsize::new(0));
        rt.block_on(within(60, async {
            let addr = echo_server().await;
            // Open them all.
            let connecting = Arc::new(clockwork::sync::Semaphore::new(64));
            let opening: Vec<_> = (0..conns)
                .map(|_| {
                    let connecting = connecting.clone();
                    clockwork::spawn(async move {
                        let _permit = connecting.acquire().await.unwrap();
                        TcpStream::connect(addr).await
                    })
                })
                .collect();
            let mut streams = Vec::with_capacity(conns);
            for o in opening {
                streams.push(o.await.unwrap().unwrap());
            }
            // All `conns` are open now: every one talks at once.
            let clients: Vec<_> = streams
                .into_iter()
                .enumerate()
                .map(|(c, mut stream)| {
                    let done = done.clone();
                    clockwork::spawn(async move {
                        for round in 0..5u32 {
                            let msg = format!("client {c} round {round}");
                            stream.write_all(msg.as_bytes()).await?;
                            let mut back = vec![0; msg.len()];
                            stream.read_exact(&mut back).await?;
                            assert_eq!(back, msg.as_bytes());
                        }
                        done.fetch_add(1, Ordering::SeqCst);
                        io::Result::Ok(())
                    })
                })
                .collect();
            for client in clients {
                client.await.unwrap().unwrap();
            }
        }));
        assert_eq!(done.load(Ordering::SeqCst), conns, "{name}");
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn client_disconnects_mid_write() {
    let _serial = serial();
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let server = clockwork::spawn(async move {
                let (mut socket, _) = listener.accept().await.unwrap();
                let chunk = vec![7u8; 64 * 1024];
                let mut written = 0usize;
                // The client reads a little then hangs up: the server must
                // see an error (EPIPE / ECONNRESET), not hang or panic.
                loop {
                    match socket.write(&chunk).await {
                        Ok(n) => written += n,
                        Err(e) => return (written, e.kind()),
                    }
                }
            });
            let mut client = TcpStream::connect(addr).await.unwrap();
            let mut buf = [0u8; 1000];
            client.read_exact(&mut buf).await.unwrap();
            assert!(buf.iter().all(|&b| b == 7));
            drop(client); // unread data: the kernel sends RST
            let (written, kind) = server.await.unwrap();
            assert!(written >= 1000, "{name}");
            assert!(
                matches!(
                    kind,
                    io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset
                ),
                "{name}: unexpected error kind {kind:?}"
            );
        }));
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn half_close() {
    let _serial = serial();
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let server = clockwork::spawn(async move {
                let (mut socket, peer) = listener.accept().await.unwrap();
                // Read until the client's FIN, then answer on the still-open
                // direction.
                let mut got = Vec::new();
                let mut buf = [0u8; 16];
                loop {
                    let n = socket.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                // EOF is sticky: reading again still says 0.
                assert_eq!(socket.read(&mut buf).await.unwrap(), 0);
                socket
                    .write_all(format!("got {} bytes", got.len()).as_bytes())
                    .await
                    .unwrap();
                socket.shutdown().await.unwrap();
                (got, peer)
            });
            let mut client = TcpStream::connect(addr).await.unwrap();
            client.write_all(b"request body").await.unwrap();
            client.shutdown().await.unwrap(); // FIN: write side closed
            let mut answer = Vec::new();
            let mut buf = [0u8; 8];
            loop {
                let n = client.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                answer.extend_from_slice(&buf[..n]);
            }
            assert_eq!(answer, b"got 12 bytes", "{name}");
            let (got, peer) = server.await.unwrap();
            assert_eq!(got, b"request body");
            assert_eq!(peer, client.local_addr().unwrap());
        }));
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn resource_dropped_while_task_waits() {
    let _serial = serial();
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let before = open_fds();
            let accept = clockwork::spawn(async move {
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut buf = [0u8; 8];
                // Waits forever: the client never writes.
                let _ = socket.read(&mut buf).await;
                unreachable!("the read must not complete");
            });
            let mut client = TcpStream::connect(addr).await.unwrap();
            clockwork::time::sleep(Duration::from_millis(20)).await;
            // The task is parked on `read`, its waker in the ScheduledIo.
            // Aborting drops the future and with it the stream: the slab
            // entry is released and the fd closed while a waker is stored.
            accept.abort();
            assert!(accept.await.unwrap_err().is_cancelled());
            // The peer sees EOF.
            let mut buf = [0u8; 8];
            assert_eq!(client.read(&mut buf).await.unwrap(), 0, "{name}");
            drop(client);
            assert!(open_fds() <= before, "{name}: fds leaked");

            // A read future dropped mid-wait (timeout), then the stream
            // used again: the stale waker is harmless.
            let addr = echo_server().await;
            let mut s = TcpStream::connect(addr).await.unwrap();
            let mut buf = [0u8; 4];
            let r = clockwork::time::timeout(Duration::from_millis(20), s.read(&mut buf)).await;
            assert!(r.is_err(), "nothing was sent: the read must time out");
            s.write_all(b"ping").await.unwrap();
            s.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"ping");
        }));
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn runtime_shutdown_with_io_pending() {
    let _serial = serial();
    // Tasks waiting on sockets are dropped with the runtime; a socket that
    // outlives the runtime reports an error instead of hanging.
    let rt = multi(2);
    let (listener, stream) = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stream = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        clockwork::spawn(async {
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let _ = l.accept().await; // never completes
        });
        (listener, stream)
    });
    drop(rt);
    let rt2 = current();
    let mut stream = stream;
    let err = rt2.block_on(async {
        let mut buf = [0u8; 1];
        stream.read(&mut buf).await.unwrap_err()
    });
    assert!(err.to_string().contains("shut down"), "{err}");
    drop(listener);
    drop(stream);
    // Outside any runtime: a clear error.
    let err = std::thread::spawn(|| {
        let rt = Builder::new_current_thread().enable_time().build().unwrap();
        rt.block_on(async { TcpListener::bind("127.0.0.1:0").await.unwrap_err() })
    })
    .join()
    .unwrap();
    assert!(err.to_string().contains("enable_io"), "{err}");
}

#[test]
#[cfg_attr(miri, ignore)]
fn socket_moved_between_tasks() {
    let _serial = serial();
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let addr = echo_server().await;
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream.write_all(b"one").await.unwrap();
            // Hand the stream to a new task, which hands it to another.
            let stream = clockwork::spawn(async move {
                let mut buf = [0u8; 3];
                stream.read_exact(&mut buf).await.unwrap();
                assert_eq!(&buf, b"one");
                stream.write_all(b"two").await.unwrap();
                stream
            })
            .await
            .unwrap();
            let mut stream = clockwork::spawn(async move {
                let mut stream = stream;
                let mut buf = [0u8; 3];
                stream.read_exact(&mut buf).await.unwrap();
                assert_eq!(&buf, b"two");
                stream
            })
            .await
            .unwrap();
            stream.write_all(b"three").await.unwrap();
            let mut buf = [0u8; 5];
            stream.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"three", "{name}");
        }));
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn two_tasks_on_read_and_write_halves() {
    let _serial = serial();
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let addr = echo_server().await;
            let stream = TcpStream::connect(addr).await.unwrap();
            let (mut r, mut w) = stream.into_split();
            const N: usize = 2000;
            // The reader starts first and waits on an empty socket, in the
            // reader slot; the writer must not steal its wakeups.
            let reader = clockwork::spawn(async move {
                let mut buf = vec![0u8; N * 8];
                r.read_exact(&mut buf).await.unwrap();
                (r, buf)
            });
            let writer = clockwork::spawn(async move {
                for i in 0..N as u64 {
                    w.write_all(&i.to_le_bytes()).await.unwrap();
                    if i % 100 == 0 {
                        clockwork::yield_now().await;
                    }
                }
                w
            });
            let w = writer.await.unwrap();
            let (r, buf) = reader.await.unwrap();
            for (i, chunk) in buf.chunks(8).enumerate() {
                assert_eq!(u64::from_le_bytes(chunk.try_into().unwrap()), i as u64);
            }
            let stream = r.reunite(w).expect("same stream");
            assert_eq!(stream.peer_addr().unwrap(), addr, "{name}");
        }));
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn owned_write_half_drop_sends_fin() {
    let _serial = serial();
    let rt = current();
    rt.block_on(within(10, async {
        let addr = echo_server().await;
        let (mut r, mut w) = TcpStream::connect(addr).await.unwrap().into_split();
        w.write_all(b"bye").await.unwrap();
        drop(w);
        let mut all = Vec::new();
        let mut buf = [0u8; 16];
        loop {
            let n = r.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buf[..n]);
        }
        assert_eq!(all, b"bye");
    }));
}

/// Poll `fut` and send on `tx` once its first poll is done: the receiver
/// then knows the future is parked (its waker stored) or finished.
async fn signal_after_first_poll<F: Future>(
    fut: F,
    tx: clockwork::sync::oneshot::Sender<()>,
) -> F::Output {
    use std::pin::pin;
    let mut fut = pin!(fut);
    let mut tx = Some(tx);
    std::future::poll_fn(|cx| {
        let res = fut.as_mut().poll(cx);
        if let Some(tx) = tx.take() {
            let _ = tx.send(());
        }
        res
    })
    .await
}

/// The server is blocked reading a request when the client goes away: by
/// FIN after half a request (`UnexpectedEof` from `read_exact`), or by RST
/// (closed with unread data: `ConnectionReset`). The server handles both
/// as errors of that connection and serves the next one.
#[test]
#[cfg_attr(miri, ignore)]
fn client_disconnects_mid_request() {
    let _serial = serial();
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            // One connection at a time: greeting "hi", then a request of a
            // 4-byte length and that many bytes, answered "ok".
            let server = clockwork::spawn(async move {
                let mut outcomes = Vec::new();
                for _ in 0..3 {
                    let (mut s, _) = listener.accept().await.unwrap();
                    let outcome = async {
                        s.write_all(b"hi").await?;
                        let mut len = [0u8; 4];
                        s.read_exact(&mut len).await?;
                        let mut body = vec![0u8; u32::from_le_bytes(len) as usize];
                        s.read_exact(&mut body).await?;
                        s.write_all(b"ok").await?;
                        io::Result::Ok(body.len())
                    }
                    .await;
                    outcomes.push(outcome.map_err(|e| e.kind()));
                }
                outcomes
            });
            let mut greeting = [0u8; 2];
            // 1: half the body, then FIN.
            let mut c = TcpStream::connect(addr).await.unwrap();
            c.read_exact(&mut greeting).await.unwrap();
            c.write_all(&100u32.to_le_bytes()).await.unwrap();
            c.write_all(&[0; 50]).await.unwrap();
            c.shutdown().await.unwrap();
            // 2: half the header, then close with the greeting unread: RST.
            let c2 = TcpStream::connect(addr).await.unwrap();
            c2.readable().await.unwrap(); // the greeting is here, unread
            assert_eq!(c2.try_write(&[7, 0]).unwrap(), 2);
            drop(c2);
            // 3: a whole request.
            let mut c3 = TcpStream::connect(addr).await.unwrap();
            c3.read_exact(&mut greeting).await.unwrap();
            c3.write_all(&10u32.to_le_bytes()).await.unwrap();
            c3.write_all(&[1; 10]).await.unwrap();
            let mut ok = [0u8; 2];
            c3.read_exact(&mut ok).await.unwrap();
            assert_eq!(&ok, b"ok");
            let outcomes = server.await.unwrap();
            assert_eq!(
                outcomes,
                [
                    Err(io::ErrorKind::UnexpectedEof),
                    Err(io::ErrorKind::ConnectionReset),
                    Ok(10)
                ],
                "{name}"
            );
            drop(c);
        }));
    }
}

/// Two tasks race for the same direction of one socket through
/// `readable()` + `try_read()` (and `writable()` + `try_write()`): both
/// wait in the waiter list, both are woken, one wins the bytes, the other
/// gets `WouldBlock`, clears readiness and waits again. Nothing is lost,
/// nothing is read twice, nobody hangs.
#[test]
#[cfg_attr(miri, ignore)]
fn two_tasks_race_on_one_socket() {
    let _serial = serial();
    const PER_WRITER: usize = 1 << 20;
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let client = Arc::new(
                TcpStream::connect(listener.local_addr().unwrap())
                    .await
                    .unwrap(),
            );
            let server = Arc::new(listener.accept().await.unwrap().0);
            // Two readers on the server socket count the bytes they get.
            let readers: Vec<_> = (0..2)
                .map(|_| {
                    let server = server.clone();
                    clockwork::spawn(async move {
                        let mut counts = [0usize; 3];
                        let mut buf = vec![0u8; 4096];
                        loop {
                            server.readable().await.unwrap();
                            match server.try_read(&mut buf) {
                                Ok(0) => return counts, // EOF (sticky: both see it)
                                Ok(n) => buf[..n].iter().for_each(|&b| counts[b as usize] += 1),
                                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                                Err(e) => panic!("{e}"),
                            }
                        }
                    })
                })
                .collect();
            // Two writers on the client socket: one sends 1s, one 2s, 1 MiB
            // each, so the send buffer fills and both wait on `writable`.
            let writers: Vec<_> = [1u8, 2]
                .into_iter()
                .map(|byte| {
                    let client = client.clone();
                    clockwork::spawn(async move {
                        let chunk = vec![byte; 8192];
                        let mut left = PER_WRITER;
                        while left > 0 {
                            client.writable().await.unwrap();
                            match client.try_write(&chunk[..left.min(chunk.len())]) {
                                Ok(n) => left -= n,
                                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                                Err(e) => panic!("{e}"),
                            }
                        }
                    })
                })
                .collect();
            for w in writers {
                w.await.unwrap();
            }
            let mut client = Arc::try_unwrap(client).expect("writers are done");
            client.shutdown().await.unwrap();
            let mut total = [0usize; 3];
            for r in readers {
                let counts = r.await.unwrap();
                for (t, c) in total.iter_mut().zip(counts) {
                    *t += c;
                }
            }
            assert_eq!(total, [0, PER_WRITER, PER_WRITER], "{name}");
        }));
    }
}

/// A read parks (its task's waker goes in the reader slot), the future is
/// dropped and its task ends; the socket moves to a task that may run on
/// another worker and reads there. The data that arrives later wakes the
/// new owner: the stale waker left in the slot is replaced, not obeyed.
#[test]
#[cfg_attr(miri, ignore)]
fn socket_moved_after_a_parked_read() {
    use std::pin::Pin;
    use std::task::Poll;
    let _serial = serial();
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (server, _) = listener.accept().await.unwrap();
            // Task A: one poll of a read (nothing to read: Pending, waker
            // stored), then give the socket back.
            let mut server = clockwork::spawn(async move {
                let mut server = server;
                let mut buf = [0u8; 4];
                std::future::poll_fn(|cx| {
                    assert!(
                        clockwork::io::AsyncRead::poll_read(Pin::new(&mut server), cx, &mut buf)
                            .is_pending()
                    );
                    Poll::Ready(())
                })
                .await;
                server
            })
            .await
            .unwrap();
            for round in 0..3u8 {
                // Task B (a new one each round): read, parked before the
                // client writes.
                let (parked_tx, parked) = clockwork::sync::oneshot::channel();
                let reader = clockwork::spawn(async move {
                    let mut buf = [0u8; 4];
                    signal_after_first_poll(server.read_exact(&mut buf), parked_tx)
                        .await
                        .unwrap();
                    (server, buf)
                });
                parked.await.unwrap();
                client.write_all(&[round; 4]).await.unwrap();
                let (s, buf) = reader.await.unwrap();
                assert_eq!(buf, [round; 4], "{name}");
                server = s;
            }
        }));
    }
}

/// `CLOCKWORK_SHORT_CONNS` short connections (default 500), one after
/// the other: connect, write, read the echo, close. Afterwards the process
/// has no more fds than before, the I/O driver has as many sources
/// registered as before and its token table did not grow with the count;
/// at full size (10,000 and more) resident memory grew by less than 32 MiB.
///
/// Full size (100,000 per runtime; loopback TIME_WAIT ports are reused
/// with Linux's default `net.ipv4.tcp_tw_reuse = 2`):
///
/// ```sh
/// CLOCKWORK_SHORT_CONNS=100000 cargo test -p clockwork --release --test net no_fd_growth
/// ```
#[test]
#[cfg_attr(miri, ignore)]
fn no_fd_growth_after_many_short_connections() {
    let _serial = serial();
    let conns: usize = std::env::var("CLOCKWORK_SHORT_CONNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let full_size = conns >= 10_000;
    for (name, rt) in runtimes() {
        rt.block_on(within(if full_size { 600 } else { 30 }, async {
            // An echo server that reports each connection it has closed,
            // so the test knows when the server side is done (no polling).
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let (closed_tx, mut closed) = clockwork::sync::mpsc::unbounded_channel();
            clockwork::spawn(async move {
                while let Ok((mut socket, _)) = listener.accept().await {
                    let closed_tx = closed_tx.clone();
                    clockwork::spawn(async move {
                        let mut buf = [0u8; 64];
                        while let Ok(n @ 1..) = socket.read(&mut buf).await {
                            if socket.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                        drop(socket);
                        let _ = closed_tx.send(());
                    });
                }
            });
            let short_connections = async |n: usize| {
                for i in 0..n {
                    let mut s = TcpStream::connect(addr).await.unwrap();
                    let msg = (i as u32).to_le_bytes();
                    s.write_all(&msg).await.unwrap();
                    let mut back = [0u8; 4];
                    s.read_exact(&mut back).await.unwrap();
                    assert_eq!(back, msg);
                }
            };
            let mut server_closed = async |n: usize| {
                for _ in 0..n {
                    closed.recv().await.unwrap();
                }
            };
            // Warm up (lazily created fds and buffers).
            short_connections(10).await;
            server_closed(10).await;
            let fds_before = open_fds();
            let stats_before = clockwork::io::driver_stats().unwrap();
            let rss_before = rss_kib();

            short_connections(conns).await;
            server_closed(conns).await;

            let fds_after = open_fds();
            let stats_after = clockwork::io::driver_stats().unwrap();
            let rss_after = rss_kib();
            eprintln!(
                "{name}: {conns} short connections: fds {fds_before} -> {fds_after}, \
                 driver {stats_before:?} -> {stats_after:?}, VmRSS {rss_before} -> {rss_after} KiB"
            );
            assert!(
                fds_after <= fds_before,
                "{name}: fds grew from {fds_before} to {fds_after}"
            );
            assert_eq!(
                stats_after.registered, stats_before.registered,
                "{name}: registrations leaked"
            );
            // A slot per socket alive at once (client, server side, and
            // server sockets whose task has not run its drop yet): a small
            // number, whatever the connection count.
            assert!(
                stats_after.slots <= stats_before.slots + 64,
                "{name}: the token table grew from {} to {} slots",
                stats_before.slots,
                stats_after.slots
            );
            if full_size {
                assert!(
                    rss_after < rss_before + 32 * 1024,
                    "{name}: VmRSS grew from {rss_before} to {rss_after} KiB"
                );
            }
        }));
    }
}

/// Resident set size of this process, from `/proc/self/status`.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .expect("VmRSS in /proc/self/status")
}

#[test]
#[cfg_attr(miri, ignore)]
fn readiness_try_read_try_write() {
    let _serial = serial();
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (server, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 16];
            // Nothing sent yet.
            assert_eq!(
                server.try_read(&mut buf).unwrap_err().kind(),
                io::ErrorKind::WouldBlock
            );
            client.writable().await.unwrap();
            assert_eq!(client.try_write(b"abc").unwrap(), 3);
            loop {
                server.readable().await.unwrap();
                match server.try_read(&mut buf) {
                    Ok(n) => {
                        assert_eq!(&buf[..n], b"abc", "{name}");
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                    Err(e) => panic!("{e}"),
                }
            }
            let ready = server
                .ready(Interest::READABLE | Interest::WRITABLE)
                .await
                .unwrap();
            assert!(ready.is_writable());
            // Peer closes: readable with READ_CLOSED, read returns 0.
            client.shutdown().await.unwrap();
            let ready = server.ready(Interest::READABLE).await.unwrap();
            assert!(ready.is_readable());
            assert_eq!(server.try_read(&mut buf).unwrap(), 0);
        }));
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn udp_send_recv() {
    let _serial = serial();
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
            // Unconnected: send_to / recv_from.
            assert_eq!(a.send_to(b"ping", b_addr).await.unwrap(), 4);
            let mut buf = [0u8; 64];
            let (n, from) = b.recv_from(&mut buf).await.unwrap();
            assert_eq!((&buf[..n], from), (&b"ping"[..], a_addr), "{name}");
            // Connected: send / recv.
            a.connect(b_addr).await.unwrap();
            b.connect(a_addr).await.unwrap();
            assert_eq!(a.peer_addr().unwrap(), b_addr);
            b.send(b"pong").await.unwrap();
            let n = a.recv(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"pong");
            assert_eq!(
                a.try_recv(&mut buf).unwrap_err().kind(),
                io::ErrorKind::WouldBlock
            );
        }));
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn udp_shared_by_many_waiting_tasks() {
    let _serial = serial();
    // More waiters than the reader slot: the rest go to the overflow list,
    // and every datagram reaches some task.
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let server = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
            let addr = server.local_addr().unwrap();
            let got = Arc::new(AtomicUsize::new(0));
            let mut tasks = Vec::new();
            for _ in 0..8 {
                let server = server.clone();
                let got = got.clone();
                tasks.push(clockwork::spawn(async move {
                    let mut buf = [0u8; 8];
                    let (n, _) = server.recv_from(&mut buf).await.unwrap();
                    assert_eq!(n, 1);
                    got.fetch_add(1, Ordering::SeqCst);
                }));
            }
            clockwork::time::sleep(Duration::from_millis(20)).await;
            let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            for i in 0..8u8 {
                client.send_to(&[i], addr).await.unwrap();
            }
            for t in tasks {
                t.await.unwrap();
            }
            assert_eq!(got.load(Ordering::SeqCst), 8, "{name}");
        }));
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn connect_refused_is_an_error() {
    let _serial = serial();
    let rt = current();
    rt.block_on(within(10, async {
        // Bind then drop: nothing listens on that port any more.
        let addr = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap()
        };
        let err = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
    }));
}

#[test]
#[cfg_attr(miri, ignore)]
fn timers_and_io_share_the_driver() {
    let _serial = serial();
    // With I/O enabled, the timer wheel's deadline is the epoll timeout:
    // a sleep must still fire on time while sockets are registered.
    let rt = current();
    rt.block_on(async {
        let _l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let start = std::time::Instant::now();
        clockwork::time::sleep(Duration::from_millis(30)).await;
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(30) && took < Duration::from_millis(500));
    });
}

/// Differential: clockwork clients against a tokio echo server, and tokio
/// clients against a clockwork echo server, with payloads from 1 B to
/// 256 KiB (so both sides see partial reads and writes).
#[test]
#[cfg_attr(miri, ignore)]
fn interop_with_tokio() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let _serial = serial();
    let sizes: Vec<usize> = (0..40)
        .map(|i| 1 + (i * 7919 * 37) % (256 * 1024))
        .collect();

    // tokio server, clockwork clients.
    let tk = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let addr = tk.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut r, mut w) = s.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        addr
    });
    let sizes2 = sizes.clone();
    multi(2).block_on(within(30, async move {
        let mut tasks = Vec::new();
        for (i, size) in sizes2.into_iter().enumerate() {
            tasks.push(clockwork::spawn(async move {
                let s = TcpStream::connect(addr).await.unwrap();
                let (mut r, mut w) = s.into_split();
                let data: Vec<u8> = (0..size).map(|j| (i + j) as u8).collect();
                let expect = data.clone();
                let writer = clockwork::spawn(async move {
                    w.write_all(&data).await.unwrap();
                    w.shutdown().await.unwrap();
                });
                let mut back = Vec::new();
                let mut buf = vec![0u8; 8192];
                loop {
                    let n = r.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    back.extend_from_slice(&buf[..n]);
                }
                writer.await.unwrap();
                assert!(back == expect, "payload {i} of {size} B differs");
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    }));
    drop(tk);

    // clockwork server, tokio clients.
    let cw = multi(2);
    let addr = cw.block_on(echo_server());
    let tk = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    tk.block_on(async move {
        let mut tasks = Vec::new();
        for (i, size) in sizes.into_iter().enumerate() {
            tasks.push(tokio::spawn(async move {
                let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
                let (mut r, mut w) = s.split();
                let data: Vec<u8> = (0..size).map(|j| (i * 3 + j) as u8).collect();
                let write = async {
                    w.write_all(&data).await.unwrap();
                };
                let read = async {
                    let mut back = vec![0u8; size];
                    r.read_exact(&mut back).await.unwrap();
                    back
                };
                let ((), back) = join(write, read).await;
                assert!(back == data, "payload {i} of {size} B differs");
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    });
    drop(cw);
}

/// The `futures-io` impls drive the same sockets (hand-rolled `poll_fn`s,
/// since `futures-util` is not a dependency).
#[cfg(feature = "futures-io")]
#[test]
#[cfg_attr(miri, ignore)]
fn futures_io_traits() {
    use std::future::poll_fn;
    use std::pin::Pin;
    let _serial = serial();
    for (name, rt) in runtimes() {
        rt.block_on(within(10, async {
            let addr = echo_server().await;
            let mut s = TcpStream::connect(addr).await.unwrap();
            let mut sent = 0;
            while sent < 5 {
                sent += poll_fn(|cx| {
                    futures_io::AsyncWrite::poll_write(Pin::new(&mut s), cx, &b"hello"[sent..])
                })
                .await
                .unwrap();
            }
            let mut back = [0u8; 5];
            let mut got = 0;
            while got < 5 {
                got += poll_fn(|cx| {
                    futures_io::AsyncRead::poll_read(Pin::new(&mut s), cx, &mut back[got..])
                })
                .await
                .unwrap();
            }
            assert_eq!(&back, b"hello", "{name}");
            poll_fn(|cx| futures_io::AsyncWrite::poll_close(Pin::new(&mut s), cx))
                .await
                .unwrap();
            // The echo server sees EOF and closes: we read EOF too.
            let n = poll_fn(|cx| futures_io::AsyncRead::poll_read(Pin::new(&mut s), cx, &mut back))
                .await
                .unwrap();
            assert_eq!(n, 0);
        }));
    }
}

// ---------------------------------------------------------------------------
// Accept errors: out of file descriptors (EMFILE) is logged and survived.

/// Set in the child process of `accept_error_is_logged_and_survived`.
const EMFILE_CHILD: &str = "CLOCKWORK_TEST_EMFILE_CHILD";
/// The child's `RLIMIT_NOFILE` (soft and hard).
const CHILD_FD_LIMIT: usize = 32;

/// A server whose process runs out of fds keeps running: `accept` fails
/// with `EMFILE`, the accept loop logs it, backs off and tries again;
/// existing connections are still served; once a connection closes, the
/// connection that waited in the backlog is accepted (its readiness was
/// not lost: only `WouldBlock` clears it) and so is a new one.
///
/// The server runs in a child process (this test binary again, filtered
/// to this test, with `CLOCKWORK_TEST_EMFILE_CHILD` set) started by
/// `sh -c 'ulimit -n 32; exec ...'`, so the limit is the child's alone. It
/// reports each accept and accept error as a line on stdout; the parent
/// drives it with blocking std sockets.
#[test]
#[cfg_attr(miri, ignore)]
fn accept_error_is_logged_and_survived() {
    if std::env::var_os(EMFILE_CHILD).is_some() {
        emfile_child();
        return;
    }
    use std::io::{Read, Write};
    use std::net::TcpStream as StdStream;
    use std::process::{Command, Stdio};

    let _serial = serial();
    let exe = std::env::current_exe().unwrap();
    let child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -n {CHILD_FD_LIMIT} && exec \"$0\" \"$@\""))
        .arg(exe)
        .args([
            "accept_error_is_logged_and_survived",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(EMFILE_CHILD, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the child server");
    let mut child = KillOnDrop(child);
    // The child's stdout, line by line, through a thread (so a silent child
    // fails the test instead of hanging it).
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let stdout = child.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            // (libtest's "test name ... " may precede the first report on
            // its line.)
            if let Some((_, report)) = line.split_once("child: ") {
                let _ = lines_tx.send(report.to_owned());
            }
        }
    });
    let next = || {
        lines
            .recv_timeout(Duration::from_secs(5))
            .expect("the child server stopped reporting")
    };
    let limit = next();
    assert_eq!(limit, format!("fd limit {CHILD_FD_LIMIT}"));
    let addr: SocketAddr = next()
        .strip_prefix("listening on ")
        .expect("listening line")
        .parse()
        .unwrap();

    let round_trip = |s: &mut StdStream, msg: &[u8]| {
        s.write_all(msg).unwrap();
        let mut back = vec![0u8; msg.len()];
        s.read_exact(&mut back).unwrap();
        assert_eq!(back, msg);
    };
    let connect = || {
        let s = StdStream::connect(addr).unwrap();
        // A failure guard only: every read below has its answer coming.
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s
    };

    // Connect until the child's fd table is full. Each connection is
    // either accepted (and then echoes) or the child reports EMFILE; the
    // connection then waits in the listen backlog.
    let mut served = Vec::new();
    let mut pending = loop {
        assert!(served.len() < CHILD_FD_LIMIT, "accept never failed");
        let mut s = connect();
        let report = next();
        if report == "accepted" {
            round_trip(&mut s, b"hello");
            served.push(s);
        } else {
            assert!(
                report.starts_with("accept error") && report.contains("os error 24"),
                "expected EMFILE, got {report:?}"
            );
            break s;
        }
    };
    assert!(served.len() >= 2, "only {} connections fit", served.len());
    // The accept loop is alive: it keeps retrying (and failing) after its
    // back-off, and the connections already accepted are still served.
    for _ in 0..2 {
        let report = next();
        assert!(report.starts_with("accept error"), "{report:?}");
    }
    round_trip(&mut served[0], b"still here");

    // Free one fd: close a connection; the child's echo task sees EOF and
    // drops its socket. The next retry accepts the backlogged connection.
    let skip_errors = |what: &str| loop {
        let report = next();
        if report == what {
            return;
        }
        assert!(report.starts_with("accept error"), "{report:?}");
    };
    drop(served.pop());
    skip_errors("accepted");
    round_trip(&mut pending, b"was pending");
    // And once more for a brand-new connection.
    drop(served.pop());
    let mut fresh = connect();
    skip_errors("accepted");
    round_trip(&mut fresh, b"new");
    for s in &mut served {
        round_trip(s, b"bye");
    }

    // Stop the child: closing its stdin makes it exit.
    drop(child.0.stdin.take());
    let status = child.0.wait().unwrap();
    assert!(status.success(), "child exited with {status}");
    let mut stderr = String::new();
    child
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        stderr.contains("accept error: Too many open files"),
        "the error is logged on stderr: {stderr}"
    );
}

/// Kills (and reaps) the child if the test fails before stopping it.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// The child's side: an echo server with the accept loop a server should
/// have (log, back off, continue), on the current-thread runtime.
fn emfile_child() {
    // The parent closes our stdin to stop us (or dies, which closes it too).
    std::thread::spawn(|| {
        use std::io::Read;
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let soft = limits
        .lines()
        .find_map(|l| l.strip_prefix("Max open files"))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap();
    println!("child: fd limit {soft}");
    current().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("child: listening on {}", listener.local_addr().unwrap());
        loop {
            match listener.accept().await {
                Ok((mut socket, _)) => {
                    println!("child: accepted");
                    clockwork::spawn(async move {
                        let mut buf = [0u8; 64];
                        while let Ok(n @ 1..) = socket.read(&mut buf).await {
                            if socket.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    });
                }
                Err(e) => {
                    eprintln!("accept error: {e}");
                    println!("child: accept error: {e}");
                    clockwork::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }
    });
}
