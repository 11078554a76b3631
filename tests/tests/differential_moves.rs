//! Differential cases: a local moved and then given a value again, or moved on some paths only.
//! Each was a silent drop-order difference (the local dropped at the next `.await` instead of
//! at the end of its scope), found by the fuzzer (`tests/fuzz`, seed 3) and shrunk by hand.
use clockwork_tests::differential;

/// A method that takes its receiver by value, by a name the receiver heuristic knows
/// (`into_*`): the consuming call the cases below move locals with.
pub trait IntoVal {
    fn into_val(self) -> u32;
}

impl IntoVal for clockwork_tests::Guard {
    fn into_val(self) -> u32 {
        clockwork_tests::log(format!("into {}", self.name()));
        self.name().len() as u32
    }
}

/// Gives its argument back.
pub fn keep(g: clockwork_tests::Guard) -> clockwork_tests::Guard {
    g
}

/// A guard that is neither `Send` nor `Sync`.
pub struct LocalGuard(clockwork_tests::Guard, core::marker::PhantomData<*const ()>);

impl LocalGuard {
    pub fn new(name: &str) -> LocalGuard {
        LocalGuard(clockwork_tests::Guard::new(name), core::marker::PhantomData)
    }
    pub fn opt(&self) -> Option<u32> {
        Some(self.0.name().len() as u32)
    }
}

differential! {
    /// `g = keep(g)`: moved and given back in one statement (`state = state.next()`).
    moved_and_assigned_back_in_one_statement {
        async fn f() -> u32 {
            let mut g = Guard::new("g");
            g = keep(g);
            step("s", ()).await;
            let mut h = Guard::new("h");
            h = h;
            step("t", ()).await;
            log("end");
            1
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// Moved, then assigned again after an `.await`, in a nested block (seed 3, program 2).
    moved_then_assigned_by_an_await {
        async fn f(c: bool) -> u32 {
            let mut g = Guard::new("first");
            if c {
                drop(g);
                {
                    let _inner = Guard::new("inner");
                    g = step("s", Guard::new("second")).await;
                }
                for i in 0..2u32 {
                    step("loop", i).await;
                }
            }
            log("end");
            2
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(true) }
    }

    /// A move in an arm that does not run, inside the awaited expression's argument (seed 3,
    /// program 123): the local stays, to drop at the end of its scope.
    moved_in_an_arm_of_an_awaited_argument {
        async fn f(k: u32) -> u32 {
            let g = Guard::new("g");
            let v = step("s", match k {
                0 => {
                    drop(g);
                    10
                }
                n => n,
            })
            .await;
            step("t", ()).await;
            log("end");
            v
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(3) }
    }

    /// A shadowed local moved in a branch that does not run (seed 3, program 808).
    shadowed_after_a_move_on_some_paths {
        async fn f(c: bool) -> u32 {
            let g = Guard::new("old");
            let n = if c { keep(g).name().len() as u32 } else { 1 };
            let g = Guard::new("new");
            step("s", ()).await;
            log(format!("end {}", g.name()));
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(false) }
    }

    /// `v[i.await] |= match guard().opt() { .. }`: the value is evaluated first, and its
    /// scrutinee's temporary lives to the end of the statement, across the index's `.await`
    /// (a `!Send` guard there keeps the future `!Send`; seed 3, program 674; seed 2, 876).
    compound_assignment_value_temporary_lives_across_the_place {
        async fn f() -> u32 {
            let mut v = [1u32, 2, 3];
            v[(step("i", 1u32).await % 3) as usize] |= match LocalGuard::new("t").opt() {
                Some(n) => n,
                None => 4,
            };
            log("after");
            v[1]
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// `(g, f().await)`: `g` moves into the tuple being built before the `.await`; dropped
    /// there, the half-built tuple's `g` goes before the older locals (seed 3, programs 436
    /// and 909, where the local was an argument).
    local_moved_into_an_operand_before_an_await {
        async fn f(arg: Guard) -> usize {
            let older = Guard::new("older");
            let pair = (arg, step("s", Guard::new("second")).await);
            log("built");
            pair.0.name().len() + older.name().len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f(Guard::new("arg")) }
    }

    /// A move after a `break` out of the block that holds it, in an awaited expression's
    /// argument: it runs only when the `break` does not (seed 1, program 247).
    moved_after_a_break_in_an_awaited_argument {
        async fn f(early: bool) -> u32 {
            let g = Guard::new("g");
            let v = step("s", 'b: {
                if early {
                    break 'b 1;
                }
                keep(g).name().len() as u32
            })
            .await;
            step("t", ()).await;
            log("end");
            v
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(true) }
    }

    /// `v[i.await] = guard().val()`: as with `op=`, the value's temporary lives to the end of
    /// the statement, across the index's `.await` (seed 1, program 257).
    assignment_value_temporary_lives_across_the_place {
        async fn f() -> u32 {
            let mut v = [1u32, 2, 3];
            v[(step("i", 1u32).await % 3) as usize] = LocalGuard::new("t").opt().unwrap_or(0);
            log("after");
            v[1]
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// Moved, then assigned again on some paths only, before a later `.await`: rustc drops the
    /// new value at the end of the scope, after that `.await` (seed 2, program 102: it did not
    /// compile, then dropped the value before the `.await`).
    moved_then_reassigned_on_some_paths {
        async fn f(again: bool) -> u32 {
            let mut g = Guard::new("first");
            drop(g);
            if step("c", again).await {
                g = Guard::new("second");
            }
            step("after", 1u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(true) }
    }

    /// The same, the assignment in a loop's `match` arm.
    moved_then_reassigned_in_a_loop {
        async fn f() -> u32 {
            let mut g = Guard::new("first");
            drop(g);
            let mut i = 0u32;
            while i < 2 {
                i += 1;
                match step("m", Some(i)).await {
                    Some(2) => g = Guard::new("second"),
                    _ => log("none"),
                }
            }
            step("after", i).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// A local moved before an `.await` and assigned again after it keeps its place in the drop
    /// order: the locals declared after it drop first. It was declared again after them, so
    /// it dropped first. Fuzzer, seed 11, program 563.
    moved_then_reassigned_keeps_its_drop_order {
        async fn f(k: u32) -> u32 {
            let mut g = Guard::new("first");
            let later = (Guard::new("later1"), Guard::new("later2"));
            if (g.name().len() as u32 & step("s", k).await) > 2 {
                return 1;
            }
            drop(g);
            step("t", ()).await;
            g = Guard::new("second");
            later.0.name().len() as u32
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(1).await + f(7).await }
        }
    }

    /// In a statement without `.await`, an argument borrowed in one `match` arm and moved by a
    /// consuming method in the other is moved last: it is taken out of its home there (it was
    /// `(*q.shared()).into_val()`, E0507). Fuzzer, seed 11, program 2.
    borrowed_in_one_arm_moved_in_another {
        trait IntoLen { fn into_len(self) -> u32; }
        impl IntoLen for Guard { fn into_len(self) -> u32 { self.name().len() as u32 } }
        async fn f((n, q): (u32, Guard)) -> u32 {
            let a = match n {
                0 => {
                    log(format!("see {}", q.name()));
                    1
                }
                _ => q.into_len(),
            };
            step("s", a).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f((0, Guard::new("a"))).await + f((1, Guard::new("b"))).await }
        }
    }

    /// The same inside the awaited expression: borrowed in one arm, moved in the next, then
    /// kept for a later `.await` on the other path. Fuzzer, seed 11, program 264.
    borrowed_in_one_arm_moved_in_another_inside_the_awaited_expression {
        trait IntoLen { fn into_len(self) -> u32; }
        impl IntoLen for Guard { fn into_len(self) -> u32 { self.name().len() as u32 } }
        async fn f((n, q): (u32, Guard)) -> u32 {
            let a = step(
                "s",
                match n {
                    0 => {
                        log(format!("see {}", q.name()));
                        1
                    }
                    _ => q.into_len(),
                },
            )
            .await;
            step("t", a + n).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f((0, Guard::new("a"))).await + f((1, Guard::new("b"))).await }
        }
    }

    /// A local passed by value (`5u32.max(n)`, taken for a move) and used again after a branch
    /// that shadows it across an `.await` was a copy: it is kept while shadowed. It was dropped
    /// there, and the use after the branch named nothing (E0425). Fuzzer, seed 2, program 139.
    copied_local_kept_while_a_branch_shadows_it {
        async fn f(k: u32) -> u32 {
            let n = k;
            if 5u32.max(n) != 5 {
                log("big");
            } else {
                let n = &Guard::new("t");
                step("s", ()).await;
                log(n.name());
            }
            step("t", ()).await;
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(7).await + f(1).await }
        }
    }

    /// A local assigned in another arm of the `match` whose first arm suspends is not assigned
    /// after that suspension: it was declared again there without a value, and with no type
    /// (E0282). Fuzzer, seed 3, program 250.
    assignment_in_another_arm_is_not_after_the_suspension {
        async fn g() -> u32 { step("g", 1u32).await }
        async fn f(k: u32) -> u32 {
            let mut n = 1u32;
            let n = match k {
                0 => g().await,
                x if x > 4 => x,
                _ => 'b: {
                    n = 7u32;
                    n + 1
                }
            };
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(0).await + f(5).await + f(2).await }
        }
    }

    /// A consuming call in a `return` (`let`-`else`'s `else { return p.into_val() }`) is the
    /// last thing on its path, though an assignment to the local comes later in the text: it
    /// takes the value out of the fixed home (it read through the handle, E0507). Fuzzer,
    /// seed 3, program 106.
    consuming_call_in_a_return_takes_from_the_home {
        trait IntoLen { fn into_len(self) -> u32; }
        impl IntoLen for Guard { fn into_len(self) -> u32 { self.name().len() as u32 } }
        async fn f(k: Option<u32>, p: u32) -> u32 {
            let mut p = Guard::new(format!("p{p}"));
            let Some(v) = k else {
                return p.into_len();
            };
            let pair = (step("a", Guard::new("a")).await, step("b", Guard::new("b")).await);
            if v % 2 == 0 {
                p = Guard::new("q");
                1u32
            } else {
                pair.0.name().len() as u32
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(None, 1).await + f(Some(2), 2).await + f(Some(3), 3).await }
        }
    }

    /// The sender of `oneshot::channel()` is taken by its `send` (tokio's and futures' take
    /// `self`), which the name `send` alone does not say (an `mpsc` sender's borrows): it is
    /// not kept across the later `.await`. It was E0382 (14 fns of tokio-util's and bb8's
    /// tests in the real-code check).
    oneshot_sender_sent_before_a_later_await {
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
            pub fn channel<T>() -> (Sender, Receiver) {
                (Sender(Guard::new("tx")), Receiver(Guard::new("rx")))
            }
        }
        async fn f() -> u32 {
            let (tx, rx) = oneshot::channel::<u32>();
            let a = step("a", 1u32).await;
            tx.send(a).unwrap();
            let b = step("b", 2u32).await;
            drop(rx);
            a + b
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// `unwrap_err()` and `expect_err()` take their `Result` by value, also inside
    /// `assert_eq!`. It was E0382 (bb8's tests).
    unwrap_err_inside_assert_eq_takes_the_result {
        async fn f() -> usize {
            let res: Result<Guard, Guard> = step("r", Err(Guard::new("e"))).await;
            assert_eq!(res.unwrap_err().name(), "e");
            let other: Result<u32, Guard> = step("o", Err(Guard::new("f"))).await;
            let g = other.expect_err("an error");
            step("after", g.name().len()).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// A mention before a move, where the statement is not a plain sequence: in a loop of an
    /// earlier statement of the arm's (nested) block, in another branch inside a logging macro's input,
    /// beside a compound assignment. The move is still the local's last mention, taken out of
    /// its fixed home: it was "cannot move out of a shared reference" (fuzzer, seed 41).
    mention_before_a_move_in_a_loop_a_macro_or_beside_a_compound_assignment {
        macro_rules! logv {
            ($($t:tt)*) => { clockwork_tests::log(format!($($t)*)) };
        }
        async fn f(a: Guard, b: Guard, c: Guard, k: u32) -> u32 {
            match Some(k) {
                Some(x) => {
                    'inner: {
                        for _ in 0..2 {
                            let r = &a;
                            log(format!("see {}", r.name()));
                        }
                        if x == 0 {
                            break 'inner 0;
                        }
                        a.into_val() + x
                    }
                }
                None => step("none", 0u32).await,
            };
            logv!(
                "value {}",
                if k % 2 == 0 { log(format!("see {}", b.name())); 1 } else { b.into_val() }
            );
            let n = if step("s", k + 1).await % 2 == 1 {
                log(format!("see {}", c.name()));
                0
            } else {
                let mut n = 8u32;
                n ^= c.into_val();
                n
            };
            step("end", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            f(Guard::new("a"), Guard::new("b"), Guard::new("c"), 3)
        }
    }

    /// A local that a consuming method takes, then only assigned again (on some paths), never
    /// read in between: the method takes it out of its fixed home and the assignment puts a
    /// value back (it was E0507: read through the home, as if borrowed). Fuzzer, seed 42,
    /// program 224.
    taken_by_a_method_then_assigned_again {
        async fn f(k: u32) -> u32 {
            let mut g = step("s", Guard::new("first")).await;
            let r = &g;
            log(format!("see {}", r.name()));
            let n = match Some(k) {
                Some(_) => {
                    g = step("again", Guard::new("second")).await;
                    g.into_val()
                }
                None => 0,
            };
            if k > 1 {
                g = Guard::new("third");
            }
            step("end", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(2).await + f(0).await }
        }
    }

    /// A mention, then a move, in the condition of an `if` (or a `match` scrutinee) whose
    /// branches await: the move is the last mention and takes the local out of its fixed
    /// home (E0507 before: the condition's mentions shared one position). Fuzzer, seed 42,
    /// program 268.
    mention_then_move_in_an_awaiting_if_condition {
        async fn f(k: u32) -> u32 {
            let g = step("s", Guard::new("g")).await;
            let h = step("t", Guard::new("h")).await;
            let r = &g;
            log(format!("see {}", r.name()));
            let n = match { log(format!("see {}", h.name())); k } {
                0 => 0,
                _ => step("m", 1u32).await,
            };
            if match Some(k) { Some(_) => { log(format!("see {}", g.name())); k } None => g.into_val() } > 0 {
                return step("then", n).await;
            }
            step("end", match k { 0 => h.into_val(), _ => 1 }).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(2).await + f(0).await }
        }
    }

    /// A mention before a move in one statement that also holds a closure, a loop and a
    /// compound assignment elsewhere: only code that holds both the mention and the move can
    /// run them out of order, so the move is still the last mention (E0507 before: a closure
    /// anywhere in the statement put all its mentions at one place). Fuzzer, seed 42, program
    /// 582.
    mention_before_a_move_beside_a_closure_in_one_statement {
        async fn f(k: u32) -> u32 {
            let g = step("s", Guard::new("g")).await;
            let r = &g;
            log(format!("see {}", r.name()));
            let mut total = 0u32;
            let arr = [
                if k % 2 == 0 {
                    for _ in 0..2 {
                        log(format!("see {}", g.name()));
                    }
                    total += k;
                    1
                } else {
                    let c = move |v: u32| v + 1;
                    c(g.into_val())
                },
                2,
            ];
            step("end", arr[0] + arr[1] + total).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(2).await + f(1).await }
        }
    }

    /// A local moved and given a value again (`g = keep(g)`, `drop(g); g = ..`), then
    /// shadowed: it still holds a value, which rustc drops at the end of its scope, after the
    /// `.await` (fuzzer, seed 2026, program 4818: it was dropped at the `.await`).
    moved_and_reassigned_then_shadowed_keeps_its_value {
        async fn f() -> u32 {
            let mut g = Guard::new("kept");
            g = keep(g);
            let g = Guard::new("shadow");
            let mut h = Guard::new("h1");
            drop(h);
            h = Guard::new("h2");
            let h = Guard::new("h3");
            step("s", 1u32).await + g.name().len() as u32 + h.name().len() as u32
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// A local moved, then assigned inside the awaited expression (`step(.., { g = ..; n })`):
    /// the assignment runs before the suspension, so the value is kept across it; inside an
    /// `if`, the code after it is not joined, since only one path gives `g` a value (fuzzer,
    /// seed 2026, program 9128: the value was dropped at the `.await`).
    moved_then_assigned_inside_an_awaited_expression {
        async fn f(c: bool) -> u32 {
            let mut g = Guard::new("g1");
            let n = g.into_val();
            let k = step("s", { g = Guard::new("g2"); n }).await;
            let mut h = Guard::new("h1");
            let m = h.into_val();
            if c {
                let j = step("t", { h = Guard::new("h2"); m }).await;
                log(format!("j {j}"));
            }
            k + step("u", 1u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(true).await + f(false).await }
        }
    }

    /// A local moved into an `async move` block, then assigned again inside a plain block
    /// after another `.await`, and read after a later one: the assignment runs before any read,
    /// so no state holds the moved-out local (it was kept in one, uninitialised: E0381; fuzz
    /// seed 31337 #1545).
    moved_then_assigned_in_a_nested_block_after_an_await {
        async fn f(mut p: u32, g: Guard) -> u32 {
            let (n, h) = (step("s", async move { p }.await).await, g);
            {
                let _k = step("k", h).await;
                p = 9;
            }
            match p {
                0 => n,
                _ => step("end", n + p).await,
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(5, Guard::new("g")) }
    }

    /// A method on a local in an awaited expression, and the local assigned in the next
    /// statement: rustc drops the old value at that assignment, after the `.await`, not at
    /// the suspension (fuzz seed 31337 #920). (`p = p.advance().await`, the assignment the
    /// `.await` gives its value to, takes it by value: `loop_state_enum_driver_plain_name`.)
    receiver_in_an_awaited_call_assigned_in_the_next_statement {
        async fn f() -> u32 {
            let mut g = step("s", Guard::new("first")).await;
            let n = step("n", g.name().len() as u32).await;
            g = Guard::new("second");
            n + g.name().len() as u32
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// An argument passed by value to the `.await` of a `let` that shadows it, inside a block
    /// whose value assigns it again: where the state resumes after that `.await` the argument
    /// is declared only where the assignment is reached before the next `.await` (it was
    /// declared and never given a value, E0282), and after the next one it is declared again
    /// for the assignment (it named the argument the machine's closure had captured; fuzz
    /// seed 31337 #6412).
    assigned_from_a_block_that_shadows_it {
        async fn f(mut p: u32) -> u32 {
            let g = Guard::new("g");
            p = 'b: {
                let h = step("h", Guard::new("h")).await;
                let p = step("p", p).await;
                step("s", h.name().len() as u32 + p).await
            };
            drop(g);
            step("end", 1u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(3) }
    }

    /// The same, read after the assignment.
    assigned_from_a_block_that_shadows_it_then_read {
        async fn f(mut p: u32) -> u32 {
            p = 'b: {
                let h = step("h", Guard::new("h")).await;
                let p = step("p", p).await;
                step("s", h.name().len() as u32 + p).await
            };
            step("end", p).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(3) }
    }

    /// A local assigned from an `if` whose branch leaves a labelled block with an awaited value
    /// (`break 'b x.await`) or goes on to another `.await`: where the first resumes, the local
    /// is declared for the assignment too, since the later `.await` does not run on that path
    /// (the assignment named the argument the machine's closure had captured: E0594; fuzz seed
    /// 5151 #2716).
    assigned_after_a_break_out_of_a_labelled_block {
        async fn f(p0: u32, mut p1: u32) -> u32 {
            p1 = if p0 % 2 == 0 {
                p1 ^= 6u32;
                'b2: {
                    if p1 % 2 == 0 {
                        break 'b2 async move { p0 }.await;
                    }
                    step("s3", Guard::new("g4")).await.name().len() as u32
                }
            } else {
                4
            };
            p1
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(2, 3).await + f(2, 2).await + f(1, 0).await }
        }
    }

    /// Moved before a loop, assigned again at the end of each iteration (also in a nested
    /// loop): from the second iteration on, the `.await` at the top of the loop holds the new
    /// value, which rustc drops at the next assignment. It was not kept there (dropped before
    /// the `.await`). Fuzz seed 2727, #1504.
    moved_then_assigned_later_in_a_loop {
        async fn f(nested: bool) -> u32 {
            let mut g = Guard::new("g");
            let n = g.name().len() as u32;
            drop(g);
            let mut i = 0u32;
            loop {
                i += 1;
                if i > 3 {
                    break;
                }
                step("s", ()).await;
                if nested {
                    let mut j = 0u32;
                    while j < 1 {
                        j += 1;
                        g = Guard::new("h");
                    }
                } else {
                    g = Guard::new("k");
                }
            }
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(true).await + f(false).await }
        }
    }

    /// A local read by an `.await` whose statement then breaks out of a labelled block, past
    /// an assignment of the local, to code that reads it (`n += 'b: { if c { break 'b
    /// f(n).await; } n = 7; n }`): the assignment was taken to run next, so the local was not
    /// kept across the `.await`, and the `+=` read it uninitialised (E0381). Fuzz seed 4646,
    /// #2066.
    read_after_a_break_that_skips_its_assignment {
        async fn f(mut n: u32, k: u32) -> u32 {
            n += 'b: {
                if step("c", k).await > 3 {
                    break 'b step("a", n).await;
                }
                n = 7;
                n
            };
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(1, 2).await + f(1, 5).await }
        }
    }

    /// An argument only assigned in a loop after its last read, and the loop's `let`-`else`
    /// returns after an `.await`: the arm that resumes on the `return`'s path declared it
    /// without a value or a type, and nothing assigned it there (E0282). It now has the type
    /// the signature writes. Fuzz seed 6868, #158 and #366.
    argument_declared_again_where_a_returning_path_resumes {
        async fn f(mut p0: u32, p1: u32) -> Option<u32> {
            let n = match Some(p0) {
                Some(_) => step("a", step("b", p0).await).await,
                None => p1,
            };
            let mut i = 0u32;
            while i < 2 {
                i += 1;
                p0 = step("c", i).await;
                let Some(_v) = (if p1 > 5 { None::<u32> } else { Some(i) }) else {
                    return Some(step("d", n).await);
                };
            }
            let p0 = n + 1;
            Some(p0)
        }
        pub fn entry() -> impl core::future::Future<Output = Option<u32>> {
            async { Some(f(1, 2).await? + f(1, 7).await?) }
        }
    }

    /// A field taken by a method the receiver heuristic takes to consume (`c.name.unwrap()`)
    /// inside an awaited expression: a part moved out, the rest of the local dropping at the
    /// end of its scope. It was taken as a borrow of the local, for a future that may keep it
    /// (E0507: cannot move out of a reference). tokio-tungstenite's `self.0.unwrap()` shape.
    field_taken_by_a_consuming_method_in_an_awaited_argument {
        pub struct Conn { pub name: Option<Guard>, pub rest: Guard }
        impl Conn {
            async fn run(self, k: usize) -> usize {
                let g = step("run", self.name.unwrap()).await;
                g.name().len() + k + step("rest", self.rest.name().len()).await
            }
        }
        async fn f(c: Conn) -> usize {
            let n = step("a", c.name.unwrap().name().len()).await;
            n + step("b", 1).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            async {
                let c = Conn { name: Some(Guard::new("n1")), rest: Guard::new("r1") };
                let d = Conn { name: Some(Guard::new("n2")), rest: Guard::new("r2") };
                f(c).await + d.run(2).await
            }
        }
    }

    /// An argument whose type's only `Fn*` bound is `FnOnce` (in the `where` clause, inline,
    /// or `impl FnOnce`) is consumed by its call: it was kept in the state across the next
    /// `.await` as if the call borrowed it (E0382). What it captured drops at the call.
    fn_once_argument_called_before_an_await {
        async fn f<F>(g: Guard, make: F) -> usize
        where
            F: FnOnce(&Guard) -> Guard,
        {
            let made = make(&g);
            let n = step("a", made.name().len()).await;
            n + g.name().len()
        }
        async fn h(k: usize, f: impl FnOnce(usize) -> usize) -> usize {
            let v = f(k);
            step("b", v).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            async {
                let tag = Guard::new("captured");
                let make = move |g: &Guard| {
                    let _t = &tag;
                    Guard::new(format!("{}-made", g.name()))
                };
                let later = Guard::new("later");
                f(Guard::new("g"), make).await + h(2, move |x| x + later.name().len()).await
            }
        }
    }

    /// Fields a literal gave a literal (`3`, `"label"`) are `Copy`: taking them by value moves
    /// nothing, so the whole value is still there to move after the `.await` (it was kept in a
    /// fixed home with its parts tracked, as if `c.0` had been moved out).
    fields_given_literals_are_copied_out {
        pub struct Conf { pub retries: u32, pub label: &'static str, pub g: Guard }
        async fn f(k: u32) -> usize {
            let c = Conf { retries: 3, label: "label", g: Guard::new("conf") };
            let t = (-1i64, Guard::new("t"));
            let n = c.retries + k;
            let l = c.label;
            let m = t.0;
            step("s", n).await;
            let whole = c;
            let pair = t;
            whole.g.name().len() + l.len() + pair.1.name().len() + m as usize
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f(1) }
    }
}
