//! Runtime-level tests: both schedulers, shutdown, blocking pool, timers.
//! Threads and real timers: most are skipped under Miri (the task, waker,
//! queue and wheel unit tests are the ones that exercise `unsafe`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crate::{Builder, JoinSet, Runtime, spawn, spawn_blocking, spawn_local, time, yield_now};

/// Smaller workloads under Miri (it is ~100× slower), same code paths.
fn n(full: usize) -> usize {
    if cfg!(miri) { (full / 25).max(4) } else { full }
}

fn current_thread() -> Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}

fn multi_thread(workers: usize) -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .unwrap()
}

fn both() -> Vec<Runtime> {
    vec![current_thread(), multi_thread(2)]
}

struct DropCount(Arc<AtomicUsize>);
impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn block_on_returns_value() {
    for rt in both() {
        assert_eq!(rt.block_on(async { 1 + 1 }), 2);
    }
}

#[test]
fn spawn_many_and_join() {
    for rt in both() {
        let sum = rt.block_on(async {
            let handles: Vec<_> = (0..n(1000) as u64)
                .map(|i| spawn(async move { i }))
                .collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await.unwrap();
            }
            sum
        });
        let k = n(1000) as u64;
        assert_eq!(sum, (k - 1) * k / 2);
    }
}

#[test]
fn chained_spawn_and_yield() {
    fn chain(n: usize) -> crate::JoinHandle<usize> {
        spawn(async move {
            if n == 0 {
                0
            } else {
                yield_now().await;
                chain(n - 1).await.unwrap() + 1
            }
        })
    }
    for rt in both() {
        assert_eq!(rt.block_on(async { chain(n(200)).await.unwrap() }), n(200));
    }
}

#[test]
fn join_set_collects_everything() {
    for rt in both() {
        rt.block_on(async {
            let mut set = JoinSet::new();
            for i in 0..n(100) {
                set.spawn(async move {
                    yield_now().await;
                    i
                });
            }
            let mut got = Vec::new();
            while let Some(r) = set.join_next().await {
                got.push(r.unwrap());
            }
            got.sort_unstable();
            assert_eq!(got, (0..n(100)).collect::<Vec<_>>());
        });
    }
}

#[test]
fn join_set_large_and_mixed() {
    for rt in both() {
        rt.block_on(async {
            let mut set = JoinSet::new();
            let count = n(10_000);
            for i in 0..count {
                if i % 100 == 0 {
                    set.spawn_blocking(move || i);
                } else {
                    set.spawn(async move {
                        if i % 2 == 0 {
                            yield_now().await;
                        }
                        i
                    });
                }
            }
            assert_eq!(set.len(), count);
            let mut seen = vec![false; count];
            while let Some(r) = set.join_next().await {
                let i = r.unwrap();
                assert!(!std::mem::replace(&mut seen[i], true), "{i} twice");
            }
            assert!(seen.iter().all(|&s| s));
            assert!(set.is_empty());
            // Reusable after draining; aborted entries come back cancelled.
            let abort = set.spawn(std::future::pending::<usize>());
            abort.abort();
            assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
            assert!(set.join_next().await.is_none());
        });
    }
}

#[test]
fn join_set_drop_aborts() {
    let rt = multi_thread(2);
    let drops = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let mut set = JoinSet::new();
        for _ in 0..10 {
            let d = DropCount(drops.clone());
            set.spawn(async move {
                let _d = d;
                std::future::pending::<()>().await;
            });
        }
        set.shutdown().await;
        assert_eq!(drops.load(Ordering::SeqCst), 10);
    });
}

#[test]
fn panic_in_task_is_reported_and_runtime_survives() {
    for rt in both() {
        rt.block_on(async {
            let err = spawn(async { panic!("task failed") }).await.unwrap_err();
            assert!(err.is_panic());
            assert_eq!(spawn(async { 5 }).await.unwrap(), 5);
        });
    }
}

#[test]
fn abort_running_and_idle_tasks_on_workers() {
    let rt = multi_thread(2);
    rt.block_on(async {
        // Idle: parked on a future that never completes.
        let idle = spawn(std::future::pending::<()>());
        yield_now().await;
        idle.abort();
        assert!(idle.await.unwrap_err().is_cancelled());

        // Running: a task that keeps yielding, aborted from here.
        let started = Arc::new(AtomicBool::new(false));
        let s = started.clone();
        let busy = spawn(async move {
            loop {
                s.store(true, Ordering::SeqCst);
                yield_now().await;
            }
        });
        while !started.load(Ordering::SeqCst) {
            yield_now().await;
        }
        busy.abort();
        assert!(busy.await.unwrap_err().is_cancelled());
    });
}

#[test]
fn dropping_runtime_drops_every_pending_future() {
    for rt in both() {
        let drops = Arc::new(AtomicUsize::new(0));
        let weak = rt.scheduler_weak();
        let detached = rt.block_on(async {
            let mut handles = Vec::new();
            for i in 0..n(100) {
                let d = DropCount(drops.clone());
                handles.push(spawn(async move {
                    let _d = d;
                    if i % 3 == 0 {
                        // Pending on a timer far away.
                        time::sleep(Duration::from_secs(3600)).await;
                    } else if i % 3 == 1 {
                        // Pending forever, holding a JoinHandle of another.
                        let inner = spawn(std::future::pending::<()>());
                        let _ = inner.await;
                    } else {
                        std::future::pending::<()>().await;
                    }
                }));
            }
            yield_now().await;
            handles
        });
        drop(rt);
        assert_eq!(drops.load(Ordering::SeqCst), n(100));
        for h in &detached {
            assert!(h.is_finished());
        }
        drop(detached);
        // Nothing (queue, timer, task) kept the scheduler alive.
        assert!(weak.is_dropped(), "scheduler leaked");
    }
}

#[test]
fn spawn_from_outside_via_handle() {
    let rt = multi_thread(2);
    let h = rt.handle().clone();
    let j = std::thread::spawn(move || h.spawn(async { 3 }))
        .join()
        .unwrap();
    assert_eq!(rt.block_on(j).unwrap(), 3);

    let rt = current_thread();
    let h = rt.handle().clone();
    let j = std::thread::spawn(move || h.spawn(async { 4 }))
        .join()
        .unwrap();
    assert_eq!(rt.block_on(j).unwrap(), 4);
}

#[test]
fn wake_from_other_threads() {
    for rt in both() {
        rt.block_on(async {
            let mut handles = Vec::new();
            for _ in 0..n(50) {
                handles.push(spawn(async {
                    // A future woken by a plain OS thread.
                    spawn_blocking(|| std::thread::sleep(Duration::from_millis(1)))
                        .await
                        .unwrap();
                }));
            }
            for h in handles {
                h.await.unwrap();
            }
        });
    }
}

#[test]
fn spawn_blocking_runs_off_the_scheduler() {
    for rt in both() {
        let v = rt.block_on(async {
            let name = spawn_blocking(|| std::thread::current().name().map(String::from))
                .await
                .unwrap();
            assert_eq!(name.as_deref(), Some("clockwork-worker-blocking"));
            spawn_blocking(|| 10).await.unwrap()
        });
        assert_eq!(v, 10);
    }
}

#[test]
fn spawn_local_runs_not_send_futures() {
    let rt = current_thread();
    let out = rt.block_on(async {
        let rc = std::rc::Rc::new(5);
        let rc2 = rc.clone();
        let h = spawn_local(async move {
            yield_now().await;
            *rc2 + 1
        });
        h.await.unwrap() + *rc
    });
    assert_eq!(out, 11);
}

#[test]
#[should_panic(expected = "spawn_local")]
fn spawn_local_outside_current_thread_panics() {
    let rt = multi_thread(1);
    rt.block_on(async {
        drop(spawn_local(async {}));
    });
}

#[test]
#[should_panic(expected = "Cannot start a runtime from within a runtime")]
fn nested_block_on_panics() {
    let rt = current_thread();
    rt.block_on(async {
        current_thread().block_on(async {});
    });
}

#[test]
fn coop_budget_lets_others_run() {
    // A task that polls an always-ready resource (here: finished
    // JoinHandles) must still let the other task on its thread run.
    let rt = current_thread();
    rt.block_on(async {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        let greedy = spawn(async move {
            let mut polls = 0u32;
            while !f.load(Ordering::SeqCst) {
                let done = spawn(async {});
                // Wait for it without yielding explicitly.
                done.await.unwrap();
                polls += 1;
                assert!(polls < 100_000, "starved the other task");
            }
        });
        let f = flag.clone();
        drop(spawn(async move { f.store(true, Ordering::SeqCst) }));
        greedy.await.unwrap();
    });
}

#[test]
fn many_tasks_on_many_workers() {
    let rt = multi_thread(4);
    let counter = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let mut set = JoinSet::new();
        for _ in 0..n(100) {
            let c = counter.clone();
            set.spawn(async move {
                for _ in 0..n(100) {
                    c.fetch_add(1, Ordering::Relaxed);
                    yield_now().await;
                }
            });
        }
        while set.join_next().await.is_some() {}
    });
    assert_eq!(counter.load(Ordering::Relaxed), n(100) * n(100));
}

// ---- time ----

#[test]
fn sleep_waits_at_least_the_duration() {
    for rt in both() {
        rt.block_on(async {
            let start = std::time::Instant::now();
            time::sleep(Duration::from_millis(20)).await;
            assert!(start.elapsed() >= Duration::from_millis(20));
        });
    }
}

#[test]
fn sleeps_in_many_tasks_fire_in_order() {
    let rt = current_thread();
    rt.block_on(async {
        time::pause();
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut set = JoinSet::new();
        for ms in [50u64, 10, 3000, 200, 70_000, 1] {
            let o = order.clone();
            set.spawn(async move {
                time::sleep(Duration::from_millis(ms)).await;
                o.lock().unwrap().push(ms);
            });
        }
        while set.join_next().await.is_some() {}
        assert_eq!(*order.lock().unwrap(), vec![1, 10, 50, 200, 3000, 70_000]);
    });
}

#[test]
fn paused_clock_auto_advances_when_idle() {
    let rt = Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let wall = std::time::Instant::now();
        let start = time::Instant::now();
        time::sleep(Duration::from_secs(3600)).await;
        assert!(time::Instant::now() - start >= Duration::from_secs(3600));
        assert!(wall.elapsed() < Duration::from_secs(10), "really slept");
    });
}

#[test]
fn advance_fires_due_timers() {
    let rt = current_thread();
    rt.block_on(async {
        time::pause();
        let fired = Arc::new(AtomicBool::new(false));
        let f = fired.clone();
        drop(spawn(async move {
            time::sleep(Duration::from_millis(100)).await;
            f.store(true, Ordering::SeqCst);
        }));
        yield_now().await; // let it register
        time::advance(Duration::from_millis(99)).await;
        assert!(!fired.load(Ordering::SeqCst));
        time::advance(Duration::from_millis(1)).await;
        yield_now().await;
        assert!(fired.load(Ordering::SeqCst));
    });
}

#[test]
fn timeout_ready_and_elapsed() {
    for rt in both() {
        rt.block_on(async {
            assert_eq!(
                time::timeout(Duration::from_secs(1), async { 7 }).await,
                Ok(7)
            );
            let r = time::timeout(Duration::from_millis(5), std::future::pending::<()>()).await;
            assert!(r.is_err());
        });
    }
}

#[test]
fn interval_ticks_and_missed_tick_policies() {
    let rt = current_thread();
    rt.block_on(async {
        time::pause();
        let start = time::Instant::now();
        let period = Duration::from_millis(10);

        let mut burst = time::interval(period);
        assert_eq!(burst.tick().await, start); // first tick is immediate
        time::advance(Duration::from_millis(35)).await;
        // Three ticks were missed: burst fires them back to back.
        assert_eq!(burst.tick().await, start + period);
        assert_eq!(burst.tick().await, start + period * 2);
        assert_eq!(burst.tick().await, start + period * 3);

        let base = time::Instant::now();
        let mut delay = time::interval(period);
        delay.set_missed_tick_behavior(time::MissedTickBehavior::Delay);
        delay.tick().await;
        time::advance(Duration::from_millis(25)).await;
        let t = delay.tick().await;
        assert_eq!(t, base + period);
        // Next one is a full period after "now", not on the old grid.
        let t2 = delay.tick().await;
        assert_eq!(t2, base + Duration::from_millis(35));

        let base = time::Instant::now();
        let mut skip = time::interval(period);
        skip.set_missed_tick_behavior(time::MissedTickBehavior::Skip);
        skip.tick().await;
        time::advance(Duration::from_millis(25)).await;
        assert_eq!(skip.tick().await, base + period);
        // 20 ms was skipped: next grid point after now (base+25) is base+30.
        assert_eq!(skip.tick().await, base + Duration::from_millis(30));
    });
}

#[test]
fn a_million_sleeps_registered_and_cancelled() {
    let rt = current_thread();
    rt.block_on(async {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let handle = time::sleep_handle_for_tests();
        let total = if cfg!(miri) { 2_000 } else { 1_000_000 };
        let mut batch = Vec::with_capacity(1000);
        for i in 0..total {
            let mut s = time::sleep(Duration::from_millis(1000 + (i % 5000) as u64));
            assert!(std::pin::Pin::new(&mut s).poll(&mut cx).is_pending());
            batch.push(s);
            if batch.len() == 1000 {
                assert_eq!(handle.num_timers(), 1000);
                batch.clear(); // cancel
            }
        }
        assert_eq!(handle.num_timers(), 0);
    });
}

use std::future::Future as _;

#[test]
fn second_block_on_polls_its_future_while_waiting_for_the_core() {
    let rt = Arc::new(current_thread());
    let (tx, rx) = crate::sync::oneshot::channel::<u32>();
    let rt2 = rt.clone();
    // Holds the core until the other thread's `block_on` sends.
    let first = std::thread::spawn(move || rt2.block_on(rx).unwrap());
    std::thread::sleep(Duration::from_millis(10));
    // Needs no scheduler: must complete even though the core is taken.
    rt.block_on(async move { tx.send(9).unwrap() });
    assert_eq!(first.join().unwrap(), 9);
    // And the core was given back: the runtime still works.
    assert_eq!(rt.block_on(async { spawn(async { 1 }).await.unwrap() }), 1);
}

#[test]
fn public_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Runtime>();
    send_sync::<crate::Handle>();
    send_sync::<crate::JoinHandle<u32>>();
    send_sync::<crate::AbortHandle>();
    send_sync::<crate::JoinError>();
    send_sync::<time::Sleep>();
    send_sync::<crate::sync::mpsc::Sender<u32>>();
    send_sync::<crate::sync::mpsc::UnboundedSender<u32>>();
    send_sync::<crate::sync::oneshot::Sender<u32>>();
    send_sync::<crate::sync::Mutex<u32>>();
    send_sync::<crate::sync::Notify>();
    send_sync::<crate::sync::Semaphore>();
}
