//! Our side of the benchmarks: the family descriptors, bucket bounds, label values and
//! the counting allocator that the bench targets share.
//!
//! The peer crates are dev-dependencies, reached only from the bench targets, so that
//! `cargo test --workspace` never builds them. The families here are declared by hand
//! (a `static FamilyDescriptor` and `for_family`), as `#[derive(Metrics)]` would.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use metrics_runtime::collect::CollectFamily;
use metrics_runtime::{
    Counter, DynFamily, FamilyDescriptor, Histogram, HistogramRef, LabelKind, Metric, MetricKind,
    Metrics, SourceLocation,
};

/// Series in the counter family that the encoding and memory benches create.
pub const COUNTER_SERIES: usize = 10_000;
/// Series in the histogram family that the encoding and memory benches create.
pub const HISTOGRAM_SERIES: usize = 1_000;

/// The sizes the growth bench measures: encode time, scrape time and memory at each.
pub const GROWTH_SERIES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];

/// Twelve bucket bounds in seconds (the `+Inf` bucket is implicit), used by every crate.
pub static BOUNDS: [f64; 12] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// Observations cycled through by the histogram benches: they land in different
/// buckets, the last one past every bound.
pub const OBSERVATIONS: [f64; 8] = [0.0003, 0.004, 0.02, 0.07, 0.2, 0.7, 2.0, 7.5];

/// Pre-warmed (route, method) pairs cycled through by the dynamic-label benches.
pub const ROUTE_METHODS: [[&str; 2]; 8] = [
    ["/api/v1/users", "GET"],
    ["/api/v1/users", "POST"],
    ["/api/v1/users/{id}", "GET"],
    ["/api/v1/users/{id}", "PUT"],
    ["/api/v1/orders", "GET"],
    ["/api/v1/orders", "POST"],
    ["/api/v1/orders/{id}", "GET"],
    ["/api/v1/orders/{id}", "DELETE"],
];

/// The label value of series number `i` of the encoding and memory families.
pub fn route(i: usize) -> String {
    format!("/api/v1/items/{i}")
}

const fn descriptor(
    name: &'static str,
    kind: MetricKind,
    label_kind: LabelKind,
    label_names: &'static [&'static str],
    buckets: &'static [f64],
    max_series: usize,
) -> FamilyDescriptor {
    FamilyDescriptor {
        name,
        help: "A benchmark family.",
        kind,
        unit: "",
        label_kind,
        label_names,
        const_labels: &[],
        buckets,
        native: None,
        max_series,
        struct_name: "Bench",
        field_name: name,
        location: SourceLocation { file: file!(), line: 0, column: 0, module: module_path!() },
        objective: None,
    }
}

/// A single counter.
pub static REQUESTS: FamilyDescriptor =
    descriptor("requests", MetricKind::Counter, LabelKind::None, &[], &[], 0);
/// A counter family labelled by two enums.
pub static REQUESTS_TYPED: FamilyDescriptor = descriptor(
    "requests_typed",
    MetricKind::Counter,
    LabelKind::Typed,
    &["method", "status"],
    &[],
    0,
);
/// A counter family labelled by two strings.
pub static REQUESTS_DYNAMIC: FamilyDescriptor = descriptor(
    "requests_dynamic",
    MetricKind::Counter,
    LabelKind::Dynamic,
    &["route", "method"],
    &[],
    0,
);
/// A single histogram.
pub static LATENCY: FamilyDescriptor =
    descriptor("latency", MetricKind::Histogram, LabelKind::None, &[], &BOUNDS, 0);
/// A histogram family labelled by two enums.
pub static LATENCY_TYPED: FamilyDescriptor = descriptor(
    "latency_typed",
    MetricKind::Histogram,
    LabelKind::Typed,
    &["method", "status"],
    &BOUNDS,
    0,
);
/// A histogram family labelled by two strings.
pub static LATENCY_DYNAMIC: FamilyDescriptor = descriptor(
    "latency_dynamic",
    MetricKind::Histogram,
    LabelKind::Dynamic,
    &["route", "method"],
    &BOUNDS,
    0,
);
/// The counter family of [`COUNTER_SERIES`] series, one `route` label each.
pub static ROUTE_COUNTERS: FamilyDescriptor = descriptor(
    "route_requests",
    MetricKind::Counter,
    LabelKind::Dynamic,
    &["route"],
    &[],
    COUNTER_SERIES,
);
/// The histogram family of [`HISTOGRAM_SERIES`] series, one `route` label each.
pub static ROUTE_HISTOGRAMS: FamilyDescriptor = descriptor(
    "route_latency_seconds",
    MetricKind::Histogram,
    LabelKind::Dynamic,
    &["route"],
    &BOUNDS,
    HISTOGRAM_SERIES,
);

/// The counter family of the growth bench, one `route` label, up to the largest of
/// [`GROWTH_SERIES`].
pub static GROWTH_COUNTERS: FamilyDescriptor = descriptor(
    "route_requests",
    MetricKind::Counter,
    LabelKind::Dynamic,
    &["route"],
    &[],
    GROWTH_SERIES[GROWTH_SERIES.len() - 1],
);

/// A metric type with its family of one `route` label and how many series it gets.
pub trait RouteFamily: Metric {
    /// The family's descriptor.
    const DESCRIPTOR: &'static FamilyDescriptor;
    /// How many series the benches create.
    const SERIES: usize;
    /// Puts a value in a series (as the family's lookup hands it out), so that no
    /// sample is zero.
    fn record(series: Self::Handle<'_>, i: usize);
}

impl RouteFamily for Counter {
    const DESCRIPTOR: &'static FamilyDescriptor = &ROUTE_COUNTERS;
    const SERIES: usize = COUNTER_SERIES;
    fn record(series: &Self, i: usize) {
        series.inc_by(i as u64 + 1);
    }
}

impl RouteFamily for Histogram {
    const DESCRIPTOR: &'static FamilyDescriptor = &ROUTE_HISTOGRAMS;
    const SERIES: usize = HISTOGRAM_SERIES;
    fn record(series: HistogramRef<'_>, i: usize) {
        series.observe(OBSERVATIONS[i % OBSERVATIONS.len()]);
    }
}

/// One dynamic family of series labelled `route`, as a metrics struct, so that a
/// [`Registry`](metrics_runtime::Registry) can encode it.
#[derive(Debug)]
pub struct RouteMetrics<M: RouteFamily> {
    descriptor: &'static FamilyDescriptor,
    /// The family.
    pub family: DynFamily<M>,
}

impl<M: RouteFamily> RouteMetrics<M> {
    /// The family of `M::SERIES` series, every one created and recorded into once.
    pub fn filled() -> Self {
        Self::filled_to(M::DESCRIPTOR, M::SERIES)
    }

    /// The family described by `descriptor`, with `series` series created and
    /// recorded into once.
    pub fn filled_to(descriptor: &'static FamilyDescriptor, series: usize) -> Self {
        let metrics = Self { descriptor, family: DynFamily::for_family(descriptor) };
        for i in 0..series {
            M::record(metrics.family.get(&[&route(i)]), i);
        }
        metrics
    }
}

impl<M: RouteFamily> Metrics for RouteMetrics<M> {
    fn new_unregistered() -> Self {
        Self { descriptor: M::DESCRIPTOR, family: DynFamily::for_family(M::DESCRIPTOR) }
    }

    fn for_each_family(
        &self,
        visit: &mut dyn FnMut(&'static FamilyDescriptor, &dyn CollectFamily),
    ) {
        visit(self.descriptor, &self.family);
    }
}

/// A global allocator that keeps the number of bytes currently allocated.
#[derive(Debug)]
pub struct CountingAllocator;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

impl CountingAllocator {
    /// Bytes allocated and not yet freed, process-wide.
    pub fn live_bytes() -> isize {
        LIVE_BYTES.load(Ordering::SeqCst)
    }
}

// SAFETY: every call is forwarded to `System` unchanged; only a counter is updated.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::SeqCst);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::SeqCst);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) };
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::SeqCst);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE_BYTES.fetch_add(new_size as isize - layout.size() as isize, Ordering::SeqCst);
        }
        new
    }
}

/// The benchmark id of our crate in every group; peers are named by their crate name,
/// floors start with `floor_`.
pub const OURS: &str = "metrics-runtime";
