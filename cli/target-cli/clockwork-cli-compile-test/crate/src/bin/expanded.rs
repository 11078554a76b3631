//! Runs with std alone: `rustc` compiles it as it is (without the attributes), and the
//! expansion printed by `clockwork expand` must print the same.
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
/// Pending on the first poll, ready on the second.
struct YieldOnce(bool);
impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}
async fn async_operation() -> i32 {
    YieldOnce(false).await;
    40
}
async fn another_operation() -> i32 {
    YieldOnce(false).await;
    2
}
fn example() -> impl ::core::future::Future<Output = i32> {
    /// The states of this `async fn`: one per `.await`, each holding the locals that live across it. Fields are listed in drop order.
    #[allow(dead_code)]
    enum State<Fut0, Fut1, X> {
        /// Not polled yet: holds the arguments.
        Start { pinned: ::core::marker::PhantomPinned },
        /// Waiting on `async_operation().await` (line 35).
        AwaitAsyncOperation { fut: ::core::option::Option<Fut0> },
        /// Waiting on `another_operation().await` (line 36); holds `x`.
        AwaitAnotherOperation { fut: ::core::option::Option<Fut1>, x: X },
        /// Returned `Poll::Ready`; polling again panics.
        Done,
        /// A poll panicked; polling again panics.
        Panicked,
    }
    let mut state = State::Start {
        pinned: ::core::marker::PhantomPinned,
    };
    #[allow(
        unreachable_code,
        unused_labels,
        unused_mut,
        unused_variables,
        unused_doc_comments,
        unused_braces,
        clippy::all
    )]
    let future = {
        /// Polls the sub-future in `slot` where it lies; once it is ready, drops it there (it is pinned).
        ///
        /// # Safety
        /// `slot` must not move while it holds a future that has been polled.
        #[inline(always)]
        unsafe fn poll_slot<F: ::core::future::Future>(
            slot: &mut ::core::option::Option<F>,
            cx: &mut ::core::task::Context<'_>,
        ) -> ::core::task::Poll<F::Output> {
            let ::core::option::Option::Some(fut) = slot.as_mut() else {
                ::core::unreachable!("a suspended state always holds its future")
            };
            // SAFETY: the caller guarantees `slot` does not move while it holds a polled future.
            let fut = unsafe { ::core::pin::Pin::new_unchecked(fut) };
            let poll = ::core::future::Future::poll(fut, cx);
            if poll.is_ready() {
                *slot = ::core::option::Option::None;
            }
            poll
        }
        /// While a poll runs, a panic (in the body or in a sub-future) must leave the state `Panicked`, dropping what it held, as rustc does; `Running` does that when it is dropped still armed.
        struct Running<'a, S> {
            state: &'a mut S,
            panicked: fn() -> S,
            armed: bool,
        }
        impl<S> ::core::ops::Drop for Running<'_, S> {
            #[inline(always)]
            fn drop(&mut self) {
                if self.armed {
                    *self.state = (self.panicked)();
                }
            }
        }
        ::core::future::poll_fn(move |cx: &mut ::core::task::Context<'_>| {
            let mut running = Running {
                state: &mut state,
                panicked: || State::Panicked,
                armed: true,
            };
            // Run until the next `.await` that is not ready, or to the end. A body that returns (also through `?`) leaves `Done` behind; one that panics leaves `Panicked`.
            let poll = {
                let state = &mut *running.state;
                (|| -> ::core::task::Poll<i32> {
                    'poll: loop {
                        match &mut *state {
                            State::Start { .. } => {
                                *state = State::Panicked;
                                *state = State::AwaitAsyncOperation {
                                    fut: ::core::option::Option::Some(
                                        ::core::future::IntoFuture::into_future(async_operation()),
                                    ),
                                };
                                continue 'poll;
                            }
                            State::AwaitAsyncOperation { fut, .. } => {
                                // SAFETY: `state` lives inside the `poll_fn` future, which is pinned, and is never moved out while it holds a future: `fut` stays where it was first polled.
                                let ::core::task::Poll::Ready(out) = (unsafe {
                                    poll_slot(fut, cx)
                                }) else {
                                    return ::core::task::Poll::Pending;
                                };
                                {
                                    *state = State::Panicked;
                                    let x = out;
                                    *state = State::AwaitAnotherOperation {
                                        fut: ::core::option::Option::Some(
                                            ::core::future::IntoFuture::into_future(another_operation()),
                                        ),
                                        x,
                                    };
                                    continue 'poll;
                                }
                            }
                            State::AwaitAnotherOperation { fut, .. } => {
                                // SAFETY: `state` lives inside the `poll_fn` future, which is pinned, and is never moved out while it holds a future: `fut` stays where it was first polled.
                                let ::core::task::Poll::Ready(out) = (unsafe {
                                    poll_slot(fut, cx)
                                }) else {
                                    return ::core::task::Poll::Pending;
                                };
                                return ::core::task::Poll::Ready({
                                    let State::AwaitAnotherOperation { x: x, .. } = &mut *state
                                    else { ::core::unreachable!() };
                                    // SAFETY: each field is moved out exactly once, and the state is then overwritten without being dropped, so nothing is dropped twice.
                                    let x = unsafe { ::core::ptr::read(x) };
                                    unsafe { ::core::ptr::write(state, State::Panicked) };
                                    let y = out;
                                    x + y
                                });
                            }
                            State::Done => {
                                ::core::panic!("`async fn` resumed after completion")
                            }
                            State::Panicked => {
                                ::core::panic!("`async fn` resumed after panicking")
                            }
                        }
                    }
                })()
            };
            running.armed = false;
            if poll.is_ready() {
                *running.state = State::Done;
            }
            poll
        })
    };
    future
}
async fn next_line(lines: &mut Vec<&'static str>) -> Option<&'static str> {
    YieldOnce(false).await;
    if lines.is_empty() { None } else { Some(lines.remove(0)) }
}
fn sum_lines(
    lines: Vec<&'static str>,
) -> impl ::core::future::Future<Output = Result<i64, String>> {
    /// The states of this `async fn`: one per `.await`, each holding the locals that live across it. Fields are listed in drop order.
    #[allow(dead_code)]
    #[repr(u8)]
    enum State<Lines, Fut0, Total> {
        /// Not polled yet: holds the arguments.
        Start { pinned: ::core::marker::PhantomPinned, lines: Lines },
        /// Waiting on `next_line(&mut lines).await` (line 49); holds `lines`, `total`.
        AwaitNextLine { fut: ::core::option::Option<Fut0>, total: Total, lines: Lines },
        /// Returned `Poll::Ready`; polling again panics.
        Done,
        /// A poll panicked; polling again panics.
        Panicked,
    }
    let mut state = State::Start {
        pinned: ::core::marker::PhantomPinned,
        lines,
    };
    #[allow(
        unreachable_code,
        unused_labels,
        unused_mut,
        unused_variables,
        unused_doc_comments,
        unused_braces,
        clippy::all
    )]
    let future = {
        /// Polls the sub-future in `slot` where it lies; once it is ready, drops it there (it is pinned).
        ///
        /// # Safety
        /// `slot` must not move while it holds a future that has been polled.
        #[inline(always)]
        unsafe fn poll_slot<F: ::core::future::Future>(
            slot: &mut ::core::option::Option<F>,
            cx: &mut ::core::task::Context<'_>,
        ) -> ::core::task::Poll<F::Output> {
            let ::core::option::Option::Some(fut) = slot.as_mut() else {
                ::core::unreachable!("a suspended state always holds its future")
            };
            // SAFETY: the caller guarantees `slot` does not move while it holds a polled future.
            let fut = unsafe { ::core::pin::Pin::new_unchecked(fut) };
            let poll = ::core::future::Future::poll(fut, cx);
            if poll.is_ready() {
                *slot = ::core::option::Option::None;
            }
            poll
        }
        /// While a poll runs, a panic (in the body or in a sub-future) must leave the state `Panicked`, dropping what it held, as rustc does; `Running` does that when it is dropped still armed.
        struct Running<'a, S> {
            state: &'a mut S,
            panicked: fn() -> S,
            armed: bool,
        }
        impl<S> ::core::ops::Drop for Running<'_, S> {
            #[inline(always)]
            fn drop(&mut self) {
                if self.armed {
                    *self.state = (self.panicked)();
                }
            }
        }
        ::core::future::poll_fn(move |cx: &mut ::core::task::Context<'_>| {
            let mut running = Running {
                state: &mut state,
                panicked: || State::Panicked,
                armed: true,
            };
            // Run until the next `.await` that is not ready, or to the end. A body that returns (also through `?`) leaves `Done` behind; one that panics leaves `Panicked`.
            let poll = {
                let state = &mut *running.state;
                (|| -> ::core::task::Poll<Result<i64, String>> {
                    'poll: loop {
                        match &mut *state {
                            State::Start { .. } => {
                                let State::Start { lines: lines, .. } = &mut *state else {
                                    ::core::unreachable!()
                                };
                                // SAFETY: each field is moved out exactly once, and the state is then overwritten without being dropped, so nothing is dropped twice.
                                let mut lines = unsafe { ::core::ptr::read(lines) };
                                unsafe { ::core::ptr::write(state, State::Panicked) };
                                let mut total = 0;
                                'loop0: loop {
                                    {
                                        *state = State::AwaitNextLine {
                                            fut: ::core::option::Option::None,
                                            total,
                                            lines,
                                        };
                                        let State::AwaitNextLine { fut: slot, lines, .. } = &mut *state
                                        else { ::core::unreachable!() };
                                        // SAFETY: `lines` now lives in the pinned state, unmoved, until this future has been dropped; meanwhile the future is the only user.
                                        let lines = unsafe { &mut *::core::ptr::from_mut(lines) };
                                        *slot = ::core::option::Option::Some(
                                            ::core::future::IntoFuture::into_future(
                                                next_line(&mut (*lines)),
                                            ),
                                        );
                                        continue 'poll;
                                    };
                                };
                            }
                            State::AwaitNextLine { fut, .. } => {
                                // SAFETY: `state` lives inside the `poll_fn` future, which is pinned, and is never moved out while it holds a future: `fut` stays where it was first polled.
                                let ::core::task::Poll::Ready(out) = (unsafe {
                                    poll_slot(fut, cx)
                                }) else {
                                    return ::core::task::Poll::Pending;
                                };
                                return ::core::task::Poll::Ready({
                                    let State::AwaitNextLine {
                                        lines: lines,
                                        total: total,
                                        ..
                                    } = &mut *state else { ::core::unreachable!() };
                                    // SAFETY: each field is moved out exactly once, and the state is then overwritten without being dropped, so nothing is dropped twice.
                                    let (mut lines, mut total) = unsafe {
                                        (::core::ptr::read(lines), ::core::ptr::read(total))
                                    };
                                    unsafe { ::core::ptr::write(state, State::Panicked) };
                                    'loop0_done: {
                                        'loop0_iter: {
                                            let value = {
                                                let awaited = out;
                                                awaited
                                            };
                                            let Some(line) = value else {
                                                break 'loop0_done;
                                            };
                                            if line.is_empty() {
                                                break 'loop0_iter;
                                            }
                                            let n: i64 = line
                                                .trim()
                                                .parse()
                                                .map_err(|e| format!("bad line {line:?}: {e}"))?;
                                            total += n;
                                        }
                                        'loop0: loop {
                                            {
                                                *state = State::AwaitNextLine {
                                                    fut: ::core::option::Option::None,
                                                    total,
                                                    lines,
                                                };
                                                let State::AwaitNextLine { fut: slot, lines, .. } = &mut *state
                                                else { ::core::unreachable!() };
                                                // SAFETY: `lines` now lives in the pinned state, unmoved, until this future has been dropped; meanwhile the future is the only user.
                                                let lines = unsafe { &mut *::core::ptr::from_mut(lines) };
                                                *slot = ::core::option::Option::Some(
                                                    ::core::future::IntoFuture::into_future(
                                                        next_line(&mut (*lines)),
                                                    ),
                                                );
                                                continue 'poll;
                                            };
                                        }
                                    };
                                    Ok(total)
                                });
                            }
                            State::Done => {
                                ::core::panic!("`async fn` resumed after completion")
                            }
                            State::Panicked => {
                                ::core::panic!("`async fn` resumed after panicking")
                            }
                        }
                    }
                })()
            };
            running.armed = false;
            if poll.is_ready() {
                *running.state = State::Done;
            }
            poll
        })
    };
    future
}
struct Counter {
    count: u32,
}
impl Counter {
    fn tick(&mut self, by: u32) -> impl ::core::future::Future<Output = u32> {
        /// The states of this `async fn`: one per `.await`, each holding the locals that live across it. Fields are listed in drop order.
        #[allow(dead_code)]
        enum State<This, By, Fut0, Iter> {
            /// Not polled yet: holds the arguments.
            Start { pinned: ::core::marker::PhantomPinned, this: This, by: By },
            /// Waiting on `YieldOnce(false).await` (line 69); holds `this`, `iter`.
            AwaitYieldOnce { fut: ::core::option::Option<Fut0>, iter: Iter, this: This },
            /// Returned `Poll::Ready`; polling again panics.
            Done,
            /// A poll panicked; polling again panics.
            Panicked,
        }
        let this = self;
        let mut state = State::Start {
            pinned: ::core::marker::PhantomPinned,
            this,
            by,
        };
        #[allow(
            unreachable_code,
            unused_labels,
            unused_mut,
            unused_variables,
            unused_doc_comments,
            unused_braces,
            clippy::all
        )]
        let future = {
            /// Polls the sub-future in `slot` where it lies; once it is ready, drops it there (it is pinned).
            ///
            /// # Safety
            /// `slot` must not move while it holds a future that has been polled.
            #[inline(always)]
            unsafe fn poll_slot<F: ::core::future::Future>(
                slot: &mut ::core::option::Option<F>,
                cx: &mut ::core::task::Context<'_>,
            ) -> ::core::task::Poll<F::Output> {
                let ::core::option::Option::Some(fut) = slot.as_mut() else {
                    ::core::unreachable!("a suspended state always holds its future")
                };
                // SAFETY: the caller guarantees `slot` does not move while it holds a polled future.
                let fut = unsafe { ::core::pin::Pin::new_unchecked(fut) };
                let poll = ::core::future::Future::poll(fut, cx);
                if poll.is_ready() {
                    *slot = ::core::option::Option::None;
                }
                poll
            }
            /// While a poll runs, a panic (in the body or in a sub-future) must leave the state `Panicked`, dropping what it held, as rustc does; `Running` does that when it is dropped still armed.
            struct Running<'a, S> {
                state: &'a mut S,
                panicked: fn() -> S,
                armed: bool,
            }
            impl<S> ::core::ops::Drop for Running<'_, S> {
                #[inline(always)]
                fn drop(&mut self) {
                    if self.armed {
                        *self.state = (self.panicked)();
                    }
                }
            }
            ::core::future::poll_fn(move |cx: &mut ::core::task::Context<'_>| {
                let mut running = Running {
                    state: &mut state,
                    panicked: || State::Panicked,
                    armed: true,
                };
                // Run until the next `.await` that is not ready, or to the end. A body that returns (also through `?`) leaves `Done` behind; one that panics leaves `Panicked`.
                let poll = {
                    let state = &mut *running.state;
                    (|| -> ::core::task::Poll<u32> {
                        'poll: loop {
                            match &mut *state {
                                State::Start { .. } => {
                                    return ::core::task::Poll::Ready({
                                        let State::Start { this: this, by: by, .. } = &mut *state
                                        else { ::core::unreachable!() };
                                        // SAFETY: each field is moved out exactly once, and the state is then overwritten without being dropped, so nothing is dropped twice.
                                        let (this, by) = unsafe {
                                            (::core::ptr::read(this), ::core::ptr::read(by))
                                        };
                                        unsafe { ::core::ptr::write(state, State::Panicked) };
                                        {
                                            let mut iter = ::core::iter::IntoIterator::into_iter(0..by);
                                            'loop0: loop {
                                                match ::core::iter::Iterator::next(&mut iter) {
                                                    ::core::option::Option::Some(_) => {
                                                        *state = State::AwaitYieldOnce {
                                                            fut: ::core::option::Option::Some(
                                                                ::core::future::IntoFuture::into_future(YieldOnce(false)),
                                                            ),
                                                            iter,
                                                            this,
                                                        };
                                                        continue 'poll;
                                                    }
                                                    ::core::option::Option::None => break 'loop0,
                                                };
                                            }
                                        };
                                        this.count
                                    });
                                }
                                State::AwaitYieldOnce { fut, .. } => {
                                    // SAFETY: `state` lives inside the `poll_fn` future, which is pinned, and is never moved out while it holds a future: `fut` stays where it was first polled.
                                    let ::core::task::Poll::Ready(out) = (unsafe {
                                        poll_slot(fut, cx)
                                    }) else {
                                        return ::core::task::Poll::Pending;
                                    };
                                    return ::core::task::Poll::Ready({
                                        let State::AwaitYieldOnce { this: this, iter: iter, .. } = &mut *state
                                        else { ::core::unreachable!() };
                                        // SAFETY: each field is moved out exactly once, and the state is then overwritten without being dropped, so nothing is dropped twice.
                                        let (this, iter_saved) = unsafe {
                                            (::core::ptr::read(this), ::core::ptr::read(iter))
                                        };
                                        unsafe { ::core::ptr::write(state, State::Panicked) };
                                        {
                                            let mut iter = iter_saved;
                                            'loop0_done: {
                                                'loop0_iter: {
                                                    {
                                                        ::core::mem::drop(out);
                                                        this.count += 1;
                                                    }
                                                }
                                                'loop0: loop {
                                                    match ::core::iter::Iterator::next(&mut iter) {
                                                        ::core::option::Option::Some(_) => {
                                                            *state = State::AwaitYieldOnce {
                                                                fut: ::core::option::Option::Some(
                                                                    ::core::future::IntoFuture::into_future(YieldOnce(false)),
                                                                ),
                                                                iter,
                                                                this,
                                                            };
                                                            continue 'poll;
                                                        }
                                                        ::core::option::Option::None => break 'loop0,
                                                    };
                                                }
                                            }
                                        };
                                        this.count
                                    });
                                }
                                State::Done => {
                                    ::core::panic!("`async fn` resumed after completion")
                                }
                                State::Panicked => {
                                    ::core::panic!("`async fn` resumed after panicking")
                                }
                            }
                        }
                    })()
                };
                running.armed = false;
                if poll.is_ready() {
                    *running.state = State::Done;
                }
                poll
            })
        };
        future
    }
}
fn block_on<F: Future>(fut: F) -> (F::Output, usize) {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 1;
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return (v, polls);
        }
        polls += 1;
    }
}
fn main() {
    println!("example: {:?}", block_on(example()));
    println!("sum: {:?}", block_on(sum_lines(vec!["1", "", "20", "300"])));
    println!("sum: {:?}", block_on(sum_lines(vec!["1", "x"])));
    let mut c = Counter { count: 5 };
    println!("tick: {:?}", block_on(c.tick(3)));
}
