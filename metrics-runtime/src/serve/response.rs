//! The responses the server sends, built without a fallible step.

use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

use super::scrape::Exposition;
use crate::encode::Format;

/// The body of every response: the bytes are in memory before the headers go out.
pub type ResponseBody = Full<Bytes>;

const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
const ALLOW: HeaderValue = HeaderValue::from_static("GET, HEAD");

/// A response with `body` as plain text; `head` keeps the headers, drops the body.
fn plain(status: StatusCode, body: impl Into<Bytes>, head: bool) -> Response<ResponseBody> {
    let body = body.into();
    let mut response = Response::new(Full::new(if head { Bytes::new() } else { body.clone() }));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, TEXT_PLAIN);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    response
}

/// 200 with the exposition; for `HEAD`, the same headers and no body.
pub(crate) fn exposition(
    format: Format,
    exposition: Exposition,
    head: bool,
) -> Response<ResponseBody> {
    let length = exposition.body.len();
    let body = if head { Bytes::new() } else { exposition.body };
    let mut response = Response::new(Full::new(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    // Caches in between must not hand one scraper's format or coding to another.
    headers.insert(header::VARY, HeaderValue::from_static("Accept, Accept-Encoding"));
    if exposition.gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

/// 200 from the health path.
pub(crate) fn healthy(head: bool) -> Response<ResponseBody> {
    plain(StatusCode::OK, "OK\n", head)
}

/// 404 for a path the server does not serve.
pub(crate) fn not_found(head: bool) -> Response<ResponseBody> {
    plain(
        StatusCode::NOT_FOUND,
        "not found: this server answers only its metrics and health paths\n",
        head,
    )
}

/// 405 for a method other than `GET` and `HEAD`, with `Allow`.
pub(crate) fn method_not_allowed() -> Response<ResponseBody> {
    let mut response =
        plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed: use GET or HEAD\n", false);
    response.headers_mut().insert(header::ALLOW, ALLOW);
    response
}

/// 401 with the challenge; nothing of what the client sent is echoed.
pub(crate) fn unauthorized(challenge: HeaderValue, head: bool) -> Response<ResponseBody> {
    let mut response = plain(StatusCode::UNAUTHORIZED, "authentication required\n", head);
    response.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
    response
}

/// 503 when every scrape slot is taken, with `Retry-After`.
pub(crate) fn busy(head: bool) -> Response<ResponseBody> {
    let mut response = plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "too many scrapes in progress; retry shortly\n",
        head,
    );
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// 503 when the collection outlived its time limit.
pub(crate) fn timed_out(limit: Duration, head: bool) -> Response<ResponseBody> {
    let body = format!(
        "the scrape took longer than its {:.3} s limit; raise `scrape_timeout` (and Prometheus' \
         `scrape_timeout`) or find the slow collector\n",
        limit.as_secs_f64()
    );
    let mut response = plain(StatusCode::SERVICE_UNAVAILABLE, body, head);
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// 500 when the collection panicked.
pub(crate) fn collection_panicked(head: bool) -> Response<ResponseBody> {
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "collecting the metrics panicked; see the service's standard error\n",
        head,
    )
}
