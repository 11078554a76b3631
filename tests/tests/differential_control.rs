//! Differential cases: control flow around suspension points.
use clockwork_tests::differential;

#[derive(Debug, PartialEq)]
pub struct MyErr(String);
impl From<String> for MyErr {
    fn from(s: String) -> Self {
        MyErr(s)
    }
}

differential! {
    if_else_await {
        async fn f(c: bool) -> u32 {
            let g = Guard::new("g");
            let v = if c { step("then", 1u32).await + 1 } else { step("else", 2u32).await * 10 };
            log(format!("v={v} {}", g.name()));
            v
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { async { f(true).await + f(false).await } }
    }

    match_arms {
        async fn f(x: Option<u32>) -> u32 {
            match x {
                Some(n) if n > 5 => { let g = Guard::new("big"); step("big", n).await + g.name().len() as u32 }
                Some(n) => step("small", n).await,
                None => { log("none"); 0 }
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { async { f(Some(9)).await + f(Some(2)).await + f(None).await } }
    }

    loop_break_value {
        async fn f() -> u32 {
            let mut i = 0u32;
            let r = loop {
                let g = Guard::new(format!("it{i}"));
                i += step("tick", 1u32).await;
                if i == 3 { break i * 100; }
                log(g.name().to_string());
            };
            r + 1
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    while_loop {
        async fn f(n: u32) -> u32 {
            let mut sum = 0;
            let mut i = 0;
            while i < n {
                sum += step("w", i).await;
                i += 1;
            }
            sum
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(4) }
    }

    while_let_loop {
        async fn f() -> Vec<u32> {
            let mut v = vec![3u32, 2, 1];
            let mut out = Vec::new();
            while let Some(x) = v.pop() {
                let g = Guard::new(format!("x{x}"));
                out.push(step("pop", x).await);
                drop(g);
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> { f() }
    }

    for_loop {
        async fn f(items: Vec<u32>) -> u32 {
            let mut total = 0;
            for x in items {
                let g = Guard::new(format!("item{x}"));
                if x == 2 { continue; }
                total += step("item", x).await;
                log(g.name().to_string());
            }
            total
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(vec![1, 2, 3]) }
    }

    labelled_break_continue {
        async fn f() -> u32 {
            let mut count = 0u32;
            'outer: for i in 0..3u32 {
                for j in 0..3u32 {
                    if j == 2 { continue 'outer; }
                    count += step("inner", i * 10 + j).await;
                    if i == 2 && j == 1 { break 'outer; }
                }
            }
            count
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    early_return {
        async fn f(stop: bool) -> u32 {
            let g = Guard::new("g");
            let a = step("a", 1u32).await;
            if stop {
                log("early");
                return a;
            }
            let h = Guard::new("h");
            let b = step("b", 2u32).await;
            log(format!("{} {}", g.name(), h.name()));
            a + b
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { async { f(true).await + f(false).await } }
    }

    question_mark_result {
        async fn parse(s: &'static str) -> Result<u32, String> { step("parse", ()).await; s.parse::<u32>().map_err(|e| e.to_string()) }
        async fn f(a: &'static str, b: &'static str) -> Result<u32, MyErr> {
            let g = Guard::new("g");
            let x = parse(a).await?;
            let y = parse(b).await?;
            log(g.name().to_string());
            Ok(x + y)
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<u32, MyErr>, Result<u32, MyErr>)> {
            async { (f("1", "2").await, f("1", "x").await) }
        }
    }

    question_mark_option {
        async fn get(v: Option<u32>) -> Option<u32> { step("get", v).await }
        async fn f(a: Option<u32>, b: Option<u32>) -> Option<u32> {
            let x = get(a).await?;
            let g = Guard::new("g");
            let y = get(b).await?;
            drop(g);
            Some(x + y)
        }
        pub fn entry() -> impl core::future::Future<Output = (Option<u32>, Option<u32>)> {
            async { (f(Some(1), Some(2)).await, f(Some(1), None).await) }
        }
    }

    nested_expression_awaits {
        async fn val(n: u32) -> u32 { step("val", n).await }
        fn add3(a: u32, b: u32, c: u32) -> u32 { log(format!("add3 {a} {b} {c}")); a + b + c }
        fn side(n: u32) -> u32 { log(format!("side {n}")); n }
        async fn f() -> u32 {
            let a = add3(side(1), val(2).await, side(3) + val(4).await);
            let b = [val(5).await, side(6)].iter().sum::<u32>();
            let t = (side(7), val(8).await);
            a + b + t.0 + t.1 + val(val(9).await).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    method_chain_awaits {
        pub struct Conn { pub n: u32 }
        impl Conn {
            pub async fn next(&self) -> Conn { step("next", ()).await; Conn { n: self.n + 1 } }
            pub async fn into_value(self) -> u32 { step("value", ()).await; self.n }
        }
        async fn f() -> u32 {
            let c = Conn { n: 1 };
            c.next().await.next().await.into_value().await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    short_circuit {
        async fn t(name: &'static str, v: bool) -> bool { step(name, v).await }
        async fn f() -> (bool, bool, bool) {
            let a = t("a", false).await && t("b", true).await;
            let b = t("c", true).await || t("d", false).await;
            let c = t("e", true).await && t("f", true).await;
            (a, b, c)
        }
        pub fn entry() -> impl core::future::Future<Output = (bool, bool, bool)> { f() }
    }

    borrow_local_in_future {
        async fn fill(buf: &mut Vec<u8>, n: u8) -> usize { step("fill", ()).await; buf.push(n); buf.len() }
        async fn f() -> Vec<u8> {
            let mut buf = Vec::new();
            let a = fill(&mut buf, 1).await;
            let b = fill(&mut buf, 2).await;
            log(format!("{a} {b}"));
            buf
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u8>> { f() }
    }

    temporaries_across_await {
        async fn read(s: &str) -> usize { step("read", ()).await; s.len() }
        fn make(name: &str) -> Guard { Guard::new(name) }
        async fn f() -> usize {
            let n = read(make("tmp").name()).await;
            let m = read(&format!("{}", n)).await;
            log("after");
            n + m
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    methods_with_self {
        pub struct Counter { pub count: u32, pub name: Guard }
        impl Counter {
            pub async fn bump(&mut self) -> u32 { self.count += step("bump", 1u32).await; self.count }
            pub async fn get(&self) -> u32 { step("get", self.count).await }
            pub async fn into_count(mut self) -> u32 { self.bump().await; self.count }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async {
                let mut c = Counter { count: 0, name: Guard::new("c") };
                let a = c.bump().await;
                let b = c.get().await;
                a + b + c.into_count().await
            }
        }
    }

    panic_in_body {
        async fn f() -> u32 {
            let g = Guard::new("g");
            let a = step("a", 1u32).await;
            if a == 1 { panic!("oops {}", g.name()); }
            a
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    generics_and_lifetimes {
        async fn f<'a, T: core::fmt::Display + Clone>(x: &'a T, n: usize) -> String where T: 'a {
            let mut s = String::new();
            for _ in 0..n {
                let v = step("gen", x.clone()).await;
                s.push_str(&v.to_string());
            }
            s
        }
        pub fn entry() -> impl core::future::Future<Output = String> {
            async { let v = 7u8; f(&v, 3).await }
        }
    }

    pattern_arguments {
        async fn f((a, b): (u32, u32), _: Guard, mut c: u32) -> u32 {
            c += step("p", a).await;
            c + b
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f((1, 2), Guard::new("ignored"), 3) }
    }

    shadowing {
        async fn f() -> u32 {
            let x = Guard::new("x1");
            let n = step("a", 1u32).await;
            // The old `x` moves into the new one; the old `n` is a copy.
            let x = (x, Guard::new("x2"));
            let n = n + step("b", 2u32).await;
            log(x.1.name().to_string());
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    macros_with_await {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> String {
            println!("{}", v(1).await);
            let s = format!("{}-{}", v(2).await, v(3).await);
            assert_eq!(v(4).await, 4);
            let vv = vec![v(5).await, v(6).await];
            format!("{s} {vv:?}")
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }
}
