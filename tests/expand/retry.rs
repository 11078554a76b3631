// A retry loop with backoff.
async fn fetch_with_retry(url: &str, attempts: u32) -> Result<Vec<u8>, FetchError> {
    let mut delay = 10;
    for attempt in 0..attempts {
        match fetch(url).await {
            Ok(body) => return Ok(body),
            Err(e) if e.is_transient() && attempt + 1 < attempts => {
                sleep_ms(delay).await;
                delay *= 2;
            }
            Err(e) => return Err(e),
        }
    }
    Err(FetchError::GaveUp)
}
