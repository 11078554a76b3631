//! Differential cases: loops whose head has an arm of its own (`join::heads`, the `LoopHead`
//! variants): entered from the code before the loop and from the end of each iteration after
//! an `.await`, and written once.
use clockwork_tests::differential;

differential! {
    closure_in_loop_before_first_await_kept_across {
        async fn f(v: Vec<u32>) -> u32 {
            let mut total = 0;
            for x in v {
                let _g = Guard::new(format!("it{x}"));
                let scale = move |y: u32| y * x;
                let got = step("got", x).await;
                total += scale(got);
            }
            total
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(vec![1, 2, 3]) }
    }

    two_awaits_with_temporaries_in_the_header {
        async fn f() -> Vec<u32> {
            let mut out = Vec::new();
            let keep = Guard::new("keep");
            let mut i = 0u32;
            while Guard::new(format!("cond{i}")).name().len() < 10 {
                let g = Guard::new(format!("body{i}"));
                let a = step("a", i).await;
                if a % 2 == 0 {
                    out.push(a + step("b", g.name().len() as u32).await);
                } else {
                    out.push(a);
                }
                i += 1;
                if i == 3 { break; }
            }
            log(keep.name().to_string());
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> { f() }
    }

    break_value_and_continue_after_an_await {
        async fn f() -> u32 {
            let mut n = 0u32;
            let held = Guard::new("held");
            let found = loop {
                n += 1;
                let g = Guard::new(format!("n{n}"));
                if step("skip", n % 2 == 0).await { continue; }
                if n % 3 != 0 && step("stop", n > 4).await { break n * 10 + g.name().len() as u32; }
                log(format!("round {n}"));
            };
            drop(held);
            found + step("end", 1u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    nested_loops_with_heads_and_a_labelled_break {
        async fn f() -> Vec<(u32, u32)> {
            let mut out = Vec::new();
            let _outer = Guard::new("outer");
            'rows: for r in 0..3u32 {
                let row = Guard::new(format!("row{r}"));
                for c in 0..3u32 {
                    let a = step("a", r).await;
                    let b = if c != 1 { step("b", c).await } else { c };
                    if a + b == 3 { continue 'rows; }
                    out.push((a, b + row.name().len() as u32));
                }
                log(format!("row {r} done"));
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<(u32, u32)>> { f() }
    }

    copy_local_passed_by_value_each_iteration {
        async fn f(q: u32) -> u32 {
            let mut acc = 0;
            let mut k = 0u32;
            loop {
                k += 1;
                let add = move |v: u32| v + q;
                acc += add(step("s", q).await);
                acc += step("t", k).await;
                if k == 3 { break acc; }
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(7) }
    }

    while_let_with_two_awaits_and_a_guard {
        pub struct Source { pub items: Vec<u32> }
        impl Source {
            pub async fn next(&mut self) -> Option<u32> {
                step("next", ()).await;
                self.items.pop()
            }
        }
        async fn f() -> u32 {
            let mut src = Source { items: vec![3, 0, 5, 7] };
            let mut seen = 0;
            let _g = Guard::new("drain");
            while let Some(x) = src.next().await {
                let item = Guard::new(format!("item{x}"));
                match x {
                    0 => log("zero".to_string()),
                    5 => seen += step("five", item.name().len() as u32).await,
                    _ => seen += x,
                }
            }
            seen
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    loop_value_bound_by_let_after_a_head {
        async fn f() -> String {
            let prefix = String::from("p");
            let mut i = 0u32;
            let word = loop {
                i += step("i", 1u32).await;
                let part = if i % 2 == 1 {
                    step("part", format!("{prefix}{i}")).await
                } else {
                    format!("{prefix}{i}")
                };
                if part.len() > 2 { break part; }
            };
            format!("{word}/{}", step("end", i).await)
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }
}
