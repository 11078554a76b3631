use clockwork_macros::state_machine;

async fn step(n: u32) -> u32 {
    n
}

// The loop's two `.await`s keep different locals (`name` is moved out across the second), so
// its head has no arm of its own: the body up to the first `.await` is written once per state
// that starts an iteration, and `scale` with it.
#[state_machine]
async fn f(v: Vec<u32>) -> u32 {
    let mut total = 0;
    let mut name = String::from("n");
    for x in v {
        let scale = move |y: u32| y * x;
        let got = step(x).await;
        let held = name;
        total += scale(got) + step(held.len() as u32).await;
        name = held;
    }
    total
}

fn main() {}
