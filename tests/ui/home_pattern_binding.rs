use clockwork_macros::state_machine;

async fn tick() {}

#[state_machine]
async fn f() -> usize {
    let (a, b) = (vec![1u32], 2usize);
    let r = &a;
    tick().await;
    r.len() + b
}

fn main() {}
