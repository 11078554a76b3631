//! Differential cases: join points, where several paths reach the end of a construct that
//! suspends and the code after it is written once (see `macro/expand/src/join.rs`), and the
//! shapes where the transform must not use one.
use clockwork_tests::differential;

differential! {
    /// Both branches suspend; the guards declared before the `if` are handed over to the code
    /// after it, and dropped at the end of the body in reverse order.
    join_after_if_keeps_guards {
        async fn f(c: bool) -> String {
            let a = Guard::new("a");
            let b = Guard::new("b");
            let x = if c { step("then", 1u32).await } else { step("else", 2u32).await + 10 };
            let d = Guard::new("d");
            step("after", ()).await;
            format!("{} {} {} {x}", a.name(), b.name(), d.name())
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> {
            async { (f(true).await, f(false).await) }
        }
    }

    /// One branch suspends, the other does not: the forward code reaches the join point too.
    join_reached_by_forward_code {
        async fn f(n: u32) -> u32 {
            let g = Guard::new("g");
            let v = match n {
                0 => step("zero", 100u32).await,
                1 => 7,
                _ => step("many", n).await * 2,
            };
            log(format!("{} {v}", g.name()));
            step("tail", v + 1).await
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32, u32)> {
            async { (f(0).await, f(1).await, f(5).await) }
        }
    }

    /// A closure written after a branch that suspends and kept across a later `.await`: one
    /// copy of it, so one type.
    closure_after_suspending_if {
        async fn f(c: bool) -> u32 {
            if c {
                step("maybe", ()).await;
            }
            let add = |x: u32| x + 1;
            let n = step("n", 4u32).await;
            add(n)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> {
            async { (f(true).await, f(false).await) }
        }
    }

    /// A closure after a `match` whose arms suspend, capturing a local from before it.
    closure_after_suspending_match_captures {
        async fn f(k: u8) -> String {
            let prefix = String::from("item");
            match k {
                0 => step("a", ()).await,
                1 => step("b", ()).await,
                _ => log("no wait"),
            }
            let label = move |i: u32| format!("{prefix}-{i}");
            let i = step("i", u32::from(k)).await;
            label(i)
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String, String)> {
            async { (f(0).await, f(1).await, f(9).await) }
        }
    }

    /// A vector whose element type comes from the loop's `.await`s, used after the loop (the
    /// code after the loop used to come first in the forward code: "type annotations needed").
    collect_in_loop_then_sum {
        async fn f() -> (usize, u32) {
            let mut got = Vec::new();
            for i in 0..3u32 {
                got.push(step("item", (i, i * 10)).await);
            }
            let total = got.iter().map(|p| p.1).sum();
            (got.len(), total)
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, u32)> { f() }
    }

    /// The binding's type is the type the branches coerce to: the join point's value carries it.
    join_value_coerced_by_annotation {
        async fn f(c: bool) -> String {
            let shown: Box<dyn Fn(u32) -> String> = if c {
                step("boxed", ()).await;
                Box::new(|n| format!("then {n}"))
            } else {
                Box::new(|n| format!("else {n}"))
            };
            let n = step("n", 3u32).await;
            shown(n)
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> {
            async { (f(true).await, f(false).await) }
        }
    }

    /// A `Copy` local passed by value inside the branches and used after them.
    copy_local_passed_in_branches {
        async fn take(n: u64) -> u64 { step("take", n).await }
        async fn f(k: u8) -> u64 {
            let mut seen = 1u64;
            let g = Guard::new("g");
            match k {
                0 => seen += take(seen).await,
                1 => seen *= take(seen + 1).await,
                _ => {}
            }
            log(format!("{} {seen}", g.name()));
            seen.min(100)
        }
        pub fn entry() -> impl core::future::Future<Output = (u64, u64, u64)> {
            async { (f(0).await, f(1).await, f(2).await) }
        }
    }

    /// A join point inside a loop: the rest of the iteration and the next ones are written once.
    join_inside_loop_body {
        async fn f() -> String {
            let mut out = String::new();
            let g = Guard::new("outer");
            for i in 0..4u32 {
                let item = Guard::new(format!("item {i}"));
                let v = if i % 2 == 0 { step("even", i).await } else { step("odd", i * 10).await };
                out += &format!("{}={v};", item.name());
                step("tick", ()).await;
            }
            out + g.name()
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    /// Nested constructs that both suspend: the inner join point's code reaches the outer one.
    nested_join_points {
        async fn f(a: bool, b: bool) -> u32 {
            let g = Guard::new("g");
            let x = if a {
                let h = Guard::new("h");
                let y = if b { step("bb", 1u32).await } else { step("bn", 2u32).await };
                log(format!("{} {y}", h.name()));
                y * 10
            } else {
                step("an", 3u32).await
            };
            log(g.name().to_string());
            step("end", x + 1).await
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32, u32)> {
            async { (f(true, true).await, f(true, false).await, f(false, true).await) }
        }
    }

    /// A branch that moves a local declared before it: no join point (it would not know
    /// whether the local is still there); the code after is written per path, with the drop
    /// where rustc has it.
    branch_moves_outer_local {
        async fn f(c: bool) -> u32 {
            let g = Guard::new("g");
            let h = Guard::new("h");
            if c {
                step("c", ()).await;
                drop(g);
            } else {
                step("not c", ()).await;
            }
            log(h.name().to_string());
            step("end", 5u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> {
            async { (f(true).await, f(false).await) }
        }
    }

    /// A shadowed guard is still alive (and dropped at the end of the body): the forward code
    /// must not hand over only the visible one.
    shadowed_guard_around_join {
        async fn f(c: bool) -> String {
            let g = Guard::new("first");
            let g = Guard::new(format!("second after {}", g.name()));
            let n = if c { step("c", 1u32).await } else { 2 };
            step("after", ()).await;
            format!("{} {n}", g.name())
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> {
            async { (f(true).await, f(false).await) }
        }
    }

    /// `break`/`continue` out of a construct inside a loop: no join point for it.
    break_and_continue_out_of_branches {
        async fn f() -> u32 {
            let mut acc = 0u32;
            let mut i = 0u32;
            loop {
                i += 1;
                let g = Guard::new(format!("round {i}"));
                if i % 3 == 0 {
                    step("skip", ()).await;
                    continue;
                } else if i > 7 {
                    step("stop", ()).await;
                    break;
                }
                acc += step("add", i).await;
                log(g.name().to_string());
            }
            acc
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// A loop's value (`break 'l v`) handed over to the code after the loop.
    loop_value_through_join {
        async fn f(limit: u32) -> String {
            let g = Guard::new("g");
            let mut n = 0u32;
            let found = loop {
                n += step("next", 3u32).await;
                if n > limit {
                    break n;
                }
                if n == 6 {
                    break step("six", 600u32).await;
                }
            };
            format!("{} {found}", g.name())
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> {
            async { (f(4).await, f(10).await) }
        }
    }

    /// A panic in a branch after its `.await`: the guards handed over so far unwind in order.
    panic_in_branch_before_join {
        async fn f(c: bool) -> u32 {
            let a = Guard::new("a");
            let v = if c {
                let inner = Guard::new("inner");
                let n = Boom("boom").await;
                log(inner.name().to_string());
                n
            } else {
                step("quiet", 1u32).await
            };
            log(a.name().to_string());
            v
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> {
            async { (f(false).await, f(true).await) }
        }
    }

    /// A value whose type is only fixed after the join point (`push` after it).
    value_type_fixed_after_join {
        async fn f(c: bool) -> usize {
            let mut v = if c {
                step("c", ()).await;
                Vec::new()
            } else {
                Vec::with_capacity(4)
            };
            v.push(step("push", 7u8).await);
            v.push(1);
            v.len() + usize::from(v[0])
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize)> {
            async { (f(true).await, f(false).await) }
        }
    }

    /// A local declared without a value, assigned in both branches: no join point.
    deferred_init_in_branches {
        async fn f(c: bool) -> String {
            let s: String;
            if c {
                step("a", ()).await;
                s = String::from("then");
            } else {
                s = step("b", String::from("else")).await;
            }
            let g = Guard::new("g");
            step("after", ()).await;
            format!("{s} {}", g.name())
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> {
            async { (f(true).await, f(false).await) }
        }
    }

    /// `?` inside the branches, and a `match` on the result after them.
    question_marks_in_joined_branches {
        async fn get(n: u32) -> Result<u32, String> {
            step("get", if n == 3 { Err(format!("no {n}")) } else { Ok(n) }).await
        }
        async fn f(a: u32) -> Result<u32, String> {
            let g = Guard::new("g");
            let v = if a > 1 { get(a).await? + 1 } else { get(a + 10).await? };
            let w = match get(v).await {
                Ok(w) => w,
                Err(e) => return Err(format!("{e} via {}", g.name())),
            };
            Ok(w * 2)
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<u32, String>, Result<u32, String>, Result<u32, String>)> {
            async { (f(0).await, f(2).await, f(3).await) }
        }
    }

    /// The scrutinee's temporaries (here under a `+`) live to the end of the `match`, across the
    /// arms' suspensions, and the code after it is written once.
    scrutinee_temporary_under_operator {
        fn probe(name: &str) -> Guard { Guard::new(name) }
        async fn f(k: usize) -> usize {
            let g = Guard::new("g");
            let v = match probe("scrutinee").name().len() + k {
                9 => { step("nine", ()).await; probe("tail9").name().len() }
                10 => step("ten", 10usize).await,
                n => n,
            };
            log(format!("{} {v}", g.name()));
            step("after", v).await
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize, usize)> {
            async { (f(0).await, f(1).await, f(2).await) }
        }
    }

    /// A fixed-home local (borrowed across an `.await`) handed over at a join point.
    fixed_home_through_join {
        async fn f(c: bool) -> usize {
            let v = vec![Guard::new("v0"), Guard::new("v1")];
            let first = &v[0];
            let n = if c { step("c", 1usize).await } else { step("not c", 2usize).await };
            let m = step("m", first.name().len()).await;
            v.len() + n + m
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize)> {
            async { (f(true).await, f(false).await) }
        }
    }

    /// A labelled block whose value comes from a `break` after an `.await`.
    labelled_block_value_through_join {
        async fn f(k: u32) -> u32 {
            let g = Guard::new("g");
            let v = 'found: {
                if k > 2 {
                    break 'found step("big", k * 10).await;
                }
                let h = Guard::new("h");
                if k == 1 {
                    step("one", ()).await;
                    log(h.name().to_string());
                    break 'found 1;
                }
                0
            };
            log(g.name().to_string());
            step("after", v).await
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32, u32)> {
            async { (f(0).await, f(1).await, f(5).await) }
        }
    }

    /// `let`-`else` whose `else` suspends before it leaves, then code after it.
    let_else_then_join {
        async fn f(v: Option<u32>) -> u32 {
            let g = Guard::new("g");
            let Some(x) = v else {
                step("none", ()).await;
                return 0;
            };
            let y = if x > 3 { step("big", x).await } else { x };
            log(g.name().to_string());
            step("end", y).await
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32, u32)> {
            async { (f(None).await, f(Some(2)).await, f(Some(9)).await) }
        }
    }

    /// `.await` in a match guard, and arms that suspend, then code after the `match`.
    guard_await_then_join {
        async fn ok(n: u32) -> bool { step("ok", n % 2 == 0).await }
        async fn f(n: u32) -> String {
            let g = Guard::new("g");
            let s = match n {
                m if ok(m).await => format!("even {}", step("e", m).await),
                0 => String::from("zero"),
                m => format!("odd {}", step("o", m).await),
            };
            format!("{s} {}", g.name())
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String, String)> {
            async { (f(0).await, f(3).await, f(4).await) }
        }
    }

    /// A `while` loop whose body branches, with a guard per iteration and code after the loop.
    while_loop_with_branches {
        async fn f(limit: u32) -> String {
            let mut out = String::new();
            let mut i = 0;
            while i < limit {
                let g = Guard::new(format!("it{i}"));
                let piece = if i % 2 == 0 {
                    step("even", i).await.to_string()
                } else {
                    format!("({})", step("odd", i).await)
                };
                out.push_str(&piece);
                out.push_str(g.name());
                i += 1;
            }
            let tail = Guard::new("tail");
            out + tail.name()
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> {
            async { (f(0).await, f(3).await) }
        }
    }

    /// A panic in the code after a join point, with guards from before it.
    panic_after_join {
        async fn f(c: bool) -> u32 {
            let a = Guard::new("a");
            let v = if c { step("c", 1u32).await } else { step("n", 2u32).await };
            let b = Guard::new("b");
            let w = Boom("after").await;
            log(format!("{} {}", a.name(), b.name()));
            v + w
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(true) }
    }

    /// A branch shadows a local of the same name; the outer one is the one handed over.
    shadowing_inside_joined_branch {
        async fn f(c: bool) -> String {
            let name = Guard::new("outer");
            let n = if c {
                let name = Guard::new("inner");
                step("c", name.name().len()).await
            } else {
                step("n", 1usize).await
            };
            format!("{} {n}", name.name())
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> {
            async { (f(true).await, f(false).await) }
        }
    }

    /// Nested loops: a branch in the inner loop, `break` of the outer loop from the inner one.
    nested_loops_with_branches {
        async fn f() -> u32 {
            let mut total = 0u32;
            'outer: for i in 0..3u32 {
                let g = Guard::new(format!("outer {i}"));
                for j in 0..3u32 {
                    let v = if (i + j) % 2 == 0 { step("even", j).await } else { step("odd", j + 10).await };
                    total += v;
                    if total > 40 {
                        break 'outer;
                    }
                }
                log(g.name().to_string());
            }
            total
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// Two constructs one after the other, each with a join point.
    two_joins_in_a_row {
        async fn f(a: bool, b: bool) -> u32 {
            let g = Guard::new("g");
            let x = if a { step("a", 1u32).await } else { 2 };
            let h = Guard::new("h");
            let y = match b {
                true => step("b", 10u32).await,
                false => step("nb", 20u32).await,
            };
            log(format!("{} {}", g.name(), h.name()));
            x + y
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32, u32)> {
            async { (f(true, true).await, f(false, true).await, f(false, false).await) }
        }
    }

    /// A `&mut self` method whose branches suspend, then code after them that uses `self`.
    mut_self_method_with_join {
        pub struct Conn { pub sent: Vec<u32>, pub _g: Guard }
        impl Conn {
            pub async fn send(&mut self, v: u32) -> usize {
                let n = if v % 2 == 0 {
                    step("even", v).await
                } else {
                    self.sent.push(0);
                    step("odd", v + 1).await
                };
                self.sent.push(n);
                step("flush", self.sent.len()).await
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize, Vec<u32>)> {
            async {
                let mut c = Conn { sent: Vec::new(), _g: Guard::new("conn") };
                let a = c.send(2).await;
                let b = c.send(3).await;
                (a, b, c.sent)
            }
        }
    }

    /// `?` on an `Option` in joined branches of a fn returning `Option`.
    option_question_in_joined_branches {
        async fn get(v: Option<u32>) -> Option<u32> { step("get", v).await }
        async fn f(a: Option<u32>, c: bool) -> Option<u32> {
            let g = Guard::new("g");
            let x = if c { get(a).await? } else { get(a.map(|v| v + 1)).await? * 2 };
            log(g.name().to_string());
            Some(step("x", x).await + 1)
        }
        pub fn entry() -> impl core::future::Future<Output = (Option<u32>, Option<u32>, Option<u32>)> {
            async { (f(Some(1), true).await, f(Some(1), false).await, f(None, false).await) }
        }
    }

    /// An `async` block made after a join point and awaited later.
    async_block_after_join {
        async fn f(c: bool) -> u32 {
            let base = if c { step("c", 10u32).await } else { 1 };
            let later = async move { step("inner", base).await + 1 };
            let g = Guard::new("g");
            let v = step("between", ()).await;
            let r = later.await;
            log(format!("{} {v:?}", g.name()));
            r
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> {
            async { (f(true).await, f(false).await) }
        }
    }

    /// An early `return` from one branch, a join point for the others.
    early_return_in_one_branch {
        async fn f(k: u8) -> String {
            let g = Guard::new("g");
            let s = match k {
                0 => return step("zero", String::from("early")).await,
                1 => step("one", String::from("one")).await,
                _ => format!("{}", step("many", k).await),
            };
            format!("{s} {}", g.name())
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String, String)> {
            async { (f(0).await, f(1).await, f(7).await) }
        }
    }

    /// `while let` over a channel-like queue, a branch per item, and code after the loop.
    while_let_queue_with_branches {
        async fn f(mut q: Vec<Option<u32>>) -> (u32, usize) {
            let g = Guard::new("g");
            let mut total = 0;
            let mut skipped = 0;
            while let Some(item) = q.pop() {
                match item {
                    Some(v) if v > 5 => total += step("big", v).await,
                    Some(v) => total += v,
                    None => {
                        skipped += 1;
                        step("skip", ()).await;
                    }
                }
            }
            log(g.name().to_string());
            (total, skipped)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, usize)> {
            f(vec![Some(1), None, Some(9), Some(3), None])
        }
    }

    /// Drop flags: a guard moved in one `match` arm only, then an `.await`.
    moved_in_one_arm_then_await {
        fn consume(g: Guard) -> usize { g.name().len() }
        async fn f(k: u8) -> usize {
            let g = Guard::new("g");
            let h = Guard::new("h");
            let n = match k {
                0 => consume(g),
                1 => 1,
                _ => step("other", 2usize).await,
            };
            step("after", ()).await;
            n + h.name().len()
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize, usize)> {
            async { (f(0).await, f(1).await, f(2).await) }
        }
    }

    /// Drop flags: a guard moved in some iterations of a loop, and kept to the end otherwise.
    moved_in_a_loop_iteration {
        async fn f(stop_at: u32) -> u32 {
            let g = Guard::new("g");
            let mut g = Some(g);
            let mut n = 0;
            for i in 0..3u32 {
                if i == stop_at {
                    drop(g.take());
                }
                n += step("tick", i).await;
            }
            log(format!("{}", g.is_some()));
            n
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> {
            async { (f(1).await, f(9).await) }
        }
    }

    /// Drop flags: a guard moved inside an `if let`'s then-branch only.
    moved_in_if_let_branch {
        async fn f(v: Option<u32>) -> u32 {
            let g = Guard::new("g");
            if let Some(x) = v {
                if x > 1 {
                    drop(g);
                }
            }
            step("after", ()).await;
            v.unwrap_or(0)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32, u32)> {
            async { (f(Some(1)).await, f(Some(5)).await, f(None).await) }
        }
    }

    /// A branch that suspends and moves a local declared before it: the local is in a fixed
    /// home with a drop flag, so its handle is handed over to the join point like any other
    /// local, and the code after the branch (here a closure kept across an `.await`) is
    /// written once. It was written once per path, and the closure was rejected as two types.
    /// Fuzzer, seed 11, program 269.
    branch_moving_a_local_joins_through_its_home {
        async fn f(c: bool) -> u32 {
            let s = Guard::new("s");
            let _t = Guard::new("t");
            if c {
                step("tick", ()).await;
                drop(s);
            } else {
                log("kept".to_string());
            }
            let add = |x: u32| x + 1;
            let n = step("n", 2u32).await;
            add(n)
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(true).await + f(false).await }
        }
    }

    /// A closure kept across an `.await`, after a loop that awaits and copies its counter into
    /// the awaited call (`f(i).await` after `i += 1`): the counter is `Copy` (the next
    /// iteration reads it again), so the loop joins and the closure is written once (it was
    /// the "kept across an `.await`" error). Fuzzer, seed 42, program 40.
    closure_after_a_loop_that_copies_its_counter_into_an_await {
        async fn f(n: u32) -> u32 {
            let mut i = 0u32;
            let _g = Guard::new("g");
            loop {
                i += 1;
                if i > 3 {
                    break;
                }
                let _x = step("i", i).await;
            }
            let c = move |v: u32| v + n;
            step("s", n).await;
            c(1)
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(7) }
    }

    /// The same after an argument moved into an awaited call before the loop: the forward
    /// code that leaves the loop without suspending has nothing more to drop, and joins too.
    /// Fuzzer, seed 42, program 339.
    closure_after_a_loop_with_an_argument_moved_before_it {
        async fn consume(g: Guard, n: u32) -> u32 { step("consume", n).await + g.name().len() as u32 }
        async fn f(g: Guard, k: u32) -> u32 {
            let first = consume(g, step("a", 1u32).await).await;
            let mut i = 0u32;
            loop {
                i += 1;
                if i > k {
                    break;
                }
                step("i", i).await;
            }
            let c = move |v: u32| v + first;
            step("s", 2u32).await;
            c(i)
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(Guard::new("a"), 0).await + f(Guard::new("b"), 2).await }
        }
    }

    /// A closure that nothing keeps across an `.await`, written once per path after a `match`
    /// without a join point, named like a local that is kept: the check looked the name up
    /// and took the closure to be kept (the "kept across an `.await`" error). Fuzzer, seed
    /// 42, programs 540 and 816.
    closure_named_like_a_kept_local_written_twice {
        async fn f(k: u32) -> u32 {
            let n = step("n", k).await;
            let m = match k {
                0 => 1,
                _ => {
                    let x = step("s", 1u32).await + n;
                    let Some(v) = (if x % 2 == 0 { Some(x) } else { None }) else {
                        return step("r", 2u32).await;
                    };
                    v
                }
            };
            let n = move |v: u32| v + m;
            n(1)
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(0).await + f(1).await + f(2).await }
        }
    }

    /// A closure kept across an `.await`, after an `if` whose suspensions keep different
    /// `Copy` locals for later inside it (`p`, read only by the `then` branch's awaited call
    /// and the `else` branch): dead at its end, they are not handed over, so the `if` joins
    /// and the closure is written once (it was the "kept across an `.await`" error). Fuzzer,
    /// seed 42, programs 191 and 303.
    closure_after_an_if_whose_branches_keep_different_copy_locals {
        async fn f(k: u32, p: u32) -> u32 {
            let q = if step("c", k).await > 4 {
                step("t", k.wrapping_mul(p)).await
            } else {
                let Some(v) = (if k == 0 { None } else { Some(k) }) else { return p; };
                v
            };
            let c = move |v: u32| v + q;
            let r = step("after", 1u32).await;
            c(r)
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(5, 2).await + f(1, 3).await + f(0, 4).await }
        }
    }

    /// The same, where such a local has a fixed home that later states keep (an argument
    /// assigned by an arm of a `match`, then shadowed by the `match`'s value): it is still
    /// handed over (E0425 on its handle after the join point). The fuzzer's program as it
    /// was generated (seed 43, program 356): smaller ones did not reach that join.
    closure_after_a_match_that_assigns_a_shadowed_argument {
        pub trait GuardExt {
            fn val(&self) -> u32;
            fn into_val(self) -> u32;
        }
        impl GuardExt for Guard {
            fn val(&self) -> u32 {
                log(format!("val {}", self.name()));
                self.name().len() as u32
            }
            fn into_val(self) -> u32 {
                log(format!("into {}", self.name()));
                self.name().len() as u32
            }
        }
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn h1(p0: Guard) -> u32 {
        let (n2, g3) = (5u32, Guard::new("g4"));
        step("s5", n2).await;
        log(format!("see {}", g3.name()));
        logv!("value {}", g3.into_val().wrapping_add('b6: {
        log(format!("see {}", p0.name()));
        log(format!("see {}", p0.name()));
        9u32
        }));
        logv!("value {}", n2);
        let pair7 = (Guard::new("g8"), Guard::new("g9"));
        logv!("value {}", n2);
        let c10 = move |v: u32| n2;
        n2
        }
        async fn h11() -> u32 {
        logv!("value {}", 1u32);
        logv!("value {}", if 'b12: {
        logv!("value {}", 1u32);
        logv!("value {}", match 0u32 { 0 => 6u32, x13 if x13 > 4 => 3u32, _ => {
        6u32
        } });
        let (n14, g15) = (5u32, Guard::new("g16"));
        n14
        } % 2 == 0 {
        5u32
        } else {
        7u32
        });
        step("s17", (if 9u32 % 2 == 0 {
        5u32
        } else {
        1u32
        } & step("s18", 4u32).await)).await;
        logv!("value {}", if 8u32 > 0 {
        match match 4u32 { 0 => 5u32, x19 if x19 > 4 => x19, _ => {
        let n20 = 4u32;
        n20
        } } { 0 => 4u32, x21 if x21 > 4 => 4u32, _ => {
        let mut arr22 = [(7u32 | 6u32), (9u32 | 0u32), 0u32];
        9u32
        } }
        } else {
        std::cmp::max(match 6u32 { 0 => 9u32, x23 if x23 > 4 => x23, _ => {
        9u32
        } }, 1u32)
        });
        let n24 = step("s25", 3u32).await;
        if n24 > 0 {
        'l26: for i27 in 0..3u32 {
        if step("s29", Some(i27)).await.is_some() { return (i27 | 0u32); }
        let mut n24 = i27;
        }
        let r30 = &Guard::new("t31");
        if n24 > 2 {
        if 'b32: {
        log(format!("see {}", r30.name()));
        let c33 = move |v: u32| 0u32;
        let fut34 = async move {
        let mut arr35 = [5u32, n24, 0u32];
        n24
        };
        log(format!("made fut34"));
        let fut34_out = fut34.await;
        fut34_out
        } > 5 { return 'b36: {
        logv!("value {}", n24);
        let c37 = move |v: u32| 4u32;
        3u32
        }; }
        let mut arr38 = [if n24 % 2 == 0 {
        log(format!("see {}", r30.name()));
        n24
        } else {
        log(format!("see {}", r30.name()));
        n24
        }, 6u32.wrapping_sub(6u32), 0u32];
        async move {
        9u32
        }.await;
        }
        } else {
        logv!("value {}", n24);
        let r39 = &Guard::new("t40");
        log(format!("see {}", r39.name()));
        }
        {
        let g41 = Guard::new("g42");
        let pair43 = (Guard::new("g44"), Guard::new("g45"));
        }
        3u32
        }
        async fn f(mut p0: u32) -> u32 {
        logv!("value {}", (step("s46", p0).await ^ 2u32));
        let mut i48 = 0u32;
        'l47: while i48 < 3 {
        i48 += 1;
        let mut p0 = i48;
        logv!("value {}", i48);
        let g49 = Guard::new("g50");
        }
        let n51 = p0;
        logv!("value {}", 5u32);
        let p0 = match Some(p0) { Some(x52) => {
        x52
        }, None => match match { let v = n51; if v % 2 == 0 { Some(v) } else { None } } { Some(x53) => {
        n51
        }, None => n51 } { 0 => h1(step("s56", Guard::new("g55")).await).await, x54 if x54 > 4 => x54, _ => {
        p0 = step("s57", 9u32).await;
        std::cmp::max(0u32, 1u32)
        } } };
        if step("s58", Guard::new("g59")).await.val() % 2 == 0 { return 1u32; }
        (if step("s60", Guard::new("g61")).await.val() % 2 == 0 {
        let c62 = move |v: u32| v;
        async move {
        logv!("value {}", 3u32);
        p0
        }.await
        } else {
        if async move {
        let n63 = n51;
        p0
        }.await % 2 == 0 {
        let (n64, g65) = (6u32, Guard::new("g66"));
        let fut67 = async move {
        log(format!("{} = {}", stringify!(p0), p0));
        p0
        };
        log(format!("made fut67"));
        let fut67_out = fut67.await;
        }
        (7u32 | 9u32)
        } | if 'b68: {
        let n69 = 8u32;
        let n70 = 5u32;
        n51
        } != 1 {
        h11().await
        } else {
        8u32
        })
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(3u32) }
    }

    /// A future written in two copies (a loop's entry and its back edge) whose `Other` copy
    /// the text shows before its `First` one, after a join point: `Copies`' output is a
    /// parameter of its own, inferred from either (E0282 before). The fuzzer's program as
    /// it was generated (seed 42, program 370).
    future_copies_in_text_order_after_a_join_point {
        pub trait GuardExt {
            fn opt(&self) -> Option<u32>;
        }
        impl GuardExt for Guard {
            fn opt(&self) -> Option<u32> {
                let n = self.name().len() as u32;
                if n % 2 == 0 { Some(n) } else { None }
            }
        }
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn h1(_: Guard, p1: &Guard, mut p2: u32) -> u32 {
        let p1 = move |v: u32| p2;
        let pair2 = (Guard::new("g3"), Guard::new("g4"));
        logv!("value {}", p2);
        let pair5 = (Guard::new("g6"), Guard::new("g7"));
        let g8 = step("s10", Guard::new("g9")).await;
        let mut arr11 = [p2, (p2 | match p2 { 0 => p2, x12 if x12 > 4 => p2, _ => {
        6u32
        } }).wrapping_sub(p2), 0u32];
        log(format!("{} = {}", stringify!(p2), p2));
        let pair13 = (g8, step("s15", Guard::new("g14")).await);
        p2
        }
        async fn f() -> u32 {
        let mut i17 = 0u32;
        'l16: loop {
        i17 += 1; if i17 > 1 { break; }
        let g18 = step("s20", Guard::new("g19")).await;
        logv!("value {}", match Guard::new("t21").opt() { Some(_) => {
        i17
        }, None => (4u32 | i17) });
        h1(Guard::new("g22"), &g18, i17).await;
        }
        logv!("value {}", 8u32);
        logv!("value {}", 6u32);
        logv!("value {}", (match Guard::new("t23").opt() { Some(x24) => {
        1u32
        }, None => 7u32 } | 3u32));
        let mut i26 = 0u32;
        'l25: loop {
        i26 += 1; if i26 > 2 { break; }
        let mut n27 = std::cmp::max(i26, 1u32);
        let fut28 = async move {
        step("s29", i26).await
        };
        log(format!("made fut28"));
        let fut28_out = fut28.await;
        let (n30, g31) = ('b32: {
        let mut n33 = 7u32;
        let n34 = 'b35: {
        let pair36 = (step("s38", Guard::new("g37")).await, step("s40", Guard::new("g39")).await);
        i26;
        let mut g41 = Guard::new("g42");
        fut28_out
        };
        'l43: for i44 in 0..2u32 {
        let n33 = i44;
        logv!("value {}", i26);
        logv!("value {}", 0u32);
        }
        h1(step("s46", Guard::new("g45")).await, &Guard::new("t47"), n27).await
        }, Guard::new("g48"));
        }
        4u32
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// A closure kept across an `.await`, after a `match` one of whose arms awaits a future
    /// given a `u32` argument by value: a copy, not a move (the argument's type is surely
    /// `Copy`), so the `match` joins and the closure is written once (the "kept across"
    /// error before). The fuzzer's program as generated (seed 43, program 152).
    closure_after_a_match_that_copies_a_copy_argument_into_an_await {
        pub struct LocalGuard(Guard, core::marker::PhantomData<*const ()>);
        impl LocalGuard {
            pub fn new(name: &str) -> LocalGuard {
                LocalGuard(Guard::new(name), core::marker::PhantomData)
            }
            pub fn val(&self) -> u32 {
                self.0.name().len() as u32
            }
        }
        pub trait GuardExt {
            fn val(&self) -> u32;
            fn opt(&self) -> Option<u32>;
            fn into_val(self) -> u32;
        }
        impl GuardExt for Guard {
            fn val(&self) -> u32 {
                log(format!("val {}", self.name()));
                self.name().len() as u32
            }
            fn opt(&self) -> Option<u32> {
                let n = self.name().len() as u32;
                if n % 2 == 0 { Some(n) } else { None }
            }
            fn into_val(self) -> u32 {
                log(format!("into {}", self.name()));
                self.name().len() as u32
            }
        }
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f(p0: Guard, mut p1: u32) -> u32 {
        let mut n1 = match p0.into_val() { 0 => step("s3", p1).await, x2 if x2 > 4 => Guard::new("t4").val(), _ => {
        {
        let Some(v5) = (None::<u32>) else { return match Guard::new("t6").opt() { Some(x7) => {
        1u32
        }, None => p1 }; };
        let mut g8 = Guard::new("g9");
        }
        9u32
        } };
        let c10 = move |v: u32| n1;
        let Some(v11) = (Guard::new("t12").opt()) else { return Guard::new("t13").val(); };
        p1 = match 7u32 { 0 => 4u32.max(p1), x14 if x14 > 4 => LocalGuard::new("t15").val(), _ => {
        logv!("inline {n1}");
        n1
        } }.wrapping_sub(v11);
        logv!("inline {v11}");
        let mut n16 = 'b17: {
        p1 |= v11;
        logv!("value {}", v11);
        let mut i19 = 0u32;
        'l18: loop {
        i19 += 1; if i19 > 2 { break; }
        if p1 % 2 == 0 {
        logv!("value {}", 7u32);
        logv!("value {}", 0u32);
        }
        n1 = 'b20: {
        let mut c10 = [p1, p1, 0u32];
        p1
        };
        }
        async move {
        4u32
        }.await
        };
        n16 += (n1 % 8);
        v11
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(Guard::new("arg0"), 4u32) }
    }

    /// An argument given a new value after an `.await` inside the `if` that a `let` shadowing
    /// it binds, so dead after the `if`, with a closure kept across a later `.await` (so the
    /// code after the `if` is written once, after a join point, which does not hand the dead
    /// local over): the arm that resumes did not declare it, and `p = ..` named the fn's
    /// argument, which the machine's closure had captured (E0594). Fuzz seed 4646, #1385.
    assigned_after_an_await_inside_a_joined_if_and_dead_after_it {
        async fn f(mut p: u32, k: u32) -> u32 {
            let p = if (match step("c", Some(k)).await {
                Some(_) => 1,
                None => p,
            } ^ k) != 3
            {
                0
            } else {
                p = step("a", k + 1).await;
                p
            };
            let c = move |v: u32| v + 1;
            c(step("b", p).await)
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(1, 2).await + f(1, 5).await }
        }
    }

    /// A local assigned only after a `match` with a join point, and declared without a value
    /// where its arms resume: the join point declares it after the `match`. Declaring it in
    /// each arm too (the fix for the case above, at first) left a declaration nothing
    /// assigns, whose type rustc cannot infer (E0282). Fuzz seed 5757, #3335 and #3412.
    assigned_after_a_joined_match_is_declared_once {
        async fn f(mut p0: u32, p1: u32) -> u32 {
            {
                p0 ^= step("z", 8u32).await;
                let (_n, _g) = (
                    match p0 { 0 => p0, x if x > 4 => 6u32, _ => p1 }.max(p0),
                    step("g", Guard::new("g")).await,
                );
            }
            let n = match p1 {
                0 => 9u32,
                x if x > 4 => step("a", x).await | x,
                _ => step("b", p1).await,
            };
            p0 = match n {
                0 => 9u32,
                x if x > 4 => 6u32,
                _ => step("c", 6u32).await.wrapping_add(2),
            };
            p0 + p1
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(1, 0).await + f(1, 2).await + f(1, 5).await }
        }
    }

    /// `n` is moved before the `.await`s in the inner `if` (by `n % 2`) and assigned again,
    /// dead, after the outer one; a branch binds another `n`: the resume arm declared the
    /// outer `n` without a value (`let mut n;`) because its code names `n`, though it never
    /// assigns it (E0282: no type). A declaration is now written only where the code assigns
    /// it. Fuzzer, seed 2121, program 2277.
    local_assigned_after_a_branch_that_binds_its_name_again {
        #[allow(unused_assignments)]
        async fn f(k: u32) -> u32 {
            let mut n = step("a", k).await;
            if step("b", k).await % 2 == 0 {
                let m = if n % 2 == 0 {
                    let (n, g) = (1u32, step("c", Guard::new("g")).await);
                    step("d", n + g.name().len() as u32).await
                } else {
                    n
                };
                log(format!("m {m}"));
            }
            n = 8;
            k
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(2).await + f(3).await }
        }
    }

    /// A part of `p` is moved inside a branch that suspends, and another part is used after
    /// it: `p` is not whole at the join point, so it cannot be handed over there (E0382, "use
    /// of partially moved value"). The code after the `if` is written in each arm instead.
    /// Fuzzer, seed 2121, program 8375.
    part_moved_in_a_branch_another_used_after_it {
        async fn f(k: u32) -> usize {
            let p = (Guard::new("a"), Guard::new("b"));
            if step("c", k).await % 2 == 0 {
                step("s", ()).await;
                let x = p.0;
                log(format!("took {}", x.name()));
            } else {
                log("else");
            }
            let b = p.1;
            b.name().len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            async { f(2).await + f(3).await }
        }
    }
}
