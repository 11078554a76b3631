#[state_machine]
async fn example() -> i32 {
    let x = async_operation().await;
    let y = another_operation().await;
    x + y
}
