//! Counter increment with the handle held, single-threaded and from two threads at
//! once, against prometheus, prometheus-client, fastmetrics, measured and a bare
//! `AtomicU64::fetch_add` (the floor). Single-threaded rows are thread CPU time, the
//! two-thread rows wall-clock time.

mod cpu_time;

use std::hint::black_box;
use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use metrics_bench::{OURS, REQUESTS};
use metrics_runtime::{Counter, Metric};

use cpu_time::ThreadTime;

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

/// Increments on two threads started together, timed in wall-clock time (CPU time
/// would not show one thread waiting for the other's cache line): the figure is the
/// slower thread's time per increment.
struct Contended<'a, 'c>(&'a mut BenchmarkGroup<'c, WallTime>);

const THREADS: usize = 2;

impl CounterBench for Contended<'_, '_> {
    fn bench<T: Increment>(&mut self, name: &str, counter: &T) {
        self.0.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let barrier = Barrier::new(THREADS);
                std::thread::scope(|s| {
                    let handles: Vec<_> = (0..THREADS)
                        .map(|_| {
                            s.spawn(|| {
                                barrier.wait();
                                let start = Instant::now();
                                for _ in 0..iters {
                                    black_box(counter).increment();
                                }
                                start.elapsed()
                            })
                        })
                        .collect();
                    handles.into_iter().map(|h| h.join().unwrap()).max().unwrap_or(Duration::ZERO)
                })
            });
        });
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

fn counter_inc_2threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("counter_inc_2threads");
    each_crate(&mut Contended(&mut group));
    group.finish();
}

criterion_group! {
    name = alone;
    config = cpu_time::criterion();
    targets = counter_inc
}
criterion_group!(contended, counter_inc_2threads);
criterion_main!(alone, contended);
