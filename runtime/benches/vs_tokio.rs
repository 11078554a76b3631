//! Clockwork vs tokio, side by side, same workloads, same worker count.
//!
//! `cargo bench -p clockwork --bench vs_tokio [-- --quick]`
//!
//! For each flavor (current_thread, multi_thread with 2 workers) and each
//! workload, both runtimes run the same code (written once, in the
//! `workloads!` macro, against `clockwork` or `tokio` paths). Samples
//! alternate which runtime goes first; the median of each is reported:
//!
//! `vs_tokio <name> <flavor> clockwork_ns=<n> tokio_ns=<n> ratio=<clockwork/tokio>`

use std::time::{Duration, Instant};

macro_rules! workloads {
    ($rt:ident) => {
        use std::future::{Future, poll_fn};
        use std::pin::pin;
        use std::task::Poll;
        use std::time::Duration;

        use $rt::sync::{mpsc, oneshot};

        /// Run the body in a spawned task, so that on the multi-thread
        /// flavor it runs on a worker (not on the `block_on` thread).
        async fn in_task<F>(f: F)
        where
            F: Future<Output = ()> + Send + 'static,
        {
            $rt::spawn(f).await.unwrap();
        }

        pub async fn spawn_many() {
            in_task(async {
                let handles: Vec<_> = (0..10_000).map(|_| $rt::spawn(async {})).collect();
                for h in handles {
                    h.await.unwrap();
                }
            })
            .await
        }

        pub async fn yield_many() {
            in_task(async {
                let handles: Vec<_> = (0..200)
                    .map(|_| {
                        $rt::spawn(async {
                            for _ in 0..1_000 {
                                $rt::task::yield_now().await;
                            }
                        })
                    })
                    .collect();
                for h in handles {
                    h.await.unwrap();
                }
            })
            .await
        }

        pub async fn ping_pong() {
            in_task(async {
                for i in 0..1_000u32 {
                    let (ping_tx, ping_rx) = oneshot::channel::<u32>();
                    let (pong_tx, pong_rx) = oneshot::channel::<u32>();
                    drop($rt::spawn(async move {
                        let v = ping_rx.await.unwrap();
                        pong_tx.send(v + 1).unwrap();
                    }));
                    ping_tx.send(i).unwrap();
                    assert_eq!(pong_rx.await.unwrap(), i + 1);
                }
            })
            .await
        }

        fn chain(done: oneshot::Sender<()>, n: usize) {
            if n == 0 {
                done.send(()).unwrap();
            } else {
                drop($rt::spawn(async move { chain(done, n - 1) }));
            }
        }

        pub async fn chained_spawn() {
            in_task(async {
                let (tx, rx) = oneshot::channel();
                chain(tx, 1_000);
                rx.await.unwrap();
            })
            .await
        }

        pub async fn timeout_ready() {
            in_task(async {
                for i in 0..100_000u32 {
                    let v = $rt::time::timeout(Duration::from_secs(1), async move { i })
                        .await
                        .unwrap();
                    assert_eq!(v, i);
                }
            })
            .await
        }

        pub async fn timer_register_cancel() {
            in_task(async {
                for i in 0..100_000u64 {
                    let mut sleep =
                        pin!($rt::time::sleep(Duration::from_millis(1_000 + i % 1_000)));
                    // Poll once: registers the timer. Dropping it cancels.
                    poll_fn(|cx| {
                        assert!(sleep.as_mut().poll(cx).is_pending());
                        Poll::Ready(())
                    })
                    .await;
                }
            })
            .await
        }

        pub async fn mpsc_contention() {
            in_task(async {
                let (tx, mut rx) = mpsc::channel::<usize>(1_000_000);
                for _ in 0..5 {
                    let tx = tx.clone();
                    drop($rt::spawn(async move {
                        for i in 0..1_000 {
                            tx.send(i).await.unwrap();
                        }
                    }));
                }
                drop(tx);
                let mut n = 0;
                while rx.recv().await.is_some() {
                    n += 1;
                }
                assert_eq!(n, 5_000);
            })
            .await
        }

        pub async fn request_reply() {
            in_task(async {
                let (tx, mut rx) = mpsc::channel::<(u32, oneshot::Sender<u32>)>(64);
                let server = $rt::spawn(async move {
                    while let Some((v, reply)) = rx.recv().await {
                        let _ = reply.send(v + 1);
                    }
                });
                for i in 0..1_000u32 {
                    let (reply_tx, reply_rx) = oneshot::channel();
                    tx.send((i, reply_tx)).await.unwrap();
                    assert_eq!(reply_rx.await.unwrap(), i + 1);
                }
                drop(tx);
                server.await.unwrap();
            })
            .await
        }
    };
}

mod cw {
    workloads!(clockwork);
}

mod tk {
    workloads!(tokio);
}

#[derive(Clone, Copy)]
enum Flavor {
    CurrentThread,
    MultiThread,
}

impl Flavor {
    fn name(self) -> &'static str {
        match self {
            Flavor::CurrentThread => "current_thread",
            Flavor::MultiThread => "multi_thread",
        }
    }
}

const WORKERS: usize = 2;

fn clockwork_rt(flavor: Flavor) -> clockwork::Runtime {
    match flavor {
        Flavor::CurrentThread => clockwork::Builder::new_current_thread(),
        Flavor::MultiThread => {
            let mut b = clockwork::Builder::new_multi_thread();
            b.worker_threads(WORKERS);
            b
        }
    }
    .enable_all()
    .build()
    .unwrap()
}

fn tokio_rt(flavor: Flavor) -> tokio::runtime::Runtime {
    match flavor {
        Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
        Flavor::MultiThread => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(WORKERS);
            b
        }
    }
    .enable_all()
    .build()
    .unwrap()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

macro_rules! bench {
    ($name:ident, $flavor:expr, $samples:expr, $filter:expr) => {{
        let name = stringify!($name);
        if $filter
            .as_ref()
            .is_none_or(|f: &String| name.contains(f.as_str()))
        {
            let flavor: Flavor = $flavor;
            let cw_rt = clockwork_rt(flavor);
            let tk_rt = tokio_rt(flavor);
            // Warm up both (thread start, allocator, caches).
            cw_rt.block_on(cw::$name());
            tk_rt.block_on(tk::$name());
            let mut cw_samples = Vec::with_capacity($samples);
            let mut tk_samples = Vec::with_capacity($samples);
            for i in 0..$samples {
                let mut run_cw = || {
                    let start = Instant::now();
                    cw_rt.block_on(cw::$name());
                    cw_samples.push(start.elapsed());
                };
                let mut run_tk = || {
                    let start = Instant::now();
                    tk_rt.block_on(tk::$name());
                    tk_samples.push(start.elapsed());
                };
                if i % 2 == 0 {
                    run_cw();
                    run_tk();
                } else {
                    run_tk();
                    run_cw();
                }
            }
            let cw_ns = median(cw_samples).as_nanos();
            let tk_ns = median(tk_samples).as_nanos();
            println!(
                "vs_tokio {name} {} clockwork_ns={cw_ns} tokio_ns={tk_ns} ratio={:.3}",
                flavor.name(),
                cw_ns as f64 / tk_ns as f64
            );
        }
    }};
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    // Any other non-flag argument filters workloads by name (cargo passes
    // `--bench` too).
    let filter = args.iter().find(|a| !a.starts_with("--")).cloned();
    let samples = if quick { 9 } else { 41 };
    for flavor in [Flavor::CurrentThread, Flavor::MultiThread] {
        bench!(spawn_many, flavor, samples, filter);
        bench!(yield_many, flavor, samples, filter);
        bench!(ping_pong, flavor, samples, filter);
        bench!(chained_spawn, flavor, samples, filter);
        bench!(timeout_ready, flavor, samples, filter);
        bench!(timer_register_cancel, flavor, samples, filter);
        bench!(mpsc_contention, flavor, samples, filter);
        bench!(request_reply, flavor, samples, filter);
    }
}
