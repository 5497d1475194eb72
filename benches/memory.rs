//! Heap bytes per series: a counting global allocator measures what each crate keeps
//! after creating 10,000 counter series and 1,000 histogram series (12 buckets), one
//! `route` label each (our `DynFamily`), and the 12 series of a family labelled by two
//! enums (our typed `Family`), against prometheus, prometheus-client, fastmetrics and
//! measured. Not a criterion bench: it prints its figures, and writes them as
//! tab-separated `family crate series bytes_per_series` lines to the file named by
//! `METRICS_BENCH_MEMORY` when that is set (as `cargo xtask bench` does).

mod labels;

use std::any::Any;
use std::fmt::Write as _;

use labels::{OwnedRoute, RequestLabels, RequestLabelsSet, Route, RouteSet, all_requests};
use measured::metric::histogram::Thresholds;
use metrics_bench::{
    BOUNDS, COUNTER_SERIES, CountingAllocator, HISTOGRAM_SERIES, LATENCY_TYPED, OURS,
    REQUESTS_TYPED, ROUTE_COUNTERS, ROUTE_HISTOGRAMS, route,
};
use metrics_runtime::{Counter, DynFamily, Family, Histogram};
use prometheus_client::metrics::counter::Counter as ClientCounter;
use prometheus_client::metrics::family::Family as ClientFamily;
use prometheus_client::metrics::histogram::Histogram as ClientHistogram;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

type FmCounter = fastmetrics::metrics::counter::Counter;
type FmHistogram = fastmetrics::metrics::histogram::Histogram;
type FmFamily<M> = fastmetrics::metrics::family::Family<OwnedRoute, M>;
type FmTyped<M> = fastmetrics::metrics::family::Family<RequestLabels, M>;

/// Heap bytes that what `create` returns keeps, divided by `series`. The label
/// values are allocated beforehand, so only the copies a crate keeps are counted.
fn bytes_per_series(series: usize, create: impl FnOnce() -> Box<dyn Any>) -> f64 {
    let before = CountingAllocator::live_bytes();
    let kept = create();
    let after = CountingAllocator::live_bytes();
    drop(kept);
    (after - before) as f64 / series as f64
}

/// `(crate, bytes per series)`, ours first.
type Figures = Vec<(&'static str, f64)>;

fn counters() -> Figures {
    let n = COUNTER_SERIES;
    let routes: &[String] = &(0..n).map(route).collect::<Vec<_>>();
    vec![
        (
            OURS,
            bytes_per_series(n, || {
                let family = DynFamily::<Counter>::for_family(&ROUTE_COUNTERS);
                routes.iter().for_each(|r| family.get(&[r]).inc());
                Box::new(family)
            }),
        ),
        (
            "prometheus",
            bytes_per_series(n, || {
                let opts = prometheus::Opts::new("route_requests", "Requests.");
                let vec = prometheus::IntCounterVec::new(opts, &["route"]).unwrap();
                routes.iter().for_each(|r| vec.with_label_values(&[r]).inc());
                Box::new(vec)
            }),
        ),
        (
            "prometheus-client",
            bytes_per_series(n, || {
                let family = ClientFamily::<OwnedRoute, ClientCounter>::default();
                routes.iter().for_each(|r| {
                    family.get_or_create(&OwnedRoute { route: r.clone() }).inc();
                });
                Box::new(family)
            }),
        ),
        (
            "fastmetrics",
            bytes_per_series(n, || {
                let family = FmFamily::<FmCounter>::default();
                routes.iter().for_each(|r| {
                    family.with_or_new(&OwnedRoute { route: r.clone() }, FmCounter::inc)
                });
                Box::new(family)
            }),
        ),
        (
            "measured",
            bytes_per_series(n, || {
                let vec = measured::CounterVec::<RouteSet>::new();
                routes.iter().for_each(|r| vec.inc(Route { route: r }));
                Box::new(vec)
            }),
        ),
    ]
}

fn histograms() -> Figures {
    let n = HISTOGRAM_SERIES;
    let routes: &[String] = &(0..n).map(route).collect::<Vec<_>>();
    vec![
        (
            OURS,
            bytes_per_series(n, || {
                let family = DynFamily::<Histogram>::for_family(&ROUTE_HISTOGRAMS);
                routes.iter().for_each(|r| family.get(&[r]).observe(0.1));
                Box::new(family)
            }),
        ),
        (
            "prometheus",
            bytes_per_series(n, || {
                let opts = prometheus::HistogramOpts::new("route_latency_seconds", "Latency.")
                    .buckets(BOUNDS.to_vec());
                let vec = prometheus::HistogramVec::new(opts, &["route"]).unwrap();
                routes.iter().for_each(|r| vec.with_label_values(&[r]).observe(0.1));
                Box::new(vec)
            }),
        ),
        (
            "prometheus-client",
            bytes_per_series(n, || {
                let family = ClientFamily::<OwnedRoute, ClientHistogram, fn() -> ClientHistogram>::new_with_constructor(|| ClientHistogram::new(BOUNDS));
                routes.iter().for_each(|r| {
                    family.get_or_create(&OwnedRoute { route: r.clone() }).observe(0.1);
                });
                Box::new(family)
            }),
        ),
        (
            "fastmetrics",
            bytes_per_series(n, || {
                let family = FmFamily::<FmHistogram>::new(|| FmHistogram::new(BOUNDS));
                routes.iter().for_each(|r| {
                    family.with_or_new(&OwnedRoute { route: r.clone() }, |h| h.observe(0.1))
                });
                Box::new(family)
            }),
        ),
        (
            "measured",
            bytes_per_series(n, || {
                let vec = measured::HistogramVec::<RouteSet, 12>::with_metadata(
                    Thresholds::with_buckets(BOUNDS),
                );
                routes.iter().for_each(|r| vec.observe(Route { route: r }, 0.1));
                Box::new(vec)
            }),
        ),
    ]
}

/// Series in the typed families: every combination of two enums (4 x 3).
const TYPED_SERIES: usize = 12;

fn typed_counters() -> Figures {
    let (n, labels) = (TYPED_SERIES, all_requests());
    vec![
        (
            OURS,
            bytes_per_series(n, || {
                let family = Family::<RequestLabels, Counter>::for_family(&REQUESTS_TYPED);
                labels.iter().for_each(|l| family.get(*l).inc());
                Box::new(family)
            }),
        ),
        (
            "prometheus-client",
            bytes_per_series(n, || {
                let family = ClientFamily::<RequestLabels, ClientCounter>::default();
                labels.iter().for_each(|l| {
                    family.get_or_create(l).inc();
                });
                Box::new(family)
            }),
        ),
        (
            "fastmetrics",
            bytes_per_series(n, || {
                let family = FmTyped::<FmCounter>::default();
                labels.iter().for_each(|l| family.with_or_new(l, FmCounter::inc));
                Box::new(family)
            }),
        ),
        (
            "measured",
            bytes_per_series(n, || {
                let vec = measured::CounterVec::<RequestLabelsSet>::new();
                labels.iter().for_each(|l| vec.inc(*l));
                Box::new(vec)
            }),
        ),
    ]
}

fn typed_histograms() -> Figures {
    let (n, labels) = (TYPED_SERIES, all_requests());
    vec![
        (
            OURS,
            bytes_per_series(n, || {
                let family = Family::<RequestLabels, Histogram>::for_family(&LATENCY_TYPED);
                labels.iter().for_each(|l| family.get(*l).observe(0.1));
                Box::new(family)
            }),
        ),
        (
            "prometheus-client",
            bytes_per_series(n, || {
                let family = ClientFamily::<RequestLabels, ClientHistogram, fn() -> ClientHistogram>::new_with_constructor(|| ClientHistogram::new(BOUNDS));
                labels.iter().for_each(|l| family.get_or_create(l).observe(0.1));
                Box::new(family)
            }),
        ),
        (
            "fastmetrics",
            bytes_per_series(n, || {
                let family = FmTyped::<FmHistogram>::new(|| FmHistogram::new(BOUNDS));
                labels.iter().for_each(|l| family.with_or_new(l, |h| h.observe(0.1)));
                Box::new(family)
            }),
        ),
        (
            "measured",
            bytes_per_series(n, || {
                let vec = measured::HistogramVec::<RequestLabelsSet, 12>::with_metadata(
                    Thresholds::with_buckets(BOUNDS),
                );
                labels.iter().for_each(|l| vec.observe(*l, 0.1));
                Box::new(vec)
            }),
        ),
    ]
}

fn main() {
    let mut tsv = String::new();
    let families = [
        ("counter", COUNTER_SERIES, counters()),
        ("counter_typed", TYPED_SERIES, typed_counters()),
        ("histogram_12_buckets", HISTOGRAM_SERIES, histograms()),
        ("histogram_12_buckets_typed", TYPED_SERIES, typed_histograms()),
    ];
    for (family, series, figures) in families {
        for (krate, bytes) in figures {
            println!("memory/{family}/{krate}: {bytes:.1} heap bytes per series ({series} series)");
            writeln!(tsv, "{family}\t{krate}\t{series}\t{bytes:.1}").unwrap();
        }
    }
    if let Some(path) = std::env::var_os("METRICS_BENCH_MEMORY") {
        std::fs::write(&path, tsv).expect("write the memory figures");
    }
}
