//! What a `#[timed]` call expands to: a guard for sync bodies, a future for async ones.

use super::clock::{Clock, StdClock};
use super::exemplar::{CallExemplars, NoExemplars};
use super::function::TimedFunction;
use super::outcome::Outcome;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// Times one synchronous call. [`TimedCall::finish`] records the outcome; if the
/// guard is dropped without it, the body panicked (a sync body can end no other
/// way), and `panicked` is recorded while the panic keeps unwinding. `E` says
/// whether the duration keeps an exemplar.
#[derive(Debug)]
#[must_use]
pub struct TimedCall<const B: usize, K: Clock = StdClock, E: CallExemplars = NoExemplars> {
    function: &'static TimedFunction<B>,
    start: K::Reading,
    exemplars: core::marker::PhantomData<E>,
}

impl<const B: usize, K: Clock, E: CallExemplars> TimedCall<B, K, E> {
    /// Starts the clock (and counts the call in flight).
    #[inline]
    pub fn start(function: &'static TimedFunction<B>) -> Self {
        function.enter();
        Self { function, start: K::now(), exemplars: core::marker::PhantomData }
    }

    /// Records the call as ended with `outcome`.
    #[inline]
    pub fn finish(self, outcome: Outcome) {
        self.function.record_with::<E>(outcome, K::seconds_since(self.start));
        core::mem::forget(self);
    }
}

impl<const B: usize, K: Clock, E: CallExemplars> Drop for TimedCall<B, K, E> {
    fn drop(&mut self) {
        self.function.record_with::<E>(Outcome::Panicked, K::seconds_since(self.start));
    }
}

/// Times one asynchronous call: from creation (the first poll of the `async fn`) to
/// completion (`ok`/`error` by the output), to a panic escaping a poll (`panicked`),
/// or to being dropped unfinished (`cancelled`: a timeout, a client gone, a lost
/// `select!` branch).
#[must_use = "futures do nothing unless polled"]
pub struct TimedFuture<F, C, const B: usize, K: Clock = StdClock, E: CallExemplars = NoExemplars> {
    inner: F,
    classify: C,
    function: &'static TimedFunction<B>,
    start: K::Reading,
    state: State,
    exemplars: core::marker::PhantomData<E>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    /// Inside the inner poll: if a drop finds this, a panic escaped the poll.
    Polling,
    Done,
}

impl<F: core::fmt::Debug, C, const B: usize, K: Clock, E: CallExemplars> core::fmt::Debug
    for TimedFuture<F, C, B, K, E>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TimedFuture").field("inner", &self.inner).finish_non_exhaustive()
    }
}

/// Wraps `inner` so that its call is timed; `classify` reads the output's outcome.
///
/// Generated code passes the output type explicitly (`timed_future::<R, K, E, _, _, B>`),
/// which lets the compiler infer the `async` block's type for `?` conversions.
#[inline]
pub fn timed_future<O, K: Clock, E: CallExemplars, F, C, const B: usize>(
    function: &'static TimedFunction<B>,
    classify: C,
    inner: F,
) -> TimedFuture<F, C, B, K, E>
where
    F: Future<Output = O>,
    C: Fn(&O) -> Outcome,
{
    function.enter();
    TimedFuture {
        inner,
        classify,
        function,
        start: K::now(),
        state: State::Idle,
        exemplars: core::marker::PhantomData,
    }
}

impl<F, C, const B: usize, K: Clock, E: CallExemplars> Future for TimedFuture<F, C, B, K, E>
where
    F: Future,
    C: Fn(&F::Output) -> Outcome,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `inner` is structurally pinned: it is never moved out of `self`,
        // and `Drop` does not move it. The other fields are plain data.
        let this = unsafe { self.get_unchecked_mut() };
        if this.state == State::Done {
            return Poll::Pending;
        }
        this.state = State::Polling;
        // SAFETY: see above.
        let inner = unsafe { Pin::new_unchecked(&mut this.inner) };
        let poll = inner.poll(cx);
        match poll {
            Poll::Ready(output) => {
                this.state = State::Done;
                let outcome = (this.classify)(&output);
                this.function.record_with::<E>(outcome, K::seconds_since(this.start));
                Poll::Ready(output)
            }
            Poll::Pending => {
                this.state = State::Idle;
                Poll::Pending
            }
        }
    }
}

impl<F, C, const B: usize, K: Clock, E: CallExemplars> Drop for TimedFuture<F, C, B, K, E> {
    fn drop(&mut self) {
        let outcome = match self.state {
            State::Done => return,
            State::Polling => Outcome::Panicked,
            State::Idle => Outcome::Cancelled,
        };
        self.function.record_with::<E>(outcome, K::seconds_since(self.start));
    }
}
