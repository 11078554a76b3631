use clockwork_macros::state_machine;

async fn tick() -> u32 {
    1
}

// The branch moves `s`, so the code after it cannot be written once for every path (a join
// point): the closure is written in each state that can run it.
#[state_machine]
async fn f(c: bool, s: String) -> u32 {
    if c {
        tick().await;
        drop(s);
    }
    let add = |x: u32| x + 1;
    let n = tick().await;
    add(n)
}

fn main() {
    let _ = f(true, String::new());
}
