use clockwork_macros::state_machine;

async fn first(v: &&Vec<u32>) -> u32 {
    v[0]
}

// `a` is bound by `ref`: the future borrows `a` itself, and the value it gives back may keep
// that borrow, so `a` would need a fixed home, which a `ref` binding cannot have.
#[state_machine]
async fn f(pair: (Vec<u32>, u8)) -> u32 {
    match pair {
        (ref a, _) => {
            let n = first(&a).await;
            n + a.len() as u32
        }
    }
}

fn main() {}
