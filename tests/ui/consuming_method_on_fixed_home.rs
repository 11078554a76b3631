// A local that an awaited expression uses as a place gets a fixed home (the `.await`'s output
// may keep the borrow). A method that takes `self` by value (`v.into_iter()`) may take it out of
// the home only where nothing can use the local after it; here `v` is assigned again, so it stays
// a place and rustc reports E0507 at `v`. Pass it by value instead (`IntoIterator::into_iter(v)`,
// `for x in v`).
use clockwork_macros::state_machine;

async fn sum(v: &[u32]) -> u32 {
    v.iter().sum()
}

#[state_machine]
async fn f() -> usize {
    let mut v = vec![1u32, 2];
    let n = sum(&v).await;
    let c = v.into_iter().count();
    v = vec![3];
    c + v.len() + n as usize
}

fn main() {}
