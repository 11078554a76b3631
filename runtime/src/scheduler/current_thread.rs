//! The current-thread scheduler: every task runs on the thread that calls
//! `block_on`, between polls of the `block_on` future.
//!
//! ```text
//! block_on(fut) loop:
//!   woken? ─► poll fut (with a budget)      ─► Ready: return
//!   up to 61 times: next_task() ─► task.run()    (Harness::poll ...)
//!       no task ─► park: Driver::park (sleep until a wake or a timer)
//!   then yield to the driver once: park_timeout(0) (fire due timers)
//! ```
//!
//! Tasks live in `Core::tasks`, a plain `VecDeque` only this thread touches.
//! A wake from this thread (`schedule()` sees our `Context` in the
//! thread-local) pushes there; a wake from any other thread goes to the
//! `Inject` queue and unparks the driver. Every 31st tick the inject queue
//! is checked first so remote wakes cannot starve.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Poll, Wake, Waker};
use std::thread::ThreadId;
use std::time::Duration;

use super::inject::Inject;
use crate::driver::{self, Driver};
use crate::park::{ParkThread, UnparkThread};
use crate::task::{self, JoinHandle, Notified, OwnedTasks, Schedule, Task};
use crate::{blocking, context, coop, scheduler};

/// How many tasks to run before yielding to the driver.
const EVENT_INTERVAL: u32 = 61;
/// How often to look at the inject queue first.
const GLOBAL_QUEUE_INTERVAL: u32 = 31;

/// Owned by the `Runtime`; holds the core while nobody is in `block_on`.
pub(crate) struct CurrentThread {
    core: Mutex<CoreSlot>,
}

struct CoreSlot {
    core: Option<Box<Core>>,
    /// Threads in `block_on` waiting for the core, unparked when it is back.
    waiting: Vec<UnparkThread>,
}

/// Shared by every task (`Arc<Handle>` is the task's scheduler `S`).
pub(crate) struct Handle {
    inject: Inject<Arc<Handle>>,
    owned: OwnedTasks<Arc<Handle>>,
    /// The `block_on` future was woken.
    woken: AtomicBool,
    /// Set by the first `spawn_local`: `!Send` tasks must stay on it.
    local_owner: OnceLock<ThreadId>,
    pub(crate) driver: driver::Handle,
    pub(crate) blocking: blocking::Spawner,
}

/// What only the thread in `block_on` touches.
struct Core {
    tasks: VecDeque<Notified<Arc<Handle>>>,
    tick: u32,
    driver: Option<Driver>,
}

/// Set in the thread-local while this thread drives the scheduler.
pub(crate) struct Context {
    handle: Arc<Handle>,
    /// `Some` except while `block_on` holds it in a local variable.
    core: RefCell<Option<Box<Core>>>,
}

impl CurrentThread {
    pub(crate) fn new(
        driver: Driver,
        driver_handle: driver::Handle,
        blocking: blocking::Spawner,
    ) -> (CurrentThread, Arc<Handle>) {
        let handle = Arc::new(Handle {
            inject: Inject::new(),
            owned: OwnedTasks::new(),
            woken: AtomicBool::new(false),
            local_owner: OnceLock::new(),
            driver: driver_handle,
            blocking,
        });
        let core = Box::new(Core {
            tasks: VecDeque::with_capacity(64),
            tick: 0,
            driver: Some(driver),
        });
        let scheduler = CurrentThread {
            core: Mutex::new(CoreSlot {
                core: Some(core),
                waiting: Vec::new(),
            }),
        };
        (scheduler, handle)
    }

    pub(crate) fn block_on<F: Future>(&self, handle: &scheduler::Handle, future: F) -> F::Output {
        let _enter = context::enter_runtime(handle);
        let scheduler::Handle::CurrentThread(me) = handle else {
            unreachable!()
        };
        if let Some(owner) = me.local_owner.get() {
            assert_eq!(
                *owner,
                std::thread::current().id(),
                "a runtime with `spawn_local` tasks must be driven from the thread that spawned them"
            );
        }
        let mut future = pin!(future);
        // Only one thread can drive the core. A second `block_on` polls its
        // own future meanwhile (it may not need the scheduler at all) and
        // sleeps until either that future or the core's return wakes it.
        let mut park = None;
        let core = loop {
            let park = park.get_or_insert_with(ParkThread::new);
            {
                let mut slot = self.core.lock().unwrap();
                if let Some(core) = slot.core.take() {
                    break core;
                }
                slot.waiting.push(park.unpark());
            }
            let waker = park.unpark().into_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            if let Poll::Ready(v) = coop::budget(|| future.as_mut().poll(&mut cx)) {
                return v;
            }
            park.park(None);
        };
        let cx = scheduler::Context::CurrentThread(Context {
            handle: me.clone(),
            core: RefCell::new(None),
        });
        let scheduler::Context::CurrentThread(inner) = &cx else {
            unreachable!()
        };
        // Give the core back even if the future panics.
        let _guard = ReturnCore {
            scheduler: self,
            cx: inner,
        };
        context::set_scheduler(&cx, || inner.run(core, future.as_mut()))
    }

    /// Runtime drop: cancel every task (dropping its future), empty the
    /// queues, clear the timers.
    pub(crate) fn shutdown(&self, handle: &scheduler::Handle) {
        let scheduler::Handle::CurrentThread(me) = handle else {
            unreachable!()
        };
        let Some(core) = self.core.lock().unwrap().core.take() else {
            return; // lost to a panic while another thread held it
        };
        if let Some(owner) = me.local_owner.get()
            && *owner != std::thread::current().id()
        {
            {
                // `!Send` futures may not be dropped here. Leaking them is the
                // only sound option left.
                std::mem::forget(core);
                return;
            }
        }
        let _current = context::set_current(handle);
        let cx = scheduler::Context::CurrentThread(Context {
            handle: me.clone(),
            core: RefCell::new(None),
        });
        let scheduler::Context::CurrentThread(inner) = &cx else {
            unreachable!()
        };
        let core = context::set_scheduler(&cx, || {
            // The core is in the context while futures are dropped: wakes
            // from destructors push to the local queue, drained below.
            let (mut core, ()) = inner.enter(core, || me.owned.close_and_shutdown_all());
            while let Some(task) = core.tasks.pop_front() {
                drop(task);
            }
            drop(me.inject.close());
            debug_assert!(me.owned.is_empty());
            if let Some(driver) = core.driver.as_mut() {
                driver.shutdown(&me.driver);
            }
            core
        });
        self.core.lock().unwrap().core = Some(core);
    }
}

struct ReturnCore<'a> {
    scheduler: &'a CurrentThread,
    cx: &'a Context,
}

impl Drop for ReturnCore<'_> {
    fn drop(&mut self) {
        if let Some(core) = self.cx.core.borrow_mut().take() {
            let waiting = {
                let mut slot = self.scheduler.core.lock().unwrap();
                slot.core = Some(core);
                std::mem::take(&mut slot.waiting)
            };
            for thread in waiting {
                thread.unpark();
            }
        }
    }
}

impl Context {
    fn run<F: Future>(&self, mut core: Box<Core>, mut future: Pin<&mut F>) -> F::Output {
        let handle = &self.handle;
        let waker = Waker::from(handle.clone());
        let mut task_cx = std::task::Context::from_waker(&waker);
        handle.woken.store(true, Ordering::Relaxed); // poll the future first
        'outer: loop {
            if handle.reset_woken() {
                let (c, res) =
                    self.enter(core, || coop::budget(|| future.as_mut().poll(&mut task_cx)));
                core = c;
                if let Poll::Ready(v) = res {
                    *self.core.borrow_mut() = Some(core); // for ReturnCore
                    return v;
                }
            }
            for _ in 0..EVENT_INTERVAL {
                let Some(task) = core.next_task(handle) else {
                    core = self.park(core);
                    continue 'outer;
                };
                // `task.run()` → `Harness::poll` → `poll_inner` → ... → the
                // task's future. The core sits in the context meanwhile so
                // that a `schedule()` from this thread can reach its queue.
                let (c, ()) = self.enter(core, || coop::budget(|| task.run()));
                core = c;
            }
            core = self.park_yield(core);
        }
    }

    /// Nothing to run: sleep in the driver until a wake or a timer.
    fn park(&self, mut core: Box<Core>) -> Box<Core> {
        let mut driver = core.driver.take().expect("driver missing");
        let (c, ()) = self.enter(core, || driver.park(&self.handle.driver));
        core = c;
        core.driver = Some(driver);
        core
    }

    /// Let the driver fire what is due, without sleeping.
    fn park_yield(&self, mut core: Box<Core>) -> Box<Core> {
        let mut driver = core.driver.take().expect("driver missing");
        let (c, ()) = self.enter(core, || {
            driver.park_timeout(&self.handle.driver, Duration::ZERO)
        });
        core = c;
        core.driver = Some(driver);
        core
    }

    /// Put the core in the context for the length of `f`.
    fn enter<R>(&self, core: Box<Core>, f: impl FnOnce() -> R) -> (Box<Core>, R) {
        *self.core.borrow_mut() = Some(core);
        let ret = f();
        let core = self.core.borrow_mut().take().expect("core missing");
        (core, ret)
    }
}

impl Core {
    fn next_task(&mut self, handle: &Handle) -> Option<Notified<Arc<Handle>>> {
        self.tick = self.tick.wrapping_add(1);
        if self.tick.is_multiple_of(GLOBAL_QUEUE_INTERVAL) {
            handle.inject.pop().or_else(|| self.tasks.pop_front())
        } else {
            self.tasks.pop_front().or_else(|| handle.inject.pop())
        }
    }
}

impl Handle {
    pub(crate) fn spawn<F>(me: &Arc<Self>, future: F, id: task::Id) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (join, notified) = me.owned.bind(future, me.clone(), id);
        if let Some(notified) = notified {
            me.schedule(notified);
        }
        join
    }

    /// Spawn a `!Send` future. Must be called from inside this runtime's
    /// `block_on`; the task will only ever be polled on this thread.
    pub(crate) fn spawn_local<F>(me: &Arc<Self>, future: F, id: task::Id) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let here = std::thread::current().id();
        let inside = context::with_scheduler(
            |cx| matches!(cx, Some(scheduler::Context::CurrentThread(cx)) if Arc::ptr_eq(&cx.handle, me)),
        );
        assert!(
            inside,
            "`spawn_local` must be called from inside a current-thread runtime's `block_on`"
        );
        assert_eq!(
            *me.local_owner.get_or_init(|| here),
            here,
            "`spawn_local` tasks must all live on one thread"
        );
        // SAFETY: the runtime is now pinned to this thread: `block_on`
        // refuses other threads and `shutdown` leaks rather than drops the
        // tasks elsewhere, so this task is only polled and dropped here.
        let (join, notified) = unsafe { me.owned.bind_local(future, me.clone(), id) };
        if let Some(notified) = notified {
            me.schedule(notified);
        }
        join
    }

    fn reset_woken(&self) -> bool {
        self.woken.swap(false, Ordering::AcqRel)
    }
}

impl Schedule for Arc<Handle> {
    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.owned.remove(task)
    }

    /// `wake_by_val` → `Harness::schedule` → here.
    fn schedule(&self, task: Notified<Self>) {
        context::with_scheduler(|cx| match cx {
            Some(scheduler::Context::CurrentThread(cx)) if Arc::ptr_eq(self, &cx.handle) => {
                let mut core = cx.core.borrow_mut();
                match core.as_mut() {
                    Some(core) => core.tasks.push_back(task),
                    // The core is out of the context: nobody can be parked.
                    None => {
                        drop(core);
                        self.inject.push(task);
                    }
                }
            }
            _ => {
                self.inject.push(task);
                self.driver.unpark();
            }
        });
    }
}

/// The `block_on` future's waker.
impl Wake for Handle {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.driver.unpark();
    }
}
