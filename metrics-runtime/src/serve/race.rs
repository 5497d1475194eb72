//! The first of two futures to finish, without tokio's `macros` feature.

use core::future::{Future, poll_fn};
use core::pin::pin;
use core::task::Poll;

/// Which future finished first.
pub(crate) enum First<A, B> {
    Left(A),
    Right(B),
}

/// Polls `left` then `right` until one is ready; the other is dropped.
pub(crate) async fn first<L: Future, R: Future>(left: L, right: R) -> First<L::Output, R::Output> {
    let mut left = pin!(left);
    let mut right = pin!(right);
    poll_fn(|cx| {
        if let Poll::Ready(out) = left.as_mut().poll(cx) {
            return Poll::Ready(First::Left(out));
        }
        if let Poll::Ready(out) = right.as_mut().poll(cx) {
            return Poll::Ready(First::Right(out));
        }
        Poll::Pending
    })
    .await
}
