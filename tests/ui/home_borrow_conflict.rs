// A fixed home is reached through pointers, so the body as written is borrow-checked too:
// code that rustc rejects in an `async fn` is still rejected, with rustc's own error.
use clockwork_macros::state_machine;

async fn tick() {}

#[state_machine]
async fn f() -> usize {
    let mut v = vec![1u32, 2];
    let r = &v;
    tick().await;
    v.push(3);
    r.len()
}

fn main() {}
