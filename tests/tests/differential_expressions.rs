//! Differential cases: `.await` in every expression position, in Rust's evaluation order.
use clockwork_tests::differential;

#[derive(Debug, PartialEq, Clone, Default)]
pub struct Rec {
    pub a: u32,
    pub b: String,
    pub c: Vec<u32>,
}

differential! {
    binary_operand_order {
        async fn v(n: i64) -> i64 { step("v", n).await }
        fn side(n: i64) -> i64 { log(format!("side {n}")); n }
        async fn f() -> (i64, bool, i64) {
            let a = side(1) - v(2).await * side(3) + v(4).await / 2;
            let b = v(5).await > side(4) && side(1) < v(2).await;
            let c = (v(10).await % side(4)) << v(1).await | side(16) ^ v(3).await;
            (a, b, c)
        }
        pub fn entry() -> impl core::future::Future<Output = (i64, bool, i64)> { f() }
    }

    call_argument_order {
        async fn v(n: u32) -> u32 { step("v", n).await }
        fn side(n: u32) -> u32 { log(format!("side {n}")); n }
        fn four(a: u32, b: u32, c: u32, d: u32) -> u32 { log(format!("four {a} {b} {c} {d}")); a + b + c + d }
        async fn f() -> u32 {
            four(side(1), v(2).await, four(v(3).await, side(4), v(5).await, 0), side(6))
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    method_chain_by_ref_and_into {
        pub struct Resp { pub body: String, pub _g: Guard }
        impl Resp {
            pub async fn status(&self) -> u32 { step("status", ()).await; self.body.len() as u32 }
            pub async fn into_body(self) -> String { step("body", ()).await; self.body.clone() }
        }
        pub struct Client;
        impl Client {
            pub async fn get(&self, path: &str) -> Resp { step("get", ()).await; Resp { body: format!("GET {path}"), _g: Guard::new(format!("resp {path}")) } }
        }
        async fn f() -> (u32, String) {
            let c = Client;
            let s = c.get("/a").await.status().await;
            let b = c.get("/bb").await.into_body().await;
            (s, b)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, String)> { f() }
    }

    struct_literal_fields {
        async fn v(n: u32) -> u32 { step("v", n).await }
        fn side(s: &str) -> String { log(format!("side {s}")); s.to_string() }
        async fn f() -> (Rec, Rec) {
            let r = Rec { b: side("first"), a: v(1).await, c: vec![v(2).await, 3] };
            let base = Rec { a: 9, ..Default::default() };
            let s = Rec { c: vec![v(4).await], ..base };
            (r, s)
        }
        pub fn entry() -> impl core::future::Future<Output = (Rec, Rec)> { f() }
    }

    tuple_array_literals {
        async fn v(n: u8) -> u8 { step("v", n).await }
        async fn f() -> ([u8; 3], (u8, (u8, u8)), [u8; 4]) {
            let a = [v(1).await, 2, v(3).await];
            let t = (v(4).await, (5, v(6).await));
            let r = [v(7).await; 4];
            (a, t, r)
        }
        pub fn entry() -> impl core::future::Future<Output = ([u8; 3], (u8, (u8, u8)), [u8; 4])> { f() }
    }

    casts_and_unary {
        async fn v(n: i32) -> i32 { step("v", n).await }
        async fn b(x: bool) -> bool { step("b", x).await }
        async fn f() -> (i64, bool, u8, f64) {
            let a = -(v(3).await as i64) * -v(2).await as i64;
            let n = !b(false).await;
            let c = v(300).await as u8;
            let d = v(7).await as f64 / 2.0;
            (a, n, c, d)
        }
        pub fn entry() -> impl core::future::Future<Output = (i64, bool, u8, f64)> { f() }
    }

    field_access_on_awaited {
        async fn pair() -> (u32, String) { step("pair", (3, String::from("abc"))).await }
        async fn rec() -> Rec { step("rec", Rec { a: 1, b: "xy".into(), c: vec![5, 6] }).await }
        async fn f() -> (u32, usize, u32, usize) {
            let a = pair().await.0;
            let b = pair().await.1.len();
            let c = rec().await.c[1];
            let d = rec().await.b.len();
            (a, b, c, d)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, usize, u32, usize)> { f() }
    }

    return_and_tail_awaits {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f(early: bool) -> u32 {
            let _g = Guard::new("g");
            if early {
                return v(1).await + 1;
            }
            v(2).await * 10
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> { async { (f(true).await, f(false).await) } }
    }

    compound_assignment_awaits {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> (u32, [u32; 3]) {
            let mut x = 1;
            x += v(2).await;
            x *= v(3).await + x;
            x -= v(1).await;
            let mut arr = [1u32, 2, 3];
            arr[2] *= v(5).await;
            arr[v(0).await as usize] <<= 3;
            (x, arr)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, [u32; 3])> { f() }
    }

    constructors_with_awaits {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> (Option<u32>, Result<u32, ()>, Box<u32>, Vec<Option<u32>>) {
            let a = Some(v(1).await);
            let b = Ok::<u32, ()>(v(2).await + 1);
            let c = Box::new(v(3).await);
            let d = vec![Some(v(4).await), None, Some(v(5).await)];
            (a, b, c, d)
        }
        pub fn entry() -> impl core::future::Future<Output = (Option<u32>, Result<u32, ()>, Box<u32>, Vec<Option<u32>>)> { f() }
    }

    nested_awaits_as_arguments {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn add(a: u32, b: u32) -> u32 { step("add", a + b).await }
        async fn f() -> u32 {
            add(add(v(1).await, v(2).await).await, add(3, v(v(4).await).await).await).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    method_on_awaited_temporary_by_ref {
        async fn text() -> String { step("text", String::from("a,b,,c")).await }
        async fn nums() -> Vec<u32> { step("nums", vec![3, 1, 2]).await }
        async fn f() -> (usize, bool, Option<u32>, String) {
            let a = text().await.split(',').filter(|s| !s.is_empty()).count();
            let b = text().await.contains("b,");
            let c = nums().await.iter().max().copied();
            let d = text().await.to_uppercase().replace(",", ";");
            (a, b, c, d)
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, bool, Option<u32>, String)> { f() }
    }

    let_type_ascription_and_turbofish {
        async fn v<T>(x: T) -> T { step("v", x).await }
        async fn f() -> (u64, Vec<u8>, String) {
            let a: u64 = v(5u64).await;
            let b = v::<Vec<u8>>(vec![1, 2]).await;
            let c: String = v("s").await.into();
            (a, b, c)
        }
        pub fn entry() -> impl core::future::Future<Output = (u64, Vec<u8>, String)> { f() }
    }

    write_and_format_positional_args {
        use std::fmt::Write as _;
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> String {
            let mut s = String::new();
            write!(s, "{}+{}", v(1).await, v(2).await).unwrap();
            writeln!(s, " = {}", v(3).await).unwrap();
            let x = 5;
            let t = format!("{x}-{}-{x:?}", v(4).await);
            print!("{}", v(6).await);
            assert!(v(7).await == 7, "seven");
            assert_ne!(v(8).await, 9);
            format!("{s}{t}")
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    plain_closure_called_with_awaited_args {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> u32 {
            let add = |a: u32, b: u32| a + b;
            let x = add(v(1).await, v(2).await);
            x * 10 + add(x, v(3).await)
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    index_reads_with_awaits {
        async fn v(n: usize) -> usize { step("v", n).await }
        async fn list() -> Vec<u32> { step("list", vec![10, 20, 30, 40]).await }
        async fn f() -> (u32, u32, u32) {
            let arr = [1u32, 2, 3, 4];
            let a = arr[v(2).await];
            let b = list().await[v(1).await];
            let mut m = vec![0u32; 4];
            m[1] += list().await[3];
            (a, b, m.iter().sum())
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32, u32)> { f() }
    }

    deref_single_awaited_box {
        async fn boxed(n: u32) -> Box<u32> { step("boxed", Box::new(n)).await }
        async fn f() -> u32 {
            let a = *boxed(4).await;
            let b = 1 + *boxed(6).await;
            a * 100 + b
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    range_bounds_awaited {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> (u32, Vec<u32>) {
            let s: u32 = (v(1).await..v(5).await).sum();
            let w: Vec<u32> = (v(2).await..=4).collect();
            (s, w)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, Vec<u32>)> { f() }
    }

    method_arg_named_receiver_simple {
        pub struct Acc { pub total: u32 }
        impl Acc {
            pub fn add(&mut self, a: u32) { log(format!("add {a}")); self.total += a; }
        }
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> u32 {
            let mut acc = Acc { total: 0 };
            acc.add(v(1).await);
            acc.add(v(2).await);
            acc.total
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    range_expressions {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> (u32, Vec<u32>, usize) {
            let s: u32 = (v(1).await..v(5).await).sum();
            let w: Vec<u32> = (v(2).await..=4).collect();
            let data = [1, 2, 3, 4, 5, 6];
            let n = data[v(1).await as usize..].len() + data[..=v(2).await as usize].len();
            (s, w, n)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, Vec<u32>, usize)> { f() }
    }

    control_flow_as_operands {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f(c: bool) -> u32 {
            let a = 1 + if c { v(10).await } else { 2 };
            let b = { let t = v(3).await; t * 2 } + v(4).await;
            let d = match v(5).await { 5 => v(50).await, _ => 0 } - 1;
            let e = (loop { break v(6).await; }) * 2;
            a + b + d + e
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> { async { (f(true).await, f(false).await) } }
    }

    custom_into_future_type {
        pub struct Request { pub id: u32 }
        impl core::future::IntoFuture for Request {
            type Output = String;
            type IntoFuture = Step<String>;
            fn into_future(self) -> Self::IntoFuture { step("request", format!("resp {}", self.id)) }
        }
        async fn f() -> (String, String) {
            let a = Request { id: 1 }.await;
            let r = Request { id: 2 };
            let b = r.await;
            (a, b)
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> { f() }
    }

    string_building_with_awaits {
        async fn word(w: &'static str) -> &'static str { step("word", w).await }
        async fn f() -> String {
            let mut s = String::new();
            s += word("hello").await;
            s.push(' ');
            s.push_str(word("world").await);
            let t = s.clone() + word("!").await;
            t + &word("?").await.repeat(2)
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    await_inside_unsafe_block {
        async fn f() -> u32 {
            let v = vec![1u32, 2, 3];
            let x = unsafe {
                let a = step("a", 1usize).await;
                *v.get_unchecked(a)
            };
            let y = unsafe { *v.as_ptr().add(step("b", 2usize).await) };
            x + y
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    await_through_mut_ref_to_future {
        async fn f() -> u32 {
            let mut fut = step("fut", 5u32);
            let a = (&mut fut).await;
            let mut other = Box::pin(step("boxed", 6u32));
            let b = other.as_mut().await;
            a + b
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    matches_and_dbg_macros {
        async fn v(n: u32) -> Option<u32> { step("v", Some(n)).await }
        async fn f() -> (bool, u32) {
            let x = v(3).await;
            let is_three = matches!(x, Some(3));
            let y = dbg!(v(4).await.unwrap_or(0));
            (is_three, y)
        }
        pub fn entry() -> impl core::future::Future<Output = (bool, u32)> { f() }
    }

    awaited_tuple_index_and_nested_fields {
        pub struct Outer { pub inner: (u32, [u32; 2]) }
        async fn get() -> Outer { step("get", Outer { inner: (1, [2, 3]) }).await }
        async fn f() -> u32 {
            let a = get().await.inner.0;
            let b = get().await.inner.1[1];
            a * 10 + b
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    deref_of_awaited_box {
        async fn boxed(n: u32) -> Box<u32> { step("boxed", Box::new(n)).await }
        async fn f() -> u32 {
            let a = *boxed(4).await;
            let b = *boxed(5).await + *boxed(6).await;
            a * 100 + b
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    awaits_in_misc_positions {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn b(x: bool) -> bool { step("b", x).await }
        pub struct W(pub u32);
        impl W { pub fn get(&self) -> u32 { self.0 } }
        async fn w(n: u32) -> W { step("w", W(n)).await }
        async fn f() -> (u32, u32, u32, Vec<u32>, u32) {
            let a = (v(1).await, v(2).await).1;
            let mut c = 0;
            if b(true).await { c += 1; }
            if !b(false).await { c += 10; }
            let d = (w(7).await).get();
            let mut e = Vec::new();
            for i in 0..v(3).await { e.push(i); }
            let g = if let Some(x) = Some(v(5).await) { x } else { 0 };
            (a, c, d, e, g)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32, u32, Vec<u32>, u32)> { f() }
    }

    generic_inference_through_await {
        async fn v<T>(x: T) -> T { step("v", x).await }
        async fn f() -> (Vec<u8>, u64, Option<String>) {
            let a = Vec::from([v(1).await, v(2).await]);
            let b: u64 = v(3u32).await.into();
            let c = v(None).await.or(Some(String::from("dflt")));
            (a, b, c)
        }
        pub fn entry() -> impl core::future::Future<Output = (Vec<u8>, u64, Option<String>)> { f() }
    }

    await_in_lazy_boolean_chains {
        async fn t(name: &'static str, v: bool) -> bool { step(name, v).await }
        async fn f(x: bool, y: bool) -> (bool, bool) {
            let _g = Guard::new("g");
            let a = (t("a", x).await || t("b", y).await) && !t("c", x && y).await;
            let b = t("d", x).await == t("e", y).await;
            (a, b)
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<(bool, bool)>> {
            async { vec![f(true, true).await, f(true, false).await, f(false, false).await] }
        }
    }

    await_in_closure_argument_to_iterator_method {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> Vec<u32> {
            let k = v(3).await;
            let out: Vec<u32> = (0..v(4).await).map(|i| i * k).filter(|x| x % 2 == 0).collect();
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> { f() }
    }

    write_to_borrowed_string_param {
        use std::fmt::Write as _;
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn render(out: &mut String, items: Vec<u32>) -> usize {
            for it in items {
                write!(out, "<{}>", v(it).await).unwrap();
            }
            writeln!(out).unwrap();
            out.len()
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, String)> {
            async { let mut s = String::new(); let n = render(&mut s, vec![1, 2]).await; (n, s) }
        }
    }

    format_positional_reuse_and_block_args {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> String {
            let a = format!("{0}-{0}-{1}", v(1).await, v(2).await);
            let c = format!("[{:>1$}]", v(4).await, v(5).await as usize);
            format!("{a} {c} {}", { let t = v(6).await; t * 2 })
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    inline_format_captures_after_await {
        async fn f() -> String {
            let x = 5u32;
            let name = "nm";
            let pair = (1, 2);
            step("s", ()).await;
            println!("{x} {name}");
            assert!(x > 0, "{name} must be positive");
            let a = format!("{name:?}|{x:>4}|{pair:?}|{x:#x}");
            step("t", ()).await;
            a
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    borrow_of_awaited_in_call_args {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn text() -> String { step("text", String::from("hello")).await }
        fn len(s: &String) -> usize { s.len() }
        fn bump(x: &mut u32) -> u32 { *x += 1; *x }
        async fn f() -> (usize, u32) {
            let n = len(&text().await);
            let k = bump(&mut v(9).await);
            (n, k)
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, u32)> { f() }
    }

    format_macros_with_awaits {
        use std::fmt::Write as _;
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> String {
            let mut s = String::new();
            write!(s, "{}+{}", v(1).await, v(2).await).unwrap();
            writeln!(s, " = {sum}", sum = v(3).await).unwrap();
            let x = 5;
            let t = format!("{x}-{}-{x:?}", v(4).await);
            print!("{}", v(6).await);
            assert!(v(7).await == 7, "seven");
            assert_ne!(v(8).await, 9);
            format!("{s}{t}")
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    format_positional_reuse_and_width {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> String {
            let w = 6;
            let a = format!("{0}-{0}-{1}", v(1).await, v(2).await);
            let b = format!("[{:>w$}]", v(3).await);
            let c = format!("[{:>1$}]", v(4).await, v(5).await as usize);
            format!("{a} {b} {c} {}", { let t = v(6).await; t * 2 })
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    format_precision_capture_after_await {
        async fn f() -> String {
            let prec = 2usize;
            let v = 3.14159f64;
            step("s", ()).await;
            format!("{v:.prec$} {:.*}", 1, v)
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    assert_message_awaited_only_on_failure {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f(x: u32) -> u32 {
            assert!(x < 10, "x too big: {}", v(100).await);
            assert_eq!(x % 2, 0, "odd: {} {}", x, v(200).await);
            x
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { async { f(4).await + f(3).await } }
    }

    vec_repeat_form_with_await {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> Vec<u32> {
            let n = 2;
            let mut a = vec![v(7).await; 3];
            a.extend(vec![0u32; v(n).await as usize]);
            a
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> { f() }
    }

    index_expressions {
        async fn v(n: usize) -> usize { step("v", n).await }
        async fn list() -> Vec<u32> { step("list", vec![10, 20, 30, 40]).await }
        async fn f() -> (u32, u32, u32) {
            let arr = [1u32, 2, 3, 4];
            let a = arr[v(2).await];
            let b = list().await[v(1).await];
            let mut m = vec![0u32; 4];
            m[v(3).await] = v(7).await as u32;
            m[1] += list().await[3];
            (a, b, m.iter().sum())
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32, u32)> { f() }
    }

    method_arguments {
        pub struct Acc { pub total: u32 }
        impl Acc {
            pub fn add(&mut self, a: u32, b: u32) -> &mut Self { log(format!("add {a} {b}")); self.total += a * b; self }
            pub fn get(&self) -> u32 { self.total }
        }
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> u32 {
            let mut acc = Acc { total: 0 };
            acc.add(v(1).await, 2);
            acc.add(3, v(4).await).add(v(5).await, v(6).await);
            acc.get() + u32::max(v(7).await, acc.get())
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    closures_called_with_awaited_args {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> (u32, String, u32) {
            let add = |a: u32, b: u32| a + b;
            let x = add(v(1).await, v(2).await);
            let g = Guard::new("captured");
            let describe = move |n: u32| format!("{}:{}", g.name(), n);
            let s = describe(v(3).await);
            let mut count = 0;
            let mut inc = |by: u32| { count += by; count };
            inc(v(4).await);
            inc(v(5).await);
            (x, s, count)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, String, u32)> { f() }
    }

    // Closures that borrow locals (not `move`) and are kept across `.await`s: the locals they
    // borrow keep one address, and are read directly between the calls.
    closure_reading_a_local_across_awaits {
        async fn f(limit: u32) -> (bool, bool, u32) {
            let bound = limit * 2;
            let within = |x: u32| x < bound;
            let a = within(step("s", 3u32).await);
            log(format!("bound {bound}"));
            let b = within(step("t", 9u32).await);
            (a, b, bound)
        }
        pub fn entry() -> impl core::future::Future<Output = (bool, bool, u32)> { f(4) }
    }

    closure_pushing_to_a_vec_across_awaits {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> Vec<u32> {
            let mut seen = Vec::new();
            let mut record = |x: u32| seen.push(x * 10);
            record(v(1).await);
            record(v(2).await);
            log("recorded");
            seen
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> { f() }
    }

    closure_borrowing_a_guard_across_awaits {
        async fn f() -> usize {
            let g = Guard::new("borrowed");
            let other = Guard::new("other");
            let name_len = || g.name().len();
            let n = step("s", name_len()).await;
            drop(other);
            let m = step("t", name_len()).await;
            n + m
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    // A closure that consumes a local kept in a fixed home (it is borrowed across an `.await`
    // first): taken out of the home, not borrowed.
    closure_consuming_a_local_with_a_home {
        async fn f() -> usize {
            let g = Guard::new("consumed");
            let r = &g;
            let n = step("s", 1usize).await;
            log(r.name().to_string());
            {
                let finish = || drop(g);
                finish();
            }
            n + step("t", 2usize).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    // A closure that borrows `v` is dead before `v` is written and before the `.await`, but
    // stays in scope across it.
    closure_dead_before_a_write_stays_in_scope {
        async fn f() -> usize {
            let mut v = vec![1u32];
            let count = || v.len();
            let n = count();
            v.push(2);
            step("s", n).await;
            v.len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    // Calling a closure that owns what it captured consumes it: it is not kept across the
    // `.await` after the call. A `move` closure over a `Copy` local is called again after.
    fn_once_closure_called_before_await {
        async fn f(n: u32) -> u32 {
            let g = Guard::new("owned by the closure");
            let finish = || drop(g);
            finish();
            let add = move |x: u32| x + n;
            let a = add(step("s", 1u32).await);
            log("after s");
            a + add(step("t", 2u32).await)
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(10) }
    }

    /// A receiver is evaluated before the arguments: `n.max(..)` copies `n` (a `u32` taken by
    /// `self`) before an argument that writes it and awaits runs (it was read after the
    /// argument's `.await`: 15 instead of 8; fuzz seed 8484 #7633).
    receiver_written_by_an_awaiting_argument_is_read_first {
        async fn f(c: bool) -> u32 {
            let mut n = 8u32;
            let m = n.max(if c {
                n |= 7;
                step("s", 3u32).await
            } else {
                1
            });
            let mut k = 2u32;
            let j = k.pow({
                k = 5;
                step("t", 2u32).await
            });
            log(format!("{n} {m} {k} {j}"));
            m + j
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(true).await + f(false).await }
        }
    }
}
