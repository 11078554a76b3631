// A local borrowed across an `.await` lives in a fixed home (`Home`), and the body as written is
// kept in `if false { .. }` for the borrow checker.
#[state_machine]
async fn total(v: Vec<u32>) -> u32 {
    let mut sum = 0;
    for x in &v {
        sum += step(*x).await;
    }
    sum + v.len() as u32
}
