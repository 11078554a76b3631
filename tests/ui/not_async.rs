use clockwork_macros::state_machine;

#[state_machine]
fn not_async() -> u32 {
    1
}

fn main() {}
