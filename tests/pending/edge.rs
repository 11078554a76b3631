//! PENDING differential cases (not compiled; bug reports for the transform): signatures (generics, where-clauses, lifetimes, `impl Trait`, `unsafe`,
//!
//! Not compiled by cargo. Each case fails against the transform at d65802d (compile error in the `machine`
//! expansion, or a runtime difference); the comment above it gives the error or the harness diff.
//! The native version of every case compiles and passes on its own. To retry one, paste it into the
//! `differential!` block of tests/tests/differential_edge.rs (the top-level types below are the same).
//! visibility, attributes), nested async blocks, recursion and panics.
use clockwork_tests::differential;

differential! {

    // Send-ness differs (found when the auto-trait probe was fixed; the old probe read every
    // future as !Send): rustc's future is !Send, ours is Send. rustc counts a local whose storage
    // is live across the `.await` and that was borrowed before it (`*rc` borrows `rc` through
    // `Deref`), even when it was moved out (`drop(rc)`) before the `.await`. The state does not
    // hold a moved local, so nothing of type `Rc` is in our future. Fix: a zero-sized
    // `PhantomData` of such a local's type in the states where it is in scope.
    send_non_send_local_dropped_explicitly {
        async fn f() -> u32 {
            let rc = std::rc::Rc::new(5u32);
            let n = *rc;
            drop(rc);
            step("s", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }


    // LIMITATION (explicit error since a86be15): recursion through `Box::pin(f(n - 1)).await` (the state would contain a
    // future of its own opaque type). The type-erased form passes: see recursion_dyn_boxed in differential_edge.rs.
    // error: `sum_to` awaits a call to itself: the state machine would contain a future of its own type, which an `impl Future`
    // cannot; erase the type first: `let fut: Pin<Box<dyn Future<Output = _>>> = Box::pin(..)`
    recursion_box_pin {
        async fn sum_to(n: u32) -> u32 {
            if n == 0 { return step("base", 0u32).await; }
            let _g = Guard::new(format!("level{n}"));
            let rest = Box::pin(sum_to(n - 1)).await;
            rest + step("add", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { sum_to(3) }
    }

    // LIMITATION (explicit error since a86be15): same as recursion_box_pin (`Box::pin(total(l)).await` on a tree).
    // error: `total` awaits a call to itself: the state machine would contain a future of its own type, ...
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
