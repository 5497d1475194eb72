//! Histogram observation (12 buckets): with the handle held (from one thread, and
//! from two threads on the same histogram), with two typed labels and with two
//! string labels resolved per call, against prometheus,
//! prometheus-client, fastmetrics and measured; and a timed section (start a timer,
//! stop it, observe) against prometheus, measured and two bare `Instant::now()` reads.

mod cpu_time;
mod labels;
mod two_threads;

use std::hint::black_box;
use std::time::Instant;

use cpu_time::ThreadTime;
use criterion::{Criterion, criterion_group, criterion_main};
use labels::{
    OwnedRouteMethod, REQUESTS, RequestLabels, RequestLabelsSet, RouteMethod, RouteMethodSet,
    cycling,
};
use measured::metric::histogram::Thresholds;
use metrics_bench::{
    BOUNDS, LATENCY, LATENCY_DYNAMIC, LATENCY_TYPED, OBSERVATIONS, OURS, ROUTE_METHODS,
};
use metrics_runtime::{DynFamily, Family, Histogram, Metric};
use prometheus_client::metrics::family::Family as ClientFamily;
use prometheus_client::metrics::histogram::Histogram as ClientHistogram;
use two_threads::bench_two_threads;

type FmHistogram = fastmetrics::metrics::histogram::Histogram;
type FmFamily<L> = fastmetrics::metrics::family::Family<L, FmHistogram>;
type MeasuredHistogram = measured::Histogram<12>;
type MeasuredVec<L> = measured::HistogramVec<L, 12>;
type ClientHistograms<L> = ClientFamily<L, ClientHistogram, fn() -> ClientHistogram>;

fn prometheus_opts(name: &str) -> prometheus::HistogramOpts {
    prometheus::HistogramOpts::new(name, "Latency.").buckets(BOUNDS.to_vec())
}

fn client_histogram() -> ClientHistogram {
    ClientHistogram::new(BOUNDS)
}

fn fastmetrics_histogram() -> FmHistogram {
    FmHistogram::new(BOUNDS)
}

fn measured_thresholds() -> Thresholds<12> {
    Thresholds::with_buckets(BOUNDS)
}

fn observe(c: &mut Criterion<ThreadTime>) {
    let mut group = c.benchmark_group("histogram_observe");

    let ours = Histogram::for_family(&LATENCY);
    group.bench_function(OURS, |b| cycling(b, &OBSERVATIONS, |v| ours.observe(v)));

    let prometheus = prometheus::Histogram::with_opts(prometheus_opts("latency")).unwrap();
    group.bench_function("prometheus", |b| cycling(b, &OBSERVATIONS, |v| prometheus.observe(v)));

    let client = client_histogram();
    group.bench_function("prometheus-client", |b| cycling(b, &OBSERVATIONS, |v| client.observe(v)));

    let fastmetrics = fastmetrics_histogram();
    group.bench_function("fastmetrics", |b| cycling(b, &OBSERVATIONS, |v| fastmetrics.observe(v)));

    let measured = MeasuredHistogram::with_metadata(measured_thresholds());
    group.bench_function("measured", |b| cycling(b, &OBSERVATIONS, |v| measured.observe(v)));

    group.finish();
}

/// The observation number `i` of a benchmark loop.
#[inline]
fn observation(i: u64) -> f64 {
    OBSERVATIONS[i as usize % OBSERVATIONS.len()]
}

fn observe_2threads(c: &mut Criterion<ThreadTime>) {
    const GROUP: &str = "histogram_observe_2threads";
    let mut group = c.benchmark_group(GROUP);

    let ours = Histogram::for_family(&LATENCY);
    bench_two_threads(&mut group, GROUP, OURS, |i| ours.observe(observation(i)));

    let prometheus = prometheus::Histogram::with_opts(prometheus_opts("latency")).unwrap();
    bench_two_threads(&mut group, GROUP, "prometheus", |i| prometheus.observe(observation(i)));

    let client = client_histogram();
    bench_two_threads(&mut group, GROUP, "prometheus-client", |i| client.observe(observation(i)));

    let fastmetrics = fastmetrics_histogram();
    bench_two_threads(&mut group, GROUP, "fastmetrics", |i| fastmetrics.observe(observation(i)));

    let measured = MeasuredHistogram::with_metadata(measured_thresholds());
    bench_two_threads(&mut group, GROUP, "measured", |i| measured.observe(observation(i)));

    group.finish();
}

fn typed_2labels(c: &mut Criterion<ThreadTime>) {
    let mut group = c.benchmark_group("histogram_typed_2labels");
    let inputs: [(RequestLabels, f64); 8] = std::array::from_fn(|i| (REQUESTS[i], OBSERVATIONS[i]));

    let ours = Family::<RequestLabels, Histogram>::for_family(&LATENCY_TYPED);
    group.bench_function(OURS, |b| cycling(b, &inputs, |(l, v)| ours.get(l).observe(v)));

    let measured = MeasuredVec::<RequestLabelsSet>::with_metadata(measured_thresholds());
    inputs.iter().for_each(|(l, v)| measured.observe(*l, *v));
    group.bench_function("measured", |b| cycling(b, &inputs, |(l, v)| measured.observe(l, v)));

    let client = ClientHistograms::<RequestLabels>::new_with_constructor(client_histogram);
    inputs.iter().for_each(|(l, v)| client.get_or_create(l).observe(*v));
    group.bench_function("prometheus-client", |b| {
        cycling(b, &inputs, |(l, v)| client.get_or_create(&l).observe(v))
    });

    let fastmetrics = FmFamily::<RequestLabels>::new(fastmetrics_histogram);
    inputs.iter().for_each(|(l, v)| fastmetrics.with_or_new(l, |h| h.observe(*v)));
    group.bench_function("fastmetrics", |b| {
        cycling(b, &inputs, |(l, v)| fastmetrics.with_or_new(&l, |h| h.observe(v)))
    });

    group.finish();
}

fn dynamic_2labels(c: &mut Criterion<ThreadTime>) {
    let mut group = c.benchmark_group("histogram_dynamic_2labels");
    let inputs: [([&str; 2], f64); 8] =
        std::array::from_fn(|i| (ROUTE_METHODS[i], OBSERVATIONS[i]));

    let ours = DynFamily::<Histogram>::for_family(&LATENCY_DYNAMIC);
    inputs.iter().for_each(|(l, v)| ours.get(l).observe(*v));
    group.bench_function(OURS, |b| cycling(b, &inputs, |(l, v)| ours.get(&l).observe(v)));

    let opts = prometheus_opts("latency_dynamic");
    let prometheus = prometheus::HistogramVec::new(opts, &["route", "method"]).unwrap();
    inputs.iter().for_each(|(l, v)| prometheus.with_label_values(l).observe(*v));
    group.bench_function("prometheus", |b| {
        cycling(b, &inputs, |(l, v)| prometheus.with_label_values(&l).observe(v))
    });

    let client = ClientHistograms::<OwnedRouteMethod>::new_with_constructor(client_histogram);
    inputs.iter().for_each(|(l, v)| client.get_or_create(&OwnedRouteMethod::new(*l)).observe(*v));
    group.bench_function("prometheus-client", |b| {
        cycling(b, &inputs, |(l, v)| client.get_or_create(&OwnedRouteMethod::new(l)).observe(v))
    });

    let fastmetrics = FmFamily::<OwnedRouteMethod>::new(fastmetrics_histogram);
    inputs
        .iter()
        .for_each(|(l, v)| fastmetrics.with_or_new(&OwnedRouteMethod::new(*l), |h| h.observe(*v)));
    group.bench_function("fastmetrics", |b| {
        cycling(b, &inputs, |(l, v)| {
            fastmetrics.with_or_new(&OwnedRouteMethod::new(l), |h| h.observe(v))
        })
    });

    let measured = MeasuredVec::<RouteMethodSet>::with_metadata(measured_thresholds());
    let measured_labels = |[route, method]: [&'static str; 2]| RouteMethod { route, method };
    inputs.iter().for_each(|(l, v)| measured.observe(measured_labels(*l), *v));
    group.bench_function("measured", |b| {
        cycling(b, &inputs, |(l, v)| measured.observe(measured_labels(l), v))
    });

    group.finish();
}

fn timer(c: &mut Criterion<ThreadTime>) {
    let mut group = c.benchmark_group("histogram_timer");

    let ours = Histogram::for_family(&LATENCY);
    group.bench_function(OURS, |b| b.iter(|| drop(black_box(&ours).start_timer())));

    let prometheus = prometheus::Histogram::with_opts(prometheus_opts("latency")).unwrap();
    group.bench_function("prometheus", |b| {
        b.iter(|| black_box(&prometheus).start_timer().observe_duration())
    });

    let measured = MeasuredHistogram::with_metadata(measured_thresholds());
    group.bench_function("measured", |b| b.iter(|| drop(black_box(&measured).start_timer())));

    group.bench_function("floor_two_instant_now", |b| {
        b.iter(|| {
            let start = Instant::now();
            black_box(Instant::now().duration_since(start))
        })
    });

    group.finish();
}

criterion_group! {
    name = benches;
    config = cpu_time::criterion();
    targets = observe, observe_2threads, typed_2labels, dynamic_2labels, timer
}
criterion_main!(benches);
