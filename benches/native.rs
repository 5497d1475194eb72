//! Native histogram observation against the classic one (12 buckets) in the same run:
//! native buckets only (schema 3, as `native(factor = 1.1)`), and classic plus native
//! (what a histogram declared with both pays). The classic row is the floor: a
//! histogram without native buckets pays one predictable branch for them.

mod cpu_time;
mod labels;

use cpu_time::ThreadTime;
use criterion::{Criterion, criterion_group, criterion_main};
use labels::cycling;
use metrics_bench::{LATENCY, OBSERVATIONS, OURS};
use metrics_runtime::{Histogram, Metric, NativeBuckets};

fn observe(c: &mut Criterion<ThreadTime>) {
    let mut group = c.benchmark_group("native_histogram_observe");
    let layout = NativeBuckets::from_schema(3).unwrap();

    let classic = Histogram::for_family(&LATENCY);
    group.bench_function(format!("floor_classic_{OURS}"), |b| {
        cycling(b, &OBSERVATIONS, |v| classic.observe(v))
    });

    let native = Histogram::native_only(layout);
    group.bench_function("native_schema_3", |b| cycling(b, &OBSERVATIONS, |v| native.observe(v)));

    let both = Histogram::for_family(&LATENCY).with_native(layout);
    group.bench_function("classic_and_native", |b| cycling(b, &OBSERVATIONS, |v| both.observe(v)));

    group.finish();
}

criterion_group! {
    name = benches;
    config = cpu_time::criterion();
    targets = observe
}
criterion_main!(benches);
