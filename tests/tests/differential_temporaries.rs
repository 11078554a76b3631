//! Differential cases: where the temporaries of a statement are dropped, position by position
//! (Rust Reference, "Destructors": temporary scopes). Each case is a program from the fuzzer
//! (`tests/fuzz`), shrunk, that ran differently before the fix it names.
use clockwork_tests::differential;

differential! {
    /// A method's receiver made in an operand before an `.await` lives to the end of the
    /// statement, across the `.await`, even when the method returns an owned value (`len()`);
    /// it was dropped before the `.await`.
    receiver_of_owned_result_lives_across_later_await {
        async fn f() -> usize {
            let n = Guard::new("t").name().len() + step("s", 1usize).await;
            log("after");
            n
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// A temporary receiver borrowed mutably (`iter_mut`) is bound `mut` (E0596 before).
    receiver_borrowed_mutably_before_await {
        async fn f() -> usize {
            vec![Guard::new("a"), Guard::new("b")].iter_mut().count() + step("s", 1usize).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// An `if` condition is a temporary scope: the awaited guard in the condition is dropped
    /// before a branch runs (it was dropped after the whole `if`).
    if_condition_temporaries_drop_before_the_branch {
        async fn f() -> u32 {
            if step("c", Guard::new("g")).await.name().len() != 3 {
                log("then");
            } else {
                let _r = &Guard::new("t");
            }
            if step("c2", Guard::new("h")).await.name().len() == 1 {
                step("then", 1u32).await
            } else {
                step("else", 2u32).await
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// `if let P = ..await..`: the awaited value is dropped before the `else` block runs
    /// (edition 2024), and lives through the then-block.
    if_let_awaited_scrutinee_drops_before_else {
        async fn f(k: u32) -> u32 {
            if let Some(x) = step("s", Guard::new(format!("g{k}"))).await.name().find('1') {
                log("then");
                step("t", x as u32).await
            } else {
                log("else");
                step("e", 2u32).await
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(1).await + f(2).await }
        }
    }

    /// A `match` scrutinee is not a temporary scope: a `match` used as an operand keeps the
    /// scrutinee's temporaries to the end of the statement, across a later operand's `.await`.
    match_operand_scrutinee_lives_across_later_await {
        async fn f() -> u32 {
            let arr = [
                match Guard::new("t").name().len() {
                    1 => 1u32,
                    _ => 2u32,
                },
                step("s", Guard::new("g")).await.name().len() as u32,
            ];
            arr[0] + arr[1]
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// `let r = &make();` extends the temporary to the end of the block, whether or not `r` is
    /// used after the next `.await` (it was dropped before the `.await` when `r` was not).
    /// Fuzzer, seed 5, programs 43 and 90.
    extended_temporary_lives_to_the_end_of_the_block {
        async fn f() -> u32 {
            let _a = Guard::new("a");
            let r = &Guard::new("t");
            let (n, r) = (1u32, step("s", Guard::new("g")).await);
            let kept = &mut Guard::new("m");
            step("s2", ()).await;
            log(kept.name().to_string());
            n + r.name().len() as u32
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// Arguments are evaluated left to right: binding the temporary of a later `&make()`
    /// argument made it before the earlier arguments (`b` before `a`). Fuzzer, seed 5,
    /// program 47.
    arguments_evaluated_in_order_around_a_bound_temporary {
        async fn h(a: Guard, b: &Guard, c: Guard) -> usize {
            step("h", ()).await;
            a.name().len() + b.name().len() + c.name().len()
        }
        async fn f() -> usize {
            let n = h(Guard::new("a"), &Guard::new("b"), Guard::new("c")).await;
            let pair = (Guard::new("x"), &Guard::new("y"));
            step("s", ()).await;
            n + pair.0.name().len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// `v[i % 3] += x.await`: the place stays a place. It was bound as a value (`let tmp =
    /// v[..]; tmp += awaited`), which changed a copy (E0384 only because the copy was not
    /// `mut`). Fuzzer, seed 5, program 298.
    compound_assignment_to_an_indexed_place_with_an_await {
        async fn f(k: u32) -> u32 {
            let mut v = [1u32, 2, 3];
            v[(k % 3) as usize] += step("s", 5u32).await % 8;
            v[k as usize - 3] += step("t", 1u32).await;
            v[0] + v[1] + v[2]
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(4) }
    }

    /// A `match` inside a larger expression whose scrutinee awaits: the awaited value (the
    /// receiver of `.name()`) lives to the end of the statement, not of the `match`; it dropped
    /// before the next operand was made. Fuzzer, seed 1, programs 18 and 58.
    match_operand_with_awaiting_scrutinee_keeps_its_temporaries {
        async fn f() -> usize {
            let (n, _g) = (
                match step("s", Guard::new("a")).await.name().len() {
                    0 => 1usize,
                    k if k > 4 => 2,
                    _ => 3,
                },
                Guard::new("b"),
            );
            let m = step("t", Some(match step("u", Guard::new("c")).await.name().len() {
                0 => 1usize,
                _ => 2,
            }))
            .await;
            n + m.unwrap_or(0)
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// A `match` inside an awaited expression whose arm awaits: the scrutinee's temporary
    /// lives to the end of the statement, across the outer `.await`. Fuzzer, seed 5, program 44.
    match_with_awaiting_arm_inside_awaited_expression {
        async fn f() -> usize {
            step("outer", match Guard::new("t").name().len() {
                2 => 1usize,
                _ => step("arm", 2usize).await,
            })
            .await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// `Ok(make().val())?` in an awaited expression: `?` is no temporary scope, so the
    /// temporary lives across the `.await` (it dropped before it). Fuzzer, seed 1, program 190.
    temporary_under_question_mark_in_awaited_expression {
        async fn f(ok: bool) -> Result<usize, String> {
            let n = step(
                "s",
                Ok::<usize, String>(
                    if ok { Ok(Guard::new("t").name().len()) } else { Err(String::from("no")) }?,
                ),
            )
            .await?;
            let m = step("t", [Guard::new("a").name().len(), Guard::new("b").name().len()]).await;
            Ok(n + m[0] + m[1])
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<usize, String>, Result<usize, String>)> {
            async { (f(true).await, f(false).await) }
        }
    }

    /// A local moved in the `else` of a `let`-`else` (which returns) is moved on that path only:
    /// on the path that goes on it lives to the end of its scope (it dropped at the next
    /// `.await`). Fuzzer, seed 1, program 75.
    let_else_else_block_moves_only_on_its_path {
        trait IntoLen { fn into_len(self) -> u32; }
        impl IntoLen for Guard { fn into_len(self) -> u32 { self.name().len() as u32 } }
        async fn f(k: u32, (n, g): (u32, Guard)) -> u32 {
            let Some(v) = step("s", if k > 0 { Some(n) } else { None }).await else {
                return g.into_len();
            };
            {
                let _inner = Guard::new("inner");
                step("t", ()).await;
            }
            v
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(1, (3, Guard::new("a"))).await + f(0, (4, Guard::new("b"))).await }
        }
    }

    /// `place op= value` on primitives evaluates the value first, then the place (Reference,
    /// "Compound assignment expressions"): the index's call ran before the `.await` of the
    /// value, and an awaiting index ran before the value's call. Fuzzer, seed 2, programs 424
    /// and 186 (class 6).
    compound_assignment_evaluates_the_value_before_the_place {
        async fn f(g: Guard) -> u32 {
            let mut v = [1u32, 2, 3];
            v[(g.name().len() % 3) as usize] ^= step("s", 1u32).await;
            v[(step("t", 4u32).await % 3) as usize] |= { log("value"); 8 };
            v[0] + v[1] + v[2]
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(Guard::new("g")) }
    }

    /// Dropped half-way, a statement drops the operands it has evaluated (the last first)
    /// before its other temporaries (Reference, "Destructors": operands, temporary scopes):
    /// the awaited guard whose method an operand calls is such a temporary, made after the
    /// first argument, and it was dropped before it. Fuzzer, seed 7, program 364.
    operands_drop_before_a_later_statement_temporary {
        async fn h(a: Guard, b: (u32, Guard), c: Guard) -> u32 {
            drop((a, b, c));
            1
        }
        async fn f() -> u32 {
            h(
                step("s1", Guard::new("a")).await,
                (step("s2", Guard::new("t")).await.name().len() as u32, Guard::new("b")),
                step("s3", Guard::new("c")).await,
            )
            .await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// An operand that moves a local inside a tuple (`(1, g)`) moves it before a later
    /// argument's `.await`: dropped half-way, it goes with the operands, before the locals. It
    /// stayed in the local. Fuzzer, seed 3, program 127.
    tuple_operand_moves_its_local_before_a_later_await {
        async fn h(a: (u32, Guard), b: (u32, Guard), c: u32) -> u32 {
            drop((a, b));
            c
        }
        async fn f() -> u32 {
            let (n, g) = (1u32, step("s1", Guard::new("g")).await);
            h((n, Guard::new("first")), (1u32, g), step("s2", Guard::new("c")).await.name().len() as u32)
                .await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// The same in an `if` condition, its own temporary scope: the operand `Guard::new("a")`
    /// drops before the receiver's temporary. Fuzzer, seed 11, program 778.
    operands_drop_before_a_statement_temporary_in_a_condition {
        async fn h(a: Guard, n: usize, c: Guard) -> u32 {
            drop((a, c));
            n as u32
        }
        async fn f() -> u32 {
            if h(Guard::new("a"), Guard::new("t").name().len(), step("s", Guard::new("c")).await)
                .await
                != 2
            {
                return 1;
            }
            2
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// A reference to an extended temporary (`let r = &Guard::new(..);`) copied into an
    /// operand before an `.await` (`h(x, r, f().await)`) still borrows the temporary, which
    /// gets a fixed home; the copy's borrow was not seen (E0505/E0716). Fuzzer, seed 11,
    /// program 98.
    copied_reference_to_an_extended_temporary {
        async fn h(a: u32, r: &Guard, g: Guard) -> u32 {
            a + r.name().len() as u32 + g.name().len() as u32
        }
        async fn f(k: u32) -> u32 {
            let r = &Guard::new("t");
            match k {
                x if x > 4 => h(x, r, step("s", Guard::new("g")).await).await,
                _ => {
                    log(format!("see {}", r.name()));
                    step("e", 1u32).await
                }
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(7).await + f(1).await }
        }
    }

    /// `&[.., n, ..]` and `&(g, n)` hold locals' values: temporaries extended to the end of
    /// the block, not constants rustc promotes (`&[1, 2, MAX]` is). Kept across `.await`s
    /// with the reference (tokio-util's `let delays = &[1000, 2, 234, long, 60, 10];`; was
    /// E0716), and the tuple's guard drops at the block's end, after `later`.
    array_and_tuple_of_locals_behind_a_reference_are_extended {
        const MAX: u32 = 9;
        async fn f() -> u32 {
            let long = step("long", 40u32).await;
            let delays = &[1, long, 3];
            let consts = &[1, 2, MAX];
            let g = Guard::new("g");
            let pair = &(g, long);
            let later = Guard::new("later");
            let k = step("k", 2u32).await;
            let mut total = 0;
            for &d in delays {
                total += d + step("d", k).await;
            }
            drop(later);
            total + consts[2] + pair.1 + pair.0.name().len() as u32
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// Receivers the statement makes, for methods the transform does not know: taken to need
    /// `&mut` (`OpenOptions::new().read(true).open(..).await`, `Bridge::new(..).into_inner()
    /// .read_to_end(&mut buf).await`: tokio-util's tests, E0596 were they bound without `mut`).
    /// `read(true)` with an argument is not a lock's guard.
    unknown_methods_on_temporaries_may_borrow_them_mutably {
        pub struct Options { pub flags: u32, pub _g: Guard }
        impl Options {
            pub fn new() -> Options { Options { flags: 0, _g: Guard::new("options") } }
            pub fn read(&mut self, on: bool) -> &mut Self { self.flags |= u32::from(on); self }
            pub fn write(&mut self, on: bool) -> &mut Self { self.flags |= 2 * u32::from(on); self }
            pub fn open(&self, name: &'static str) -> Step<u32> { step(name, self.flags) }
        }
        pub struct Reader(pub Vec<u32>, pub Guard);
        impl Reader {
            pub fn read_to_end<'a>(
                &'a mut self,
                buf: &'a mut Vec<u32>,
            ) -> impl core::future::Future<Output = usize> + 'a {
                async move {
                    buf.append(&mut self.0);
                    step("read", buf.len()).await
                }
            }
        }
        pub struct Bridge(pub Reader);
        impl Bridge {
            pub fn into_inner(self) -> Reader { self.0 }
        }
        async fn f() -> u32 {
            let flags = Options::new().read(true).write(true).open("open").await;
            let mut buf = Vec::new();
            let n = Bridge(Reader(vec![4, 5], Guard::new("reader")))
                .into_inner()
                .read_to_end(&mut buf)
                .await;
            flags + n as u32 + buf.iter().sum::<u32>()
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// A `match` scrutinee with an `.await` in it: what it makes after the `.await` (`Guard::new
    /// ("t")` in the nested `match`) lives to the end of the `match` too, across an arm's
    /// suspension, not only the awaited value (fuzz seeds 9001 #1414 and 7777 #1430).
    temporaries_made_after_an_await_in_a_scrutinee_live_through_the_arms {
        pub fn pick(g: &Guard) -> Option<u32> { Some(g.name().len() as u32) }
        async fn f(p0: u32) -> u32 {
            let v = match step("s", Guard::new("g")).await.name().len() as u32
                ^ match pick(&Guard::new("t")) {
                    Some(_) => 1,
                    None => p0,
                } {
                x if x > 1 => {
                    async move {
                        log(format!("x {x}"));
                        p0
                    }
                    .await
                }
                _ => step("other", 3).await,
            };
            v
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(5) }
    }

    /// An operand evaluated before a later `.await` of its call that also moves a local
    /// (`(make().val(), g)`): its own temporaries live to the end of the statement, after the
    /// `.await` (fuzz seed 9001 #3598).
    temporaries_inside_an_operand_that_moves_a_local {
        pub fn len(g: &Guard) -> u32 { g.name().len() as u32 }
        pub fn keep<T, U>(t: T, _u: U) -> T { t }
        async fn f(g: Guard) -> u32 {
            let pair = keep((len(&Guard::new("inner")), g), step("s", 3u32).await);
            log("after");
            pair.0
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(Guard::new("arg")) }
    }

    /// Methods of unknown `self` on temporaries, in statements that await: `with` and `run`
    /// take the builder by value, `peek`, `look` and `make` borrow it (`look`'s future borrows
    /// it too). Each statement runs whole as an island (`statement_island.rs`), where rustc
    /// settles each call: a temporary the method borrows drops where the statement ends
    /// (`peek`'s after the second `.await` of its statement, `make`'s after the value the
    /// statement drops). Held in slots, `with(self)` was E0507 (tokio-graceful-shutdown's
    /// `Toplevel::new(..).catch_signals().handle_shutdown_requests(..).await`).
    unknown_methods_on_temporaries_settled_by_rustc_in_an_island {
        pub struct Builder { pub g: Guard, pub n: u32 }
        impl Builder {
            pub fn new(n: u32) -> Builder { Builder { g: Guard::new(format!("builder {n}")), n } }
            pub fn with(mut self, k: u32) -> Builder { self.n += k; self }
            pub fn run(self) -> Step<u32> { step("run", self.n) }
            pub fn peek(&self) -> Step<u32> { step("peek", self.n) }
            pub async fn look(&self, k: u32) -> u32 { step("look", self.n + k).await }
            pub fn make(&self) -> Step<Guard> { step("make", Guard::new("made")) }
        }
        async fn f() -> u32 {
            let a = Builder::new(1).with(2).run().await;
            let b = Builder::new(a).peek().await + step("after", 1).await;
            Builder::new(b).make().await;
            let (c, _) = (Builder::new(b).with(1).look(3).await, Guard::new("pair"));
            c + Builder::new(c).look(1).await
        }
        async fn tail(n: u32) -> u32 {
            step("first", ()).await;
            Builder::new(n).with(1).look(2).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f().await + tail(7).await }
        }
    }

    /// The condition of an `if` or `while` with a method of unknown `self` on a temporary
    /// (`if counter(..).cancel_on_shutdown(subsys).await.is_ok()`, tokio-graceful-shutdown's
    /// examples): the condition alone runs as an island, a temporary scope of its own, and
    /// the branches stay states. `checked` borrows its builder, which drops when the
    /// condition ends, before the branch; `with` takes it by value (E0507 in a slot).
    unknown_methods_on_temporaries_in_conditions {
        pub struct Builder { pub g: Guard, pub n: u32 }
        impl Builder {
            pub fn new(n: u32) -> Builder { Builder { g: Guard::new(format!("builder {n}")), n } }
            pub fn with(mut self, k: u32) -> Builder { self.n += k; self }
            pub fn run(self) -> Step<u32> { step("run", self.n) }
            pub fn checked(&self) -> Step<bool> { step("checked", self.n < 4) }
        }
        async fn f(mut n: u32) -> u32 {
            if Builder::new(n).with(1).run().await > 2 {
                n += step("big", 10).await;
            } else if Builder::new(n).checked().await {
                n += step("small", 1).await;
            }
            while Builder::new(n).checked().await {
                n = step("grow", n + 1).await;
            }
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(0).await + f(1).await + f(5).await }
        }
    }
}
