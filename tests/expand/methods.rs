// Methods with every kind of receiver, in an impl block.
impl Client {
    async fn get(&self, key: &str) -> Option<String> {
        let conn = self.pool.acquire().await;
        conn.query(key).await
    }

    async fn set(&mut self, key: String, value: String) {
        self.pending += 1;
        self.pool.acquire().await.execute(key, value).await;
        self.pending -= 1;
    }

    async fn close(self) -> usize {
        self.pool.drain().await
    }
}
