//! One accepted connection (plain TCP, or TLS with the `tls` feature), served by
//! hyper's HTTP/1 until it ends or the server shuts down.

use std::sync::Arc;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;

use super::limits::Limits;
use super::race::{First, first};
use super::service::MetricsService;

/// hyper's HTTP/1 settings from the server's limits.
pub(crate) fn http1(limits: &Limits) -> Arc<http1::Builder> {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        // Started when a connection opens and again after each response, so it
        // closes idle kept-alive connections as well as slow senders.
        .header_read_timeout(limits.header_read_timeout)
        // A complete head longer than this is refused with 431...
        .max_header_size(limits.max_header_bytes)
        // ...and so is an incomplete one once it fills the read buffer (hyper's
        // smallest is 8 KiB).
        .max_buf_size(limits.max_header_bytes.max(8192))
        .keep_alive(true);
    Arc::new(http)
}

/// Serves `stream` until the client is done, a limit closes it, or `stop` fires;
/// then lets the response in progress finish. Errors are the client's (a reset,
/// a malformed request, a timeout) and end only this connection.
pub(crate) async fn serve<S>(
    stream: S,
    http: Arc<http1::Builder>,
    service: MetricsService,
    mut stop: watch::Receiver<()>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let connection = http.serve_connection(TokioIo::new(stream), service);
    let mut connection = core::pin::pin!(connection);
    if let First::Left(_) = first(connection.as_mut(), stop.changed()).await {
        return;
    }
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
}
