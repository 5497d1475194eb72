//! The layer and its builder: names, buckets and label options are resolved here,
//! once, and the families registered.

use std::panic::Location;
use std::sync::Arc;

use tower_layer::Layer;

use super::HttpFamily;
use super::families::{DEFAULT_DESCRIPTORS, DEFAULT_MAX_ROUTES, HttpMetrics, ROUTE_INDEX};
use super::normalize::PathNormalizer;
use super::route::Routes;
use super::service::HttpMetricsService;
use crate::descriptor::{BucketsError, FamilyDescriptor, SourceLocation, check_buckets};
use crate::registry::{Registry, RegistryError, default_registry};

/// A tower [`Layer`] that records HTTP request metrics: counts, durations, body
/// sizes and requests in flight, by method, route and status. See the
/// [module docs](super) for the families and labels.
///
/// Build it once and clone it (a clone shares the families); each build registers
/// its families, so a second build into the same registry with the same names is
/// refused.
///
/// ```
/// use axum::{Router, extract::MatchedPath, routing::get};
/// use metrics_runtime::{Format, Registry, layer::HttpMetricsLayer};
/// use tower::ServiceExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let registry = Registry::new();
/// let app = Router::new()
///     .route("/users/{id}", get(|| async { "alice" }))
///     .layer(
///         HttpMetricsLayer::builder()
///             .route_template(MatchedPath::as_str)
///             .registry(&registry)
///             .build()?,
///     );
///
/// let request = http::Request::get("/users/7").body(axum::body::Body::empty())?;
/// app.oneshot(request).await?;
///
/// let text = registry.encode_to_string(Format::Text);
/// assert!(text.contains(r#"http_requests_total{method="GET",route="/users/{id}",status="200"} 1"#));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct HttpMetricsLayer {
    metrics: Arc<HttpMetrics>,
}

impl HttpMetricsLayer {
    /// Starts a layer with the default names and buckets, exact statuses, routes
    /// from axum's `MatchedPath` with the `axum` feature (else every route
    /// `unmatched` until a route source is given), registered in the
    /// [`default_registry`].
    pub fn builder<'r>() -> HttpMetricsBuilder<'r> {
        HttpMetricsBuilder {
            registry: None,
            prefix: None,
            names: Default::default(),
            duration_buckets: None,
            size_buckets: None,
            max_routes: DEFAULT_MAX_ROUTES,
            status_class: false,
            exemplars: false,
            routes: Routes::new(),
        }
    }

    /// The descriptor `family` was registered with: its final name and buckets.
    pub fn descriptor(&self, family: HttpFamily) -> &'static FamilyDescriptor {
        self.metrics.descriptors[family as usize]
    }
}

impl<S> Layer<S> for HttpMetricsLayer {
    type Service = HttpMetricsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HttpMetricsService::new(inner, self.metrics.clone())
    }
}

/// Why [`HttpMetricsBuilder::build`] failed. Nothing is registered then.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The registry refused the families: a name taken by another family of the
    /// binary or of the registry (a second layer: give it a [`prefix`]), or not a
    /// valid metric name.
    ///
    /// [`prefix`]: HttpMetricsBuilder::prefix
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// Histogram bounds that are empty, not finite or not ascending.
    #[error("buckets of the HTTP family `{family}`: {source}")]
    Buckets {
        /// The family's default name.
        family: &'static str,
        /// What is wrong with them.
        source: BucketsError,
    },
}

/// Options of an [`HttpMetricsLayer`], from [`HttpMetricsLayer::builder`].
///
/// ```
/// use metrics_runtime::Registry;
/// use metrics_runtime::layer::{HttpFamily, HttpMetricsLayer, PathNormalizer};
///
/// let registry = Registry::new();
/// let layer = HttpMetricsLayer::builder()
///     .normalize_paths(PathNormalizer::new()) // no router templates: `/users/{id}` from `/users/7`
///     .prefix("aster")
///     .name(HttpFamily::Duration, "latency")
///     .status_class(true)
///     .duration_buckets(&[0.01, 0.1, 1.0])
///     .max_routes(100)
///     .registry(&registry)
///     .build()?;
/// assert_eq!(layer.descriptor(HttpFamily::Duration).name, "aster_latency_seconds");
/// assert_eq!(layer.descriptor(HttpFamily::Requests).name, "aster_http_requests");
/// # Ok::<(), metrics_runtime::layer::BuildError>(())
/// ```
#[derive(Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct HttpMetricsBuilder<'r> {
    registry: Option<&'r Registry>,
    prefix: Option<String>,
    names: [Option<String>; 5],
    duration_buckets: Option<Vec<f64>>,
    size_buckets: Option<Vec<f64>>,
    max_routes: usize,
    status_class: bool,
    exemplars: bool,
    routes: Routes,
}

impl<'r> HttpMetricsBuilder<'r> {
    /// Takes the `route` label from a `T` that the router puts in the request's
    /// extensions, read with `as_str`: with axum, `.route_template(MatchedPath::as_str)`
    /// (the layer added with `Router::layer`), which is the default with the `axum`
    /// feature. Requests without one are `unmatched`, or normalised if
    /// [`normalize_paths`](Self::normalize_paths) is set.
    pub fn route_template<T: Send + Sync + 'static>(mut self, as_str: fn(&T) -> &str) -> Self {
        self.routes.set_template(as_str);
        self
    }

    /// Takes the `route` label from the request path, with identifiers replaced by
    /// placeholders; for routers without templates. Use it with care: paths the
    /// normaliser does not recognise become routes of their own, up to
    /// [`max_routes`](Self::max_routes).
    pub fn normalize_paths(mut self, normalizer: PathNormalizer) -> Self {
        self.routes.set_normalizer(normalizer);
        self
    }

    /// Labels statuses by class (`2xx`, `4xx`) instead of exact code.
    pub fn status_class(mut self, class: bool) -> Self {
        self.status_class = class;
        self
    }

    /// Keeps, in each bucket of the duration histogram, the trace id of the latest
    /// request that fell in it, as its exemplar (written in OpenMetrics only). The
    /// trace id is the one current when the response is ready: from
    /// [`set_trace_id_source`](crate::exemplar::set_trace_id_source), or with the
    /// `opentelemetry` feature from the current `tracing` span (add this layer
    /// inside the one that opens the request's span, e.g. tower-http's
    /// `TraceLayer`, so that the span is entered around it). Off by default; off, a
    /// request costs what it did before exemplars.
    ///
    /// ```
    /// use axum::{Router, routing::get};
    /// use metrics_runtime::exemplar::{self, TraceId};
    /// use metrics_runtime::{Format, Registry, layer::HttpMetricsLayer};
    /// use tower::ServiceExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// exemplar::set_trace_id_source(|| TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736"));
    /// let registry = Registry::new();
    /// let layer = HttpMetricsLayer::builder().exemplars(true).registry(&registry).build()?;
    /// let app = Router::new().route("/", get(|| async { "ok" })).layer(layer);
    /// app.oneshot(http::Request::get("/").body(axum::body::Body::empty())?).await?;
    ///
    /// let text = registry.encode_to_string(Format::OpenMetrics);
    /// assert!(text.contains(r#"le="0.005"} 1 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} "#));
    /// # Ok(())
    /// # }
    /// ```
    pub fn exemplars(mut self, on: bool) -> Self {
        self.exemplars = on;
        self
    }

    /// Prepends `prefix` and `_` to every family name: `aster` gives
    /// `aster_http_requests_total`.
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.prefix = Some(prefix.to_owned());
        self
    }

    /// Names `family` `name` instead of its default (the prefix still applies).
    /// A counter's trailing `_total` is dropped, since the encoders add it; a unit
    /// is appended when the name does not end with it (`latency` gives
    /// `latency_seconds`).
    pub fn name(mut self, family: HttpFamily, name: &str) -> Self {
        self.names[family as usize] = Some(name.to_owned());
        self
    }

    /// The duration histogram's upper bounds, in seconds (default: 5 ms to 10 s).
    pub fn duration_buckets(mut self, bounds: &[f64]) -> Self {
        self.duration_buckets = Some(bounds.to_vec());
        self
    }

    /// The request and response size histograms' upper bounds, in bytes (default:
    /// 64 B to 16 MiB by fours).
    pub fn size_buckets(mut self, bounds: &[f64]) -> Self {
        self.size_buckets = Some(bounds.to_vec());
        self
    }

    /// How many routes get series of their own (default 500); requests on further
    /// routes are recorded under `route="__overflow__"` and counted in
    /// `metrics_runtime_cardinality_overflow_total`.
    pub fn max_routes(mut self, max: usize) -> Self {
        self.max_routes = max.max(1);
        self
    }

    /// Registers into `registry` instead of the [`default_registry`].
    pub fn registry(mut self, registry: &'r Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Creates the families and registers them.
    ///
    /// With the default names, buckets and route limit the families are described
    /// by their [`catalogue`](crate::catalogue()) entries. Otherwise their
    /// descriptors are built here and kept for the life of the process (a few
    /// hundred bytes per build, as a declared family's would be), declared at the
    /// caller's location: a name that a `#[derive(Metrics)]` family of the binary
    /// also has is refused with [`RegistryError::DeclaredTwice`] naming both places.
    #[track_caller]
    pub fn build(self) -> Result<HttpMetricsLayer, BuildError> {
        let caller = Location::caller();
        let duration_buckets = checked(HttpFamily::Duration, self.duration_buckets.as_deref())?;
        let size_buckets = checked(HttpFamily::RequestSize, self.size_buckets.as_deref())?;
        let descriptors = HttpFamily::ALL.map(|family| {
            let buckets = match family {
                HttpFamily::Duration => duration_buckets,
                HttpFamily::RequestSize | HttpFamily::ResponseSize => size_buckets,
                HttpFamily::Requests | HttpFamily::InFlight => None,
            };
            self.descriptor(family, buckets, caller)
        });
        let route_index = match self.max_routes {
            DEFAULT_MAX_ROUTES => &ROUTE_INDEX,
            max_series => leak(FamilyDescriptor { max_series, ..ROUTE_INDEX }),
        };
        let metrics = HttpMetrics::new(
            descriptors,
            route_index,
            self.routes,
            self.status_class,
            self.exemplars,
        );
        let registry = match self.registry {
            Some(registry) => registry,
            None => default_registry(),
        };
        let metrics = registry.register(metrics)?;
        Ok(HttpMetricsLayer { metrics })
    }

    fn descriptor(
        &self,
        family: HttpFamily,
        buckets: Option<&'static [f64]>,
        caller: &'static Location<'static>,
    ) -> &'static FamilyDescriptor {
        let default = DEFAULT_DESCRIPTORS[family as usize];
        let name = self.full_name(family, default);
        if name == default.name && buckets.is_none() && self.max_routes == default.max_series {
            return default;
        }
        // A renamed family is declared where the layer is built, so that a clash
        // points there; one that keeps its name stays its catalogue entry.
        let (name, location) = if name == default.name {
            (default.name, default.location)
        } else {
            let location = SourceLocation {
                file: caller.file(),
                line: caller.line(),
                column: caller.column(),
                module: module_path!(),
            };
            (&*name.leak(), location)
        };
        leak(FamilyDescriptor {
            name,
            buckets: buckets.unwrap_or(default.buckets),
            max_series: self.max_routes,
            location,
            ..*default
        })
    }

    fn full_name(&self, family: HttpFamily, default: &FamilyDescriptor) -> String {
        let mut name = match &self.names[family as usize] {
            None => default.name.to_owned(),
            Some(name) => {
                let name = name.strip_suffix("_total").unwrap_or(name);
                let suffix = (!default.unit.is_empty()).then(|| format!("_{}", default.unit));
                match suffix {
                    Some(suffix) if !name.ends_with(&suffix) => format!("{name}{suffix}"),
                    _ => name.to_owned(),
                }
            }
        };
        if let Some(prefix) = &self.prefix {
            name = format!("{prefix}_{name}");
        }
        name
    }
}

/// Checks bounds given to the builder and keeps them for the life of the process.
fn checked(
    family: HttpFamily,
    bounds: Option<&[f64]>,
) -> Result<Option<&'static [f64]>, BuildError> {
    let Some(bounds) = bounds else { return Ok(None) };
    check_buckets(bounds)
        .map_err(|source| BuildError::Buckets { family: family.default_name(), source })?;
    Ok(Some(bounds.to_vec().leak()))
}

fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}
