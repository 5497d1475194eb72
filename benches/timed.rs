//! A trivial function instrumented the idiomatic way of each crate: ours with
//! `#[timed]` (the system clock, and the opt-in `fast_clock`), the `prometheus` crate
//! by hand (a histogram and a counter resolved once, an `Instant` around the call),
//! measured (a histogram timer and a counter), and autometrics' `#[autometrics]`;
//! against the floor of two bare `Instant::now()` reads, which `#[timed]` must stay
//! within 15 ns of (and `fast_clock` below).

mod cpu_time;

use std::hint::black_box;
use std::time::Instant;

use autometrics::autometrics;
use cpu_time::ThreadTime;
use criterion::{Criterion, criterion_group, criterion_main};
use measured::metric::histogram::Thresholds;
use metrics_bench::{BOUNDS, OURS};
use metrics_runtime::timed;

#[inline(never)]
fn work(x: u64) -> u64 {
    x.wrapping_mul(31).rotate_left(7)
}

#[timed]
#[inline(never)]
fn timed_std(x: u64) -> u64 {
    work(x)
}

#[timed(fast_clock)]
#[inline(never)]
fn timed_fast(x: u64) -> u64 {
    work(x)
}

#[autometrics]
#[inline(never)]
fn with_autometrics(x: u64) -> u64 {
    work(x)
}

/// The floor: the function between two bare clock reads.
fn two_clock_reads() -> u64 {
    let start = Instant::now();
    let out = work(black_box(7));
    black_box(Instant::now().duration_since(start));
    out
}

fn trivial_function(c: &mut Criterion<ThreadTime>) {
    let mut group = c.benchmark_group("timed_trivial_function");

    group.bench_function("floor_two_instant_now", |b| b.iter(two_clock_reads));

    group.bench_function(OURS, |b| b.iter(|| timed_std(black_box(7))));

    let histogram = prometheus::Histogram::with_opts(
        prometheus::HistogramOpts::new("calls_duration_seconds", "Duration.")
            .buckets(BOUNDS.to_vec()),
    )
    .unwrap();
    let calls = prometheus::IntCounter::new("calls_total", "Calls.").unwrap();
    group.bench_function("prometheus", |b| {
        b.iter(|| {
            let start = Instant::now();
            let out = work(black_box(7));
            histogram.observe(start.elapsed().as_secs_f64());
            calls.inc();
            out
        })
    });

    let measured_histogram =
        measured::Histogram::<12>::with_metadata(Thresholds::with_buckets(BOUNDS));
    let measured_calls = measured::Counter::new();
    group.bench_function("measured", |b| {
        b.iter(|| {
            let _timer = measured_histogram.start_timer();
            let out = work(black_box(7));
            measured_calls.inc();
            out
        })
    });

    group.bench_function("autometrics", |b| b.iter(|| with_autometrics(black_box(7))));

    group.finish();

    let mut group = c.benchmark_group("timed_trivial_function_fast_clock");
    group.bench_function("floor_two_instant_now", |b| b.iter(two_clock_reads));
    group.bench_function(OURS, |b| b.iter(|| timed_fast(black_box(7))));
    group.finish();
}

criterion_group! {
    name = benches;
    config = cpu_time::criterion();
    targets = trivial_function
}
criterion_main!(benches);
