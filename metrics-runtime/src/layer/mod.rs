//! HTTP middleware: a tower [`Layer`](tower_layer::Layer) that records every request
//! going through a service, with bounded labels. Feature `tower`.
//!
//! | family | type | labels |
//! |---|---|---|
//! | `http_requests_total` | counter | `method`, `route`, `status` |
//! | `http_request_duration_seconds` | histogram | `method`, `route` |
//! | `http_request_size_bytes` | histogram | `method`, `route` |
//! | `http_response_size_bytes` | histogram | `method`, `route` |
//! | `http_requests_in_flight` | gauge | `method`, `route` |
//!
//! Names, buckets and the route limit are set on [`HttpMetricsLayer::builder`]; the
//! families are in the link-time [`catalogue()`](crate::catalogue()) under their
//! default names, like derived ones.
//!
//! ## Labels
//!
//! - `method`: `GET`, `HEAD`, `POST`, `PUT`, `DELETE`, `CONNECT`, `OPTIONS`, `TRACE`,
//!   `PATCH`, and `other` for any other method.
//! - `route`: the router's template ([`route_template`]; axum's `MatchedPath` by
//!   default with the crate's `axum` feature, for axum 0.8 routers), else
//!   the path with its identifiers replaced ([`normalize_paths`], opt-in), else
//!   `unmatched`: a request that matched no route never shows its URI. Past
//!   [`max_routes`] distinct routes (500), requests go to `route="__overflow__"`.
//! - `status`: the exact code (`404`), or its class (`4xx`) with
//!   [`status_class`]; for requests that got no response, `cancelled` (the response
//!   future was dropped: the client went away, or a timeout gave up),
//!   `error` (the inner service returned an error) or `panicked`.
//!
//! `cancelled` rather than nginx's `499`: a dropped request is not a response the
//! application sent, it stays out of `status=~"4.."` error ratios, and `#[timed]`
//! calls the same end `cancelled`.
//!
//! ## When each family is recorded
//!
//! A request is in flight from the call to the service until its response headers
//! are ready (its future resolves) or its future is dropped. Then it is counted, its
//! duration (to the response headers, or to the drop) and its request size are
//! observed, and the in-flight gauge goes back down. A response's size is observed
//! then too when it is known: an exact size hint, a `Content-Length`, or `0` for
//! `HEAD`; a streamed body is counted as it is sent and observed when it ends or is
//! dropped. A request body's size is observed when known up front (size hint or
//! `Content-Length`); chunked uploads are not observed, since wrapping request
//! bodies would change the body type that routers such as axum's require.
//!
//! ## Cost
//!
//! Names, buckets and label options are resolved when the layer is built. A request
//! costs one lookup of its route (a hash and a shared read lock), a few relaxed
//! atomic adds and two clock reads; the method and status are dense indexes below
//! the route, and nothing is allocated unless the path normaliser rewrites a path.
//!
//! [`route_template`]: HttpMetricsBuilder::route_template
//! [`normalize_paths`]: HttpMetricsBuilder::normalize_paths
//! [`max_routes`]: HttpMetricsBuilder::max_routes
//! [`status_class`]: HttpMetricsBuilder::status_class

mod body;
mod families;
mod future;
mod labels;
#[allow(clippy::module_inception)] // tower-http's layout: one folder per middleware
mod layer;
mod normalize;
mod route;
mod service;

pub use body::ResponseBody;
pub use future::ResponseFuture;
pub use layer::{BuildError, HttpMetricsBuilder, HttpMetricsLayer};
pub use normalize::{PathNormalizer, Segment};
pub use service::HttpMetricsService;

/// One of the middleware's families, to rename it or read its descriptor.
///
/// ```
/// use metrics_runtime::layer::HttpFamily;
/// assert_eq!(HttpFamily::Requests.default_name(), "http_requests");
/// assert_eq!(HttpFamily::Duration.default_name(), "http_request_duration_seconds");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpFamily {
    /// `http_requests_total`, the request counter.
    Requests,
    /// `http_request_duration_seconds`, the duration histogram.
    Duration,
    /// `http_request_size_bytes`, the request body size histogram.
    RequestSize,
    /// `http_response_size_bytes`, the response body size histogram.
    ResponseSize,
    /// `http_requests_in_flight`, the gauge of requests being served.
    InFlight,
}

impl HttpFamily {
    /// Every family, in exposition order.
    pub const ALL: [Self; 5] =
        [Self::Requests, Self::Duration, Self::RequestSize, Self::ResponseSize, Self::InFlight];

    /// The name of its catalogue entry (a counter's without `_total`).
    pub fn default_name(self) -> &'static str {
        families::DEFAULT_DESCRIPTORS[self as usize].name
    }
}
