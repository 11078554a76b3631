//! How an idle worker sleeps. Only one worker at a time can own the driver
//! (timers, later I/O): whoever grabs it parks *in the driver*; the others
//! park on their own condvar. `unpark` knows which one to poke.

use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::driver::{self, Driver};

const EMPTY: usize = 0;
const PARKED_CONDVAR: usize = 1;
const PARKED_DRIVER: usize = 2;
const NOTIFIED: usize = 3;

pub(super) struct Parker {
    inner: Arc<Inner>,
}

#[derive(Clone)]
pub(super) struct Unparker {
    inner: Arc<Inner>,
}

struct Inner {
    state: AtomicUsize,
    mutex: Mutex<()>,
    condvar: Condvar,
    /// Shared by all workers' parkers.
    driver: Arc<Mutex<Driver>>,
}

impl Parker {
    pub(super) fn new(driver: Arc<Mutex<Driver>>) -> Parker {
        Parker {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                mutex: Mutex::new(()),
                condvar: Condvar::new(),
                driver,
            }),
        }
    }

    pub(super) fn unpark(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    pub(super) fn park(&mut self, handle: &driver::Handle) {
        let inner = &self.inner;
        if inner
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return;
        }
        if let Ok(mut driver) = inner.driver.try_lock() {
            inner.park_driver(&mut driver, handle);
        } else {
            inner.park_condvar();
        }
    }

    /// Give the driver a turn without sleeping, if nobody else has it.
    pub(super) fn park_yield(&mut self, handle: &driver::Handle) {
        if let Ok(mut driver) = self.inner.driver.try_lock() {
            driver.park_timeout(handle, Duration::ZERO);
        }
    }
}

impl Unparker {
    pub(super) fn unpark(&self, handle: &driver::Handle) {
        match self.inner.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED_CONDVAR => {
                drop(self.inner.mutex.lock().unwrap());
                self.inner.condvar.notify_one();
            }
            PARKED_DRIVER => handle.unpark(),
            actual => panic!("inconsistent state in unpark: {actual}"),
        }
    }
}

impl Inner {
    fn park_condvar(&self) {
        let mut guard = self.mutex.lock().unwrap();
        match self
            .state
            .compare_exchange(EMPTY, PARKED_CONDVAR, SeqCst, SeqCst)
        {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.state.swap(EMPTY, SeqCst);
                return;
            }
            Err(actual) => panic!("inconsistent park state: {actual}"),
        }
        loop {
            guard = self.condvar.wait(guard).unwrap();
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                .is_ok()
            {
                return;
            }
        }
    }

    fn park_driver(&self, driver: &mut Driver, handle: &driver::Handle) {
        match self
            .state
            .compare_exchange(EMPTY, PARKED_DRIVER, SeqCst, SeqCst)
        {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.state.swap(EMPTY, SeqCst);
                return;
            }
            Err(actual) => panic!("inconsistent park state: {actual}"),
        }
        driver.park(handle);
        match self.state.swap(EMPTY, SeqCst) {
            NOTIFIED | PARKED_DRIVER => {}
            actual => panic!("inconsistent park_driver state: {actual}"),
        }
    }
}
