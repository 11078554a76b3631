//! Differential cases for shapes that once failed: shadowing with renames, recursion through a
//! type-erased box, a local moved into an await and assigned after it, items in the body.

use clockwork_tests::differential;

differential! {
    shadowed_in_nested_block_and_format_string {
        async fn f() -> String {
            let s = Guard::new("outer");
            let a = step("a", 1u32).await;
            let out = {
                let s = Guard::new("inner");
                let b = step("b", 2u32).await;
                format!("{} {a} {b} {}", s.name(), s.0.len())
            };
            let s = Guard::new(format!("third {out}"));
            step("c", ()).await;
            let t = S { s };
            format!("{out} {}", t.s.name())
        }
        async fn g() -> String {
            let s = Guard::new("outer");
            let a = step("a", 1u32).await;
            let s = format!("{} {a}", s.name());
            step("b", ()).await;
            s
        }
        pub struct S { pub s: Guard }
        pub fn entry() -> impl core::future::Future<Output = String> { async { f().await + &g().await } }
    }

    shadowed_then_moved {
        async fn take(g: Guard) -> usize { step("take", ()).await; g.name().len() }
        async fn f() -> usize {
            let g = Guard::new("first");
            let n = step("a", 1usize).await;
            let g = (Guard::new("second"), n);
            let (h, m) = g;
            let k = take(h).await;
            k + m
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// The suggested form for recursion: erase the recursive future's type first.
    recursion_through_dyn_box {
        use core::future::Future;
        use core::pin::Pin;
        async fn depth(n: u32, g: Guard) -> u32 {
            if n == 0 {
                return step("leaf", 0u32).await;
            }
            let fut: Pin<Box<dyn Future<Output = u32>>> = Box::pin(depth(n - 1, Guard::new(format!("g{n}"))));
            1 + fut.await + g.name().len() as u32
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { depth(3, Guard::new("top")) }
    }

    /// `bump(&mut v(9).await)`: a mutable borrow of an awaited value.
    mutable_borrow_of_awaited_value {
        async fn v(n: u32) -> Vec<u32> { step("v", vec![n]).await }
        fn bump(x: &mut Vec<u32>) -> usize { x.push(1); x.len() }
        async fn f() -> usize { bump(&mut v(9).await) + bump(&mut v(8).await) }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// Items declared in the body are visible in every state.
    items_in_body {
        async fn f() -> u32 {
            const K: u32 = 7;
            fn helper(x: u32) -> u32 { x * K }
            struct Local(u32);
            impl Local { fn get(&self) -> u32 { self.0 } }
            let a = step("a", 1u32).await;
            let l = Local(helper(a));
            let b = step("b", l.get()).await;
            b + K
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// Named format arguments holding an `.await`, and a named argument next to a borrowed local.
    named_format_arguments {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> String {
            use std::fmt::Write;
            let mut s = String::new();
            let x = Guard::new("x");
            writeln!(s, "{a} + {b} = {sum}", a = v(1).await, b = v(2).await, sum = v(3).await).unwrap();
            let line = format!("{name}/{n}", name = x.name().len(), n = v(4).await);
            format!("{s}{line}")
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }
}
