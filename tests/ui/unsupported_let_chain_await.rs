use clockwork_macros::state_machine;

async fn get() -> Option<u32> {
    Some(1)
}

#[state_machine]
async fn f(x: Option<u32>) -> u32 {
    if let Some(a) = x && let Some(b) = get().await {
        return a + b;
    }
    0
}

fn main() {}
