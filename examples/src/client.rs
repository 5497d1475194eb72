//! A simulated client of an axum application: requests go through the router and
//! its middleware with `oneshot`, no socket, and a client that stops waiting drops
//! its request, as a real one closing its connection would.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use tower::ServiceExt;

/// How a simulated request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// The whole response arrived, with this status.
    Status(StatusCode),
    /// The client stopped waiting and dropped the request: the middleware records
    /// it as `cancelled`, `#[timed]` handlers as `outcome="cancelled"`.
    GaveUp,
}

/// Sends `method uri` with `body` to `app` and reads the whole response, giving up
/// after `patience`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::time::Duration;
/// use axum::{Router, http::{Method, StatusCode}, routing::get};
/// use examples::{Reply, send};
///
/// let app = Router::new()
///     .route("/fast", get(|| async { "ok" }))
///     .route("/slow", get(std::future::pending::<&'static str>));
/// let patience = Duration::from_millis(50);
/// assert_eq!(send(&app, Method::GET, "/fast", "", patience).await, Reply::Status(StatusCode::OK));
/// assert_eq!(send(&app, Method::GET, "/slow", "", patience).await, Reply::GaveUp);
/// # }
/// ```
pub async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    body: impl Into<Body>,
    patience: Duration,
) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .body(body.into())
        .expect("the examples' URIs are valid");
    let exchange = async {
        let response = app.clone().oneshot(request).await.unwrap_or_else(|e| match e {});
        let status = response.status();
        // Read to the end: a streamed body's size is observed when it ends.
        let _ = axum::body::to_bytes(response.into_body(), usize::MAX).await;
        status
    };
    match tokio::time::timeout(patience, exchange).await {
        Ok(status) => Reply::Status(status),
        Err(_) => Reply::GaveUp,
    }
}
