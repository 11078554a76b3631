//! Differential cases: `?` on `Result` (with `From` conversions) and on `Option`, around awaits.
use clockwork_tests::differential;

#[derive(Debug, PartialEq)]
pub enum AppError {
    Parse(String),
    Io(u32),
    Missing(&'static str),
}

impl From<std::num::ParseIntError> for AppError {
    fn from(e: std::num::ParseIntError) -> Self {
        AppError::Parse(e.to_string())
    }
}

#[derive(Debug, PartialEq)]
pub struct IoFail(pub u32);

impl From<IoFail> for AppError {
    fn from(e: IoFail) -> Self {
        AppError::Io(e.0)
    }
}

differential! {
    question_from_two_error_types {
        async fn read(ok: bool) -> Result<&'static str, IoFail> { step("read", if ok { Ok("42") } else { Err(IoFail(5)) }).await }
        async fn f(ok: bool, text: &'static str) -> Result<u32, AppError> {
            let _g = Guard::new("g");
            let s = read(ok).await?;
            let n: u32 = s.parse()?;
            let m: u32 = step("text", text).await.parse()?;
            Ok(n + m)
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<Result<u32, AppError>>> {
            async { vec![f(true, "1").await, f(false, "1").await, f(true, "z").await] }
        }
    }

    question_option_in_expression {
        async fn get(v: Option<u32>) -> Option<u32> { step("get", v).await }
        async fn f(a: Option<u32>, b: Option<u32>) -> Option<u32> {
            let s = get(a).await? + get(b).await? * 10;
            Some(s + get(Some(100)).await?)
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<Option<u32>>> {
            async { vec![f(Some(1), Some(2)).await, f(None, Some(2)).await, f(Some(1), None).await] }
        }
    }

    question_in_call_arguments {
        async fn get(v: Result<u32, String>) -> Result<u32, String> { step("get", v).await }
        fn combine(a: u32, b: u32) -> u32 { log(format!("combine {a} {b}")); a * b }
        async fn f(x: Result<u32, String>) -> Result<u32, String> {
            let _g = Guard::new("scope");
            Ok(combine(get(Ok(3)).await?, get(x).await?))
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<u32, String>, Result<u32, String>)> {
            async { (f(Ok(4)).await, f(Err("bad".into())).await) }
        }
    }

    question_in_loop_accumulate {
        async fn parse(s: &'static str) -> Result<u32, AppError> {
            step("p", ()).await;
            Ok(s.parse::<u32>()?)
        }
        async fn f(items: Vec<&'static str>) -> Result<u32, AppError> {
            let mut sum = 0;
            for s in items {
                let _g = Guard::new(format!("item {s}"));
                sum += parse(s).await?;
            }
            Ok(sum)
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<u32, AppError>, Result<u32, AppError>)> {
            async { (f(vec!["1", "2", "3"]).await, f(vec!["1", "x", "3"]).await) }
        }
    }

    question_guards_drop_order_on_error {
        async fn check(n: u32) -> Result<u32, IoFail> { step("check", if n < 3 { Ok(n) } else { Err(IoFail(n)) }).await }
        async fn f(limit: u32) -> Result<u32, AppError> {
            let a = Guard::new("a");
            let mut total = 0;
            {
                let b = Guard::new("b");
                for i in 0..limit {
                    let _c = Guard::new(format!("c{i}"));
                    total += check(i).await?;
                }
                log(b.name().to_string());
            }
            log(a.name().to_string());
            Ok(total)
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<u32, AppError>, Result<u32, AppError>)> {
            async { (f(2).await, f(5).await) }
        }
    }

    question_then_field_access {
        pub struct User { pub name: &'static str, pub age: u32 }
        async fn find(id: u32) -> Option<User> { step("find", if id == 1 { Some(User { name: "ann", age: 30 }) } else { None }).await }
        async fn f(id: u32) -> Option<(usize, u32)> {
            let n = find(id).await?.name.len();
            let age = find(1).await?.age;
            Some((n, age))
        }
        pub fn entry() -> impl core::future::Future<Output = (Option<(usize, u32)>, Option<(usize, u32)>)> {
            async { (f(1).await, f(2).await) }
        }
    }

    question_match_scrutinee {
        async fn kind(v: Result<u8, AppError>) -> Result<u8, AppError> { step("kind", v).await }
        async fn f(v: Result<u8, AppError>) -> Result<&'static str, AppError> {
            let r = match kind(v).await? {
                0 => "zero",
                1 => { step("one", ()).await; "one" }
                _ => return Err(AppError::Missing("other")),
            };
            Ok(r)
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<Result<&'static str, AppError>>> {
            async { vec![f(Ok(0)).await, f(Ok(1)).await, f(Ok(2)).await, f(Err(AppError::Io(1))).await] }
        }
    }

    question_unit_statements {
        async fn write(n: u32) -> Result<(), IoFail> { step("write", if n == 3 { Err(IoFail(3)) } else { Ok(()) }).await }
        async fn f(n: u32) -> Result<(), AppError> {
            for i in 0..n {
                write(i).await?;
                log(format!("wrote {i}"));
            }
            write(0).await?;
            Ok(())
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<(), AppError>, Result<(), AppError>)> {
            async { (f(2).await, f(5).await) }
        }
    }

    question_double {
        async fn nested(v: Result<Result<u32, IoFail>, AppError>) -> Result<Result<u32, IoFail>, AppError> { step("nested", v).await }
        async fn f(v: Result<Result<u32, IoFail>, AppError>) -> Result<u32, AppError> {
            let x = nested(v).await??;
            Ok(x + 1)
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<Result<u32, AppError>>> {
            async { vec![f(Ok(Ok(1))).await, f(Ok(Err(IoFail(2)))).await, f(Err(AppError::Missing("m"))).await] }
        }
    }

    question_boxed_dyn_error {
        async fn parse(s: &'static str) -> Result<i64, Box<dyn std::error::Error>> {
            step("parse", ()).await;
            Ok(s.trim().parse::<i64>()?)
        }
        async fn f(a: &'static str, b: &'static str) -> Result<i64, Box<dyn std::error::Error>> {
            let x = parse(a).await?;
            if x < 0 { return Err("negative".into()); }
            Ok(x + parse(b).await?)
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<Result<i64, String>>> {
            async {
                let mut v = Vec::new();
                for (a, b) in [(" 1", "2"), ("-1", "2"), ("1", "q")] {
                    v.push(f(a, b).await.map_err(|e| e.to_string()));
                }
                v
            }
        }
    }

    question_in_if_condition {
        async fn ready(v: Result<bool, IoFail>) -> Result<bool, IoFail> { step("ready", v).await }
        async fn f(v: Result<bool, IoFail>) -> Result<u32, AppError> {
            if ready(v).await? {
                Ok(step("yes", 1u32).await)
            } else {
                Err(AppError::Missing("not ready"))
            }
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<Result<u32, AppError>>> {
            async { vec![f(Ok(true)).await, f(Ok(false)).await, f(Err(IoFail(9))).await] }
        }
    }

    question_option_ok_or {
        async fn lookup(k: &'static str) -> Option<u32> { step("lookup", if k == "a" { Some(1) } else { None }).await }
        async fn f(k: &'static str) -> Result<u32, AppError> {
            let v = lookup(k).await.ok_or(AppError::Missing(k))?;
            let w = lookup("a").await.ok_or_else(|| AppError::Missing("a"))?;
            Ok(v + w)
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<u32, AppError>, Result<u32, AppError>)> {
            async { (f("a").await, f("b").await) }
        }
    }

    question_option_method_chain {
        async fn get(v: Option<Vec<u32>>) -> Option<Vec<u32>> { step("get", v).await }
        async fn f(v: Option<Vec<u32>>) -> Option<u32> {
            let first = *get(v).await?.first()?;
            let last = get(Some(vec![7, 8])).await?.last().copied()?;
            Some(first + last)
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<Option<u32>>> {
            async { vec![f(Some(vec![1, 2])).await, f(Some(vec![])).await, f(None).await] }
        }
    }

    question_box_dyn_send_sync {
        type BoxErr = Box<dyn std::error::Error + Send + Sync>;
        async fn parse(s: &'static str) -> Result<u8, BoxErr> { step("parse", ()).await; Ok(s.parse::<u8>()?) }
        async fn f(a: &'static str, b: &'static str) -> Result<u8, BoxErr> {
            let x = parse(a).await?;
            let y = parse(b).await?;
            x.checked_add(y).ok_or_else(|| "overflow".into())
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<Result<u8, String>>> {
            async {
                let mut v = Vec::new();
                for (a, b) in [("1", "2"), ("200", "100"), ("1", "-")] { v.push(f(a, b).await.map_err(|e| e.to_string())); }
                v
            }
        }
    }

    question_in_while_let_scrutinee {
        pub struct Src { pub items: Vec<Result<Option<u32>, IoFail>> }
        impl Src {
            pub async fn next(&mut self) -> Result<Option<u32>, IoFail> { step("next", ()).await; if self.items.is_empty() { Ok(None) } else { self.items.remove(0) } }
        }
        async fn f(items: Vec<Result<Option<u32>, IoFail>>) -> Result<u32, AppError> {
            let mut src = Src { items };
            let mut sum = 0;
            while let Some(x) = src.next().await? {
                sum += x;
            }
            Ok(sum)
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<u32, AppError>, Result<u32, AppError>)> {
            async { (f(vec![Ok(Some(1)), Ok(Some(2))]).await, f(vec![Ok(Some(1)), Err(IoFail(7)), Ok(Some(2))]).await) }
        }
    }

    option_question_early_none_in_loop {
        async fn get(i: u32) -> Option<u32> { step("get", if i < 3 { Some(i) } else { None }).await }
        async fn f(n: u32) -> Option<Vec<u32>> {
            let mut out = Vec::new();
            for i in 0..n {
                let _g = Guard::new(format!("g{i}"));
                out.push(get(i).await? * 2);
            }
            Some(out)
        }
        pub fn entry() -> impl core::future::Future<Output = (Option<Vec<u32>>, Option<Vec<u32>>)> {
            async { (f(3).await, f(5).await) }
        }
    }

    question_on_result_of_method_chain {
        pub struct Api;
        impl Api {
            pub async fn fetch(&self, k: u32) -> Result<Vec<u32>, IoFail> { step("fetch", if k > 0 { Ok(vec![k, k + 1]) } else { Err(IoFail(0)) }).await }
        }
        async fn f(k: u32) -> Result<u32, AppError> {
            let api = Api;
            let n = api.fetch(k).await?.iter().sum::<u32>();
            let m = api.fetch(k + 1).await?.len() as u32;
            Ok(n * 10 + m)
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<u32, AppError>, Result<u32, AppError>)> {
            async { (f(1).await, f(0).await) }
        }
    }

    question_generic_error_type {
        async fn io(n: u32) -> Result<u32, IoFail> { step("io", if n > 0 { Ok(n) } else { Err(IoFail(n)) }).await }
        async fn f<E: From<IoFail>>(a: u32, b: u32) -> Result<u32, E> {
            let x = io(a).await?;
            let y = io(b).await?;
            Ok(x + y)
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<u32, AppError>, Result<u32, AppError>)> {
            async { (f::<AppError>(1, 2).await, f::<AppError>(1, 0).await) }
        }
    }

    question_in_while_condition {
        async fn more(i: u32) -> Result<bool, IoFail> { step("more", if i == 9 { Err(IoFail(i)) } else { Ok(i < 3) }).await }
        async fn f(start: u32) -> Result<u32, AppError> {
            let mut i = start;
            while more(i).await? {
                i += 1;
            }
            Ok(i)
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<u32, AppError>, Result<u32, AppError>)> {
            async { (f(0).await, f(9).await) }
        }
    }

    err_question_converts {
        async fn f(fail: bool) -> Result<u32, AppError> {
            let _g = Guard::new("g");
            let v = step("v", 5u32).await;
            if fail {
                Err(IoFail(v))?;
            }
            Ok(v)
        }
        pub fn entry() -> impl core::future::Future<Output = (Result<u32, AppError>, Result<u32, AppError>)> {
            async { (f(false).await, f(true).await) }
        }
    }

    result_of_option_with_let_else {
        async fn find(k: u32) -> Result<Option<u32>, IoFail> { step("find", if k == 0 { Err(IoFail(0)) } else if k < 5 { Ok(Some(k * 2)) } else { Ok(None) }).await }
        async fn f(k: u32) -> Result<Option<u32>, AppError> {
            let Some(v) = find(k).await? else { return Ok(None) };
            Ok(Some(v + step("add", 1u32).await))
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<Result<Option<u32>, AppError>>> {
            async { vec![f(1).await, f(7).await, f(0).await] }
        }
    }

    /// A `return` and a `?` inside a known macro's arguments (`format!`) after an `.await`:
    /// they leave the fn, so they return the poll's `Ready` (E0308 before: a bare `return`
    /// in the poll function). Fuzzer, seed 41 (program 757) and seed 1 (program 281).
    return_and_question_mark_inside_format_arguments {
        fn parse(k: u32) -> Result<u32, String> {
            if k > 5 { Err(format!("big {k}")) } else { Ok(k) }
        }
        async fn f(k: u32) -> Result<u32, String> {
            let a = step("a", k).await;
            let _g = Guard::new("g");
            let s = format!("{}", parse(a)?);
            Err(format!("e{s}{}", match k {
                0 => {
                    if a == 0 {
                        return Ok(7);
                    }
                    1
                }
                _ => 2,
            }))
        }
        pub fn entry() -> impl core::future::Future<Output = Result<u32, String>> {
            async {
                let a = f(0).await;
                let b = f(1).await;
                let c = f(9).await;
                match (a, b, c) {
                    (Ok(x), Err(e), Err(d)) => Ok(x + e.len() as u32 + d.len() as u32),
                    _ => Err("unexpected".into()),
                }
            }
        }
    }
}
