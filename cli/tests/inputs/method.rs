pub struct Conn {
    stream: Stream,
    sent: usize,
}

impl Conn {
    /// Sends a request and waits for the matching reply.
    #[state_machine]
    pub async fn request(&mut self, msg: &[u8]) -> Result<Reply, Error> {
        self.stream.write_all(msg).await?;
        self.sent += msg.len();
        let reply = match self.stream.read_reply().await? {
            Some(r) => r,
            None => return Err(Error::Closed),
        };
        Ok(reply)
    }

    fn idle(&self) -> bool {
        self.sent == 0
    }
}

mod retry {
    #[state_machine]
    pub async fn request(attempts: u32) -> bool {
        for i in 0..attempts {
            if try_once(i).await {
                return true;
            }
        }
        false
    }
}
