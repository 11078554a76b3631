// The value an `.await` gives back may borrow what its future was given. The local borrowed is
// reached through a pointer into the state, so the body as written is borrow-checked too: a move
// while the output still borrows it is rejected with rustc's own error (it used to run, reading
// freed memory).
use clockwork_macros::state_machine;

async fn first(v: &Vec<u32>) -> &u32 {
    &v[0]
}

#[state_machine]
async fn f() -> u32 {
    let v = vec![7u32; 4];
    let r = first(&v).await;
    drop(v);
    *r
}

fn main() {}
