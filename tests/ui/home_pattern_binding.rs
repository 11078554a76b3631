use clockwork_macros::state_machine;

async fn tick() {}

#[state_machine]
async fn f(res: Result<Vec<u32>, Vec<u32>>) -> usize {
    let (Ok(a) | Err(a)) = res;
    let r = &a;
    tick().await;
    r.len()
}

fn main() {}
