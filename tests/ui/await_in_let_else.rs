use clockwork_macros::state_machine;

async fn fallback() -> u32 {
    0
}

#[state_machine]
async fn f(x: Option<u32>) -> u32 {
    let Some(n) = x else {
        fallback().await;
        return 0;
    };
    n
}

fn main() {}
