//! Reads frames until end of input: a loop, a `?` on an awaited result, an early return.
use std::io;

#[state_machine]
pub async fn read_frames(mut src: Source, limit: usize) -> io::Result<Vec<Frame>> {
    let mut frames = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let n = src.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        let frame = parse(&buf[..n])?;
        if frame.len() > limit {
            return Err(io::Error::other("frame too big"));
        }
        frames.push(frame);
        src.ack(frames.len()).await;
    }
    Ok(frames)
}

/// Not rewritten: no `#[state_machine]` (use `--all`).
async fn plain(src: &mut Source) -> usize {
    src.read(&mut [0u8; 8]).await.unwrap_or(0)
}
