//! Encoding a 10,000-series counter family and a 1,000-series histogram family
//! (12 buckets), one `route` label each, in every format each crate writes:
//! Prometheus text 0.0.4 (ours, prometheus, prometheus-client, fastmetrics,
//! measured) and OpenMetrics 1.0 (ours, prometheus-client, fastmetrics). Each
//! benchmark's throughput is the size of the exposition it produces.

mod cpu_time;
mod labels;

use std::hint::black_box;

use cpu_time::ThreadTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};
use labels::{OwnedRoute, Route, RouteSet};
use measured::MetricGroup;
use measured::metric::histogram::Thresholds;
use measured::text::BufferedTextEncoder;
use metrics_bench::{
    BOUNDS, COUNTER_SERIES, HISTOGRAM_SERIES, OBSERVATIONS, OURS, RouteFamily, RouteMetrics, route,
};
use metrics_runtime::{Counter, Format, Histogram, Registry};
use prometheus_client::metrics::counter::Counter as ClientCounter;
use prometheus_client::metrics::family::Family as ClientFamily;
use prometheus_client::metrics::histogram::Histogram as ClientHistogram;

type FmCounter = fastmetrics::metrics::counter::Counter;
type FmHistogram = fastmetrics::metrics::histogram::Histogram;
type FmFamily<M> = fastmetrics::metrics::family::Family<OwnedRoute, M>;

const HELP: &str = "A benchmark family.";
const COUNTERS: &str = "route_requests";
/// prometheus and measured write counter names as given: the `_total` is theirs to add.
const COUNTERS_TOTAL: &str = "route_requests_total";
const HISTOGRAMS: &str = "route_latency_seconds";

/// Benchmarks `encode`, which writes one whole exposition into a buffer it reuses
/// and returns its length in bytes.
fn bench(
    group: &mut BenchmarkGroup<'_, ThreadTime>,
    krate: &str,
    format: &str,
    mut encode: impl FnMut() -> usize,
) {
    group.throughput(Throughput::Bytes(encode() as u64));
    group.bench_function(BenchmarkId::new(krate, format), |b| b.iter(&mut encode));
}

fn ours<M: RouteFamily>(group: &mut BenchmarkGroup<'_, ThreadTime>) {
    let registry = Registry::new();
    registry.register(RouteMetrics::<M>::filled()).unwrap();
    for (format, name) in [(Format::Text, "text"), (Format::OpenMetrics, "openmetrics")] {
        let mut buf = Vec::new();
        bench(group, OURS, name, || {
            buf.clear();
            registry.encode(format, &mut buf);
            black_box(&buf).len()
        });
    }
}

fn prometheus_text(group: &mut BenchmarkGroup<'_, ThreadTime>, registry: &prometheus::Registry) {
    use prometheus::Encoder;
    let mut buf = Vec::new();
    bench(group, "prometheus", "text", || {
        buf.clear();
        prometheus::TextEncoder::new().encode(&registry.gather(), &mut buf).unwrap();
        black_box(&buf).len()
    });
}

fn client_text(
    group: &mut BenchmarkGroup<'_, ThreadTime>,
    registry: &prometheus_client::registry::Registry,
) {
    let mut buf = String::new();
    bench(group, "prometheus-client", "text", || {
        buf.clear();
        prometheus_client::encoding::prometheus_text::encode(&mut buf, registry).unwrap();
        black_box(&buf).len()
    });
    bench(group, "prometheus-client", "openmetrics", || {
        buf.clear();
        prometheus_client::encoding::text::encode(&mut buf, registry).unwrap();
        black_box(&buf).len()
    });
}

fn fastmetrics_text(
    group: &mut BenchmarkGroup<'_, ThreadTime>,
    registry: &fastmetrics::registry::Registry,
) {
    use fastmetrics::format::text::{self, EscapingScheme, TextProfile};
    let profiles = [
        (TextProfile::PrometheusV0_0_4, "text"),
        (
            TextProfile::OpenMetricsV1_0_0 { escaping_scheme: EscapingScheme::default() },
            "openmetrics",
        ),
    ];
    for (profile, name) in profiles {
        let mut buf = String::new();
        bench(group, "fastmetrics", name, || {
            buf.clear();
            text::encode(&mut buf, registry, profile).unwrap();
            black_box(&buf).len()
        });
    }
}

fn measured_text<G: MetricGroup<BufferedTextEncoder>>(
    group: &mut BenchmarkGroup<'_, ThreadTime>,
    metrics: &G,
) {
    let mut encoder = BufferedTextEncoder::new();
    bench(group, "measured", "text", || {
        metrics.collect_group_into(&mut encoder).unwrap();
        black_box(encoder.finish()).len()
    });
}

#[derive(MetricGroup)]
struct MeasuredCounters {
    /// A benchmark family.
    route_requests_total: measured::CounterVec<RouteSet>,
}

#[derive(MetricGroup)]
struct MeasuredHistograms {
    /// A benchmark family.
    route_latency_seconds: measured::HistogramVec<RouteSet, 12>,
}

fn counters(c: &mut Criterion<ThreadTime>) {
    let mut group = c.benchmark_group("encode_counter_10k");
    let routes: Vec<String> = (0..COUNTER_SERIES).map(route).collect();
    let value = |i: usize| i as u64 + 1;

    ours::<Counter>(&mut group);

    let registry = prometheus::Registry::new();
    let vec =
        prometheus::IntCounterVec::new(prometheus::Opts::new(COUNTERS_TOTAL, HELP), &["route"])
            .unwrap();
    registry.register(Box::new(vec.clone())).unwrap();
    routes.iter().enumerate().for_each(|(i, r)| vec.with_label_values(&[r]).inc_by(value(i)));
    prometheus_text(&mut group, &registry);

    let mut registry = prometheus_client::registry::Registry::default();
    let family = ClientFamily::<OwnedRoute, ClientCounter>::default();
    registry.register(COUNTERS, HELP, family.clone());
    routes.iter().enumerate().for_each(|(i, r)| {
        family.get_or_create(&OwnedRoute { route: r.clone() }).inc_by(value(i));
    });
    client_text(&mut group, &registry);

    let mut registry = fastmetrics::registry::Registry::default();
    let family = FmFamily::<FmCounter>::default();
    registry.register(COUNTERS, HELP, family.clone()).unwrap();
    routes.iter().enumerate().for_each(|(i, r)| {
        family.with_or_new(&OwnedRoute { route: r.clone() }, |c| c.inc_by(value(i)));
    });
    fastmetrics_text(&mut group, &registry);

    let metrics = MeasuredCounters { route_requests_total: measured::CounterVec::new() };
    routes.iter().enumerate().for_each(|(i, r)| {
        metrics.route_requests_total.inc_by(Route { route: r }, value(i));
    });
    measured_text(&mut group, &metrics);

    group.finish();
}

fn histograms(c: &mut Criterion<ThreadTime>) {
    let mut group = c.benchmark_group("encode_histogram_1k");
    let routes: Vec<String> = (0..HISTOGRAM_SERIES).map(route).collect();
    let value = |i: usize| OBSERVATIONS[i % OBSERVATIONS.len()];

    ours::<Histogram>(&mut group);

    let registry = prometheus::Registry::new();
    let opts = prometheus::HistogramOpts::new(HISTOGRAMS, HELP).buckets(BOUNDS.to_vec());
    let vec = prometheus::HistogramVec::new(opts, &["route"]).unwrap();
    registry.register(Box::new(vec.clone())).unwrap();
    routes.iter().enumerate().for_each(|(i, r)| vec.with_label_values(&[r]).observe(value(i)));
    prometheus_text(&mut group, &registry);

    let mut registry = prometheus_client::registry::Registry::default();
    let family =
        ClientFamily::<OwnedRoute, ClientHistogram, fn() -> ClientHistogram>::new_with_constructor(
            || ClientHistogram::new(BOUNDS),
        );
    registry.register(HISTOGRAMS, HELP, family.clone());
    routes.iter().enumerate().for_each(|(i, r)| {
        family.get_or_create(&OwnedRoute { route: r.clone() }).observe(value(i));
    });
    client_text(&mut group, &registry);

    let mut registry = fastmetrics::registry::Registry::default();
    let family = FmFamily::<FmHistogram>::new(|| FmHistogram::new(BOUNDS));
    registry.register(HISTOGRAMS, HELP, family.clone()).unwrap();
    routes.iter().enumerate().for_each(|(i, r)| {
        family.with_or_new(&OwnedRoute { route: r.clone() }, |h| h.observe(value(i)));
    });
    fastmetrics_text(&mut group, &registry);

    let metrics = MeasuredHistograms {
        route_latency_seconds: measured::HistogramVec::with_metadata(Thresholds::with_buckets(
            BOUNDS,
        )),
    };
    routes.iter().enumerate().for_each(|(i, r)| {
        metrics.route_latency_seconds.observe(Route { route: r }, value(i));
    });
    measured_text(&mut group, &metrics);

    group.finish();
}

criterion_group! {
    name = benches;
    config = cpu_time::criterion();
    targets = counters, histograms
}
criterion_main!(benches);
