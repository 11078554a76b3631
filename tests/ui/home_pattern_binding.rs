use clockwork_macros::state_machine;

async fn tick() {}

// `a` is bound by reference: it is a reference into `pair`, which has a fixed home, but a
// borrow of `a` itself needs `a` to stay put, and a `ref` binding has no home of its own.
#[state_machine]
async fn f(pair: (Vec<u32>, u8)) -> usize {
    match pair {
        (ref a, _) => {
            let r = &a;
            tick().await;
            r.len()
        }
    }
}

fn main() {}
