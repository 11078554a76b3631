use clockwork_macros::state_machine;

async fn step(n: u32) -> u32 {
    n
}

#[state_machine]
async fn f(v: Vec<u32>) -> u32 {
    let mut total = 0;
    for x in v {
        let scale = move |y: u32| y * x;
        let got = step(x).await;
        total += scale(got);
    }
    total
}

fn main() {}
