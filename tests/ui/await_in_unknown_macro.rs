use clockwork_macros::state_machine;

macro_rules! twice {
    ($e:expr) => {
        $e + $e
    };
}

async fn get() -> u32 {
    1
}

#[state_machine]
async fn f() -> u32 {
    twice!(get().await)
}

fn main() {}
