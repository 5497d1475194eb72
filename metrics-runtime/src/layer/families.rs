//! The middleware's five families: their catalogue entries, and the per-route
//! storage they are read from.
//!
//! One [`DynFamily`] keyed by route holds everything about a route, so a request
//! costs one route lookup, not one per family; methods and statuses below a route
//! are dense or lock-free. The five exposed families are views of that index.

use std::sync::{Arc, OnceLock};

use super::HttpFamily;
use super::labels::{METHODS, StatusKey};
use super::route::Routes;
use crate::collect::{CollectFamily, SeriesSink, Value};
use crate::descriptor::{FamilyDescriptor, LabelKind, MetricKind};
use crate::label::{DynFamily, LabelValues};
use crate::metric::{BucketExemplars, Counter, DEFAULT_BUCKETS, Gauge, Histogram, Metric};
use crate::metrics::Metrics;

/// How many routes have series of their own by default; later ones are folded into
/// `route="__overflow__"`.
pub(crate) const DEFAULT_MAX_ROUTES: usize = 500;

/// Request and response size buckets, in bytes: 64 B to 16 MiB, by fours.
pub(crate) const SIZE_BUCKETS: &[f64] =
    &[64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0, 16777216.0];

const REQUEST_LABELS: &[&str] = &["method", "route", "status"];
const ROUTE_LABELS: &[&str] = &["method", "route"];

/// One catalogue entry. Written like `#[derive(Metrics)]` writes them: a `static`
/// in the link-time slice, so `catalogue()` lists the middleware's families in
/// every binary built with the feature, whether or not a layer is ever built.
macro_rules! http_family {
    (
        $static:ident: $kind:ident $name:literal, field $field:literal, unit $unit:literal,
        labels $labels:expr, buckets $buckets:expr, help $help:literal $(,)?
    ) => {
        #[linkme::distributed_slice(crate::catalogue::CATALOGUE)]
        static $static: FamilyDescriptor = FamilyDescriptor {
            name: $name,
            help: $help,
            kind: MetricKind::$kind,
            unit: $unit,
            label_kind: LabelKind::Dynamic,
            label_names: $labels,
            const_labels: &[],
            buckets: $buckets,
            native: None,
            max_series: DEFAULT_MAX_ROUTES,
            struct_name: "HttpMetricsLayer",
            field_name: $field,
            location: crate::source_location!(),
            objective: None,
        };
    };
}

http_family! {
    REQUESTS: Counter "http_requests", field "requests", unit "",
    labels REQUEST_LABELS, buckets &[],
    help "HTTP requests by method, route and status; `cancelled` when the client went away before the response.",
}
http_family! {
    DURATION: Histogram "http_request_duration_seconds", field "duration", unit "seconds",
    labels ROUTE_LABELS, buckets DEFAULT_BUCKETS,
    help "Time from an HTTP request's arrival to its response headers, by method and route.",
}
http_family! {
    REQUEST_SIZE: Histogram "http_request_size_bytes", field "request_size", unit "bytes",
    labels ROUTE_LABELS, buckets SIZE_BUCKETS,
    help "HTTP request body sizes, by method and route, when known up front.",
}
http_family! {
    RESPONSE_SIZE: Histogram "http_response_size_bytes", field "response_size", unit "bytes",
    labels ROUTE_LABELS, buckets SIZE_BUCKETS,
    help "HTTP response body sizes, by method and route.",
}
http_family! {
    IN_FLIGHT: Gauge "http_requests_in_flight", field "in_flight", unit "",
    labels ROUTE_LABELS, buckets &[],
    help "HTTP requests received whose response has not started, by method and route.",
}

/// The catalogue entries, in [`HttpFamily`] order.
pub(crate) static DEFAULT_DESCRIPTORS: [&FamilyDescriptor; 5] =
    [&REQUESTS, &DURATION, &REQUEST_SIZE, &RESPONSE_SIZE, &IN_FLIGHT];

/// The key of the route index: one label, `route`. Not in the catalogue (it is no
/// exposed family), it only carries the limit to the [`DynFamily`].
pub(crate) static ROUTE_INDEX: FamilyDescriptor = FamilyDescriptor {
    name: "http_routes",
    help: "",
    kind: MetricKind::Unknown,
    unit: "",
    label_kind: LabelKind::Dynamic,
    label_names: &["route"],
    const_labels: &[],
    buckets: &[],
    native: None,
    max_series: DEFAULT_MAX_ROUTES,
    struct_name: "HttpMetricsLayer",
    field_name: "routes",
    location: crate::source_location!(),
    objective: None,
};

/// The registered state of one layer: its families, and how requests get their
/// labels. Registered as a [`Metrics`] implementor, written by hand since its
/// descriptors are chosen at run time.
pub(crate) struct HttpMetrics {
    pub(crate) descriptors: [&'static FamilyDescriptor; 5],
    routes: DynFamily<RouteSlot>,
    pub(crate) route_of: Routes,
    pub(crate) status_class: bool,
    /// Whether each route's duration buckets keep the current trace id.
    pub(crate) exemplars: bool,
}

impl HttpMetrics {
    pub(crate) fn new(
        descriptors: [&'static FamilyDescriptor; 5],
        route_index: &'static FamilyDescriptor,
        route_of: Routes,
        status_class: bool,
        exemplars: bool,
    ) -> Self {
        let routes = DynFamily::for_family(route_index);
        Self { descriptors, routes, route_of, status_class, exemplars }
    }

    /// The series of `route` and method number `method`, created on first use.
    #[inline]
    pub(crate) fn series(&self, route: &str, method: usize) -> &Arc<RouteSeries> {
        self.routes.get(&[route]).methods[method]
            .get_or_init(|| Arc::new(RouteSeries::new(&self.descriptors, self.exemplars)))
    }
}

impl core::fmt::Debug for HttpMetrics {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HttpMetrics")
            .field("requests", &self.descriptors[0].name)
            .field("routes", &self.routes.len())
            .field("route_of", &self.route_of)
            .field("status_class", &self.status_class)
            .field("exemplars", &self.exemplars)
            .finish()
    }
}

impl Metrics for HttpMetrics {
    /// The families of a layer built with no option: default names and buckets,
    /// every route `unmatched`, exact statuses.
    fn new_unregistered() -> Self {
        Self::new(DEFAULT_DESCRIPTORS, &ROUTE_INDEX, Routes::default(), false, false)
    }

    fn for_each_family(
        &self,
        visit: &mut dyn FnMut(&'static FamilyDescriptor, &dyn CollectFamily),
    ) {
        for family in HttpFamily::ALL {
            visit(self.descriptors[family as usize], &FamilyView { metrics: self, family });
        }
    }
}

/// The routes' slots: one lazily created series set per method. Only read through
/// [`DynFamily::for_each_series`] by the [`FamilyView`]s.
#[derive(Default)]
struct RouteSlot {
    methods: [OnceLock<Arc<RouteSeries>>; METHODS.len()],
}

impl Metric for RouteSlot {
    /// Never written: a slot is no family of its own.
    const KIND: MetricKind = MetricKind::Unknown;

    crate::metric::kept_whole!();

    fn for_family(_: &'static FamilyDescriptor) -> Self {
        Self::default()
    }

    fn collect_series(&self, _: &LabelValues<'_>, _: &mut dyn SeriesSink) {}
}

/// Every series of one route and method. Shared (`Arc`) with the requests and
/// response bodies in flight, which record into it when they finish.
pub(crate) struct RouteSeries {
    pub(crate) in_flight: Gauge,
    pub(crate) statuses: StatusCounts,
    pub(crate) duration: Histogram,
    /// The duration buckets' exemplars, when the layer keeps them.
    duration_exemplars: Option<BucketExemplars>,
    pub(crate) request_size: Histogram,
    pub(crate) response_size: Histogram,
}

impl RouteSeries {
    fn new(descriptors: &[&'static FamilyDescriptor; 5], exemplars: bool) -> Self {
        let histogram = |family: HttpFamily| Histogram::for_family(descriptors[family as usize]);
        let duration = histogram(HttpFamily::Duration);
        Self {
            in_flight: Gauge::new(),
            statuses: StatusCounts::default(),
            duration_exemplars: exemplars.then(|| BucketExemplars::for_histogram(&duration)),
            duration,
            request_size: histogram(HttpFamily::RequestSize),
            response_size: histogram(HttpFamily::ResponseSize),
        }
    }

    /// Observes a request's duration, with the current trace id as the bucket's
    /// exemplar when the layer keeps them and there is one.
    #[inline]
    pub(crate) fn observe_duration(&self, seconds: f64) {
        match &self.duration_exemplars {
            None => self.duration.observe(seconds),
            Some(exemplars) => self.observe_duration_traced(exemplars, seconds),
        }
    }

    /// Kept out of line, so that a layer without exemplars inlines no more than
    /// the branch above.
    #[inline(never)]
    fn observe_duration_traced(&self, exemplars: &BucketExemplars, seconds: f64) {
        match crate::exemplar::current_trace_id() {
            Some(id) => exemplars.observe_trace_id(&self.duration, seconds, id),
            None => self.duration.observe(seconds),
        }
    }
}

impl core::fmt::Debug for RouteSeries {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RouteSeries")
            .field("in_flight", &self.in_flight.get())
            .field("requests", &self.duration.count())
            .finish_non_exhaustive()
    }
}

/// How many distinct statuses one route and method can have; more are folded into
/// `status="__overflow__"` (and counted as folded lookups of the family).
const STATUS_SLOTS: usize = 16;

/// Request counts by [`StatusKey`], lock-free: a slot's key is claimed once with a
/// compare-and-swap and never changes, so a count is a scan of a few keys (the
/// first slot is usually `200`) and one add.
#[derive(Default)]
pub(crate) struct StatusCounts {
    keys: [core::sync::atomic::AtomicU16; STATUS_SLOTS],
    counts: [Counter; STATUS_SLOTS],
    folded: Counter,
}

impl StatusCounts {
    #[inline]
    pub(crate) fn inc(&self, key: StatusKey) {
        use core::sync::atomic::Ordering::Relaxed;
        for (slot, count) in self.keys.iter().zip(&self.counts) {
            let seen = match slot.load(Relaxed) {
                0 => slot.compare_exchange(0, key.0, Relaxed, Relaxed).unwrap_or_else(|k| k),
                seen => seen,
            };
            // `0` here: the exchange succeeded, the slot is ours.
            if seen == key.0 || seen == 0 {
                count.inc();
                return;
            }
        }
        self.folded.inc();
    }

    /// The counted statuses, codes ascending, then those without a response.
    fn snapshot(&self) -> ([(StatusKey, u64); STATUS_SLOTS], usize) {
        use core::sync::atomic::Ordering::Relaxed;
        let mut out = [(StatusKey(0), 0); STATUS_SLOTS];
        let mut len = 0;
        for (slot, count) in self.keys.iter().zip(&self.counts) {
            let (key, count) = (slot.load(Relaxed), count.get());
            // A slot just claimed may not be counted yet: it shows from the next scrape.
            if key != 0 && count > 0 {
                out[len] = (StatusKey(key), count);
                len += 1;
            }
        }
        out[..len].sort_unstable_by_key(|(key, _)| *key);
        (out, len)
    }
}

/// One exposed family, read from the route index.
struct FamilyView<'a> {
    metrics: &'a HttpMetrics,
    family: HttpFamily,
}

impl CollectFamily for FamilyView<'_> {
    fn collect(&self, sink: &mut dyn SeriesSink) {
        let mut digits = itoa::Buffer::new();
        self.metrics.routes.for_each_series(|route, slot| {
            let route = route.values[0];
            for (method, series) in METHODS.iter().zip(&slot.methods) {
                let Some(series) = series.get() else { continue };
                let labels = LabelValues { names: ROUTE_LABELS, values: &[method, route] };
                match self.family {
                    HttpFamily::Requests => {
                        let (statuses, len) = series.statuses.snapshot();
                        for (key, count) in &statuses[..len] {
                            let values = [*method, route, key.label(&mut digits)];
                            let labels = LabelValues { names: REQUEST_LABELS, values: &values };
                            sink.counter(&labels, Value::UInt(*count));
                        }
                        let folded = series.statuses.folded.get();
                        if folded > 0 {
                            let values = [*method, route, crate::OVERFLOW_LABEL_VALUE];
                            let labels = LabelValues { names: REQUEST_LABELS, values: &values };
                            sink.counter(&labels, Value::UInt(folded));
                        }
                    }
                    HttpFamily::Duration => match &series.duration_exemplars {
                        None => series.duration.collect_series(&labels, sink),
                        Some(exemplars) => exemplars.collect(&series.duration, &labels, sink),
                    },
                    HttpFamily::RequestSize => series.request_size.collect_series(&labels, sink),
                    HttpFamily::ResponseSize => series.response_size.collect_series(&labels, sink),
                    HttpFamily::InFlight => series.in_flight.collect_series(&labels, sink),
                }
            }
        });
    }

    /// Requests whose route was folded, and for the request counter, those whose
    /// status was.
    fn folded(&self) -> u64 {
        let mut folded = self.metrics.routes.folded();
        if self.family == HttpFamily::Requests {
            self.metrics.routes.for_each_series(|_, slot| {
                folded += slot
                    .methods
                    .iter()
                    .filter_map(OnceLock::get)
                    .map(|s| s.statuses.folded.get())
                    .sum::<u64>();
            });
        }
        folded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_take_a_slot_each_then_fold() {
        let counts = StatusCounts::default();
        for code in (200..200 + STATUS_SLOTS as u16).rev() {
            counts.inc(StatusKey(code));
        }
        counts.inc(StatusKey(200));
        counts.inc(StatusKey(599));
        let (snapshot, len) = counts.snapshot();
        assert_eq!(len, STATUS_SLOTS);
        assert_eq!(snapshot[0], (StatusKey(200), 2));
        assert!(snapshot[..len].windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(counts.folded.get(), 1);
    }

    #[test]
    fn concurrent_first_counts_share_one_slot() {
        let counts = StatusCounts::default();
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    for i in 0..10_000u16 {
                        counts.inc(StatusKey(200 + i % 3));
                    }
                });
            }
        });
        let (snapshot, len) = counts.snapshot();
        let found: Vec<_> = snapshot[..len].iter().map(|(k, _)| k.0).collect();
        assert_eq!(found, [200, 201, 202]);
        assert_eq!(snapshot[..len].iter().map(|(_, n)| n).sum::<u64>(), 20_000);
    }

    #[test]
    fn catalogue_lists_the_defaults() {
        for descriptor in DEFAULT_DESCRIPTORS {
            let found = crate::catalogue().iter().find(|d| d.name == descriptor.name);
            assert_eq!(found.map(|d| d.location), Some(descriptor.location), "{}", descriptor.name);
        }
        assert!(!crate::catalogue().iter().any(|d| d.name == ROUTE_INDEX.name));
    }
}
