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
    let layout = NativeBuckets::from_schema(3).unwrap();
    let classic = Histogram::for_family(&LATENCY);
    let native = Histogram::native_only(layout);
    let both = Histogram::for_family(&LATENCY).with_native(layout);

    // One group per row of the report (`cargo xtask bench`), each with the classic
    // histogram as its floor.
    let rows: [(&str, &Histogram); 2] =
        [("native_histogram_observe", &native), ("native_and_classic_histogram_observe", &both)];
    for (row, histogram) in rows {
        let mut group = c.benchmark_group(row);
        group.bench_function("floor_classic_histogram_observe", |b| {
            cycling(b, &OBSERVATIONS, |v| classic.observe(v))
        });
        group.bench_function(OURS, |b| cycling(b, &OBSERVATIONS, |v| histogram.observe(v)));
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = cpu_time::criterion();
    targets = observe
}
criterion_main!(benches);
