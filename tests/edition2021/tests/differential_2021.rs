//! The same comparison as `clockwork-tests`, compiled as edition 2021: temporaries in a block's
//! tail expression and in `if let` scrutinees drop later here than in 2024. Keeping the user's
//! spans on the user's tokens lets rustc apply this crate's rules to the expansion too.
use clockwork_tests::differential;

differential! {
    tail_expression_temporary_2021 {
        fn probe(name: &str) -> Guard { Guard::new(name) }
        async fn f() -> usize {
            let g = Guard::new("local");
            step("s", ()).await;
            // 2021: the temporary `probe("tmp")` drops after `g`; 2024: before.
            probe("tmp").name().len() + g.name().len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    if_let_scrutinee_temporary_2021 {
        fn maybe(name: &str) -> Option<Guard> { Some(Guard::new(name)) }
        async fn f() -> usize {
            let n = step("s", 2usize).await;
            // 2021: the scrutinee temporary lives through the `else` branch.
            if let Some(0) = maybe("scrutinee").map(|g| g.name().len() * 0 + n) {
                1
            } else {
                log("else branch");
                step("e", 3usize).await
            }
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    block_tail_temporary_across_await_2021 {
        fn probe(name: &str) -> Guard { Guard::new(name) }
        async fn f() -> usize {
            let v = {
                let inner = Guard::new("inner");
                step("s", ()).await;
                probe("tail").name().len() + inner.name().len()
            };
            step("t", v).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    owned_args_and_loops_2021 {
        async fn f(items: Vec<u32>, label: String) -> String {
            let mut out = label;
            for x in items {
                let g = Guard::new(format!("g{x}"));
                out.push_str(&step("x", x).await.to_string());
                drop(g);
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f(vec![1, 2, 3], String::from(">")) }
    }

    question_mark_2021 {
        async fn parse(s: &'static str) -> Result<u32, String> { step("p", ()).await; s.parse::<u32>().map_err(|e| e.to_string()) }
        async fn f(a: &'static str) -> Result<u32, String> {
            let g = Guard::new("g");
            let x = parse(a).await?;
            drop(g);
            Ok(x * 2)
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<u32, String>, Result<u32, String>)> {
            async { (f("21").await, f("x").await) }
        }
    }

    borrowed_arguments_and_self {
        pub struct Counter { pub n: u32 }
        impl Counter {
            pub async fn add(&mut self, by: &u32) -> u32 {
                self.n += step("add", *by).await;
                self.n
            }
        }
        async fn first_word(s: &str) -> &str {
            step("scan", ()).await;
            s.split(' ').next().unwrap_or("")
        }
        async fn pick<'a, T: Clone>(xs: &'a [T], i: &usize) -> Option<T> {
            step("pick", ()).await;
            xs.get(*i).cloned()
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, String, Option<u32>)> {
            async {
                let mut c = Counter { n: 1 };
                let by = 2;
                let a = c.add(&by).await;
                let text = String::from("hello world");
                let w = first_word(&text).await.to_string();
                let p = pick(&[7u32, 8, 9], &1).await;
                (a, w, p)
            }
        }
    }

    /// Join points in a 2021 crate: a `match` whose arms suspend, with temporaries in its
    /// scrutinee and in the arms' tails, then code after it (written once).
    join_after_match_with_temporaries_2021 {
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

    join_in_block_tail_2021 {
        fn probe(name: &str) -> Guard { Guard::new(name) }
        async fn f(c: bool) -> usize {
            let v = {
                let inner = Guard::new("inner");
                let x = if c { step("c", 1usize).await } else { 2 };
                probe("tail").name().len() + inner.name().len() + x
            };
            step("t", v).await
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize)> {
            async { (f(true).await, f(false).await) }
        }
    }

    // Disjoint closure captures are edition 2021's too: the closure takes `p.a` alone.
    move_closure_takes_one_field_2021 {
        pub struct Pair { pub a: Guard, pub b: Guard }
        async fn f() -> usize {
            let p = Pair { a: Guard::new("pa"), b: Guard::new("pb") };
            let c = move || p.a.name().len();
            let n = step("s", c()).await;
            log(p.b.name().to_string());
            n
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    tuple_scrutinee_part_left_2021 {
        async fn f(first: bool) -> usize {
            let s = match (Guard::new("t1"), Guard::new("t2")) {
                (a, _) if first => { step("first", ()).await; a.name().len() }
                (_, b) => { step("second", ()).await; b.name().len() }
            };
            log("after match");
            s
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize)> { async { (f(true).await, f(false).await) } }
    }
    // A generic fn whose state borrows a local of generic type: the borrow's lifetime is the
    // fn's `'state`.
    generic_over_trait_in_loop {
        pub trait Source { fn read(&self) -> core::pin::Pin<Box<dyn core::future::Future<Output = u32> + '_>>; }
        pub struct Const(pub u32);
        impl Source for Const {
            fn read(&self) -> core::pin::Pin<Box<dyn core::future::Future<Output = u32> + '_>> { Box::pin(step("read", self.0)) }
        }
        async fn sum_all<S: Source>(sources: Vec<S>) -> u32 {
            let mut s = 0;
            for src in sources { s += src.read().await; }
            s
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { sum_all(vec![Const(1), Const(2), Const(3)]) }
    }
}

/// The temporary rules of editions 2018 and 2021, shared with the other edition's crate.
mod temporaries {
    use clockwork_tests::differential;
    include!("../../older_editions/temporaries.rs");
}
