use clockwork_macros::state_machine;

#[state_machine(fast)]
async fn f() -> u32 {
    1
}

#[state_machine(krate = ::clockwork)]
async fn g() -> u32 {
    1
}

#[state_machine(crate = 3)]
async fn h() -> u32 {
    1
}

fn main() {}
