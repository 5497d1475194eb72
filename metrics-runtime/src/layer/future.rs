//! The response future: records a request when its response is ready, or when it is
//! dropped unfinished.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::sync::Arc;
use std::time::Instant;

use http::Response;
use http_body::Body;

use super::body::{ResponseBody, known_size};
use super::families::RouteSeries;
use super::labels::StatusKey;

/// A request counted in flight, until it is recorded: with its response status, or,
/// when dropped first, as `cancelled` (or `panicked`, if a panic escaped a poll).
pub(crate) struct InFlight {
    /// `None` once recorded.
    series: Option<Arc<RouteSeries>>,
    start: Instant,
    request_size: Option<u64>,
    /// A `HEAD` response sends no body, whatever its own says.
    head: bool,
    status_class: bool,
    /// Inside the inner poll: if a drop finds this, a panic escaped it.
    polling: bool,
}

impl InFlight {
    #[inline]
    pub(crate) fn start(
        series: Arc<RouteSeries>,
        request_size: Option<u64>,
        head: bool,
        status_class: bool,
    ) -> Self {
        series.in_flight.inc();
        Self {
            series: Some(series),
            start: Instant::now(),
            request_size,
            head,
            status_class,
            polling: false,
        }
    }

    /// Records the request as ended with `status`, unless it already is, and hands
    /// back its series.
    #[inline]
    fn record(&mut self, status: StatusKey) -> Option<Arc<RouteSeries>> {
        let series = self.series.take()?;
        series.in_flight.dec();
        series.statuses.inc(status);
        series.observe_duration(self.start.elapsed().as_secs_f64());
        if let Some(size) = self.request_size {
            series.request_size.observe(size as f64);
        }
        Some(series)
    }

    /// Records the response and wraps its body, to be sized as it streams when its
    /// size is not known now.
    fn respond<B: Body>(&mut self, response: Response<B>) -> Response<ResponseBody<B>> {
        let status = StatusKey::of(response.status(), self.status_class);
        let Some(series) = self.record(status) else {
            return response.map(ResponseBody::uncounted);
        };
        let size =
            if self.head { Some(0) } else { known_size(response.headers(), response.body()) };
        match size {
            Some(size) => {
                series.response_size.observe(size as f64);
                response.map(ResponseBody::uncounted)
            }
            None => response.map(|body| ResponseBody::counted(body, series)),
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.record(if self.polling { StatusKey::PANICKED } else { StatusKey::CANCELLED });
    }
}

impl core::fmt::Debug for InFlight {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("InFlight")
            .field("recorded", &self.series.is_none())
            .field("start", &self.start)
            .finish_non_exhaustive()
    }
}

pin_project_lite::pin_project! {
    /// The future of [`HttpMetricsService`](super::HttpMetricsService): the inner
    /// service's, recording the request when it resolves or is dropped.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        in_flight: InFlight,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(inner: F, in_flight: InFlight) -> Self {
        Self { inner, in_flight }
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Body,
{
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        this.in_flight.polling = true;
        let poll = this.inner.poll(cx);
        this.in_flight.polling = false;
        Poll::Ready(match ready!(poll) {
            Ok(response) => Ok(this.in_flight.respond(response)),
            Err(error) => {
                this.in_flight.record(StatusKey::ERROR);
                Err(error)
            }
        })
    }
}

impl<F> core::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResponseFuture").field("in_flight", &self.in_flight).finish_non_exhaustive()
    }
}
