//! Cooperative scheduling budget.
//!
//! A task whose resources are always ready (a channel that always has a
//! message, a `JoinHandle` of a finished task) would never return `Pending`
//! and never give its worker back. So each poll of a task gets a budget of
//! 128 operations: every `poll_proceed` spends one, and at zero the resource
//! answers `Pending` (after waking the task), sending it to the back of the
//! run queue. Outside a task (e.g. the `block_on` future) the budget is also
//! set per poll.

use std::cell::Cell;
use std::task::{Context, Poll};

use crate::context;

const INITIAL: u8 = 128;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget(Option<u8>);

impl Budget {
    pub(crate) const fn unconstrained() -> Budget {
        Budget(None)
    }
}

/// Run `f` (one poll of a task) with a fresh budget.
pub(crate) fn budget<R>(f: impl FnOnce() -> R) -> R {
    struct ResetGuard {
        prev: Budget,
    }
    impl Drop for ResetGuard {
        fn drop(&mut self) {
            let prev = self.prev;
            context::budget(|cell| cell.set(prev));
        }
    }
    let prev = context::budget(|cell| cell.replace(Budget(Some(INITIAL))));
    let _guard = prev.map(|prev| ResetGuard { prev });
    f()
}

pub(crate) fn has_budget_remaining() -> bool {
    context::budget(|cell| cell.get().0 != Some(0)).unwrap_or(true)
}

/// Spend one unit of budget. If the resource then turns out not to be ready,
/// dropping the returned guard gives the unit back.
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<RestoreOnPending> {
    context::budget(|cell| {
        let budget = cell.get();
        match budget.0 {
            Some(0) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Some(n) => {
                cell.set(Budget(Some(n - 1)));
                Poll::Ready(RestoreOnPending(Cell::new(budget)))
            }
            None => Poll::Ready(RestoreOnPending(Cell::new(Budget::unconstrained()))),
        }
    })
    .unwrap_or(Poll::Ready(RestoreOnPending(Cell::new(
        Budget::unconstrained(),
    ))))
}

/// Returned by `poll_proceed`; call `made_progress` if the resource was ready.
pub(crate) struct RestoreOnPending(Cell<Budget>);

impl RestoreOnPending {
    pub(crate) fn made_progress(&self) {
        self.0.set(Budget::unconstrained());
    }
}

impl Drop for RestoreOnPending {
    fn drop(&mut self) {
        let budget = self.0.get();
        if budget.0.is_some() {
            context::budget(|cell| cell.set(budget));
        }
    }
}
