use clockwork_macros::state_machine;

struct Tree;

async fn leaf() -> u32 {
    1
}

// One method cannot be rewritten: it gets its own error, stays as written, and the other
// methods are rewritten (only that one error is reported).
#[state_machine]
impl Tree {
    async fn good(&self) -> u32 {
        leaf().await + 1
    }

    async fn depth(&self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        1 + Box::pin(Self::depth(self, n - 1)).await
    }
}

fn main() {
    let _ = Tree.good();
}
