//! `#[state_machine(crate = path)]`: the expansion calls the support module under the path the
//! user gives, for a crate that reaches clockwork under another name.

mod renamed {
    pub use ::clockwork as cw;
}

#[clockwork_macros::state_machine(crate = crate::renamed::cw)]
async fn through_a_reexport(a: u32) -> u32 {
    let b = core::future::ready(a + 1).await;
    b * 2
}

#[clockwork_macros::state_machine(crate = "::clockwork")]
async fn as_a_string(a: u32) -> u32 {
    core::future::ready(a).await + 1
}

fn block_on<F: core::future::Future>(f: F) -> F::Output {
    let mut f = core::pin::pin!(f);
    let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    loop {
        if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

#[test]
fn the_given_path_is_the_one_called() {
    assert_eq!(block_on(through_a_reexport(3)), 8);
    assert_eq!(block_on(as_a_string(3)), 4);
}
