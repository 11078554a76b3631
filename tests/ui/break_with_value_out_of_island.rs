use clockwork_macros::state_machine;

macro_rules! first {
    ($e:expr) => {
        $e
    };
}

async fn get() -> u32 {
    1
}

// A macro given an `.await` runs as an `async` island; a `break` with a value cannot leave it.
#[state_machine]
async fn f() -> u32 {
    let mut n = 0;
    loop {
        n += first!({
            if get().await > n {
                break n * 2;
            }
            1
        });
    }
}

fn main() {}
