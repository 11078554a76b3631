// A macro that runs as an island (its input has `?`) and moves a local in one arm while
// another arm reads it: whether the method consumes its receiver is a guess (the receiver
// heuristic), and were it wrong, taking the value out of its place there could leave a read
// a dropped value (the order a macro runs its input in is its own). So the island takes it
// only where no other mention is left.
use clockwork_macros::state_machine;

macro_rules! logv {
    ($($t:tt)*) => { println!($($t)*) };
}

pub struct Token(pub String);

impl Token {
    pub fn into_val(self) -> usize {
        self.0.len()
    }
    pub fn name(&self) -> &str {
        &self.0
    }
}

#[state_machine]
async fn f(token: Token, n: u32) -> Option<usize> {
    logv!("{}", match n { 0 => None::<usize>?, 1 => token.into_val(), _ => token.name().len() });
    Some(1)
}

fn main() {}
