//! `#[state_machine]` stacked with attributes that rewrite an `async fn` themselves, in both
//! orders: `#[tokio::main]`, `#[tokio::test]` and `#[tracing::instrument]`, the real crates.
//! Below such an attribute, the `async` block it leaves becomes the machine; above it, the fn
//! stays `async` and awaits the machine (see `macro/expand/src/stack.rs`).
use clockwork_macros::state_machine;
use std::sync::Mutex;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Two real suspensions, and a value that depends on the code after each.
async fn two_yields(n: u32) -> u32 {
    tokio::task::yield_now().await;
    let m = n * 2;
    tokio::task::yield_now().await;
    m + 1
}

#[tokio::main(flavor = "current_thread")]
#[state_machine]
async fn main_below() -> u32 {
    let a = two_yields(1).await;
    let b = two_yields(a).await;
    a + b
}

#[state_machine]
#[tokio::main(flavor = "current_thread")]
async fn main_above() -> u32 {
    let a = two_yields(1).await;
    let b = two_yields(a).await;
    a + b
}

#[test]
fn tokio_main_below_and_above() {
    assert_eq!(main_below(), 3 + 7);
    assert_eq!(main_above(), 3 + 7);
}

#[tokio::test]
#[state_machine]
async fn tokio_test_below() {
    let a = two_yields(2).await;
    assert_eq!(a, 5);
}

/// `#[cfg]` on statements that await, below `#[tokio::test]`: one machine per combination
/// of conditions, and the `async` block tokio left keeps the one rustc keeps (tokio-util's
/// `udp.rs`; was a `compile_error!` asking for the attribute above).
#[cfg(debug_assertions)]
#[tokio::test]
#[state_machine]
async fn tokio_test_below_with_cfg_statements() {
    let mut seen = Vec::new();
    #[cfg(not(any()))]
    {
        seen.push(two_yields(1).await);
    }
    #[cfg(debug_assertions)]
    let a = two_yields(2).await;
    #[cfg(not(not(any())))]
    let a = two_yields(100).await;
    seen.push(a);
    assert_eq!(seen, [3, 5]);
}

#[state_machine]
#[tokio::test]
async fn tokio_test_above() -> Result<(), String> {
    let a = two_yields(2).await;
    if a == 5 {
        Ok(())
    } else {
        Err(format!("got {a}"))
    }
}

/// Records, for each event, the names of the spans entered at that moment.
#[derive(Default)]
struct SpanLog {
    names: Mutex<Vec<&'static str>>,
    entered: Mutex<Vec<u64>>,
    events: Mutex<Vec<Vec<&'static str>>>,
}

impl Subscriber for SpanLog {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut names = self.names.lock().unwrap();
        names.push(span.metadata().name());
        Id::from_u64(names.len() as u64)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {
        let names = self.names.lock().unwrap();
        let entered = self.entered.lock().unwrap();
        let now = entered.iter().map(|&i| names[i as usize - 1]).collect();
        self.events.lock().unwrap().push(now);
    }
    fn enter(&self, span: &Id) {
        self.entered.lock().unwrap().push(span.into_u64());
    }
    fn exit(&self, span: &Id) {
        let mut entered = self.entered.lock().unwrap();
        let at = entered.iter().rposition(|&i| i == span.into_u64());
        entered.remove(at.expect("exit of a span that was entered"));
    }
}

/// Runs `f`'s future on a current-thread tokio runtime under a `SpanLog`; returns its output
/// and the spans entered at each event.
fn run_logged<F: std::future::Future>(
    f: impl FnOnce() -> F,
) -> (F::Output, Vec<Vec<&'static str>>) {
    let log = std::sync::Arc::new(SpanLog::default());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let out = tracing::subscriber::with_default(log.clone(), || rt.block_on(f()));
    let events = log.events.lock().unwrap().clone();
    (out, events)
}

#[tracing::instrument]
#[state_machine]
async fn instrumented_above(n: u32) -> u32 {
    tracing::info!("start");
    let a = two_yields(n).await;
    tracing::info!("between");
    let b = two_yields(a).await;
    tracing::info!("end");
    a + b
}

#[state_machine]
#[tracing::instrument]
async fn instrumented_below(n: u32) -> u32 {
    tracing::info!("start");
    let a = two_yields(n).await;
    tracing::info!("between");
    let b = two_yields(a).await;
    tracing::info!("end");
    a + b
}

struct Worker {
    base: u32,
}

#[state_machine]
impl Worker {
    #[tracing::instrument(skip(self))]
    async fn work(&self, n: u32) -> u32 {
        tracing::info!("start");
        let a = two_yields(n + self.base).await;
        tracing::info!("end");
        a
    }
}

#[test]
fn instrument_span_is_entered_at_every_event_in_both_orders() {
    let (out, events) = run_logged(|| instrumented_above(1));
    assert_eq!(out, 10);
    assert_eq!(events, vec![vec!["instrumented_above"]; 3]);

    let (out, events) = run_logged(|| instrumented_below(1));
    assert_eq!(out, 10);
    assert_eq!(events, vec![vec!["instrumented_below"]; 3]);

    let worker = Worker { base: 1 };
    let (out, events) = run_logged(|| worker.work(1));
    assert_eq!(out, 5);
    assert_eq!(events, vec![vec!["work"]; 2]);
}

/// Below `#[tokio::main]`, the body is a real machine: its expansion has the state enum.
#[test]
fn below_tokio_main_the_async_block_becomes_the_machine() {
    let tokio_output: syn::Item = syn::parse_quote! {
        #[state_machine]
        fn main() -> u32 {
            let body = async {
                let a = two_yields(1).await;
                a + 1
            };
            let body = { body };
            return tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(body);
        }
    };
    let syn::Item::Fn(mut f) = tokio_output else {
        unreachable!()
    };
    f.attrs.clear();
    let out =
        clockwork_expand::expand_item(syn::Item::Fn(f), &clockwork_expand::default_support_path())
            .unwrap()
            .to_string();
    assert!(out.contains("enum State"), "{out}");
    assert!(out.contains("AwaitTwoYields"), "{out}");
    assert!(!out.contains("async {"), "{out}");
}

/// A fn another attribute made non-`async`, in a shape this one does not know: an error that
/// says where to put `#[state_machine]`.
#[test]
fn unknown_non_async_shape_says_to_write_the_attribute_first() {
    let f: syn::Item = syn::parse_quote! {
        fn work(&self) -> Pin<Box<dyn Future<Output = u32> + Send + '_>> {
            Box::pin(async move { 1 })
        }
    };
    let err = clockwork_expand::expand_item(f, &clockwork_expand::default_support_path())
        .unwrap_err()
        .to_string();
    assert!(err.contains("above that attribute"), "{err}");
}
