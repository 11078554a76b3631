use clockwork_macros::state_machine;

async fn tick() -> u32 {
    1
}

// The branch leaves the labelled block through `break 'done`, so the code after it cannot be
// written once for every path (a join point): the closure is written in each state that can
// run it.
#[state_machine]
async fn f(c: bool) -> u32 {
    let r = 'done: {
        if c {
            if tick().await > 0 {
                break 'done 0;
            }
        }
        let add = |x: u32| x + 1;
        let n = tick().await;
        add(n)
    };
    r
}

fn main() {
    let _ = f(true);
}
