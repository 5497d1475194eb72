//! The request handler: routing, method, authentication, scrape slots, then the
//! exposition in the negotiated format and coding.

use core::convert::Infallible;
use core::future::Future;
use core::pin::Pin;
use std::sync::Arc;

use hyper::header::{self, HeaderMap};
use hyper::http::request::Parts;
use hyper::{Method, Request, Response};

use super::auth::Auth;
use super::limits::{Limits, ScrapeSlots};
use super::negotiate::accepts_gzip;
use super::response::{self, ResponseBody};
use super::scrape::{RegistryRef, ScrapeFailure, scrape};
use super::scrape_memory::ScrapeMemory;
use crate::encode::Format;

/// Prometheus' header saying how long it will wait for this scrape.
const PROMETHEUS_SCRAPE_TIMEOUT: &str = "x-prometheus-scrape-timeout-seconds";

/// Answers scrapes: the server's whole behaviour as a hyper
/// [`Service`](hyper::service::Service), to mount in an application that already
/// runs hyper or axum instead of giving metrics a listener of their own.
///
/// It answers the builder's metrics and health paths itself (404 for any other), so
/// mount it at those paths. The request body is never read. Cloning is cheap and
/// clones share the scrape slots.
///
/// ```
/// use metrics_runtime::serve::MetricsServer;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let service = MetricsServer::builder().path("/internal/metrics").service()?;
/// let request = hyper::Request::get("/internal/metrics").body(())?;
/// let response = service.handle(request).await;
/// assert_eq!(response.status(), 200);
///
/// // In axum, as a route of the application's router:
/// use axum::{Router, extract::Request, routing::get};
/// let app: Router = Router::new()
///     .route("/internal/metrics", get(move |request: Request| service.handle(request)));
/// # let _ = app;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct MetricsService {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    metrics_path: Box<str>,
    health_path: Option<Box<str>>,
    auth: Auth,
    limits: Limits,
    slots: ScrapeSlots,
    registry: RegistryRef,
    /// The buffers scrapes reuse.
    memory: Arc<ScrapeMemory>,
}

impl MetricsService {
    pub(crate) fn new(
        metrics_path: &str,
        health_path: Option<&str>,
        auth: Auth,
        limits: Limits,
        registry: RegistryRef,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                metrics_path: metrics_path.into(),
                health_path: health_path.map(Into::into),
                auth,
                limits,
                slots: ScrapeSlots::new(limits.max_concurrent_scrapes),
                registry,
                memory: Arc::default(),
            }),
        }
    }

    /// Answers one request. Only its head is used; the body is dropped at once.
    pub fn handle<B>(
        &self,
        request: Request<B>,
        // `use<B>`: the future borrows nothing from `self`, so a closure can return
        // it (`move |request| service.handle(request)`, an axum handler).
    ) -> impl Future<Output = Response<ResponseBody>> + Send + 'static + use<B> {
        let (parts, _body) = request.into_parts();
        let shared = self.shared.clone();
        async move { shared.respond(parts).await }
    }
}

impl Shared {
    async fn respond(&self, parts: Parts) -> Response<ResponseBody> {
        let head = parts.method == Method::HEAD;
        let readable = head || parts.method == Method::GET;
        let path = parts.uri.path();
        if self.health_path.as_deref() == Some(path) {
            return if readable { response::healthy(head) } else { response::method_not_allowed() };
        }
        if path != &*self.metrics_path {
            return response::not_found(head);
        }
        if !readable {
            return response::method_not_allowed();
        }
        if let Some(challenge) = self.auth.challenge()
            && !self.auth.allows(parts.headers.get_all(header::AUTHORIZATION).iter())
        {
            return response::unauthorized(challenge, head);
        }
        let Some(slot) = self.slots.try_take() else {
            return response::busy(head);
        };
        let format = Format::from_accept(joined(&parts.headers, header::ACCEPT).as_deref());
        let gzip = accepts_gzip(
            parts.headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()),
        );
        let timeout = self.limits.scrape_timeout_for(parts.headers.get(PROMETHEUS_SCRAPE_TIMEOUT));
        let scraped =
            scrape(self.registry.clone(), format, gzip, self.memory.clone(), slot, timeout).await;
        match scraped {
            Ok(exposition) => response::exposition(format, exposition, head),
            Err(ScrapeFailure::TimedOut(limit)) => response::timed_out(limit, head),
            Err(ScrapeFailure::Panicked) => response::collection_panicked(head),
        }
    }
}

/// Every value of a repeated header as one comma-separated list (RFC 9110 §5.3),
/// leaving out values that are not visible ASCII.
fn joined(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    let mut values = headers.get_all(name).iter().filter_map(|v| v.to_str().ok());
    let first = values.next()?;
    Some(values.fold(first.to_owned(), |mut all, v| {
        all.push(',');
        all.push_str(v);
        all
    }))
}

/// The boxed future of [`MetricsService`] as a hyper service.
pub type ServiceFuture =
    Pin<Box<dyn Future<Output = Result<Response<ResponseBody>, Infallible>> + Send>>;

impl<B> hyper::service::Service<Request<B>> for MetricsService {
    type Response = Response<ResponseBody>;
    type Error = Infallible;
    type Future = ServiceFuture;

    fn call(&self, request: Request<B>) -> Self::Future {
        let response = self.handle(request);
        Box::pin(async move { Ok(response.await) })
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt as _;
    use hyper::body::Bytes;

    use super::*;
    use crate::process::BuildInfo;
    use crate::registry::Registry;
    use crate::serve::MetricsServer;

    /// The body of one scrape of `/metrics`, as hyper would take it to send.
    async fn scrape(service: &MetricsService, gzip: bool) -> Bytes {
        let mut request = Request::get("/metrics");
        if gzip {
            request = request.header(header::ACCEPT_ENCODING, "gzip");
        }
        let response = service.handle(request.body(()).unwrap()).await;
        assert_eq!(response.status(), 200);
        let frame = response.into_body().frame().await.unwrap().unwrap();
        frame.into_data().unwrap()
    }

    #[tokio::test]
    async fn a_scrape_sends_the_buffer_the_last_one_sent() {
        let registry = Arc::new(Registry::new());
        registry.expose_build_info(BuildInfo::new("service", "1.0.0")).unwrap();
        let service = MetricsServer::builder().registry(registry).service().unwrap();
        for gzip in [false, true] {
            let first = scrape(&service, gzip).await;
            let address = first.as_ptr();
            let held = scrape(&service, gzip).await;
            assert_ne!(held.as_ptr(), address, "a scrape while the first is out has its own");
            drop((first, held));
            let again = scrape(&service, gzip).await;
            assert_eq!(again.as_ptr(), address, "gzip {gzip}: the buffer came back and is reused");
        }
    }
}
