//! Differential cases: locals that stay borrowed across an `.await` (fixed homes, `anchor.rs`):
//! `for x in &v`, `let r = &v;`, borrows of arguments and of awaited values, moves and
//! assignments after the borrow ends, homes reused by loop iterations, drop order on cancel.
use clockwork_tests::differential;

#[derive(Debug, PartialEq, Clone)]
pub enum Shape {
    Circle(u32),
    Rect { w: u32, h: u32 },
    Empty,
}

differential! {
    for_by_reference {
        async fn f() -> u32 {
            let v = vec![3u32, 4, 5];
            let mut sum = 0;
            for x in v.iter() {
                sum += step("ref", *x).await;
            }
            sum + v.len() as u32
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    for_over_reference_of_guards {
        async fn f() -> usize {
            let gs = vec![Guard::new("a"), Guard::new("b"), Guard::new("c")];
            let mut n = 0;
            for g in &gs {
                n += step("len", g.name().len()).await;
            }
            let _tail = Guard::new("tail");
            step("after", ()).await;
            n + gs.len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    for_over_mutable_reference {
        async fn f() -> Vec<u32> {
            let mut v = vec![1u32, 2, 3];
            for x in &mut v {
                *x += step("add", 10u32).await;
            }
            v.push(step("push", 99u32).await);
            v
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> { f() }
    }

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

    argument_borrowed_across_awaits {
        async fn f(names: Vec<String>, g: Guard) -> String {
            let mut out = String::new();
            for n in names.iter() {
                out.push_str(&step("name", n.clone()).await);
            }
            let first = &names[0];
            step("mid", ()).await;
            out.push_str(first);
            out.push_str(g.name());
            out
        }
        pub fn entry() -> impl core::future::Future<Output = String> {
            f(vec!["x".to_string(), "y".to_string()], Guard::new("arg"))
        }
    }

    moved_after_the_borrow_ends {
        fn consume(v: Vec<Guard>) -> usize { v.len() }
        async fn f() -> usize {
            let v = vec![Guard::new("m1"), Guard::new("m2")];
            let mut k = 0;
            for g in &v {
                k += step("k", g.name().len()).await;
            }
            let n = consume(v);
            step("after move", ()).await;
            k + n
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    moved_conditionally {
        async fn f(give: bool) -> usize {
            let v = vec![Guard::new("c1")];
            let r = &v;
            step("hold", ()).await;
            let l = r.len();
            if give {
                let w = v;
                step("moved", ()).await;
                return w.len() + l;
            }
            step("kept", ()).await;
            l
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize)> {
            async { (f(true).await, f(false).await) }
        }
    }

    assigned_after_the_borrow_ends {
        async fn f() -> String {
            let mut g = Guard::new("first");
            let r = &g;
            step("hold", ()).await;
            let a = r.name().to_string();
            g = Guard::new("second");
            step("after assign", ()).await;
            a + g.name()
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    copy_value_read_twice {
        async fn f() -> u64 {
            let n = 7u64;
            let r = &n;
            step("hold", ()).await;
            let a = n + 1;
            let b = n;
            let c = *r;
            step("again", ()).await;
            a + b + c + n
        }
        pub fn entry() -> impl core::future::Future<Output = u64> { f() }
    }

    home_reused_by_loop_iterations {
        async fn f() -> usize {
            let mut total = 0;
            for i in 0..3 {
                let v = vec![Guard::new(format!("it{i}")), Guard::new(format!("extra{i}"))];
                for g in &v {
                    total += step("g", g.name().len()).await;
                }
            }
            total
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    reference_to_awaited_value_kept {
        async fn text() -> String { step("text", String::from("hello")).await }
        async fn f() -> usize {
            let t = text().await;
            let s: &str = &t;
            step("mid", ()).await;
            s.len() + t.len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    borrowed_struct_fields_and_methods {
        pub struct Conn { name: String, buf: Vec<u8> }
        impl Conn { fn describe(&self) -> String { format!("{}:{}", self.name, self.buf.len()) } }
        async fn f() -> String {
            let mut c = Conn { name: "c".into(), buf: Vec::new() };
            let name = &c.name;
            step("hold", ()).await;
            let d = format!("{name}/{}", name.len());
            c.buf.extend_from_slice(b"abc");
            c.buf.push(step("byte", b'd').await);
            let e = c.describe();
            assert_eq!(c.buf.len(), 4, "{:?}", c.buf);
            println!("{} {}", d, c.name);
            d + &e
        }
        pub fn entry() -> impl core::future::Future<Output = String> { f() }
    }

    chat_room_broadcast {
        pub struct Member { pub name: &'static str, pub inbox: Vec<String>, pub online: bool }
        impl Member {
            pub async fn deliver(&mut self, msg: &str) -> bool {
                step("deliver", ()).await;
                if self.online { self.inbox.push(msg.to_string()); }
                self.online
            }
        }
        async fn broadcast(room: &mut Vec<Member>, from: &str, msg: &str) -> usize {
            let mut delivered = 0;
            for m in room.iter_mut() {
                if m.name == from { continue; }
                if m.deliver(&format!("{from}: {msg}")).await { delivered += 1; }
            }
            delivered
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize, Vec<Vec<String>>)> {
            async {
                let mut room = vec![
                    Member { name: "a", inbox: vec![], online: true },
                    Member { name: "b", inbox: vec![], online: false },
                    Member { name: "c", inbox: vec![], online: true },
                ];
                let x = broadcast(&mut room, "a", "hi").await;
                let y = broadcast(&mut room, "c", "yo").await;
                (x, y, room.into_iter().map(|m| m.inbox).collect())
            }
        }
    }
    reference_to_awaited_used_before_next_await {
        async fn text() -> String { step("text", String::from("hello")).await }
        async fn f() -> usize {
            let s: &str = &text().await;
            let n = s.len();
            let d: &dyn core::fmt::Display = &step("d", 42u32).await;
            let m = d.to_string().len();
            n + m
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }
    references_of_awaited {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn text() -> String { step("text", String::from("hello")).await }
        fn len(s: &String) -> usize { s.len() }
        fn bump(x: &mut u32) -> u32 { *x += 1; *x }
        async fn f() -> (u32, usize, u32) {
            let r = &v(5).await;
            let m = &mut v(6).await;
            *m += *r;
            let n = len(&text().await);
            let k = bump(&mut v(9).await);
            (*m, n, k)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, usize, u32)> { f() }
    }

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

    match_ref_bindings_on_awaited {
        pub struct Pair { pub name: String, pub n: u32 }
        async fn f() -> (usize, u32) {
            let p = step("pair", Pair { name: "abc".into(), n: 3 }).await;
            let r = match p {
                Pair { ref name, n } if n > 2 => { let k = step("k", n).await; (name.len(), k) }
                Pair { ref name, .. } => (name.len(), 0),
            };
            log(p.name.clone());
            r
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, u32)> { f() }
    }

    let_ref_of_a_local {
        async fn f() -> usize {
            let v = vec![Guard::new("r1"), Guard::new("r2")];
            let ref r = v;
            step("hold", ()).await;
            r.len() + v.len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    copy_counter_updated_and_passed {
        fn twice(n: u32) -> u32 { n * 2 }
        async fn f() -> u32 {
            let mut n = 1u32;
            let r = &n;
            let first = *r;
            step("hold", ()).await;
            let seen = *r + first;
            n += 2;
            n = twice(n) + seen;
            step("after", ()).await;
            twice(n) + n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    by_value_self_iterated_across_awaits {
        pub struct Bag { pub items: Vec<u32>, pub _g: Guard }
        impl Bag {
            pub async fn sum(self) -> u32 {
                let mut s = 0;
                for x in self.items.iter() {
                    s += step("item", *x).await;
                }
                s + self.items.len() as u32
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            Bag { items: vec![1, 2, 3], _g: Guard::new("bag") }.sum()
        }
    }

    panic_while_a_home_is_borrowed {
        async fn f() -> usize {
            let v = vec![Guard::new("p1")];
            let _tail = Guard::new("p2");
            for g in &v {
                step("before boom", g.name().len()).await;
                Boom("boom").await;
            }
            v.len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    mut_and_ref_parameter_patterns {
        async fn f(mut v: Vec<u32>, ref r: String, mut n: u32) -> (Vec<u32>, usize, u32) {
            v.push(step("push", 4u32).await);
            n += step("n", 1u32).await;
            (v, r.len(), n)
        }
        pub fn entry() -> impl core::future::Future<Output = (Vec<u32>, usize, u32)> { f(vec![1], String::from("abc"), 10) }
    }

    // The value an `.await` gives back may keep the borrow its future was given: the local
    // borrowed must not move when the state resumes. (It did: `r` then pointed at the state's
    // old bytes.)
    await_output_borrows_the_local {
        async fn id<'a>(v: &'a Vec<Guard>) -> &'a Vec<Guard> { step("id", ()).await; v }
        async fn f() -> usize {
            let v = vec![Guard::new("a"), Guard::new("bb")];
            let r = id(&v).await;
            let w = vec![9u8; 64];
            let n = r.len() * 10 + r[1].name().len();
            drop(w);
            step("after", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    // A guard given back by an `.await` writes through its borrow when it drops, after the
    // state has moved on.
    await_output_guard_writes_through_the_borrow {
        pub struct Counter { pub n: u32 }
        pub struct Ticket<'a> { c: &'a mut Counter }
        impl Drop for Ticket<'_> {
            fn drop(&mut self) { self.c.n += 1; log(format!("ticket dropped, n = {}", self.c.n)); }
        }
        impl Counter {
            pub async fn ticket(&mut self) -> Ticket<'_> { step("ticket", ()).await; Ticket { c: self } }
        }
        async fn f() -> u32 {
            let mut c = Counter { n: 0 };
            {
                let _t = c.ticket().await;
                step("held", ()).await;
            }
            c.ticket().await;
            step("end", c.n).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    // A local in a fixed home consumed by a method that takes `self` (`into_iter`) as its last
    // use: taken out of the home (it was E0507, "cannot move out of a shared reference").
    consumed_by_method_after_a_borrowing_await {
        async fn total(v: &[Guard]) -> usize { step("total", v.len()).await }
        async fn f() -> usize {
            let v = vec![Guard::new("a"), Guard::new("b")];
            let keep = Guard::new("keep");
            let n = total(&v).await;
            let names: Vec<String> = v.into_iter().map(|g| g.name().to_string()).collect();
            log(format!("{names:?} {}", keep.name()));
            step("after", n + names.len()).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    // Or-patterns bind one local on every alternative: it gets a fixed home like any binding.
    or_pattern_bindings_borrowed_across_await {
        pub enum Msg { A(Guard), B(Guard), C }
        async fn f(m: Msg) -> usize {
            match m {
                Msg::A(g) | Msg::B(g) => {
                    let r = &g;
                    step("tick", ()).await;
                    r.name().len()
                }
                Msg::C => 0,
            }
        }
        async fn h(res: Result<Vec<Guard>, Vec<Guard>>) -> usize {
            let (Ok(a) | Err(a)) = res;
            let r = &a;
            step("tock", ()).await;
            r.len()
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize, usize, usize)> {
            async {
                let x = f(Msg::A(Guard::new("a"))).await;
                let y = f(Msg::B(Guard::new("bb"))).await;
                let z = f(Msg::C).await;
                (x, y, z, h(Err(vec![Guard::new("e")])).await)
            }
        }
    }

    // Locals bound by a pattern get fixed homes too (this was a "bind it on its own" error).
    pattern_bound_local_borrowed_across_await {
        async fn f() -> usize {
            let (a, g) = (vec![Guard::new("a1"), Guard::new("a2")], Guard::new("g"));
            let r = &a;
            step("tick", ()).await;
            log(format!("{} {}", r[1].name(), g.name()));
            let Some(first) = a.first() else { return 0 };
            step("again", first.name().len()).await + r.len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    // A `let .. else` binding borrowed by a future whose output keeps the borrow.
    let_else_binding_borrowed_by_the_output {
        async fn longest<'a>(v: &'a [Guard]) -> &'a Guard {
            step("scan", ()).await;
            v.iter().max_by_key(|g| g.name().len()).unwrap()
        }
        async fn f(input: Option<Vec<Guard>>) -> usize {
            let Some(items) = input else { return 0 };
            let best = longest(&items).await;
            log(format!("best {}", best.name()));
            step("len", best.name().len()).await
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize)> {
            async { (f(Some(vec![Guard::new("x"), Guard::new("yyy")])).await, f(None).await) }
        }
    }

    generic_element_type_in_a_fixed_home {
        // A borrow kept in the state names its lifetime: the fn's `'state`, which `T` outlives
        // (it needed `T: 'static`; rustc's coroutine erases it).
        async fn f<T: core::fmt::Debug>(v: Vec<T>) -> usize {
            let mut n = 0;
            for x in &v {
                n += step("x", format!("{x:?}").len()).await;
            }
            n
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f(vec![1u8, 2]) }
    }

    // Partial moves: a field taken by value before an `.await` that the local is kept across.
    // rustc keeps the rest of the local until the end of its scope; the macro gives it a fixed
    // home whose handle forgets the moved parts and drops the rest there.
    partial_move_of_struct {
        pub struct Pair { pub a: Guard, pub b: Guard }
        async fn consume(g: Guard) -> usize { step("consume", ()).await; g.name().len() }
        async fn f() -> usize {
            let p = Pair { a: Guard::new("pa"), b: Guard::new("pb") };
            let n = consume(p.a).await;
            log("a consumed");
            let m = step("s", 1usize).await;
            n + m
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    copy_field_read_keeps_the_rest_alive {
        pub struct Conf { pub retries: u32, pub _g: Guard }
        async fn f() -> u32 {
            let c = Conf { retries: 3, _g: Guard::new("conf") };
            let n = c.retries;
            let mut sum = 0;
            for i in 0..n {
                sum += step("try", i).await;
            }
            log("loop done");
            sum
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    partial_move_in_one_branch {
        pub struct Pair { pub a: Guard, pub b: Guard }
        async fn f(take: bool) -> String {
            let p = Pair { a: Guard::new("pa"), b: Guard::new("pb") };
            let mut out = String::new();
            if take {
                let a = p.a;
                out.push_str(a.name());
                step("took", ()).await;
            }
            step("after", ()).await;
            out.push_str(p.b.name());
            out
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> {
            async { (f(true).await, f(false).await) }
        }
    }

    moved_field_assigned_again {
        pub struct Pair { pub a: Guard, pub b: Guard }
        async fn f() -> usize {
            let mut p = Pair { a: Guard::new("a1"), b: Guard::new("b") };
            let mut n = 0;
            for i in 0..3 {
                let g = p.a;
                n += step("use", g.name().len()).await;
                drop(g);
                p.a = Guard::new(format!("a{}", i + 2));
            }
            step("end", ()).await;
            n + p.a.name().len() + p.b.name().len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    partial_move_of_by_value_self_and_argument {
        pub struct Job { pub input: Guard, pub meta: Guard, pub id: u32 }
        impl Job {
            pub async fn run(self, extra: (Guard, u32)) -> u32 {
                let input = self.input;
                let n = step("read", input.name().len() as u32).await;
                drop(input);
                let e = extra.0;
                step("extra", ()).await;
                log(format!("meta {} id {} e {}", self.meta.name(), self.id, e.name()));
                n + self.id + extra.1
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            Job { input: Guard::new("in"), meta: Guard::new("meta"), id: 7 }
                .run((Guard::new("x0"), 2))
        }
    }

    nested_field_moved_then_whole_replaced {
        pub struct Inner { pub a: Guard, pub b: Guard }
        pub struct Outer { pub inner: Inner, pub c: Guard }
        async fn f() -> usize {
            let mut o = Outer {
                inner: Inner { a: Guard::new("ia"), b: Guard::new("ib") },
                c: Guard::new("c"),
            };
            let a = o.inner.a;
            step("moved", ()).await;
            let n = a.name().len();
            o = Outer {
                inner: Inner { a: Guard::new("ia2"), b: Guard::new("ib2") },
                c: Guard::new("c2"),
            };
            step("replaced", ()).await;
            n + o.c.name().len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    struct_pattern_argument_keeps_the_rest {
        pub struct Pair { pub a: Guard, pub b: Guard, pub n: u32 }
        async fn f(g: Guard, Pair { a, n, .. }: Pair, x: u32) -> usize {
            let k = step("s", a.name().len()).await;
            drop(a);
            step("t", ()).await;
            k + n as usize + x as usize + g.name().len()
        }
        async fn g(z: Guard, (x, _, y): (u32, Guard, Guard)) -> usize {
            step("u", ()).await;
            x as usize + y.name().len() + z.name().len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            async {
                f(Guard::new("g"), Pair { a: Guard::new("a"), b: Guard::new("b"), n: 2 }, 1).await
                    + g(Guard::new("z"), (1, Guard::new("t1"), Guard::new("t2"))).await
            }
        }
    }

    for_item_field_moved_keeps_the_rest_to_the_end_of_the_iteration {
        pub struct Req { pub id: u32, pub body: Guard, pub _conn: Guard }
        async fn work(body: Guard) -> u32 { step("work", ()).await; body.name().len() as u32 }
        async fn f(reqs: Vec<Req>) -> u32 {
            let mut n = 0;
            for req in reqs {
                let id = req.id;
                n += work(req.body).await + id;
                log("next");
            }
            n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            f(vec![
                Req { id: 1, body: Guard::new("b1"), _conn: Guard::new("c1") },
                Req { id: 2, body: Guard::new("b2"), _conn: Guard::new("c2") },
            ])
        }
    }

    match_arm_binding_borrowed_across_awaits {
        pub enum Msg { Data(Vec<u32>), Stop(Guard) }
        async fn f(msgs: Vec<Msg>) -> u32 {
            let mut sum = 0;
            for m in msgs {
                match m {
                    Msg::Data(v) => {
                        for x in &v {
                            sum += step("item", *x).await;
                        }
                        log(format!("done {}", v.len()));
                    }
                    Msg::Stop(g) => {
                        step("stop", ()).await;
                        drop(g);
                        break;
                    }
                }
            }
            sum
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            f(vec![Msg::Data(vec![1, 2]), Msg::Data(vec![3]), Msg::Stop(Guard::new("stop")), Msg::Data(vec![9])])
        }
    }

    if_let_binding_field_moved_and_borrowed_across_awaits {
        pub struct Job { pub input: Guard, pub steps: Vec<u32>, pub _tag: Guard }
        async fn f(job: Option<Job>) -> u32 {
            let mut n = 0;
            if let Some(j) = job {
                for s in &j.steps {
                    n += step("step", *s).await;
                }
                let input = j.input;
                n += step("input", input.name().len() as u32).await;
                log("then-block ends");
            } else {
                step("none", ()).await;
            }
            n
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> {
            async {
                let job = Job { input: Guard::new("in"), steps: vec![1, 2], _tag: Guard::new("tag") };
                (f(Some(job)).await, f(None).await)
            }
        }
    }

    // `if let Ok(v) = r` in a plain statement moves `r` only when it matches: otherwise `r`
    // is whole, and drops at the end of the fn, after the `.await`.
    if_let_in_plain_statement_leaves_the_unmatched_local {
        async fn h(r: Result<Guard, Guard>) -> usize {
            let n = if let Ok(v) = r { v.name().len() } else { 7 };
            step("after", n).await
        }
        async fn m(r: Result<Guard, Guard>) -> usize {
            let n = match r { Ok(v) => v.name().len(), _ => 7 };
            step("after", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize, usize, usize)> {
            async {
                (h(Ok(Guard::new("ok"))).await, h(Err(Guard::new("err"))).await,
                 m(Ok(Guard::new("ok"))).await, m(Err(Guard::new("err"))).await)
            }
        }
    }

    // The same when the `if let` or `match` itself awaits: the unmatched local lives on, to
    // the `.await` after it.
    if_let_that_awaits_leaves_the_unmatched_local {
        async fn h(r: Result<Guard, Guard>) -> usize {
            let mut n = 0;
            if let Ok(v) = r {
                n += step("in", v.name().len()).await;
            }
            step("after", n).await
        }
        async fn m(r: Result<Guard, Guard>) -> usize {
            let n = match r {
                Ok(v) => step("ok", v.name().len()).await,
                Err(_) => 9,
            };
            step("after", n).await
        }
        async fn c(a: Result<Vec<Guard>, Guard>) -> usize {
            let n = if let Ok(v) = a && v.len() > 1 { v.len() } else { 3 };
            step("after", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = [usize; 6]> {
            async {
                [h(Ok(Guard::new("ok"))).await, h(Err(Guard::new("err"))).await,
                 m(Ok(Guard::new("ok"))).await, m(Err(Guard::new("err"))).await,
                 c(Ok(vec![Guard::new("v")])).await, c(Err(Guard::new("e"))).await]
            }
        }
    }

    // The `else` branch of a chain that moves out of locals awaits: an earlier `let` may have
    // matched and moved its local.
    let_chain_else_branch_awaits {
        async fn g(a: Option<Guard>, b: Option<Guard>) -> usize {
            if let Some(v) = a && let Some(w) = b {
                v.name().len() + w.name().len()
            } else {
                step("else", 0).await
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, usize, usize)> {
            async {
                (g(Some(Guard::new("a")), Some(Guard::new("b"))).await,
                 g(Some(Guard::new("a")), None).await,
                 g(None, Some(Guard::new("b"))).await)
            }
        }
    }

    // A local with a fixed home (an awaited call borrowed it), then matched by value: every arm
    // moves it, in a plain `match` and in one whose arm awaits.
    matched_by_value_after_a_borrowing_await {
        async fn count(r: &Result<Vec<Guard>, Guard>) -> usize {
            step("count", ()).await;
            r.as_ref().map_or(0, |v| v.len())
        }
        async fn plain(r: Result<Vec<Guard>, Guard>) -> usize {
            let n = count(&r).await;
            let m = match r { Ok(v) => v.len(), Err(g) => g.name().len() };
            step("after", n + m).await
        }
        async fn awaits(r: Result<Vec<Guard>, Guard>) -> usize {
            let n = count(&r).await;
            match r {
                Ok(v) => v.len() + n,
                Err(g) => step("err", g.name().len()).await,
            }
        }
        pub fn entry() -> impl core::future::Future<Output = [usize; 4]> {
            async {
                [plain(Ok(vec![Guard::new("a")])).await, plain(Err(Guard::new("e"))).await,
                 awaits(Ok(vec![Guard::new("a")])).await, awaits(Err(Guard::new("e"))).await]
            }
        }
    }

    /// A value made from `&mut v` (`Inspect::new(&mut out, ..)`, `Cursor::new(&mut buf)`) may
    /// keep that borrow, which syntax cannot see: kept across an `.await` with `v`, `v` gets a
    /// fixed home. It was E0505 (tokio-util's `write_tee`, in the real-code check).
    value_made_from_a_mutable_borrow_keeps_it {
        pub struct Sink { pub contents: Vec<u8>, pub _g: Guard }
        pub struct Inspect<'a, F: FnMut(&[u8])> { w: &'a mut Sink, f: F }
        impl<'a, F: FnMut(&[u8])> Inspect<'a, F> {
            pub fn new(w: &'a mut Sink, f: F) -> Self { Inspect { w, f } }
            pub fn write_all(&mut self, b: &'static [u8]) -> Step<usize> {
                (self.f)(b);
                self.w.contents.extend(b);
                step("write", b.len())
            }
        }
        async fn f() -> usize {
            let mut altout: Vec<u8> = Vec::new();
            let mut out = Sink { contents: Vec::new(), _g: Guard::new("out") };
            {
                let mut tee = Inspect::new(&mut out, |b| altout.extend(b));
                tee.write_all(b"abc").await;
                tee.write_all(b"de").await;
            }
            assert_eq!(altout, out.contents);
            out.contents.len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// A future made by a method on one local with `&mut` another, handed to a constructor
    /// (tokio-test's `spawn(rx.read_to_end(&mut buf))`) and kept across other `.await`s: both
    /// locals stay where they are. (Kept bare, `let read = rx.read_to_end(&mut buf);`, `rx`
    /// is not taken to be borrowed: rustc's E0505.)
    future_kept_in_a_local_borrows_its_receiver_and_argument {
        pub struct Spawned<F>(pub F);
        impl<F> Spawned<F> {
            pub fn new(f: F) -> Self { Spawned(f) }
        }
        pub struct Reader { pub left: Vec<u8>, pub _g: Guard }
        impl Reader {
            pub fn read_to_end<'a>(
                &'a mut self,
                buf: &'a mut Vec<u8>,
            ) -> impl core::future::Future<Output = usize> + 'a {
                async move {
                    buf.append(&mut self.left);
                    step("read", buf.len()).await
                }
            }
        }
        async fn f() -> usize {
            let mut rx = Reader { left: vec![1, 2, 3], _g: Guard::new("rx") };
            let mut buf = vec![];
            let read = Spawned::new(rx.read_to_end(&mut buf));
            let k = step("other", 1usize).await;
            read.0.await + k
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// A sender's `send` on a named local borrows it (`Consumes::OnTemporaries`), also inside a
    /// constructor's arguments: the future kept in `sending` borrows `tx`, which stays where it
    /// is across the `.await`s (tokio-util's `spawn(send2.send(5))`; was E0505). Its home is
    /// not emptied by that call (a `take()` there dropped `tx` at once).
    future_from_a_sender_method_kept_across_awaits_borrows_it {
        pub struct Spawned<F>(pub F);
        impl<F> Spawned<F> {
            pub fn new(f: F) -> Self { Spawned(f) }
        }
        pub struct Sender { pub _g: Guard }
        impl Sender {
            pub fn send(&self, v: u32) -> impl core::future::Future<Output = u32> + '_ {
                async move { step("send", v + self._g.name().len() as u32).await }
            }
        }
        async fn f() -> u32 {
            let first = step("first", 1u32).await;
            let tx = Sender { _g: Guard::new("tx") };
            let sending = Spawned::new(tx.send(5));
            let k = step("other", first).await;
            sending.0.await + k
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// An argument with a fixed home, and one after it without: an early `return` before the
    /// first `.await` drops them in reverse argument order, as rustc does (found by the fuzzer,
    /// seed 41). The home's handle is a later binding, so the arguments after it are bound again.
    argument_with_a_home_before_one_without_drops_after_it {
        async fn f(p0: Guard, p1: Guard) -> Option<u32> {
            let n = match None::<u32> {
                Some(_) => { drop(p0); 1 }
                None => None::<u32>?,
            };
            step("s", 1u32).await;
            Some(n + p1.name().len() as u32)
        }
        pub fn entry() -> impl core::future::Future<Output = Option<u32>> {
            f(Guard::new("arg0"), Guard::new("arg1"))
        }
    }

    /// A name that a `let` or an arm inside an awaited expression binds anew, spelled as a
    /// local that the expression reaches in the state (`{ let p = p; p }`): the new one is not
    /// dereferenced (E0614 on `u32`). Fuzzer, seed 41, programs 351 and 827.
    shadowing_inside_an_awaited_expression_that_borrows_the_state {
        async fn f(p: u32, g: Guard) -> u32 {
            let out = step(
                "s",
                Some(if p % 2 == 0 {
                    let p = p + 1;
                    match Some(p) { Some(p) => p * 2, None => p }
                } else {
                    let pair = (g, Guard::new("h"));
                    pair.1.name().len() as u32
                }),
            )
            .await;
            match out { Some(x) => x + p, None => p }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(4, Guard::new("a")).await + f(3, Guard::new("b")).await }
        }
    }

    /// A local with a fixed home (an island's code assigns it in a loop) overwritten by the
    /// value of an `.await`: where the state resumes it is declared as a handle of a home that
    /// holds no value yet (`Home::vacant`), which the assignment fills; it was `let mut n;`,
    /// whose `n.set(..)` had no type (E0282; fuzz seed 4242 #2574).
    fixed_home_overwritten_by_an_awaited_value {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f() -> u32 {
            let mut n = 5u32;
            n = async move { 7u32 }.await;
            logv!("value {}", match None::<u32> {
                Some(_) => {
                    loop {
                        n = 8u32;
                        break;
                    }
                    0u32
                }
                None => {
                    let m = [n, 0u32];
                    m[0]
                }
            });
            let n = async move { n }.await;
            step("end", n).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// The same with a value that has a destructor: the old value drops at the assignment,
    /// after the `.await`, as in rustc.
    fixed_home_with_a_destructor_overwritten_by_an_awaited_value {
        macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }
        async fn f() -> u32 {
            let mut g = Guard::new("first");
            g = async move { Guard::new("second") }.await;
            logv!("value {}", match None::<u32> {
                Some(_) => {
                    loop {
                        g = Guard::new("third");
                        break;
                    }
                    0u32
                }
                None => {
                    let m = [g.name().len()];
                    m[0] as u32
                }
            });
            let g = async move { g }.await;
            step("end", g.name().len() as u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// A `match` whose arms move an anchored local whole puts it back in the arms that bind
    /// nothing (`put_back @ (_) => { p.set(put_back); .. }`); that binding was named `value`,
    /// as the normaliser names a temporary it keeps (`let r = &Guard::new(..)`), so an arm
    /// that awaited stored the binding in the temporary's place (E0308; fuzz seed 4242 #1503).
    put_back_binding_beside_an_extended_temporary {
        async fn f(p0: u32, _p1: Guard, p2: Guard) -> u32 {
            let _r2 = &Guard::new("t3");
            let _r4 = &p2;
            let _a = async move { p0 }.await;
            let p0 = p0;
            step("s13", step("s14", match p0 {
                0 => p0,
                x15 if x15 > 4 => 9u32,
                _ => {
                    let _g = step("s18", Guard::new("g17")).await;
                    p0
                }
            })
            .await)
            .await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(3, Guard::new("a"), Guard::new("b")).await + f(0, Guard::new("c"), Guard::new("d")).await }
        }
    }

    /// `v = new` on a local in a fixed home, when the old value's destructor panics: rustc
    /// writes the new value anyway (the local holds it while unwinding, which drops it at the
    /// end of its scope). `Home::set` left the slot holding the old value, so the handle
    /// dropped it a second time (issue 14, panic safety). (Armed just before the assignment:
    /// the harness drops the future outside a poll, where a panic would not be caught.)
    assigned_again_when_the_old_value_panics_in_its_drop {
        pub struct Bomb(pub &'static str, pub bool);
        impl Drop for Bomb {
            fn drop(&mut self) {
                log(format!("drop {}", self.0));
                if self.1 && !std::thread::panicking() {
                    panic!("drop of {}", self.0);
                }
            }
        }
        async fn f() -> usize {
            let mut b = Bomb("first", false);
            let r = &b;
            let n = step("s", r.0.len()).await;
            b.1 = true;
            b = Bomb("second", false);
            step("t", b.0.len()).await + n
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// A by-value arm with a guard, on a `Copy` local kept in a fixed home: the arm copies the
    /// value out and its guard reads it by value. (Fuzz seed 3838, #17: E0308 once such arms
    /// were matched by reference, which only an arm beside a `ref` one needs.)
    copy_in_a_fixed_home_matched_by_value_with_a_guard {
        async fn f(k: u32) -> u32 {
            let n = k;
            let r = &n;
            let m = match n {
                0 => 1,
                x if x > 4 => step("s", x).await + *r,
                _ => 2,
            };
            m + *r + n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(0).await + f(7).await + f(3).await }
        }
    }

    /// Two shared borrows of a `mut` local in a fixed home, each the output of a `&self`
    /// method the heuristic does not know, live at once. The receiver was `(*t.exclusive())`,
    /// a `&mut` that under Stacked Borrows ended the first borrow: undefined behaviour from
    /// safe code (Miri: "tag does not exist in the borrow stack" at the second call). It is
    /// now the value's place, borrowed by rustc's autoref as the method takes it.
    shared_borrows_from_an_unknown_method_live_at_once {
        pub struct Table(pub [u32; 4]);
        impl Table {
            pub fn lookup(&self, k: usize) -> Step<&u32> {
                step("lookup", &self.0[k])
            }
        }
        async fn f() -> u32 {
            let mut t = Table([1, 2, 3, 0]);
            t.0[3] = 4;
            let a = t.lookup(0).await;
            let b = t.lookup(3).await;
            step("sum", *a + *b).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// A method named `get` that takes `&mut self` (a client's `client.get(key).await`): the
    /// name is on the list of methods that return a shared borrow, so the receiver was
    /// `(*client.shared())`, and rustc said E0596 at the user's call.
    mut_self_method_named_get {
        pub struct Client(pub Vec<u32>);
        impl Client {
            pub async fn get(&mut self, k: u32) -> Option<u32> {
                self.0.push(k);
                step("get", self.0.first().copied()).await
            }
        }
        async fn f() -> usize {
            let mut client = Client(Vec::new());
            let first = client.get(7).await;
            let again = client.get(8).await;
            step("after", ()).await;
            client.0.len() + first.unwrap_or(0) as usize + again.unwrap_or(0) as usize
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// Arguments that make temporaries, in calls on a value's place in its home: they drop at
    /// the end of the statement, as in the body as written, not at the end of the `unsafe`
    /// block that makes the call.
    temporaries_in_arguments_of_a_call_on_a_home {
        pub struct Table(pub Vec<u32>);
        impl Table {
            pub fn count(&self, g: &Guard, h: usize) -> Step<usize> {
                step("count", self.0.len() + g.name().len() + h)
            }
        }
        async fn f() -> usize {
            let mut t = Table(vec![1]);
            t.0.push(2);
            let n = t.count(&Guard::new("arg"), Guard::new("h").name().len()).await;
            t.0.push(3);
            let r = &t;
            let m = r.count(&Guard::new("again"), 0).await + t.count(&Guard::new("b"), 1).await;
            n + m + t.count(&Guard::new("tail"), 2).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// A state keeps a `Held` (no bytes) instead of a home's handle for the locals it drops
    /// last: `a` and `b`, declared before the rest. The future dropped at each poll drops the
    /// state, then the homes, last declared first: `c`, `b`, `a`, as rustc does.
    homes_held_by_a_state_drop_after_it_last_declared_first {
        async fn f(k: u32) -> usize {
            let a = Guard::new("a");
            let b = Guard::new("b");
            let (ra, rb) = (&a, &b);
            let n = step("first", k).await;
            let c = Guard::new("c");
            let m = step("second", ra.name().len() + rb.name().len()).await;
            m + n as usize + c.name().len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f(1) }
    }

    /// `v` is declared after `first`, which the state drops where it lies: `v` keeps its
    /// handle, so that the dropped future drops `v` before `first`, as rustc does. (Held, it
    /// would drop after the whole state.) `&n` binds a copy, with nothing to drop: it does not
    /// stop `w` from being held.
    homes_declared_after_a_local_with_a_destructor_keep_their_handle {
        async fn f(k: &u32) -> usize {
            let &n = k;
            let w = Guard::new("w");
            let rw = &w;
            step("s", ()).await;
            let first = Guard::new("first");
            let v = Guard::new("v");
            let r = &v;
            step("t", ()).await;
            r.name().len() + first.name().len() + rw.name().len() + n as usize
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            async { f(&3).await }
        }
    }

    /// A sub-future that panics while a state holds a home's local: the machine drops the
    /// state and the homes while unwinding, as rustc drops the locals, not when the future is
    /// dropped later (`Unwound` logs in between).
    held_homes_drop_while_a_panic_unwinds {
        pub struct Unwound<F>(pub F);
        impl<F: core::future::Future> core::future::Future for Unwound<F> {
            type Output = F::Output;
            fn poll(
                self: core::pin::Pin<&mut Self>,
                cx: &mut core::task::Context<'_>,
            ) -> core::task::Poll<F::Output> {
                // SAFETY: the one field is pinned with the struct and never moved out.
                let inner = unsafe { self.map_unchecked_mut(|s| &mut s.0) };
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.poll(cx))) {
                    Ok(p) => p,
                    Err(e) => {
                        log("unwound");
                        std::panic::resume_unwind(e)
                    }
                }
            }
        }
        async fn f() -> u32 {
            let g = Guard::new("held");
            let r = &g;
            let n = step("first", 1u32).await;
            let h = Guard::new("after");
            let m = Boom("sub").await;
            n + m + r.name().len() as u32 + h.name().len() as u32
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { Unwound(f()) }
    }

    /// Fourteen homes: more than the twelve a tuple of homes holds, so they are nested
    /// (`homes.1.0`), and cleared last first across the nesting when the future is dropped.
    fourteen_homes_held_across_an_await {
        async fn f() -> usize {
            let g0 = Guard::new("g0");
            let r0 = &g0;
            let g1 = Guard::new("g1");
            let r1 = &g1;
            let g2 = Guard::new("g2");
            let r2 = &g2;
            let g3 = Guard::new("g3");
            let r3 = &g3;
            let g4 = Guard::new("g4");
            let r4 = &g4;
            let g5 = Guard::new("g5");
            let r5 = &g5;
            let g6 = Guard::new("g6");
            let r6 = &g6;
            let g7 = Guard::new("g7");
            let r7 = &g7;
            let g8 = Guard::new("g8");
            let r8 = &g8;
            let g9 = Guard::new("g9");
            let r9 = &g9;
            let g10 = Guard::new("g10");
            let r10 = &g10;
            let g11 = Guard::new("g11");
            let r11 = &g11;
            let g12 = Guard::new("g12");
            let r12 = &g12;
            let g13 = Guard::new("g13");
            let r13 = &g13;
            step("s", ()).await;
            r0.name().len() + r1.name().len() + r2.name().len() + r3.name().len() + r4.name().len() + r5.name().len() + r6.name().len() + r7.name().len() + r8.name().len() + r9.name().len() + r10.name().len() + r11.name().len() + r12.name().len() + r13.name().len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }
}
