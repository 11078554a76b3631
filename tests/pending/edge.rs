//! PENDING differential cases (not compiled; bug reports for the transform): signatures (generics, where-clauses, lifetimes, `impl Trait`, `unsafe`,
//! visibility, attributes), nested async blocks, recursion and panics.
use clockwork_tests::differential;

differential! {

    // ROOT CAUSE: a reference to a local held across an await (`let r = &s; step.await; r.len()`, `let t = &s[1..];`):
    // the borrow is taken before `s` is moved into the state (self-referential locals are not supported).
    // error[E0505]: cannot move out of `s` because it is borrowed (+ E0521 borrowed data escapes outside of closure)
    borrow_local_across_awaits {
        async fn f() -> usize {
            let s = String::from("hello");
            let r = &s;
            step("s1", ()).await;
            let n = r.len();
            let t = &s[1..];
            step("s2", ()).await;
            n + t.len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    // ROOT CAUSE: recursion through `Box::pin(f(n - 1)).await`: the state enum is generic over the sub-future type,
    // which is the fn's own opaque return type, so the opaque type is defined in terms of itself (rustc special-cases
    // async fn recursion through a box; `impl Future` + a generic state cannot).
    // error[E0720]: cannot resolve opaque type
    recursion_box_pin {
        async fn sum_to(n: u32) -> u32 {
            if n == 0 { return step("base", 0u32).await; }
            let _g = Guard::new(format!("level{n}"));
            let rest = Box::pin(sum_to(n - 1)).await;
            rest + step("add", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { sum_to(3) }
    }

    // ROOT CAUSE: same as recursion_box_pin (`Box::pin(total(l)).await` on a tree).
    // error[E0720]: cannot resolve opaque type
    recursion_tree {
        pub enum Tree { Leaf(u32), Node(Box<Tree>, Box<Tree>) }
        async fn total(t: &Tree) -> u32 {
            match t {
                Tree::Leaf(v) => step("leaf", *v).await,
                Tree::Node(l, r) => {
                    let a = Box::pin(total(l)).await;
                    let b = Box::pin(total(r)).await;
                    a + b
                }
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async {
                let t = Tree::Node(Box::new(Tree::Leaf(1)), Box::new(Tree::Node(Box::new(Tree::Leaf(2)), Box::new(Tree::Leaf(3)))));
                total(&t).await
            }
        }
    }
}
