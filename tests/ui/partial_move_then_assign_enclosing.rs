use clockwork_macros::state_machine;

pub struct Inner {
    pub a: String,
    pub b: String,
}
pub struct Outer {
    pub inner: Inner,
}

async fn tick() {}

#[state_machine]
async fn f() -> usize {
    let mut o = Outer {
        inner: Inner { a: "a".into(), b: "b".into() },
    };
    let a = o.inner.a;
    tick().await;
    o.inner = Inner { a: a.clone(), b: "c".into() };
    tick().await;
    o.inner.a.len() + o.inner.b.len()
}

fn main() {
    let _ = f();
}
