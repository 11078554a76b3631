use clockwork_macros::state_machine;

async fn tick() -> u32 {
    1
}

// Each distinct `#[cfg]` condition on a statement that awaits doubles the copies of the fn.
#[state_machine]
async fn f() -> u32 {
    #[cfg(unix)]
    let _a = tick().await;
    #[cfg(windows)]
    let _b = tick().await;
    #[cfg(test)]
    let _c = tick().await;
    #[cfg(debug_assertions)]
    let _d = tick().await;
    0
}

// Two `#[cfg]`s on one statement.
#[state_machine]
async fn g() -> u32 {
    #[cfg(all())]
    #[cfg(any())]
    let b = tick().await;
    1
}

fn main() {}
