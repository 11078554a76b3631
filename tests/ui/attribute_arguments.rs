use clockwork_macros::state_machine;

#[state_machine(fast)]
async fn f() -> u32 {
    1
}

fn main() {}
