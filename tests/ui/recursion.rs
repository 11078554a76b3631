use clockwork_macros::state_machine;

#[state_machine]
async fn depth(n: u32) -> u32 {
    if n == 0 {
        return 0;
    }
    1 + Box::pin(depth(n - 1)).await
}

fn main() {}
