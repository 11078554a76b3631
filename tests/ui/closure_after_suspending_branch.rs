use clockwork_macros::state_machine;

async fn tick() -> u32 {
    1
}

#[state_machine]
async fn f(c: bool) -> u32 {
    if c {
        tick().await;
    }
    let add = |x: u32| x + 1;
    let n = tick().await;
    add(n)
}

fn main() {
    let _ = f(true);
}
