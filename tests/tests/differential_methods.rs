//! Differential cases: async methods (`&self`, `&mut self`, `self`, `mut self`), generic impls,
//! trait impls of `fn f(&self) -> impl Future`, associated fns.
use clockwork_tests::differential;

differential! {
    ref_self_method {
        pub struct Store { pub items: Vec<u32>, pub _g: Guard }
        impl Store {
            pub async fn sum(&self) -> u32 {
                let mut s = 0;
                for i in 0..self.items.len() {
                    s += step("item", self.items[i]).await;
                }
                s
            }
            pub async fn count(&self) -> usize { step("count", ()).await; self.items.len() }
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, usize)> {
            async {
                let s = Store { items: vec![1, 2, 3], _g: Guard::new("store") };
                (s.sum().await, s.count().await)
            }
        }
    }

    mut_self_method {
        pub struct Counter { pub n: u32, pub history: Vec<u32> }
        impl Counter {
            pub async fn add(&mut self, by: u32) -> u32 {
                let v = step("add", by).await;
                self.n += v;
                self.history.push(self.n);
                self.n
            }
            pub async fn add_twice(&mut self, by: u32) -> u32 {
                self.add(by).await;
                self.add(by * 2).await
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, Vec<u32>)> {
            async {
                let mut c = Counter { n: 0, history: Vec::new() };
                let last = c.add_twice(3).await;
                c.add(1).await;
                (last, c.history)
            }
        }
    }

    by_value_self_method {
        pub struct Job { pub name: Guard, pub steps: u32 }
        impl Job {
            pub async fn into_result(self) -> String {
                let mut done = 0;
                while done < self.steps {
                    done += step("job", 1u32).await;
                }
                format!("{} done {done}", self.name.name())
            }
        }
        pub fn entry() -> impl core::future::Future<Output = String> {
            Job { name: Guard::new("job"), steps: 2 }.into_result()
        }
    }

    mut_self_by_value_method {
        pub struct Builder { pub parts: Vec<String>, pub _g: Guard }
        impl Builder {
            pub async fn with(mut self, p: &'static str) -> Builder {
                self.parts.push(step("with", p).await.to_string());
                self
            }
            pub async fn finish(mut self) -> String {
                self.parts.push(step("finish", "end").await.into());
                self.parts.join("/")
            }
        }
        pub fn entry() -> impl core::future::Future<Output = String> {
            async {
                let b = Builder { parts: vec![], _g: Guard::new("builder") };
                let b = b.with("a").await;
                let b = b.with("b").await;
                b.finish().await
            }
        }
    }

    generic_impl_methods {
        pub struct Cell<T> { pub v: T }
        impl<T: Clone + core::fmt::Debug> Cell<T> {
            pub async fn get(&self) -> T { step("get", self.v.clone()).await }
            pub async fn set(&mut self, v: T) -> T { step("set", ()).await; core::mem::replace(&mut self.v, v) }
        }
        impl<T> Cell<Vec<T>> where T: Copy {
            pub async fn first(&self) -> Option<T> { step("first", ()).await; self.v.first().copied() }
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32, String, Option<u8>)> {
            async {
                let mut c = Cell { v: 1u32 };
                let a = c.get().await;
                let old = c.set(5).await;
                let s = Cell { v: String::from("s") }.get().await;
                let f = Cell { v: vec![7u8, 8] }.first().await;
                (a, old + c.get().await, s, f)
            }
        }
    }

    trait_rpitit_impl {
        pub trait Service {
            fn call(&self, req: u32) -> impl core::future::Future<Output = u32>;
            fn name(&self) -> &'static str;
        }
        pub struct Double;
        pub struct AddN(pub u32);
        impl Service for Double {
            async fn call(&self, req: u32) -> u32 { step("double", req * 2).await }
            fn name(&self) -> &'static str { "double" }
        }
        impl Service for AddN {
            async fn call(&self, req: u32) -> u32 {
                let _g = Guard::new(format!("add{}", self.0));
                let a = step("add", req).await;
                a + step("n", self.0).await
            }
            fn name(&self) -> &'static str { "add" }
        }
        async fn run<S: Service>(s: &S, input: u32) -> String {
            let out = s.call(input).await;
            format!("{}({input})={out}", s.name())
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> {
            async { (run(&Double, 4).await, run(&AddN(10), 4).await) }
        }
    }

    trait_async_fn_declared {
        pub trait Source {
            async fn fetch(&mut self) -> Option<u32>;
        }
        pub struct Countdown(pub u32);
        impl Source for Countdown {
            async fn fetch(&mut self) -> Option<u32> {
                step("fetch", ()).await;
                if self.0 == 0 { None } else { self.0 -= 1; Some(self.0) }
            }
        }
        async fn drain(src: &mut impl Source) -> Vec<u32> {
            let mut v = Vec::new();
            while let Some(x) = src.fetch().await { v.push(x); }
            v
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> {
            async { let mut c = Countdown(3); drain(&mut c).await }
        }
    }

    associated_async_fn {
        pub struct Conn { pub id: u32, pub _g: Guard }
        impl Conn {
            pub async fn open(id: u32) -> Conn {
                step("open", ()).await;
                Conn { id, _g: Guard::new(format!("conn{id}")) }
            }
            pub async fn pair() -> (Conn, Conn) {
                let a = Self::open(1).await;
                let b = Conn::open(2).await;
                (a, b)
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { let (a, b) = Conn::pair().await; a.id * 10 + b.id }
        }
    }

    method_calls_sibling_methods {
        pub struct Calc { pub base: u32 }
        impl Calc {
            async fn a(&self) -> u32 { step("a", self.base).await }
            async fn b(&self, x: u32) -> u32 { step("b", x + 1).await }
            pub async fn both(&self) -> u32 { self.a().await + self.b(self.base).await * self.a().await }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { Calc { base: 3 }.both().await }
        }
    }

    boxed_self_receiver {
        pub struct Node { pub v: u32, pub _g: Guard }
        impl Node {
            pub async fn into_value(self: Box<Self>) -> u32 { step("box", ()).await; self.v * 2 }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            Box::new(Node { v: 21, _g: Guard::new("node") }).into_value()
        }
    }

    method_returns_borrow {
        pub struct Doc { pub words: Vec<String> }
        impl Doc {
            pub async fn longest<'a>(&'a self) -> &'a str {
                let mut best = "";
                for i in 0..self.words.len() {
                    step("cmp", ()).await;
                    if self.words[i].len() > best.len() { best = &self.words[i]; }
                }
                best
            }
            pub async fn first(&self) -> &str { step("first", ()).await; &self.words[0] }
        }
        pub fn entry() -> impl core::future::Future<Output = String> {
            async {
                let d = Doc { words: vec!["ab".into(), "abcd".into(), "abc".into()] };
                let l = d.longest().await;
                format!("{l} {}", d.first().await)
            }
        }
    }

    mut_self_replaces_guard_field {
        pub struct Holder { pub g: Guard, pub generation: u32 }
        impl Holder {
            pub async fn rotate(&mut self) -> Guard {
                self.generation += step("generation", 1u32).await;
                let old = core::mem::replace(&mut self.g, Guard::new(format!("generation{}", self.generation)));
                step("after", ()).await;
                old
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async {
                let mut h = Holder { g: Guard::new("gen0"), generation: 0 };
                let a = h.rotate().await;
                drop(a);
                let _b = h.rotate().await;
                h.generation
            }
        }
    }

    self_fields_across_awaits {
        pub struct Pipeline { pub input: Vec<u32>, pub output: Vec<u32>, pub factor: u32 }
        impl Pipeline {
            pub async fn run(&mut self) -> usize {
                while let Some(x) = self.input.pop() {
                    let y = step("map", x * self.factor).await;
                    if y % 2 == 0 { self.output.push(y); }
                }
                self.output.len()
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, Vec<u32>)> {
            async {
                let mut p = Pipeline { input: vec![1, 2, 3, 4], output: vec![], factor: 3 };
                let n = p.run().await;
                (n, p.output)
            }
        }
    }

    consuming_into_method_named_local {
        pub struct Session { pub id: u32, pub _g: Guard }
        impl Session {
            pub async fn into_closed(self) -> u32 { step("close", ()).await; self.id }
        }
        async fn f() -> u32 {
            let s = Session { id: 4, _g: Guard::new("session") };
            let other = Guard::new("other");
            let id = s.into_closed().await;
            log(format!("closed {id}"));
            let n = step("after", 1u32).await;
            drop(other);
            id + n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    self_type_in_bodies {
        pub struct Token { pub v: u32 }
        impl Token {
            fn helper(x: u32) -> u32 { x + 1 }
            pub async fn make(v: u32) -> Self {
                let v = Self::helper(step("make", v).await);
                Self { v }
            }
            pub async fn combine(&self, other: &Self) -> Self {
                Token { v: step("combine", self.v + other.v).await }
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { let a = Token::make(1).await; let b = Token::make(2).await; a.combine(&b).await.v }
        }
    }

    trait_generic_method_impl {
        pub trait Sink {
            fn put<T: core::fmt::Display>(&mut self, t: T) -> impl core::future::Future<Output = usize>;
        }
        pub struct VecSink(pub Vec<String>);
        impl Sink for VecSink {
            async fn put<T: core::fmt::Display>(&mut self, t: T) -> usize {
                let s = step("put", t.to_string()).await;
                self.0.push(s);
                self.0.len()
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, Vec<String>)> {
            async { let mut s = VecSink(vec![]); s.put(1).await; let n = s.put("two").await; (n, s.0) }
        }
    }

    generic_trait_impl_for_wrapper {
        pub trait Describe { fn describe(&self) -> impl core::future::Future<Output = String>; }
        pub struct Wrap<T>(pub T);
        impl<T: core::fmt::Debug + Clone> Describe for Wrap<T> {
            async fn describe(&self) -> String {
                let v = step("describe", self.0.clone()).await;
                format!("Wrap({v:?})")
            }
        }
        async fn show(d: &impl Describe) -> String { d.describe().await }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> {
            async { (show(&Wrap(1u8)).await, show(&Wrap(vec!["a"])).await) }
        }
    }

    mut_parameter_patterns {
        async fn f(mut v: Vec<u32>, (mut a, b): (u32, u32), mut n: u32) -> (Vec<u32>, u32, u32) {
            v.push(step("push", 4u32).await);
            n += step("n", 1u32).await;
            a += b;
            (v, a, n)
        }
        pub fn entry() -> impl core::future::Future<Output = (Vec<u32>, u32, u32)> { f(vec![1], (2, 3), 10) }
    }

    consuming_method_on_awaited_temporary {
        pub struct Session { pub id: u32, pub _g: Guard }
        impl Session {
            pub async fn into_id(self) -> u32 { step("into_id", ()).await; self.id }
        }
        async fn open(id: u32) -> Session { step("open", ()).await; Session { id, _g: Guard::new(format!("s{id}")) } }
        async fn f() -> u32 {
            let a = open(1).await.into_id().await;
            let b = open(2).await.into_id().await + open(3).await.into_id().await;
            a + b
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    consuming_method_on_awaited_temporary_guards {
        pub struct Session { pub id: u32, pub _g: Guard }
        impl Session {
            pub async fn into_id(self) -> u32 { step("into_id", ()).await; self.id }
        }
        async fn open(id: u32) -> Session { step("open", ()).await; Session { id, _g: Guard::new(format!("s{id}")) } }
        async fn f() -> u32 {
            let _outer = Guard::new("outer");
            let a = open(1).await.into_id().await;
            log(format!("a={a}"));
            let b = open(2).await.into_id().await;
            a * 10 + b
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    pinned_self_receiver {
        pub struct Ticker { pub n: u32 }
        impl Ticker {
            pub async fn tick(mut self: core::pin::Pin<&mut Self>) -> u32 {
                let by = step("tick", 2u32).await;
                self.n += by;
                self.n
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> {
            async {
                let mut t = Ticker { n: 1 };
                let a = core::pin::Pin::new(&mut t).tick().await;
                let b = core::pin::Pin::new(&mut t).tick().await;
                (a, b)
            }
        }
    }

    generic_closure_parameter_method {
        pub struct Data { pub items: Vec<u32> }
        impl Data {
            pub async fn map_all<F: Fn(u32) -> u32>(&self, f: F) -> Vec<u32> {
                let mut out = Vec::new();
                for i in 0..self.items.len() {
                    out.push(f(step("item", self.items[i]).await));
                }
                out
            }
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> {
            async { let k = 3; Data { items: vec![1, 2, 3] }.map_all(move |x| x * k).await }
        }
    }

    associated_consts_and_types {
        pub trait Limits { const MAX: u32; type Unit; }
        pub struct Meter;
        impl Limits for Meter { const MAX: u32 = 5; type Unit = u64; }
        pub struct Gauge<L: Limits> { pub v: u32, pub _l: core::marker::PhantomData<L> }
        impl<L: Limits> Gauge<L> where L::Unit: From<u32> + core::fmt::Debug {
            pub async fn bump(&mut self) -> (bool, String) {
                let add = step("bump", 3u32).await;
                self.v = (self.v + add).min(L::MAX);
                let u: L::Unit = self.v.into();
                (self.v == L::MAX, format!("{u:?}"))
            }
        }
        pub fn entry() -> impl core::future::Future<Output = ((bool, String), (bool, String))> {
            async {
                let mut g = Gauge::<Meter> { v: 0, _l: core::marker::PhantomData };
                (g.bump().await, g.bump().await)
            }
        }
    }

    trait_default_method_calls_async_impl {
        pub trait Fetch {
            fn fetch(&self, k: u32) -> impl core::future::Future<Output = u32>;
            fn fetch_two(&self, a: u32, b: u32) -> impl core::future::Future<Output = u32> {
                async move { self.fetch(a).await + self.fetch(b).await }
            }
        }
        pub struct Times(pub u32);
        impl Fetch for Times {
            async fn fetch(&self, k: u32) -> u32 { step("fetch", k * self.0).await }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { async { Times(3).fetch_two(1, 2).await } }
    }

    trait_static_async_constructor {
        pub trait Create: Sized { fn create(n: u32) -> impl core::future::Future<Output = Self>; }
        #[derive(Debug)]
        pub struct Thing { pub n: u32, pub _g: Guard }
        impl Create for Thing {
            async fn create(n: u32) -> Self {
                let v = step("create", n).await;
                Thing { n: v, _g: Guard::new(format!("thing{v}")) }
            }
        }
        async fn make_both<T: Create>() -> (T, T) { (T::create(1).await, T::create(2).await) }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { let (a, b): (Thing, Thing) = make_both().await; a.n * 10 + b.n }
        }
    }

    operator_overloads_on_awaited_values {
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct Money(pub i64);
        impl core::ops::Add for Money { type Output = Money; fn add(self, o: Money) -> Money { Money(self.0 + o.0) } }
        impl core::ops::Neg for Money { type Output = Money; fn neg(self) -> Money { Money(-self.0) } }
        pub struct Grid(pub Vec<Vec<u32>>);
        impl core::ops::Index<(usize, usize)> for Grid { type Output = u32; fn index(&self, (r, c): (usize, usize)) -> &u32 { &self.0[r][c] } }
        pub struct Wrapper(pub Vec<u32>);
        impl core::ops::Deref for Wrapper { type Target = Vec<u32>; fn deref(&self) -> &Vec<u32> { &self.0 } }
        async fn m(n: i64) -> Money { step("m", Money(n)).await }
        async fn grid() -> Grid { step("grid", Grid(vec![vec![1, 2], vec![3, 4]])).await }
        async fn wrapper() -> Wrapper { step("wrap", Wrapper(vec![5, 6, 7])).await }
        async fn f() -> (i64, u32, usize) {
            let a = m(5).await + -m(2).await;
            let b = grid().await[(1, 0)];
            let c = wrapper().await.len();
            (a.0, b, c)
        }
        pub fn entry() -> impl core::future::Future<Output = (i64, u32, usize)> { f() }
    }
    // A sub-future borrowing a stored local of a generic type: the borrow's lifetime is the
    // fn's `'state` (it needed `S: 'static`, E0310).
    generic_over_trait_in_loop {
        pub trait Source { fn read(&self) -> impl core::future::Future<Output = u32>; }
        pub struct Const(pub u32);
        impl Source for Const { async fn read(&self) -> u32 { step("read", self.0).await } }
        async fn sum_all<S: Source>(sources: Vec<S>) -> u32 {
            let mut s = 0;
            for src in sources { s += src.read().await; }
            s
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { sum_all(vec![Const(1), Const(2), Const(3)]) }
    }

    // The same with an `impl Trait` argument, and a generic reader kept in a fixed home.
    generic_reader_in_a_fixed_home {
        pub trait Reader { fn read(&mut self, buf: &mut [u8]) -> impl core::future::Future<Output = usize>; }
        pub struct Bytes(pub Vec<u8>, pub Guard);
        impl Reader for Bytes {
            async fn read(&mut self, buf: &mut [u8]) -> usize {
                let n = self.0.len().min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0.drain(..n);
                step("read", n).await
            }
        }
        async fn drain<R: Reader>(mut r: R, label: impl core::fmt::Display) -> String {
            let mut buf = [0u8; 2];
            let mut out = format!("{label}:");
            loop {
                let n = r.read(&mut buf).await;
                if n == 0 { break; }
                out.push_str(&format!(" {:?}", &buf[..n]));
            }
            out
        }
        async fn twice(a: impl Reader, b: impl Reader) -> String {
            let x = drain(a, "a").await;
            x + &drain(b, 'b').await
        }
        pub fn entry() -> impl core::future::Future<Output = String> {
            twice(Bytes(vec![1, 2, 3], Guard::new("a")), Bytes(vec![4], Guard::new("b")))
        }
    }

    // A generic inherent method on `self` by value: the impl's parameter outlives `'state` too.
    generic_impl_method_by_value {
        pub trait Source { fn read(&self) -> impl core::future::Future<Output = u32>; }
        pub struct Const(pub u32);
        impl Source for Const { async fn read(&self) -> u32 { step("read", self.0).await } }
        pub struct Pair<'a, S> { pub a: S, pub b: S, pub tag: &'a str }
        impl<'a, S: Source> Pair<'a, S> {
            pub async fn sum(self) -> String {
                let x = self.a.read().await;
                let y = self.b.read().await;
                format!("{} {}", self.tag, x + y)
            }
        }
        pub fn entry() -> impl core::future::Future<Output = String> {
            Pair { a: Const(2), b: Const(5), tag: "sum" }.sum()
        }
    }

    // Generic fns with elided lifetimes: `'state` needs every lifetime of the signature to
    // outlive it, so the elided ones are named (and the one the output borrows stays the same).
    generic_with_elided_lifetimes {
        pub trait Source { fn read(&self) -> impl core::future::Future<Output = u32>; }
        pub struct Const(pub u32, pub Guard);
        impl Source for Const { async fn read(&self) -> u32 { step("read", self.0).await } }
        pub struct Tagged<'x, T> { pub t: T, pub name: &'x str }
        impl<'x, T: Source> Tagged<'x, T> {
            pub async fn run(&self, extra: T) -> u32 {
                let e = extra;
                e.read().await + self.t.read().await + self.name.len() as u32
            }
        }
        async fn weigh<T: Source>(label: &str, xs: Vec<T>, more: &mut (impl Source + ?Sized)) -> String {
            let mut s = 0;
            for x in &xs { s += x.read().await; }
            format!("{label} {}", s + more.read().await)
        }
        async fn heaviest<T: Source>(xs: &[T]) -> &T {
            let mut best = 0;
            for (i, x) in xs.iter().enumerate() { if x.read().await > xs[best].read().await { best = i; } }
            &xs[best]
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, String, u32)> {
            async {
                let t = Tagged { t: Const(1, Guard::new("t")), name: "ab" };
                let a = t.run(Const(2, Guard::new("extra"))).await;
                let mut m = Const(10, Guard::new("m"));
                let xs = vec![Const(3, Guard::new("x3")), Const(5, Guard::new("x5")), Const(4, Guard::new("x4"))];
                let b = weigh("w", xs, &mut m).await;
                let ys = vec![Const(3, Guard::new("y3")), Const(7, Guard::new("y7"))];
                let c = heaviest(&ys).await.0;
                (a, b, c)
            }
        }
    }


    /// `match self` in a `&mut self` method binds `&mut` references (match ergonomics), not
    /// declared `mut`, whose `&mut self` methods are awaited: the binding's home is reached
    /// exclusively. It was E0596 (tokio-util's `Either::accept`, in the real-code check).
    match_on_mut_self_awaits_a_mut_method_of_a_binding {
        pub struct Listener { pub left: u32, pub _g: Guard }
        impl Listener {
            pub fn accept(&mut self) -> Step<u32> {
                self.left -= 1;
                step("accept", self.left)
            }
        }
        pub enum Either { Left(Listener), Right(Listener) }
        impl Either {
            pub async fn accept(&mut self) -> u32 {
                match self {
                    Either::Left(listener) => {
                        let n = listener.accept().await;
                        n + listener.accept().await
                    }
                    Either::Right(listener) => listener.accept().await * 10,
                }
            }
        }
        async fn f() -> u32 {
            let mut e = Either::Left(Listener { left: 5, _g: Guard::new("l") });
            let a = e.accept().await;
            let mut r = Either::Right(Listener { left: 3, _g: Guard::new("r") });
            a + r.accept().await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// Methods the receiver heuristic knows to take `self` (futures', streams', tower's):
    /// the local is moved, not kept across the next `.await` (tokio-util's `handle.detach()`,
    /// tokio-stream's `stream0.chain(..)`, tokio-util's `map.join_next().now_or_never()` in a
    /// `match`; each was E0382), and awaited (`queue.join_all().await`, tokio-util's;
    /// `FuturesUnordered::from_iter(rx).try_collect().await`, bb8's; E0507).
    adaptors_known_to_take_self_move_their_receiver {
        pub struct Handle(pub Guard);
        impl Handle {
            pub fn detach(self) -> u32 { log(format!("detach {}", self.0.name())); 1 }
            pub fn chain(self, other: Handle) -> (Handle, Handle) { (self, other) }
            pub fn join_next(&mut self) -> Handle { Handle(Guard::new("next")) }
            pub fn now_or_never(self) -> Option<u32> { Some(self.0.name().len() as u32) }
            pub fn join_all(self) -> Step<u32> { step("join_all", self.0.name().len() as u32) }
            pub fn try_collect(self) -> Step<u32> { step("try_collect", 2) }
        }
        async fn f() -> u32 {
            let handle = Handle(Guard::new("handle"));
            let detached = handle.detach();
            step("yield", ()).await;
            let first = Handle(Guard::new("first"));
            let both = first.chain(Handle(Guard::new("second")));
            step("yield", ()).await;
            let mut map = Handle(Guard::new("map"));
            let mut n = 0;
            for _ in 0..2 {
                match map.join_next().now_or_never() {
                    Some(k) => n += step("some", k).await,
                    None => break,
                }
            }
            drop(both);
            let queue = Handle(Guard::new("queue"));
            let all = queue.join_all().await;
            let collected = Handle(Guard::new("unordered")).try_collect().await;
            detached + n + all + collected
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// A `map_*` adaptor (`Framed::map_codec(self, ..)`) on a local in a fixed home, its last
    /// mention: taken out of the home, not read through it (tokio-util's `framed.rs`, E0507);
    /// and tower's `oneshot(self, ..)` inside a constructor's arguments moves its receiver,
    /// which so needs no home (tower's `spawn(service.oneshot(()))`, E0507).
    map_adaptor_takes_a_local_out_of_its_home {
        pub struct Framed(pub Guard, pub u32);
        impl Framed {
            pub fn next(&mut self) -> Step<u32> { self.1 += 1; step("next", self.1) }
            pub fn map_codec(self, by: u32) -> Framed { Framed(self.0, self.1 * by) }
            pub fn oneshot(self, req: u32) -> Step<u32> { step("oneshot", self.1 + req) }
        }
        pub struct Spawned<F>(pub F);
        async fn f() -> u32 {
            let mut framed = Framed(Guard::new("framed"), 1);
            let a = framed.next().await;
            let mut framed = framed.map_codec(10);
            let b = framed.next().await;
            let service = Framed(Guard::new("service"), 5);
            let spawned = Spawned(service.oneshot(2));
            let c = step("other", 1u32).await;
            a + b + c + spawned.0.await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// README's way out for a method taking `self` that the receiver heuristic takes to borrow
    /// (`cmd.apply(dst).await` is E0507): the path call, whose argument is moved.
    consuming_method_awaited_as_a_path_call {
        pub struct Command(pub Guard, pub u32);
        impl Command {
            pub fn apply(self, dst: &mut Vec<u32>) -> Step<u32> {
                dst.push(self.1);
                step("apply", self.1 + self.0.name().len() as u32)
            }
        }
        async fn f() -> u32 {
            let mut dst = Vec::new();
            let cmd = Command(Guard::new("cmd"), 2);
            let first = step("first", 1u32).await;
            let n = Command::apply(cmd, &mut dst).await;
            first + n + step("after", dst.len() as u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// `split()` with no argument, on a local not declared `mut`, takes it by value (futures'
    /// `StreamExt::split(self)` on a `WebSocketStream`): it was taken to borrow it, as `str`'s
    /// `split` does (E0382 where the halves outlive it). On a `mut` local it borrows, as
    /// tokio's `TcpStream::split(&mut self)` does. tokio-tungstenite's examples.
    zero_argument_split_takes_a_local_not_declared_mut {
        pub struct Conn { pub g: Guard, pub n: u32 }
        pub struct Half(pub Guard, pub u32);
        pub trait SplitByValue { fn split(self) -> (Half, Half); }
        impl SplitByValue for Conn {
            fn split(self) -> (Half, Half) {
                (Half(Guard::new("tx"), self.n), Half(Guard::new("rx"), self.n + 1))
            }
        }
        pub struct Sock { pub g: Guard, pub n: u32 }
        impl Sock {
            pub fn split(&mut self) -> (&mut u32, &Guard) { (&mut self.n, &self.g) }
        }
        async fn f(c: Conn) -> u32 {
            let (tx, rx) = c.split();
            let a = step("tx", tx.1).await;
            let mut s = Sock { g: Guard::new("sock"), n: 5 };
            let (n, g) = s.split();
            *n += step("rx", rx.1).await;
            let k = g.name().len() as u32;
            a + k + s.n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            f(Conn { g: Guard::new("conn"), n: 1 })
        }
    }

    /// `try_for_each` on a local not declared `mut` takes it by value (`TryStreamExt`'s; the
    /// `Iterator` one takes `&mut self`). The closure given to it borrows two locals; the
    /// future, moved to another local (`pin_mut!(fut)` does this), borrows both, not only the
    /// first (E0597 for the other, which was not kept). tokio-tungstenite's `server.rs`.
    try_for_each_on_a_local_not_declared_mut_and_its_closure_borrows {
        pub struct Feed(pub Vec<u32>, pub Guard);
        pub trait TryEach {
            fn try_for_each<F: FnMut(u32) -> Result<(), u32>>(self, f: F) -> Step<Result<(), u32>>;
        }
        impl TryEach for Feed {
            fn try_for_each<F: FnMut(u32) -> Result<(), u32>>(self, mut f: F) -> Step<Result<(), u32>> {
                let r = self.0.iter().try_for_each(|&x| f(x));
                step("each", r)
            }
        }
        async fn f(feed: Feed, limit: u32) -> Result<(), u32> {
            let seen = Guard::new("seen");
            let all = feed.try_for_each(|x| {
                if x > limit + seen.name().len() as u32 { Err(x) } else { Ok(()) }
            });
            let all = all;
            step("between", ()).await;
            all.await
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<(), u32>, Result<(), u32>)> {
            async {
                let a = f(Feed(vec![1, 2], Guard::new("feed a")), 1).await;
                let b = f(Feed(vec![1, 20, 3], Guard::new("feed b")), 1).await;
                (a, b)
            }
        }
    }
}
