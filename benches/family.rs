//! Counter increment with two labels resolved on every call: typed (enum) labels
//! against measured's `LabelGroup`, prometheus-client's and fastmetrics' enum label
//! sets; string labels against prometheus `with_label_values`, prometheus-client and
//! fastmetrics (whose lookups must own their key: two `String`s per call) and
//! measured's `ParaCord`-interned label set. Every series is created beforehand.

mod cpu_time;
mod labels;

use cpu_time::ThreadTime;
use criterion::{Criterion, criterion_group, criterion_main};
use labels::{
    OwnedRouteMethod, REQUESTS, RequestLabels, RequestLabelsSet, RouteMethod, RouteMethodSet,
    cycling,
};
use metrics_bench::{OURS, REQUESTS_DYNAMIC, REQUESTS_TYPED, ROUTE_METHODS};
use metrics_runtime::{Counter, DynFamily, Family};
use prometheus_client::metrics::counter::Counter as ClientCounter;
use prometheus_client::metrics::family::Family as ClientFamily;

type FmCounter = fastmetrics::metrics::counter::Counter;
type FmFamily<L> = fastmetrics::metrics::family::Family<L, FmCounter>;

fn typed_2labels(c: &mut Criterion<ThreadTime>) {
    let mut group = c.benchmark_group("family_typed_2labels");

    let ours = Family::<RequestLabels, Counter>::for_family(&REQUESTS_TYPED);
    group.bench_function(OURS, |b| cycling(b, &REQUESTS, |l| ours.get(l).inc()));

    let measured = measured::CounterVec::<RequestLabelsSet>::new();
    REQUESTS.iter().for_each(|l| measured.inc(*l));
    group.bench_function("measured", |b| cycling(b, &REQUESTS, |l| measured.inc(l)));

    let client = ClientFamily::<RequestLabels, ClientCounter>::default();
    REQUESTS.iter().for_each(|l| {
        client.get_or_create(l).inc();
    });
    group.bench_function("prometheus-client", |b| {
        cycling(b, &REQUESTS, |l| {
            client.get_or_create(&l).inc();
        })
    });

    let fastmetrics = FmFamily::<RequestLabels>::default();
    REQUESTS.iter().for_each(|l| fastmetrics.with_or_new(l, FmCounter::inc));
    group.bench_function("fastmetrics", |b| {
        cycling(b, &REQUESTS, |l| fastmetrics.with_or_new(&l, FmCounter::inc))
    });

    group.finish();
}

fn dynamic_2labels(c: &mut Criterion<ThreadTime>) {
    let mut group = c.benchmark_group("family_dynamic_2labels");

    let ours = DynFamily::<Counter>::for_family(&REQUESTS_DYNAMIC);
    ROUTE_METHODS.iter().for_each(|v| ours.get(v).inc());
    group.bench_function(OURS, |b| cycling(b, &ROUTE_METHODS, |v| ours.get(&v).inc()));

    let opts = prometheus::Opts::new("requests_dynamic_total", "Requests.");
    let prometheus = prometheus::IntCounterVec::new(opts, &["route", "method"]).unwrap();
    ROUTE_METHODS.iter().for_each(|v| prometheus.with_label_values(v).inc());
    group.bench_function("prometheus", |b| {
        cycling(b, &ROUTE_METHODS, |v| prometheus.with_label_values(&v).inc())
    });

    let client = ClientFamily::<OwnedRouteMethod, ClientCounter>::default();
    ROUTE_METHODS.iter().for_each(|v| {
        client.get_or_create(&OwnedRouteMethod::new(*v)).inc();
    });
    group.bench_function("prometheus-client", |b| {
        cycling(b, &ROUTE_METHODS, |v| {
            client.get_or_create(&OwnedRouteMethod::new(v)).inc();
        })
    });

    let fastmetrics = FmFamily::<OwnedRouteMethod>::default();
    ROUTE_METHODS
        .iter()
        .for_each(|v| fastmetrics.with_or_new(&OwnedRouteMethod::new(*v), FmCounter::inc));
    group.bench_function("fastmetrics", |b| {
        cycling(b, &ROUTE_METHODS, |v| {
            fastmetrics.with_or_new(&OwnedRouteMethod::new(v), FmCounter::inc)
        })
    });

    let measured = measured::CounterVec::<RouteMethodSet>::new();
    let measured_labels = |[route, method]: [&'static str; 2]| RouteMethod { route, method };
    ROUTE_METHODS.iter().for_each(|v| measured.inc(measured_labels(*v)));
    group.bench_function("measured", |b| {
        cycling(b, &ROUTE_METHODS, |v| measured.inc(measured_labels(v)))
    });

    group.finish();
}

criterion_group! {
    name = benches;
    config = cpu_time::criterion();
    targets = typed_2labels, dynamic_2labels
}
criterion_main!(benches);
