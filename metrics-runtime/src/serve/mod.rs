//! The `/metrics` endpoint: hyper's HTTP/1 on tokio (feature `server`, on by default).
//!
//! ```no_run
//! use metrics_runtime::serve::MetricsServer;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), metrics_runtime::serve::ServeError> {
//!     MetricsServer::builder().bind("0.0.0.0:9898").await?.serve().await;
//!     Ok(())
//! }
//! ```
//!
//! What it answers:
//!
//! | request | answer |
//! |---|---|
//! | `GET` the metrics path (`/metrics`) | 200, the exposition in the format `Accept` asks for (Prometheus text 0.0.4 or OpenMetrics 1.0.0), gzip when `Accept-Encoding` allows it |
//! | `HEAD` of either path | the same headers, no body |
//! | `GET` the health path (`/health`, or none) | 200 `OK`, without authentication |
//! | another method | 405 with `Allow: GET, HEAD` |
//! | another path | 404 |
//! | no or wrong credentials, when [`basic_auth`](MetricsServerBuilder::basic_auth) or [`bearer`](MetricsServerBuilder::bearer) is set | 401 with `WWW-Authenticate` |
//! | a request head over [`max_header_bytes`](MetricsServerBuilder::max_header_bytes) | 431, connection closed |
//! | all [`max_concurrent_scrapes`](MetricsServerBuilder::max_concurrent_scrapes) slots taken | 503 with `Retry-After: 1` |
//! | a collection over [`scrape_timeout`](MetricsServerBuilder::scrape_timeout) | 503 (a slow collector, ours or an attached `prometheus` one, keeps its slot until it returns) |
//! | a collection that panics (a user collector) | 500; nothing is poisoned and the next scrape collects afresh |
//! | a malformed request | 400 from hyper, connection closed |
//!
//! With the `tls` feature, [`tls_pem`](MetricsServerBuilder::tls_pem) or
//! [`tls_config`](MetricsServerBuilder::tls_config) makes it serve HTTPS (rustls,
//! TLS 1.2 and 1.3); a handshake must end within the header read timeout.
//!
//! At most [`max_connections`](MetricsServerBuilder::max_connections) connections are
//! held open; beyond, new ones wait in the listen backlog until one closes. An
//! `accept` that fails for want of file descriptors or memory (`EMFILE`, `ENFILE`,
//! `ENOMEM`) is retried after a pause: the server never exits on it.
//!
//! A connection that sends no complete head within
//! [`header_read_timeout`](MetricsServerBuilder::header_read_timeout) (after opening or
//! after its previous response) is closed. Collection runs on tokio's blocking pool,
//! so a large registry never stalls the runtime's workers.
//!
//! To serve the metrics from an existing hyper or axum application instead, take
//! the [`MetricsService`] from [`MetricsServerBuilder::service`].

mod auth;
mod builder;
mod connection;
mod error;
#[cfg(test)]
mod fuzz;
mod gzip;
mod limits;
mod negotiate;
mod race;
mod response;
mod scrape;
mod scrape_memory;
mod server;
mod service;
#[cfg(feature = "tls")]
mod tls;

pub use builder::MetricsServerBuilder;
pub use error::ServeError;
pub use limits::{
    DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONCURRENT_SCRAPES, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_HEADER_BYTES, DEFAULT_SCRAPE_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT,
};
pub use response::ResponseBody;
pub use scrape::RegistryRef;
pub use server::{MetricsServer, ServerHandle};
pub use service::{MetricsService, ServiceFuture};
/// The rustls crate the server uses (feature `tls`), to build a
/// [`ServerConfig`](rustls::ServerConfig) for
/// [`MetricsServerBuilder::tls_config`].
#[cfg(feature = "tls")]
pub use tokio_rustls::rustls;
