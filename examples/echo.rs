//! A TCP echo server, and a load generator to measure it, on clockwork or on
//! tokio: the same code (a macro stamps it out for both crates), so the two
//! runtimes can be compared side by side.
//!
//! ```sh
//! # server (default 127.0.0.1:7000, one worker per CPU; --threads 1 = current-thread)
//! cargo run --release -p clockwork-examples --example echo -- --runtime clockwork
//! # load: 100 connections, 64-byte messages, 5 seconds; prints round trips/s
//! cargo run --release -p clockwork-examples --example echo -- --client 100 --size 64 --secs 5
//! ```
//!
//! Flags: `--addr HOST:PORT`, `--threads N`, `--runtime clockwork|tokio`,
//! `--client CONNS` (load mode), `--size BYTES`, `--secs S`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Args {
    addr: SocketAddr,
    threads: usize,
    runtime: String,
    client: Option<usize>,
    size: usize,
    secs: u64,
}

fn parse_args() -> Args {
    let mut args = Args {
        addr: "127.0.0.1:7000".parse().unwrap(),
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        runtime: "clockwork".into(),
        client: None,
        size: 64,
        secs: 5,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--addr" => args.addr = value().parse().unwrap_or_else(|e| usage(&format!("{e}"))),
            "--threads" => {
                args.threads = value().parse().unwrap_or_else(|_| usage("bad --threads"))
            }
            "--runtime" => args.runtime = value(),
            "--client" => {
                args.client = Some(value().parse().unwrap_or_else(|_| usage("bad --client")))
            }
            "--size" => args.size = value().parse().unwrap_or_else(|_| usage("bad --size")),
            "--secs" => args.secs = value().parse().unwrap_or_else(|_| usage("bad --secs")),
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown flag {other}")),
        }
    }
    if args.threads == 0 || args.size == 0 {
        usage("--threads and --size must be positive");
    }
    args
}

fn usage(msg: &str) -> ! {
    if !msg.is_empty() {
        eprintln!("error: {msg}");
    }
    eprintln!(
        "usage: echo [--addr 127.0.0.1:7000] [--threads N] [--runtime clockwork|tokio]\n\
         \x20           [--client CONNS [--size BYTES] [--secs S]]"
    );
    std::process::exit(2)
}

/// How long the accept loop waits after a failed `accept` (e.g. `EMFILE`,
/// out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// An accept error is not fatal: log it and keep serving. `EMFILE` /
/// `ENFILE` pass once connections close and free descriptors; the
/// connection that could not be accepted waits in the listen backlog and
/// is picked up by a later `accept` (its readiness is kept: only
/// `WouldBlock` clears it).
fn accept_error(e: &std::io::Error) {
    eprintln!("accept error: {e} (retrying in {ACCEPT_BACKOFF:?})");
}

/// One copy of the server and client per runtime crate: `$krate::net`,
/// `$krate::io::{AsyncReadExt, AsyncWriteExt}` and `$krate::spawn` have the
/// same shape in clockwork and tokio.
macro_rules! echo_impl {
    ($name:ident, $krate:ident, $builder:path) => {
        mod $name {
            use super::*;
            use $builder as Builder;
            use $krate::io::{AsyncReadExt, AsyncWriteExt};
            use $krate::net::{TcpListener, TcpStream};

            pub fn run(args: &Args) -> std::io::Result<()> {
                let rt = if args.threads == 1 {
                    Builder::new_current_thread().enable_all().build()?
                } else {
                    Builder::new_multi_thread()
                        .worker_threads(args.threads)
                        .enable_all()
                        .build()?
                };
                match args.client {
                    None => rt.block_on(server(args.addr)),
                    Some(conns) => rt.block_on(client(args.addr, conns, args.size, args.secs)),
                }
            }

            async fn server(addr: SocketAddr) -> std::io::Result<()> {
                let listener = TcpListener::bind(addr).await?;
                eprintln!(
                    "{} echo server on {}",
                    stringify!($krate),
                    listener.local_addr()?
                );
                loop {
                    let (mut socket, _) = match listener.accept().await {
                        Ok(conn) => conn,
                        Err(e) => {
                            accept_error(&e);
                            $krate::time::sleep(ACCEPT_BACKOFF).await;
                            continue;
                        }
                    };
                    $krate::spawn(async move {
                        let _ = socket.set_nodelay(true);
                        let mut buf = vec![0u8; 16 * 1024];
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
            }

            /// `conns` connections, each sending `size` bytes and waiting for
            /// them to come back, for `secs` seconds.
            pub async fn client(
                addr: SocketAddr,
                conns: usize,
                size: usize,
                secs: u64,
            ) -> std::io::Result<()> {
                let round_trips = Arc::new(AtomicU64::new(0));
                let stop = Arc::new(AtomicBool::new(false));
                let mut tasks = Vec::new();
                for _ in 0..conns {
                    let mut stream = TcpStream::connect(addr).await?;
                    stream.set_nodelay(true)?;
                    let (round_trips, stop) = (round_trips.clone(), stop.clone());
                    tasks.push($krate::spawn(async move {
                        let msg = vec![0xa5u8; size];
                        let mut back = vec![0u8; size];
                        while !stop.load(Ordering::Relaxed) {
                            stream.write_all(&msg).await?;
                            stream.read_exact(&mut back).await?;
                            round_trips.fetch_add(1, Ordering::Relaxed);
                        }
                        std::io::Result::Ok(())
                    }));
                }
                let start = Instant::now();
                $krate::time::sleep(Duration::from_secs(secs)).await;
                stop.store(true, Ordering::Relaxed);
                let elapsed = start.elapsed().as_secs_f64();
                let n = round_trips.load(Ordering::Relaxed);
                for t in tasks {
                    t.await.expect("client task panicked")?;
                }
                println!(
                    "{}: {conns} connections x {size} B: {n} round trips in {elapsed:.2} s = {:.0}/s",
                    stringify!($krate),
                    n as f64 / elapsed
                );
                Ok(())
            }
        }
    };
}

echo_impl!(on_clockwork, clockwork, clockwork::Builder);
echo_impl!(on_tokio, tokio, tokio::runtime::Builder);

fn main() -> std::io::Result<()> {
    let args = parse_args();
    match args.runtime.as_str() {
        "clockwork" => on_clockwork::run(&args),
        "tokio" => on_tokio::run(&args),
        other => usage(&format!("unknown runtime {other}")),
    }
}
