//! PENDING differential cases (not compiled; bug reports for the transform): `let` patterns, `let-else`, shadowing, `if`/`if let`/`match` with awaits.
//!
//! Not compiled by cargo. Each case fails against the transform at e9b7e51 (compile error in the `machine`
//! expansion, or a runtime difference); the comment above it gives the error or the harness diff.
//! The native version of every case compiles and passes on its own. To retry one, paste it into the
//! `differential!` block of tests/tests/differential_patterns.rs (the top-level types below are the same).
use clockwork_tests::differential;

#[derive(Debug, PartialEq, Clone, Copy)]
pub struct Pt {
    pub x: i32,
    pub y: i32,
}

#[derive(Debug, PartialEq, Clone)]
pub enum Shape {
    Circle(u32),
    Rect { w: u32, h: u32 },
    Empty,
}

differential! {

    // ROOT CAUSE: suspending `let PAT = <..>.await` keeps PAT with a diverging `{ *state = ..; continue }` initializer;
    // a tuple pattern with `..` cannot be typed against `!`.
    // error[E0282]: type annotations needed
    //   --> differential_patterns.rs: `let (e, ..) = (step("rest", 5u32).await, 6u32, 7u32);` cannot infer type
    let_tuple_pattern {
        async fn f() -> u32 {
            let (a, b) = step("pair", (1u32, 2u32)).await;
            let ((c, _), mut d) = step("nested", ((3u32, 99u32), 4u32)).await;
            d += a;
            let (e, ..) = (step("rest", 5u32).await, 6u32, 7u32);
            a + b * 10 + c * 100 + d * 1000 + e * 10000
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    // ROOT CAUSE: same as let_tuple_pattern (pattern kept on a diverging initializer); `ref` bindings against `!`.
    // error[E0308]: mismatched types: `let (ref a, ref mut b) = (step("a", 1u32).await, 2u32);`
    //   expected `!`, found `(_, _)`
    let_ref_patterns {
        static NUMS: [u32; 3] = [10, 20, 30];
        async fn f() -> u32 {
            let &n = step("ref", &NUMS[1]).await;
            let (ref a, ref mut b) = (step("a", 1u32).await, 2u32);
            *b += step("b", *a).await;
            let [first, .., last] = step("slice", &NUMS).await;
            n + *a + *b + first + last
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    // ROOT CAUSE: borrow of a local inside an awaited call's arguments (`step("use", g.name().len())`):
    // the temporary `tmp = g.name()` is bound BEFORE `g` is moved into the state, then stored next to it.
    // error[E0505]: cannot move out of `g` because it is borrowed (+ E0521 borrowed data escapes outside of closure)
    // (still a raw rustc error at e9b7e51: the "stays borrowed" check of 216f9d4 does not catch this shape)
    if_let_guard_scrutinee_temporary {
        async fn f(b: bool) -> usize {
            let out = if let Some(g) = step("opt", if b { Some(Guard::new("inner")) } else { None }).await {
                log("got");
                step("use", g.name().len()).await
            } else {
                log("none");
                0
            };
            log("after if");
            out
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { async { f(true).await + f(false).await } }
    }

    // ROOT CAUSE: same as if_let_guard_scrutinee_temporary: `step("long", g.name().len()).await` where `g`
    // is a match binding that lives across the await.
    // error[E0505]: cannot move out of `g` because it is borrowed (+ E0521)
    // (still a raw rustc error at e9b7e51: the "stays borrowed" check of 216f9d4 does not catch this shape)
    match_scrutinee_guard_temporary {
        fn make(name: &str) -> Guard { Guard::new(name) }
        async fn f() -> usize {
            let n = match make("scrut").name().len() {
                5 => { log("five"); step("five", 5usize).await }
                n => n,
            };
            let m = match step("g", Guard::new("bound")).await {
                g if g.name().len() > 3 => { log("long"); step("long", g.name().len()).await }
                g => g.name().len(),
            };
            n + m
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    // LIMITATION (explicit error since 216f9d4): a loop iterator that borrows a local (`for s in &shapes`) across an await.
    // error: `shapes` stays borrowed by the iterator of this `for` loop across an `.await`: #[state_machine] moves locals
    // between states and cannot keep a borrowed local in place yet; clone it, iterate by index, or end the borrow before the `.await`
    match_enum_struct_variants {
        async fn area(s: &Shape) -> u32 {
            match s {
                Shape::Circle(r) if *r > 10 => step("bigc", 999u32).await,
                Shape::Circle(r) => step("circle", 3 * r * r).await,
                Shape::Rect { w, h } if w == h => step("square", w * w).await,
                Shape::Rect { w, h } => { let a = step("w", *w).await; a * step("h", *h).await }
                Shape::Empty => 0,
            }
        }
        async fn f() -> Vec<u32> {
            let shapes = vec![Shape::Circle(2), Shape::Rect { w: 3, h: 3 }, Shape::Rect { w: 2, h: 5 }, Shape::Empty, Shape::Circle(11)];
            let mut out = Vec::new();
            for s in &shapes {
                out.push(area(s).await);
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> { f() }
    }

    // ROOT CAUSE: a match scrutinee that borrows a local (`match v.get_mut(1)`, `match &mut v[..]`) held across an await.
    // error[E0505]: cannot move out of `v` because it is borrowed; error[E0499]: cannot borrow `v` as mutable more than once
    // (still a raw rustc error at e9b7e51: the "stays borrowed" check of 216f9d4 does not catch this shape)
    match_ref_binding_mutation {
        async fn f() -> Vec<u32> {
            let mut v = vec![1u32, 2, 3];
            match v.get_mut(1) {
                Some(x) => { *x += step("add", 10u32).await; }
                None => {}
            }
            match &mut v[..] {
                [first, .., last] => { core::mem::swap(first, last); step("swap", ()).await; }
                _ => {}
            }
            v
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> { f() }
    }
}
