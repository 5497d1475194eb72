//! Counter increment with the handle held, single-threaded and from two threads at
//! once, against prometheus, prometheus-client, fastmetrics, measured and a bare
//! `AtomicU64::fetch_add` (the floor). The single-threaded rows are thread CPU time;
//! the two-thread rows the median of short batches that both threads ran at once
//! (`two_threads.rs`).

mod cpu_time;
mod two_threads;

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use metrics_bench::{OURS, REQUESTS};
use metrics_runtime::{Counter, Metric};

use cpu_time::ThreadTime;
use two_threads::bench_two_threads;

/// One increment of each crate's counter, called through a generic so that every
/// one is inlined into its benchmark loop as it would be in an application.
trait Increment: Sync {
    fn increment(&self);
}

impl Increment for Counter {
    #[inline]
    fn increment(&self) {
        self.inc();
    }
}

impl Increment for prometheus::IntCounter {
    #[inline]
    fn increment(&self) {
        self.inc();
    }
}

impl Increment for prometheus_client::metrics::counter::Counter<u64> {
    #[inline]
    fn increment(&self) {
        self.inc();
    }
}

impl Increment for fastmetrics::metrics::counter::Counter {
    #[inline]
    fn increment(&self) {
        self.inc();
    }
}

impl Increment for measured::Counter {
    #[inline]
    fn increment(&self) {
        self.get_metric().inc();
    }
}

impl Increment for AtomicU64 {
    #[inline]
    fn increment(&self) {
        self.fetch_add(1, Ordering::Relaxed);
    }
}

/// What a benchmark group does with each crate's counter.
trait CounterBench {
    fn bench<T: Increment>(&mut self, name: &str, counter: &T);
}

/// Increments on the benchmark thread alone, timed in thread CPU time.
struct Alone<'a, 'c>(&'a mut BenchmarkGroup<'c, ThreadTime>);

impl CounterBench for Alone<'_, '_> {
    fn bench<T: Increment>(&mut self, name: &str, counter: &T) {
        self.0.bench_function(name, |b| b.iter(|| black_box(counter).increment()));
    }
}

const GROUP_2THREADS: &str = "counter_inc_2threads";

/// Increments on two threads at once (`two_threads.rs`).
struct Contended<'a, 'c>(&'a mut BenchmarkGroup<'c, ThreadTime>);

impl CounterBench for Contended<'_, '_> {
    fn bench<T: Increment>(&mut self, name: &str, counter: &T) {
        bench_two_threads(self.0, GROUP_2THREADS, name, |_| black_box(counter).increment());
    }
}

fn each_crate(group: &mut impl CounterBench) {
    group.bench(OURS, &Counter::for_family(&REQUESTS));
    group.bench("prometheus", &prometheus::IntCounter::new("requests_total", "Requests.").unwrap());
    group.bench(
        "prometheus-client",
        &prometheus_client::metrics::counter::Counter::<u64>::default(),
    );
    group.bench("fastmetrics", &<fastmetrics::metrics::counter::Counter>::default());
    group.bench("measured", &measured::Counter::new());
    group.bench("floor_atomic_fetch_add", &AtomicU64::new(0));
}

fn counter_inc(c: &mut Criterion<ThreadTime>) {
    let mut group = c.benchmark_group("counter_inc");
    each_crate(&mut Alone(&mut group));
    group.finish();
}

fn counter_inc_2threads(c: &mut Criterion<ThreadTime>) {
    let mut group = c.benchmark_group(GROUP_2THREADS);
    each_crate(&mut Contended(&mut group));
    group.finish();
}

criterion_group! {
    name = benches;
    config = cpu_time::criterion();
    targets = counter_inc, counter_inc_2threads
}
criterion_main!(benches);
