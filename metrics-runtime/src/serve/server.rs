//! [`MetricsServer`]: a bound listener that serves scrapes, awaited or spawned,
//! with graceful shutdown.

use core::future::{Future, pending};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};

use super::builder::MetricsServerBuilder;
use super::connection;
use super::error::ServeError;
use super::limits::Limits;
use super::race::{First, first};
use super::service::MetricsService;

/// A `/metrics` endpoint listening on its own address.
///
/// ```
/// use metrics_runtime::serve::MetricsServer;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), metrics_runtime::serve::ServeError> {
/// let server = MetricsServer::builder().bind("127.0.0.1:0").await?;
/// println!("scrape http://{}/metrics", server.local_addr());
/// let handle = server.spawn();
/// // ... the application runs ...
/// handle.shutdown().await;
/// # Ok(())
/// # }
/// ```
///
/// Or, in a program that only serves metrics:
/// `server.with_graceful_shutdown(async { tokio::signal::ctrl_c().await.ok(); }).await`.
#[derive(Debug)]
pub struct MetricsServer {
    listener: TcpListener,
    local_addr: SocketAddr,
    service: MetricsService,
    http: Arc<http1::Builder>,
    max_connections: usize,
    shutdown_timeout: Duration,
    /// The TLS acceptor and the time a handshake may take.
    #[cfg(feature = "tls")]
    tls: Option<(super::tls::Acceptor, Duration)>,
}

impl MetricsServer {
    /// Starts configuring a server; every setting has a default.
    pub fn builder() -> MetricsServerBuilder {
        MetricsServerBuilder::default()
    }

    pub(crate) fn new(
        listener: TcpListener,
        service: MetricsService,
        limits: Limits,
    ) -> Result<Self, ServeError> {
        let local_addr = listener.local_addr().map_err(|source| ServeError::Bind {
            address: SocketAddr::from(([0, 0, 0, 0], 0)),
            source,
        })?;
        Ok(Self {
            listener,
            local_addr,
            service,
            http: connection::http1(&limits),
            max_connections: limits.max_connections,
            shutdown_timeout: limits.shutdown_timeout,
            #[cfg(feature = "tls")]
            tls: None,
        })
    }

    /// Serves HTTPS: every connection starts with a TLS handshake, which must end
    /// within `handshake_timeout`.
    #[cfg(feature = "tls")]
    pub(crate) fn with_tls(
        mut self,
        acceptor: super::tls::Acceptor,
        handshake_timeout: Duration,
    ) -> Self {
        self.tls = Some((acceptor, handshake_timeout));
        self
    }

    /// The address listened on, with the port chosen when bound to port 0.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until the future is dropped.
    pub async fn serve(self) {
        self.with_graceful_shutdown(pending::<()>()).await;
    }

    /// Serves until `signal` completes, then stops accepting, lets responses in
    /// progress finish (for up to the builder's `shutdown_timeout`) and returns.
    pub async fn with_graceful_shutdown<F: Future>(self, signal: F) {
        let (stop, stopped) = watch::channel(());
        let mut connections = JoinSet::new();
        let mut signal = core::pin::pin!(signal);
        let open = Arc::new(Semaphore::new(self.max_connections));
        loop {
            // At the limit, accept nothing until a connection closes: new ones wait
            // in the kernel's backlog and the process's descriptors stay bounded.
            let permit = match first(open.clone().acquire_owned(), signal.as_mut()).await {
                First::Left(Ok(permit)) => permit,
                // The semaphore is never closed; were it, serving would be over.
                First::Left(Err(_)) | First::Right(_) => break,
            };
            match first(self.listener.accept(), signal.as_mut()).await {
                First::Left(Ok((stream, _peer))) => {
                    // Expositions are written whole; no reason to wait for more to send.
                    let _ = stream.set_nodelay(true);
                    let (http, service, stopped) =
                        (self.http.clone(), self.service.clone(), stopped.clone());
                    #[cfg(feature = "tls")]
                    if let Some((acceptor, limit)) = &self.tls {
                        let handshake = tokio::time::timeout(*limit, acceptor.0.accept(stream));
                        connections.spawn(async move {
                            let _open = permit;
                            // A failed or stalled handshake ends only this connection.
                            if let Ok(Ok(stream)) = handshake.await {
                                connection::serve(stream, http, service, stopped).await;
                            }
                        });
                        continue;
                    }
                    connections.spawn(async move {
                        let _open = permit;
                        connection::serve(stream, http, service, stopped).await;
                    });
                }
                // A connection that failed before it was accepted: only it is lost.
                First::Left(Err(error)) if lost_one_connection(&error) => {}
                First::Left(Err(_)) => {
                    // Out of file descriptors or memory, most likely: accepting again
                    // at once would spin. Pause, still listening for the signal.
                    let pause = tokio::time::sleep(Duration::from_millis(100));
                    if let First::Right(_) = first(pause, signal.as_mut()).await {
                        break;
                    }
                }
                First::Right(_) => break,
            }
            while connections.try_join_next().is_some() {}
        }
        drop(self.listener);
        let _ = stop.send(());
        let drained = async { while connections.join_next().await.is_some() {} };
        if tokio::time::timeout(self.shutdown_timeout, drained).await.is_err() {
            connections.shutdown().await;
        }
    }

    /// Serves on a task of its own; the handle stops it. Dropping the handle leaves
    /// the server running for the life of the runtime.
    pub fn spawn(self) -> ServerHandle {
        let local_addr = self.local_addr;
        let (stop, stopped) = oneshot::channel::<()>();
        let signal = async move {
            // A dropped handle is not a signal.
            if stopped.await.is_err() {
                pending::<()>().await;
            }
        };
        let task = tokio::spawn(self.with_graceful_shutdown(signal));
        ServerHandle { local_addr, stop, task }
    }
}

/// A [`MetricsServer`] running on its own task.
#[derive(Debug)]
pub struct ServerHandle {
    local_addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Shuts the server down gracefully and waits until it has.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }

    /// Whether the server task has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

/// Errors of `accept` that concern one connection, not the listener.
fn lost_one_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}
