// A macro that runs as an island (its input has `?`) and moves a local on one path only: the
// island's `async` block would take it whole when it starts. The name bound inside after the
// move is another local, and does not hide the move.
use clockwork_macros::state_machine;

macro_rules! logv {
    ($($t:tt)*) => { println!($($t)*) };
}

pub struct Token(pub u32);

impl Token {
    pub fn into_val(self) -> u32 {
        self.0
    }
}

#[state_machine]
async fn f(token: Token, fail: bool) -> Option<u32> {
    logv!("{}", if fail { None::<u32>? } else { let v = token.into_val(); let token = 7u32; v + token });
    Some(1)
}

fn main() {}
