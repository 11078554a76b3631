//! A minimal HTTP/1.1 server: `GET /` answers a fixed body, anything else
//! 404. Keep-alive and pipelining, hand-parsed requests (no body support
//! beyond skipping `Content-Length` bytes). Same code on clockwork and on
//! tokio for side-by-side measurement.
//!
//! ```sh
//! cargo run --release -p clockwork-examples --example http_hello -- --runtime clockwork
//! curl -v http://127.0.0.1:8080/
//! # load, e.g.: wrk -t2 -c100 -d5s http://127.0.0.1:8080/
//! ```
//!
//! Flags: `--addr HOST:PORT` (default 127.0.0.1:8080), `--threads N`
//! (1 = current-thread scheduler), `--runtime clockwork|tokio`,
//! `--requests N` (serve N requests, then exit: for scripted checks).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const BODY: &str = "Hello, world!\n";

struct Args {
    addr: SocketAddr,
    threads: usize,
    runtime: String,
    requests: Option<u64>,
}

fn parse_args() -> Args {
    let mut args = Args {
        addr: "127.0.0.1:8080".parse().unwrap(),
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        runtime: "clockwork".into(),
        requests: None,
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
            "--requests" => {
                args.requests = Some(value().parse().unwrap_or_else(|_| usage("bad --requests")))
            }
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown flag {other}")),
        }
    }
    if args.threads == 0 {
        usage("--threads must be positive");
    }
    args
}

fn usage(msg: &str) -> ! {
    if !msg.is_empty() {
        eprintln!("error: {msg}");
    }
    eprintln!(
        "usage: http_hello [--addr 127.0.0.1:8080] [--threads N] [--runtime clockwork|tokio] [--requests N]"
    );
    std::process::exit(2)
}

/// One parsed request head.
#[derive(Debug, PartialEq)]
struct Request {
    /// Bytes taken by the head, plus the body to skip.
    consumed: usize,
    is_root_get: bool,
    keep_alive: bool,
}

enum Parse {
    Complete(Request),
    Partial,
    Invalid,
}

/// Parse one request head from the front of `buf`.
fn parse(buf: &[u8]) -> Parse {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if buf.len() > 16 * 1024 {
            Parse::Invalid
        } else {
            Parse::Partial
        };
    };
    let Ok(head) = std::str::from_utf8(&buf[..end]) else {
        return Parse::Invalid;
    };
    let mut lines = head.split("\r\n");
    let mut parts = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(path), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Parse::Invalid;
    };
    let mut keep_alive = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Parse::Invalid,
    };
    let mut body = 0usize;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Parse::Invalid;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("connection") {
            if value.eq_ignore_ascii_case("close") {
                keep_alive = false;
            } else if value.eq_ignore_ascii_case("keep-alive") {
                keep_alive = true;
            }
        } else if name.eq_ignore_ascii_case("content-length") {
            match value.parse() {
                Ok(n) => body = n,
                Err(_) => return Parse::Invalid,
            }
        }
    }
    let consumed = end + 4 + body;
    if buf.len() < consumed {
        return Parse::Partial;
    }
    Parse::Complete(Request {
        consumed,
        is_root_get: method == "GET" && path == "/",
        keep_alive,
    })
}

fn respond(req: &Request, out: &mut Vec<u8>) {
    let (status, body) = if req.is_root_get {
        ("200 OK", BODY)
    } else {
        ("404 Not Found", "not found\n")
    };
    let connection = if req.keep_alive {
        "keep-alive"
    } else {
        "close"
    };
    out.extend_from_slice(
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: {connection}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
}

/// How long the accept loop waits after a failed `accept` (e.g. `EMFILE`,
/// out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// An accept error is not fatal: log it and keep serving. `EMFILE` /
/// `ENFILE` pass once connections close; the connection that could not be
/// accepted waits in the listen backlog for a later `accept`.
fn accept_error(e: &std::io::Error) {
    eprintln!("accept error: {e} (retrying in {ACCEPT_BACKOFF:?})");
}

const BAD_REQUEST: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

macro_rules! http_impl {
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
                rt.block_on(server(args.addr, args.requests))
            }

            async fn server(addr: SocketAddr, limit: Option<u64>) -> std::io::Result<()> {
                let listener = TcpListener::bind(addr).await?;
                eprintln!(
                    "{} http_hello on http://{}/",
                    stringify!($krate),
                    listener.local_addr()?
                );
                let served = Arc::new(AtomicU64::new(0));
                loop {
                    let (socket, _) = match listener.accept().await {
                        Ok(conn) => conn,
                        Err(e) => {
                            accept_error(&e);
                            $krate::time::sleep(ACCEPT_BACKOFF).await;
                            continue;
                        }
                    };
                    let conn = {
                        let served = served.clone();
                        $krate::spawn(async move {
                            let _ = connection(socket, &served).await;
                        })
                    };
                    if let Some(limit) = limit {
                        // Scripted mode: one connection at a time, so the
                        // count is exact when we check it.
                        let _ = conn.await;
                        let n = served.load(Ordering::SeqCst);
                        if n >= limit {
                            eprintln!("served {n} requests");
                            return Ok(());
                        }
                    }
                }
            }

            async fn connection(mut socket: TcpStream, served: &AtomicU64) -> std::io::Result<()> {
                socket.set_nodelay(true)?;
                let mut buf = Vec::with_capacity(4096);
                let mut out = Vec::with_capacity(4096);
                let mut chunk = [0u8; 4096];
                loop {
                    let n = socket.read(&mut chunk).await?;
                    if n == 0 {
                        return Ok(());
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    // Answer every complete (pipelined) request in the buffer.
                    let mut start = 0;
                    let mut close = false;
                    loop {
                        match parse(&buf[start..]) {
                            Parse::Complete(req) => {
                                respond(&req, &mut out);
                                served.fetch_add(1, Ordering::SeqCst);
                                start += req.consumed;
                                if !req.keep_alive {
                                    close = true;
                                    break;
                                }
                            }
                            Parse::Partial => break,
                            Parse::Invalid => {
                                out.extend_from_slice(BAD_REQUEST);
                                close = true;
                                break;
                            }
                        }
                    }
                    buf.drain(..start);
                    socket.write_all(&out).await?;
                    out.clear();
                    if close {
                        socket.shutdown().await?;
                        return Ok(());
                    }
                }
            }
        }
    };
}

http_impl!(on_clockwork, clockwork, clockwork::Builder);
http_impl!(on_tokio, tokio, tokio::runtime::Builder);

fn main() -> std::io::Result<()> {
    let args = parse_args();
    match args.runtime.as_str() {
        "clockwork" => on_clockwork::run(&args),
        "tokio" => on_tokio::run(&args),
        other => usage(&format!("unknown runtime {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pipelined_keep_alive_and_close() {
        let two =
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nConnection: close\r\n\r\n";
        let Parse::Complete(first) = parse(two) else {
            panic!()
        };
        assert!(first.is_root_get && first.keep_alive);
        let Parse::Complete(second) = parse(&two[first.consumed..]) else {
            panic!()
        };
        assert!(!second.is_root_get && !second.keep_alive);
        assert!(matches!(parse(b"GET / HTTP/1.1\r\nHost"), Parse::Partial));
        assert!(matches!(parse(b"GARBAGE\r\n\r\n"), Parse::Invalid));
        let post = b"POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc";
        let Parse::Complete(p) = parse(post) else {
            panic!()
        };
        assert_eq!(p.consumed, post.len());
        assert!(!p.keep_alive && !p.is_root_get);
    }
}
