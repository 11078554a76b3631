//! Differential cases: `let` patterns, `let-else`, shadowing, `if`/`if let`/`match` with awaits.
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
    let_struct_pattern {
        async fn f() -> (i32, i32, i32) {
            let Pt { x, y: yy } = step("pt", Pt { x: 1, y: 2 }).await;
            let Pt { x: x2, .. } = step("pt2", Pt { x: x + 10, y: 0 }).await;
            let [p, q]: [Pt; 2] = step("arr", [Pt { x: 5, y: 6 }, Pt { x: 7, y: 8 }]).await;
            (x + x2, yy + p.y, q.x)
        }
        pub fn entry() -> impl core::future::Future<Output = (i32, i32, i32)> { f() }
    }

    let_moves_guard_out_of_tuple {
        async fn f() -> usize {
            let (g, n) = step("gn", (Guard::new("moved"), 3usize)).await;
            let h = Guard::new("h");
            let m = step("m", n).await;
            log(format!("{} {}", g.name(), h.name()));
            drop(g);
            let (_, k) = step("drop_now", (Guard::new("ignored"), 4usize)).await;
            m + k
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    let_else_await_initializer {
        async fn get(v: Option<u32>) -> Option<u32> { step("get", v).await }
        async fn f(v: Option<u32>) -> u32 {
            let g = Guard::new("g");
            let Some(x) = get(v).await else {
                log(format!("none {}", g.name()));
                return 0;
            };
            let h = Guard::new("h");
            step("after", x * 2).await + h.name().len() as u32
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { async { f(Some(4)).await + f(None).await } }
    }

    let_else_enum_in_loop {
        async fn get(i: u32) -> Shape {
            step("shape", match i { 0 => Shape::Rect { w: 2, h: 3 }, 1 => Shape::Circle(4), _ => Shape::Empty }).await
        }
        async fn f() -> u32 {
            let mut area = 0;
            for i in 0..3u32 {
                let _g = Guard::new(format!("it{i}"));
                let Shape::Rect { w, h } = get(i).await else {
                    log(format!("skip {i}"));
                    continue;
                };
                area += w * h;
            }
            area
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    let_else_result_break {
        async fn parse(s: &'static str) -> Result<u32, String> {
            step("parse", ()).await;
            s.parse::<u32>().map_err(|e| e.to_string())
        }
        async fn f(items: Vec<&'static str>) -> (u32, u32) {
            let mut sum = 0;
            let mut n = 0;
            for s in items {
                let Ok(v) = parse(s).await else { break };
                sum += v;
                n += 1;
            }
            (sum, n)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> { f(vec!["1", "2", "x", "4"]) }
    }

    shadow_copy_values {
        async fn f() -> u32 {
            let x = step("a", 1u32).await;
            let x = x + step("b", 2u32).await;
            let y = x;
            let x = x * 10;
            {
                let x = step("inner", x + 1).await;
                log(format!("inner {x}"));
            }
            let x = step("c", x).await + y;
            x
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    shadow_across_types {
        async fn f() -> String {
            let v = step("num", 41u32).await;
            let v = v + 1;
            let v = step("str", v.to_string()).await;
            let v = format!("<{v}>");
            let v = (v.clone(), step("len", v.len()).await);
            format!("{}:{}", v.0, v.1)
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    if_let_await_scrutinee {
        async fn get(v: Option<u32>) -> Option<u32> { step("get", v).await }
        async fn f(a: Option<u32>) -> u32 {
            let g = Guard::new("g");
            let r = if let Some(x) = get(a).await {
                let h = Guard::new("then");
                step("then", x + 1).await + h.name().len() as u32
            } else {
                step("else", 100u32).await
            };
            log(format!("{} {r}", g.name()));
            r
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { async { f(Some(1)).await + f(None).await } }
    }

    else_if_chain_awaits {
        async fn t(name: &'static str, v: u32) -> u32 { step(name, v).await }
        async fn f(k: u32) -> &'static str {
            if t("c1", k).await == 0 {
                "zero"
            } else if t("c2", k).await % 2 == 0 {
                let _g = Guard::new("even");
                t("even", 0).await;
                "even"
            } else if k > t("c3", 4).await {
                "big odd"
            } else {
                "small odd"
            }
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<&'static str>> {
            async {
                let mut v = Vec::new();
                for k in [0, 2, 5, 3] { v.push(f(k).await); }
                v
            }
        }
    }

    match_guards_bindings {
        async fn f(x: u32) -> String {
            match step("scrut", x).await {
                0 => "zero".to_string(),
                n @ 1..=3 => format!("small {}", step("small", n).await),
                n if n % 2 == 0 => {
                    let g = Guard::new("even");
                    let m = step("even", n / 2).await;
                    format!("half {m} {}", g.name())
                }
                n => format!("odd {n}"),
            }
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<String>> {
            async {
                let mut v = Vec::new();
                for x in [0, 2, 8, 9] { v.push(f(x).await); }
                v
            }
        }
    }

    nested_match_awaits {
        async fn get(v: Result<Option<u32>, u32>) -> Result<Option<u32>, u32> { step("get", v).await }
        async fn f(v: Result<Option<u32>, u32>) -> u32 {
            let _outer = Guard::new("outer");
            match get(v).await {
                Ok(inner) => match inner {
                    Some(n) => match step("inner", n % 3).await {
                        0 => n,
                        r => { let _g = Guard::new("rem"); r + step("r", 10u32).await }
                    },
                    None => step("none", 7u32).await,
                },
                Err(e) => e * 100,
            }
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> {
            async { vec![f(Ok(Some(3))).await, f(Ok(Some(4))).await, f(Ok(None)).await, f(Err(2)).await] }
        }
    }

    match_tuple_of_awaits {
        async fn b(name: &'static str, v: bool) -> bool { step(name, v).await }
        async fn f(x: bool, y: bool) -> u32 {
            match (b("x", x).await, b("y", y).await) {
                (true, true) => 3,
                (true, false) | (false, true) => step("one", 1u32).await,
                (false, false) => 0,
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32, u32)> {
            async { (f(true, true).await, f(false, true).await, f(false, false).await) }
        }
    }

    tuple_struct_patterns {
        pub struct Wrapper(pub u32, pub Guard);
        pub struct Meters(pub f64);
        async fn f() -> (u32, String, f64) {
            let Wrapper(n, g) = step("w", Wrapper(7, Guard::new("wrapped"))).await;
            let m = step("n", n).await;
            let Meters(d) = step("m", Meters(2.5)).await;
            (m, g.name().to_string(), d * 2.0)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, String, f64)> { f() }
    }

    or_patterns_with_bindings {
        async fn f(v: Result<u32, u32>) -> (u32, &'static str) {
            let (Ok(n) | Err(n)) = step("res", v).await;
            let kind = match step("k", n).await {
                1 | 2 | 3 => "small",
                4..=9 => "medium",
                _ => "large",
            };
            (n, kind)
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<(u32, &'static str)>> {
            async { vec![f(Ok(2)).await, f(Err(5)).await, f(Ok(50)).await] }
        }
    }

    if_let_else_if_let_chain {
        async fn get(v: Option<u32>) -> Option<u32> { step("get", v).await }
        async fn f(a: Option<u32>, b: Option<u32>) -> u32 {
            if let Some(x) = get(a).await {
                x
            } else if let Some(y) = get(b).await {
                let _g = Guard::new("second");
                step("second", y * 10).await
            } else {
                0
            }
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> {
            async { vec![f(Some(1), Some(2)).await, f(None, Some(2)).await, f(None, None).await] }
        }
    }

    let_chain_await_in_body {
        async fn f(a: Option<u32>, b: Option<u32>) -> u32 {
            if let Some(x) = a && let Some(y) = b && x < y {
                step("both", x + y).await
            } else if let Some(x) = a && x > 3 {
                step("big", x).await
            } else {
                0
            }
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> {
            async { vec![f(Some(1), Some(2)).await, f(Some(5), None).await, f(Some(1), None).await] }
        }
    }

    let_else_panics {
        async fn get(v: Option<u32>) -> Option<u32> { step("get", v).await }
        async fn f(v: Option<u32>) -> u32 {
            let _g = Guard::new("g");
            let Some(x) = get(v).await else { panic!("missing value") };
            x
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { async { f(Some(1)).await + f(None).await } }
    }

    shadow_guard_inside_loop_body {
        async fn f() -> Vec<String> {
            let mut out = Vec::new();
            for i in 0..2u32 {
                let g = Guard::new(format!("first{i}"));
                let g = Guard::new(format!("second of {}", g.name()));
                step("s", ()).await;
                out.push(g.name().to_string());
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<String>> { f() }
    }

    shadow_parameter_guard {
        async fn f(g: Guard, n: u32) -> u32 {
            let g = Guard::new(format!("shadow of {}", g.name()));
            let n = n + step("s", 1u32).await;
            log(g.name().to_string());
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(Guard::new("param"), 1) }
    }

    shadow_in_match_arm {
        async fn f(k: Option<u32>) -> u32 {
            let k = match k {
                Some(k) => { let k = k * 2; step("some", k).await }
                None => { let k = 7u32; let k = k + step("none", 1u32).await; k }
            };
            k + 1
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> { async { (f(Some(2)).await, f(None).await) } }
    }

    shadow_moves_old_into_new {
        async fn f() -> String {
            let v = vec![Guard::new("v0")];
            step("s1", ()).await;
            let mut v = v;
            v.push(Guard::new("v1"));
            step("s2", ()).await;
            let v: Vec<String> = v.into_iter().map(|g| g.name().to_string()).collect();
            step("s3", ()).await;
            v.join(",")
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

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

    labelled_block_break_value {
        async fn t(v: u32) -> u32 { step("t", v).await }
        async fn f(a: u32) -> u32 {
            let _g = Guard::new("g");
            let r = 'blk: {
                let _inner = Guard::new("inner");
                if t(a).await > 5 { break 'blk 100; }
                let b = t(a * 2).await;
                if b > 5 { break 'blk b; }
                0
            };
            r + 1
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> {
            async { vec![f(9).await, f(3).await, f(1).await] }
        }
    }

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

    let_else_await_in_else_block {
        async fn fallback() -> u32 { step("fallback", 9u32).await }
        async fn f(v: Option<u32>) -> u32 {
            let Some(x) = v else { return fallback().await; };
            x
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> { async { (f(Some(2)).await, f(None).await) } }
    }

    let_else_await_in_else_with_bindings_and_temporaries {
        fn make(name: &str) -> Guard { Guard::new(name) }
        async fn f(v: Vec<Option<(u32, u32)>>, k: usize) -> u32 {
            let mut total = 0;
            for item in v {
                let Some((mut a, b)) = item else {
                    total += step("skip", 100u32).await;
                    continue;
                };
                a += b;
                let Some(n) = make("tmp").name().len().checked_sub(k) else {
                    log("too short");
                    return total + step("short", 1000u32).await;
                };
                total += step("add", a + n as u32).await;
            }
            total
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> {
            async {
                (
                    f(vec![Some((1, 2)), None, Some((3, 4))], 1).await,
                    f(vec![Some((5, 6))], 9).await,
                )
            }
        }
    }

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

    deferred_initialization {
        async fn f(c: bool) -> (u32, String) {
            let x;
            let s: String;
            if c {
                x = step("then", 1u32).await;
                s = format!("then {x}");
            } else {
                let _g = Guard::new("else");
                x = 2;
                s = step("else", String::from("else")).await;
            }
            let y: u32;
            y = x + step("y", 10u32).await;
            (y, s)
        }
        pub fn entry() -> impl core::future::Future<Output = ((u32, String), (u32, String))> {
            async { (f(true).await, f(false).await) }
        }
    }

    let_chain_await_in_condition {
        async fn get(v: Option<u32>) -> Option<u32> { step("get", v).await }
        async fn f(a: Option<u32>) -> u32 {
            if let Some(x) = get(a).await && x > 1 { x } else { 0 }
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> { async { (f(Some(2)).await, f(Some(1)).await) } }
    }

    let_chains_with_awaits_in_several_conditions {
        async fn get(v: Option<u32>) -> Option<u32> { step("get", v).await }
        async fn ok(n: u32) -> bool { step("ok", n % 2 == 0).await }
        async fn f(a: Option<u32>, b: Option<u32>) -> u32 {
            let _g = Guard::new("g");
            let mut total = 0;
            if let Some(x) = a && let Some(y) = get(b).await && ok(x + y).await {
                total += x + y;
            }
            let r = if let Some(x) = get(a).await && x > 3 {
                step("big", x).await
            } else if let Some(y) = b && ok(y).await {
                y * 10
            } else {
                log("neither");
                0
            };
            total + r
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32, u32)> {
            async { (f(Some(1), Some(3)).await, f(Some(5), Some(2)).await, f(None, Some(1)).await) }
        }
    }

    match_guard_with_await {
        async fn ok(v: u32) -> bool { step("guard", v > 2).await }
        async fn f(v: u32) -> &'static str {
            match v {
                n if ok(n).await => "big",
                _ => "small",
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (&'static str, &'static str)> { async { (f(3).await, f(1).await) } }
    }

    match_guard_awaits_without_bindings_moves_nothing {
        pub enum Msg { Data(Guard), Flush(Guard), Stop }
        async fn ready(name: &'static str, yes: bool) -> bool { step(name, yes).await }
        async fn f(m: Msg, flush_ok: bool) -> String {
            let out = match m {
                Msg::Data(g) if ready("data?", false).await => format!("fast {}", g.name()),
                Msg::Data(g) => { step("slow", ()).await; format!("slow {}", g.name()) }
                Msg::Flush(_) if ready("flush?", flush_ok).await => "flushed".to_string(),
                Msg::Flush(g) => format!("kept {}", g.name()),
                Msg::Stop => "stop".to_string(),
            };
            log("after match");
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<String>> {
            async {
                vec![
                    f(Msg::Data(Guard::new("d")), true).await,
                    f(Msg::Flush(Guard::new("f1")), true).await,
                    f(Msg::Flush(Guard::new("f2")), false).await,
                    f(Msg::Stop, false).await,
                ]
            }
        }
    }

    match_guards_run_in_order_with_side_effects {
        fn side(tag: u32, v: bool) -> bool { log(format!("side {tag} {v}")); v }
        async fn ok(n: u32) -> bool { step("ok", n % 3 == 0).await }
        async fn f(n: u32) -> u32 {
            match n {
                0 => 100,
                x if side(1, x > 10) => x * 10,
                x if ok(x).await => x + 1,
                x @ 1..=5 if side(2, x % 2 == 0) && ok(x + 1).await => x + 2,
                x => x,
            }
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> {
            async {
                let mut v = Vec::new();
                for n in [0, 11, 3, 2, 4, 7] {
                    v.push(f(n).await);
                }
                v
            }
        }
    }

    match_guard_on_reference_uses_bindings {
        async fn long_enough(s: &str, n: usize) -> bool { step("check", s.len() >= n).await }
        async fn one(item: Option<String>, n: usize) -> Option<String> {
            let kept = match &item {
                Some(s) if long_enough(s, n).await => format!("long {s}"),
                Some(s) => format!("short {s}"),
                None => return None,
            };
            step("push", ()).await;
            Some(kept)
        }
        async fn f(items: Vec<Option<String>>, n: usize) -> Vec<String> {
            let mut out = Vec::new();
            for it in items {
                if let Some(k) = one(it, n).await {
                    out.push(k);
                }
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<String>> {
            f(vec![Some("abc".into()), None, Some("a".into()), Some("abcdef".into())], 3)
        }
    }

    match_guard_await_in_loop_with_break {
        async fn big(n: u32) -> bool { step("big?", n > 4).await }
        async fn f(ns: Vec<u32>) -> u32 {
            let mut acc = 0;
            let mut it = ns.into_iter();
            loop {
                match it.next() {
                    n @ Some(_) if big(n.unwrap_or(0)).await => break acc + n.unwrap_or(0) * 100,
                    Some(n) => acc += n,
                    None => break acc,
                }
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> {
            async { (f(vec![1, 2, 9, 3]).await, f(vec![1, 2]).await) }
        }
    }

    match_guard_with_question_mark_and_guards_alive {
        pub enum Cmd { Put(Guard, u32), Get(u32), Quit }
        async fn allowed(n: u32) -> Result<bool, String> {
            let ok = step("allowed?", n).await;
            if ok > 100 { Err(format!("too big {ok}")) } else { Ok(ok % 2 == 0) }
        }
        async fn f(cmds: Vec<Cmd>) -> Result<u32, String> {
            let mut total = 0;
            for c in cmds {
                let held = Guard::new("held");
                total += match c {
                    Cmd::Put(..) if allowed(total).await? => { step("put", ()).await; 10 }
                    Cmd::Put(g, n) => { drop(g); n }
                    Cmd::Get(n) => n,
                    Cmd::Quit => break,
                };
                drop(held);
            }
            Ok(total)
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<u32, String>, Result<u32, String>)> {
            async {
                let a = f(vec![Cmd::Put(Guard::new("p1"), 1), Cmd::Get(3), Cmd::Put(Guard::new("p2"), 5), Cmd::Quit, Cmd::Get(7)]).await;
                let b = f(vec![Cmd::Get(101), Cmd::Put(Guard::new("p3"), 1)]).await;
                (a, b)
            }
        }
    }

    match_guard_panics_after_await {
        async fn check(n: u32) -> bool {
            let v = step("check", n).await;
            if v == 3 { panic!("boom in guard") }
            v > 1
        }
        async fn f(n: u32) -> u32 {
            let _g = Guard::new("outer");
            match Some(Guard::new("scrutinee")) {
                Some(_) if check(n).await => 1,
                Some(g) => { drop(g); 2 }
                None => 0,
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(2).await + f(0).await + f(3).await }
        }
    }

    match_arm_that_binds_nothing_keeps_the_scrutinee {
        pub enum Cmd { Put(Guard, u32), Get(u32) }
        async fn f(cmds: Vec<Cmd>) -> u32 {
            let mut total = 0;
            for c in cmds {
                total += match c {
                    Cmd::Put(..) => { step("put", ()).await; 10 }
                    Cmd::Get(n) => n,
                };
                log("iteration ends");
            }
            total
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            f(vec![Cmd::Put(Guard::new("p1"), 1), Cmd::Get(3)])
        }
    }

    if_let_else_branch_keeps_the_unmatched_scrutinee {
        pub enum Slot { Full(Guard), Reserved(Guard) }
        async fn f(slots: Vec<Slot>) -> usize {
            let mut n = 0;
            for s in slots {
                if let Slot::Full(g) = s {
                    n += g.name().len();
                } else {
                    step("wait", ()).await;
                    n += 100;
                }
                log("iteration ends");
            }
            n
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            f(vec![Slot::Reserved(Guard::new("r1")), Slot::Full(Guard::new("f1"))])
        }
    }

    let_else_keeps_the_unmatched_scrutinee {
        pub enum Slot { Full(Guard), Reserved(Guard) }
        async fn first(s: Slot) -> usize {
            let Slot::Full(g) = s else {
                step("not full", ()).await;
                log("else ends");
                return 0;
            };
            g.name().len()
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize)> {
            async {
                (first(Slot::Reserved(Guard::new("r"))).await, first(Slot::Full(Guard::new("f"))).await)
            }
        }
    }

    // The arm's `x` shadows the argument `x`, and both live across the `.await`: the guard must
    // read the arm's `x`, whatever name the state gives it.
    guard_reads_the_arm_binding_that_shadows_an_argument {
        async fn f(x: u32, v: Vec<Option<u32>>) -> u32 {
            let mut total = 0;
            for o in v {
                match o {
                    Some(x) if x > 3 => {
                        step("big", x).await;
                        total += x;
                    }
                    Some(x) => total += 100 * x,
                    None => {}
                }
            }
            total + 1000 * x
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            f(7, vec![Some(5), Some(2), None, Some(9)])
        }
    }

    // A binding of a guarded arm that an awaited call borrows, and whose output keeps the borrow:
    // it needs a fixed home like any other (the guard still reads the binding itself).
    guarded_arm_binding_borrowed_by_the_output {
        async fn longest<'a>(v: &'a Vec<Guard>) -> &'a Guard {
            step("scan", v.len()).await;
            v.iter().max_by_key(|g| g.name().len()).unwrap()
        }
        async fn f(m: Option<Vec<Guard>>) -> usize {
            match m {
                Some(v) if v.len() > 1 => {
                    let g = longest(&v).await;
                    let filler = vec![0u8; 64];
                    let n = g.name().len() * 10 + v.len();
                    drop(filler);
                    step("after", n).await
                }
                Some(v) => v.len(),
                None => 0,
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize)> {
            async {
                let a = f(Some(vec![Guard::new("a"), Guard::new("ccc"), Guard::new("bb")])).await;
                let b = f(Some(vec![Guard::new("z")])).await;
                (a, b)
            }
        }
    }

    // A guarded arm's binding borrowed by a local across an `.await` (this was a "bind it on its
    // own" error).
    guarded_arm_binding_borrowed_across_await {
        pub enum Msg { Data(Guard), Stop }
        async fn f(m: Msg) -> usize {
            match m {
                Msg::Data(g) if g.name().len() > 1 => {
                    let r = &g;
                    step("tick", ()).await;
                    r.name().len()
                }
                Msg::Data(g) => { log("short"); g.name().len() + 100 }
                Msg::Stop => 0,
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize, usize)> {
            async { (f(Msg::Data(Guard::new("long"))).await, f(Msg::Data(Guard::new("s"))).await, f(Msg::Stop).await) }
        }
    }

    // Bindings of an `if let` chain, and an `@` binding, borrowed across an `.await`: fixed
    // homes too (the rest of the chain reads the bindings themselves).
    let_chain_and_at_bindings_borrowed_across_await {
        async fn longest<'a>(v: &'a Vec<Guard>) -> &'a Guard {
            step("scan", v.len()).await;
            v.iter().max_by_key(|g| g.name().len()).unwrap()
        }
        async fn f(a: Option<Vec<Guard>>, b: Option<Guard>) -> usize {
            if let Some(v) = a && v.len() > 1 && let Some(w) = b {
                let g = longest(&v).await;
                let r = &w;
                step("tick", ()).await;
                g.name().len() * 100 + r.name().len()
            } else {
                log("no chain");
                0
            }
        }
        async fn h(m: Option<Vec<Guard>>) -> usize {
            match m {
                all @ Some(_) => {
                    let r = &all;
                    step("tock", ()).await;
                    r.as_ref().map_or(0, |v| v.len())
                }
                None => 0,
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize, usize)> {
            async {
                let x = f(Some(vec![Guard::new("a"), Guard::new("ccc")]), Some(Guard::new("ww"))).await;
                let y = f(Some(vec![Guard::new("a")]), Some(Guard::new("w"))).await;
                (x, y, h(Some(vec![Guard::new("h")])).await)
            }
        }
    }

    // An `if let` chain that moves out of two locals: the moves are sure in the then-block,
    // which awaits; and a chain in a plain statement, with an `.await` after it.
    let_chain_moves_out_of_locals {
        async fn g(a: Option<Vec<Guard>>, b: Option<Guard>) -> usize {
            if let Some(v) = a && let Some(w) = b {
                step("tick", ()).await;
                w.name().len() + v.len()
            } else {
                log("else");
                0
            }
        }
        async fn h(a: Option<Guard>, b: Option<Guard>, c: Guard) -> usize {
            let n = if let Some(v) = a && let Some(w) = b && c.name().len() > 1 {
                v.name().len() + w.name().len()
            } else {
                7
            };
            step("after", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize, usize, usize)> {
            async {
                let x = g(Some(vec![Guard::new("a")]), Some(Guard::new("ww"))).await;
                let y = g(None, Some(Guard::new("w"))).await;
                let z = h(Some(Guard::new("a")), None, Guard::new("cc")).await;
                let t = h(Some(Guard::new("a")), Some(Guard::new("b")), Guard::new("c")).await;
                (x, y, z, t)
            }
        }
    }

    /// A `let` pattern that skips a part of a local (`_`, `..`) moves only the parts it binds;
    /// the rest stays in the local and drops at the end of its scope, after the `.await`. It
    /// dropped at the `.await` (the whole local counted as moved). Found by running rustc's
    /// `tests/ui/drop/dynamic-drop-async.rs` shapes under the macro.
    pattern_skipping_parts_of_a_local_leaves_them_to_its_scope {
        pub struct Two { pub a: Guard, pub b: Guard }
        async fn f() -> usize {
            let t = (Guard::new("t0"), Guard::new("t1"), Guard::new("t2"));
            let (x, _, ..) = t;
            let s = Two { a: Guard::new("a"), b: Guard::new("b") };
            let Two { b, .. } = s;
            let n = step("s", x.name().len() + b.name().len()).await;
            log("after");
            n
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// Nested patterns, a `ref` binding (a borrow of its part, which stays), a binding that
    /// shadows the local it takes apart, and a pattern in a branch that does not await.
    pattern_with_ref_nested_and_shadowing_bindings {
        pub struct Two { pub a: Guard, pub b: Guard }
        async fn f(k: bool) -> usize {
            let u = (Two { a: Guard::new("a"), b: Guard::new("b") }, Guard::new("c"), Guard::new("d"));
            let (Two { a, .. }, ref c, _) = u;
            let t = (Guard::new("t0"), Guard::new("t1"), Guard::new("t2"));
            let (t, t1, _) = t;
            let v = (Guard::new("v0"), Guard::new("v1"));
            if k {
                let (v0, _) = v;
                log(v0.name());
            }
            let n = step("s", a.name().len() + c.name().len()).await;
            log("after");
            n + t.name().len() + t1.name().len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            async { f(true).await + f(false).await }
        }
    }

    /// `let x: T;` assigned later, then a part moved out: the rest lives to the end of the
    /// scope, as for `let x = ..;` (it dropped at the `.await`: a local declared without a value
    /// had no fixed home).
    local_declared_without_a_value_keeps_the_rest_of_a_partial_move {
        async fn f() -> usize {
            let x: (Guard, Guard, Guard);
            x = (Guard::new("a"), Guard::new("b"), Guard::new("c"));
            drop(x.1);
            let n = step("s", x.0.name().len()).await;
            log("after");
            n
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// `let y; y = f().await;`: nothing names `y` before the suspension, so its declaration
    /// there had no type to infer (E0282; rustc's `conditional-and-guaranteed-initialization`
    /// and `async-fn-size-uninit-locals` shapes).
    local_declared_without_a_value_assigned_from_an_await {
        async fn f(k: bool) -> usize {
            let y;
            y = step("s0", Guard::new("y")).await;
            let z;
            if k {
                z = step("s1", 2usize).await;
            } else {
                z = 3;
            }
            let n = step("s", y.name().len()).await;
            n + z
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            async { f(true).await + f(false).await }
        }
    }

    /// `ref mut` in an argument's pattern borrows the argument mutably, so the argument is a
    /// `mut` place (E0596 on `arg1`: rustc's `argument-patterns.rs` shape).
    ref_mut_argument_patterns {
        async fn f(n: u32, ref mut v: Vec<u32>, (ref mut a, b): (Guard, Guard)) -> usize {
            v.push(n);
            let k = step("s", v.len()).await;
            a.0.push('!');
            log(a.name());
            k + b.name().len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            f(1, vec![2], (Guard::new("a"), Guard::new("b")))
        }
    }
}
