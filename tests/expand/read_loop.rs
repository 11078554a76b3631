// A connection read/parse loop: a borrowed buffer across each read, `?`, and a loop.
async fn read_frames(conn: &mut Conn, max: usize) -> Result<Vec<Frame>, Error> {
    let mut buf = vec![0u8; 1024];
    let mut frames = Vec::new();
    loop {
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        let frame = parse(&buf[..n])?;
        frames.push(frame);
        if frames.len() == max {
            return Ok(frames);
        }
    }
    Ok(frames)
}
