//! Differential cases: a local keeps its name in the tokens a macro sees (issue 14, class 8),
//! also when the transform renames it (a shadowing local whose shadowed one is kept, `x_2`) or
//! keeps it in a fixed home (`v_home`). Shrunk from the fuzzer's programs (`tests/fuzz`).
use clockwork_tests::differential;

differential! {
    /// `logv!("on {addr}")` in a macro the transform does not know: the inline argument names
    /// the shadowing `addr`; after the rename it found the shadowed one, the argument, and
    /// printed `on arg` instead of `on 13`.
    inline_format_arg_in_unknown_macro_names_the_shadowing_local {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f(addr: String) -> usize {
            let addr = addr.len() + 10;
            let x = step("s", 1usize).await;
            logv!("on {addr}");
            logv!("padded {addr:>4}");
            x + addr
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f(String::from("arg")) }
    }

    /// `stringify!` quotes the user's name, not the rename (`c_2`) or the home (`v_home`).
    stringify_keeps_the_users_name {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f() -> usize {
            let g = Guard::new("g");
            let c = || g.name().len();
            let c = 1usize;
            let v = vec![Guard::new("v")];
            let n = step("s", v.iter()).await.count();
            log(format!("{} = {}", stringify!(c), c));
            logv!("{} {}", stringify!(v), v.len());
            log(stringify!(v, c).to_string());
            n + c
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// A fixed-home local in an unknown macro's inline argument (`{v:?}`): the home formats as
    /// its value (E0425 before: `v` no longer exists).
    inline_format_arg_of_a_fixed_home {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f() -> usize {
            let v = vec![1u32, 2];
            let n = step("s", v.iter()).await.count();
            logv!("v {v:?}");
            n
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// A local mentioned only inside a macro the transform does not know is borrowed there,
    /// not moved: it drops at the end of its scope, after the `.await` (it dropped before the
    /// `.await`). Fuzzer, seed 5, programs 8 and 88 (a patterned argument's part).
    unknown_macro_mention_does_not_move {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f((n, g): (u32, Guard), h: Guard) -> usize {
            logv!("see {}", g.name());
            logv!("see {} {n}", h.name());
            step("s", 1usize).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            f((1, Guard::new("targ")), Guard::new("h"))
        }
    }

    /// A fixed-home local used by value inside a macro the transform does not know: the macro
    /// gets the value (`(*v)`), not the home's handle, which a block's tail moved (E0382).
    /// Fuzzer, seed 5, program 11.
    fixed_home_local_used_by_value_in_unknown_macro {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f(p: u32) -> u32 {
            let n = step("s", p.wrapping_add(1)).await;
            logv!("value {}", { let _g = Guard::new("g"); p });
            logv!("twice {}", p * 2);
            n + p
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(3) }
    }

    /// A consuming method (`into_*`) on a fixed-home local inside an unknown macro, its last
    /// mention, takes it out of the home, as outside macros (E0507 before). Fuzzer, seed 5,
    /// program 71.
    consuming_method_in_unknown_macro_takes_from_the_home {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        trait IntoLen { fn into_len(self) -> usize; }
        impl IntoLen for Guard { fn into_len(self) -> usize { self.name().len() } }
        async fn f(k: u32) -> usize {
            let g = Guard::new("g");
            let n = step("s", g.name()).await.len();
            let _after = Guard::new("after");
            logv!("value {}", if k > 3 { 0 } else { g.into_len() });
            step("t", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            async { f(1).await + f(5).await }
        }
    }

    /// `stringify!(p1)` names nothing: a shadowed argument `p1` kept in the state was taken to
    /// be moved by the `async move` block that quotes the new `p1`, and dropped early. Fuzzer,
    /// seed 1, program 33.
    stringify_in_async_move_block_moves_nothing {
        async fn f(p0: Guard, p1: Guard) -> u32 {
            let (p1, _g) = (1u32, Guard::new("g"));
            let fut = async move {
                log(format!("{} = {}", stringify!(p1), p1));
                1u32
            };
            log("made fut");
            fut.await + step("s", p1).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            f(Guard::new("arg0"), Guard::new("arg1"))
        }
    }

    /// A name a macro's input binds (`let n = 3;` in a nested block) hides the local only from
    /// there on; an `x | y` is not a closure's bars. (Both made the whole macro skip the local,
    /// leaving its fixed-home handle where a value was meant: E0308/E0369; fuzzer, seed 2
    /// programs 86 and 133, seed 3 program 184.)
    macro_binding_hides_the_local_only_after_it {
        macro_rules! show {
            ($($t:tt)*) => {
                log(format!($($t)*))
            };
        }
        async fn f(n: u32) -> u32 {
            let r = &n;
            step("s", ()).await;
            show!("{}", (*r | if n != 0 { show!("{}", n); let n = 3u32; n } else { n }));
            n + 1
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(5) }
    }

    /// A closure kept across an `.await` that names a local in a fixed home only as a format
    /// string's inline argument (`format!("k {k}")`) formats the value through its own borrow;
    /// it captured the handle, which then moved into the state (E0505).
    inline_format_argument_in_a_closure_of_a_fixed_home {
        async fn f(k: u32) -> u32 {
            let c = || format!("k {k}");
            step("s", ()).await;
            log(c());
            let r = &k;
            step("t", *r).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(4) }
    }

    /// An `async move` block that names a local in a fixed home only as an inline format
    /// argument copies the value in, as for any other mention; it moved the handle in (E0382 at
    /// the local's next use). Fuzzer, seed 11, program 83.
    inline_format_argument_in_an_async_move_block {
        async fn f() -> u32 {
            let n = 1u32;
            let r = &n;
            let m = async move {
                log(format!("inline {n}"));
                2u32
            }
            .await;
            n + m + *r
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// A `let` inside an unknown macro's input that binds the local's name again is not a
    /// mention of the local: it made the consuming call after it (`g.into_len()`, on the
    /// outer `g`) look like not the last mention, so it was not taken out of the home (E0507).
    /// Fuzzer, seed 11, program 199.
    binding_in_a_macro_before_a_consuming_call_is_not_a_mention {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        trait IntoLen { fn into_len(self) -> usize; }
        impl IntoLen for Guard { fn into_len(self) -> usize { self.name().len() } }
        async fn f(k: usize, g: Guard) -> usize {
            let n = step("s", g.name()).await.len();
            logv!("value {}", { let g = match k { 0 => { g.into_len() }, _ => k }; g + n });
            step("t", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            async { f(0, Guard::new("a")).await + f(5, Guard::new("b")).await }
        }
    }

    /// An unknown macro in an awaited expression that is made after its locals are in the
    /// state (it borrows `tmp`, the scrutinee): there a fixed home's handle is a reference
    /// into the state, and the macro's `(*p)` named the handle, not the value (E0369 on
    /// `Home != u32`). Fuzzer, seed 11, program 213.
    macro_in_an_awaited_expression_that_borrows_the_state {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f(p: u32) -> u32 {
            let r = &p;
            step("a", ()).await;
            let x = step("s", match Some(3u32) {
                Some(_) => {
                    logv!("value {}", if p != 3 { 6u32 } else { 1u32 });
                    1u32
                }
                None => 2u32,
            })
            .await;
            x + *r
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(3).await + f(4).await }
        }
    }

    /// A local moved inside an unknown macro's input, in a tuple in a block (not a whole
    /// argument, which the macro may only borrow): a maybe-move, taken out of the local's home
    /// if the macro runs it. The local was kept in the state as if never moved (E0382), or
    /// read through its home (E0507). Fuzzer, seed 41 (programs 27, 32, 522, 991).
    local_moved_in_a_tuple_inside_an_unknown_macro {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        macro_rules! skip { ($($t:tt)*) => { 0u32 }; }
        async fn f(a: Guard, b: Guard, c: Guard, k: u32) -> u32 {
            log(format!("see {}", a.name()));
            logv!("value {}", if k > 2 { let pair = (a, Guard::new("t")); pair.1.name().len() } else { 0 });
            skip!("value {}", { let pair = (b, 1u32); pair.1 });
            let n = step("s", k).await;
            logv!("value {}", match n { 0 => 1, _ => { let moved = (Guard::new("u"), c); moved.0.name().len() } });
            step("end", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async {
                f(Guard::new("a1"), Guard::new("b1"), Guard::new("c1"), 3).await
                    + f(Guard::new("a2"), Guard::new("b2"), Guard::new("c2"), 0).await
            }
        }
    }

    /// A macro input of expressions that binds a name spelled like a local with a fixed home
    /// (`{ let p = 5; let pair = (5, q); .. }`) and moves another local: renamed as
    /// expressions, the new `p` keeps its spelling in its scope, so the rewrite of fixed
    /// homes treats the input as expressions too and takes `q` out of its home (E0507
    /// before). Fuzzer, seed 42, programs 6 and 324.
    binding_spelled_like_a_fixed_home_inside_an_unknown_macro {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f(p: Guard, q: Guard, k: u32) -> u32 {
            let r = &p;
            log(format!("see {}", r.name()));
            let n = step("s", k).await;
            logv!("value {}", match k {
                0 => 1,
                _ => {
                    let p = 5u32;
                    let pair = (p, q);
                    pair.1.name().len() as u32 + p
                }
            });
            step("end", n + p.name().len() as u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async {
                f(Guard::new("a"), Guard::new("b"), 0).await
                    + f(Guard::new("c"), Guard::new("d"), 2).await
            }
        }
    }

    /// A local moved by a consuming method in one branch of a macro's input and assigned in
    /// the other (`logv!("{}", if c { g.into_val() } else { g = make(); 0 })`), then kept
    /// across an `.await` for its drop: in the macro's input both mentions count as at one
    /// place, so the move was not taken as followed by assignments only, and it reached the
    /// value through the home (E0507). Now it takes it out, as a move followed by assignments
    /// only does elsewhere. Fuzz seed 4646, #160 and #868.
    consuming_method_and_assignment_in_branches_of_a_macro_input {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        pub trait IntoVal { fn into_val(self) -> u32; }
        impl IntoVal for Guard { fn into_val(self) -> u32 { self.name().len() as u32 } }
        async fn f(k: u32) -> u32 {
            let mut g = Guard::new("g");
            logv!("value {}", if k > 3 {
                g.into_val()
            } else {
                if k != 2 {
                    g = Guard::new("h");
                }
                1
            });
            step("s", 1u32).await + k
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(1).await + f(2).await + f(5).await }
        }
    }

    /// A string's inline `{n}` inside an island (a macro that awaits) that also writes `n`:
    /// the island named `n` in its strings through a shared reference made at its top, which
    /// the write after it conflicted with (E0506). It now formats through the island's own
    /// `&mut` when the string is (`ShownThrough`). Fuzzer, seed 2121, program 1080.
    inline_argument_of_a_local_an_island_writes {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f(mut n: u32) -> u32 {
            logv!("value {}", {
                let k = step("s", 1u32).await;
                n += k;
                logv!("inline {n}");
                n += 1;
                logv!("again {n:>4}");
                n
            });
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(2) }
    }
}
