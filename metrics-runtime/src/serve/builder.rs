//! [`MetricsServerBuilder`]: paths, authentication, limits, registry; then `bind`.

use std::fmt;
use std::io;
use std::time::Duration;

use tokio::net::{TcpListener, ToSocketAddrs};

use super::auth::Auth;
use super::error::ServeError;
use super::limits::Limits;
use super::scrape::RegistryRef;
use super::server::MetricsServer;
use super::service::MetricsService;

/// Configures a [`MetricsServer`]; every setting has a default. Made by
/// [`MetricsServer::builder`].
///
/// ```
/// use std::time::Duration;
/// use metrics_runtime::serve::MetricsServer;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), metrics_runtime::serve::ServeError> {
/// let server = MetricsServer::builder()
///     .path("/metrics")
///     .health(Some("/healthz"))
///     .basic_auth("prometheus", "correct horse battery staple")
///     .max_concurrent_scrapes(4)
///     .scrape_timeout(Duration::from_secs(5))
///     .bind("127.0.0.1:0")
///     .await?;
/// assert!(server.local_addr().ip().is_loopback());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct MetricsServerBuilder {
    path: String,
    health: Option<String>,
    auth: Result<Auth, (&'static str, &'static str)>,
    pub(crate) limits: Limits,
    registry: RegistryRef,
    process_metrics: bool,
    tokio_metrics: bool,
    /// The TLS configuration, or why the PEM given could not make one.
    #[cfg(feature = "tls")]
    tls: Option<Result<std::sync::Arc<tokio_rustls::rustls::ServerConfig>, String>>,
}

impl fmt::Debug for MetricsServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetricsServerBuilder")
            .field("path", &self.path)
            .field("health", &self.health)
            .field("auth", &self.auth.as_ref().map_err(|(setting, _)| setting))
            .field("limits", &self.limits)
            .field("process_metrics", &self.process_metrics)
            .field("tokio_metrics", &self.tokio_metrics)
            .field("tls", &self.tls())
            .finish_non_exhaustive()
    }
}

impl Default for MetricsServerBuilder {
    fn default() -> Self {
        Self {
            path: "/metrics".to_owned(),
            health: Some("/health".to_owned()),
            auth: Ok(Auth::Open),
            limits: Limits::default(),
            registry: RegistryRef::default(),
            process_metrics: false,
            tokio_metrics: false,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }
}

impl MetricsServerBuilder {
    /// The path of the exposition; `/metrics` by default.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// The health path, answered `200 OK` without authentication (load balancers and
    /// orchestrators probe it); `/health` by default, `None` for none.
    pub fn health(mut self, path: Option<&str>) -> Self {
        self.health = path.map(str::to_owned);
        self
    }

    /// Scrapes must send these Basic credentials (`basic_auth` in a Prometheus
    /// `scrape_config`). They are compared in constant time and never logged.
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.auth = Auth::basic(user, password).map_err(|reason| ("basic_auth", reason));
        self
    }

    /// Scrapes must send `Authorization: Bearer <token>` (`authorization` in a
    /// Prometheus `scrape_config`). Compared in constant time, never logged.
    pub fn bearer(mut self, token: &str) -> Self {
        self.auth = Auth::bearer(token).map_err(|reason| ("bearer", reason));
        self
    }

    /// Scrapes collected at once; beyond, `503` with `Retry-After: 1`.
    /// Default 8.
    pub fn max_concurrent_scrapes(mut self, max: usize) -> Self {
        self.limits.max_concurrent_scrapes = max;
        self
    }

    /// Connections held open at once (idle kept-alive ones included); at the limit
    /// the server accepts no more until one closes, and new ones wait in the
    /// operating system's listen backlog. Bounds the file descriptors an attacker
    /// can make the process hold. Default 1024.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.limits.max_connections = max;
        self
    }

    /// Time a connection has to send a request's headers, counted from when it
    /// opens or finishes its previous response: slow and idle connections are
    /// closed after it. Default 30 s, above Prometheus' default scrape interval so
    /// its kept-alive connection is reused.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// Time a collection may take; beyond, `503`. Prometheus' shorter
    /// `X-Prometheus-Scrape-Timeout-Seconds` is used when it sends one. Default 10 s.
    pub fn scrape_timeout(mut self, timeout: Duration) -> Self {
        self.limits.scrape_timeout = timeout;
        self
    }

    /// Largest request head (request line and headers) accepted; beyond, `431`.
    /// Default 8 KiB; at least 1 KiB.
    pub fn max_header_bytes(mut self, max: usize) -> Self {
        self.limits.max_header_bytes = max;
        self
    }

    /// On graceful shutdown, how long open connections get to finish; then they
    /// are dropped. Default 5 s.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.limits.shutdown_timeout = timeout;
        self
    }

    /// The registry to expose; the [`default_registry`](crate::default_registry) by
    /// default. Takes a `&'static Registry` or an `Arc<Registry>`.
    pub fn registry(mut self, registry: impl Into<RegistryRef>) -> Self {
        self.registry = registry.into();
        self
    }

    /// Also exposes the process families (CPU, memory, file descriptors, threads,
    /// start time) in the registry: [`Registry::expose_process_metrics`]. Off by
    /// default.
    ///
    /// [`Registry::expose_process_metrics`]: crate::Registry::expose_process_metrics
    pub fn process_metrics(mut self, expose: bool) -> Self {
        self.process_metrics = expose;
        self
    }

    /// Also exposes the tokio runtime families of the runtime serving the scrapes
    /// in the registry: [`Registry::expose_tokio_metrics`]. Off by default.
    ///
    /// [`Registry::expose_tokio_metrics`]: crate::Registry::expose_tokio_metrics
    pub fn tokio_metrics(mut self, expose: bool) -> Self {
        self.tokio_metrics = expose;
        self
    }

    /// Serves HTTPS with this PEM certificate chain (leaf first) and PEM private
    /// key (PKCS#8, PKCS#1 or SEC1): rustls with the ring provider, TLS 1.2 and
    /// 1.3 (feature `tls`). A chain or key that cannot be used is an error of
    /// [`bind`](Self::bind) that says why.
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use metrics_runtime::serve::MetricsServer;
    /// let server = MetricsServer::builder()
    ///     .tls_pem(&std::fs::read("cert.pem")?, &std::fs::read("key.pem")?)
    ///     .bind("0.0.0.0:9898")
    ///     .await?;
    /// # let _ = server;
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "tls")]
    pub fn tls_pem(mut self, cert_chain: &[u8], private_key: &[u8]) -> Self {
        self.tls = Some(super::tls::config_from_pem(cert_chain, private_key));
        self
    }

    /// Serves HTTPS with a rustls configuration of the caller's (client
    /// certificates, other providers); `http/1.1` is offered by ALPN if it offers
    /// nothing (feature `tls`).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use metrics_runtime::serve::{MetricsServer, rustls};
    ///
    /// let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    /// let provider = Arc::new(rustls::crypto::ring::default_provider());
    /// let config = rustls::ServerConfig::builder_with_provider(provider)
    ///     .with_safe_default_protocol_versions()?
    ///     .with_no_client_auth()
    ///     .with_single_cert(
    ///         vec![cert.cert.der().clone()],
    ///         rustls::pki_types::PrivateKeyDer::Pkcs8(cert.key_pair.serialize_der().into()),
    ///     )?;
    /// let builder = MetricsServer::builder().tls_config(Arc::new(config));
    /// # let _ = builder;
    /// # Ok::<(), rustls::Error>(())
    /// ```
    #[cfg(feature = "tls")]
    pub fn tls_config(
        mut self,
        config: std::sync::Arc<tokio_rustls::rustls::ServerConfig>,
    ) -> Self {
        self.tls = Some(Ok(config));
        self
    }

    /// Whether TLS is set, for `Debug` (the configuration holds the key).
    fn tls(&self) -> bool {
        #[cfg(feature = "tls")]
        return self.tls.is_some();
        #[cfg(not(feature = "tls"))]
        false
    }

    /// The handler alone, to mount in an existing hyper or axum application.
    pub fn service(self) -> Result<MetricsService, ServeError> {
        let invalid = |setting, reason: &str| ServeError::InvalidSetting {
            setting,
            reason: reason.to_owned(),
        };
        check_path(&self.path).map_err(|reason| invalid("path", reason))?;
        if let Some(health) = &self.health {
            check_path(health).map_err(|reason| invalid("health", reason))?;
            if *health == self.path {
                return Err(invalid("health", "the health path must differ from the metrics path"));
            }
        }
        self.limits
            .check()
            .map_err(|(setting, reason)| ServeError::InvalidSetting { setting, reason })?;
        let auth = self.auth.map_err(|(setting, reason)| invalid(setting, reason))?;
        #[cfg(feature = "tls")]
        if let Some(Err(reason)) = &self.tls {
            return Err(invalid("tls_pem", reason));
        }
        if self.process_metrics {
            self.registry.expose_process_metrics()?;
        }
        if self.tokio_metrics {
            self.registry.expose_tokio_metrics()?;
        }
        Ok(MetricsService::new(
            &self.path,
            self.health.as_deref(),
            auth,
            self.limits,
            self.registry,
        ))
    }

    /// Checks the settings and listens on `address`: an IPv4 or IPv6 address with
    /// a port (`"0.0.0.0:9898"`, `"[::1]:9898"`, a `SocketAddr`), or a host name
    /// with a port, bound to the first of its addresses that works. Port 0 picks a
    /// free port; [`MetricsServer::local_addr`] tells which.
    ///
    /// Must run inside a tokio runtime with IO and time enabled.
    pub async fn bind<A>(self, address: A) -> Result<MetricsServer, ServeError>
    where
        A: ToSocketAddrs + fmt::Debug,
    {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(ServeError::NoRuntime);
        }
        let limits = self.limits;
        #[cfg(feature = "tls")]
        let tls = self.tls.clone().and_then(Result::ok).map(super::tls::acceptor);
        let service = self.service()?;
        let shown = format!("{address:?}");
        let resolve = |source| ServeError::Resolve { address: shown.clone(), source };
        let mut last = None;
        for candidate in tokio::net::lookup_host(address).await.map_err(resolve)? {
            match TcpListener::bind(candidate).await {
                Ok(listener) => {
                    let server = MetricsServer::new(listener, service, limits)?;
                    #[cfg(feature = "tls")]
                    let server = match tls {
                        Some(acceptor) => server.with_tls(acceptor, limits.header_read_timeout),
                        None => server,
                    };
                    return Ok(server);
                }
                Err(source) => last = Some(ServeError::Bind { address: candidate, source }),
            }
        }
        Err(last.unwrap_or_else(|| {
            resolve(io::Error::new(io::ErrorKind::NotFound, "it resolved to no address"))
        }))
    }
}

/// An absolute path without query, fragment, spaces or control characters.
fn check_path(path: &str) -> Result<(), &'static str> {
    if !path.starts_with('/') {
        return Err("a path starts with `/`, such as `/metrics`");
    }
    if path.bytes().any(|b| b == b'?' || b == b'#' || !b.is_ascii_graphic()) {
        return Err(
            "a path holds no `?`, `#`, spaces or non-ASCII characters; percent-encode them",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_with_a_reason() {
        let error = |builder: MetricsServerBuilder| builder.service().unwrap_err().to_string();
        assert!(error(MetricsServerBuilder::default().path("metrics")).contains("`path`"));
        assert!(error(MetricsServerBuilder::default().path("/a b")).contains("`path`"));
        assert!(error(MetricsServerBuilder::default().health(Some("/metrics"))).contains("differ"));
        assert!(error(MetricsServerBuilder::default().bearer("a b")).contains("`bearer`"));
        assert!(
            error(MetricsServerBuilder::default().basic_auth("a:b", "")).contains("`basic_auth`")
        );
        assert!(
            error(MetricsServerBuilder::default().max_concurrent_scrapes(0)).contains("at least 1")
        );
        assert!(MetricsServerBuilder::default().health(None).service().is_ok());
    }

    #[test]
    fn debug_hides_credentials() {
        let shown = format!("{:?}", MetricsServerBuilder::default().basic_auth("u", "hunter2"));
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[tokio::test]
    async fn a_taken_port_is_a_bind_error_that_says_what_to_do() {
        let first = MetricsServerBuilder::default().bind("127.0.0.1:0").await.unwrap();
        let taken = first.local_addr();
        let error = MetricsServerBuilder::default().bind(taken).await.unwrap_err();
        assert!(matches!(error, ServeError::Bind { address, .. } if address == taken));
        assert!(error.to_string().contains("port 0"), "{error}");
        let error = MetricsServerBuilder::default().bind("no port given").await.unwrap_err();
        // Refused before any name lookup: nothing leaves the machine.
        assert!(matches!(error, ServeError::Resolve { .. }), "{error}");
    }
}
