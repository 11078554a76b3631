//! Differential cases: shapes from real async code that the macro rejected or mis-compiled,
//! found by putting `#[state_machine]` on every async fn of published crates (issue 16).
use clockwork_tests::differential;

/// A type with an associated `async fn` named like the fn that calls it.
pub struct Conn;

impl Conn {
    pub async fn connect(addr: &str) -> usize {
        clockwork_tests::step("connect", ()).await;
        addr.len()
    }
}

/// A sink whose `write_all` future borrows the sink and the bytes for one lifetime, like
/// tokio's `AsyncWriteExt::write_all`.
pub struct WriteAll<'a> {
    dst: &'a mut Vec<u8>,
    src: &'a [u8],
    step: clockwork_tests::Step<()>,
}

impl core::future::Future for WriteAll<'_> {
    type Output = usize;
    fn poll(
        mut self: core::pin::Pin<&mut Self>,
        cx: &mut core::task::Context<'_>,
    ) -> core::task::Poll<usize> {
        core::task::ready!(core::pin::Pin::new(&mut self.step).poll(cx));
        let src = self.src;
        self.dst.extend_from_slice(src);
        core::task::Poll::Ready(src.len())
    }
}

pub fn write_all<'a>(dst: &'a mut Vec<u8>, src: &'a [u8]) -> WriteAll<'a> {
    WriteAll {
        dst,
        src,
        step: clockwork_tests::step("write", ()),
    }
}

pub struct Line {
    out: Vec<u8>,
}

impl Line {
    /// `#[state_machine]` on the method itself: its `impl` block is out of sight.
    #[clockwork_macros::state_machine]
    pub async fn send(&mut self, line: &str) -> usize {
        let n = write_all(&mut self.out, line.as_bytes()).await;
        n + write_all(&mut self.out, b"\r\n").await
    }
}

/// Two elided lifetimes (`&mut self`, `&str`) and a future that borrows through both: E0700
/// ("hidden type captures lifetime") until the signature got a lifetime both outlive (or, for a
/// method whose `impl` is out of sight, stayed `async`).
#[test]
fn future_borrowing_through_two_elided_lifetimes() {
    let mut conn = Line { out: Vec::new() };
    let run = clockwork_tests::run(conn.send("PING"), 1, None);
    assert_eq!(run.outcome, clockwork_tests::Outcome::Ready(6));
    assert_eq!(conn.out.as_slice(), b"PING\r\n");
}

/// A semaphore whose `acquire_owned` takes an `Arc<Self>`, like tokio's.
pub struct Limit(&'static str);

impl Limit {
    pub async fn acquire_owned(self: std::sync::Arc<Self>) -> usize {
        clockwork_tests::step(self.0, ()).await;
        std::sync::Arc::strong_count(&self)
    }
}

/// An async lock whose guard derefs mutably, like `tokio::sync::Mutex`.
pub struct AsyncLock(std::cell::RefCell<Vec<u32>>);
pub struct LockGuard<'a>(std::cell::RefMut<'a, Vec<u32>>);

impl core::ops::Deref for LockGuard<'_> {
    type Target = Vec<u32>;
    fn deref(&self) -> &Vec<u32> {
        &self.0
    }
}

impl core::ops::DerefMut for LockGuard<'_> {
    fn deref_mut(&mut self) -> &mut Vec<u32> {
        &mut self.0
    }
}

impl AsyncLock {
    pub async fn lock(&self) -> LockGuard<'_> {
        clockwork_tests::step("lock", ()).await;
        LockGuard(self.0.borrow_mut())
    }
}

/// A builder whose every method takes `self`, like bb8's `Pool::builder()`.
pub struct Builder(u32);

impl Builder {
    pub fn start() -> Builder {
        Builder(1)
    }
    pub fn max_size(self, n: u32) -> Builder {
        Builder(self.0 * n)
    }
    pub async fn build(self, extra: clockwork_tests::Guard) -> u32 {
        clockwork_tests::step("build", ()).await;
        self.0 + extra.name().len() as u32
    }
}

/// A reader that calls a closure with what it reads, like tokio-util's `InspectReader`.
pub struct Inspect<F: FnMut(u32)> {
    f: F,
    n: u32,
}

impl<F: FnMut(u32)> Inspect<F> {
    pub fn new(n: u32, f: F) -> Self {
        Inspect { f, n }
    }
    pub async fn read(&mut self) -> u32 {
        clockwork_tests::step("read", ()).await;
        (self.f)(self.n);
        self.n
    }
}

differential! {
    /// A builder chain ending in an awaited method that takes `self`: every receiver in the
    /// chain was kept in a temporary and called through a reference (E0507 in 22 of bb8's
    /// tests).
    builder_chain_ending_in_an_awaited_consuming_method {
        async fn f() -> u32 {
            let extra = Guard::new("extra");
            let n = Builder::start().max_size(5).build(extra).await;
            n + 1
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// A closure given to a constructor borrows what it uses, for as long as the value lives
    /// (`InspectReader::new(r, |b| out.extend(b))`): E0521 in tokio-util's tests.
    closure_given_to_a_constructor_keeps_its_borrow {
        async fn f() -> usize {
            let mut seen: Vec<u32> = Vec::new();
            let _g = Guard::new("g");
            {
                let mut tee = Inspect::new(3, |b| seen.push(b));
                tee.read().await;
                tee.read().await;
            }
            log(format!("{seen:?}"));
            seen.len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// `db.lock().await.push(x)`: a `&mut self` method on the awaited value (E0596: the value
    /// was bound without `mut`).
    mutating_method_on_an_awaited_guard {
        async fn f() -> usize {
            let db = AsyncLock(std::cell::RefCell::new(Vec::new()));
            db.lock().await.push(3);
            db.lock().await.extend([4, 5]);
            let n = db.lock().await.len();
            n
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// A method that takes `self` on a fresh clone (`self.limit.clone().acquire_owned()`): the
    /// clone was kept in the state and the call made through a reference (E0507).
    consuming_method_on_a_clone {
        struct Server {
            limit: std::sync::Arc<Limit>,
        }
        impl Server {
            async fn accept(&self) -> usize {
                let _g = Guard::new("g");
                let held = self.limit.clone().acquire_owned().await;
                held + std::sync::Arc::clone(&self.limit).acquire_owned().await
            }
        }
        async fn f() -> usize {
            let server = Server { limit: std::sync::Arc::new(Limit("limit")) };
            server.accept().await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// The same, in a `#[state_machine]` `impl` block.
    future_borrowing_through_two_elided_lifetimes_in_impl {
        pub struct Sink {
            out: Vec<u8>,
        }
        impl Sink {
            async fn send(&mut self, line: &str) -> usize {
                let _g = Guard::new("g");
                let n = write_all(&mut self.out, line.as_bytes()).await;
                n + write_all(&mut self.out, b"!").await
            }
        }
        async fn f() -> usize {
            let mut sink = Sink { out: Vec::new() };
            let n = sink.send("abc").await;
            n + sink.out.len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// `Conn::connect(..)` inside a fn named `connect` is not a call to itself (it was
    /// rejected as recursion: the check looked at the last segment only).
    call_to_a_same_named_fn_is_not_recursion {
        async fn connect(addr: &str) -> usize {
            let _g = Guard::new("g");
            let n = Conn::connect(addr).await;
            n + 1
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { connect("127.0.0.1:80") }
    }

    /// A method awaited on a `&mut` argument (`src.read().await`, the shape of `sum` in the
    /// README): `src` goes into the state first and the future borrows it there (a reborrow
    /// made before the move was Stacked Borrows UB, which Miri, run by CI on this file, caught).
    method_awaited_through_a_mut_argument {
        pub struct Source { pub n: u32, pub g: Guard }
        impl Source {
            pub async fn read(&mut self) -> u32 {
                step("read", ()).await;
                self.n += 1;
                self.n
            }
        }
        async fn sum(src: &mut Source) -> u32 {
            let mut total = 0;
            for _ in 0..3 {
                total += src.read().await;
            }
            log(src.g.name());
            total + src.n
        }
        async fn run() -> u32 {
            let mut src = Source { n: 1, g: Guard::new("src") };
            sum(&mut src).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { run() }
    }

    /// A method awaited on a shared reference argument (`client.get().await`): the future
    /// reborrows what `client` points to and `client` moves into the state beside it.
    method_awaited_through_a_shared_argument {
        pub struct Client { pub n: u32, pub g: Guard }
        impl Client {
            pub async fn get(&self, k: u32) -> u32 {
                step("get", k).await + self.n
            }
        }
        async fn fetch(client: &Client) -> u32 {
            let a = client.get(1).await;
            let b = client.get(a).await;
            log(client.g.name());
            a + b + client.n
        }
        async fn run() -> u32 {
            let client = Client { n: 2, g: Guard::new("client") };
            fetch(&client).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { run() }
    }

    /// Both halves of `sock.split()` on a `&mut` argument kept across `.await`s: the argument,
    /// a reference with nothing to drop, is no longer kept in the state itself (moving it
    /// there while its pointee stays reborrowed was E0499; issue 16's list).
    split_halves_of_a_mut_argument {
        pub struct Sock { pub incoming: u32, pub written: u32 }
        pub struct Read<'a>(&'a u32);
        pub struct Write<'a>(&'a mut u32);
        impl Sock {
            pub fn split(&mut self) -> (Read<'_>, Write<'_>) {
                (Read(&self.incoming), Write(&mut self.written))
            }
        }
        impl Read<'_> { pub fn read(&mut self) -> Step<u32> { step("read", *self.0) } }
        impl Write<'_> {
            pub fn write(&mut self, v: u32) -> Step<u32> { *self.0 += v; step("write", *self.0) }
        }
        async fn f(sock: &mut Sock) -> u32 {
            let (mut r, mut w) = sock.split();
            let a = r.read().await;
            let b = w.write(a).await;
            let c = r.read().await;
            a + b + c
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { let mut s = Sock { incoming: 3, written: 1 }; f(&mut s).await }
        }
    }

    /// A shadowed local that borrows (`let addr = args.first().map(..).unwrap_or(..); let addr
    /// = format!(..)`): a receiver inside a method chain counts as borrowed by the value, so
    /// `args` gets a fixed home (E0505/E0597; issue 16's list).
    shadowed_borrowing_local {
        async fn f(args: Vec<String>) -> usize {
            let addr = args.first().map(|s| s.as_str()).unwrap_or("none");
            let addr = format!("{addr}:80");
            step("connect", ()).await;
            addr.len() + args.len()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            f(vec!["host".to_string()])
        }
    }

    /// `match self.msg { Some(msg) => .. }` in a method taking `self`, after an `.await`
    /// (E0507 on `Home<..>` in issue 16's list; passes since earlier sessions, kept as its test).
    match_on_a_field_of_self_by_value {
        pub struct Frame { pub msg: Option<Guard>, pub n: u32 }
        impl Frame {
            pub async fn apply(self) -> u32 {
                step("first", ()).await;
                let k = self.n;
                match self.msg {
                    Some(msg) => step("msg", msg.name().len() as u32 + k).await,
                    None => 0,
                }
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            Frame { msg: Some(Guard::new("m")), n: 2 }.apply()
        }
    }

    /// A closure in a loop's first awaited expression (E0308 in issue 16's list; passes since
    /// earlier sessions, kept as its test).
    closure_in_a_loops_first_awaited_expression {
        pub fn retry<F: Fn() -> u32>(f: F) -> Step<u32> { step("retry", f()) }
        async fn f() -> u32 {
            let base = 3;
            let mut total = 0;
            for i in 0..3 {
                let v = retry(|| base + i).await;
                total += v;
            }
            total
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// A method of a `static` in an awaited expression (`SEM.acquire_many(n).await`, tokio-util's
    /// tests): a path stays where it is; taken for a constant, it was copied into a temporary
    /// (E0507, cannot move out of static item).
    method_of_a_static_awaited {
        pub struct Sem(pub std::sync::atomic::AtomicU32);
        impl Sem {
            pub fn acquire_many(&self, n: u32) -> Step<u32> {
                let had = self.0.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                step("acquire", had + n)
            }
        }
        static SEM: Sem = Sem(std::sync::atomic::AtomicU32::new(0));
        async fn f() -> u32 {
            let a = SEM.acquire_many(2).await;
            a + SEM.acquire_many(3).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }
}
