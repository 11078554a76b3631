use clockwork_macros::state_machine;

async fn ok(n: u32) -> bool {
    n > 1
}

#[state_machine]
async fn f(x: Option<u32>) -> u32 {
    match x {
        Some(n) if ok(n).await => n,
        _ => 0,
    }
}

fn main() {}
