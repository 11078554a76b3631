//! `#[state_machine]` on a method itself, not on its `impl` block, as code that annotates
//! each `async fn` is written: the transform cannot see the block's generics. A `pub` method
//! of a generic block that awaits another generic machine (whose `'state` lifetime must be one
//! of its own) gets `'state` bounded by `Self: 'state`; without it the callee's `'state` was
//! `'static`, and every parameter of the block had to be `'static` too (E0310, from
//! tokio-tungstenite's `WebSocketStream::<S>::from_raw_socket`).
use clockwork_macros::state_machine;
use clockwork_tests::{Outcome, run, step};
use std::future::Future;

pub struct Wrapped<S>(pub S, pub u32);

/// A generic machine whose `'state` its callers must supply.
#[state_machine]
async fn wrap<S, F>(s: S, f: F) -> Wrapped<S>
where
    F: FnOnce(S) -> Wrapped<S>,
{
    let s = step("wrap", s).await;
    f(s)
}

impl<S> Wrapped<S> {
    #[state_machine]
    pub async fn from_raw(stream: S, role: u32) -> Self {
        wrap(stream, move |s| Wrapped(s, role)).await
    }

    #[state_machine]
    pub async fn rewrap(&mut self, stream: S) -> u32 {
        self.1 + wrap(stream, |s| Wrapped(s, 1)).await.1
    }

    #[state_machine]
    pub async fn into_role(self, stream: S) -> u32 {
        self.1 + wrap(stream, |s| Wrapped(s, 2)).await.1
    }
}

fn ready<T>(fut: impl Future<Output = T>) -> T {
    match run(fut, 0, None).outcome {
        Outcome::Ready(v) => v,
        _ => panic!("the future did not complete"),
    }
}

/// A borrowed `S` (not `'static`) is what needs the bound.
#[test]
fn methods_of_a_generic_block_annotated_alone() {
    let text = String::from("borrowed");
    let mut w = ready(Wrapped::from_raw(text.as_str(), 7));
    assert_eq!((w.0, w.1), ("borrowed", 7));
    assert_eq!(ready(w.rewrap(&text[1..])), 8);
    assert_eq!(ready(w.into_role(&text[2..])), 9);
}
