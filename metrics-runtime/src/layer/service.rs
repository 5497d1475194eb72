//! The service the layer wraps around a router or handler.

use core::task::{Context, Poll};
use std::sync::Arc;

use http::{Request, Response};
use http_body::Body;
use tower_service::Service;

use super::body::{ResponseBody, known_size};
use super::families::HttpMetrics;
use super::future::{InFlight, ResponseFuture};
use super::labels::{HEAD, method_index};

/// Records the requests that go through `S`. Made by
/// [`HttpMetricsLayer`](super::HttpMetricsLayer).
#[derive(Debug, Clone)]
pub struct HttpMetricsService<S> {
    inner: S,
    metrics: Arc<HttpMetrics>,
}

impl<S> HttpMetricsService<S> {
    pub(crate) fn new(inner: S, metrics: Arc<HttpMetrics>) -> Self {
        Self { inner, metrics }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for HttpMetricsService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ReqBody: Body,
    ResBody: Body,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let metrics = &*self.metrics;
        let method = method_index(request.method());
        // The only lookup of the request: its route's series, shared with the future.
        let series = metrics.series(&metrics.route_of.route(&request), method).clone();
        let request_size = known_size(request.headers(), request.body());
        let in_flight = InFlight::start(series, request_size, method == HEAD, metrics.status_class);
        ResponseFuture::new(self.inner.call(request), in_flight)
    }
}
