//! Exemplars off and on: histogram observation (12 buckets) and a `#[timed]`
//! trivial function, each against the same operation without exemplars in the same
//! run (the `floor_*` column), and histogram observation with an exemplar against
//! prometheus-client's `HistogramWithExemplars`.
//!
//! "On" means the full cost a request pays: the trace id is a `u128` written as the
//! exemplar `{trace_id="<32 hex digits>"}` on every call (prometheus-client's label
//! set is built from the same id), and stored with its timestamp; "on, labels" keeps
//! an `Exemplar` made once.

mod cpu_time;
mod labels;

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};

use cpu_time::ThreadTime;
use criterion::{Criterion, criterion_group, criterion_main};
use labels::cycling;
use metrics_bench::{BOUNDS, LATENCY, OBSERVATIONS, OURS};
use metrics_runtime::exemplar::{self, Exemplar, TraceId};
use metrics_runtime::{Histogram, HistogramWithExemplars, Metric, timed};
use prometheus_client::metrics::exemplar::HistogramWithExemplars as ClientHistogramWithExemplars;

/// The trace every call runs in: "on" calls find one, "no trace" calls none.
static IN_TRACE: AtomicBool = AtomicBool::new(true);
const TRACE: u128 = 0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736;

fn current_trace() -> Option<TraceId> {
    if IN_TRACE.load(Ordering::Relaxed) { TraceId::from_u128(TRACE) } else { None }
}

#[inline(never)]
fn work(x: u64) -> u64 {
    x.wrapping_mul(31).rotate_left(7)
}

#[timed(name = "bench_plain")]
#[inline(never)]
fn timed_plain(x: u64) -> u64 {
    work(x)
}

#[timed(name = "bench_exemplars", exemplars)]
#[inline(never)]
fn timed_exemplars(x: u64) -> u64 {
    work(x)
}

fn histogram(c: &mut Criterion<ThreadTime>) {
    let plain = Histogram::for_family(&LATENCY);
    let with = HistogramWithExemplars::for_family(&LATENCY);

    let mut group = c.benchmark_group("exemplars_histogram_observe_off");
    group.bench_function("floor_histogram_observe", |b| {
        cycling(b, &OBSERVATIONS, |v| plain.observe(v))
    });
    group.bench_function(OURS, |b| cycling(b, &OBSERVATIONS, |v| with.observe(v)));
    group.finish();

    let mut group = c.benchmark_group("exemplars_histogram_observe_on");
    group.bench_function("floor_histogram_observe", |b| {
        cycling(b, &OBSERVATIONS, |v| plain.observe(v))
    });
    group.bench_function(OURS, |b| {
        cycling(b, &OBSERVATIONS, |v| {
            if let Some(id) = TraceId::from_u128(black_box(TRACE)) {
                with.observe_with_trace_id(v, id);
            }
        })
    });
    let client =
        ClientHistogramWithExemplars::<Vec<(&'static str, String)>>::new(BOUNDS.iter().copied());
    group.bench_function("prometheus-client", |b| {
        cycling(b, &OBSERVATIONS, |v| {
            let id = format!("{:032x}", black_box(TRACE));
            client.observe(v, Some(vec![("trace_id", id)]), None);
        })
    });
    group.finish();

    let mut group = c.benchmark_group("exemplars_histogram_observe_on_labels");
    group.bench_function("floor_histogram_observe", |b| {
        cycling(b, &OBSERVATIONS, |v| plain.observe(v))
    });
    let exemplar = Exemplar::new(&[("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")])
        .unwrap_or_else(|e| panic!("{e}"));
    group.bench_function(OURS, |b| {
        cycling(b, &OBSERVATIONS, |v| with.observe_with_exemplar(v, black_box(&exemplar)))
    });
    group.finish();
}

fn timed_function(c: &mut Criterion<ThreadTime>) {
    exemplar::set_trace_id_source(current_trace);

    let mut group = c.benchmark_group("exemplars_timed_on");
    group.bench_function("floor_timed_without_exemplars", |b| b.iter(|| timed_plain(black_box(7))));
    IN_TRACE.store(true, Ordering::Relaxed);
    group.bench_function(OURS, |b| b.iter(|| timed_exemplars(black_box(7))));
    group.finish();

    let mut group = c.benchmark_group("exemplars_timed_no_trace");
    group.bench_function("floor_timed_without_exemplars", |b| b.iter(|| timed_plain(black_box(7))));
    IN_TRACE.store(false, Ordering::Relaxed);
    group.bench_function(OURS, |b| b.iter(|| timed_exemplars(black_box(7))));
    IN_TRACE.store(true, Ordering::Relaxed);
    group.finish();
}

criterion_group! {
    name = benches;
    config = cpu_time::criterion();
    targets = histogram, timed_function
}
criterion_main!(benches);
