//! `Runtime`, `Builder` and `Handle`: putting a scheduler, a driver and a
//! blocking pool together.
//!
//! ```
//! let rt = clockwork::Runtime::new();
//! let answer = rt.block_on(async {
//!     let task = clockwork::spawn(async { 6 * 7 });
//!     task.await.unwrap()
//! });
//! assert_eq!(answer, 42);
//! ```

use std::fmt;
use std::future::Future;
use std::io;
use std::marker::PhantomData;

use crate::blocking::BlockingPool;
use crate::context::{self, SetCurrentGuard};
use crate::driver::{self, Driver};
use crate::scheduler;
use crate::scheduler::current_thread::CurrentThread;
use crate::scheduler::multi_thread::{self, MultiThread};
use crate::task::{self, JoinHandle};

/// An async runtime: a scheduler, a driver (time, I/O) and a pool of
/// threads for blocking work. Dropping it cancels every task still alive
/// (each future is dropped) and waits for the worker threads.
pub struct Runtime {
    scheduler: Scheduler,
    handle: Handle,
    blocking_pool: BlockingPool,
}

enum Scheduler {
    CurrentThread(CurrentThread),
    MultiThread(MultiThread),
}

/// A cheap, clonable reference to a runtime, for spawning from anywhere.
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: scheduler::Handle,
}

/// Builds a runtime with custom settings.
pub struct Builder {
    kind: Kind,
    worker_threads: Option<usize>,
    thread_name: String,
    thread_stack_size: Option<usize>,
    max_blocking_threads: usize,
    enable_io: bool,
    enable_time: bool,
    start_paused: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    CurrentThread,
    MultiThread,
}

impl Runtime {
    /// A multi-thread runtime (one worker per CPU) with all drivers on.
    ///
    /// # Panics
    /// If the worker threads cannot be started.
    pub fn new() -> Runtime {
        Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("failed to start the clockwork runtime")
    }

    /// A builder for a multi-thread runtime; see also
    /// [`Builder::new_current_thread`].
    pub fn builder() -> Builder {
        Builder::new_multi_thread()
    }

    /// Run `future` to completion on the current thread, driving the
    /// runtime (current-thread flavor) or letting the workers do it.
    ///
    /// # Panics
    /// When called from inside a runtime (a task, or another `block_on`).
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        match &self.scheduler {
            Scheduler::CurrentThread(s) => s.block_on(&self.handle.inner, future),
            Scheduler::MultiThread(s) => s.block_on(&self.handle.inner, future),
        }
    }

    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(func)
    }

    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Make this the current runtime (for `spawn`, timers) until the guard drops.
    pub fn enter(&self) -> EnterGuard<'_> {
        self.handle.enter()
    }
}

impl Default for Runtime {
    fn default() -> Self {
        Runtime::new()
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        match &self.scheduler {
            Scheduler::CurrentThread(s) => s.shutdown(&self.handle.inner),
            Scheduler::MultiThread(s) => s.shutdown(&self.handle.inner),
        }
        self.blocking_pool.shutdown();
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flavor = match self.scheduler {
            Scheduler::CurrentThread(_) => "current_thread",
            Scheduler::MultiThread(_) => "multi_thread",
        };
        f.debug_struct("Runtime").field("flavor", &flavor).finish()
    }
}

impl Handle {
    /// The runtime this thread is in.
    ///
    /// # Panics
    /// Outside a runtime.
    pub fn current() -> Handle {
        Handle::try_current().expect("not inside a clockwork runtime")
    }

    pub fn try_current() -> Option<Handle> {
        context::current_handle().map(|inner| Handle { inner })
    }

    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn(future, task::Id::next())
    }

    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.inner.blocking_spawner().spawn_blocking(func)
    }

    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard {
            _guard: context::set_current(&self.inner),
            _p: PhantomData,
        }
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle").finish_non_exhaustive()
    }
}

/// Returned by [`Runtime::enter`] / [`Handle::enter`].
pub struct EnterGuard<'a> {
    _guard: SetCurrentGuard,
    _p: PhantomData<&'a Handle>,
}

impl Builder {
    /// Everything runs on the thread that calls `block_on`.
    pub fn new_current_thread() -> Builder {
        Builder::new(Kind::CurrentThread)
    }

    /// A pool of worker threads with work stealing.
    pub fn new_multi_thread() -> Builder {
        Builder::new(Kind::MultiThread)
    }

    fn new(kind: Kind) -> Builder {
        Builder {
            kind,
            worker_threads: None,
            thread_name: "clockwork-worker".to_string(),
            thread_stack_size: None,
            max_blocking_threads: 16,
            enable_io: false,
            enable_time: false,
            start_paused: false,
        }
    }

    /// Number of worker threads (multi-thread only). Default: CPU count.
    pub fn worker_threads(&mut self, n: usize) -> &mut Self {
        assert!(n > 0, "worker_threads cannot be zero");
        self.worker_threads = Some(n);
        self
    }

    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.thread_name = name.into();
        self
    }

    pub fn thread_stack_size(&mut self, size: usize) -> &mut Self {
        self.thread_stack_size = Some(size);
        self
    }

    pub fn max_blocking_threads(&mut self, n: usize) -> &mut Self {
        assert!(n > 0, "max_blocking_threads cannot be zero");
        self.max_blocking_threads = n;
        self
    }

    /// Turn on the I/O driver (epoll via mio), needed by [`crate::net`].
    pub fn enable_io(&mut self) -> &mut Self {
        self.enable_io = true;
        self
    }

    pub fn enable_time(&mut self) -> &mut Self {
        self.enable_time = true;
        self
    }

    pub fn enable_all(&mut self) -> &mut Self {
        self.enable_io().enable_time()
    }

    /// Start with the clock paused (see [`crate::time::pause`]).
    /// Current-thread only; implies `enable_time`.
    pub fn start_paused(&mut self, paused: bool) -> &mut Self {
        self.start_paused = paused;
        self
    }

    pub fn build(&mut self) -> io::Result<Runtime> {
        let driver_config = driver::Config {
            enable_io: self.enable_io,
            enable_time: self.enable_time || self.start_paused,
            start_paused: self.start_paused,
        };
        assert!(
            !(self.start_paused && self.kind == Kind::MultiThread),
            "start_paused requires the current-thread runtime"
        );
        let (driver, driver_handle) = Driver::new(&driver_config)?;
        let blocking_pool = BlockingPool::new(
            self.max_blocking_threads,
            format!("{}-blocking", self.thread_name),
        );
        let blocking = blocking_pool.spawner().clone();
        match self.kind {
            Kind::CurrentThread => {
                let (scheduler, handle) = CurrentThread::new(driver, driver_handle, blocking);
                let handle = scheduler::Handle::CurrentThread(handle);
                blocking_pool.set_handle(handle.clone());
                Ok(Runtime {
                    scheduler: Scheduler::CurrentThread(scheduler),
                    handle: Handle { inner: handle },
                    blocking_pool,
                })
            }
            Kind::MultiThread => {
                let config = multi_thread::Config {
                    worker_threads: self.worker_threads.unwrap_or_else(|| {
                        std::thread::available_parallelism().map_or(1, |n| n.get())
                    }),
                    thread_name: self.thread_name.clone(),
                    stack_size: self.thread_stack_size,
                };
                let (scheduler, handle, cores) =
                    MultiThread::new(&config, driver, driver_handle, blocking);
                let handle = scheduler::Handle::MultiThread(handle);
                blocking_pool.set_handle(handle.clone());
                let runtime = Runtime {
                    scheduler: Scheduler::MultiThread(scheduler),
                    handle: Handle { inner: handle },
                    blocking_pool,
                };
                if let Scheduler::MultiThread(s) = &runtime.scheduler {
                    s.launch(&runtime.handle.inner, cores, &config)?;
                }
                Ok(runtime)
            }
        }
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("kind", &self.kind)
            .field("worker_threads", &self.worker_threads)
            .field("enable_time", &self.enable_time)
            .finish_non_exhaustive()
    }
}

/// Used by tests to check that shutdown released the scheduler.
#[cfg(all(test, not(loom)))]
impl Runtime {
    pub(crate) fn scheduler_weak(&self) -> SchedulerWeak {
        match &self.handle.inner {
            scheduler::Handle::CurrentThread(h) => {
                SchedulerWeak::CurrentThread(std::sync::Arc::downgrade(h))
            }
            scheduler::Handle::MultiThread(h) => {
                SchedulerWeak::MultiThread(std::sync::Arc::downgrade(h))
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
pub(crate) enum SchedulerWeak {
    CurrentThread(std::sync::Weak<crate::scheduler::current_thread::Handle>),
    MultiThread(std::sync::Weak<crate::scheduler::multi_thread::Handle>),
}

#[cfg(all(test, not(loom)))]
impl SchedulerWeak {
    pub(crate) fn is_dropped(&self) -> bool {
        match self {
            SchedulerWeak::CurrentThread(w) => w.strong_count() == 0,
            SchedulerWeak::MultiThread(w) => w.strong_count() == 0,
        }
    }
}
