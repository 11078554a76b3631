//! Differential cases: signatures (generics, where-clauses, lifetimes, `impl Trait`, `unsafe`,
//! visibility, attributes), nested async blocks, recursion and panics.
use clockwork_tests::differential;

differential! {
    generic_where_clause {
        async fn f<T, U>(items: Vec<T>, sep: U) -> String
        where
            T: core::fmt::Display,
            U: AsRef<str> + Clone,
        {
            let mut out = String::new();
            for (i, it) in items.into_iter().enumerate() {
                if i > 0 { out.push_str(step("sep", sep.clone()).await.as_ref()); }
                out.push_str(&it.to_string());
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> {
            async { (f(vec![1, 2, 3], ", ").await, f(vec!['a', 'b'], String::from("-")).await) }
        }
    }

    explicit_lifetimes_two_refs {
        async fn longer<'a, 'b: 'a>(a: &'a str, b: &'b str) -> &'a str {
            let la = step("la", a.len()).await;
            let lb = step("lb", b.len()).await;
            if la >= lb { a } else { b }
        }
        pub fn entry() -> impl core::future::Future<Output = String> {
            async {
                let x = String::from("short");
                let y = String::from("longer one");
                let r = longer(&x, &y).await;
                r.to_string()
            }
        }
    }

    elided_lifetimes {
        async fn first_word(s: &str) -> &str {
            step("scan", ()).await;
            s.split(' ').next().unwrap_or("")
        }
        async fn count(v: &[u32], m: &mut Vec<u32>) -> usize {
            for x in v { if *x > 1 { m.push(*x); } }
            step("count", m.len()).await
        }
        pub fn entry() -> impl core::future::Future<Output = (String, usize)> {
            async {
                let text = String::from("hello world");
                let w = first_word(&text).await.to_string();
                let mut m = Vec::new();
                let n = count(&[1, 2, 3], &mut m).await;
                (w, n)
            }
        }
    }

    impl_trait_arguments {
        async fn f(items: impl IntoIterator<Item = u32>, fut: impl core::future::Future<Output = u32>, k: impl Fn(u32) -> u32) -> u32 {
            let mut s = 0;
            for x in items { s += k(x); }
            s + k(fut.await)
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            f(vec![1, 2], step("fut", 10u32), |x| x * 3)
        }
    }

    unsafe_async_fn {
        async unsafe fn read_raw(p: *const u32) -> u32 {
            let v = unsafe { *p };
            step("raw", v).await + 1
        }
        static DATA: [u32; 2] = [5, 6];
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async {
                let a = unsafe { read_raw(&DATA[1]).await };
                let b = unsafe { read_raw(DATA.as_ptr()).await };
                a * 10 + b
            }
        }
    }

    visibility_docs_attributes {
        /// Adds one, eventually.
        ///
        /// More docs.
        #[inline]
        #[must_use]
        #[allow(clippy::needless_return)]
        pub(crate) async fn add_one(x: u32) -> u32 {
            #[allow(unused_mut)]
            let mut y = step("add", x).await;
            return y + 1;
        }
        #[doc(hidden)]
        pub(super) async fn twice(x: u32) -> u32 { add_one(add_one(x).await).await }
        pub fn entry() -> impl core::future::Future<Output = u32> { twice(1) }
    }

    const_generic_fn {
        async fn fill<const N: usize>(start: u32) -> [u32; N] {
            let mut out = [0u32; N];
            for i in 0..N {
                out[i] = step("fill", start + i as u32).await;
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = ([u32; 3], [u32; 1])> {
            async { (fill::<3>(1).await, fill::<1>(9).await) }
        }
    }

    no_await_unit_fn {
        async fn f(g: Guard) {
            log(format!("no await {}", g.name()));
        }
        async fn g() -> u32 { 7 }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(Guard::new("arg")).await; g().await }
        }
    }

    nested_async_blocks_kept_native {
        async fn f() -> u32 {
            let g = Guard::new("outer");
            let a = async { step("blk", 1u32).await + 1 };
            let name = g.name().to_string();
            let b = async move { let _moved = g; step("mv", name.len() as u32).await };
            let x = a.await;
            let y = b.await;
            log("after blocks");
            x + y
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    async_block_dropped_unpolled {
        async fn f() -> u32 {
            let g = Guard::new("captured");
            let unused = async move { log(format!("never {}", g.name())); step("never", 1u32).await };
            let n = step("s", 2u32).await;
            drop(unused);
            n + step("t", 3u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    panic_before_first_await {
        async fn f(x: u32) -> u32 {
            let _g = Guard::new("g");
            if x > 2 { panic!("too big: {x}"); }
            step("never", x).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(3) }
    }

    panic_after_awaits_nested_guards {
        async fn f() -> u32 {
            let _a = Guard::new("a");
            let n = step("s1", 1u32).await;
            {
                let _b = Guard::new("b");
                let m = step("s2", 2u32).await;
                let v: Vec<u32> = Vec::new();
                let _c = Guard::new("c");
                return n + m + v[m as usize];
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    boom_subfuture_panics {
        async fn f() -> u32 {
            let _g = Guard::new("g");
            let a = step("a", 1u32).await;
            let _h = Guard::new("h");
            let b = Boom("sub").await;
            a + b
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    boom_in_loop_after_iterations {
        async fn f() -> u32 {
            let mut s = 0;
            for i in 0..4u32 {
                let _g = Guard::new(format!("it{i}"));
                s += if i == 2 { Boom("loop").await } else { step("ok", i).await };
            }
            s
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    boom_inside_callee {
        async fn inner(fail: bool) -> u32 {
            let _g = Guard::new("inner");
            step("inner", ()).await;
            if fail { Boom("inner").await } else { 1 }
        }
        async fn f() -> u32 {
            let a = inner(false).await;
            let _g = Guard::new("outer");
            a + inner(true).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    returns_impl_trait {
        async fn f(n: u32) -> impl core::fmt::Debug {
            let v = step("v", n).await;
            (v, "items", vec![v; 2])
        }
        pub fn entry() -> impl core::future::Future<Output = String> {
            async { format!("{:?}", f(3).await) }
        }
    }

    generic_over_futures {
        async fn both<A, B>(a: A, b: B) -> (A::Output, B::Output)
        where
            A: core::future::Future,
            B: core::future::Future,
        {
            let x = a.await;
            let y = b.await;
            (x, y)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, (String, bool))> {
            async { both(step("a", 1u32), both(step("b", String::from("s")), step("c", true))).await }
        }
    }

    dyn_trait_argument {
        async fn apply(f: &dyn Fn(u32) -> u32, g: Box<dyn FnOnce(u32) -> String>) -> String {
            let a = f(step("a", 2u32).await);
            g(step("b", a).await)
        }
        pub fn entry() -> impl core::future::Future<Output = String> {
            async {
                let k = 10;
                apply(&move |x| x * k, Box::new(|x| format!("<{x}>"))).await
            }
        }
    }

    non_send_future {
        async fn f() -> usize {
            let rc = std::rc::Rc::new(Guard::new("rc"));
            let n = step("s", 1usize).await;
            n + std::rc::Rc::strong_count(&rc)
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    recursion_dyn_boxed {
        async fn sum_to(n: u32) -> u32 {
            if n == 0 { return step("base", 0u32).await; }
            let _g = Guard::new(format!("level{n}"));
            let fut: core::pin::Pin<Box<dyn core::future::Future<Output = u32>>> = Box::pin(sum_to(n - 1));
            let rest = fut.await;
            rest + step("add", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { sum_to(3) }
    }

    overflow_panic_after_await {
        async fn f() -> u8 {
            let _g = Guard::new("g");
            let a = step("a", 200u8).await;
            let b = step("b", 100u8).await;
            a + b
        }
        pub fn entry() -> impl core::future::Future<Output = u8> { f() }
    }

    boom_as_right_operand_with_guards {
        async fn f() -> u32 {
            let _a = Guard::new("a");
            let x = step("x", 1u32).await + { let _t = Guard::new("temp block"); Boom("rhs").await };
            x
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    fnmut_argument_across_awaits {
        async fn each(n: u32, mut f: impl FnMut(u32)) {
            for i in 0..n { f(step("i", i).await); }
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> {
            async {
                let mut seen = Vec::new();
                each(3, |x| seen.push(x * 2)).await;
                seen
            }
        }
    }

    panic_in_subfuture_between_guards {
        async fn inner() -> u32 {
            let _i = Guard::new("inner guard");
            let v = step("inner", 1u32).await;
            if v == 1 { panic!("inner failed"); }
            v
        }
        async fn f() -> u32 {
            let _a = Guard::new("a");
            let x = inner().await;
            let _b = Guard::new("b");
            x
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    send_future_with_guards {
        async fn f() -> u32 {
            let g = std::sync::Arc::new(Guard::new("arc"));
            let n = step("s", 1u32).await;
            n + std::sync::Arc::strong_count(&g) as u32
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    return_inside_closure_not_rewritten {
        async fn f(v: Vec<i32>) -> i32 {
            let first_neg = |xs: &[i32]| -> Option<usize> {
                for (i, x) in xs.iter().enumerate() { if *x < 0 { return Some(i); } }
                None
            };
            let n = step("s", ()).await;
            let _ = n;
            match first_neg(&v) { Some(i) => v[i], None => step("none", 0i32).await }
        }
        pub fn entry() -> impl core::future::Future<Output = (i32, i32)> { async { (f(vec![1, -2, 3]).await, f(vec![1]).await) } }
    }

    question_inside_closure_in_option_fn {
        async fn f(a: Option<u32>, b: Option<u32>) -> Option<u32> {
            let add = |x: Option<u32>, y: Option<u32>| -> Option<u32> { Some(x? + y?) };
            let s = add(a, b);
            let t = step("t", s).await?;
            Some(t + add(Some(1), Some(1))?)
        }
        pub fn entry() -> impl core::future::Future<Output = (Option<u32>, Option<u32>)> { async { (f(Some(1), Some(2)).await, f(None, Some(2)).await) } }
    }

    question_and_return_inside_nested_async_block {
        async fn f(a: Option<u32>) -> Option<u32> {
            let inner = async move {
                let v = step("inner", a).await?;
                if v > 10 { return Some(0); }
                Some(v * 2)
            };
            let r = inner.await;
            let base = step("base", Some(100u32)).await?;
            Some(base + r.unwrap_or(1))
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<Option<u32>>> {
            async { vec![f(Some(3)).await, f(None).await, f(Some(20)).await] }
        }
    }

    user_macro_without_await {
        macro_rules! trace { ($($t:tt)*) => { log(format!($($t)*)) } }
        async fn f() -> u32 {
            let a = step("a", 1u32).await;
            trace!("a = {}", a);
            let b = step("b", 2u32).await;
            trace!("b = {b}");
            a + b
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    inner_loop_without_await_inside_suspending_loop {
        async fn f() -> Vec<u32> {
            let mut out = Vec::new();
            'outer: for i in 0..3u32 {
                let mut j = 0;
                loop {
                    j += 1;
                    if j > i { break; }
                    if j == 2 { continue 'outer; }
                }
                out.push(step("i", i * 10 + j).await);
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> { f() }
    }

    self_in_closures_and_macros_sum_first {
        pub struct S { pub base: u32, pub items: Vec<u32> }
        impl S {
            pub async fn total(&self) -> u32 {
                let v: Vec<u32> = self.items.iter().map(|x| x + self.base).collect();
                let n = step("n", v.len()).await;
                assert!(self.base < 100, "base {} too big", self.base);
                let s = format!("{}-{}", self.base, n);
                log(s);
                let sum: u32 = v.iter().sum();
                sum + step("base", self.base).await
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { S { base: 10, items: vec![1, 2] }.total().await }
        }
    }

    send_non_send_local_scoped_before_await {
        async fn f() -> u32 {
            let n = {
                let rc = std::rc::Rc::new(5u32);
                *rc + 1
            };
            log(format!("{}", std::rc::Rc::new(n)));
            step("s", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    send_non_send_local_alive_to_scope_end {
        async fn f() -> u32 {
            let rc = std::rc::Rc::new(5u32);
            let n = *rc;
            step("s", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    send_mutex_guard_scoped_before_await {
        static M: std::sync::Mutex<u32> = std::sync::Mutex::new(0);
        async fn f() -> u32 {
            let v = {
                let mut g = M.lock().unwrap();
                *g += 1;
                *g
            };
            step("s", v).await;
            let w = *M.lock().unwrap();
            w - v
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    send_cell_reference_across_await {
        async fn f(c: &core::cell::Cell<u32>) -> u32 {
            c.set(c.get() + step("s", 1u32).await);
            c.get()
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { let c = core::cell::Cell::new(1); f(&c).await }
        }
    }

    same_name_different_types_in_arms {
        pub enum Msg { Num(u32), Text(String) }
        async fn f(m: Msg) -> String {
            match m {
                Msg::Num(v) => { let r = step("num", v).await; format!("{} {}", v, r) }
                Msg::Text(v) => { let r = step("text", v.len()).await; format!("{} {}", v, r) }
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> {
            async { (f(Msg::Num(3)).await, f(Msg::Text("hey".into())).await) }
        }
    }

    same_name_different_types_in_sibling_blocks {
        async fn f() -> String {
            let mut out = String::new();
            {
                let t = 41u32;
                step("a", ()).await;
                out += &format!("{}", t + 1);
            }
            {
                let t = "str";
                step("b", ()).await;
                out += t;
            }
            for t in [Guard::new("g1")] {
                step("c", ()).await;
                out += t.name();
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    locals_named_like_transform_internals {
        async fn f() -> u32 {
            let state = step("state", 1u32).await;
            let fut = step("fut", 2u32).await;
            let cx = step("cx", 3u32).await;
            let awaited = state + fut;
            let tmp = step("tmp", cx).await;
            let out = awaited + tmp;
            let poll = out * 2;
            let running = poll + step("running", 1u32).await;
            let value = running;
            let iter = value + step("iter", 1u32).await;
            iter + state
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    user_types_named_state_and_running {
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub enum State { Idle, Busy(u32) }
        pub struct Running(pub u32);
        fn poll_slot(x: u32) -> u32 { x + 1000 }
        async fn f() -> String {
            let s = State::Busy(step("s", 1u32).await);
            let r = Running(step("r", 2u32).await);
            let t = match s { State::Idle => 0, State::Busy(n) => n };
            format!("{:?} {} {}", s, r.0 + t, poll_slot(step("p", 0u32).await))
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    deeply_nested_control_flow {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> Vec<u32> {
            let mut out = Vec::new();
            let mut i = 0;
            'outer: loop {
                i += 1;
                if i > 3 { break; }
                match v(i).await % 3 {
                    0 => {
                        for j in 0..2 {
                            if v(j).await == 1 { continue 'outer; }
                            out.push(100 + j);
                        }
                    }
                    r => {
                        let mut k = r;
                        while k > 0 {
                            if let Some(x) = Some(v(k).await) { out.push(x); }
                            k -= 1;
                        }
                    }
                }
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> { f() }
    }

    long_straight_line_of_awaits {
        async fn f() -> u32 {
            let mut s = 0;
            s += step("a1", 1u32).await; s += step("a2", 2u32).await; s += step("a3", 3u32).await;
            s += step("a4", 4u32).await; s += step("a5", 5u32).await; s += step("a6", 6u32).await;
            let _g = Guard::new("mid");
            s += step("a7", 7u32).await; s += step("a8", 8u32).await; s += step("a9", 9u32).await;
            s += step("a10", 10u32).await; s += step("a11", 11u32).await; s += step("a12", 12u32).await;
            s
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    user_labels_named_like_generated_ones {
        async fn f() -> u32 {
            let mut n = 0;
            'loop0: for i in 0..3u32 {
                'loop1: loop {
                    n += step("s", i).await;
                    if n > 2 { break 'loop0; }
                    break 'loop1;
                }
            }
            'poll: loop { n += step("p", 1u32).await; break 'poll; }
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    method_with_local_named_this {
        pub struct S { pub v: u32 }
        impl S {
            pub async fn get(&self) -> u32 {
                let this = step("this", 10u32).await;
                let this_ = step("this_", 1u32).await;
                self.v + this + this_
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { async { S { v: 5 }.get().await } }
    }

    empty_and_unit_fns {
        async fn empty() {}
        async fn unit() -> () { step("u", ()).await }
        async fn early(stop: bool) {
            if stop { log("early"); return; }
            step("late", ()).await;
        }
        pub fn entry() -> impl core::future::Future<Output = ()> {
            async { empty().await; unit().await; early(true).await; early(false).await; }
        }
    }

    unicode_identifiers {
        async fn f(größe: u32) -> u32 {
            let maß = step("uni", größe).await;
            let schlüssel = Guard::new("schlüssel");
            let n = step("n", 1u32).await;
            log(schlüssel.name().to_string());
            maß + n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(2) }
    }

    return_needs_unsized_coercion {
        async fn make() -> Box<dyn Fn(u32) -> u32> {
            let k = step("k", 2u32).await;
            Box::new(move |x| x * k)
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { async { make().await(10) } }
    }

    attributes_on_statements_without_cfg {
        async fn f() -> u32 {
            #[allow(unused_mut)]
            let mut a = step("a", 1u32).await;
            #[cfg(any())]
            log(format!("{}", not_defined_anywhere));
            #[allow(clippy::let_and_return)]
            let b = step("b", 2u32).await;
            a + b
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    items_declared_inside_body {
        async fn f() -> u32 {
            const K: u32 = 3;
            fn helper(x: u32) -> u32 { x * K }
            struct Local { v: u32 }
            impl Local { fn get(&self) -> u32 { self.v } }
            macro_rules! twice { ($e:expr) => { $e * 2 } }
            use core::cmp::max;
            let a = helper(step("a", 1u32).await);
            let l = Local { v: step("b", 2u32).await };
            max(twice!(a), l.get()) + K
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    self_in_closures_and_macros {
        pub struct S { pub base: u32, pub items: Vec<u32> }
        impl S {
            pub async fn total(&self) -> u32 {
                let v: Vec<u32> = self.items.iter().map(|x| x + self.base).collect();
                let n = step("n", v.len()).await;
                assert!(self.base < 100, "base {} too big", self.base);
                let s = format!("{}-{}", self.base, n);
                log(s);
                v.iter().sum::<u32>() + step("base", self.base).await
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { S { base: 10, items: vec![1, 2] }.total().await }
        }
    }

    raw_and_unicode_identifiers {
        async fn f(r#type: u32) -> u32 {
            let r#match = step("raw", r#type).await;
            let größe = step("uni", 3u32).await;
            let r#loop = Guard::new("raw guard");
            let n = step("n", 1u32).await;
            log(r#loop.name().to_string());
            r#match + größe + n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(2) }
    }

    return_type_with_elided_lifetime {
        async fn adder(base: &u32) -> Box<dyn Fn(u32) -> u32 + '_> {
            let k = step("k", 2u32).await;
            Box::new(move |x| x * k + *base)
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { let b = 5; let f = adder(&b).await; f(10) }
        }
    }

    struct_literal_receivers_in_conditions_and_question {
        pub struct Wrap { pub v: u32 }
        impl Wrap {
            pub fn check(&self) -> bool { log(format!("check {}", self.v)); self.v > 1 }
            pub fn get(&self) -> Option<u32> { if self.v > 2 { Some(self.v) } else { None } }
        }
        async fn f(n: u32) -> Option<u32> {
            let ok = Wrap { v: n }.check() && step("tick", true).await;
            let v = Wrap { v: n }.get()?;
            let mut w = Wrap { v: 0 };
            step("again", ()).await;
            w = Wrap { v: w.v + v };
            Some(w.v + u32::from(ok))
        }
        pub fn entry() -> impl core::future::Future<Output = (Option<u32>, Option<u32>)> {
            async { (f(5).await, f(1).await) }
        }
    }

    // `#[cfg]` on statements that await or declare a local: the fn is written once per
    // combination of the conditions, and rustc keeps the one whose conditions hold.
    cfg_and_attributes_on_statements {
        async fn f() -> u32 {
            #[allow(unused_mut)]
            let mut a = step("a", 1u32).await;
            #[cfg(any())]
            log(format!("{}", not_defined_anywhere));
            #[cfg(all())]
            let b = step("b", 2u32).await;
            #[cfg(any())]
            let b = step("never", 100u32).await;
            a + b
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    // A local declared under `#[cfg]` lives across an `.await` (a guard that only debug builds
    // have, say): the states that hold it exist only in the copy that has it.
    cfg_local_kept_across_await {
        async fn f(n: u32) -> u32 {
            #[cfg(debug_assertions)]
            let g = Guard::new("debug only");
            #[cfg(not(debug_assertions))]
            let g = Guard::new("release only");
            let x = step("x", n).await;
            #[cfg(test)]
            let x = x + step("test only", 10u32).await;
            log(format!("{} {x}", g.name()));
            x
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(1) }
    }
}
