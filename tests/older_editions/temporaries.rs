// Differential cases for the temporary rules of editions 2018 and 2021, which the transform
// follows by reading the crate's edition (`macro/expand/src/edition.rs`). Included by
// `tests/edition2021` and `tests/edition2018`, and so compiled as each crate's edition.
differential! {
    /// The body's tail awaits a call given a temporary: up to edition 2021 the temporary
    /// drops after the body's locals (and before the arguments). `#[state_machine]` keeps it
    /// in a slot declared at the top of the block (`Normalizer::tail_slots`), which the
    /// edition read from `Cargo.toml` turns on; it dropped before the locals, as in 2024.
    tail_temporary_across_an_await_drops_after_the_locals {
        async fn helper(g: &Guard) -> usize { step("helper", g.name().len()).await }
        async fn f(_arg: Guard) -> usize {
            let _local = Guard::new("local");
            step("first", ()).await;
            helper(&Guard::new("tail temp")).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f(Guard::new("arg")) }
    }

    /// The same in a nested block, with an operand evaluated before the `.await` and a
    /// method's receiver made in the tail; dropped half-way, the slot drops last.
    nested_block_tail_temporaries {
        fn make(name: &str) -> Guard { Guard::new(name) }
        fn combine(a: &str, b: u32) -> usize { a.len() + b as usize }
        async fn f() -> usize {
            let v = {
                let _inner = Guard::new("inner");
                let x = step("x", 1u32).await;
                combine(make("receiver").name(), step("y", x).await)
            };
            log("after block");
            v + step("z", 1usize).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// An `if let` whose scrutinee awaits: up to 2021 its temporaries live through the
    /// `else` block too (they were dropped before it, as in 2024).
    if_let_awaited_scrutinee_lives_through_else {
        async fn f(k: u32) -> u32 {
            if let Some(x) = step("s", Guard::new(format!("g{k}"))).await.name().find('1') {
                log("then");
                step("t", x as u32).await
            } else {
                log("else");
                step("e", 2u32).await
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(1).await + f(2).await }
        }
    }

    /// An awaited value that a method borrows, in a block's tail (`step(..).await.val()`): up
    /// to 2021 a temporary of the tail, which drops after the block's locals, in its slot.
    /// Fuzzer (`--edition 2021`), seed 21, program 1.
    awaited_receiver_in_a_block_tail {
        async fn f() -> usize {
            let _outer = Guard::new("outer");
            let v = 'b: {
                let _inner = Guard::new("inner");
                let n = step("n", 1usize).await;
                n + step("s", Guard::new("awaited")).await.name().len()
            };
            log("after block");
            v
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// A labelled block used as an operand of an awaited call: up to 2021 its tail's
    /// temporaries live to the end of the statement, across that `.await` (slots declared
    /// before the block). Fuzzer (`--edition 2021`), seed 21, programs 5 and 406.
    block_operand_tail_temporaries_live_to_the_statement_end {
        async fn f(k: u32) -> u32 {
            let a = step("outer", 'b: {
                let _inner = Guard::new("inner");
                Guard::new("tail temp").name().len() as u32
            }).await;
            let b = step("outer2", 'c: {
                let n = step("n", k).await;
                step("s", Guard::new("awaited")).await.name().len() as u32 + n
            }).await;
            a + b
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(1) }
    }

    /// A body that does not await, with an argument taken apart by its pattern: its tail's
    /// temporaries drop before the arguments. Fuzzer (`--edition 2021`), seed 21, program 70.
    tail_temporary_before_pattern_arguments {
        async fn f(n: u32, (_k, _g): (u32, Guard)) -> usize {
            let _l = Guard::new("local");
            match Guard::new("tail temp").name().len() {
                0 => 0,
                m => m + n as usize,
            }
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f(1, (2, Guard::new("arg"))) }
    }

    /// A `match` as the body's last expression, whose arms await: the temporaries of its
    /// scrutinee drop after the fn's locals, as a tail's do up to edition 2021 (a scrutinee
    /// is no temporary scope; `rules.rs`). They dropped with the `match`, before the locals.
    /// Fuzzer (`--edition 2021`), seed 1, programs 23, 67 and 69.
    tail_match_scrutinee_temporaries_drop_after_the_locals {
        async fn f(n: u32) -> u32 {
            let g = Guard::new("local");
            match Guard::new("scrutinee").name().len() as u32 + n {
                0 => 0,
                _ => step("arm", n).await + g.name().len() as u32,
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(1) }
    }

    /// Methods of unknown `self` on temporaries, in statements that await: `with` and `run`
    /// take the builder by value, `peek`, `look` and `make` borrow it (`look`'s future borrows
    /// it too). Each statement runs whole as an island (`statement_island.rs`), where rustc
    /// settles each call: a temporary the method borrows drops where the statement ends
    /// (`peek`'s after the second `.await` of its statement, `make`'s after the value the
    /// statement drops). Held in slots, `with(self)` was E0507 (tokio-graceful-shutdown's
    /// `Toplevel::new(..).catch_signals().handle_shutdown_requests(..).await`).
    unknown_methods_on_temporaries_settled_by_rustc_in_an_island {
        pub struct Builder { pub g: Guard, pub n: u32 }
        impl Builder {
            pub fn new(n: u32) -> Builder { Builder { g: Guard::new(format!("builder {n}")), n } }
            pub fn with(mut self, k: u32) -> Builder { self.n += k; self }
            pub fn run(self) -> Step<u32> { step("run", self.n) }
            pub fn peek(&self) -> Step<u32> { step("peek", self.n) }
            pub async fn look(&self, k: u32) -> u32 { step("look", self.n + k).await }
            pub fn make(&self) -> Step<Guard> { step("make", Guard::new("made")) }
        }
        async fn f() -> u32 {
            let a = Builder::new(1).with(2).run().await;
            let b = Builder::new(a).peek().await + step("after", 1).await;
            Builder::new(b).make().await;
            let (c, _) = (Builder::new(b).with(1).look(3).await, Guard::new("pair"));
            c + Builder::new(c).look(1).await
        }
        async fn tail(n: u32) -> u32 {
            step("first", ()).await;
            Builder::new(n).with(1).look(2).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f().await + tail(7).await }
        }
    }
}
