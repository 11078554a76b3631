//! Differential cases: macros that await inside their expansion (`tokio::select!`, `join!`,
//! `try_join!`, a `macro_rules!` given an `.await`), run as native `async` islands awaited as
//! one state (see `macro/expand/src/island.rs`). `return`, `?`, `break` and `continue` inside
//! them keep their meaning for the fn. They were rustc's E0728 on the attribute (tokio's) or a
//! `compile_error!` (`.await` inside an unknown macro). `select!` is `biased` here: its random
//! branch order would differ between the two runs.
use clockwork_tests::{Step, differential, log, step};

/// A counter whose `recv` borrows it, like a channel's `recv()`.
pub struct Source {
    left: u32,
    name: &'static str,
}

impl Source {
    pub fn new(name: &'static str, left: u32) -> Source {
        Source { left, name }
    }
    pub fn recv(&mut self) -> Step<Option<u32>> {
        let v = self.left.checked_sub(1);
        if let Some(v) = v {
            self.left = v;
        }
        step(self.name, v)
    }
}

/// A mock service's handle, as in tower-test: `next_request` waits for the next request.
pub struct MockHandle {
    requests: Vec<&'static str>,
}

impl MockHandle {
    pub fn new(requests: Vec<&'static str>) -> MockHandle {
        MockHandle { requests }
    }
    pub fn next_request(&mut self) -> Step<Option<(&'static str, Responder)>> {
        let next = self.requests.pop().map(|r| (r, Responder(r)));
        step("next_request", next)
    }
}

pub struct Responder(&'static str);

impl Responder {
    pub fn send_response(self, response: &'static str) {
        log(format!("{} -> {response}", self.0));
    }
}

/// futures' `poll!`, as published in shape: it polls its future once, awaiting inside its own
/// expansion; named through the crate's path, as `futures_util::poll!(..)` is in tower's tests.
pub mod futures_util {
    use core::future::Future;
    use core::pin::Pin;
    use core::task::{Context, Poll};

    pub struct PollOnce<F>(pub F);

    impl<F: Future + Unpin> Future for PollOnce<F> {
        type Output = Poll<F::Output>;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Poll<F::Output>> {
            Poll::Ready(Pin::new(&mut self.0).poll(cx))
        }
    }

    macro_rules! poll_once {
        ($fut:expr) => {
            $crate::futures_util::PollOnce($fut).await
        };
    }
    pub(crate) use poll_once as poll;
}

/// tower-test's `assert_request_eq!`, as published: it awaits inside its own expansion, and
/// its input has no `.await`.
macro_rules! assert_request_eq {
    ($handle:expr, $expect:expr) => {{
        let (actual, send_response) = match $handle.next_request().await {
            Some(r) => r,
            None => panic!("expected a request but none was received."),
        };
        assert_eq!(actual, $expect);
        send_response
    }};
}

macro_rules! run {
    ($($t:tt)*) => {
        $($t)*
    };
}

macro_rules! twice {
    ($e:expr) => {
        $e * 2
    };
}

differential! {
    /// `select!` in a loop: a value out of one arm, `break` out of another.
    select_in_a_loop_breaks_out {
        async fn f() -> u32 {
            let mut a = Source::new("a", 3);
            let mut total = 0;
            let _g = Guard::new("outer");
            loop {
                let got = tokio::select! {
                    biased;
                    Some(v) = a.recv() => v,
                    else => break,
                };
                total += got;
                log(format!("got {got}"));
            }
            total
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// `return` inside an arm returns from the fn, dropping its locals in rustc's order.
    select_arm_returns {
        async fn f(stop_at: u32) -> u32 {
            let _g = Guard::new("g");
            let mut src = Source::new("src", 5);
            let mut seen = 0;
            while seen < 10 {
                tokio::select! {
                    biased;
                    v = src.recv() => {
                        let v = v.unwrap_or(0);
                        if v == stop_at {
                            return v * 100;
                        }
                        seen += 1;
                    }
                }
            }
            seen
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(2) }
    }

    /// `continue` and a labelled `break` out of the macro.
    select_continue_and_labelled_break {
        async fn f() -> u32 {
            let mut src = Source::new("src", 6);
            let mut odd = 0;
            'outer: for round in 0..3u32 {
                loop {
                    tokio::select! {
                        biased;
                        v = src.recv() => match v {
                            Some(v) if v % 2 == 0 => continue,
                            Some(v) if v == 1 => break 'outer,
                            Some(_) => odd += 1,
                            None => break,
                        },
                    }
                    log(format!("round {round}"));
                }
            }
            odd
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// `?` inside an arm returns the error from the fn.
    select_question_mark {
        async fn f(fail: bool) -> Result<u32, String> {
            let _g = Guard::new("g");
            let r: Result<u32, String> = if fail { Err("bad".into()) } else { Ok(3) };
            let v = tokio::select! {
                biased;
                x = step("s", r) => x?,
            };
            step("after", ()).await;
            Ok(v + 1)
        }
        pub fn entry() -> impl core::future::Future<Output = Result<u32, String>> { f(true) }
    }

    /// `join!` of calls: both run; the output is the tuple.
    join_of_calls {
        async fn f() -> u32 {
            let g = Guard::new("g");
            let (a, b) = tokio::join!(step("a", 1u32), async {
                step("b", 2u32).await + g.name().len() as u32
            });
            step("after", ()).await;
            a + b
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// `join!` of futures held in locals: they are moved in.
    join_moves_local_futures {
        async fn f() -> u32 {
            let first = step("first", 10u32);
            let second = async {
                let _inner = Guard::new("inner");
                step("second", 20u32).await
            };
            let _g = Guard::new("g");
            let (x, y) = tokio::join!(first, second);
            x + y
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// `try_join!` then `?` on its result.
    try_join_then_question_mark {
        async fn f() -> Result<u32, String> {
            let ok = async { step("ok", Ok::<u32, String>(1)).await };
            let bad = async { step("bad", Err::<u32, String>("no".into())).await };
            let _g = Guard::new("g");
            let (a, b) = tokio::try_join!(ok, bad)?;
            Ok(a + b)
        }
        pub fn entry() -> impl core::future::Future<Output = Result<u32, String>> { f() }
    }

    /// A `macro_rules!` macro given an `.await`.
    await_inside_a_macro_rules_macro {
        async fn f() -> u32 {
            let g = Guard::new("g");
            let n = twice!(step("s", g.name().len() as u32).await);
            step("after", ()).await;
            n + 1
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// `return` inside a macro that does not await: an island too (in the poll function it
    /// would return from that, E0308).
    return_inside_a_macro {
        async fn f(early: bool) -> u32 {
            let _g = Guard::new("g");
            let n = step("s", 2u32).await;
            run!(if early { return n * 10; });
            step("after", ()).await;
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(true) }
    }

    /// `?` inside a macro, on an `Option` in a fn returning `Option`.
    question_mark_inside_a_macro {
        async fn f(v: Option<u32>) -> Option<u32> {
            let _g = Guard::new("g");
            let a = step("s", 1u32).await;
            let b = run!(v?);
            step("after", ()).await;
            Some(a + b)
        }
        pub fn entry() -> impl core::future::Future<Output = Option<u32>> { f(None) }
    }

    /// `break` and `continue` inside a macro, in a loop the macro is in.
    break_and_continue_inside_a_macro {
        async fn f() -> u32 {
            let mut total = 0;
            for i in 0..6u32 {
                let _g = Guard::new("iter");
                total += step("s", i).await;
                run!(if i == 1 { continue; });
                run!(if i == 4 { break; });
                log(format!("end of {i}"));
            }
            total
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// A macro's input that binds the name of a local in a fixed home (`let Some(n) = ..`)
    /// still reads the local in that binding's initialiser: the name meant the new binding
    /// from the `let` on, so the initialiser got the handle (E0369). Fuzzer, seed 11, 140.
    island_shadowing_a_local_in_a_fixed_home {
        async fn f(mut n: u32) -> u32 {
            run!({
                let Some(n) = ({ let v = n; if v % 2 == 0 { Some(v) } else { None } }) else {
                    return step("odd", n).await;
                };
                log(format!("even {n}"));
            });
            n += 1;
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(3).await + f(4).await }
        }
    }

    /// `?` after a path's generic arguments (`None::<u32>?`) in a macro's input makes it an
    /// island too (E0277: `?` in the poll closure). Fuzzer, seed 11, program 270.
    question_mark_after_generic_arguments_in_a_macro {
        async fn f(k: u32) -> Option<u32> {
            log(run!(if k > 1 { format!("k {k}") } else { None::<String>? }));
            step("s", Some(k)).await
        }
        pub fn entry() -> impl core::future::Future<Output = Option<u32>> {
            async { f(2).await.and(f(0).await) }
        }
    }

    /// `n = ..;` in a block of a macro's input assigns the local (through its fixed home); it
    /// was taken for a field name (`info!(n = ..)`) and left naming the handle (E0308). Fuzzer,
    /// seed 11, program 196.
    assignment_inside_a_macro_input {
        async fn f(mut n: u32) -> u32 {
            run!({
                if n > 5 {
                    return step("big", n).await;
                }
                n = n * 2;
            });
            step("s", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(3).await + f(7).await }
        }
    }

    /// An island inside a known macro's argument: `assert!(matches!(x.await, ..))` (deadpool's
    /// tests; it was "`.await` inside `matches!` is not supported").
    island_inside_assert {
        async fn f() -> u32 {
            let g = Guard::new("g");
            assert!(matches!(step("s", Some(3u32)).await, Some(3)));
            assert_eq!(matches!(step("t", g.name().len()).await, 1), true, "{}", g.name());
            step("u", ()).await;
            1
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// `tokio::pin!(timer)` and `select!` on `&mut timer` in a loop (the macro's shadowing is
    /// written out, so the pinned value gets a fixed home; it was "no rules expected `(`").
    pinned_timer_selected_in_a_loop {
        async fn f() -> u32 {
            let timer = step("timer", ());
            tokio::pin!(timer);
            let mut src = Source::new("src", 4);
            let mut total = 0;
            loop {
                tokio::select! {
                    biased;
                    Some(v) = src.recv() => total += v,
                    _ = &mut timer => break,
                }
            }
            let other = async { step("other", 1u32).await };
            tokio::pin! { let more = other; }
            total + more.as_mut().await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// An `async move` block inside an island's macro that uses a local in a fixed home: the
    /// island's block (not `move`) captured the reference to the home by reference, a local
    /// of the code that made the block, gone once the block was made (E0716). The block now
    /// borrows again what the reference points to. Fuzzer, seed 11, program 96.
    async_move_block_in_an_island_uses_a_fixed_home {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f(p: u32) -> u32 {
            logv!("value {}", async move { p + 1 }.await);
            step("a", p).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(4) }
    }

    /// A published macro that awaits inside its own definition (tower-test's
    /// `assert_request_eq!`) runs as an island, known by name; its value is the receiver of a
    /// method call. It was rustc's E0728 (29 fns of tower's tests in the real-code check).
    /// Under `forbid(unsafe_code)` (tower's and deadpool's), which the island's own `unsafe`
    /// block, once written under the user's span, broke.
    macro_awaiting_inside_its_definition {
        #[forbid(unsafe_code)]
        async fn f(n: u32) -> u32 {
            let _g = Guard::new("g");
            let mut handle = MockHandle::new(vec!["second", "first"]);
            assert_request_eq!(handle, "first").send_response("one");
            let mut seen = 1;
            if n > 1 {
                let respond = assert_request_eq!(&mut handle, "second");
                seen += step("between", 1).await;
                respond.send_response("two");
            }
            seen
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(2) }
    }

    /// `..base` in a struct literal inside an island: `base` after `..` is a local, not a
    /// field after a `.`, and goes through its fixed home like any other mention. It was
    /// E0425, "cannot find value" (deadpool's tests, in the real-code check).
    struct_update_base_inside_an_island {
        #[derive(Clone, Copy)]
        pub struct Timeouts { pub wait: u32, pub create: u32 }
        pub struct Pool { pub t: Timeouts, pub _g: Guard }
        impl Pool {
            pub fn timeouts(&self) -> Timeouts { self.t }
            pub fn get_with(&self, t: &Timeouts) -> Step<u32> { step("get", t.wait + t.create) }
        }
        async fn f() -> bool {
            let pool = Pool { t: Timeouts { wait: 1, create: 2 }, _g: Guard::new("pool") };
            let first = pool.get_with(&pool.t).await;
            assert!(matches!(
                pool.get_with(&Timeouts { wait: 5, ..pool.timeouts() }).await,
                7
            ));
            first == 3
        }
        pub fn entry() -> impl core::future::Future<Output = bool> { f() }
    }

    /// A `move` closure inside an island's macro copies a `Copy` local of the fn, as in
    /// rustc; the island reaches the local through a reference, which the closure took
    /// instead (E0382). Also with a new binding spelled like the local inside the macro.
    /// Fuzzer, seed 43, programs 227, 245 and 334.
    move_closure_inside_an_island_copies_a_local {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        pub trait Val {
            fn val(&self) -> u32;
            fn res(&self) -> Result<u32, String>;
        }
        impl Val for Guard {
            fn val(&self) -> u32 {
                self.name().len() as u32
            }
            fn res(&self) -> Result<u32, String> {
                Ok(self.name().len() as u32)
            }
        }
        async fn f() -> Result<u32, String> {
            if step("s17", Some(Guard::new("t18").val())).await.is_some() {
                let _g19 = Guard::new("g20");
            }
            let mut i24 = 0u32;
            'l23: loop {
                i24 += 1;
                if i24 > 1 {
                    break;
                }
                logv!("value {}", match i24 {
                    0 => Ok::<u32, String>(3u32)?,
                    x25 if x25 > 4 => std::cmp::max(i24, 1u32),
                    _ => {
                        let c26 = move |v: u32| i24 + v;
                        'b27: {
                            let n = i24;
                            let i24 = Guard::new("inner");
                            n + c26(i24.val())
                        }
                    }
                });
                logv!("value {}", i24);
            }
            let (_n29, _g30) = (2u32.wrapping_sub(8u32), Guard::new("g31"));
            Guard::new("t32").res()
        }
        pub fn entry() -> impl core::future::Future<Output = Result<u32, String>> { f() }
    }

    /// A closure whose `async move` block takes locals out of their fixed homes (tokio-util's
    /// `pool.spawn_pinned(|| async move { .. rx.await .. })`): the block captures what was
    /// taken, as it is. (Copying the lent values into `move` blocks first left the handles
    /// themselves in the block: E0277, a `Home` is not a future.)
    async_move_block_in_a_closure_takes_homed_locals {
        pub mod oneshot {
            use clockwork_tests::{Guard, log};
            pub struct Sender(pub Guard);
            pub struct Receiver(pub Guard);
            impl Sender {
                pub fn send(self, v: u32) -> Result<(), u32> {
                    log(format!("send {v} by {}", self.0.name()));
                    Ok(())
                }
            }
            impl core::future::Future for Receiver {
                type Output = u32;
                fn poll(
                    self: core::pin::Pin<&mut Self>,
                    _: &mut core::task::Context<'_>,
                ) -> core::task::Poll<u32> {
                    log(format!("received by {}", self.0.name()));
                    core::task::Poll::Ready(self.0.name().len() as u32)
                }
            }
            pub fn channel<T>() -> (Sender, Receiver) {
                (Sender(Guard::new("tx")), Receiver(Guard::new("rx")))
            }
        }
        pub struct Pool;
        impl Pool {
            pub fn spawn_pinned<F, Fut>(&self, make: F) -> Fut
            where
                F: FnOnce() -> Fut,
            {
                make()
            }
        }
        async fn f() -> u32 {
            let pool = Pool;
            let (start_tx, start_rx) = oneshot::channel::<()>();
            let (end_tx, end_rx) = oneshot::channel::<()>();
            let handle = pool.spawn_pinned(|| async move {
                let _ = start_tx.send(1);
                let _ = end_rx.await;
                7u32
            });
            let a = start_rx.await;
            let _ = end_tx.send(2);
            a + handle.await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// A local awaited inside `matches!` (an island: `matches!` is not parsed) is moved into
    /// the island, as `.await` takes it by value (deadpool's tests:
    /// `assert!(matches!(join_handle.await.unwrap(), Err(..)))`; was E0507).
    local_awaited_inside_matches_is_moved_in {
        async fn f() -> u32 {
            let g = Guard::new("g");
            let handle = step("handle", Some(3u32));
            let other = step("other", 4u32);
            let before = other.await;
            assert!(matches!(handle.await.unwrap(), 3));
            let again = matches!(step("again", Some(5u32)).await, Some(n) if n > before);
            drop(g);
            before + u32::from(again)
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// `futures_util::poll!` awaits inside its definition (its input has no `.await`): an
    /// island, not rustc's E0728 on the attribute (tower's `steer` tests).
    futures_poll_awaits_inside_its_definition {
        async fn f() -> u32 {
            let _g = Guard::new("g");
            let mut src = Source::new("src", 3);
            let mut pending = 0;
            let mut got = 0;
            while got < 2 {
                match futures_util::poll!(src.recv()) {
                    core::task::Poll::Ready(v) => got += v.map_or(10, |v| v + 1),
                    core::task::Poll::Pending => pending += 1,
                }
                step("tick", ()).await;
            }
            got * 100 + pending
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// `tokio::pin!(tx)`, then a method taking `self: Pin<&mut Self>` that moves the pin:
    /// the pin is a reference with nothing to drop, so it is not kept across the next
    /// `.await` (tokio-util's `io_simplex` tests: `tx.poll_write_vectored(..)`; was E0382).
    pin_moved_by_a_pinned_method_is_not_kept {
        pub struct Sender(pub Guard, pub u32);
        impl Sender {
            pub fn poll_write(self: core::pin::Pin<&mut Self>, n: u32) -> u32 {
                let this = self.get_mut();
                this.1 += n;
                this.1
            }
        }
        async fn f() -> u32 {
            let tx = Sender(Guard::new("tx"), 1);
            tokio::pin!(tx);
            let written = tx.poll_write(2);
            let k = step("read", written).await;
            k + 1
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// A macro whose input only leaves the fn (`?`) and never awaits runs at once, not as a
    /// state: a `!Send` temporary of the `match` around it is kept across no suspension, as
    /// in rustc, whose future is `Send` (fuzzer, seed 2026, program 5927: it was `!Send`).
    island_without_await_is_not_a_state {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        pub struct NotSend(pub Guard, pub core::marker::PhantomData<*const ()>);
        impl NotSend {
            pub fn opt(&self) -> Option<u32> { Some(self.0.name().len() as u32) }
        }
        async fn f(skip: bool) -> Option<u32> {
            let n = match NotSend(Guard::new("t"), core::marker::PhantomData).opt() {
                Some(k) => {
                    logv!("value {}", if skip { None::<u32>? } else { k });
                    k
                }
                None => 0,
            };
            Some(n + 1)
        }
        pub fn entry() -> impl core::future::Future<Output = Option<u32>> {
            async { Some(f(false).await? + f(true).await.unwrap_or(7)) }
        }
    }

    /// An island that leaves the fn (`?`) and writes a local with a compound assignment
    /// (`arr[i] |= x`) but never awaits runs at once: no state holds what lives around it, so
    /// a `!Send` temporary of the enclosing `match` leaves the future `Send`, as rustc's (fuzz
    /// seed 9001 #4713).
    island_with_a_compound_assignment_runs_at_once {
        pub struct Local(pub clockwork_tests::Guard, pub core::marker::PhantomData<*const ()>);
        impl Local {
            pub fn opt(&self) -> Option<u32> { Some(self.0.name().len() as u32) }
        }
        async fn f() -> Option<u32> {
            let mut arr = [0u32, 7, 0];
            let v = match Local(clockwork_tests::Guard::new("t"), core::marker::PhantomData).opt() {
                Some(x) => {
                    log(format!("value {}", run!(Some({ arr[(x % 3) as usize] |= x; x })?)));
                    x
                }
                None => 0,
            };
            Some(v + arr[1] + step("s", 1u32).await)
        }
        pub fn entry() -> impl core::future::Future<Output = Option<u32>> { f() }
    }

    /// An island whose input assigns an element of an array (`arr[(n % 3) as usize] = 7;`),
    /// then reads `n`: the names in the index are mentions, not a pattern's bindings, so `n` is
    /// lent to the island like any other local (it was left out: E0597; fuzz seed 31337 #3180).
    island_assigning_an_indexed_element_mentions_the_index {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f() -> Option<u32> {
            let n = step("a", 1u32).await;
            let mut arr = [2, n, 0u32];
            logv!("value {}", 'b: {
                if arr.len() > 5 {
                    return None;
                }
                arr[(n % 3) as usize] = 7;
                n
            });
            Some(3)
        }
        pub fn entry() -> impl core::future::Future<Output = Option<u32>> { f() }
    }

    /// A macro run as an island (its input has `?`) that moves a local on one path only
    /// (`token.into_val()` in one branch, its last use): the block does not take the local
    /// whole when it starts; its fixed home is lent as a `Taker`, which moves it out where the
    /// branch does, so on the other paths it drops at the end of the fn, as in rustc (it was
    /// a `compile_error!` asking to move it on every path; 49 of fuzz seed 31337's 10,000
    /// programs). Named anywhere else in the macro, or after it, it is still a
    /// `compile_error!` (`tests/ui/island_move_not_last.rs`).
    island_moves_a_local_on_some_paths {
        pub struct Token(pub clockwork_tests::Guard, pub u32);
        impl Token {
            pub fn into_val(self) -> u32 { self.1 }
        }
        async fn f(token: Token, path: u32) -> Option<u32> {
            let n = step("n", path).await;
            log(format!(
                "{}",
                run!(match n {
                    0 => None::<u32>?,
                    1 => token.into_val(),
                    _ => 7,
                })
            ));
            Some(step("end", n).await)
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async {
                let a = f(Token(clockwork_tests::Guard::new("t0"), 5), 0).await;
                let b = f(Token(clockwork_tests::Guard::new("t1"), 6), 1).await;
                let c = f(Token(clockwork_tests::Guard::new("t2"), 7), 2).await;
                a.unwrap_or(0) + b.unwrap_or(0) + c.unwrap_or(0)
            }
        }
    }

    /// The same with a future: a local future awaited on one path inside an island is moved
    /// there, and dropped at the end of the fn on the others.
    island_awaits_a_local_future_on_some_paths {
        async fn f(path: u32) -> Option<u32> {
            let fut = step("kept", clockwork_tests::Guard::new("in_fut"));
            let n = step("n", path).await;
            log(format!(
                "{}",
                run!(if n == 0 {
                    None::<u32>?
                } else if n == 1 {
                    fut.await.name().len() as u32
                } else {
                    3
                })
            ));
            Some(step("end", n).await)
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(0).await.unwrap_or(0) + f(1).await.unwrap_or(0) + f(2).await.unwrap_or(0) }
        }
    }

    /// An island that moves a local on some paths and leaves the fn (`return`) but never
    /// awaits runs at once, the local lent to it as a `Taker`: no state holds a `!Send`
    /// temporary of the `match` around it, so the future is `Send` as rustc's (it was a state:
    /// fuzz seed 6262 #105), and where the island does not move it, the local drops at the end
    /// of its scope.
    island_moving_a_kept_local_runs_at_once {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        pub struct Local(pub clockwork_tests::Guard, pub core::marker::PhantomData<*const ()>);
        impl Local {
            pub fn opt(&self) -> Option<u32> { Some(self.0.name().len() as u32) }
        }
        async fn f(p: u32, (n, g): (u32, clockwork_tests::Guard)) -> u32 {
            let kept = step("s", clockwork_tests::Guard::new("kept")).await;
            match Local(clockwork_tests::Guard::new("t"), core::marker::PhantomData).opt() {
                Some(_) => {
                    logv!("value {}", if p % 2 == 0 {
                        let pair = (g, clockwork_tests::Guard::new("pair"));
                        n
                    } else {
                        if p > 4 { return 9; }
                        p
                    });
                    log(format!("{}", kept.name()));
                    1
                }
                None => { drop(kept); 0 }
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async {
                let a = f(2, (6, clockwork_tests::Guard::new("a"))).await;
                let b = f(3, (6, clockwork_tests::Guard::new("b"))).await;
                let c = f(5, (6, clockwork_tests::Guard::new("c"))).await;
                a + b + c
            }
        }
    }

    /// A local declared after the last `.await` and moved on some paths by an island that runs
    /// at once: no state holds it, so its fixed home lies in the poll function's frame, and
    /// the future's type does not hold its (`!Send`) type, as rustc's does not.
    island_moving_a_local_no_state_holds {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        pub struct Local(pub clockwork_tests::Guard, pub core::marker::PhantomData<*const ()>);
        async fn f(p: u32) -> u32 {
            step("s", 1u32).await;
            let g = Local(clockwork_tests::Guard::new("g"), core::marker::PhantomData);
            let h = clockwork_tests::Guard::new("h");
            logv!("value {}", if p % 2 == 0 {
                let pair = (g, 1u32);
                pair.1
            } else {
                if p > 4 { return 2; }
                4u32
            });
            log(format!("after {}", h.name()));
            7
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(2).await + f(3).await + f(5).await }
        }
    }

    /// A `break` or `continue` inside a loop the macro's input writes itself stays inside the
    /// input: no island, the macro runs in place.
    jumps_inside_a_loop_of_the_macro_input_leave_nothing {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f() -> u32 {
            let mut n = 5u32;
            let g = clockwork_tests::Guard::new("g");
            logv!("value {}", loop { n += 1; if n > 7 { break n; } });
            let x = step("s", n).await;
            logv!("v {} {}", 'outer: loop {
                let mut m = 0u32;
                while m < 3 { m += 1; if m == 2 { continue; } if m == 9 { break 'outer 0; } }
                break m;
            }, g.name());
            x
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// An island that runs at once inside an awaited expression that also borrows a local of
    /// the state (`arr[0]`): the fixed homes the island uses are reached through its own
    /// references, not once more through the state's (`(*(*borrowed0))` on a `u32` was E0614;
    /// fuzz seed 8484 #251).
    island_inside_an_awaited_expression_that_borrows_the_state {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f(mut p: u32) -> Result<u32, String> {
            let kept = step("a", 1u32).await;
            let arr = [step("b", 2u32).await, p, 0u32];
            let r = &mut p;
            *r += 1;
            let n = step("c", match kept {
                0 => 1,
                _ => {
                    logv!("value {}", {
                        let v = p;
                        if v > 9 { return Err(String::from("big")); }
                        kept
                    });
                    arr[0]
                }
            })
            .await;
            Ok(n + p)
        }
        pub fn entry() -> impl core::future::Future<Output = Result<u32, String>> { f(3) }
    }

    /// A macro inside the input of an island that runs at once is code of that island: a
    /// local it moves on some paths (`let pair = (g, ..)` in the inner `logv!`) is taken from
    /// a fixed home there, not captured whole by the island's block, which dropped it when the
    /// island ended (fuzz seed 8484 #4186, with `pair18.0`).
    island_with_a_nested_macro_moving_a_local {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f(p: u32) -> u32 {
            let g = clockwork_tests::Guard::new("g");
            let n = step("s", 1u32).await;
            logv!("value {}", if p != 3 {
                n
            } else {
                logv!("inner {}", {
                    let Some(v) = Some(p) else { return 4; };
                    let pair = (g, v);
                    pair.1
                });
                7
            });
            let h = clockwork_tests::Guard::new("h");
            log(format!("{}", h.name()));
            2
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(2).await + f(3).await }
        }
    }

    /// A part of a kept local moved by a macro that runs at once as an island (its input has
    /// a `return`): taken through the island's `Taker` (`part`), which sets the part's flag,
    /// so the rest stays in the home and drops at the end of the local's scope. The island
    /// borrowed the home shared, and moving the part out was E0507. Fuzz seed 1818, #88.
    island_moving_a_part_of_a_kept_local {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f(k: usize) -> usize {
            let pair = (Guard::new("a"), Guard::new("b"));
            logv!("value {}", { let part = pair.0; if part.name().len() == k { return 0; } 1 });
            step("s", 1usize).await + pair.1.name().len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            async { f(1).await + f(5).await }
        }
    }

    /// A local moved out, then assigned again by a macro that runs as an island: the island
    /// gets a `Taker`, whose `set` drops the old value only if there is one. Through
    /// `exclusive()`, the `&mut` pointed at a moved-out value, which the assignment dropped
    /// a second time (since `Home` keeps `None` for a moved-out value, a debug build aborted
    /// there). Fuzz seed 2727, #3658.
    island_assigning_a_moved_local {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f(k: u32) -> usize {
            let mut g = Guard::new("g");
            let pair = (g, 1usize);
            logv!("value {}", if k > 1 { g = step("s", Guard::new("h")).await; 1 } else { 2 });
            step("t", ()).await;
            pair.1
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            async { f(3).await + f(0).await }
        }
    }

    /// An island assigning a kept local whole, with a value that uses the local itself
    /// (`n = { n += 1; n * 2 }`): `Taker::set(value)` borrowed the `Taker` (two-phase) before
    /// the value was evaluated, and the value's own use of it was E0499; the value is now
    /// evaluated first. Fuzz seed 4646, #1768.
    island_assigning_a_kept_local_from_itself {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f(k: u32) -> Option<u32> {
            let mut n = k;
            logv!("value {}", if k > 10 { n } else {
                n = { n += 1; n * 2 };
                let x = Some(n).filter(|x| *x > 4)?;
                x
            });
            step("s", n).await;
            Some(n)
        }
        pub fn entry() -> impl core::future::Future<Output = Option<u32>> {
            async { Some(f(1).await.unwrap_or(0) + f(3).await? + f(12).await?) }
        }
    }

    /// A string's inline format argument (`{v}`, `{v:x}`) naming a local that the island
    /// may move or write: the name was bound at the island's top to a shared borrow of the
    /// island's `Taker`, which the move before the string then conflicted with (E0502). It
    /// is now bound to a `Shown`, which formats the value from its home. Fuzz seed 4646,
    /// #3388, #5810, #6813.
    inline_format_argument_naming_a_local_the_island_moves {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f(k: u32) -> u32 {
            let Some(v) = Some(k) else { return 0 };
            logv!("value {}", 'b: {
                let Some(w) = (if v % 2 == 0 { Some(v) } else { None }) else {
                    return if v > 4 { 1 } else { logv!("inline {v} {v:x} {v:?}"); v };
                };
                w
            });
            step("s", ()).await;
            v
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(2).await + f(3).await + f(13).await }
        }
    }

    /// As above, in an island that awaits: the `Shown` that stands for `{v}` lives across the
    /// island's `.await`s, and made the future `!Send` (a raw pointer) where the `async fn` is
    /// `Send`. Fuzz seed 5757, #8902 and #9119.
    inline_format_argument_across_an_await_in_an_island_keeps_send {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f(k: u32) -> u32 {
            let Some(v) = Some(k) else { return 0 };
            logv!("value {}", 'b: {
                let w = step("w", v).await;
                if w > 10 {
                    return w;
                }
                let Some(x) = (if v % 2 == 0 { Some(v) } else { None }) else {
                    break 'b step("u", 1u32).await;
                };
                logv!("inline {v}");
                x
            });
            step("s", ()).await;
            v
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(2).await + f(3).await + f(13).await }
        }
    }

    /// `async` blocks that are not `move`, bound to locals and given to `try_join!`: each
    /// borrows the locals it uses (tokio's proxy shape: `let client_to_server = async {
    /// io::copy(&mut ri, &mut wo).await?; wo.shutdown().await };`). They were not taken to
    /// borrow them, so those locals moved into the state while borrowed (E0505, E0597).
    async_blocks_in_locals_borrow_what_they_use {
        pub struct Pipe { pub g: Guard, pub moved: u32 }
        impl Pipe {
            pub async fn copy(&mut self, to: &mut Pipe) -> Result<u32, String> {
                let n = step("copy", self.moved + 1).await;
                to.moved += n;
                Ok(n)
            }
        }
        async fn f(mut a: Pipe, mut b: Pipe) -> Result<u32, String> {
            let mut c = Pipe { g: Guard::new("c"), moved: 10 };
            let mut d = Pipe { g: Guard::new("d"), moved: 20 };
            let there = async {
                a.copy(&mut d).await?;
                step("there", d.moved).await.checked_sub(0).ok_or(String::new())
            };
            let back = async { c.copy(&mut b).await };
            let (x, y) = tokio::try_join!(there, back)?;
            Ok(x + y + a.moved + b.moved + c.moved + d.moved)
        }
        pub fn entry() -> impl core::future::Future<Output = Result<u32, String>> {
            f(Pipe { g: Guard::new("a"), moved: 1 }, Pipe { g: Guard::new("b"), moved: 2 })
        }
    }
}
