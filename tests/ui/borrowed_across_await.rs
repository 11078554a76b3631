use clockwork_macros::state_machine;

async fn show(x: &u32) -> u32 {
    *x
}

#[state_machine]
async fn f(v: Vec<u32>) -> u32 {
    let mut total = 0;
    for x in &v {
        total += show(x).await;
    }
    total + v.len() as u32
}

fn main() {}
