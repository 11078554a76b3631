use clockwork_macros::state_machine;

async fn tick() {}

#[state_machine]
async fn f(opt: Option<Vec<u32>>) -> usize {
    match opt {
        Some(a) if !a.is_empty() => {
            let r = &a;
            tick().await;
            r.len()
        }
        _ => 0,
    }
}

fn main() {}
