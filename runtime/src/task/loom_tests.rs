//! Loom models of the state word's races. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p clockwork --lib --release loom`.

use loom::sync::Arc;
use loom::thread;

use super::state::{State, TransitionToIdle, TransitionToNotifiedByVal, TransitionToRunning};

fn running_state() -> Arc<State> {
    let state = Arc::new(State::new());
    assert!(matches!(
        state.transition_to_running(),
        TransitionToRunning::Success
    ));
    state
}

/// A waker fires on another thread while the task is being polled: the task
/// is rescheduled exactly once, by whichever side comes second, and no
/// reference is lost or leaked.
#[test]
fn loom_wake_by_val_races_poll() {
    loom::model(|| {
        let state = running_state();
        state.ref_inc(); // the waker clone the other thread holds
        let s2 = state.clone();
        let waker = thread::spawn(move || match s2.transition_to_notified_by_val() {
            TransitionToNotifiedByVal::Submit => 1,
            TransitionToNotifiedByVal::DoNothing => 0,
            TransitionToNotifiedByVal::Dealloc => panic!("dealloc while the task is alive"),
        });
        let idle = state.transition_to_idle();
        let submitted = waker.join().unwrap();
        let requeued = u32::from(matches!(idle, TransitionToIdle::OkNotified)) + submitted;
        assert_eq!(requeued, 1, "rescheduled exactly once");
        let snapshot = state.load();
        // Owned-list ref + JoinHandle + the one Notified now queued.
        assert_eq!(snapshot.ref_count(), 3);
        assert!(snapshot.is_notified() && snapshot.is_idle());
    });
}

/// `abort()` races with the end of a poll: the future is cancelled exactly
/// once, either by the poller (`Cancelled` from `transition_to_idle`) or by
/// a new run that the abort scheduled.
#[test]
fn loom_abort_races_poll() {
    loom::model(|| {
        let state = running_state();
        let s2 = state.clone();
        let aborter = thread::spawn(move || s2.transition_to_notified_and_cancel());
        let idle = state.transition_to_idle();
        let scheduled = aborter.join().unwrap();
        match idle {
            TransitionToIdle::Cancelled => assert!(!scheduled),
            TransitionToIdle::Ok => {
                assert!(scheduled);
                assert!(matches!(
                    state.transition_to_running(),
                    TransitionToRunning::Cancelled
                ));
            }
            _ => panic!("unexpected transition"),
        }
    });
}

/// The `JoinHandle` is dropped while the task completes: exactly one side
/// drops the output.
#[test]
fn loom_join_handle_drop_races_completion() {
    loom::model(|| {
        let state = running_state();
        let s2 = state.clone();
        let handle = thread::spawn(move || s2.unset_join_interested().is_complete());
        let snapshot = state.transition_to_complete();
        let handle_drops_output = handle.join().unwrap();
        let task_drops_output = !snapshot.is_join_interested();
        assert!(handle_drops_output ^ task_drops_output);
    });
}

/// The `JoinHandle` publishes its waker while the task completes: either
/// the task sees `JOIN_WAKER` and wakes it, or the handle sees `COMPLETE`
/// and reads the output itself. Never neither.
#[test]
fn loom_join_waker_races_completion() {
    loom::model(|| {
        let state = running_state();
        let s2 = state.clone();
        let handle = thread::spawn(move || s2.set_join_waker().is_ok());
        let snapshot = state.transition_to_complete();
        let waker_set = handle.join().unwrap();
        let task_wakes = snapshot.is_join_waker_set();
        assert_eq!(waker_set, task_wakes);
        assert!(state.load().is_complete());
    });
}
