use clockwork_macros::state_machine;

#[state_machine]
struct Config {
    port: u16,
}

fn main() {}
