// A local that an awaited expression uses as a place gets a fixed home (the `.await`'s output
// may keep the borrow). A method that takes `self` by value then cannot move it out of the home
// (the macro cannot tell such a method from one that borrows): rustc's E0507. Pass it by value
// instead (`IntoIterator::into_iter(v)`, `for x in v`, `let v = v;`).
use clockwork_macros::state_machine;

async fn sum(v: &[u32]) -> u32 {
    v.iter().sum()
}

#[state_machine]
async fn f() -> usize {
    let v = vec![1u32, 2];
    let n = sum(&v).await;
    v.into_iter().count() + n as usize
}

fn main() {}
