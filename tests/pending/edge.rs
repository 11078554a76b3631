//! PENDING differential cases (not compiled; bug reports for the transform): signatures (generics, where-clauses, lifetimes, `impl Trait`, `unsafe`,
//!
//! Not compiled by cargo. Each case fails against the transform at d65802d (compile error in the `machine`
//! expansion, or a runtime difference); the comment above it gives the error or the harness diff.
//! The native version of every case compiles and passes on its own. To retry one, paste it into the
//! `differential!` block of tests/tests/differential_edge.rs (the top-level types below are the same).
//! visibility, attributes), nested async blocks, recursion and panics.
use clockwork_tests::differential;

differential! {

    // Drop order differs (found in session 15, fuzzer seed 7777, program 2890's shape; it
    // differs at 8c5d2e6 too): `g = ..` inside the input of a macro run as an island is not
    // seen (the walk of an island's tokens takes `v = ..` for a field name, `info!(v = %x)`),
    // so `g`, moved before, is not kept across the `.await` after it: `drop g2` comes at the
    // assignment instead of at the end (`value 1 | drop g2`). Fix: walk an island's input as
    // expressions when it parses as such, as for other unknown macros.
    island_that_assigns_a_moved_local {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f(again: bool) -> Result<u32, String> {
            let mut g = Guard::new("g1");
            drop(g);
            logv!("value {}", if again { g = Guard::new("g2"); 1u32 } else { Ok::<u32, String>(3)? });
            step("s", 1u32).await;
            Ok(5)
        }
        pub fn entry() -> impl core::future::Future<Output = Result<u32, String>> {
            async { Ok(f(true).await? + f(false).await?) }
        }
    }

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
