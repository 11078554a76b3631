// A builder chain whose methods may take `self` or borrow it: run apart, in an `async` block
// where rustc settles each call and drops the temporaries where the statement ends.
use clockwork::state_machine;

#[state_machine]
async fn shutdown(limit: Duration) -> Result<(), Error> {
    Toplevel::new().catch_signals().handle_shutdown_requests(limit).await?;
    if Probe::new().ready().await {
        log("ready");
    }
    Ok(())
}
