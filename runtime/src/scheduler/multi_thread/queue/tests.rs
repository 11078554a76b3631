//! The local queue with real tasks (so Miri sees real pointers).

use std::collections::HashSet;
use std::sync::Arc;

use super::*;
use crate::task::{self, Id, JoinHandle, Schedule, Task};

struct NoopSched;

impl Schedule for NoopSched {
    fn release(&self, _: &Task<Self>) -> Option<Task<Self>> {
        None
    }
    fn schedule(&self, _: Notified<Self>) {
        unreachable!("queue tests never wake tasks")
    }
}

fn make_task() -> (Notified<NoopSched>, JoinHandle<()>, u64) {
    let id = Id::next();
    let (task, notified, join) = task::new_task(async {}, NoopSched, id);
    drop(task); // not in any owned list
    (notified, join, id.0)
}

fn id_of(n: &Notified<NoopSched>) -> u64 {
    n.raw_id()
}

#[test]
fn fifo_push_pop() {
    let (_steal, mut local) = local::<NoopSched>();
    let inject = Inject::new();
    let mut joins = Vec::new();
    let mut ids = Vec::new();
    for _ in 0..10 {
        let (n, j, id) = make_task();
        local.push_back_or_overflow(n, &inject);
        joins.push(j);
        ids.push(id);
    }
    assert_eq!(local.len(), 10);
    for id in ids {
        assert_eq!(id_of(&local.pop().unwrap()), id);
    }
    assert!(local.pop().is_none());
}

#[test]
fn overflow_moves_half_to_inject() {
    let (_steal, mut local) = local::<NoopSched>();
    let inject = Inject::new();
    let mut joins = Vec::new();
    for _ in 0..CAPACITY + 1 {
        let (n, j, _) = make_task();
        local.push_back_or_overflow(n, &inject);
        joins.push(j);
    }
    assert_eq!(inject.len(), CAPACITY / 2 + 1);
    assert_eq!(local.len(), CAPACITY / 2);
    drop(inject.close());
}

#[test]
fn steal_half() {
    let (steal, mut a) = local::<NoopSched>();
    let (_steal_b, mut b) = local::<NoopSched>();
    let inject = Inject::new();
    let mut joins = Vec::new();
    for _ in 0..10 {
        let (n, j, _) = make_task();
        a.push_back_or_overflow(n, &inject);
        joins.push(j);
    }
    let got = steal.steal_into(&mut b).expect("stole something");
    drop(got);
    assert_eq!(b.len(), 4); // 5 stolen, one returned directly
    assert_eq!(a.len(), 5);
}

#[test]
fn concurrent_steal_loses_and_duplicates_nothing() {
    let rounds = if cfg!(miri) { 2 } else { 50 };
    let per_round = if cfg!(miri) { 40 } else { 1000 };
    for _ in 0..rounds {
        let (steal, mut local) = local::<NoopSched>();
        let inject = Arc::new(Inject::new());
        let mut joins = Vec::new();
        let mut tasks = Vec::new();
        for _ in 0..per_round {
            let (n, j, _) = make_task();
            tasks.push(n);
            joins.push(j);
        }
        let thief = std::thread::spawn(move || {
            let (_s, mut mine) = super::local::<NoopSched>();
            let mut seen = Vec::new();
            for _ in 0..per_round {
                if let Some(t) = steal.steal_into(&mut mine) {
                    seen.push(t.raw_id());
                    drop(t);
                }
                while let Some(t) = mine.pop() {
                    seen.push(t.raw_id());
                }
            }
            seen
        });
        let mut seen = Vec::new();
        for t in tasks {
            local.push_back_or_overflow(t, &inject);
            if let Some(t) = local.pop() {
                if t.raw_id() % 3 == 0 {
                    seen.push(t.raw_id());
                    continue;
                }
                local.push_back_or_overflow(t, &inject);
            }
        }
        while let Some(t) = local.pop() {
            seen.push(t.raw_id());
        }
        seen.extend(thief.join().unwrap());
        for t in inject.close() {
            seen.push(t.raw_id());
        }
        let unique: HashSet<_> = seen.iter().copied().collect();
        assert_eq!(unique.len(), seen.len(), "a task was seen twice");
        assert_eq!(seen.len(), per_round, "a task was lost");
        drop(joins);
    }
}
