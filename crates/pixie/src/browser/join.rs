//! Await two futures side by side (the token request and the JWKS), without
//! a dependency for it.

use std::future::Future;
use std::pin::pin;
use std::task::Poll;

/// Both outputs, once both futures are done; each is polled whenever the task wakes.
pub(crate) async fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut out_a, mut out_b) = (None, None);
    std::future::poll_fn(move |cx| {
        if out_a.is_none() {
            if let Poll::Ready(value) = a.as_mut().poll(cx) {
                out_a = Some(value);
            }
        }
        if out_b.is_none() {
            if let Poll::Ready(value) = b.as_mut().poll(cx) {
                out_b = Some(value);
            }
        }
        if out_a.is_some() && out_b.is_some() {
            Poll::Ready((out_a.take().expect("checked above"), out_b.take().expect("checked above")))
        } else {
            Poll::Pending
        }
    })
    .await
}
