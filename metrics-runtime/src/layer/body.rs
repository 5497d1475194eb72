//! Body sizes: known up front, or counted as a response body streams.

use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::sync::Arc;

use bytes::Buf;
use http::HeaderMap;
use http::header::CONTENT_LENGTH;
use http_body::{Body, Frame, SizeHint};

use super::families::RouteSeries;

/// The size of a body before it is read: its exact size hint (what a server will
/// send), else a `Content-Length` header.
#[inline]
pub(crate) fn known_size<B: Body>(headers: &HeaderMap, body: &B) -> Option<u64> {
    body.size_hint().exact().or_else(|| headers.get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok())
}

/// Bytes of a streamed response body, observed into the response size histogram
/// when the body ends or is dropped (the client went away mid-body: what was sent).
struct StreamedBytes {
    series: Arc<RouteSeries>,
    bytes: u64,
}

impl Drop for StreamedBytes {
    fn drop(&mut self) {
        self.series.response_size.observe(self.bytes as f64);
    }
}

pin_project_lite::pin_project! {
    /// The response body of [`HttpMetricsService`](super::HttpMetricsService): the
    /// inner service's, counting the bytes of a body whose size was not known when
    /// the response started.
    pub struct ResponseBody<B> {
        #[pin]
        inner: B,
        counter: Option<StreamedBytes>,
    }
}

impl<B> ResponseBody<B> {
    pub(crate) fn uncounted(inner: B) -> Self {
        Self { inner, counter: None }
    }

    pub(crate) fn counted(inner: B, series: Arc<RouteSeries>) -> Self {
        Self { inner, counter: Some(StreamedBytes { series, bytes: 0 }) }
    }
}

impl<B: Body> Body for ResponseBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let frame = ready!(this.inner.poll_frame(cx));
        match &frame {
            Some(Ok(frame)) => {
                if let (Some(counter), Some(data)) = (this.counter.as_mut(), frame.data_ref()) {
                    counter.bytes += data.remaining() as u64;
                }
            }
            // The end: observed now rather than when the server drops the body.
            None => drop(this.counter.take()),
            Some(Err(_)) => {}
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl<B> core::fmt::Debug for ResponseBody<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResponseBody")
            .field("counted", &self.counter.as_ref().map(|c| c.bytes))
            .finish_non_exhaustive()
    }
}
