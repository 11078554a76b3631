//! Differential cases: drop order of locals, arguments, temporaries and sub-futures, on completion
//! and on cancellation at every poll (the harness cancels at each point).
use clockwork_tests::differential;

differential! {
    nested_scopes_many_guards {
        async fn f() -> u32 {
            let a = Guard::new("a");
            let mut n = step("s1", 1u32).await;
            {
                let b = Guard::new("b");
                let c = Guard::new("c");
                n += step("s2", 2u32).await;
                {
                    let _d = Guard::new("d");
                    n += step("s3", 3u32).await;
                    log(c.name().to_string());
                }
                let _e = Guard::new("e");
                n += step("s4", 4u32).await;
                drop(b);
            }
            let _f = Guard::new("f");
            n += step("s5", 5u32).await;
            log(a.name().to_string());
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    guards_in_loop_bodies {
        async fn f() -> u32 {
            let _outer = Guard::new("outer");
            let mut total = 0;
            for i in 0..3u32 {
                let _a = Guard::new(format!("a{i}"));
                total += step("x", i).await;
                let b = Guard::new(format!("b{i}"));
                if i == 1 { continue; }
                total += step("y", 10u32).await;
                drop(b);
            }
            total
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    temporaries_in_awaited_statement {
        async fn read(s: &str) -> usize { step("read", ()).await; s.len() }
        async fn f() -> usize {
            let a = read(Guard::new("t1").name()).await;
            log("between");
            let b = read(Guard::new("t2").name()).await + read(Guard::new("t3").name()).await;
            read(&Guard::new("t4").0).await;
            a + b
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    guard_moved_into_subfuture {
        async fn consume(g: Guard, n: u32) -> u32 {
            let v = step("consume", n).await;
            log(format!("consumed {}", g.name()));
            v
        }
        async fn f() -> u32 {
            let g = Guard::new("g");
            let h = Guard::new("h");
            let a = consume(g, 1).await;
            let b = consume(Guard::new("inline"), 2).await;
            let fut = consume(h, 3);
            let _later = Guard::new("later");
            a + b + fut.await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    explicit_drop_between_awaits {
        async fn f() -> u32 {
            let a = Guard::new("a");
            let b = Guard::new("b");
            let x = step("s1", 1u32).await;
            drop(b);
            let y = step("s2", 2u32).await;
            drop(a);
            let z = step("s3", 3u32).await;
            x + y + z
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    reassign_guard_drops_old {
        async fn f() -> String {
            let mut g = Guard::new("first");
            step("s1", ()).await;
            log(g.name().to_string());
            g = Guard::new("second");
            step("s2", ()).await;
            log(g.name().to_string());
            log("before third");
            g = step("make", ()).await.then_guard();
            g.name().to_string()
        }
        pub trait ThenGuard { fn then_guard(self) -> Guard; }
        impl ThenGuard for () { fn then_guard(self) -> Guard { Guard::new("third") } }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    option_guard_take {
        async fn f() -> bool {
            let mut slot = Some(Guard::new("slot"));
            step("s1", ()).await;
            let taken = slot.take();
            step("s2", ()).await;
            drop(taken);
            slot = Some(Guard::new("refill"));
            step("s3", ()).await;
            slot.is_some()
        }
        pub fn entry() -> impl core::future::Future<Output = bool> { f() }
    }

    wildcard_let_drops_immediately {
        async fn f() -> u32 {
            let _ = Guard::new("dropped now");
            let _kept = Guard::new("kept");
            let _ = step("s1", Guard::new("awaited wildcard")).await;
            let n = step("s2", 2u32).await;
            let _also = step("s3", Guard::new("awaited kept")).await;
            n + step("s4", 1u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    tail_expression_temporaries {
        async fn read(s: &str) -> usize { step("read", ()).await; s.len() }
        async fn f() -> usize {
            let _local = Guard::new("local");
            step("first", ()).await;
            read(Guard::new("tail temp").name()).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    block_initializer_with_await {
        async fn f() -> u32 {
            let _a = Guard::new("a");
            let v = {
                let _inner = Guard::new("inner");
                let x = step("x", 4u32).await;
                let _inner2 = Guard::new("inner2");
                x + step("y", 5u32).await
            };
            log("after block");
            v + step("z", 1u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    vec_of_guards_popped {
        async fn f() -> usize {
            let mut v = vec![Guard::new("v1"), Guard::new("v2"), Guard::new("v3")];
            let mut n = 0;
            while let Some(g) = v.pop() {
                n += step("pop", 1usize).await;
                if g.name() == "v2" { break; }
            }
            n + v.len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    guard_in_if_condition_temporary {
        fn make(name: &str) -> Guard { Guard::new(name) }
        async fn f(s: &'static str) -> u32 {
            if make("cond").name() == s {
                log("then");
                step("then", 1u32).await
            } else {
                log("else");
                step("else", 2u32).await
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { async { f("cond").await + f("x").await } }
    }

    guards_returned_out {
        async fn make(name: &'static str) -> Guard { step(name, ()).await; Guard::new(name) }
        async fn f() -> Vec<Guard> {
            let a = make("ra").await;
            let _b = make("rb_dropped").await;
            let c = make("rc").await;
            vec![c, a]
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { async { let v = f().await; log("got vec"); v.len() } }
    }

    drop_order_of_state_fields {
        async fn f() -> u32 {
            let a = Guard::new("first declared");
            let b = Guard::new("second declared");
            let c = Guard::new("third declared");
            let n = step("s", 1u32).await;
            log(format!("{}{}{}", a.name().len(), b.name().len(), c.name().len()));
            let m = step("t", 2u32).await;
            n + m
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    pending_subfuture_dropped_with_guards {
        async fn slow(g: Guard) -> usize {
            step("slow1", ()).await;
            step("slow2", ()).await;
            g.name().len()
        }
        async fn f() -> usize {
            let _mine = Guard::new("mine");
            let a = slow(Guard::new("sub1")).await;
            let b = slow(Guard::new("sub2")).await;
            a + b
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    guard_params_wildcard_and_unused {
        async fn f(a: Guard, _: Guard, _unused: Guard, n: u32) -> u32 {
            let m = step("s", n).await;
            log(a.name().to_string());
            drop(a);
            m + step("t", 1u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            f(Guard::new("a"), Guard::new("wild"), Guard::new("unused"), 5)
        }
    }

    option_guard_param_moved_in_if_let {
        async fn keep(g: Guard) -> usize { step("keep", ()).await; g.name().len() }
        async fn f(opt: Option<Guard>, n: u32) -> usize {
            let _local = Guard::new(format!("local{n}"));
            let r = if let Some(g) = opt { keep(g).await } else { step("none", 0usize).await };
            log("after");
            r
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            async { f(Some(Guard::new("given")), 1).await + f(None, 2).await }
        }
    }

    large_array_across_awaits {
        async fn f() -> u32 {
            let mut buf = [0u8; 512];
            for i in 0..3usize {
                buf[i * 100] = step("fill", i as u8 + 1).await;
            }
            let _g = Guard::new("g");
            step("end", ()).await;
            buf.iter().map(|&b| b as u32).sum()
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    unpolled_subfuture_dropped {
        async fn sub(g: Guard) -> u32 { step("sub", ()).await; g.name().len() as u32 }
        async fn f() -> u32 {
            let a = sub(Guard::new("never polled"));
            let b = sub(Guard::new("polled"));
            let n = step("s", 1u32).await;
            drop(a);
            n + b.await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    guard_in_match_arm_block {
        async fn f(k: u32) -> String {
            let _outer = Guard::new("outer");
            let s = match k {
                0 => { let g = Guard::new("arm0"); step("a0", ()).await; g.name().to_string() }
                _ => { let _g = Guard::new("arm1"); let t = step("a1", String::from("x")).await; t }
            };
            log(format!("got {s}"));
            s
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> { async { (f(0).await, f(1).await) } }
    }

    tail_temporary_dropped_before_locals {
        fn make(name: &str) -> Guard { Guard::new(name) }
        async fn f() -> usize {
            let _local = Guard::new("local");
            step("s", ()).await;
            make("tail temp").name().len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    while_condition_temporary {
        fn make(name: &str) -> Guard { Guard::new(name) }
        async fn f() -> usize {
            let mut i = 0;
            while make("cond").name().len() > i {
                step("body", ()).await;
                i += 2;
            }
            i
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    unused_params_drop_order {
        async fn f(_a: Guard, _b: Guard, _c: Guard) -> u32 {
            let _local = Guard::new("local");
            step("s", 1u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(Guard::new("a"), Guard::new("b"), Guard::new("c")) }
    }

    break_guard_out_of_loop {
        async fn f() -> String {
            let mut i = 0;
            let g = loop {
                let g = Guard::new(format!("cand{i}"));
                i += 1;
                if step("check", i == 3).await { break g; }
            };
            step("after", ()).await;
            g.name().to_string()
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    question_drops_statement_temporary {
        fn make(name: &str) -> Guard { Guard::new(name) }
        async fn check(s: &str, ok: bool) -> Result<usize, String> { step("check", ()).await; if ok { Ok(s.len()) } else { Err(format!("bad {s}")) } }
        async fn f(ok: bool) -> Result<usize, String> {
            let _l = Guard::new("local");
            let n = check(make("tmp").name(), ok).await?;
            log("after ?");
            Ok(n)
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<usize, String>, Result<usize, String>)> {
            async { (f(true).await, f(false).await) }
        }
    }

    copy_values_used_after_copying {
        #[derive(Clone, Copy, Debug)]
        pub struct P { pub x: u32 }
        async fn f() -> u32 {
            let x = 5u32;
            let p = P { x: 7 };
            let y = x;
            let q = p;
            let s = "str";
            let t = s;
            step("s", ()).await;
            x + y + p.x + q.x + s.len() as u32 + t.len() as u32
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    closure_moves_copy_value_used_later {
        async fn f() -> u32 {
            let k = 3u32;
            let add = move |v: u32| v + k;
            let a = add(step("a", 1u32).await);
            a + k
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    shadowed_guard_lives_to_scope_end {
        async fn f() -> u32 {
            let g = Guard::new("g1");
            let n = step("a", 1u32).await;
            let g = Guard::new(format!("g2 after {}", g.name()));
            let m = step("b", 2u32).await;
            let _g = g;
            let k = step("c", 3u32).await;
            n + m + k
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    shadowed_unmentioned_guard {
        async fn f() -> u32 {
            let _g = Guard::new("g1");
            let n = step("a", 1u32).await;
            let _g = Guard::new("g2");
            let m = step("b", 2u32).await;
            log(_g.name().to_string());
            n + m
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    loop_carried_guard_reassignment {
        async fn f() -> String {
            let mut prev = Guard::new("g0");
            for i in 1..4u32 {
                let next = Guard::new(format!("g{i}"));
                step("s", ()).await;
                prev = next;
                log(format!("now {}", prev.name()));
            }
            prev.name().to_string()
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    interleaved_declarations_reverse_drop {
        async fn f() -> u32 {
            let _a = Guard::new("a");
            let x = step("s1", 1u32).await;
            let _b = Guard::new("b");
            let y = step("s2", 2u32).await;
            let _c = Guard::new("c");
            let z = step("s3", 3u32).await;
            let _d = Guard::new("d");
            x + y + z
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    swap_guards_across_awaits {
        async fn f() -> (String, String) {
            let mut a = Guard::new("A");
            let mut b = Guard::new("B");
            step("s1", ()).await;
            core::mem::swap(&mut a, &mut b);
            step("s2", ()).await;
            drop(a);
            step("s3", ()).await;
            (b.name().to_string(), String::from("done"))
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> { f() }
    }

    option_guard_reassigned_in_loop {
        async fn f() -> Option<String> {
            let mut slot: Option<Guard> = None;
            for i in 0..3u32 {
                let v = step("v", i).await;
                if v % 2 == 0 { slot = Some(Guard::new(format!("slot{v}"))); }
            }
            slot.map(|g| g.name().to_string())
        }
        pub fn entry() -> impl core::future::Future<Output = Option<String>> { f() }
    }

    closure_capturing_guard_called_after_await {
        async fn f() -> usize {
            let g = Guard::new("captured");
            let describe = move || g.name().len();
            let n = step("s", 1usize).await;
            let m = describe();
            log("called");
            step("t", ()).await;
            drop(describe);
            n + m
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    if_without_else_with_guard {
        async fn f(c: bool) -> u32 {
            let mut n = 0;
            if c {
                let _g = Guard::new("in if");
                n += step("if", 1u32).await;
            }
            let _h = Guard::new("after if");
            n + step("end", 2u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { async { f(true).await + f(false).await } }
    }

    return_from_loop_in_match_drops_all {
        async fn f(k: u32) -> u32 {
            let _a = Guard::new("a");
            match k {
                0 => 0,
                _ => {
                    let _b = Guard::new("b");
                    let mut i = 0;
                    loop {
                        let _c = Guard::new(format!("c{i}"));
                        i += step("i", 1u32).await;
                        if i == k { return i * 100; }
                    }
                }
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> { async { (f(0).await, f(2).await) } }
    }

    guard_moved_then_reinitialized {
        async fn consume(g: Guard) { step("consume", ()).await; drop(g); }
        async fn f() -> String {
            let mut g = Guard::new("first");
            consume(g).await;
            g = Guard::new("second");
            step("s", ()).await;
            g.name().to_string()
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    let_underscore_of_local_does_not_move {
        async fn f() -> u32 {
            let g = Guard::new("g");
            let _ = g;
            let n = step("s", 1u32).await;
            log("after await");
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    match_wildcard_on_local_does_not_move {
        async fn f() -> u32 {
            let g = Guard::new("g");
            match g { _ => log("matched") }
            let n = step("s", 1u32).await;
            log("after await");
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    match_scrutinee_temporary_lives_through_arm {
        fn make(name: &str) -> Guard { Guard::new(name) }
        async fn f() -> usize {
            let n = match make("scrut").name().len() {
                5 => { log("five"); step("five", 5usize).await }
                n => n,
            };
            log("after match");
            n
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    operand_temporary_lives_across_await {
        fn make(name: &str) -> Guard { Guard::new(name) }
        async fn f() -> usize {
            let n = make("t1").name().len() + step("s", 1usize).await;
            log("next statement");
            let m = step("s2", 2usize).await * make("t2").name().len();
            n + m
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    if_let_scrutinee_temporary_edition_2024 {
        fn make(name: &str) -> Guard { Guard::new(name) }
        async fn f(k: usize) -> usize {
            if let Some(n) = make("cond").name().len().checked_sub(k) {
                log("then");
                step("then", n).await
            } else {
                log("else");
                step("else", 0usize).await
            }
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { async { f(1).await + f(10).await } }
    }

    mutex_guard_temporary_held_across_await {
        async fn f(m: &std::sync::Mutex<Vec<u32>>) -> usize {
            // rustc keeps the guard (a temporary of the statement) across the await: the future
            // is not Send, and the lock is released only after the statement.
            m.lock().unwrap().len() + step("len", 1usize).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            async {
                let m = std::sync::Mutex::new(vec![1, 2, 3]);
                f(&m).await
            }
        }
    }

    panic_with_statement_temporary_alive {
        fn make(name: &str) -> Guard { Guard::new(name) }
        fn combine(a: &str, b: u32) -> usize { a.len() + b as usize }
        async fn f() -> usize {
            let _l = Guard::new("local");
            let x = step("s", 1usize).await;
            x + combine(make("temp").name(), Boom("mid").await)
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    guard_args_by_value_and_wildcards {
        async fn f(a: Guard, _: Guard, _unused: Guard, (b, _): (Guard, Guard), n: u32) -> u32 {
            let m = step("s", n).await;
            log(format!("{} {}", a.name(), b.name()));
            drop(a);
            m + step("t", 1u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            f(Guard::new("a"), Guard::new("wild"), Guard::new("unused"), (Guard::new("b"), Guard::new("tuple_wild")), 5)
        }
    }

    move_closure_captures_one_field {
        pub struct Pair { pub a: Guard, pub b: Guard }
        async fn f() -> usize {
            let p = Pair { a: Guard::new("pa"), b: Guard::new("pb") };
            let c = move || p.a.name().len();
            let n = step("s", c()).await;
            log("after await");
            n
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    // The closure is kept across the `.await` and called after it; it takes both fields, so
    // nothing of `p` is left behind.
    move_closure_takes_two_fields_called_after_await {
        pub struct Pair { pub a: Guard, pub b: Guard, pub n: u32 }
        async fn f() -> usize {
            let p = Pair { a: Guard::new("pa"), b: Guard::new("pb"), n: 4 };
            let c = move || p.a.name().len() + p.b.name().len();
            step("s", ()).await;
            log(format!("n {}", p.n));
            let k = c();
            step("t", ()).await;
            k
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    // A `Copy` field captured by a `move` closure is copied: the field is still read after the
    // `.await`, and the rest of the local drops at the end of its scope.
    move_closure_copies_a_field {
        pub struct Cfg { pub n: u32, pub g: Guard }
        async fn f() -> u32 {
            let cfg = Cfg { n: 3, g: Guard::new("cfg.g") };
            let next = move || cfg.n + 1;
            let m = step("s", next()).await;
            log(cfg.g.name().to_string());
            m + cfg.n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    // Through a reference the closure copies the reference: nothing moves out of the pair.
    move_closure_through_a_reference {
        pub struct Pair { pub a: Guard, pub b: Guard }
        async fn f(r: &Pair) -> usize {
            let c = move || r.a.name().len();
            let n = step("s", c()).await;
            log(r.b.name().to_string());
            n + c()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            async {
                let pair = Pair { a: Guard::new("pa"), b: Guard::new("pb") };
                f(&pair).await
            }
        }
    }

    // A field of a field: counted as a move of the whole local, as before (the closure takes
    // `w.inner.g`; the macro drops the rest of `w` with it).
    move_closure_takes_a_field_of_a_field {
        pub struct Inner { pub g: Guard }
        pub struct Wrap { pub inner: Inner, pub n: u32 }
        async fn f() -> usize {
            let w = Wrap { inner: Inner { g: Guard::new("w.inner.g") }, n: 2 };
            let c = move || w.inner.g.name().len();
            let n = step("s", c()).await;
            n + c()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    async_move_block_takes_one_field {
        pub struct Pair { pub a: Guard, pub b: Guard }
        async fn f() -> usize {
            let p = Pair { a: Guard::new("pa"), b: Guard::new("pb") };
            let fut = async move { step("inner", ()).await; p.a.name().len() };
            step("s", ()).await;
            log("before inner");
            let n = fut.await;
            log(p.b.name().to_string());
            n
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    while_let_partial_move_then_reassigned {
        pub enum Slot { Full(Guard), Reserved(Guard) }
        async fn drain(mut slots: Vec<Slot>) -> usize {
            let mut n = 0;
            let mut cur = slots.pop();
            while let Some(Slot::Full(g)) = cur {
                n += step("full", g.name().len()).await;
                cur = slots.pop();
            }
            step("after loop", ()).await;
            n
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            drain(vec![Slot::Reserved(Guard::new("r2")), Slot::Full(Guard::new("f2"))])
        }
    }

    // The `if let` moves the guard out of `cur` and the then-block puts a new value back before
    // the `.await` after it: `cur` is whole there, and drops at the end of the fn.
    if_let_moves_then_reassigns_before_await {
        async fn f(first: bool) -> usize {
            let mut cur = if first { Some(Guard::new("first")) } else { None };
            if let Some(g) = cur {
                let n = step("consume", g.name().len()).await;
                log(format!("consumed {n}"));
                cur = Some(Guard::new("second"));
            }
            step("after", ()).await;
            log(format!("cur is some: {}", cur.is_some()));
            0
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize)> { async { (f(true).await, f(false).await) } }
    }

    two_patterned_arguments_with_parts_left {
        pub struct Pair { pub a: Guard, pub b: Guard, pub n: u32 }
        async fn f(Pair { a, n, .. }: Pair, (x, _, z): (u32, Guard, Guard)) -> usize {
            let k = step("s", a.name().len()).await;
            drop(a);
            step("t", ()).await;
            k + n as usize + x as usize + z.name().len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            f(Pair { a: Guard::new("a"), b: Guard::new("b"), n: 2 }, (1, Guard::new("t1"), Guard::new("t2")))
        }
    }

    // Arguments after a patterned one are bound after its pattern, as rustc does: `g` drops
    // before the part the pattern left behind, the wildcard argument before `a`.
    arguments_after_a_patterned_one_keep_their_order {
        async fn f((a, _): (Guard, Guard), g: Guard, _: Guard, mut n: u32) -> u32 {
            n += step("s", 1u32).await;
            log(format!("{} {}", a.name(), g.name()));
            n += step("t", 2u32).await;
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            f((Guard::new("a"), Guard::new("left")), Guard::new("g"), Guard::new("wild"), 3)
        }
    }

    // A patterned argument after a patterned one, the first moved away before the `.await`.
    two_patterned_arguments_first_moved {
        pub struct Pair { pub a: Guard, pub b: Guard }
        async fn f(Pair { a, .. }: Pair, (x, _): (Guard, Guard)) -> usize {
            drop(a);
            let k = step("s", x.name().len()).await;
            log("after s");
            k
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            f(Pair { a: Guard::new("a"), b: Guard::new("b") }, (Guard::new("x"), Guard::new("y")))
        }
    }

    match_moves_part_of_tuple_scrutinee {
        async fn f(first: bool) -> String {
            let g1 = Guard::new("t1");
            let g2 = Guard::new("t2");
            let s = match (g1, g2) {
                (a, _) if first => { step("first", ()).await; a.name().to_string() }
                (_, b) => { step("second", ()).await; b.name().to_string() }
            };
            log("after match");
            step("end", ()).await;
            s
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> { async { (f(true).await, f(false).await) } }
    }

    // Parts left in a matched tuple by a pattern that binds nothing (`Kind::Open`) and by `_`,
    // with an arm that does not suspend: they drop at the end of the statement, after the
    // arm's bindings.
    tuple_scrutinee_parts_left_by_constant_patterns {
        pub enum Kind { Open(Guard), Closed }
        async fn f(open: bool, n: u32) -> u32 {
            let kind = if open { Kind::Open(Guard::new("kind")) } else { Kind::Closed };
            let g = Guard::new("g");
            let out = match (kind, g, n) {
                (Kind::Closed, g, _) => { let k = step("closed", 1u32).await; drop(g); k }
                (_, g, 0) => { log(g.name().to_string()); 0 }
                (Kind::Open(inner), _, m) => { step("open", m).await + inner.name().len() as u32 }
            };
            log("after match");
            out + step("end", 0u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32, u32)> {
            async { (f(true, 2).await, f(false, 3).await, f(true, 0).await) }
        }
    }
}
