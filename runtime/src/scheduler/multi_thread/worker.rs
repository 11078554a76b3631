//! A worker thread's loop, its `Core`, and `schedule()` for the
//! multi-thread scheduler. Names follow tokio's `multi_thread/worker.rs`.
//!
//! ```text
//! run ─► Context::run: while !shutdown {
//!          every 61 ticks: maintenance (driver turn, shutdown check)
//!          next_task()  → run_task  (task.run(), then drain the LIFO slot)
//!          steal_work() → run_task
//!          park()       (last searcher re-checks all queues first)
//!        }
//! ```

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::idle::Idle;
use super::park::{Parker, Unparker};
use super::queue;
use super::{Handle, InjectQueue, Owned};
use crate::driver::{self, Driver};
use crate::scheduler::inject::Inject;
use crate::task::{Notified, OwnedTasks, Schedule, Task};
use crate::{context, coop, scheduler};

/// Run this many tasks between driver turns / shutdown checks.
const EVENT_INTERVAL: u32 = 61;
/// Check the inject queue first this often, for fairness.
const GLOBAL_QUEUE_INTERVAL: u32 = 61;
/// LIFO-slot tasks polled in a row before the slot is bypassed (a pair of
/// tasks pinging each other must not starve the rest of the queue).
const MAX_LIFO_POLLS_PER_TICK: usize = 3;

type Runnable = Notified<Arc<Handle>>;

pub(crate) struct Shared {
    remotes: Box<[Remote]>,
    pub(super) inject: InjectQueue,
    idle: Idle,
    pub(super) owned: Owned,
    is_shutdown: AtomicBool,
    /// Cores handed back by exiting workers, drained at shutdown. (Boxed:
    /// a core moves between the worker's stack and its context a lot.)
    #[allow(clippy::vec_box)]
    shutdown_cores: Mutex<Vec<Box<Core>>>,
    driver: Arc<Mutex<Driver>>,
}

/// The parts of a worker other workers can reach.
pub(crate) struct Remote {
    steal: queue::Steal<Arc<Handle>>,
    unpark: Unparker,
}

/// Everything a worker owns exclusively.
pub(crate) struct Core {
    index: usize,
    tick: u32,
    lifo_slot: Option<Runnable>,
    lifo_enabled: bool,
    run_queue: queue::Local<Arc<Handle>>,
    /// Counted as searching in `Idle`.
    is_searching: bool,
    is_shutdown: bool,
    /// `None` while the worker is parked.
    park: Option<Parker>,
    rand: u32,
}

/// The worker's thread-local context.
pub(crate) struct Context {
    handle: Arc<Handle>,
    core: RefCell<Option<Box<Core>>>,
}

impl Core {
    pub(super) fn new(index: usize, driver: Arc<Mutex<Driver>>) -> (Box<Core>, Remote) {
        let (steal, run_queue) = queue::local();
        let park = Parker::new(driver);
        let remote = Remote {
            steal,
            unpark: park.unpark(),
        };
        let core = Box::new(Core {
            index,
            tick: 0,
            lifo_slot: None,
            lifo_enabled: true,
            run_queue,
            is_searching: false,
            is_shutdown: false,
            park: Some(park),
            rand: 0x9e37_79b9 ^ (index as u32).wrapping_mul(0x85eb_ca6b) | 1,
        });
        (core, remote)
    }

    fn next_task(&mut self, handle: &Handle) -> Option<Runnable> {
        let shared = &handle.shared;
        if self.tick.is_multiple_of(GLOBAL_QUEUE_INTERVAL)
            && let Some(task) = shared.inject.pop()
        {
            return Some(task);
        }
        if let Some(task) = self.next_local_task() {
            return Some(task);
        }
        if shared.inject.is_empty() {
            return None;
        }
        // Refill: take a fair share of the inject queue in one lock.
        let cap = self
            .run_queue
            .remaining_slots()
            .min(self.run_queue.max_capacity() / 2);
        let n = (shared.inject.len() / shared.remotes.len() + 1).min(cap);
        let mut tasks = shared.inject.pop_n(n).into_iter();
        let ret = tasks.next();
        self.run_queue.push_back(tasks);
        ret
    }

    fn next_local_task(&mut self) -> Option<Runnable> {
        self.lifo_slot.take().or_else(|| self.run_queue.pop())
    }

    fn steal_work(&mut self, handle: &Handle) -> Option<Runnable> {
        if !self.transition_to_searching(handle) {
            return None;
        }
        let remotes = &handle.shared.remotes;
        let num = remotes.len();
        let start = self.next_rand() as usize % num;
        for i in 0..num {
            let i = (start + i) % num;
            if i == self.index {
                continue;
            }
            if let Some(task) = remotes[i].steal.steal_into(&mut self.run_queue) {
                return Some(task);
            }
        }
        handle.shared.inject.pop()
    }

    fn transition_to_searching(&mut self, handle: &Handle) -> bool {
        if !self.is_searching {
            self.is_searching = handle.shared.idle.transition_worker_to_searching();
        }
        self.is_searching
    }

    fn transition_from_searching(&mut self, handle: &Handle) {
        if !self.is_searching {
            return;
        }
        self.is_searching = false;
        // We found work. If we were the last searcher, wake another worker
        // to keep looking on our behalf.
        if handle.shared.idle.transition_worker_from_searching() {
            handle.notify_parked();
        }
    }

    fn has_tasks(&self) -> bool {
        self.lifo_slot.is_some() || self.run_queue.has_tasks()
    }

    /// `false` if there is local work after all.
    fn transition_to_parked(&mut self, handle: &Handle) -> bool {
        if self.has_tasks() || self.is_shutdown {
            return false;
        }
        let is_last_searcher = handle
            .shared
            .idle
            .transition_worker_to_parked(self.index, self.is_searching);
        self.is_searching = false;
        if is_last_searcher {
            handle.notify_if_work_pending();
        }
        true
    }

    /// `true` if the worker should stop sleeping.
    fn transition_from_parked(&mut self, handle: &Handle) -> bool {
        if self.has_tasks() {
            // Woke with work (a timer fired): leave the sleepers list. If we
            // were not on it, a notifier already counted us as searching.
            self.is_searching = !handle.shared.idle.unpark_worker_by_id(self.index);
            return true;
        }
        if handle.shared.idle.is_parked(self.index) {
            return false; // spurious
        }
        self.is_searching = true; // notified: counted as searching
        true
    }

    fn should_notify_others(&self) -> bool {
        if self.is_searching {
            return false;
        }
        usize::from(self.lifo_slot.is_some()) + self.run_queue.len() > 1
    }

    fn maintenance(&mut self, handle: &Handle) {
        if handle.shared.is_shutdown.load(Ordering::Acquire) {
            self.is_shutdown = true;
        }
    }

    fn next_rand(&mut self) -> u32 {
        // xorshift32
        let mut x = self.rand;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rand = x;
        x
    }
}

/// A worker thread's body.
pub(super) fn run(handle: scheduler::Handle, core: Box<Core>) {
    let scheduler::Handle::MultiThread(me) = &handle else {
        unreachable!()
    };
    let _enter = context::enter_runtime(&handle);
    let cx = scheduler::Context::MultiThread(Context {
        handle: me.clone(),
        core: RefCell::new(None),
    });
    let scheduler::Context::MultiThread(inner) = &cx else {
        unreachable!()
    };
    context::set_scheduler(&cx, || {
        let core = inner.run(core);
        me.shared.shutdown_cores.lock().unwrap().push(core);
    });
}

impl Context {
    fn run(&self, mut core: Box<Core>) -> Box<Core> {
        let handle = &*self.handle;
        while !core.is_shutdown {
            core.tick = core.tick.wrapping_add(1);
            if core.tick.is_multiple_of(EVENT_INTERVAL) {
                core = self.park_timeout(core, Some(Duration::ZERO));
                core.maintenance(handle);
                if core.is_shutdown {
                    break;
                }
            }
            if let Some(task) = core.next_task(handle) {
                core = self.run_task(task, core);
                continue;
            }
            if let Some(task) = core.steal_work(handle) {
                core = self.run_task(task, core);
                continue;
            }
            core = self.park(core);
        }
        core
    }

    /// `task.run()` → `Harness::poll` → ..., then any task that the poll
    /// put in the LIFO slot, while budget remains.
    fn run_task(&self, task: Runnable, mut core: Box<Core>) -> Box<Core> {
        let handle = &*self.handle;
        core.transition_from_searching(handle);
        core.lifo_enabled = true;
        *self.core.borrow_mut() = Some(core);
        coop::budget(|| {
            task.run();
            let mut lifo_polls = 0;
            loop {
                let mut core = self.core.borrow_mut().take().expect("core missing");
                let Some(task) = core.lifo_slot.take() else {
                    return core;
                };
                if !coop::has_budget_remaining() {
                    core.run_queue
                        .push_back_or_overflow(task, &handle.shared.inject);
                    return core;
                }
                lifo_polls += 1;
                if lifo_polls >= MAX_LIFO_POLLS_PER_TICK {
                    core.lifo_enabled = false;
                }
                *self.core.borrow_mut() = Some(core);
                task.run();
            }
        })
    }

    fn park(&self, mut core: Box<Core>) -> Box<Core> {
        let handle = &*self.handle;
        if core.transition_to_parked(handle) {
            while !core.is_shutdown {
                core = self.park_timeout(core, None);
                core.maintenance(handle);
                if core.transition_from_parked(handle) {
                    break;
                }
            }
        }
        core
    }

    fn park_timeout(&self, mut core: Box<Core>, duration: Option<Duration>) -> Box<Core> {
        let handle = &*self.handle;
        let mut park = core.park.take().expect("park missing");
        // The core sits in the context while we sleep: timers fired by the
        // driver wake tasks straight into our queue.
        *self.core.borrow_mut() = Some(core);
        match duration {
            None => park.park(&handle.driver),
            Some(_) => park.park_yield(&handle.driver),
        }
        let mut core = self.core.borrow_mut().take().expect("core missing");
        core.park = Some(park);
        if core.should_notify_others() {
            handle.notify_parked();
        }
        core
    }
}

impl Handle {
    pub(super) fn schedule_task(self: &Arc<Self>, task: Runnable, is_yield: bool) {
        context::with_scheduler(|cx| {
            if let Some(scheduler::Context::MultiThread(cx)) = cx
                && Arc::ptr_eq(self, &cx.handle)
                && let Some(core) = cx.core.borrow_mut().as_mut()
            {
                self.schedule_local(core, task, is_yield);
                return;
            }
            // Not on one of our workers: inject and wake someone.
            self.shared.inject.push(task);
            self.notify_parked();
        });
    }

    fn schedule_local(&self, core: &mut Core, task: Runnable, is_yield: bool) {
        let should_notify = if is_yield || !core.lifo_enabled {
            core.run_queue
                .push_back_or_overflow(task, &self.shared.inject);
            true
        } else {
            // The newest task runs next; the one it displaces becomes
            // stealable.
            match core.lifo_slot.replace(task) {
                Some(prev) => {
                    core.run_queue
                        .push_back_or_overflow(prev, &self.shared.inject);
                    true
                }
                None => false,
            }
        };
        // `park` is `None` while this worker sleeps in the driver: no need
        // to wake another, we run the task ourselves in a moment.
        if should_notify && core.park.is_some() {
            self.notify_parked();
        }
    }

    fn notify_parked(&self) {
        if let Some(index) = self.shared.idle.worker_to_notify() {
            self.shared.remotes[index].unpark.unpark(&self.driver);
        }
    }

    fn notify_if_work_pending(&self) {
        // Pairs with the fence in `Idle::notify_should_wakeup`.
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
        let shared = &self.shared;
        if shared.remotes.iter().any(|r| !r.steal.is_empty()) || !shared.inject.is_empty() {
            self.notify_parked();
        }
    }
}

impl Schedule for Arc<Handle> {
    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.shared.owned.remove(task)
    }

    /// `wake_by_val` → `Harness::schedule` → here.
    fn schedule(&self, task: Runnable) {
        self.schedule_task(task, false);
    }

    fn yield_now(&self, task: Runnable) {
        self.schedule_task(task, true);
    }
}

impl Shared {
    pub(super) fn new(remotes: Box<[Remote]>, driver: Arc<Mutex<Driver>>) -> Shared {
        let n = remotes.len();
        Shared {
            remotes,
            inject: Inject::new(),
            idle: Idle::new(n),
            owned: OwnedTasks::new(),
            is_shutdown: AtomicBool::new(false),
            shutdown_cores: Mutex::new(Vec::new()),
            driver,
        }
    }

    /// Tell every worker to stop.
    pub(super) fn close(&self, driver: &driver::Handle) {
        self.is_shutdown.store(true, Ordering::Release);
        for remote in self.remotes.iter() {
            remote.unpark.unpark(driver);
        }
    }

    /// After the workers have exited: cancel every task, empty every queue,
    /// clear the timers.
    pub(super) fn shutdown_tasks(&self, driver: &driver::Handle) {
        self.owned.close_and_shutdown_all();
        let cores = std::mem::take(&mut *self.shutdown_cores.lock().unwrap());
        for mut core in cores {
            drop(core.lifo_slot.take());
            while let Some(task) = core.run_queue.pop() {
                drop(task);
            }
        }
        drop(self.inject.close());
        debug_assert!(self.owned.is_empty());
        if let Ok(mut d) = self.driver.lock() {
            d.shutdown(driver);
        }
    }
}
