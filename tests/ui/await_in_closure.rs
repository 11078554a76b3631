use clockwork_macros::state_machine;

async fn get() -> u32 {
    1
}

#[state_machine]
async fn f() -> u32 {
    let add = |x: u32| x + get().await;
    add(1)
}

fn main() {}
