//! Differential cases: loops (`loop`/`while`/`while let`/`for`), labels, `break value`, early return.
use clockwork_tests::differential;

differential! {
    loop_break_value_from_inner {
        async fn f() -> u32 {
            let mut n = 0u32;
            let found = 'outer: loop {
                let _g = Guard::new(format!("outer{n}"));
                let mut k = 0u32;
                loop {
                    k += step("k", 1u32).await;
                    if n * 10 + k == 22 { break 'outer n * 100 + k; }
                    if k == 3 { break; }
                }
                n += 1;
            };
            found + step("end", 1u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    while_await_in_condition {
        async fn f() -> Vec<u32> {
            let mut out = Vec::new();
            let mut i = 0u32;
            while step("cond", i).await < 4 {
                let _g = Guard::new(format!("w{i}"));
                out.push(i * i);
                i += 1;
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> { f() }
    }

    while_compound_condition {
        async fn t(v: bool) -> bool { step("t", v).await }
        async fn f() -> u32 {
            let mut i = 0u32;
            let mut s = 0;
            while i < 5 && t(i % 4 != 3).await {
                s += step("body", i).await;
                i += 1;
            }
            s * 100 + i
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    while_let_async_queue {
        pub struct Queue { pub items: Vec<u32> }
        impl Queue {
            pub async fn next(&mut self) -> Option<u32> {
                step("next", ()).await;
                if self.items.is_empty() { None } else { Some(self.items.remove(0)) }
            }
        }
        async fn f() -> u32 {
            let mut q = Queue { items: vec![4, 5, 6] };
            let mut sum = 0;
            while let Some(x) = q.next().await {
                let g = Guard::new(format!("x{x}"));
                sum += step("work", x).await;
                log(g.name().to_string());
            }
            sum
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    while_let_pop_with_break {
        async fn f() -> (Vec<u32>, usize) {
            let mut stack = vec![1u32, 2, 3, 4, 5];
            let mut seen = Vec::new();
            while let Some(top) = stack.pop() {
                if top == 2 { break; }
                if top % 2 == 0 { continue; }
                seen.push(step("seen", top).await);
            }
            (seen, stack.len())
        }
        pub fn entry() -> impl core::future::Future<Output = (Vec<u32>, usize)> { f() }
    }

    for_range_step_by_rev {
        async fn f() -> Vec<u32> {
            let mut v = Vec::new();
            for i in (0..10u32).step_by(3) {
                v.push(step("fwd", i).await);
            }
            for i in (1..=3u32).rev() {
                v.push(step("rev", i * 100).await);
            }
            v
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> { f() }
    }

    for_iterator_adapters {
        async fn f(words: Vec<&'static str>) -> Vec<(usize, usize)> {
            let mut out = Vec::new();
            for (i, w) in words.into_iter().enumerate().filter(|(_, w)| !w.is_empty()) {
                let len = step("len", w.len()).await;
                out.push((i, len));
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<(usize, usize)>> { f(vec!["ab", "", "cde", "f"]) }
    }

    for_over_awaited_vec {
        async fn f() -> u32 {
            let mut total = 0;
            for x in step("list", vec![1u32, 2, 3]).await {
                total += step("x", x * 2).await;
            }
            total
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    for_zip_chars {
        async fn f() -> String {
            let mut s = String::new();
            for (c, n) in "abc".chars().zip(1..) {
                let k = step("n", n).await;
                for _ in 0..k { s.push(c); }
            }
            s
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    labelled_nested_guards {
        async fn f() -> Vec<String> {
            let mut out = Vec::new();
            'rows: for r in 0..3u32 {
                let _row = Guard::new(format!("row{r}"));
                'cols: for c in 0..3u32 {
                    let _cell = Guard::new(format!("cell{r}{c}"));
                    let v = step("cell", r * 3 + c).await;
                    if v == 4 { continue 'rows; }
                    if c == 1 && r == 0 { continue 'cols; }
                    if v == 7 { break 'rows; }
                    out.push(format!("{r}{c}"));
                }
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<String>> { f() }
    }

    labelled_while_let_in_for {
        async fn f() -> u32 {
            let mut acc = 0;
            'outer: for base in [10u32, 20, 30] {
                let mut parts = vec![1u32, 2, 3];
                while let Some(p) = parts.pop() {
                    let v = step("p", base + p).await;
                    if v == 22 { continue 'outer; }
                    if v == 31 { break 'outer; }
                    acc += v;
                }
            }
            acc
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    early_return_in_nested_loops {
        async fn f(target: u32) -> Option<(u32, u32)> {
            let _g = Guard::new("fn");
            for i in 0..4u32 {
                let _gi = Guard::new(format!("i{i}"));
                let mut j = 0;
                while j < 4 {
                    let _gj = Guard::new(format!("j{j}"));
                    if step("probe", i * j).await == target {
                        return Some((i, j));
                    }
                    j += 2;
                }
            }
            None
        }
        pub fn entry() -> impl core::future::Future<Output = (Option<(u32, u32)>, Option<(u32, u32)>)> {
            async { (f(4).await, f(5).await) }
        }
    }

    loop_match_break_continue {
        async fn f() -> Vec<u32> {
            let mut out = Vec::new();
            let mut i = 0u32;
            loop {
                i += 1;
                match step("m", i % 4).await {
                    0 => break,
                    1 => continue,
                    n => out.push(n * i),
                }
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> { f() }
    }

    loop_without_await_then_await {
        async fn f() -> u32 {
            let mut n = 0u32;
            loop {
                n += 3;
                if n > 10 { break; }
            }
            let mut m = 0u32;
            while m < n { m += step("m", 4u32).await; }
            for _ in 0..2 { n += 1; }
            n + m
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    loop_match_recv_break {
        pub struct Rx { pub items: Vec<Option<u32>> }
        impl Rx {
            pub async fn recv(&mut self) -> Option<u32> { step("recv", ()).await; if self.items.is_empty() { None } else { self.items.remove(0) } }
        }
        async fn f() -> (u32, u32) {
            let mut rx = Rx { items: vec![Some(1), Some(2), None, Some(4)] };
            let mut sum = 0;
            let mut n = 0;
            loop {
                match rx.recv().await {
                    Some(x) => { sum += x; n += 1; }
                    None => break,
                }
            }
            (sum, n)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> { f() }
    }

    while_let_binding_used_after_await {
        async fn f() -> Vec<String> {
            let mut v = vec![Guard::new("p1"), Guard::new("p2")];
            let mut out = Vec::new();
            while let Some(g) = v.pop() {
                log(format!("popped {}", g.name()));
                step("work", ()).await;
                out.push(g.name().to_string());
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<String>> { f() }
    }

    unit_fn_return_in_loop {
        async fn f(stop_at: u32) {
            let _g = Guard::new("fn");
            for i in 0.. {
                let _it = Guard::new(format!("it{i}"));
                step("tick", ()).await;
                if i == stop_at { log("stopping"); return; }
            }
        }
        pub fn entry() -> impl core::future::Future<Output = ()> { async { f(2).await; f(0).await } }
    }

    for_over_awaited_into_iter_map_collect {
        async fn f() -> (Vec<u32>, u32) {
            let v: Vec<u32> = step("list", vec![1u32, 2, 3]).await.into_iter().map(|x| x * x).collect();
            let mut t = 0;
            for x in v.clone().into_iter().rev() {
                t = t * 10 + step("x", x).await;
            }
            (v, t)
        }
        pub fn entry() -> impl core::future::Future<Output = (Vec<u32>, u32)> { f() }
    }

    nested_while_with_shared_counter {
        async fn f() -> Vec<(u32, u32)> {
            let mut out = Vec::new();
            let mut i = 0u32;
            while i < 3 {
                let mut j = i;
                while j < 3 {
                    if (i + j) % 2 == 0 { out.push((i, step("pair", j).await)); }
                    j += 1;
                }
                i += 1;
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<(u32, u32)>> { f() }
    }

    loop_break_value_awaited {
        async fn f() -> (u32, u32) {
            let mut i = 0u32;
            let v = loop {
                i += 1;
                if i < 3 { continue; }
                break step("brk", i * 7).await;
            };
            let w = loop { break step("again", v + 1).await + 1 };
            (v, w)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> { f() }
    }

    for_over_btreemap_by_value {
        async fn f() -> Vec<String> {
            let mut m = std::collections::BTreeMap::new();
            m.insert("b", Guard::new("gb"));
            m.insert("a", Guard::new("ga"));
            m.insert("c", Guard::new("gc"));
            let mut out = Vec::new();
            for (k, g) in m {
                let n = step("kv", g.0.len()).await;
                out.push(format!("{k}{n}"));
                if k == "b" { break; }
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<String>> { f() }
    }

    owned_iterator_advanced_manually {
        async fn f() -> Vec<(u32, u32)> {
            let mut it = vec![1u32, 2, 3, 4, 5].into_iter();
            let mut out = Vec::new();
            while let Some(a) = it.next() {
                let b = match it.next() { Some(b) => b, None => step("odd", 0u32).await };
                out.push((a, step("pair", b).await));
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<(u32, u32)>> { f() }
    }

    for_over_owned_chunks {
        async fn f() -> Vec<u32> {
            let data = vec![1u32, 2, 3, 4, 5];
            let chunks: Vec<Vec<u32>> = data.chunks(2).map(|c| c.to_vec()).collect();
            let mut sums = Vec::new();
            for c in chunks {
                let mut s = 0;
                for x in c { s += step("x", x).await; }
                sums.push(s);
            }
            sums
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> { f() }
    }

    for_vec_of_guards {
        async fn f() -> usize {
            let gs = vec![Guard::new("a"), Guard::new("b"), Guard::new("c")];
            let mut n = 0;
            for g in gs {
                n += step("g", g.name().len()).await;
                if g.name() == "b" { log("b seen"); }
            }
            n
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    loop_state_enum_driver_plain_name {
        #[derive(Debug)]
        pub enum Phase { Start(u32), Middle(u32), End(u32) }
        impl Phase {
            pub async fn advance(self) -> Phase {
                step("advance", ()).await;
                match self { Phase::Start(n) => Phase::Middle(n + 1), Phase::Middle(n) if n < 3 => Phase::Middle(n + 1), Phase::Middle(n) => Phase::End(n * 10), Phase::End(n) => Phase::End(n) }
            }
        }
        async fn f() -> u32 {
            let mut p = Phase::Start(0);
            loop {
                if let Phase::End(n) = p { break n; }
                p = p.advance().await;
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    loop_state_enum_driver_into {
        #[derive(Debug)]
        pub enum Phase { Start(u32), Middle(u32), End(u32) }
        impl Phase {
            pub async fn into_next(self) -> Phase {
                step("advance", ()).await;
                match self { Phase::Start(n) => Phase::Middle(n + 1), Phase::Middle(n) if n < 3 => Phase::Middle(n + 1), Phase::Middle(n) => Phase::End(n * 10), Phase::End(n) => Phase::End(n) }
            }
        }
        async fn f() -> u32 {
            let mut p = Phase::Start(0);
            loop {
                if let Phase::End(n) = p { break n; }
                p = p.into_next().await;
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    move_closure_in_loop_body_after_first_await {
        // Written after the body's first `.await`, the closure exists once in the expansion (see
        // tests/ui/closure_in_loop_before_await.rs for the shape that does not).
        async fn f(v: Vec<u32>) -> u32 {
            let mut total = 0;
            for x in v {
                let got = step("got", x).await;
                let scale = move |y: u32| y * x;
                let more = step("more", got).await;
                total += scale(more);
            }
            total
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(vec![1, 2, 3]) }
    }

    /// A local moved before the `.await` and assigned again right after it, then read in the
    /// next iteration: nothing to keep across the `.await` (it was E0382, "use of moved value").
    moved_then_reassigned_in_loop {
        async fn f() -> String {
            let mut g = Guard::new("g0");
            let mut names = String::new();
            for i in 1..4 {
                names += g.name();
                drop(g);
                step("tick", ()).await;
                g = Guard::new(format!("g{i}"));
            }
            names + g.name()
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }
    // A `Copy` local read by an awaited expression and assigned only on some paths after it
    // (`if .. { best = i; }`) is still needed after the `.await`: it was taken for the
    // `p = p.next().await` shape and left uninitialised (E0381).
    argmax_over_awaited_values {
        async fn f(xs: Vec<u32>) -> (usize, u32) {
            let mut best = 0;
            for i in 0..xs.len() {
                if step("x", xs[i]).await > step("best", xs[best]).await { best = i; }
            }
            (best, xs[best])
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, u32)> { f(vec![3, 9, 2, 9, 4]) }
    }


    /// A local an awaited expression in a loop takes by value (a copy), assigned again only
    /// after the loop: the next iteration reads it first, so the state keeps it across the
    /// `.await` (E0381). Fuzzer, seed 42, program 651.
    copied_into_a_future_in_a_loop_and_assigned_after_it {
        async fn f() -> u32 {
            let mut n = 1u32;
            let mut i = 0u32;
            let mut sum = 0;
            loop {
                i += 1;
                if i > 3 {
                    break;
                }
                sum += step("a", i).await & step("b", n).await;
            }
            n = 5u32;
            sum + step("c", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }
}
