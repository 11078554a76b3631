use clockwork_macros::state_machine;

async fn tick() {}

#[state_machine]
async fn f() -> usize {
    let v = vec![1u32];
    let r = &v;
    tick().await;
    let n = r.len();
    let g = move || v.len();
    n + g()
}

fn main() {}
