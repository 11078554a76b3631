//! Differential cases: small real-world shapes (a connection read loop, retries, a request
//! handler, a parser, a queue consumer, fan-in, a hand-written select).
use clockwork_tests::differential;

#[derive(Debug, PartialEq, Clone)]
pub enum Frame {
    Ping,
    Data(Vec<u8>),
    Close,
}

#[derive(Debug, PartialEq)]
pub enum HandlerError {
    BadRequest(String),
    NotFound(String),
    Upstream(u32),
}

impl From<std::num::ParseIntError> for HandlerError {
    fn from(e: std::num::ParseIntError) -> Self {
        HandlerError::BadRequest(e.to_string())
    }
}

#[derive(Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

differential! {
    connection_read_parse_loop {
        pub struct FakeStream { pub chunks: Vec<Vec<u8>>, pub _g: Guard }
        impl FakeStream {
            pub async fn read(&mut self, buf: &mut [u8]) -> usize {
                step("read", ()).await;
                if self.chunks.is_empty() { return 0; }
                let chunk = self.chunks.remove(0);
                let n = chunk.len().min(buf.len());
                buf[..n].copy_from_slice(&chunk[..n]);
                if n < chunk.len() { self.chunks.insert(0, chunk[n..].to_vec()); }
                n
            }
        }
        fn parse(pending: &mut Vec<u8>) -> Option<Frame> {
            let first = *pending.first()?;
            match first {
                b'P' => { pending.remove(0); Some(Frame::Ping) }
                b'C' => { pending.remove(0); Some(Frame::Close) }
                b'D' => {
                    let len = *pending.get(1)? as usize;
                    if pending.len() < 2 + len { return None; }
                    let data = pending[2..2 + len].to_vec();
                    pending.drain(..2 + len);
                    Some(Frame::Data(data))
                }
                _ => { pending.remove(0); None }
            }
        }
        async fn serve(mut stream: FakeStream) -> Vec<Frame> {
            let mut frames = Vec::new();
            let mut pending = Vec::new();
            let mut buf = [0u8; 4];
            loop {
                let n = stream.read(&mut buf).await;
                if n == 0 { break; }
                pending.extend_from_slice(&buf[..n]);
                while let Some(f) = parse(&mut pending) {
                    let close = f == Frame::Close;
                    frames.push(f);
                    if close { return frames; }
                }
            }
            frames
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<Frame>> {
            serve(FakeStream {
                chunks: vec![b"PD".to_vec(), vec![3, b'a', b'b', b'c', b'P'], b"D\x01z".to_vec(), b"CP".to_vec()],
                _g: Guard::new("stream"),
            })
        }
    }

    retry_with_backoff {
        pub struct Flaky { pub fail_times: u32, pub calls: u32 }
        impl Flaky {
            pub async fn call(&mut self) -> Result<u32, String> {
                self.calls += 1;
                step("call", ()).await;
                if self.calls <= self.fail_times { Err(format!("fail #{}", self.calls)) } else { Ok(self.calls * 100) }
            }
        }
        async fn sleep(ms: u64) { step("sleep", ()).await; log(format!("slept {ms}")); }
        async fn retry(svc: &mut Flaky, max: u32) -> Result<(u32, u32), String> {
            let mut attempt = 0;
            let mut delay = 10u64;
            loop {
                attempt += 1;
                let _g = Guard::new(format!("attempt{attempt}"));
                match svc.call().await {
                    Ok(v) => return Ok((v, attempt)),
                    Err(e) if attempt >= max => return Err(format!("gave up after {attempt}: {e}")),
                    Err(e) => {
                        log(format!("retry: {e}"));
                        sleep(delay).await;
                        delay *= 2;
                    }
                }
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<(u32, u32), String>, Result<(u32, u32), String>)> {
            async {
                let a = retry(&mut Flaky { fail_times: 2, calls: 0 }, 5).await;
                let b = retry(&mut Flaky { fail_times: 9, calls: 0 }, 3).await;
                (a, b)
            }
        }
    }

    request_handler_with_errors {
        pub struct Request { pub path: &'static str, pub body: &'static str }
        async fn lookup_user(id: u32) -> Option<&'static str> { step("db", if id == 1 { Some("ann") } else { None }).await }
        async fn quota(name: &str) -> Result<u32, u32> { step("quota", if name == "ann" { Ok(3) } else { Err(503) }).await }
        async fn handle(req: Request) -> Result<Response, HandlerError> {
            let _span = Guard::new(format!("span {}", req.path));
            let id: u32 = req.path.strip_prefix("/users/").ok_or_else(|| HandlerError::NotFound(req.path.to_string()))?.parse()?;
            let name = lookup_user(id).await.ok_or(HandlerError::NotFound(format!("user {id}")))?;
            let q = quota(name).await.map_err(HandlerError::Upstream)?;
            let extra: u32 = if req.body.is_empty() { 0 } else { req.body.parse()? };
            Ok(Response { status: 200, body: format!("{name}:{}", q + extra) })
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<Result<Response, HandlerError>>> {
            async {
                let mut out = Vec::new();
                for (path, body) in [("/users/1", ""), ("/users/1", "4"), ("/users/2", ""), ("/nope", ""), ("/users/x", ""), ("/users/1", "q")] {
                    out.push(handle(Request { path, body }).await);
                }
                out
            }
        }
    }

    state_machine_parser {
        #[derive(Clone, Copy, PartialEq)]
        pub enum St { Key, Value, Done }
        async fn next_char(src: &mut std::vec::IntoIter<char>) -> Option<char> { step("char", src.next()).await }
        async fn parse(input: &'static str) -> Vec<(String, String)> {
            let mut chars = input.chars().collect::<Vec<_>>().into_iter();
            let mut st = St::Key;
            let mut key = String::new();
            let mut val = String::new();
            let mut out = Vec::new();
            while st != St::Done {
                let c = next_char(&mut chars).await;
                st = match (st, c) {
                    (St::Key, Some('=')) => St::Value,
                    (St::Key, Some(ch)) => { key.push(ch); St::Key }
                    (St::Value, Some(';')) | (St::Value, None) => {
                        out.push((core::mem::take(&mut key), core::mem::take(&mut val)));
                        if c.is_none() { St::Done } else { St::Key }
                    }
                    (St::Value, Some(ch)) => { val.push(ch); St::Value }
                    (_, None) => St::Done,
                    (St::Done, _) => unreachable!(),
                };
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<(String, String)>> { parse("a=1;bc=22;d=") }
    }

    queue_accumulator {
        pub struct Channel { pub items: std::collections::VecDeque<Option<u32>> }
        impl Channel {
            pub async fn recv(&mut self) -> Option<u32> {
                loop {
                    match self.items.pop_front() {
                        Some(Some(v)) => return step("recv", Some(v)).await,
                        Some(None) => { step("empty", ()).await; continue; }
                        None => return None,
                    }
                }
            }
        }
        async fn accumulate(mut ch: Channel, batch: usize) -> Vec<u32> {
            let mut sums = Vec::new();
            let mut cur = Vec::new();
            while let Some(v) = ch.recv().await {
                cur.push(v);
                if cur.len() == batch {
                    sums.push(cur.drain(..).sum());
                }
            }
            if !cur.is_empty() { sums.push(cur.iter().sum()); }
            sums
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> {
            accumulate(Channel { items: vec![Some(1), None, Some(2), Some(3), None, None, Some(4), Some(5)].into() }, 2)
        }
    }

    line_reader_over_chunks {
        pub struct Lines { pub chunks: Vec<&'static str>, pub buf: String }
        impl Lines {
            pub async fn next_line(&mut self) -> Option<String> {
                loop {
                    if let Some(i) = self.buf.find('\n') {
                        let line: String = self.buf.drain(..=i).collect();
                        return Some(line.trim_end().to_string());
                    }
                    if self.chunks.is_empty() {
                        return if self.buf.is_empty() { None } else { Some(core::mem::take(&mut self.buf)) };
                    }
                    let c = self.chunks.remove(0);
                    self.buf.push_str(step("chunk", c).await);
                }
            }
        }
        async fn count_words() -> Vec<usize> {
            let mut lines = Lines { chunks: vec!["hello wo", "rld\nfoo\n", "a b c", "\nlast"], buf: String::new() };
            let mut out = Vec::new();
            while let Some(l) = lines.next_line().await {
                out.push(l.split_whitespace().count());
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<usize>> { count_words() }
    }

    kv_store_transaction {
        pub struct Store { pub data: Vec<(String, i64)> }
        impl Store {
            pub async fn get(&self, k: &str) -> Option<i64> {
                step("get", ()).await;
                self.data.iter().find(|(key, _)| key == k).map(|(_, v)| *v)
            }
            pub async fn set(&mut self, k: &str, v: i64) {
                step("set", ()).await;
                match self.data.iter_mut().find(|(key, _)| key == k) {
                    Some(e) => e.1 = v,
                    None => self.data.push((k.to_string(), v)),
                }
            }
        }
        async fn transfer(s: &mut Store, from: &str, to: &str, amt: i64) -> Result<(i64, i64), String> {
            let a = s.get(from).await.ok_or(format!("no {from}"))?;
            if a < amt { return Err(format!("insufficient {a}")); }
            let b = s.get(to).await.unwrap_or(0);
            s.set(from, a - amt).await;
            s.set(to, b + amt).await;
            Ok((a - amt, b + amt))
        }
        pub fn entry() -> impl core::future::Future<Output = (Vec<Result<(i64, i64), String>>, Vec<(String, i64)>)> {
            async {
                let mut s = Store { data: vec![("alice".into(), 10)] };
                let r = vec![
                    transfer(&mut s, "alice", "bob", 4).await,
                    transfer(&mut s, "bob", "carol", 9).await,
                    transfer(&mut s, "dave", "bob", 1).await,
                ];
                (r, s.data)
            }
        }
    }

    worker_round_robin_boxed {
        use core::future::Future;
        use core::pin::Pin;
        async fn task(id: u32, n: u32) -> u32 {
            let mut acc = 0;
            for i in 0..n { acc += step("work", id * 10 + i).await; }
            acc
        }
        async fn run_all() -> Vec<u32> {
            let mut queue: Vec<Pin<Box<dyn Future<Output = u32>>>> = Vec::new();
            for id in 1..=3 { queue.push(Box::pin(task(id, id))); }
            let mut out = Vec::new();
            while !queue.is_empty() {
                let t = queue.remove(0);
                out.push(t.await);
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> { run_all() }
    }

    rate_limited_batch_writer {
        pub struct Writer { pub written: Vec<String>, pub flushes: u32 }
        impl Writer {
            pub async fn write_batch(&mut self, batch: &[u32]) -> usize {
                step("write", ()).await;
                self.flushes += 1;
                self.written.push(format!("{batch:?}"));
                batch.len()
            }
        }
        async fn pump(items: Vec<u32>, max: usize) -> (usize, Vec<String>, u32) {
            let mut w = Writer { written: vec![], flushes: 0 };
            let mut batch = Vec::with_capacity(max);
            let mut total = 0;
            for it in items {
                batch.push(it);
                if batch.len() == max {
                    total += w.write_batch(&batch).await;
                    batch.clear();
                    step("tick", ()).await;
                }
            }
            if !batch.is_empty() { total += w.write_batch(&batch).await; }
            (total, w.written, w.flushes)
        }
        pub fn entry() -> impl core::future::Future<Output = (usize, Vec<String>, u32)> { pump(vec![1, 2, 3, 4, 5], 2) }
    }

    fan_in_sequential_fold {
        async fn fetch(src: &'static str, n: u32) -> (String, u32) {
            let _g = Guard::new(format!("conn {src}"));
            let v = step(src, n).await;
            (src.to_string(), v * 10)
        }
        async fn gather() -> (Vec<String>, u32) {
            let futs = vec![fetch("a", 1), fetch("b", 2), fetch("c", 3)];
            let mut names = Vec::new();
            let mut total = 0;
            for fut in futs {
                let (name, v) = fut.await;
                names.push(name);
                total += v;
            }
            let last = fetch("d", 4).await;
            (names, total + last.1)
        }
        pub fn entry() -> impl core::future::Future<Output = (Vec<String>, u32)> { gather() }
    }

    select_first_ready_owned {
        use core::future::Future;
        use core::pin::Pin;
        use core::task::Poll;
        #[derive(Debug)]
        pub enum Either { Left(u32), Right(&'static str) }
        pub enum Loser<A, B> { Left(A), Right(B) }
        async fn select2(la: &'static str, lb: &'static str) -> String {
            let mut a = Some(step(la, 1u32));
            let mut b = Some(step(lb, "r"));
            let (first, loser) = core::future::poll_fn(move |cx| {
                if let Poll::Ready(v) = Pin::new(a.as_mut().unwrap()).poll(cx) {
                    return Poll::Ready((Either::Left(v), Loser::Right(b.take().unwrap())));
                }
                if let Poll::Ready(v) = Pin::new(b.as_mut().unwrap()).poll(cx) {
                    return Poll::Ready((Either::Right(v), Loser::Left(a.take().unwrap())));
                }
                Poll::Pending
            }).await;
            let _g = Guard::new("after select");
            let rest = match loser {
                Loser::Right(b) => format!("then right {}", b.await),
                Loser::Left(a) => format!("then left {}", a.await),
            };
            format!("{first:?} {rest}")
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> {
            async { (select2("left", "right").await, select2("l2", "r2").await) }
        }
    }

    tokenizer_with_lifetimes {
        pub struct Lexer<'a> { pub src: &'a str, pub pos: usize }
        impl<'a> Lexer<'a> {
            pub async fn next_token(&mut self) -> Option<&'a str> {
                step("lex", ()).await;
                let rest = &self.src[self.pos..];
                let rest_trim = rest.trim_start();
                if rest_trim.is_empty() { return None; }
                let start = self.pos + (rest.len() - rest_trim.len());
                let len = rest_trim.find(' ').unwrap_or(rest_trim.len());
                self.pos = start + len;
                Some(&self.src[start..start + len])
            }
        }
        async fn tokens<'a>(src: &'a str) -> Vec<&'a str> {
            let mut lx = Lexer { src, pos: 0 };
            let mut out = Vec::new();
            while let Some(t) = lx.next_token().await {
                out.push(t);
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<String>> {
            async { tokens("let  x = 42 ;").await.into_iter().map(String::from).collect() }
        }
    }

    http_like_router {
        pub enum Route { Get(&'static str), Post(&'static str, u32) }
        async fn auth(token: &'static str) -> Result<u32, HandlerError> {
            step("auth", if token == "ok" { Ok(7) } else { Err(HandlerError::BadRequest("token".into())) }).await
        }
        async fn route(r: Route, token: &'static str) -> Result<Response, HandlerError> {
            let user = auth(token).await?;
            let _span = Guard::new(format!("user{user}"));
            let resp = match r {
                Route::Get("/health") => Response { status: 200, body: "ok".into() },
                Route::Get(p) => return Err(HandlerError::NotFound(p.into())),
                Route::Post(_, n) if n > 100 => return Err(HandlerError::Upstream(n)),
                Route::Post(p, n) => {
                    let stored = step("store", n * 2).await;
                    Response { status: 201, body: format!("{p}:{stored}") }
                }
            };
            Ok(resp)
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<Result<Response, HandlerError>>> {
            async {
                vec![
                    route(Route::Get("/health"), "ok").await,
                    route(Route::Get("/x"), "ok").await,
                    route(Route::Post("/items", 5), "ok").await,
                    route(Route::Post("/items", 500), "ok").await,
                    route(Route::Get("/health"), "bad").await,
                ]
            }
        }
    }

    circuit_breaker {
        pub struct Breaker { pub failures: u32, pub open: bool }
        async fn call(i: u32) -> Result<u32, u32> { step("call", if i % 3 == 1 { Err(i) } else { Ok(i) }).await }
        async fn run(b: &mut Breaker, n: u32) -> Vec<String> {
            let mut log_lines = Vec::new();
            for i in 0..n {
                if b.open {
                    log_lines.push(format!("{i}: open"));
                    step("cooldown", ()).await;
                    b.open = false;
                    b.failures = 0;
                    continue;
                }
                match call(i).await {
                    Ok(v) => { b.failures = 0; log_lines.push(format!("{i}: ok {v}")); }
                    Err(e) => {
                        b.failures += 1;
                        log_lines.push(format!("{i}: err {e}"));
                        if b.failures >= 1 { b.open = true; }
                    }
                }
            }
            log_lines
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<String>> {
            async { let mut b = Breaker { failures: 0, open: false }; run(&mut b, 6).await }
        }
    }

    connection_pool_checkout {
        pub struct Conn { pub id: u32, pub uses: u32 }
        pub struct Pool { pub idle: Vec<Conn> }
        impl Pool {
            pub async fn checkout(&mut self) -> Option<Conn> { step("checkout", ()).await; self.idle.pop() }
            pub fn checkin(&mut self, c: Conn) { log(format!("checkin {}", c.id)); self.idle.push(c); }
        }
        async fn query(c: &mut Conn, q: &str) -> String {
            let _span = Guard::new(format!("query {q}"));
            c.uses += 1;
            let r = step("query", q.len()).await;
            format!("{}:{q}:{r}", c.id)
        }
        async fn run(pool: &mut Pool, qs: Vec<&'static str>) -> Vec<String> {
            let mut out = Vec::new();
            for q in qs {
                let Some(mut c) = pool.checkout().await else { out.push(format!("no conn for {q}")); continue; };
                out.push(query(&mut c, q).await);
                if c.uses < 2 { pool.checkin(c); } else { log(format!("retire {}", c.id)); }
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<String>> {
            async {
                let mut pool = Pool { idle: vec![Conn { id: 1, uses: 0 }] };
                run(&mut pool, vec!["a", "bb", "ccc"]).await
            }
        }
    }

    backoff_with_seeded_jitter {
        pub struct Lcg(pub u64);
        impl Lcg { pub fn next(&mut self) -> u64 { self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1); self.0 >> 33 } }
        async fn attempt(i: u32) -> Result<&'static str, u32> { step("attempt", if i < 3 { Err(i) } else { Ok("done") }).await }
        async fn run() -> (Vec<u64>, &'static str) {
            let mut rng = Lcg(42);
            let mut delays = Vec::new();
            let mut i = 0;
            let res = loop {
                match attempt(i).await {
                    Ok(v) => break v,
                    Err(_) if i >= 5 => break "gave up",
                    Err(_) => {
                        let d = (1u64 << i) * 10 + rng.next() % 7;
                        delays.push(d);
                        step("sleep", ()).await;
                        i += 1;
                    }
                }
            };
            (delays, res)
        }
        pub fn entry() -> impl core::future::Future<Output = (Vec<u64>, &'static str)> { run() }
    }

    stack_vm_with_async_io {
        #[derive(Clone, Copy)]
        pub enum Op { Push(i64), Add, Mul, Read, Write, JumpIfZero(usize), Halt }
        pub struct Io { pub input: Vec<i64>, pub output: Vec<i64> }
        impl Io {
            pub async fn read(&mut self) -> i64 { step("read", ()).await; if self.input.is_empty() { 0 } else { self.input.remove(0) } }
            pub async fn write(&mut self, v: i64) { step("write", ()).await; self.output.push(v); }
        }
        async fn run(prog: Vec<Op>, io: &mut Io) -> Result<usize, String> {
            let mut stack: Vec<i64> = Vec::new();
            let mut pc = 0;
            let mut steps = 0;
            loop {
                steps += 1;
                if steps > 50 { return Err("too many steps".into()); }
                let op = *prog.get(pc).ok_or(format!("pc {pc} out of range"))?;
                pc += 1;
                match op {
                    Op::Push(v) => stack.push(v),
                    Op::Add => { let b = stack.pop().ok_or("underflow")?; let a = stack.pop().ok_or("underflow")?; stack.push(a + b); }
                    Op::Mul => { let b = stack.pop().ok_or("underflow")?; let a = stack.pop().ok_or("underflow")?; stack.push(a * b); }
                    Op::Read => stack.push(io.read().await),
                    Op::Write => { let v = stack.pop().ok_or("underflow")?; io.write(v).await; }
                    Op::JumpIfZero(t) => { if stack.pop().ok_or("underflow")? == 0 { pc = t; } }
                    Op::Halt => return Ok(steps),
                }
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<usize, String>, Vec<i64>, Result<usize, String>)> {
            async {
                let mut io = Io { input: vec![6, 7], output: vec![] };
                let prog = vec![Op::Read, Op::Read, Op::Mul, Op::Write, Op::Push(0), Op::JumpIfZero(7), Op::Push(99), Op::Halt];
                let a = run(prog, &mut io).await;
                let b = run(vec![Op::Add], &mut io).await;
                (a, io.output, b)
            }
        }
    }

    chat_room_broadcast_by_index {
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
            for i in 0..room.len() {
                if room[i].name == from { continue; }
                let _span = Guard::new(format!("to {}", room[i].name));
                if room[i].deliver(&format!("{from}: {msg}")).await { delivered += 1; }
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

    fan_in_sequential {
        async fn fetch(src: &'static str, n: u32) -> (String, u32) {
            let _g = Guard::new(format!("conn {src}"));
            let v = step(src, n).await;
            (src.to_string(), v * 10)
        }
        async fn gather() -> (Vec<(String, u32)>, u32) {
            let futs = vec![fetch("a", 1), fetch("b", 2), fetch("c", 3)];
            let mut results = Vec::new();
            for fut in futs {
                results.push(fut.await);
            }
            let total = results.iter().map(|r| r.1).sum();
            (results, total)
        }
        pub fn entry() -> impl core::future::Future<Output = (Vec<(String, u32)>, u32)> { gather() }
    }

    select_first_ready_poll_fn {
        use core::future::Future;
        use core::pin::Pin;
        use core::task::Poll;
        #[derive(Debug)]
        pub enum Either { Left(u32), Right(&'static str) }
        async fn select2() -> String {
            let mut a = step("left", 1u32);
            let mut b = step("right", "r");
            let first = core::future::poll_fn(|cx| {
                if let Poll::Ready(v) = Pin::new(&mut a).poll(cx) { return Poll::Ready(Either::Left(v)); }
                if let Poll::Ready(v) = Pin::new(&mut b).poll(cx) { return Poll::Ready(Either::Right(v)); }
                Poll::Pending
            }).await;
            let _g = Guard::new("after select");
            let rest = match first {
                Either::Left(_) => format!("then right {}", b.await),
                Either::Right(_) => format!("then left {}", a.await),
            };
            format!("{first:?} {rest}")
        }
        pub fn entry() -> impl core::future::Future<Output = String> { select2() }
    }
}
