//! TCP echo round trips per second, clockwork vs tokio, in the same run.
//!
//! `cargo bench -p clockwork --bench tcp_echo [-- --quick]`
//!
//! For each flavor (current_thread; multi_thread with 2 workers), each
//! connection count (1, 100, 1,000) and message size (64 B, 4 KiB): an echo server
//! and its clients run in one runtime over 127.0.0.1; every client loops
//! `write_all` + `read_exact` for a fixed time. The same code is stamped out
//! for both crates (`echo!` macro). Rounds alternate which runtime goes
//! first; the median of each is reported:
//!
//! `tcp_echo <flavor> conns=<c> size=<b> clockwork=<rt/s> tokio=<rt/s> ratio=<clockwork/tokio>`

use std::time::Duration;

macro_rules! echo {
    ($name:ident, $krate:ident, $builder:path) => {
        mod $name {
            use std::sync::Arc;
            use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
            use std::time::{Duration, Instant};

            use $builder as Builder;
            use $krate::io::{AsyncReadExt, AsyncWriteExt};
            use $krate::net::{TcpListener, TcpStream};

            /// Round trips per second.
            pub fn run(multi: bool, conns: usize, size: usize, time: Duration) -> f64 {
                let rt = if multi {
                    Builder::new_multi_thread()
                        .worker_threads(2)
                        .enable_all()
                        .build()
                        .unwrap()
                } else {
                    Builder::new_current_thread().enable_all().build().unwrap()
                };
                rt.block_on(async move {
                    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                    let addr = listener.local_addr().unwrap();
                    $krate::spawn(async move {
                        loop {
                            let (mut s, _) = listener.accept().await.unwrap();
                            $krate::spawn(async move {
                                s.set_nodelay(true).unwrap();
                                let mut buf = vec![0u8; 16 * 1024];
                                loop {
                                    match s.read(&mut buf).await {
                                        Ok(0) | Err(_) => return,
                                        Ok(n) => {
                                            if s.write_all(&buf[..n]).await.is_err() {
                                                return;
                                            }
                                        }
                                    }
                                }
                            });
                        }
                    });
                    let count = Arc::new(AtomicU64::new(0));
                    let stop = Arc::new(AtomicBool::new(false));
                    let mut clients = Vec::new();
                    for _ in 0..conns {
                        let mut s = TcpStream::connect(addr).await.unwrap();
                        s.set_nodelay(true).unwrap();
                        let (count, stop) = (count.clone(), stop.clone());
                        clients.push($krate::spawn(async move {
                            let msg = vec![0x5au8; size];
                            let mut back = vec![0u8; size];
                            while !stop.load(Ordering::Relaxed) {
                                s.write_all(&msg).await.unwrap();
                                s.read_exact(&mut back).await.unwrap();
                                count.fetch_add(1, Ordering::Relaxed);
                            }
                        }));
                    }
                    let start = Instant::now();
                    $krate::time::sleep(time).await;
                    stop.store(true, Ordering::Relaxed);
                    let n = count.load(Ordering::Relaxed);
                    let elapsed = start.elapsed();
                    for c in clients {
                        c.await.unwrap();
                    }
                    n as f64 / elapsed.as_secs_f64()
                })
            }
        }
    };
}

echo!(cw, clockwork, clockwork::Builder);
echo!(tk, tokio, tokio::runtime::Builder);

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// The soft limit on open files, from /proc/self/limits (unknown: assume plenty).
fn open_files_limit() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|l| {
            l.lines()
                .find(|line| line.starts_with("Max open files"))
                .and_then(|line| line.split_whitespace().nth(3)?.parse().ok())
        })
        .unwrap_or(usize::MAX)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (rounds, time) = if quick {
        (3, Duration::from_millis(300))
    } else {
        (5, Duration::from_secs(1))
    };
    for multi in [false, true] {
        let flavor = if multi {
            "multi_thread(2)"
        } else {
            "current_thread"
        };
        for conns in [1, 100, 1000] {
            // Both ends of every connection live in this process.
            let limit = open_files_limit();
            if conns * 2 + 100 > limit {
                println!(
                    "tcp_echo {flavor} conns={conns} skipped: the open-files limit is {limit} \
                     (raise it with `ulimit -n 4096`)"
                );
                continue;
            }
            for size in [64, 4096] {
                let (mut cw_s, mut tk_s) = (Vec::new(), Vec::new());
                for round in 0..rounds {
                    if round % 2 == 0 {
                        cw_s.push(cw::run(multi, conns, size, time));
                        tk_s.push(tk::run(multi, conns, size, time));
                    } else {
                        tk_s.push(tk::run(multi, conns, size, time));
                        cw_s.push(cw::run(multi, conns, size, time));
                    }
                }
                let (c, t) = (median(cw_s), median(tk_s));
                println!(
                    "tcp_echo {flavor} conns={conns} size={size} clockwork={c:.0} tokio={t:.0} ratio={:.2}",
                    c / t
                );
            }
        }
    }
}
