use clockwork_macros::state_machine;

async fn tick() -> u32 {
    1
}

#[state_machine]
async fn f() -> u32 {
    #[cfg(any())]
    let b = tick().await;
    #[cfg(all())]
    let b = tick().await;
    b
}

fn main() {}
